package folder_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/folder"
	"github.com/gradient-go/indexingjobs/indexingjobstest"
)

// interrupter is a Progress that cancels the run once stop() says so,
// checked as each file is done, and keeps the files said to have failed.
type interrupter struct {
	stop   func() bool
	cancel context.CancelFunc
	mu     sync.Mutex
	failed []string
}

func (p *interrupter) Step(string)      {}
func (p *interrupter) Start(int, int64) {}
func (p *interrupter) Sent(int64)       {}
func (p *interrupter) Stop()            {}
func (p *interrupter) FileDone(name string, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil {
		p.failed = append(p.failed, name)
	}
	if p.stop != nil && p.stop() {
		p.cancel()
	}
}

// createFixture is the fake API, a client of it, a folder of n files and a
// journal directory.
type createFixture struct {
	srv     *indexingjobstest.Server
	client  *indexingjobs.Client
	dir     string
	journal string
	files   map[string]string
}

func newCreateFixture(t *testing.T, n int) *createFixture {
	srv := indexingjobstest.NewServer(indexingjobstest.WithJobDuration(0), indexingjobstest.WithDatabaseDelay(0))
	t.Cleanup(srv.Close)
	client, err := srv.NewClient()
	require.NoError(t, err)
	f := &createFixture{srv: srv, client: client, dir: t.TempDir(), journal: t.TempDir(), files: map[string]string{}}
	for i := range n {
		f.files[fmt.Sprintf("docs/f%02d.md", i)] = strings.Repeat(fmt.Sprint(i%10), 1000+i)
	}
	writeFiles(t, f.dir, f.files)
	return f
}

func (f *createFixture) options() folder.CreateOptions {
	opts := createOptions()
	opts.JournalDir = f.journal
	return opts
}

// createStoppedAfter runs Create with one upload at a time, cancelled once
// the fake's storage has taken k uploads since it began.
func (f *createFixture) createStoppedAfter(t *testing.T, srv *indexingjobstest.Server, client *indexingjobs.Client, k int) *folder.Summary {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	before := srv.StorageRequests()
	opts := f.options()
	opts.Parallel = 1
	opts.Progress = &interrupter{stop: func() bool { return srv.StorageRequests()-before >= k }, cancel: cancel}
	sum, err := folder.Create(ctx, client, f.dir, opts)
	require.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), "no knowledge base was created")
	assert.Equal(t, k, srv.StorageRequests()-before, "uploads at the storage")
	return sum
}

// knowledgeBases is every knowledge base the fake has.
func knowledgeBases(t *testing.T, client *indexingjobs.Client) []indexingjobs.KnowledgeBase {
	t.Helper()
	var out []indexingjobs.KnowledgeBase
	for kb, err := range client.ListKnowledgeBases(context.Background()) {
		require.NoError(t, err)
		out = append(out, *kb)
	}
	return out
}

// storedContents is, for each data source of the knowledge base, its
// file's name and the SHA-256 of what the fake's storage holds of it.
func storedContents(t *testing.T, srv *indexingjobstest.Server, client *indexingjobs.Client, kb string) map[string][sha256.Size]byte {
	t.Helper()
	out := map[string][sha256.Size]byte{}
	for ds, err := range client.ListKnowledgeBaseDataSources(context.Background(), kb) {
		require.NoError(t, err)
		up, ok := srv.Uploaded(ds.FileUploadDataSource.StoredObjectKey)
		require.True(t, ok, ds.FileUploadDataSource.OriginalFileName)
		out[ds.FileUploadDataSource.OriginalFileName] = up.SHA256
	}
	return out
}

func sha256s(files map[string]string) map[string][sha256.Size]byte {
	out := map[string][sha256.Size]byte{}
	for name, content := range files {
		out[name] = sha256.Sum256([]byte(content))
	}
	return out
}

