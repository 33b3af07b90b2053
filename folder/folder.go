// Package folder indexes a folder of files: it makes a new knowledge base
// from the folder's files (Create), or keeps a knowledge base current from
// it through a Spaces bucket (Sync). The command-line tool's
// `indexingjobs index DIR` is these two functions.
//
// Create uploads each file through a presigned URL, several at once, each
// streamed from disk, and creates the knowledge base with a file data
// source for each: fit for a folder that is indexed once, or rarely, and
// has up to a few thousand files. Sync copies the folder to a prefix of a
// Spaces bucket, sending only the files whose content changed, makes sure
// the knowledge base has a Spaces data source on that prefix, and starts
// an indexing job only when something changed: fit for a folder that
// changes and is indexed again and again, whatever its size.
//
// What is indexed: every regular file under the folder (Walk), except what
// lies under a directory whose name starts with a dot (.git, .cache). A
// symbolic link is followed only while it stays inside the folder: a link
// to a file inside is indexed under the link's name, a link to a directory
// is not descended (a folder with a loop of links is still walked once),
// and a link that leads out of the folder, or to nothing, is skipped and
// reported. Files are opened through an os.Root of the folder, so a link
// changed while the work runs cannot lead out of it either.
//
// Both stop at once when their context ends, leaving no partial object
// visible (an upload is one PUT, which the store keeps whole or not at
// all), and return a Summary of what was done with the error; a file cut
// short by the end is not reported to Progress as failed. Errors about a
// file name it (*FileError). Either, run again, sends only what is
// missing: Sync compares the folder with what is in the bucket, by
// content; Create, given a JournalDir, keeps a journal of the files it
// uploaded (each file's name, size, SHA-256 and object key, written and
// synced as each upload is answered), and the next run with the same
// folder, name and region reuses those still the same. Create refuses a
// name that a knowledge base of the region already has.
//
// The package depends on the root package through API, which
// *indexingjobs.Client satisfies; a program that imports only the root
// package compiles none of this package's dependencies (the S3 client, the
// progress bars).
package folder

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"

	"github.com/gradient-go/indexingjobs"
)

// API is what this package asks of the indexing API: the methods of
// *indexingjobs.Client it calls. Tests may pass a fake of their own.
type API interface {
	FileUploadURLs(ctx context.Context, files []indexingjobs.FileToUpload) ([]indexingjobs.FileUploadURL, error)
	UploadFile(ctx context.Context, to indexingjobs.FileUploadURL, r io.ReaderAt, size int64) (*indexingjobs.UploadedFile, error)
	ListKnowledgeBases(ctx context.Context, opts ...indexingjobs.ListOption) iter.Seq2[*indexingjobs.KnowledgeBase, error]
	CreateKnowledgeBase(ctx context.Context, spec indexingjobs.KnowledgeBaseSpec) (*indexingjobs.KnowledgeBase, error)
	WaitForKnowledgeBase(ctx context.Context, knowledgeBaseUUID string, opts ...indexingjobs.WaitOption) (*indexingjobs.KnowledgeBase, error)
	ListKnowledgeBaseDataSources(ctx context.Context, knowledgeBaseUUID string, opts ...indexingjobs.ListOption) iter.Seq2[*indexingjobs.KnowledgeBaseDataSource, error]
	AddDataSource(ctx context.Context, knowledgeBaseUUID string, spec indexingjobs.DataSourceSpec) (*indexingjobs.KnowledgeBaseDataSource, error)
	ListKnowledgeBaseIndexingJobs(ctx context.Context, knowledgeBaseUUID string) ([]indexingjobs.IndexingJob, error)
	StartIndexingJob(ctx context.Context, knowledgeBaseUUID string, dataSourceUUIDs ...string) (*indexingjobs.IndexingJob, error)
	WaitForIndexingJob(ctx context.Context, uuid string, opts ...indexingjobs.WaitOption) (*indexingjobs.IndexingJob, error)
}

var _ API = (*indexingjobs.Client)(nil)

// DefaultParallel is how many files are uploaded (or hashed) at once
// unless the options say otherwise.
const DefaultParallel = 4

// MaxParallel is the most files uploaded (or hashed) at once, whatever the
// options say: past it uploads gain nothing, and each is a goroutine and
// a connection.
const MaxParallel = 64

// Summary is what Create or Sync did, also when it stopped early: the
// tool's -o json prints it.
type Summary struct {
	KnowledgeBaseUUID string `json:"knowledge_base_uuid,omitempty"`
	// DataSourceUUID is the Spaces data source Sync indexes;
	// DataSourceAdded says Sync added it.
	DataSourceUUID  string `json:"data_source_uuid,omitempty"`
	DataSourceAdded bool   `json:"data_source_added,omitempty"`
	// Files is how many regular files the folder has (Walk); for Create,
	// less the empty ones, which it skips.
	Files int `json:"files"`
	// Uploaded files, and their Bytes; Unchanged files (Sync: the same
	// content is in Spaces); Reused files (Create: an earlier run that was
	// interrupted uploaded them, as its journal says, and they have not
	// changed); Deleted objects (Sync with Delete).
	Uploaded  int   `json:"uploaded"`
	Unchanged int   `json:"unchanged"`
	Reused    int   `json:"reused,omitempty"`
	Deleted   int   `json:"deleted"`
	Bytes     int64 `json:"bytes"`
	// Skipped is what Walk left out, and why.
	Skipped []Skipped `json:"skipped,omitempty"`
	// UpToDate: Sync found nothing to upload, delete or index, and started
	// nothing.
	UpToDate bool `json:"up_to_date"`
	// Job is the indexing job started (Sync) or created with the knowledge
	// base (Create, with Wait), as last seen; or, with JobUnderWay, the
	// job Sync found still indexing the data source, which it did not
	// start again.
	Job         *indexingjobs.IndexingJob `json:"job,omitempty"`
	JobUnderWay bool                      `json:"job_under_way,omitempty"`
}

// FileError is an error about one file of the folder, or one object of the
// bucket: Op is what was being done ("upload", "read", "delete").
type FileError struct {
	Op   string
	Name string // slash-separated, under the folder (or the object's key)
	Err  error
}

func (e *FileError) Error() string { return fmt.Sprintf("%s %q: %v", e.Op, e.Name, e.Err) }
func (e *FileError) Unwrap() error { return e.Err }

// ErrJobNotSucceeded is wrapped by the error of Create or Sync when they
// followed the indexing job (Wait) and it ended other than succeeded.
var ErrJobNotSucceeded = errors.New("the indexing job did not succeed")

// KnowledgeBaseExistsError is Create's error when a knowledge base of the
// name it was to make is already in the region (and, when the listing
// says, the project): a second run after one that succeeded would make a
// second knowledge base of the same folder. UUID is the first found;
// Others counts any more.
type KnowledgeBaseExistsError struct {
	Name, Region, UUID string
	Others             int
}

func (e *KnowledgeBaseExistsError) Error() string {
	s := fmt.Sprintf("a knowledge base named %q is already in %s: %s", e.Name, e.Region, e.UUID)
	if e.Others > 0 {
		s += fmt.Sprintf(" (and %d more)", e.Others)
	}
	return s + "; keep it current from the folder through Spaces (Sync), or choose another name"
}

// ErrNoFiles is returned by Create for a folder with no file to index.
var ErrNoFiles = errors.New("no file to index")
