package indexingjobs_test

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	indexingjobs "github.com/gradient-go/indexingjobs"
)

// Tests that the token stays out of errors (secrets.go) however the
// server spells it back, and wherever it puts it.

// slashToken is a token with every character of RFC 6750 that base64,
// JSON and URLs treat apart: "+", "/", "=", "-", ".", "_", "~".
const slashToken = "dop_v1_aB3/dE5+gH7/jK9+mN1.pQ3-sT5~vW7/yZ9+cF2/hJ4=="

// invisible are the characters that, put between the characters of a
// token, leave it looking whole.
var invisible = []rune{'\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad'}

// showsToken reports whether s shows 8 bytes or more of secret in a row,
// in any case, once decoded as the server may have spelled it (see
// decodeEchoes): as they are, in hex, or in base64 wherever they start in
// a longer base64 text. 8 bytes of a token narrow a search for the rest.
func showsToken(s, secret string) bool {
	s = decodeEchoes(s)
	for i := 0; i+8 <= len(secret); i++ {
		w := secret[i : i+8]
		if strings.Contains(s, strings.ToLower(w)) || strings.Contains(s, hex.EncodeToString([]byte(w))) {
			return true
		}
		for _, run := range base64Of(w) {
			if strings.Contains(s, strings.ToLower(run)) {
				return true
			}
		}
	}
	return false
}

// base64Of are the base64 characters that w alone makes, in either
// alphabet, wherever w starts in a group of 3 bytes of a longer text.
func base64Of(w string) []string {
	var out []string
	for at := range 3 {
		enc := base64.RawStdEncoding.EncodeToString(append(make([]byte, at), w...))
		run := enc[(8*at+5)/6 : 8*(at+len(w))/6]
		out = append(out, run, strings.NewReplacer("+", "-", "/", "_").Replace(run))
	}
	return out
}

var jsonEscape = regexp.MustCompile(`\\[uU][0-9a-fA-F]{4}|\\[/\\"bfnrt]`)

// decodeEchoes decodes s, three times over, from percent-escapes, JSON
// escapes and HTML character references, and leaves out white space and
// invisible characters; in lower case. It is written apart from the
// library's decoding, with the standard library where it can.
func decodeEchoes(s string) string {
	for range 3 {
		s = percentDecode(s)
		s = jsonEscape.ReplaceAllStringFunc(s, func(e string) string {
			if len(e) == 6 {
				r, _ := strconv.ParseUint(e[2:], 16, 32)
				return string(rune(r))
			}
			return map[byte]string{'/': "/", '\\': `\`, '"': `"`, 'b': "\b", 'f': "\f", 'n': "\n", 'r': "\r", 't': "\t"}[e[1]]
		})
		s = html.UnescapeString(s)
		s = strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) || strings.ContainsRune(string(invisible), r) {
				return -1
			}
			return r
		}, s)
	}
	return strings.ToLower(s)
}

// spelling is a way a server may write the token back: echo spells the
// token, with what the server adds.
type spelling struct {
	name string
	echo func(token string) string
}

// eachByte spells every byte of s with format.
func eachByte(format string) func(string) string {
	return func(s string) string {
		var b strings.Builder
		for i := range len(s) {
			fmt.Fprintf(&b, format, s[i])
		}
		return b.String()
	}
}

// between puts sep between every two characters of s.
func between(sep string) func(string) string {
	return func(s string) string { return strings.Join(strings.Split(s, ""), sep) }
}

// lines cuts s into lines of n characters, as MIME writes base64.
func lines(s string, n int) string {
	var out []string
	for len(s) > n {
		out, s = append(out, s[:n]), s[n:]
	}
	return strings.Join(append(out, s), "\r\n")
}

