package indexingjobs_test

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	indexingjobs "github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/internal/optest"
)

// TestEachOperationSendsItsRequest: every operation of the registry,
// called through the client against the answer recorded for it, sends one
// request of the operation's method to its path with the id in place,
// with the token, no query parameter the operation does not have and no
// body with a GET, and reads the answer.
func TestEachOperationSendsItsRequest(t *testing.T) {
	ctx := context.Background()
	for _, row := range optest.Rows {
		t.Run(row.Op.ID, func(t *testing.T) {
			rec := loadRecording(t, row.Cassette())
			srv, seen := recorder(t, rec.Response.Code, rec.Response.Body)
			id := optest.Canonical.ID(row.On)
			require.NoError(t, row.Call(ctx, newClient(t, srv.URL), id))
			got := seen()
			require.Len(t, got, 1)
			assert.Equal(t, row.Op.Method, got[0].method)
			assert.Equal(t, optest.Path(row.Op, id), got[0].path)
			assert.Equal(t, "Bearer "+testToken, got[0].auth)
			query, err := url.ParseQuery(got[0].query)
			require.NoError(t, err)
			for name := range query {
				assert.Contains(t, row.Op.QueryParams, name, "a query parameter of the operation")
			}
			if row.Op.Method == http.MethodGet {
				assert.Empty(t, got[0].body)
			}
		})
	}
}

// TestRequestBodiesQueriesAndAnswers: what the methods put in the body and
// the query of their request, and what they read from the answer.
func TestRequestBodiesQueriesAndAnswers(t *testing.T) {
	ctx := context.Background()
	job := `{"uuid":"` + jobID + `","knowledge_base_uuid":"` + kbID + `","phase":"BATCH_JOB_PHASE_PENDING"}`
	for _, tc := range []struct {
		name, answer string
		call         func(*indexingjobs.Client) (any, error)
		query, body  string
		check        func(t *testing.T, got any)
	}{
		{"cancel", `{"job":` + job + `}`,
			func(c *indexingjobs.Client) (any, error) { return c.CancelIndexingJob(ctx, jobID) },
			"", `{"uuid":"` + jobID + `"}`,
			func(t *testing.T, got any) { assert.Equal(t, jobID, got.(*indexingjobs.IndexingJob).UUID) }},
		{"get", `{"job":` + job + `}`,
			func(c *indexingjobs.Client) (any, error) { return c.GetIndexingJob(ctx, jobID) },
			"", "",
			func(t *testing.T, got any) { assert.Equal(t, jobID, got.(*indexingjobs.IndexingJob).UUID) }},
		{"start all", `{"job":` + job + `}`,
			func(c *indexingjobs.Client) (any, error) { return c.StartIndexingJob(ctx, kbID) },
			"", `{"knowledge_base_uuid":"` + kbID + `"}`,
			func(t *testing.T, got any) {
				assert.Equal(t, indexingjobs.PhasePending, got.(*indexingjobs.IndexingJob).Phase)
			}},
		{"start some", `{"job":` + job + `}`,
			func(c *indexingjobs.Client) (any, error) { return c.StartIndexingJob(ctx, kbID, dsA, dsB) },
			"", `{"data_source_uuids":["` + dsA + `","` + dsB + `"],"knowledge_base_uuid":"` + kbID + `"}`,
			nil},
		{"page", `{"jobs":[` + job + `],"meta":{"page":3,"pages":3,"total":41}}`,
			func(c *indexingjobs.Client) (any, error) { return c.ListIndexingJobsPage(ctx, 3, 20) },
			"page=3&per_page=20", "",
			func(t *testing.T, got any) {
				p := got.(*indexingjobs.IndexingJobPage)
				assert.Equal(t, [4]int{1, 3, 3, 41}, [4]int{len(p.Jobs), p.Page, p.Pages, p.Total})
			}},
		{"page, default size", `{"jobs":[],"meta":{"page":1,"pages":0,"total":0}}`,
			func(c *indexingjobs.Client) (any, error) { return c.ListIndexingJobsPage(ctx, 1, 0) },
			"page=1&per_page=20", "", nil},
		{"by knowledge base", `{"jobs":[` + job + `,` + strings.Replace(job, jobID, dsB, 1) + `]}`,
			func(c *indexingjobs.Client) (any, error) { return c.ListKnowledgeBaseIndexingJobs(ctx, kbID) },
			"", "",
			func(t *testing.T, got any) { assert.Len(t, got.([]indexingjobs.IndexingJob), 2) }},
		{"data sources", `{"indexed_data_sources":[{"data_source_uuid":"` + dsA + `","status":"DATA_SOURCE_STATUS_UPDATED","indexed_item_count":"812"}]}`,
			func(c *indexingjobs.Client) (any, error) { return c.ListIndexingJobDataSources(ctx, jobID) },
			"", "",
			func(t *testing.T, got any) {
				ds := got.([]indexingjobs.IndexedDataSource)
				require.Len(t, ds, 1)
				assert.Equal(t, indexingjobs.Uint64(812), ds[0].IndexedItemCount)
				assert.Equal(t, indexingjobs.DataSourceStatusUpdated, ds[0].Status)
			}},
		{"details URL", `{"signed_url":"https://reports.example/x.json?X-Amz-Signature=abc"}`,
			func(c *indexingjobs.Client) (any, error) { return c.IndexingJobDetailsURL(ctx, jobID) },
			"", "",
			func(t *testing.T, got any) {
				assert.Equal(t, "https://reports.example/x.json?X-Amz-Signature=abc", fmt.Sprint(got))
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, seen := recorder(t, 200, tc.answer)
			got, err := tc.call(newClient(t, srv.URL))
			require.NoError(t, err)
			sent := seen()
			require.Len(t, sent, 1)
			assert.Equal(t, tc.query, sent[0].query)
			assert.Equal(t, tc.body, sent[0].body)
			if tc.check != nil {
				tc.check(t, got)
			}
		})
	}
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
