package indexingjobs

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDecide is the one ruling on an attempt, as a table: for an
// idempotent operation (cancel), one that creates something (start) and a
// delete, whether it is sent again and whether its error says the server
// may have acted.
func TestDecide(t *testing.T) {
	c := &Client{maxRetries: 3, retryMin: time.Millisecond, retryMax: 50 * time.Millisecond}
	ctx := context.Background()
	request := func(op *operation) *outgoing {
		u := &url.URL{Scheme: "https", Host: "api.example", Path: op.path}
		return &outgoing{idempotent: op.idempotent, maxRetries: c.maxRetries, req: newRequest(op.method, u, http.Header{})}
	}
	cancel, start, del := request(&opGenaiCancelIndexingJob.operation), request(&opGenaiCreateIndexingJob.operation), request(&opGenaiDeleteScheduledIndexing.operation)
	require.True(t, cancel.idempotent)
	require.False(t, start.idempotent)
	answer := func(code int, headers ...string) *http.Response {
		h := http.Header{}
		for i := 0; i+1 < len(headers); i += 2 {
			h.Set(headers[i], headers[i+1])
		}
		return &http.Response{StatusCode: code, Header: h}
	}
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	reset := &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}
	type want struct{ again, unknown bool }
	for _, tc := range []struct {
		name         string
		f            facts
		cancel       want
		start        want
		deleteIsGone bool // a delete's 404 wraps ErrOutcomeUnknown
	}{
		{"429", facts{resp: answer(429), sends: 1, wrote: true}, want{true, false}, want{true, false}, false},
		{"500", facts{resp: answer(500), sends: 1, wrote: true}, want{true, false}, want{false, true}, false},
		{"502", facts{resp: answer(502), sends: 1, wrote: true}, want{true, false}, want{false, true}, false},
		{"503", facts{resp: answer(503), sends: 1, wrote: true}, want{true, false}, want{false, true}, false},
		{"504", facts{resp: answer(504), sends: 1, wrote: true}, want{true, false}, want{false, true}, false},
		{"501", facts{resp: answer(501), sends: 1, wrote: true}, want{false, false}, want{false, false}, false},
		{"400", facts{resp: answer(400), sends: 1, wrote: true}, want{false, false}, want{false, false}, false},
		{"404", facts{resp: answer(404), sends: 1, wrote: true}, want{false, false}, want{false, false}, false},
		{"409", facts{resp: answer(409), sends: 1, wrote: true}, want{false, false}, want{false, false}, false},
		{"refused before sending", facts{err: refused}, want{true, false}, want{true, false}, false},
		{"reset after sending", facts{err: reset, sends: 1, wrote: true}, want{true, false}, want{false, true}, false},
		{"body cut short", facts{resp: answer(200), err: io.ErrUnexpectedEOF, sends: 1, wrote: true}, want{true, false}, want{false, true}, false},
		{"no such host", facts{err: &net.DNSError{Err: "no such host", Name: "api.example", IsNotFound: true}}, want{false, false}, want{false, false}, false},
		{"a DNS server that failed", facts{err: &net.DNSError{Err: "server misbehaving", Name: "api.example", IsTemporary: true}}, want{true, false}, want{true, false}, false},
		{"certificate not verified", facts{err: &tls.CertificateVerificationError{Err: errors.New("x509: unknown authority")}}, want{false, false}, want{false, false}, false},
		{"redirect refused", facts{err: fmt.Errorf("%w: loop", errRedirect), sends: 1, wrote: true}, want{false, false}, want{false, true}, false},
		// A transport that sent the attempt twice (a caller's, wrapping
		// Go's): the first send's answer was never seen, and may have
		// acted whatever the last one says.
		{"503 then 429 in one attempt", facts{resp: answer(429), sends: 2, wrote: true}, want{true, false}, want{false, true}, false},
		{"502 then 409 in one attempt", facts{resp: answer(409), sends: 2, wrote: true}, want{false, false}, want{false, true}, false},
		{"two sends then 404", facts{resp: answer(404), sends: 2, wrote: true}, want{false, false}, want{false, true}, true},
		// An earlier attempt may have acted.
		{"404 after an earlier 502", facts{resp: answer(404), sends: 1, wrote: true, earlier: true}, want{false, false}, want{false, true}, true},
		{"429 after an earlier 502", facts{resp: answer(429), sends: 1, wrote: true, earlier: true}, want{true, false}, want{false, true}, false},
		// A 2xx the client cannot use: not sent again.
		{"2xx that does not decode", facts{resp: answer(200), unusable: errors.New("the body does not decode"), sends: 1, wrote: true}, want{false, false}, want{false, true}, false},
		{"2xx", facts{resp: answer(200), sends: 1, wrote: true}, want{false, false}, want{false, false}, false},
	} {
		for _, r := range []struct {
			x    *outgoing
			want want
		}{{cancel, tc.cancel}, {start, tc.start}, {del, want{tc.cancel.again, tc.deleteIsGone}}} {
			f := tc.f
			f.attempt, f.tries = 1, max(1, f.sends)
			v := c.decide(ctx, r.x, f)
			what := r.x.req.Method + " " + tc.name
			assert.Equal(t, r.want.again, v.again, "%s: sent again", what)
			if v.again {
				assert.NoError(t, v.err, what)
				continue
			}
			assert.Equal(t, r.want.unknown, errors.Is(v.err, ErrOutcomeUnknown), "%s: wraps ErrOutcomeUnknown: %v", what, v.err)
			assert.Equal(t, tc.name == "2xx", v.err == nil, "%s: %v", what, v.err)
		}
	}
}

