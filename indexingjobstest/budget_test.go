package indexingjobstest

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/gradient-go/indexingjobs/internal/gen"
)

// spend fills the budget with requests made at the given times, oldest
// first.
func spend(s *Server, times ...time.Time) {
	for len(s.window) < RateLimitPerHour {
		s.window = append(s.window, times[min(len(s.window), len(times)-1)])
	}
}

// TestSpentBudgetAnswers429UntilTheOldestRequestExpires: the hour is a
// sliding window, as DigitalOcean describes ratelimit-reset.
func TestSpentBudgetAnswers429UntilTheOldestRequestExpires(t *testing.T) {
	start := time.Unix(1_800_000_000, 0)
	now := start.Add(10 * time.Minute)
	s := newServer()
	s.now = func() time.Time { return now }
	// One request at start, the rest but one ten minutes later.
	spend(s, start, now)
	s.window = s.window[:RateLimitPerHour-1]
	h := s.Handler()
	get := func() *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/v2/gen-ai/indexing_jobs/00000000-0000-4000-8000-000000000000", nil)
		req.Header.Set("Authorization", "Bearer "+DefaultToken)
		h.ServeHTTP(rec, req)
		return rec
	}
	rec := get()
	assert.Equal(t, http.StatusNotFound, rec.Code, "the last request of the budget")
	assert.Equal(t, "0", rec.Header().Get("ratelimit-remaining"))
	assert.Equal(t, strconv.FormatInt(start.Add(time.Hour).Unix(), 10), rec.Header().Get("ratelimit-reset"), "when the oldest expires")
	rec = get()
	assert.Equal(t, http.StatusTooManyRequests, rec.Code)
	assert.Equal(t, "3000", rec.Header().Get("retry-after"), "50 minutes: until the oldest request is an hour old")

	now = start.Add(time.Hour) // the oldest expires: one request free, no more
	rec = get()
	assert.Equal(t, http.StatusNotFound, rec.Code)
	assert.Equal(t, "0", rec.Header().Get("ratelimit-remaining"))
	assert.Equal(t, http.StatusTooManyRequests, get().Code, "no fixed hour that starts again")

	now = now.Add(10 * time.Minute) // the others expire
	rec = get()
	assert.Equal(t, http.StatusNotFound, rec.Code)
	assert.Equal(t, strconv.Itoa(RateLimitPerHour-2), rec.Header().Get("ratelimit-remaining"), "the two of the last ten minutes still count")
}

func TestSpentBudgetAnswers429ToEveryOperation(t *testing.T) {
	s := newServer()
	now := time.Now()
	s.now = func() time.Time { return now }
	spend(s, now)
	h := s.Handler()
	const id = "00000000-0000-4000-8000-000000000000"
	for _, op := range gen.Operations {
		path := op.Path
		for _, p := range op.PathParams {
			path = strings.ReplaceAll(path, "{"+p+"}", id)
		}
		method, route := op.Method, op.Method+" "+path
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(method, path, strings.NewReader(`{"knowledge_base_uuid":"`+id+`"}`))
		req.Header.Set("Authorization", "Bearer "+DefaultToken)
		h.ServeHTTP(rec, req)
		assert.Equal(t, http.StatusTooManyRequests, rec.Code, route)
		assert.Contains(t, rec.Body.String(), `"id":"too_many_requests"`, route)
		assert.Equal(t, "0", rec.Header().Get("ratelimit-remaining"), route)
		assert.Equal(t, "3600", rec.Header().Get("retry-after"), "%s: until the hour is over", route)
	}
}
