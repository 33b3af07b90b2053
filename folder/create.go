package folder

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
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
	// JournalDir is the directory Create keeps its journal of uploads in
	// (made if missing), so that a run interrupted or failed leaves what
	// it uploaded to the next; "" for none: every run uploads every file.
	// The tool uses indexingjobs/journal under os.UserCacheDir.
	JournalDir string
	// Wait, here, follows the knowledge base's database until it is
	// ONLINE, then its first indexing job to its end.
	RunOptions
}

// RunOptions are the options Create and Sync share.
type RunOptions struct {
	// Parallel is how many files are uploaded (Sync: and hashed) at once;
	// ≤ 0 means DefaultParallel (4), more than MaxParallel (64) means 64.
	Parallel int
	// Wait follows the indexing job to its end, with WaitOptions;
	// JobProgress, if set, sees the job as it changes.
	Wait        bool
	WaitOptions []indexingjobs.WaitOption
	JobProgress func(*indexingjobs.IndexingJob)
	// Progress is told how the uploads go; nil for nothing.
	Progress Progress
}

// parallel is Parallel, or its default, at most MaxParallel.
func (r *RunOptions) parallel() int {
	if r.Parallel <= 0 {
		return DefaultParallel
	}
	return min(r.Parallel, MaxParallel)
}

