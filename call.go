package indexingjobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/gradient-go/indexingjobs/internal/jsondec"
	"github.com/gradient-go/indexingjobs/internal/safetext"
)

// call sends op, one of the operations generated from openapi.yaml, with
// the values of its path parameters (in the order of the template's), its
// query (nil for none) and its body (nil for none), and returns its 200
// answer decoded, after check, if given, has accepted it.
//
// Every request to the API takes this path, and the download of a report
// takes do, below it: the same sending, retries, bounds, redirect rules
// and errors. Requests are built (request.go) from the operation's typed
// description, checked before anything is sent; each attempt is sent and
// read by attempt (attempt.go); and decide (decide.go) rules on each, the
// answer's decoding included.
func call[Query, In, Out any](ctx context.Context, c *Client, op *endpoint[Query, In, Out], params []string, query *Query, body *In, check func(*Out) error) (*Out, error) {
	var in any
	if body != nil {
		in = body
	}
	var q encoder
	if query != nil {
		q, _ = any(query).(encoder)
	}
	d := &answerOf[Out]{check: check} // one allocation for the request and its answer
	if err := c.apiRequest(&d.x, &op.operation, params, q, in); err != nil {
		return nil, err
	}
	d.x.decoder = d
	if _, err := c.do(ctx, &d.x); err != nil {
		return nil, err
	}
	return &d.out, nil
}

// answerOf is a call's request and the answer it is decoded into.
type answerOf[Out any] struct {
	x     outgoing
	out   Out
	check func(*Out) error
}

// decode decodes a 2xx body into the answer, and says why it cannot be
// used: it does not decode, decoding it could allocate more than max
// bytes, or check refuses it.
func (d *answerOf[Out]) decode(b []byte, max int64) error {
	if err := jsondec.UnmarshalWithin(b, &d.out, max); err != nil {
		var tooLarge *jsondec.TooLargeError
		if errors.As(err, &tooLarge) {
			return fmt.Errorf("%w: %s; an answer may take at most %d times WithMaxResponseBytes to decode", ErrResponseTooLarge, tooLarge, decodeBound)
		}
		return fmt.Errorf("the body does not decode: %w", safeError(err))
	}
	if d.check != nil {
		return d.check(&d.out)
	}
	return nil
}

// outgoing is one request as the core sends it: built once per call, sent
// once per attempt.
type outgoing struct {
	// idempotent requests may be sent again after the server may have acted
	// on them; the others only when it certainly did not.
	idempotent bool
	maxRetries int
	req        http.Request // method, URL and headers; no context, no body (one allocation with x)
	body       []byte       // nil when the request has none
	// upload, when set, is the body instead, too large to hold: it returns
	// a fresh reader of the body's size bytes from the first, for each
	// send (UploadFile's PUT of a file).
	upload func() io.Reader
	size   int64
	// decoder takes a 2xx body of the API read whole, and what decoding
	// it may allocate; its error says why the answer cannot be used.
	decoder interface {
		decode(body []byte, max int64) error
	}
	// A download streams the answer's body into sink, at most max bytes;
	// it goes to a storage host without the token, whose answers say
	// nothing of the rate limit. An upload goes there too, as a download
	// whose answer's body is discarded. Every other request goes to the
	// API.
	download bool
	sink     io.Writer
	max      int64
	// secrets are kept out of every error: the token, and a signed URL's
	// query.
	secrets *secrets
}

// do sends x, attempt after attempt as decide rules, and returns how many
// bytes a download wrote, or the error decide made of the last attempt,
// without secrets. A 2xx body of the API, once decoded, goes to the
// context's WithResponseBody function.
func (c *Client) do(ctx context.Context, x *outgoing) (int64, error) {
	earlier, tries := false, 0
	for n := 1; ; n++ {
		f := c.attempt(ctx, x)
		tries += max(1, f.sends)
		f.attempt, f.earlier, f.tries = n, earlier, tries
		if f.resp != nil && !x.download {
			c.noteRateLimit(f.resp.Header)
		}
		success := f.resp != nil && f.err == nil && f.resp.StatusCode >= 200 && f.resp.StatusCode <= 299
		if success && x.decoder != nil {
			f.unusable = x.decoder.decode(f.body, c.maxDecoded())
		}
		v := c.decide(ctx, x, f)
		if v.again && !sleep(ctx, v.wait) {
			f.interrupted = true
			v = c.decide(ctx, x, f)
		}
		if v.again {
			earlier = v.acted
			continue
		}
		if v.err != nil {
			return f.written, x.secrets.hide(v.err)
		}
		if fn, ok := ctx.Value(responseBodyKey{}).(func([]byte)); ok && !x.download {
			fn(f.body)
		}
		return f.written, nil
	}
}

// responseBodyKey finds a context's WithResponseBody function.
type responseBodyKey struct{}

// WithResponseBody returns a copy of ctx whose calls give fn the JSON body
// of each answer a result is decoded from, exactly as the API sent it
// (after Go's transport has inflated a gzip answer): once per call, and
// for a list once per page, before that page's items are yielded. fn runs
// on the caller's goroutine and may keep the slice. A call that fails
// gives it nothing; nor does a report's download, which DownloadIndexingJobDetails
// writes as it comes.
//
// The tool prints these bodies for -o json, so that what it shows is what
// the API sent, unknown fields included.
func WithResponseBody(ctx context.Context, fn func(body []byte)) context.Context {
	return context.WithValue(ctx, responseBodyKey{}, fn)
}

// outcome adds ErrOutcomeUnknown to the error of a request that is not
// idempotent when the server may have acted on it.
func (x *outgoing) outcome(err error, unknown bool) error {
	if !unknown || err == nil {
		return err
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr == err {
		apiErr.causes = append(apiErr.causes, ErrOutcomeUnknown)
		return apiErr
	}
	return fmt.Errorf("%w; %w", err, ErrOutcomeUnknown)
}

// where is the request's URL as errors show it: without a password, and,
// for a signed URL, without its query, which holds the signature.
func (x *outgoing) where() string {
	if x.download {
		return withoutQuery(x.req.URL)
	}
	return x.req.URL.Redacted()
}

// exchange names an answer in errors: "PUT https://…/cancel: 200 OK". The
// status text is Go's, never the server's reason phrase.
func (x *outgoing) exchange(code int) string {
	return x.req.Method + " " + x.where() + ": " + statusLine(code)
}

func statusLine(code int) string {
	if text := http.StatusText(code); text != "" {
		return fmt.Sprintf("%d %s", code, text)
	}
	return fmt.Sprint(code)
}

// safeError keeps err's chain but shows its text on one line without
// control characters: transport and decoding errors can quote what the
// server sent.
func safeError(err error) error {
	if s := err.Error(); safetext.Line(s) != s {
		return &escaped{err}
	}
	return err
}

type escaped struct{ err error }

func (e *escaped) Error() string { return safetext.Line(e.err.Error()) }
func (e *escaped) Unwrap() error { return e.err }

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
