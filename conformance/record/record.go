// Package record re-records the cancel flow's cassettes in
// ../testdata/cassettes (cancel_cancelled, get_cancelled, cancel_not_found,
// cancel_unauthorized) from a live API, so that the tests replay what the
// service really sends. The other cassettes are written by hand (see the
// table in MAINTAINING.md).
//
// It cancels a real indexing job: point it at a job you mean to cancel.
// Before a cassette is written, the token, cookies and every UUID of the
// account (job, knowledge base, data sources, request ids) are replaced by
// fixed placeholders, and the file is checked to hold no trace of the token.
package record

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"
	"gopkg.in/dnaeon/go-vcr.v4/pkg/recorder"

	"github.com/gradient-go/indexingjobs"
)

// Config says where to record from and to.
type Config struct {
	BaseURL string // e.g. https://api.digitalocean.com
	Token   string
	JobUUID string // a pending or running job; it will be cancelled
	Dir     string // where the cassettes go
	// Transport carries the requests; nil means http.DefaultTransport.
	Transport http.RoundTripper
	// PollInterval is the wait between reads of the job while the cancel
	// takes effect, and PollTimeout bounds that wait, before the final GET
	// is recorded. Zero means 2s and 2m.
	PollInterval, PollTimeout time.Duration
}

// Cassettes are the names Record writes, without ".yaml".
var Cassettes = []string{"cancel_cancelled", "get_cancelled", "cancel_not_found", "cancel_unauthorized"}

// keptHeaders are the response headers a cassette keeps; the rest (cookies,
// CDN and tracing headers) say nothing the client reads.
var keptHeaders = []string{"Content-Type", "Content-Length", "Ratelimit-Limit", "Ratelimit-Remaining", "Ratelimit-Reset", "Retry-After", "X-Request-Id"}

// keptRequestHeaders are the request headers a cassette keeps. Authorization
// is never among them.
var keptRequestHeaders = []string{"Accept", "Content-Type", "User-Agent"}

