package indexingjobs

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"hash/maphash"
	"math"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// secrets takes what must never be shown, the token and the values of a
// signed URL's query, out of the server's text before an error shows it,
// however the server spells it back: in another case, percent-encoded
// once or more, JSON-escaped (\uXXXX, \/), as HTML character references
// (&#NN;, &#xHH;), split by white space or invisible characters, or in
// part; a token also in hex or base64 (either alphabet, padded or not,
// alone or inside a longer base64 text such as "Bearer " and the token).
// Any run of gram bytes of a secret (or a whole secret shorter than that)
// is taken out, and of a token any run of tokenGram bytes, in any of
// these spellings. Its cost is linear in the text.
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
		b := normalize(v)
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
		// A token is also found in hex (in any case) and in base64, by any
		// run of tokenGram characters of its spelling: 8 bytes of it in
		// hex, 12 in base64. One length of run for every spelling keeps
		// the search to one pass over the text.
		runs(v, tokenGram)
		runs(hex.EncodeToString([]byte(v)), tokenGram)
		for _, b := range base64Runs(v) {
			runs(b, tokenGram)
		}
	}
	for _, v := range s.values {
		runs(v, gram)
	}
}

// base64Runs are the characters of any base64 text that holds token,
// whatever comes before or after it ("Bearer " and the token, a user and
// the token of Basic authentication, a JSON document): for each of the
// three places in a group of 3 bytes where the token can start, and in
// either alphabet (standard and URL), the characters that only its bits
// make. Padding comes after them.
func base64Runs(token string) []string {
	var out []string
	for at := range 3 {
		b := append(make([]byte, at), token...)
		enc := base64.RawStdEncoding.EncodeToString(b)
		first, end := (8*at+5)/6, 8*len(b)/6 // the characters made of the token's bits alone
		if first < end {
			out = append(out, enc[first:end], strings.NewReplacer("+", "-", "/", "_").Replace(enc[first:end]))
		}
	}
	return out
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

// cut returns text with every echo of a secret taken out (clean), then
// made valid UTF-8 of at most max bytes (and a "…"): in that order, so
// that a cut through an echo leaves none of it behind.
func (s *secrets) cut(text string, max int) string { return clean(s.clean(text), max) }

// shorten is err with its text cut to maxMessageLen, secrets taken out
// first: an answer that does not decode can quote a long value. Cut from
// up to 4 times that, it still answers errors.Is and errors.As for err.
// Past that it wraps nothing: the text of such an error (a time that does
// not parse quotes each byte up to four times) is made again each time
// it is asked, by every reader of the error tree (redaction reads them
// all), so it is made once here and only its start is kept.
func (s *secrets) shorten(err error) error {
	text := err.Error()
	switch {
	case len(text) <= maxMessageLen:
		return err
	case len(text) <= 4*maxMessageLen:
		return &shortened{text: s.cut(text, maxMessageLen), err: err}
	}
	return &shortened{text: s.cut(clean(text, 4*maxMessageLen), maxMessageLen)}
}

type shortened struct {
	text string
	err  error
}

func (e *shortened) Error() string { return e.text }
func (e *shortened) Unwrap() error { return e.err }

// holds reports whether text echoes a secret.
func (s *secrets) holds(text string) bool { return s.find(text) != nil }

// find marks the bytes of text that spell a secret, or returns nil when
// none does. Its cost is linear in the text: each window of the view is
// hashed once for each length of run, and each match marks its range in
// constant time (a count of the ranges open at each byte).
func (s *secrets) find(text string) []bool {
	if s == nil || text == "" {
		return nil
	}
	s.once.Do(s.init)
	if len(s.runs) == 0 {
		return nil
	}
	if len(text) > math.MaxInt32 { // beyond the view's offsets, and any body cap in use
		return slices.Repeat([]bool{true}, len(text))
	}
	view, from, to := decoded(text)
	var open []int32 // ranges that open at each byte of text, less those that close there
	for n, hashes := range s.runs {
		for i := 0; i+n <= len(view); i++ {
			if hashes[maphash.Bytes(s.seed, view[i:i+n])] {
				if open == nil {
					open = make([]int32, len(text)+1)
				}
				open[from[i]]++
				open[to[i+n-1]]--
			}
		}
	}
	if open == nil {
		return nil
	}
	marked := make([]bool, len(text))
	depth := int32(0)
	for i := range marked {
		depth += open[i]
		marked[i] = depth > 0
	}
	return marked
}

// decoded is text as a server may have spelled a secret in it, decoded:
// percent-escapes, JSON escapes (\uXXXX of any character, \/, \n, ...) and
// HTML's numeric character references (&#NN; and &#xHH;), up to three
// times over; then without white space or invisible characters (a secret
// split by them), and in lower case (ASCII). For each byte of the view it
// gives the range of text it came from.
func decoded(text string) (view []byte, from, to []int32) {
	view = []byte(text)
	from, to = make([]int32, len(view)), make([]int32, len(view))
	for i := range view {
		from[i], to[i] = int32(i), int32(i+1)
	}
	for range 3 {
		if bytes.IndexAny(view, `%\&`) < 0 {
			break
		}
		v, f, t, changed := decodeOnce(view, from, to)
		if !changed {
			break
		}
		view, from, to = v, f, t
	}
	// Leave out what splits a secret, in place.
	w := 0
	for i := 0; i < len(view); {
		r, n := rune(view[i]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRune(view[i:])
		}
		if splits(r) {
			i += n
			continue
		}
		for range n {
			view[w], from[w], to[w] = lower(view[i]), from[i], to[i]
			w++
			i++
		}
	}
	return view[:w], from[:w], to[:w]
}

// normalize is a secret as decoded shows text: without what splits it, in
// lower case.
func normalize(secret string) []byte {
	b := make([]byte, 0, len(secret))
	for i := 0; i < len(secret); {
		r, n := utf8.DecodeRuneInString(secret[i:])
		if !splits(r) {
			for _, c := range []byte(secret[i : i+n]) {
				b = append(b, lower(c))
			}
		}
		i += n
	}
	return b
}

// splits reports whether r may stand inside a secret shown to a person
// without being seen: white space, and the invisible characters that
// copying text or a hostile server put between two others.
func splits(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\v', '\f', '\r', '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad':
		return true
	}
	return r >= utf8.RuneSelf && unicode.IsSpace(r)
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// decodeOnce decodes each escape of view once, giving each byte it makes
// the range of text the escape came from.
func decodeOnce(view []byte, from, to []int32) ([]byte, []int32, []int32, bool) {
	v, f, t := make([]byte, 0, len(view)), make([]int32, 0, len(view)), make([]int32, 0, len(view))
	changed := false
	var buf [utf8.UTFMax]byte
	for i := 0; i < len(view); {
		plain := bytes.IndexAny(view[i:], `%\&`) // up to where an escape may start
		if plain < 0 {
			plain = len(view) - i
		}
		v, f, t = append(v, view[i:i+plain]...), append(f, from[i:i+plain]...), append(t, to[i:i+plain]...)
		if i += plain; i == len(view) {
			break
		}
		out, n := escape(view[i:], buf[:0])
		if n == 0 {
			out, n = view[i:i+1], 1
		}
		changed = changed || n > 1
		for _, c := range out {
			v, f, t = append(v, c), append(f, from[i]), append(t, to[i+n-1])
		}
		i += n
	}
	return v, f, t, changed
}

// escape decodes the escape b starts with into buf, and says how many bytes
// of b it took; 0 when b starts with none.
func escape(b, buf []byte) ([]byte, int) {
	if len(b) < 2 {
		return nil, 0
	}
	switch {
	case b[0] == '%' && len(b) >= 3 && isHex(b[1]) && isHex(b[2]):
		return append(buf, unhex(b[1])<<4|unhex(b[2])), 3
	case b[0] == '\\':
		if c := strings.IndexByte(`"\/bfnrt`, b[1]); c >= 0 {
			return append(buf, "\"\\/\b\f\n\r\t"[c]), 2
		}
		r, n := jsonRune(b)
		if n == 0 {
			return nil, 0
		}
		if utf16.IsSurrogate(r) { // half of a pair: the other half follows
			if low, m := jsonRune(b[n:]); m > 0 {
				if pair := utf16.DecodeRune(r, low); pair != utf8.RuneError {
					r, n = pair, n+m
				}
			}
		}
		return utf8.AppendRune(buf, r), n
	case b[0] == '&' && b[1] == '#':
		return htmlRune(b, buf)
	}
	return nil, 0
}

// jsonRune reads \uXXXX (or \UXXXX) at the start of b.
func jsonRune(b []byte) (rune, int) {
	if len(b) < 6 || b[0] != '\\' || (b[1] != 'u' && b[1] != 'U') {
		return 0, 0
	}
	r := rune(0)
	for _, c := range b[2:6] {
		if !isHex(c) {
			return 0, 0
		}
		r = r<<4 | rune(unhex(c))
	}
	return r, 6
}

// htmlRune reads a numeric character reference, &#NN; or &#xHH; (the
// semicolon may be left out, as browsers allow), at the start of b.
func htmlRune(b, buf []byte) ([]byte, int) {
	i, base := 2, rune(10)
	if i < len(b) && (b[i] == 'x' || b[i] == 'X') {
		i, base = 3, 16
	}
	r, digits := rune(0), 0
	for ; i < len(b) && isHex(b[i]) && (base == 16 || b[i] <= '9'); i++ {
		if r, digits = r*base+rune(unhex(b[i])), digits+1; r > unicode.MaxRune {
			return nil, 0
		}
	}
	if digits == 0 || utf16.IsSurrogate(r) {
		return nil, 0
	}
	if i < len(b) && b[i] == ';' {
		i++
	}
	return utf8.AppendRune(buf, r), i
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
// a copy of the tree (hidden) whose every text is cleaned and which answers
// errors.Is and errors.As for every error err wraps, whatever they are.
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
	return &hidden{err: err, s: s}
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

// hidden stands for one error of a tree that held a secret: its text is
// the error's, cleaned; it unwraps to the errors it wraps, each hidden in
// turn, so that no text of the tree shows a secret; and it answers
// errors.Is and errors.As for the error itself, so that callers classify
// it as they would the error. errors.As hands out the error itself, of the
// type asked for: the client's own (*APIError) are cleaned in place.
type hidden struct {
	err error
	s   *secrets
}

func (e *hidden) Error() string { return e.s.clean(e.err.Error()) }

func (e *hidden) Unwrap() []error {
	var inner []error
	switch u := e.err.(type) {
	case interface{ Unwrap() error }:
		inner = []error{u.Unwrap()}
	case interface{ Unwrap() []error }:
		inner = u.Unwrap()
	}
	out := make([]error, 0, len(inner))
	for _, err := range inner {
		if err != nil {
			out = append(out, &hidden{err: err, s: e.s})
		}
	}
	return out
}

// Is is errors.Is's test of the error itself, not of what it wraps
// (Unwrap gives those).
func (e *hidden) Is(target error) bool {
	if e.err == target {
		return true
	}
	is, ok := e.err.(interface{ Is(error) bool })
	return ok && is.Is(target)
}

// As is errors.As's test of the error itself.
func (e *hidden) As(target any) bool {
	if as, ok := e.err.(interface{ As(any) bool }); ok && as.As(target) {
		return true
	}
	v := reflect.ValueOf(target)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return false
	}
	if reflect.TypeOf(e.err).AssignableTo(v.Type().Elem()) {
		v.Elem().Set(reflect.ValueOf(e.err))
		return true
	}
	return false
}
