package conformance

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/indexingjobstest"
)

// capture keeps every exchange that passes through it, in the recordings'
// form, so the fake's answers can be checked like the recorded ones.
type capture struct {
	mu   sync.Mutex
	seen []*cassette.Interaction
}

func (c *capture) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.Body != nil {
		reqBody, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	respBody, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(respBody))
	c.mu.Lock()
	c.seen = append(c.seen, &cassette.Interaction{
		Request:  cassette.Request{Method: req.Method, URL: req.URL.String(), Body: string(reqBody), Headers: req.Header.Clone()},
		Response: cassette.Response{Code: resp.StatusCode, Headers: resp.Header.Clone(), Body: string(respBody)},
	})
	c.mu.Unlock()
	return resp, nil
}

// since returns the exchanges after the first n.
func (c *capture) since(n int) []*cassette.Interaction {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.seen[n:])
}

func (c *capture) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.seen)
}

// fakeEnv is what the calls of fakeOperations work on: fakes whose every
// exchange passes through rec, and what they hold.
type fakeEnv struct {
	t   *testing.T
	ctx context.Context
	rec *capture

	srv       *indexingjobstest.Server
	kb        indexingjobstest.KnowledgeBase // with two data sources and three finished jobs
	running   string                         // a running job, cancelled in the cancel row
	succeeded string                         // a finished job of kb

	servers []*indexingjobstest.Server // every fake started, to count their requests
	unseen  int                        // requests sent on purpose around rec
}

// newFake starts a fake with opts whose clients send through rec.
func (e *fakeEnv) newFake(opts ...indexingjobstest.Option) *indexingjobstest.Server {
	srv := indexingjobstest.NewServer(opts...)
	e.t.Cleanup(srv.Close)
	e.servers = append(e.servers, srv)
	return srv
}

// client is a client of srv sending through rec, once: a retry would hide
// the answer it retries.
func (e *fakeEnv) client(srv *indexingjobstest.Server, opts ...indexingjobs.Option) *indexingjobs.Client {
	c, err := srv.NewClient(append([]indexingjobs.Option{
		indexingjobs.WithHTTPClient(&http.Client{Transport: e.rec}), indexingjobs.WithMaxRetries(0),
	}, opts...)...)
	require.NoError(e.t, err)
	return c
}

