package indexingjobs_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	indexingjobs "github.com/gradient-go/indexingjobs"
)

// TestNoBaseURLErrorShowsAUserOrPassword: whatever else is wrong with a
// base URL that carries a user or password (no scheme, another scheme, a
// bad port or host, control characters, a query, a path NewClient
// refuses), and whatever the password holds (/ ? # @ : % and spaces, which
// end the authority early or make it unparsable), NewClient refuses it
// and no error shows any of the user or password.
func TestNoBaseURLErrorShowsAUserOrPassword(t *testing.T) {
	schemes := []string{"", "http://", "https://", "HTTPS://", "ftp://", "//", "://", "http:/", "http:", "user:"}
	secrets := []string{"hunter2", "hunter2/", "/hunter2", "hunter2?", "hunter2#", "hunter2@", "hunter2:", ":hunter2",
		"hunter2%", "hunter2%2F", "hunter2%40", "hunter2 ", "hunter2\x7f", "hunter2\n", "hunter2\\", "hunter2[", "hunter2]", "ｈunter2"}
	hosts := []string{"127.0.0.1", "127.0.0.1:8080", "127.0.0.1:badport", "api.example.com", "exa mple.com", "[::1]:80", "[::1",
		"127.0.0.1/a/../b", "127.0.0.1/%2e", "127.0.0.1/?q=1", "127.0.0.1/#f", "127.0.0.1/\x00", "127.0.0.1\x1b[2J"}
	for _, scheme := range schemes {
		for _, secret := range secrets {
			for _, userinfo := range []string{"alice:" + secret + "@", secret + "@", "alice:" + secret + "＠"} {
				for _, host := range hosts {
					base := scheme + userinfo + host
					_, err := indexingjobs.NewClient(indexingjobs.WithToken(testToken), indexingjobs.WithBaseURL(base))
					require.Error(t, err, "%q", base)
					msg := err.Error()
					if strings.Contains(msg, "unter") || strings.Contains(msg, "alice") {
						t.Errorf("base URL %q: the error shows the user or password: %s", base, msg)
					}
					assertSafeText(t, msg)
				}
			}
		}
	}
}

// TestBaseURLPathIsSentAsWritten: a base URL whose path a request could
// not keep as written (a dot segment, which resolving the operation's path
// removes; an encoded slash or dot, which a server or proxy may decode
// into one) is refused by NewClient, naming the path, rather than making
// every call fail. Paths that merely hold dots work.
func TestBaseURLPathIsSentAsWritten(t *testing.T) {
	srv, seen := recorder(t, 200, jobBody(cancelled))
	for _, path := range []string{"/a/../b", "/a/./b", "/..", "/.", "/a/..", "/a/.", "/./a", "/../a", "/a/../", "/a/./",
		"/a/%2e%2e/b", "/%2E", "/%2e/a", "/a/.%2E/b", "/a%2eb", "/%2e%2e%2f", "/a%2Fb", "/a%2fb", "/%2F", "/a/%2f/b"} {
		_, err := indexingjobs.NewClient(indexingjobs.WithToken(testToken), indexingjobs.WithBaseURL(srv.URL+path))
		if assert.Error(t, err, path) {
			assert.Contains(t, err.Error(), "path", path)
			assertSafeText(t, err.Error())
		}
	}
	assert.Empty(t, seen(), "nothing sent")

	for path, prefix := range map[string]string{"": "", "/": "", "/do": "/do", "/do/": "/do", "/a.b": "/a.b", "/a..b/c.": "/a..b/c.",
		"/..a/.b": "/..a/.b", "/v2-proxy/x_y~z": "/v2-proxy/x_y~z", "/a%20b": "/a%20b", "/%7Euser": "/~user"} {
		client := newClient(t, srv.URL+path)
		_, err := client.GetIndexingJob(context.Background(), jobID)
		require.NoError(t, err, path)
		got := seen()
		assert.Equal(t, prefix+"/v2/gen-ai/indexing_jobs/"+jobID, got[len(got)-1].path, "base URL path %q", path)
	}
}
