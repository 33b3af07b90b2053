package indexingjobstest

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gradient-go/indexingjobs"
)

// spacesPut starts s's Spaces and returns a function that stores an object
// in its ready bucket.
func spacesPut(t *testing.T, s *Server) func(key, body string) {
	s.SpacesURL()
	return func(key, body string) {
		_, err := s.spaces.backend.PutObject(SpacesBucket, key, map[string]string{}, bytes.NewReader([]byte(body)), int64(len(body)), nil)
		require.NoError(t, err)
	}
}

// TestSpacesIndexedCountsWhatChanged: a job of a Spaces data source finds
// every object under its prefix; the first time all are new, then only
// those added or changed since.
func TestSpacesIndexedCountsWhatChanged(t *testing.T) {
	s := NewServer()
	defer s.Close()
	put := spacesPut(t, s)
	put("docs/a.md", "a")
	put("docs/b.md", "b")
	put("other/c.md", "c")

	total, changed, _, changedBytes, seen := s.spacesIndexed(SpacesBucket, "/docs/", nil)
	assert.Equal(t, [3]uint64{2, 2, 2}, [3]uint64{total, changed, changedBytes})
	total, changed, _, changedBytes, seen = s.spacesIndexed(SpacesBucket, "docs/", seen)
	assert.Equal(t, [3]uint64{2, 0, 0}, [3]uint64{total, changed, changedBytes})

	put("docs/b.md", "b, changed")
	put("docs/d.md", "d")
	total, changed, _, changedBytes, _ = s.spacesIndexed(SpacesBucket, "docs/", seen)
	assert.Equal(t, [3]uint64{3, 2, 11}, [3]uint64{total, changed, changedBytes})
}

// TestJobsCountWhatTheirDataSourcesHold: through the API, a Spaces data
// source's job counts every object under its prefix and indexes those new
// or changed since its last job; a file data source's counts its one file.
func TestJobsCountWhatTheirDataSourcesHold(t *testing.T) {
	ctx := t.Context()
	s := NewServer(WithJobDuration(50*time.Millisecond), WithDatabaseDelay(0))
	defer s.Close()
	put := spacesPut(t, s)
	put("docs/a.md", "a")
	put("docs/b.md", "bb")
	put("other/c.md", "c")
	c, err := s.NewClient()
	require.NoError(t, err)
	models, err := c.ListEmbeddingModelsPage(ctx, 1, 0)
	require.NoError(t, err)
	kb, err := c.CreateKnowledgeBase(ctx, indexingjobs.KnowledgeBaseSpec{Name: "docs", Region: "tor1",
		EmbeddingModelUUID: models.Models[0].UUID, ProjectID: "37455431-84bd-4fa2-94cf-e8486f8f8c5e"})
	require.NoError(t, err)
	ds, err := c.AddDataSource(ctx, kb.UUID, indexingjobs.DataSourceSpec{Spaces: &indexingjobs.SpacesSource{BucketName: SpacesBucket, ItemPath: "/docs/", Region: "tor1"}})
	require.NoError(t, err)
	run := func() indexingjobs.IndexedDataSource {
		job, err := c.StartIndexingJob(ctx, kb.UUID, ds.UUID)
		require.NoError(t, err)
		job, err = c.WaitForIndexingJob(ctx, job.UUID, indexingjobs.WithPollInterval(10*time.Millisecond))
		require.NoError(t, err)
		require.Len(t, job.DataSourceJobs, 1)
		return job.DataSourceJobs[0]
	}
	first := run()
	assert.Equal(t, [2]indexingjobs.Uint64{2, 2}, [2]indexingjobs.Uint64{first.TotalFileCount, first.IndexedFileCount}, "the first job indexes all")
	assert.Equal(t, indexingjobs.Uint64(3), first.TotalBytes)
	again := run()
	assert.Equal(t, [2]indexingjobs.Uint64{2, 0}, [2]indexingjobs.Uint64{again.TotalFileCount, again.IndexedFileCount}, "nothing changed")
	assert.Equal(t, [2]indexingjobs.Uint64{3, 0}, [2]indexingjobs.Uint64{again.TotalBytes, again.TotalBytesIndexed}, "no byte indexed again")
	put("docs/b.md", "b, changed")
	put("docs/d.md", "d")
	changed := run()
	assert.Equal(t, [2]indexingjobs.Uint64{3, 2}, [2]indexingjobs.Uint64{changed.TotalFileCount, changed.IndexedFileCount}, "one changed, one new")
	assert.Equal(t, [2]indexingjobs.Uint64{12, 11}, [2]indexingjobs.Uint64{changed.TotalBytes, changed.TotalBytesIndexed}, "the changed and the new")

	// A file data source: one file.
	urls, err := c.FileUploadURLs(ctx, []indexingjobs.FileToUpload{{Name: "one.md", Size: 3}})
	require.NoError(t, err)
	up, err := c.UploadFile(ctx, urls[0], strings.NewReader("one"), 3)
	require.NoError(t, err)
	withFile, err := c.CreateKnowledgeBase(ctx, indexingjobs.KnowledgeBaseSpec{Name: "files", Region: "tor1",
		EmbeddingModelUUID: models.Models[0].UUID, ProjectID: "37455431-84bd-4fa2-94cf-e8486f8f8c5e",
		DataSources: []indexingjobs.DataSourceSpec{{File: up}}})
	require.NoError(t, err)
	jobs, err := c.ListKnowledgeBaseIndexingJobs(ctx, withFile.UUID)
	require.NoError(t, err)
	require.Len(t, jobs, 1, "the first job started when the database came online")
	job, err := c.WaitForIndexingJob(ctx, jobs[0].UUID, indexingjobs.WithPollInterval(10*time.Millisecond))
	require.NoError(t, err)
	assert.Equal(t, [2]indexingjobs.Uint64{1, 1}, [2]indexingjobs.Uint64{job.DataSourceJobs[0].TotalFileCount, job.DataSourceJobs[0].IndexedFileCount})
}

