package folder_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/folder"
	"github.com/gradient-go/indexingjobs/indexingjobstest"
)

// countingTransport counts the S3 requests by method and lets a test act
// before one is sent.
type countingTransport struct {
	next   http.RoundTripper
	mu     sync.Mutex
	counts map[string]int
	before func(*http.Request) error
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.counts[r.Method]++
	before := c.before
	c.mu.Unlock()
	if before != nil {
		if err := before(r); err != nil {
			return nil, err
		}
	}
	return c.next.RoundTrip(r)
}

func (c *countingTransport) take() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.counts
	c.counts = map[string]int{}
	return out
}

// spacesFixture is the fake API and its Spaces, a knowledge base whose one
// data source is the prefix source-1 of the fake's bucket (as the fake
// shows a knowledge base's data sources: folders of a bucket named after
// it), and a client.
type spacesFixture struct {
	srv       *indexingjobstest.Server
	client    *indexingjobs.Client
	kb        string
	transport *countingTransport
}

func newSpacesFixture(t testing.TB, opts ...indexingjobstest.Option) *spacesFixture {
	srv := indexingjobstest.NewServer(append([]indexingjobstest.Option{indexingjobstest.WithJobDuration(0)}, opts...)...)
	t.Cleanup(srv.Close)
	kb := indexingjobstest.NewKnowledgeBase(1)
	kb.Name = indexingjobstest.SpacesBucket
	srv.AddKnowledgeBase(kb)
	client, err := srv.NewClient()
	require.NoError(t, err)
	return &spacesFixture{srv: srv, client: client, kb: kb.UUID,
		transport: &countingTransport{next: http.DefaultTransport.(*http.Transport).Clone(), counts: map[string]int{}}}
}

func (f *spacesFixture) options() folder.SyncOptions {
	return folder.SyncOptions{
		KnowledgeBaseUUID: f.kb,
		Spaces: folder.SpacesConfig{
			Bucket: indexingjobstest.SpacesBucket, Prefix: "source-1", Region: indexingjobstest.SpacesRegion,
			Endpoint: f.srv.SpacesURL(), AccessKeyID: indexingjobstest.SpacesAccessKeyID, SecretAccessKey: indexingjobstest.SpacesSecretAccessKey,
			Transport: f.transport,
		},
		RunOptions: folder.RunOptions{Wait: true, WaitOptions: []indexingjobs.WaitOption{indexingjobs.WithPollInterval(10 * time.Millisecond)}},
	}
}

// objects is what the fake's Spaces holds under source-1/, key → ETag.
func (f *spacesFixture) objects() map[string]string {
	out := map[string]string{}
	for _, o := range f.srv.SpacesObjects(indexingjobstest.SpacesBucket, "source-1/") {
		out[strings.TrimPrefix(o.Key, "source-1/")] = o.ETag
	}
	return out
}

func contentsOf(files map[string]string) map[string]string {
	out := map[string]string{}
	for name, content := range files {
		out[name] = md5hex(content)
	}
	return out
}

// TestSyncThenARerunIsUpToDate: the first run uploads every file, finds
// the data source and indexes it; a rerun with nothing changed makes one
// API request and one S3 listing, uploads nothing, starts nothing.
func TestSyncThenARerunIsUpToDate(t *testing.T) {
	f := newSpacesFixture(t)
	dir := t.TempDir()
	files := map[string]string{"a.md": "alpha", "guides/b.md": "beta", "guides/c.txt": "", ".git/HEAD": "ref"}
	writeFiles(t, dir, files)
	delete(files, ".git/HEAD")

	sum, err := folder.Sync(context.Background(), f.client, dir, f.options())
	require.NoError(t, err)
	assert.Equal(t, contentsOf(files), f.objects())
	assert.Equal(t, 3, sum.Uploaded)
	assert.Equal(t, int64(9), sum.Bytes)
	assert.Equal(t, []folder.Skipped{{Name: ".git/", Why: "a dot-directory"}}, sum.Skipped)
	assert.False(t, sum.UpToDate)
	assert.False(t, sum.DataSourceAdded)
	require.NotNil(t, sum.Job)
	assert.Equal(t, indexingjobs.PhaseSucceeded, sum.Job.Phase)
	assert.Equal(t, []string{sum.DataSourceUUID}, sum.Job.DataSourceUUIDs, "that data source only")

	f.transport.take()
	before := f.srv.Requests()
	sum, err = folder.Sync(context.Background(), f.client, dir, f.options())
	require.NoError(t, err)
	assert.True(t, sum.UpToDate)
	assert.Nil(t, sum.Job)
	assert.Equal(t, 3, sum.Unchanged)
	assert.Zero(t, sum.Uploaded)
	assert.Equal(t, 1, f.srv.Requests()-before, "API requests")
	assert.Equal(t, map[string]int{"GET": 1}, f.transport.take(), "S3: one page of the listing")
}