func TestDecideWaits(t *testing.T) {
	c := &Client{maxRetries: 3, retryMin: time.Millisecond, retryMax: 50 * time.Millisecond}
	ctx := context.Background()
	start := &outgoing{idempotent: false, maxRetries: c.maxRetries, req: newRequest(http.MethodPost, &url.URL{Scheme: "https", Host: "api.example"}, http.Header{})}
	retryAfter := &http.Response{StatusCode: 429, Header: http.Header{"Retry-After": {"1"}}}
	v := c.decide(ctx, start, facts{attempt: 1, tries: 1, resp: retryAfter, sends: 1, wrote: true})
	assert.True(t, v.again)
	assert.Equal(t, 50*time.Millisecond, v.wait, "Retry-After, capped at the longest wait")

	v = c.decide(ctx, start, facts{attempt: 4, tries: 4, resp: retryAfter, sends: 1, wrote: true})
	assert.False(t, v.again, "retries used up")
	assert.True(t, IsRateLimited(v.err))

	ended, stop := context.WithCancel(ctx)
	stop()
	v = c.decide(ended, start, facts{attempt: 1, tries: 1, resp: retryAfter, sends: 1, wrote: true})
	assert.False(t, v.again, "the caller's context has ended")
}

// TestDecideStartsNoWaitPastTheDeadline: a retry whose wait would end
// after the caller's deadline is not waited for; the call ends at once
// with the attempt's error.
func TestDecideStartsNoWaitPastTheDeadline(t *testing.T) {
	c := &Client{maxRetries: 3, retryMin: time.Millisecond, retryMax: 3 * time.Hour}
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	get := &outgoing{idempotent: true, maxRetries: c.maxRetries, req: newRequest(http.MethodGet, &url.URL{Scheme: "https", Host: "api.example"}, http.Header{})}
	v := c.decide(ctx, get, facts{attempt: 1, tries: 1, resp: &http.Response{StatusCode: 503, Header: http.Header{"Retry-After": {"7200"}}}, sends: 1, wrote: true})
	assert.False(t, v.again)
	assert.NotErrorIs(t, v.err, context.DeadlineExceeded, "the deadline has not passed")
	var apiErr *APIError
	require.ErrorAs(t, v.err, &apiErr)
	assert.Equal(t, 503, apiErr.StatusCode)
}
