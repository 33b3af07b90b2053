package indexingjobs

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
)

// operation is what the core knows of one operation of the spec.
type operation struct {
	id     string // operationId, e.g. genai_cancel_indexing_job
	method string
	path   string // the path template, e.g. /v2/gen-ai/indexing_jobs/{uuid}/cancel
	// idempotent operations may be sent again after the server may have
	// acted on them (a 5xx, a connection lost after the request was
	// written); the others only when it certainly did not. It is read off
	// the method, by HTTP's rules (RFC 9110, 9.2.2): GET and PUT are
	// idempotent, POST is not. (The spec also says so of cancel, a PUT.)
	idempotent bool
}

// operations reads every operation's method and path from the embedded
// spec, once, at the first request.
var operations = sync.OnceValue(func() map[string]operation {
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openapiJSON, &doc); err != nil {
		panic(fmt.Sprintf("indexingjobs: embedded openapi.json: %v", err))
	}
	ops := map[string]operation{}
	for p, item := range doc.Paths {
		for method, raw := range item {
			var op struct {
				ID string `json:"operationId"`
			}
			if json.Unmarshal(raw, &op) != nil || op.ID == "" {
				continue // "parameters", or not an operation
			}
			m := strings.ToUpper(method)
			ops[op.ID] = operation{id: op.ID, method: m, path: p, idempotent: m != http.MethodPost}
		}
	}
	return ops
})

// operationOf returns the operation named id in the spec; a name not there
// is a bug that every test of that method finds.
func operationOf(id string) operation {
	op, ok := operations()[id]
	if !ok {
		panic("indexingjobs: no operation " + id + " in openapi.yaml")
	}
	return op
}
