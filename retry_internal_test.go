package indexingjobs

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBackoffBounds(t *testing.T) {
	min, max := 500*time.Millisecond, 8*time.Second
	for n, nominal := range map[int]time.Duration{1: 500 * time.Millisecond, 2: time.Second, 3: 2 * time.Second, 5: 8 * time.Second, 9: 8 * time.Second, 60: 8 * time.Second} {
		for range 200 {
			d := backoff(n, min, max)
			assert.GreaterOrEqual(t, d, nominal/2, "retry %d", n)
			assert.LessOrEqual(t, d, nominal, "retry %d", n)
		}
	}
}

// TestBackoffNeverOverflows: with the longest wait left unbounded
// (math.MaxInt64) and many retries, doubling must stop at the cap, not
// wrap to a negative wait and retry at once.
func TestBackoffNeverOverflows(t *testing.T) {
	for _, min := range []time.Duration{time.Second, time.Duration(math.MaxInt64/2 + 1)} {
		for n := 1; n <= 100; n++ {
			assert.GreaterOrEqual(t, backoff(n, min, math.MaxInt64), min/2, "retry %d after %s", n, min)
		}
	}
}

func TestBackoffJitters(t *testing.T) {
	seen := map[time.Duration]bool{}
	for range 50 {
		seen[backoff(3, 500*time.Millisecond, 8*time.Second)] = true
	}
	assert.Greater(t, len(seen), 10, "waits must spread out")
}

func TestRetryAfterParsing(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		value string
		want  time.Duration
		ok    bool
	}{
		{"30", 30 * time.Second, true},
		{"0", 0, true},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0, true},
		{"-5", 0, false},
		{"soon", 0, false},
		{"", 0, false},
		{"999999999999", 24 * time.Hour, true},
	}
	for _, tt := range tests {
		h := http.Header{}
		if tt.value != "" {
			h.Set("Retry-After", tt.value)
		}
		got, ok := retryAfter(h, now)
		assert.Equal(t, tt.ok, ok, tt.value)
		assert.Equal(t, tt.want, got, tt.value)
	}
}

func TestSleepDoesNotStartAWaitPastTheDeadline(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	done := make(chan bool)
	go func() { done <- sleep(ctx, 2*time.Hour) }()
	select {
	case ok := <-done:
		assert.False(t, ok)
	case <-time.After(5 * time.Second):
		t.Fatal("sleep started a wait that ends after the deadline")
	}
}

// TestRetryWait is the one retry decision, for an idempotent operation
// (cancel) and one that creates something (start).
func TestRetryWait(t *testing.T) {
	c := &Client{maxRetries: 3, retryMin: time.Millisecond, retryMax: 50 * time.Millisecond}
	ctx := context.Background()
	cancel := &outgoing{idempotent: opGenaiCancelIndexingJob.idempotent, maxRetries: c.maxRetries}
	start := &outgoing{idempotent: opGenaiCreateIndexingJob.idempotent, maxRetries: c.maxRetries}
	require.True(t, cancel.idempotent)
	require.False(t, start.idempotent)
	answer := func(code int, headers ...string) *http.Response {
		h := http.Header{}
		for i := 0; i+1 < len(headers); i += 2 {
			h.Set(headers[i], headers[i+1])
		}
		return &http.Response{StatusCode: code, Header: h}
	}
	refused := &url.Error{Op: "Put", URL: "http://127.0.0.1:1", Err: &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}}
	reset := &url.Error{Op: "Put", URL: "http://127.0.0.1:1", Err: &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}}
	// wrote: whether any of the request was written before it failed.
	for _, tc := range []struct {
		name          string
		resp          *http.Response
		err           error
		wrote         bool
		cancel, start bool
	}{
		{"429", answer(429), nil, true, true, true},
		{"500", answer(500), nil, true, true, false},
		{"502", answer(502), nil, true, true, false},
		{"503", answer(503), nil, true, true, false},
		{"504", answer(504), nil, true, true, false},
		{"501", answer(501), nil, true, false, false},
		{"400", answer(400), nil, true, false, false},
		{"401", answer(401), nil, true, false, false},
		{"404", answer(404), nil, true, false, false},
		{"409", answer(409), nil, true, false, false},
		{"refused before sending", nil, refused, false, true, true},
		{"reset after sending", nil, reset, true, true, false},
		{"body cut short", answer(200), io.ErrUnexpectedEOF, true, true, false},
		{"no such host", nil, &net.DNSError{Err: "no such host", Name: "api.example", IsNotFound: true}, false, false, false},
		{"a DNS server that failed", nil, &net.DNSError{Err: "server misbehaving", Name: "api.example", IsTemporary: true}, false, true, true},
		{"certificate not verified", nil, &tls.CertificateVerificationError{Err: errors.New("x509: unknown authority")}, true, false, false},
		{"redirect refused", nil, &url.Error{Op: "Put", URL: "x", Err: fmt.Errorf("%w: loop", errRedirect)}, true, false, false},
	} {
		_, got := c.retryWait(ctx, cancel, 1, tc.resp, tc.err, true)
		assert.Equal(t, tc.cancel, got, "cancel: %s", tc.name)
		_, got = c.retryWait(ctx, start, 1, tc.resp, tc.err, tc.wrote)
		assert.Equal(t, tc.start, got, "start: %s", tc.name)
	}

	_, again := c.retryWait(ctx, cancel, 4, answer(500), nil, true)
	assert.False(t, again, "retries used up")
	ended, stop := context.WithCancel(ctx)
	stop()
	_, again = c.retryWait(ended, cancel, 1, answer(500), nil, true)
	assert.False(t, again, "the caller's context has ended")
	wait, again := c.retryWait(ctx, start, 1, answer(429, "Retry-After", "1"), nil, true)
	assert.True(t, again)
	assert.Equal(t, 50*time.Millisecond, wait, "Retry-After, capped at the longest wait")
}
