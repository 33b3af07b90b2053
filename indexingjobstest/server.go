// Package indexingjobstest runs a fake of the indexing-jobs API for tests,
// the way net/http/httptest runs a real HTTP server on loopback.
//
//	srv := indexingjobstest.NewServer()
//	defer srv.Close()
//	id := srv.AddJob(indexingjobstest.NewJob(indexingjobs.PhaseRunning))
//	client, _ := srv.NewClient()
//	job, err := client.CancelIndexingJob(ctx, id)
//
// Its HTTP layer is the server interface oapi-codegen generates from
// openapi.yaml (package gen), so requests are routed and responses are
// written as the spec says; the conformance tests check its answers against
// the spec. Like the API it wants a bearer token, answers 404 for unknown
// jobs, sends rate-limit headers and an x-request-id with every response,
// and moves a pending or running job to PhaseCancelled on cancel. Faults
// (429, 500, a proxy's 502 page, slow answers) can be queued for the next
// requests to test how code under test copes.
package indexingjobstest

import (
	"context"
	"crypto/rand"
	"fmt"
	"net"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gradient-go/indexingjobs"
)

// DefaultToken is the bearer token a Server accepts unless WithToken says
// otherwise.
const DefaultToken = "indexingjobstest-token"

// RateLimitPerHour is the request budget the fake reports, as the API does
// for a token. Past it, requests get 429 until the hour is over.
const RateLimitPerHour = 5000

// Server is a fake indexing-jobs API on a loopback address. It is safe for
// concurrent use.
type Server struct {
	// URL is the base URL of the fake, http://127.0.0.1:port, to pass to
	// indexingjobs.WithBaseURL.
	URL string

	srv         *httptest.Server
	listener    net.Listener
	token       string
	cancelDelay time.Duration
	now         func() time.Time

	mu        sync.Mutex
	jobs      map[string]*record
	faults    []Fault
	requests  int
	remaining int
	reset     time.Time
}

// record is a stored job and, if a cancel is under way, when it takes effect.
type record struct {
	job      indexingjobs.IndexingJob
	cancelAt time.Time
}

// Option configures a Server.
type Option func(*Server)

// WithToken sets the bearer token the server accepts. Default DefaultToken.
func WithToken(token string) Option { return func(s *Server) { s.token = token } }

// WithCancelDelay makes a cancel take effect d after it is asked for: the
// cancel answers with the job still pending or running, and reads show
// PhaseCancelled once d has passed. Default 0: at once.
func WithCancelDelay(d time.Duration) Option { return func(s *Server) { s.cancelDelay = d } }

// WithListener serves on l, for instance one on a fixed port, instead of a
// new listener on a random loopback port. Close closes l.
func WithListener(l net.Listener) Option { return func(s *Server) { s.listener = l } }

// NewServer starts a fake API. Close it when done.
func NewServer(opts ...Option) *Server {
	s := newServer(opts...)
	if s.listener == nil {
		s.srv = httptest.NewServer(s.Handler())
	} else {
		s.srv = httptest.NewUnstartedServer(s.Handler())
		s.srv.Listener.Close()
		s.srv.Listener = s.listener
		s.srv.Start()
	}
	s.URL = s.srv.URL
	return s
}

func newServer(opts ...Option) *Server {
	s := &Server{token: DefaultToken, now: time.Now, jobs: map[string]*record{}, remaining: RateLimitPerHour}
	for _, o := range opts {
		o(s)
	}
	s.reset = s.now().Add(time.Hour).Truncate(time.Second)
	return s
}

// Close shuts the server down and waits for requests in flight, delayed
// ones included, to finish.
func (s *Server) Close() { s.srv.Close() }

// Token returns the bearer token the server accepts.
func (s *Server) Token() string { return s.token }

// NewClient returns a client of the root package pointed at the server,
// with its token and short retry waits (1ms, at most 100ms, Retry-After
// included) so that tests of retries stay fast. opts come after these and
// can change them.
func (s *Server) NewClient(opts ...indexingjobs.Option) (*indexingjobs.Client, error) {
	base := []indexingjobs.Option{
		indexingjobs.WithBaseURL(s.URL),
		indexingjobs.WithToken(s.token),
		indexingjobs.WithRetryWait(time.Millisecond, 100*time.Millisecond),
	}
	return indexingjobs.NewClient(append(base, opts...)...)
}

// AddJob stores a copy of job and returns its id. A job without a uuid gets
// a new random one.
func (s *Server) AddJob(job indexingjobs.IndexingJob) string {
	job = clone(job)
	if job.UUID == "" {
		job.UUID = newUUID()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.jobs[strings.ToLower(job.UUID)] = &record{job: job}
	return job.UUID
}

// Job returns a copy of the job id as the API would send it now.
func (s *Server) Job(id string) (indexingjobs.IndexingJob, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.lookup(id)
	if !ok {
		return indexingjobs.IndexingJob{}, false
	}
	return clone(r.job), true
}

// Requests returns how many requests the server has answered, faults and
// errors included.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// lookup finds a job and applies a cancel whose time has come. s.mu is held.
func (s *Server) lookup(id string) (*record, bool) {
	r, ok := s.jobs[strings.ToLower(id)]
	if !ok {
		return nil, false
	}
	if !r.cancelAt.IsZero() && !s.now().Before(r.cancelAt) {
		markCancelled(&r.job, r.cancelAt)
		r.cancelAt = time.Time{}
	}
	return r, true
}

// cancel starts or finishes the cancel of a job. A job already in a
// terminal phase is left as it is: cancelling is idempotent.
func (s *Server) cancel(id string) (indexingjobs.IndexingJob, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.lookup(id)
	if !ok {
		return indexingjobs.IndexingJob{}, false
	}
	if !r.job.Phase.Terminal() && r.cancelAt.IsZero() {
		now := s.now().UTC()
		if s.cancelDelay <= 0 {
			markCancelled(&r.job, now)
		} else {
			r.job.UpdatedAt = now
			r.cancelAt = now.Add(s.cancelDelay)
		}
	}
	return clone(r.job), true
}

func markCancelled(job *indexingjobs.IndexingJob, at time.Time) {
	at = at.UTC()
	job.Phase, job.Status = indexingjobs.PhaseCancelled, indexingjobs.StatusCancelled
	job.FinishedAt, job.UpdatedAt = at, at
	for i := range job.DataSourceJobs {
		ds := &job.DataSourceJobs[i]
		if ds.Status == "" || ds.Status == indexingjobs.DataSourceStatusInProgress {
			ds.Status = indexingjobs.DataSourceStatusCancelled
		}
	}
}

// clone copies a job so that the caller and the server share nothing: its
// only references are its two slices.
func clone(job indexingjobs.IndexingJob) indexingjobs.IndexingJob {
	job.DataSourceUUIDs = slices.Clone(job.DataSourceUUIDs)
	job.DataSourceJobs = slices.Clone(job.DataSourceJobs)
	return job
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
