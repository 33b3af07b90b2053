package indexingjobs_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2"

	indexingjobs "github.com/gradient-go/indexingjobs"
)

// Attacks of a review: each test here fails against the code it was
// written for, and pins a defect.

// TestReviewRedactingASignedURLCostsWhatItsBytesCost: the API names the
// report's signed URL; the client turns every query value of 8 bytes or
// more into a regular expression of each character, as is and
// percent-encoded in either case, and compiles one alternation of them
// the first time an error of the download is shown. A signed URL of 16
// KiB (four values of 4 KiB) makes the failed download allocate about
// 55 MB; 40 KiB, 130 MB and 0.4 s; 400 KB of query, 1.5 GB and 7 s
// (measured on the pattern alone), and past the regexp package's size
// limit the pattern falls back to ".+": every error is "[redacted]". The
// API body cap is 4 MiB: a hostile or broken API reaches gigabytes with
// one answer, and each err.Error() runs the pattern again.
func TestReviewRedactingASignedURLCostsWhatItsBytesCost(t *testing.T) {
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

// TestReviewDeleteScheduleAnswerIsAboutTheScheduleAsked: every other
// operation that names a thing checks that its answer is about that thing
// (isJob, isKnowledgeBase, isSchedule); DeleteIndexingSchedule passes no
// check to call, so an answer about another schedule, or about none,
// reports the schedule asked for as deleted.
func TestReviewDeleteScheduleAnswerIsAboutTheScheduleAsked(t *testing.T) {
	for name, body := range map[string]string{
		"another schedule": `{"indexing_info":{"uuid":"` + unknownID + `","knowledge_base_uuid":"` + kbID + `","deleted_at":"2026-12-01T08:00:00Z"}}`,
		"no schedule":      `{"indexing_info":{}}`,
		"empty body":       `{}`,
	} {
		t.Run(name, func(t *testing.T) {
			srv := newScripted(t, respond(200, body))
			s, err := newClient(t, srv.URL).DeleteIndexingSchedule(context.Background(), scheduleID)
			require.Error(t, err, "a delete of %s answered with %s returned %+v", scheduleID, body, s)
			assert.Nil(t, s)
		})
	}
}

// TestReviewStartIsNotResentThroughATransportThatDoesNotTrace: the core
// takes "WroteHeaders never fired" for "nothing was written", and so
// retries a start. WroteHeaders is an httptrace hook that only Go's own
// transports call: a RoundTripper of the caller's (WithHTTPClient; the
// repository's fuzz tests use one) that delivers the request and then
// loses the connection makes the client start the job four times, and
// the error does not wrap ErrOutcomeUnknown.
func TestReviewStartIsNotResentThroughATransportThatDoesNotTrace(t *testing.T) {
	var delivered atomic.Int32
	rt := roundTrip(func(r *http.Request) (*http.Response, error) {
		if r.Body != nil {
			_, _ = io.Copy(io.Discard, r.Body) // the server has the whole request
		}
		delivered.Add(1)
		return nil, errors.New("read tcp 10.0.0.1:50000->10.0.0.2:443: connection reset by peer")
	})
	client := memoryClient(t, rt, indexingjobs.WithMaxRetries(3), fastRetries)
	_, err := client.StartIndexingJob(context.Background(), kbID)
	require.Error(t, err)
	assert.Equal(t, int32(1), delivered.Load(), "a start delivered and then cut off was sent again: %v", err)
	assert.ErrorIs(t, err, indexingjobs.ErrOutcomeUnknown)

	delivered.Store(0)
	_, err = memoryClient(t, rt, indexingjobs.WithMaxRetries(3), fastRetries).
		ScheduleIndexing(context.Background(), kbID, []time.Weekday{time.Monday}, "02:00")
	require.Error(t, err)
	assert.Equal(t, int32(1), delivered.Load(), "a schedule delivered and then cut off was sent again: %v", err)
	assert.ErrorIs(t, err, indexingjobs.ErrOutcomeUnknown)
}

// TestReviewDeleteFoundGoneAfterATransportResendMayHaveDeletedIt: over
// HTTP/2, Go's transport sends a DELETE again by itself after
// RST_STREAM(PROTOCOL_ERROR), which, unlike REFUSED_STREAM, does not say
// the server left the request alone. Here the server deletes the schedule
// on the first stream, resets it, and answers the transport's resend 404.
// The core marks a 404 that follows a possibly-acted attempt only when the
// retry was its own, between attempts (earlier), so the caller gets a
// plain 404, "nothing to delete", although this very call deleted it.
func TestReviewDeleteFoundGoneAfterATransportResendMayHaveDeletedIt(t *testing.T) {
	var deleted atomic.Bool
	srv := newH2Server(t, func(st h2Stream) h2Reply {
		if st.n == 0 {
			deleted.Store(true)
			return h2Reset(http2.ErrCodeProtocol, false)
		}
		return h2Respond(http.StatusNotFound, `{"id":"not_found","message":"The resource you requested could not be found."}`)
	})
	client := newClient(t, srv.URL, indexingjobs.WithHTTPClient(srv.Client()), indexingjobs.WithMaxRetries(0))
	_, err := client.DeleteIndexingSchedule(safetyNet(t), scheduleID)
	require.Error(t, err)
	require.True(t, deleted.Load())
	require.True(t, indexingjobs.IsNotFound(err), "%v", err)
	assert.Equal(t, 2, reportedAttempts(t, err), "the transport sent the delete twice")
	assert.ErrorIs(t, err, indexingjobs.ErrOutcomeUnknown, "the first send may have deleted it: %v", err)
}

// TestReviewTheErrorTreeKeepsNoSignature: redaction wraps the outermost
// error (redacted) and cleans the fields of an *APIError; every other
// error in the tree keeps its text. A storage host that redirects to a
// path holding the signature (here, a loop) gets the signature into the
// redirect policy's error, which errors.Unwrap, and any error reporter
// that walks the tree (assertNoSecret, as the repository's own download
// tests define a leak), still show whole.
func TestReviewTheErrorTreeKeepsNoSignature(t *testing.T) {
	storage := newStorageHost(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/echo/"+sigV4+"/report.json", http.StatusFound)
	})
	api := detailsAPI(t, signedV4(storage.URL))
	_, err := downloadClient(t, api, []*httptest.Server{storage.Server}).DownloadIndexingJobDetails(context.Background(), jobID, io.Discard)
	require.Error(t, err)
	assert.False(t, showsSecret(err.Error(), sigV4), "the text itself is redacted: %v", err)
	assertNoSecret(t, err, sigV4)
}

