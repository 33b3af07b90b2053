package indexingjobstest_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/indexingjobstest"
)

// TestKnowledgeBasesAreListedAndRead: the knowledge bases the fake holds
// are listed by name, in pages, each with a name made up when the test gave
// none and its newest job; one is read with its database ONLINE.
func TestKnowledgeBasesAreListedAndRead(t *testing.T) {
	ctx := context.Background()
	srv, client := newFake(t, indexingjobstest.WithJobDuration(0))
	named := srv.AddKnowledgeBase(indexingjobstest.KnowledgeBase{Name: "a-docs", Region: "ams3"})
	var unnamed []string
	for range 4 {
		unnamed = append(unnamed, srv.AddKnowledgeBase(indexingjobstest.NewKnowledgeBase(1)))
	}
	job, err := client.StartIndexingJob(ctx, unnamed[0])
	require.NoError(t, err)

	var names []string
	for kb, err := range client.ListKnowledgeBases(ctx, indexingjobs.WithPerPage(2)) {
		require.NoError(t, err)
		require.NotEmpty(t, kb.Name, "a name made up")
		names = append(names, kb.Name)
		if kb.UUID == unnamed[0] {
			assert.Equal(t, job.UUID, kb.LastIndexingJob.UUID, "its newest job")
		}
	}
	assert.Len(t, names, 5)
	assert.IsNonDecreasing(t, names, "by name")
	assert.Equal(t, "a-docs", names[0])
	assert.Equal(t, 3, srv.Requests()-1, "three pages of two")

	kb, err := client.GetKnowledgeBase(ctx, named)
	require.NoError(t, err)
	assert.Equal(t, "a-docs", kb.Name)
	assert.Equal(t, "ams3", kb.Region)
	assert.Equal(t, indexingjobs.DatabaseOnline, kb.DatabaseStatus)
	_, err = client.GetKnowledgeBase(ctx, "00000000-0000-4000-8000-000000000000")
	assert.True(t, indexingjobs.IsNotFound(err))
}

// TestKnowledgeBaseDataSources: each data source of a knowledge base is
// listed, in pages, as a folder of a Spaces bucket, with what the newest
// job that indexed it did there; an unknown knowledge base is 404.
func TestKnowledgeBaseDataSources(t *testing.T) {
	ctx := context.Background()
	srv, client := newFake(t, indexingjobstest.WithJobDuration(0))
	kb := indexingjobstest.NewKnowledgeBase(3)
	srv.AddKnowledgeBase(kb)
	job, err := client.StartIndexingJob(ctx, kb.UUID, kb.DataSourceUUIDs[1])
	require.NoError(t, err)
	_, err = client.WaitForIndexingJob(ctx, job.UUID, indexingjobs.WithPollInterval(10*time.Millisecond))
	require.NoError(t, err)

	var got []string
	for ds, err := range client.ListKnowledgeBaseDataSources(ctx, kb.UUID, indexingjobs.WithPerPage(2)) {
		require.NoError(t, err)
		got = append(got, ds.UUID)
		assert.NotEmpty(t, ds.SpacesDataSource.BucketName)
		if ds.UUID == kb.DataSourceUUIDs[1] {
			assert.Equal(t, indexingjobs.DataSourceStatusUpdated, ds.LastDatasourceIndexingJob.Status)
		} else {
			assert.Empty(t, ds.LastDatasourceIndexingJob.Status, "never indexed")
		}
	}
	assert.Equal(t, kb.DataSourceUUIDs, got)
	for _, err := range client.ListKnowledgeBaseDataSources(ctx, "00000000-0000-4000-8000-000000000000") {
		assert.True(t, indexingjobs.IsNotFound(err))
	}
}
