package indexingjobs

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// operation is what the client knows of one operation of openapi.yaml to
// send it. Each is generated (templates/client.tmpl) into
// indexingjobs.gen.go as op<OperationId>.
type operation struct {
	id     string // operationId
	method string
	// path is the path template, such as
	// /v2/gen-ai/indexing_jobs/{indexing_job_uuid}; pathParams names its
	// parameters in order, each for what it identifies.
	path       string
	pathParams []string
	// idempotent operations may be sent again after the server may have
	// acted on them: the operation's x-idempotent, or else its method.
	idempotent bool
	// answer is a new zero value of the type its 200 answer decodes into,
	// for the tests that hold every answer to the fast decoder.
	answer func() any
}

// endpoint is an operation with the Go types of its query parameters,
// request body and 200 answer, so that a method cannot send one
// operation's query or body to another, or decode its answer as another's.
type endpoint[Query, In, Out any] struct{ operation }

// noQuery and noBody are the query and body of an operation that has none.
type (
	noQuery struct{}
	noBody  struct{}
)

// encoder is the query of an operation that has one: the generated
// <OperationId>Params types.
type encoder interface{ encode() string }

// queryEncoder writes a query string in the order of the spec's
// parameters. unsupported is where the template puts a parameter type it
// cannot encode, so that such a spec fails to compile.
type queryEncoder struct {
	b           strings.Builder
	unsupported int
}

func (e *queryEncoder) add(name, value string) {
	if e.b.Len() > 0 {
		e.b.WriteByte('&')
	}
	e.b.WriteString(name)
	e.b.WriteByte('=')
	e.b.WriteString(value)
}

func (e *queryEncoder) int(name string, v int64, required bool) {
	if v != 0 || required {
		e.add(name, strconv.FormatInt(v, 10))
	}
}

func (e *queryEncoder) bool(name string, v, required bool) {
	if v || required {
		e.add(name, strconv.FormatBool(v))
	}
}

func (e *queryEncoder) string(name, v string, required bool) {
	if v != "" || required {
		e.add(name, url.QueryEscape(v))
	}
}

func (e *queryEncoder) String() string { return e.b.String() }

// apiRequest builds into x the request of op on the client's base URL:
// the path is op's template filled with params, each checked to be a
// UUID, so the path is the template's by construction; then the query,
// the token and the headers.
func (c *Client) apiRequest(x *outgoing, op *operation, params []string, query encoder, in any) error {
	path, err := fillPath(c.basePath, op, params)
	if err != nil {
		return err
	}
	h := make(http.Header, 5)
	h["Authorization"] = c.authHeader
	h["User-Agent"] = c.uaHeader
	h["Accept"] = jsonMedia
	var body []byte
	if in != nil {
		if body, err = json.Marshal(in); err != nil {
			return fmt.Errorf("indexingjobs: %s: encoding the body: %w", op.id, err)
		}
		h["Content-Type"] = jsonMedia
	}
	u := &url.URL{Scheme: c.scheme, Host: c.host, Path: path}
	if query != nil {
		u.RawQuery = query.encode()
	}
	x.idempotent, x.maxRetries, x.body, x.secrets = op.idempotent, c.maxRetries, body, c.secrets
	x.req = newRequest(op.method, u, h)
	return nil
}

var jsonMedia = []string{"application/json"}

// newRequest is a request of the core: no context and no body yet, which
// each attempt gives it.
func newRequest(method string, u *url.URL, h http.Header) http.Request {
	return http.Request{Method: method, URL: u, Host: u.Host, Header: h, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}
}

// fillPath is prefix followed by op's path template with params put in
// order. Each is a UUID, which needs no escaping: nothing else reaches a
// path. The error for one that is not names what it identifies, from the
// spec's name of the parameter ("knowledge base" for knowledge_base_uuid).
func fillPath(prefix string, op *operation, params []string) (string, error) {
	if len(params) != len(op.pathParams) {
		return "", fmt.Errorf("indexingjobs: %s takes %d path parameters, not %d", op.id, len(op.pathParams), len(params))
	}
	var b strings.Builder
	b.Grow(len(prefix) + len(op.path) + 36*len(params))
	b.WriteString(prefix)
	t := op.path
	for i, p := range params {
		if !isUUID(p) {
			return "", checkUUID(kindOf(op.pathParams[i]), p)
		}
		open := strings.IndexByte(t, '{')
		end := open + strings.IndexByte(t[open:], '}')
		b.WriteString(t[:open])
		b.WriteString(p)
		t = t[end+1:]
	}
	b.WriteString(t)
	return b.String(), nil
}

// kindOf names what a path parameter identifies, from its name in the
// spec: "knowledge base" for knowledge_base_uuid.
func kindOf(param string) string {
	return strings.ReplaceAll(strings.TrimSuffix(param, "_uuid"), "_", " ")
}
