package indexingjobs

import (
	"context"
	"fmt"
	"iter"
	"strings"

	"github.com/gradient-go/indexingjobs/gen"
)

// KnowledgeBase is a knowledge base: the generated gen.APIKnowledgeBase,
// whose fields (kb.UUID, kb.Name, kb.Region, kb.LastIndexingJob, ...) are
// reached directly, and the state of its database as GetKnowledgeBase
// reports it.
type KnowledgeBase struct {
	gen.APIKnowledgeBase
	// DatabaseStatus is the state of the database that holds the knowledge
	// base's index; it can be indexed once it is DatabaseOnline. Only
	// GetKnowledgeBase reports it: it is empty in ListKnowledgeBases.
	DatabaseStatus DatabaseStatus `json:"database_status,omitempty"`
}

// DatabaseStatus is the state of a knowledge base's database, as the API
// names it ("ONLINE"); values the client does not know are kept as they
// came.
type DatabaseStatus = gen.DbaasClusterStatus

// DatabaseOnline is the state in which a knowledge base can be indexed.
const DatabaseOnline = gen.DbaasClusterStatusONLINE

// KnowledgeBaseDataSource is where some of a knowledge base's content comes
// from: the generated gen.APIKnowledgeBaseDataSource. Exactly one of its
// SpacesDataSource, WebCrawlerDataSource, AWSDataSource,
// FileUploadDataSource, GoogleDriveDataSource and DropboxDataSource is set;
// they show the source's place, never the secrets it was made with.
type KnowledgeBaseDataSource = gen.APIKnowledgeBaseDataSource

var (
	knowledgeBases = listOf[gen.APIKnowledgeBase]{noun: "knowledge base", id: func(kb *gen.APIKnowledgeBase) string { return kb.UUID }}
	dataSources    = listOf[KnowledgeBaseDataSource]{noun: "data source", id: func(ds *KnowledgeBaseDataSource) string { return ds.UUID }}
)

// GetKnowledgeBase returns the knowledge base uuid, with the state of its
// database.
func (c *Client) GetKnowledgeBase(ctx context.Context, uuid string) (*KnowledgeBase, error) {
	if err := checkUUID("knowledge base", uuid); err != nil {
		return nil, err
	}
	out, err := call(ctx, c, &gen.GenaiGetKnowledgeBaseOperation, []string{uuid}, "", nil, func(out *gen.KnowledgeBase) error {
		return isKnowledgeBase(out.KnowledgeBase.UUID, uuid)
	})
	if err != nil {
		return nil, err
	}
	return &KnowledgeBase{APIKnowledgeBase: out.KnowledgeBase, DatabaseStatus: out.DatabaseStatus}, nil
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
	all := knowledgeBases.all(perPage, func(page int) ([]gen.APIKnowledgeBase, pageMeta, error) {
		return fetchPage(ctx, c, &gen.GenaiListKnowledgeBasesOperation, knowledgeBases, nil, page, perPage,
			func(out *gen.KnowledgeBases) ([]gen.APIKnowledgeBase, gen.APIMeta, gen.APILinks) {
				return out.KnowledgeBases, out.Meta, out.Links
			})
	})
	return func(yield func(*KnowledgeBase, error) bool) {
		for kb, err := range all {
			if err != nil {
				yield(nil, err)
				return
			}
			if !yield(&KnowledgeBase{APIKnowledgeBase: *kb}, nil) {
				return
			}
		}
	}
}

// ListKnowledgeBaseDataSources returns every data source of the knowledge
// base, fetching pages as ListKnowledgeBases does, with the same
// guarantees.
func (c *Client) ListKnowledgeBaseDataSources(ctx context.Context, knowledgeBaseUUID string, opts ...ListOption) iter.Seq2[*KnowledgeBaseDataSource, error] {
	perPage := perPageOf(opts)
	return func(yield func(*KnowledgeBaseDataSource, error) bool) {
		if err := checkUUID("knowledge base", knowledgeBaseUUID); err != nil {
			yield(nil, err)
			return
		}
		for ds, err := range dataSources.all(perPage, func(page int) ([]KnowledgeBaseDataSource, pageMeta, error) {
			return fetchPage(ctx, c, &gen.GenaiListKnowledgeBaseDataSourcesOperation, dataSources, []string{knowledgeBaseUUID}, page, perPage,
				func(out *gen.KnowledgeBaseDataSources) ([]KnowledgeBaseDataSource, gen.APIMeta, gen.APILinks) {
					return out.KnowledgeBaseDataSources, out.Meta, out.Links
				})
		}) {
			if !yield(ds, err) || err != nil {
				return
			}
		}
	}
}

// isKnowledgeBase checks that an answer holds the knowledge base asked for
// (case aside).
func isKnowledgeBase(got, want string) error {
	if got == "" {
		return fmt.Errorf("%w: the body has no knowledge base", errWrongAnswer)
	}
	if !strings.EqualFold(got, want) {
		return fmt.Errorf("%w: it holds knowledge base %q, not %s", errWrongAnswer, clean(got, maxIDLen), want)
	}
	return nil
}
