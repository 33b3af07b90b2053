package indexingjobstest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/indexingjobstest"
	"github.com/gradient-go/indexingjobs/internal/gen"
	"github.com/gradient-go/indexingjobs/internal/optest"
)

func newFake(t *testing.T, opts ...indexingjobstest.Option) (*indexingjobstest.Server, *indexingjobs.Client) {
	t.Helper()
	srv := indexingjobstest.NewServer(opts...)
	t.Cleanup(srv.Close)
	client, err := srv.NewClient()
	require.NoError(t, err)
	return srv, client
}

func TestCancelMovesARunningJobToCancelled(t *testing.T) {
	for _, phase := range []indexingjobs.Phase{indexingjobs.PhasePending, indexingjobs.PhaseRunning} {
		srv, client := newFake(t)
		id := srv.AddJob(indexingjobstest.NewJob(phase))
		before := time.Now().Add(-time.Second)

		job, err := client.CancelIndexingJob(context.Background(), id)
		require.NoError(t, err)
		assert.Equal(t, id, job.UUID)
		assert.Equal(t, indexingjobs.PhaseCancelled, job.Phase)
		assert.Equal(t, indexingjobs.StatusCancelled, job.Status)
		assert.True(t, job.FinishedAt.After(before))
		assert.Equal(t, job.FinishedAt, job.UpdatedAt)
		assert.Equal(t, "DATA_SOURCE_STATUS_CANCELLED", string(job.DataSourceJobs[0].Status))

		stored, ok := srv.Job(id)
		require.True(t, ok)
		assert.Equal(t, *job, stored)
		got, err := client.GetIndexingJob(context.Background(), id)
		require.NoError(t, err)
		assert.Equal(t, *job, *got)
	}
}

func TestCancelLeavesAFinishedJobAlone(t *testing.T) {
	srv, client := newFake(t)
	want := indexingjobstest.NewJob(indexingjobs.PhaseSucceeded)
	id := srv.AddJob(want)
	job, err := client.CancelIndexingJob(context.Background(), id)
	require.NoError(t, err)
	assert.Equal(t, want, *job)
}

func TestCancelDelayLetsWaitingBeExercised(t *testing.T) {
	srv, client := newFake(t, indexingjobstest.WithCancelDelay(50*time.Millisecond))
	id := srv.AddJob(indexingjobstest.NewJob(indexingjobs.PhaseRunning))
	start := time.Now()

	job, err := client.CancelIndexingJob(context.Background(), id)
	require.NoError(t, err)
	assert.Equal(t, indexingjobs.PhaseRunning, job.Phase, "the cancel has not taken effect yet")
	assert.True(t, job.FinishedAt.IsZero())

	var phases []indexingjobs.Phase
	job, err = client.WaitForIndexingJob(context.Background(), id, indexingjobs.WithPollInterval(10*time.Millisecond),
		indexingjobs.WithProgress(func(j *indexingjobs.IndexingJob) { phases = append(phases, j.Phase) }))
	require.NoError(t, err)
	assert.Equal(t, indexingjobs.PhaseCancelled, job.Phase)
	assert.Equal(t, indexingjobs.PhaseRunning, phases[0])
	assert.Greater(t, len(phases), 1)
	assert.GreaterOrEqual(t, job.FinishedAt.Sub(start), 50*time.Millisecond-time.Millisecond)
}

func TestUnknownJobIsNotFound(t *testing.T) {
	_, client := newFake(t)
	const id = "00000000-0000-4000-8000-000000000000"
	_, err := client.CancelIndexingJob(context.Background(), id)
	assert.True(t, indexingjobs.IsNotFound(err), "%v", err)
	_, err = client.GetIndexingJob(context.Background(), id)
	assert.True(t, indexingjobs.IsNotFound(err), "%v", err)
	var apiErr *indexingjobs.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "not_found", apiErr.ID)
	assert.NotEmpty(t, apiErr.RequestID)
}

