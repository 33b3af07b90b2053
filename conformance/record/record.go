// Package record writes the cassettes of testdata/cassettes, one request
// and its answer each, in one of two ways:
//
//   - Capture, from the fake API (indexingjobstest) on a clock that stands
//     still, stocked with optest.Canonical: the success of every operation
//     of optest.Rows, named for it (Row.Cassette), and the error answers of
//     ErrorsOf, named <its cassette>_<answer>: a wrong token (401), an
//     unknown id (404), and injected faults (429, 500, 502). Capturing
//     twice writes the same bytes.
//   - Record, from the live API with a token: the success of every
//     read-only operation (GET) on the account's own jobs, the 401 and 404
//     of ErrorsOf (they change nothing), and, only when given a job to
//     cancel, the cancel and a read of the job once cancelled. Operations
//     that would change the account otherwise (a start, making or deleting
//     a schedule) are not recorded, nor a read of what the account lacks
//     (a knowledge base without a schedule answers 404).
//
// Both make each request with the root client, through a go-vcr recorder,
// so that a cassette holds what the client sends. Before a cassette is
// written it is scrubbed: the Authorization header, cookies and every
// response header the client does not read are dropped, the token is
// replaced wherever it appears, the signature and credential of a signed
// URL (a report's or an upload's) and the keys of a data source in a body
// become REDACTED, every UUID that is not a fixed one (the fixture's,
// optest.Unknown) gets a placeholder, the same for the same UUID, and the
// fake's loopback listeners become fixed https origins. A file that still
// holds the token is removed.
package record

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"
	"gopkg.in/dnaeon/go-vcr.v4/pkg/recorder"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/indexingjobstest"
	"github.com/gradient-go/indexingjobs/internal/gen"
	"github.com/gradient-go/indexingjobs/internal/optest"
)

// ErrorsOf is the operation whose error answers are captured: the cancel,
// whose errors the root package's tests read.
var ErrorsOf = &gen.GenaiCancelIndexingJobOperation

// An answer is one answer of a row's call to record, of status: its
// success (no name), or an error answer, in the cassette named
// <the row's cassette>_<name>.
type answer struct {
	name   string
	status int
	// wrongToken sends the call with a token the server refuses; unknown
	// names optest.Unknown instead of the fixture's id; fault is queued
	// on the fake before the call.
	wrongToken, unknown bool
	fault               func() indexingjobstest.Fault
}

// errorAnswers are the error answers recorded of ErrorsOf.
var errorAnswers = []answer{
	{name: "unauthorized", status: http.StatusUnauthorized, wrongToken: true},
	{name: "not_found", status: http.StatusNotFound, unknown: true},
	{name: "rate_limited", status: http.StatusTooManyRequests, fault: func() indexingjobstest.Fault { return indexingjobstest.RateLimited(30 * time.Second) }},
	{name: "server_error", status: http.StatusInternalServerError, fault: indexingjobstest.ServerError},
	{name: "bad_gateway", status: http.StatusBadGateway, fault: indexingjobstest.BadGateway},
}

// The fixed origins the fake's listeners are written as: the API's own,
// and a storage host for the reports' signed URLs.
const (
	apiOrigin     = "https://api.digitalocean.com"
	storageOrigin = "https://genai-reports.example-storage.com"
	// wrongToken is the token of the 401 answers.
	wrongToken = "dop_v1_0000000000000000000000000000000000000000000000000000000000000000"
)

// Capture writes the fake's cassettes into dir, each from a new fake, and
// returns their names, in the order of optest.Rows.
func Capture(ctx context.Context, dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var names []string
	for _, row := range optest.Rows {
		takes := []answer{{status: http.StatusOK}}
		if row.Op == ErrorsOf {
			takes = append(takes, errorAnswers...)
		}
		for _, a := range takes {
			name, err := captureOne(ctx, dir, row, a)
			if err != nil {
				return names, err
			}
			names = append(names, name)
		}
	}
	return names, nil
}

func captureOne(ctx context.Context, dir string, row optest.Row, a answer) (string, error) {
	f := optest.Canonical
	srv := indexingjobstest.NewServer(indexingjobstest.WithClock(func() time.Time { return f.At }))
	defer srv.Close()
	optest.Stock(srv, f)
	s := newScrubber(srv.Token(), append(f.All(), optest.Unknown), srv.URL+"/", apiOrigin+"/", srv.StorageURL()+"/", storageOrigin+"/")
	if a.fault != nil {
		srv.InjectFaults(1, a.fault())
	}
	return s.take(ctx, dir, srv.URL, row, f.Of(row.On), a)
}

// take records into dir the answer a of row's call on ids, through the API
// at base, as the cassette of that answer, whose name it returns.
func (s *scrubber) take(ctx context.Context, dir, base string, row optest.Row, ids []string, a answer) (string, error) {
	name, token := row.Cassette(), s.token
	if a.name != "" {
		name += "_" + a.name
	}
	if a.wrongToken {
		token = wrongToken
	}
	if a.unknown {
		ids = []string{optest.Unknown}
	}
	return name, s.one(ctx, filepath.Join(dir, name), base, token, a.status, func(c *indexingjobs.Client) error {
		return row.Call(ctx, c, ids...)
	})
}

