package indexingjobs_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	indexingjobs "github.com/gradient-go/indexingjobs"
)

// Tests of the report's download (details.go): IndexingJobDetailsURL and
// DownloadIndexingJobDetails, against hostile storage hosts. The download
// keeps every promise of the other calls. Every storage host made by
// newStorageHost fails the test if a request reaches it with the token.

// storageHit is what a storage host saw of one request.
type storageHit struct {
	uri    string // path and query, as sent
	header http.Header
}

// storageHost is an https storage host on loopback: it serves h and keeps
// what every request carried.
type storageHost struct {
	*httptest.Server
	mu   sync.Mutex
	hits []storageHit
}

func newStorageHost(t *testing.T, h http.HandlerFunc) *storageHost {
	t.Helper()
	s := &storageHost{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits = append(s.hits, storageHit{r.URL.RequestURI(), r.Header.Clone()})
		s.mu.Unlock()
		h(w, r)
	}))
	s.Config.ErrorLog = quietLog
	s.StartTLS()
	t.Cleanup(func() { // runs after Close, below: every request is in
		for _, hit := range s.seen() {
			assert.Empty(t, hit.header.Values("Authorization"), "the storage host got an Authorization header with %s", hit.uri)
			assert.NotContains(t, fmt.Sprint(hit.header), testToken[8:24], "the storage host got the token with %s", hit.uri)
		}
	})
	t.Cleanup(s.Close)
	return s
}

func (s *storageHost) seen() []storageHit {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]storageHit(nil), s.hits...)
}

// detailsAPI is an https API that answers every request with signed as
// the report's signed URL.
func detailsAPI(t *testing.T, signed string) *httptest.Server {
	t.Helper()
	body, err := json.Marshal(map[string]string{"signed_url": signed})
	require.NoError(t, err)
	api := httptest.NewUnstartedServer(respond(200, string(body)))
	api.Config.ErrorLog = quietLog
	api.StartTLS()
	t.Cleanup(api.Close)
	return api
}

// downloadClient is a client of api whose http.Client trusts the
// certificates of api and of the storage hosts given: an https API, so
// that plain http is allowed nowhere.
func downloadClient(t *testing.T, api *httptest.Server, storage []*httptest.Server, opts ...indexingjobs.Option) *indexingjobs.Client {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AddCert(api.Certificate())
	for _, s := range storage {
		pool.AddCert(s.Certificate())
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
	t.Cleanup(tr.CloseIdleConnections)
	return newClient(t, api.URL, append([]indexingjobs.Option{indexingjobs.WithHTTPClient(&http.Client{Transport: tr})}, opts...)...)
}

// sink is the caller's writer: it counts the bytes it accepts and keeps
// the first KiB of them. Once it holds stop bytes it refuses more, so that
// a download without a cap ends, rather than running for ever.
type sink struct {
	n    int64
	head []byte
	stop int64
}

var errSinkFull = errors.New("the test's writer stopped taking bytes")

func (s *sink) Write(p []byte) (int, error) {
	if s.stop > 0 && s.n >= s.stop {
		return 0, errSinkFull
	}
	s.n += int64(len(p))
	if room := 1<<10 - len(s.head); room > 0 {
		s.head = append(s.head, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

// Signed URLs of the two shapes S3-compatible storage (Spaces) signs: a
// SigV4 hex signature, and a V2 base64 one, percent-encoded in the query.
const (
	sigV4 = "3f8a2c9e7b1d4f6a0c5e8b2d9f1a7c3e5b8d0f2a4c6e8a1b3d5f7a9c2e4b6d8f"
	sigV2 = "kq3ZX+7/aB9xYw2Lm8pQ4rT6uV0sN1cE5dF/gH+Jk="
)

func signedV4(host string) string {
	return host + "/reports/" + jobID + ".json?X-Amz-Algorithm=AWS4-HMAC-SHA256" +
		"&X-Amz-Credential=DO00EXAMPLE%2F20261202%2Fnyc3%2Fs3%2Faws4_request&X-Amz-Date=20261202T000000Z" +
		"&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=" + sigV4
}

func signedV2(host string) string {
	return host + "/reports/" + jobID + ".json?AWSAccessKeyId=DO00EXAMPLE&Expires=1796000000&Signature=" + url.QueryEscape(sigV2)
}

// percentEach percent-encodes every byte of s: "ab" is "%61%62".
func percentEach(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&b, "%%%02X", s[i])
	}
	return b.String()
}

// percentDecode decodes every %XX of s and leaves everything else as is
// (a "+" stays a "+": base64 signatures hold them).
func percentDecode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
				b.WriteByte(byte(v))
				i += 2
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// showsSecret reports whether s shows 12 bytes or more of secret in a
// row, in any case, as is or percent-encoded (once, twice, or three
// times).
func showsSecret(s, secret string) bool {
	secret = strings.ToLower(secret)
	window := min(12, len(secret))
	for range 4 {
		lower := strings.ToLower(s)
		for i := 0; i+window <= len(secret); i++ {
			if strings.Contains(lower, secret[i:i+window]) {
				return true
			}
		}
		s = percentDecode(s)
	}
	return false
}

// walkErrors visits err and every error in its tree: Unwrap() error and
// Unwrap() []error.
func walkErrors(err error, visit func(error)) {
	if err == nil {
		return
	}
	visit(err)
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		walkErrors(u.Unwrap(), visit)
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			walkErrors(e, visit)
		}
	}
}

