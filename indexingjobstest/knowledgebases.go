package indexingjobstest

import (
	"cmp"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/internal/gen"
)

// knowledgeBase is the API's view of a knowledge base: what it holds, and
// its newest job. s.mu is held.
func (s *Server) knowledgeBase(kb KnowledgeBase) indexingjobs.KnowledgeBase {
	out := indexingjobs.KnowledgeBase{UUID: kb.UUID, Name: kb.Name, Region: kb.Region, CreatedAt: kb.CreatedAt, UpdatedAt: kb.CreatedAt}
	if jobs := s.newestFirst(kb.UUID); len(jobs) > 0 {
		out.LastIndexingJob = clone(*jobs[0])
		out.UpdatedAt = out.LastIndexingJob.UpdatedAt
	}
	if w := kb.w; w != nil {
		out.ProjectID, out.DatabaseID, out.EmbeddingModelUUID = w.projectID, w.databaseID, w.embeddingModel
		out.Tags, out.RerankingConfig = slices.Clone(w.tags), w.reranking
		if w.updatedAt.After(out.UpdatedAt) {
			out.UpdatedAt = w.updatedAt
		}
	}
	return out
}

// getKnowledgeBase is the get operation: the knowledge base, its database
// ONLINE, or CREATING for a while after it was created through the API.
func (s *Server) getKnowledgeBase(id string) (gen.GetKnowledgeBaseOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	kb, ok := s.knowledgeBases[strings.ToLower(id)]
	if !ok {
		return gen.GetKnowledgeBaseOutput{}, errNotFound
	}
	return gen.GetKnowledgeBaseOutput{KnowledgeBase: s.knowledgeBase(kb), DatabaseStatus: s.databaseStatus(kb)}, nil
}

// listKnowledgeBases is page page of the knowledge bases, by name then
// uuid, perPage to a page.
func (s *Server) listKnowledgeBases(page, perPage int) gen.ListKnowledgeBasesOutput {
	s.mu.Lock()
	defer s.mu.Unlock()
	all := make([]KnowledgeBase, 0, len(s.knowledgeBases))
	for _, kb := range s.knowledgeBases {
		all = append(all, kb)
	}
	slices.SortFunc(all, func(a, b KnowledgeBase) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(strings.ToLower(a.UUID), strings.ToLower(b.UUID)))
	})
	of, meta, links := paged(all, page, perPage, func(n int) string {
		return fmt.Sprintf("%s/v2/gen-ai/knowledge_bases?page=%d&per_page=%d", s.URL, n, perPage)
	})
	out := gen.ListKnowledgeBasesOutput{Meta: meta, Links: links}
	for _, kb := range of {
		out.KnowledgeBases = append(out.KnowledgeBases, s.knowledgeBase(kb))
	}
	return out
}

// listDataSources is page page of a knowledge base's data sources, in the
// order it holds them (dataSource), each with what the newest job that
// indexed it did there.
func (s *Server) listDataSources(id string, page, perPage int) (gen.ListKnowledgeBaseDataSourcesOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	kb, ok := s.knowledgeBases[strings.ToLower(id)]
	if !ok {
		return gen.ListKnowledgeBaseDataSourcesOutput{}, errNotFound
	}
	of, meta, links := paged(kb.DataSourceUUIDs, page, perPage, func(n int) string {
		return fmt.Sprintf("%s/v2/gen-ai/knowledge_bases/%s/data_sources?page=%d&per_page=%d", s.URL, url.PathEscape(kb.UUID), n, perPage)
	})
	jobs := s.newestFirst(kb.UUID)
	out := gen.ListKnowledgeBaseDataSourcesOutput{Meta: meta, Links: links}
	for _, ds := range of {
		d := s.dataSource(kb, slices.Index(kb.DataSourceUUIDs, ds))
	jobsLoop:
		for _, job := range jobs {
			for _, run := range job.DataSourceJobs {
				if strings.EqualFold(run.DataSourceUUID, ds) {
					d.LastDatasourceIndexingJob = run
					break jobsLoop
				}
			}
		}
		out.KnowledgeBaseDataSources = append(out.KnowledgeBaseDataSources, d)
	}
	return out, nil
}