// TestCreateInterruptedThenResumed: a run cancelled after K uploads (as
// the fake's storage counts them) leaves its journal; the same call again
// uploads exactly the other N-K files, reuses K, creates one knowledge
// base with N data sources, and removes the journal.
func TestCreateInterruptedThenResumed(t *testing.T) {
	const n, k = 12, 5
	f := newCreateFixture(t, n)
	sum := f.createStoppedAfter(t, f.srv, f.client, k)
	assert.Equal(t, k, sum.Uploaded)
	assert.Zero(t, sum.Reused)
	assert.Empty(t, knowledgeBases(t, f.client))

	before := f.srv.StorageRequests()
	sum, err := folder.Create(context.Background(), f.client, f.dir, f.options())
	require.NoError(t, err)
	assert.Equal(t, n-k, f.srv.StorageRequests()-before, "uploads of the rerun")
	assert.Equal(t, n-k, sum.Uploaded)
	assert.Equal(t, k, sum.Reused)
	assert.Equal(t, n, sum.Files)
	kbs := knowledgeBases(t, f.client)
	require.Len(t, kbs, 1)
	assert.Equal(t, sum.KnowledgeBaseUUID, kbs[0].UUID)
	assert.Equal(t, sha256s(f.files), storedContents(t, f.srv, f.client, kbs[0].UUID), "N data sources, each the file's content")
	left, err := os.ReadDir(f.journal)
	require.NoError(t, err)
	assert.Empty(t, left, "the journal is removed once the knowledge base is created")
}

// TestCreateResumeUploadsAChangedFileAgain: a file the interrupted run
// uploaded and that changed since (same size, other content) is uploaded
// again; the others are reused.
func TestCreateResumeUploadsAChangedFileAgain(t *testing.T) {
	const n, k = 8, 4
	f := newCreateFixture(t, n)
	f.createStoppedAfter(t, f.srv, f.client, k)
	changed := "docs/f00.md" // the first uploaded, one at a time in order
	f.files[changed] = strings.Repeat("z", len(f.files[changed]))
	writeFiles(t, f.dir, map[string]string{changed: f.files[changed]})

	before := f.srv.StorageRequests()
	sum, err := folder.Create(context.Background(), f.client, f.dir, f.options())
	require.NoError(t, err)
	assert.Equal(t, k-1, sum.Reused)
	assert.Equal(t, n-k+1, sum.Uploaded)
	assert.Equal(t, n-k+1, f.srv.StorageRequests()-before)
	assert.Equal(t, sha256s(f.files), storedContents(t, f.srv, f.client, sum.KnowledgeBaseUUID), "the changed file's new content")
}

// TestCreateTornJournalLine: a journal whose last line was cut short (a
// run killed as it wrote) is read without it, and the entries written
// after it are read by the next run.
func TestCreateTornJournalLine(t *testing.T) {
	const n, k = 9, 3
	f := newCreateFixture(t, n)
	f.createStoppedAfter(t, f.srv, f.client, k)
	journals, err := filepath.Glob(filepath.Join(f.journal, "*"))
	require.NoError(t, err)
	require.Len(t, journals, 1)
	j, err := os.OpenFile(journals[0], os.O_WRONLY|os.O_APPEND, 0)
	require.NoError(t, err)
	_, err = j.WriteString(`{"name":"docs/f08.md","size":1008,"sha256":"ab`)
	require.NoError(t, err)
	require.NoError(t, j.Close())

	sum := f.createStoppedAfter(t, f.srv, f.client, 1)
	assert.Equal(t, k, sum.Reused)
	assert.Equal(t, 1, sum.Uploaded)

	before := f.srv.StorageRequests()
	sum, err = folder.Create(context.Background(), f.client, f.dir, f.options())
	require.NoError(t, err)
	assert.Equal(t, k+1, sum.Reused, "the entry written after the torn line is read")
	assert.Equal(t, n-k-1, f.srv.StorageRequests()-before)
	assert.Equal(t, sha256s(f.files), storedContents(t, f.srv, f.client, sum.KnowledgeBaseUUID))
}

