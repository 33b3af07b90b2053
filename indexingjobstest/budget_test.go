package indexingjobstest

import (
	"net/http"
	"net/http/httptest"
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
