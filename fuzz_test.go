package indexingjobs_test

import (
	"bytes"
	"context"
	"encoding/json"
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
	"github.com/gradient-go/indexingjobs/internal/gen"
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

// FuzzListIndexingJobs: whatever pages the server answers (the last one
// again for every later page), the sequence ends, after at most one
// request more than the pages given; it yields no job twice (uuids
// compared case aside), never a nil job, and at most one error, last,
// whose text holds no control character and never the token. A page that
// counts below 0, is empty while its count says more pages follow, or
// holds only jobs of earlier pages yields nothing and ends the list with
// an error.
func FuzzListIndexingJobs(f *testing.F) {
	page := func(pageNo, pages, total int, ids ...string) string {
		var jobs []string
		for _, id := range ids {
			jobs = append(jobs, `{"uuid":"`+id+`"}`)
		}
		return `{"jobs":[` + strings.Join(jobs, ",") + `],"meta":{"page":` + strconv.Itoa(pageNo) + `,"pages":` + strconv.Itoa(pages) + `,"total":` + strconv.Itoa(total) + `}}`
	}
	a, b, c := "00000000-0000-4000-8000-00000000000a", "00000000-0000-4000-8000-00000000000b", "00000000-0000-4000-8000-00000000000c"
	f.Add(page(1, 2, 3, a, b), page(2, 2, 3, c), "", 2)
	f.Add(page(1, 2, 3, a, b), page(2, 2, 3, strings.ToUpper(b), c), "", 2)
	f.Add(page(1, 1000000, 2000000, a, b), page(2, 1000000, 2000000, a, b), "", 2)
	f.Add(page(1, 3, 6, a, b), page(1, 3, 6, c), page(3, 3, 6), 2)
	f.Add(page(1, 2, 9223372036854775807, a, b), page(2, 2, 4, c), "", 2)
	f.Add(`{"jobs":[{"uuid":""},{}],"meta":{"pages":-1}}`, `{"jobs":null}`, "not json\x1b[2J", 0)
	f.Add(page(1, 1000, 2000, a, b), page(2, 1000, 2000, c), page(3, 1000, 2000, a, b), 2)
	f.Add(page(1, 3, 6, a, b), page(2, 3, 6), page(3, 3, 6, c), 2)
	f.Add(page(1, -1, 6, a, b), page(2, 3, -6, c), "", 2)
	f.Add(`{"jobs":[{"uuid":"a\u001b[2J"}],"meta":{"page":1,"pages":3,"total":3}}`, `{"links":{"pages":{"next":"https://evil.example/"}}}`, `[]`, 1)
	f.Fuzz(func(t *testing.T, first, second, rest string, perPage int) {
		bodies := []string{first, second, rest}
		requests := 0
		client := memoryClient(t, func(r *http.Request) (*http.Response, error) {
			body := bodies[min(requests, len(bodies)-1)]
			requests++
			if r.URL.Host != "api.digitalocean.com" || r.URL.Path != "/v2/gen-ai/indexing_jobs" {
				t.Fatalf("asked %s", r.URL)
			}
			return &http.Response{StatusCode: 200, Header: http.Header{}, Request: r, ContentLength: -1,
				Body: io.NopCloser(strings.NewReader(body))}, nil
		})
		var failed error
		failedAt := 0                // the request after which the error came
		yieldedAt := map[int]int{}   // jobs yielded, by request
		yielded := map[string]bool{} // the jobs yielded, lower-case
		for job, err := range client.ListIndexingJobs(context.Background(), indexingjobs.WithPerPage(perPage)) {
			if failed != nil {
				t.Fatalf("yielded after the error %v", failed)
			}
			if err != nil {
				failed, failedAt = err, requests
				msg := err.Error()
				if strings.Contains(msg, testToken) || !utf8.ValidString(msg) {
					t.Fatalf("error text: %q", msg)
				}
				for _, r := range msg {
					if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' {
						t.Fatalf("error text holds %U: %q", r, msg)
					}
				}
				continue
			}
			if job == nil {
				t.Fatal("a nil job without an error")
			}
			key := strings.ToLower(job.UUID)
			if yielded[key] {
				t.Fatalf("job %q yielded again", job.UUID)
			}
			yielded[key] = true
			yieldedAt[requests]++
			if requests > len(bodies)+1 {
				t.Fatalf("%d requests for %d pages", requests, len(bodies))
			}
		}
		if requests > len(bodies)+1 {
			t.Fatalf("%d requests for %d pages", requests, len(bodies))
		}
		// The pages that must end the list, as the server answered them.
		earlier := map[string]bool{} // the jobs of the pages before, lower-case
		for n := 1; n <= requests; n++ {
			var out gen.ListIndexingJobsOutput
			if json.Unmarshal([]byte(bodies[min(n, len(bodies))-1]), &out) != nil {
				continue // the client cannot read it either
			}
			var ids []string
			old := len(out.Jobs) > 0
			for _, job := range out.Jobs {
				ids = append(ids, strings.ToLower(job.UUID))
				old = old && earlier[ids[len(ids)-1]]
			}
			var wrong string
			switch {
			case out.Meta.Pages < 0 || out.Meta.Total < 0:
				wrong = "counts below 0"
			case len(ids) == 0 && out.Meta.Pages > n:
				wrong = "is empty before the last page"
			case old:
				wrong = "holds only jobs of earlier pages"
			}
			for _, id := range ids {
				earlier[id] = true
			}
			if wrong != "" && (yieldedAt[n] > 0 || failedAt != n) {
				t.Fatalf("page %d %s, yet %d of its jobs were yielded, and the error came after request %d of %d: %v",
					n, wrong, yieldedAt[n], failedAt, requests, failed)
			}
		}
	})
}