// TestReviewATokenEchoedByTheServerStaysOutOfTheError: errors show the
// server's text, escaped but otherwise whole. A storage host that echoes
// the signature has it taken out in every spelling; an API, proxy or
// gateway that echoes the bearer token (in a 401's message, in a 5xx HTML
// page, in x-request-id) has it shown, and the error goes to a log.
func TestReviewATokenEchoedByTheServerStaysOutOfTheError(t *testing.T) {
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

// TestReviewEveryEchoOfASignedURLSecretIsRedacted: redaction replaces
// each query value of 8 bytes to 4 KiB, whole, as it is or percent-encoded
// once. A storage host's error that echoes a secret otherwise keeps most
// of it in the error, by the repository's own measure (assertNoSecret: 12
// bytes in a row, decoded up to three times):
//   - cut at 1024 bytes: a JSON message holding the signature with "/"
//     written "\/" (PHP's json_encode and many encoders write it so) is
//     not matched in the raw body; decoded, it is cut to maxMessageLen
//     before it is redacted, and the part before the cut (34 of 44
//     characters here) no longer matches the whole; the same holds for
//     the id and the request id, cut at 128;
//   - encoded twice: a page that names where to go after a login carries
//     the request's query as a value of its own ("+" as %252B); the runs
//     between two such characters stay.
func TestReviewEveryEchoOfASignedURLSecretIsRedacted(t *testing.T) {
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

// TestReviewADownloadThatStopsMidBodyEnds: the attempt timeout bounds a
// download's wait for headers only, so a storage host that sends its
// headers and the first bytes, then nothing, holds the call (its
// goroutine, its connection, the caller's file) until the caller's
// context ends, for ever under context.Background(). A bound that does
// not cut a long report short is one on silence: no byte for an attempt
// timeout ends the download.
func TestReviewADownloadThatStopsMidBodyEnds(t *testing.T) {
	var storage *scripted
	storage = newScripted(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/details_signed_url") {
			respond(200, `{"signed_url":"`+storage.URL+`/reports/r.json?X-Amz-Signature=`+sigV4+`"}`)(w, r)
			return
		}
		w.Header().Set("Content-Length", "1000")
		w.WriteHeader(200)
		_, _ = io.WriteString(w, `{"job":`)
		w.(http.Flusher).Flush()
		<-r.Context().Done() // then silence, until the client goes
	})
	client := newClient(t, storage.URL, indexingjobs.WithAttemptTimeout(100*time.Millisecond))
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond) // the test's safety net
	defer cancel()
	start := time.Now()
	n, err := client.DownloadIndexingJobDetails(ctx, jobID, io.Discard)
	require.Error(t, err)
	assert.Equal(t, int64(7), n)
	assert.NoError(t, ctx.Err(), "the download ended only at the test's safety net, after %v: %v", time.Since(start).Round(time.Millisecond), err)
}

// TestReviewADownloadToNoWriterIsRefusedUnsent: the core tells a download
// from an API call by its sink alone (x.sink == nil), so a nil io.Writer
// turns DownloadIndexingJobDetails into an API call to the storage host:
// the report is read whole into memory (up to WithMaxResponseBytes, under
// the attempt timeout), dropped, and the call returns 0 bytes and no
// error, as if the report were empty. A careless caller learns nothing;
// like a bad uuid, a nil writer should be refused before anything is
// sent.
func TestReviewADownloadToNoWriterIsRefusedUnsent(t *testing.T) {
	var storage *scripted
	storage = newScripted(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/details_signed_url") {
			respond(200, `{"signed_url":"`+storage.URL+`/reports/r.json?X-Amz-Signature=`+sigV4+`"}`)(w, r)
			return
		}
		_, _ = io.WriteString(w, strings.Repeat(`{"file":"a.pdf","items":12}`+"\n", 1000))
	})
	n, err := newClient(t, storage.URL).DownloadIndexingJobDetails(context.Background(), jobID, nil)
	assert.Error(t, err, "a report of 28,000 bytes was downloaded to no writer: %d bytes written", n)
	assert.Zero(t, storage.count(), "requests sent for a download to no writer")
}

// TestATokenInASuccessAnswerStaysOutOfTheError: a 2xx whose body is not
// about what was asked, or does not decode, and echoes the token, gives
// an error without it (found by the style review).
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
