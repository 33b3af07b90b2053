package indexingjobs_test

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gradient-go/indexingjobs/gen"
	"github.com/gradient-go/indexingjobs/wire"
)

const testToken = "dop_v1_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func ptr[T any](v T) *T { return &v }

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func u64(v uint64) wire.Uint64 { return wire.Uint64(v) }

// genClient is the generated client pointed at a replay server, sending the
// token the way the root package does.
func genClient(t *testing.T, url string) *gen.ClientWithResponses {
	t.Helper()
	c, err := gen.NewClientWithResponses(url, gen.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
		req.Header.Set("Authorization", "Bearer "+testToken)
		return nil
	}))
	require.NoError(t, err)
	return c
}

// cancelRecorded replays a cancel cassette through the generated client and
// checks the request the client sent against the recorded one.
func cancelRecorded(t *testing.T, name string) (*gen.GenaiCancelIndexingJobResponse, recording) {
	t.Helper()
	rec := loadRecording(t, name)
	srv := newReplayServer(t, rec)
	id := jobIDFromURL(t, rec.Request.URL)

	resp, err := genClient(t, srv.URL).GenaiCancelIndexingJobWithResponse(context.Background(), id,
		gen.APICancelKnowledgeBaseIndexingJobInputPublic{UUID: id})
	require.NoError(t, err)

	assertSentCancel(t, srv.requests(), rec, id)
	return resp, rec
}

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
var referenceJob = gen.APIIndexingJob{
	CompletedDatasources: 123,
	CreatedAt:            ts("2023-01-01T00:00:00Z"),
	DataSourceUUIDs:      []string{"example string"},
	FinishedAt:           ts("2023-01-01T00:00:00Z"),
	KnowledgeBaseUUID:    "123e4567-e89b-12d3-a456-426614174000",
	Phase:                wire.PhaseUnknown,
	StartedAt:            ts("2023-01-01T00:00:00Z"),
	Status:               wire.StatusUnknown,
	Tokens:               123,
	TotalDatasources:     123,
	TotalItemsFailed:     u64(12345),
	TotalItemsIndexed:    u64(12345),
	TotalItemsSkipped:    u64(12345),
	UpdatedAt:            ts("2023-01-01T00:00:00Z"),
	UUID:                 "123e4567-e89b-12d3-a456-426614174000",
}

// cancelledJob is the job of the cancel_cancelled and get_cancelled cassettes.
var cancelledJob = gen.APIIndexingJob{
	CompletedDatasources: 1,
	CreatedAt:            ts("2026-11-02T09:14:05Z"),
	DataSourceJobs: []gen.APIIndexedDataSource{
		{
			CompletedAt:       ts("2026-11-02T09:19:55Z"),
			DataSourceUUID:    "9758a232-b351-4d0a-9e20-2b8a8f3a5a1c",
			FailedItemCount:   u64(0),
			IndexedFileCount:  u64(40),
			IndexedItemCount:  u64(812),
			RemovedItemCount:  u64(0),
			SkippedItemCount:  u64(3),
			StartedAt:         ts("2026-11-02T09:14:07Z"),
			Status:            wire.DataSourceStatusUpdated,
			TotalBytes:        u64(10485760),
			TotalBytesIndexed: u64(10485760),
			TotalFileCount:    u64(40),
		},
		{
			DataSourceUUID: "2f1c5e9a-4b7d-4f3e-8c6a-1d2e3f4a5b6c",
			StartedAt:      ts("2026-11-02T09:19:56Z"),
			Status:         wire.DataSourceStatusCancelled,
		},
	},
	DataSourceUUIDs:   []string{"9758a232-b351-4d0a-9e20-2b8a8f3a5a1c", "2f1c5e9a-4b7d-4f3e-8c6a-1d2e3f4a5b6c"},
	FinishedAt:        ts("2026-11-02T09:21:03Z"),
	IsReportAvailable: false,
	KnowledgeBaseUUID: "123e4567-e89b-12d3-a456-426614174000",
	Phase:             wire.PhaseCancelled,
	StartedAt:         ts("2026-11-02T09:14:07Z"),
	Status:            wire.StatusCancelled,
	TotalDatasources:  2,
	TotalItemsFailed:  u64(0),
	TotalItemsIndexed: u64(812),
	TotalItemsRemoved: u64(0),
	TotalItemsSkipped: u64(3),
	TotalTokens:       u64(math.MaxUint64),
	UpdatedAt:         ts("2026-11-02T09:21:03Z"),
	UUID:              "7d1b3a0e-5c44-4b8e-9a51-0f6c2e8d9b17",
}

