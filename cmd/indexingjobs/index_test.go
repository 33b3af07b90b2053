package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/folder"
	"github.com/gradient-go/indexingjobs/indexingjobstest"
)

// spacesFake is the fake API with its Spaces in the environment, and a
// knowledge base whose data source is the folder source-1 of the bucket
// named after it (how the fake shows a knowledge base's data sources).
func spacesFake(t *testing.T, opts ...indexingjobstest.Option) (srv *indexingjobstest.Server, kb, spaces string) {
	t.Helper()
	srv, _ = fake(t, append([]indexingjobstest.Option{indexingjobstest.WithJobDuration(0)}, opts...)...)
	t.Setenv(apiURLEnv, srv.URL)
	t.Setenv(folder.SpacesEndpointEnv, srv.SpacesURL())
	t.Setenv(folder.SpacesAccessKeyIDEnv, indexingjobstest.SpacesAccessKeyID)
	t.Setenv(folder.SpacesSecretAccessKeyEnv, indexingjobstest.SpacesSecretAccessKey)
	base := indexingjobstest.NewKnowledgeBase(1)
	base.Name = "handbook"
	return srv, srv.AddKnowledgeBase(base), "handbook/source-1"
}

func writeFolder(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
	return dir
}

// TestIndexKeepsAKnowledgeBaseCurrent: the first run uploads the folder
// and indexes it (exit 0, the job on stdout); a rerun says "up to date"
// and sends nothing but the list of data sources and the listing; -o json
// is the summary.
func TestIndexKeepsAKnowledgeBaseCurrent(t *testing.T) {
	srv, kb, spaces := spacesFake(t)
	dir := writeFolder(t, map[string]string{"a.md": "alpha", "guides/b.md": "beta", ".git/HEAD": "ref"})
	args := []string{"index", dir, "--knowledge-base", kb, "--spaces", spaces, "--spaces-region", "tor1", "--wait", "--poll", "10ms"}

	code, stdout, stderr := runCmd(t, args...)
	require.Equal(t, exitOK, code, stderr)
	assert.Regexp(t, `(?m)^Phase\s+SUCCEEDED$`, stdout)
	assert.Contains(t, stderr, "2 files: 2 uploaded (9 B), 0 unchanged, 1 skipped:\n  .git/: a dot-directory\n")
	assert.Len(t, srv.SpacesObjects("handbook", "source-1/"), 2)

	before, spacesBefore := srv.Requests(), srv.SpacesRequests()
	code, stdout, stderr = runCmd(t, args...)
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, "up to date: 2 files in Spaces handbook/source-1, indexed\n", stdout)
	assert.Equal(t, 1, srv.Requests()-before, "API requests of an unchanged rerun")
	assert.Equal(t, 1, srv.SpacesRequests()-spacesBefore, "S3 requests of an unchanged rerun: the listing")

	code, stdout, stderr = runCmd(t, append(args, "-o", "json")...)
	require.Equal(t, exitOK, code, stderr)
	var sum folder.Summary
	require.NoError(t, json.Unmarshal([]byte(stdout), &sum), stdout)
	assert.True(t, sum.UpToDate)
	assert.Equal(t, 2, sum.Unchanged)
	assert.Equal(t, kb, sum.KnowledgeBaseUUID)
}

// TestIndexSaysAJobIsUnderWay: a rerun while the job the first run
// started is still pending starts none and says so, naming the job.
func TestIndexSaysAJobIsUnderWay(t *testing.T) {
	srv, kb, spaces := spacesFake(t, indexingjobstest.WithJobDuration(time.Hour))
	dir := writeFolder(t, map[string]string{"a.md": "alpha"})
	args := []string{"index", dir, "--knowledge-base", kb, "--spaces", spaces, "--spaces-region", "tor1"}
	code, _, stderr := runCmd(t, args...)
	require.Equal(t, exitOK, code, stderr)
	c, err := srv.NewClient()
	require.NoError(t, err)
	jobs, err := c.ListKnowledgeBaseIndexingJobs(context.Background(), kb)
	require.NoError(t, err)
	require.Len(t, jobs, 1)

	code, stdout, stderr := runCmd(t, args...)
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, "up to date: 1 file in Spaces handbook/source-1; indexing job "+jobs[0].UUID+", started earlier, is PENDING\n", stdout)
	jobs, err = c.ListKnowledgeBaseIndexingJobs(context.Background(), kb)
	require.NoError(t, err)
	assert.Len(t, jobs, 1, "no second job")
}

