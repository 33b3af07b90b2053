package indexingjobs_test

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	indexingjobs "github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/internal/gen"
)

// Tests of the lists (list.go) and of the paging guards every list shares
// (pages.go): against servers that answer each page as a function of its
// number, for as long as they are asked (pagedServer), that serve a list
// of n jobs as the API does (listServer), and in memory (the fuzz test).

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

// listServer serves n jobs, newest first, in pages as the API does, and
// counts requests. Its next links are absolute, on next (the server's own
// URL when empty).
type listServer struct {
	*httptest.Server
	requests atomic.Int32
	next     string
}

func jobUUID(i int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", i) }

func newListServer(t *testing.T, n int) *listServer {
	ls := &listServer{}
	ls.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ls.requests.Add(1)
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		per, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
		page, per = max(page, 1), cmp.Or(per, 20)
		var out struct {
			Jobs  []indexingjobs.IndexingJob `json:"jobs"`
			Links struct {
				Pages map[string]string `json:"pages"`
			} `json:"links"`
			Meta struct{ Page, Pages, Total int } `json:"meta"`
		}
		for i := (page - 1) * per; i < min(page*per, n); i++ {
			out.Jobs = append(out.Jobs, indexingjobs.IndexingJob{UUID: jobUUID(n - i)})
		}
		pages := (n + per - 1) / per
		out.Meta.Page, out.Meta.Pages, out.Meta.Total = page, pages, n
		if page < pages {
			out.Links.Pages = map[string]string{"next": fmt.Sprintf("%s/v2/gen-ai/indexing_jobs?page=%d&per_page=%d", cmp.Or(ls.next, ls.URL), page+1, per)}
		}
		b, _ := json.Marshal(out)
		respond(200, strings.ReplaceAll(string(b), `"Page"`, `"page"`))(w, r)
	}))
	t.Cleanup(ls.Close)
	return ls
}

func TestListPagesAcrossBoundaries(t *testing.T) {
	for _, tc := range []struct{ jobs, perPage, requests int }{
		{0, 20, 1}, {1, 20, 1}, {20, 20, 1}, {21, 20, 2}, {250, 20, 13}, {250, 200, 2}, {250, 1, 250},
	} {
		ls := newListServer(t, tc.jobs)
		var got []string
		for job, err := range newClient(t, ls.URL).ListIndexingJobs(context.Background(), indexingjobs.WithPerPage(tc.perPage)) {
			require.NoError(t, err)
			got = append(got, job.UUID)
		}
		require.Len(t, got, tc.jobs, "%+v", tc)
		for i, id := range got {
			require.Equal(t, jobUUID(tc.jobs-i), id, "%+v: job %d", tc, i)
		}
		assert.Equal(t, tc.requests, int(ls.requests.Load()), "%+v", tc)
	}
}

func TestListStopsFetchingWhenTheLoopBreaks(t *testing.T) {
	ls := newListServer(t, 1000)
	n := 0
	for _, err := range newClient(t, ls.URL).ListIndexingJobs(context.Background()) {
		require.NoError(t, err)
		if n++; n == 250 {
			break
		}
	}
	assert.Equal(t, 2, int(ls.requests.Load()), "250 jobs of 200 a page: two pages, no more")
}

// TestListNeverFollowsALinkToAnotherHost: the next page is asked for by
// number on the client's base URL; the token never goes to the link's host.
func TestListNeverFollowsALinkToAnotherHost(t *testing.T) {
	var evil atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { evil.Add(1) }))
	defer other.Close()
	ls := newListServer(t, 45)
	ls.next = other.URL
	n := 0
	for _, err := range newClient(t, ls.URL).ListIndexingJobs(context.Background(), indexingjobs.WithPerPage(20)) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 45, n)
	assert.Zero(t, evil.Load())
	assert.Equal(t, 3, int(ls.requests.Load()))
}

