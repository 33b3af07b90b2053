package indexingjobs_test

import (
	"context"
	"fmt"
	"iter"
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

// lister is one of the list iterators, which share the paging guards: the
// key of its items in an answer, and its loop, yielding each item's uuid.
type lister struct {
	name, key string
	loop      func(c *indexingjobs.Client, perPage int) iter.Seq2[string, error]
}

// lists are every list iterator of the client; each test of the guards
// runs on each.
var lists = []lister{
	{"indexing jobs", "jobs", func(c *indexingjobs.Client, n int) iter.Seq2[string, error] {
		return uuids(c.ListIndexingJobs(context.Background(), indexingjobs.WithPerPage(n)), func(j *indexingjobs.IndexingJob) string { return j.UUID })
	}},
	{"knowledge bases", "knowledge_bases", func(c *indexingjobs.Client, n int) iter.Seq2[string, error] {
		return uuids(c.ListKnowledgeBases(context.Background(), indexingjobs.WithPerPage(n)), func(kb *indexingjobs.KnowledgeBase) string { return kb.UUID })
	}},
	{"data sources of a knowledge base", "knowledge_base_data_sources", func(c *indexingjobs.Client, n int) iter.Seq2[string, error] {
		return uuids(c.ListKnowledgeBaseDataSources(context.Background(), kbID, indexingjobs.WithPerPage(n)),
			func(ds *indexingjobs.KnowledgeBaseDataSource) string { return ds.UUID })
	}},
}

func uuids[T any](list iter.Seq2[*T, error], id func(*T) string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		for item, err := range list {
			if err != nil {
				yield("", err)
				return
			}
			if !yield(id(item), nil) {
				return
			}
		}
	}
}

// forEachList runs test on each list iterator.
func forEachList(t *testing.T, test func(t *testing.T, l lister)) {
	for _, l := range lists {
		t.Run(l.name, func(t *testing.T) { test(t, l) })
	}
}

// page is an answer of the list: the items of ids, the meta given (a JSON
// object, or "" for none) and, if next, a link to a next page on another
// host (never followed).
func (l lister) page(meta string, next bool, ids ...int) string {
	var jobs []string
	for _, i := range ids {
		jobs = append(jobs, `{"uuid":"`+jobUUID(i)+`"}`)
	}
	body := `{"` + l.key + `":[` + strings.Join(jobs, ",") + `]`
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

// listed is what a loop over a list saw.
type listed struct {
	jobs     []string
	errs     []error
	requests int
}

// listAll ranges over the list, two jobs a page, for at most limit jobs:
// a loop that would not end without the guards ends there, and the test
// fails on what it saw instead of hanging.
func (l lister) all(t *testing.T, srv *scripted, limit int) listed {
	t.Helper()
	var got listed
	for id, err := range l.loop(newClient(t, srv.URL), 2) {
		if err != nil {
			got.errs = append(got.errs, err)
			continue
		}
		require.Empty(t, got.errs, "a job after the error")
		got.jobs = append(got.jobs, id)
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
	forEachList(t, func(t *testing.T, l lister) {
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
					return l.page(meta, true, 2*n-1, 2*n)
				})
				assertEndsWithOneError(t, l.all(t, srv, 100), 2*(tc.bad-1), tc.bad)
			})
		}
	})
	srv := newScripted(t, respond(200, lists[0].page(`{"page":1,"pages":-1,"total":-1}`, false, 1)))
	_, err := newClient(t, srv.URL).ListIndexingJobsPage(context.Background(), 1, 2)
	require.Error(t, err, "one page alone")
	assert.Contains(t, err.Error(), "-1 pages")
}

