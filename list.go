package indexingjobs

import (
	"cmp"
	"context"
	"fmt"
	"iter"
	"strconv"
	"strings"

	"github.com/gradient-go/indexingjobs/gen"
)

// Page sizes of ListIndexingJobs: the API's default and its most.
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

	next bool // the answer links to a next page
}

// maxUncountedPages bounds a list whose answers carry no meta: only their
// next links say there is more, and a server could say so for ever.
const maxUncountedPages = 1000

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
	perPage = cmp.Or(perPage, DefaultPerPage) // always sent: the builder would send 0
	out, err := call(ctx, c, &gen.GenaiListIndexingJobsOperation, nil, pageQuery(page, perPage), nil, func(out *gen.IndexingJobs) error {
		if m := out.Meta.Page; m != 0 && m != page {
			return fmt.Errorf("%w: asked for page %d, got page %d", errWrongAnswer, page, m)
		}
		if n := len(out.Jobs); n > perPage {
			return fmt.Errorf("%w: a page of %d jobs holds %d", errWrongAnswer, perPage, n)
		}
		return distinctJobs(out.Jobs)
	})
	if err != nil {
		return nil, err
	}
	return &IndexingJobPage{Jobs: out.Jobs, Page: page, Pages: out.Meta.Pages, Total: out.Meta.Total,
		next: out.Links.Pages.Next != ""}, nil
}

// pageQuery asks for page number page of perPage items.
func pageQuery(page, perPage int) string {
	return "page=" + strconv.Itoa(page) + "&per_page=" + strconv.Itoa(perPage)
}

// ListOption configures ListIndexingJobs.
type ListOption func(*listConfig)

type listConfig struct{ perPage int }

// WithPerPage sets how many jobs each request asks for, at most
// MaxPerPage (a larger n is taken as MaxPerPage). n ≤ 0 keeps the default,
// DefaultPerPage.
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
// the token goes nowhere else. A job that moved to the next page while the
// loop ran (jobs started meanwhile push older ones back) is yielded once.
// Memory is that of one page, however many the list has.
// A list that disagrees with itself (more pages than the first page
// counted or than its total needs, a page that only repeats the one before)
// ends with an error rather than a loop without end; so does a list that
// grew by a page while it was read: start again.
func (c *Client) ListIndexingJobs(ctx context.Context, opts ...ListOption) iter.Seq2[*IndexingJob, error] {
	cfg := listConfig{perPage: DefaultPerPage}
	for _, o := range opts {
		o(&cfg)
	}
	return func(yield func(*IndexingJob, error) bool) {
		// The jobs of the page before: a job that a new one pushed onto the
		// next page while the loop ran is yielded once. Only one page is
		// kept, so memory stays that of a page however long the list.
		var seen map[string]bool
		pages := 0 // as the first page counted them
		for page := 1; ; page++ {
			p, err := c.ListIndexingJobsPage(ctx, page, cfg.perPage)
			if err != nil {
				yield(nil, err)
				return
			}
			if page == 1 || pages == 0 {
				pages = p.Pages
			}
			fresh := 0
			before := seen
			seen = make(map[string]bool, len(p.Jobs))
			for i := range p.Jobs {
				job := &p.Jobs[i]
				key := strings.ToLower(job.UUID)
				seen[key] = true
				if before[key] {
					continue
				}
				fresh++
				if !yield(job, nil) {
					return
				}
			}
			switch {
			case len(p.Jobs) == 0 || (p.Pages > 0 && page >= p.Pages) || (p.Pages == 0 && !p.next):
				return // this page was the last, by its count or, without one, its links
			case fresh == 0:
				yield(nil, fmt.Errorf("indexingjobs: listing indexing jobs: %w: page %d holds only jobs of the page before", errWrongAnswer, page))
				return
			case p.Pages == 0 && page >= maxUncountedPages:
				yield(nil, fmt.Errorf("indexingjobs: listing indexing jobs: %w: still more after %d pages without a count", errWrongAnswer, page))
				return
			case p.Pages > 0 && (page >= pages || p.Pages > (p.Total+cfg.perPage-1)/cfg.perPage):
				yield(nil, fmt.Errorf("indexingjobs: listing indexing jobs: %w: page %d counts %d pages of %d jobs for %d jobs; page 1 counted %d pages",
					errWrongAnswer, page, p.Pages, cfg.perPage, p.Total, pages))
				return
			}
		}
	}
}

// distinctJobs checks that every job of a list has its id, and no id comes
// twice.
func distinctJobs(jobs []IndexingJob) error {
	ids := make(map[string]bool, len(jobs))
	for i := range jobs {
		if jobs[i].UUID == "" {
			return fmt.Errorf("%w: job %d of the list has no uuid", errWrongAnswer, i+1)
		}
		id := strings.ToLower(jobs[i].UUID)
		if ids[id] {
			return fmt.Errorf("%w: job %q comes twice", errWrongAnswer, clean(jobs[i].UUID, maxIDLen))
		}
		ids[id] = true
	}
	return nil
}
