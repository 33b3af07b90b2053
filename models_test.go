package indexingjobs_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gradient-go/indexingjobs"
)

// userModule is a module of a user's, in a temporary folder, that requires
// this one (through a replace directive, as the README says) and whose
// main.go is main. Commands run in it see the module as a user does.
func userModule(t *testing.T, main string) string {
	t.Helper()
	root, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}").Output()
	require.NoError(t, err)
	dir := t.TempDir()
	write := func(name, text string) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644))
	}
	write("go.mod", "module example.com/user\n\ngo 1.26.0\n\nrequire github.com/gradient-go/indexingjobs v0.0.0\n\n"+
		"replace github.com/gradient-go/indexingjobs => "+strings.TrimSpace(string(root))+"\n")
	write("main.go", main)
	sums, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(root)), "go.sum"))
	require.NoError(t, err)
	write("go.sum", string(sums))
	return dir
}

// inModule runs the go command in dir, offline.
func inModule(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "go %s: %s", strings.Join(args, " "), out)
	return string(out)
}

const userMain = "package main\n\nimport indexingjobs \"github.com/gradient-go/indexingjobs\"\n\nfunc main() { println(indexingjobs.Version) }\n"

// TestAProgramOfTheLibraryCompilesOnlyTheStandardLibraryAndThisModule:
// importing the client costs nothing outside the standard library: no
// generator runtime, no YAML, no tool's or test's dependency.
func TestAProgramOfTheLibraryCompilesOnlyTheStandardLibraryAndThisModule(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	deps := inModule(t, userModule(t, userMain), "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".")
	var outside []string
	for _, p := range strings.Fields(deps) {
		if p != "example.com/user" && p != "github.com/gradient-go/indexingjobs" && !strings.HasPrefix(p, "github.com/gradient-go/indexingjobs/") {
			outside = append(outside, p)
		}
	}
	assert.Empty(t, outside, "packages from outside the standard library and this module")
	assert.Contains(t, deps, "github.com/gradient-go/indexingjobs\n")
	assert.NotContains(t, deps, "indexingjobs/internal/gen", "the fake's server is not compiled into a client")
}

// heldTypes are the types a user of the root package holds: what its
// methods return and what those hold, down to the enums.
var heldTypes = []reflect.Type{
	reflect.TypeFor[indexingjobs.IndexingJob](),
	reflect.TypeFor[indexingjobs.IndexedDataSource](),
	reflect.TypeFor[indexingjobs.KnowledgeBase](),
	reflect.TypeFor[indexingjobs.KnowledgeBaseDataSource](),
	reflect.TypeFor[indexingjobs.SpacesSource](),
	reflect.TypeFor[indexingjobs.WebCrawlerSource](),
	reflect.TypeFor[indexingjobs.S3Location](),
	reflect.TypeFor[indexingjobs.UploadedFile](),
	reflect.TypeFor[indexingjobs.GoogleDriveFolder](),
	reflect.TypeFor[indexingjobs.DropboxFolder](),
	reflect.TypeFor[indexingjobs.ChunkingOptions](),
	reflect.TypeFor[indexingjobs.RerankingConfig](),
	reflect.TypeFor[indexingjobs.IndexingSchedule](),
	reflect.TypeFor[indexingjobs.Model](),
	reflect.TypeFor[indexingjobs.ModelAgreement](),
	reflect.TypeFor[indexingjobs.ModelEndpoint](),
	reflect.TypeFor[indexingjobs.ModelModalities](),
	reflect.TypeFor[indexingjobs.ModelPricing](),
	reflect.TypeFor[indexingjobs.ModelSetting](),
	reflect.TypeFor[indexingjobs.ModelVersion](),
	reflect.TypeFor[indexingjobs.S3Source](),
	reflect.TypeFor[indexingjobs.FileUploadURL](),
}

// heldEnums are the enums among them, with a value of each.
var heldEnums = map[string]string{
	"Phase":              string(indexingjobs.PhaseRunning),
	"Status":             string(indexingjobs.StatusCompleted),
	"DataSourceStatus":   string(indexingjobs.DataSourceStatusUpdated),
	"DatabaseStatus":     string(indexingjobs.DatabaseStatusOnline),
	"ChunkingAlgorithm":  string(indexingjobs.ChunkingAlgorithmSemantic),
	"CrawlingOption":     string(indexingjobs.CrawlingOptionDomain),
	"ModelProvider":      string(indexingjobs.ModelProviderDigitalOcean),
	"ModelUsecase":       string(indexingjobs.ModelUsecaseKnowledgebase),
	"OpenSearchPlanSize": string(indexingjobs.OpenSearchPlanSizeSmall),
}

// TestGoDocShowsTheFieldsOfEveryTypeAUserHolds runs go doc as a user
// would, from a module of their own: each type a user holds is declared
// in the root package, so go doc lists every field, each with its
// description from openapi.yaml, and each enum lists its values.
func TestGoDocShowsTheFieldsOfEveryTypeAUserHolds(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go doc")
	}
	dir := userModule(t, userMain)
	for _, typ := range heldTypes {
		doc := inModule(t, dir, "doc", "github.com/gradient-go/indexingjobs."+typ.Name())
		assert.Contains(t, doc, "type "+typ.Name()+" struct {", typ.Name())
		for i := range typ.NumField() {
			f := typ.Field(i)
			// The field, after its comment: "// Name says ...".
			assert.Regexp(t, `(?m)^\s+// `+f.Name+` \S.*\n(\s+//.*\n)*\s+`+f.Name+`\s+\S+\s+`+"`json:", doc,
				"go doc %s shows the field %s with its description", typ.Name(), f.Name)
		}
	}
	for name, value := range heldEnums {
		doc := inModule(t, dir, "doc", "github.com/gradient-go/indexingjobs."+name)
		assert.Contains(t, doc, "type "+name+" string", name)
		assert.Regexp(t, `(?m)^\s+`+name+`\w+ = "`+regexp.QuoteMeta(value)+`"$`, doc, "go doc %s lists its values", name)
		assert.Contains(t, doc, "func (v "+name+") Known() bool", name)
	}
	assert.Contains(t, inModule(t, dir, "doc", "github.com/gradient-go/indexingjobs.Phase"), "func (p Phase) Terminal() bool")
}

