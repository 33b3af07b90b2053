package indexingjobs_test

import (
	"context"
	"io"
	"math"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	indexingjobs "github.com/gradient-go/indexingjobs"
)

func TestOversizedBodyIsAnError(t *testing.T) {
	big := `{"job":{"uuid":"` + strings.Repeat("a", 5<<20) + `"}}`
	cases := map[string]http.HandlerFunc{
		"content-length": respond(200, big),
		"chunked": func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			for i := 0; i < len(big); i += 64 << 10 {
				_, _ = w.Write([]byte(big[i:min(i+64<<10, len(big))]))
				w.(http.Flusher).Flush()
			}
		},
		"error status": respond(500, big),
	}
	for name, h := range cases {
		t.Run(name, func(t *testing.T) {
			srv := newScripted(t, h)
			_, err := newClient(t, srv.URL, indexingjobs.WithMaxRetries(0)).CancelIndexingJob(context.Background(), jobID)
			require.ErrorIs(t, err, indexingjobs.ErrResponseTooLarge)
			assert.Less(t, len(err.Error()), 400, "a short line: at most the start of the body")
			var apiErr *indexingjobs.APIError
			if name == "error status" {
				require.ErrorAs(t, err, &apiErr, "an error status is an APIError whatever its body")
				assert.Equal(t, 500, apiErr.StatusCode)
			}
		})
	}
	srv := newScripted(t, respond(200, jobBody(cancelled)+strings.Repeat(" ", 2048)))
	_, err := newClient(t, srv.URL, indexingjobs.WithMaxResponseBytes(1024)).CancelIndexingJob(context.Background(), jobID)
	require.ErrorIs(t, err, indexingjobs.ErrResponseTooLarge, "the cap is configurable")
}

// TestLargestBodyCapStillReadsBodies: a cap of math.MaxInt64, as a caller
// who wants no cap would set it, reads bodies of unknown length whole.
func TestLargestBodyCapStillReadsBodies(t *testing.T) {
	srv := newScripted(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, jobBody(cancelled))
		w.(http.Flusher).Flush() // chunked: no Content-Length
	})
	job, err := newClient(t, srv.URL, indexingjobs.WithMaxResponseBytes(math.MaxInt64)).GetIndexingJob(context.Background(), jobID)
	require.NoError(t, err)
	assert.Equal(t, jobID, job.UUID)
}
