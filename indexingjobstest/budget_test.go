package indexingjobstest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestSpentBudgetAnswers429UntilTheHourIsOver(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	s := newServer()
	s.now = func() time.Time { return now }
	s.reset = now.Add(time.Hour)
	s.remaining = 1
	h := s.Handler()
	get := func() *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/v2/gen-ai/indexing_jobs/00000000-0000-4000-8000-000000000000", nil)
		req.Header.Set("Authorization", "Bearer "+DefaultToken)
		h.ServeHTTP(rec, req)
		return rec
	}
	assert.Equal(t, http.StatusNotFound, get().Code, "the last request of the hour")
	rec := get()
	assert.Equal(t, http.StatusTooManyRequests, rec.Code)
	assert.Equal(t, "0", rec.Header().Get("ratelimit-remaining"))
	assert.NotEmpty(t, rec.Header().Get("retry-after"))

	now = now.Add(time.Hour)
	rec = get()
	assert.Equal(t, http.StatusNotFound, rec.Code, "a new hour, a new budget")
	assert.Equal(t, "4999", rec.Header().Get("ratelimit-remaining"))
}

func TestSpentBudgetAnswers429ToEveryOperation(t *testing.T) {
	s := newServer()
	s.remaining = 0
	h := s.Handler()
	const id = "00000000-0000-4000-8000-000000000000"
	for _, route := range []string{
		"GET /v2/gen-ai/indexing_jobs",
		"POST /v2/gen-ai/indexing_jobs",
		"GET /v2/gen-ai/indexing_jobs/" + id,
		"PUT /v2/gen-ai/indexing_jobs/" + id + "/cancel",
		"GET /v2/gen-ai/indexing_jobs/" + id + "/data_sources",
		"GET /v2/gen-ai/indexing_jobs/" + id + "/details_signed_url",
		"GET /v2/gen-ai/knowledge_bases/" + id + "/indexing_jobs",
	} {
		method, path, _ := strings.Cut(route, " ")
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
