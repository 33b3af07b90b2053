package indexingjobs_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

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
			assert.Contains(t, err.Error(), strings.TrimSuffix(tt.message, "."))
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
		"404 Not Found (not_found): The resource you requested could not be found; request id "+rec.Response.Headers["X-Request-Id"][0], err.Error())
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

// FuzzResponse: whatever status, reason phrase, headers and body come
// back, with or without the request set on the response, the client does
// not panic; a 2xx gives the job asked for or an error that is not an
// APIError, and every other status gives an *APIError with that status.
// Every error text is valid UTF-8, holds no control character, at most
// 2 KiB for an APIError, and never the token; the rate limit holds only
// values in range.
func FuzzResponse(f *testing.F) {
	job := `{"job":{"uuid":"` + jobID + `","phase":"BATCH_JOB_PHASE_CANCELLED","total_tokens":"18446744073709551615"}}`
	f.Add(200, "OK", true, "application/json", "", "4999", "", true, []byte(job))
	f.Add(200, "OK", false, "application/json", "", "", "", false, []byte(`{"job":{}}`))
	f.Add(200, "OK", true, "application/json", "", "", "", true, []byte(`{"job":{"uuid":"00000000-0000-4000-8000-000000000000"}}`))
	f.Add(201, "Created", true, "application/json", "", "", "", true, []byte(`{"job":{"uuid":"x","total_items_indexed":"-1"}}`))
	f.Add(204, "", false, "", "", "", "", true, []byte(nil))
	f.Add(404, "Not Found\x1b[2J", true, "application/json", "", "4995", "f0e1d2c3", true, []byte(`{"id":"not_found","message":"gone","request_id":"r"}`))
	f.Add(404, "x", false, "application/json", "", "-5", "\x1b]0;t\x07", true, []byte("{\"id\":\"a\\u001b[31m\",\"message\":\"one\\nrequest id: forged\"}"))
	f.Add(429, "Too Many Requests", true, "application/json", "30", "0", "", true, []byte(`{"id":"too_many_requests","message":"slow down"}`))
	f.Add(429, "", true, "application/json", "Wed, 21 Oct 2015 07:28:00 GMT", "-1", "", true, []byte(`{}`))
	f.Add(502, "Bad Gateway", false, "text/html", "", "", "", false, []byte("<html><head><title>502 \x1b[2JBad\x07 Gateway</title></head></html>"))
	f.Add(500, "", true, "application/json", "99999999999999999999", "x", "", true, []byte("\xff\xfe{\"message\":"))
	f.Add(301, "Moved", true, "", "", "", "", true, []byte("moved"))
	f.Add(999, "\r\nX-Forged: 1", false, "", "", "", "", false, bytes.Repeat([]byte("a"), 3000))
	f.Add(400, "", true, "application/json", "", "", "\xff\xfe", true, []byte(`{"id":"`+strings.Repeat("i", 300)+`","message":"`+strings.Repeat("m", 1900)+`"}`))
	f.Fuzz(func(t *testing.T, status int, reason string, withRequest bool, contentType, retryAfter, remaining, requestID string, knownLength bool, body []byte) {
		if status < 100 || status > 999 {
			status = 100 + (status%900+900)%900
		}
		header := http.Header{}
		for k, v := range map[string]string{"Content-Type": contentType, "Retry-After": retryAfter,
			"Ratelimit-Remaining": remaining, "Ratelimit-Limit": "5000", "Ratelimit-Reset": remaining, "X-Request-Id": requestID} {
			if v != "" {
				header.Set(k, v)
			}
		}
		length := int64(-1)
		if knownLength {
			length = int64(len(body))
		}
		client := memoryClient(t, func(r *http.Request) (*http.Response, error) {
			resp := &http.Response{StatusCode: status, Status: strconv.Itoa(status) + " " + reason, Header: header,
				ContentLength: length, Body: io.NopCloser(bytes.NewReader(body))}
			if withRequest {
				resp.Request = r
			}
			return resp, nil
		}, indexingjobs.WithMaxResponseBytes(2048))

		job, err := client.CancelIndexingJob(context.Background(), jobID)
		var apiErr *indexingjobs.APIError
		isAPIErr := errors.As(err, &apiErr)
		if status >= 200 && status <= 299 {
			if (err == nil) == (job == nil) || isAPIErr || (job != nil && !strings.EqualFold(job.UUID, jobID)) {
				t.Fatalf("%d: job %v, error %v", status, job, err)
			}
		} else if job != nil || !isAPIErr || apiErr.StatusCode != status || apiErr.Attempts != 1 || apiErr.RetryAfter < 0 {
			t.Fatalf("%d: job %v, error %#v", status, job, err)
		}
		if isAPIErr && len(apiErr.Error()) > 2048 {
			t.Fatalf("error text of %d bytes", len(apiErr.Error()))
		}
		if err != nil {
			msg := err.Error()
			if !utf8.ValidString(msg) {
				t.Fatalf("error text is not UTF-8: %q", msg)
			}
			if strings.Contains(msg, testToken) {
				t.Fatal("the token is in the error")
			}
			if reason != "" && strings.Contains(reason, "Forged") && strings.Contains(msg, "Forged") {
				t.Fatalf("the reason phrase reached the error: %q", msg)
			}
			for _, r := range msg {
				if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Cf, r) {
					t.Fatalf("error text holds %U: %q", r, msg)
				}
			}
		}
		rl := client.RateLimit()
		if rl.Limit < 0 || rl.Remaining < 0 || rl.Limit > math.MaxInt32 || rl.Remaining > math.MaxInt32 ||
			(!rl.Reset.IsZero() && (rl.Reset.Unix() < 0 || rl.Reset.Year() > 2200)) {
			t.Fatalf("rate limit out of range: %+v", rl)
		}
	})
}
