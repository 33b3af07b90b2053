package indexingjobs_test

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net"
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
const invisible = "\u200b\u200c\u200d\u2060\ufeff\u00ad"

// showsToken reports whether s shows 8 bytes or more of secret in a row,
// in any case, once decoded as the server may have spelled it (see
// decodeEchoes): as they are, in hex, or in base64 wherever they start in
// a longer base64 text. 8 bytes of a token narrow a search for the rest.
func showsToken(s, secret string) bool {
	patterns := tokenPatterns(secret)
	s = decodeEchoes(s)
	for n := range patterns {
		for i := 0; i+n <= len(s); i++ {
			if patterns[n][s[i:i+n]] {
				return true
			}
		}
	}
	return false
}

// tokenPatterns are, by length, the spellings showsToken looks for of
// each 8 bytes of secret, in lower case; made once for each secret.
func tokenPatterns(secret string) map[int]map[string]bool {
	patternsMu.Lock()
	defer patternsMu.Unlock()
	if patterns, ok := patternsOf[secret]; ok {
		return patterns
	}
	patterns := map[int]map[string]bool{}
	patternsOf[secret] = patterns
	add := func(p string) {
		if patterns[len(p)] == nil {
			patterns[len(p)] = map[string]bool{}
		}
		patterns[len(p)][strings.ToLower(p)] = true
	}
	for i := 0; i+8 <= len(secret); i++ {
		w := secret[i : i+8]
		add(w)
		add(hex.EncodeToString([]byte(w)))
		for _, run := range base64Of(w) {
			add(run)
		}
	}
	return patterns
}

var (
	patternsMu sync.Mutex
	patternsOf = map[string]map[int]map[string]bool{}
	toURL      = strings.NewReplacer("+", "-", "/", "_") // base64's alphabet for URLs
)

