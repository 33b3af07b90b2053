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

// TestAProgramOfTheLibraryCompilesNoneOfTheTools: the tool's
// dependencies (cobra, pflag, and creack/pty for its tests), and those of
// package folder and the fake's Spaces (minio-go, mpb, gofakes3), are in the
// module's go.mod, but a program that imports the library, from a module
// of its own with a replace directive as the README shows, compiles none
// of them.
func TestAProgramOfTheLibraryCompilesNoneOfTheTools(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	root, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}").Output()
	require.NoError(t, err)
	dir := t.TempDir()
	write := func(name, text string) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644))
	}
	write("go.mod", "module example.com/consumer\n\ngo 1.26.0\n\nrequire github.com/gradient-go/indexingjobs v0.0.0\n\n"+
		"replace github.com/gradient-go/indexingjobs => "+strings.TrimSpace(string(root))+"\n")
	write("main.go", "package main\n\nimport indexingjobs \"github.com/gradient-go/indexingjobs\"\n\nfunc main() { println(indexingjobs.Version) }\n")
	sums, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(root)), "go.sum"))
	require.NoError(t, err)
	write("go.sum", string(sums))
	cmd := exec.Command("go", "list", "-deps", ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	deps := string(out)
	require.Contains(t, deps, "github.com/gradient-go/indexingjobs\n")
	for _, tool := range []string{"github.com/spf13/", "github.com/creack/", "github.com/inconshreveable/", "testify", "goleak", "yaml",
		"github.com/minio/", "github.com/johannesboyne/", "github.com/vbauerster/", "github.com/klauspost/", "/folder"} {
		assert.NotContains(t, deps, tool)
	}
}
