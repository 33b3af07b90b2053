package indexingjobstest

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gradient-go/indexingjobs"
)

// TestStorageExpiryAndUnknownReports: a URL signed right but expired gets
// 403; one signed right for no job's report gets 404.
func TestStorageExpiryAndUnknownReports(t *testing.T) {
	s := NewServer()
	defer s.Close()
	id := s.AddJob(NewJob(indexingjobs.PhaseSucceeded))
	get := func(path string, expires time.Time) int {
		t.Helper()
		e := strconv.FormatInt(expires.Unix(), 10)
		resp, err := http.Get(s.StorageURL() + path + "?expires=" + e + "&signature=" + s.sign(http.MethodGet, path, e))
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	soon, past := time.Now().Add(time.Minute), time.Now().Add(-time.Second)
	assert.Equal(t, 200, get("/reports/"+id+".json", soon))
	assert.Equal(t, 403, get("/reports/"+id+".json", past), "expired")
	assert.Equal(t, 404, get("/reports/"+newUUID()+".json", soon), "no such job")
	assert.Equal(t, 404, get("/elsewhere", soon), "not a report")
}