// TestIndexSummaryEscapesWhatTheAPISent: a job's phase, as the API sent
// it, reaches the terminal escaped in the summary of a run that found a
// job under way.
func TestIndexSummaryEscapesWhatTheAPISent(t *testing.T) {
	var out, errOut bytes.Buffer
	a := &apiCommand{tool: &tool{stdout: &out, stderr: &errOut}, output: "text"}
	for _, phase := range []indexingjobs.Phase{"BATCH_JOB_PHASE_\x1b]0;pwned\x07RUNNING", "\x1b[2J"} {
		out.Reset()
		sum := &folder.Summary{UpToDate: true, JobUnderWay: true, Files: 1, Job: &indexingjobs.IndexingJob{UUID: "j", Phase: phase}}
		require.NoError(t, a.printSummary(sum, &indexFlags{spaces: "b/p"}))
		assert.NotContains(t, out.String(), "\x1b", out.String())
	}
}

// TestIndexShowsTheFakesBucketAsItIs: the bucket serve-fake has ready is
// printed as it is named, not taken for a piece of the fake's token.
func TestIndexShowsTheFakesBucketAsItIs(t *testing.T) {
	_, kb, _ := spacesFake(t)
	dir := writeFolder(t, map[string]string{"a.md": "alpha"})
	spaces := indexingjobstest.SpacesBucket + "/docs"
	code, _, stderr := runCmd(t, "index", dir, "--knowledge-base", kb, "--spaces", spaces, "--spaces-region", "tor1", "--wait", "--poll", "10ms")
	require.Equal(t, exitOK, code, stderr)
	code, stdout, stderr := runCmd(t, "index", dir, "--knowledge-base", kb, "--spaces", spaces, "--spaces-region", "tor1")
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, "up to date: 1 file in Spaces "+spaces+", indexed\n", stdout)
}

// TestIndexMakesANewKnowledgeBaseFromAFolder: against the fake, --new
// uploads each file through a presigned URL, creates the knowledge base
// with a file data source for each, follows its database online and its
// first job to the end, and exits 0.
func TestIndexMakesANewKnowledgeBaseFromAFolder(t *testing.T) {
	srv, _ := fake(t, indexingjobstest.WithJobDuration(0), indexingjobstest.WithDatabaseDelay(0))
	t.Setenv(apiURLEnv, srv.URL)
	files := map[string]string{".cache/x": "skipped"}
	for i := range 7 {
		files[fmt.Sprintf("doc%d.md", i)] = strings.Repeat("x", i+1)
	}
	dir := writeFolder(t, files)
	code, stdout, stderr := runCmd(t, "index", dir, "--new", "handbook", "--region", "tor1",
		"--embedding-model", "22653204-79ed-11ef-bf8f-4e013e2ddde4", "--project", "37455431-84bd-4fa2-94cf-e8486f8f8c5e",
		"--wait", "--poll", "10ms", "-o", "json")
	require.Equal(t, exitOK, code, stderr)
	var sum folder.Summary
	require.NoError(t, json.Unmarshal([]byte(stdout), &sum), stdout)
	assert.Equal(t, 7, sum.Uploaded)
	require.NotNil(t, sum.Job)
	assert.Equal(t, "BATCH_JOB_PHASE_SUCCEEDED", string(sum.Job.Phase))
	assert.Len(t, sum.Job.DataSourceJobs, 7, "one file data source a file")
	for _, ds := range sum.Job.DataSourceJobs {
		assert.EqualValues(t, 1, ds.TotalFileCount)
	}
	assert.Equal(t, 7, srv.StorageRequests(), "one upload a file")
	c, err := srv.NewClient()
	require.NoError(t, err)
	got, err := c.GetKnowledgeBase(t.Context(), sum.KnowledgeBaseUUID)
	require.NoError(t, err)
	assert.Equal(t, "handbook", got.Name)
}