// TestCreateDropsTheJournalsObjectsWhenTheCreateIsRefused: when the
// objects an earlier run uploaded are gone (here: another API, which
// never had them), the create is refused; the error says so, the
// journal keeps only this run's uploads, and the same call again uploads
// the others and creates the knowledge base.
func TestCreateDropsTheJournalsObjectsWhenTheCreateIsRefused(t *testing.T) {
	const n, k = 6, 2
	f := newCreateFixture(t, n)
	f.createStoppedAfter(t, f.srv, f.client, k)

	other := indexingjobstest.NewServer(indexingjobstest.WithJobDuration(0))
	defer other.Close()
	client, err := other.NewClient()
	require.NoError(t, err)
	sum, err := folder.Create(context.Background(), client, f.dir, f.options())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "names no uploaded object")
	assert.Contains(t, err.Error(), "2 files came from the journal of an earlier run, whose objects may be gone: they are dropped from it, and the same call again uploads them anew")
	assert.Equal(t, k, sum.Reused)

	sum, err = folder.Create(context.Background(), client, f.dir, f.options())
	require.NoError(t, err)
	assert.Equal(t, k, sum.Uploaded)
	assert.Equal(t, n-k, sum.Reused)
	assert.Equal(t, sha256s(f.files), storedContents(t, other, client, sum.KnowledgeBaseUUID))
}

// TestCreateRefusesANameTaken: after a run that created the knowledge
// base, the same call again creates no second one of the same name and
// region, sends no file, and names the one there is; another name is
// created.
func TestCreateRefusesANameTaken(t *testing.T) {
	f := newCreateFixture(t, 3)
	first, err := folder.Create(context.Background(), f.client, f.dir, f.options())
	require.NoError(t, err)

	before := f.srv.StorageRequests()
	_, err = folder.Create(context.Background(), f.client, f.dir, f.options())
	var taken *folder.KnowledgeBaseExistsError
	require.ErrorAs(t, err, &taken)
	assert.Equal(t, first.KnowledgeBaseUUID, taken.UUID)
	assert.Equal(t, `a knowledge base named "handbook" is already in tor1: `+first.KnowledgeBaseUUID+
		"; keep it current from the folder through Spaces (Sync), or choose another name", err.Error())
	assert.Equal(t, before, f.srv.StorageRequests(), "nothing uploaded")
	assert.Len(t, knowledgeBases(t, f.client), 1)

	opts := f.options()
	opts.Region = "nyc3"
	_, err = folder.Create(context.Background(), f.client, f.dir, opts)
	require.NoError(t, err, "the name in another region")
	opts.Region, opts.Name = "tor1", "handbook-2"
	_, err = folder.Create(context.Background(), f.client, f.dir, opts)
	require.NoError(t, err)
	assert.Len(t, knowledgeBases(t, f.client), 3)
}

// journalFile is where Create keeps the journal of f's folder under
// opts' name and region: a file named for the SHA-256 of the three.
func (f *createFixture) journalFile(t *testing.T, opts folder.CreateOptions) string {
	t.Helper()
	abs, err := filepath.Abs(f.dir)
	require.NoError(t, err)
	sum := sha256.Sum256([]byte(abs + "\x00" + opts.Name + "\x00" + opts.Region))
	return filepath.Join(opts.JournalDir, fmt.Sprintf("%x.jsonl", sum[:16]))
}

