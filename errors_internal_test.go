package indexingjobs

import (
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestErrOutcomeUnknownNamesEveryMethodThatReturnsIt: a method can return
// ErrOutcomeUnknown when it sends an operation that is not idempotent, or
// a DELETE (whose 404 after an earlier attempt wraps it); ErrOutcomeUnknown's
// comment names each such method, and only those. The methods are found in
// the package's source by the operations they name.
func TestErrOutcomeUnknownNamesEveryMethodThatReturnsIt(t *testing.T) {
	ops := map[string]*operation{}
	for _, op := range operations {
		ops["opGenai"+strings.ReplaceAll(strings.Title(strings.ReplaceAll(strings.TrimPrefix(op.id, "genai_"), "_", " ")), " ", "")] = op //nolint:staticcheck // ASCII ids
	}
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	var parsed []*ast.File
	var want []string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		require.NoError(t, err)
		f, err := parser.ParseFile(fset, name, src, parser.ParseComments)
		require.NoError(t, err)
		parsed = append(parsed, f)
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || !fn.Name.IsExported() || fn.Body == nil {
				continue
			}
			unsure := false
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				if id, ok := n.(*ast.Ident); ok {
					if op, ok := ops[id.Name]; ok && (!op.idempotent || op.method == "DELETE") {
						unsure = true
					}
				}
				return true
			})
			if unsure {
				want = append(want, fn.Name.Name)
			}
		}
	}
	require.NotEmpty(t, want)
	t.Log("methods that can return it:", want)
	pkg, err := doc.NewFromFiles(fset, parsed, "github.com/gradient-go/indexingjobs")
	require.NoError(t, err)
	var comment string
	for _, v := range pkg.Vars {
		if len(v.Names) == 1 && v.Names[0] == "ErrOutcomeUnknown" {
			comment = v.Doc
		}
	}
	require.NotEmpty(t, comment)
	for _, m := range want {
		assert.Contains(t, comment, m, "ErrOutcomeUnknown's comment names %s", m)
	}
}

// TestAPIErrorReadsAsOneSentence: the API's message loses its full stop
// where the error goes on ("you; request id", not "you.; request id").
func TestAPIErrorReadsAsOneSentence(t *testing.T) {
	e := &APIError{Method: "GET", URL: "https://api.digitalocean.com/v2/x", StatusCode: 401, ID: "unauthorized",
		Message: "Unable to authenticate you.", RequestID: "4d9d8375"}
	assert.Equal(t, "indexingjobs: GET https://api.digitalocean.com/v2/x: 401 Unauthorized (unauthorized): Unable to authenticate you; request id 4d9d8375", e.Error())
}