func TestWrongTokenIsUnauthorizedAndChangesNothing(t *testing.T) {
	srv := indexingjobstest.NewServer(indexingjobstest.WithToken("right"))
	defer srv.Close()
	id := srv.AddJob(indexingjobstest.NewJob(indexingjobs.PhaseRunning))
	client, err := srv.NewClient(indexingjobs.WithToken("wrong"))
	require.NoError(t, err)
	_, err = client.CancelIndexingJob(context.Background(), id)
	assert.True(t, indexingjobs.IsUnauthorized(err), "%v", err)
	job, _ := srv.Job(id)
	assert.Equal(t, indexingjobs.PhaseRunning, job.Phase)
	assert.Equal(t, "right", srv.Token())
}

func TestEveryResponseHasRateLimitAndRequestID(t *testing.T) {
	srv, _ := newFake(t)
	optest.Stock(srv, optest.Canonical)
	id := optest.Canonical.RunningJob
	const unknown = optest.Unknown
	get, start, list := &gen.GenaiGetIndexingJobOperation, &gen.GenaiCreateIndexingJobOperation, &gen.GenaiListIndexingJobsOperation
	seen := map[string]bool{}
	type answer struct {
		what   string
		status int
		holder bool // sent with the server's token, which has a budget of its own
		header http.Header
		body   string
	}
	var answers []answer
	// Every operation through the client, on the fixture and then on an
	// unknown id where it names one.
	kept := &keepAnswers{}
	client, err := srv.NewClient(indexingjobs.WithHTTPClient(&http.Client{Transport: kept}), indexingjobs.WithMaxRetries(0))
	require.NoError(t, err)
	for _, row := range optest.Rows {
		require.NoError(t, row.Call(context.Background(), client, optest.Canonical.Of(row.On)...), row.Op.ID)
		answers = append(answers, answer{row.Op.ID, 200, true, kept.last.header, kept.last.body})
	}
	for _, row := range optest.Rows {
		for _, miss := range row.Misses(optest.Canonical) {
			require.True(t, indexingjobs.IsNotFound(row.Call(context.Background(), client, miss...)), row.Op.ID)
			answers = append(answers, answer{fmt.Sprintf("%s on %v", row.Op.ID, miss), 404, true, kept.last.header, kept.last.body})
		}
	}
	// Then requests the client would not send.
	for _, c := range []struct {
		method, path, token, body string
		status                    int
	}{
		{get.Method, optest.Path(get, id), "nope", "", 401},
		{start.Method, optest.Path(start, ""), "nope", "{", 401},
		{start.Method, optest.Path(start, ""), srv.Token(), `{"knowledge_base_uuid":"` + unknown + `"}`, 404},
		{"GET", "/v2/gen-ai/nothing/here", srv.Token(), "", 404},
		{list.Method, optest.Path(list, "") + "?per_page=201", srv.Token(), "", 400},
		{start.Method, optest.Path(start, ""), srv.Token(), "{", 400},
		{start.Method, optest.Path(start, ""), srv.Token(), strings.Repeat(" ", 4<<20+1), 413},
	} {
		resp, body := send(t, srv, c.method, c.path, c.token, c.body)
		answers = append(answers, answer{c.method + " " + c.path, resp.StatusCode, c.token == srv.Token(), resp.Header, body})
		assert.Equal(t, c.status, resp.StatusCode, c.path)
	}
	spent := map[bool]int{} // by whether the request had the server's token
	for _, a := range answers {
		assert.Equal(t, "5000", a.header.Get("ratelimit-limit"), a.what)
		assert.Equal(t, 4999-spent[a.holder], atoi(t, a.header.Get("ratelimit-remaining")), "%s: each request spends one of its token's budget", a.what)
		spent[a.holder]++
		assert.InDelta(t, time.Now().Add(time.Hour).Unix(), atoi(t, a.header.Get("ratelimit-reset")), 5)
		reqID := a.header.Get("x-request-id")
		assert.Len(t, reqID, 36)
		assert.False(t, seen[reqID], "request ids are unique")
		seen[reqID] = true
		if a.status != 200 {
			var e struct{ ID, Message, RequestID string }
			require.NoError(t, json.Unmarshal([]byte(strings.ReplaceAll(a.body, "request_id", "requestid")), &e), a.body)
			assert.NotEmpty(t, e.ID)
			assert.NotEmpty(t, e.Message)
			assert.Equal(t, reqID, e.RequestID, "the body names the same request")
		}
	}
	assert.Equal(t, len(answers), srv.Requests())
}

