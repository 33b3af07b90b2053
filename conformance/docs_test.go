package conformance

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
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
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	defer cancelTimeout()

	// As a reader: open the tag in the side bar, then the operation.
	const operation = "Cancel Indexing Job for a Knowledge Base"
	byText := func(s string) string { return `//*[normalize-space(text())="` + s + `"]` }
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(page),
		chromedp.WaitVisible(byText("GradientAI Platform")),
		chromedp.Click(byText("GradientAI Platform")),
		chromedp.WaitVisible(chromedp.CSS(`a[href$="/genai_cancel_indexing_job"]`)),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('a[href$="/genai_cancel_indexing_job"]').click()`),
		chromedp.WaitVisible(`//*[self::h1 or self::h2][normalize-space()="`+operation+`"]`),
	))
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(screenshot, shot, 0o644))
	t.Logf("screenshot: %s (%d bytes)", screenshot, len(shot))

	// Scroll down through the operation as a reader does: the renderer
	// draws a schema's fields when they come into view.
	_, err = chromedp.Run(ctx, chromedp.Poll[bool](`(() => {
		window.scrollBy(0, 300);
		const t = document.body.innerText, at = t.lastIndexOf("`+operation+`\nCopy");
		return at >= 0 && t.slice(at).includes("is_report_available");
	})()`, chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(20*time.Second)))
	require.NoError(t, err, "the fields of the cancel operation's answer never showed")

	// What the operation shows with its first answer, 200, open.
	doc := loadSpec(t)
	fields := keys(doc.Components.Schemas["APIIndexingJob"].Value.Properties)
	require.Len(t, fields, 19)
	assertShown(t, ctx, operation, append([]string{operation, "/v2/gen-ai/indexing_jobs/{uuid}/cancel", "PUT", "Path", "uuid", "Body",
		"BATCH_JOB_PHASE_CANCELLED", "INDEX_JOB_STATUS_CANCELLED", "200", "401", "404", "429", "500", "x-request-id", "ratelimit-remaining"}, fields...))

	// Open the 429 answer, as a reader would, to see its headers.
	tabs, err := chromedp.Run(ctx, chromedp.Evaluate[int](`(() => {
		const h = [...document.querySelectorAll("h1, h2")].find(e => e.innerText.trim() === "`+operation+`");
		const tabs = [...document.querySelectorAll('button, [role=tab]')].filter(e =>
			e.innerText.trim() === '429' && (h.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_FOLLOWING));
		if (tabs.length) tabs[0].click();
		return tabs.length;
	})()`))
	require.NoError(t, err)
	require.NotZero(t, tabs, "no 429 tab under the cancel operation")
	require.NoError(t, chromedp.Do(ctx, chromedp.WaitVisible(`//*[normalize-space(text())="retry-after"]`)))
	assertShown(t, ctx, operation, []string{"retry-after", "too_many_requests"})

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

// assertShown checks that the visible text of the operation's section, from
// its heading to the end of the page (it is the last operation), holds every
// one of want.
func assertShown(t *testing.T, ctx context.Context, operation string, want []string) {
	t.Helper()
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
	require.NoError(t, err)
	at := strings.LastIndex(text, operation+"\nCopy")
	require.GreaterOrEqual(t, at, 0, "the operation's heading is not shown")
	section := text[at:]
	var missing []string
	for _, w := range want {
		if !strings.Contains(section, w) {
			missing = append(missing, w)
		}
	}
	assert.Empty(t, missing, "not shown under the operation; its text begins %.300q", section)
}
