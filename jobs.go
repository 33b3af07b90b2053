package indexingjobs

import (
	"context"
	"fmt"
	"strings"
)

// The methods below are one per operation of openapi.yaml: each names its
// generated operation (which carries its path, its query's, body's and
// answer's types), checks the answer is about what was asked, and hands
// them to call, which checks the ids of the path and does the rest.

// CancelIndexingJob asks the API to cancel the indexing job jobUUID and
// returns the job as the API answered. The job may reach PhaseCancelled a
// moment later: WaitForIndexingJob follows it. Cancelling is idempotent, so
// the request is retried like a read.
func (c *Client) CancelIndexingJob(ctx context.Context, jobUUID string) (*IndexingJob, error) {
	out, err := call(ctx, c, opGenaiCancelIndexingJob, []string{jobUUID}, nil,
		&genaiCancelIndexingJobJSONRequestBody{UUID: jobUUID},
		func(out *cancelledIndexingJobAnswer) error { return isJob(&out.Job, jobUUID) })
	if err != nil {
		return nil, err
	}
	return &out.Job, nil
}

// GetIndexingJob returns the indexing job jobUUID in its current state.
func (c *Client) GetIndexingJob(ctx context.Context, jobUUID string) (*IndexingJob, error) {
	out, err := call(ctx, c, opGenaiGetIndexingJob, []string{jobUUID}, nil, nil,
		func(out *readIndexingJobAnswer) error { return isJob(&out.Job, jobUUID) })
	if err != nil {
		return nil, err
	}
	return &out.Job, nil
}

// StartIndexingJob starts a job that indexes the given data sources of the
// knowledge base, or all of them when none are given, and returns it,
// usually in PhasePending; WaitForIndexingJob follows it.
//
// Starting is not idempotent. The request is sent once: Go's transport is
// given no way to send it again on its own, and it is retried only when
// the server certainly did not act on it (429, or a connection that failed
// before the request was written). After a 5xx, a connection lost once the
// request was sent, or a success answer the client cannot use, the error
// wraps ErrOutcomeUnknown: list the knowledge base's jobs before starting
// again.
func (c *Client) StartIndexingJob(ctx context.Context, knowledgeBaseUUID string, dataSourceUUIDs ...string) (*IndexingJob, error) {
	// Ids in the body are checked here; the path's by call.
	if err := checkUUID("knowledge base", knowledgeBaseUUID); err != nil {
		return nil, err
	}
	for _, ds := range dataSourceUUIDs {
		if err := checkUUID("data source", ds); err != nil {
			return nil, err
		}
	}
	out, err := call(ctx, c, opGenaiCreateIndexingJob, nil, nil,
		&genaiCreateIndexingJobJSONRequestBody{KnowledgeBaseUUID: knowledgeBaseUUID, DataSourceUUIDs: dataSourceUUIDs},
		func(out *startedIndexingJobAnswer) error {
			if err := isJob(&out.Job, ""); err != nil {
				return err
			}
			return ofKnowledgeBase(out.Job, knowledgeBaseUUID)
		})
	if err != nil {
		return nil, err
	}
	return &out.Job, nil
}

// ListKnowledgeBaseIndexingJobs returns the latest 15 indexing jobs of the
// knowledge base, newest first. The answer is not paged: the API sends
// those 15 and no more.
func (c *Client) ListKnowledgeBaseIndexingJobs(ctx context.Context, knowledgeBaseUUID string) ([]IndexingJob, error) {
	out, err := call(ctx, c, opGenaiListIndexingJobsByKnowledgeBase, []string{knowledgeBaseUUID}, nil, nil,
		func(out *indexingJobsAnswer) error {
			for _, job := range out.Jobs {
				if err := ofKnowledgeBase(job, knowledgeBaseUUID); err != nil {
					return err
				}
			}
			return indexingJobs.distinct(out.Jobs)
		})
	if err != nil {
		return nil, err
	}
	return out.Jobs, nil
}

// ListIndexingJobDataSources returns what the indexing job did in each of
// its data sources. The answer is not paged: all of them come at once.
func (c *Client) ListIndexingJobDataSources(ctx context.Context, jobUUID string) ([]IndexedDataSource, error) {
	out, err := call(ctx, c, opGenaiListIndexingJobDataSources, []string{jobUUID}, nil, nil, nil)
	if err != nil {
		return nil, err
	}
	return out.IndexedDataSources, nil
}

// isJob checks that a 2xx answer holds a job, and the job uuid when uuid is
// set.
func isJob(job *IndexingJob, uuid string) error { return holds("job", job.UUID, uuid) }

// holds checks that a 2xx answer holds a thing of this noun, whose id got
// is set, and the one asked for when want is set (case aside: UUIDs are
// hex).
func holds(noun, got, want string) error {
	if got == "" {
		return fmt.Errorf("%w: the body has no %s", errWrongAnswer, noun)
	}
	if want != "" && !strings.EqualFold(got, want) {
		return fmt.Errorf("%w: it holds %s %s, not %s", errWrongAnswer, noun, shownID(got), want)
	}
	return nil
}

// ofKnowledgeBase checks that a job is of the knowledge base asked about,
// when the answer says.
func ofKnowledgeBase(job IndexingJob, kb string) error {
	if job.KnowledgeBaseUUID != "" && !strings.EqualFold(job.KnowledgeBaseUUID, kb) {
		return fmt.Errorf("%w: job %s is of knowledge base %s, not %s",
			errWrongAnswer, shownID(job.UUID), shownID(job.KnowledgeBaseUUID), kb)
	}
	return nil
}
