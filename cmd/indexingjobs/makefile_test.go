package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMakeTestPrintsWhatItTests: the steps of make test that render the
// documentation page (npm ci, Redocly's build-docs) print one line each,
// not the banners those tools print on every run; their output is shown
// when they fail. Stand-ins for npm and Redocly print such banners.
func TestMakeTestPrintsWhatItTests(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("no make")
	}
	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	dir := t.TempDir()
	makefile, err := os.ReadFile(filepath.Join(root, "Makefile"))
	require.NoError(t, err)
	write := func(name, text string, mode os.FileMode) {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(text), mode))
	}
	write("Makefile", string(makefile), 0o644)
	for _, name := range []string{"openapi.yaml", "redocly.yaml", "package.json", "package-lock.json"} {
		write(name, "", 0o644)
	}
	const banner = "║  Deprecation warning: Node.js 20 support is ending  ║"
	redocly := "#!/bin/sh\necho '" + banner + "' >&2\necho 'Prerendering docs'\n" +
		"if [ -n \"$BREAK\" ]; then echo 'openapi.yaml: broken' >&2; exit 1; fi\ntouch \"$5\"\n"
	write("bin/npm", "#!/bin/sh\necho '"+banner+"' >&2\necho 'added 1 package'\nmkdir -p node_modules/.bin\n"+
		"cat > node_modules/.bin/redocly <<'EOF'\n"+redocly+"EOF\nchmod +x node_modules/.bin/redocly\n", 0o755)
	docs := func(env ...string) (string, error) {
		cmd := exec.Command("make", "--no-print-directory", "docs-html")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), append(env, "PATH="+filepath.Join(dir, "bin")+":"+os.Getenv("PATH"))...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}

	out, err := docs()
	require.NoError(t, err, out)
	assert.Equal(t, "npm ci (Redocly CLI; output in build/npm-ci.log)\n"+
		"redocly build-docs openapi.yaml -> build/docs/index.html (output in build/docs/build-docs.log)\n", out)
	assert.FileExists(t, filepath.Join(dir, "build/docs/index.html"))

	require.NoError(t, os.Remove(filepath.Join(dir, "build/docs/index.html")))
	out, err = docs("BREAK=1")
	assert.Error(t, err)
	assert.True(t, strings.HasPrefix(out, "redocly build-docs openapi.yaml -> build/docs/index.html (output in build/docs/build-docs.log)\n"), out)
	assert.Contains(t, out, "openapi.yaml: broken\n", "a failure shows what the tool said")
	assert.Contains(t, out, banner)
}