// TestIndexOnATerminalShowsABarAndNoToken: on a terminal, index draws
// mpb's bar, which goes through the redactor as everything else does: a
// folder whose file names and contents hold the token shows it nowhere.
func TestIndexOnATerminalShowsABarAndNoToken(t *testing.T) {
	defer func(was func(io.Writer) bool) { isTerminal = was }(isTerminal)
	isTerminal = func(io.Writer) bool { return true }
	srv, _ := fake(t, indexingjobstest.WithJobDuration(0), indexingjobstest.WithDatabaseDelay(0))
	t.Setenv(apiURLEnv, srv.URL)
	token := srv.Token()
	dir := writeFolder(t, map[string]string{"a.md": "alpha " + token, token + ".md": token, "b/" + token: "beta"})
	code, stdout, stderr := runCmd(t, "index", dir, "--new", "handbook "+token, "--region", "tor1",
		"--embedding-model", "22653204-79ed-11ef-bf8f-4e013e2ddde4", "--project", "37455431-84bd-4fa2-94cf-e8486f8f8c5e",
		"--wait", "--poll", "10ms")
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stderr, "3/3 files", "the bar's last frame")
	assert.NotContains(t, strings.ToLower(stdout+stderr), strings.ToLower(token))
}

// TestIndexNewWithoutWaitSaysHowToFollowTheFirstJob: without --wait,
// index --new prints the new knowledge base's uuid, and says that the API
// starts its first indexing job and how to follow it.
func TestIndexNewWithoutWaitSaysHowToFollowTheFirstJob(t *testing.T) {
	srv, _ := fake(t)
	t.Setenv(apiURLEnv, srv.URL)
	dir := writeFolder(t, map[string]string{"a.md": "alpha"})
	code, stdout, stderr := runCmd(t, "index", dir, "--new", "handbook", "--region", "tor1",
		"--embedding-model", "22653204-79ed-11ef-bf8f-4e013e2ddde4", "--project", "37455431-84bd-4fa2-94cf-e8486f8f8c5e")
	require.Equal(t, exitOK, code, stderr)
	kb := strings.TrimSpace(stdout)
	assert.Contains(t, stderr, "Creating it starts its first indexing job once its database is ONLINE: 'indexingjobs knowledge-base "+kb+"' shows it")
}

// TestIndexUsageErrorsSendNothing: a command line that cannot work exits
// 2 with one line, before any request.
func TestIndexUsageErrorsSendNothing(t *testing.T) {
	srv, kb, spaces := spacesFake(t)
	dir := t.TempDir()
	model, project := "22653204-79ed-11ef-bf8f-4e013e2ddde4", "37455431-84bd-4fa2-94cf-e8486f8f8c5e"
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"index", dir}, "say what to index into: --new NAME, or --knowledge-base KB"},
		{[]string{"index"}, "want one folder, got 0 arguments"},
		{[]string{"index", dir, "--new", "n", "--knowledge-base", kb}, "--new and --knowledge-base go apart"},
		{[]string{"index", dir, "--new", "n", "--region", "tor1"}, "--new needs --region, --embedding-model and --project ('indexingjobs embedding-models' lists the models, 'doctl projects list' the projects)"},
		{[]string{"index", dir, "--new", "n", "--region", "tor1", "--embedding-model", "x", "--project", project}, `--embedding-model: id "x": not a UUID`},
		{[]string{"index", dir, "--new", "n", "--region", "tor1", "--embedding-model", model, "--project", project, "--delete"}, "go with --knowledge-base, not --new"},
		{[]string{"index", filepath.Join(dir, "missing"), "--knowledge-base", kb, "--spaces", spaces, "--spaces-region", "tor1"}, "missing is not a folder"},
		{[]string{"index", dir, "--knowledge-base", kb, "--spaces", spaces}, "--knowledge-base needs --spaces BUCKET[/PREFIX] and --spaces-region"},
		{[]string{"index", dir, "--knowledge-base", kb, "--spaces", "/x", "--spaces-region", "tor1"}, "want BUCKET or BUCKET/PREFIX"},
		{[]string{"index", dir, "--knowledge-base", kb, "--spaces", spaces, "--spaces-region", "tor1", "--parallel", "0"}, "--parallel 0: want 1 or more"},
	} {
		code, stdout, stderr := runCmd(t, c.args...)
		assert.Equal(t, exitUsage, code, "%v: %s", c.args, stderr)
		assert.Contains(t, stderr, c.want, c.args)
		assert.Empty(t, stdout, c.args)
	}
	t.Setenv(folder.SpacesSecretAccessKeyEnv, "")
	code, _, stderr := runCmd(t, "index", dir, "--knowledge-base", kb, "--spaces", spaces, "--spaces-region", "tor1")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "Spaces: no access key: set $SPACES_ACCESS_KEY_ID and $SPACES_SECRET_ACCESS_KEY")
	assert.Zero(t, srv.Requests())
	assert.Zero(t, srv.SpacesRequests())
}

