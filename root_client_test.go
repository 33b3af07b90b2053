package indexingjobs_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	indexingjobs "github.com/gradient-go/indexingjobs"
)

var badIDs = []string{
	"", ".", "..", "../..", "a/b", "/", "%2e%2e", "%2F", jobID + "/..", "../" + jobID,
	jobID[:35], jobID + "0", strings.ToUpper(jobID)[:35] + "g", " " + jobID, jobID + "\n",
	"7d1b3a0e5c444b8e9a510f6c2e8d9b17", "{7d1b3a0e-5c44-4b8e-9a51-0f6c2e8d9b17}", "7d1b3a0e-5c44-4b8e-9a51-0f6c2e8d9b1?",
	"7d1b3a0e-5c44-4b8e-9a51-0f6c2e8d9b1#", "7d1b3a0e-5c44-4b8e-9a51%0f6c2e8d9b17", strings.Repeat("a", 10000),
}

func TestBadUUIDNeverReachesTheNetwork(t *testing.T) {
	srv := newScripted(t, respond(200, jobBody("BATCH_JOB_PHASE_CANCELLED")))
	c := newClient(t, srv.URL)
	ctx := context.Background()
	for _, id := range badIDs {
		_, err := c.CancelIndexingJob(ctx, id)
		require.ErrorIs(t, err, indexingjobs.ErrInvalidUUID, "cancel %q", id)
		assert.Less(t, len(err.Error()), 250)
		_, err = c.GetIndexingJob(ctx, id)
		require.ErrorIs(t, err, indexingjobs.ErrInvalidUUID, "get %q", id)
		_, err = c.WaitForIndexingJob(ctx, id)
		require.ErrorIs(t, err, indexingjobs.ErrInvalidUUID, "wait %q", id)
	}
	assert.Equal(t, 0, srv.count(), "no request may be sent for a bad id")
	_, err := c.CancelIndexingJob(ctx, strings.ToUpper(jobID))
	assert.NoError(t, err, "upper-case hex is a UUID too")
}
