package conformance

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gradient-go/indexingjobs"
)

const (
	docsPage   = "../build/docs/index.html"
	screenshot = "../build/docs/screenshot.png"
	// screenshotList is the list operation, with its page parameters.
	screenshotList = "../build/docs/screenshot-list.png"
)

// needs skips a test that lacks something only CI is sure to have; in CI
// (CI=true) the lack is a failure.
func needs(t *testing.T, ok bool, what string) {
	t.Helper()
	if ok {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("missing %s", what)
	}
	t.Skipf("missing %s", what)
}

// serveDocs builds the command-line tool and starts `indexingjobs docs` on a
// free loopback port, as a reader would; it returns the page's URL.
func serveDocs(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "indexingjobs")
	build := exec.Command("go", "build", "-o", bin, "./cmd/indexingjobs")
	build.Dir = ".."
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)

	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "docs", "--addr", "127.0.0.1:0", "--page", docsPage)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { cancel(); _ = cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err)
	m := regexp.MustCompile(`at (http://127\.0\.0\.1:\d+/) `).FindStringSubmatch(line)
	require.NotNil(t, m, line)
	return m[1]
}

// TestDocsInABrowser opens the served documentation in headless Chromium
// and reads what a person would see.
func TestDocsInABrowser(t *testing.T) {
	_, err := os.Stat(docsPage)
	needs(t, err == nil, docsPage+" (make docs-html)")
	chromium, err := exec.LookPath("chromium")
	needs(t, err == nil, "chromium (apt-get install chromium)")
	page := serveDocs(t)
	pageURL, err := url.Parse(page)
	require.NoError(t, err)

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.WindowSize(1400, 1000),
		chromedp.Flag("disable-component-update", true),
		// Nothing but this machine resolves: a request for another host
		// that escaped the page's policy would fail to resolve, and show up
		// below as not blocked by the policy.
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"),
	)
	var mu sync.Mutex
	requested := map[network.RequestID]string{}
	blocked := map[network.RequestID]network.BlockedReason{}
	listen := func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			requested[e.RequestID] = e.Request.URL
		case *network.EventLoadingFailed:
			blocked[e.RequestID] = e.BlockedReason
		}
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancelCtx := chromedp.NewContext(allocCtx, chromedp.WithListener(listen))
	defer cancelCtx()
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	defer cancelTimeout()

	// As a reader: open the tag in the side bar; every operation is listed
	// there by its summary and method.
	doc := loadSpec(t)
	ops := operationsOf(doc)
	require.Len(t, ops, 7)
	byText := func(s string) string { return `//*[normalize-space(text())="` + s + `"]` }
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(page),
		chromedp.WaitVisible(byText("GradientAI Platform")),
		chromedp.Click(byText("GradientAI Platform")),
		chromedp.WaitVisible(chromedp.CSS(`a[href$="/genai_cancel_indexing_job"]`)),
		chromedp.Evaluate[chromedp.Void](sectionScript),
	))
	sidebar, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]string](`Object.fromEntries(
		[...document.querySelectorAll('[data-component-name="Menu/MenuItem"] a')].map(a => [a.getAttribute("href"), a.innerText.trim()]))`))
	require.NoError(t, err)
	for _, o := range ops {
		assert.Equal(t, o.op.Summary+"\n"+o.method, sidebar["#/gradientai-platform/"+o.op.OperationID], "side bar entry of %s", o)
	}

	// Then each operation in turn, from its entry in the side bar.
	fields := keys(doc.Components.Schemas["APIIndexingJob"].Value.Properties)
	require.Len(t, fields, 19)
	jobFields := make([]string, len(fields))
	for i, f := range fields {
		jobFields[i] = "job." + f
	}
	pageFields := []string{"jobs[].uuid", "jobs[].phase", "links.pages.first", "links.pages.previous", "links.pages.next", "links.pages.last", "meta.page", "meta.pages", "meta.total"}
	more := map[string][]string{
		"genai_list_indexing_jobs": append([]string{"Query", "page\ninteger, (int64), >= 1", "per_page\ninteger, (int64), [ 1 .. 200 ]"}, pageFields...),
		"genai_create_indexing_job": {"Body", "application/json\nrequired", "knowledge_base_uuid\nstring\nrequired", "data_source_uuids\nArray of strings",
			"job.phase", "BATCH_JOB_PHASE_PENDING"},
		"genai_get_indexing_job":                     {"Path", "uuid", "job.phase", "job.data_source_jobs[].status"},
		"genai_cancel_indexing_job":                  append([]string{"Path", "uuid", "Body", "BATCH_JOB_PHASE_CANCELLED", "INDEX_JOB_STATUS_CANCELLED"}, jobFields...),
		"genai_list_indexing_job_data_sources":       {"Path", "indexing_job_uuid", "indexed_data_sources[].status", "indexed_data_sources[].error_msg", "DATA_SOURCE_STATUS_PARTIALLY_UPDATED"},
		"genai_get_indexing_job_details_signed_url":  {"Path", "indexing_job_uuid", "signed_url\nstring, (uri)", "X-Amz-Signature"},
		"genai_list_indexing_jobs_by_knowledge_base": append([]string{"Path", "knowledge_base_uuid"}, pageFields...),
	}
	var summaries []string
	for _, o := range ops {
		summaries = append(summaries, o.op.Summary)
	}
	for _, o := range ops {
		want := append([]string{o.op.Summary, o.method + "\n" + o.path, "200", "401", "404", "429", "500", "default", "ratelimit-remaining", "x-request-id"},
			more[o.op.OperationID]...)
		openOperation(t, ctx, o)
		switch o.op.OperationID {
		case "genai_cancel_indexing_job":
			saveScreenshot(t, ctx, screenshot)
		case "genai_list_indexing_jobs":
			saveScreenshot(t, ctx, screenshotList)
		}
		assertShown(t, ctx, o, summaries, want)
		if o.op.OperationID == "genai_cancel_indexing_job" {
			// Open its 429 answer, as a reader would, to see its headers.
			tabs, err := chromedp.Run(ctx, chromedp.Evaluate[int](`(() => {
				const h = [...document.querySelectorAll("h1, h2")].find(e => e.textContent.trim() === "`+o.op.Summary+`");
				const tabs = [...document.querySelectorAll('button, [role=tab]')].filter(e =>
					e.innerText.trim() === '429' && (h.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_FOLLOWING));
				if (tabs.length) tabs[0].click();
				return tabs.length;
			})()`))
			require.NoError(t, err)
			require.NotZero(t, tabs, "no 429 tab under the cancel operation")
			require.NoError(t, chromedp.Do(ctx, chromedp.WaitVisible(`//*[normalize-space(text())="retry-after"]`)))
			assertShown(t, ctx, o, summaries, []string{"retry-after", "too_many_requests"})
		}
	}

	// The two raw forms beside the page.
	for name, want := range map[string][]byte{"openapi.yaml": indexingjobs.OpenAPIYAML(), "openapi.json": indexingjobs.OpenAPIJSON()} {
		resp, err := http.Get(page + name)
		require.NoError(t, err)
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, resp.StatusCode, name)
		assert.Equal(t, want, body, name)
	}

	mu.Lock()
	defer mu.Unlock()
	var local, foreign []string
	for id, raw := range requested {
		u, err := url.Parse(raw)
		require.NoError(t, err)
		switch {
		case u.Scheme == "data" || u.Scheme == "blob" || u.Host == pageURL.Host:
			local = append(local, raw)
		case blocked[id] == network.BlockedReasonCsp:
			t.Logf("blocked by the page's policy: %s", raw)
		default:
			foreign = append(foreign, raw)
		}
	}
	sort.Strings(foreign)
	assert.Empty(t, foreign, "requests that left for another host")
	assert.NotEmpty(t, local)
	t.Logf("%d requests, all to %s", len(local), pageURL.Host)
}

