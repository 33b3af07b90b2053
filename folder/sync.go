package folder

import (
	"context"
	"crypto/md5"
	"fmt"
	"hash"
	"io"
	"slices"
	"strings"
	"sync"

	"github.com/gradient-go/indexingjobs"
)

// SyncOptions says which knowledge base Sync keeps current, where the
// folder goes in Spaces, and how.
type SyncOptions struct {
	KnowledgeBaseUUID string
	Spaces            SpacesConfig
	// Delete removes the objects under the prefix whose files are gone
	// from the folder (or are no longer indexed: under a dot-directory, a
	// link out of it).
	Delete bool
	// Force starts an indexing job even when nothing changed.
	Force bool
	RunOptions
}

// Sync keeps the knowledge base current from dir through Spaces:
//
//  1. It lists the objects under the prefix (a request a page of 1,000),
//     and hashes with MD5 the files of dir (Walk) whose object has their
//     size.
//  2. It uploads the files whose object is missing or holds other content:
//     content, not time, decides. Every object is stored in one PUT, so
//     its listed ETag is the MD5 of its content, and an unchanged file
//     costs no request beyond the listing. A file that was hashed is sent
//     with its Content-MD5, which the store checks.
//  3. With Delete, it removes the objects whose files are gone (up to
//     1,000 a request).
//  4. It makes sure the knowledge base has a Spaces data source on the
//     bucket and prefix, adding one if it has none.
//  5. It starts an indexing job on that data source alone, only when
//     something changed: a file uploaded or deleted, the data source
//     added, or an object stored after the data source's last job began,
//     or fewer objects than that job counted (a run stopped before its
//     job started); or with Force. A job on the
//     data source that has not ended (pending or running, as a run
//     without Wait leaves it) is not started again: the Summary holds it,
//     with JobUnderWay. With Wait it follows the job; one that ends other
//     than succeeded is an error that wraps ErrJobNotSucceeded.
//
// A run with nothing to do makes one API request (the list of data
// sources) and the listing's, uploads nothing, starts nothing, and
// returns a Summary with UpToDate set; when the data source's last job
// has not ended, or began before an object was stored, it asks for the
// knowledge base's jobs too (a second request).
//
// When ctx ends the uploads under way stop at once: a PUT cut short stores
// nothing, so each object is whole, old or new. The Summary says what was
// done; the same call again sends only what is still missing, and starts
// the job.
func Sync(ctx context.Context, api API, dir string, opts SyncOptions) (*Summary, error) {
	if err := indexingjobs.ValidateUUID(opts.KnowledgeBaseUUID); err != nil {
		return nil, fmt.Errorf("knowledge base: %w", err)
	}
	store, err := newSpaces(opts.Spaces)
	if err != nil {
		return nil, err
	}
	t, err := openTree(dir)
	if err != nil {
		return nil, err
	}
	defer t.close()
	sum := &Summary{KnowledgeBaseUUID: opts.KnowledgeBaseUUID, Files: len(t.files), Skipped: t.skipped}
	progress := progressOf(opts.Progress)
	parallel := opts.parallel()
	where := fmt.Sprintf("%s/%s", store.cfg.Bucket, store.listPrefix())

	progress.Step(fmt.Sprintf("Comparing %d %s with Spaces %s", len(t.files), plural(len(t.files), "file"), where))
	remote, err := store.list(ctx)
	if err != nil {
		return sum, err
	}
	send, err := t.changed(ctx, parallel, remote)
	if err != nil {
		return sum, err
	}
	sum.Unchanged = len(t.files) - len(send)

	if len(send) > 0 {
		if err := t.uploadChanged(ctx, store, parallel, send, progress, sum); err != nil {
			return sum, stopped(ctx, err, &Summary{Uploaded: sum.Uploaded, Files: len(send), Bytes: sum.Bytes}, "no indexing job was started")
		}
	}
	if opts.Delete {
		if err := deleteGone(ctx, store, t, remote, progress, sum); err != nil {
			return sum, err
		}
	}

	ds, err := ensureDataSource(ctx, api, opts.KnowledgeBaseUUID, store.cfg, progress, sum)
	if err != nil {
		return sum, err
	}
	if !opts.Force && sum.Uploaded == 0 && sum.Deleted == 0 && !sum.DataSourceAdded {
		if indexedSince(ds, remote) {
			sum.UpToDate = true
			return sum, nil
		}
		// Its last job has not ended, or began before some object was
		// stored: a job still under way is not started again.
		job, err := underWay(ctx, api, opts.KnowledgeBaseUUID, ds.UUID)
		if err != nil {
			return sum, err
		}
		if job != nil {
			sum.UpToDate, sum.Job, sum.JobUnderWay = true, job, true
			progress.Step(fmt.Sprintf("Indexing job %s is under way (%s)", job.UUID, job.Phase.Short()))
			if !opts.Wait {
				return sum, nil
			}
			return sum, follow(ctx, api, job, opts.WaitOptions, opts.JobProgress, sum)
		}
	}
	job, err := api.StartIndexingJob(ctx, opts.KnowledgeBaseUUID, ds.UUID)
	if err != nil {
		return sum, err
	}
	sum.Job = job
	progress.Step("Started indexing job " + job.UUID)
	if !opts.Wait {
		return sum, nil
	}
	return sum, follow(ctx, api, job, opts.WaitOptions, opts.JobProgress, sum)
}