// TestAddedKnowledgeBasesSourcesCountWhatSpacesHolds: a data source of
// AddKnowledgeBase, shown as the folder source-1 of a bucket named after
// the knowledge base, is counted from the fake's Spaces once it holds
// objects there; while it holds none, its size is made up from its id.
func TestAddedKnowledgeBasesSourcesCountWhatSpacesHolds(t *testing.T) {
	ctx := t.Context()
	s := NewServer(WithJobDuration(0))
	defer s.Close()
	s.SpacesURL()
	base := NewKnowledgeBase(2)
	base.Name = "handbook"
	kb := s.AddKnowledgeBase(base)
	c, err := s.NewClient()
	require.NoError(t, err)
	run := func() []indexingjobs.IndexedDataSource {
		job, err := c.StartIndexingJob(ctx, kb)
		require.NoError(t, err)
		job, err = c.WaitForIndexingJob(ctx, job.UUID, indexingjobs.WithPollInterval(10*time.Millisecond))
		require.NoError(t, err)
		require.Len(t, job.DataSourceJobs, 2)
		return job.DataSourceJobs
	}
	made := sizeOf(base.DataSourceUUIDs[0])
	first := run()
	assert.Equal(t, indexingjobs.Uint64(made.files), first[0].TotalFileCount, "nothing in Spaces: a made-up size")

	require.NoError(t, s.spaces.backend.CreateBucket("handbook"))
	for key, body := range map[string]string{"source-1/a.md": "alpha", "source-1/b.md": "beta"} {
		_, err := s.spaces.backend.PutObject("handbook", key, map[string]string{}, bytes.NewReader([]byte(body)), int64(len(body)), nil)
		require.NoError(t, err)
	}
	second := run()
	assert.Equal(t, [4]indexingjobs.Uint64{2, 2, 9, 9},
		[4]indexingjobs.Uint64{second[0].TotalFileCount, second[0].IndexedFileCount, second[0].TotalBytes, second[0].TotalBytesIndexed},
		"source-1 holds two objects")
	assert.Equal(t, indexingjobs.Uint64(sizeOf(base.DataSourceUUIDs[1]).files), second[1].TotalFileCount, "source-2 holds none")
	third := run()
	assert.Equal(t, [2]indexingjobs.Uint64{2, 0}, [2]indexingjobs.Uint64{third[0].TotalFileCount, third[0].IndexedFileCount}, "nothing changed")
}
