package indexingjobs_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gradient-go/indexingjobs"
)

// Tests of the errors calls return (errors.go): an *APIError for every
// answer outside 2xx, with the server's text shown escaped, on one line.

func TestRecordedErrorsBecomeAPIErrors(t *testing.T) {
	tests := []struct {
		cassette, id, message string
		status                int
		retryAfter            time.Duration
		is                    func(error) bool
	}{
		{"cancel_indexing_job_unauthorized", "unauthorized", "Unable to authenticate you.", 401, 0, indexingjobs.IsUnauthorized},
		{"cancel_indexing_job_not_found", "not_found", "The resource you requested could not be found.", 404, 0, indexingjobs.IsNotFound},
		{"cancel_indexing_job_rate_limited", "too_many_requests", "API rate limit exceeded.", 429, 30 * time.Second, indexingjobs.IsRateLimited},
		{"cancel_indexing_job_server_error", "server_error", "Unexpected server-side error", 500, 0, nil},
		{"cancel_indexing_job_bad_gateway", "", "502 Bad Gateway", 502, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.cassette, func(t *testing.T) {
			rec := loadRecording(t, tt.cassette)
			srv := newReplayServer(t, rec)
			id := jobIDFromURL(t, rec.Request.URL)
			c := newClient(t, srv.URL, indexingjobs.WithMaxRetries(0))
			job, err := c.CancelIndexingJob(context.Background(), id)
			assert.Nil(t, job)
			var apiErr *indexingjobs.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.status, apiErr.StatusCode)
			assert.Equal(t, tt.id, apiErr.ID)
			assert.Equal(t, tt.message, apiErr.Message)
			assert.Equal(t, 1, apiErr.Attempts)
			assert.Equal(t, http.MethodPut, apiErr.Method)
			assert.Equal(t, tt.retryAfter, apiErr.RetryAfter)
			if ids := rec.Response.Headers["X-Request-Id"]; len(ids) > 0 {
				assert.Equal(t, ids[0], apiErr.RequestID)
				assert.Contains(t, err.Error(), ids[0])
				assert.Equal(t, recordedRateLimit(t, rec), apiErr.RateLimit)
				assert.Equal(t, apiErr.RateLimit, c.RateLimit(), "rate limit read from error responses too")
			}
			assert.Contains(t, err.Error(), fmt.Sprint(tt.status))
			assert.Contains(t, err.Error(), tt.message)
			assert.NotContains(t, err.Error(), testToken)
			if tt.is != nil {
				assert.True(t, tt.is(err))
			}
			assert.Len(t, srv.requests(), 1, "no retry when retries are off")
		})
	}
}

func TestAPIErrorReadsWell(t *testing.T) {
	rec := loadRecording(t, "cancel_indexing_job_not_found")
	srv := newReplayServer(t, rec)
	_, err := newClient(t, srv.URL).CancelIndexingJob(context.Background(), unknownID)
	require.Error(t, err)
	assert.Equal(t, "indexingjobs: PUT "+srv.URL+"/v2/gen-ai/indexing_jobs/"+unknownID+"/cancel: "+
		"404 Not Found (not_found): The resource you requested could not be found.; request id "+rec.Response.Headers["X-Request-Id"][0], err.Error())
}

func TestRequestIDFallsBackToHeader(t *testing.T) {
	srv := newScripted(t, respond(404, `{"id":"not_found","message":"gone"}`, "X-Request-Id", "hdr-123"))
	_, err := newClient(t, srv.URL).GetIndexingJob(context.Background(), jobID)
	var apiErr *indexingjobs.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "hdr-123", apiErr.RequestID)
}

func TestServerTextInErrorsIsEscaped(t *testing.T) {
	const evil = "\x1b]0;pwned\x07\x1b[2J\r\nrequest id: forged\u202e\u0085"
	for name, h := range map[string]http.HandlerFunc{
		"message, id, request id": respond(404, `{"id":"not_found\u001b[31m","message":"gone\nrequest id: forged\u001b[2J","request_id":"r\u0007"}`),
		"x-request-id header":     respond(500, `{"id":"server_error","message":"m"}`, "X-Request-Id", "abc\x1b[2Jdef"),
		"proxy page title":        respond(502, "<html><title>502 "+evil+"</title></html>", "Content-Type", "text/html"),
		"body of a 2xx":           respond(200, `{"job":{"uuid":"`+jobID+`","total_tokens":"`+evil+`"}}`),
		"uuid of another job":     respond(200, `{"job":{"uuid":"x\u001b[2J\nforged"}}`),
	} {
		t.Run(name, func(t *testing.T) {
			srv := newScripted(t, h)
			_, err := newClient(t, srv.URL, indexingjobs.WithMaxRetries(0)).GetIndexingJob(context.Background(), jobID)
			require.Error(t, err)
			assertSafeText(t, err.Error())
			assert.NotContains(t, err.Error(), "\n")
			var apiErr *indexingjobs.APIError
			if errors.As(err, &apiErr) && name == "message, id, request id" {
				assert.Equal(t, "gone\nrequest id: forged\x1b[2J", apiErr.Message, "the field keeps the server's text")
				assert.Contains(t, err.Error(), `gone\nrequest id: forged\x1b[2J`, "escaped visibly")
			}
		})
	}
}

// TestReasonPhraseIsNotQuoted: the status text in errors is Go's, not the
// server's reason phrase, which is free text.
func TestReasonPhraseIsNotQuoted(t *testing.T) {
	client := memoryClient(t, func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 503, Status: "503 \x1b[2JForged", Header: http.Header{}, Request: r,
			Body: io.NopCloser(strings.NewReader(""))}, nil
	})
	_, err := client.CancelIndexingJob(context.Background(), jobID)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "503 Service Unavailable")
	assert.NotContains(t, err.Error(), "Forged")
}

// assertSafeText fails if s could drive a terminal or forge a log line.
func assertSafeText(t *testing.T, s string) {
	t.Helper()
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' {
			t.Fatalf("text holds %U: %q", r, s)
		}
	}
}