var uuidPattern = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`)

// Record cancels cfg.JobUUID, waits for it to end, and records the cancel,
// the final GET, a cancel of a job that does not exist and a cancel with a
// revoked token. Every request is the root client's own, so the cassettes
// hold what the client sends; the reads while waiting are not recorded.
func Record(ctx context.Context, cfg Config) error {
	if cfg.Token == "" || cfg.JobUUID == "" || cfg.BaseURL == "" || cfg.Dir == "" {
		return errors.New("record: BaseURL, Token, JobUUID and Dir are all required")
	}
	if cfg.Transport == nil {
		cfg.Transport = http.DefaultTransport
	}
	if cfg.PollInterval == 0 {
		cfg.PollInterval = 2 * time.Second
	}
	if cfg.PollTimeout == 0 {
		cfg.PollTimeout = 2 * time.Minute
	}
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return err
	}
	s := &scrubber{token: cfg.Token, names: map[string]string{}}
	id := cfg.JobUUID

	live, err := newClient(cfg, cfg.Token, cfg.Transport)
	if err != nil {
		return err
	}
	job, err := live.GetIndexingJob(ctx, id)
	if err != nil {
		return fmt.Errorf("record: %w", err)
	}
	if job.Phase.Terminal() {
		return fmt.Errorf("record: job %s has already ended in %s; point the recorder at a pending or running job", id, job.Phase)
	}

	if err := s.one(ctx, cfg, "cancel_cancelled", cfg.Token, http.StatusOK, func(c *indexingjobs.Client) error {
		_, err := c.CancelIndexingJob(ctx, id)
		return err
	}); err != nil {
		return err
	}
	wctx, cancel := context.WithTimeout(ctx, cfg.PollTimeout)
	defer cancel()
	job, err = live.WaitForIndexingJob(wctx, id,
		indexingjobs.WithPollInterval(cfg.PollInterval), indexingjobs.WithMaxPollInterval(cfg.PollInterval))
	if err != nil {
		return fmt.Errorf("record: waiting for the cancel to take effect: %w", err)
	}
	if job.Phase != indexingjobs.PhaseCancelled {
		return fmt.Errorf("record: job %s ended in %s, not cancelled; record again with another job", id, job.Phase)
	}
	if err := s.one(ctx, cfg, "get_cancelled", cfg.Token, http.StatusOK, func(c *indexingjobs.Client) error {
		_, err := c.GetIndexingJob(ctx, id)
		return err
	}); err != nil {
		return err
	}
	missing := randomUUID()
	if err := s.one(ctx, cfg, "cancel_not_found", cfg.Token, http.StatusNotFound, func(c *indexingjobs.Client) error {
		_, err := c.CancelIndexingJob(ctx, missing)
		return err
	}); err != nil {
		return err
	}
	return s.one(ctx, cfg, "cancel_unauthorized", "dop_v1_"+strings.Repeat("0", 64), http.StatusUnauthorized, func(c *indexingjobs.Client) error {
		_, err := c.CancelIndexingJob(ctx, id)
		return err
	})
}

// newClient is the root client on cfg.BaseURL with token, sending through
// transport, each request once: a retry would be a second interaction.
func newClient(cfg Config, token string, transport http.RoundTripper) (*indexingjobs.Client, error) {
	c, err := indexingjobs.NewClient(indexingjobs.WithBaseURL(cfg.BaseURL), indexingjobs.WithToken(token),
		indexingjobs.WithMaxRetries(0), indexingjobs.WithHTTPClient(&http.Client{Transport: transport}))
	if err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	return c, nil
}

// one records a single interaction into cassette name: the request call
// makes with a client whose transport is the recorder, and an answer of
// status want. A cassette with another answer is removed.
func (s *scrubber) one(ctx context.Context, cfg Config, name, token string, want int, call func(*indexingjobs.Client) error) error {
	path := filepath.Join(cfg.Dir, name)
	_ = os.Remove(path + ".yaml") // ModeRecordOnly appends to an existing cassette
	rec, err := recorder.New(path,
		recorder.WithMode(recorder.ModeRecordOnly),
		recorder.WithRealTransport(cfg.Transport),
		recorder.WithSkipRequestLatency(true),
		recorder.WithHook(s.scrub, recorder.BeforeSaveHook),
	)
	if err != nil {
		return err
	}
	c, err := newClient(cfg, token, rec)
	if err != nil {
		_ = rec.Stop()
		return err
	}
	err = call(c)
	if stopErr := rec.Stop(); stopErr != nil {
		return fmt.Errorf("record %s: %w", name, stopErr)
	}
	if got := status(err); got != want {
		_ = os.Remove(path + ".yaml")
		if err == nil {
			err = errors.New("no error")
		}
		return fmt.Errorf("record %s: want a %d answer, got %d: %w", name, want, got, err)
	}
	return s.verify(path + ".yaml")
}

// status is the HTTP status of a call's outcome: 200 for success, the
// answer's for an *indexingjobs.APIError, 0 for anything else (no answer,
// or one the client could not read).
func status(err error) int {
	var apiErr *indexingjobs.APIError
	switch {
	case err == nil:
		return http.StatusOK
	case errors.As(err, &apiErr):
		return apiErr.StatusCode
	}
	return 0
}

// scrubber replaces the token and the account's UUIDs. A UUID gets the same
// placeholder in every cassette of one run, so that the cancel and the GET
// still name the same job.
type scrubber struct {
	token string
	mu    sync.Mutex
	names map[string]string
}

func (s *scrubber) placeholder(real string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := strings.ToLower(real)
	if p, ok := s.names[key]; ok {
		return p
	}
	p := fmt.Sprintf("00000000-0000-4000-8000-%012d", len(s.names)+1)
	s.names[key] = p
	return p
}

func (s *scrubber) text(v string) string {
	v = strings.ReplaceAll(v, s.token, "REDACTED")
	return uuidPattern.ReplaceAllStringFunc(v, s.placeholder)
}

func (s *scrubber) headers(h http.Header, keep []string) http.Header {
	out := http.Header{}
	for _, k := range keep {
		for _, v := range h.Values(k) {
			out.Add(k, s.text(v))
		}
	}
	return out
}

func (s *scrubber) scrub(i *cassette.Interaction) error {
	i.Request.Headers = s.headers(i.Request.Headers, keptRequestHeaders)
	i.Request.URL = s.text(i.Request.URL)
	i.Request.RequestURI = s.text(i.Request.RequestURI)
	i.Request.Body = s.text(i.Request.Body)
	i.Request.Form = nil
	i.Request.RemoteAddr = ""
	i.Response.Headers = s.headers(i.Response.Headers, keptHeaders)
	i.Response.Body = s.text(i.Response.Body)
	if i.Response.Headers.Get("Content-Length") != "" {
		i.Response.Headers.Set("Content-Length", fmt.Sprint(len(i.Response.Body)))
	}
	i.Response.ContentLength = int64(len(i.Response.Body))
	i.Request.ContentLength = int64(len(i.Request.Body))
	i.Response.Duration = 0
	return nil
}

// verify refuses a cassette that still holds the token.
func (s *scrubber) verify(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if strings.Contains(string(data), s.token) || strings.Contains(string(data), "Authorization:") {
		_ = os.Remove(path)
		return fmt.Errorf("record: %s still held credentials and was removed", path)
	}
	return nil
}

func randomUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
