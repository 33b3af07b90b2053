package indexingjobs_test

import (
	"os/exec"
	"reflect"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gradient-go/indexingjobs"
)

// goDoc runs go doc as a user would, from the module.
func goDoc(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("go", append([]string{"doc"}, args...)...).CombinedOutput()
	require.NoError(t, err, "%s", out)
	return string(out)
}

// TestGoDocShowsTheAliasedTypes: the job types are aliases of generated
// types, and go doc shows only an alias's own comment, so that comment
// names every field (taken from the type itself, so that a field added to
// the spec fails this test until it is named) and every constant, and the
// go doc command it points to works.
func TestGoDocShowsTheAliasedTypes(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go doc")
	}
	for name, typ := range map[string]reflect.Type{
		"IndexingJob":       reflect.TypeFor[indexingjobs.IndexingJob](),
		"IndexedDataSource": reflect.TypeFor[indexingjobs.IndexedDataSource](),
	} {
		doc := goDoc(t, ".", name)
		for i := range typ.NumField() {
			f := typ.Field(i)
			json := regexp.MustCompile(`^[a-z_]+`).FindString(f.Tag.Get("json"))
			assert.Regexp(t, `(?m)^\s+`+f.Name+`\s+\S+\s+`+json+`\b`, doc, "go doc %s names the field %s (%s)", name, f.Name, json)
		}
		pointer := regexp.MustCompile(`go doc (github\.com/gradient-go/indexingjobs/gen\.\w+)`).FindStringSubmatch(doc)
		require.NotNil(t, pointer, "go doc %s points to the generated type", name)
		assert.Contains(t, goDoc(t, pointer[1]), "struct {", pointer[1])
	}
	doc := goDoc(t, ".", "Phase")
	for _, p := range []indexingjobs.Phase{indexingjobs.PhasePending, indexingjobs.PhaseRunning, indexingjobs.PhaseSucceeded,
		indexingjobs.PhaseFailed, indexingjobs.PhaseError, indexingjobs.PhaseCancelled, indexingjobs.PhaseUnknown} {
		terminal := ""
		if p.Terminal() {
			terminal = `\s+terminal`
		}
		assert.Regexp(t, `(?m)^\s+Phase\w+\s+`+string(p)+terminal, doc, "go doc Phase names %s", p)
	}
	assert.Contains(t, goDoc(t, "github.com/gradient-go/indexingjobs/wire.Phase"), "func (p Phase) Terminal() bool")
}
