package indexingjobstest

import (
	"time"
)

// Fault is a failure to answer one request with, queued by InjectFaults.
type Fault struct {
	err   *apiError     // nil: answer normally (after delay)
	delay time.Duration // before answering
}

// RateLimited answers 429 with the API's error body and a Retry-After of
// wait, rounded up to whole seconds.
func RateLimited(wait time.Duration) Fault { return Fault{err: errRateLimited(wait)} }

// ServerError answers 500 with the API's error body.
func ServerError() Fault { return Fault{err: errServer} }

// BadGateway answers 502 with the HTML page a proxy in front of the API
// sends, not the API's JSON.
func BadGateway() Fault { return Fault{err: errBadGateway} }

// Delay answers normally after d; at once if Close starts meanwhile; not
// at all if the client gives up first.
func Delay(d time.Duration) Fault { return Fault{delay: d} }

// InjectFaults makes the next n requests to the API fail with f, after any
// faults already queued. Each request takes one fault, whatever job or
// operation it is for, before its token is checked. Requests to the
// storage listener take none.
func (s *Server) InjectFaults(n int, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults = append(s.faults, f)
	}
}

func (s *Server) nextFault() (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.faults) == 0 {
		return Fault{}, false
	}
	f := s.faults[0]
	s.faults = s.faults[1:]
	return f, true
}
