package folder

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// A journal is what Create keeps of its uploads, so that a run that was
// interrupted (or failed) leaves what it uploaded to the next run with the
// same folder, name and region: one file in CreateOptions.JournalDir, of
// JSON lines, a header and then an entry as each upload finishes. Each
// line is written and synced before the next upload is counted, so a run
// killed at any point leaves a journal of uploads that were answered 2xx;
// a last line cut short by the kill is ignored. Create removes the journal
// once the knowledge base is created.

// journalHeader is a journal's first line: what it is the journal of.
type journalHeader struct {
	Folder string `json:"folder"` // absolute
	Name   string `json:"name"`
	Region string `json:"region"`
}

// journalEntry is a file an earlier run uploaded: its name under the
// folder, its size and the SHA-256 of its content, and the object key the
// upload was stored under, which the create request names.
type journalEntry struct {
	Name       string    `json:"name"`
	Size       int64     `json:"size"`
	SHA256     string    `json:"sha256"` // hex
	ObjectKey  string    `json:"object_key"`
	UploadedAt time.Time `json:"uploaded_at"`
}

// journal is an open journal file, appended to as uploads finish.
type journal struct {
	path string
	mu   sync.Mutex
	f    *os.File
	// kept is the entries of earlier runs, by file name (the last one of
	// a name wins), and fresh those of this run, in the order written.
	kept  map[string]journalEntry
	fresh []journalEntry
}

// journalPath is where the journal of the folder, name and region lives
// in dir: a file named for the SHA-256 of the three, so that another
// name or region has a journal of its own.
func journalPath(dir string, h journalHeader) string {
	sum := sha256.Sum256([]byte(h.Folder + "\x00" + h.Name + "\x00" + h.Region))
	return filepath.Join(dir, hex.EncodeToString(sum[:16])+".jsonl")
}

// openJournal opens the journal of h in dir, making it (and dir) if there
// is none, and reads what earlier runs kept in it. A line cut short or
// unreadable is ignored, and a cut-short last line is dropped from the
// file, so that the next entry begins a line of its own.
func openJournal(dir string, h journalHeader) (*journal, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	j := &journal{path: journalPath(dir, h), kept: map[string]journalEntry{}}
	// A link or anything but a regular file where the journal goes was
	// put there by someone else: it is not opened through, nor truncated.
	notOurs := func() error {
		return fmt.Errorf("journal %s is a link, or not a regular file of its own, which is not written through: remove it", j.path)
	}
	if info, err := os.Lstat(j.path); err == nil && !info.Mode().IsRegular() {
		return nil, notOurs()
	}
	f, err := os.OpenFile(j.path, os.O_RDWR|os.O_CREATE|noFollow, 0o600)
	if err != nil {
		if info, lerr := os.Lstat(j.path); lerr == nil && !info.Mode().IsRegular() {
			return nil, notOurs() // a link made since
		}
		return nil, fmt.Errorf("journal: %w", err)
	}
	if info, err := f.Stat(); err != nil || !info.Mode().IsRegular() || hardLinked(info) {
		f.Close()
		return nil, notOurs()
	}
	j.f = f
	// Two runs at once would each upload every file and create a
	// knowledge base of the name: the second is refused.
	err = lockJournal(f)
	whole := int64(0)
	if err == nil {
		whole, err = j.read(h)
	}
	if err == nil {
		err = f.Truncate(whole)
	}
	if err == nil && whole == 0 {
		err = j.append(h)
	}
	if err == nil {
		_, err = f.Seek(0, io.SeekEnd)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("journal %s: %w", j.path, err)
	}
	return j, nil
}

// read takes the entries of the journal whose header is h, and returns
// the length of its whole lines. A journal of another header (which its
// name makes next to impossible) is started again.
func (j *journal) read(h journalHeader) (whole int64, err error) {
	r := bufio.NewReader(j.f)
	for first := true; ; first = false {
		line, n, err := journalLine(r)
		if errors.Is(err, io.EOF) {
			return whole, nil // a last line without its newline: cut short
		}
		if err != nil {
			return 0, err
		}
		if first {
			var got journalHeader
			if line == nil || json.Unmarshal(line, &got) != nil || got != h {
				return 0, nil
			}
		} else {
			var e journalEntry
			if line != nil && json.Unmarshal(line, &e) == nil && e.Name != "" && e.ObjectKey != "" {
				j.kept[e.Name] = e
			}
		}
		whole += n
	}
}

// maxJournalLine bounds the lines of a journal that are held to be read:
// an entry is its file's name and some 200 bytes more. A longer line was
// not written here (a file edited, or corrupt), and is read through
// without being held, as if it were not there.
const maxJournalLine = 1 << 20

// journalLine reads a line of r, its newline and all: its bytes, or nil
// if it is longer than maxJournalLine, and its length.
func journalLine(r *bufio.Reader) (line []byte, n int64, err error) {
	for {
		frag, err := r.ReadSlice('\n')
		n += int64(len(frag))
		if n <= maxJournalLine {
			line = append(line, frag...)
		} else {
			line = nil
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return line, n, err
		}
	}
}

// append writes v as a line, and syncs it to disk.
func (j *journal) append(v any) error {
	line, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if _, err := j.f.Write(append(line, '\n')); err != nil {
		return err
	}
	return j.f.Sync()
}

// entry is what an earlier run recorded of the file name; none for a nil
// journal.
func (j *journal) entry(name string) (journalEntry, bool) {
	if j == nil {
		return journalEntry{}, false
	}
	e, ok := j.kept[name]
	return e, ok
}

// add records an upload that the store answered 2xx.
func (j *journal) add(e journalEntry) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if err := j.append(e); err != nil {
		return fmt.Errorf("journal %s: %w", j.path, err)
	}
	j.fresh = append(j.fresh, e)
	return nil
}

// dropKept rewrites the journal with this run's entries only: those of
// earlier runs name objects that may be gone.
func (j *journal) dropKept(h journalHeader) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	_ = enc.Encode(h)
	for _, e := range j.fresh {
		_ = enc.Encode(e)
	}
	// The new file is locked before it takes the journal's name, so that
	// no other run takes it meanwhile.
	f, err := os.CreateTemp(filepath.Dir(j.path), filepath.Base(j.path)+".*.new")
	if err != nil {
		return err
	}
	_, err = f.Write(b.Bytes())
	if err == nil {
		err = f.Sync()
	}
	if err == nil {
		err = lockJournal(f)
	}
	if err == nil {
		err = os.Rename(f.Name(), j.path)
	}
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	j.kept = map[string]journalEntry{}
	j.f.Close()
	j.f = f
	return nil
}

// close closes the journal file, and removes it first when done, while
// it is still locked: a run that opened it meanwhile is refused.
func (j *journal) close(done bool) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return nil
	}
	var rerr error
	if done {
		if rerr = os.Remove(j.path); errors.Is(rerr, os.ErrNotExist) {
			rerr = nil
		}
	}
	err := j.f.Close()
	j.f = nil
	return errors.Join(rerr, err)
}

// errJournalBusy: another run holds the journal.
var errJournalBusy = errors.New("another run of the same folder, name and region is under way: let it end first")

// sha256 is the SHA-256 of f's content, in hex. It stops when ctx ends.
func (t *tree) sha256(ctx context.Context, f File) (string, error) {
	sum, err := t.digest(ctx, f, sha256.New())
	return hex.EncodeToString(sum), err
}
