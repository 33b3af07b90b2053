package indexingjobstest_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/indexingjobstest"
	"github.com/gradient-go/indexingjobs/internal/optest"
)

func allOf[T any](t *testing.T, seq func(func(*T, error) bool)) []T {
	t.Helper()
	var out []T
	for v, err := range seq {
		require.NoError(t, err)
		out = append(out, *v)
	}
	return out
}

// TestEmbeddingModels: the models a knowledge base can embed with, and
// only those; the fake's EmbeddingModel among them.
func TestEmbeddingModels(t *testing.T) {
	_, client := newFake(t)
	models := allOf(t, client.ListEmbeddingModels(context.Background(), indexingjobs.WithPerPage(2)))
	require.Len(t, models, 3, "three embedding models, in pages of two; not the agent's")
	assert.Equal(t, indexingjobstest.EmbeddingModel, models[0].UUID)
	for _, m := range models {
		assert.Contains(t, m.Usecases, indexingjobs.ModelUsecaseKnowledgebase, m.Name)
		assert.NotEmpty(t, m.Name)
		assert.Positive(t, m.KbMaxChunkSize)
	}
}

// TestACreatedKnowledgeBaseComesOnlineThenIndexes: its database is
// CREATING for WithDatabaseDelay, on the fake's clock; once ONLINE, a first
// indexing job of its data sources has started, as from that moment, and
// runs as WithJobDuration says.
func TestACreatedKnowledgeBaseComesOnlineThenIndexes(t *testing.T) {
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	_, client := newFake(t, indexingjobstest.WithClock(func() time.Time { return now }),
		indexingjobstest.WithDatabaseDelay(time.Minute), indexingjobstest.WithJobDuration(10*time.Second))
	ctx := context.Background()
	kb, err := client.CreateKnowledgeBase(ctx, indexingjobs.KnowledgeBaseSpec{
		Name: "release-notes", Region: "ams3", EmbeddingModelUUID: indexingjobstest.EmbeddingModel, ProjectID: optest.Project, Tags: []string{"docs"},
		DataSources: []indexingjobs.DataSourceSpec{
			{Spaces: &indexingjobs.SpacesSource{BucketName: "notes", ItemPath: "/2026", Region: "ams3"}},
			{WebCrawler: &indexingjobs.WebCrawlerSource{BaseURL: "https://notes.example.com/"}},
		},
	})
	require.NoError(t, err)
	assert.Equal(t, "release-notes", kb.Name)
	assert.Equal(t, []string{"docs"}, kb.Tags)
	assert.Equal(t, optest.Project, kb.ProjectID)
	assert.NotEmpty(t, kb.DatabaseID, "a database made for it")

	got, err := client.GetKnowledgeBase(ctx, kb.UUID)
	require.NoError(t, err)
	assert.Equal(t, indexingjobs.DatabaseStatusCreating, got.DatabaseStatus)
	jobs, err := client.ListKnowledgeBaseIndexingJobs(ctx, kb.UUID)
	require.NoError(t, err)
	assert.Empty(t, jobs, "nothing is indexed before the database is online")

	now = now.Add(time.Minute + 5*time.Second)
	got, err = client.WaitForKnowledgeBase(ctx, kb.UUID)
	require.NoError(t, err)
	assert.Equal(t, indexingjobs.DatabaseOnline, got.DatabaseStatus)
	jobs, err = client.ListKnowledgeBaseIndexingJobs(ctx, kb.UUID)
	require.NoError(t, err)
	require.Len(t, jobs, 1, "the first indexing job")
	job := jobs[0]
	assert.Equal(t, now.Add(-5*time.Second), job.CreatedAt, "started when the database came online")
	assert.Equal(t, indexingjobs.PhaseRunning, job.Phase, "5s into a job of 10s")
	sources := allOf(t, client.ListKnowledgeBaseDataSources(ctx, kb.UUID))
	require.Len(t, sources, 2)
	assert.ElementsMatch(t, []string{sources[0].UUID, sources[1].UUID}, job.DataSourceUUIDs)
	assert.Equal(t, "notes", sources[0].SpacesDataSource.BucketName)
	assert.Equal(t, "https://notes.example.com/", sources[1].WebCrawlerDataSource.BaseURL)

	now = now.Add(time.Minute)
	again, err := client.ListKnowledgeBaseIndexingJobs(ctx, kb.UUID)
	require.NoError(t, err)
	require.Len(t, again, 1, "one first job, not one a read")
	assert.Equal(t, indexingjobs.PhaseSucceeded, again[0].Phase)
}