// TestCreateRefusesASecondRunAtOnce: while a run uploads, the same
// call again (the same journal) is refused before it uploads anything,
// instead of uploading every file a second time and creating a second
// knowledge base of the name; the first run then ends as it would alone.
func TestCreateRefusesASecondRunAtOnce(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a.md": "alpha", "b.md": "beta"})
	api := newFakeAPI(t)
	opts := createOptions()
	opts.JournalDir = t.TempDir()
	opts.Parallel = 1
	var puts atomic.Int32
	arrived, release := make(chan struct{}), make(chan struct{})
	api.putHook = func(string) {
		if puts.Add(1) == 1 { // the first run's first upload waits
			close(arrived)
			<-release
		}
	}
	releaseOnce := sync.OnceFunc(func() { close(release) })
	defer releaseOnce() // a failed assertion below must not hold the storage
	first := make(chan error, 1)
	go func() {
		_, err := folder.Create(context.Background(), api, dir, opts)
		first <- err
	}()
	<-arrived

	_, err := folder.Create(context.Background(), api, dir, opts)
	require.Error(t, err, "a second run while the first uploads")
	assert.Contains(t, err.Error(), "another run")
	assert.Equal(t, int32(1), puts.Load(), "the second run uploads nothing")
	assert.Zero(t, api.count("CreateKnowledgeBase"), "nor creates anything")

	releaseOnce()
	require.NoError(t, <-first)
	assert.Equal(t, 1, api.count("CreateKnowledgeBase"))
}

// TestCreateFollowsNoLinkAsItsJournal: a link planted where the journal
// goes is not followed: the file it leads to is neither truncated nor
// written, and Create says what is in the way.
func TestCreateFollowsNoLinkAsItsJournal(t *testing.T) {
	f := newCreateFixture(t, 2)
	opts := f.options()
	victim := filepath.Join(t.TempDir(), "victim")
	require.NoError(t, os.WriteFile(victim, []byte("precious\n"), 0o600))
	require.NoError(t, os.Symlink(victim, f.journalFile(t, opts)))

	_, err := folder.Create(context.Background(), f.client, f.dir, opts)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "link")
	got, err := os.ReadFile(victim)
	require.NoError(t, err)
	assert.Equal(t, "precious\n", string(got), "the link's target is left alone")
	assert.Empty(t, knowledgeBases(t, f.client))
}

// TestCreateReadsAHugeJournalLineWithoutHoldingIt: a journal with a line
// of 64 MiB (no entry this package writes is near that) is read through
// without holding the line: the entries around it are reused, and the
// run allocates far less than the line.
func TestCreateReadsAHugeJournalLineWithoutHoldingIt(t *testing.T) {
	const n, k = 4, 2
	f := newCreateFixture(t, n)
	f.createStoppedAfter(t, f.srv, f.client, k)
	path := f.journalFile(t, f.options())
	kept, err := os.ReadFile(path)
	require.NoError(t, err)
	lines := strings.SplitAfter(string(kept), "\n")
	require.Len(t, lines, k+2, "a header, k entries and the empty rest")
	huge := append(bytes.Repeat([]byte("x"), 64<<20), '\n')
	planted := append([]byte(lines[0]+lines[1]), huge...)
	planted = append(planted, lines[2]...)
	require.NoError(t, os.WriteFile(path, planted, 0o600))
	huge, planted = nil, nil

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	sum, err := folder.Create(context.Background(), f.client, f.dir, f.options())
	runtime.ReadMemStats(&after)
	require.NoError(t, err)
	assert.Equal(t, k, sum.Reused, "the entries before and after the huge line")
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(16<<20), "bytes allocated")
}

// TestCreateWritesNoJournalThatIsAHardLink: a hard link planted where the
// journal goes (to a file of the user's, where links to others' files
// are allowed) is not truncated and written either.
func TestCreateWritesNoJournalThatIsAHardLink(t *testing.T) {
	f := newCreateFixture(t, 2)
	opts := f.options()
	victim := filepath.Join(opts.JournalDir, "victim")
	require.NoError(t, os.WriteFile(victim, []byte("precious\n"), 0o600))
	require.NoError(t, os.Link(victim, f.journalFile(t, opts)))

	_, err := folder.Create(context.Background(), f.client, f.dir, opts)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "link")
	got, err := os.ReadFile(victim)
	require.NoError(t, err)
	assert.Equal(t, "precious\n", string(got), "the other name's file is left alone")
}
