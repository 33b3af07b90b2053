package indexingjobs

import (
	"cmp"
	"context"
	"fmt"
	"iter"
	"strconv"

	"github.com/gradient-go/indexingjobs/gen"
)

// Page sizes: DefaultPerPage is the API's default, what
// ListIndexingJobsPage asks for given 0; MaxPerPage is the most a page
// holds, what ListIndexingJobs asks for unless WithPerPage says otherwise.
const (
	DefaultPerPage = 20
	MaxPerPage     = 200
)

// IndexingJobPage is one page of the list of all indexing jobs.
type IndexingJobPage struct {
	Jobs  []IndexingJob
	Page  int // this page's number, from 1
	Pages int // how many pages the list has, as the API counted them
	Total int // how many jobs the list has, on all pages

	meta pageMeta // as the answer said, for ListIndexingJobs
}

// ListIndexingJobsPage returns page number page (from 1) of the indexing
// jobs of every knowledge base, newest first, perPage to a page (1 to
// MaxPerPage; 0 for the API's default, DefaultPerPage).
func (c *Client) ListIndexingJobsPage(ctx context.Context, page, perPage int) (*IndexingJobPage, error) {
	if page < 1 {
		return nil, fmt.Errorf("indexingjobs: page %d: pages count from 1", page)
	}
	if perPage < 0 || perPage > MaxPerPage {
		return nil, fmt.Errorf("indexingjobs: %d jobs a page: want 1 to %d, or 0 for the default", perPage, MaxPerPage)
	}
	perPage = cmp.Or(perPage, DefaultPerPage) // always sent: the spec's least is 1
	jobs, m, err := fetchPage(ctx, c, &gen.GenaiListIndexingJobsOperation, indexingJobs, nil, page, perPage,
		func(out *gen.IndexingJobs) ([]IndexingJob, gen.APIMeta, gen.APILinks) {
			return out.Jobs, out.Meta, out.Links
		})
	if err != nil {
		return nil, err
	}
	return &IndexingJobPage{Jobs: jobs, Page: page, Pages: m.pages, Total: m.total, meta: m}, nil
}

// pageQuery asks for page number page of perPage items.
func pageQuery(page, perPage int) string {
	return "page=" + strconv.Itoa(page) + "&per_page=" + strconv.Itoa(perPage)
}

// ListOption configures the list iterators: ListIndexingJobs,
// ListKnowledgeBases and ListKnowledgeBaseDataSources.
type ListOption func(*listConfig)

type listConfig struct{ perPage int }

// perPageOf is the page size opts ask for, MaxPerPage by default.
func perPageOf(opts []ListOption) int {
	cfg := listConfig{perPage: MaxPerPage}
	for _, o := range opts {
		o(&cfg)
	}
	return cfg.perPage
}

// WithPerPage sets how many items each request of a list iterator asks
// for, at most MaxPerPage (a larger n is taken as MaxPerPage). n ≤ 0 keeps
// the default, MaxPerPage: a whole list in the fewest requests. A smaller
// n makes the first jobs arrive sooner and each answer smaller.
func WithPerPage(n int) ListOption {
	return func(c *listConfig) {
		if n > 0 {
			c.perPage = min(n, MaxPerPage)
		}
	}
}

// ListIndexingJobs returns every indexing job of every knowledge base,
// newest first, fetching pages as the loop advances:
//
//	for job, err := range client.ListIndexingJobs(ctx) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(job.UUID, job.Phase)
//	}
//
// Breaking out of the loop fetches nothing more. An error is yielded once
// and ends the sequence. Each next page is asked for by number on the
// client's own base URL; the links in the answer are never followed, so
// the token goes nowhere else. No job is yielded twice: one that moved to
// a later page while the loop ran (jobs started meanwhile push older ones
// back), or that a page sends again in any order, is skipped. Memory is
// that of one page and a 64-bit hash of each job yielded: 8 bytes a job,
// 11 to 22 in the table that holds them (about 17 MB for a million jobs).
// Each request asks for MaxPerPage jobs unless WithPerPage says otherwise,
// so that a whole list takes the fewest requests.
//
// A list that disagrees with itself ends with an error rather than a loop
// without end or a silent stop: a page that holds only jobs of earlier
// pages, or is empty before the last page counted (or links to a next
// page); counts below 0; more pages than the first count or than the total
// needs (a list that grew by a page while it was read: start again); more
// than 1,000 pages without a count.
func (c *Client) ListIndexingJobs(ctx context.Context, opts ...ListOption) iter.Seq2[*IndexingJob, error] {
	perPage := perPageOf(opts)
	return indexingJobs.all(perPage, func(page int) ([]IndexingJob, pageMeta, error) {
		p, err := c.ListIndexingJobsPage(ctx, page, perPage)
		if err != nil {
			return nil, pageMeta{}, err
		}
		return p.Jobs, p.meta, nil
	})
}

// indexingJobs are the items of the lists of indexing jobs.
var indexingJobs = listOf[IndexingJob]{noun: "indexing job", id: func(j *IndexingJob) string { return j.UUID }}

// distinctJobs checks that every job of a list has its id, and no id comes
// twice.
func distinctJobs(jobs []IndexingJob) error { return indexingJobs.distinct(jobs) }
