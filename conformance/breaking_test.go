package conformance

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// oasdiffBreaking runs the check of `make breaking` between openapi.yaml and
// a copy changed by edit, and returns its output and whether it passed.
func oasdiffBreaking(t *testing.T, edit func(string) string) (string, bool) {
	t.Helper()
	spec, err := os.ReadFile(specPath)
	require.NoError(t, err)
	changed := edit(string(spec))
	require.NotEqual(t, string(spec), changed, "the edit must change the spec")
	rev := filepath.Join(t.TempDir(), "openapi.yaml")
	require.NoError(t, os.WriteFile(rev, []byte(changed), 0o644))
	cmd := exec.Command("go", "tool", "-modfile=tools/go.mod", "oasdiff", "breaking", "openapi.yaml", rev,
		"--fail-on", "ERR", "--severity-levels", "tools/oasdiff-levels.txt")
	cmd.Dir = ".."
	out, err := cmd.CombinedOutput()
	if err != nil {
		var exit *exec.ExitError
		require.ErrorAs(t, err, &exit, "oasdiff did not run: %s", out)
	}
	return string(out), err == nil
}

func replaceOnce(old, new string) func(string) string {
	return func(s string) string { return strings.Replace(s, old, new, 1) }
}

func TestBreakingCatchesChangesToGoTypes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds oasdiff")
	}
	tests := map[string]func(string) string{
		// Only an error because of tools/oasdiff-levels.txt: oasdiff calls a
		// narrowed response format harmless, but the Go field changes type.
		"response int64 to int32": replaceOnce("        completed_datasources:\n          type: integer\n          format: int64",
			"        completed_datasources:\n          type: integer\n          format: int32"),
		"request property type": replaceOnce("        uuid:\n          type: string\n          description: |\n            The id of the indexing job to cancel",
			"        uuid:\n          type: number\n          description: |\n            The id of the indexing job to cancel"),
		"path removed": replaceOnce("  /v2/gen-ai/indexing_jobs/{indexing_job_uuid}/cancel:", "  /v2/gen-ai/indexing_jobs/{indexing_job_uuid}/stop:"),
	}
	for name, edit := range tests {
		t.Run(name, func(t *testing.T) {
			out, ok := oasdiffBreaking(t, edit)
			assert.False(t, ok, "oasdiff must fail:\n%s", out)
			assert.Contains(t, out, "error")
		})
	}
}

func TestBreakingAllowsCompatibleChanges(t *testing.T) {
	if testing.Short() {
		t.Skip("builds oasdiff")
	}
	out, ok := oasdiffBreaking(t, replaceOnce("        is_report_available:\n",
		"        priority:\n          type: integer\n          description: A new optional field.\n          example: 1\n        is_report_available:\n"))
	assert.True(t, ok, "a new optional response field breaks nobody:\n%s", out)
}
