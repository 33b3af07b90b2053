package folder_test

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gradient-go/indexingjobs/folder"
)

func names(files []folder.File) []string {
	var out []string
	for _, f := range files {
		out = append(out, f.Name)
	}
	return out
}

func skippedWhy(skipped []folder.Skipped) map[string]string {
	out := map[string]string{}
	for _, s := range skipped {
		out[s.Name] = s.Why
	}
	return out
}

// TestWalkSkipsDotDirectories: what lies under .git or .cache is left
// out, each such directory named once; a dot-file is a file like others.
func TestWalkSkipsDotDirectories(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"README.md": "r", "guides/install.md": "i", ".env.example": "e",
		".git/config": "c", ".git/objects/ab/cd": "x", "guides/.cache/page.html": "p",
	})
	files, skipped, err := folder.Walk(dir)
	require.NoError(t, err)
	assert.Equal(t, []string{".env.example", "README.md", "guides/install.md"}, names(files))
	assert.Equal(t, map[string]string{".git/": "a dot-directory", "guides/.cache/": "a dot-directory"}, skippedWhy(skipped))
	assert.Equal(t, int64(1), files[0].Size)
}

// TestWalkFollowsNoLinkOutOfTheFolder: a link to a file inside is a file
// under the link's name; a link out of the folder, a dangling link and a
// link to a directory are skipped, each saying why.
func TestWalkFollowsNoLinkOutOfTheFolder(t *testing.T) {
	outside := t.TempDir()
	writeFiles(t, outside, map[string]string{"secret.txt": "not for the index", "dir/x.md": "x"})
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"docs/a.md": "aaa"})
	link := func(target, name string) { require.NoError(t, os.Symlink(target, filepath.Join(dir, name))) }
	link("docs/a.md", "inside.md")
	link(filepath.Join(outside, "secret.txt"), "absolute-out.txt")
	link("../../"+filepath.Base(outside)+"/secret.txt", "docs/relative-out.txt")
	link("missing.md", "dangling.md")
	link("docs", "docs-again")
	link(filepath.Join(outside, "dir"), "dir-out")

	files, skipped, err := folder.Walk(dir)
	require.NoError(t, err)
	assert.Equal(t, []folder.File{{Name: "docs/a.md", Size: 3}, {Name: "inside.md", Size: 3}}, files)
	assert.Equal(t, map[string]string{
		"absolute-out.txt":      "a link that leads out of the folder: not followed",
		"docs/relative-out.txt": "a link that leads out of the folder: not followed",
		"dangling.md":           "a link that leads nowhere",
		"docs-again":            "a link to a directory: not followed",
		"dir-out":               "a link that leads out of the folder: not followed",
	}, skippedWhy(skipped))
}

// TestWalkSkipsWhatIsNotARegularFile: a named pipe is not read (it would
// block), but said.
func TestWalkSkipsWhatIsNotARegularFile(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a.md": "a"})
	require.NoError(t, syscall.Mkfifo(filepath.Join(dir, "pipe"), 0o644))
	files, skipped, err := folder.Walk(dir)
	require.NoError(t, err)
	assert.Equal(t, []string{"a.md"}, names(files))
	assert.Equal(t, map[string]string{"pipe": "not a regular file"}, skippedWhy(skipped))
}

// TestWalkOfAMissingFolderSaysSo.
func TestWalkOfAMissingFolderSaysSo(t *testing.T) {
	_, _, err := folder.Walk(filepath.Join(t.TempDir(), "nowhere"))
	require.ErrorIs(t, err, os.ErrNotExist)
}
