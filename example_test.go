package indexingjobs_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"time"

	indexingjobs "github.com/gradient-go/indexingjobs"
)

// exampleAPI stands in for api.digitalocean.com: the job is running until
// it has been cancelled and read once more.
func exampleAPI() *httptest.Server {
	var cancels, reads atomic.Int32
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Ratelimit-Limit", "5000")
		w.Header().Set("Ratelimit-Remaining", "4990")
		w.Header().Set("Ratelimit-Reset", "1795948800")
		w.Header().Set("X-Request-Id", "4d9d8375-3c56-4925-a3e7-eec3b1f5a8c1")
		id := "7d1b3a0e-5c44-4b8e-9a51-0f6c2e8d9b17"
		switch {
		case r.URL.Path == "/v2/gen-ai/indexing_jobs" && r.Method == http.MethodGet:
			// Three jobs, two a page.
			if r.URL.Query().Get("page") == "2" {
				fmt.Fprint(w, `{"jobs":[{"uuid":"0b7e4f62-3f0c-4a53-9d1e-5c8a7b6e2f10","phase":"BATCH_JOB_PHASE_SUCCEEDED"}],"meta":{"page":2,"pages":2,"total":3}}`)
				return
			}
			fmt.Fprintf(w, `{"jobs":[{"uuid":%q,"phase":"BATCH_JOB_PHASE_RUNNING"},{"uuid":"5f0c2a1e-8d7b-4c3a-9e6f-1a2b3c4d5e6f","phase":"BATCH_JOB_PHASE_FAILED"}],"meta":{"page":1,"pages":2,"total":3}}`, id)
		case r.URL.Path == "/v2/gen-ai/indexing_jobs" && r.Method == http.MethodPost:
			fmt.Fprintf(w, `{"job":{"uuid":%q,"knowledge_base_uuid":"123e4567-e89b-12d3-a456-426614174000","phase":"BATCH_JOB_PHASE_PENDING","total_datasources":2}}`, id)
		case r.URL.Path == "/v2/gen-ai/indexing_jobs/"+id+"/cancel" && r.Method == http.MethodPut:
			cancels.Add(1)
			fmt.Fprintf(w, `{"job":{"uuid":%q,"phase":"BATCH_JOB_PHASE_RUNNING","status":"INDEX_JOB_STATUS_IN_PROGRESS"}}`, id)
		case r.URL.Path == "/v2/gen-ai/indexing_jobs/"+id && cancels.Load() > 0 && reads.Add(1) > 1:
			fmt.Fprintf(w, `{"job":{"uuid":%q,"phase":"BATCH_JOB_PHASE_CANCELLED","status":"INDEX_JOB_STATUS_CANCELLED","total_items_indexed":"812"}}`, id)
		case r.URL.Path == "/v2/gen-ai/indexing_jobs/"+id:
			fmt.Fprintf(w, `{"job":{"uuid":%q,"phase":"BATCH_JOB_PHASE_RUNNING"}}`, id)
		default:
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"id":"not_found","message":"The resource you requested could not be found.","request_id":"4d9d8375-3c56-4925-a3e7-eec3b1f5a8c1"}`)
		}
	}))
}

func ExampleClient_CancelIndexingJob() {
	api := exampleAPI()
	defer api.Close()

	// In real use: indexingjobs.NewClient() reads $DIGITALOCEAN_ACCESS_TOKEN.
	client, err := indexingjobs.NewClient(indexingjobs.WithToken("dop_v1_example"), indexingjobs.WithBaseURL(api.URL))
	if err != nil {
		fmt.Println(err)
		return
	}
	job, err := client.CancelIndexingJob(context.Background(), "7d1b3a0e-5c44-4b8e-9a51-0f6c2e8d9b17")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(job.UUID, job.Phase)
	fmt.Println("requests left this hour:", client.RateLimit().Remaining)
	// Output:
	// 7d1b3a0e-5c44-4b8e-9a51-0f6c2e8d9b17 BATCH_JOB_PHASE_RUNNING
	// requests left this hour: 4990
}

func ExampleClient_ListIndexingJobs() {
	api := exampleAPI()
	defer api.Close()
	client, err := indexingjobs.NewClient(indexingjobs.WithToken("dop_v1_example"), indexingjobs.WithBaseURL(api.URL))
	if err != nil {
		fmt.Println(err)
		return
	}
	// Pages are fetched as the loop goes; breaking out fetches no more.
	for job, err := range client.ListIndexingJobs(context.Background(), indexingjobs.WithPerPage(2)) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(job.UUID, job.Phase, job.Phase.Terminal())
	}
	// Output:
	// 7d1b3a0e-5c44-4b8e-9a51-0f6c2e8d9b17 BATCH_JOB_PHASE_RUNNING false
	// 5f0c2a1e-8d7b-4c3a-9e6f-1a2b3c4d5e6f BATCH_JOB_PHASE_FAILED true
	// 0b7e4f62-3f0c-4a53-9d1e-5c8a7b6e2f10 BATCH_JOB_PHASE_SUCCEEDED true
}

func ExampleClient_StartIndexingJob() {
	api := exampleAPI()
	defer api.Close()
	client, err := indexingjobs.NewClient(indexingjobs.WithToken("dop_v1_example"), indexingjobs.WithBaseURL(api.URL))
	if err != nil {
		fmt.Println(err)
		return
	}
	// No data sources named: all of the knowledge base's.
	job, err := client.StartIndexingJob(context.Background(), "123e4567-e89b-12d3-a456-426614174000")
	if errors.Is(err, indexingjobs.ErrOutcomeUnknown) {
		fmt.Println("the job may have started: list the knowledge base's jobs before trying again")
		return
	}
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(job.UUID, job.Phase, job.TotalDatasources, "data sources")
	// Output:
	// 7d1b3a0e-5c44-4b8e-9a51-0f6c2e8d9b17 BATCH_JOB_PHASE_PENDING 2 data sources
}

func ExampleClient_WaitForIndexingJob() {
	api := exampleAPI()
	defer api.Close()
	client, err := indexingjobs.NewClient(indexingjobs.WithToken("dop_v1_example"), indexingjobs.WithBaseURL(api.URL))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	id := "7d1b3a0e-5c44-4b8e-9a51-0f6c2e8d9b17"
	if _, err := client.CancelIndexingJob(ctx, id); err != nil {
		fmt.Println(err)
		return
	}
	job, err := client.WaitForIndexingJob(ctx, id, indexingjobs.WithPollInterval(10*time.Millisecond))
	var waitErr *indexingjobs.WaitError
	switch {
	case errors.As(err, &waitErr):
		fmt.Println("still", waitErr.LastPhase, "when the minute ran out")
	case err != nil:
		fmt.Println(err)
	default:
		fmt.Println(job.Phase, job.Status, uint64(job.TotalItemsIndexed), "items indexed")
	}
	// Output:
	// BATCH_JOB_PHASE_CANCELLED INDEX_JOB_STATUS_CANCELLED 812 items indexed
}

func ExampleAPIError() {
	api := exampleAPI()
	defer api.Close()
	client, err := indexingjobs.NewClient(indexingjobs.WithToken("dop_v1_example"), indexingjobs.WithBaseURL(api.URL))
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = client.CancelIndexingJob(context.Background(), "00000000-0000-4000-8000-000000000000")
	var apiErr *indexingjobs.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.ID, apiErr.RequestID)
		fmt.Println("not found:", indexingjobs.IsNotFound(err))
	}

	_, err = client.CancelIndexingJob(context.Background(), "../../account")
	fmt.Println(errors.Is(err, indexingjobs.ErrInvalidUUID))
	// Output:
	// 404 not_found 4d9d8375-3c56-4925-a3e7-eec3b1f5a8c1
	// not found: true
	// true
}

// logRequests is a middleware that logs every request the client sends:
// method, path, status and the API's request id. It never logs headers,
// so the token stays out of the log.
func logRequests(next http.RoundTripper) http.RoundTripper {
	return roundTrip(func(req *http.Request) (*http.Response, error) {
		resp, err := next.RoundTrip(req)
		if err != nil {
			fmt.Println(req.Method, req.URL.Path, "failed:", err)
			return nil, err
		}
		fmt.Println(req.Method, req.URL.Path, resp.StatusCode, resp.Header.Get("X-Request-Id"))
		return resp, nil
	})
}

// Logging and metrics go in a middleware: it wraps the client's own
// transport, so it sees every send, retries included, and the client
// keeps its rules (what it sends once, where the token may go).
func ExampleWithMiddleware() {
	api := exampleAPI()
	defer api.Close()

	client, err := indexingjobs.NewClient(indexingjobs.WithToken("dop_v1_example"), indexingjobs.WithBaseURL(api.URL),
		indexingjobs.WithMiddleware(logRequests))
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = client.GetIndexingJob(context.Background(), "00000000-0000-4000-8000-000000000000")
	fmt.Println(indexingjobs.IsNotFound(err))
	// Output:
	// GET /v2/gen-ai/indexing_jobs/00000000-0000-4000-8000-000000000000 404 4d9d8375-3c56-4925-a3e7-eec3b1f5a8c1
	// true
}