// TestSyncComparesContentNotTime: a file rewritten with other content of
// the same size and its old time is sent again; a file touched but
// unchanged is not.
func TestSyncComparesContentNotTime(t *testing.T) {
	f := newSpacesFixture(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"same-size.md": "aaaa", "touched.md": "tttt"})
	_, err := folder.Sync(context.Background(), f.client, dir, f.options())
	require.NoError(t, err)

	old := time.Now().Add(-time.Hour)
	p := filepath.Join(dir, "same-size.md")
	require.NoError(t, os.WriteFile(p, []byte("bbbb"), 0o644))
	require.NoError(t, os.Chtimes(p, old, old))
	later := time.Now().Add(time.Hour)
	require.NoError(t, os.Chtimes(filepath.Join(dir, "touched.md"), later, later))

	sum, err := folder.Sync(context.Background(), f.client, dir, f.options())
	require.NoError(t, err)
	assert.Equal(t, 1, sum.Uploaded)
	assert.Equal(t, 1, sum.Unchanged)
	assert.Equal(t, md5hex("bbbb"), f.objects()["same-size.md"])
	assert.NotNil(t, sum.Job, "a change is indexed")
}

// TestSyncDeletesOnlyWhenAsked: an object whose file is gone stays, until
// Delete; then it goes, and that is a change to index.
func TestSyncDeletesOnlyWhenAsked(t *testing.T) {
	f := newSpacesFixture(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"keep.md": "k", "gone.md": "g"})
	_, err := folder.Sync(context.Background(), f.client, dir, f.options())
	require.NoError(t, err)
	require.NoError(t, os.Remove(filepath.Join(dir, "gone.md")))

	sum, err := folder.Sync(context.Background(), f.client, dir, f.options())
	require.NoError(t, err)
	assert.True(t, sum.UpToDate)
	assert.Contains(t, f.objects(), "gone.md")

	opts := f.options()
	opts.Delete = true
	sum, err = folder.Sync(context.Background(), f.client, dir, opts)
	require.NoError(t, err)
	assert.Equal(t, 1, sum.Deleted)
	assert.Equal(t, map[string]string{"keep.md": md5hex("k")}, f.objects())
	assert.NotNil(t, sum.Job)
}

// TestSyncInterruptedThenResumed: cancelled in the middle of its uploads,
// Sync stops at once; every object in Spaces is whole; the summary and the
// error say what was done. The same call again sends only the rest, and
// indexes.
func TestSyncInterruptedThenResumed(t *testing.T) {
	f := newSpacesFixture(t)
	dir := t.TempDir()
	files := map[string]string{}
	for i := range 12 {
		files[fmt.Sprintf("f%02d.md", i)] = strings.Repeat(fmt.Sprint(i%10), 200<<10)
	}
	writeFiles(t, dir, files)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var puts atomic.Int32
	f.transport.before = func(r *http.Request) error {
		if r.Method == http.MethodPut && puts.Add(1) == 5 {
			// Half way through the fifth body, the interrupt comes.
			r.Body = &cutShort{ReadCloser: r.Body, after: 100 << 10, cut: cancel}
		}
		return nil
	}
	opts := f.options()
	opts.Parallel = 1
	sum, err := folder.Sync(ctx, f.client, dir, opts)
	require.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), "stopped after uploading 4 of 12 files")
	assert.Contains(t, err.Error(), "no indexing job was started")
	assert.Equal(t, 4, sum.Uploaded)
	stored := f.objects()
	assert.Len(t, stored, 4)
	for name, etag := range stored {
		assert.Equal(t, md5hex(files[name]), etag, "%s is whole", name)
	}
	jobs, err := f.client.ListKnowledgeBaseIndexingJobs(context.Background(), f.kb)
	require.NoError(t, err)
	assert.Empty(t, jobs, "no job started")

	f.transport.before = nil
	f.transport.take()
	sum, err = folder.Sync(context.Background(), f.client, dir, f.options())
	require.NoError(t, err)
	assert.Equal(t, 8, sum.Uploaded)
	assert.Equal(t, 4, sum.Unchanged)
	assert.Equal(t, 8, f.transport.take()["PUT"])
	assert.Equal(t, contentsOf(files), f.objects())
	assert.NotNil(t, sum.Job)
}