// keepAnswers is a transport that keeps the headers and body of the last
// answer it carried.
type keepAnswers struct {
	last struct {
		header http.Header
		body   string
	}
}

func (k *keepAnswers) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	k.last.header, k.last.body = resp.Header.Clone(), string(b)
	resp.Body = io.NopCloser(strings.NewReader(k.last.body))
	return resp, nil
}

func TestCancelBodyMustNameThePathJob(t *testing.T) {
	srv, _ := newFake(t)
	id := srv.AddJob(indexingjobstest.NewJob(indexingjobs.PhaseRunning))
	resp, body := send(t, srv, "PUT", "/v2/gen-ai/indexing_jobs/"+id+"/cancel", srv.Token(), `{"uuid":"00000000-0000-4000-8000-000000000000"}`)
	assert.Equal(t, 400, resp.StatusCode)
	assert.Contains(t, body, "is not the job")
	resp, _ = send(t, srv, "PUT", "/v2/gen-ai/indexing_jobs/"+id+"/cancel", srv.Token(), `{"uuid":`)
	assert.Equal(t, 400, resp.StatusCode)
	job, _ := srv.Job(id)
	assert.Equal(t, indexingjobs.PhaseRunning, job.Phase, "a refused cancel changes nothing")
}

func TestFaults(t *testing.T) {
	ctx := context.Background()
	t.Run("429 then success", func(t *testing.T) {
		srv, client := newFake(t)
		id := srv.AddJob(indexingjobstest.NewJob(indexingjobs.PhaseRunning))
		srv.InjectFaults(2, indexingjobstest.RateLimited(time.Second))
		job, err := client.CancelIndexingJob(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, indexingjobs.PhaseCancelled, job.Phase)
		assert.Equal(t, 3, srv.Requests())
	})
	t.Run("429 reported", func(t *testing.T) {
		srv, _ := newFake(t)
		client, err := srv.NewClient(indexingjobs.WithMaxRetries(0))
		require.NoError(t, err)
		id := srv.AddJob(indexingjobstest.NewJob(indexingjobs.PhaseRunning))
		srv.InjectFaults(1, indexingjobstest.RateLimited(1500*time.Millisecond))
		_, err = client.CancelIndexingJob(ctx, id)
		var apiErr *indexingjobs.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, 429, apiErr.StatusCode)
		assert.Equal(t, 2*time.Second, apiErr.RetryAfter, "rounded up to whole seconds")
		job, _ := srv.Job(id)
		assert.Equal(t, indexingjobs.PhaseRunning, job.Phase, "a failed request changes nothing")
	})
	t.Run("500 then success", func(t *testing.T) {
		srv, client := newFake(t)
		id := srv.AddJob(indexingjobstest.NewJob(indexingjobs.PhaseRunning))
		srv.InjectFaults(1, indexingjobstest.ServerError())
		_, err := client.GetIndexingJob(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, 2, srv.Requests())
	})
	t.Run("502 HTML page", func(t *testing.T) {
		srv, _ := newFake(t)
		client, err := srv.NewClient(indexingjobs.WithMaxRetries(1))
		require.NoError(t, err)
		srv.InjectFaults(2, indexingjobstest.BadGateway())
		_, err = client.GetIndexingJob(ctx, srv.AddJob(indexingjobstest.NewJob(indexingjobs.PhaseRunning)))
		var apiErr *indexingjobs.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, 502, apiErr.StatusCode)
		assert.Equal(t, "502 Bad Gateway", apiErr.Message)
		assert.Equal(t, 2, apiErr.Attempts)
	})
	t.Run("delay past the deadline", func(t *testing.T) {
		srv, client := newFake(t)
		id := srv.AddJob(indexingjobstest.NewJob(indexingjobs.PhaseRunning))
		srv.InjectFaults(1, indexingjobstest.Delay(time.Minute))
		short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := client.GetIndexingJob(short, id)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Less(t, time.Since(start), 10*time.Second, "the fake lets go when the client does")
		_, err = client.GetIndexingJob(ctx, id)
		assert.NoError(t, err, "only the next request was delayed")
	})
	t.Run("delay then answer", func(t *testing.T) {
		srv, client := newFake(t)
		id := srv.AddJob(indexingjobstest.NewJob(indexingjobs.PhaseRunning))
		srv.InjectFaults(1, indexingjobstest.Delay(30*time.Millisecond))
		start := time.Now()
		_, err := client.GetIndexingJob(ctx, id)
		require.NoError(t, err)
		assert.GreaterOrEqual(t, time.Since(start), 30*time.Millisecond)
	})
}

