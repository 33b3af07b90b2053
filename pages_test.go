package indexingjobs_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	indexingjobs "github.com/gradient-go/indexingjobs"
)

// Tests of the paging guards of lists (pages.go), against servers that
// answer each page as a function of its number, for as long as they are
// asked.

// listPage is an answer of the list of jobs: the jobs of ids, the meta
// given (a JSON object, or "" for none) and, if next, a link to a next page
// on another host (never followed).
func listPage(meta string, next bool, ids ...int) string {
	var jobs []string
	for _, i := range ids {
		jobs = append(jobs, `{"uuid":"`+jobUUID(i)+`"}`)
	}
	body := `{"jobs":[` + strings.Join(jobs, ",") + `]`
	if meta != "" {
		body += `,"meta":` + meta
	}
	if next {
		body += `,"links":{"pages":{"next":"https://elsewhere.example/v2/gen-ai/indexing_jobs?page=999"}}`
	}
	return body + "}"
}

// pageMeta is the meta of page n of pages, total jobs in all.
func pageMeta(n, pages, total int) string {
	return fmt.Sprintf(`{"page":%d,"pages":%d,"total":%d}`, n, pages, total)
}

// pagedServer answers page n (from the query) with answer(n), for ever.
func pagedServer(t *testing.T, answer func(n int) string) *scripted {
	return newScripted(t, func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(r.URL.Query().Get("page"))
		require.NoError(t, err)
		respond(200, answer(n))(w, r)
	})
}

// listed is what a loop over ListIndexingJobs saw.
type listed struct {
	jobs     []string
	errs     []error
	requests int
}

// listAll ranges over the list, two jobs a page, for at most limit jobs:
// a loop that would not end without the guards ends there, and the test
// fails on what it saw instead of hanging.
func listAll(t *testing.T, srv *scripted, limit int) listed {
	t.Helper()
	var got listed
	for job, err := range newClient(t, srv.URL).ListIndexingJobs(context.Background(), indexingjobs.WithPerPage(2)) {
		if err != nil {
			got.errs = append(got.errs, err)
			continue
		}
		require.Empty(t, got.errs, "a job after the error")
		got.jobs = append(got.jobs, job.UUID)
		if len(got.jobs) >= limit {
			break
		}
	}
	got.requests = srv.count()
	return got
}

// assertEndsWithOneError: the list ends with one error, last, that says
// the answer is wrong, after the jobs and requests wanted.
func assertEndsWithOneError(t *testing.T, got listed, jobs, requests int) {
	t.Helper()
	require.Len(t, got.errs, 1, "one error ends the list, after %d jobs", len(got.jobs))
	assert.Contains(t, got.errs[0].Error(), "the answer is not about what was asked")
	assert.Len(t, got.jobs, jobs, "jobs yielded")
	assert.Equal(t, requests, got.requests)
	assertSafeText(t, got.errs[0].Error())
}

// TestListWithANegativeCountIsAnError: a page whose meta counts fewer than
// 0 pages or jobs, on the first page or a later one, ends the list with an
// error; before, a negative count lifted every bound.
func TestListWithANegativeCountIsAnError(t *testing.T) {
	for _, tc := range []struct {
		name    string
		bad     int    // the first page with a negative count
		badMeta string // its meta
	}{
		{"pages on page 1", 1, `{"page":1,"pages":-1,"total":20}`},
		{"total on page 1", 1, `{"page":1,"pages":10,"total":-1}`},
		{"both on page 1", 1, `{"pages":-9223372036854775808,"total":-9223372036854775808}`},
		{"pages on page 2", 2, `{"page":2,"pages":-10,"total":20}`},
		{"total on page 3", 3, `{"page":3,"pages":10,"total":-20}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Every page has new jobs and links to a next one; the count is
			// negative from page bad on.
			srv := pagedServer(t, func(n int) string {
				meta := pageMeta(n, 10, 20)
				if n >= tc.bad {
					meta = tc.badMeta
				}
				return listPage(meta, true, 2*n-1, 2*n)
			})
			assertEndsWithOneError(t, listAll(t, srv, 100), 2*(tc.bad-1), tc.bad)
		})
	}
	srv := newScripted(t, respond(200, listPage(`{"page":1,"pages":-1,"total":-1}`, false, 1)))
	_, err := newClient(t, srv.URL).ListIndexingJobsPage(context.Background(), 1, 2)
	require.Error(t, err, "one page alone")
	assert.Contains(t, err.Error(), "-1 pages")
}