// Create makes a knowledge base of the files of dir (Walk; an empty file
// is skipped, as the API takes no upload of 0 bytes): it asks for
// presigned URLs BatchSize files at a time, uploads the files through
// them, Parallel at once, each streamed from disk through
// UploadFile, then creates the knowledge base with a file data source for
// each. So N files cost ceil(N/BatchSize) requests for URLs (and one more
// for any URL that expired before its turn), N uploads and one create,
// after one list of the knowledge bases (a request a page of 200): Create
// refuses a name that a knowledge base of the region and project already
// has (*KnowledgeBaseExistsError), as a second run after one that
// succeeded would otherwise make a second knowledge base of the folder.
// With Wait it then follows the database and the first indexing job; a
// job that ends other than succeeded is an error that wraps
// ErrJobNotSucceeded.
//
// The Summary says what was done, also with an error. When ctx ends, or a
// file fails, the uploads under way stop at once, and no knowledge base
// is created. With a JournalDir, each upload is recorded as it finishes,
// and the same call again (the same folder, name and region) uploads only
// the files that no earlier run uploaded, or that changed since (each file
// of the journal is hashed again); the Summary counts the others as
// Reused. The journal is removed once the knowledge base is created.
//
// How long the store keeps an uploaded object that no knowledge base
// names is not documented (a presigned URL's ExpiresAt bounds only when
// the upload may begin). If the create is refused (a 4xx) while it named
// objects of an earlier run, those are dropped from the journal, and the
// error says that the same call again uploads them anew.
func Create(ctx context.Context, api API, dir string, opts CreateOptions) (*Summary, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	t, err := openTree(dir)
	if err != nil {
		return nil, err
	}
	defer t.close()
	// An empty file has nothing to index, and the API takes no upload of
	// 0 bytes: it is skipped, rather than failing the whole run.
	t.files = slices.DeleteFunc(t.files, func(f File) bool {
		if f.Size == 0 {
			t.skipped = append(t.skipped, Skipped{Name: f.Name, Why: skipEmpty})
		}
		return f.Size == 0
	})
	sum := &Summary{Files: len(t.files), Skipped: t.skipped}
	if len(t.files) == 0 {
		return sum, fmt.Errorf("%w under %s", ErrNoFiles, dir)
	}
	// The journal is opened (and locked: a second run at once is
	// refused) before the name is looked for, so that a run that ends
	// between the two cannot make a knowledge base this run does not see.
	var j *journal
	header := journalHeader{Name: opts.Name, Region: opts.Region}
	if opts.JournalDir != "" {
		if header.Folder, err = filepath.Abs(dir); err != nil {
			return sum, err
		}
		if j, err = openJournal(opts.JournalDir, header); err != nil {
			return sum, err
		}
		defer func() { _ = j.close(false) }()
	}
	if err := refuseTaken(ctx, api, opts); err != nil {
		if j != nil && len(j.kept) == 0 {
			_ = j.close(true) // made by this run, and empty
		}
		return sum, err
	}
	progress := progressOf(opts.Progress)

	uploaded := make([]indexingjobs.UploadedFile, len(t.files))
	send, err := t.reuse(ctx, j, opts.parallel(), progress, uploaded, sum)
	if err != nil {
		return sum, stopped(ctx, err, sum, "no knowledge base was created")
	}
	var total int64
	for _, i := range send {
		total += t.files[i].Size
	}
	if len(send) > 0 {
		progress.Step(fmt.Sprintf("Uploading %d %s, %s", len(send), plural(len(send), "file"), Size(total)))
		if err := t.uploadAll(ctx, api, opts, send, uploaded, j, progress, sum); err != nil {
			return sum, stopped(ctx, err, sum, "no knowledge base was created")
		}
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
		if j != nil && sum.Reused > 0 && refused(err) {
			if derr := j.dropKept(header); derr != nil {
				return sum, fmt.Errorf("%w; %d %s came from the journal of an earlier run, whose objects may be gone, and it could not be rewritten (%v): remove %s, then run again to upload every file",
					err, sum.Reused, plural(sum.Reused, "file"), derr, j.path)
			}
			return sum, fmt.Errorf("%w; %d %s came from the journal of an earlier run, whose objects may be gone: they are dropped from it, and the same call again uploads them anew",
				err, sum.Reused, plural(sum.Reused, "file"))
		}
		return sum, err
	}
	sum.KnowledgeBaseUUID = kb.UUID
	if j != nil {
		if err := j.close(true); err != nil {
			return sum, fmt.Errorf("knowledge base %s created; removing its journal: %w", kb.UUID, err)
		}
	}
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

// refuseTaken lists the knowledge bases (one list, a page of 200 a
// request) and fails with *KnowledgeBaseExistsError if one in the region
// has the name; one whose listing names another project does not count.
func refuseTaken(ctx context.Context, api API, opts CreateOptions) error {
	var taken *KnowledgeBaseExistsError
	for kb, err := range api.ListKnowledgeBases(ctx) {
		if err != nil {
			return fmt.Errorf("looking for a knowledge base named %q: %w", opts.Name, err)
		}
		if kb.Name != opts.Name || !strings.EqualFold(kb.Region, opts.Region) ||
			(kb.ProjectID != "" && !strings.EqualFold(kb.ProjectID, opts.ProjectID)) {
			continue
		}
		if taken == nil {
			taken = &KnowledgeBaseExistsError{Name: opts.Name, Region: opts.Region, UUID: kb.UUID}
		} else {
			taken.Others++
		}
	}
	if taken != nil {
		return taken
	}
	return nil
}

// refused reports whether err is the API's refusal of the request itself
// (a 4xx other than for the token, the rate or a timeout), as when it
// names an object the store no longer has.
func refused(err error) bool {
	var apiErr *indexingjobs.APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	switch apiErr.StatusCode {
	case 401, 403, 408, 429:
		return false
	}
	return apiErr.StatusCode >= 400 && apiErr.StatusCode < 500
}

// reuse fills uploaded with the files of the journal j that an earlier run
// uploaded and that are still the same (their size, then their SHA-256,
// hashed parallel at once), counts them in sum.Reused, and returns the
// indexes in t.files of the others, to send.
func (t *tree) reuse(ctx context.Context, j *journal, parallel int, progress Progress, uploaded []indexingjobs.UploadedFile, sum *Summary) ([]int, error) {
	var check, send []int
	for i, f := range t.files {
		if e, ok := j.entry(f.Name); ok && e.Size == f.Size {
			check = append(check, i)
		} else {
			send = append(send, i)
		}
	}
	if len(check) == 0 {
		return send, nil
	}
	progress.Step(fmt.Sprintf("Checking %d %s an earlier run uploaded (journal)", len(check), plural(len(check), "file")))
	var mu sync.Mutex
	err := work(ctx, parallel, each(check), func(ctx context.Context, i int) error {
		f := t.files[i]
		e, _ := j.entry(f.Name)
		got, err := t.sha256(ctx, f)
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		if got != e.SHA256 {
			send = append(send, i)
			return nil
		}
		uploaded[i] = indexingjobs.UploadedFile{OriginalFileName: f.Name, SizeInBytes: indexingjobs.Uint64(f.Size), StoredObjectKey: e.ObjectKey}
		sum.Reused++
		return nil
	})
	slices.Sort(send)
	return send, err
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

// uploadAll uploads the files of t whose indexes are send, through
// presigned URLs asked for a batch at a time, into their places in
// uploaded, recording each in the journal j, if any, as it finishes.
func (t *tree) uploadAll(ctx context.Context, api API, opts CreateOptions, send []int, uploaded []indexingjobs.UploadedFile, j *journal, progress Progress, sum *Summary) error {
	batch := opts.BatchSize
	if batch <= 0 {
		batch = DefaultBatchSize
	}
	var total int64
	for _, i := range send {
		total += t.files[i].Size
	}
	progress.Start(len(send), total)
	defer progress.Stop()

	var mu sync.Mutex // sum's counts
	presign := func(ctx context.Context, put func(upload) bool) error {
		for start := 0; start < len(send); start += batch {
			these := send[start:min(start+batch, len(send))]
			files := make([]File, len(these))
			for k, i := range these {
				files[k] = t.files[i]
			}
			urls, err := presigned(ctx, api, files)
			if err != nil {
				return err
			}
			for k, u := range urls {
				if !put(upload{i: these[k], url: u}) {
					return nil
				}
			}
		}
		return nil
	}
	return work(ctx, opts.parallel(), presign, func(ctx context.Context, u upload) error {
		f := t.files[u.i]
		if !u.url.ExpiresAt.IsZero() && time.Until(u.url.ExpiresAt) < urlMargin {
			urls, err := presigned(ctx, api, []File{f})
			if err != nil {
				return err
			}
			u.url = urls[0]
		}
		up, sha, err := t.uploadFile(ctx, api, f, u.url, j != nil, progress)
		if err == nil && j != nil {
			err = j.add(journalEntry{Name: f.Name, Size: f.Size, SHA256: sha, ObjectKey: up.StoredObjectKey, UploadedAt: time.Now().UTC()})
		}
		if err != nil && ctx.Err() != nil {
			return err // cancelled, not failed: the progress is not told of it
		}
		progress.FileDone(f.Name, err)
		if err != nil {
			return err
		}
		uploaded[u.i] = *up
		mu.Lock()
		sum.Uploaded++
		sum.Bytes += f.Size
		mu.Unlock()
		return nil
	})
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
// through an io.ReaderAt, from its start again on a retry. With hash, it
// returns the SHA-256 of what was sent too, in hex, hashed as it was read
// (or, if it was not read in order, read again).
func (t *tree) uploadFile(ctx context.Context, api API, f File, url indexingjobs.FileUploadURL, hash bool, progress Progress) (*indexingjobs.UploadedFile, string, error) {
	h, was, err := t.open(f)
	if err != nil {
		return nil, "", err
	}
	defer h.Close()
	r := &countingReader{r: h, p: progress}
	if hash {
		r.hash = sha256.New()
	}
	up, err := api.UploadFile(ctx, url, r, f.Size)
	if err != nil {
		return nil, "", &FileError{Op: "upload", Name: f.Name, Err: err}
	}
	if err := unchanged(h, was, f.Name); err != nil {
		return nil, "", err
	}
	if up.SizeInBytes != 0 && int64(up.SizeInBytes) != f.Size {
		return nil, "", &FileError{Op: "upload", Name: f.Name, Err: fmt.Errorf("stored %d bytes of %d", up.SizeInBytes, f.Size)}
	}
	if !hash {
		return up, "", nil
	}
	if sum, ok := r.hashed(f.Size); ok {
		return up, hex.EncodeToString(sum), nil
	}
	sum, err := t.sha256(ctx, f)
	return up, sum, err
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
	if sum.Reused > 0 {
		return fmt.Errorf("stopped with %d of %d %s uploaded (%d now, %s; %d by an earlier run); %s: %w",
			sum.Uploaded+sum.Reused, sum.Files, plural(sum.Files, "file"), sum.Uploaded, Size(sum.Bytes), sum.Reused, notDone, context.Cause(ctx))
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
