package indexingjobs_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	indexingjobs "github.com/gradient-go/indexingjobs"
)

// FuzzJobID: no id the client accepts can change where a request goes.
// An accepted id is sent as exactly /v2/gen-ai/indexing_jobs/<id>[/cancel]
// on the API's host, with no query; a refused one sends nothing.
func FuzzJobID(f *testing.F) {
	for _, s := range []string{jobID, strings.ToUpper(jobID), "", "..", "../../v2/account", jobID + "/../x",
		"%2e%2e%2f%2e%2e", jobID + "\n", jobID + "?x=1", jobID + "#", "7d1b3a0e-5c44-4b8e-9a51-0f6c2e8d9b1/",
		"7d1b3a0e/5c44-4b8e-9a51-0f6c2e8d9b17", "7d1b3a0e-5c44-4b8e-9a51-0f6c2e8d9b1é", "７d1b3a0e-5c44-4b8e-9a51-0f6c2e8d9b17"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		var sent []*http.Request
		client := memoryClient(t, func(r *http.Request) (*http.Response, error) {
			sent = append(sent, r)
			// The job asked for, so that any accepted id can succeed: the
			// path is checked below.
			asked := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/v2/gen-ai/indexing_jobs/"), "/cancel")
			return &http.Response{StatusCode: 200, Header: http.Header{}, Request: r, ContentLength: -1,
				Body: io.NopCloser(strings.NewReader(`{"job":{"uuid":"` + asked + `"}}`))}, nil
		})
		_, errCancel := client.CancelIndexingJob(context.Background(), id)
		_, errGet := client.GetIndexingJob(context.Background(), id)

		if indexingjobs.ValidateUUID(id) != nil {
			if len(sent) != 0 || !errors.Is(errCancel, indexingjobs.ErrInvalidUUID) || !errors.Is(errGet, indexingjobs.ErrInvalidUUID) {
				t.Fatalf("refused id %q: sent %d requests; errors %v, %v", id, len(sent), errCancel, errGet)
			}
			return
		}
		if errCancel != nil || errGet != nil || len(sent) != 2 {
			t.Fatalf("accepted id %q: %d requests; errors %v, %v", id, len(sent), errCancel, errGet)
		}
		for i, want := range []string{"/v2/gen-ai/indexing_jobs/" + id + "/cancel", "/v2/gen-ai/indexing_jobs/" + id} {
			u := sent[i].URL
			if u.Scheme != "https" || u.Host != "api.digitalocean.com" || u.EscapedPath() != want || u.Path != want ||
				u.RawQuery != "" || u.Fragment != "" || strings.Count(u.Path, "/") != strings.Count(want, "/") {
				t.Fatalf("accepted id %q went to %s, want https://api.digitalocean.com%s", id, u, want)
			}
		}
	})
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