// TestListEndsWhenTheServerDisagreesWithItself: no loop without end.
func TestListEndsWhenTheServerDisagreesWithItself(t *testing.T) {
	page := func(pageNo, pages, total int, ids ...int) string {
		return lists[0].page(pageMeta(pageNo, pages, total), false, ids...)
	}
	for _, tc := range []struct {
		name    string
		answers []http.HandlerFunc
		want    string
		jobs    int
	}{
		{"a job twice in a page", []http.HandlerFunc{respond(200, page(1, 1, 2, 1, 1))}, "comes twice", 0},
		{"a job without its id", []http.HandlerFunc{respond(200, `{"jobs":[{"phase":"BATCH_JOB_PHASE_RUNNING"}],"meta":{"page":1,"pages":1,"total":1}}`)}, "job 1 of the list has no uuid", 0},
		{"the same page again and again", []http.HandlerFunc{respond(200, page(1, 1000, 20000, 1, 2)), respond(200, page(2, 1000, 20000, 1, 2))},
			"page 2 holds only indexing jobs of earlier pages", 2},
		{"the page before again, reordered", []http.HandlerFunc{respond(200, page(1, 1000, 20000, 1, 2)), respond(200, page(2, 1000, 20000, 2, 1))},
			"page 2 holds only indexing jobs of earlier pages", 2},
		{"more pages than the first counted", []http.HandlerFunc{respond(200, page(1, 2, 4, 1, 2)), respond(200, page(2, 3, 6, 3, 4))},
			"page 1 counted 2 pages", 4},
		{"links past the pages the first counted", []http.HandlerFunc{respond(200, page(1, 2, 4, 1, 2)),
			respond(200, lists[0].page("", true, 3, 4))},
			"page 1 counted 2 pages", 4},
		{"more pages than the total needs", []http.HandlerFunc{respond(200, page(1, 1000000, 2, 1, 2))},
			"counts 1000000 pages", 2},
		{"another page than asked", []http.HandlerFunc{respond(200, page(1, 3, 6, 1, 2)), respond(200, page(1, 3, 6, 3, 4))},
			"asked for page 2, got page 1", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newScripted(t, tc.answers...)
			jobs, errs := 0, 0
			for job, err := range newClient(t, srv.URL).ListIndexingJobs(context.Background(), indexingjobs.WithPerPage(2)) {
				if err != nil {
					errs++
					assert.Contains(t, err.Error(), tc.want)
					continue
				}
				require.NotNil(t, job)
				jobs++
			}
			assert.Equal(t, 1, errs, "the error is yielded once and ends the loop")
			assert.Equal(t, tc.jobs, jobs)
			assert.LessOrEqual(t, srv.count(), 2)
		})
	}
}

// TestListWithoutACountFollowsTheNextLinks: answers without meta still
// give every job, page by page while they link to a next one.
func TestListWithoutACountFollowsTheNextLinks(t *testing.T) {
	page := func(next bool, ids ...int) http.HandlerFunc { return respond(200, lists[0].page("", next, ids...)) }
	srv := newScripted(t, page(true, 1, 2), page(true, 3, 4), page(false, 5))
	var got []string
	for job, err := range newClient(t, srv.URL).ListIndexingJobs(context.Background(), indexingjobs.WithPerPage(2)) {
		require.NoError(t, err)
		got = append(got, job.UUID)
	}
	assert.Equal(t, []string{jobUUID(1), jobUUID(2), jobUUID(3), jobUUID(4), jobUUID(5)}, got)
	assert.Equal(t, 3, srv.count())

	for n, want := range map[int]string{0: "per_page=200", -5: "per_page=200", 7: "per_page=7", 500: "per_page=200"} {
		rec, seen := recorder(t, 200, `{"jobs":[]}`)
		for _, err := range newClient(t, rec.URL).ListIndexingJobs(context.Background(), indexingjobs.WithPerPage(n)) {
			require.NoError(t, err)
		}
		require.Len(t, seen(), 1)
		assert.Equal(t, "page=1&"+want, seen()[0].query, "WithPerPage(%d)", n)
	}
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

// TestEveryListAsksForTheMostAPage: each list iterator asks for MaxPerPage
// items a page unless WithPerPage says otherwise, so that a whole list
// takes the fewest requests.
func TestEveryListAsksForTheMostAPage(t *testing.T) {
	forEachList(t, func(t *testing.T, l lister) {
		rec, seen := recorder(t, 200, l.page(pageMeta(1, 1, 1), false, 1))
		c := newClient(t, rec.URL)
		for _, err := range l.loop(c, 0) {
			require.NoError(t, err)
		}
		for _, err := range l.loop(c, 50) {
			require.NoError(t, err)
		}
		require.Len(t, seen(), 2)
		assert.Equal(t, "page=1&per_page=200", seen()[0].query)
		assert.Equal(t, "page=1&per_page=50", seen()[1].query)
	})
}