// TestSyncInterruptedInParallel: cancelled once K files are stored, with
// the uploads under way cut short mid-body, Sync says none of them
// failed, and the fake's Spaces holds the K objects, whole, and nothing
// of the others; the same call again uploads exactly the other N-K.
func TestSyncInterruptedInParallel(t *testing.T) {
	const n, k = 16, 5
	f := newSpacesFixture(t)
	dir := t.TempDir()
	files := map[string]string{}
	for i := range n {
		files[fmt.Sprintf("f%02d.md", i)] = strings.Repeat(fmt.Sprint(i%10), 256<<10)
	}
	writeFiles(t, dir, files)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var puts, done atomic.Int32
	f.transport.before = func(r *http.Request) error {
		if r.Method == http.MethodPut && puts.Add(1) > k {
			// Past the first K, each body stalls half sent until the
			// interrupt.
			r.Body = &heldAfter{ReadCloser: r.Body, after: 100 << 10, ctx: ctx}
		}
		return nil
	}
	opts := f.options()
	opts.Parallel = 4
	progress := &interrupter{stop: func() bool { return done.Add(1) == k }, cancel: cancel}
	opts.Progress = progress
	sum, err := folder.Sync(ctx, f.client, dir, opts)
	require.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), fmt.Sprintf("stopped after uploading %d of %d files", k, n))
	assert.Empty(t, progress.failed, "an upload cut short by the interrupt is not a failure")
	assert.Equal(t, k, sum.Uploaded)
	stored := f.objects()
	assert.Len(t, stored, k, "nothing of the uploads cut short")
	for name, etag := range stored {
		assert.Equal(t, md5hex(files[name]), etag, "%s is whole", name)
	}

	f.transport.before = nil
	f.transport.take()
	sum, err = folder.Sync(context.Background(), f.client, dir, f.options())
	require.NoError(t, err)
	assert.Equal(t, n-k, sum.Uploaded)
	assert.Equal(t, k, sum.Unchanged)
	assert.Equal(t, n-k, f.transport.take()["PUT"])
	assert.Equal(t, contentsOf(files), f.objects())
}

// heldAfter reads after bytes, then waits for ctx to end: an upload
// under way when the interrupt comes.
type heldAfter struct {
	io.ReadCloser
	after int
	ctx   context.Context
}

func (h *heldAfter) Read(p []byte) (int, error) {
	if h.after <= 0 {
		<-h.ctx.Done()
		return 0, h.ctx.Err()
	}
	n, err := h.ReadCloser.Read(p[:min(len(p), h.after)])
	h.after -= n
	return n, err
}

// cutShort calls cut once after bytes were read.
type cutShort struct {
	io.ReadCloser
	after int
	cut   func()
}

func (c *cutShort) Read(p []byte) (int, error) {
	if c.after <= 0 {
		c.cut()
		time.Sleep(50 * time.Millisecond) // let the transport see the end
	}
	n, err := c.ReadCloser.Read(p[:min(len(p), max(c.after, 1))])
	c.after -= n
	return n, err
}

// failingStart is an API whose start fails, as a run interrupted between
// its uploads and its start.
type failingStart struct{ folder.API }

func (failingStart) StartIndexingJob(context.Context, string, ...string) (*indexingjobs.IndexingJob, error) {
	return nil, context.Canceled
}

