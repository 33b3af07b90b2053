// Package safetext makes text that came from the network safe to show on a
// terminal or write to a log: one line, no control characters.
package safetext

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Line returns s with every character that is not printable (C0 and C1
// controls, DEL, ESC and BEL that start terminal sequences, line and
// paragraph separators, bidirectional overrides) and every invalid byte
// escaped visibly, as strconv.Quote escapes them: "\x1b[2J" becomes the
// eight characters \x1b[2J. Printable text, quotes and backslashes
// included, is kept as it is, so ordinary messages read unchanged.
func Line(s string) string {
	if isSafe(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b.WriteString(`\x`)
			b.WriteString(strconv.FormatUint(uint64(s[i])>>4, 16))
			b.WriteString(strconv.FormatUint(uint64(s[i])&0xf, 16))
		case strconv.IsPrint(r):
			b.WriteString(s[i : i+n])
		default:
			q := strconv.QuoteRune(r) // '\x1b', '\n', '\u202e'
			b.WriteString(q[1 : len(q)-1])
		}
		i += n
	}
	return b.String()
}

// isSafe reports whether Line would return s unchanged.
func isSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return isSafeSlow(s[i:])
		}
	}
	return true
}

func isSafeSlow(s string) bool {
	for i, r := range s {
		if (r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD")) || !strconv.IsPrint(r) {
			return false
		}
	}
	return true
}
