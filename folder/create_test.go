package folder_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/folder"
)

const (
	embeddingModel = "22653204-79ed-11ef-bf8f-4e013e2ddde4"
	project        = "37455431-84bd-4fa2-94cf-e8486f8f8c5e"
)

func createOptions() folder.CreateOptions {
	return folder.CreateOptions{Name: "handbook", Region: "tor1", EmbeddingModelUUID: embeddingModel, ProjectID: project}
}

// TestCreateUploadsEveryFileThenCreatesOnce: N files cost ceil(N/B)
// requests for URLs, N uploads and one create with a file data source
// for each, in the folder's order; what is stored is each file's
// content.
func TestCreateUploadsEveryFileThenCreatesOnce(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{}
	for i := range 250 {
		files[fmt.Sprintf("part-%d/file-%03d.md", i%3, i)] = strings.Repeat(fmt.Sprint(i), i+1)
	}
	writeFiles(t, dir, files)
	api := newFakeAPI(t)
	opts := createOptions()
	opts.BatchSize = 100
	sum, err := folder.Create(context.Background(), api, dir, opts)
	require.NoError(t, err)

	assert.Equal(t, 3, api.count("FileUploadURLs"))
	assert.Equal(t, 250, api.count("UploadFile"))
	assert.Equal(t, 1, api.count("CreateKnowledgeBase"))
	assert.Zero(t, api.count("WaitForKnowledgeBase"), "no --wait")
	require.NotNil(t, api.created)
	assert.Equal(t, "handbook", api.created.Name)
	require.Len(t, api.created.DataSources, 250)
	var total int64
	for i, ds := range api.created.DataSources {
		require.NotNil(t, ds.File, i)
		want := files[ds.File.OriginalFileName]
		assert.Equal(t, md5hex(want), api.stored[ds.File.StoredObjectKey], ds.File.OriginalFileName)
		assert.Equal(t, indexingjobs.Uint64(len(want)), ds.File.SizeInBytes)
		total += int64(len(want))
		if i > 0 {
			assert.Less(t, api.created.DataSources[i-1].File.OriginalFileName, ds.File.OriginalFileName)
		}
	}
	assert.Equal(t, &folder.Summary{KnowledgeBaseUUID: fakeKB, Files: 250, Uploaded: 250, Bytes: total}, sum)
}

// TestCreateWaitsForTheDatabaseAndTheFirstJob: with Wait, the database
// is followed to ONLINE and the job the knowledge base started to its
// end; one that fails is an error, with the job in the summary.
func TestCreateWaitsForTheDatabaseAndTheFirstJob(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a.md": "a"})
	for _, outcome := range []indexingjobs.Phase{indexingjobs.PhaseSucceeded, indexingjobs.PhaseFailed} {
		api := newFakeAPI(t)
		api.jobOutcome = outcome
		opts := createOptions()
		opts.Wait = true
		sum, err := folder.Create(context.Background(), api, dir, opts)
		if outcome == indexingjobs.PhaseSucceeded {
			require.NoError(t, err)
		} else {
			require.ErrorIs(t, err, folder.ErrJobNotSucceeded)
		}
		assert.Equal(t, 1, api.count("WaitForKnowledgeBase"))
		assert.Equal(t, 1, api.count("WaitForIndexingJob"))
		assert.Zero(t, api.count("StartIndexingJob"), "the knowledge base's own job is followed")
		require.NotNil(t, sum.Job)
		assert.Equal(t, outcome, sum.Job.Phase)
	}
}

// TestCreateErrorNamesTheFile: a file that cannot be uploaded is named,
// and no knowledge base is created.
func TestCreateErrorNamesTheFile(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a.md": "a", "b/refused.md": "b", "c.md": "c"})
	api := newFakeAPI(t)
	api.failUpload = "b/refused.md"
	_, err := folder.Create(context.Background(), api, dir, createOptions())
	require.Error(t, err)
	var fe *folder.FileError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "b/refused.md", fe.Name)
	assert.Contains(t, err.Error(), `upload "b/refused.md"`)
	assert.NotContains(t, err.Error(), "secret", "a signed URL's signature stays out of errors")
	assert.Zero(t, api.count("CreateKnowledgeBase"))
}

