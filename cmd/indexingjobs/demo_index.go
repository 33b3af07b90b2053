package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/gradient-go/indexingjobs/folder"
	"github.com/gradient-go/indexingjobs/indexingjobstest"
)

// spacesEnv is what a shell needs to reach the fake's Spaces: its
// endpoint, its key, and the bucket it has ready.
func spacesEnv(srv *indexingjobstest.Server) [][2]string {
	return [][2]string{
		{folder.SpacesEndpointEnv, srv.SpacesURL()},
		{folder.SpacesAccessKeyIDEnv, indexingjobstest.SpacesAccessKeyID},
		{folder.SpacesSecretAccessKeyEnv, indexingjobstest.SpacesSecretAccessKey},
		{"SPACES_BUCKET", indexingjobstest.SpacesBucket},
	}
}

// printSpacesExports writes an export line for each of spacesEnv, with
// indent before it, to be pasted into a shell.
func printSpacesExports(w io.Writer, indent string, srv *indexingjobstest.Server) {
	for _, kv := range spacesEnv(srv) {
		fmt.Fprintf(w, "%sexport %s=%s\n", indent, kv[0], kv[1])
	}
}

// index ends the demo: `index` keeps the knowledge base's first data
// source, a folder of a bucket in the fake's Spaces, current from a folder
// of files; run again, it finds nothing to do.
func (d *demoRun) index(srv *indexingjobstest.Server, poll []string) error {
	dir, err := os.MkdirTemp("", "indexingjobs-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	docs := filepath.Join(dir, "docs")
	for name, text := range map[string]string{
		"README.md":         "# Product docs\n\nStart with guides/install.md.\n",
		"guides/install.md": "# Install\n\nRun the installer, then sign in.\n",
		"guides/faq.md":     "# FAQ\n\nQ: Where are my files?\nA: In your Spaces bucket.\n",
	} {
		p := filepath.Join(docs, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			return err
		}
	}
	env := map[string]string{}
	for _, kv := range spacesEnv(srv) {
		env[kv[0]] = kv[1]
	}
	fmt.Fprintf(d.stderr, "\n# Keep its first data source, the folder source-1 of a Spaces bucket, current from a folder of 3 files:\n")
	printSpacesExports(d.stderr, "$ ", srv)
	e := *d
	e.ctx = withEnv(d.ctx, env)
	args := append([]string{"index", docs, "--knowledge-base", d.kb, "--spaces", "product-docs/source-1", "--spaces-region", indexingjobstest.SpacesRegion, "--wait"}, poll...)
	if _, err := e.step("", args...); err != nil {
		return err
	}
	_, err = e.step("Again: nothing changed, so nothing is sent and no job started:", args...)
	return err
}