// assertNoSecret fails if err shows any of secrets, in any spelling:
// in its text (%v and %+v), in the text of any error in its tree, in the
// URL of any *url.Error in it, or in any field of an *APIError in it.
func assertNoSecret(t *testing.T, err error, secrets ...string) {
	t.Helper()
	texts := map[string]string{"the error": err.Error(), "the error, %+v": fmt.Sprintf("%+v", err)}
	depth := 0
	walkErrors(err, func(e error) {
		depth++
		texts[fmt.Sprintf("error %d of the tree (%T)", depth, e)] = e.Error()
		var uerr *url.Error
		if errors.As(e, &uerr) {
			texts[fmt.Sprintf("the URL of the *url.Error at %d", depth)] = uerr.URL
		}
		var apiErr *indexingjobs.APIError
		if errors.As(e, &apiErr) {
			texts[fmt.Sprintf("the fields of the *APIError at %d", depth)] = strings.Join([]string{apiErr.URL, apiErr.ID, apiErr.Message, apiErr.RequestID}, " ")
		}
	})
	for _, secret := range secrets {
		var where []string
		for place, text := range texts {
			if showsSecret(text, secret) {
				where = append(where, place)
			}
		}
		sort.Strings(where)
		assert.Empty(t, where, "places that show the secret %q, in the error %q", secret, err.Error())
	}
}

// TestDownloadNeverFollowsARedirectToPlainHTTP: a storage host (https)
// that redirects to a plain-http service on this machine gets nothing of
// it into the caller's writer: every hop passes the check the signed URL
// passes, and for an https API plain http is allowed nowhere.
func TestDownloadNeverFollowsARedirectToPlainHTTP(t *testing.T) {
	for _, code := range []int{301, 302, 303, 307, 308} {
		for _, host := range []string{"127.0.0.1", "localhost"} {
			t.Run(fmt.Sprintf("%d to http://%s", code, host), func(t *testing.T) {
				var served atomic.Int32
				local := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					served.Add(1)
					_, _ = io.WriteString(w, "the admin page of a service on this machine")
				}))
				defer local.Close()
				_, port, err := net.SplitHostPort(local.Listener.Addr().String())
				require.NoError(t, err)
				target := "http://" + net.JoinHostPort(host, port) + "/admin"
				storage := newStorageHost(t, func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, target, code) })
				api := detailsAPI(t, signedV4(storage.URL))

				var out sink
				n, err := downloadClient(t, api, []*httptest.Server{storage.Server}).DownloadIndexingJobDetails(context.Background(), jobID, &out)
				assert.Zero(t, served.Load(), "the plain-http service got a request")
				assert.Zero(t, out.n, "the writer got %q", out.head)
				assert.Zero(t, n)
				assert.NotEmpty(t, storage.seen())
				require.Error(t, err)
				assertNoSecret(t, err, sigV4)
			})
		}
	}
}

// TestDownloadFromAHostThatNeverAnswersEndsWithTheAttempt: a storage host
// that accepts the connection and never answers is given up on at the
// attempt timeout (WithAttemptTimeout), not at the caller's deadline.
func TestDownloadFromAHostThatNeverAnswersEndsWithTheAttempt(t *testing.T) {
	t.Run("no TLS handshake", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		var mu sync.Mutex
		var held []net.Conn
		done := make(chan struct{})
		go func() {
			defer close(done)
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				mu.Lock()
				held = append(held, c) // accepted, never read nor written
				mu.Unlock()
			}
		}()
		t.Cleanup(func() {
			l.Close()
			<-done
			for _, c := range held {
				c.Close()
			}
		})
		api := detailsAPI(t, signedV4("https://"+l.Addr().String()))
		assertEndsWithTheAttempt(t, downloadClient(t, api, nil, indexingjobs.WithAttemptTimeout(100*time.Millisecond)))
	})
	t.Run("no answer to the request", func(t *testing.T) {
		release := make(chan struct{})
		storage := newStorageHost(t, func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-release:
			}
		})
		t.Cleanup(func() { close(release) }) // before the server closes
		api := detailsAPI(t, signedV4(storage.URL))
		assertEndsWithTheAttempt(t, downloadClient(t, api, []*httptest.Server{storage.Server}, indexingjobs.WithAttemptTimeout(100*time.Millisecond)))
		assert.NotEmpty(t, storage.seen())
	})
}

