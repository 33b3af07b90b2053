package folder_test

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/folder"
)

// fakeAPI is a hand fake of folder.API: presigned URLs point at storage,
// a loopback server that keeps the MD5 of what is PUT to each key;
// UploadFile PUTs with net/http, streamed; the rest is kept in memory.
// Methods a test leaves alone answer as the real API would on success.
type fakeAPI struct {
	t       testing.TB
	storage *httptest.Server

	mu         sync.Mutex
	calls      map[string]int
	stored     map[string]string // object key → hex MD5 of what was PUT
	created    *indexingjobs.KnowledgeBaseSpec
	sources    []indexingjobs.KnowledgeBaseDataSource
	jobs       []indexingjobs.IndexingJob
	expires    time.Duration // of the URLs; 0: an hour
	jobOutcome indexingjobs.Phase
	// failUpload, if set, fails UploadFile for that file name.
	failUpload string
	// putHook, if set, runs in the storage's handler before the body is
	// read.
	putHook func(key string)
}

func newFakeAPI(t testing.TB) *fakeAPI {
	f := &fakeAPI{t: t, calls: map[string]int{}, stored: map[string]string{}, jobOutcome: indexingjobs.PhaseSucceeded}
	f.storage = httptest.NewServer(storageHandler(f))
	t.Cleanup(f.storage.Close)
	return f
}

// newDiscardAPI is a fakeAPI whose storage is shared and keeps nothing:
// for benchmarks, whose uploads are not checked.
func newDiscardAPI(t testing.TB, storage *httptest.Server) *fakeAPI {
	return &fakeAPI{t: t, calls: map[string]int{}, stored: map[string]string{}, jobOutcome: indexingjobs.PhaseSucceeded, storage: storage}
}

// discardStorage answers every PUT 200 once it has read the body.
func discardStorage() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n, err := io.Copy(io.Discard, r.Body); err != nil || n != r.ContentLength {
			w.WriteHeader(http.StatusBadRequest)
		}
	}))
}

func storageHandler(f *fakeAPI) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := strings.TrimPrefix(r.URL.Path, "/")
		if f.putHook != nil {
			f.putHook(key)
		}
		h := md5.New()
		n, err := io.Copy(h, r.Body)
		if err != nil || n != r.ContentLength {
			return // cut short: nothing is stored
		}
		f.mu.Lock()
		f.stored[key] = hex.EncodeToString(h.Sum(nil))
		f.mu.Unlock()
	})
}

func (f *fakeAPI) called(name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[name]++
}

func (f *fakeAPI) count(name string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[name]
}

func (f *fakeAPI) FileUploadURLs(_ context.Context, files []indexingjobs.FileToUpload) ([]indexingjobs.FileUploadURL, error) {
	f.called("FileUploadURLs")
	expires := f.expires
	if expires == 0 {
		expires = time.Hour
	}
	var out []indexingjobs.FileUploadURL
	for _, file := range files {
		key := fmt.Sprintf("uploads/%d/%s", f.count("FileUploadURLs"), file.Name)
		out = append(out, indexingjobs.FileUploadURL{PresignedURL: f.storage.URL + "/" + key + "?X-Amz-Signature=secret",
			ObjectKey: key, OriginalFileName: file.Name, ExpiresAt: time.Now().Add(expires)})
	}
	return out, nil
}

func (f *fakeAPI) UploadFile(ctx context.Context, to indexingjobs.FileUploadURL, r io.ReaderAt, size int64) (*indexingjobs.UploadedFile, error) {
	f.called("UploadFile")
	if to.OriginalFileName == f.failUpload {
		return nil, fmt.Errorf("PUT %s: 403 Forbidden", strings.Split(to.PresignedURL, "?")[0])
	}
	if err := putPlain(ctx, http.DefaultClient, to.PresignedURL, r, size); err != nil {
		return nil, err
	}
	return &indexingjobs.UploadedFile{OriginalFileName: to.OriginalFileName, StoredObjectKey: to.ObjectKey, SizeInBytes: indexingjobs.Uint64(size)}, nil
}

// putPlain is the floor of an upload: one PUT of size bytes of r, copied
// by net/http.
func putPlain(ctx context.Context, hc *http.Client, url string, r io.ReaderAt, size int64) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, url, io.NewSectionReader(r, 0, size))
	if err != nil {
		return err
	}
	req.ContentLength = size
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("PUT: %s", resp.Status)
	}
	return nil
}

const fakeKB = "6f1c6c6e-1a7e-4b3c-9a52-2f4c1d0e9b11"

