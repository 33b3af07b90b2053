package indexingjobs

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzSecretsClean: whatever the text, and however it spells a secret
// (case, percent-encoding once or twice, JSON escapes, a part of 12 bytes
// or more), cleaning it leaves no echo of the secret, and cleaning text
// that holds none changes nothing.
func FuzzSecretsClean(f *testing.F) {
	f.Add("3f8a2c9e7b1d4f6a0c5e8b2d", "x<Error>%s</Error>y", uint8(0))
	f.Add("kq3ZX+7/aB9xYw2Lm8pQ4r", `{"message":"%s"}`, uint8(3))
	f.Add("0123456789abcdef", "%s%s", uint8(4))
	f.Fuzz(func(t *testing.T, secret, frame string, spelling uint8) {
		if len(secret) < gram || len(secret) > 256 || strings.ContainsAny(secret, "[]%\\") || strings.Contains(strings.ToLower(secret), "redacted") {
			return
		}
		echo := secret
		switch spelling % 5 {
		case 1:
			echo = strings.ToUpper(secret)
		case 2:
			echo = url.QueryEscape(secret)
		case 3:
			echo = url.QueryEscape(url.QueryEscape(strings.ToUpper(secret)))
		case 4:
			echo = secret[:gram]
		}
		s := newSecrets("").with(secret)
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
