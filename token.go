package indexingjobs

import (
	"fmt"
	"os"
	"strings"
	"unicode"
	"unicode/utf8"
)

// resolveToken returns the token to send: given (WithToken), else the
// value of $DIGITALOCEAN_ACCESS_TOKEN without the ASCII white space around
// it (the newline a shell or a file leaves). Unicode white space around
// the value is not dropped: a shell or file does not add it, so it came
// pasted with the token, and the user should learn that the value is not
// what it seems rather than have some invisible characters taken away and
// others (U+200B is not white space) refused.
func resolveToken(given string) (string, error) {
	token, from := given, "WithToken"
	if token == "" {
		token, from = strings.Trim(os.Getenv(TokenEnv), " \t\r\n"), "$"+TokenEnv
	}
	if token == "" {
		return "", fmt.Errorf("indexingjobs: %w: pass WithToken(token) or set $%s", ErrNoToken, TokenEnv)
	}
	if err := checkToken(token); err != nil {
		return "", fmt.Errorf("indexingjobs: the API token (from %s) %w", from, err)
	}
	return token, nil
}

// checkToken checks that token is a b64token of RFC 6750, the syntax of a
// bearer token: letters, digits, "-", ".", "_", "~", "+" and "/", then
// "=" padding. Anything else would be sent as it is (a white space or
// invisible character pasted with the token) or not at all (net/http
// refuses a control character), and every call would get a 401 that does
// not say why. The error names the character's class, its code and where
// it stands, never the token.
func checkToken(token string) error {
	n, padding := 0, 0 // characters seen; where the padding starts, from 1
	for i, r := range token {
		n++
		switch {
		case r == '=' && n > 1:
			if padding == 0 {
				padding = n
			}
			continue
		case tokenChar(r) && padding == 0:
			continue
		case tokenChar(r):
			n = padding // a character after "=": the padding was not last
			r = '='
		}
		class, code := tokenCharClass(r), fmt.Sprintf("U+%04X", r)
		if r == utf8.RuneError && !strings.HasPrefix(token[i:], "\uFFFD") {
			class, code = "a byte that is not UTF-8", fmt.Sprintf("byte %#02x", token[i])
		}
		return fmt.Errorf("holds %s (%s) at character %d of %d; a token is letters, digits, "+
			`"-", ".", "_", "~", "+" and "/", then "=" padding (RFC 6750)`,
			class, code, n, utf8.RuneCountInString(token))
	}
	return nil
}

// tokenChar reports whether r may stand before a token's padding.
func tokenChar(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune("-._~+/", r)
}

// tokenCharClass names the class of a character a token may not hold.
func tokenCharClass(r rune) string {
	switch {
	case r == '=':
		return `an "=" that is not padding at the end`
	case unicode.IsSpace(r):
		return "white space"
	case unicode.IsControl(r):
		return "a control character"
	case unicode.Is(unicode.Cf, r):
		return "an invisible formatting character"
	case r > unicode.MaxASCII:
		return "a character outside ASCII"
	}
	return "a character outside the token syntax"
}
