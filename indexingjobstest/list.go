package indexingjobstest

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/internal/gen"
)

// latestPerKnowledgeBase is how many jobs the list of a knowledge base's
// jobs holds, as in the API.
const latestPerKnowledgeBase = 15

// listJobs is page page (from 1) of all jobs, newest first, perPage to a
// page. A page past the end has no jobs, and the counts.
func (s *Server) listJobs(page, perPage int) gen.ListIndexingJobsOutput {
	s.mu.Lock()
	defer s.mu.Unlock()
	return pageOf(s.newestFirst(""), page, perPage, func(n int) string {
		return fmt.Sprintf("%s/v2/gen-ai/indexing_jobs?page=%d&per_page=%d", s.URL, n, perPage)
	})
}

// listKnowledgeBaseJobs is the latest jobs of knowledge base kb, newest
// first, on one page.
func (s *Server) listKnowledgeBaseJobs(kb string) (gen.ListIndexingJobsOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.knowledgeBases[strings.ToLower(kb)]; !ok {
		return gen.ListIndexingJobsOutput{}, errNotFound
	}
	jobs := s.newestFirst(kb)
	jobs = jobs[:min(len(jobs), latestPerKnowledgeBase)]
	self := s.URL + "/v2/gen-ai/knowledge_bases/" + url.PathEscape(kb) + "/indexing_jobs"
	return pageOf(jobs, 1, latestPerKnowledgeBase, func(int) string { return self }), nil
}

// pageOf is page page of jobs in the API's envelope: copies of the page's
// jobs, the counts and the links (paged).
func pageOf(jobs []*indexingjobs.IndexingJob, page, perPage int, link func(page int) string) gen.ListIndexingJobsOutput {
	of, meta, links := paged(jobs, page, perPage, link)
	out := gen.ListIndexingJobsOutput{Meta: meta, Links: links}
	for _, job := range of {
		out.Jobs = append(out.Jobs, clone(*job))
	}
	return out
}

// paged is page page of items, perPage to a page, with the counts (meta)
// and the links to the first, previous, next and last pages, made by link;
// previous is absent on the first page, next on the last and past it. A
// page past the end has no items.
func paged[T any](items []T, page, perPage int, link func(page int) string) ([]T, gen.Meta, gen.Links) {
	total := len(items)
	pages := (total + perPage - 1) / perPage
	last := max(pages, 1)
	from := total
	if page <= pages {
		from = (page - 1) * perPage
	}
	var links gen.Links
	p := &links.Pages
	p.First, p.Last = link(1), link(last)
	if page > 1 {
		p.Previous = link(min(page-1, last))
	}
	if page < pages {
		p.Next = link(page + 1)
	}
	return items[from:min(from+perPage, total)], gen.Meta{Page: page, Pages: pages, Total: total}, links
}