func assertEndsWithTheAttempt(t *testing.T, client *indexingjobs.Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second) // far past the attempt's 100ms
	defer cancel()
	var out sink
	n, err := client.DownloadIndexingJobDetails(ctx, jobID, &out)
	require.Error(t, err)
	assert.NoError(t, ctx.Err(), "the download ran until the caller's deadline: %v", err)
	assert.NotErrorIs(t, err, context.DeadlineExceeded, "the caller's deadline is not what ended it")
	assert.Contains(t, err.Error(), "attempt timed out")
	assert.Zero(t, n)
	assert.Zero(t, out.n)
	assertNoSecret(t, err, sigV4)
}

// gzipped is data compressed as a storage host would send it.
func gzipped(t *testing.T, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw, err := gzip.NewWriterLevel(&b, gzip.BestSpeed) // quick, and over the cap on the wire too
	require.NoError(t, err)
	_, err = zw.Write(data)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return b.Bytes()
}

// TestDownloadIsCapped: at most WithMaxDownloadBytes bytes reach the
// writer, whatever the storage host sends: a gzip bomb (Go asks for gzip
// by itself and inflates the answer), a body without end, a length over
// the cap, sent or only announced. Past the cap the error wraps
// ErrResponseTooLarge. A body of exactly the cap is written whole.
func TestDownloadIsCapped(t *testing.T) {
	assert.Greater(t, int64(indexingjobs.DefaultMaxDownloadBytes), int64(0), "a download has a cap by default")

	const limit = 8 << 10
	// 16 MiB inflated, about 16 KiB on the wire: over the cap whether the
	// client inflates it or not.
	bomb := gzipped(t, bytes.Repeat([]byte("0"), 16<<20))
	require.Greater(t, len(bomb), limit)
	body := func(n int) []byte { return bytes.Repeat([]byte("r"), n) }
	chunked := func(data []byte, headers ...string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			for i := 0; i+1 < len(headers); i += 2 {
				w.Header().Set(headers[i], headers[i+1])
			}
			w.WriteHeader(200)
			w.(http.Flusher).Flush() // no Content-Length
			_, _ = w.Write(data)
		}
	}
	over := map[string]http.HandlerFunc{
		"gzip bomb": chunked(bomb, "Content-Type", "application/json", "Content-Encoding", "gzip"),
		"endless body": func(w http.ResponseWriter, r *http.Request) {
			chunk := body(32 << 10)
			for r.Context().Err() == nil {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		},
		"one byte over, chunked":          chunked(body(limit + 1)),
		"Content-Length one byte over":    respond(200, string(body(limit+1))),
		"Content-Length over, body sent":  respond(200, string(body(4*limit))),
		"Content-Length of 1 GiB, stalls": announceAndStall(1<<30, body(2*limit)),
	}
	for name, h := range over {
		t.Run(name, func(t *testing.T) {
			storage := newStorageHost(t, h)
			api := detailsAPI(t, signedV4(storage.URL))
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second) // a safety net only
			defer cancel()
			out := sink{stop: 1 << 20}
			n, err := downloadClient(t, api, []*httptest.Server{storage.Server}, indexingjobs.WithMaxDownloadBytes(limit)).
				DownloadIndexingJobDetails(ctx, jobID, &out)
			assert.LessOrEqual(t, out.n, int64(limit), "bytes that reached the writer")
			assert.Equal(t, out.n, n, "the count returned is the bytes written")
			assert.NoError(t, ctx.Err(), "the download ended by itself, not at the test's safety net")
			require.ErrorIs(t, err, indexingjobs.ErrResponseTooLarge)
			assertNoSecret(t, err, sigV4)
		})
	}
	for name, h := range map[string]http.HandlerFunc{
		"exactly the cap, chunked":        chunked(body(limit)),
		"exactly the cap, Content-Length": respond(200, string(body(limit))),
	} {
		t.Run(name, func(t *testing.T) {
			storage := newStorageHost(t, h)
			api := detailsAPI(t, signedV4(storage.URL))
			var out sink
			n, err := downloadClient(t, api, []*httptest.Server{storage.Server}, indexingjobs.WithMaxDownloadBytes(limit)).
				DownloadIndexingJobDetails(context.Background(), jobID, &out)
			require.NoError(t, err)
			assert.Equal(t, int64(limit), n)
			assert.Equal(t, int64(limit), out.n)
		})
	}
}