func spellings() []spelling {
	b64 := func(enc *base64.Encoding, context string) func(string) string {
		return func(token string) string {
			return enc.EncodeToString([]byte(strings.ReplaceAll(context, "TOKEN", token)))
		}
	}
	out := []spelling{
		{"as sent", func(s string) string { return s }},
		{"upper case", strings.ToUpper},
		{"percent-encoded", eachByte("%%%02X")},
		{"percent-encoded twice", eachByte("%%25%02x")},
		{`JSON \u00XX`, eachByte(`\u%04x`)},
		{`JSON \u00XX, escaped again`, eachByte(`\\u%04X`)},
		{`JSON \/`, func(s string) string { return strings.ReplaceAll(s, "/", `\/`) }},
		{"HTML &#NN;", eachByte("&#%d;")},
		{"HTML &#xHH;", eachByte("&#x%x;")},
		{"HTML &#XHH; with leading zeros", eachByte("&#X%04X;")},
		{"HTML &#NN without semicolons", eachByte("&#%d")},
		{"hex", func(s string) string { return hex.EncodeToString([]byte(s)) }},
		{"hex, upper case", func(s string) string { return strings.ToUpper(hex.EncodeToString([]byte(s))) }},
		{`hex of "Bearer " and the token`, func(s string) string { return hex.EncodeToString([]byte("Bearer " + s)) }},
		{"hex, a byte a word", func(s string) string { return between(" ")(hex.EncodeToString([]byte(s))) }},
		{"white space between", between(" ")},
		{"a line break between", between("\n")},
		{"tabs and spaces between", between("\t \t")},
		{`JSON \u200b between`, between(`\u200b`)},
		{"HTML &#8203; between", between("&#8203;")},
		{"percent-encoded U+00AD between", between("%C2%AD")},
	}
	for _, r := range invisible {
		out = append(out, spelling{fmt.Sprintf("%U between", r), between(string(r))})
	}
	for _, enc := range []struct {
		name string
		enc  *base64.Encoding
	}{{"base64", base64.StdEncoding}, {"base64, unpadded", base64.RawStdEncoding},
		{"base64 for URLs", base64.URLEncoding}, {"base64 for URLs, unpadded", base64.RawURLEncoding}} {
		out = append(out,
			spelling{enc.name, b64(enc.enc, "TOKEN")},
			spelling{enc.name + ` of "Bearer " and the token`, b64(enc.enc, "Bearer TOKEN")})
	}
	for _, context := range []string{`{"authorization":"Bearer TOKEN"}`, `{"authorization": "Bearer TOKEN"}`, `{"authorization":  "Bearer TOKEN"}`} {
		at := strings.Index(context, "TOKEN") % 3
		out = append(out, spelling{fmt.Sprintf("base64 of a JSON document, the token at byte %d of a group", at), b64(base64.StdEncoding, context)})
	}
	out = append(out, spelling{"base64 in lines of 76, as MIME writes it", func(s string) string {
		return lines(base64.StdEncoding.EncodeToString([]byte("Authorization: Bearer "+s+"\r\nUser-Agent: x\r\n")), 76)
	}})
	return out
}

// echoPlace is where a server puts text of its own in an error answer.
type echoPlace struct {
	name string
	cut  int // the bytes of it an error keeps (runes, for a snippet)
	// answer is the server's answer with text in its place.
	answer func(text string) http.HandlerFunc
}

// jsonError is the API's error body with fields of the caller's.
func jsonError(fields map[string]string) string {
	b, err := json.Marshal(fields)
	if err != nil {
		panic(err)
	}
	return string(b)
}

var echoPlaces = []echoPlace{
	{"the message", 1024, func(s string) http.HandlerFunc {
		return respond(401, jsonError(map[string]string{"id": "unauthorized", "message": s}))
	}},
	{"the id", 128, func(s string) http.HandlerFunc {
		return respond(400, jsonError(map[string]string{"id": s, "message": "no"}))
	}},
	{"the request id", 128, func(s string) http.HandlerFunc {
		return respond(400, jsonError(map[string]string{"id": "bad_request", "message": "no", "request_id": s}))
	}},
	{"the x-request-id header", 128, func(s string) http.HandlerFunc {
		return respond(400, `{"id":"bad_request","message":"no"}`, "X-Request-Id", s)
	}},
	{"a proxy's page title", 120, func(s string) http.HandlerFunc {
		return respond(502, "<html><head><title>"+s+"</title></head><body>bad gateway</body></html>", "Content-Type", "text/html")
	}},
	{"a plain text body", 120, func(s string) http.HandlerFunc {
		return respond(503, s, "Content-Type", "text/plain")
	}},
}

// echoServer answers each request with the answer last set.
type echoServer struct {
	*scripted
	mu     sync.Mutex
	answer http.HandlerFunc
}

func newEchoServer(t *testing.T) *echoServer {
	e := &echoServer{}
	e.scripted = newScripted(t, func(w http.ResponseWriter, r *http.Request) {
		e.mu.Lock()
		answer := e.answer
		e.mu.Unlock()
		answer(w, r)
	})
	return e
}

