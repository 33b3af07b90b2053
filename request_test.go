package indexingjobs_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	indexingjobs "github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/internal/optest"
)

// Tests of building a request (request.go): an id that is not a UUID is
// refused before anything is sent, by every method that names one.

// badIDs are ids no request may carry: not UUIDs, or ones that would
// change the path.
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

// TestEveryIDIsCheckedBeforeSending: no method sends a bad id of any kind,
// in any place: an operation that names two (a data source and its
// knowledge base) refuses either.
func TestEveryIDIsCheckedBeforeSending(t *testing.T) {
	srv := newScripted(t, respond(200, `{}`))
	client := newClient(t, srv.URL)
	ctx := context.Background()
	bad := "../../v2/account"
	calls := map[string]func() error{
		"wait":         func() error { _, err := client.WaitForIndexingJob(ctx, bad); return err },
		"start source": func() error { _, err := client.StartIndexingJob(ctx, jobID, jobID, bad); return err },
		"download":     func() error { _, err := client.DownloadIndexingJobDetails(ctx, bad, io.Discard); return err },
	}
	for _, row := range optest.Rows {
		ids := optest.Canonical.Of(row.On) // none when the call names nothing
		for i := range ids {
			calls[fmt.Sprintf("%s, id %d of %d", row.Op.ID, i+1, len(ids))] = func() error { return row.Call(ctx, client, optest.With(ids, i, bad)...) }
		}
	}
	for name, call := range calls {
		assert.ErrorIs(t, call(), indexingjobs.ErrInvalidUUID, name)
	}
	for name, call := range map[string]func() error{
		"page 0":        func() error { _, err := client.ListIndexingJobsPage(ctx, 0, 20); return err },
		"per page -1":   func() error { _, err := client.ListIndexingJobsPage(ctx, 1, -1); return err },
		"per page 201":  func() error { _, err := client.ListIndexingJobsPage(ctx, 1, 201); return err },
		"control chars": func() error { return indexingjobs.ValidateUUID("\x1b[2J") },
	} {
		assert.Error(t, call(), name)
	}
	assert.Zero(t, srv.count())
	assert.NotContains(t, indexingjobs.ValidateUUID("\x1b[2J\n").Error(), "\x1b")
}

// FuzzJobID: no id the client accepts can change where a request goes.
// An accepted id is sent as exactly /v2/gen-ai/indexing_jobs/<id>[/cancel]
// on the API's host, with no query; a refused one sends nothing.
func FuzzJobID(f *testing.F) {
	for _, s := range []string{jobID, strings.ToUpper(jobID), "", "..", "../../v2/account", jobID + "/../x",
		"%2e%2e%2f%2e%2e", jobID + "\n", jobID + "?x=1", jobID + "#", "7d1b3a0e-5c44-4b8e-9a51-0f6c2e8d9b1/",
		"7d1b3a0e/5c44-4b8e-9a51-0f6c2e8d9b17", "7d1b3a0e-5c44-4b8e-9a51-0f6c2e8d9b1é", "７d1b3a0e-5c44-4b8e-9a51-0f6c2e8d9b17"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		var sent []*http.Request
		client := memoryClient(t, func(r *http.Request) (*http.Response, error) {
			sent = append(sent, r)
			// The job asked for, so that any accepted id can succeed: the
			// path is checked below.
			asked := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/v2/gen-ai/indexing_jobs/"), "/cancel")
			return &http.Response{StatusCode: 200, Header: http.Header{}, Request: r, ContentLength: -1,
				Body: io.NopCloser(strings.NewReader(`{"job":{"uuid":"` + asked + `"}}`))}, nil
		})
		_, errCancel := client.CancelIndexingJob(context.Background(), id)
		_, errGet := client.GetIndexingJob(context.Background(), id)

		if indexingjobs.ValidateUUID(id) != nil {
			if len(sent) != 0 || !errors.Is(errCancel, indexingjobs.ErrInvalidUUID) || !errors.Is(errGet, indexingjobs.ErrInvalidUUID) {
				t.Fatalf("refused id %q: sent %d requests; errors %v, %v", id, len(sent), errCancel, errGet)
			}
			return
		}
		if errCancel != nil || errGet != nil || len(sent) != 2 {
			t.Fatalf("accepted id %q: %d requests; errors %v, %v", id, len(sent), errCancel, errGet)
		}
		for i, want := range []string{"/v2/gen-ai/indexing_jobs/" + id + "/cancel", "/v2/gen-ai/indexing_jobs/" + id} {
			u := sent[i].URL
			if u.Scheme != "https" || u.Host != "api.digitalocean.com" || u.EscapedPath() != want || u.Path != want ||
				u.RawQuery != "" || u.Fragment != "" || strings.Count(u.Path, "/") != strings.Count(want, "/") {
				t.Fatalf("accepted id %q went to %s, want https://api.digitalocean.com%s", id, u, want)
			}
		}
	})
}
