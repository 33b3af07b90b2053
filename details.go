package indexingjobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// IndexingJobDetailsURL returns the pre-signed URL of the indexing job's
// detailed report (see the job's IsReportAvailable). It is valid for a
// short while and carries its own signature: fetch it with no token, as
// DownloadIndexingJobDetails does. Only an https URL is accepted (plain
// http to a loopback address when the client's base URL is one, for tests),
// without a user or password.
func (c *Client) IndexingJobDetailsURL(ctx context.Context, jobUUID string) (*url.URL, error) {
	var signed *url.URL
	_, err := call(ctx, c, opGenaiGetIndexingJobDetailsSignedURL, []string{jobUUID}, nil, nil,
		func(out *detailsSignedURLAnswer) (err error) {
			signed, err = c.signedURL(out.SignedURL)
			return err
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
// attempt timeout bounds each wait, for the answer's headers and then for
// more of the body, not the whole download: a storage host that sends
// nothing for that long ends it, one that keeps sending does not. At most
// WithMaxDownloadBytes bytes (DefaultMaxDownloadBytes) are written. A storage answer outside 2xx is an *APIError. No error
// holds the URL's query, which holds the signature, in any spelling.
func (c *Client) DownloadIndexingJobDetails(ctx context.Context, jobUUID string, w io.Writer) (int64, error) {
	if w == nil {
		return 0, errors.New("indexingjobs: DownloadIndexingJobDetails: no writer to write the report to")
	}
	u, err := c.IndexingJobDetailsURL(ctx, jobUUID)
	if err != nil {
		return 0, err
	}
	x := &outgoing{
		idempotent: true, maxRetries: 0, download: true, sink: w, max: c.maxDownload, secrets: c.secrets.with(queryValues(u)...),
		req: newRequest(http.MethodGet, u, http.Header{"User-Agent": c.uaHeader}),
	}
	n, err := c.do(ctx, x)
	if err != nil {
		return n, fmt.Errorf("indexingjobs: details of %s: %w", jobUUID, err)
	}
	return n, nil
}

// signedURL parses a signed URL an answer holds, which the client is to
// fetch or upload to without its token: an absolute https URL (plain http
// to a loopback address when the client's base URL is one, for tests),
// without a user or password, of a sane length. Its errors wrap
// errWrongAnswer and never show its query, which holds the signature.
func (c *Client) signedURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	switch {
	case len(raw) > maxSignedURL:
		return nil, fmt.Errorf("%w: the signed URL is %d bytes long; none is over %d", errWrongAnswer, len(raw), maxSignedURL)
	case err != nil || !u.IsAbs() || u.Host == "":
		return nil, fmt.Errorf("%w: the signed URL is not an absolute URL", errWrongAnswer)
	case u.User != nil:
		return nil, fmt.Errorf("%w: the signed URL %s carries a user or password", errWrongAnswer, safeURL(u))
	case !c.reachable(u):
		return nil, fmt.Errorf("%w: the signed URL %s is not an https URL", errWrongAnswer, safeURL(u))
	}
	return u, nil
}

// maxSignedURL bounds a signed URL: S3's, with a session token, are a few
// KiB.
const maxSignedURL = 16 << 10

// safeURL shows a URL from an answer in an error: no user or password, no
// query, control characters escaped.
func safeURL(u *url.URL) string { return fmt.Sprintf("%q", withoutQuery(u)) }
