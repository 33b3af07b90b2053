package indexingjobs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/gradient-go/indexingjobs/gen"
)

// Version is this library's version, sent in the User-Agent.
const Version = "0.1.0"

const (
	// DefaultBaseURL is DigitalOcean's API.
	DefaultBaseURL = "https://api.digitalocean.com"
	// DefaultMaxResponseBytes caps response bodies.
	DefaultMaxResponseBytes = 4 << 20
	// TokenEnv is the environment variable NewClient reads the token from.
	TokenEnv = "DIGITALOCEAN_ACCESS_TOKEN"

	defaultUserAgent      = "indexingjobs-go/" + Version
	defaultAttemptTimeout = 60 * time.Second
)

// errTokenNotAllowed stops a request that would carry the token somewhere
// it must not go.
var errTokenNotAllowed = errors.New("indexingjobs: refusing to send the token over plain http to a non-loopback host")

// errWrongPath stops a request whose built path is not the one intended.
var errWrongPath = errors.New("indexingjobs: refusing a request to an unexpected path")

// Client calls the indexing-jobs API. It is safe for concurrent use.
type Client struct {
	api      *gen.Client
	basePath string // the base URL's escaped path, which every request path starts with
	// The values of the headers every request carries, made once: the
	// transport only reads them.
	authHeader, uaHeader []string
	maxRetries           int
	retryMin             time.Duration
	retryMax             time.Duration
	maxBody              int64
	// attemptTimeout bounds one request and the read of its body; 0 when
	// the caller's http.Client has a Timeout of its own. timedOut is the
	// cause an attempt ends with then.
	attemptTimeout time.Duration
	timedOut       error

	mu sync.Mutex
	rl RateLimit
}

// NewClient makes a client. Without WithToken it reads the token from
// $DIGITALOCEAN_ACCESS_TOKEN and fails if there is none.
func NewClient(opts ...Option) (*Client, error) {
	cfg := config{
		baseURL:        DefaultBaseURL,
		maxRetries:     DefaultMaxRetries,
		retryMin:       DefaultRetryWaitMin,
		retryMax:       DefaultRetryWaitMax,
		maxBody:        DefaultMaxResponseBytes,
		attemptTimeout: defaultAttemptTimeout,
	}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.token == "" {
		cfg.token = strings.TrimSpace(os.Getenv(TokenEnv))
	}
	if cfg.token == "" {
		return nil, fmt.Errorf("indexingjobs: no API token: pass indexingjobs.WithToken(token) or set $%s", TokenEnv)
	}
	if strings.ContainsAny(cfg.token, "\r\n \t") {
		return nil, errors.New("indexingjobs: the API token contains white space")
	}
	base, err := parseBaseURL(cfg.baseURL)
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
		basePath:   base.EscapedPath(),
		authHeader: []string{"Bearer " + cfg.token}, uaHeader: []string{ua},
		maxRetries: cfg.maxRetries, retryMin: cfg.retryMin, retryMax: cfg.retryMax, maxBody: cfg.maxBody,
	}
	hc := &http.Client{}
	if cfg.httpClient != nil {
		copied := *cfg.httpClient
		hc = &copied
	}
	if hc.Timeout == 0 {
		c.attemptTimeout = cfg.attemptTimeout
		c.timedOut = fmt.Errorf("%w after %s", errAttemptTimeout, cfg.attemptTimeout)
	}
	hc.CheckRedirect = redirectPolicy(hc.CheckRedirect)
	c.api, err = gen.NewClient(base.String(), gen.WithHTTPClient(hc), gen.WithRequestEditorFn(c.authorize))
	if err != nil {
		return nil, fmt.Errorf("indexingjobs: %w", err)
	}
	return c, nil
}

func parseBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("indexingjobs: base URL %q: want an absolute http(s) URL", raw)
	}
	if u.User != nil {
		return nil, errors.New("indexingjobs: base URL must not carry a user or password")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("indexingjobs: base URL %q must not have a query or fragment", u.Redacted())
	}
	if !tokenAllowed(u) {
		return nil, fmt.Errorf("indexingjobs: base URL %q: the token is only sent over https, or http to a loopback address", raw)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// tokenAllowed: https anywhere, plain http only to this machine.
func tokenAllowed(u *url.URL) bool {
	if u.Scheme == "https" {
		return true
	}
	if u.Scheme != "http" {
		return false
	}
	host := u.Hostname()
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// redirectPolicy never forwards the token to another origin (scheme, host
// and port) or over plain http off this machine, then applies the caller's
// own policy, if any.
func redirectPolicy(next func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		first := via[0].URL
		if req.URL.Scheme != first.Scheme || req.URL.Host != first.Host || !tokenAllowed(req.URL) {
			req.Header.Del("Authorization")
		}
		if next != nil {
			return next(req, via)
		}
		return nil
	}
}

// authorize adds the headers of every request. It refuses a URL that the
// token must not go to, whatever built it.
func (c *Client) authorize(_ context.Context, req *http.Request) error {
	if !tokenAllowed(req.URL) {
		return errTokenNotAllowed
	}
	req.Header["Authorization"] = c.authHeader
	req.Header["User-Agent"] = c.uaHeader
	req.Header["Accept"] = acceptJSON
	return nil
}

var acceptJSON = []string{"application/json"}

// ValidateJobID reports whether id can name an indexing job: the canonical
// UUID form, 123e4567-e89b-12d3-a456-426614174000. The error wraps
// ErrInvalidUUID. Every method checks this itself before sending anything;
// call it to check user input early.
func ValidateJobID(id string) error { return checkUUID(id) }

// checkUUID accepts the canonical 8-4-4-4-12 hex form only. Nothing else
// may reach a request path: no "..", "/", "%", spaces or empty ids.
func checkUUID(id string) error {
	if !isUUID(id) {
		return fmt.Errorf("indexingjobs: indexing job id %q: %w (want the form 123e4567-e89b-12d3-a456-426614174000)", truncate(id, 64), ErrInvalidUUID)
	}
	return nil
}

func isUUID(id string) bool {
	if len(id) != 36 {
		return false
	}
	for i := 0; i < len(id); i++ {
		switch c := id[i]; {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return false
			}
		case '0' <= c && c <= '9', 'a' <= c && c <= 'f', 'A' <= c && c <= 'F':
		default:
			return false
		}
	}
	return true
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// CancelIndexingJob asks the API to cancel the indexing job id and returns
// the job as the API answered. The job may reach PhaseCancelled a moment
// later: WaitForIndexingJob follows it. Cancelling is idempotent, so the
// request is retried like a read.
func (c *Client) CancelIndexingJob(ctx context.Context, id string) (*IndexingJob, error) {
	if err := checkUUID(id); err != nil {
		return nil, err
	}
	return callJob(ctx, c, id, "/cancel",
		func(ctx context.Context, check gen.RequestEditorFn) (*http.Response, error) {
			return c.api.GenaiCancelIndexingJob(ctx, id, gen.APICancelKnowledgeBaseIndexingJobInputPublic{Uuid: id}, check)
		},
		func(out *gen.APICancelKnowledgeBaseIndexingJobOutput) *IndexingJob { return &out.Job })
}

// GetIndexingJob returns the indexing job id in its current state.
func (c *Client) GetIndexingJob(ctx context.Context, id string) (*IndexingJob, error) {
	if err := checkUUID(id); err != nil {
		return nil, err
	}
	return callJob(ctx, c, id, "",
		func(ctx context.Context, check gen.RequestEditorFn) (*http.Response, error) {
			return c.api.GenaiGetIndexingJob(ctx, id, check)
		},
		func(out *gen.APIGetKnowledgeBaseIndexingJobOutput) *IndexingJob { return &out.Job })
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

// jobsPath is where the jobs are, below the base URL's path.
const jobsPath = "/v2/gen-ai/indexing_jobs/"

// callJob sends a request for the job id (at jobsPath+id+suffix) until it
// succeeds, fails for good or runs out of retries, and decodes a 2xx body
// into the envelope T, from which job takes the job. It is the one place
// where responses are read and classified.
func callJob[T any](ctx context.Context, c *Client, id, suffix string,
	send func(context.Context, gen.RequestEditorFn) (*http.Response, error), job func(*T) *IndexingJob) (*IndexingJob, error) {
	check := func(_ context.Context, req *http.Request) error {
		if p := req.URL.EscapedPath(); !isPath(p, c.basePath, jobsPath, id, suffix) {
			return fmt.Errorf("%w: %q, not %q", errWrongPath, p, c.basePath+jobsPath+id+suffix)
		}
		return nil
	}
	for attempt := 1; ; attempt++ {
		retry := attempt <= c.maxRetries
		resp, body, err := c.attempt(ctx, send, check)
		if resp == nil { // no answer: the request may not have been sent or seen
			if retry && retryableError(ctx, err) && sleep(ctx, backoff(attempt, c.retryMin, c.retryMax)) {
				continue
			}
			return nil, fmt.Errorf("indexingjobs: %w (%d %s)", err, attempt, plural(attempt, "attempt"))
		}
		c.noteRateLimit(resp.Header)
		ok := resp.StatusCode >= 200 && resp.StatusCode <= 299
		tooLarge := errors.Is(err, ErrResponseTooLarge)
		if tooLarge && ok {
			return nil, fmt.Errorf("indexingjobs: %s: %w (more than %d bytes)", exchange(resp), err, c.maxBody)
		}
		if tooLarge { // an error all the same; its body is not worth reading
			err = nil
		}
		if err != nil { // the connection broke mid-body; the request is safe to repeat
			if retry && retryableError(ctx, err) && sleep(ctx, backoff(attempt, c.retryMin, c.retryMax)) {
				continue
			}
			return nil, fmt.Errorf("indexingjobs: %s: reading the body: %w (%d %s)", exchange(resp), err, attempt, plural(attempt, "attempt"))
		}
		if ok {
			var out T
			if err := json.Unmarshal(body, &out); err != nil {
				return nil, fmt.Errorf("indexingjobs: %s, but the body is not an indexing job: %w", exchange(resp), err)
			}
			j := job(&out)
			if j.Uuid == "" { // a job without its id is no job
				return nil, fmt.Errorf("indexingjobs: %s, but the body has no job: %s", exchange(resp), snippet(body))
			}
			return j, nil
		}
		if retry && retryableStatus(resp.StatusCode) {
			wait := backoff(attempt, c.retryMin, c.retryMax)
			if ra, ok := retryAfter(resp.Header, time.Now()); ok {
				wait = min(ra, c.retryMax)
			}
			if sleep(ctx, wait) {
				continue
			}
		}
		apiErr := newAPIError(resp, body, attempt)
		if tooLarge {
			apiErr.Message = fmt.Sprintf("(a body of more than %d bytes, not read)", c.maxBody)
			apiErr.cause = ErrResponseTooLarge
		}
		return nil, apiErr
	}
}

// errAttemptTimeout ends an attempt that outlasts WithAttemptTimeout.
var errAttemptTimeout = errors.New("the attempt timed out")

// attempt sends one request and reads its body, within the attempt timeout.
// resp is nil when no answer came; err is then why.
func (c *Client) attempt(ctx context.Context, send func(context.Context, gen.RequestEditorFn) (*http.Response, error),
	check gen.RequestEditorFn) (*http.Response, []byte, error) {
	actx := ctx
	if c.attemptTimeout > 0 {
		var cancel context.CancelFunc
		actx, cancel = context.WithTimeoutCause(ctx, c.attemptTimeout, c.timedOut)
		defer cancel()
	}
	resp, err := send(actx, check)
	if err != nil {
		return nil, nil, c.attemptError(ctx, actx, err)
	}
	body, err := readBody(resp, c.maxBody)
	if err != nil {
		err = c.attemptError(ctx, actx, err)
	}
	return resp, body, err
}

// attemptError names the attempt timeout when it, not the caller's
// context, ended the attempt and err does not say so already.
func (c *Client) attemptError(ctx, actx context.Context, err error) error {
	if ctx.Err() == nil && c.timedOut != nil && context.Cause(actx) == c.timedOut && !errors.Is(err, errAttemptTimeout) {
		return fmt.Errorf("%w: %w", c.timedOut, err)
	}
	return err
}

// isPath reports whether p is the concatenation of parts, without building it.
func isPath(p string, parts ...string) bool {
	for _, part := range parts {
		rest, ok := strings.CutPrefix(p, part)
		if !ok {
			return false
		}
		p = rest
	}
	return p == ""
}

// ErrResponseTooLarge is wrapped by the error for a body over the cap set
// by WithMaxResponseBytes.
var ErrResponseTooLarge = errors.New("response body too large")

// readBody reads at most max bytes and always closes the body. A body of
// known length is read into one buffer of that size.
func readBody(resp *http.Response, max int64) ([]byte, error) {
	defer resp.Body.Close()
	if resp.ContentLength > max {
		return nil, ErrResponseTooLarge
	}
	if resp.ContentLength >= 0 {
		body := make([]byte, resp.ContentLength)
		if _, err := io.ReadFull(resp.Body, body); err != nil {
			return nil, err
		}
		return body, nil
	}
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, err
	}
	if n > max {
		return nil, ErrResponseTooLarge
	}
	return buf.Bytes(), nil
}

// exchange names a response in errors: "PUT https://…/cancel: 200 OK".
func exchange(resp *http.Response) string {
	return resp.Request.Method + " " + resp.Request.URL.Redacted() + ": " + resp.Status
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
