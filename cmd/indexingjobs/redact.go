package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/url"
	"strings"
	"sync"
)

// The token is kept out of everything the tool prints, answers that
// succeeded included: a server may echo the Authorization header in a
// job's error_msg. Both streams pass through a redactingWriter, which
// replaces the token, in any case, and any run of gramLen bytes of it,
// with "[redacted]", however the writes cut it; JSON is also cleaned
// string by string after decoding (cleanJSON), so that no escape hides
// it.

// gramLen is how many bytes of a token in a row count as the token: a
// server may echo part of it. A token shorter than that counts only
// whole, and one shorter than minToken not at all: it cannot be told
// from ordinary text.
const (
	gramLen  = 16
	minToken = 8
)

// redactor knows the token to hide; until set, it hides nothing.
type redactor struct {
	mu    sync.Mutex
	lower string              // the token in lower case
	grams map[string]struct{} // its runs of n bytes
	n     int                 // the run that counts: gramLen, or the whole of a shorter token; 0 for none
}

// set makes the redactor hide token from now on.
func (r *redactor) set(token string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(token) < minToken {
		return
	}
	r.lower = string(lowerASCII([]byte(token)))
	r.n = min(gramLen, len(token))
	r.grams = map[string]struct{}{}
	for i := 0; i+r.n <= len(r.lower); i++ {
		r.grams[r.lower[i:i+r.n]] = struct{}{}
	}
}

// clean is s with every run of the token replaced.
func (r *redactor) clean(s string) string {
	out, _ := r.cut(nil, []byte(s), true)
	return string(out)
}

// cut cleans b, which follows prev, the text written before it (so that a
// run that began there is replaced to its end). Unless all is set, it
// keeps back the end of b that could begin a run completed by what comes
// next: out is the cleaned text before it, keep the bytes kept.
func (r *redactor) cut(prev, b []byte, all bool) (out, keep []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.n == 0 {
		return b, nil
	}
	low := lowerASCII(append(append([]byte(nil), prev...), b...))
	marked := make([]bool, len(low))
	found := false
	for i := 0; i+r.n <= len(low); i++ {
		if _, ok := r.grams[string(low[i:i+r.n])]; ok {
			found = true
			for j := i; j < i+r.n; j++ {
				marked[j] = true
			}
		}
	}
	marked, low = marked[len(prev):], low[len(prev):]
	end := len(b)
	if !all {
		for k := min(r.n-1, len(b)); k > 0; k-- {
			if strings.Contains(r.lower, string(low[len(b)-k:])) {
				end = len(b) - k
				break
			}
		}
		for end < len(b) && end > 0 && marked[end-1] && marked[end] {
			end++ // a run that goes on is replaced whole now
		}
	}
	if !found {
		return b[:end], b[end:]
	}
	var o bytes.Buffer
	// A run that went on from prev was replaced there.
	inRun := len(prev) > 0 && r.markedAtEnd(prev)
	for i := 0; i < end; i++ {
		switch {
		case !marked[i]:
			o.WriteByte(b[i])
			inRun = false
		case !inRun:
			o.WriteString("[redacted]")
			inRun = true
		}
	}
	return o.Bytes(), b[end:]
}

// markedAtEnd reports whether the last byte of text is part of a run of
// the token. r.mu is held.
func (r *redactor) markedAtEnd(text []byte) bool {
	low := lowerASCII(text)
	for i := max(0, len(low)-r.n); i+r.n <= len(low); i++ {
		if _, ok := r.grams[string(low[i:i+r.n])]; ok && i+r.n == len(low) {
			return true
		}
	}
	return false
}

func lowerASCII(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}

// redactingWriter writes to w what the redactor leaves.
type redactingWriter struct {
	w    io.Writer
	r    *redactor
	mu   sync.Mutex
	prev []byte // the last bytes written, as given: a run may go on from them
	held []byte // the bytes held back
}

func (rw *redactingWriter) Write(p []byte) (int, error) {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	if err := rw.write(append(rw.held, p...), false); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (rw *redactingWriter) write(b []byte, all bool) error {
	out, keep := rw.r.cut(rw.prev, b, all)
	written := append(rw.prev, b[:len(b)-len(keep)]...)
	rw.prev = append([]byte(nil), written[max(0, len(written)-gramLen):]...)
	rw.held = append([]byte(nil), keep...)
	_, err := rw.w.Write(out)
	return err
}

// flush writes what is held back: at the end, nothing can complete it.
func (rw *redactingWriter) flush() {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	if len(rw.held) > 0 {
		_ = rw.write(rw.held, true)
	}
}

// cleanJSON is raw with each string value as shown: the token taken out
// (r.clean, after JSON's escapes are undone) and the URL of a member whose
// name ends in "url" without its user, password, query or fragment
// (withoutCredentials). The rest of raw is kept as sent, byte for byte;
// raw that is not JSON is returned as it is.
func cleanJSON(raw []byte, r *redactor) []byte {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	type frame struct {
		object, wantKey bool
		key             string
	}
	var stack []frame
	var out []byte
	done := 0 // raw[:done] is in out
	for {
		before := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			break
		}
		valueDone := func() { // a member's value ends: a key comes next
			if n := len(stack); n > 0 && stack[n-1].object {
				stack[n-1].wantKey = true
			}
		}
		switch v := tok.(type) {
		case json.Delim:
			if v == '{' || v == '[' {
				stack = append(stack, frame{object: v == '{', wantKey: v == '{'})
				continue
			}
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		case string:
			top := len(stack) - 1
			if top >= 0 && stack[top].object && stack[top].wantKey {
				stack[top].key, stack[top].wantKey = v, false
				continue
			}
			shown := r.clean(v)
			if top >= 0 && strings.HasSuffix(strings.ToLower(stack[top].key), "url") {
				shown = withoutCredentials(shown)
			}
			if shown != v {
				start := before + int64(bytes.IndexByte(raw[before:dec.InputOffset()], '"'))
				out = append(append(out, raw[done:start]...), jsonString(shown)...)
				done = int(dec.InputOffset())
			}
		}
		valueDone()
	}
	if out == nil {
		return raw
	}
	return append(out, raw[done:]...)
}

// withoutCredentials is a URL without its user and password, its query
// and its fragment: a crawler's base URL may carry a key in any of them.
// The whole query goes, "?" included: its names without their values
// ("?key=&lang=") read as a URL cut short, not as one cleaned. Text that
// is not an absolute URL is returned as it is.
func withoutCredentials(s string) string {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		if strings.Contains(s, "://") {
			return "(a URL that does not parse)"
		}
		return s
	}
	if u.Scheme == "" || u.Host == "" {
		return s
	}
	u.User, u.Fragment, u.RawFragment = nil, "", ""
	u.RawQuery, u.ForceQuery = "", false
	return u.String()
}

// jsonString is s as a JSON string, "&", "<" and ">" as they are.
func jsonString(s string) []byte {
	b, _ := marshalJSON(s)
	return b
}
