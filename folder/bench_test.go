package folder_test

// The measures of the point 5, run with go test -bench (none is a
// timed test):
//
//	go test ./folder -run '^$' -bench 'Upload' -benchtime 5x     # throughput: the folder's path against a plain io.Copy PUT loop, same storage, same parallelism
//	go test ./folder -run '^$' -bench 'Requests' -benchtime 1x   # requests: an unchanged rerun of 10,000 files; a new knowledge base of N files
//	go test ./folder -run '^$' -bench 'PeakRSS' -benchtime 1x    # memory: 2 GiB in 2,000 files, in a subprocess (VmHWM)
//
// Compare the impl=folder and impl=floor lines of one run (MB/s), never
// figures of different runs.

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/folder"
	"github.com/gradient-go/indexingjobs/indexingjobstest"
)

// makeFolder writes files files of size bytes each under a new folder,
// sparse (holes read as zeros), so that the disk is not what is measured.
func makeFolder(tb testing.TB, files int, size int64) string {
	tb.Helper()
	dir := tb.TempDir()
	for i := range files {
		p := filepath.Join(dir, fmt.Sprintf("d%02d", i%50), fmt.Sprintf("f%05d.bin", i))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		f, err := os.Create(p)
		if err != nil {
			tb.Fatal(err)
		}
		if err := f.Truncate(size); err != nil {
			tb.Fatal(err)
		}
		f.Close()
	}
	return dir
}

// floor PUTs every file under dir to url(name) with parallel workers: one
// plain request each, the file as its body, copied by net/http.
func floor(tb testing.TB, dir string, parallel int, url func(name string) string, header http.Header) {
	files, _, err := folder.Walk(dir)
	if err != nil {
		tb.Fatal(err)
	}
	ch := make(chan folder.File)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failed error
	for range parallel {
		wg.Go(func() {
			for f := range ch {
				if err := putFile(filepath.Join(dir, filepath.FromSlash(f.Name)), f.Size, url(f.Name), header); err != nil {
					mu.Lock()
					failed = err
					mu.Unlock()
				}
			}
		})
	}
	for _, f := range files {
		ch <- f
	}
	close(ch)
	wg.Wait()
	if failed != nil {
		tb.Fatal(failed)
	}
}

func putFile(path string, size int64, url string, header http.Header) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	req, err := http.NewRequest(http.MethodPut, url, f)
	if err != nil {
		return err
	}
	req.ContentLength = size
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("PUT %s: %s", url, resp.Status)
	}
	return nil
}

const (
	benchFiles    = 64
	benchFileSize = 1 << 20
)