// hashed is a file to send, with the MD5 of its content if it was hashed.
type hashed struct {
	File
	md5 []byte
}

// changed returns the files whose object is missing or holds other
// content, by name, hashing (parallel at once) those whose object has
// their size.
func (t *tree) changed(ctx context.Context, parallel int, remote map[string]object) ([]hashed, error) {
	var mu sync.Mutex
	var send []hashed
	err := work(ctx, parallel, each(t.files), func(ctx context.Context, f File) error {
		if f.Size > MaxObjectSize {
			return &FileError{Op: "upload", Name: f.Name, Err: fmt.Errorf("%s is more than one PUT can carry (%s)", Size(f.Size), Size(MaxObjectSize))}
		}
		// Only a file whose object has its size can hold the same
		// content: only such a file is hashed. Others are sent as they
		// are, read once.
		var sum []byte
		if o, ok := remote[f.Name]; ok && o.size == f.Size && isMD5(o.etag) {
			var err error
			if sum, err = t.digest(ctx, f, md5.New()); err != nil {
				return err
			}
			if sameContent(o, f.Size, sum) {
				return nil
			}
		}
		mu.Lock()
		send = append(send, hashed{f, sum})
		mu.Unlock()
		return nil
	})
	slices.SortFunc(send, func(a, b hashed) int { return strings.Compare(a.Name, b.Name) })
	return send, err
}

// digest is the sum of f's content by h. It stops when ctx ends.
func (t *tree) digest(ctx context.Context, f File, h hash.Hash) ([]byte, error) {
	r, _, err := t.open(f)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	if _, err := io.Copy(h, &ctxReader{ctx, r}); err != nil {
		return nil, &FileError{Op: "read", Name: f.Name, Err: unwrapPath(err)}
	}
	return h.Sum(nil), nil
}

// ctxReader stops reading when ctx ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, context.Cause(c.ctx)
	}
	return c.r.Read(p)
}

// uploadChanged puts the files of send, parallel at once.
func (t *tree) uploadChanged(ctx context.Context, store *spaces, parallel int, send []hashed, progress Progress, sum *Summary) error {
	var total int64
	for _, f := range send {
		total += f.Size
	}
	progress.Step(fmt.Sprintf("Uploading %d new or changed %s, %s", len(send), plural(len(send), "file"), Size(total)))
	progress.Start(len(send), total)
	defer progress.Stop()
	var mu sync.Mutex
	return work(ctx, parallel, each(send), func(ctx context.Context, f hashed) error {
		err := t.put(ctx, store, f, progress)
		if err != nil && ctx.Err() != nil {
			return err // cancelled, not failed: the progress is not told of it
		}
		progress.FileDone(f.Name, err)
		if err != nil {
			return err
		}
		mu.Lock()
		sum.Uploaded++
		sum.Bytes += f.Size
		mu.Unlock()
		return nil
	})
}

