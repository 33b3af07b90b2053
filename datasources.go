package indexingjobs

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// DataSourceSpec is a data source to attach to a knowledge base: exactly
// one of its kinds of source, and how its content is cut into chunks (nil
// for the service's default). Each is checked before anything is sent.
//
// File, an uploaded file (UploadFile), is attached only when a knowledge
// base is created (KnowledgeBaseSpec.DataSources): the API's form for
// adding a data source later has no such kind, and AddDataSource refuses
// one, sending nothing.
type DataSourceSpec struct {
	Spaces     *SpacesSource     // BucketName and Region required
	WebCrawler *WebCrawlerSource // BaseURL required, an http or https URL
	// S3 needs BucketName, Region, KeyID and SecretKey. The key is sent to
	// the API, which keeps it and never shows it again; no error of this
	// package holds it or its id.
	S3       *S3Source
	File     *UploadedFile // StoredObjectKey required
	Chunking *Chunking
}

// Chunking is how a data source's content is cut into chunks before it is
// embedded: the algorithm, and the sizes, in tokens, it works with (0
// leaves a size to the service; a model's KbMinChunkSize and
// KbMaxChunkSize bound MaxChunkSize).
type Chunking struct {
	Algorithm         ChunkingAlgorithm
	MaxChunkSize      int64   // every algorithm
	ParentChunkSize   int64   // hierarchical
	ChildChunkSize    int64   // hierarchical
	SemanticThreshold float32 // semantic: 0 to 1
}

// AddDataSource adds a data source to the knowledge base and returns it
// (without its secrets). Index it with StartIndexingJob. The spec takes
// a Spaces folder, a web site or an S3 folder; an uploaded file is
// attached only when a knowledge base is created, and refused here,
// unsent.
//
// Adding is not idempotent, and follows StartIndexingJob's rules: after a
// 5xx or a connection lost once the request was sent, the error wraps
// ErrOutcomeUnknown: list the knowledge base's data sources
// (ListKnowledgeBaseDataSources) before adding it again. The keys of an
// S3 source never appear in an error.
func (c *Client) AddDataSource(ctx context.Context, knowledgeBaseUUID string, spec DataSourceSpec) (*KnowledgeBaseDataSource, error) {
	if err := checkUUID("knowledge base", knowledgeBaseUUID); err != nil {
		return nil, err
	}
	if err := spec.check(false); err != nil {
		return nil, fmt.Errorf("indexingjobs: AddDataSource: %w", err)
	}
	ds := spec.input()
	in := &genaiCreateKnowledgeBaseDataSourceJSONRequestBody{
		KnowledgeBaseUUID: knowledgeBaseUUID, SpacesSource: ds.SpacesSource, WebCrawlerSource: ds.WebCrawlerSource, S3Source: ds.S3Source,
		ChunkingAlgorithm: ds.ChunkingAlgorithm, ChunkingOptions: ds.ChunkingOptions,
	}
	out, err := call(ctx, c, opGenaiCreateKnowledgeBaseDataSource, []string{knowledgeBaseUUID}, nil, in,
		func(out *addedDataSourceAnswer) error {
			return holds("data source", out.KnowledgeBaseDataSource.UUID, "")
		})
	err = sourceSecrets(c, spec).hide(err)
	if errors.Is(err, ErrOutcomeUnknown) {
		return nil, fmt.Errorf("%w; list the knowledge base's data sources (ListKnowledgeBaseDataSources) before adding it again", err)
	}
	if err != nil {
		return nil, err
	}
	return &out.KnowledgeBaseDataSource, nil
}

// UpdateDataSource changes how a data source's content is cut into chunks
// (nothing else of a data source changes: to point it elsewhere, delete it
// and add another) and returns it as it now stands. Chunking.Algorithm is
// required. Updating is idempotent, so it is retried like a read.
func (c *Client) UpdateDataSource(ctx context.Context, knowledgeBaseUUID, dataSourceUUID string, chunking Chunking) (*KnowledgeBaseDataSource, error) {
	if chunking.Algorithm == "" {
		return nil, errors.New("indexingjobs: UpdateDataSource: Chunking.Algorithm is required")
	}
	if err := chunking.check(); err != nil {
		return nil, fmt.Errorf("indexingjobs: UpdateDataSource: %w", err)
	}
	in := &genaiUpdateKnowledgeBaseDataSourceJSONRequestBody{
		KnowledgeBaseUUID: knowledgeBaseUUID, DataSourceUUID: dataSourceUUID,
		ChunkingAlgorithm: chunking.Algorithm, ChunkingOptions: chunking.options(),
	}
	out, err := call(ctx, c, opGenaiUpdateKnowledgeBaseDataSource, []string{knowledgeBaseUUID, dataSourceUUID}, nil, in,
		func(out *updatedDataSourceAnswer) error {
			return holds("data source", out.KnowledgeBaseDataSource.UUID, dataSourceUUID)
		})
	if err != nil {
		return nil, err
	}
	return &out.KnowledgeBaseDataSource, nil
}

