package indexingjobs_test

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/internal/gen"
	"github.com/gradient-go/indexingjobs/wire"
)

// Tests of the job operations (jobs.go) and of the job they answer with
// (job.go): what a cancel or a get sends and decodes, a job's phases, and
// that an answer about another job, or about none, is an error.

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func u64(v uint64) wire.Uint64 { return wire.Uint64(v) }

// assertSentCancel checks that exactly one cancel went out, as recorded.
func assertSentCancel(t *testing.T, got []seenRequest, rec recording, id string) {
	t.Helper()
	require.Len(t, got, 1)
	assert.Equal(t, http.MethodPut, got[0].Method)
	assert.Equal(t, "/v2/gen-ai/indexing_jobs/"+id+"/cancel", got[0].RawPath)
	assert.Equal(t, "Bearer "+testToken, got[0].Header.Get("Authorization"))
	assert.Equal(t, "application/json", got[0].Header.Get("Content-Type"))
	assert.JSONEq(t, rec.Request.Body, got[0].Body)
}

func jobIDFromURL(t *testing.T, u string) string {
	t.Helper()
	const prefix = "https://api.digitalocean.com/v2/gen-ai/indexing_jobs/"
	require.GreaterOrEqual(t, len(u), len(prefix)+36)
	require.Equal(t, prefix, u[:len(prefix)])
	return u[len(prefix) : len(prefix)+36]
}

// referenceJob is the example of the API reference page, field by field.
var referenceJob = indexingjobs.IndexingJob{
	CompletedDatasources: 123,
	CreatedAt:            ts("2023-01-01T00:00:00Z"),
	DataSourceUUIDs:      []string{"example string"},
	FinishedAt:           ts("2023-01-01T00:00:00Z"),
	KnowledgeBaseUUID:    "123e4567-e89b-12d3-a456-426614174000",
	Phase:                indexingjobs.PhaseUnknown,
	StartedAt:            ts("2023-01-01T00:00:00Z"),
	Status:               indexingjobs.StatusUnknown,
	Tokens:               123,
	TotalDatasources:     123,
	TotalItemsFailed:     u64(12345),
	TotalItemsIndexed:    u64(12345),
	TotalItemsSkipped:    u64(12345),
	UpdatedAt:            ts("2023-01-01T00:00:00Z"),
	UUID:                 "123e4567-e89b-12d3-a456-426614174000",
}

// runningJob is the job of the get_indexing_job cassette, captured from
// the fake stocked with optest.Canonical: half done, its first data
// source indexed.
var runningJob = indexingjobs.IndexingJob{
	CompletedDatasources: 1,
	CreatedAt:            ts("2026-11-02T08:21:03Z"),
	DataSourceJobs: []indexingjobs.IndexedDataSource{
		{
			CompletedAt:       ts("2026-11-02T08:22:03Z"),
			DataSourceUUID:    dsA,
			IndexedFileCount:  u64(40),
			IndexedItemCount:  u64(812),
			SkippedItemCount:  u64(3),
			StartedAt:         ts("2026-11-02T08:21:03Z"),
			Status:            indexingjobs.DataSourceStatusUpdated,
			TotalBytes:        u64(10485760),
			TotalBytesIndexed: u64(10485760),
			TotalFileCount:    u64(40),
		},
		{
			DataSourceUUID: dsB,
			StartedAt:      ts("2026-11-02T08:21:03Z"),
			Status:         indexingjobs.DataSourceStatusInProgress,
		},
	},
	DataSourceUUIDs:   []string{dsA, dsB},
	KnowledgeBaseUUID: kbID,
	Phase:             indexingjobs.PhaseRunning,
	StartedAt:         ts("2026-11-02T08:21:03Z"),
	Status:            indexingjobs.StatusInProgress,
	TotalDatasources:  2,
	TotalItemsIndexed: u64(812),
	TotalItemsSkipped: u64(3),
	TotalTokens:       u64(math.MaxUint64),
	UpdatedAt:         ts("2026-11-02T09:21:03Z"),
	UUID:              jobID,
}

