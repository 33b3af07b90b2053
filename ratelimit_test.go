package indexingjobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gradient-go/indexingjobs"
)

// Tests of the rate limit the client reads from answers (ratelimit.go).

func TestRateLimitKeepsOnlyValidValues(t *testing.T) {
	for _, tc := range []struct {
		limit, remaining, reset string
		want                    indexingjobs.RateLimit
	}{
		{"5000", "4999", "1444931833", indexingjobs.RateLimit{Limit: 5000, Remaining: 4999, Reset: time.Unix(1444931833, 0)}},
		{"-5000", "-1", "-1444931833", indexingjobs.RateLimit{}},
		{"99999999999999999999", "9223372036854775807", "9223372036854775807", indexingjobs.RateLimit{}},
		{"5e3", "0x10", "soon", indexingjobs.RateLimit{}},
		{"5000", "abc", "", indexingjobs.RateLimit{Limit: 5000}},
	} {
		srv := newScripted(t, respond(200, jobBody(cancelled),
			"Ratelimit-Limit", tc.limit, "Ratelimit-Remaining", tc.remaining, "Ratelimit-Reset", tc.reset))
		client := newClient(t, srv.URL)
		_, err := client.GetIndexingJob(context.Background(), jobID)
		require.NoError(t, err)
		assert.Equal(t, tc.want, client.RateLimit(), "%+v", tc)
	}
}
