package indexingjobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"unicode"

	"github.com/gradient-go/indexingjobs/gen"
)

// IndexingJobDetailsURL returns the pre-signed URL of the indexing job's
// detailed report (see the job's IsReportAvailable). It is valid for a
// short while and carries its own signature: fetch it with no token, as
// DownloadIndexingJobDetails does. Only an https URL is accepted (plain
// http to a loopback address when the client's base URL is one, for tests),
// without a user or password.
func (c *Client) IndexingJobDetailsURL(ctx context.Context, jobUUID string) (*url.URL, error) {
	if err := checkUUID("indexing job", jobUUID); err != nil {
		return nil, err
	}
	var signed *url.URL
	_, err := call(ctx, c, &gen.GenaiGetIndexingJobDetailsSignedURLOperation, []string{jobUUID}, "", nil,
		func(out *gen.DetailsSignedURL) error {
			u, err := url.Parse(out.SignedURL)
			switch {
			case err != nil || !u.IsAbs() || u.Host == "":
				return fmt.Errorf("%w: the signed URL is not an absolute URL", errWrongAnswer)
			case u.User != nil:
				return fmt.Errorf("%w: the signed URL %s carries a user or password", errWrongAnswer, safeURL(u))
			case !c.reachable(u):
				return fmt.Errorf("%w: the signed URL %s is not an https URL", errWrongAnswer, safeURL(u))
			}
			signed = u
			return nil
		})
	if err != nil {
		return nil, err
	}
	return signed, nil
}

// DownloadIndexingJobDetails writes the indexing job's detailed report to
// w as it arrives and returns how many bytes it wrote. It asks the API for
// the signed URL (IndexingJobDetailsURL), then fetches that URL through
// the same core as every call, with these differences: no Authorization
// header (the URL is signed, and the token never reaches the storage
// host), no retries (part of the report may be written already), and the
// attempt timeout bounds only the wait for the answer's headers. At most
// WithMaxDownloadBytes bytes (DefaultMaxDownloadBytes) are written. A
// storage answer outside 2xx is an *APIError. No error holds the URL's
// query, which holds the signature, in any spelling.
func (c *Client) DownloadIndexingJobDetails(ctx context.Context, jobUUID string, w io.Writer) (int64, error) {
	u, err := c.IndexingJobDetailsURL(ctx, jobUUID)
	if err != nil {
		return 0, err
	}
	x := &outgoing{
		idempotent: true, maxRetries: 0, sink: w, max: c.maxDownload, secret: &signature{u: u},
		req: &http.Request{Method: http.MethodGet, URL: u, Host: u.Host, Header: http.Header{"User-Agent": c.uaHeader},
			Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1},
	}
	ans, err := c.do(ctx, x)
	if err != nil {
		return ans.n, fmt.Errorf("indexingjobs: details of %s: %w", jobUUID, err)
	}
	return ans.n, nil
}

// safeURL shows a URL from an answer in an error: no user or password, no
// query, control characters escaped.
func safeURL(u *url.URL) string { return fmt.Sprintf("%q", withoutQuery(u)) }

// signature keeps a signed URL's query out of errors: the values of its
// query (the signature, the credential, the token of a session) are
// secrets, and errors end in logs. A storage host may echo them in another
// case or percent-encoded; every spelling is taken out.
type signature struct {
	u    *url.URL
	once sync.Once
	re   *regexp.Regexp // nil when no value is long enough to be a secret
}

// redact returns err with its text, and the text of every error in its
// chain that errors.As can reach as an *APIError, without the secrets.
func (s *signature) redact(err error) error {
	if s == nil || err == nil {
		return err
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		apiErr.Message = s.clean(apiErr.Message)
		apiErr.ID = s.clean(apiErr.ID)
		apiErr.RequestID = s.clean(apiErr.RequestID)
	}
	return &redacted{err: err, s: s}
}

// clean replaces every spelling of a secret in text with "[redacted]".
func (s *signature) clean(text string) string {
	s.once.Do(func() { s.re = secretsPattern(s.u.RawQuery) })
	if s.re == nil {
		return text
	}
	return s.re.ReplaceAllString(text, "[redacted]")
}

// secretsPattern matches, ignoring case, each value of the query that is 8
// bytes or longer, unescaped, with each of its characters as itself or
// percent-encoded, in either case (and a space as "+" too). Only values of up to 4 KiB are
// taken: no signature is that long.
func secretsPattern(rawQuery string) *regexp.Regexp {
	var alts []string
	for _, pair := range strings.Split(rawQuery, "&") {
		_, raw, _ := strings.Cut(pair, "=")
		v, err := url.QueryUnescape(raw)
		if err != nil {
			v = raw
		}
		if len(v) < 8 || len(v) > 4<<10 {
			continue
		}
		var b strings.Builder
		for _, r := range strings.ToValidUTF8(v, "\uFFFD") {
			b.WriteString("(?:")
			b.WriteString(regexp.QuoteMeta(string(r)))
			for _, r := range []rune{unicode.ToLower(r), unicode.ToUpper(r)} { // either case, encoded
				b.WriteString("|")
				for _, c := range []byte(string(r)) {
					fmt.Fprintf(&b, "%%%02x", c)
				}
			}
			if r == ' ' {
				b.WriteString(`|\+`)
			}
			b.WriteString(")")
		}
		alts = append(alts, b.String())
	}
	if len(alts) == 0 {
		return nil
	}
	re, err := regexp.Compile("(?i)" + strings.Join(alts, "|"))
	if err != nil {
		return regexp.MustCompile(".+") // cannot happen; if it did, show nothing rather than a secret
	}
	return re
}

// redacted shows err without a signed URL's secrets.
type redacted struct {
	err error
	s   *signature
}

func (e *redacted) Error() string { return e.s.clean(e.err.Error()) }
func (e *redacted) Unwrap() error { return e.err }