// TestCreateRefusesWhatTheAPICannotActOn: no name or region, an unknown
// embedding model, a data source of two kinds or of none, and an uploaded
// file that names no uploaded object get 400, saying which; nothing is
// made.
func TestCreateRefusesWhatTheAPICannotActOn(t *testing.T) {
	srv, _ := newFake(t)
	for want, body := range map[string]string{
		"name is required":           `{"region":"tor1","embedding_model_uuid":"` + indexingjobstest.EmbeddingModel + `"}`,
		"region is required":         `{"name":"n","embedding_model_uuid":"` + indexingjobstest.EmbeddingModel + `"}`,
		"is no model that can embed": `{"name":"n","region":"tor1","embedding_model_uuid":"d754f2d7-d1f0-11ef-bf8f-4e013e2ddde4"}`,
		"this one has 2": `{"name":"n","region":"tor1","embedding_model_uuid":"` + indexingjobstest.EmbeddingModel + `",` +
			`"datasources":[{"spaces_data_source":{"bucket_name":"b","region":"tor1"},"web_crawler_data_source":{"base_url":"https://x.example/"}}]}`,
		"this one has 0": `{"name":"n","region":"tor1","embedding_model_uuid":"` + indexingjobstest.EmbeddingModel + `","datasources":[{}]}`,
		`stored_object_key "uploads/none/a.md" names no uploaded object`: `{"name":"n","region":"tor1","embedding_model_uuid":"` + indexingjobstest.EmbeddingModel + `",` +
			`"datasources":[{"file_upload_data_source":{"original_file_name":"a.md","stored_object_key":"uploads/none/a.md"}}]}`,
		"aws_data_source: bucket_name, region, key_id and secret_key are required": `{"name":"n","region":"tor1","embedding_model_uuid":"` + indexingjobstest.EmbeddingModel + `",` +
			`"datasources":[{"aws_data_source":{"bucket_name":"b","region":"us-east-1","key_id":"AKIA"}}]}`,
	} {
		resp, body := send(t, srv, http.MethodPost, "/v2/gen-ai/knowledge_bases", srv.Token(), body)
		assert.Equal(t, 400, resp.StatusCode, want)
		assert.Contains(t, errorBody(t, body).Message, want)
	}
	client, err := srv.NewClient()
	require.NoError(t, err)
	assert.Empty(t, allOf(t, client.ListKnowledgeBases(context.Background())), "nothing was made")
}