// errorFor is the error of a read answered with answer, and where it
// shows the server's text: its text, with %+v, and the APIError's fields.
func (e *echoServer) errorFor(t *testing.T, client *indexingjobs.Client, answer http.HandlerFunc) map[string]string {
	t.Helper()
	e.mu.Lock()
	e.answer = answer
	e.mu.Unlock()
	_, err := client.GetIndexingJob(t.Context(), jobID)
	var apiErr *indexingjobs.APIError
	require.ErrorAs(t, err, &apiErr)
	return map[string]string{"the error": err.Error(), "the error, %+v": fmt.Sprintf("%+v", err),
		"Message": apiErr.Message, "ID": apiErr.ID, "RequestID": apiErr.RequestID}
}

// fitsAHeader reports whether s can be sent as a header's value.
func fitsAHeader(s string) bool { return !strings.ContainsAny(s, "\r\n\x00") }

// TestTheTokenStaysOutOfErrorsInEverySpelling: a server that echoes the
// token, in the API's message, id or request id, a header, a proxy's
// page or a plain body, gets none of it into the error, however it spells
// it: in another case, percent-encoded, JSON-escaped, as HTML character
// references, in hex, in base64 (either alphabet, padded or not, alone,
// after "Bearer ", or inside a longer document), or split by white space
// or invisible characters. Before, only the case, percent-escapes and
// \u00XX were decoded.
func TestTheTokenStaysOutOfErrorsInEverySpelling(t *testing.T) {
	srv := newEchoServer(t)
	for _, token := range []string{testToken, slashToken} {
		client := newClient(t, srv.URL, indexingjobs.WithToken(token), indexingjobs.WithMaxRetries(0))
		secret := strings.TrimPrefix(token, "dop_v1_")
		for _, sp := range spellings() {
			echo := sp.echo(token)
			require.True(t, showsToken(echo, secret), "%s: the test's measure finds the echo %q", sp.name, echo)
			for _, place := range echoPlaces {
				if place.name == "the x-request-id header" && !fitsAHeader(echo) {
					continue
				}
				for where, text := range srv.errorFor(t, client, place.answer("token "+echo+" is not valid")) {
					assert.False(t, showsToken(text, secret), "%s in %s: %s shows the token: %q", sp.name, place.name, where, text)
				}
			}
		}
	}
}

// TestCuttingTheServerTextLeavesNoPartOfTheToken: the API's message (cut
// at 1024 bytes), id and request id (128, from the body or the header)
// and the snippet of a proxy's page (120 characters) are cut; an echo of
// the token across the cut, at every offset, leaves none of it. Before,
// the text was cut and then searched: a cut that left 15 bytes of the
// token left them all, since only runs of 16 are looked for.
func TestCuttingTheServerTextLeavesNoPartOfTheToken(t *testing.T) {
	srv := newEchoServer(t)
	client := newClient(t, srv.URL, indexingjobs.WithMaxRetries(0))
	secret := strings.TrimPrefix(testToken, "dop_v1_")
	// across is the echo with k of its bytes before a cut at n (at most n).
	across := func(echo string, n, k int) string { return strings.Repeat("x", n-min(k, n)) + echo }
	for _, sp := range spellings() {
		switch sp.name {
		case "as sent", "hex", "base64":
		default:
			continue
		}
		echo := sp.echo(testToken)
		for k := range len(echo) {
			for _, answer := range []http.HandlerFunc{
				respond(400, jsonError(map[string]string{"id": across(echo, 128, k), "message": across(echo, 1024, k), "request_id": across(echo, 128, k)}),
					"X-Request-Id", across(echo, 128, k)),
				respond(400, `{"id":"bad_request","message":"no"}`, "X-Request-Id", across(echo, 128, k)),
				respond(502, "<html><title>"+across(echo, 120, k)+"</title></html>", "Content-Type", "text/html"),
			} {
				for where, shown := range srv.errorFor(t, client, answer) {
					if showsToken(shown, secret) {
						t.Errorf("%s, %d bytes of it before the cut: %s shows the token: %q", sp.name, k, where, shown)
					}
				}
			}
		}
	}
	// The cuts are still made.
	long := strings.Repeat("y", 4096)
	fields := srv.errorFor(t, client, respond(400, jsonError(map[string]string{"id": long, "message": long, "request_id": long})))
	assert.Equal(t, []int{1024 + len("…"), 128 + len("…"), 128 + len("…")}, []int{len(fields["Message"]), len(fields["ID"]), len(fields["RequestID"])})
	fields = srv.errorFor(t, client, respond(502, "<title>"+long+"</title>", "Content-Type", "text/html"))
	assert.Equal(t, 120+len("…"), len(fields["Message"]))
}
