package folder

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gradient-go/indexingjobs"
)

// DefaultBatchSize is how many files one request for presigned URLs asks
// for, unless CreateOptions.BatchSize says otherwise. At 100, a request
// body stays under 64 KiB (about 100 to 600 bytes a file, by the length of
// its name), the answer under half a MiB of URLs, and the budget of 5,000
// requests an hour allows about 500,000 files; the URLs are asked for a
// batch ahead of the uploads, so that none waits long enough to expire.
const DefaultBatchSize = 100

// urlMargin: a presigned URL that expires within this is asked for again
// before its upload starts.
const urlMargin = time.Minute

// CreateOptions says what knowledge base Create makes, and how.
type CreateOptions struct {
	// The knowledge base: Name, Region ("tor1"), EmbeddingModelUUID and
	// ProjectID are required; the others are passed on as they are.
	Name, Region, EmbeddingModelUUID, ProjectID string
	DatabaseID, VPCUUID                         string
	Tags                                        []string

	// BatchSize is how many files one request for presigned URLs asks
	// for; ≤ 0 means DefaultBatchSize (100).
	BatchSize int
	// Wait, here, follows the knowledge base's database until it is
	// ONLINE, then its first indexing job to its end.
	RunOptions
}

// RunOptions are the options Create and Sync share.
type RunOptions struct {
	// Parallel is how many files are uploaded (Sync: and hashed) at once;
	// ≤ 0 means DefaultParallel (4).
	Parallel int
	// Wait follows the indexing job to its end, with WaitOptions;
	// JobProgress, if set, sees the job as it changes.
	Wait        bool
	WaitOptions []indexingjobs.WaitOption
	JobProgress func(*indexingjobs.IndexingJob)
	// Progress is told how the uploads go; nil for nothing.
	Progress Progress
}

// parallel is Parallel, or its default.
func (r *RunOptions) parallel() int {
	if r.Parallel <= 0 {
		return DefaultParallel
	}
	return r.Parallel
}

// Create makes a knowledge base of the files of dir (Walk): it asks for
// presigned URLs BatchSize files at a time, uploads the files through
// them, Parallel at once, each streamed from disk through
// UploadFile, then creates the knowledge base with a file data source for
// each. So N files cost ceil(N/BatchSize) requests for URLs (and one more
// for any URL that expired before its turn), N uploads and one create.
// With Wait it then follows the database and the first indexing job; a
// job that ends other than succeeded is an error that wraps
// ErrJobNotSucceeded.
//
// The Summary says what was done, also with an error. When ctx ends, or a
// file fails, the uploads under way stop at once, and no knowledge base
// is created; the files already uploaded are not used, and a new run
// uploads them again.
func Create(ctx context.Context, api API, dir string, opts CreateOptions) (*Summary, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	t, err := openTree(dir)
	if err != nil {
		return nil, err
	}
	defer t.close()
	sum := &Summary{Files: len(t.files), Skipped: t.skipped}
	if len(t.files) == 0 {
		return sum, fmt.Errorf("%w under %s", ErrNoFiles, dir)
	}
	progress := progressOf(opts.Progress)
	var total int64
	for _, f := range t.files {
		total += f.Size
	}

	progress.Step(fmt.Sprintf("Uploading %d %s, %s", len(t.files), plural(len(t.files), "file"), Size(total)))
	uploaded, err := t.uploadAll(ctx, api, opts, progress, sum)
	if err != nil {
		return sum, stopped(ctx, err, sum, "no knowledge base was created")
	}

	progress.Step(fmt.Sprintf("Creating knowledge base %q with %d file data %s", opts.Name, len(uploaded), plural(len(uploaded), "source")))
	spec := indexingjobs.KnowledgeBaseSpec{
		Name: opts.Name, Region: opts.Region, EmbeddingModelUUID: opts.EmbeddingModelUUID, ProjectID: opts.ProjectID,
		DatabaseID: opts.DatabaseID, VPCUUID: opts.VPCUUID, Tags: opts.Tags,
		DataSources: make([]indexingjobs.DataSourceSpec, len(uploaded)),
	}
	for i := range uploaded {
		spec.DataSources[i] = indexingjobs.DataSourceSpec{File: &uploaded[i]}
	}
	kb, err := api.CreateKnowledgeBase(ctx, spec)
	if err != nil {
		return sum, err
	}
	sum.KnowledgeBaseUUID = kb.UUID
	if !opts.Wait {
		return sum, nil
	}

	progress.Step("Waiting for the knowledge base's database to be ONLINE")
	if kb, err = api.WaitForKnowledgeBase(ctx, kb.UUID, opts.WaitOptions...); err != nil {
		return sum, err
	}
	job, err := firstJob(ctx, api, kb)
	if err != nil {
		return sum, err
	}
	sum.Job = job
	progress.Step("Following indexing job " + job.UUID)
	return sum, follow(ctx, api, job, opts.WaitOptions, opts.JobProgress, sum)
}

func (o *CreateOptions) check() error {
	switch {
	case o.Name == "":
		return errors.New("the knowledge base needs a name")
	case o.Region == "":
		return errors.New("the knowledge base needs a region")
	}
	if err := indexingjobs.ValidateUUID(o.EmbeddingModelUUID); err != nil {
		return fmt.Errorf("embedding model: %w", err)
	}
	if err := indexingjobs.ValidateUUID(o.ProjectID); err != nil {
		return fmt.Errorf("project: %w", err)
	}
	return nil
}

// upload is a file with the URL it is to be PUT to.
type upload struct {
	i   int // in t.files
	url indexingjobs.FileUploadURL
}

