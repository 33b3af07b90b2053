package indexingjobstest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/indexingjobstest"
	"github.com/gradient-go/indexingjobs/internal/gen"
)

// addJobs adds n jobs of knowledge base kb (a new one if empty), two
// created in each second so that the uuid orders each pair, and returns
// their ids newest first: by creation time, then by uuid.
func addJobs(srv *indexingjobstest.Server, kb string, n int) []string {
	base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	type added struct {
		id string
		at time.Time
	}
	var jobs []added
	for i := range n {
		job := indexingjobstest.NewJob(indexingjobs.PhaseSucceeded)
		if kb != "" {
			job.KnowledgeBaseUUID = kb
		}
		job.CreatedAt = base.Add(time.Duration(i/2) * time.Second)
		jobs = append(jobs, added{srv.AddJob(job), job.CreatedAt})
	}
	slices.SortFunc(jobs, func(a, b added) int {
		if c := b.at.Compare(a.at); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	ids := make([]string, n)
	for i, j := range jobs {
		ids[i] = j.id
	}
	return ids
}

func TestListIndexingJobsEveryJobInOrder(t *testing.T) {
	for _, n := range []int{0, 1, 20, 21, 200, 201, 450} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			srv, client := newFake(t)
			want := addJobs(srv, "", n)
			var got []string
			for job, err := range client.ListIndexingJobs(context.Background()) {
				require.NoError(t, err)
				got = append(got, job.UUID)
			}
			assert.Equal(t, want, append([]string{}, got...))
			assert.Equal(t, max(1, (n+199)/200), srv.Requests(), "one request a page of 200")

			got = got[:0]
			for job, err := range client.ListIndexingJobs(context.Background(), indexingjobs.WithPerPage(20)) {
				require.NoError(t, err)
				got = append(got, job.UUID)
			}
			assert.Equal(t, want, append([]string{}, got...), "20 a page")
		})
	}
}

func TestListIndexingJobsPage(t *testing.T) {
	srv, _ := newFake(t)
	want := addJobs(srv, "", 21)
	link := func(page, perPage int) string {
		return fmt.Sprintf("%s/v2/gen-ai/indexing_jobs?page=%d&per_page=%d", srv.URL, page, perPage)
	}
	for _, c := range []struct {
		query string
		jobs  []string
		meta  gen.Meta
		pages gen.PageLinks
	}{
		{"", want[:20], gen.Meta{Page: 1, Pages: 2, Total: 21},
			gen.PageLinks{First: link(1, 20), Next: link(2, 20), Last: link(2, 20)}},
		{"?page=2", want[20:], gen.Meta{Page: 2, Pages: 2, Total: 21},
			gen.PageLinks{First: link(1, 20), Previous: link(1, 20), Last: link(2, 20)}},
		{"?page=3&per_page=5", want[10:15], gen.Meta{Page: 3, Pages: 5, Total: 21},
			gen.PageLinks{First: link(1, 5), Previous: link(2, 5), Next: link(4, 5), Last: link(5, 5)}},
		{"?page=5&per_page=5", want[20:], gen.Meta{Page: 5, Pages: 5, Total: 21},
			gen.PageLinks{First: link(1, 5), Previous: link(4, 5), Last: link(5, 5)}},
		{"?page=9", nil, gen.Meta{Page: 9, Pages: 2, Total: 21},
			gen.PageLinks{First: link(1, 20), Previous: link(2, 20), Last: link(2, 20)}},
		{"?page=9223372036854775807&per_page=200", nil, gen.Meta{Page: 9223372036854775807, Pages: 1, Total: 21},
			gen.PageLinks{First: link(1, 200), Previous: link(1, 200), Last: link(1, 200)}},
		{"?per_page=200", want, gen.Meta{Page: 1, Pages: 1, Total: 21},
			gen.PageLinks{First: link(1, 200), Last: link(1, 200)}},
	} {
		resp, body := send(t, srv, "GET", "/v2/gen-ai/indexing_jobs"+c.query, srv.Token(), "")
		require.Equal(t, 200, resp.StatusCode, "%s: %s", c.query, body)
		var out gen.ListIndexingJobsOutput
		require.NoError(t, json.Unmarshal([]byte(body), &out))
		var ids []string
		for _, j := range out.Jobs {
			ids = append(ids, j.UUID)
		}
		assert.Equal(t, c.jobs, ids, c.query)
		assert.Equal(t, c.meta, out.Meta, c.query)
		assert.Equal(t, c.pages, out.Links.Pages, c.query)
	}

	for _, query := range []string{"?per_page=201", "?per_page=-1", "?page=-1", "?page=two", "?page=99999999999999999999"} {
		resp, body := send(t, srv, "GET", "/v2/gen-ai/indexing_jobs"+query, srv.Token(), "")
		assert.Equal(t, 400, resp.StatusCode, query)
		assert.Equal(t, "bad_request", errorBody(t, body).ID, query)
	}

	empty, _ := newFake(t)
	resp, body := send(t, empty, "GET", "/v2/gen-ai/indexing_jobs", empty.Token(), "")
	require.Equal(t, 200, resp.StatusCode)
	var out gen.ListIndexingJobsOutput
	require.NoError(t, json.Unmarshal([]byte(body), &out))
	assert.Empty(t, out.Jobs)
	assert.Equal(t, gen.Meta{Page: 1}, out.Meta, "no jobs, no pages")
	first := empty.URL + "/v2/gen-ai/indexing_jobs?page=1&per_page=20"
	assert.Equal(t, gen.PageLinks{First: first, Last: first}, out.Links.Pages)
}

