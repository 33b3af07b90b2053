package indexingjobs

import (
	"cmp"
	"context"
	"fmt"
	"iter"
)

// Every paged list of the API has two methods of one shape: ListX(ctx, ...)
// ranges over the whole list (iter.Seq2[*T, error]), fetching pages as the
// loop advances; ListXPage(ctx, ..., page, perPage) returns one page with
// the list's counts. Both go through fetchPage, and the iterator through
// listOf.all (pages.go), which keep any list from running away.

// Page sizes: DefaultPerPage is the API's default, what the ListXPage
// methods ask for given 0; MaxPerPage is the most a page holds, what the
// iterators ask for unless WithPerPage says otherwise.
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
	perPage, err := pageArgs(indexingJobs, page, perPage)
	if err != nil {
		return nil, err
	}
	jobs, m, err := fetchPage(ctx, c, opGenaiListIndexingJobs, indexingJobs, nil, &genaiListIndexingJobsParams{Page: page, PerPage: perPage}, page, perPage,
		func(out *indexingJobsAnswer) ([]IndexingJob, meta, links) { return out.Jobs, out.Meta, out.Links })
	if err != nil {
		return nil, err
	}
	return &IndexingJobPage{Jobs: jobs, Page: page, Pages: m.pages, Total: m.total, meta: m}, nil
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

// ListOption configures the list iterators (ListIndexingJobs,
// ListKnowledgeBases, ListKnowledgeBaseDataSources).
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
// n makes the first items arrive sooner and each answer smaller.
func WithPerPage(n int) ListOption {
	return func(c *listConfig) {
		if n > 0 {
			c.perPage = min(n, MaxPerPage)
		}
	}
}

// pageArgs checks the page asked for of a list of l, and returns the page
// size to send: perPage, or DefaultPerPage for 0 (always sent: the spec's
// least is 1).
func pageArgs[T any](l listOf[T], page, perPage int) (int, error) {
	if page < 1 {
		return 0, fmt.Errorf("indexingjobs: page %d of the %ss: pages count from 1", page, l.noun)
	}
	if perPage < 0 || perPage > MaxPerPage {
		return 0, fmt.Errorf("indexingjobs: %d %ss a page: want 1 to %d, or 0 for the default", perPage, l.noun, MaxPerPage)
	}
	return cmp.Or(perPage, DefaultPerPage), nil
}

// metaOf reads pageMeta from the meta and links every list answer has.
func metaOf(m meta, l links) pageMeta {
	return pageMeta{page: m.Page, pages: m.Pages, total: m.Total, next: l.Pages.Next != ""}
}

// fetchPage asks for page number page of perPage items of a list
// operation op (with the values of its path parameters and its query,
// which asks for that page) and checks the answer (checkPage): its items,
// its meta and its links, which parts takes out of the answer.
func fetchPage[Query, Out, T any](ctx context.Context, c *Client, op *endpoint[Query, noBody, Out], l listOf[T], params []string, query *Query, page, perPage int,
	parts func(*Out) ([]T, meta, links)) ([]T, pageMeta, error) {
	var items []T
	var m pageMeta
	_, err := call(ctx, c, op, params, query, nil, func(out *Out) error {
		its, me, li := parts(out)
		items, m = its, metaOf(me, li)
		return l.checkPage(items, m, page, perPage)
	})
	if err != nil {
		return nil, pageMeta{}, err
	}
	return items, m, nil
}