// uploadAll uploads every file of t through presigned URLs asked for a
// batch at a time, and returns them in t.files' order.
func (t *tree) uploadAll(ctx context.Context, api API, opts CreateOptions, progress Progress, sum *Summary) ([]indexingjobs.UploadedFile, error) {
	batch := opts.BatchSize
	if batch <= 0 {
		batch = DefaultBatchSize
	}
	var total int64
	for _, f := range t.files {
		total += f.Size
	}
	progress.Start(len(t.files), total)
	defer progress.Stop()

	out := make([]indexingjobs.UploadedFile, len(t.files))
	var mu sync.Mutex // sum's counts
	var bytes atomic.Int64
	presign := func(ctx context.Context, send func(upload) bool) error {
		for start := 0; start < len(t.files); start += batch {
			files := t.files[start:min(start+batch, len(t.files))]
			urls, err := presigned(ctx, api, files)
			if err != nil {
				return err
			}
			for j, u := range urls {
				if !send(upload{i: start + j, url: u}) {
					return nil
				}
			}
		}
		return nil
	}
	err := work(ctx, opts.parallel(), presign, func(ctx context.Context, u upload) error {
		f := t.files[u.i]
		if !u.url.ExpiresAt.IsZero() && time.Until(u.url.ExpiresAt) < urlMargin {
			urls, err := presigned(ctx, api, []File{f})
			if err != nil {
				return err
			}
			u.url = urls[0]
		}
		up, err := t.uploadFile(ctx, api, f, u.url, progress)
		progress.FileDone(f.Name, err)
		if err != nil {
			return err
		}
		out[u.i] = *up
		bytes.Add(f.Size)
		mu.Lock()
		sum.Uploaded++
		sum.Bytes = bytes.Load()
		mu.Unlock()
		return nil
	})
	return out, err
}

// presigned asks for a presigned URL for each of files, and checks that
// the answer has one for each.
func presigned(ctx context.Context, api API, files []File) ([]indexingjobs.FileUploadURL, error) {
	ask := make([]indexingjobs.FileToUpload, len(files))
	for i, f := range files {
		ask[i] = indexingjobs.FileToUpload{Name: f.Name, Size: f.Size}
	}
	urls, err := api.FileUploadURLs(ctx, ask)
	if err != nil {
		return nil, fmt.Errorf("asking for upload URLs for %q and %d more: %w", files[0].Name, len(files)-1, err)
	}
	if len(urls) != len(files) {
		return nil, fmt.Errorf("asked for %d upload URLs, the API gave %d", len(files), len(urls))
	}
	return urls, nil
}

// uploadFile PUTs f to url, streamed from disk: UploadFile reads it
// through an io.ReaderAt, from its start again on a retry.
func (t *tree) uploadFile(ctx context.Context, api API, f File, url indexingjobs.FileUploadURL, progress Progress) (*indexingjobs.UploadedFile, error) {
	h, was, err := t.open(f)
	if err != nil {
		return nil, err
	}
	defer h.Close()
	up, err := api.UploadFile(ctx, url, &countingReader{r: h, p: progress}, f.Size)
	if err != nil {
		return nil, &FileError{Op: "upload", Name: f.Name, Err: err}
	}
	if err := unchanged(h, was, f.Name); err != nil {
		return nil, err
	}
	if up.SizeInBytes != 0 && int64(up.SizeInBytes) != f.Size {
		return nil, &FileError{Op: "upload", Name: f.Name, Err: fmt.Errorf("stored %d bytes of %d", up.SizeInBytes, f.Size)}
	}
	return up, nil
}

// firstJob is the indexing job a new knowledge base started on its own, or,
// if it started none once its database was ONLINE, one started now.
func firstJob(ctx context.Context, api API, kb *indexingjobs.KnowledgeBase) (*indexingjobs.IndexingJob, error) {
	if kb.LastIndexingJob.UUID != "" {
		job := kb.LastIndexingJob
		return &job, nil
	}
	jobs, err := api.ListKnowledgeBaseIndexingJobs(ctx, kb.UUID)
	if err != nil {
		return nil, err
	}
	if len(jobs) > 0 {
		return &jobs[0], nil
	}
	return api.StartIndexingJob(ctx, kb.UUID)
}

// follow waits for job to end, keeping it in sum, and fails unless it
// succeeded.
func follow(ctx context.Context, api API, job *indexingjobs.IndexingJob, opts []indexingjobs.WaitOption, seen func(*indexingjobs.IndexingJob), sum *Summary) error {
	if seen != nil {
		opts = append(opts[:len(opts):len(opts)], indexingjobs.WithProgress(seen))
	}
	ended, err := api.WaitForIndexingJob(ctx, job.UUID, opts...)
	if err != nil {
		return err
	}
	sum.Job = ended
	if ended.Phase != indexingjobs.PhaseSucceeded {
		return fmt.Errorf("%w: job %s ended %s", ErrJobNotSucceeded, ended.UUID, ended.Phase)
	}
	return nil
}

// stopped is the error of work that ended early: what ended it, and, when
// ctx ended, what was done and what was not.
func stopped(ctx context.Context, err error, sum *Summary, notDone string) error {
	if ctx.Err() == nil {
		return err
	}
	return fmt.Errorf("stopped after uploading %d of %d %s (%s); %s: %w",
		sum.Uploaded, sum.Files, plural(sum.Files, "file"), Size(sum.Bytes), notDone, context.Cause(ctx))
}

func plural(n int, one string) string {
	if n == 1 {
		return one
	}
	return one + "s"
}
