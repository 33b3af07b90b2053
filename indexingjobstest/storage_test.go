package indexingjobstest_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/indexingjobstest"
)

func TestDownloadIndexingJobDetails(t *testing.T) {
	srv, client := newFake(t)
	ctx := context.Background()
	job := indexingjobstest.NewJob(indexingjobs.PhaseSucceeded)
	id := srv.AddJob(job)

	var buf bytes.Buffer
	n, err := client.DownloadIndexingJobDetails(ctx, id, &buf)
	require.NoError(t, err)
	assert.Equal(t, int64(buf.Len()), n)
	var report struct {
		UUID              string                           `json:"uuid"`
		KnowledgeBaseUUID string                           `json:"knowledge_base_uuid"`
		Phase             indexingjobs.Phase               `json:"phase"`
		Status            indexingjobs.Status              `json:"status"`
		DataSources       []indexingjobs.IndexedDataSource `json:"data_sources"`
	}
	require.NoError(t, json.Unmarshal(buf.Bytes(), &report), buf.String())
	assert.Equal(t, id, report.UUID)
	assert.Equal(t, job.KnowledgeBaseUUID, report.KnowledgeBaseUUID)
	assert.Equal(t, indexingjobs.PhaseSucceeded, report.Phase)
	assert.Equal(t, indexingjobs.StatusCompleted, report.Status)
	assert.Equal(t, job.DataSourceJobs, report.DataSources)
	assert.Equal(t, 1, srv.Requests(), "one request to the API")
	assert.Equal(t, 1, srv.StorageRequests(), "one to the storage")

	_, err = client.DownloadIndexingJobDetails(ctx, "00000000-0000-4000-8000-000000000000", io.Discard)
	assert.True(t, indexingjobs.IsNotFound(err), "%v", err)
	assert.Equal(t, 1, srv.StorageRequests(), "no URL, no download")
}

func TestDetailsURLIsSignedForAnotherOrigin(t *testing.T) {
	srv, client := newFake(t)
	id := srv.AddJob(indexingjobstest.NewJob(indexingjobs.PhaseSucceeded))
	u, err := client.IndexingJobDetailsURL(context.Background(), id)
	require.NoError(t, err)
	api, err := url.Parse(srv.URL)
	require.NoError(t, err)
	storage, err := url.Parse(srv.StorageURL())
	require.NoError(t, err)
	assert.Equal(t, storage.Host, u.Host)
	assert.NotEqual(t, api.Host, u.Host, "another port, another origin")
	assert.Equal(t, "/reports/"+id+".json", u.Path)
	expires, err := strconv.ParseInt(u.Query().Get("expires"), 10, 64)
	require.NoError(t, err)
	assert.InDelta(t, time.Now().Add(15*time.Minute).Unix(), expires, 5, "valid for 15 minutes")
	assert.Len(t, u.Query().Get("signature"), 64, "HMAC-SHA256 in hex")

	other := indexingjobstest.NewServer()
	defer other.Close()
	otherClient, err := other.NewClient()
	require.NoError(t, err)
	otherID := other.AddJob(indexingjobstest.NewJob(indexingjobs.PhaseSucceeded))
	v, err := otherClient.IndexingJobDetailsURL(context.Background(), otherID)
	require.NoError(t, err)
	assert.NotEqual(t, u.Query().Get("signature"), v.Query().Get("signature"), "each server has its own secret")
}

// TestStorageRefusesTokensAndBadSignatures: the storage listener answers
// 200 only to the signed URL as it is, fetched without any Authorization
// header.
func TestStorageRefusesTokensAndBadSignatures(t *testing.T) {
	srv, client := newFake(t)
	id := srv.AddJob(indexingjobstest.NewJob(indexingjobs.PhaseSucceeded))
	otherID := srv.AddJob(indexingjobstest.NewJob(indexingjobs.PhaseSucceeded))
	u, err := client.IndexingJobDetailsURL(context.Background(), id)
	require.NoError(t, err)
	signed := u.String()
	with := func(change func(q url.Values)) string {
		v := *u
		q := v.Query()
		change(q)
		v.RawQuery = q.Encode()
		return v.String()
	}

	for _, c := range []struct {
		name, method, url string
		auth              []string // Authorization header values, if any
		status            int
	}{
		{"signed, no token", "GET", signed, nil, 200},
		{"HEAD", "HEAD", signed, nil, 200},
		{"the API's token", "GET", signed, []string{"Bearer " + srv.Token()}, 403},
		{"any Authorization", "GET", signed, []string{"Basic Zm9vOmJhcg=="}, 403},
		{"an empty Authorization", "GET", signed, []string{""}, 403},
		{"no signature", "GET", with(func(q url.Values) { q.Del("signature") }), nil, 403},
		{"a wrong signature", "GET", with(func(q url.Values) { q.Set("signature", strings.Repeat("0", 64)) }), nil, 403},
		{"a later expiry", "GET", with(func(q url.Values) { q.Set("expires", "99999999999") }), nil, 403},
		{"a past expiry", "GET", with(func(q url.Values) { q.Set("expires", "1") }), nil, 403},
		{"another job's path", "GET", strings.Replace(signed, id, otherID, 1), nil, 403},
		{"PUT", "PUT", signed, nil, 405},
	} {
		req, err := http.NewRequest(c.method, c.url, nil)
		require.NoError(t, err)
		for _, a := range c.auth {
			req.Header["Authorization"] = []string{a}
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, c.status, resp.StatusCode, "%s: %s", c.name, body)
		if c.status == 403 {
			assert.Contains(t, string(body), "<Code>AccessDenied</Code>", c.name)
		}
	}
	assert.Equal(t, 11, srv.StorageRequests())
	assert.Equal(t, 1, srv.Requests(), "the storage's requests are its own")
}