// put uploads one file, streamed from disk.
func (t *tree) put(ctx context.Context, store *spaces, f hashed, progress Progress) error {
	h, was, err := t.open(f.File)
	if err != nil {
		return err
	}
	defer h.Close()
	body := io.NewSectionReader(&countingReader{r: h, p: progress}, 0, f.Size)
	if err := store.put(ctx, f.Name, body, f.Size, f.md5); err != nil {
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		return &FileError{Op: "upload", Name: f.Name, Err: err}
	}
	// Sent without a Content-MD5, a file that changed meanwhile may be
	// stored half old, half new: say so; the next run sends it again,
	// since its content differs.
	return unchanged(h, was, f.Name)
}

// deleteGone removes the objects whose files are not in t.
func deleteGone(ctx context.Context, store *spaces, t *tree, remote map[string]object, progress Progress, sum *Summary) error {
	local := make(map[string]bool, len(t.files))
	for _, f := range t.files {
		local[f.Name] = true
	}
	var gone []string
	for name := range remote {
		if !local[name] {
			gone = append(gone, name)
		}
	}
	if len(gone) == 0 {
		return nil
	}
	slices.Sort(gone)
	progress.Step(fmt.Sprintf("Deleting %d %s whose files are gone", len(gone), plural(len(gone), "object")))
	return store.remove(ctx, gone, func(string) { sum.Deleted++ })
}

// ensureDataSource finds the knowledge base's Spaces data source on the
// bucket and prefix, or adds it.
func ensureDataSource(ctx context.Context, api API, kb string, cfg SpacesConfig, progress Progress, sum *Summary) (*indexingjobs.KnowledgeBaseDataSource, error) {
	for ds, err := range api.ListKnowledgeBaseDataSources(ctx, kb) {
		if err != nil {
			return nil, err
		}
		sp := ds.SpacesDataSource
		if sp.BucketName == cfg.Bucket && strings.Trim(sp.ItemPath, "/") == cfg.Prefix {
			sum.DataSourceUUID = ds.UUID
			return ds, nil
		}
	}
	itemPath := cfg.Prefix
	if itemPath != "" {
		itemPath += "/"
	}
	progress.Step(fmt.Sprintf("Adding a Spaces data source on %s/%s to knowledge base %s", cfg.Bucket, itemPath, kb))
	ds, err := api.AddDataSource(ctx, kb, indexingjobs.DataSourceSpec{
		Spaces: &indexingjobs.SpacesSource{BucketName: cfg.Bucket, ItemPath: itemPath, Region: cfg.Region},
	})
	if err != nil {
		return nil, err
	}
	sum.DataSourceUUID, sum.DataSourceAdded = ds.UUID, true
	return ds, nil
}

// underWay is the knowledge base's newest job that indexes the data source
// and has not ended, or nil when there is none: one request.
func underWay(ctx context.Context, api API, kb, ds string) (*indexingjobs.IndexingJob, error) {
	jobs, err := api.ListKnowledgeBaseIndexingJobs(ctx, kb)
	if err != nil {
		return nil, err
	}
	var newest *indexingjobs.IndexingJob
	for i := range jobs {
		job := &jobs[i]
		covers := len(job.DataSourceUUIDs) == 0 || slices.ContainsFunc(job.DataSourceUUIDs, func(id string) bool { return strings.EqualFold(id, ds) })
		if covers && !job.Phase.Terminal() && (newest == nil || job.CreatedAt.After(newest.CreatedAt)) {
			newest = job
		}
	}
	return newest, nil
}

// indexedSince reports whether the data source's last job began after
// every object listed was stored, and found no more objects than are
// there now: a run that uploaded, or deleted, and then stopped before its
// job started leaves objects newer than the last job, or fewer objects
// than it counted, and the next run starts one though it sends nothing.
// A data source never indexed has not indexed its objects, if there are
// any.
func indexedSince(ds *indexingjobs.KnowledgeBaseDataSource, remote map[string]object) bool {
	last := ds.LastDatasourceIndexingJob.StartedAt
	if uint64(ds.LastDatasourceIndexingJob.TotalFileCount) > uint64(len(remote)) {
		return false // objects were deleted since it counted them
	}
	for _, o := range remote {
		if last.IsZero() || o.modified.After(last) {
			return false
		}
	}
	return true
}