func TestAddJobKeepsACopy(t *testing.T) {
	srv, _ := newFake(t)
	job := indexingjobstest.NewJob(indexingjobs.PhaseRunning)
	id := srv.AddJob(job)
	assert.Equal(t, job.UUID, id)
	job.Phase = indexingjobs.PhaseFailed
	got, _ := srv.Job(id)
	assert.Equal(t, indexingjobs.PhaseRunning, got.Phase)
	got.Phase = indexingjobs.PhaseFailed
	again, _ := srv.Job(id)
	assert.Equal(t, indexingjobs.PhaseRunning, again.Phase)

	noID := srv.AddJob(indexingjobs.IndexingJob{})
	assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, noID)
	_, ok := srv.Job("00000000-0000-4000-8000-000000000000")
	assert.False(t, ok)
}

func TestConcurrentUse(t *testing.T) {
	srv, client := newFake(t)
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			id := srv.AddJob(indexingjobstest.NewJob(indexingjobs.PhaseRunning))
			_, err := client.CancelIndexingJob(context.Background(), id)
			assert.NoError(t, err)
			job, _ := srv.Job(id)
			assert.Equal(t, indexingjobs.PhaseCancelled, job.Phase)
		})
	}
	wg.Wait()
	assert.Equal(t, 32, srv.Requests())
}

// TestConcurrentOperations: every operation, the storage and the
// server's own methods at once, under -race.
func TestConcurrentOperations(t *testing.T) {
	srv, client := newFake(t, indexingjobstest.WithJobDuration(50*time.Millisecond))
	ctx := context.Background()
	kb := indexingjobstest.NewKnowledgeBase(3)
	srv.AddKnowledgeBase(kb)
	const workers = 16
	var wg sync.WaitGroup
	for i := range workers {
		wg.Go(func() {
			srv.AddKnowledgeBase(indexingjobstest.NewKnowledgeBase(1))
			srv.AddJob(indexingjobstest.NewJob(indexingjobs.PhaseRunning))
			job, err := client.StartIndexingJob(ctx, kb.UUID)
			if !assert.NoError(t, err) {
				return
			}
			_, err = client.ListIndexingJobDataSources(ctx, job.UUID)
			assert.NoError(t, err)
			_, err = client.DownloadIndexingJobDetails(ctx, job.UUID, io.Discard)
			assert.NoError(t, err)
			_, err = client.ListKnowledgeBaseIndexingJobs(ctx, kb.UUID)
			assert.NoError(t, err)
			_, err = client.ListIndexingJobsPage(ctx, 1, indexingjobs.MaxPerPage)
			assert.NoError(t, err)
			if i%2 == 0 {
				job, err = client.CancelIndexingJob(ctx, job.UUID)
			} else {
				job, err = client.WaitForIndexingJob(ctx, job.UUID, indexingjobs.WithPollInterval(5*time.Millisecond))
			}
			if assert.NoError(t, err) {
				assert.True(t, job.Phase.Terminal(), "%s", job.Phase)
			}
		})
	}
	wg.Wait()
	page, err := client.ListIndexingJobsPage(ctx, 1, indexingjobs.MaxPerPage)
	require.NoError(t, err)
	assert.Equal(t, 2*workers, page.Total, "the jobs added and those started")
	jobs, err := client.ListKnowledgeBaseIndexingJobs(ctx, kb.UUID)
	require.NoError(t, err)
	assert.Len(t, jobs, 15)
	assert.Equal(t, workers, srv.StorageRequests())
}

func send(t *testing.T, srv *indexingjobstest.Server, method, path, token, body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(b)
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	var n int
	require.NoError(t, json.Unmarshal([]byte(s), &n), s)
	return n
}