// Config says where to record from and to.
type Config struct {
	BaseURL string // e.g. https://api.digitalocean.com
	Token   string
	// JobUUID is a pending or running job to cancel; without one, the
	// cancel's success is not recorded.
	JobUUID string
	Dir     string // where the cassettes go
	// Transport carries the requests; nil means http.DefaultTransport.
	Transport http.RoundTripper
	// PollInterval is the wait between reads of the job while the cancel
	// takes effect, and PollTimeout bounds that wait. Zero means 2s and 2m.
	PollInterval, PollTimeout time.Duration
}

// Result names the cassettes Record wrote, and why it wrote no others.
type Result struct {
	Written []string
	Skipped []string // "<cassette>: <why>"
}

// Record records from the live API what it can without changing the
// account, and the cancel of cfg.JobUUID if given (see the package
// comment). The reads while waiting for the cancel are not recorded.
func Record(ctx context.Context, cfg Config) (Result, error) {
	var res Result
	if cfg.Token == "" || cfg.BaseURL == "" || cfg.Dir == "" {
		return res, errors.New("record: BaseURL, Token and Dir are all required")
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
		return res, err
	}
	s := newScrubber(cfg.Token, []string{optest.Unknown})
	s.transport = cfg.Transport
	live, err := s.client(cfg.BaseURL, cfg.Token, cfg.Transport)
	if err != nil {
		return res, err
	}
	take := func(row optest.Row, ids []string, a answer) error {
		name, err := s.take(ctx, cfg.Dir, cfg.BaseURL, row, ids, a)
		if err == nil {
			res.Written = append(res.Written, name)
		}
		return err
	}
	cancel, _ := optest.Of(ErrorsOf.ID)

	// The fixture, of the account's own jobs.
	var f optest.Fixture
	if id := cfg.JobUUID; id != "" {
		job, err := live.GetIndexingJob(ctx, id)
		if err != nil {
			return res, fmt.Errorf("record: %w", err)
		}
		if job.Phase.Terminal() {
			return res, fmt.Errorf("record: job %s has already ended in %s; point the recorder at a pending or running job", id, job.Phase)
		}
		if err := take(cancel, []string{id}, answer{status: http.StatusOK}); err != nil {
			return res, err
		}
		wctx, stop := context.WithTimeout(ctx, cfg.PollTimeout)
		defer stop()
		job, err = live.WaitForIndexingJob(wctx, id,
			indexingjobs.WithPollInterval(cfg.PollInterval), indexingjobs.WithMaxPollInterval(cfg.PollInterval))
		if err != nil {
			return res, fmt.Errorf("record: waiting for the cancel to take effect: %w", err)
		}
		if job.Phase != indexingjobs.PhaseCancelled {
			return res, fmt.Errorf("record: job %s ended in %s, not cancelled; record again with another job", id, job.Phase)
		}
		f.RunningJob, f.KnowledgeBase = id, job.KnowledgeBaseUUID
	}
	page, err := live.ListIndexingJobsPage(ctx, 1, indexingjobs.MaxPerPage)
	if err != nil {
		return res, fmt.Errorf("record: looking for a finished job: %w", err)
	}
	for _, job := range page.Jobs {
		if job.Phase == indexingjobs.PhaseSucceeded && job.IsReportAvailable {
			f.FinishedJob = job.UUID
			f.KnowledgeBase = cmp.Or(f.KnowledgeBase, job.KnowledgeBaseUUID)
			break
		}
	}
	f.RunningJob = cmp.Or(f.RunningJob, f.FinishedJob) // read, not cancelled

	for _, row := range optest.Rows {
		ids := f.Of(row.On)
		switch {
		case row.Op.Method != http.MethodGet:
			if row.Op != ErrorsOf || cfg.JobUUID == "" {
				res.Skipped = append(res.Skipped, row.Cassette()+": it would change the account")
			}
		case slices.Contains(ids, ""):
			res.Skipped = append(res.Skipped, fmt.Sprintf("%s: the account has no %s to read (among its first %d jobs)", row.Cassette(), row.On, indexingjobs.MaxPerPage))
		default:
			err := take(row, ids, answer{status: http.StatusOK})
			if indexingjobs.IsNotFound(err) { // a knowledge base without a schedule, say
				res.Skipped = append(res.Skipped, fmt.Sprintf("%s: the account's %s has none (404)", row.Cassette(), row.On))
				continue
			}
			if err != nil {
				return res, err
			}
		}
	}
	for _, a := range errorAnswers {
		if a.fault != nil {
			continue // the live API sends these only when it must
		}
		if err := take(cancel, []string{optest.Unknown}, a); err != nil {
			return res, err
		}
	}
	return res, nil
}

