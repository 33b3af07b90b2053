package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"

	"github.com/gradient-go/indexingjobs"
)

const cassetteDir = "../testdata/cassettes"

func init() {
	// The spec documents proxies' HTML error pages; read them as text.
	openapi3filter.RegisterBodyDecoder("text/html", openapi3filter.PlainBodyDecoder)
}

// invalidOnPurpose are recordings that break the spec deliberately: the client
// must still decode them.
var invalidOnPurpose = map[string]string{
	"cancel_unknown_values": "enum values and fields the spec does not know yet",
}

// validateInteraction checks one recorded request and response against the
// spec. The host is ignored: recordings made against a local server are
// routed as if sent to the API's server.
func validateInteraction(t testing.TB, doc *openapi3.T, router routers.Router, i *cassette.Interaction) error {
	t.Helper()
	_, err := validateExchange(t, doc, router, i, true)
	return err
}

// validateExchange routes one request to its operation and validates the
// request, if checkRequest, and the answer against the spec. It returns
// the operation's id.
func validateExchange(t testing.TB, doc *openapi3.T, router routers.Router, i *cassette.Interaction, checkRequest bool) (string, error) {
	t.Helper()
	req, err := http.NewRequest(i.Request.Method, i.Request.URL, strings.NewReader(i.Request.Body))
	require.NoError(t, err)
	req.URL.Scheme, req.URL.Host, req.Host = "https", "api.digitalocean.com", "api.digitalocean.com"
	req.Header = i.Request.Headers.Clone()
	req.Header.Set("Authorization", "Bearer scrubbed")

	route, params, err := router.FindRoute(req)
	require.NoError(t, err, "%s %s has no operation in the spec", i.Request.Method, i.Request.URL)
	in := &openapi3filter.RequestValidationInput{
		Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
	}
	if checkRequest {
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			return route.Operation.OperationID, fmt.Errorf("the request: %w", err)
		}
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 i.Response.Code,
		Header:                 i.Response.Headers,
		Body:                   io.NopCloser(bytes.NewReader([]byte(i.Response.Body))),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	return route.Operation.OperationID, openapi3filter.ValidateResponse(context.Background(), out)
}

func newRouter(t testing.TB, doc *openapi3.T) routers.Router {
	t.Helper()
	router, err := gorillamux.NewRouter(doc)
	require.NoError(t, err)
	return router
}

// cassetteFiles lists the recordings in testdata/cassettes by name.
func cassetteFiles(t testing.TB) map[string]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(cassetteDir, "*.yaml"))
	require.NoError(t, err)
	out := map[string]string{}
	for _, f := range files {
		out[strings.TrimSuffix(filepath.Base(f), ".yaml")] = strings.TrimSuffix(f, ".yaml")
	}
	return out
}

// loadCassette reads the only interaction of a recording.
func loadCassette(t testing.TB, path string) *cassette.Interaction {
	t.Helper()
	c, err := cassette.Load(path)
	require.NoError(t, err)
	require.Len(t, c.Interactions, 1, "%s: one interaction per cassette", path)
	return c.Interactions[0]
}

func TestRecordingsMatchSpec(t *testing.T) {
	doc := loadSpec(t)
	router := newRouter(t, doc)
	files := cassetteFiles(t)
	require.GreaterOrEqual(t, len(files), 17)
	for name, path := range files {
		t.Run(name, func(t *testing.T) {
			i := loadCassette(t, path)
			err := validateInteraction(t, doc, router, i)
			if why, ok := invalidOnPurpose[name]; ok {
				require.Error(t, err, "this recording holds %s; the spec must flag it", why)
				assert.Contains(t, err.Error(), "BATCH_JOB_PHASE_PAUSED")
				return
			}
			assert.NoError(t, err)
			assert.NotContains(t, i.Request.Headers, "Authorization", "recordings never hold a token")
		})
	}
}

// cassetteCoverage returns a line for every operation of doc that no
// recording among files validates against: routed to it by kin-openapi's
// router, request and answer as the spec says. Recordings invalid on
// purpose do not count.
func cassetteCoverage(t testing.TB, doc *openapi3.T, files map[string]string) []string {
	t.Helper()
	router := newRouter(t, doc)
	covered := map[string]bool{}
	for name, path := range files {
		if _, ok := invalidOnPurpose[name]; ok {
			continue
		}
		if id, ok := validOperation(t, doc, router, loadCassette(t, path)); ok {
			covered[id] = true
		}
	}
	return uncovered(doc, covered, "no recording in testdata/cassettes validates against it")
}

