package indexingjobstest

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gradient-go/indexingjobs/internal/gen"
)

// Handler returns the fake API as an http.Handler, to mount in a server of
// your own. NewServer serves it on loopback. Without NewServer the links of
// list pages are paths, not URLs, and no storage listener serves the
// reports.
//
// Every request, whatever its operation or path, passes the same steps
// before its body is read: it is counted (Requests) and gets an
// x-request-id; it spends one request of the hour's budget of its token,
// reported in the ratelimit-* headers of every answer (429 when none is
// left); the next queued fault, if any, answers it, as a proxy or an
// overloaded API would before looking at the token; without the right
// bearer token it gets 401; a body over 4 MiB gets 413. As the API
// counts per token, the server's token has a budget of its own: requests
// without it (no token, or any wrong one) share another, and cannot spend
// the holder's.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	strict := gen.NewStrictHandlerWithOptions(api{s}, nil, gen.StrictHTTPServerOptions{
		RequestErrorHandlerFunc:  func(w http.ResponseWriter, _ *http.Request, err error) { writeError(w, requestError(err)) },
		ResponseErrorHandlerFunc: func(w http.ResponseWriter, _ *http.Request, err error) { writeError(w, err) },
	})
	gen.HandlerWithOptions(strict, gen.StdHTTPServerOptions{
		BaseRouter:       mux,
		ErrorHandlerFunc: func(w http.ResponseWriter, _ *http.Request, err error) { writeError(w, requestError(err)) },
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { writeError(w, errNotFound) })
	// Each step is a middleware, the same for every operation; each
	// operation is only its method of the generated strict server (api),
	// which returns its 200 answer or an error that writeError answers.
	return chain(mux, s.stamp, s.budget, s.injectFault, s.authorize, capBody)
}

// chain wraps h in middleware, the first outermost.
func chain(h http.Handler, middleware ...func(http.Handler) http.Handler) http.Handler {
	for i := len(middleware) - 1; i >= 0; i-- {
		h = middleware[i](h)
	}
	return h
}

// stamp counts the request and names it with an x-request-id, which the
// error body repeats.
func (s *Server) stamp(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests++
		s.mu.Unlock()
		w.Header().Set("x-request-id", newUUID())
		next.ServeHTTP(w, r)
	})
}

// budget counts the request against its token's budget and reports what
// is left: the server's token has its own, and every request without it
// shares one other, so that memory stays two windows however many wrong
// tokens come. The token is only compared here (authorize refuses it); no
// byte of the body is read. As DigitalOcean describes its limit, the hour
// is a sliding window: each request counts for one hour from when it was
// made, and ratelimit-reset is when the oldest one counted expires. With
// the budget spent it answers 429 until then.
func (s *Server) budget(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		window := &s.othersWindow
		if s.authorized(r) {
			window = &s.window
		}
		now := s.now()
		spent, remaining, reset := window.spend(now)
		s.mu.Unlock()

		h := w.Header()
		h.Set("ratelimit-limit", strconv.Itoa(RateLimitPerHour))
		h.Set("ratelimit-remaining", strconv.Itoa(remaining))
		h.Set("ratelimit-reset", strconv.FormatInt(reset.Unix(), 10))
		if spent {
			writeError(w, errRateLimited(reset.Sub(now)))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// rateWindow holds when each request of the last hour was made, oldest
// first: a sliding window of RateLimitPerHour requests at most.
type rateWindow []time.Time

// spend forgets the requests older than an hour and counts one made at
// now, unless the budget is spent; it reports whether it was, how many
// requests are left, and when the oldest counted expires.
func (w *rateWindow) spend(now time.Time) (spent bool, remaining int, reset time.Time) {
	expired := 0
	for expired < len(*w) && !now.Before((*w)[expired].Add(time.Hour)) {
		expired++
	}
	*w = (*w)[expired:]
	spent = len(*w) >= RateLimitPerHour
	if !spent {
		*w = append(*w, now)
	}
	return spent, RateLimitPerHour - len(*w), (*w)[0].Add(time.Hour)
}

// injectFault answers with the next queued fault, if any. A delay ends
// early when Close starts, and without an answer when the client goes.
func (s *Server) injectFault(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := s.nextFault()
		if ok && f.delay > 0 {
			t := time.NewTimer(f.delay)
			defer t.Stop()
			select {
			case <-t.C:
			case <-r.Context().Done(): // the client has gone
				panic(http.ErrAbortHandler)
			case <-s.closing: // answer now, within Close's grace
			}
		}
		if ok && f.err != nil {
			writeError(w, f.err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// authorize answers 401 unless the request carries the server's bearer
// token, before any of the body is read, and the connection is then
// closed (refuse).
func (s *Server) authorize(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.authorized(r) {
			refuse(w, r, errUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// authorized reports whether r carries the server's bearer token.
func (s *Server) authorized(r *http.Request) bool {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && token == s.token
}

// capBody answers 413 to a body announced larger than maxBody, and limits
// the reading of any other: the generated layer's read fails past it, and
// requestError answers 413.
func capBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > maxBody {
			refuse(w, r, errTooLarge)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		next.ServeHTTP(w, r)
	})
}

// refuse answers err without reading the request's body, and closes the
// connection after the answer if a body may follow, so that it is not
// reused. Once the answer is sent, net/http still drains a body of up to
// 256 KiB (or a chunked one, up to that much) before closing, and closes
// at once when more is announced; the handler never sees what it drains.
// The drain is kept on purpose: a connection closed while the client is
// still sending is reset, and the client may lose the answer (a read
// deadline set here to skip the drain made Go's client fail 1 in 5 to 1 in 3
// such requests with a broken pipe or reset instead of a 401).
func refuse(w http.ResponseWriter, r *http.Request, err error) {
	if r.ContentLength != 0 {
		w.Header().Set("Connection", "close")
	}
	writeError(w, err)
}
