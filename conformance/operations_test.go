package conformance

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gradient-go/indexingjobs/internal/gen"
	"github.com/gradient-go/indexingjobs/internal/optest"
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
// "genai_get_indexing_job (GET /v2/gen-ai/indexing_jobs/{indexing_job_uuid})".
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

// noRow and noRecording are what the walk says of an operation without
// its row in the tests' registry, or without a recording.
const (
	noRow       = "no row in internal/optest (optest.Rows): no suite calls it"
	noRecording = "no recording in testdata/cassettes validates against it"
)

// walk returns one line for each thing an operation of doc lacks: of
// what the spec must say (specProblems), a row among rows (the ids of
// the registry's operations), and a recording among files that validates
// against it.
func walk(t testing.TB, doc *openapi3.T, rows map[string]bool, files map[string]string) []string {
	t.Helper()
	out := specProblems(doc)
	out = append(out, uncovered(doc, rows, noRow)...)
	return append(out, cassetteCoverage(t, doc, files)...)
}

// registered is the set of the ids of the registry's operations.
func registered() map[string]bool {
	out := map[string]bool{}
	for _, row := range optest.Rows {
		out[row.Op.ID] = true
	}
	return out
}

// TestEveryOperationIsComplete walks every operation of openapi.yaml and
// fails with one line for each thing one of them lacks: in the spec, its
// row in internal/optest, a recording.
func TestEveryOperationIsComplete(t *testing.T) {
	doc := loadSpec(t)
	require.NotEmpty(t, operationsOf(doc))
	reportProblems(t, "openapi.yaml, internal/optest and testdata/cassettes", walk(t, doc, registered(), cassetteFiles(t)))
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

// TestGeneratedOperationsAreTheSpecs: gen.Operations, which the client
// sends and the registry calls, says of each operation what openapi.yaml
// says: the same operations, each with its method, path, path parameters
// in the order of the path, query parameters, and x-idempotent (else the
// method's default: GET, PUT and DELETE are idempotent). A spec edited
// without `make generate` fails here.
func TestGeneratedOperationsAreTheSpecs(t *testing.T) {
	doc := loadSpec(t)
	generated := map[string]*gen.Operation{}
	for _, op := range gen.Operations {
		generated[op.ID] = op
	}
	var ids []string
	for _, o := range operationsOf(doc) {
		ids = append(ids, o.op.OperationID)
		g, ok := generated[o.op.OperationID]
		if !assert.True(t, ok, "%s is not in gen.Operations: run make generate", o) {
			continue
		}
		assert.Equal(t, o.method, g.Method, "%s: method", o)
		assert.Equal(t, o.path, g.Path, "%s: path", o)
		var inPath []string
		for _, m := range templateParam.FindAllStringSubmatch(o.path, -1) {
			inPath = append(inPath, m[1])
		}
		assert.Equal(t, nonNil(inPath), nonNil(g.PathParams), "%s: path parameters", o)
		var path, query []string
		for _, ref := range append(slices.Clone(o.item.Parameters), o.op.Parameters...) {
			switch ref.Value.In {
			case openapi3.ParameterInPath:
				path = append(path, ref.Value.Name)
				assert.True(t, ref.Value.Required, "%s: path parameter %s", o, ref.Value.Name)
			case openapi3.ParameterInQuery:
				query = append(query, ref.Value.Name)
			}
		}
		assert.ElementsMatch(t, path, g.PathParams, "%s: the path's parameters are the declared ones", o)
		assert.Equal(t, nonNil(query), nonNil(g.QueryParams), "%s: query parameters", o)
		idempotent := o.method == http.MethodGet || o.method == http.MethodPut || o.method == http.MethodDelete
		if x, ok := o.op.Extensions["x-idempotent"].(bool); ok {
			idempotent = x
		}
		assert.Equal(t, idempotent, g.Idempotent, "%s: x-idempotent", o)
	}
	assert.ElementsMatch(t, keys(generated), ids, "gen.Operations are the spec's operations")
}

// templateParam is a {parameter} of a path template.
var templateParam = regexp.MustCompile(`\{([^}]+)\}`)

// nonNil makes a nil list empty, so that none and an empty one compare equal.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// specOf returns op's operation in doc.
func specOf(t *testing.T, doc *openapi3.T, op *gen.Operation) *openapi3.Operation {
	t.Helper()
	item := doc.Paths.Find(op.Path)
	require.NotNil(t, item, "%s: no path %s in the spec", op.ID, op.Path)
	o := item.GetOperation(op.Method)
	require.NotNil(t, o, "%s: no %s %s in the spec", op.ID, op.Method, op.Path)
	return o
}

// TestSpecSaysWhatTheClientAssumes pins what the client's code relies on
// beyond the operations' shape: the list's page parameters (the client
// refuses a page under 1 and caps per_page at 200), the answers of lists
// (meta and links, which ListIndexingJobs reads), the bodies it sends and
// the signed URL it reads.
func TestSpecSaysWhatTheClientAssumes(t *testing.T) {
	doc := loadSpec(t)
	list := specOf(t, doc, &gen.GenaiListIndexingJobsOperation)
	for _, ref := range list.Parameters {
		s := ref.Value.Schema.Value
		assert.False(t, ref.Value.Required, ref.Value.Name)
		assert.True(t, s.Type.Is("integer"), ref.Value.Name)
		require.NotNil(t, s.Min, ref.Value.Name)
		assert.Equal(t, 1.0, *s.Min, "%s counts from 1", ref.Value.Name)
	}
	assert.Equal(t, 200.0, *list.Parameters[1].Value.Schema.Value.Max, "per_page is at most 200")

	for _, op := range []*gen.Operation{&gen.GenaiListIndexingJobsOperation, &gen.GenaiListIndexingJobsByKnowledgeBaseOperation} {
		s := specOf(t, doc, op).Responses.Value("200").Value.Content.Get(jsonMIMEType).Schema.Value
		assert.ElementsMatch(t, []string{"jobs", "links", "meta"}, keys(s.Properties), op.ID)
		assert.ElementsMatch(t, []string{"first", "previous", "next", "last"}, keys(s.Properties["links"].Value.Properties["pages"].Value.Properties), op.ID)
		assert.ElementsMatch(t, []string{"page", "pages", "total"}, keys(s.Properties["meta"].Value.Properties), op.ID)
	}

	cancel := specOf(t, doc, &gen.GenaiCancelIndexingJobOperation)
	require.NotNil(t, cancel.RequestBody)
	assert.False(t, cancel.RequestBody.Value.Required, "the cancel body is optional")
	assert.Equal(t, "#/components/schemas/APICancelKnowledgeBaseIndexingJobInputPublic",
		cancel.RequestBody.Value.Content.Get(jsonMIMEType).Schema.Ref)

	start := specOf(t, doc, &gen.GenaiCreateIndexingJobOperation)
	require.NotNil(t, start.RequestBody)
	assert.True(t, start.RequestBody.Value.Required, "the start body is required")
	body := start.RequestBody.Value.Content.Get(jsonMIMEType).Schema
	assert.Equal(t, "#/components/schemas/APIStartKnowledgeBaseIndexingJobInputPublic", body.Ref)
	assert.ElementsMatch(t, []string{"knowledge_base_uuid", "data_source_uuids"}, keys(body.Value.Properties))
	assert.Equal(t, []string{"knowledge_base_uuid"}, body.Value.Required)

	signed := specOf(t, doc, &gen.GenaiGetIndexingJobDetailsSignedURLOperation).
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
	"  /v2/gen-ai/indexing_jobs/{indexing_job_uuid}:\n    parameters:\n      - $ref: '#/components/parameters/indexing_job_uuid'\n",
	"  /v2/gen-ai/indexing_jobs/{indexing_job_uuid}:\n    parameters:\n      - $ref: '#/components/parameters/indexing_job_uuid'\n"+
		"    delete:\n      operationId: genai_delete_indexing_job\n      responses:\n        '200':\n          $ref: '#/components/responses/read_indexing_job'\n        '404':\n          description: Not there.\n")

// named is how the walk names a generated operation.
func named(op *gen.Operation) string { return fmt.Sprintf("%s (%s %s)", op.ID, op.Method, op.Path) }

// cutAll removes, after the first occurrence of after, the blocks of cutBlock
// that start with each of starts.
func cutAll(after string, starts ...string) func(string) string {
	return func(s string) string {
		for _, start := range starts {
			s = cutBlock(after, start)(s)
		}
		return s
	}
}

// TestWalkerNamesWhatAnOperationLacks proves the failure messages of the
// walk: each case loads a copy of openapi.yaml with one thing removed or an
// operation added bare, or leaves out an operation's row or recordings,
// and the problems it adds to those of the project as it is (none, when
// the walk passes) must be exactly the lines that name that operation and
// that lack.
func TestWalkerNamesWhatAnOperationLacks(t *testing.T) {
	details := &gen.GenaiGetIndexingJobDetailsSignedURLOperation
	sources := &gen.GenaiListIndexingJobDataSourcesOperation
	start := &gen.GenaiCreateIndexingJobOperation
	const remove = "genai_delete_indexing_job (DELETE /v2/gen-ai/indexing_jobs/{indexing_job_uuid})"
	of := func(op *gen.Operation) string { return "operationId: " + op.ID + "\n" }
	var byKB []string // every operation with a knowledge base in its path
	for _, op := range gen.Operations {
		if slices.Contains(op.PathParams, "knowledge_base_uuid") {
			byKB = append(byKB, named(op)+`: path parameter knowledge_base_uuid has pattern "", want the UUID pattern "`+uuidPattern+`"`)
		}
	}
	require.NotEmpty(t, byKB)
	files := cassetteFiles(t)
	withoutRecordings := map[string]string{} // every recording but those of details
	for name, path := range files {
		i := loadCassette(t, path)
		u, err := url.Parse(i.Request.URL)
		require.NoError(t, err)
		if op, _, _ := optest.Route(i.Request.Method, u.Path); op != details {
			withoutRecordings[name] = path
		}
	}
	withoutRow := registered()
	delete(withoutRow, sources.ID)

	tests := []struct {
		name  string
		edit  func(string) string // of the spec; nil leaves it as it is
		rows  map[string]bool
		files map[string]string
		want  []string
	}{
		{
			name: "an operation without x-codeSamples",
			edit: cutBlock(of(details), "      x-codeSamples:"),
			want: []string{named(details) + ": no x-codeSamples"},
		},
		{
			name: "x-codeSamples without a Go sample",
			edit: cutBlock(of(details), "        - lang: Go"),
			want: []string{named(details) + ": x-codeSamples has no Go sample"},
		},
		{
			name: "an operation without a description",
			edit: cutBlock(of(sources), "      description: |"),
			want: []string{named(sources) + ": no description"},
		},
		{
			name: "an operation without its error responses",
			edit: cutAll(of(sources), "        '401':", "        '404':", "        '429':", "        '500':"),
			want: []string{
				named(sources) + ": no 401 response",
				named(sources) + ": no 404 response",
				named(sources) + ": no 429 response",
				named(sources) + ": no 500 response",
			},
		},
		{
			name: "a path parameter without its pattern",
			edit: replaceOnce("      description: The id of the knowledge base, a UUID.\n      schema:\n        type: string\n        format: uuid\n        pattern: '"+uuidPattern+"'\n",
				"      description: The id of the knowledge base, a UUID.\n      schema:\n        type: string\n        format: uuid\n"),
			want: byKB,
		},
		{
			name: "a 200 response without an example",
			edit: cutBlock("    started_indexing_job:\n", "          examples:"),
			want: []string{named(start) + ": no example on the 200 response"},
		},
		{
			name: "an operation without its row in the registry",
			rows: withoutRow,
			want: []string{named(sources) + ": " + noRow},
		},
		{
			name:  "an operation without a recording",
			files: withoutRecordings,
			want:  []string{named(details) + ": " + noRecording},
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
				remove + ": " + noRow,
				remove + ": " + noRecording,
			},
		},
	}
	before := walk(t, loadSpec(t), registered(), files)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := loadSpec(t)
			if tt.edit != nil {
				doc = specCopy(t, tt.edit)
			}
			rows, in := tt.rows, tt.files
			if rows == nil {
				rows = registered()
			}
			if in == nil {
				in = files
			}
			var got []string
			for _, p := range walk(t, doc, rows, in) {
				if !slices.Contains(before, p) {
					got = append(got, p)
				}
			}
			sort.Strings(got)
			sort.Strings(tt.want)
			assert.Equal(t, tt.want, got)
		})
	}
}
