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
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/indexingjobstest"
	"github.com/gradient-go/indexingjobs/internal/gen"
	"github.com/gradient-go/indexingjobs/internal/optest"
)

// stocked starts a fake, as newFake, holding optest.Canonical, on which
// every row of the registry succeeds.
func stocked(t *testing.T, opts ...indexingjobstest.Option) (*indexingjobstest.Server, *indexingjobs.Client) {
	t.Helper()
	srv, client := newFake(t, opts...)
	optest.Stock(srv, optest.Canonical)
	return srv, client
}

// call makes row's call through c on the fixture's ids.
func call(ctx context.Context, c *indexingjobs.Client, row optest.Row) error {
	return row.Call(ctx, c, optest.Canonical.Of(row.On)...)
}

// TestOperationsCoverTheSpec: the fake's generated server interface, which
// it must implement to build, has a method for each operation of the spec
// (gen.Operations), and the registry the suites below range over has a
// row for each.
func TestOperationsCoverTheSpec(t *testing.T) {
	assert.Equal(t, len(gen.Operations), reflect.TypeFor[gen.StrictServerInterface]().NumMethod(),
		"gen.StrictServerInterface and gen.Operations come from one spec")
	assert.Len(t, optest.Rows, len(gen.Operations), "a row of internal/optest for each operation")
}

func TestEveryOperationSucceeds(t *testing.T) {
	for _, row := range optest.Rows {
		t.Run(row.Op.ID, func(t *testing.T) {
			srv, client := stocked(t)
			assert.NoError(t, call(context.Background(), client, row))
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
	for _, row := range optest.Rows {
		for _, f := range faults {
			t.Run(row.Op.ID+"/"+f.name, func(t *testing.T) {
				srv, _ := stocked(t)
				client, err := srv.NewClient(indexingjobs.WithMaxRetries(0))
				require.NoError(t, err)
				srv.InjectFaults(1, f.fault)
				start := time.Now()
				err = call(ctx, client, row)
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
				if f.status != 200 { // a call that succeeded may not succeed twice (a create, a delete)
					assert.NoError(t, call(ctx, client, row), "one fault, one request")
				}
			})
		}
	}
}

func TestWrongTokenOnEveryOperation(t *testing.T) {
	ctx := context.Background()
	for _, row := range optest.Rows {
		t.Run(row.Op.ID, func(t *testing.T) {
			srv, right := stocked(t, indexingjobstest.WithToken("right"))
			before, err := right.ListKnowledgeBaseIndexingJobs(ctx, optest.Canonical.KnowledgeBase)
			require.NoError(t, err)
			for _, token := range []string{"wrong", "Right", "righ"} {
				client, err := srv.NewClient(indexingjobs.WithToken(token))
				require.NoError(t, err)
				err = call(ctx, client, row)
				var apiErr *indexingjobs.APIError
				require.ErrorAs(t, err, &apiErr, token)
				assert.Equal(t, 401, apiErr.StatusCode)
				assert.Equal(t, "unauthorized", apiErr.ID)
				assert.Equal(t, "Unable to authenticate you.", apiErr.Message)
				assert.NotEmpty(t, apiErr.RequestID)
			}
			after, err := right.ListKnowledgeBaseIndexingJobs(ctx, optest.Canonical.KnowledgeBase)
			require.NoError(t, err)
			assert.Equal(t, before, after, "no job was started, none changed")
			job, _ := srv.Job(optest.Canonical.RunningJob)
			assert.Equal(t, indexingjobs.PhaseRunning, job.Phase, "no job was cancelled")
		})
	}
}

// TestTokenIsCheckedBeforeTheBody: a request without the token is refused
// before its body is read, whatever the body.
func TestTokenIsCheckedBeforeTheBody(t *testing.T) {
	srv, _ := stocked(t)
	start, cancel := &gen.GenaiCreateIndexingJobOperation, &gen.GenaiCancelIndexingJobOperation
	startPath, cancelPath := optest.Path(start, ""), optest.Path(cancel, optest.Canonical.RunningJob)
	for _, c := range []struct{ method, path, body string }{
		{start.Method, startPath, `{"knowledge_base_uuid":`},
		{start.Method, startPath, "not json"},
		{cancel.Method, cancelPath, `{"uuid":`},
		{cancel.Method, cancelPath, strings.Repeat("x", 100<<10)},
	} {
		resp, body := send(t, srv, c.method, c.path, "wrong", c.body)
		assert.Equal(t, 401, resp.StatusCode, "%s %s %.20q", c.method, c.path, c.body)
		assert.Equal(t, "unauthorized", errorBody(t, body).ID)
	}

	// 8 MiB announced, none of it sent: the answer comes all the same, so
	// the fake read none of it.
	for _, token := range []string{"wrong", srv.Token()} {
		conn := dial(t, srv.URL)
		fmt.Fprintf(conn, "%s %s HTTP/1.1\r\nHost: fake\r\nAuthorization: Bearer %s\r\n"+
			"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n{\"knowledge_base_uuid\":", start.Method, startPath, token, 8<<20)
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
	srv, _ := stocked(t)
	job := optest.Canonical.RunningJob
	cancel := &gen.GenaiCancelIndexingJobOperation
	cancelPath := optest.Path(cancel, job)
	big := `{"uuid":"` + job + `","padding":"` + strings.Repeat("x", 4<<20) + `"}`

	resp, body := send(t, srv, cancel.Method, cancelPath, srv.Token(), big)
	assert.Equal(t, 413, resp.StatusCode, "a length over 4 MiB")
	e := errorBody(t, body)
	assert.Equal(t, "request_entity_too_large", e.ID)
	assert.Equal(t, resp.Header.Get("x-request-id"), e.RequestID)

	// No length said (chunked): the reading stops at the cap.
	req, err := http.NewRequest(cancel.Method, srv.URL+cancelPath, io.MultiReader(strings.NewReader(big)))
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

	got, _ := srv.Job(job)
	assert.Equal(t, indexingjobs.PhaseRunning, got.Phase, "refused requests changed nothing")

	under := `{"uuid":"` + job + `","padding":"` + strings.Repeat("x", 60<<10) + `"}`
	resp, body = send(t, srv, cancel.Method, cancelPath, srv.Token(), under)
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
