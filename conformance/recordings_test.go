package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
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
	"github.com/gradient-go/indexingjobs/internal/optest"
)

// cassetteDir holds the cassettes captured from the fake (make cassettes)
// and those hand-written on purpose; liveDir those recorded from the live
// API (make record), if any.
const (
	cassetteDir = "../testdata/cassettes"
	liveDir     = cassetteDir + "/live"
)

func init() {
	// The spec documents proxies' HTML error pages; read them as text.
	openapi3filter.RegisterBodyDecoder("text/html", openapi3filter.PlainBodyDecoder)
}

// handWritten are the cassettes neither captured from the fake nor
// recorded from the live API, on purpose, and why.
var handWritten = map[string]string{
	"cancel_reference":      "the example response of the API reference page, tied to the spec's example by TestReferenceExampleMatchesRecording",
	"cancel_unknown_values": invalidOnPurpose["cancel_unknown_values"],
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

// cassetteFiles lists every recording by name: those of testdata/cassettes
// by theirs, those recorded live as "live/<name>". The values are their
// paths without ".yaml", as go-vcr loads them.
func cassetteFiles(t testing.TB) map[string]string {
	t.Helper()
	out := topCassettes(t)
	live, err := filepath.Glob(filepath.Join(liveDir, "*.yaml"))
	require.NoError(t, err)
	for _, f := range live {
		out["live/"+strings.TrimSuffix(filepath.Base(f), ".yaml")] = strings.TrimSuffix(f, ".yaml")
	}
	return out
}

// topCassettes lists the recordings of testdata/cassettes itself.
func topCassettes(t testing.TB) map[string]string {
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
	require.NotEmpty(t, files)
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
	return uncovered(doc, covered, noRecording)
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

// uuidIn finds a UUID in a recorded request.
var uuidIn = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`)

// TestRecordingsAreWhatTheClientSends replays every recording through the
// registry's row of the operation it is routed to (optest.Route), on the
// ids the recording names (in its path, or for a start in its body): the
// row's call must send exactly the recorded request and read the recorded
// answer (an *APIError of its status for an error). So every recording
// holds a request the client really makes, and one that no row's call
// makes (another page, another body) is captured again until it is.
func TestRecordingsAreWhatTheClientSends(t *testing.T) {
	for name, path := range cassetteFiles(t) {
		t.Run(name, func(t *testing.T) {
			i := loadCassette(t, path)
			u, err := url.Parse(i.Request.URL)
			require.NoError(t, err)
			op, ids, ok := optest.Route(i.Request.Method, u.Path)
			require.True(t, ok, "%s %s is no operation of gen.Operations", i.Request.Method, u.Path)
			row, ok := optest.Of(op.ID)
			require.True(t, ok, "%s has no row in internal/optest", op.ID)
			if id := uuidIn.FindString(i.Request.Body); len(ids) == 0 && id != "" {
				ids = []string{id}
			}
			c, err := indexingjobs.NewClient(indexingjobs.WithToken("dop_v1_replay"), indexingjobs.WithMaxRetries(0),
				indexingjobs.WithBaseURL(u.Scheme+"://"+u.Host), indexingjobs.WithHTTPClient(&http.Client{Transport: replay{t, i}}))
			require.NoError(t, err)
			err = row.Call(context.Background(), c, ids...)
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
	example := resp.Content.Get("application/json").Examples["reference"]
	require.NotNil(t, example, "the cancel's example named reference")
	c, err := cassette.Load(filepath.Join(cassetteDir, "cancel_reference"))
	require.NoError(t, err)
	want, err := json.Marshal(example.Value.Value)
	require.NoError(t, err)
	assert.JSONEq(t, string(want), c.Interactions[0].Response.Body, "example reference and cassette cancel_reference")
}
