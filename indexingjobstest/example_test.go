package indexingjobstest_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/indexingjobstest"
)

// A test of code that cancels a job, against the fake: two rate-limited
// answers first, then a cancel that takes 50ms to take effect.
func ExampleServer() {
	ctx := context.Background()
	srv := indexingjobstest.NewServer(indexingjobstest.WithCancelDelay(50 * time.Millisecond))
	defer srv.Close()
	id := srv.AddJob(indexingjobstest.NewJob(indexingjobs.PhaseRunning))
	client, err := srv.NewClient() // base URL, token and short retry waits set
	if err != nil {
		panic(err)
	}

	srv.InjectFaults(2, indexingjobstest.RateLimited(time.Second))
	job, err := client.CancelIndexingJob(ctx, id)
	if err != nil {
		panic(err)
	}
	fmt.Println("answer to the cancel:", job.Phase, "after", srv.Requests(), "requests")

	job, err = client.WaitForIndexingJob(ctx, id, indexingjobs.WithPollInterval(10*time.Millisecond))
	if err != nil {
		panic(err)
	}
	stored, _ := srv.Job(id)
	fmt.Println("after waiting:", job.Phase, job.Status, "; the fake holds", &stored.Phase)
	// Output:
	// answer to the cancel: BATCH_JOB_PHASE_RUNNING after 3 requests
	// after waiting: BATCH_JOB_PHASE_CANCELLED INDEX_JOB_STATUS_CANCELLED ; the fake holds BATCH_JOB_PHASE_CANCELLED
}

// A test of code that starts a job and waits for it: the fake runs the job
// through its phases in 300ms, then serves its report from another origin.
func ExampleServer_AddKnowledgeBase() {
	ctx := context.Background()
	srv := indexingjobstest.NewServer(indexingjobstest.WithJobDuration(300 * time.Millisecond))
	defer srv.Close()
	kb := srv.AddKnowledgeBase(indexingjobstest.NewKnowledgeBase(2))
	client, err := srv.NewClient()
	if err != nil {
		panic(err)
	}

	job, err := client.StartIndexingJob(ctx, kb) // every data source
	if err != nil {
		panic(err)
	}
	fmt.Println("started:", job.Phase, job.TotalDatasources, "data sources")

	running := false
	job, err = client.WaitForIndexingJob(ctx, job.UUID,
		indexingjobs.WithPollInterval(10*time.Millisecond), indexingjobs.WithMaxPollInterval(20*time.Millisecond),
		indexingjobs.WithProgress(func(j *indexingjobs.IndexingJob) { running = running || j.Phase == indexingjobs.PhaseRunning }))
	if err != nil {
		panic(err)
	}
	fmt.Println("seen running:", running)
	fmt.Println("ended:", job.Phase, job.CompletedDatasources, "of", job.TotalDatasources, "data sources; report:", job.IsReportAvailable)

	var report strings.Builder
	if _, err := client.DownloadIndexingJobDetails(ctx, job.UUID, &report); err != nil {
		panic(err)
	}
	fmt.Println("report fetched without the token:", srv.StorageRequests() == 1, strings.Contains(report.String(), job.UUID))
	// Output:
	// started: BATCH_JOB_PHASE_PENDING 2 data sources
	// seen running: true
	// ended: BATCH_JOB_PHASE_SUCCEEDED 2 of 2 data sources; report: true
	// report fetched without the token: true true
}