// TestCreateStopsAtOnceWhenCancelled: uploads under way end when the
// context does, nothing cut short is stored, no knowledge base is
// created, and the error says what was done.
func TestCreateStopsAtOnceWhenCancelled(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{}
	for i := range 20 {
		files[fmt.Sprintf("f%02d.md", i)] = strings.Repeat("x", 1000)
	}
	writeFiles(t, dir, files)
	api := newFakeAPI(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var puts atomic.Int32
	release := make(chan struct{})
	api.putHook = func(string) {
		if puts.Add(1) > 5 {
			cancel()
			<-release // the storage holds the rest: only cancelling ends them
		}
	}
	defer close(release)
	began := time.Now()
	sum, err := folder.Create(ctx, api, dir, createOptions())
	require.ErrorIs(t, err, context.Canceled)
	assert.Less(t, time.Since(began), 5*time.Second)
	assert.Contains(t, err.Error(), "no knowledge base was created")
	assert.Contains(t, err.Error(), fmt.Sprintf("stopped after uploading %d of 20 files", sum.Uploaded))
	assert.LessOrEqual(t, sum.Uploaded, 5)
	assert.Zero(t, api.count("CreateKnowledgeBase"))
	api.mu.Lock()
	defer api.mu.Unlock()
	assert.LessOrEqual(t, len(api.stored), 5, "no object cut short is stored")
}

// TestCreateChecksItsOptionsFirst: nothing is sent for a knowledge base
// the API would refuse, nor for an empty folder.
func TestCreateChecksItsOptionsFirst(t *testing.T) {
	dir := t.TempDir()
	api := newFakeAPI(t)
	opts := createOptions()
	opts.EmbeddingModelUUID = "not-a-uuid"
	_, err := folder.Create(context.Background(), api, dir, opts)
	require.ErrorIs(t, err, indexingjobs.ErrInvalidUUID)
	_, err = folder.Create(context.Background(), api, dir, createOptions())
	require.ErrorIs(t, err, folder.ErrNoFiles)
	assert.Empty(t, api.calls)
}

// TestCreateAsksAgainForAnExpiredURL: a URL that expires before its upload
// begins is asked for again, alone.
func TestCreateAsksAgainForAnExpiredURL(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a.md": "a", "b.md": "b"})
	api := newFakeAPI(t)
	api.expires = 30 * time.Second // under the margin: every URL is stale
	_, err := folder.Create(context.Background(), api, dir, createOptions())
	require.NoError(t, err)
	assert.Equal(t, 3, api.count("FileUploadURLs"), "one batch, then one for each file")
}

// TestCreateSkipsAnEmptyFile: an empty file (an __init__.py, a
// placeholder) has nothing to index and cannot be uploaded: it is skipped
// and said so, and the other files make the knowledge base, instead of
// the whole run failing on it.
func TestCreateSkipsAnEmptyFile(t *testing.T) {
	f := newCreateFixture(t, 2)
	writeFiles(t, f.dir, map[string]string{"docs/empty.md": ""})
	sum, err := folder.Create(context.Background(), f.client, f.dir, f.options())
	require.NoError(t, err)
	assert.Equal(t, 2, sum.Files)
	assert.Equal(t, 2, sum.Uploaded)
	require.Len(t, sum.Skipped, 1)
	assert.Equal(t, "docs/empty.md", sum.Skipped[0].Name)
	assert.Contains(t, sum.Skipped[0].Why, "empty")
	assert.Equal(t, sha256s(f.files), storedContents(t, f.srv, f.client, sum.KnowledgeBaseUUID))
}