// TestListPageRepeatingAnEarlierPageIsAnError: a page with the same jobs,
// in the same order, as any page before it ends the list with an error
// and yields none of them again, whatever the count allows; before, only
// the page just before was compared, and A, B, A, B, ... gave 2,000 jobs
// of which 4 were distinct.
func TestListPageRepeatingAnEarlierPageIsAnError(t *testing.T) {
	forEachList(t, func(t *testing.T, l lister) {
		const pages, total = 1000, 2000 // a count that allows 1,000 pages
		for _, tc := range []struct {
			name   string
			ids    func(n int) []int // the jobs of page n
			repeat int               // the first page that repeats one before
		}{
			{"A, B, A, B", func(n int) []int { return []int{1 + 2*((n-1)%2), 2 + 2*((n-1)%2)} }, 3},
			{"A, B, C, A", func(n int) []int { return []int{1 + 2*((n-1)%3), 2 + 2*((n-1)%3)} }, 4},
			{"A, B, C, D, B", func(n int) []int {
				if n == 5 {
					n = 2
				}
				return []int{2*n - 1, 2 * n}
			}, 5},
			{"A, A", func(int) []int { return []int{1, 2} }, 2},
			{"a page of one job, again two pages later", func(n int) []int { return []int{1 + (n-1)%2} }, 3},
		} {
			t.Run(tc.name, func(t *testing.T) {
				srv := pagedServer(t, func(n int) string { return l.page(pageMeta(n, pages, total), true, tc.ids(n)...) })
				got := l.all(t, srv, total)
				distinct := map[string]bool{}
				for _, id := range got.jobs {
					distinct[id] = true
				}
				// Each page before the repeat is new; the repeat yields nothing.
				jobs := 0
				for n := 1; n < tc.repeat; n++ {
					jobs += len(tc.ids(n))
				}
				if tc.repeat == 2 { // A, A: the second page holds only jobs of the first
					jobs = 2
				}
				assertEndsWithOneError(t, got, jobs, tc.repeat)
				assert.Len(t, distinct, len(got.jobs), "no job yielded twice")
			})
		}

		t.Run("the same ids in upper case", func(t *testing.T) {
			// Ids are hex, whatever their case.
			a, b := jobID, kbID
			srv := pagedServer(t, func(n int) string {
				ids := []string{a, b}
				switch n {
				case 2:
					ids = []string{dsA, dsB}
				case 3:
					ids = []string{strings.ToUpper(a), strings.ToUpper(b)}
				}
				return `{"` + l.key + `":[{"uuid":"` + ids[0] + `"},{"uuid":"` + ids[1] + `"}],"meta":` + pageMeta(n, pages, total) + `}`
			})
			assertEndsWithOneError(t, l.all(t, srv, total), 4, 3)
		})

		t.Run("the last page", func(t *testing.T) {
			// Its jobs would be yielded again.
			srv := newScripted(t, respond(200, l.page(pageMeta(1, 3, 6), false, 1, 2)), respond(200, l.page(pageMeta(2, 3, 6), false, 3, 4)),
				respond(200, l.page(pageMeta(3, 3, 6), false, 1, 2)))
			assertEndsWithOneError(t, l.all(t, srv, total), 4, 3)
		})
	})
}

// TestListNeverYieldsAJobTwice: a job of any earlier page, sent again in
// any order and beside any other, is not yielded again; a page that brings
// no new job ends the list with an error naming it, whatever the count
// allows, on the last page too. Before, only the page just before was
// skipped and only a page repeated in the same order was an error: twelve
// pages of six jobs, each page sharing none with the one before, gave 24
// jobs, 18 of them again, and no error.
func TestListNeverYieldsAJobTwice(t *testing.T) {
	forEachList(t, func(t *testing.T, l lister) {
		for _, tc := range []struct {
			name  string
			pages [][]int // the jobs of each page; the count says len(pages) pages
			jobs  []int   // the jobs yielded
			bad   int     // the page that brings nothing new; 0 for none
		}{
			{"the page before, reordered", [][]int{{1, 2}, {2, 1}, {3, 4}}, []int{1, 2}, 2},
			{"an earlier page, reordered", [][]int{{1, 2}, {3, 4}, {2, 1}, {5, 6}}, []int{1, 2, 3, 4}, 3},
			{"jobs of two earlier pages", [][]int{{1, 2}, {3, 4}, {4, 1}, {5, 6}}, []int{1, 2, 3, 4}, 3},
			{"the last page, reordered", [][]int{{1, 2}, {3, 4}, {2, 1}}, []int{1, 2, 3, 4}, 3},
			{"twelve pages of six jobs, none shared with the page before",
				[][]int{{1, 2}, {3, 4}, {5, 6}, {2, 1}, {4, 3}, {6, 5}, {1, 3}, {2, 4}, {3, 5}, {4, 6}, {5, 1}, {6, 2}}, []int{1, 2, 3, 4, 5, 6}, 4},
			{"an earlier job beside a new one", [][]int{{1, 2}, {3, 4}, {1, 5}, {6, 3}}, []int{1, 2, 3, 4, 5, 6}, 0},
		} {
			t.Run(tc.name, func(t *testing.T) {
				srv := pagedServer(t, func(n int) string {
					require.LessOrEqual(t, n, len(tc.pages), "asked past the last page")
					return l.page(pageMeta(n, len(tc.pages), 2*len(tc.pages)), n < len(tc.pages), tc.pages[n-1]...)
				})
				got := l.all(t, srv, 100)
				var want []string
				for _, i := range tc.jobs {
					want = append(want, jobUUID(i))
				}
				if tc.bad == 0 {
					assert.Empty(t, got.errs)
					assert.Equal(t, want, got.jobs)
					assert.Equal(t, len(tc.pages), got.requests)
					return
				}
				assertEndsWithOneError(t, got, len(want), tc.bad)
				assert.Equal(t, want, got.jobs)
				assert.Regexp(t, fmt.Sprintf(`page %d holds only [a-z ]+s of earlier pages`, tc.bad), got.errs[0].Error())
			})
		}
	})
}