// selfSigned is a plain-http API on loopback that is its own storage host:
// it answers the report's signed URL with one on itself, whose query holds
// the signature sigV4, and the report's request with report.
func selfSigned(t *testing.T, report http.HandlerFunc) *scripted {
	var srv *scripted
	srv = newScripted(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/details_signed_url") {
			respond(200, `{"signed_url":"`+srv.URL+`/reports/r.json?X-Amz-Signature=`+sigV4+`"}`)(w, r)
			return
		}
		report(w, r)
	})
	return srv
}

// announceAndStall announces a body of length bytes, sends part of it,
// and waits until the client hangs up.
func announceAndStall(length int, part []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(length))
		w.WriteHeader(200)
		_, _ = w.Write(part)
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}
}

// TestDownloadSendsNoReferer: a storage host that redirects to another
// https host is followed (that hop passes the check), but no hop gets a
// Referer, and the second host gets the signature in no header: net/http
// sets the whole signed URL as Referer on a redirect.
func TestDownloadSendsNoReferer(t *testing.T) {
	report := `{"job":"` + jobID + `","data_sources":2}`
	for _, code := range []int{302, 307} {
		for name, signed := range map[string]func(string) string{"SigV4": signedV4, "V2": signedV2} {
			t.Run(fmt.Sprintf("%d, %s", code, name), func(t *testing.T) {
				second := newStorageHost(t, respond(200, report))
				first := newStorageHost(t, func(w http.ResponseWriter, r *http.Request) {
					http.Redirect(w, r, second.URL+"/moved/"+jobID+".json", code)
				})
				api := detailsAPI(t, signed(first.URL))
				var out sink
				n, err := downloadClient(t, api, []*httptest.Server{first.Server, second.Server}).
					DownloadIndexingJobDetails(context.Background(), jobID, &out)
				require.NoError(t, err, "a redirect to another https host passes the check the signed URL passed")
				assert.Equal(t, report, string(out.head))
				assert.Equal(t, int64(len(report)), n)
				require.NotEmpty(t, second.seen())
				for _, hit := range append(first.seen(), second.seen()...) {
					assert.Empty(t, hit.header.Values("Referer"), "a Referer reached %s", hit.uri)
				}
				for _, hit := range second.seen() {
					for header, values := range hit.header {
						for _, v := range values {
							assert.False(t, showsSecret(v, sigV4) || showsSecret(v, sigV2), "the second host got the signature in %s: %s", header, v)
						}
					}
				}
			})
		}
	}
}

// TestSignedURLWithAUserIsRefusedWithoutShowingIt: a signed URL that
// carries a user or password is refused, unsent, and no error shows the
// userinfo; the error of an https URL does not call it "not an https URL".
func TestSignedURLWithAUserIsRefusedWithoutShowingIt(t *testing.T) {
	storage := newStorageHost(t, respond(200, "the report"))
	host := strings.TrimPrefix(storage.URL, "https://")
	for _, tc := range []struct {
		name, signed string
		secrets      []string
		parses       bool
	}{
		{"user and password", "https://reportreader7:hunter2-correct-horse@" + host + "/r.json", []string{"reportreader7", "hunter2-correct-horse"}, true},
		{"and a signature", "https://reportreader7:hunter2-correct-horse@" + host + "/r.json?X-Amz-Signature=" + sigV4, []string{"reportreader7", "hunter2-correct-horse", sigV4}, true},
		{"password percent-encoded", "https://reportreader7:hunter2%2Dcorrect%2Dhorse@" + host + "/r.json", []string{"reportreader7", "hunter2-correct-horse"}, true},
		{"user alone", "https://hunter2-correct-horse@" + host + "/r.json", []string{"hunter2-correct-horse"}, true},
		{"user and empty password", "https://hunter2-correct-horse:@" + host + "/r.json", []string{"hunter2-correct-horse"}, true},
		{"password with a slash", "https://reportreader7:hunter2-correct/horse-battery@" + host + "/r.json", []string{"reportreader7", "hunter2-correct", "horse-battery"}, false},
		{"password with a question mark", "https://reportreader7:hunter2-correct?horse-battery@" + host + "/r.json", []string{"reportreader7", "hunter2-correct", "horse-battery"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			api := detailsAPI(t, tc.signed)
			client := downloadClient(t, api, []*httptest.Server{storage.Server})
			_, urlErr := client.IndexingJobDetailsURL(context.Background(), jobID)
			var out sink
			_, downloadErr := client.DownloadIndexingJobDetails(context.Background(), jobID, &out)
			for call, err := range map[string]error{"IndexingJobDetailsURL": urlErr, "DownloadIndexingJobDetails": downloadErr} {
				require.Error(t, err, call)
				assertNoSecret(t, err, tc.secrets...)
				if tc.parses {
					assert.NotContains(t, err.Error(), "not an https URL", "%s: the URL is https", call)
				}
			}
			assert.Zero(t, out.n)
		})
	}
	assert.Empty(t, storage.seen(), "a signed URL with a user or password is not sent")
}

