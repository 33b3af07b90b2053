package indexingjobstest_test

import (
	"context"
	"fmt"
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