// base64Of are the base64 characters that w alone makes, in either
// alphabet, wherever w starts in a group of 3 bytes of a longer text.
func base64Of(w string) []string {
	var out []string
	for at := range 3 {
		enc := base64.RawStdEncoding.EncodeToString(append(make([]byte, at), w...))
		run := enc[(8*at+5)/6 : 8*(at+len(w))/6]
		out = append(out, run, toURL.Replace(run))
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
			if unicode.IsSpace(r) || strings.ContainsRune(invisible, r) {
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

// jsonError is the API's error body with fields of the caller's.
func jsonError(fields map[string]string) string {
	b, err := json.Marshal(fields)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// inAHeader is s if it can be sent as a header's value, else nothing.
func inAHeader(s string) string {
	if strings.ContainsAny(s, "\r\n\x00") {
		return ""
	}
	return s
}

// echoAnswers are error answers that carry text of the server's in each
// place an error shows it: text(n) is the text of a place that an error
// cuts at n bytes (characters, for the snippet of a body).
var echoAnswers = []struct {
	name   string
	answer func(text func(cut int) string) http.HandlerFunc
}{
	{"the API's message, id and request id", func(text func(int) string) http.HandlerFunc {
		return respond(401, jsonError(map[string]string{"id": text(128), "message": text(1024), "request_id": text(128)}))
	}},
	{"a proxy's page title and the x-request-id header", func(text func(int) string) http.HandlerFunc {
		return respond(502, "<html><head><title>"+text(120)+"</title></head><body>bad gateway</body></html>",
			"Content-Type", "text/html", "X-Request-Id", inAHeader(text(128)))
	}},
	{"a plain text body", func(text func(int) string) http.HandlerFunc {
		return respond(503, text(120), "Content-Type", "text/plain")
	}},
}

// echoClient is a client whose requests are answered in memory by the
// answer last given to errorFor.
type echoClient struct {
	client *indexingjobs.Client
	answer http.HandlerFunc
}

func newEchoClient(t *testing.T, token string) *echoClient {
	e := &echoClient{}
	e.client = memoryClient(t, answeredBy(func(w http.ResponseWriter, r *http.Request) { e.answer(w, r) }), indexingjobs.WithToken(token))
	return e
}

// errorFor is the error of a read answered with answer, and where it
// shows the server's text: its text, with %+v, and the APIError's fields.
func (e *echoClient) errorFor(t *testing.T, answer http.HandlerFunc) map[string]string {
	t.Helper()
	e.answer = answer
	_, err := e.client.GetIndexingJob(t.Context(), jobID)
	var apiErr *indexingjobs.APIError
	require.ErrorAs(t, err, &apiErr)
	return map[string]string{"the error": err.Error(), "the error, %+v": fmt.Sprintf("%+v", err),
		"Message": apiErr.Message, "ID": apiErr.ID, "RequestID": apiErr.RequestID}
}

// TestTheTokenStaysOutOfErrorsInEverySpelling: a server that echoes the
// token, in the API's message, id or request id, a header, a proxy's
// page or a plain body, gets none of it into the error, however it spells
// it: in another case, percent-encoded, JSON-escaped, as HTML character
// references, in hex, in base64 (either alphabet, padded or not, alone,
// after "Bearer ", or inside a longer document), or split by white space
// or invisible characters. Before, only the case, percent-escapes and
// \u00XX were decoded.
func TestTheTokenStaysOutOfErrorsInEverySpelling(t *testing.T) {
	for _, token := range []string{testToken, slashToken} {
		client := newEchoClient(t, token)
		secret := strings.TrimPrefix(token, "dop_v1_")
		for _, sp := range spellings() {
			echo := sp.echo(token)
			require.True(t, showsToken(echo, secret), "%s: the test's measure finds the echo %q", sp.name, echo)
			for _, a := range echoAnswers {
				for where, text := range client.errorFor(t, a.answer(func(int) string { return "token " + echo + " is not valid" })) {
					assert.False(t, showsToken(text, secret), "%s in %s: %s shows the token: %q", sp.name, a.name, where, text)
				}
			}
		}
	}
}

// TestCuttingTheServerTextLeavesNoPartOfTheToken: the API's message (cut
// at 1024 bytes), id and request id (128, from the body or the header)
// and the snippet of a body (120 characters) are cut; an echo of the
// token across the cut, at every offset, leaves none of it. Before, the
// text was cut and then searched: a cut that left 15 bytes of the token
// left them all, since only runs of 16 are looked for.
func TestCuttingTheServerTextLeavesNoPartOfTheToken(t *testing.T) {
	client := newEchoClient(t, testToken)
	secret := strings.TrimPrefix(testToken, "dop_v1_")
	for _, sp := range spellings() {
		switch sp.name {
		case "as sent", "hex", "base64":
		default:
			continue
		}
		echo := sp.echo(testToken)
		for k := range len(echo) {
			// The echo with k of its bytes before a cut at n (at most n).
			across := func(n int) string { return strings.Repeat("x", n-min(k, n)) + echo }
			for _, a := range echoAnswers {
				for where, shown := range client.errorFor(t, a.answer(across)) {
					if showsToken(shown, secret) {
						t.Errorf("%s, %d bytes of it before the cut, in %s: %s shows the token: %q", sp.name, k, a.name, where, shown)
					}
				}
			}
		}
	}
	// The cuts are still made.
	long := func(int) string { return strings.Repeat("y", 4096) }
	fields := client.errorFor(t, echoAnswers[0].answer(long))
	assert.Equal(t, []int{1024 + len("…"), 128 + len("…"), 128 + len("…")}, []int{len(fields["Message"]), len(fields["ID"]), len(fields["RequestID"])})
	fields = client.errorFor(t, echoAnswers[1].answer(long))
	assert.Equal(t, []int{120 + len("…"), 128 + len("…")}, []int{len(fields["Message"]), len(fields["RequestID"])})
}

// TestAnswersAboutSomethingElseShowNoPartOfTheToken: a 2xx whose ids are
// not the ones asked for quotes them in its error; an id that is no UUID
// (a hostile server's, padded so that a cut would leave part of the
// token) is shown by its length alone.
func TestAnswersAboutSomethingElseShowNoPartOfTheToken(t *testing.T) {
	secret := strings.TrimPrefix(testToken, "dop_v1_")
	for k := 1; k < len(testToken); k += 3 {
		id := strings.Repeat("x", 128-k) + testToken
		for name, body := range map[string]string{
			"get":                `{"job":{"uuid":"` + id + `"}}`,
			"jobs of another kb": `{"jobs":[{"uuid":"` + jobID + `","knowledge_base_uuid":"` + id + `"}]}`,
		} {
			c := memoryClient(t, answeredBy(respond(200, body)))
			var err error
			if name == "get" {
				_, err = c.GetIndexingJob(t.Context(), jobID)
			} else {
				_, err = c.ListKnowledgeBaseIndexingJobs(t.Context(), kbID)
			}
			require.Error(t, err, name)
			assert.False(t, showsToken(err.Error(), secret), "%s, %d bytes of the token after the cut: %v", name, k, err)
			assert.Contains(t, err.Error(), "not a UUID")
		}
	}
}

// errProxy is an error of a caller's transport that the client knows
// nothing of.
var errProxy = errors.New("the proxy refused")

type proxyError struct{ code int }

func (e *proxyError) Error() string { return fmt.Sprintf("proxy code %d", e.code) }

// TestAnErrorThatHidesASecretStillAnswersIsAndAs: an error whose tree
// quoted the token shows none of it, in its text or in the text of
// anything it unwraps to, and still answers errors.Is and errors.As for
// every error it wraps, those the client has never heard of included.
func TestAnErrorThatHidesASecretStillAnswersIsAndAs(t *testing.T) {
	c := memoryClient(t, func(*http.Request) (*http.Response, error) {
		return nil, fmt.Errorf("the proxy echoed %q: %w", "Bearer "+testToken,
			&net.OpError{Op: "read", Net: "tcp", Err: fmt.Errorf("%w: %w", errProxy, &proxyError{code: 7})})
	})
	_, err := c.GetIndexingJob(t.Context(), jobID)
	require.Error(t, err)
	secret := strings.TrimPrefix(testToken, "dop_v1_")
	walkErrors(err, func(e error) {
		assert.False(t, showsToken(e.Error(), secret), "no error of the tree shows the token: %q", e.Error())
	})
	assert.ErrorIs(t, err, errProxy)
	var pe *proxyError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, 7, pe.code)
	var opErr *net.OpError
	require.ErrorAs(t, err, &opErr)
	assert.Equal(t, "read", opErr.Op)
	assert.NotErrorIs(t, err, context.Canceled)
}

// TestATokenEchoedByTheServerStaysOutOfTheError: an API, proxy or gateway
// that echoes the bearer token (in a 401's message, in a 5xx HTML page, in
// x-request-id, upper-cased) gets none of it into the error, which goes to
// a log. Before, errors showed the server's text escaped but otherwise
// whole: only a storage host's echo of the signature was taken out.
func TestATokenEchoedByTheServerStaysOutOfTheError(t *testing.T) {
	for name, h := range map[string]http.HandlerFunc{
		"401 message": respond(401, `{"id":"unauthorized","message":"token Bearer `+testToken+` is not valid"}`),
		"502 page":    respond(502, `<html><title>502 for Authorization: Bearer `+testToken+`</title></html>`, "Content-Type", "text/html"),
		"request id":  respond(400, `{"id":"bad_request","message":"no"}`, "X-Request-Id", testToken),
		"upper-cased": respond(401, `{"id":"unauthorized","message":"token `+strings.ToUpper(testToken)+`"}`),
	} {
		t.Run(name, func(t *testing.T) {
			srv := newScripted(t, h)
			_, err := newClient(t, srv.URL, indexingjobs.WithMaxRetries(0)).GetIndexingJob(context.Background(), jobID)
			require.Error(t, err)
			assert.False(t, showsSecret(fmt.Sprintf("%v %+v", err, err), testToken[8:]), "the error shows the token: %v", err)
		})
	}
}

// TestATokenInASuccessAnswerStaysOutOfTheError: a 2xx whose body is not
// about what was asked, or does not decode, and echoes the token, gives
// an error without it.
func TestATokenInASuccessAnswerStaysOutOfTheError(t *testing.T) {
	for _, body := range []string{
		`{"job":{"uuid":"` + testToken + `"}}`,
		`{"job":{"uuid":"` + jobID + `","total_tokens":"` + testToken + `"}}`,
	} {
		srv := newScripted(t, respond(200, body))
		_, err := newClient(t, srv.URL).GetIndexingJob(context.Background(), jobID)
		require.Error(t, err)
		assert.NotContains(t, strings.ToLower(err.Error()), strings.ToLower(testToken[:16]), "%s: no run of 16 bytes of it", body)
	}
}

// TestTokenNeverInErrors drives every error path and looks for the token,
// whole or in part, in each message.
func TestTokenNeverInErrors(t *testing.T) {
	handlers := []http.HandlerFunc{
		respond(401, `{"id":"unauthorized","message":"Unable to authenticate you."}`),
		respond(502, `<html><title>502</title></html>`, "Content-Type", "text/html"),
		respond(200, `not json`),
		respond(200, `{"job":{"total_tokens":"-1"}}`),
		func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Length", "500")
			w.WriteHeader(200)
			_, _ = w.Write([]byte(`{"job":`))
		},
	}
	var errs []error
	for _, h := range handlers {
		srv := newScripted(t, h)
		_, err := newClient(t, srv.URL, indexingjobs.WithMaxRetries(1)).CancelIndexingJob(context.Background(), jobID)
		require.Error(t, err)
		errs = append(errs, err)
	}
	_, err := indexingjobs.NewClient(indexingjobs.WithToken(testToken), indexingjobs.WithBaseURL("http://example.com"))
	errs = append(errs, err)
	for _, err := range errs {
		msg := fmt.Sprintf("%v %+v %#v", err, err, err)
		assert.NotContains(t, msg, testToken[8:24])
	}
}
