package indexingjobstest_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"io"
	"math/rand/v2"
	"net/url"
	"testing"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gradient-go/indexingjobs/indexingjobstest"
)

func newSpacesClient(t *testing.T, srv *indexingjobstest.Server, key string) *minio.Client {
	t.Helper()
	u, err := url.Parse(srv.SpacesURL())
	require.NoError(t, err)
	c, err := minio.New(u.Host, &minio.Options{
		Creds:  credentials.NewStaticV4(key, indexingjobstest.SpacesSecretAccessKey, ""),
		Region: indexingjobstest.SpacesRegion,
	})
	require.NoError(t, err)
	return c
}

// TestSpacesContentRoundTrips: what minio-go uploads reads back byte for
// byte, both as the folder package sends it (one PUT, a plain body with
// its Content-MD5) and as minio-go sends by default over plain http (an
// aws-chunked body with a signature per chunk), which a store that
// mis-decodes such bodies would keep with the chunk headers inside. The
// listing's ETag is the content's MD5.
// TestSpacesNamesShareNothingWithTheToken: the tool hides every run of
// 16 bytes of the token it holds, so a bucket named with one is shown
// hidden ("[redacted]bucket").
func TestSpacesNamesShareNothingWithTheToken(t *testing.T) {
	for _, name := range []string{indexingjobstest.SpacesAccessKeyID, indexingjobstest.SpacesSecretAccessKey, indexingjobstest.SpacesBucket, indexingjobstest.SpacesRegion} {
		for i := 0; i+16 <= len(indexingjobstest.DefaultToken); i++ {
			assert.NotContains(t, name, indexingjobstest.DefaultToken[i:i+16])
		}
	}
}

func TestSpacesContentRoundTrips(t *testing.T) {
	srv, _ := newFake(t)
	c := newSpacesClient(t, srv, indexingjobstest.SpacesAccessKeyID)
	ctx := context.Background()
	content := make([]byte, 3<<20+17) // several chunks of 64 KiB, and a ragged end
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range content {
		content[i] = byte(rng.Uint32())
	}
	sum := md5.Sum(content)

	plain := minio.Core{Client: c}
	_, err := plain.PutObject(ctx, indexingjobstest.SpacesBucket, "docs/plain.bin", bytes.NewReader(content), int64(len(content)),
		base64.StdEncoding.EncodeToString(sum[:]), "", minio.PutObjectOptions{DisableContentSha256: true})
	require.NoError(t, err)
	_, err = c.PutObject(ctx, indexingjobstest.SpacesBucket, "docs/chunked.bin", bytes.NewReader(content), int64(len(content)), minio.PutObjectOptions{})
	require.NoError(t, err)

	for _, key := range []string{"docs/plain.bin", "docs/chunked.bin"} {
		obj, err := c.GetObject(ctx, indexingjobstest.SpacesBucket, key, minio.GetObjectOptions{})
		require.NoError(t, err)
		got, err := io.ReadAll(obj)
		obj.Close()
		require.NoError(t, err)
		assert.True(t, bytes.Equal(content, got), "%s: %d bytes read back, %d sent", key, len(got), len(content))
	}
	objects := srv.SpacesObjects(indexingjobstest.SpacesBucket, "docs/")
	require.Len(t, objects, 2)
	for _, o := range objects {
		assert.Equal(t, hex.EncodeToString(sum[:]), o.ETag, o.Key)
		assert.Equal(t, int64(len(content)), o.Size, o.Key)
	}
}

// TestSpacesRefusesAWrongDigest: a body that does not match its
// Content-MD5 (a file that changed while it was sent) is refused, and
// nothing is stored.
func TestSpacesRefusesAWrongDigest(t *testing.T) {
	srv, _ := newFake(t)
	c := minio.Core{Client: newSpacesClient(t, srv, indexingjobstest.SpacesAccessKeyID)}
	other := md5.Sum([]byte("other"))
	_, err := c.PutObject(context.Background(), indexingjobstest.SpacesBucket, "a.txt", bytes.NewReader([]byte("text")), 4,
		base64.StdEncoding.EncodeToString(other[:]), "", minio.PutObjectOptions{DisableContentSha256: true})
	require.Error(t, err)
	assert.Empty(t, srv.SpacesObjects(indexingjobstest.SpacesBucket, ""))
}

// TestSpacesWantsItsKey: a request signed with another key is refused
// and counted.
func TestSpacesWantsItsKey(t *testing.T) {
	srv, _ := newFake(t)
	c := newSpacesClient(t, srv, "someone-else")
	_, err := c.PutObject(context.Background(), indexingjobstest.SpacesBucket, "a.txt", bytes.NewReader([]byte("text")), 4, minio.PutObjectOptions{})
	require.Error(t, err)
	assert.Equal(t, "InvalidAccessKeyId", minio.ToErrorResponse(err).Code)
	assert.Empty(t, srv.SpacesObjects(indexingjobstest.SpacesBucket, ""))
	assert.GreaterOrEqual(t, srv.SpacesRequests(), 1)
}

// TestSpacesStartsOnFirstUse: no listener before SpacesURL, the same one
// after, and none after Close.
func TestSpacesStartsOnFirstUse(t *testing.T) {
	srv := indexingjobstest.NewServer()
	assert.Nil(t, srv.SpacesObjects(indexingjobstest.SpacesBucket, ""))
	first := srv.SpacesURL()
	assert.Equal(t, first, srv.SpacesURL())
	assert.NotEqual(t, srv.URL, first)
	srv.Close()
	fresh := indexingjobstest.NewServer()
	fresh.Close()
	assert.Empty(t, fresh.SpacesURL())
}