// TestNothingGeneratedIsExportedButWhatUsersHold: of the root package's
// generated code, only the types users hold are exported (with their
// constants and methods); the wire's request and answer types, the
// operations and their queries are not.
func TestNothingGeneratedIsExportedButWhatUsersHold(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "indexingjobs.gen.go", nil, parser.SkipObjectResolution)
	require.NoError(t, err)
	held := map[string]bool{}
	for _, typ := range heldTypes {
		held[typ.Name()] = true
	}
	for name := range heldEnums {
		held[name] = true
	}
	for _, decl := range f.Decls {
		switch d := decl.(type) {
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				switch s := spec.(type) {
				case *ast.TypeSpec:
					assert.Equal(t, held[s.Name.Name], s.Name.IsExported(), "type %s: exported exactly when users hold it", s.Name.Name)
				case *ast.ValueSpec:
					for _, n := range s.Names {
						if !n.IsExported() {
							continue
						}
						typ, ok := s.Type.(*ast.Ident)
						assert.True(t, ok && held[typ.Name], "%s is a value of a type users hold", n.Name)
					}
				}
			}
		case *ast.FuncDecl:
			if d.Recv != nil && d.Name.IsExported() {
				recv := d.Recv.List[0].Type
				if star, ok := recv.(*ast.StarExpr); ok {
					recv = star.X
				}
				assert.True(t, held[recv.(*ast.Ident).Name], "method %s is of a type users hold", d.Name.Name)
			} else {
				assert.False(t, d.Name.IsExported(), "func %s", d.Name.Name)
			}
		}
	}
}

// TestFieldsAreNamedForTheirJSON: a field's Go name is its JSON name in Go's
// spelling (knowledge_base_uuid: KnowledgeBaseUUID; a letter after a digit
// upper-cased, as the generator's name normalizer writes it, and no pin
// can change: cache_write_1h_...: CacheWrite1H...). A property that refers
// to a schema with an x-go-name would take that name instead
// (last_indexing_job: IndexingJob) unless oapi-codegen.overlay.yaml pins
// it: this names the property that needs a pin.
func TestFieldsAreNamedForTheirJSON(t *testing.T) {
	initialisms := map[string]string{"uuid": "UUID", "uuids": "UUIDs", "id": "ID", "url": "URL", "aws": "AWS"}
	goName := func(json string) string {
		var b strings.Builder
		for part := range strings.SplitSeq(json, "_") {
			if up, ok := initialisms[part]; ok {
				b.WriteString(up)
				continue
			}
			r := []rune(part)
			for i := range r {
				if i == 0 || unicode.IsDigit(r[i-1]) {
					r[i] = unicode.ToUpper(r[i])
				}
			}
			b.WriteString(string(r))
		}
		return b.String()
	}
	for _, typ := range heldTypes {
		for i := range typ.NumField() {
			f := typ.Field(i)
			json, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			assert.Equal(t, goName(json), f.Name, "%s.%s (json %q): pin its name in oapi-codegen.overlay.yaml", typ.Name(), f.Name, json)
		}
	}
}
