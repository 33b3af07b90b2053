// Package indexingjobstest runs a fake of the indexing-jobs API for tests,
// the way net/http/httptest runs a real HTTP server on loopback.
//
//	srv := indexingjobstest.NewServer(indexingjobstest.WithJobDuration(300 * time.Millisecond))
//	defer srv.Close()
//	kb := srv.AddKnowledgeBase(indexingjobstest.NewKnowledgeBase(2))
//	client, _ := srv.NewClient()
//	job, err := client.StartIndexingJob(ctx, kb)
//	job, err = client.WaitForIndexingJob(ctx, job.UUID)
//
// It serves every operation of openapi.yaml. Its HTTP layer is the
// server interface oapi-codegen generates from the spec (package gen), so
// requests are routed and responses are written as the spec says, and each
// operation is one method of that interface; the conformance tests check
// its answers against the spec.
//
// What the API does to every request is middleware in front of the
// generated layer, the same for every operation: requests are counted
// (Requests), the hourly budget of their token is spent and reported in
// the ratelimit-* headers, every answer gets an x-request-id, queued faults are served
// (InjectFaults: 429, 500, a proxy's 502 page, slow answers), the bearer
// token is checked before any byte of the body is read, and bodies are
// capped at 4 MiB. Errors come in the API's error body.
//
// The fake keeps knowledge bases (AddKnowledgeBase, or created through the
// API, their database CREATING for WithDatabaseDelay, then ONLINE with a
// first job of their data sources) and jobs (AddJob, or started through
// the API). It lists three embedding models (EmbeddingModel is the first),
// signs upload URLs on its storage listener that take one PUT of the size
// announced (Uploaded), and refuses a file data source that names no
// object uploaded whole. A started job moves from pending to running to
// its outcome over WithJobDuration, its data sources indexed one after
// another with their counts growing; it changes only when it is read, on
// the clock, with no goroutine of its own. A cancel moves a pending or
// running job to PhaseCancelled, where it stays. Lists hold all jobs,
// newest first (then by uuid), in pages of per_page (default 20, at most
// 200) with absolute links on URL, or a knowledge base's latest 15. A
// job's detailed report is served from a second loopback listener
// (StorageURL), another origin, through URLs that the fake signs and that
// must be fetched without the token.
//
// Close ends everything in a bounded time (about a second), whatever the
// clients do.
package indexingjobstest

import (
	"context"
	"crypto/rand"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/gradient-go/indexingjobs"
)

// DefaultToken is the bearer token a Server accepts unless WithToken says
// otherwise.
const DefaultToken = "indexingjobstest-token"

// RateLimitPerHour is the request budget the fake reports, as the API does
// for a token. Past it, requests get 429 until the hour is over. The
// server's token has this budget; requests without it share another of
// the same size.
const RateLimitPerHour = 5000

// DefaultJobDuration is how long a started job takes, from its start to its
// outcome, unless WithJobDuration says otherwise.
const DefaultJobDuration = 5 * time.Second

// The timeouts of both listeners, those a real server sets, so that a
// client that stalls cannot hold a connection for ever; and how long Close
// lets requests in flight finish before it closes their connections.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	idleTimeout       = 2 * time.Minute
	closeGrace        = 500 * time.Millisecond
)

// Server is a fake indexing-jobs API on a loopback address. It is safe for
// concurrent use.
type Server struct {
	// URL is the base URL of the fake, http://127.0.0.1:port, to pass to
	// indexingjobs.WithBaseURL.
	URL string

	api, storage *httptest.Server
	storageURL   string
	listener     net.Listener
	token        string
	cancelDelay  time.Duration
	jobDuration  time.Duration
	outcome      indexingjobs.Phase
	// databaseDelay is how long a knowledge base created through the API
	// waits for its database.
	databaseDelay time.Duration
	now           func() time.Time
	secret        [32]byte      // signs the report URLs
	closing       chan struct{} // closed when Close starts: delays end
	closeOnce     sync.Once
	spaces        spaces // the fake's Spaces (spaces.go), started on first use
	// spacesSeen is what each Spaces data source's last job found, by
	// lower-case data source uuid: object keys and their ETags.
	spacesSeen map[string]map[string]string

	mu              sync.Mutex
	jobs            map[string]*record // by lower-case uuid
	knowledgeBases  map[string]KnowledgeBase
	schedules       map[string]indexingjobs.IndexingSchedule // by lower-case knowledge base uuid
	uploads         map[string]*upload                       // by object key
	faults          []Fault
	requests        int
	storageRequests int
	// The rate limit's sliding windows: of the requests with the server's
	// token, and of all others (budget).
	window, othersWindow rateWindow
}

// Option configures a Server.
type Option func(*Server)

// WithToken sets the bearer token the server accepts. Default DefaultToken.
func WithToken(token string) Option { return func(s *Server) { s.token = token } }

// WithCancelDelay makes a cancel take effect d after it is asked for: the
// cancel answers with the job still pending or running, and reads show
// PhaseCancelled once d has passed. Default 0: at once.
func WithCancelDelay(d time.Duration) Option { return func(s *Server) { s.cancelDelay = d } }