// TestDownloadErrorsHideTheSignatureInAnySpelling: a storage host that
// echoes the signature upper-cased, percent-encoded byte by byte, or with
// its escapes in lower case, in an XML or HTML error page, or in the
// Location of a redirect loop, gets it into no error: not the text, not
// any error of the tree, not a *url.Error's URL, not an *APIError's field.
func TestDownloadErrorsHideTheSignatureInAnySpelling(t *testing.T) {
	type style struct {
		signed func(string) string
		secret string
		raw    string // as the query carries it
	}
	styles := map[string]style{
		"SigV4": {signedV4, sigV4, sigV4},
		"V2":    {signedV2, sigV2, url.QueryEscape(sigV2)},
	}
	carriers := map[string]func(echo string) http.HandlerFunc{
		"403 XML page": func(echo string) http.HandlerFunc {
			return respond(403, `<Error><Code>SignatureDoesNotMatch</Code><SignatureProvided>`+echo+
				`</SignatureProvided><RequestId>tx0001</RequestId></Error>`, "Content-Type", "application/xml")
		},
		"404 XML page naming the request": func(echo string) http.HandlerFunc {
			return respond(404, `<Error><Code>NoSuchKey</Code><Resource>?Signature=`+echo+`</Resource></Error>`,
				"Content-Type", "application/xml")
		},
		"403 HTML title": func(echo string) http.HandlerFunc {
			return respond(403, `<html><head><title>Forbidden `+echo+`</title></head><body>denied</body></html>`, "Content-Type", "text/html")
		},
		"redirect loop": func(echo string) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, r.URL.Path+"?X-Amz-Signature="+echo, http.StatusFound)
			}
		},
	}
	for sname, st := range styles {
		echoes := map[string]string{
			"upper-cased":                    strings.ToUpper(st.secret),
			"percent-encoded byte-wise":      percentEach(st.secret),
			"as sent, escapes in lower case": lowerEscapes(st.raw),
			"upper-cased, percent-encoded":   percentEach(strings.ToUpper(st.secret)),
		}
		for ename, echo := range echoes {
			for cname, carrier := range carriers {
				t.Run(sname+", "+ename+", "+cname, func(t *testing.T) {
					storage := newStorageHost(t, carrier(echo))
					api := detailsAPI(t, st.signed(storage.URL))
					var out sink
					_, err := downloadClient(t, api, []*httptest.Server{storage.Server}).
						DownloadIndexingJobDetails(context.Background(), jobID, &out)
					require.Error(t, err)
					assertNoSecret(t, err, st.secret)
					assert.Contains(t, err.Error(), "/reports/"+jobID+".json", "the error still names the report")
					assert.Zero(t, out.n)
				})
			}
		}
	}
}