// TestListJobPushedToTheNextPageIsYieldedOnce: a job that one started
// meanwhile pushed from page 1 onto page 2 is yielded once, and the list
// goes on.
func TestListJobPushedToTheNextPageIsYieldedOnce(t *testing.T) {
	forEachList(t, func(t *testing.T, l lister) {
		srv := newScripted(t, respond(200, l.page(pageMeta(1, 3, 5), false, 9, 8)),
			respond(200, l.page(pageMeta(2, 3, 6), false, 8, 7)), // 10 started: 8 moved to page 2
			respond(200, l.page(pageMeta(3, 3, 6), false, 6, 5)))
		got := l.all(t, srv, 100)
		assert.Empty(t, got.errs)
		assert.Equal(t, []string{jobUUID(9), jobUUID(8), jobUUID(7), jobUUID(6), jobUUID(5)}, got.jobs)
	})
}

// TestListEmptyPageBeforeTheLastIsAnError: an empty page where the list
// counts more pages, or links to a next one, contradicts itself; before,
// it ended the list in silence, as if every job had been read.
func TestListEmptyPageBeforeTheLastIsAnError(t *testing.T) {
	forEachList(t, func(t *testing.T, l lister) {
		first := respond(200, l.page(pageMeta(1, 3, 6), true, 1, 2))
		for name, empty := range map[string]string{
			"counted by itself":          l.page(pageMeta(2, 3, 6), true),
			"counted by itself, no link": l.page(pageMeta(2, 3, 6), false),
			"counted by page 1 only":     l.page("", false),
			"counted by page 1, linking": l.page(`{"page":2}`, true),
		} {
			t.Run(name, func(t *testing.T) {
				srv := newScripted(t, first, respond(200, empty), respond(200, l.page(pageMeta(3, 3, 6), false, 5, 6)))
				assertEndsWithOneError(t, l.all(t, srv, 100), 2, 2)
			})
		}
		t.Run("without a count, linking to a next page", func(t *testing.T) {
			srv := newScripted(t, respond(200, l.page("", true, 1, 2)), respond(200, l.page("", true)), respond(200, l.page("", false, 5, 6)))
			assertEndsWithOneError(t, l.all(t, srv, 100), 2, 2)
		})
		t.Run("the first page of three", func(t *testing.T) {
			srv := newScripted(t, respond(200, l.page(pageMeta(1, 3, 6), true)))
			assertEndsWithOneError(t, l.all(t, srv, 100), 0, 1)
		})

		// An empty page that is the last one is the end.
		for name, answers := range map[string][]http.HandlerFunc{
			"an empty list":                 {respond(200, l.page(pageMeta(1, 0, 0), false))},
			"an empty list without meta":    {respond(200, `{}`)},
			"the list shrank to one page":   {first, respond(200, l.page(pageMeta(2, 1, 2), false))},
			"the last page, without a link": {respond(200, l.page("", true, 1, 2)), respond(200, l.page("", false))},
		} {
			t.Run(name, func(t *testing.T) {
				srv := newScripted(t, answers...)
				got := l.all(t, srv, 100)
				assert.Empty(t, got.errs)
				assert.Equal(t, len(answers), got.requests)
			})
		}
	})
}

// TestListTakesTheFewestRequests: without WithPerPage, the iterator asks
// for the most a page holds: a thousand jobs in 5 requests, not 50.
func TestListTakesTheFewestRequests(t *testing.T) {
	ls := newListServer(t, 1000)
	n := 0
	for _, err := range newClient(t, ls.URL).ListIndexingJobs(context.Background()) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 1000, n)
	assert.Equal(t, 5, int(ls.requests.Load()))

	// One page asked for without a size still gets the API's default.
	rec, seen := recorder(t, 200, `{"jobs":[]}`)
	_, err := newClient(t, rec.URL).ListIndexingJobsPage(context.Background(), 1, 0)
	require.NoError(t, err)
	assert.Equal(t, "page=1&per_page=20", seen()[0].query)
}
