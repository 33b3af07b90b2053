package indexingjobstest_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/gen"
	"github.com/gradient-go/indexingjobs/indexingjobstest"
)

// fixture is what the operations below act on: a knowledge base with two
// data sources and a running job of it.
type fixture struct{ kb, job string }

func newFixture(srv *indexingjobstest.Server) fixture {
	kb := indexingjobstest.NewKnowledgeBase(2)
	srv.AddKnowledgeBase(kb)
	job := indexingjobstest.NewJob(indexingjobs.PhaseRunning)
	job.KnowledgeBaseUUID, job.DataSourceUUIDs = kb.UUID, kb.DataSourceUUIDs[:1]
	return fixture{kb: kb.UUID, job: srv.AddJob(job)}
}

// operations are the API's operations, each named by its method of the
// generated server and called once through the root client. A new
// operation in the spec is a new row here; TestOperationsCoverTheSpec
// fails until it has one.
var operations = []struct {
	method string
	call   func(context.Context, *indexingjobs.Client, fixture) error
}{
	{"GenaiListIndexingJobs", func(ctx context.Context, c *indexingjobs.Client, f fixture) error {
		_, err := c.ListIndexingJobsPage(ctx, 1, 0)
		return err
	}},
	{"GenaiCreateIndexingJob", func(ctx context.Context, c *indexingjobs.Client, f fixture) error {
		_, err := c.StartIndexingJob(ctx, f.kb)
		return err
	}},
	{"GenaiGetIndexingJob", func(ctx context.Context, c *indexingjobs.Client, f fixture) error {
		_, err := c.GetIndexingJob(ctx, f.job)
		return err
	}},
	{"GenaiCancelIndexingJob", func(ctx context.Context, c *indexingjobs.Client, f fixture) error {
		_, err := c.CancelIndexingJob(ctx, f.job)
		return err
	}},
	{"GenaiListIndexingJobDataSources", func(ctx context.Context, c *indexingjobs.Client, f fixture) error {
		_, err := c.ListIndexingJobDataSources(ctx, f.job)
		return err
	}},
	{"GenaiGetIndexingJobDetailsSignedURL", func(ctx context.Context, c *indexingjobs.Client, f fixture) error {
		_, err := c.IndexingJobDetailsURL(ctx, f.job)
		return err
	}},
	{"GenaiListIndexingJobsByKnowledgeBase", func(ctx context.Context, c *indexingjobs.Client, f fixture) error {
		_, err := c.ListKnowledgeBaseIndexingJobs(ctx, f.kb)
		return err
	}},
}

func TestOperationsCoverTheSpec(t *testing.T) {
	iface := reflect.TypeFor[gen.StrictServerInterface]()
	var spec, rows []string
	for i := range iface.NumMethod() {
		spec = append(spec, iface.Method(i).Name)
	}
	for _, op := range operations {
		rows = append(rows, op.method)
	}
	slices.Sort(rows)
	assert.Equal(t, spec, rows, "one row of operations for each operation of the spec")
}

func TestEveryOperationSucceeds(t *testing.T) {
	for _, op := range operations {
		t.Run(op.method, func(t *testing.T) {
			srv, client := newFake(t)
			assert.NoError(t, op.call(context.Background(), client, newFixture(srv)))
			assert.Equal(t, 1, srv.Requests())
		})
	}
}

// TestEveryFaultOnEveryOperation: each fault answers the next request,
// whatever its operation, once.
func TestEveryFaultOnEveryOperation(t *testing.T) {
	faults := []struct {
		name   string
		fault  indexingjobstest.Fault
		status int
		check  func(t *testing.T, e *indexingjobs.APIError)
	}{
		{"429", indexingjobstest.RateLimited(1500 * time.Millisecond), 429, func(t *testing.T, e *indexingjobs.APIError) {
			assert.Equal(t, "too_many_requests", e.ID)
			assert.Equal(t, 2*time.Second, e.RetryAfter, "rounded up to whole seconds")
		}},
		{"500", indexingjobstest.ServerError(), 500, func(t *testing.T, e *indexingjobs.APIError) {
			assert.Equal(t, "server_error", e.ID)
			assert.Equal(t, "Unexpected server-side error", e.Message)
		}},
		{"502", indexingjobstest.BadGateway(), 502, func(t *testing.T, e *indexingjobs.APIError) {
			assert.Empty(t, e.ID, "a proxy's page, not the API's JSON")
			assert.Equal(t, "502 Bad Gateway", e.Message)
		}},
		{"delay", indexingjobstest.Delay(40 * time.Millisecond), 200, nil},
	}
	ctx := context.Background()
	for _, op := range operations {
		for _, f := range faults {
			t.Run(op.method+"/"+f.name, func(t *testing.T) {
				srv, _ := newFake(t)
				client, err := srv.NewClient(indexingjobs.WithMaxRetries(0))
				require.NoError(t, err)
				fix := newFixture(srv)
				srv.InjectFaults(1, f.fault)
				start := time.Now()
				err = op.call(ctx, client, fix)
				if f.status == 200 {
					require.NoError(t, err)
					assert.GreaterOrEqual(t, time.Since(start), 40*time.Millisecond)
				} else {
					var apiErr *indexingjobs.APIError
					require.ErrorAs(t, err, &apiErr)
					assert.Equal(t, f.status, apiErr.StatusCode)
					assert.NotEmpty(t, apiErr.RequestID, "the x-request-id header")
					f.check(t, apiErr)
				}
				assert.Equal(t, 1, srv.Requests())
				assert.NoError(t, op.call(ctx, client, fix), "one fault, one request")
			})
		}
	}
}