// TestIndexShowsNoSecretKey: whatever goes wrong with Spaces, the secret
// key is in no output and no error.
func TestIndexShowsNoSecretKey(t *testing.T) {
	_, kb, spaces := spacesFake(t)
	dir := writeFolder(t, map[string]string{"a.md": "a"})
	const secret = "do-not-show-this-secret-key"
	t.Setenv(folder.SpacesSecretAccessKeyEnv, secret)
	args := []string{"index", dir, "--knowledge-base", kb, "--spaces", spaces, "--spaces-region", "tor1"}

	t.Setenv(folder.SpacesAccessKeyIDEnv, "wrong-key")
	code, stdout, stderr := runCmd(t, args...)
	assert.Equal(t, exitError, code, stderr)
	assert.Contains(t, stderr, "access key")
	for _, endpoint := range []string{"http://192.0.2.1:9000", "https://user:" + secret + "@example.com", "nyc3.digitaloceanspaces.com"} {
		t.Setenv(folder.SpacesEndpointEnv, endpoint)
		c, o, e := runCmd(t, append(args, "-o", "json")...)
		assert.Equal(t, exitUsage, c, endpoint)
		stdout, stderr = stdout+o, stderr+e
	}
	assert.NotContains(t, stdout+stderr, secret)
}

// holdingThirdPut is a proxy of target that holds the third PUT half
// sent until the client gives up on it, and says so on held once it holds
// it. It is closed with the test.
func holdingThirdPut(t *testing.T, target string) (proxy *httptest.Server, held <-chan struct{}) {
	to, err := url.Parse(target)
	require.NoError(t, err)
	pass := httputil.NewSingleHostReverseProxy(to)
	var puts atomic.Int32
	holding := make(chan struct{}, 1)
	proxy = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut && puts.Add(1) == 3 {
			_, _ = io.CopyN(io.Discard, r.Body, 1000)
			holding <- struct{}{}
			_, _ = io.Copy(io.Discard, r.Body) // the server sees the client go only as it reads
			<-r.Context().Done()
			return
		}
		pass.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	return proxy, holding
}

// interruptedWhenHeld runs the tool with args, sends it Ctrl-C once held
// says an upload is held, checks that it ends at once with 130, and
// returns what it printed.
func interruptedWhenHeld(t *testing.T, args []string, held <-chan struct{}) (stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithCancelCause(context.Background())
	var out, errOut syncBuffer
	done := make(chan int)
	go func() { done <- run(ctx, args, &out, &errOut) }()
	<-held
	cancel(&signalled{syscall.SIGINT})
	select {
	case code := <-done:
		assert.Equal(t, 130, code)
	case <-time.After(5 * time.Second):
		t.Fatal("still running 5s after Ctrl-C")
	}
	return out.String(), errOut.String()
}

// TestIndexInterruptedThenResumed: Ctrl-C in the middle of an upload
// exits 130 at once, says what was done and what to do; nothing cut short
// is stored; the same command again sends only the rest, then indexes.
func TestIndexInterruptedThenResumed(t *testing.T) {
	srv, kb, spaces := spacesFake(t)
	files := map[string]string{}
	for i := range 6 {
		files[fmt.Sprintf("f%d.md", i)] = strings.Repeat(fmt.Sprint(i), 256<<10)
	}
	dir := writeFolder(t, files)
	// Between the tool and the fake's Spaces, a proxy that holds the third
	// upload half sent, until the tool gives up on it.
	slow, held := holdingThirdPut(t, srv.SpacesURL())
	t.Setenv(folder.SpacesEndpointEnv, slow.URL)
	args := []string{"index", dir, "--knowledge-base", kb, "--spaces", spaces, "--spaces-region", "tor1", "--parallel", "1"}

	_, errOut := interruptedWhenHeld(t, args, held)
	assert.Contains(t, errOut, "indexingjobs index: interrupted: stopped after uploading 2 of 6 files (512.0 KiB); no indexing job was started")
	assert.Contains(t, errOut, "Run the same command again: it sends only what is missing, then indexes.\n")
	stored := srv.SpacesObjects("handbook", "source-1/")
	assert.Len(t, stored, 2, "the upload cut short is not stored")

	t.Setenv(folder.SpacesEndpointEnv, srv.SpacesURL())
	code, stdout, stderr := runCmd(t, append(args, "-o", "json")...)
	require.Equal(t, exitOK, code, stderr)
	var sum folder.Summary
	require.NoError(t, json.Unmarshal([]byte(stdout), &sum))
	assert.Equal(t, 4, sum.Uploaded)
	assert.Equal(t, 2, sum.Unchanged)
	require.NotNil(t, sum.Job)
	assert.Equal(t, kb, sum.Job.KnowledgeBaseUUID)
	assert.Len(t, srv.SpacesObjects("handbook", "source-1/"), 6)
}