// sectionScript defines window.shown(summary, summaries, want): it
// keeps what the page shows of the operation's section, from its heading
// to the next operation's heading, scrolls on by 300 pixels while
// something of want has not been seen in that section, and returns what
// is still missing. The renderer draws a section's fields only as they
// come into view, and drops sections far out of view, so what was seen is
// kept across scrolls. Zero-width spaces, which the renderer puts after
// each dot of a field's path, are removed.
const sectionScript = `window.seen = {};
window.shown = (summary, summaries, want) => {
	const text = document.body.innerText.replaceAll("\u200b", "");
	const at = text.indexOf(summary + "\nCopy");
	const seen = (window.seen[summary] ||= []);
	if (at >= 0) {
		let end = text.length;
		for (const s of summaries) {
			const i = text.indexOf(s + "\nCopy", at + 1);
			if (i > at && i < end) end = i;
		}
		const section = text.slice(at, end);
		if (seen[seen.length - 1] !== section) seen.push(section);
	}
	const missing = want.filter(w => !seen.some(s => s.includes(w)));
	if (missing.length) window.scrollBy(0, 300);
	return missing;
}`

// openOperation clicks the operation's entry in the side bar and waits for
// its heading at the top of the view.
func openOperation(t *testing.T, ctx context.Context, o specOperation) {
	t.Helper()
	link := fmt.Sprintf(`a[href$="/%s"]`, o.op.OperationID)
	heading, err := json.Marshal(o.op.Summary)
	require.NoError(t, err)
	require.NoError(t, chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%q).click()`, link))),
		"clicking %s in the side bar", o)
	// The page scrolls there: wait until the heading is drawn near the top.
	_, err = chromedp.Run(ctx, chromedp.Poll[bool](`[...document.querySelectorAll("h1, h2")].some(e =>
		e.innerText.trim() === `+string(heading)+` && Math.abs(e.getBoundingClientRect().top) < 120)`,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(10*time.Second)))
	require.NoError(t, err, "the heading of %s never showed at the top", o)
}

func saveScreenshot(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, shot, 0o644))
	t.Logf("screenshot: %s (%d bytes)", path, len(shot))
}

// assertShown scrolls through the operation's section as a reader does,
// and checks that its visible text holds every one of want.
func assertShown(t *testing.T, ctx context.Context, o specOperation, summaries, want []string) {
	t.Helper()
	args, err := json.Marshal([]any{o.op.Summary, summaries, want})
	require.NoError(t, err)
	call := "window.shown(..." + string(args) + ")"
	_, err = chromedp.Run(ctx, chromedp.Poll[bool]("window.shown(..."+string(args)+").length === 0",
		chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(20*time.Second)))
	if err != nil && !errors.Is(err, chromedp.ErrPollingTimeout) {
		require.NoError(t, err)
	}
	missing, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](call))
	require.NoError(t, err)
	assert.Empty(t, missing, "%s: not shown in its section of the page", o)

}
