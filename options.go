package indexingjobs

import (
	"net/http"
	"time"
)

// Option configures a Client.
type Option func(*config)

type config struct {
	token          string
	baseURL        string
	fromEnv        bool // baseURL came from $DIGITALOCEAN_API_URL
	httpClient     *http.Client
	middleware     []func(http.RoundTripper) http.RoundTripper
	userAgent      string
	maxRetries     int
	retryMin       time.Duration
	retryMax       time.Duration
	maxBody        int64
	maxDownload    int64
	attemptTimeout time.Duration
}

// WithToken sets the API token. Without it, NewClient reads
// $DIGITALOCEAN_ACCESS_TOKEN, dropping the ASCII white space around its
// value (a newline a shell or file left), and nothing else. The token must
// be a bearer token as RFC 6750 writes it: letters, digits, "-", ".", "_",
// "~", "+" and "/", then "=" padding, as DigitalOcean's are (dop_v1_…).
// Otherwise (Unicode white space, an invisible or control character, a
// character outside ASCII) NewClient fails, naming the character's class,
// its code and where it stands, never the token.
func WithToken(token string) Option { return func(c *config) { c.token = token } }

// WithBaseURL sends requests under baseURL instead of
// $DIGITALOCEAN_API_URL or, without it, https://api.digitalocean.com. A
// path prefix is kept
// (https://proxy.example/do → https://proxy.example/do/v2/gen-ai/...). The
// token is only ever sent over https, or over plain http to a loopback
// address (for tests); any other http URL makes NewClient fail. So does a
// URL with a query or fragment; with an "@" anywhere (a user or password
// is never sent, and NewClient's error then does not quote the URL); or
// with a path that requests could not keep as written: a "." or ".."
// segment, or a dot or slash percent-encoded (%2E, %2F).
func WithBaseURL(baseURL string) Option { return func(c *config) { c.baseURL = baseURL } }

// WithHTTPClient sends requests with hc: its Transport, Jar and Timeout are
// used. The client keeps its own copy so it can add its redirect policy
// (no token to another origin); hc itself is not changed. Default: a client
// on a copy of http.DefaultTransport that reads at most 64 KiB of headers
// (a Transport of your own keeps its own bound). Unless hc has a Timeout
// of its own, each attempt is bounded by WithAttemptTimeout.
func WithHTTPClient(hc *http.Client) Option { return func(c *config) { c.httpClient = hc } }

// WithUserAgent puts ua before the default User-Agent,
// "indexingjobs-go/<version>". NewClient fails if ua holds a control
// character, which no request could carry.
func WithUserAgent(ua string) Option { return func(c *config) { c.userAgent = ua } }

// WithMaxRetries sets how many times a failed request is sent again. 0 turns
// retries off; a negative n is taken as 0. Default 3.
func WithMaxRetries(n int) Option {
	return func(c *config) {
		if n < 0 {
			n = 0
		}
		c.maxRetries = n
	}
}

// WithRetryWait sets the wait before the first retry (min) and the most any
// wait may last (max), Retry-After included. Waits double from min to max,
// with jitter. Values ≤ 0 keep the defaults, 0.5s and 8s; a max below min is
// raised to min.
func WithRetryWait(min, max time.Duration) Option {
	return func(c *config) {
		if min > 0 {
			c.retryMin = min
		}
		if max > 0 {
			c.retryMax = max
		}
	}
}

// WithMaxResponseBytes caps how much of a response body is read; a larger
// body is an error. n ≤ 0 keeps the default, 4 MiB (a job is about 2 KiB).
// What decoding an answer may allocate is capped at 16 times n, weighed
// before anything is decoded: an answer of millions of empty objects is
// an error too, not gigabytes of empty jobs.
func WithMaxResponseBytes(n int64) Option {
	return func(c *config) {
		if n > 0 {
			c.maxBody = n
		}
	}
}

// WithAttemptTimeout bounds each attempt, the request and the read of its
// body, separately from the context, which spans all attempts and the waits
// between them. An attempt that times out is retried like a lost
// connection. d ≤ 0 keeps the default, 60s. It is ignored when
// WithHTTPClient gives a client with a Timeout of its own.
func WithAttemptTimeout(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.attemptTimeout = d
		}
	}
}

// WithMaxDownloadBytes caps how many bytes DownloadIndexingJobDetails
// writes; past it the download ends with an error that wraps
// ErrResponseTooLarge, after exactly n bytes were written (none when the
// answer announces a larger length). n ≤ 0 keeps the default,
// DefaultMaxDownloadBytes. The cap counts the bytes written, after Go's
// transport has inflated a gzip answer.
func WithMaxDownloadBytes(n int64) Option {
	return func(c *config) {
		if n > 0 {
			c.maxDownload = n
		}
	}
}

// WithMiddleware wraps the client's own transport (Go's, or the one
// WithHTTPClient gives) in mw, the first given outermost: each sees every
// request the client sends, each time it is sent, the transport's own
// resends and a report's download included, and may log, measure or add
// headers to it. The client keeps its rules around them: requests are
// still counted as they are written, redirects checked, and what is not
// idempotent sent once. A middleware that answers a request without
// sending it on is taken as one that may have sent it. A nil mw is
// skipped.
func WithMiddleware(mw ...func(next http.RoundTripper) http.RoundTripper) Option {
	return func(c *config) {
		for _, m := range mw {
			if m != nil {
				c.middleware = append(c.middleware, m)
			}
		}
	}
}
