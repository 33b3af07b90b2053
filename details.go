package indexingjobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/gradient-go/indexingjobs/gen"
	"github.com/gradient-go/indexingjobs/internal/safetext"
)

// IndexingJobDetailsURL returns the pre-signed URL of the indexing job's
// detailed report (see the job's IsReportAvailable). It is valid for a
// short while and carries its own signature: fetch it with no token, as
// DownloadIndexingJobDetails does. Only an https URL is accepted (plain
// http to a loopback address when the client's base URL is one, for tests).
func (c *Client) IndexingJobDetailsURL(ctx context.Context, jobUUID string) (*url.URL, error) {
	if err := checkUUID("indexing job", jobUUID); err != nil {
		return nil, err
	}
	var out gen.APIGetIndexingJobDetailsSignedURLOutput
	var signed *url.URL
	err := c.call(ctx, "genai_get_indexing_job_details_signed_url", func(server string) (*http.Request, error) {
		return gen.NewGenaiGetIndexingJobDetailsSignedURLRequest(server, jobUUID)
	}, &out, func() error {
		u, err := url.Parse(out.SignedURL)
		// https, or plain http to loopback when the API itself is reached
		// so (a test's fake): a hostile API cannot point the client at
		// this machine's plain-http services.
		if err != nil || !u.IsAbs() || u.Host == "" || u.User != nil || !tokenAllowed(u) || (u.Scheme == "http" && c.scheme != "http") {
			unsigned, _, _ := strings.Cut(out.SignedURL, "?") // the signature is a credential
			return fmt.Errorf("%w: the signed URL %q is not an https URL", errWrongAnswer, clean(unsigned, 256))
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
// the signed URL (IndexingJobDetailsURL), then fetches that URL with the
// client's http.Client but without the Authorization header: the token
// never reaches the storage host. ctx bounds both requests and the copy.
// The download is not retried, since part of it may be written already.
func (c *Client) DownloadIndexingJobDetails(ctx context.Context, jobUUID string, w io.Writer) (n int64, err error) {
	u, err := c.IndexingJobDetailsURL(ctx, jobUUID)
	if err != nil {
		return 0, err
	}
	// From here on an error may quote the signed URL (net/http's do,
	// whole) or what the storage host echoed of it.
	defer func() {
		if err != nil {
			err = &withoutSignature{err, u}
		}
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return 0, fmt.Errorf("indexingjobs: details of %s: %w", jobUUID, err)
	}
	req.Header["User-Agent"] = c.uaHeader
	resp, err := c.hc.Do(req) // no Authorization: the URL is signed
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			// Not even errors.As may find the signature: name the URL
			// without its query, as the text does.
			uerr.URL = withoutQuery(u)
		}
		return 0, fmt.Errorf("indexingjobs: details of %s: %w", jobUUID, safeError(withContextErr(ctx, err)))
	}
	defer resp.Body.Close()
	body := honestReader{resp.Body}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		head, _ := io.ReadAll(io.LimitReader(body, 4<<10))
		// The URL without its query: the signature is a credential. It
		// is taken out of the page before the snippet may cut it short.
		where := withoutQuery(u)
		return 0, fmt.Errorf("indexingjobs: details of %s: GET %s: %s: %s",
			jobUUID, safetext.Line(where), statusLine(resp.StatusCode), safetext.Line(snippet([]byte(redactQuery(string(head), u)))))
	}
	n, err = io.Copy(w, body)
	if err != nil {
		return n, fmt.Errorf("indexingjobs: details of %s: after %d bytes: %w", jobUUID, n, safeError(withContextErr(ctx, err)))
	}
	return n, nil
}

// withoutSignature shows err with the values of the signed URL's query
// taken out: the signature is a credential, and errors end in logs.
type withoutSignature struct {
	err    error
	signed *url.URL
}

func (e *withoutSignature) Error() string { return redactQuery(e.err.Error(), e.signed) }
func (e *withoutSignature) Unwrap() error { return e.err }

// redactQuery replaces in s each value of u's query long enough to be a
// signature (8 bytes or more), as sent and unescaped, with "[redacted]".
func redactQuery(s string, u *url.URL) string {
	for _, pair := range strings.Split(u.RawQuery, "&") {
		_, raw, _ := strings.Cut(pair, "=")
		values := []string{raw}
		if v, err := url.QueryUnescape(raw); err == nil && v != raw {
			values = append(values, v)
		}
		for _, v := range values {
			if len(v) >= 8 {
				s = strings.ReplaceAll(s, v, "[redacted]")
			}
		}
	}
	return s
}

// withoutQuery is a signed URL fit for an error: its query holds the
// signature, a credential.
func withoutQuery(u *url.URL) string {
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
}
