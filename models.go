package indexingjobs

import (
	"context"
	"iter"
)

// Model, its parts (ModelAgreement, ModelEndpoint, ModelModalities,
// ModelPricing, ModelSetting, ModelVersion), ModelProvider and
// ModelUsecase are generated from openapi.yaml into indexingjobs.gen.go.

// embeddingModels are the items of the list of models that can embed a
// knowledge base's content.
var embeddingModels = listOf[Model]{noun: "embedding model", id: func(m *Model) string { return m.UUID }}

// EmbeddingModelPage is one page of the list of embedding models.
type EmbeddingModelPage struct {
	Models []Model
	Page   int // this page's number, from 1
	Pages  int // how many pages the list has, as the API counted them
	Total  int // how many models the list has, on all pages

	meta pageMeta
}

// ListEmbeddingModelsPage returns page number page (from 1) of the models
// a knowledge base can embed its content with (those of the use case
// MODEL_USECASE_KNOWLEDGEBASE), perPage to a page (1 to MaxPerPage; 0 for
// DefaultPerPage). A model's UUID is what KnowledgeBaseSpec's
// EmbeddingModelUUID names.
func (c *Client) ListEmbeddingModelsPage(ctx context.Context, page, perPage int) (*EmbeddingModelPage, error) {
	perPage, err := pageArgs(embeddingModels, page, perPage)
	if err != nil {
		return nil, err
	}
	query := &genaiListModelsParams{Usecases: []ModelUsecase{ModelUsecaseKnowledgebase}, Page: page, PerPage: perPage}
	models, m, err := fetchPage(ctx, c, opGenaiListModels, embeddingModels, nil, query, page, perPage,
		func(out *modelsAnswer) ([]Model, meta, links) { return out.Models, out.Meta, out.Links })
	if err != nil {
		return nil, err
	}
	return &EmbeddingModelPage{Models: models, Page: page, Pages: m.pages, Total: m.total, meta: m}, nil
}

// ListEmbeddingModels returns every model a knowledge base can embed its
// content with, fetching pages as ListKnowledgeBases does, with the same
// guarantees.
func (c *Client) ListEmbeddingModels(ctx context.Context, opts ...ListOption) iter.Seq2[*Model, error] {
	perPage := perPageOf(opts)
	return embeddingModels.all(perPage, func(page int) ([]Model, pageMeta, error) {
		p, err := c.ListEmbeddingModelsPage(ctx, page, perPage)
		if err != nil {
			return nil, pageMeta{}, err
		}
		return p.Models, p.meta, nil
	})
}
