package folder

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"
)

// File is a regular file of the folder.
type File struct {
	// Name is its path under the folder, slash-separated
	// ("guides/install.md"): the name it is uploaded under.
	Name string `json:"name"`
	Size int64  `json:"size"`
}

// Skipped is something under the folder that is not indexed, and why.
type Skipped struct {
	Name string `json:"name"`
	Why  string `json:"why"`
}

// Why something is skipped.
const (
	skipDotDir      = "a dot-directory"
	skipLinkOut     = "a link that leads out of the folder: not followed"
	skipLinkNowhere = "a link that leads nowhere"
	skipLinkDir     = "a link to a directory: not followed"
	skipNotRegular  = "not a regular file"
	skipNotUTF8     = "a name that is not UTF-8, which no object key can carry"
	skipEmpty       = "an empty file: nothing to index, and no upload of 0 bytes is taken" // Create only
)

// Walk returns the regular files under dir, by name, and what it skipped:
// directories whose names start with a dot (.git), with all they hold;
// links that lead out of dir or to nothing; links to directories;
// devices, pipes and sockets; names that are not UTF-8. A link to a file
// inside dir is listed under the link's name, with its target's size.
func Walk(dir string) ([]File, []Skipped, error) {
	t, err := openTree(dir)
	if err != nil {
		return nil, nil, err
	}
	defer t.close()
	return t.files, t.skipped, nil
}

// tree is a walked folder, opened: its files are read through root, which
// follows no link out of it.
type tree struct {
	dir     string
	root    *os.Root
	files   []File
	skipped []Skipped
}

func openTree(dir string) (*tree, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	t := &tree{dir: dir, root: root}
	if err := fs.WalkDir(root.FS(), ".", t.visit); err != nil {
		root.Close()
		return nil, err
	}
	return t, nil
}

func (t *tree) close() { t.root.Close() }

// visit is fs.WalkDir's function: it keeps what is indexed, notes what is
// skipped.
func (t *tree) visit(name string, d fs.DirEntry, err error) error {
	if err != nil {
		return &FileError{Op: "read", Name: name, Err: unwrapPath(err)}
	}
	skip := func(why string) error {
		t.skipped = append(t.skipped, Skipped{Name: name, Why: why})
		return nil
	}
	switch {
	case name == ".":
		return nil
	case d.IsDir() && strings.HasPrefix(d.Name(), "."):
		t.skipped = append(t.skipped, Skipped{Name: name + "/", Why: skipDotDir})
		return fs.SkipDir
	case d.IsDir():
		return nil
	case !utf8.ValidString(name):
		return skip(skipNotUTF8)
	}
	info, err := t.root.Stat(name) // follows a link, inside the root only
	switch {
	case err != nil && d.Type()&fs.ModeSymlink != 0:
		// The root refuses a link out of it; say which it is.
		if _, outside := os.Stat(filepath.Join(t.dir, filepath.FromSlash(name))); outside == nil {
			return skip(skipLinkOut)
		}
		return skip(skipLinkNowhere)
	case err != nil:
		return &FileError{Op: "read", Name: name, Err: unwrapPath(err)}
	case info.IsDir():
		return skip(skipLinkDir)
	case !info.Mode().IsRegular():
		return skip(skipNotRegular)
	}
	t.files = append(t.files, File{Name: name, Size: info.Size()})
	return nil
}

// open opens f for reading, through the root, and checks that it is still
// the regular file of f.Size bytes that Walk found. The caller closes it;
// stamp is what it was when opened, for unchanged.
func (t *tree) open(f File) (*os.File, stamp, error) {
	h, err := t.root.Open(f.Name)
	if err != nil {
		return nil, stamp{}, &FileError{Op: "open", Name: f.Name, Err: unwrapPath(err)}
	}
	info, err := h.Stat()
	switch {
	case err != nil:
		h.Close()
		return nil, stamp{}, &FileError{Op: "open", Name: f.Name, Err: unwrapPath(err)}
	case !info.Mode().IsRegular():
		h.Close()
		return nil, stamp{}, &FileError{Op: "open", Name: f.Name, Err: errors.New("no longer a regular file")}
	case info.Size() != f.Size:
		h.Close()
		return nil, stamp{}, &FileError{Op: "open", Name: f.Name, Err: fmt.Errorf("%w: %d bytes, %d when the folder was read", errChanged, info.Size(), f.Size)}
	}
	return h, stamp{size: info.Size(), mod: info.ModTime()}, nil
}

// errChanged: a file changed while it was being read or sent.
var errChanged = errors.New("the file changed while it was read; run again")

// stamp is a file's size and modification time, to tell whether it
// changed while it was sent.
type stamp struct {
	size int64
	mod  time.Time
}

// unchanged checks that the open file h is as it was when stamped.
func unchanged(h *os.File, was stamp, name string) error {
	info, err := h.Stat()
	if err != nil {
		return &FileError{Op: "read", Name: name, Err: unwrapPath(err)}
	}
	if info.Size() != was.size || !info.ModTime().Equal(was.mod) {
		return &FileError{Op: "read", Name: name, Err: errChanged}
	}
	return nil
}

// unwrapPath drops an *fs.PathError's own path, which FileError names
// already (relative to the folder), keeping its operation and cause.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}
