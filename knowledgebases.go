package indexingjobs

import (
	"context"
	"iter"
)

// KnowledgeBase, KnowledgeBaseDataSource, the kinds of source in it
// (SpacesSource, WebCrawlerSource, S3Location, UploadedFile,
// GoogleDriveFolder, DropboxFolder), DatabaseStatus and their constants are
// generated from openapi.yaml into indexingjobs.gen.go.

// DatabaseOnline is the state in which a knowledge base can be indexed:
// DatabaseStatusOnline.
const DatabaseOnline = DatabaseStatusOnline

var (
	knowledgeBases = listOf[KnowledgeBase]{noun: "knowledge base", id: func(kb *KnowledgeBase) string { return kb.UUID }}
	dataSources    = listOf[KnowledgeBaseDataSource]{noun: "data source", id: func(ds *KnowledgeBaseDataSource) string { return ds.UUID }}
)

// GetKnowledgeBase returns the knowledge base knowledgeBaseUUID, with the
// state of its database (DatabaseStatus).
func (c *Client) GetKnowledgeBase(ctx context.Context, knowledgeBaseUUID string) (*KnowledgeBase, error) {
	out, err := call(ctx, c, opGenaiGetKnowledgeBase, []string{knowledgeBaseUUID}, nil, nil, func(out *readKnowledgeBaseAnswer) error {
		return holds("knowledge base", out.KnowledgeBase.UUID, knowledgeBaseUUID)
	})
	if err != nil {
		return nil, err
	}
	kb := out.KnowledgeBase
	kb.DatabaseStatus = out.DatabaseStatus
	return &kb, nil
}

// KnowledgeBasePage is one page of the list of knowledge bases.
type KnowledgeBasePage struct {
	KnowledgeBases []KnowledgeBase // DatabaseStatus empty: GetKnowledgeBase reports it
	Page           int             // this page's number, from 1
	Pages          int             // how many pages the list has, as the API counted them
	Total          int             // how many knowledge bases the list has, on all pages

	meta pageMeta
}

// ListKnowledgeBasesPage returns page number page (from 1) of the knowledge
// bases the token can see, perPage to a page (1 to MaxPerPage; 0 for
// DefaultPerPage).
func (c *Client) ListKnowledgeBasesPage(ctx context.Context, page, perPage int) (*KnowledgeBasePage, error) {
	perPage, err := pageArgs(knowledgeBases, page, perPage)
	if err != nil {
		return nil, err
	}
	kbs, m, err := fetchPage(ctx, c, opGenaiListKnowledgeBases, knowledgeBases, nil, &genaiListKnowledgeBasesParams{Page: page, PerPage: perPage}, page, perPage,
		func(out *knowledgeBasesAnswer) ([]KnowledgeBase, meta, links) {
			return out.KnowledgeBases, out.Meta, out.Links
		})
	if err != nil {
		return nil, err
	}
	return &KnowledgeBasePage{KnowledgeBases: kbs, Page: page, Pages: m.pages, Total: m.total, meta: m}, nil
}

// ListKnowledgeBases returns every knowledge base the token can see,
// fetching pages of MaxPerPage (WithPerPage to change it) as the loop
// advances, with every guarantee of ListIndexingJobs: the next page is
// asked for by number, links are never followed, no knowledge base is
// yielded twice, memory is one page's and 8 bytes (11 to 22 in its table)
// a knowledge base yielded, and a list that disagrees with itself ends
// with an error. DatabaseStatus is empty: GetKnowledgeBase reports it.
func (c *Client) ListKnowledgeBases(ctx context.Context, opts ...ListOption) iter.Seq2[*KnowledgeBase, error] {
	perPage := perPageOf(opts)
	return knowledgeBases.all(perPage, func(page int) ([]KnowledgeBase, pageMeta, error) {
		p, err := c.ListKnowledgeBasesPage(ctx, page, perPage)
		if err != nil {
			return nil, pageMeta{}, err
		}
		return p.KnowledgeBases, p.meta, nil
	})
}

// KnowledgeBaseDataSourcePage is one page of the list of a knowledge base's
// data sources.
type KnowledgeBaseDataSourcePage struct {
	DataSources []KnowledgeBaseDataSource
	Page        int // this page's number, from 1
	Pages       int // how many pages the list has, as the API counted them
	Total       int // how many data sources the list has, on all pages

	meta pageMeta
}

// ListKnowledgeBaseDataSourcesPage returns page number page (from 1) of the
// data sources of the knowledge base, perPage to a page (1 to MaxPerPage;
// 0 for DefaultPerPage).
func (c *Client) ListKnowledgeBaseDataSourcesPage(ctx context.Context, knowledgeBaseUUID string, page, perPage int) (*KnowledgeBaseDataSourcePage, error) {
	perPage, err := pageArgs(dataSources, page, perPage)
	if err != nil {
		return nil, err
	}
	dss, m, err := fetchPage(ctx, c, opGenaiListKnowledgeBaseDataSources, dataSources, []string{knowledgeBaseUUID},
		&genaiListKnowledgeBaseDataSourcesParams{Page: page, PerPage: perPage}, page, perPage,
		func(out *knowledgeBaseDataSourcesAnswer) ([]KnowledgeBaseDataSource, meta, links) {
			return out.KnowledgeBaseDataSources, out.Meta, out.Links
		})
	if err != nil {
		return nil, err
	}
	return &KnowledgeBaseDataSourcePage{DataSources: dss, Page: page, Pages: m.pages, Total: m.total, meta: m}, nil
}

// ListKnowledgeBaseDataSources returns every data source of the knowledge
// base, fetching pages as ListKnowledgeBases does, with the same
// guarantees.
func (c *Client) ListKnowledgeBaseDataSources(ctx context.Context, knowledgeBaseUUID string, opts ...ListOption) iter.Seq2[*KnowledgeBaseDataSource, error] {
	perPage := perPageOf(opts)
	return dataSources.all(perPage, func(page int) ([]KnowledgeBaseDataSource, pageMeta, error) {
		p, err := c.ListKnowledgeBaseDataSourcesPage(ctx, knowledgeBaseUUID, page, perPage)
		if err != nil {
			return nil, pageMeta{}, err
		}
		return p.DataSources, p.meta, nil
	})
}
