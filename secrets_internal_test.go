package indexingjobs

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

// FuzzSecretsClean: whatever the text, and however it spells a secret, a
// value of a signed URL's query (case, percent-encoding once or twice, a
// part of 12 bytes or more) or a token (hex, base64 of it after "Bearer "
// or inside a longer text, HTML character references, JSON escapes of any
// character, percent-escapes, split by white space or invisible
// characters), the spelling alone is found, cleaning text that holds it
// leaves no echo of the secret, and cleaning text that holds none changes
// nothing.
func FuzzSecretsClean(f *testing.F) {
	f.Add("3f8a2c9e7b1d4f6a0c5e8b2d", "x<Error>%s</Error>y", uint8(0))
	f.Add("kq3ZX+7/aB9xYw2Lm8pQ4r", `{"message":"%s"}`, uint8(3))
	f.Add("0123456789abcdef", "%s%s", uint8(4))
	const token = "dop_v1_4f1c2a9e8b7d6c5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f"
	for _, seed := range []struct {
		frame    string
		spelling uint8
	}{
		{"token %s is not valid", 5},
		{`{"authorization":"%s"}`, 6},
		{"<pre>%s</pre>", 7},
		{"<title>Bearer %s</title>", 8},
		{"<p>%s</p>", 9},
		{`{"message":"%s"}`, 10},
		{"Bearer %s.", 11},
		{"Authorization:\n%s\n", 12},
		{"<b>%s</b>", 13},
		{"/login?next=%s", 14},
		{"%s%s", 15},
		{"x%sx", 16},
	} {
		f.Add(token, seed.frame, seed.spelling)
	}
	f.Add("kq3ZX+7/aB9xYw2Lm8pQ4r==", "\r\n%s\r\n", uint8(6))
	f.Add("dop_v1_abc/def+ghi/jkl", `"\u0041%s"`, uint8(10))
	f.Fuzz(func(t *testing.T, secret, frame string, spelling uint8) {
		if len(secret) < gram || len(secret) > 256 || !utf8.ValidString(secret) || strings.ContainsAny(secret, "[]%\\&") ||
			strings.Contains(strings.ToLower(secret), "redacted") {
			return
		}
		// found: the echo alone spells the secret as secrets looks for it
		// (one of fewer than minSecret bytes, white space aside, is not;
		// case is ASCII's).
		echo, s, found := secret, newSecrets("").with(secret), len(normalize(secret)) >= minSecret
		switch spelling % 17 {
		case 1:
			echo = strings.ToUpper(secret)
			found = found && isASCII(secret)
		case 2, 3:
			echo = url.QueryEscape(secret)
			if spelling%17 == 3 {
				echo = url.QueryEscape(url.QueryEscape(strings.ToUpper(secret)))
				found = found && isASCII(secret)
			}
			found = found && !strings.Contains(secret, " ") // a space is "+", which base64 uses too
		case 4:
			echo = secret[:gram]
			found = found && len(normalize(echo)) >= gram
		}
		if spelling%17 >= 5 { // the spellings of a token
			s = newSecrets(secret)
			eachRune := func(format string) string {
				var b strings.Builder
				for _, r := range secret {
					fmt.Fprintf(&b, format, r)
				}
				return b.String()
			}
			between := func(sep string) string { return strings.Join(strings.Split(secret, ""), sep) }
			switch spelling % 17 {
			case 5:
				echo = strings.ToUpper(hex.EncodeToString([]byte(secret)))
			case 6:
				echo = base64.StdEncoding.EncodeToString([]byte("Bearer " + secret))
			case 7:
				echo = base64.RawURLEncoding.EncodeToString([]byte(`{"t":"` + secret + `"}`))
			case 8:
				echo = eachRune("&#%d;")
			case 9:
				echo = eachRune("&#x%X;")
			case 10:
				var b strings.Builder
				for _, u := range utf16.Encode([]rune(secret)) {
					fmt.Fprintf(&b, `\u%04x`, u)
				}
				echo = b.String()
			case 11:
				echo = between("\u200b")
			case 12:
				echo = between(" \n")
			case 13:
				echo = between("&#173;")
			case 14:
				if !isASCII(secret) { // a byte an escape
					return
				}
				echo = eachRune("%%%02X")
			case 15:
				echo = strings.ToUpper(between("\ufeff"))
				found = found && isASCII(secret)
			case 16:
				echo = base64.RawStdEncoding.EncodeToString([]byte("xx" + secret))
			}
		}
		if found && !s.holds(echo) {
			t.Fatalf("%q, spelling %d of %q, is not found", echo, spelling%17, secret)
		}
		text := strings.ReplaceAll(frame, "%s", echo)
		cleaned := s.clean(text)
		if strings.Contains(frame, "%s") && s.holds(cleaned) {
			t.Fatalf("clean(%q) = %q still holds %q", text, cleaned, secret)
		}
		if !s.holds(frame) && !strings.Contains(frame, "%s") && cleaned != text {
			t.Fatalf("clean changed %q, which holds no secret, to %q", text, cleaned)
		}
	})
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// BenchmarkSecretsClean: taking the token out of a server's text costs
// the same for each byte, however long the text (up to the 4 MiB body
// cap): ns/byte and B/byte stay flat. The text is a JSON message with the
// token in it every 4 KiB, percent-encoded every 16 KiB.
func BenchmarkSecretsClean(b *testing.B) {
	const token = "dop_v1_4f1c2a9e8b7d6c5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f"
	for _, size := range []int{1 << 10, 64 << 10, 4 << 20} {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			var text strings.Builder
			for i := 0; text.Len() < size; i++ {
				text.WriteString(strings.Repeat("upstream said: no such route \\/v2\\/gen-ai; ", 90))
				if i%4 == 3 {
					text.WriteString(url.QueryEscape(token))
				} else {
					text.WriteString(token)
				}
			}
			s := text.String()[:size]
			secrets := newSecrets(token)
			b.SetBytes(int64(len(s)))
			b.ReportAllocs()
			for b.Loop() {
				secrets.clean(s)
			}
		})
	}
}