// cancelledJob is the job of the cancel_indexing_job cassette: runningJob
// cancelled, its data source in progress cancelled with it.
var cancelledJob = func() indexingjobs.IndexingJob {
	job := runningJob
	job.DataSourceJobs = slices.Clone(job.DataSourceJobs)
	job.DataSourceJobs[1].Status = indexingjobs.DataSourceStatusCancelled
	job.Phase, job.Status, job.FinishedAt = indexingjobs.PhaseCancelled, indexingjobs.StatusCancelled, job.UpdatedAt
	return job
}()

// TestCancelKeepsUnknownValues: values the spec does not know decode and
// stay visible.
func TestCancelKeepsUnknownValues(t *testing.T) {
	srv := newReplayServer(t, loadRecording(t, "cancel_unknown_values"))
	job, err := newClient(t, srv.URL).CancelIndexingJob(context.Background(), jobID)
	require.NoError(t, err)

	assert.Equal(t, indexingjobs.Phase("BATCH_JOB_PHASE_PAUSED"), job.Phase)
	assert.False(t, job.Phase.Known())
	assert.False(t, job.Phase.Terminal())
	assert.Equal(t, indexingjobs.Status("INDEX_JOB_STATUS_QUEUED"), job.Status)
	assert.False(t, job.Status.Known())
	require.Len(t, job.DataSourceJobs, 1)
	assert.Equal(t, indexingjobs.DataSourceStatus("DATA_SOURCE_STATUS_THROTTLED"), job.DataSourceJobs[0].Status)
	assert.Equal(t, u64(812), job.TotalItemsIndexed, "a bare JSON number is accepted for a uint64 count")
	assert.Equal(t, jobID, job.UUID)
	assert.True(t, job.CreatedAt.IsZero(), "a field left out is zero")
}

// TestJobJSONRoundTrip: encoding a decoded job gives back the recorded JSON
// less its zero values (zero and absent are one in the model), no other
// field lost and none invented; decoding that again gives the same job.
func TestJobJSONRoundTrip(t *testing.T) {
	for _, name := range []string{"cancel_reference", "cancel_indexing_job", "get_indexing_job"} {
		t.Run(name, func(t *testing.T) {
			body := loadRecording(t, name).Response.Body
			var out gen.CancelIndexingJobOutput
			require.NoError(t, json.Unmarshal([]byte(body), &out))
			again, err := json.Marshal(out)
			require.NoError(t, err)
			var recorded, encoded map[string]any
			require.NoError(t, json.Unmarshal([]byte(body), &recorded))
			require.NoError(t, json.Unmarshal(again, &encoded))
			assert.Equal(t, withoutZeros(recorded), encoded)

			var back gen.CancelIndexingJobOutput
			require.NoError(t, json.Unmarshal(again, &back))
			assert.Equal(t, out, back)
		})
	}
}