// client is the root client on base with token, sending through
// transport, each request once: a retry would be a second interaction.
func (s *scrubber) client(base, token string, transport http.RoundTripper) (*indexingjobs.Client, error) {
	c, err := indexingjobs.NewClient(indexingjobs.WithBaseURL(base), indexingjobs.WithToken(token),
		indexingjobs.WithMaxRetries(0), indexingjobs.WithHTTPClient(&http.Client{Transport: transport}))
	if err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	return c, nil
}

// one records a single interaction at path (without ".yaml"): the request
// call makes with a client of base whose transport is the recorder, and
// an answer of status want. A cassette with another answer is removed.
func (s *scrubber) one(ctx context.Context, path, base, token string, want int, call func(*indexingjobs.Client) error) error {
	name := filepath.Base(path)
	_ = os.Remove(path + ".yaml") // ModeRecordOnly appends to an existing cassette
	rec, err := recorder.New(path,
		recorder.WithMode(recorder.ModeRecordOnly),
		recorder.WithRealTransport(wholeBody{s.transport}),
		recorder.WithSkipRequestLatency(true),
		recorder.WithHook(s.scrub, recorder.BeforeSaveHook),
	)
	if err != nil {
		return err
	}
	c, err := s.client(base, token, rec)
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

// wholeBody reads a request's body whole before sending it on. The
// recorder keeps what is read of the body as the transport sends it, and
// a server that answers before reading it (a 401 refuses the body unread)
// would leave the cassette without it, or with part of it, by chance.
type wholeBody struct{ next http.RoundTripper }

func (w wholeBody) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return w.next.RoundTrip(r)
	}
	b, err := io.ReadAll(r.Body)
	r.Body.Close()
	if err != nil {
		return nil, err
	}
	r = r.Clone(r.Context())
	r.Body = io.NopCloser(bytes.NewReader(b))
	return w.next.RoundTrip(r)
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

// keptHeaders are the response headers a cassette keeps; the rest (cookies,
// dates, CDN and tracing headers) say nothing the client reads.
var keptHeaders = []string{"Content-Type", "Content-Length", "Ratelimit-Limit", "Ratelimit-Remaining", "Ratelimit-Reset", "Retry-After", "X-Request-Id"}

// keptRequestHeaders are the request headers a cassette keeps. Authorization
// is never among them.
var keptRequestHeaders = []string{"Accept", "Content-Type", "User-Agent"}

var (
	uuidPattern = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`)
	// signedParam is a query parameter of a signed URL that is a
	// credential: its signature, the key it was made with, a session
	// token. It may follow a JSON-escaped "&".
	signedParam = regexp.MustCompile(`(?i)((?:[?&]|\\u0026)(?:x-amz-)?(?:signature|credential|security-token)=)[^&"\\\s]*`)
	// secretMember is a member of a JSON body that holds a credential: an
	// S3 data source's key and secret (aws_data_source), a Google Drive or
	// Dropbox token. The API never sends them back, but a request to add
	// such a data source carries them.
	secretMember = regexp.MustCompile(`("(?:key_id|secret_key|refresh_token)"\s*:\s*")(?:[^"\\]|\\.)*"`)
)

// scrubber replaces the token, the origins named in replace, signatures,
// and every UUID not kept, by fixed placeholders. A UUID gets the same
// placeholder in every cassette the scrubber writes, so that two
// cassettes of one job still name the same job.
type scrubber struct {
	token     string
	keep      map[string]bool
	replace   *strings.Replacer
	transport http.RoundTripper
	mu        sync.Mutex
	names     map[string]string
}

// newScrubber scrubs token, keeps the UUIDs of keep, and replaces the
// origins of replace, given as pairs old, new, each ending in "/" so that
// no origin is taken for the start of a longer one.
func newScrubber(token string, keep []string, replace ...string) *scrubber {
	s := &scrubber{token: token, keep: map[string]bool{}, names: map[string]string{},
		replace: strings.NewReplacer(replace...), transport: http.DefaultTransport}
	for _, id := range keep {
		s.keep[strings.ToLower(id)] = true
	}
	return s
}

func (s *scrubber) placeholder(real string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := strings.ToLower(real)
	if s.keep[key] {
		return real
	}
	if p, ok := s.names[key]; ok {
		return p
	}
	p := fmt.Sprintf("00000000-0000-4000-8000-%012d", len(s.names)+1)
	s.names[key] = p
	return p
}

func (s *scrubber) text(v string) string {
	v = strings.ReplaceAll(v, s.token, "REDACTED")
	v = s.replace.Replace(v)
	v = signedParam.ReplaceAllString(v, "${1}REDACTED")
	v = secretMember.ReplaceAllString(v, `${1}REDACTED"`)
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
	if u, err := url.Parse(i.Request.URL); err == nil {
		i.Request.Host = u.Host
	}
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