func (f *fakeAPI) ListKnowledgeBases(context.Context, ...indexingjobs.ListOption) iter.Seq2[*indexingjobs.KnowledgeBase, error] {
	f.called("ListKnowledgeBases")
	return func(yield func(*indexingjobs.KnowledgeBase, error) bool) {
		f.mu.Lock()
		created := f.created
		f.mu.Unlock()
		if created != nil {
			kb := &indexingjobs.KnowledgeBase{}
			kb.UUID, kb.Name, kb.Region, kb.ProjectID = fakeKB, created.Name, created.Region, created.ProjectID
			yield(kb, nil)
		}
	}
}

func (f *fakeAPI) CreateKnowledgeBase(_ context.Context, spec indexingjobs.KnowledgeBaseSpec) (*indexingjobs.KnowledgeBase, error) {
	f.called("CreateKnowledgeBase")
	f.mu.Lock()
	defer f.mu.Unlock()
	f.created = &spec
	kb := &indexingjobs.KnowledgeBase{}
	kb.UUID, kb.Name = fakeKB, spec.Name
	return kb, nil
}

func (f *fakeAPI) WaitForKnowledgeBase(_ context.Context, id string, _ ...indexingjobs.WaitOption) (*indexingjobs.KnowledgeBase, error) {
	f.called("WaitForKnowledgeBase")
	kb := &indexingjobs.KnowledgeBase{DatabaseStatus: indexingjobs.DatabaseOnline}
	kb.UUID = id
	kb.LastIndexingJob = indexingjobs.IndexingJob{UUID: "0e9b1f2a-3c4d-4e5f-8a6b-7c8d9e0f1a2b", KnowledgeBaseUUID: id, Phase: indexingjobs.PhasePending}
	return kb, nil
}

func (f *fakeAPI) ListKnowledgeBaseDataSources(context.Context, string, ...indexingjobs.ListOption) iter.Seq2[*indexingjobs.KnowledgeBaseDataSource, error] {
	f.called("ListKnowledgeBaseDataSources")
	return func(yield func(*indexingjobs.KnowledgeBaseDataSource, error) bool) {
		f.mu.Lock()
		sources := append([]indexingjobs.KnowledgeBaseDataSource(nil), f.sources...)
		f.mu.Unlock()
		for i := range sources {
			if !yield(&sources[i], nil) {
				return
			}
		}
	}
}

func (f *fakeAPI) AddDataSource(_ context.Context, _ string, spec indexingjobs.DataSourceSpec) (*indexingjobs.KnowledgeBaseDataSource, error) {
	f.called("AddDataSource")
	f.mu.Lock()
	defer f.mu.Unlock()
	ds := indexingjobs.KnowledgeBaseDataSource{UUID: fmt.Sprintf("3b2a1c0d-0000-4000-8000-%012d", len(f.sources)+1)}
	ds.SpacesDataSource.BucketName, ds.SpacesDataSource.ItemPath, ds.SpacesDataSource.Region = spec.Spaces.BucketName, spec.Spaces.ItemPath, spec.Spaces.Region
	f.sources = append(f.sources, ds)
	return &ds, nil
}

func (f *fakeAPI) ListKnowledgeBaseIndexingJobs(context.Context, string) ([]indexingjobs.IndexingJob, error) {
	f.called("ListKnowledgeBaseIndexingJobs")
	return nil, nil
}

func (f *fakeAPI) StartIndexingJob(_ context.Context, kb string, sources ...string) (*indexingjobs.IndexingJob, error) {
	f.called("StartIndexingJob")
	f.mu.Lock()
	defer f.mu.Unlock()
	now := time.Now()
	job := indexingjobs.IndexingJob{UUID: fmt.Sprintf("9a8b7c6d-0000-4000-8000-%012d", len(f.jobs)+1), KnowledgeBaseUUID: kb,
		DataSourceUUIDs: sources, Phase: indexingjobs.PhasePending, CreatedAt: now}
	f.jobs = append(f.jobs, job)
	for i := range f.sources {
		for _, s := range sources {
			if f.sources[i].UUID == s {
				f.sources[i].LastDatasourceIndexingJob = indexingjobs.IndexedDataSource{DataSourceUUID: s, StartedAt: now}
			}
		}
	}
	return &job, nil
}

func (f *fakeAPI) WaitForIndexingJob(_ context.Context, id string, opts ...indexingjobs.WaitOption) (*indexingjobs.IndexingJob, error) {
	f.called("WaitForIndexingJob")
	return &indexingjobs.IndexingJob{UUID: id, Phase: f.jobOutcome}, nil
}

var _ folder.API = (*fakeAPI)(nil)

// writeFiles makes the files under dir, each name with its content.
func writeFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}