// withoutZeros drops the keys whose values are zero: 0, "0", "", false,
// and the objects and lists left empty.
func withoutZeros(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range v {
			if e = withoutZeros(e); e != nil {
				out[k] = e
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	case []any:
		var out []any
		for _, e := range v {
			if e = withoutZeros(e); e != nil {
				out = append(out, e)
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	case float64, string, bool:
		if v == float64(0) || v == "0" || v == "" || v == false {
			return nil
		}
	}
	return v
}

func TestJobDecodeErrorNamesBadCount(t *testing.T) {
	var out gen.CancelIndexingJobOutput
	err := json.Unmarshal([]byte(`{"job":{"uuid":"x","total_items_skipped":"-3"}}`), &out)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "total_items_skipped")
	assert.Contains(t, err.Error(), `"-3"`)
}

func TestCancelSendsTheRecordedRequestAndDecodes(t *testing.T) {
	for name, want := range map[string]indexingjobs.IndexingJob{"cancel_reference": referenceJob, "cancel_indexing_job": cancelledJob} {
		t.Run(name, func(t *testing.T) {
			rec := loadRecording(t, name)
			srv := newReplayServer(t, rec)
			id := jobIDFromURL(t, rec.Request.URL)
			job, err := newClient(t, srv.URL).CancelIndexingJob(context.Background(), id)
			require.NoError(t, err)
			assert.Equal(t, want, *job)

			got := srv.requests()
			assertSentCancel(t, got, rec, id)
			assert.Equal(t, "application/json", got[0].Header.Get("Accept"))
			assert.Equal(t, "indexingjobs-go/"+indexingjobs.Version, got[0].Header.Get("User-Agent"))
		})
	}
}

func TestGetDecodesRecordedJob(t *testing.T) {
	rec := loadRecording(t, "get_indexing_job")
	srv := newReplayServer(t, rec)
	c := newClient(t, srv.URL)
	job, err := c.GetIndexingJob(context.Background(), jobID)
	require.NoError(t, err)
	assert.Equal(t, runningJob, *job)
	assert.Equal(t, indexingjobs.PhaseRunning, job.Phase)
	got := srv.requests()
	require.Len(t, got, 1)
	assert.Equal(t, http.MethodGet, got[0].Method)
	assert.Equal(t, "/v2/gen-ai/indexing_jobs/"+jobID, got[0].RawPath)
	assert.Equal(t, recordedRateLimit(t, rec), c.RateLimit())
}

func TestSuccessWithoutAJobIsAnError(t *testing.T) {
	for body, want := range map[string]string{
		`<html>oops</html>`:       "does not decode",
		`{"job":"cancelled"}`:     "does not decode",
		`{}`:                      "has no job",
		`{"job":{"tokens":"x"}}`:  "job.tokens",
		`{"job":{"phase":12}}`:    "job.phase",
		`{"job":{"uuid":"a"}} {}`: "does not decode",
	} {
		t.Run(body, func(t *testing.T) {
			srv := newScripted(t, respond(200, body))
			_, err := newClient(t, srv.URL).CancelIndexingJob(context.Background(), jobID)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "200 OK")
			assert.Contains(t, err.Error(), want)
		})
	}
}

func TestAnswerAboutAnotherJobIsAnError(t *testing.T) {
	srv := newScripted(t, respond(200, `{"job":{"uuid":"`+unknownID+`","phase":"BATCH_JOB_PHASE_CANCELLED"}}`))
	client := newClient(t, srv.URL)
	for name, call := range map[string]func() (*indexingjobs.IndexingJob, error){
		"cancel": func() (*indexingjobs.IndexingJob, error) {
			return client.CancelIndexingJob(context.Background(), jobID)
		},
		"get": func() (*indexingjobs.IndexingJob, error) { return client.GetIndexingJob(context.Background(), jobID) },
	} {
		job, err := call()
		require.Error(t, err, name)
		assert.Nil(t, job)
		assert.Contains(t, err.Error(), unknownID, name)
	}
	same := newScripted(t, respond(200, jobBody(cancelled)))
	job, err := newClient(t, same.URL).CancelIndexingJob(context.Background(), strings.ToUpper(jobID))
	require.NoError(t, err, "case aside")
	assert.Equal(t, jobID, job.UUID)
}

func TestPhases(t *testing.T) {
	for p, want := range map[indexingjobs.Phase]bool{
		indexingjobs.PhaseSucceeded: true, indexingjobs.PhaseFailed: true, indexingjobs.PhaseError: true, indexingjobs.PhaseCancelled: true,
		indexingjobs.PhaseUnknown: false, indexingjobs.PhasePending: false, indexingjobs.PhaseRunning: false, "BATCH_JOB_PHASE_PAUSED": false,
	} {
		assert.Equal(t, want, p.Terminal(), p)
	}
	var absent indexingjobs.Phase
	assert.False(t, absent.Known(), "a phase the API left out")
	assert.Equal(t, "BATCH_JOB_PHASE_UNKNOWN", absent.String())
	assert.True(t, indexingjobs.PhaseRunning.Known())
	assert.False(t, indexingjobs.Phase("BATCH_JOB_PHASE_PAUSED").Known())
	assert.Equal(t, "BATCH_JOB_PHASE_PAUSED", indexingjobs.Phase("BATCH_JOB_PHASE_PAUSED").String(), "kept as it came")
	assert.True(t, indexingjobs.StatusCancelled.Known())
	assert.False(t, indexingjobs.Status("INDEX_JOB_STATUS_PAUSED").Known())
	assert.True(t, indexingjobs.DataSourceStatusCancelled.Known())
	assert.False(t, indexingjobs.DataSourceStatus("DATA_SOURCE_STATUS_X").Known())
}
