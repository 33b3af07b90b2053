package indexingjobs

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"
)

// openapiYAML is the spec the generated code in package gen comes from;
// openapiJSON is the same document as JSON, written by go generate
// (tools/openapijson), so that this package needs no YAML library.
var (
	//go:embed openapi.yaml
	openapiYAML []byte
	//go:embed openapi.json
	openapiJSON []byte
)

// OpenAPIYAML returns openapi.yaml, the OpenAPI description this client is
// generated from, as it is in the module. The slice is the caller's.
func OpenAPIYAML() []byte { return bytes.Clone(openapiYAML) }

// OpenAPIJSON returns the same description as indented JSON, keys in the
// order of the YAML. The slice is the caller's.
func OpenAPIJSON() []byte { return bytes.Clone(openapiJSON) }

// SpecHandler serves the spec at any path ending in /openapi.yaml or
// /openapi.json, so it can be mounted at a prefix of your choice:
//
//	mux.Handle("/api/", indexingjobs.SpecHandler()) // /api/openapi.json
//
// It answers GET and HEAD, with an ETag so clients can cache, and 404 for
// other paths.
func SpecHandler() http.Handler {
	yamlTag, jsonTag := etag(openapiYAML), etag(openapiJSON)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body []byte
		switch path.Base(r.URL.Path) {
		case "openapi.yaml":
			body = openapiYAML
			w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
			w.Header().Set("ETag", yamlTag)
		case "openapi.json":
			body = openapiJSON
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("ETag", jsonTag)
		default:
			http.NotFound(w, r)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
	})
}

func etag(b []byte) string {
	sum := sha256.Sum256(b)
	return `"` + hex.EncodeToString(sum[:8]) + `"`
}

// operation is what the core knows of one operation of the spec.
type operation struct {
	id     string // operationId, e.g. genai_cancel_indexing_job
	method string
	path   string // the path template, e.g. /v2/gen-ai/indexing_jobs/{uuid}/cancel
	// idempotent operations may be sent again after the server may have
	// acted on them (a 5xx, a connection lost after the request was
	// written); the others only when it certainly did not. By HTTP's
	// rules (RFC 9110, 9.2.2) GET and PUT are idempotent and POST is not;
	// cancelling is, as the spec says.
	idempotent bool
}

// operations reads every operation's method and path from the embedded
// spec, once, at the first request.
var operations = sync.OnceValue(func() map[string]operation {
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openapiJSON, &doc); err != nil {
		panic(fmt.Sprintf("indexingjobs: embedded openapi.json: %v", err))
	}
	ops := map[string]operation{}
	for p, item := range doc.Paths {
		for method, raw := range item {
			var op struct {
				ID string `json:"operationId"`
			}
			if json.Unmarshal(raw, &op) != nil || op.ID == "" {
				continue // "parameters", or not an operation
			}
			m := strings.ToUpper(method)
			ops[op.ID] = operation{id: op.ID, method: m, path: p, idempotent: m != http.MethodPost}
		}
	}
	return ops
})

// operationOf returns the operation named id in the spec; a name not there
// is a bug that every test of that method finds.
func operationOf(id string) operation {
	op, ok := operations()[id]
	if !ok {
		panic("indexingjobs: no operation " + id + " in openapi.yaml")
	}
	return op
}
