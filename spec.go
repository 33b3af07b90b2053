package indexingjobs

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"net/http"
	"path"
	"time"
)

// openapiYAML is the spec the generated code in package gen comes from;
// openapiJSON is the same document as JSON, written by go generate
// (tools/openapijson), so that this package needs no YAML library.
var (
	//go:embed openapi.yaml
	openapiYAML []byte
	//go:embed openapi.json
	openapiJSON []byte
)

// OpenAPIYAML returns openapi.yaml, the OpenAPI description this client is
// generated from, as it is in the module. The slice is the caller's.
func OpenAPIYAML() []byte { return bytes.Clone(openapiYAML) }

// OpenAPIJSON returns the same description as indented JSON, keys in the
// order of the YAML. The slice is the caller's.
func OpenAPIJSON() []byte { return bytes.Clone(openapiJSON) }

// SpecHandler serves the spec at any path ending in /openapi.yaml or
// /openapi.json, so it can be mounted at a prefix of your choice:
//
//	mux.Handle("/api/", indexingjobs.SpecHandler()) // /api/openapi.json
//
// It answers GET and HEAD, with an ETag so clients can cache, and 404 for
// other paths.
func SpecHandler() http.Handler {
	yamlTag, jsonTag := etag(openapiYAML), etag(openapiJSON)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body []byte
		switch path.Base(r.URL.Path) {
		case "openapi.yaml":
			body = openapiYAML
			w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
			w.Header().Set("ETag", yamlTag)
		case "openapi.json":
			body = openapiJSON
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("ETag", jsonTag)
		default:
			http.NotFound(w, r)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
	})
}

func etag(b []byte) string {
	sum := sha256.Sum256(b)
	return `"` + hex.EncodeToString(sum[:8]) + `"`
}