// lowerEscapes writes the hex digits of s's %XX escapes in lower case.
func lowerEscapes(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			b.WriteString(strings.ToLower(s[i : i+3]))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// TestStorageRefusalIsAnAPIError: a storage host's error status is an
// *APIError with that status, as the API's are, so that errors.As and
// IsNotFound classify it; IsNotFound holds for its 404 only.
func TestStorageRefusalIsAnAPIError(t *testing.T) {
	for _, tc := range []struct {
		code int
		body string
	}{
		{403, `<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>`},
		{404, `<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>`},
		{410, `<Error><Code>Gone</Code></Error>`},
		{500, `<Error><Code>InternalError</Code></Error>`},
	} {
		t.Run(strconv.Itoa(tc.code), func(t *testing.T) {
			storage := newStorageHost(t, respond(tc.code, tc.body, "Content-Type", "application/xml"))
			api := detailsAPI(t, signedV4(storage.URL))
			var out sink
			_, err := downloadClient(t, api, []*httptest.Server{storage.Server}).DownloadIndexingJobDetails(context.Background(), jobID, &out)
			require.Error(t, err)
			var apiErr *indexingjobs.APIError
			require.ErrorAs(t, err, &apiErr, "%v", err)
			assert.Equal(t, tc.code, apiErr.StatusCode)
			assert.Equal(t, http.MethodGet, apiErr.Method)
			assert.Contains(t, apiErr.URL, storage.URL+"/reports/"+jobID+".json")
			assert.Equal(t, tc.code == 404, indexingjobs.IsNotFound(err))
			assert.False(t, indexingjobs.IsUnauthorized(err))
			assert.Zero(t, out.n)
			assertNoSecret(t, err, sigV4)
		})
	}
}

// TestALargeStorageErrorPageSaysItsBoundAndShowsItsStart: a storage
// host's error page longer than what is read of it (4 KiB) is an
// *APIError that says the bound it was cut at and shows how it starts.
func TestALargeStorageErrorPageSaysItsBoundAndShowsItsStart(t *testing.T) {
	page := `<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message>` + strings.Repeat("<Padding/>", 2000) + `</Error>`
	storage := newStorageHost(t, respond(503, page, "Content-Type", "application/xml"))
	api := detailsAPI(t, signedV4(storage.URL))
	var out sink
	_, err := downloadClient(t, api, []*httptest.Server{storage.Server}, indexingjobs.WithMaxRetries(0)).DownloadIndexingJobDetails(context.Background(), jobID, &out)
	var apiErr *indexingjobs.APIError
	require.ErrorAs(t, err, &apiErr, "%v", err)
	assert.Equal(t, 503, apiErr.StatusCode)
	assert.Contains(t, apiErr.Message, "a body of more than 4096 bytes")
	assert.Contains(t, apiErr.Message, "it starts: <Error><Code>SlowDown</Code>")
	assert.NotContains(t, err.Error(), strings.Repeat("<Padding/>", 500), "only the start is shown")
	assertNoSecret(t, err, sigV4)
}

// TestRedactingASignedURLCostsWhatItsBytesCost: a failed download of a
// report whose signed URL holds 16 KiB of query allocates less than 8 MB
// to keep the URL's secrets out of its error. Before, every query value of
// 8 bytes or more became a regular expression of each character, as is
// and percent-encoded in either case, compiled into one alternation the
// first time an error of the download was shown: 16 KiB (four values of 4
// KiB) allocated about 55 MB; 40 KiB, 130 MB and 0.4 s; 400 KB, 1.5 GB and
// 7 s (measured on the pattern alone), and past the regexp package's size
// limit the pattern fell back to ".+": every error was "[redacted]". The
// API body cap is 4 MiB: a hostile or broken API reached gigabytes with
// one answer, and each err.Error() ran the pattern again.
func TestRedactingASignedURLCostsWhatItsBytesCost(t *testing.T) {
	var q []string
	for i := range 4 {
		q = append(q, fmt.Sprintf("X-Amz-Part-%d=%s", i, strings.Repeat(string(rune('a'+i)), 4<<10)))
	}
	signed := closedLoopbackURL(t) + "/reports/" + jobID + ".json?" + strings.Join(q, "&")
	api := newScripted(t, respond(200, `{"signed_url":"`+signed+`"}`))
	client := newClient(t, api.URL)

	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	_, err := client.DownloadIndexingJobDetails(context.Background(), jobID, io.Discard)
	took := time.Since(start)
	runtime.ReadMemStats(&after)
	require.Error(t, err)

	allocated := after.TotalAlloc - before.TotalAlloc
	assert.Less(t, allocated, uint64(8<<20),
		"a failed download of a %d-byte signed URL allocated %d MB (in %v): redaction must cost about the URL's bytes", len(signed), allocated>>20, took)
}

// TestNoErrorOfTheTreeShowsTheSignature: a storage host that redirects to
// a path holding the signature (here, a loop) gets it into no error of the
// tree: not the text, nor any error errors.Unwrap reaches, which an error
// reporter that walks the tree shows. Before, redaction wrapped the
// outermost error and cleaned the fields of an *APIError; the redirect
// policy's error below kept its text whole.
func TestNoErrorOfTheTreeShowsTheSignature(t *testing.T) {
	storage := newStorageHost(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/echo/"+sigV4+"/report.json", http.StatusFound)
	})
	api := detailsAPI(t, signedV4(storage.URL))
	_, err := downloadClient(t, api, []*httptest.Server{storage.Server}).DownloadIndexingJobDetails(context.Background(), jobID, io.Discard)
	require.Error(t, err)
	assert.False(t, showsSecret(err.Error(), sigV4), "the text itself is redacted: %v", err)
	assertNoSecret(t, err, sigV4)
}

