package safetext

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestLine(t *testing.T) {
	for in, want := range map[string]string{
		"":                              "",
		"plain text, \"quoted\" \\ too": "plain text, \"quoted\" \\ too",
		"héllo wörld ✓ 日本":              "héllo wörld ✓ 日本",
		"\x1b[2J\x1b]0;title\x07":       `\x1b[2J\x1b]0;title\a`,
		"one\nrequest id: forged":       `one\nrequest id: forged`,
		"cr\rtab\tdel\x7f":              `cr\rtab\tdel\x7f`,
		"c1 \u009b31m next":             `c1 \u009b31m next`,
		"bidi \u202egnp.exe":            `bidi \u202egnp.exe`,
		"sep\u2028line":                 `sep\u2028line`,
		"bad \xff\xfe byte":             `bad \xff\xfe byte`,
		"real \uFFFD kept":              "real \uFFFD kept",
	} {
		if got := Line(in); got != want {
			t.Errorf("Line(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzLine(f *testing.F) {
	f.Add("\x1b[31mred\x1b[0m\n\x00\x9b\u202e\xff")
	f.Fuzz(func(t *testing.T, s string) {
		got := Line(s)
		if !utf8.ValidString(got) {
			t.Fatalf("Line(%q) = %q: not valid UTF-8", s, got)
		}
		for _, r := range got {
			if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Cf, r) {
				t.Fatalf("Line(%q) = %q keeps %U", s, got, r)
			}
		}
		if isSafe(s) != (got == s) && !strings.Contains(s, "\\") {
			t.Fatalf("isSafe(%q) = %v but Line changed it: %v", s, isSafe(s), got != s)
		}
	})
}
