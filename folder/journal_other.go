//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package folder

import (
	"io/fs"
	"os"
)

// noFollow: none here; openJournal checks for a link before it opens.
const noFollow = 0

// lockJournal does nothing where there is no flock: two runs at once of
// the same folder, name and region are not told apart.
func lockJournal(*os.File) error { return nil }

// hardLinked: not known here.
func hardLinked(fs.FileInfo) bool { return false }