// TestSyncIndexesWhatARunStoppedBeforeItsStartUploaded: a run that
// uploaded, then stopped before its job started, leaves objects newer
// than the data source's last job; the next run uploads nothing and
// starts the job; the one after is up to date.
func TestSyncIndexesWhatARunStoppedBeforeItsStartUploaded(t *testing.T) {
	f := newSpacesFixture(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a.md": "a"})
	_, err := folder.Sync(context.Background(), failingStart{f.client}, dir, f.options())
	require.ErrorIs(t, err, context.Canceled)
	require.Len(t, f.objects(), 1)

	sum, err := folder.Sync(context.Background(), f.client, dir, f.options())
	require.NoError(t, err)
	assert.Zero(t, sum.Uploaded)
	assert.False(t, sum.UpToDate)
	require.NotNil(t, sum.Job)

	sum, err = folder.Sync(context.Background(), f.client, dir, f.options())
	require.NoError(t, err)
	assert.True(t, sum.UpToDate)
}

// TestSyncStartsNoJobWhileOneIsUnderWay: a run without Wait leaves its
// job pending; a rerun with nothing changed starts no second job, says
// the first is under way and, with Wait, follows it to its end.
func TestSyncStartsNoJobWhileOneIsUnderWay(t *testing.T) {
	f := newSpacesFixture(t, indexingjobstest.WithJobDuration(time.Hour))
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a.md": "a", "b.md": "b"})
	opts := f.options()
	opts.Wait = false
	first, err := folder.Sync(context.Background(), f.client, dir, opts)
	require.NoError(t, err)
	require.NotNil(t, first.Job)

	for range 2 {
		sum, err := folder.Sync(context.Background(), f.client, dir, opts)
		require.NoError(t, err)
		assert.True(t, sum.UpToDate)
		assert.True(t, sum.JobUnderWay)
		require.NotNil(t, sum.Job)
		assert.Equal(t, first.Job.UUID, sum.Job.UUID)
		assert.False(t, sum.Job.Phase.Terminal(), sum.Job.Phase)
	}
	jobs, err := f.client.ListKnowledgeBaseIndexingJobs(context.Background(), f.kb)
	require.NoError(t, err)
	assert.Len(t, jobs, 1, "one job started")

	sum, err := folder.Sync(context.Background(), f.client, dir, opts)
	require.NoError(t, err)
	_, err = f.client.CancelIndexingJob(context.Background(), sum.Job.UUID)
	require.NoError(t, err)
	sum, err = folder.Sync(context.Background(), f.client, dir, opts)
	require.NoError(t, err)
	assert.False(t, sum.JobUnderWay, "the job ended cancelled: the objects are indexed again")
	require.NotNil(t, sum.Job)
	assert.NotEqual(t, first.Job.UUID, sum.Job.UUID)
}

// TestSyncIndexesWhatARunStoppedBeforeItsStartDeleted: a run that
// deleted objects, then stopped before its job started, leaves fewer
// objects than the data source's last job counted; the next run deletes
// and uploads nothing, and starts the job; the one after is up to date.
func TestSyncIndexesWhatARunStoppedBeforeItsStartDeleted(t *testing.T) {
	f := newSpacesFixture(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"keep.md": "k", "gone.md": "g"})
	opts := f.options()
	opts.Delete = true
	_, err := folder.Sync(context.Background(), f.client, dir, opts)
	require.NoError(t, err)
	require.NoError(t, os.Remove(filepath.Join(dir, "gone.md")))

	sum, err := folder.Sync(context.Background(), failingStart{f.client}, dir, opts)
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 1, sum.Deleted)

	sum, err = folder.Sync(context.Background(), f.client, dir, opts)
	require.NoError(t, err)
	assert.Zero(t, sum.Deleted)
	assert.False(t, sum.UpToDate, "the deletion is not indexed yet")
	require.NotNil(t, sum.Job)

	sum, err = folder.Sync(context.Background(), f.client, dir, opts)
	require.NoError(t, err)
	assert.True(t, sum.UpToDate)
}

