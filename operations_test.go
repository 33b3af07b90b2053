package indexingjobs_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	indexingjobs "github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/internal/optest"
)

// Tests of every operation as the client sends it: the registry's
// (internal/optest) against the answers recorded for them, and what each
// method puts in its request's body and query.

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
			ids := optest.Canonical.Of(row.On)
			require.NoError(t, row.Call(ctx, newClient(t, srv.URL), ids...))
			got := seen()
			require.Len(t, got, 1)
			assert.Equal(t, row.Op.Method, got[0].method)
			assert.Equal(t, optest.Path(row.Op, ids...), got[0].path)
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
	checkBodies(t, []bodyCase{
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
	})
}

// bodyCase is a call of a method, the answer it gets, the query and body
// it must send, and a check of what it returns (nil for none).
type bodyCase struct {
	name, answer string
	call         func(*indexingjobs.Client) (any, error)
	query, body  string
	check        func(t *testing.T, got any)
}

// checkBodies makes each call against a server that answers its answer,
// and checks the one request it sends and what it returns.
func checkBodies(t *testing.T, cases []bodyCase) {
	for _, tc := range cases {
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