// TestUploadedFilesRoundTripIntoAKnowledgeBase: a file uploaded to its
// presigned URL is kept byte for byte (its SHA-256) on the storage
// listener, and a knowledge base created with it shows it; a size other
// than the one uploaded is refused.
func TestUploadedFilesRoundTripIntoAKnowledgeBase(t *testing.T) {
	srv, client := newFake(t)
	ctx := context.Background()
	content := strings.Repeat("Everything a new colleague asks.\n", 1000)
	urls, err := client.FileUploadURLs(ctx, []indexingjobs.FileToUpload{{Name: "handbook.md", Size: int64(len(content))}})
	require.NoError(t, err)
	require.Len(t, urls, 1)
	assert.True(t, strings.HasPrefix(urls[0].PresignedURL, srv.StorageURL()+"/uploads/"), "on the storage listener")
	_, ok := srv.Uploaded(urls[0].ObjectKey)
	assert.False(t, ok, "nothing uploaded yet")
	spec := indexingjobs.KnowledgeBaseSpec{Name: "handbook", Region: "tor1", EmbeddingModelUUID: indexingjobstest.EmbeddingModel,
		DataSources: []indexingjobs.DataSourceSpec{{File: &indexingjobs.UploadedFile{StoredObjectKey: urls[0].ObjectKey}}}}
	_, err = client.CreateKnowledgeBase(ctx, spec)
	assert.ErrorContains(t, err, "names no uploaded object", "a URL asked for, nothing uploaded to it")
	file, err := client.UploadFile(ctx, urls[0], strings.NewReader(content), int64(len(content)))
	require.NoError(t, err)
	up, ok := srv.Uploaded(urls[0].ObjectKey)
	require.True(t, ok)
	assert.Equal(t, indexingjobstest.UploadedObject{Name: "handbook.md", Size: int64(len(content)), SHA256: sha256.Sum256([]byte(content))}, up)

	wrong := *file
	wrong.SizeInBytes++
	spec.DataSources = []indexingjobs.DataSourceSpec{{File: &wrong}}
	_, err = client.CreateKnowledgeBase(ctx, spec)
	assert.ErrorContains(t, err, "is not the 33000 bytes uploaded")

	spec.DataSources = []indexingjobs.DataSourceSpec{{File: file}}
	kb, err := client.CreateKnowledgeBase(ctx, spec)
	require.NoError(t, err)
	sources := allOf(t, client.ListKnowledgeBaseDataSources(ctx, kb.UUID))
	require.Len(t, sources, 1)
	assert.Equal(t, *file, sources[0].FileUploadDataSource)
}

