package conformance

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
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
	"github.com/gradient-go/indexingjobs/internal/gen"
	"github.com/gradient-go/indexingjobs/internal/optest"
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

// fakeEnv is what the answers of TestFakeServerAnswersMatchSpec work on:
// fakes whose every exchange passes through rec, and what they hold.
type fakeEnv struct {
	t   *testing.T
	ctx context.Context
	rec *capture

	srv *indexingjobstest.Server
	f   optest.Fixture // in srv, with two more finished jobs of its knowledge base

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

// raw sends a request of op that the client would refuse to make, on id
// with the query and body given, with the server's token, through rec, and
// returns the status of the answer.
func (e *fakeEnv) raw(srv *indexingjobstest.Server, op *gen.Operation, id, query string, body io.Reader) (int, error) {
	return e.rawOn(srv, op, []string{id}, query, body)
}

// rawOn is raw on the ids of an operation's path, in order.
func (e *fakeEnv) rawOn(srv *indexingjobstest.Server, op *gen.Operation, ids []string, query string, body io.Reader) (int, error) {
	u := srv.URL + optest.Path(op, ids...)
	if query != "" {
		u += "?" + query
	}
	req, err := http.NewRequestWithContext(e.ctx, op.Method, u, body)
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

// fakeMore are the answers of the fake to an operation beyond those every
// row of the registry gets (answersOf), keyed by operation: the fake's
// pages, the bodies it refuses, its starts and cancels over time. An
// operation without more answers has no entry.
var fakeMore = map[*gen.Operation][]fakeAnswer{
	&gen.GenaiListIndexingJobsOperation: {
		{name: "a page of one", status: 200, call: func(e *fakeEnv, c *indexingjobs.Client) error {
			page, err := c.ListIndexingJobsPage(e.ctx, 2, 1)
			if err == nil {
				assert.Len(e.t, page.Jobs, 1)
			}
			return err
		}},
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
			return statusError(e.raw(e.srv, &gen.GenaiListIndexingJobsOperation, "", "page=1&per_page=500", nil))
		}},
		{name: "a page that is not a number", status: 400, malformed: true, call: func(e *fakeEnv, _ *indexingjobs.Client) error {
			return statusError(e.raw(e.srv, &gen.GenaiListIndexingJobsOperation, "", "page=two", nil))
		}},
	},
	&gen.GenaiCreateIndexingJobOperation: {
		{name: "one data source", status: 200, call: func(e *fakeEnv, c *indexingjobs.Client) error {
			_, err := c.StartIndexingJob(e.ctx, e.f.KnowledgeBase, e.f.DataSources[1])
			return err
		}},
		{name: "a data source of no knowledge base", status: 404, call: func(e *fakeEnv, c *indexingjobs.Client) error {
			_, err := c.StartIndexingJob(e.ctx, e.f.KnowledgeBase, optest.Unknown)
			return err
		}},
		{name: "no knowledge_base_uuid", status: 400, malformed: true, call: func(e *fakeEnv, _ *indexingjobs.Client) error {
			return statusError(e.raw(e.srv, &gen.GenaiCreateIndexingJobOperation, "", "", strings.NewReader(`{}`)))
		}},
		{name: "a body that is not JSON", status: 400, malformed: true, call: func(e *fakeEnv, _ *indexingjobs.Client) error {
			return statusError(e.raw(e.srv, &gen.GenaiCreateIndexingJobOperation, "", "", strings.NewReader(`{"knowledge_base_uuid":`)))
		}},
		{name: "a body announced over 4 MiB", status: 413, call: func(e *fakeEnv, _ *indexingjobs.Client) error {
			return statusError(e.raw(e.srv, &gen.GenaiCreateIndexingJobOperation, "", "", bytes.NewReader(bigStart(e.f.KnowledgeBase))))
		}},
		{name: "a chunked body over 4 MiB", status: 413, call: func(e *fakeEnv, _ *indexingjobs.Client) error {
			return statusError(e.raw(e.srv, &gen.GenaiCreateIndexingJobOperation, "", "", io.MultiReader(bytes.NewReader(bigStart(e.f.KnowledgeBase)))))
		}},
	},
	&gen.GenaiGetIndexingJobOperation: outcomes(),
	&gen.GenaiCancelIndexingJobOperation: {
		{name: "a cancel that takes effect later answers with the job still running", status: 200, call: func(e *fakeEnv, _ *indexingjobs.Client) error {
			srv := e.newFake(indexingjobstest.WithCancelDelay(time.Hour))
			optest.Stock(srv, e.f)
			job, err := e.client(srv).CancelIndexingJob(e.ctx, e.f.RunningJob)
			if err == nil {
				assert.Equal(e.t, indexingjobs.PhaseRunning, job.Phase, "the cancel is not in effect yet")
			}
			return err
		}},
		{name: "wait until cancelled, then cancel again", status: 200, call: func(e *fakeEnv, c *indexingjobs.Client) error {
			job, err := c.WaitForIndexingJob(e.ctx, e.f.RunningJob, indexingjobs.WithPollInterval(5*time.Millisecond))
			if err != nil {
				return err
			}
			assert.Equal(e.t, indexingjobs.PhaseCancelled, job.Phase)
			_, err = c.CancelIndexingJob(e.ctx, e.f.RunningJob)
			return err
		}},
		{name: "a body naming another job", status: 400, call: func(e *fakeEnv, _ *indexingjobs.Client) error {
			return statusError(e.raw(e.srv, &gen.GenaiCancelIndexingJobOperation, e.f.FinishedJob, "",
				strings.NewReader(`{"uuid":"`+optest.Unknown+`"}`)))
		}},
		{name: "a body over 4 MiB", status: 413, call: func(e *fakeEnv, _ *indexingjobs.Client) error {
			return statusError(e.raw(e.srv, &gen.GenaiCancelIndexingJobOperation, e.f.FinishedJob, "",
				strings.NewReader(`{"uuid":"`+e.f.FinishedJob+`","padding":"`+strings.Repeat("x", 4<<20)+`"}`)))
		}},
	},
	&gen.GenaiGetIndexingJobDetailsSignedURLOperation: {
		{name: "download the report from the storage host", status: 200, call: func(e *fakeEnv, c *indexingjobs.Client) error {
			var report bytes.Buffer
			_, err := c.DownloadIndexingJobDetails(e.ctx, e.f.FinishedJob, &report)
			if err == nil {
				assert.Contains(e.t, report.String(), e.f.FinishedJob)
			}
			return err
		}},
	},
	&gen.GenaiListIndexingJobsByKnowledgeBaseOperation: {
		{name: "the knowledge base's jobs", status: 200, call: func(e *fakeEnv, c *indexingjobs.Client) error {
			jobs, err := c.ListKnowledgeBaseIndexingJobs(e.ctx, e.f.KnowledgeBase)
			if err == nil {
				assert.NotEmpty(e.t, jobs)
			}
			return err
		}},
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
}

// The fake's answers to the operations that build a knowledge base,
// beyond every row's.
func init() {
	dbDelay := indexingjobstest.WithDatabaseDelay(time.Hour)
	spec := func(sources ...indexingjobs.DataSourceSpec) indexingjobs.KnowledgeBaseSpec {
		return indexingjobs.KnowledgeBaseSpec{Name: "handbook", Region: "tor1", EmbeddingModelUUID: indexingjobstest.EmbeddingModel, DataSources: sources}
	}
	s3 := &indexingjobs.S3Source{BucketName: "archive", ItemPath: "/2025", Region: "us-east-1", KeyID: "AKIAIOSFODNN7EXAMPLE", SecretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
	fakeMore[&gen.GenaiListModelsOperation] = []fakeAnswer{
		{name: "a page of one", status: 200, call: func(e *fakeEnv, c *indexingjobs.Client) error {
			page, err := c.ListEmbeddingModelsPage(e.ctx, 2, 1)
			if err == nil {
				assert.Len(e.t, page.Models, 1)
				assert.Equal(e.t, 3, page.Pages)
			}
			return err
		}},
		{name: "every model, of any use", status: 200, call: func(e *fakeEnv, _ *indexingjobs.Client) error {
			return statusError(e.rawOn(e.srv, &gen.GenaiListModelsOperation, nil, "per_page=200", nil))
		}},
	}
	fakeMore[&gen.GenaiCreateDataSourceFileUploadPresignedUrlsOperation] = []fakeAnswer{
		{name: "two files, uploaded", status: 200, call: func(e *fakeEnv, c *indexingjobs.Client) error {
			urls, err := c.FileUploadURLs(e.ctx, []indexingjobs.FileToUpload{{Name: "a.md", Size: 3}, {Name: "b.md", Size: 4}})
			for i, u := range urls {
				if _, err := c.UploadFile(e.ctx, u, strings.NewReader("abcd"), int64(3+i)); err != nil {
					return err
				}
			}
			return err
		}},
		{name: "no file", status: 400, call: func(e *fakeEnv, _ *indexingjobs.Client) error {
			return statusError(e.rawOn(e.srv, &gen.GenaiCreateDataSourceFileUploadPresignedUrlsOperation, nil, "", strings.NewReader(`{"files":[]}`)))
		}},
	}
	fakeMore[&gen.GenaiCreateKnowledgeBaseOperation] = []fakeAnswer{
		{name: "with an uploaded file, its database CREATING", status: 200, call: func(e *fakeEnv, _ *indexingjobs.Client) error {
			c := e.client(e.newFake(dbDelay))
			urls, err := c.FileUploadURLs(e.ctx, []indexingjobs.FileToUpload{{Name: "a.md", Size: 3}})
			if err != nil {
				return err
			}
			file, err := c.UploadFile(e.ctx, urls[0], strings.NewReader("abc"), 3)
			if err != nil {
				return err
			}
			kb, err := c.CreateKnowledgeBase(e.ctx, spec(indexingjobs.DataSourceSpec{File: file}, indexingjobs.DataSourceSpec{S3: s3}))
			if err != nil {
				return err
			}
			kb, err = c.GetKnowledgeBase(e.ctx, kb.UUID)
			if err == nil {
				assert.Equal(e.t, indexingjobs.DatabaseStatusCreating, kb.DatabaseStatus)
			}
			return lastErr(c.ListKnowledgeBaseDataSources(e.ctx, kb.UUID))
		}},
		{name: "online, and its first job", status: 200, call: func(e *fakeEnv, _ *indexingjobs.Client) error {
			c := e.client(e.newFake(indexingjobstest.WithDatabaseDelay(0), indexingjobstest.WithJobDuration(0)))
			kb, err := c.CreateKnowledgeBase(e.ctx, spec(indexingjobs.DataSourceSpec{Spaces: &indexingjobs.SpacesSource{BucketName: "b", Region: "tor1"}}))
			if err != nil {
				return err
			}
			if _, err := c.WaitForKnowledgeBase(e.ctx, kb.UUID); err != nil {
				return err
			}
			jobs, err := c.ListKnowledgeBaseIndexingJobs(e.ctx, kb.UUID)
			if err == nil {
				assert.Len(e.t, jobs, 1)
			}
			return err
		}},
		{name: "a file never uploaded", status: 400, call: func(e *fakeEnv, c *indexingjobs.Client) error {
			_, err := c.CreateKnowledgeBase(e.ctx, spec(indexingjobs.DataSourceSpec{File: &indexingjobs.UploadedFile{StoredObjectKey: "uploads/none/a.md"}}))
			return err
		}},
		{name: "a model that does not embed", status: 400, call: func(e *fakeEnv, c *indexingjobs.Client) error {
			s := spec()
			s.EmbeddingModelUUID = optest.Unknown
			_, err := c.CreateKnowledgeBase(e.ctx, s)
			return err
		}},
	}
	fakeMore[&gen.GenaiCreateKnowledgeBaseDataSourceOperation] = []fakeAnswer{
		{name: "an S3 folder, shown without its keys", status: 200, call: func(e *fakeEnv, c *indexingjobs.Client) error {
			_, err := c.AddDataSource(e.ctx, e.f.Unscheduled, indexingjobs.DataSourceSpec{S3: s3})
			return err
		}},
		{name: "a body naming another knowledge base", status: 400, call: func(e *fakeEnv, _ *indexingjobs.Client) error {
			return statusError(e.rawOn(e.srv, &gen.GenaiCreateKnowledgeBaseDataSourceOperation, []string{e.f.KnowledgeBase}, "",
				strings.NewReader(`{"knowledge_base_uuid":"`+optest.Unknown+`","spaces_data_source":{"bucket_name":"b","region":"tor1"}}`)))
		}},
	}
	fakeMore[&gen.GenaiUpdateKnowledgeBaseDataSourceOperation] = []fakeAnswer{
		{name: "no chunking_algorithm", status: 400, call: func(e *fakeEnv, _ *indexingjobs.Client) error {
			return statusError(e.rawOn(e.srv, &gen.GenaiUpdateKnowledgeBaseDataSourceOperation, e.f.Of(optest.DataSource), "",
				strings.NewReader(`{"chunking_options":{"max_chunk_size":500}}`)))
		}},
	}
	fakeMore[&gen.GenaiDeleteKnowledgeBaseOperation] = []fakeAnswer{
		{name: "one created, then deleted", status: 200, call: func(e *fakeEnv, c *indexingjobs.Client) error {
			kb, err := c.CreateKnowledgeBase(e.ctx, spec())
			if err != nil {
				return err
			}
			return c.DeleteKnowledgeBase(e.ctx, kb.UUID)
		}},
	}
}

// lastErr ranges over a list to its end and returns its error, if any.
func lastErr[T any](list func(func(T, error) bool)) error {
	for _, err := range list {
		if err != nil {
			return err
		}
	}
	return nil
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

// answersOf lists the answers of a row: its call (200), the same with a
// wrong token (401) and after each injected fault (RateLimited 429,
// ServerError 500, BadGateway 502), with optest.Unknown in each place of
// the ids it names, if any (404: an unknown data source, or its unknown
// knowledge base), and then the operation's fakeMore.
func answersOf(row optest.Row) []fakeAnswer {
	ok := func(e *fakeEnv, c *indexingjobs.Client) error { return row.Call(e.ctx, c, e.f.Of(row.On)...) }
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
	for i := range row.Misses(optest.Canonical) {
		name := "not found"
		if len(row.Op.PathParams) > 1 {
			name += ": an unknown " + strings.ReplaceAll(strings.TrimSuffix(row.Op.PathParams[i], "_uuid"), "_", " ")
		}
		out = append(out, fakeAnswer{name: name, status: http.StatusNotFound, call: func(e *fakeEnv, c *indexingjobs.Client) error {
			return row.Call(e.ctx, c, row.Misses(e.f)[i]...)
		}})
	}
	return append(out, fakeMore[row.Op]...)
}

// bigStart is a start body over the fake's 4 MiB cap, valid as JSON.
func bigStart(kb string) []byte {
	ids := make([]string, (4<<20)/len(optest.Unknown)+1)
	for i := range ids {
		ids[i] = `"` + optest.Unknown + `"`
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
		req, err := http.NewRequestWithContext(e.ctx, http.MethodGet, srv.URL+optest.Path(&gen.GenaiGetIndexingJobOperation, optest.Unknown), nil)
		require.NoError(e.t, err)
		req.Header.Set("Authorization", "Bearer "+srv.Token())
		resp, err := hc.Do(req)
		require.NoError(e.t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

// TestFakeServerAnswersMatchSpec drives the fake through every operation
// of the registry and every answer it gives (answersOf), and validates
// each exchange against openapi.yaml. Each answer is a subtest named
// operation/answer.
func TestFakeServerAnswersMatchSpec(t *testing.T) {
	doc := loadSpec(t)
	router := newRouter(t, doc)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	e := &fakeEnv{t: t, ctx: ctx, rec: &capture{}, f: optest.Canonical}
	e.srv = e.newFake(indexingjobstest.WithCancelDelay(20*time.Millisecond), indexingjobstest.WithJobDuration(0))
	optest.Stock(e.srv, e.f)
	for range 2 {
		job := indexingjobstest.NewJob(indexingjobs.PhaseSucceeded)
		job.KnowledgeBaseUUID, job.DataSourceUUIDs = e.f.KnowledgeBase, e.f.DataSources
		e.srv.AddJob(job)
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

	checked := map[string]bool{}
	for _, row := range optest.Rows {
		for _, a := range answersOf(row) {
			c := own
			if a.status == http.StatusUnauthorized {
				c = wrongToken
			}
			t.Run(row.Op.ID+"/"+a.name, func(t *testing.T) { check(t, a, c) })
		}
		want := []int{200, 401, 429, 500, 502}
		if row.CanMiss() {
			want = append(want, 404)
		}
		checked[row.Op.ID] = true
		for _, code := range want {
			checked[row.Op.ID] = checked[row.Op.ID] && answered[row.Op.ID][code]
			assert.True(t, answered[row.Op.ID][code], "%s: no valid answer of %d from the fake", row.Op.ID, code)
		}
	}
	e.t = t

	reportProblems(t, "the fake's answers", uncovered(doc, checked, "the fake's answers to it are not all checked (it needs its row in internal/optest)"))

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

// TestFakeMoreIsOfRegistryOperations: every operation fakeMore gives
// answers to has its row in the registry, so that none of them is left
// unsent.
func TestFakeMoreIsOfRegistryOperations(t *testing.T) {
	rows := registered()
	for op := range fakeMore {
		assert.True(t, rows[op.ID], "fakeMore answers %s, which has no row in internal/optest", op.ID)
	}
}