// TestStorageTakesNoFaults: faults and the budget are the API's; the
// storage listener answers as usual and leaves the fault queued.
func TestStorageTakesNoFaults(t *testing.T) {
	srv, _ := newFake(t)
	client, err := srv.NewClient(indexingjobs.WithMaxRetries(0))
	require.NoError(t, err)
	id := srv.AddJob(indexingjobstest.NewJob(indexingjobs.PhaseSucceeded))
	u, err := client.IndexingJobDetailsURL(context.Background(), id)
	require.NoError(t, err)
	srv.InjectFaults(1, indexingjobstest.ServerError())
	resp, err := http.Get(u.String())
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	_, err = client.GetIndexingJob(context.Background(), id)
	var apiErr *indexingjobs.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 500, apiErr.StatusCode, "the fault waited for the API")
}

// TestAJobWithoutAReportHasNone: a job that has not ended, or was
// cancelled (IsReportAvailable false), has no report to download: its
// signed URL leads to no object (404), as the API's own store answers.
func TestAJobWithoutAReportHasNone(t *testing.T) {
	srv, client := newFake(t)
	for _, phase := range []indexingjobs.Phase{indexingjobs.PhaseRunning, indexingjobs.PhaseCancelled} {
		id := srv.AddJob(indexingjobstest.NewJob(phase))
		job, ok := srv.Job(id)
		require.True(t, ok)
		require.False(t, job.IsReportAvailable)
		_, err := client.DownloadIndexingJobDetails(context.Background(), id, io.Discard)
		require.Error(t, err, phase)
		assert.True(t, indexingjobs.IsNotFound(err), "%s: %v", phase, err)
	}
	assert.Equal(t, 2, srv.StorageRequests())
}

// TestAnUploadCutShortIsNotKept: a PUT whose body ends before its
// Content-Length (the client stopped mid-file) keeps nothing: the object
// is not Uploaded, and a knowledge base naming it is refused; a whole PUT
// of it afterwards is kept.
func TestAnUploadCutShortIsNotKept(t *testing.T) {
	srv, client := newFake(t)
	ctx := context.Background()
	content := strings.Repeat("half of it comes, the rest never\n", 4096)
	urls, err := client.FileUploadURLs(ctx, []indexingjobs.FileToUpload{{Name: "cut.md", Size: int64(len(content))}})
	require.NoError(t, err)
	u, err := url.Parse(urls[0].PresignedURL)
	require.NoError(t, err)

	conn, err := net.Dial("tcp", u.Host)
	require.NoError(t, err)
	defer conn.Close()
	_, err = fmt.Fprintf(conn, "PUT %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n\r\n%s", u.RequestURI(), u.Host, len(content), content[:len(content)/2])
	require.NoError(t, err)
	require.NoError(t, conn.(*net.TCPConn).CloseWrite()) // the body ends here
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)

	_, ok := srv.Uploaded(urls[0].ObjectKey)
	assert.False(t, ok, "nothing of a body cut short is kept")
	spec := indexingjobs.KnowledgeBaseSpec{Name: "cut", Region: "tor1", EmbeddingModelUUID: indexingjobstest.EmbeddingModel,
		DataSources: []indexingjobs.DataSourceSpec{{File: &indexingjobs.UploadedFile{StoredObjectKey: urls[0].ObjectKey, SizeInBytes: indexingjobs.Uint64(len(content))}}}}
	_, err = client.CreateKnowledgeBase(ctx, spec)
	assert.ErrorContains(t, err, "names no uploaded object")

	_, err = client.UploadFile(ctx, urls[0], strings.NewReader(content), int64(len(content)))
	require.NoError(t, err)
	up, ok := srv.Uploaded(urls[0].ObjectKey)
	require.True(t, ok)
	assert.Equal(t, sha256.Sum256([]byte(content)), up.SHA256)
}
