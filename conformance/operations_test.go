package conformance

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// What every operation of openapi.yaml must have. An operation added to the
// spec without one of these fails TestEveryOperationIsComplete, with a line
// that names the operation and what it lacks.
const (
	theTag       = "GradientAI Platform"
	theSecurity  = "bearer_auth"
	errorSchema  = "#/components/schemas/Error"
	uuidPattern  = `^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`
	sampleCURL   = "cURL"
	sampleGo     = "Go"
	codeSamples  = "x-codeSamples"
	jsonMIMEType = "application/json"
)

var (
	// answerCodes are the answers every operation documents.
	answerCodes = []string{"200", "401", "404", "429", "500", "default"}
	// answerHeaders are the headers every answer carries, errors included.
	answerHeaders = []string{"ratelimit-limit", "ratelimit-remaining", "ratelimit-reset", "x-request-id"}
)

// specOperation is one operation of the spec and where it is.
type specOperation struct {
	method, path string
	item         *openapi3.PathItem
	op           *openapi3.Operation
}

// String names the operation in failure messages:
// "genai_get_indexing_job (GET /v2/gen-ai/indexing_jobs/{uuid})".
func (o specOperation) String() string {
	id := o.op.OperationID
	if id == "" {
		id = "(no operationId)"
	}
	return fmt.Sprintf("%s (%s %s)", id, o.method, o.path)
}

// operationsOf lists every operation of doc, by path and then method.
func operationsOf(doc *openapi3.T) []specOperation {
	var out []specOperation
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			out = append(out, specOperation{method: method, path: path, item: item, op: op})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].path != out[j].path {
			return out[i].path < out[j].path
		}
		return out[i].method < out[j].method
	})
	return out
}

// specProblems walks every operation of doc and returns one line for each
// thing an operation lacks, "<operation>: <what>", in a stable order.
func specProblems(doc *openapi3.T) []string {
	var out []string
	for _, o := range operationsOf(doc) {
		for _, p := range o.problems() {
			out = append(out, o.String()+": "+p)
		}
	}
	return out
}

// problems says what o lacks of what every operation must have.
func (o specOperation) problems() []string {
	op := o.op
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	if op.OperationID == "" {
		add("no operationId")
	}
	if strings.TrimSpace(op.Summary) == "" {
		add("no summary")
	}
	if strings.TrimSpace(op.Description) == "" {
		add("no description")
	}
	if !slices.Equal(op.Tags, []string{theTag}) {
		add("tags %q, want [%q]", op.Tags, theTag)
	}
	if !hasSecurity(op.Security, theSecurity) {
		add("no security requirement %s", theSecurity)
	}
	out = append(out, sampleProblems(op.Extensions[codeSamples])...)

	for _, ref := range append(slices.Clone(o.item.Parameters), op.Parameters...) {
		p := ref.Value
		if p.In != openapi3.ParameterInPath {
			continue
		}
		s := p.Schema.Value
		if !s.Type.Is("string") || s.Format != "uuid" {
			add("path parameter %s is not a string of format uuid", p.Name)
		}
		if s.Pattern != uuidPattern {
			add("path parameter %s has pattern %q, want the UUID pattern %q", p.Name, s.Pattern, uuidPattern)
		}
		if p.Example == nil && s.Example == nil {
			add("path parameter %s has no example", p.Name)
		}
	}

	if body := op.RequestBody; body != nil {
		mt := body.Value.Content.Get(jsonMIMEType)
		switch {
		case mt == nil:
			add("the request body is not %s", jsonMIMEType)
		case mt.Example == nil && len(mt.Examples) == 0:
			add("no example on the request body")
		}
	}

	for _, code := range answerCodes {
		if op.Responses.Value(code) == nil {
			add("no %s response", code)
		}
	}
	codes := keys(op.Responses.Map())
	sort.Strings(codes)
	for _, code := range codes {
		out = append(out, responseProblems(code, op.Responses.Value(code).Value)...)
	}
	return out
}

