package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"
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
	require.NoError(t, openapi3filter.ValidateRequest(context.Background(), in), "recorded request")

	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 i.Response.Code,
		Header:                 i.Response.Headers,
		Body:                   io.NopCloser(bytes.NewReader([]byte(i.Response.Body))),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	return openapi3filter.ValidateResponse(context.Background(), out)
}

func newRouter(t testing.TB, doc *openapi3.T) routers.Router {
	t.Helper()
	router, err := gorillamux.NewRouter(doc)
	require.NoError(t, err)
	return router
}

func TestRecordingsMatchSpec(t *testing.T) {
	doc := loadSpec(t)
	router := newRouter(t, doc)
	files, err := filepath.Glob(filepath.Join(cassetteDir, "*.yaml"))
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(files), 9)
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".yaml")
		t.Run(name, func(t *testing.T) {
			c, err := cassette.Load(strings.TrimSuffix(f, ".yaml"))
			require.NoError(t, err)
			require.Len(t, c.Interactions, 1)
			err = validateInteraction(t, doc, router, c.Interactions[0])
			if why, ok := invalidOnPurpose[name]; ok {
				require.Error(t, err, "this recording holds %s; the spec must flag it", why)
				assert.Contains(t, err.Error(), "BATCH_JOB_PHASE_PAUSED")
				return
			}
			assert.NoError(t, err)
			assert.NotContains(t, c.Interactions[0].Request.Headers, "Authorization", "recordings never hold a token")
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
