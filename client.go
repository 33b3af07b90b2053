package indexingjobs

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/gradient-go/indexingjobs/internal/safetext"
)

// decodeBound times the response bound caps what decoding an answer may
// allocate (64 MiB by default), weighed before anything is decoded: 4 MiB
// of empty objects in a list of jobs would otherwise take 1.9 GB. A page
// of 200 of the recorded jobs weighs 1.4 MiB; of 200 jobs of 55 data
// sources each (3.5 MiB of JSON), 24 MiB
// (TestAFullPageOfEveryListDecodesWithinTheBound); a job of 10,000 data
// sources, as a knowledge base of files uploaded one by one has, 33 MiB
// (TestAJobOfTenThousandDataSourcesDecodesWithinTheBound).
const decodeBound = 16

// maxDecoded caps what decoding an answer may allocate: decodeBound times
// the response bound, or all there is.
func (c *Client) maxDecoded() int64 {
	if c.maxBody > math.MaxInt64/decodeBound {
		return math.MaxInt64
	}
	return decodeBound * c.maxBody
}

// Version is this library's version, sent in the User-Agent.
const Version = "0.2.0"

const (
	// DefaultBaseURL is DigitalOcean's API.
	DefaultBaseURL = "https://api.digitalocean.com"
	// DefaultMaxResponseBytes caps response bodies.
	DefaultMaxResponseBytes = 4 << 20
	// DefaultMaxDownloadBytes caps what DownloadIndexingJobDetails writes:
	// 256 MiB. A report has a line for each file and item a job indexed, a
	// few hundred bytes each, so this holds the report of about a million
	// of them, beyond what a knowledge base holds, while a storage host
	// that sends without end (or a small gzip answer that inflates a
	// thousandfold) fills no disk and no memory.
	DefaultMaxDownloadBytes = 256 << 20
	// TokenEnv is the environment variable NewClient reads the token from.
	TokenEnv = "DIGITALOCEAN_ACCESS_TOKEN"
	// BaseURLEnv is the variable NewClient reads the base URL from when
	// WithBaseURL does not give one (the tool reads it too): a program
	// pointed at a fake once is pointed at it everywhere.
	BaseURLEnv = "DIGITALOCEAN_API_URL"

	defaultUserAgent      = "indexingjobs-go/" + Version
	defaultAttemptTimeout = 60 * time.Second
	// maxHeaderBytes bounds an answer's headers when the client makes its
	// own transport; the API's are well under 2 KiB.
	maxHeaderBytes = 64 << 10
)

// Client calls the indexing-jobs API. It is safe for concurrent use.
type Client struct {
	hc *http.Client
	// Every request to the API goes to the base URL's scheme and host,
	// under its path (basePath, unescaped, without a final slash).
	scheme, host, basePath string
	// The values of the headers every request carries, made once: the
	// transport only reads them.
	authHeader, uaHeader []string
	// secrets are kept out of the server's text in every error: the token.
	secrets     *secrets
	maxRetries  int
	retryMin    time.Duration
	retryMax    time.Duration
	maxBody     int64
	maxDownload int64
	// attemptTimeout bounds one request and the read of its body; 0 when
	// the caller's http.Client has a Timeout of its own. timedOut is the
	// cause an attempt ends with then, stalled that of a download whose
	// body stopped coming for that long.
	attemptTimeout time.Duration
	timedOut       error
	stalled        error
	// traced: the client's own transport is Go's, which reports every
	// write of a request (httptrace.ClientTrace.WroteHeaders); middleware:
	// the caller's middleware wraps it, which may answer a request itself.
	traced, middleware bool

	mu sync.Mutex
	rl RateLimit
}