// TestUploadURLsTakeOnePutOfTheAnnouncedSize: the storage listener refuses
// another size, a body without a length, a token, a signature not its
// own, another method, and a URL past its time, saying why as S3 does; a
// second PUT of the same object replaces the first.
func TestUploadURLsTakeOnePutOfTheAnnouncedSize(t *testing.T) {
	now := time.Now()
	srv, client := newFake(t, indexingjobstest.WithClock(func() time.Time { return now }))
	ctx := context.Background()
	urls, err := client.FileUploadURLs(ctx, []indexingjobs.FileToUpload{{Name: "faq.md", Size: 5}})
	require.NoError(t, err)
	signed := urls[0].PresignedURL
	put := func(method, u, body string, length int64, auth bool) (int, string) {
		t.Helper()
		req, err := http.NewRequest(method, u, strings.NewReader(body))
		require.NoError(t, err)
		req.ContentLength = length
		if auth {
			req.Header.Set("Authorization", "Bearer "+srv.Token())
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(b)
	}
	for _, c := range []struct {
		method, url, body string
		length            int64
		auth              bool
		status            int
		code              string
	}{
		{http.MethodPut, signed, "four", 4, false, 400, "InvalidArgument"},
		{http.MethodPut, signed, "hello", -1, false, 411, "MissingContentLength"},
		{http.MethodPut, signed, "hello", 5, true, 403, "AccessDenied"},
		{http.MethodPut, strings.Replace(signed, "signature=", "signature=0", 1), "hello", 5, false, 403, "SignatureDoesNotMatch"},
		{http.MethodPost, signed, "hello", 5, false, 405, "MethodNotAllowed"},
	} {
		status, body := put(c.method, c.url, c.body, c.length, c.auth)
		assert.Equal(t, c.status, status, "%+v", c)
		assert.Contains(t, body, "<Code>"+c.code+"</Code>", "%+v", c)
	}
	_, ok := srv.Uploaded(urls[0].ObjectKey)
	assert.False(t, ok, "no refused PUT was kept")

	status, _ := put(http.MethodPut, signed, "hello", 5, false)
	assert.Equal(t, 200, status)
	status, _ = put(http.MethodPut, signed, "HELLO", 5, false)
	assert.Equal(t, 200, status, "a second PUT, as after a lost answer")
	up, _ := srv.Uploaded(urls[0].ObjectKey)
	assert.Equal(t, sha256.Sum256([]byte("HELLO")), up.SHA256)

	now = now.Add(2 * time.Hour)
	status, body := put(http.MethodPut, signed, "hello", 5, false)
	assert.Equal(t, 403, status)
	assert.Contains(t, body, "<Message>Request has expired</Message>")
	to := urls[0]
	to.ExpiresAt = time.Time{} // the client's clock is not the fake's: the storage's answer says it
	_, err = client.UploadFile(ctx, to, strings.NewReader("hello"), 5)
	assert.ErrorContains(t, err, "the upload URL has expired")
}

// TestDataSourcesAddedChangedDeleted: data sources added to a knowledge
// base are listed (an S3 folder without its keys), their chunking changes,
// and a deleted one is no longer listed; ids in a body must be the path's.
func TestDataSourcesAddedChangedDeleted(t *testing.T) {
	srv, client := newFake(t)
	ctx := context.Background()
	kb := srv.AddKnowledgeBase(indexingjobstest.NewKnowledgeBase(1))
	web, err := client.AddDataSource(ctx, kb, indexingjobs.DataSourceSpec{WebCrawler: &indexingjobs.WebCrawlerSource{BaseURL: "https://docs.example.com/"}})
	require.NoError(t, err)
	assert.Equal(t, indexingjobs.CrawlingOptionPath, web.WebCrawlerDataSource.CrawlingOption, "the service's default")
	s3, err := client.AddDataSource(ctx, kb, indexingjobs.DataSourceSpec{S3: &indexingjobs.S3Source{
		BucketName: "archive", ItemPath: "/2025", Region: "us-east-1", KeyID: "AKIAIOSFODNN7EXAMPLE", SecretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}})
	require.NoError(t, err)
	assert.Equal(t, indexingjobs.S3Location{BucketName: "archive", ItemPath: "/2025", Region: "us-east-1"}, s3.AWSDataSource)

	var raw []byte
	sources := allOf(t, client.ListKnowledgeBaseDataSources(indexingjobs.WithResponseBody(ctx, func(b []byte) { raw = b }), kb))
	require.Len(t, sources, 3)
	assert.Equal(t, []string{web.UUID, s3.UUID}, []string{sources[1].UUID, sources[2].UUID})
	assert.NotContains(t, string(raw), "wJalrXUtnFEMI", "the secret is never sent back")
	assert.NotContains(t, string(raw), "AKIAIOSFODNN7EXAMPLE")

	changed, err := client.UpdateDataSource(ctx, kb, sources[0].UUID, indexingjobs.Chunking{Algorithm: indexingjobs.ChunkingAlgorithmFixedLength, MaxChunkSize: 300})
	require.NoError(t, err)
	assert.Equal(t, indexingjobs.ChunkingAlgorithmFixedLength, changed.ChunkingAlgorithm)
	assert.Equal(t, int64(300), changed.ChunkingOptions.MaxChunkSize)
	assert.Equal(t, sources[0].SpacesDataSource, changed.SpacesDataSource, "nothing else changes")

	require.NoError(t, client.DeleteDataSource(ctx, kb, web.UUID))
	sources = allOf(t, client.ListKnowledgeBaseDataSources(ctx, kb))
	require.Len(t, sources, 2)
	assert.Equal(t, indexingjobs.ChunkingAlgorithmFixedLength, sources[0].ChunkingAlgorithm, "the change is kept")
	assert.True(t, indexingjobs.IsNotFound(client.DeleteDataSource(ctx, kb, web.UUID)))
	_, err = client.UpdateDataSource(ctx, optest.Unknown, s3.UUID, indexingjobs.Chunking{Algorithm: indexingjobs.ChunkingAlgorithmSemantic})
	assert.True(t, indexingjobs.IsNotFound(err), "a data source of another knowledge base")

	path := "/v2/gen-ai/knowledge_bases/" + kb + "/data_sources"
	resp, body := send(t, srv, http.MethodPost, path, srv.Token(), `{"knowledge_base_uuid":"`+optest.Unknown+`","spaces_data_source":{"bucket_name":"b","region":"tor1"}}`)
	assert.Equal(t, 400, resp.StatusCode)
	assert.Contains(t, errorBody(t, body).Message, "is not the knowledge base")
	resp, body = send(t, srv, http.MethodPut, path+"/"+s3.UUID, srv.Token(), `{"data_source_uuid":"`+optest.Unknown+`","chunking_algorithm":"CHUNKING_ALGORITHM_SEMANTIC"}`)
	assert.Equal(t, 400, resp.StatusCode)
	assert.Contains(t, errorBody(t, body).Message, "is not the data source")
}

// TestUpdateChangesWhatItSets: a name and tags change; the rest stays.
func TestUpdateChangesWhatItSets(t *testing.T) {
	_, client := newFake(t)
	ctx := context.Background()
	kb, err := client.CreateKnowledgeBase(ctx, indexingjobs.KnowledgeBaseSpec{Name: "docs", Region: "tor1",
		EmbeddingModelUUID: indexingjobstest.EmbeddingModel, ProjectID: optest.Project, Tags: []string{"a"}})
	require.NoError(t, err)
	got, err := client.UpdateKnowledgeBase(ctx, kb.UUID, indexingjobs.KnowledgeBaseChanges{Tags: []string{"b", "c"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"b", "c"}, got.Tags)
	assert.Equal(t, "docs", got.Name)
	got, err = client.UpdateKnowledgeBase(ctx, kb.UUID, indexingjobs.KnowledgeBaseChanges{Name: "docs-v2"})
	require.NoError(t, err)
	assert.Equal(t, "docs-v2", got.Name)
	assert.Equal(t, []string{"b", "c"}, got.Tags, "tags left out are kept")
	assert.Equal(t, optest.Project, got.ProjectID)
	assert.Equal(t, kb.DatabaseID, got.DatabaseID)
}

// TestDeletingAKnowledgeBaseTakesEverythingOfIt: its data sources, its
// schedule and its jobs go with it; other knowledge bases stay.
func TestDeletingAKnowledgeBaseTakesEverythingOfIt(t *testing.T) {
	srv, client := newFake(t)
	ctx := context.Background()
	f := optest.Canonical
	optest.Stock(srv, f)
	require.NoError(t, client.DeleteKnowledgeBase(ctx, f.KnowledgeBase))
	_, err := client.GetKnowledgeBase(ctx, f.KnowledgeBase)
	assert.True(t, indexingjobs.IsNotFound(err))
	_, err = client.ListKnowledgeBaseDataSourcesPage(ctx, f.KnowledgeBase, 1, 0)
	assert.True(t, indexingjobs.IsNotFound(err), "its data sources")
	_, err = client.GetIndexingSchedule(ctx, f.KnowledgeBase)
	assert.True(t, indexingjobs.IsNotFound(err), "its schedule")
	for _, job := range []string{f.RunningJob, f.FinishedJob} {
		_, ok := srv.Job(job)
		assert.False(t, ok, "its jobs")
	}
	page, err := client.ListIndexingJobsPage(ctx, 1, 0)
	require.NoError(t, err)
	assert.Zero(t, page.Total)
	_, err = client.GetKnowledgeBase(ctx, f.Unscheduled)
	assert.NoError(t, err, "another knowledge base stays")
	err = client.DeleteKnowledgeBase(ctx, f.KnowledgeBase)
	assert.True(t, indexingjobs.IsNotFound(err))

	var answer map[string]string
	resp, body := send(t, srv, http.MethodDelete, "/v2/gen-ai/knowledge_bases/"+f.Unscheduled, srv.Token(), "")
	require.Equal(t, 200, resp.StatusCode)
	require.NoError(t, json.Unmarshal([]byte(body), &answer))
	assert.Equal(t, map[string]string{"uuid": f.Unscheduled}, answer)
}
