package indexingjobs

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"path"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"
)

// openapiYAML is the spec the generated code in package gen comes from.
//
//go:embed openapi.yaml
var openapiYAML []byte

// OpenAPIYAML returns openapi.yaml, the OpenAPI description this client is
// generated from, as it is in the module. The slice is the caller's.
func OpenAPIYAML() []byte { return bytes.Clone(openapiYAML) }

// OpenAPIJSON returns the same description as indented JSON, keys in the
// order of the YAML. The slice is the caller's.
func OpenAPIJSON() []byte { return bytes.Clone(specJSON()) }

// specJSON converts once; a test makes sure the embedded spec converts.
var specJSON = sync.OnceValue(func() []byte {
	b, err := yamlToJSON(openapiYAML)
	if err != nil {
		panic(fmt.Sprintf("indexingjobs: embedded openapi.yaml: %v", err))
	}
	return b
})

// SpecHandler serves the spec at any path ending in /openapi.yaml or
// /openapi.json, so it can be mounted at a prefix of your choice:
//
//	mux.Handle("/api/", indexingjobs.SpecHandler()) // /api/openapi.json
//
// It answers GET and HEAD, with an ETag so clients can cache, and 404 for
// other paths.
func SpecHandler() http.Handler {
	yamlTag, jsonTag := etag(openapiYAML), etag(specJSON())
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body []byte
		switch path.Base(r.URL.Path) {
		case "openapi.yaml":
			body = openapiYAML
			w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
			w.Header().Set("ETag", yamlTag)
		case "openapi.json":
			body = specJSON()
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

// yamlToJSON converts a YAML document to indented JSON. It walks the node
// tree rather than decoding into maps so that keys keep their order, which
// people reading the JSON expect.
func yamlToJSON(src []byte) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := writeJSON(&buf, &doc); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, buf.Bytes(), "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

func writeJSON(buf *bytes.Buffer, n *yaml.Node) error {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) != 1 {
			return fmt.Errorf("line %d: want one document", n.Line)
		}
		return writeJSON(buf, n.Content[0])
	case yaml.AliasNode:
		return writeJSON(buf, n.Alias)
	case yaml.MappingNode:
		buf.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode || k.Value == "<<" {
				return fmt.Errorf("line %d: only plain keys convert to JSON", k.Line)
			}
			if i > 0 {
				buf.WriteByte(',')
			}
			key, _ := json.Marshal(k.Value)
			buf.Write(key)
			buf.WriteByte(':')
			if err := writeJSON(buf, n.Content[i+1]); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
		return nil
	case yaml.SequenceNode:
		buf.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeJSON(buf, c); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
		return nil
	case yaml.ScalarNode:
		return writeScalar(buf, n)
	}
	return fmt.Errorf("line %d: unexpected YAML node", n.Line)
}

func writeScalar(buf *bytes.Buffer, n *yaml.Node) error {
	var v any
	switch n.ShortTag() {
	case "!!null":
		buf.WriteString("null")
		return nil
	case "!!bool", "!!int", "!!float":
		if err := n.Decode(&v); err != nil {
			return fmt.Errorf("line %d: %w", n.Line, err)
		}
		if f, ok := v.(float64); ok && (math.IsInf(f, 0) || math.IsNaN(f)) {
			return fmt.Errorf("line %d: %s has no JSON form", n.Line, n.Value)
		}
	default: // strings, and timestamps, which JSON keeps as text
		v = n.Value
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	buf.Write(b)
	return nil
}