func TestGeneratedCancelDecodesReferenceExample(t *testing.T) {
	resp, rec := cancelRecorded(t, "cancel_reference")
	require.Equal(t, http.StatusOK, resp.StatusCode())
	require.NotNil(t, resp.JSON200)
	assert.Equal(t, referenceJob, resp.JSON200.Job)

	require.NotNil(t, resp.Headers200)
	assert.Equal(t, 5000, resp.Headers200.RatelimitLimit)
	assert.Equal(t, 4999, resp.Headers200.RatelimitRemaining)
	assert.Equal(t, 1795948800, resp.Headers200.RatelimitReset)
	assert.Equal(t, rec.Response.Headers["X-Request-Id"][0], resp.Headers200.XRequestID)
}

func TestGeneratedCancelDecodesCancelledJob(t *testing.T) {
	resp, _ := cancelRecorded(t, "cancel_cancelled")
	require.NotNil(t, resp.JSON200)
	assert.Equal(t, cancelledJob, resp.JSON200.Job)
	assert.Equal(t, uint64(math.MaxUint64), uint64(resp.JSON200.Job.TotalTokens), "uint64 max must stay exact")
}

func TestGeneratedGetDecodesCancelledJob(t *testing.T) {
	rec := loadRecording(t, "get_cancelled")
	srv := newReplayServer(t, rec)
	id := jobIDFromURL(t, rec.Request.URL)

	resp, err := genClient(t, srv.URL).GenaiGetIndexingJobWithResponse(context.Background(), id)
	require.NoError(t, err)
	got := srv.requests()
	require.Len(t, got, 1)
	assert.Equal(t, http.MethodGet, got[0].Method)
	assert.Equal(t, "/v2/gen-ai/indexing_jobs/"+id, got[0].RawPath)
	assert.Equal(t, "Bearer "+testToken, got[0].Header.Get("Authorization"))
	assert.Empty(t, got[0].Body)

	require.NotNil(t, resp.JSON200)
	assert.Equal(t, cancelledJob, resp.JSON200.Job)
}

func TestGeneratedCancelDecodesErrors(t *testing.T) {
	tests := []struct {
		cassette   string
		status     int
		id         string
		message    string
		remaining  int
		retryAfter int
		body       func(*gen.GenaiCancelIndexingJobResponse) *gen.Error
	}{
		{"cancel_unauthorized", 401, "unauthorized", "Unable to authenticate you.", 4996, 0,
			func(r *gen.GenaiCancelIndexingJobResponse) *gen.Error { return r.JSON401 }},
		{"cancel_not_found", 404, "not_found", "The resource you requested could not be found.", 4995, 0,
			func(r *gen.GenaiCancelIndexingJobResponse) *gen.Error { return r.JSON404 }},
		{"cancel_rate_limited", 429, "too_many_requests", "API rate limit exceeded.", 0, 30,
			func(r *gen.GenaiCancelIndexingJobResponse) *gen.Error { return r.JSON429 }},
		{"cancel_server_error", 500, "server_error", "Unexpected server-side error", 4994, 0,
			func(r *gen.GenaiCancelIndexingJobResponse) *gen.Error { return r.JSON500 }},
	}
	for _, tt := range tests {
		t.Run(tt.cassette, func(t *testing.T) {
			resp, rec := cancelRecorded(t, tt.cassette)
			assert.Equal(t, tt.status, resp.StatusCode())
			assert.Nil(t, resp.JSON200)
			e := tt.body(resp)
			require.NotNil(t, e)
			requestID := rec.Response.Headers["X-Request-Id"][0]
			assert.Equal(t, gen.Error{ID: tt.id, Message: tt.message, RequestID: requestID}, *e)

			var limit, remaining, reset, retryAfter int
			var xRequestID string
			switch tt.status {
			case 401:
				h := resp.Headers401
				limit, remaining, reset, xRequestID = h.RatelimitLimit, h.RatelimitRemaining, h.RatelimitReset, h.XRequestID
			case 404:
				h := resp.Headers404
				limit, remaining, reset, xRequestID = h.RatelimitLimit, h.RatelimitRemaining, h.RatelimitReset, h.XRequestID
			case 429:
				h := resp.Headers429
				limit, remaining, reset, xRequestID, retryAfter = h.RatelimitLimit, h.RatelimitRemaining, h.RatelimitReset, h.XRequestID, h.RetryAfter
			case 500:
				h := resp.Headers500
				limit, remaining, reset, xRequestID = h.RatelimitLimit, h.RatelimitRemaining, h.RatelimitReset, h.XRequestID
			}
			assert.Equal(t, 5000, limit)
			assert.Equal(t, tt.remaining, remaining)
			assert.Equal(t, 1795948800, reset)
			assert.Equal(t, requestID, xRequestID)
			assert.Equal(t, tt.retryAfter, retryAfter)
		})
	}
}

