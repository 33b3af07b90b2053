package indexingjobs

// Stand-ins for the write side (presigned uploads, knowledge bases and
// their data sources), with the signatures agreed on, so that package
// folder and the tool's index command build before the real operations
// land. Every method fails with an error that wraps errors.ErrUnsupported.
// This file is deleted when the real declarations arrive; nothing may
// depend on what is in it beyond those signatures.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/gradient-go/indexingjobs/wire"
)

// FileToUpload names a file to upload and its size in bytes.
type FileToUpload struct {
	Name string
	Size int64
}

// FileUploadURL is where one file is to be PUT, before ExpiresAt.
type FileUploadURL struct {
	PresignedURL, ObjectKey, OriginalFileName string
	ExpiresAt                                 time.Time
}

// UploadedFile is a file stored through a FileUploadURL, fit for a file
// data source.
type UploadedFile struct {
	OriginalFileName, StoredObjectKey string
	SizeInBytes                       wire.Uint64
}

// KnowledgeBaseSpec is what CreateKnowledgeBase makes.
type KnowledgeBaseSpec struct {
	Name, Region, EmbeddingModelUUID, ProjectID, DatabaseID, VPCUUID string
	Tags                                                             []string
	DataSources                                                      []DataSourceSpec
}

// DataSourceSpec is one data source to add: exactly one kind set.
type DataSourceSpec struct {
	Spaces     *SpacesSource
	WebCrawler *WebCrawlerSource
	S3         *S3Source
	File       *UploadedFile
	Chunking   *Chunking
}

// SpacesSource is a prefix of a Spaces bucket.
type SpacesSource struct{ BucketName, ItemPath, Region string }

// WebCrawlerSource is a site to crawl.
type WebCrawlerSource struct{ BaseURL string }

// S3Source is a prefix of an Amazon S3 bucket and the keys that read it.
type S3Source struct{ BucketName, ItemPath, Region, KeyID, SecretKey string }

// Chunking is how content is cut into chunks.
type Chunking struct{ Algorithm string }

func notYet(op string) error {
	return fmt.Errorf("indexingjobs: %s: not yet (the write side is being added): %w", op, errors.ErrUnsupported)
}

// FileUploadURLs asks for a presigned URL for each file. Not yet.
func (c *Client) FileUploadURLs(ctx context.Context, files []FileToUpload) ([]FileUploadURL, error) {
	return nil, notYet("FileUploadURLs")
}

// UploadFile PUTs size bytes of r to the URL. Not yet.
func (c *Client) UploadFile(ctx context.Context, to FileUploadURL, r io.ReaderAt, size int64) (*UploadedFile, error) {
	return nil, notYet("UploadFile")
}

// CreateKnowledgeBase creates a knowledge base. Not yet.
func (c *Client) CreateKnowledgeBase(ctx context.Context, spec KnowledgeBaseSpec) (*KnowledgeBase, error) {
	return nil, notYet("CreateKnowledgeBase")
}

// AddDataSource adds a data source to a knowledge base. Not yet.
func (c *Client) AddDataSource(ctx context.Context, knowledgeBaseUUID string, spec DataSourceSpec) (*KnowledgeBaseDataSource, error) {
	return nil, notYet("AddDataSource")
}

// WaitForKnowledgeBase reads the knowledge base until its database is
// ONLINE. Not yet.
func (c *Client) WaitForKnowledgeBase(ctx context.Context, knowledgeBaseUUID string, opts ...WaitOption) (*KnowledgeBase, error) {
	return nil, notYet("WaitForKnowledgeBase")
}