// TestIndexNewInterruptedThenResumed: Ctrl-C while --new uploads its
// third file exits 130 at once, says how many files were uploaded and
// that the same command sends only the others, and counts no failure;
// the same command again uploads only those, creates the knowledge base
// and removes the journal; once more, it refuses to make a second
// knowledge base of that name, and says how to index into the first.
func TestIndexNewInterruptedThenResumed(t *testing.T) {
	srv, _ := fake(t, indexingjobstest.WithJobDuration(0), indexingjobstest.WithDatabaseDelay(0))
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	files := map[string]string{}
	for i := range 6 {
		files[fmt.Sprintf("f%d.md", i)] = strings.Repeat(fmt.Sprint(i), 256<<10)
	}
	dir := writeFolder(t, files)

	// The storage the tool uploads to is a proxy of the fake's, which
	// holds the third upload half sent until the tool gives up on it: the
	// API's answers with presigned URLs are rewritten to point at it.
	holding, held := holdingThirdPut(t, srv.StorageURL())
	api, err := url.Parse(srv.URL)
	require.NoError(t, err)
	apiProxy := httputil.NewSingleHostReverseProxy(api)
	apiProxy.ModifyResponse = func(resp *http.Response) error {
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		body = bytes.ReplaceAll(body, []byte(srv.StorageURL()), []byte(holding.URL))
		resp.Body, resp.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
		resp.Header.Set("Content-Length", fmt.Sprint(len(body)))
		return nil
	}
	apiFront := httptest.NewServer(apiProxy)
	defer apiFront.Close()

	args := []string{"index", dir, "--new", "handbook", "--region", "tor1",
		"--embedding-model", "22653204-79ed-11ef-bf8f-4e013e2ddde4", "--project", "37455431-84bd-4fa2-94cf-e8486f8f8c5e", "--parallel", "1"}
	out, errOut := interruptedWhenHeld(t, append(args, "--api-url", apiFront.URL), held)
	assert.Contains(t, errOut, "indexingjobs index: interrupted: stopped after uploading 2 of 6 files (512.0 KiB); no knowledge base was created\n"+
		"Run the same command again: it sends only the other 4 files, then creates the knowledge base.\n")
	assert.NotContains(t, errOut, "failed", "an upload cut short is not a failure")
	assert.Empty(t, out)
	c, err := srv.NewClient()
	require.NoError(t, err)
	for kb, err := range c.ListKnowledgeBases(context.Background()) {
		require.NoError(t, err)
		assert.NotEqual(t, "handbook", kb.Name, "no knowledge base was created")
	}
	journals, err := filepath.Glob(filepath.Join(cache, "indexingjobs", "journal", "*"))
	require.NoError(t, err)
	assert.Len(t, journals, 1, "the journal, in the user's cache folder")

	t.Setenv(apiURLEnv, srv.URL)
	before := srv.StorageRequests()
	code, stdout, stderr := runCmd(t, args...)
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, 4, srv.StorageRequests()-before, "only the files not uploaded")
	assert.Contains(t, stderr, "6 files: 4 uploaded (1.0 MiB), 0 unchanged, 2 uploaded by an earlier run\n")
	kb := strings.TrimSpace(stdout)
	got, err := c.GetKnowledgeBase(context.Background(), kb)
	require.NoError(t, err)
	assert.Equal(t, "handbook", got.Name)
	sources := 0
	for _, err := range c.ListKnowledgeBaseDataSources(context.Background(), kb) {
		require.NoError(t, err)
		sources++
	}
	assert.Equal(t, 6, sources, "a file data source a file")
	journals, err = filepath.Glob(filepath.Join(cache, "indexingjobs", "journal", "*"))
	require.NoError(t, err)
	assert.Empty(t, journals, "the journal is removed")

	before = srv.StorageRequests()
	code, stdout, stderr = runCmd(t, args...)
	assert.Equal(t, exitError, code)
	assert.Empty(t, stdout)
	assert.Equal(t, `indexingjobs index: a knowledge base named "handbook" is already in tor1: `+kb+"; keep it current from the folder through Spaces (Sync), or choose another name\n"+
		"Keep it current from the folder: indexingjobs index "+dir+" --knowledge-base "+kb+" --spaces BUCKET[/PREFIX] --spaces-region R\n"+
		"Or choose another name (--new).\n", stderr)
	assert.Equal(t, before, srv.StorageRequests(), "nothing uploaded")
}