// BenchmarkCreateUpload: Create's uploads (presigned URLs in batches,
// Parallel workers, each file streamed through UploadFile from an
// io.ReaderAt) against a plain PUT loop of the same files, both to one
// loopback storage that reads and discards. The fake API's UploadFile is
// one plain PUT of an io.SectionReader, what the client's does on
// success; with the real write side, BenchmarkCreateUploadClient measures
// the client's own.
func BenchmarkCreateUpload(b *testing.B) {
	dir := makeFolder(b, benchFiles, benchFileSize)
	storage := discardStorage()
	defer storage.Close()
	for _, impl := range []string{"floor", "folder"} {
		b.Run("impl="+impl, func(b *testing.B) {
			b.SetBytes(benchFiles * benchFileSize)
			for b.Loop() {
				if impl == "floor" {
					floor(b, dir, folder.DefaultParallel, func(name string) string { return storage.URL + "/" + name }, nil)
					continue
				}
				if _, err := folder.Create(context.Background(), newDiscardAPI(b, storage), dir, createOptions()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCreateUploadClient: Create through the client itself, against
// the fake API and its storage listener (which checks each PUT's length
// and hashes it), against a plain PUT loop of the same files to presigned
// URLs of the same storage, asked for with the same client. Both run
// DefaultParallel at once; Create also asks for its URLs and creates the
// knowledge base, which the floor does not.
func BenchmarkCreateUploadClient(b *testing.B) {
	dir := makeFolder(b, benchFiles, benchFileSize)
	srv := indexingjobstest.NewServer(indexingjobstest.WithDatabaseDelay(0))
	defer srv.Close()
	client, err := srv.NewClient()
	if err != nil {
		b.Fatal(err)
	}
	files, _, err := folder.Walk(dir)
	if err != nil {
		b.Fatal(err)
	}
	for _, impl := range []string{"floor", "folder"} {
		b.Run("impl="+impl, func(b *testing.B) {
			b.SetBytes(benchFiles * benchFileSize)
			for i := 0; b.Loop(); i++ {
				if impl == "folder" {
					opts := createOptions()
					opts.Name = fmt.Sprintf("handbook-%d", i) // a name taken is refused
					if _, err := folder.Create(context.Background(), client, dir, opts); err != nil {
						b.Fatal(err)
					}
					continue
				}
				var ask []indexingjobs.FileToUpload
				for _, f := range files {
					ask = append(ask, indexingjobs.FileToUpload{Name: f.Name, Size: f.Size})
				}
				urls, err := client.FileUploadURLs(context.Background(), ask)
				if err != nil {
					b.Fatal(err)
				}
				byName := map[string]string{}
				for _, u := range urls {
					byName[u.OriginalFileName] = u.PresignedURL
				}
				floor(b, dir, folder.DefaultParallel, func(name string) string { return byName[name] }, nil)
			}
		})
	}
}

// BenchmarkSyncUpload: Sync's uploads (hashing every file, then one PUT
// of each through minio-go, with its Content-MD5) against a plain PUT loop
// of the same files, both to the fake's Spaces (gofakes3, in memory),
// emptied before each run, so that every file is sent.
func BenchmarkSyncUpload(b *testing.B) {
	dir := makeFolder(b, benchFiles, benchFileSize)
	f := newSpacesFixture(b)
	header := http.Header{"Authorization": {"AWS4-HMAC-SHA256 Credential=" + indexingjobstest.SpacesAccessKeyID + "/20260101/tor1/s3/aws4_request"}}
	empty := b.TempDir()
	for _, impl := range []string{"floor", "folder"} {
		b.Run("impl="+impl, func(b *testing.B) {
			b.SetBytes(benchFiles * benchFileSize)
			prefix := "bench"
			for b.Loop() {
				// Every file is sent: none is in Spaces, and what the
				// last run stored is gone, so that the store holds as
				// much for every run (the fake's keeps it in memory).
				b.StopTimer()
				opts := f.options()
				opts.Spaces.Prefix, opts.Wait, opts.Delete = prefix, false, true
				if _, err := folder.Sync(context.Background(), newDiscardAPI(b, nil), empty, opts); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if impl == "floor" {
					floor(b, dir, folder.DefaultParallel, func(name string) string {
						return f.srv.SpacesURL() + "/" + indexingjobstest.SpacesBucket + "/" + prefix + "/" + name
					}, header)
					continue
				}
				opts.Delete = false
				// The API is the hand fake: it adds the data source,
				// which the fake API cannot yet.
				if _, err := folder.Sync(context.Background(), newDiscardAPI(b, nil), dir, opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRequests counts what point 5 budgets: an unchanged rerun of
// 10,000 files in Spaces mode (at most 3 API requests, the S3 listing's
// pages, no upload), and a new knowledge base of N files (ceil(N/B)
// requests for URLs, N uploads, one create). The counts are reported as
// metrics, and a count over budget fails.
func BenchmarkRequests(b *testing.B) {
	b.Run("sync-unchanged-10000", func(b *testing.B) {
		const n = 10000
		dir := makeFolder(b, n, 16)
		f := newSpacesFixture(b)
		opts := f.options()
		opts.Parallel = 16
		if _, err := folder.Sync(context.Background(), f.client, dir, opts); err != nil {
			b.Fatal(err)
		}
		f.transport.take()
		for b.Loop() {
			before := f.srv.Requests()
			sum, err := folder.Sync(context.Background(), f.client, dir, opts)
			if err != nil {
				b.Fatal(err)
			}
			api, s3 := f.srv.Requests()-before, f.transport.take()
			b.ReportMetric(float64(api), "api-requests/op")
			b.ReportMetric(float64(s3["GET"]), "s3-list-pages/op")
			b.ReportMetric(float64(s3["PUT"]+s3["POST"]+s3["DELETE"]), "s3-writes/op")
			if !sum.UpToDate || api > 3 || s3["GET"] > int(math.Ceil(n/1000.0)) || len(s3) != 1 {
				b.Errorf("an unchanged rerun of %d files: up to date %v, %d API requests, S3 %v", n, sum.UpToDate, api, s3)
			}
		}
	})
	b.Run("create-2000", func(b *testing.B) {
		const n = 2000
		dir := makeFolder(b, n, 16)
		storage := discardStorage()
		defer storage.Close()
		for b.Loop() {
			api := newDiscardAPI(b, storage)
			if _, err := folder.Create(context.Background(), api, dir, createOptions()); err != nil {
				b.Fatal(err)
			}
			presign, uploads, creates, lists := api.count("FileUploadURLs"), api.count("UploadFile"), api.count("CreateKnowledgeBase"), api.count("ListKnowledgeBases")
			b.ReportMetric(float64(presign), "presign-requests/op")
			b.ReportMetric(float64(uploads), "uploads/op")
			b.ReportMetric(float64(creates), "creates/op")
			b.ReportMetric(float64(lists), "name-checks/op")
			if want := (n + folder.DefaultBatchSize - 1) / folder.DefaultBatchSize; presign != want || uploads != n || creates != 1 || lists != 1 {
				b.Errorf("%d files: %d requests for URLs (want %d), %d uploads, %d creates, %d lists of knowledge bases", n, presign, want, uploads, creates, lists)
			}
		}
	})
}

// rssChild is set in the environment of the subprocess that does the work
// BenchmarkPeakRSS measures: "create STORAGE_URL" or "sync SPACES_URL
// PREFIX".
const rssChild = "FOLDER_RSS_CHILD"

// BenchmarkPeakRSS runs Create and Sync of 2 GiB in 2,000 files (sparse)
// in a subprocess, the test binary itself, and reports its peak resident
// memory (VmHWM of /proc/self/status); over 64 MiB fails. The storage is
// in this process: a discard server for Create, the fake's Spaces for
// Sync. FOLDER_RSS_FILES and FOLDER_RSS_SIZE change the folder.
func BenchmarkPeakRSS(b *testing.B) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		b.Skip("needs /proc/self/status")
	}
	files, size := envInt("FOLDER_RSS_FILES", 2000), envInt("FOLDER_RSS_SIZE", 1<<20)
	dir := makeFolder(b, files, int64(size))
	storage := discardStorage()
	defer storage.Close()
	f := newSpacesFixture(b)
	for _, mode := range []string{"create", "sync"} {
		b.Run(mode, func(b *testing.B) {
			b.SetBytes(int64(files * size))
			for b.Loop() {
				args := mode + " " + storage.URL
				if mode == "sync" {
					args = fmt.Sprintf("sync %s run-%d", f.srv.SpacesURL(), time.Now().UnixNano())
				}
				cmd := exec.Command(os.Args[0], "-test.run", "^TestPeakRSSChild$", "-test.count", "1")
				cmd.Env = append(os.Environ(), rssChild+"="+args, "FOLDER_RSS_DIR="+dir)
				out, err := cmd.CombinedOutput()
				if err != nil {
					b.Fatalf("%v: %s", err, out)
				}
				kib := vmHWM(b, string(out))
				b.ReportMetric(float64(kib)/1024, "peak-RSS-MiB")
				if kib > 64<<10 {
					b.Errorf("%s of %d files, %s: peak RSS %d KiB, over 64 MiB", mode, files, folder.Size(int64(files*size)), kib)
				}
			}
		})
	}
}

// TestPeakRSSChild is the subprocess of BenchmarkPeakRSS; it does nothing
// in a run of the tests.
func TestPeakRSSChild(t *testing.T) {
	spec := strings.Fields(os.Getenv(rssChild))
	if len(spec) == 0 {
		t.Skip("the subprocess of BenchmarkPeakRSS")
	}
	dir := os.Getenv("FOLDER_RSS_DIR")
	ctx := context.Background()
	var err error
	switch spec[0] {
	case "create":
		storage := &httptest.Server{URL: spec[1]}
		_, err = folder.Create(ctx, newDiscardAPI(t, storage), dir, createOptions())
	case "sync":
		_, err = folder.Sync(ctx, newDiscardAPI(t, nil), dir, folder.SyncOptions{
			KnowledgeBaseUUID: fakeKB,
			Spaces: folder.SpacesConfig{Bucket: indexingjobstest.SpacesBucket, Prefix: spec[2], Region: indexingjobstest.SpacesRegion, Endpoint: spec[1],
				AccessKeyID: indexingjobstest.SpacesAccessKeyID, SecretAccessKey: indexingjobstest.SpacesSecretAccessKey},
		})
	}
	if err != nil {
		t.Fatal(err)
	}
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(status)) {
		if strings.HasPrefix(line, "VmHWM:") {
			fmt.Println(strings.TrimSpace(line))
		}
	}
}

func vmHWM(tb testing.TB, out string) int {
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kib, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			if err == nil {
				return kib
			}
		}
	}
	tb.Fatalf("no VmHWM in %q", out)
	return 0
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}
