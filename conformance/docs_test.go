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
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/internal/gen"
)

const (
	docsPage = "../build/docs/index.html"
	// screenshots is where each operation's section is saved as seen,
	// by its operationId.
	screenshots = "../build/docs/screenshot-%s.png"
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
	require.Len(t, ops, len(gen.Operations), "the spec's operations are gen.Operations")
	byText := func(s string) string { return `//*[normalize-space(text())="` + s + `"]` }
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(page),
		chromedp.WaitVisible(byText(theTag)),
		chromedp.Click(byText(theTag)),
		chromedp.WaitVisible(chromedp.CSS(`a[href$="/`+ops[0].op.OperationID+`"]`)),
		chromedp.Evaluate[chromedp.Void](sectionScript),
	))
	sidebar, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]string](`Object.fromEntries(
		[...document.querySelectorAll('[data-component-name="Menu/MenuItem"] a')].map(a => [a.getAttribute("href"), a.innerText.trim()]))`))
	require.NoError(t, err)
	for _, o := range ops {
		assert.Equal(t, o.op.Summary+"\n"+o.method, sidebar["#/gradientai-platform/"+o.op.OperationID], "side bar entry of %s", o)
	}

	// Then each operation in turn, from its entry in the side bar: what the
	// spec says of it is shown in its section, and its 429 answer, opened,
	// shows that answer's headers.
	var summaries []string
	for _, o := range ops {
		summaries = append(summaries, o.op.Summary)
	}
	for _, o := range ops {
		openOperation(t, ctx, o)
		saveScreenshot(t, ctx, fmt.Sprintf(screenshots, o.op.OperationID))
		assertShown(t, ctx, o, summaries, shownOf(o))

		tabs, err := chromedp.Run(ctx, chromedp.Evaluate[int](`(() => {
			const h = [...document.querySelectorAll("h1, h2")].find(e => e.textContent.trim() === `+jsString(t, o.op.Summary)+`);
			const tabs = [...document.querySelectorAll('button, [role=tab]')].filter(e =>
				e.innerText.trim() === '429' && (h.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_FOLLOWING));
			if (tabs.length) tabs[0].click();
			return tabs.length;
		})()`))
		require.NoError(t, err)
		require.NotZero(t, tabs, "no 429 tab under %s", o)
		headers := keys(o.op.Responses.Value("429").Value.Headers)
		sort.Strings(headers)
		assertShown(t, ctx, o, summaries, headers)
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

// shownOf is what a reader must find in the section of o, all of it
// taken from the spec: its summary, method and path; its answers' codes
// and the headers of its 200 answer; its parameters by where they go and
// their names; its body's fields; the fields of its 200 answer, by the
// names the page gives them ("job.phase", "jobs[].uuid"), three levels
// down.
func shownOf(o specOperation) []string {
	want := []string{o.op.Summary, o.method + "\n" + o.path}
	codes := keys(o.op.Responses.Map())
	sort.Strings(codes)
	want = append(want, codes...)
	ok := o.op.Responses.Value("200").Value
	headers := keys(ok.Headers)
	sort.Strings(headers)
	want = append(want, headers...)
	for _, ref := range append(slices.Clone(o.item.Parameters), o.op.Parameters...) {
		want = append(want, strings.ToUpper(ref.Value.In[:1])+ref.Value.In[1:], ref.Value.Name)
	}
	if body := o.op.RequestBody; body != nil {
		want = append(want, "Body")
		want = append(want, fieldNames("", body.Value.Content.Get(jsonMIMEType).Schema.Value, 1)...)
	}
	return append(want, fieldNames("", ok.Content.Get(jsonMIMEType).Schema.Value, 3)...)
}

// fieldNames lists the fields of s as the page names them, with prefix,
// down to depth levels: an object's fields after a dot, an array's items'
// fields after "[].".
func fieldNames(prefix string, s *openapi3.Schema, depth int) []string {
	names := keys(s.Properties)
	sort.Strings(names)
	var out []string
	for _, name := range names {
		p := s.Properties[name].Value
		out = append(out, prefix+name)
		switch {
		case depth <= 1:
		case p.Type.Is("object"):
			out = append(out, fieldNames(prefix+name+".", p, depth-1)...)
		case p.Type.Is("array") && p.Items != nil && p.Items.Value.Type.Is("object"):
			out = append(out, fieldNames(prefix+name+"[].", p.Items.Value, depth-1)...)
		}
	}
	return out
}

// jsString is s as a JavaScript string literal.
func jsString(t *testing.T, s string) string {
	t.Helper()
	b, err := json.Marshal(s)
	require.NoError(t, err)
	return string(b)
}

// openOperation clicks the operation's entry in the side bar and waits for
// its heading at the top of the view.
func openOperation(t *testing.T, ctx context.Context, o specOperation) {
	t.Helper()
	link := fmt.Sprintf(`a[href$="/%s"]`, o.op.OperationID)
	heading := jsString(t, o.op.Summary)
	require.NoError(t, chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%q).click()`, link))),
		"clicking %s in the side bar", o)
	// The page scrolls there: wait until the heading is drawn near the top.
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](`[...document.querySelectorAll("h1, h2")].some(e =>
		e.innerText.trim() === `+heading+` && Math.abs(e.getBoundingClientRect().top) < 120)`,
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