// raw sends a request the client would refuse to make, with the server's
// token, through rec, and returns the status of the answer.
func (e *fakeEnv) raw(srv *indexingjobstest.Server, method, path string, body io.Reader) (int, error) {
	req, err := http.NewRequestWithContext(e.ctx, method, srv.URL+path, body)
	require.NoError(e.t, err)
	req.Header.Set("Authorization", "Bearer "+srv.Token())
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := (&http.Client{Transport: e.rec}).Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// fakeCall makes requests to the fake with client c, e's own client with
// the right token, or with a wrong one for the answers of 401, and returns
// what the client returned.
type fakeCall func(e *fakeEnv, c *indexingjobs.Client) error

// fakeAnswer is one more answer of an operation: what makes it and the
// status it has. malformed marks a request that breaks the spec on
// purpose (the client would not send it): only its answer is validated.
type fakeAnswer struct {
	name      string
	status    int
	malformed bool
	call      fakeCall
}

const unknownUUID = "00000000-0000-4000-8000-000000000000"

// fakeOperations are the rows of TestFakeServerAnswersMatchSpec, one for
// each operation of openapi.yaml. ok is a call that succeeds; it is made
// again with a wrong token (401) and after each injected fault
// (RateLimited 429, ServerError 500, BadGateway 502). notFound, if the
// operation has one, gets 404. more are the other answers the fake gives.
// A new operation is a new row.
var fakeOperations = []struct {
	op       string
	ok       fakeCall
	notFound fakeCall
	more     []fakeAnswer
}{
	{
		op: "genai_list_indexing_jobs",
		ok: func(e *fakeEnv, c *indexingjobs.Client) error {
			_, err := c.ListIndexingJobsPage(e.ctx, 2, 1)
			return err
		},
		more: []fakeAnswer{
			{name: "every page, through the iterator", status: 200, call: func(e *fakeEnv, c *indexingjobs.Client) error {
				n := 0
				for _, err := range c.ListIndexingJobs(e.ctx, indexingjobs.WithPerPage(2)) {
					if err != nil {
						return err
					}
					n++
				}
				assert.GreaterOrEqual(e.t, n, 4)
				return nil
			}},
			{name: "the default page size", status: 200, call: func(e *fakeEnv, c *indexingjobs.Client) error {
				_, err := c.ListIndexingJobsPage(e.ctx, 1, 0) // per_page 0 must not be sent: the spec's minimum is 1
				return err
			}},
			{name: "a page past the end", status: 200, call: func(e *fakeEnv, c *indexingjobs.Client) error {
				page, err := c.ListIndexingJobsPage(e.ctx, 99, 200)
				if err == nil {
					assert.Empty(e.t, page.Jobs)
				}
				return err
			}},
			{name: "no jobs at all", status: 200, call: func(e *fakeEnv, _ *indexingjobs.Client) error {
				page, err := e.client(e.newFake()).ListIndexingJobsPage(e.ctx, 1, 20)
				if err == nil {
					assert.Zero(e.t, page.Total)
				}
				return err
			}},
			{name: "per_page over 200", status: 400, malformed: true, call: func(e *fakeEnv, _ *indexingjobs.Client) error {
				return statusError(e.raw(e.srv, http.MethodGet, "/v2/gen-ai/indexing_jobs?page=1&per_page=500", nil))
			}},
			{name: "a page that is not a number", status: 400, malformed: true, call: func(e *fakeEnv, _ *indexingjobs.Client) error {
				return statusError(e.raw(e.srv, http.MethodGet, "/v2/gen-ai/indexing_jobs?page=two", nil))
			}},
		},
	},
	{
		op: "genai_create_indexing_job",
		ok: func(e *fakeEnv, c *indexingjobs.Client) error {
			_, err := c.StartIndexingJob(e.ctx, e.kb.UUID)
			return err
		},
		notFound: func(e *fakeEnv, c *indexingjobs.Client) error {
			_, err := c.StartIndexingJob(e.ctx, unknownUUID)
			return err
		},
		more: []fakeAnswer{
			{name: "one data source", status: 200, call: func(e *fakeEnv, c *indexingjobs.Client) error {
				_, err := c.StartIndexingJob(e.ctx, e.kb.UUID, e.kb.DataSourceUUIDs[1])
				return err
			}},
			{name: "a data source of no knowledge base", status: 404, call: func(e *fakeEnv, c *indexingjobs.Client) error {
				_, err := c.StartIndexingJob(e.ctx, e.kb.UUID, unknownUUID)
				return err
			}},
			{name: "no knowledge_base_uuid", status: 400, malformed: true, call: func(e *fakeEnv, _ *indexingjobs.Client) error {
				return statusError(e.raw(e.srv, http.MethodPost, "/v2/gen-ai/indexing_jobs", strings.NewReader(`{}`)))
			}},
			{name: "a body that is not JSON", status: 400, malformed: true, call: func(e *fakeEnv, _ *indexingjobs.Client) error {
				return statusError(e.raw(e.srv, http.MethodPost, "/v2/gen-ai/indexing_jobs", strings.NewReader(`{"knowledge_base_uuid":`)))
			}},
			{name: "a body announced over 64 KiB", status: 413, call: func(e *fakeEnv, _ *indexingjobs.Client) error {
				return statusError(e.raw(e.srv, http.MethodPost, "/v2/gen-ai/indexing_jobs", bytes.NewReader(bigStart(e.kb.UUID))))
			}},
			{name: "a chunked body over 64 KiB", status: 413, call: func(e *fakeEnv, _ *indexingjobs.Client) error {
				return statusError(e.raw(e.srv, http.MethodPost, "/v2/gen-ai/indexing_jobs", io.MultiReader(bytes.NewReader(bigStart(e.kb.UUID)))))
			}},
		},
	},
	{
		op: "genai_get_indexing_job",
		ok: func(e *fakeEnv, c *indexingjobs.Client) error {
			_, err := c.GetIndexingJob(e.ctx, e.running)
			return err
		},
		notFound: func(e *fakeEnv, c *indexingjobs.Client) error {
			_, err := c.GetIndexingJob(e.ctx, unknownUUID)
			return err
		},
		more: outcomes(),
	},
	{
		op: "genai_cancel_indexing_job",
		ok: func(e *fakeEnv, c *indexingjobs.Client) error {
			job, err := c.CancelIndexingJob(e.ctx, e.running)
			if err == nil {
				assert.Equal(e.t, indexingjobs.PhaseRunning, job.Phase, "the cancel is not in effect yet")
			}
			return err
		},
		notFound: func(e *fakeEnv, c *indexingjobs.Client) error {
			_, err := c.CancelIndexingJob(e.ctx, unknownUUID)
			return err
		},
		more: []fakeAnswer{
			{name: "wait until cancelled, then cancel again", status: 200, call: func(e *fakeEnv, c *indexingjobs.Client) error {
				job, err := c.WaitForIndexingJob(e.ctx, e.running, indexingjobs.WithPollInterval(5*time.Millisecond))
				if err != nil {
					return err
				}
				assert.Equal(e.t, indexingjobs.PhaseCancelled, job.Phase)
				_, err = c.CancelIndexingJob(e.ctx, e.running)
				return err
			}},
			{name: "a body naming another job", status: 400, call: func(e *fakeEnv, _ *indexingjobs.Client) error {
				return statusError(e.raw(e.srv, http.MethodPut, "/v2/gen-ai/indexing_jobs/"+e.succeeded+"/cancel",
					strings.NewReader(`{"uuid":"`+unknownUUID+`"}`)))
			}},
			{name: "a body over 64 KiB", status: 413, call: func(e *fakeEnv, _ *indexingjobs.Client) error {
				return statusError(e.raw(e.srv, http.MethodPut, "/v2/gen-ai/indexing_jobs/"+e.succeeded+"/cancel",
					strings.NewReader(`{"uuid":"`+e.succeeded+`","padding":"`+strings.Repeat("x", 70<<10)+`"}`)))
			}},
		},
	},
	{
		op: "genai_list_indexing_job_data_sources",
		ok: func(e *fakeEnv, c *indexingjobs.Client) error {
			_, err := c.ListIndexingJobDataSources(e.ctx, e.succeeded)
			return err
		},
		notFound: func(e *fakeEnv, c *indexingjobs.Client) error {
			_, err := c.ListIndexingJobDataSources(e.ctx, unknownUUID)
			return err
		},
	},
	{
		op: "genai_get_indexing_job_details_signed_url",
		ok: func(e *fakeEnv, c *indexingjobs.Client) error {
			_, err := c.IndexingJobDetailsURL(e.ctx, e.succeeded)
			return err
		},
		notFound: func(e *fakeEnv, c *indexingjobs.Client) error {
			_, err := c.IndexingJobDetailsURL(e.ctx, unknownUUID)
			return err
		},
		more: []fakeAnswer{
			{name: "download the report from the storage host", status: 200, call: func(e *fakeEnv, c *indexingjobs.Client) error {
				var report bytes.Buffer
				_, err := c.DownloadIndexingJobDetails(e.ctx, e.succeeded, &report)
				if err == nil {
					assert.Contains(e.t, report.String(), e.succeeded)
				}
				return err
			}},
		},
	},
	{
		op: "genai_list_indexing_jobs_by_knowledge_base",
		ok: func(e *fakeEnv, c *indexingjobs.Client) error {
			jobs, err := c.ListKnowledgeBaseIndexingJobs(e.ctx, e.kb.UUID)
			if err == nil {
				assert.NotEmpty(e.t, jobs)
			}
			return err
		},
		notFound: func(e *fakeEnv, c *indexingjobs.Client) error {
			_, err := c.ListKnowledgeBaseIndexingJobs(e.ctx, unknownUUID)
			return err
		},
		more: []fakeAnswer{
			{name: "a knowledge base without jobs", status: 200, call: func(e *fakeEnv, c *indexingjobs.Client) error {
				jobs, err := c.ListKnowledgeBaseIndexingJobs(e.ctx, e.srv.AddKnowledgeBase(indexingjobstest.NewKnowledgeBase(1)))
				if err == nil {
					assert.Empty(e.t, jobs)
				}
				return err
			}},
			{name: "the hour's budget spent", status: 429, call: func(e *fakeEnv, _ *indexingjobs.Client) error {
				srv := e.newFake()
				kb := srv.AddKnowledgeBase(indexingjobstest.NewKnowledgeBase(1))
				spend(e, srv, indexingjobstest.RateLimitPerHour)
				_, err := e.client(srv).ListKnowledgeBaseIndexingJobs(e.ctx, kb)
				return err
			}},
		},
	},
}

// outcomes starts a job on a fake of each outcome and follows it to its
// end, reading it, its data sources and its report link on the way.
func outcomes() []fakeAnswer {
	var out []fakeAnswer
	for _, p := range []indexingjobs.Phase{indexingjobs.PhaseSucceeded, indexingjobs.PhaseFailed, indexingjobs.PhaseError, indexingjobs.PhaseCancelled} {
		out = append(out, fakeAnswer{name: "a started job that ends in " + string(p), status: 200, call: func(e *fakeEnv, _ *indexingjobs.Client) error {
			srv := e.newFake(indexingjobstest.WithJobDuration(200*time.Millisecond), indexingjobstest.WithJobOutcome(p))
			kb := srv.AddKnowledgeBase(indexingjobstest.NewKnowledgeBase(3))
			c := e.client(srv)
			job, err := c.StartIndexingJob(e.ctx, kb)
			if err != nil {
				return err
			}
			var phases []indexingjobs.Phase
			job, err = c.WaitForIndexingJob(e.ctx, job.UUID, indexingjobs.WithPollInterval(5*time.Millisecond),
				indexingjobs.WithMaxPollInterval(5*time.Millisecond),
				indexingjobs.WithProgress(func(j *indexingjobs.IndexingJob) { phases = append(phases, j.Phase) }))
			if err != nil {
				return err
			}
			assert.Equal(e.t, p, job.Phase)
			assert.Contains(e.t, phases, indexingjobs.PhaseRunning, "the job was seen running")
			if _, err := c.ListIndexingJobDataSources(e.ctx, job.UUID); err != nil {
				return err
			}
			_, err = c.IndexingJobDetailsURL(e.ctx, job.UUID)
			return err
		}})
	}
	return out
}

// answersOf lists the answers of a row: ok, ok with a wrong token, ok after
// each injected fault, notFound if there is one, and more.
func answersOf(ok, notFound fakeCall, more []fakeAnswer) []fakeAnswer {
	out := []fakeAnswer{
		{name: "ok", status: http.StatusOK, call: ok},
		{name: "wrong token", status: http.StatusUnauthorized, call: ok},
	}
	for _, f := range []struct {
		name   string
		status int
		fault  indexingjobstest.Fault
	}{
		{"RateLimited", http.StatusTooManyRequests, indexingjobstest.RateLimited(3 * time.Second)},
		{"ServerError", http.StatusInternalServerError, indexingjobstest.ServerError()},
		{"BadGateway", http.StatusBadGateway, indexingjobstest.BadGateway()},
	} {
		out = append(out, fakeAnswer{name: f.name, status: f.status, call: func(e *fakeEnv, c *indexingjobs.Client) error {
			e.srv.InjectFaults(1, f.fault)
			return ok(e, c)
		}})
	}
	if notFound != nil {
		out = append(out, fakeAnswer{name: "not found", status: http.StatusNotFound, call: notFound})
	}
	return append(out, more...)
}

// bigStart is a start body over the fake's 64 KiB cap, valid as JSON.
func bigStart(kb string) []byte {
	ids := make([]string, 2000)
	for i := range ids {
		ids[i] = `"` + unknownUUID + `"`
	}
	return []byte(`{"data_source_uuids":[` + strings.Join(ids, ",") + `],"knowledge_base_uuid":"` + kb + `"}`)
}

// statusError turns the status of a raw request into the error the client
// would have returned, so that raw and client calls are checked alike.
func statusError(status int, err error) error {
	if err != nil || status/100 == 2 {
		return err
	}
	return &indexingjobs.APIError{StatusCode: status}
}

// spend makes n requests to srv around rec, with its token, to use up the
// token's budget (requests without it have a budget of their own).
func spend(e *fakeEnv, srv *indexingjobstest.Server, n int) {
	e.unseen += n
	hc := &http.Client{}
	for range n {
		req, err := http.NewRequestWithContext(e.ctx, http.MethodGet, srv.URL+"/v2/gen-ai/indexing_jobs/"+unknownUUID, nil)
		require.NoError(e.t, err)
		req.Header.Set("Authorization", "Bearer "+srv.Token())
		resp, err := hc.Do(req)
		require.NoError(e.t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

// TestFakeServerAnswersMatchSpec drives the fake through every operation
// and every answer it gives, and validates each exchange against
// openapi.yaml. Each row of fakeOperations is an operation; each of its
// answers is a subtest named operation/answer.
func TestFakeServerAnswersMatchSpec(t *testing.T) {
	doc := loadSpec(t)
	router := newRouter(t, doc)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	e := &fakeEnv{t: t, ctx: ctx, rec: &capture{}}
	e.srv = e.newFake(indexingjobstest.WithCancelDelay(20*time.Millisecond), indexingjobstest.WithJobDuration(0))
	e.kb = indexingjobstest.NewKnowledgeBase(2)
	e.srv.AddKnowledgeBase(e.kb)
	e.running = e.srv.AddJob(indexingjobstest.NewJob(indexingjobs.PhaseRunning))
	for range 3 {
		job := indexingjobstest.NewJob(indexingjobs.PhaseSucceeded)
		job.KnowledgeBaseUUID, job.DataSourceUUIDs = e.kb.UUID, e.kb.DataSourceUUIDs
		e.succeeded = e.srv.AddJob(job)
	}
	own := e.client(e.srv)
	wrongToken := e.client(e.srv, indexingjobs.WithToken("wrong"))

	// answered[operation] holds the statuses of its validated answers.
	answered := map[string]map[int]bool{}
	check := func(t *testing.T, a fakeAnswer, c *indexingjobs.Client) {
		t.Helper()
		e.t = t
		before := e.rec.len()
		err := a.call(e, c)
		if a.status == 200 {
			require.NoError(t, err)
		} else {
			apiErr, ok := errors.AsType[*indexingjobs.APIError](err)
			require.True(t, ok, "want an answer of %d, got %v", a.status, err)
			assert.Equal(t, a.status, apiErr.StatusCode)
		}
		seen := e.rec.since(before)
		require.NotEmpty(t, seen, "no request was made")
		for _, i := range seen {
			op, err := checkFakeExchange(t, doc, router, i, a.malformed)
			if op == "" {
				continue // the storage host
			}
			if assert.NoError(t, err, "%s %s → %d %s", i.Request.Method, i.Request.URL, i.Response.Code, i.Response.Body) {
				if answered[op] == nil {
					answered[op] = map[int]bool{}
				}
				answered[op][i.Response.Code] = true
			}
		}
	}

	var rows []string
	for _, row := range fakeOperations {
		rows = append(rows, row.op)
		for _, a := range answersOf(row.ok, row.notFound, row.more) {
			c := own
			if a.status == http.StatusUnauthorized {
				c = wrongToken
			}
			t.Run(row.op+"/"+a.name, func(t *testing.T) { check(t, a, c) })
		}
		want := []int{200, 401, 429, 500, 502}
		if row.notFound != nil {
			want = append(want, 404)
		}
		for _, code := range want {
			assert.True(t, answered[row.op][code], "%s: no valid answer of %d from the fake", row.op, code)
		}
	}
	e.t = t

	reportProblems(t, "the fake's answers", uncovered(doc, setOf(rows), "no row in fakeOperations (conformance/fake_test.go): the fake's answers to it are not checked"))

	// Every request the fakes answered passed through rec (or was sent
	// around it on purpose), and no request to the storage host carried a
	// token.
	var api, storage int
	for _, srv := range e.servers {
		api += srv.Requests()
		storage += srv.StorageRequests()
	}
	var toAPI, toStorage int
	for _, i := range e.rec.since(0) {
		if strings.Contains(i.Request.URL, "/v2/") {
			toAPI++
		} else {
			toStorage++
		}
	}
	assert.Equal(t, api, toAPI+e.unseen, "requests to the API")
	assert.Equal(t, storage, toStorage, "requests to the storage host")
	assert.NotZero(t, toStorage)
}

// checkFakeExchange validates one exchange with the fake: an API request
// and its answer against the spec, or only the answer for a request that
// breaks the spec on purpose, with the headers every answer carries. It
// returns the operation, or "" for a request to the storage host, which
// must carry no Authorization header.
func checkFakeExchange(t *testing.T, doc *openapi3.T, router routers.Router, i *cassette.Interaction, malformed bool) (string, error) {
	t.Helper()
	if !strings.Contains(i.Request.URL, "/v2/") {
		assert.Empty(t, i.Request.Headers.Values("Authorization"), "the token went to the storage host: %s", i.Request.URL)
		return "", nil
	}
	for _, h := range answerHeaders {
		assert.NotEmpty(t, i.Response.Headers.Get(h), "%s %s → %d: no header %s", i.Request.Method, i.Request.URL, i.Response.Code, h)
	}
	if i.Response.Code == http.StatusTooManyRequests {
		assert.NotEmpty(t, i.Response.Headers.Get("retry-after"))
	}
	op, err := validateExchange(t, doc, router, i, !malformed)
	if malformed && err == nil {
		// The request must indeed break the spec, or it is not malformed.
		_, reqErr := validateExchange(t, doc, router, i, true)
		assert.Error(t, reqErr, "%s %s is valid: do not mark it malformed", i.Request.Method, i.Request.URL)
	}
	return op, err
}

func setOf(ids []string) map[string]bool {
	out := map[string]bool{}
	for _, id := range ids {
		out[id] = true
	}
	return out
}

// TestFakeCoverageNamesAnOperationWithoutARow proves the failure message of
// the row check: an operation added to a copy of the spec is named as
// having no row.
func TestFakeCoverageNamesAnOperationWithoutARow(t *testing.T) {
	var rows []string
	for _, row := range fakeOperations {
		rows = append(rows, row.op)
	}
	sort.Strings(rows)
	var ops []string
	for _, o := range operationsOf(loadSpec(t)) {
		ops = append(ops, o.op.OperationID)
	}
	sort.Strings(ops)
	assert.Equal(t, ops, rows, "one row per operation")
	assert.Equal(t, []string{
		"genai_delete_indexing_job (DELETE /v2/gen-ai/indexing_jobs/{uuid}): no row in fakeOperations (conformance/fake_test.go): the fake's answers to it are not checked",
	}, uncovered(specCopy(t, addBareOperation), setOf(rows), "no row in fakeOperations (conformance/fake_test.go): the fake's answers to it are not checked"))
}
