package indexingjobs_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2"

	indexingjobs "github.com/gradient-go/indexingjobs"
)

// Attacks of a review: each test here fails against the code it was
// written for, and pins a defect.

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