// responseProblems checks one answer of an operation: its headers, its
// example for a 2xx, the shared error body otherwise.
func responseProblems(code string, r *openapi3.Response) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	headers := answerHeaders
	if code == "429" {
		headers = append(slices.Clone(headers), "retry-after")
	}
	for _, h := range headers {
		if _, ok := r.Headers[h]; !ok {
			add("the %s response has no header %s", code, h)
		}
	}
	mt := r.Content.Get(jsonMIMEType)
	if mt == nil {
		add("the %s response has no %s body", code, jsonMIMEType)
		return out
	}
	if strings.HasPrefix(code, "2") {
		if mt.Example == nil && len(mt.Examples) == 0 {
			add("no example on the %s response", code)
		}
		return out
	}
	if mt.Schema == nil || mt.Schema.Ref != errorSchema {
		add("the %s response's body is not the shared error schema %s", code, errorSchema)
	}
	return out
}

func hasSecurity(reqs *openapi3.SecurityRequirements, scheme string) bool {
	if reqs == nil {
		return false
	}
	for _, r := range *reqs {
		if _, ok := r[scheme]; ok {
			return true
		}
	}
	return false
}

// sampleProblems checks x-codeSamples: a list of {lang, source} with a
// cURL and a Go sample.
func sampleProblems(ext any) []string {
	if ext == nil {
		return []string{"no " + codeSamples}
	}
	list, _ := ext.([]any)
	if len(list) == 0 {
		return []string{codeSamples + " is not a list of samples"}
	}
	var out []string
	langs := map[string]bool{}
	for i, s := range list {
		m, _ := s.(map[string]any)
		lang, _ := m["lang"].(string)
		source, _ := m["source"].(string)
		if lang == "" || strings.TrimSpace(source) == "" {
			out = append(out, fmt.Sprintf("%s entry %d lacks lang or source", codeSamples, i+1))
		}
		langs[lang] = true
	}
	for _, want := range []string{sampleCURL, sampleGo} {
		if !langs[want] {
			out = append(out, fmt.Sprintf("%s has no %s sample", codeSamples, want))
		}
	}
	return out
}

// uncovered returns "<operation>: <lack>" for every operation of doc whose
// id is not in covered.
func uncovered(doc *openapi3.T, covered map[string]bool, lack string) []string {
	var out []string
	for _, o := range operationsOf(doc) {
		if !covered[o.op.OperationID] {
			out = append(out, o.String()+": "+lack)
		}
	}
	return out
}

// TestEveryOperationIsComplete walks every operation of openapi.yaml and
// fails with one line for each thing one of them lacks.
func TestEveryOperationIsComplete(t *testing.T) {
	doc := loadSpec(t)
	require.NotEmpty(t, operationsOf(doc))
	reportProblems(t, "openapi.yaml", specProblems(doc))
}