// validOperation returns the operation i is routed to, and whether i is
// valid for it.
func validOperation(t testing.TB, doc *openapi3.T, router routers.Router, i *cassette.Interaction) (string, bool) {
	t.Helper()
	req, err := http.NewRequest(i.Request.Method, i.Request.URL, nil)
	require.NoError(t, err)
	req.URL.Scheme, req.URL.Host = "https", "api.digitalocean.com"
	route, _, err := router.FindRoute(req)
	if err != nil {
		return "", false
	}
	return route.Operation.OperationID, validateInteraction(t, doc, router, i) == nil
}

// TestEveryOperationHasARecording: each operation of openapi.yaml has at
// least one recording that validates against it.
func TestEveryOperationHasARecording(t *testing.T) {
	doc := loadSpec(t)
	reportProblems(t, "openapi.yaml and testdata/cassettes", cassetteCoverage(t, doc, cassetteFiles(t)))
}

// TestCoverageNamesAnOperationWithoutARecording proves the failure message
// of TestEveryOperationHasARecording: without the recordings of one
// operation, or with an operation added to a copy of the spec, the lines
// name that operation and nothing else.
func TestCoverageNamesAnOperationWithoutARecording(t *testing.T) {
	files := cassetteFiles(t)
	without := map[string]string{}
	for name, path := range files {
		if name != "details_signed_url" {
			without[name] = path
		}
	}
	assert.Equal(t, []string{
		"genai_get_indexing_job_details_signed_url (GET /v2/gen-ai/indexing_jobs/{indexing_job_uuid}/details_signed_url): no recording in testdata/cassettes validates against it",
	}, cassetteCoverage(t, loadSpec(t), without))

	doc := specCopy(t, addBareOperation)
	assert.Equal(t, []string{
		"genai_delete_indexing_job (DELETE /v2/gen-ai/indexing_jobs/{uuid}): no recording in testdata/cassettes validates against it",
	}, cassetteCoverage(t, doc, files))
}

// replay answers one request with a recording's answer, after checking that
// the request is the recorded one: method, URL with its query in order,
// body byte for byte, and the headers the recorder keeps. The User-Agent is
// compared up to the client's version.
type replay struct {
	t testing.TB
	i *cassette.Interaction
}

func (r replay) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body.Close()
	}
	rec := r.i.Request
	assert.Equal(r.t, rec.Method, req.Method, "method")
	assert.Equal(r.t, rec.URL, req.URL.String(), "URL")
	assert.Equal(r.t, rec.Body, string(body), "body")
	for _, h := range []string{"Accept", "Content-Type"} {
		assert.Equal(r.t, rec.Headers.Values(h), req.Header.Values(h), "header %s", h)
	}
	ua, _, _ := strings.Cut(rec.Headers.Get("User-Agent"), "/")
	got, _, _ := strings.Cut(req.Header.Get("User-Agent"), "/")
	assert.Equal(r.t, ua, got, "User-Agent")
	resp := &http.Response{
		StatusCode: r.i.Response.Code, Status: r.i.Response.Status,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: r.i.Response.Headers.Clone(), Request: req,
		Body: io.NopCloser(strings.NewReader(r.i.Response.Body)), ContentLength: int64(len(r.i.Response.Body)),
	}
	return resp, nil
}

