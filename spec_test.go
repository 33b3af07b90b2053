package indexingjobs_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	indexingjobs "github.com/gradient-go/indexingjobs"
)

func TestOpenAPIYAMLIsTheFile(t *testing.T) {
	want, err := os.ReadFile("openapi.yaml")
	require.NoError(t, err)
	got := indexingjobs.OpenAPIYAML()
	assert.Equal(t, want, got)
	got[0] = 'X'
	assert.Equal(t, want, indexingjobs.OpenAPIYAML(), "callers get a copy")
}

func TestOpenAPIJSONSaysWhatTheYAMLSays(t *testing.T) {
	var fromYAML any
	require.NoError(t, yaml.Unmarshal(indexingjobs.OpenAPIYAML(), &fromYAML))
	want, err := json.Marshal(fromYAML)
	require.NoError(t, err)
	got := indexingjobs.OpenAPIJSON()
	assert.JSONEq(t, string(want), string(got))

	// Keys keep the YAML's order: openapi first, paths before components.
	s := string(got)
	assert.True(t, strings.HasPrefix(s, "{\n  \"openapi\": \"3.0.3\""), s[:40])
	assert.Less(t, strings.Index(s, `"paths"`), strings.Index(s, `"components"`))
	assert.Less(t, strings.Index(s, `"/v2/gen-ai/indexing_jobs/{indexing_job_uuid}"`), strings.Index(s, `"/v2/gen-ai/indexing_jobs/{indexing_job_uuid}/cancel"`))
}

func TestSpecHandler(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("/api/", indexingjobs.SpecHandler())
	srv := httptest.NewServer(mux)
	defer srv.Close()

	get := func(method, path string, header ...string) (*http.Response, string) {
		req, err := http.NewRequest(method, srv.URL+path, nil)
		require.NoError(t, err)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp, string(b)
	}

	resp, body := get("GET", "/api/openapi.yaml")
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "application/yaml; charset=utf-8", resp.Header.Get("Content-Type"))
	assert.Equal(t, string(indexingjobs.OpenAPIYAML()), body)

	resp, body = get("GET", "/api/openapi.json")
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	assert.Equal(t, string(indexingjobs.OpenAPIJSON()), body)
	tag := resp.Header.Get("ETag")
	require.NotEmpty(t, tag)

	resp, body = get("GET", "/api/openapi.json", "If-None-Match", tag)
	assert.Equal(t, http.StatusNotModified, resp.StatusCode)
	assert.Empty(t, body)

	resp, body = get("HEAD", "/api/openapi.yaml")
	assert.Equal(t, 200, resp.StatusCode)
	assert.Empty(t, body)
	assert.Equal(t, len(indexingjobs.OpenAPIYAML()), int(resp.ContentLength))

	resp, _ = get("POST", "/api/openapi.yaml")
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	resp, _ = get("GET", "/api/openapi.txt")
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
}