// WithJobDuration sets how long a job started through the API takes from
// its start to its outcome: pending for the first fifth, then running, its
// data sources indexed one after another in equal shares of the rest.
// Default DefaultJobDuration, 5s. 0 or less: the first read after the start
// shows the outcome.
func WithJobDuration(d time.Duration) Option { return func(s *Server) { s.jobDuration = d } }

// WithJobOutcome sets the phase jobs started through the API end in:
// PhaseSucceeded (the default), PhaseFailed or PhaseError (the last data
// source fails, with an error message; the job's status is
// StatusFailed), or PhaseCancelled (as if cancelled at the end). NewServer
// panics on any other phase.
func WithJobOutcome(p indexingjobs.Phase) Option { return func(s *Server) { s.outcome = p } }

// WithClock makes the server read the time from now instead of
// time.Now: the progress of started jobs, when a delayed cancel takes
// effect, the rate-limit window and its ratelimit-reset header, the times
// a start or a cancel writes into a job, and the expiry of report URLs.
// A clock that stands still gives the same answers to the same requests,
// as the cassettes captured from the fake need. Waits (Delay, Close's
// grace) still take real time, and NewJob still stamps jobs with
// time.Now. Default time.Now; nil means time.Now.
func WithClock(now func() time.Time) Option {
	return func(s *Server) {
		if now != nil {
			s.now = now
		}
	}
}

// WithListener serves the API on l, for instance one on a fixed port,
// instead of a new listener on a random loopback port. Close closes l. The
// reports are still served on a listener of their own (StorageURL).
func WithListener(l net.Listener) Option { return func(s *Server) { s.listener = l } }

// NewServer starts a fake API, and the storage host of its reports, on
// loopback. Close it when done.
func NewServer(opts ...Option) *Server {
	s := newServer(opts...)
	if !s.outcome.Terminal() {
		panic(fmt.Sprintf("indexingjobstest: WithJobOutcome(%s): want a terminal phase", s.outcome))
	}
	s.api, s.storage = unstarted(s.Handler(), s.listener), unstarted(s.storageHandler(), nil)
	// Known before the first request, which may come as soon as they start.
	s.URL = "http://" + s.api.Listener.Addr().String()
	s.storageURL = "http://" + s.storage.Listener.Addr().String()
	s.api.Start()
	s.storage.Start()
	return s
}

func newServer(opts ...Option) *Server {
	s := &Server{
		token: DefaultToken, jobDuration: DefaultJobDuration, outcome: indexingjobs.PhaseSucceeded,
		databaseDelay: DefaultDatabaseDelay, now: time.Now, closing: make(chan struct{}),
		jobs: map[string]*record{}, knowledgeBases: map[string]KnowledgeBase{},
		schedules: map[string]indexingjobs.IndexingSchedule{}, uploads: map[string]*upload{},
	}
	for _, o := range opts {
		o(s)
	}
	_, _ = rand.Read(s.secret[:]) // never fails
	return s
}

// unstarted is a server of h on l, or on a new loopback listener if l is
// nil, with the timeouts of a real server.
func unstarted(h http.Handler, l net.Listener) *httptest.Server {
	srv := httptest.NewUnstartedServer(h)
	if l != nil {
		srv.Listener.Close()
		srv.Listener = l
	}
	srv.Config.ReadHeaderTimeout = readHeaderTimeout
	srv.Config.ReadTimeout = readTimeout
	srv.Config.IdleTimeout = idleTimeout
	return srv
}

// Close shuts both listeners down. Requests in flight get a moment
// (500ms) to finish, delayed ones answered at once; then their connections
// are closed, whatever their clients are doing, so Close returns within
// about a second.
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.closing) })
	ctx, cancel := context.WithTimeout(context.Background(), closeGrace)
	defer cancel()
	for _, srv := range []*httptest.Server{s.api, s.storage} {
		if srv == nil {
			continue
		}
		if err := srv.Config.Shutdown(ctx); err != nil {
			srv.Config.Close() // still busy: end its connections
		}
		srv.Close() // waits for their goroutines
	}
	s.closeSpaces()
}

// Token returns the bearer token the server accepts.
func (s *Server) Token() string { return s.token }

// StorageURL returns the base URL of the second listener, another origin
// (another port), that serves the reports the details operation links to:
// GET /reports/{job}.json?expires={unix}&signature={hex}, valid for 15
// minutes and signed with HMAC-SHA256 under a secret of this server. It
// answers 403 to a request with an Authorization header, whatever its
// value, and to a signature that is missing, wrong or expired; 404 for an
// unknown job; else 200 with the job as it is then, in JSON:
//
//	{"uuid": …, "knowledge_base_uuid": …, "phase": …, "status": …,
//	 "data_sources": [the job's data_source_jobs]}
//
// The storage listener takes no faults, wants no token, and counts its
// requests apart (StorageRequests).
func (s *Server) StorageURL() string { return s.storageURL }

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

// Requests returns how many requests the API listener (or Handler) has
// answered, faults and errors included.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// StorageRequests returns how many requests the storage listener has
// answered, refusals included.
func (s *Server) StorageRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.storageRequests
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