// uuidIn finds the UUIDs of a recorded URL's path, in order.
var uuidIn = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`)

// TestRecordingsAreWhatTheClientSends replays every recording through the
// root client: the call named for it must send exactly the recorded request
// and read the recorded answer (an *APIError of its status for an error).
// So the hand-written recordings hold the requests the client really makes,
// and a new recording must say which call makes it.
func TestRecordingsAreWhatTheClientSends(t *testing.T) {
	type call func(ctx context.Context, t *testing.T, c *indexingjobs.Client, i *cassette.Interaction) error
	cancel := func(ctx context.Context, t *testing.T, c *indexingjobs.Client, i *cassette.Interaction) error {
		_, err := c.CancelIndexingJob(ctx, uuidIn.FindString(i.Request.URL))
		return err
	}
	start := func(ctx context.Context, t *testing.T, c *indexingjobs.Client, i *cassette.Interaction) error {
		var in struct {
			KB  string   `json:"knowledge_base_uuid"`
			DSs []string `json:"data_source_uuids"`
		}
		require.NoError(t, json.Unmarshal([]byte(i.Request.Body), &in))
		job, err := c.StartIndexingJob(ctx, in.KB, in.DSs...)
		if err == nil {
			assert.Equal(t, indexingjobs.PhasePending, job.Phase)
		}
		return err
	}
	byKB := func(ctx context.Context, t *testing.T, c *indexingjobs.Client, i *cassette.Interaction) error {
		jobs, err := c.ListKnowledgeBaseIndexingJobs(ctx, uuidIn.FindString(i.Request.URL))
		if err == nil {
			assert.Len(t, jobs, 2)
		}
		return err
	}
	calls := map[string]call{
		"cancel_bad_gateway":    cancel,
		"cancel_cancelled":      cancel,
		"cancel_not_found":      cancel,
		"cancel_rate_limited":   cancel,
		"cancel_reference":      cancel,
		"cancel_server_error":   cancel,
		"cancel_unauthorized":   cancel,
		"cancel_unknown_values": cancel,
		"get_cancelled": func(ctx context.Context, t *testing.T, c *indexingjobs.Client, i *cassette.Interaction) error {
			_, err := c.GetIndexingJob(ctx, uuidIn.FindString(i.Request.URL))
			return err
		},
		"list_page_2": func(ctx context.Context, t *testing.T, c *indexingjobs.Client, i *cassette.Interaction) error {
			page, err := c.ListIndexingJobsPage(ctx, 2, 1)
			if err == nil {
				assert.Equal(t, [3]int{2, 3, 3}, [3]int{page.Page, page.Pages, page.Total}, "page, pages, total")
				assert.Len(t, page.Jobs, 1)
			}
			return err
		},
		"list_empty": func(ctx context.Context, t *testing.T, c *indexingjobs.Client, i *cassette.Interaction) error {
			// The cassette was written at the API's default page size; the
			// iterator's own default is now MaxPerPage.
			for job, err := range c.ListIndexingJobs(ctx, indexingjobs.WithPerPage(indexingjobs.DefaultPerPage)) {
				if err != nil {
					return err
				}
				t.Errorf("the empty list yielded job %s", job.UUID)
			}
			return nil
		},
		"start_pending":      start,
		"start_server_error": start,
		"data_sources": func(ctx context.Context, t *testing.T, c *indexingjobs.Client, i *cassette.Interaction) error {
			sources, err := c.ListIndexingJobDataSources(ctx, uuidIn.FindString(i.Request.URL))
			if err == nil {
				assert.Len(t, sources, 2)
			}
			return err
		},
		"details_signed_url": func(ctx context.Context, t *testing.T, c *indexingjobs.Client, i *cassette.Interaction) error {
			u, err := c.IndexingJobDetailsURL(ctx, uuidIn.FindString(i.Request.URL))
			if err == nil {
				assert.Equal(t, "genai-reports.example-storage.com", u.Host)
			}
			return err
		},
		"knowledge_base_jobs":           byKB,
		"knowledge_base_jobs_not_found": byKB,
	}
	files := cassetteFiles(t)
	assert.ElementsMatch(t, keys(files), keys(calls), "every recording needs the client call that sends it")
	for name, path := range files {
		call, ok := calls[name]
		if !ok {
			continue
		}
		t.Run(name, func(t *testing.T) {
			i := loadCassette(t, path)
			c, err := indexingjobs.NewClient(indexingjobs.WithToken("dop_v1_replay"), indexingjobs.WithMaxRetries(0),
				indexingjobs.WithHTTPClient(&http.Client{Transport: replay{t, i}}))
			require.NoError(t, err)
			err = call(context.Background(), t, c, i)
			if i.Response.Code/100 == 2 {
				assert.NoError(t, err)
				return
			}
			var apiErr *indexingjobs.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, i.Response.Code, apiErr.StatusCode)
		})
	}
}

// TestReferenceExampleMatchesRecording ties the spec's example to the
// recording of the reference page, so the documentation shows what the tests
// decode.
func TestReferenceExampleMatchesRecording(t *testing.T) {
	doc := loadSpec(t)
	resp := doc.Components.Responses["cancelled_indexing_job"].Value
	examples := resp.Content.Get("application/json").Examples
	for example, cas := range map[string]string{"reference": "cancel_reference", "cancelled": "cancel_cancelled"} {
		c, err := cassette.Load(filepath.Join(cassetteDir, cas))
		require.NoError(t, err)
		want, err := json.Marshal(examples[example].Value.Value)
		require.NoError(t, err)
		body := c.Interactions[0].Response.Body
		if cas == "cancel_cancelled" {
			// The recording carries the largest count there is.
			body = strings.Replace(body, `"total_tokens":"18446744073709551615"`, `"total_tokens":"412930"`, 1)
		}
		assert.JSONEq(t, string(want), body, "example %q and cassette %s", example, cas)
	}
}