// DeleteDataSource deletes a data source of the knowledge base, with
// DeleteKnowledgeBase's rule for a retried delete answered 404: its error
// wraps ErrOutcomeUnknown.
func (c *Client) DeleteDataSource(ctx context.Context, knowledgeBaseUUID, dataSourceUUID string) error {
	_, err := call(ctx, c, opGenaiDeleteKnowledgeBaseDataSource, []string{knowledgeBaseUUID, dataSourceUUID}, nil, nil,
		func(out *deletedDataSourceAnswer) error {
			if err := echoes("knowledge base", out.KnowledgeBaseUUID, knowledgeBaseUUID); err != nil {
				return err
			}
			return echoes("data source", out.DataSourceUUID, dataSourceUUID)
		})
	return err
}

// check says what is wrong with the spec, if anything; creating says
// whether it is attached as a knowledge base is created, the only time a
// file may be. Its errors never quote an S3 key.
func (s DataSourceSpec) check(creating bool) error {
	kinds := 0
	for _, set := range []bool{s.Spaces != nil, s.WebCrawler != nil, s.S3 != nil, s.File != nil} {
		if set {
			kinds++
		}
	}
	if kinds != 1 {
		return fmt.Errorf("a data source is exactly one of Spaces, WebCrawler, S3 and File; this one sets %d", kinds)
	}
	var err error
	switch {
	case s.Spaces != nil:
		err = required("Spaces", "BucketName", s.Spaces.BucketName, "Region", s.Spaces.Region)
	case s.WebCrawler != nil:
		u, perr := url.Parse(s.WebCrawler.BaseURL)
		if perr != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			err = fmt.Errorf("WebCrawler.BaseURL %q is not an http or https URL", clean(s.WebCrawler.BaseURL, 256))
		}
	case s.S3 != nil:
		err = required("S3", "BucketName", s.S3.BucketName, "Region", s.S3.Region, "KeyID", s.S3.KeyID, "SecretKey", s.S3.SecretKey)
	case !creating:
		err = errors.New("an uploaded file is attached only when a knowledge base is created (KnowledgeBaseSpec.DataSources): the API has no form to add one to a knowledge base")
	default:
		err = required("File", "StoredObjectKey", s.File.StoredObjectKey)
	}
	if err != nil {
		return errors.New(strings.TrimPrefix(err.Error(), "indexingjobs: "))
	}
	if s.Chunking != nil {
		return s.Chunking.check()
	}
	return nil
}

// check says what is wrong with the sizes, if anything.
func (ch Chunking) check() error {
	if ch.MaxChunkSize < 0 || ch.ParentChunkSize < 0 || ch.ChildChunkSize < 0 {
		return errors.New("a chunk size is below 0")
	}
	if ch.SemanticThreshold < 0 || ch.SemanticThreshold > 1 {
		return fmt.Errorf("the semantic threshold %g is not between 0 and 1", ch.SemanticThreshold)
	}
	return nil
}

func (ch Chunking) options() ChunkingOptions {
	return ChunkingOptions{MaxChunkSize: ch.MaxChunkSize, ParentChunkSize: ch.ParentChunkSize, ChildChunkSize: ch.ChildChunkSize, SemanticThreshold: ch.SemanticThreshold}
}

// input is the spec as the API's form of a data source to attach.
func (s DataSourceSpec) input() dataSourceInput {
	var in dataSourceInput
	switch {
	case s.Spaces != nil:
		in.SpacesSource = *s.Spaces
	case s.WebCrawler != nil:
		in.WebCrawlerSource = *s.WebCrawler
	case s.S3 != nil:
		in.S3Source = *s.S3
	case s.File != nil:
		in.UploadedFile = *s.File
	}
	if s.Chunking != nil {
		in.ChunkingAlgorithm, in.ChunkingOptions = s.Chunking.Algorithm, s.Chunking.options()
	}
	return in
}

// sourceSecrets are the client's secrets and the keys of the specs' S3
// sources, to keep out of an error, however the server echoes them.
func sourceSecrets(c *Client, specs ...DataSourceSpec) *secrets {
	var keys []string
	for _, s := range specs {
		if s.S3 != nil {
			keys = append(keys, s.S3.KeyID, s.S3.SecretKey)
		}
	}
	if keys == nil {
		return nil
	}
	return c.secrets.with(keys...)
}
