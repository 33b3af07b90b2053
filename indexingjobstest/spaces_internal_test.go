package indexingjobstest

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSpacesIndexedCountsWhatChanged: a job of a Spaces data source finds
// every object under its prefix; the first time all are new, then only
// those added or changed since.
func TestSpacesIndexedCountsWhatChanged(t *testing.T) {
	s := NewServer()
	defer s.Close()
	s.SpacesURL()
	put := func(key, body string) {
		_, err := s.spaces.backend.PutObject(SpacesBucket, key, map[string]string{}, bytes.NewReader([]byte(body)), int64(len(body)), nil)
		require.NoError(t, err)
	}
	put("docs/a.md", "a")
	put("docs/b.md", "b")
	put("other/c.md", "c")

	total, changed, seen := s.spacesIndexed(SpacesBucket, "/docs/", nil)
	assert.Equal(t, [2]uint64{2, 2}, [2]uint64{total, changed})
	total, changed, seen = s.spacesIndexed(SpacesBucket, "docs/", seen)
	assert.Equal(t, [2]uint64{2, 0}, [2]uint64{total, changed})

	put("docs/b.md", "b, changed")
	put("docs/d.md", "d")
	total, changed, _ = s.spacesIndexed(SpacesBucket, "docs/", seen)
	assert.Equal(t, [2]uint64{3, 2}, [2]uint64{total, changed})
}