// cancelWhen is stderr that cancels the run, as Ctrl-C does, once what
// it holds says what.
type cancelWhen struct {
	syncBuffer
	what   string
	cancel context.CancelCauseFunc
	once   sync.Once
}

func (c *cancelWhen) Write(p []byte) (int, error) {
	n, err := c.syncBuffer.Write(p)
	if strings.Contains(c.String(), c.what) {
		c.once.Do(func() { c.cancel(&signalled{syscall.SIGINT}) })
	}
	return n, err
}

// TestIndexNewInterruptedOnceCreatedSaysWhatWasCreated: Ctrl-C while
// --new --wait waits for the new knowledge base's database exits 130,
// prints the knowledge base's uuid on stdout as a run without --wait
// does, and does not say that the same command creates it: it was
// created, and the same command is refused for its name.
func TestIndexNewInterruptedOnceCreatedSaysWhatWasCreated(t *testing.T) {
	srv, _ := fake(t, indexingjobstest.WithJobDuration(0), indexingjobstest.WithDatabaseDelay(time.Hour))
	t.Setenv(apiURLEnv, srv.URL)
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	dir := writeFolder(t, map[string]string{"a.md": "alpha", "b.md": "beta"})
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	var out syncBuffer
	errOut := &cancelWhen{what: "Waiting for the knowledge base's database", cancel: cancel}
	code := run(ctx, []string{"index", dir, "--new", "handbook", "--region", "tor1",
		"--embedding-model", "22653204-79ed-11ef-bf8f-4e013e2ddde4", "--project", "37455431-84bd-4fa2-94cf-e8486f8f8c5e",
		"--wait", "--poll", "10ms"}, &out, errOut)
	assert.Equal(t, 130, code)
	c, err := srv.NewClient()
	require.NoError(t, err)
	var created []string
	for kb, err := range c.ListKnowledgeBases(context.Background()) {
		require.NoError(t, err)
		if kb.Name == "handbook" {
			created = append(created, kb.UUID)
		}
	}
	require.Len(t, created, 1, "the knowledge base was created before the Ctrl-C")
	assert.Equal(t, created[0]+"\n", out.String(), "its uuid, on stdout")
	assert.NotContains(t, errOut.String(), "creates the knowledge base")
	assert.Contains(t, errOut.String(), "'indexingjobs knowledge-base "+created[0]+"' shows it")
}

// TestIndexNewWithoutAWritableCacheFolder: where the user's cache folder
// cannot be made (a read-only home, $XDG_CACHE_HOME a file), index --new
// still indexes, without a journal, and says that an interrupted run
// would send every file again.
func TestIndexNewWithoutAWritableCacheFolder(t *testing.T) {
	srv, _ := fake(t, indexingjobstest.WithJobDuration(0), indexingjobstest.WithDatabaseDelay(0))
	t.Setenv(apiURLEnv, srv.URL)
	notADir := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(notADir, nil, 0o600))
	t.Setenv("XDG_CACHE_HOME", notADir)
	dir := writeFolder(t, map[string]string{"a.md": "alpha"})
	code, stdout, stderr := runCmd(t, "index", dir, "--new", "handbook", "--region", "tor1",
		"--embedding-model", "22653204-79ed-11ef-bf8f-4e013e2ddde4", "--project", "37455431-84bd-4fa2-94cf-e8486f8f8c5e")
	require.Equal(t, exitOK, code, stderr)
	assert.NotEmpty(t, strings.TrimSpace(stdout), "the new knowledge base's uuid")
	assert.Contains(t, stderr, "no journal")
	assert.Equal(t, 1, srv.StorageRequests())
}
