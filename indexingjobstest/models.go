package indexingjobstest

import (
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/internal/gen"
)

// EmbeddingModel is the uuid of the first model the fake lists for
// MODEL_USECASE_KNOWLEDGEBASE, GTE Large EN v1.5, with which tests and the
// demo create knowledge bases.
const EmbeddingModel = "22653204-79ed-11ef-bf8f-4e013e2ddde4"

// models are what the fake offers: three embedding models and an agent's.
// Their times are fixed, so that their answers are the same every time.
var models = func() []indexingjobs.Model {
	added := time.Date(2024, 9, 20, 10, 0, 0, 0, time.UTC)
	embedding := func(uuid, id, name string, window indexingjobs.Uint64, maxChunk int64) indexingjobs.Model {
		return indexingjobs.Model{
			UUID: uuid, ID: id, Name: name, Type: "embedding", IsFoundational: true,
			Usecases: []indexingjobs.ModelUsecase{indexingjobs.ModelUsecaseKnowledgebase}, Capabilities: []string{"vectorization"},
			ContextWindow: window, KbDefaultChunkSize: 750, KbMinChunkSize: 100, KbMaxChunkSize: maxChunk,
			LifecycleStatus: "active", Provider: indexingjobs.ModelProviderDigitalOcean, CreatedAt: added, UpdatedAt: added,
		}
	}
	return []indexingjobs.Model{
		embedding(EmbeddingModel, "gte-large-en-v1.5", "GTE Large EN v1.5", 8192, 8000),
		embedding("22652c2a-79ed-11ef-bf8f-4e013e2ddde4", "all-mini-lm-l6-v2", "All MiniLM L6 v2", 256, 256),
		embedding("22653d1e-79ed-11ef-bf8f-4e013e2ddde4", "multi-qa-mpnet-base-dot-v1", "Multi QA MPNet Base Dot v1", 512, 512),
		{
			UUID: "d754f2d7-d1f0-11ef-bf8f-4e013e2ddde4", ID: "llama3.3-70b-instruct", Name: "Llama 3.3 Instruct (70B)", Type: "chat",
			Usecases: []indexingjobs.ModelUsecase{indexingjobs.ModelUsecaseAgent, indexingjobs.ModelUsecaseServerless}, IsFoundational: true,
			ContextWindow: 128000, LifecycleStatus: "active", Provider: indexingjobs.ModelProviderDigitalOcean, CreatedAt: added, UpdatedAt: added,
		},
	}
}()

// isEmbeddingModel reports whether id is a model the fake offers for
// knowledge bases.
func isEmbeddingModel(id string) bool {
	return slices.ContainsFunc(models, func(m indexingjobs.Model) bool {
		return m.UUID == id && slices.Contains(m.Usecases, indexingjobs.ModelUsecaseKnowledgebase)
	})
}

// listModels is page page of the models of any of the use cases asked for
// (all models when none is), perPage to a page.
func (s *Server) listModels(usecases []indexingjobs.ModelUsecase, page, perPage int) gen.ListModelsOutput {
	var of []indexingjobs.Model
	for _, m := range models {
		if len(usecases) == 0 || slices.ContainsFunc(m.Usecases, func(u indexingjobs.ModelUsecase) bool { return slices.Contains(usecases, u) }) {
			of = append(of, m)
		}
	}
	filter := url.Values{}
	for _, u := range usecases {
		filter.Add("usecases", string(u))
	}
	shown, meta, links := paged(of, page, perPage, func(n int) string {
		link := fmt.Sprintf("%s/v2/gen-ai/models?page=%d&per_page=%d", s.URL, n, perPage)
		if len(filter) > 0 {
			link += "&" + filter.Encode()
		}
		return link
	})
	out := gen.ListModelsOutput{Meta: meta, Links: links}
	for _, m := range shown {
		m.Usecases, m.Capabilities = slices.Clone(m.Usecases), slices.Clone(m.Capabilities)
		out.Models = append(out.Models, m)
	}
	return out
}