func TestGeneratedCancelKeepsHTMLErrorFromProxy(t *testing.T) {
	resp, rec := cancelRecorded(t, "cancel_bad_gateway")
	assert.Equal(t, http.StatusBadGateway, resp.StatusCode())
	assert.Equal(t, "text/html", resp.ContentType())
	assert.Nil(t, resp.JSON200)
	assert.Nil(t, resp.JSONDefault, "an HTML page is not the JSON error body")
	assert.Equal(t, rec.Response.Body, string(resp.Body))
}

func TestGeneratedCancelKeepsUnknownEnumValues(t *testing.T) {
	resp, _ := cancelRecorded(t, "cancel_unknown_values")
	require.NotNil(t, resp.JSON200)
	job := resp.JSON200.Job

	assert.Equal(t, gen.APIBatchJobPhase("BATCH_JOB_PHASE_PAUSED"), job.Phase)
	assert.False(t, job.Phase.Known())
	assert.Equal(t, gen.APIIndexJobStatus("INDEX_JOB_STATUS_QUEUED"), job.Status)
	assert.False(t, job.Status.Known())
	require.Len(t, job.DataSourceJobs, 1)
	assert.Equal(t, gen.APIIndexedDataSourceStatus("DATA_SOURCE_STATUS_THROTTLED"), job.DataSourceJobs[0].Status)
	assert.Equal(t, u64(812), job.TotalItemsIndexed, "a bare JSON number is accepted for a uint64 count")
	assert.Equal(t, "7d1b3a0e-5c44-4b8e-9a51-0f6c2e8d9b17", job.UUID)
	assert.True(t, job.CreatedAt.IsZero(), "a field left out is zero")
}

// TestJobJSONRoundTrip: encoding a decoded job gives back the recorded JSON
// less its zero values (zero and absent are one in the model), no other
// field lost and none invented; decoding that again gives the same job.
func TestJobJSONRoundTrip(t *testing.T) {
	for _, name := range []string{"cancel_reference", "cancel_cancelled", "get_cancelled"} {
		t.Run(name, func(t *testing.T) {
			body := loadRecording(t, name).Response.Body
			var out gen.APICancelKnowledgeBaseIndexingJobOutput
			require.NoError(t, json.Unmarshal([]byte(body), &out))
			again, err := json.Marshal(out)
			require.NoError(t, err)
			var recorded, encoded map[string]any
			require.NoError(t, json.Unmarshal([]byte(body), &recorded))
			require.NoError(t, json.Unmarshal(again, &encoded))
			assert.Equal(t, withoutZeros(recorded), encoded)

			var back gen.APICancelKnowledgeBaseIndexingJobOutput
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
	var out gen.APICancelKnowledgeBaseIndexingJobOutput
	err := json.Unmarshal([]byte(`{"job":{"uuid":"x","total_items_skipped":"-3"}}`), &out)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "total_items_skipped")
	assert.Contains(t, err.Error(), `"-3"`)
}