// TestSyncAddsTheDataSourceItLacks: a knowledge base without a Spaces
// data source on the bucket and prefix gets one, once, and a job on it.
func TestSyncAddsTheDataSourceItLacks(t *testing.T) {
	f := newSpacesFixture(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a.md": "a"})
	api := newFakeAPI(t)
	opts := f.options()
	opts.Spaces.Prefix = "/manuals/v2/"
	for range 2 {
		_, err := folder.Sync(context.Background(), api, dir, opts)
		require.NoError(t, err)
	}
	assert.Equal(t, 1, api.count("AddDataSource"))
	require.Len(t, api.sources, 1)
	assert.Equal(t, indexingjobstest.SpacesBucket, api.sources[0].SpacesDataSource.BucketName)
	assert.Equal(t, "manuals/v2/", api.sources[0].SpacesDataSource.ItemPath)
	assert.Equal(t, "tor1", api.sources[0].SpacesDataSource.Region)
	require.Len(t, api.jobs, 1, "the second run is up to date")
	assert.Equal(t, []string{api.sources[0].UUID}, api.jobs[0].DataSourceUUIDs)
	assert.Len(t, f.srv.SpacesObjects(indexingjobstest.SpacesBucket, "manuals/v2/a.md"), 1)
}

// TestSyncErrorNamesTheFile: a file the store refuses (a key over 1,024
// bytes) is named in the error, and nothing is indexed.
func TestSyncErrorNamesTheFile(t *testing.T) {
	f := newSpacesFixture(t)
	dir := t.TempDir()
	long := strings.Repeat(strings.Repeat("d", 200)+"/", 6) + "deep.md"
	writeFiles(t, dir, map[string]string{"a.md": "a", long: "deep"})
	api := newFakeAPI(t)
	_, err := folder.Sync(context.Background(), api, dir, f.options())
	var fe *folder.FileError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, long, fe.Name)
	assert.Contains(t, err.Error(), `upload "`+long+`"`)
	assert.Zero(t, api.count("StartIndexingJob"))
}

// TestSyncFollowsNoLinkOutOfTheFolder: a link to a file outside is not
// uploaded, and is said to be skipped.
func TestSyncFollowsNoLinkOutOfTheFolder(t *testing.T) {
	f := newSpacesFixture(t)
	outside := t.TempDir()
	writeFiles(t, outside, map[string]string{"secret.txt": "keep out"})
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a.md": "a"})
	require.NoError(t, os.Symlink(filepath.Join(outside, "secret.txt"), filepath.Join(dir, "b.txt")))
	sum, err := folder.Sync(context.Background(), newFakeAPI(t), dir, f.options())
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"a.md": md5hex("a")}, f.objects())
	assert.Equal(t, []folder.Skipped{{Name: "b.txt", Why: "a link that leads out of the folder: not followed"}}, sum.Skipped)
}

// TestSpacesConfigKeepsItsSecret: the secret key is in no string of the
// configuration and no error about it.
func TestSpacesConfigKeepsItsSecret(t *testing.T) {
	const secret = "spaces-secret-do-not-show"
	cfg := folder.SpacesConfig{Bucket: "b", Region: "nyc3", AccessKeyID: "key", SecretAccessKey: secret}
	for _, s := range []string{fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg), fmt.Sprintf("%v", &cfg)} {
		assert.NotContains(t, s, secret)
	}
	for _, endpoint := range []string{"http://10.0.0.1", "https://key:" + secret + "@nyc3.digitaloceanspaces.com", "ftp://x", "https://h/path"} {
		cfg.Endpoint = endpoint
		err := cfg.Check()
		require.Error(t, err, endpoint)
		assert.NotContains(t, err.Error(), secret)
	}
	cfg.Endpoint = ""
	require.NoError(t, cfg.Check(), "https://nyc3.digitaloceanspaces.com")
	t.Setenv(folder.SpacesSecretAccessKeyEnv, "")
	cfg.SecretAccessKey = ""
	assert.ErrorContains(t, cfg.Check(), "no access key")
}

func TestParseSpacesLocation(t *testing.T) {
	for in, want := range map[string][2]string{"b": {"b", ""}, "b/": {"b", ""}, "b/docs": {"b", "docs"}, "b/docs/v2/": {"b", "docs/v2"}} {
		bucket, prefix, err := folder.ParseSpacesLocation(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, [2]string{bucket, prefix}, in)
	}
	_, _, err := folder.ParseSpacesLocation("/docs")
	assert.Error(t, err)
}