// NewClient makes a client. Without WithToken it reads the token from
// $DIGITALOCEAN_ACCESS_TOKEN and fails if there is none. Without
// WithBaseURL it sends to $DIGITALOCEAN_API_URL if set, else to
// DefaultBaseURL.
func NewClient(opts ...Option) (*Client, error) {
	cfg := config{
		maxRetries:     DefaultMaxRetries,
		retryMin:       DefaultRetryWaitMin,
		retryMax:       DefaultRetryWaitMax,
		maxBody:        DefaultMaxResponseBytes,
		maxDownload:    DefaultMaxDownloadBytes,
		attemptTimeout: defaultAttemptTimeout,
	}
	for _, o := range opts {
		o(&cfg)
	}
	token, err := resolveToken(cfg.token)
	if err != nil {
		return nil, err
	}
	// Like such a token, a User-Agent with a control character cannot be
	// sent: net/http refuses the header, and every call would fail.
	if strings.ContainsFunc(cfg.userAgent, func(r rune) bool { return (r < ' ' && r != '\t') || r == 0x7f }) {
		return nil, fmt.Errorf("indexingjobs: the User-Agent %q contains a control character", clean(cfg.userAgent, 64))
	}
	if cfg.baseURL == "" {
		cfg.baseURL = os.Getenv(BaseURLEnv)
		if cfg.baseURL != "" {
			cfg.fromEnv = true
		} else {
			cfg.baseURL = DefaultBaseURL
		}
	}
	secrets := newSecrets(token)
	base, err := parseBaseURL(cfg.baseURL, secrets)
	if err != nil && cfg.fromEnv {
		return nil, fmt.Errorf("%w (from $%s)", err, BaseURLEnv)
	}
	if err != nil {
		return nil, err
	}
	if cfg.retryMax < cfg.retryMin {
		cfg.retryMax = cfg.retryMin
	}
	ua := defaultUserAgent
	if cfg.userAgent != "" {
		ua = cfg.userAgent + " " + defaultUserAgent
	}
	c := &Client{
		scheme: base.Scheme, host: base.Host, basePath: base.Path,
		authHeader: []string{"Bearer " + token}, uaHeader: []string{ua}, secrets: secrets,
		maxRetries: cfg.maxRetries, retryMin: cfg.retryMin, retryMax: cfg.retryMax,
		maxBody: cfg.maxBody, maxDownload: cfg.maxDownload,
	}
	hc := &http.Client{}
	if cfg.httpClient != nil {
		copied := *cfg.httpClient
		hc = &copied
	}
	if hc.Transport == nil {
		// http.DefaultTransport's own, but headers bounded like bodies:
		// net/http would read 10 MiB of them, more than the body cap.
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxResponseHeaderBytes = maxHeaderBytes
		hc.Transport = t
	}
	if hc.Timeout == 0 {
		c.attemptTimeout = cfg.attemptTimeout
		c.timedOut = fmt.Errorf("%w after %s", errAttemptTimeout, cfg.attemptTimeout)
		c.stalled = fmt.Errorf("%w: the report stopped coming for %s", errAttemptTimeout, cfg.attemptTimeout)
	}
	// Go's own transport reports each write of a request (httptrace), so
	// a request it never reported written was not; another RoundTripper
	// may deliver a request and report nothing.
	_, c.traced = hc.Transport.(*http.Transport)
	if len(cfg.middleware) > 0 {
		// The caller's middleware wraps the client's own transport, so it
		// sees every send, that transport's resends included; the
		// innermost layer tells a request that reached it from one the
		// middleware answered itself.
		var rt http.RoundTripper = ownTransport{hc.Transport}
		for i := len(cfg.middleware) - 1; i >= 0; i-- {
			rt = cfg.middleware[i](rt)
		}
		hc.Transport, c.middleware = rt, true
	}
	hc.CheckRedirect = c.redirectPolicy(hc.CheckRedirect)
	c.hc = hc
	return c, nil
}

// redirectPolicy decides every redirect of every request, to the API or
// to a report's storage host, then applies the caller's own policy, if
// any. A hop must pass the check the first URL passed (reachable): https,
// or plain http to loopback when the API itself is reached so. It never
// forwards the token to another origin (scheme, host and port), never
// sends a Referer (it would carry a signed URL's signature to the next
// host), never lets a redirect change the method or drop the body (a 301,
// 302 or 303 turns Go's PUT or POST into a GET: a cancel would silently
// become a read), and stops after 10 redirects. Its errors name each URL
// without its query, which may hold a signature.
func (c *Client) redirectPolicy(next func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		first := via[0]
		to := safetext.Line(withoutQuery(req.URL))
		req.Header.Del("Referer")
		if len(via) >= 10 {
			return fmt.Errorf("%w: stopped after 10 redirects, the last to %s", errRedirect, to)
		}
		if !c.reachable(req.URL) {
			return fmt.Errorf("%w: the server redirected %s %s to %s, which is not https", errRedirect, first.Method, withoutQuery(first.URL), to)
		}
		if req.Method != first.Method || (first.Body != nil && first.Body != http.NoBody && req.Body == nil) {
			return fmt.Errorf("%w: the server redirected %s %s to %s, which would make it a %s without its body",
				errRedirect, first.Method, withoutQuery(first.URL), to, req.Method)
		}
		if req.URL.Scheme != first.URL.Scheme || req.URL.Host != first.URL.Host {
			req.Header.Del("Authorization")
		}
		if next != nil {
			if err := next(req, via); err != nil {
				return err
			}
		}
		redirected(req.Context()) // a request of its own, not a resend
		return nil
	}
}

// reachable reports whether a request may go to u at all: https, or plain
// http to a loopback address when the API is reached that way (a test's
// fake), so that a hostile server cannot point the client at this
// machine's plain-http services.
func (c *Client) reachable(u *url.URL) bool {
	return u.User == nil && u.Host != "" && (u.Scheme == "https" || (u.Scheme == "http" && c.scheme == "http" && tokenAllowed(u)))
}

// withoutQuery is a URL fit for an error: no user or password, and no
// query, which may hold a signature (a credential).
func withoutQuery(u *url.URL) string {
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
}

// RateLimit returns the rate limit the last response reported, errors
// included.
func (c *Client) RateLimit() RateLimit {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rl
}

func (c *Client) noteRateLimit(h http.Header) {
	if rl, ok := rateLimitFrom(h); ok {
		c.mu.Lock()
		c.rl = rl
		c.mu.Unlock()
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