// TestEveryEchoOfASignedURLSecretIsRedacted: a storage host's error that
// echoes the signature shows none of it, by assertNoSecret's measure (12
// bytes in a row, decoded up to three times), in two spellings that
// redaction of each query value, whole, as it is or percent-encoded once,
// missed before:
//   - cut at 1024 bytes: a JSON message holding the signature with "/"
//     written "\/" (PHP's json_encode and many encoders write it so) was
//     not matched in the raw body; decoded, it was cut to maxMessageLen
//     before it was redacted, and the part before the cut (34 of 44
//     characters here) no longer matched the whole; the same held for
//     the id and the request id, cut at 128;
//   - encoded twice: a page that names where to go after a login carries
//     the request's query as a value of its own ("+" as %252B); the runs
//     between two such characters stayed.
func TestEveryEchoOfASignedURLSecretIsRedacted(t *testing.T) {
	for name, tc := range map[string]struct {
		signed func(host string) string
		secret string
		answer http.HandlerFunc
	}{
		"cut at 1024 bytes": {signedV2, sigV2,
			respond(403, `{"id":"SignatureDoesNotMatch","message":"`+strings.Repeat("x", 990)+strings.ReplaceAll(sigV2, "/", `\/`)+`"}`)},
		"encoded twice": {signedV2, sigV2,
			respond(403, `<html><head><title>Sign in: /login?next=`+url.QueryEscape("?Signature="+url.QueryEscape(sigV2))+`</title></head></html>`,
				"Content-Type", "text/html")},
	} {
		t.Run(name, func(t *testing.T) {
			storage := newStorageHost(t, tc.answer)
			api := detailsAPI(t, tc.signed(storage.URL))
			_, err := downloadClient(t, api, []*httptest.Server{storage.Server}).DownloadIndexingJobDetails(context.Background(), jobID, io.Discard)
			require.Error(t, err)
			assertNoSecret(t, err, tc.secret)
		})
	}
}

// TestADownloadThatStopsMidBodyEnds: a storage host that sends its
// headers and the first bytes, then nothing, ends the download once it has
// sent no byte for an attempt timeout; a bound on silence, not on the
// whole download, which does not cut a long report short. Before, the
// attempt timeout bounded the wait for headers only, and such a host held
// the call (its goroutine, its connection, the caller's file) until the
// caller's context ended, for ever under context.Background().
func TestADownloadThatStopsMidBodyEnds(t *testing.T) {
	storage := selfSigned(t, halfBody)
	client := newClient(t, storage.URL, indexingjobs.WithAttemptTimeout(100*time.Millisecond))
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond) // the test's safety net
	defer cancel()
	start := time.Now()
	n, err := client.DownloadIndexingJobDetails(ctx, jobID, io.Discard)
	require.Error(t, err)
	assert.Equal(t, int64(7), n)
	assert.NoError(t, ctx.Err(), "the download ended only at the test's safety net, after %v: %v", time.Since(start).Round(time.Millisecond), err)
}

// TestADownloadToNoWriterIsRefusedUnsent: like a bad uuid, a nil writer
// is refused before anything is sent. Before, the core told a download
// from an API call by its sink alone, so a nil io.Writer turned
// DownloadIndexingJobDetails into an API call to the storage host: the
// report was read whole into memory, dropped, and the call returned 0
// bytes and no error, as if the report were empty.
func TestADownloadToNoWriterIsRefusedUnsent(t *testing.T) {
	storage := selfSigned(t, func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, strings.Repeat(`{"file":"a.pdf","items":12}`+"\n", 1000))
	})
	n, err := newClient(t, storage.URL).DownloadIndexingJobDetails(context.Background(), jobID, nil)
	assert.Error(t, err, "a report of 28,000 bytes was downloaded to no writer: %d bytes written", n)
	assert.Zero(t, storage.count(), "requests sent for a download to no writer")
}