// reportProblems fails t with one line a problem, under a heading that
// says where to look.
func reportProblems(t *testing.T, where string, problems []string) {
	t.Helper()
	if len(problems) > 0 {
		t.Errorf("%s: every operation needs what conformance/operations_test.go lists; %d %s:\n\t%s",
			where, len(problems), plural(len(problems), "problem"), strings.Join(problems, "\n\t"))
	}
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// TestSpecOperations pins the seven operations: their ids, methods, paths
// and the parameters and bodies the client builds requests from.
func TestSpecOperations(t *testing.T) {
	doc := loadSpec(t)
	type param struct{ name, in string }
	want := map[string]struct {
		method, path string
		params       []param
	}{
		"genai_list_indexing_jobs":                   {http.MethodGet, "/v2/gen-ai/indexing_jobs", []param{{"page", "query"}, {"per_page", "query"}}},
		"genai_create_indexing_job":                  {http.MethodPost, "/v2/gen-ai/indexing_jobs", nil},
		"genai_get_indexing_job":                     {http.MethodGet, "/v2/gen-ai/indexing_jobs/{uuid}", []param{{"uuid", "path"}}},
		"genai_cancel_indexing_job":                  {http.MethodPut, "/v2/gen-ai/indexing_jobs/{uuid}/cancel", []param{{"uuid", "path"}}},
		"genai_list_indexing_job_data_sources":       {http.MethodGet, "/v2/gen-ai/indexing_jobs/{indexing_job_uuid}/data_sources", []param{{"indexing_job_uuid", "path"}}},
		"genai_get_indexing_job_details_signed_url":  {http.MethodGet, "/v2/gen-ai/indexing_jobs/{indexing_job_uuid}/details_signed_url", []param{{"indexing_job_uuid", "path"}}},
		"genai_list_indexing_jobs_by_knowledge_base": {http.MethodGet, "/v2/gen-ai/knowledge_bases/{knowledge_base_uuid}/indexing_jobs", []param{{"knowledge_base_uuid", "path"}}},
	}
	var ids []string
	for _, o := range operationsOf(doc) {
		ids = append(ids, o.op.OperationID)
		w, ok := want[o.op.OperationID]
		if !assert.True(t, ok, "%s is not one of the seven operations this test knows", o) {
			continue
		}
		assert.Equal(t, w.method, o.method, o.String())
		assert.Equal(t, w.path, o.path, o.String())
		var got []param
		for _, ref := range append(slices.Clone(o.item.Parameters), o.op.Parameters...) {
			got = append(got, param{ref.Value.Name, ref.Value.In})
			if ref.Value.In == openapi3.ParameterInPath {
				assert.True(t, ref.Value.Required, "%s: path parameter %s", o, ref.Value.Name)
			}
		}
		assert.Equal(t, w.params, got, "%s: parameters", o)
	}
	assert.ElementsMatch(t, keys(want), ids)

	list := doc.Paths.Find("/v2/gen-ai/indexing_jobs").Get
	for _, ref := range list.Parameters {
		s := ref.Value.Schema.Value
		assert.False(t, ref.Value.Required, ref.Value.Name)
		assert.True(t, s.Type.Is("integer"), ref.Value.Name)
		require.NotNil(t, s.Min, ref.Value.Name)
		assert.Equal(t, 1.0, *s.Min, "%s counts from 1", ref.Value.Name)
	}
	assert.Equal(t, 200.0, *list.Parameters[1].Value.Schema.Value.Max, "per_page is at most 200")

	for path, method := range map[string]string{"/v2/gen-ai/indexing_jobs": http.MethodGet, "/v2/gen-ai/knowledge_bases/{knowledge_base_uuid}/indexing_jobs": http.MethodGet} {
		s := doc.Paths.Find(path).GetOperation(method).Responses.Value("200").Value.Content.Get(jsonMIMEType).Schema.Value
		assert.ElementsMatch(t, []string{"jobs", "links", "meta"}, keys(s.Properties), path)
		assert.ElementsMatch(t, []string{"first", "previous", "next", "last"}, keys(s.Properties["links"].Value.Properties["pages"].Value.Properties), path)
		assert.ElementsMatch(t, []string{"page", "pages", "total"}, keys(s.Properties["meta"].Value.Properties), path)
	}

	cancel := doc.Paths.Find("/v2/gen-ai/indexing_jobs/{uuid}/cancel").Put
	require.NotNil(t, cancel.RequestBody)
	assert.False(t, cancel.RequestBody.Value.Required, "the cancel body is optional")
	assert.Equal(t, "#/components/schemas/APICancelKnowledgeBaseIndexingJobInputPublic",
		cancel.RequestBody.Value.Content.Get(jsonMIMEType).Schema.Ref)

	start := doc.Paths.Find("/v2/gen-ai/indexing_jobs").Post
	require.NotNil(t, start.RequestBody)
	assert.True(t, start.RequestBody.Value.Required, "the start body is required")
	body := start.RequestBody.Value.Content.Get(jsonMIMEType).Schema
	assert.Equal(t, "#/components/schemas/APIStartKnowledgeBaseIndexingJobInputPublic", body.Ref)
	assert.ElementsMatch(t, []string{"knowledge_base_uuid", "data_source_uuids"}, keys(body.Value.Properties))
	assert.Equal(t, []string{"knowledge_base_uuid"}, body.Value.Required)

	signed := doc.Paths.Find("/v2/gen-ai/indexing_jobs/{indexing_job_uuid}/details_signed_url").Get.
		Responses.Value("200").Value.Content.Get(jsonMIMEType).Schema.Value
	assert.Equal(t, []string{"signed_url"}, keys(signed.Properties))
}

// specCopy loads a copy of openapi.yaml changed by edit, as a developer's
// change to it would be loaded.
func specCopy(t *testing.T, edit func(string) string) *openapi3.T {
	t.Helper()
	spec, err := os.ReadFile(specPath)
	require.NoError(t, err)
	changed := edit(string(spec))
	require.NotEqual(t, string(spec), changed, "the edit must change the spec")
	path := filepath.Join(t.TempDir(), "openapi.yaml")
	require.NoError(t, os.WriteFile(path, []byte(changed), 0o644))
	return loadSpecFrom(t, path)
}

// cutBlock removes from s the lines from the first line that is exactly
// start, found after the first occurrence of after, up to the next line
// indented no deeper than start.
func cutBlock(after, start string) func(string) string {
	return func(s string) string {
		at := strings.Index(s, after)
		if at < 0 {
			return s
		}
		from := strings.Index(s[at:], "\n"+start+"\n")
		if from < 0 {
			return s
		}
		from += at + 1
		indent := len(start) - len(strings.TrimLeft(start, " "))
		lines := strings.SplitAfter(s[from:], "\n")
		n := len(lines[0])
		for _, l := range lines[1:] {
			if strings.TrimSpace(l) != "" && len(l)-len(strings.TrimLeft(l, " ")) <= indent {
				break
			}
			n += len(l)
		}
		return s[:from] + s[from+n:]
	}
}

// addBareOperation adds to the spec an operation with only an id, its 200
// answer and a 404 with neither headers nor body.
var addBareOperation = replaceOnce(
	"  /v2/gen-ai/indexing_jobs/{uuid}:\n    parameters:\n      - $ref: '#/components/parameters/indexing_job_uuid'\n",
	"  /v2/gen-ai/indexing_jobs/{uuid}:\n    parameters:\n      - $ref: '#/components/parameters/indexing_job_uuid'\n"+
		"    delete:\n      operationId: genai_delete_indexing_job\n      responses:\n        '200':\n          $ref: '#/components/responses/indexing_job'\n        '404':\n          description: Not there.\n")

// TestWalkerNamesWhatAnOperationLacks proves the failure messages of the
// walk: each case loads a copy of openapi.yaml with one thing removed or an
// operation added bare, and the problems must be exactly the lines that name
// that operation and that lack.
func TestWalkerNamesWhatAnOperationLacks(t *testing.T) {
	const (
		details = "genai_get_indexing_job_details_signed_url (GET /v2/gen-ai/indexing_jobs/{indexing_job_uuid}/details_signed_url)"
		byKB    = "genai_list_indexing_jobs_by_knowledge_base (GET /v2/gen-ai/knowledge_bases/{knowledge_base_uuid}/indexing_jobs)"
		start   = "genai_create_indexing_job (POST /v2/gen-ai/indexing_jobs)"
		remove  = "genai_delete_indexing_job (DELETE /v2/gen-ai/indexing_jobs/{uuid})"
	)
	tests := []struct {
		name string
		edit func(string) string
		want []string
	}{
		{
			name: "an operation without x-codeSamples",
			edit: cutBlock("operationId: genai_get_indexing_job_details_signed_url\n", "      x-codeSamples:"),
			want: []string{details + ": no x-codeSamples"},
		},
		{
			name: "x-codeSamples without a Go sample",
			edit: cutBlock("operationId: genai_get_indexing_job_details_signed_url\n", "        - lang: Go"),
			want: []string{details + ": x-codeSamples has no Go sample"},
		},
		{
			name: "a path parameter without its pattern",
			edit: replaceOnce("      description: The id of the knowledge base, a UUID.\n      schema:\n        type: string\n        format: uuid\n        pattern: '"+uuidPattern+"'\n",
				"      description: The id of the knowledge base, a UUID.\n      schema:\n        type: string\n        format: uuid\n"),
			want: []string{byKB + `: path parameter knowledge_base_uuid has pattern "", want the UUID pattern "` + uuidPattern + `"`},
		},
		{
			name: "a 200 response without an example",
			edit: cutBlock("    started_indexing_job:\n", "          examples:"),
			want: []string{start + ": no example on the 200 response"},
		},
		{
			name: "an operation added bare",
			edit: addBareOperation,
			want: []string{
				remove + ": no summary",
				remove + ": no description",
				remove + `: tags [], want ["GradientAI Platform"]`,
				remove + ": no security requirement bearer_auth",
				remove + ": no x-codeSamples",
				remove + ": no 401 response",
				remove + ": no 429 response",
				remove + ": no 500 response",
				remove + ": no default response",
				remove + ": the 404 response has no header ratelimit-limit",
				remove + ": the 404 response has no header ratelimit-remaining",
				remove + ": the 404 response has no header ratelimit-reset",
				remove + ": the 404 response has no header x-request-id",
				remove + ": the 404 response has no application/json body",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := specCopy(t, tt.edit)
			got := specProblems(doc)
			sort.Strings(got)
			sort.Strings(tt.want)
			assert.Equal(t, tt.want, got)
		})
	}
}