func TestListKnowledgeBaseIndexingJobsLatest15(t *testing.T) {
	srv, client := newFake(t)
	ctx := context.Background()
	kb, other, idle := indexingjobstest.NewKnowledgeBase(1), indexingjobstest.NewKnowledgeBase(1), indexingjobstest.NewKnowledgeBase(1)
	for _, k := range []indexingjobstest.KnowledgeBase{kb, other, idle} {
		srv.AddKnowledgeBase(k)
	}
	want := addJobs(srv, kb.UUID, 20)
	wantOther := addJobs(srv, other.UUID, 3)
	addJobs(srv, "", 5)

	ids := func(kb string) []string {
		t.Helper()
		jobs, err := client.ListKnowledgeBaseIndexingJobs(ctx, kb)
		require.NoError(t, err)
		var ids []string
		for _, j := range jobs {
			ids = append(ids, j.UUID)
		}
		return ids
	}
	assert.Equal(t, want[:15], ids(kb.UUID), "the latest 15, newest first")
	assert.Equal(t, wantOther, ids(other.UUID))
	assert.Empty(t, ids(idle.UUID))
	assert.Equal(t, want[:15], ids(strings.ToUpper(kb.UUID)), "uuids are hex, whatever their case")

	_, err := client.ListKnowledgeBaseIndexingJobs(ctx, "00000000-0000-4000-8000-000000000000")
	assert.True(t, indexingjobs.IsNotFound(err), "%v", err)

	path := "/v2/gen-ai/knowledge_bases/" + kb.UUID + "/indexing_jobs"
	resp, body := send(t, srv, "GET", path, srv.Token(), "")
	require.Equal(t, 200, resp.StatusCode)
	var out gen.ListIndexingJobsOutput
	require.NoError(t, json.Unmarshal([]byte(body), &out))
	assert.Equal(t, gen.Meta{Page: 1, Pages: 1, Total: 15}, out.Meta, "one page")
	assert.Equal(t, gen.PageLinks{First: srv.URL + path, Last: srv.URL + path}, out.Links.Pages)
}

func TestListIndexingJobDataSources(t *testing.T) {
	srv, client := newFake(t)
	ctx := context.Background()
	job := indexingjobstest.NewJob(indexingjobs.PhaseRunning)
	job.DataSourceJobs = append(job.DataSourceJobs, indexingjobs.IndexedDataSource{
		DataSourceUUID: "2f1c5e9a-4b7d-4f3e-8c6a-1d2e3f4a5b6c", Status: indexingjobs.DataSourceStatusPartiallyUpdated,
		ErrorMsg: "partial failure", IndexedFileCount: 10, TotalFileCount: 12, FailedItemCount: 2,
	})
	id := srv.AddJob(job)
	sources, err := client.ListIndexingJobDataSources(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, job.DataSourceJobs, sources)

	_, err = client.ListIndexingJobDataSources(ctx, "00000000-0000-4000-8000-000000000000")
	assert.True(t, indexingjobs.IsNotFound(err), "%v", err)
}