// TestDownloadErrorsNeverHoldTheSignature: however the storage host fails
// (connection cut, refused, a redirect loop, too slow, an error page that
// echoes the request), the error names the report without the signed
// URL's signature.
func TestDownloadErrorsNeverHoldTheSignature(t *testing.T) {
	cut := newScripted(t, func(w http.ResponseWriter, r *http.Request) {
		conn, _, _ := w.(http.Hijacker).Hijack()
		conn.Close()
	})
	loop := newScripted(t, func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, r.URL.String(), http.StatusFound) })
	slow := newScripted(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	echo := newScripted(t, respond(403, "<Error><Code>SignatureDoesNotMatch</Code><SignatureProvided>"+sigV4+"</SignatureProvided></Error>",
		"Content-Type", "application/xml"))
	refused := closedLoopbackURL(t)
	for name, storage := range map[string]string{
		"connection cut": cut.URL, "redirect loop": loop.URL, "too slow": slow.URL,
		"page echoing the signature": echo.URL, "connection refused": refused,
	} {
		t.Run(name, func(t *testing.T) {
			api := newScripted(t, respond(200, `{"signed_url":"`+storage+`/reports/`+jobID+`.json?X-Amz-Expires=900&X-Amz-Signature=`+sigV4+`"}`))
			client := newClient(t, api.URL, indexingjobs.WithHTTPClient(&http.Client{Timeout: 200 * time.Millisecond}))
			_, err := client.DownloadIndexingJobDetails(context.Background(), jobID, io.Discard)
			require.Error(t, err)
			msg := fmt.Sprintf("%v %+v", err, err)
			assert.NotContains(t, msg, sigV4[:16])
			assert.Contains(t, msg, storage+"/reports/"+jobID+".json", "names the report")
		})
	}
}

// TestSignedURLToThisMachineOnlyForATestAPI: an API reached over https
// cannot send the client to a plain-http service on this machine.
func TestSignedURLToThisMachineOnlyForATestAPI(t *testing.T) {
	client := memoryClient(t, func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Header: http.Header{}, Request: r, ContentLength: -1,
			Body: io.NopCloser(strings.NewReader(`{"signed_url":"http://127.0.0.1:6379/x"}`))}, nil
	})
	_, err := client.IndexingJobDetailsURL(context.Background(), jobID)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not an https URL")
}

// TestDownloadCarriesNoToken: the details are fetched from the signed URL
// on another origin with no Authorization header.
func TestDownloadCarriesNoToken(t *testing.T) {
	report := `{"job":"` + jobID + `","data_sources":2}`
	var storageSaw atomic.Value
	storage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		storageSaw.Store(fmt.Sprint(r.Header))
		if r.Header.Get("Authorization") != "" || r.URL.Query().Get("sig") != "ok" {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		_, _ = io.WriteString(w, report)
	}))
	defer storage.Close()
	api, seen := recorder(t, 200, `{"signed_url":"`+storage.URL+`/reports/`+jobID+`?sig=ok"}`)

	var out strings.Builder
	n, err := newClient(t, api.URL).DownloadIndexingJobDetails(context.Background(), jobID, &out)
	require.NoError(t, err)
	assert.Equal(t, int64(len(report)), n)
	assert.Equal(t, report, out.String())
	assert.NotContains(t, storageSaw.Load(), testToken[8:24])
	assert.Len(t, seen(), 1)

	// A signed URL that is not https (or loopback http) is refused unsent,
	// and the error says truly why.
	for bad, why := range map[string]string{"http://reports.example/x": "not an https URL", "ftp://reports.example/x": "not an https URL",
		"/relative": "not an absolute URL", "https://u:p@reports.example/x": "carries a user or password"} {
		api, _ := recorder(t, 200, `{"signed_url":"`+bad+`"}`)
		_, err := newClient(t, api.URL).DownloadIndexingJobDetails(context.Background(), jobID, io.Discard)
		require.Error(t, err, bad)
		assert.Contains(t, err.Error(), why)
		assert.NotContains(t, err.Error(), "u:p@")
	}

	// No error quotes the signature, a credential.
	for _, signed := range []string{closedLoopbackURL(t) + "/r?sig=s3cr3tsig", "http://reports.example/r?sig=s3cr3tsig"} {
		api, _ := recorder(t, 200, `{"signed_url":"`+signed+`"}`)
		_, err = newClient(t, api.URL).DownloadIndexingJobDetails(context.Background(), jobID, io.Discard)
		require.Error(t, err, signed)
		assert.NotContains(t, err.Error(), "s3cr3tsig", signed)
		var uerr *url.Error
		if errors.As(err, &uerr) {
			assert.NotContains(t, uerr.URL, "s3cr3tsig", "the *url.Error in the chain")
		}
	}

	// The storage host says no: the error names the status, not the signature.
	api, _ = recorder(t, 200, `{"signed_url":"`+storage.URL+`/reports/`+jobID+`?sig=expired"}`)
	_, err = newClient(t, api.URL).DownloadIndexingJobDetails(context.Background(), jobID, io.Discard)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "403 Forbidden")
	assert.NotContains(t, err.Error(), "expired")
}