func TestWrongTokenOnEveryOperation(t *testing.T) {
	for _, op := range operations {
		t.Run(op.method, func(t *testing.T) {
			srv := indexingjobstest.NewServer(indexingjobstest.WithToken("right"))
			defer srv.Close()
			fix := newFixture(srv)
			for _, token := range []string{"wrong", "Right", "righ"} {
				client, err := srv.NewClient(indexingjobs.WithToken(token))
				require.NoError(t, err)
				err = op.call(context.Background(), client, fix)
				var apiErr *indexingjobs.APIError
				require.ErrorAs(t, err, &apiErr, token)
				assert.Equal(t, 401, apiErr.StatusCode)
				assert.Equal(t, "unauthorized", apiErr.ID)
				assert.Equal(t, "Unable to authenticate you.", apiErr.Message)
				assert.NotEmpty(t, apiErr.RequestID)
			}
			jobs, err := srv.NewClient()
			require.NoError(t, err)
			kbJobs, err := jobs.ListKnowledgeBaseIndexingJobs(context.Background(), fix.kb)
			require.NoError(t, err)
			assert.Len(t, kbJobs, 1, "no job was started")
			job, _ := srv.Job(fix.job)
			assert.Equal(t, indexingjobs.PhaseRunning, job.Phase, "no job was cancelled")
		})
	}
}

// TestTokenIsCheckedBeforeTheBody: a request without the token is refused
// before its body is read, whatever the body.
func TestTokenIsCheckedBeforeTheBody(t *testing.T) {
	srv, _ := newFake(t)
	fix := newFixture(srv)
	for _, c := range []struct{ method, path, body string }{
		{"POST", "/v2/gen-ai/indexing_jobs", `{"knowledge_base_uuid":`},
		{"POST", "/v2/gen-ai/indexing_jobs", "not json"},
		{"PUT", "/v2/gen-ai/indexing_jobs/" + fix.job + "/cancel", `{"uuid":`},
		{"PUT", "/v2/gen-ai/indexing_jobs/" + fix.job + "/cancel", strings.Repeat("x", 100<<10)},
	} {
		resp, body := send(t, srv, c.method, c.path, "wrong", c.body)
		assert.Equal(t, 401, resp.StatusCode, "%s %s %.20q", c.method, c.path, c.body)
		assert.Equal(t, "unauthorized", errorBody(t, body).ID)
	}

	// 1 MiB announced, none of it sent: the answer comes all the same, so
	// the fake read none of it.
	for _, token := range []string{"wrong", srv.Token()} {
		conn := dial(t, srv.URL)
		fmt.Fprintf(conn, "POST /v2/gen-ai/indexing_jobs HTTP/1.1\r\nHost: fake\r\nAuthorization: Bearer %s\r\n"+
			"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n{\"knowledge_base_uuid\":", token, 1<<20)
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		require.NoError(t, err, "an answer before the body is sent")
		body, _ := io.ReadAll(resp.Body)
		if token == "wrong" {
			assert.Equal(t, 401, resp.StatusCode)
		} else {
			assert.Equal(t, 413, resp.StatusCode, "too large for the cap, said by its length")
		}
		assert.True(t, resp.Close, "Connection: close: the rest of the body is not read but dropped")
		assert.NotEmpty(t, errorBody(t, string(body)).ID)
	}
}

func TestBodyCap(t *testing.T) {
	srv, _ := newFake(t)
	fix := newFixture(srv)
	cancelPath := "/v2/gen-ai/indexing_jobs/" + fix.job + "/cancel"
	big := `{"uuid":"` + fix.job + `","padding":"` + strings.Repeat("x", 64<<10) + `"}`

	resp, body := send(t, srv, "PUT", cancelPath, srv.Token(), big)
	assert.Equal(t, 413, resp.StatusCode, "a length over 64 KiB")
	e := errorBody(t, body)
	assert.Equal(t, "request_entity_too_large", e.ID)
	assert.Equal(t, resp.Header.Get("x-request-id"), e.RequestID)

	// No length said (chunked): the reading stops at the cap.
	req, err := http.NewRequest("PUT", srv.URL+cancelPath, io.MultiReader(strings.NewReader(big)))
	require.NoError(t, err)
	req.ContentLength = -1
	req.Header.Set("Authorization", "Bearer "+srv.Token())
	req.Header.Set("Content-Type", "application/json")
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, 413, resp.StatusCode)
	assert.Equal(t, "request_entity_too_large", errorBody(t, string(b)).ID)

	job, _ := srv.Job(fix.job)
	assert.Equal(t, indexingjobs.PhaseRunning, job.Phase, "refused requests changed nothing")

	under := `{"uuid":"` + fix.job + `","padding":"` + strings.Repeat("x", 60<<10) + `"}`
	resp, body = send(t, srv, "PUT", cancelPath, srv.Token(), under)
	assert.Equal(t, 200, resp.StatusCode, "a body under the cap: %.200s", body)
}

type apiErrorBody struct {
	ID        string `json:"id"`
	Message   string `json:"message"`
	RequestID string `json:"request_id"`
}

// errorBody decodes the API's error body, which must have an id and a
// message.
func errorBody(t *testing.T, body string) apiErrorBody {
	t.Helper()
	var e apiErrorBody
	require.NoError(t, json.Unmarshal([]byte(body), &e), "%.200s", body)
	assert.NotEmpty(t, e.ID, body)
	assert.NotEmpty(t, e.Message, body)
	return e
}

// dial opens a TCP connection to the server of base, closed when the test
// ends, whose reads give up after 5s.
func dial(t *testing.T, base string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(5*time.Second)))
	return conn
}
