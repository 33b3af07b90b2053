package indexingjobs

import (
	"context"
	"errors"
	"hash/maphash"
	"net/url"
	"strings"
	"sync"
)

// secrets takes what must never be shown, the token and the values of a
// signed URL's query, out of the server's text before an error shows it,
// however the server spells it back: in another case, percent-encoded
// once or more, JSON-escaped, or in part. Any run of gram bytes of a
// secret (or a whole secret shorter than that) is taken out, and of a
// token any run of tokenGram bytes. Its cost is linear in the text.
type secrets struct {
	tokens []string // values taken out by any run of tokenGram bytes
	values []string // values taken out by any run of gram bytes: random signatures
	once   sync.Once
	seed   maphash.Seed
	runs   map[int]map[uint64]bool // by length: the hashes of the runs to find
}

// gram is how many bytes of a signature in a row count as the signature,
// and tokenGram of a token: a token may share shorter runs with ordinary
// words (the fake's "indexingjobstest-token" with "indexingjobs: "), a
// random signature does not. Values shorter than minSecret are too short
// to tell from ordinary text, and are left alone.
const (
	gram      = 12
	tokenGram = 16
	minSecret = 8
)

// newSecrets takes out the token.
func newSecrets(token string) *secrets { return &secrets{tokens: []string{token}} }

// with returns secrets that also take out any run of gram bytes of more.
func (s *secrets) with(more ...string) *secrets {
	return &secrets{tokens: s.tokens, values: append(append([]string(nil), s.values...), more...)}
}

// queryValues are the values of a URL's query, as sent and unescaped.
func queryValues(u *url.URL) []string {
	var out []string
	for _, pair := range strings.Split(u.RawQuery, "&") {
		_, raw, _ := strings.Cut(pair, "=")
		out = append(out, raw)
		if v, err := url.QueryUnescape(raw); err == nil {
			out = append(out, v)
		}
		if v, err := url.PathUnescape(raw); err == nil {
			out = append(out, v)
		}
	}
	return out
}

func (s *secrets) init() {
	s.seed = maphash.MakeSeed()
	s.runs = map[int]map[uint64]bool{}
	add := func(b []byte) {
		if s.runs[len(b)] == nil {
			s.runs[len(b)] = map[uint64]bool{}
		}
		s.runs[len(b)][maphash.Bytes(s.seed, b)] = true
	}
	runs := func(v string, n int) {
		b := []byte(strings.ToLower(v))
		switch {
		case len(b) < minSecret:
		case len(b) < n:
			add(b)
		default:
			for i := 0; i+n <= len(b); i++ {
				add(b[i : i+n])
			}
		}
	}
	for _, v := range s.tokens {
		runs(v, tokenGram)
	}
	for _, v := range s.values {
		runs(v, gram)
	}
}

// clean returns text with every echo of a secret replaced by "[redacted]".
func (s *secrets) clean(text string) string {
	marked := s.find(text)
	if marked == nil {
		return text
	}
	var b strings.Builder
	for i := 0; i < len(text); {
		if marked[i] {
			b.WriteString("[redacted]")
			for i < len(text) && marked[i] {
				i++
			}
			continue
		}
		b.WriteByte(text[i])
		i++
	}
	return b.String()
}

// holds reports whether text echoes a secret.
func (s *secrets) holds(text string) bool { return s.find(text) != nil }

// find marks the bytes of text that spell a secret, or returns nil when
// none does.
func (s *secrets) find(text string) []bool {
	if s == nil || text == "" {
		return nil
	}
	s.once.Do(s.init)
	if len(s.runs) == 0 {
		return nil
	}
	view, from, to := decoded(text)
	var marked []bool
	for n, hashes := range s.runs {
		for i := 0; i+n <= len(view); i++ {
			if hashes[maphash.Bytes(s.seed, view[i:i+n])] {
				if marked == nil {
					marked = make([]bool, len(text))
				}
				for j := from[i]; j < to[i+n-1]; j++ {
					marked[j] = true
				}
			}
		}
	}
	return marked
}

// decoded is text lower-cased and decoded as a server may have encoded it
// (percent-escapes, up to three times; JSON's \/ and \u00XX), with, for
// each byte of the view, the range of text it came from.
func decoded(text string) (view []byte, from, to []int) {
	view = []byte(text)
	from, to = make([]int, len(view)), make([]int, len(view))
	for i := range view {
		from[i], to[i] = i, i+1
	}
	for range 3 {
		v, f, t, changed := decodeOnce(view, from, to)
		if !changed {
			break
		}
		view, from, to = v, f, t
	}
	for i, c := range view {
		if 'A' <= c && c <= 'Z' {
			view[i] = c + 'a' - 'A'
		}
	}
	return view, from, to
}

func decodeOnce(view []byte, from, to []int) ([]byte, []int, []int, bool) {
	v, f, t := make([]byte, 0, len(view)), make([]int, 0, len(view)), make([]int, 0, len(view))
	changed := false
	for i := 0; i < len(view); {
		c, n := view[i], 1
		switch {
		case c == '%' && i+2 < len(view) && isHex(view[i+1]) && isHex(view[i+2]):
			c, n = unhex(view[i+1])<<4|unhex(view[i+2]), 3
		case c == '\\' && i+1 < len(view) && view[i+1] == '/':
			c, n = '/', 2
		case c == '\\' && i+5 < len(view) && (view[i+1] == 'u' || view[i+1] == 'U') && view[i+2] == '0' && view[i+3] == '0' && isHex(view[i+4]) && isHex(view[i+5]):
			c, n = unhex(view[i+4])<<4|unhex(view[i+5]), 6
		}
		changed = changed || n > 1
		v, f, t = append(v, c), append(f, from[i]), append(t, to[i+n-1])
		i += n
	}
	return v, f, t, changed
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// hide keeps the secrets out of err: out of an *APIError's fields (the
// server's text), and, when any error of its tree still holds one, behind
// a wrapper whose text is cleaned and whose chain holds only the
// *APIError and the sentinels callers test for, not the errors that
// quote the server.
func (s *secrets) hide(err error) error {
	if s == nil || err == nil {
		return err
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		apiErr.Message, apiErr.ID, apiErr.RequestID = s.clean(apiErr.Message), s.clean(apiErr.ID), s.clean(apiErr.RequestID)
	}
	if !s.inTree(err) {
		return err
	}
	h := &hidden{text: s.clean(err.Error())}
	if apiErr != nil {
		h.causes = append(h.causes, apiErr)
	}
	for _, sentinel := range []error{ErrOutcomeUnknown, ErrResponseTooLarge, ErrInvalidUUID, context.Canceled, context.DeadlineExceeded, errRedirect, errAttemptTimeout, errResent, errWrongAnswer} {
		if errors.Is(err, sentinel) {
			h.causes = append(h.causes, sentinel)
		}
	}
	return h
}

// inTree reports whether the text of err, or of any error it wraps,
// holds a secret.
func (s *secrets) inTree(err error) bool {
	if err == nil {
		return false
	}
	if s.holds(err.Error()) {
		return true
	}
	switch e := err.(type) {
	case interface{ Unwrap() error }:
		return s.inTree(e.Unwrap())
	case interface{ Unwrap() []error }:
		for _, inner := range e.Unwrap() {
			if s.inTree(inner) {
				return true
			}
		}
	}
	return false
}

// hidden is an error whose own tree held a secret: its text cleaned, and
// only what a caller classifies by (errors.Is, errors.As) kept.
type hidden struct {
	text   string
	causes []error
}

func (e *hidden) Error() string   { return e.text }
func (e *hidden) Unwrap() []error { return e.causes }
