package indexingjobs_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	indexingjobs "github.com/gradient-go/indexingjobs"
)

// Tests of the base URL (baseurl.go): what NewClient accepts, from
// WithBaseURL and $DIGITALOCEAN_API_URL, and that no error shows what it
// may hold of a secret.

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

// TestNoBaseURLErrorShowsTheToken: a base URL that holds the token,
// wherever it is written (the query, the fragment, the path, the host,
// the port, in place of the scheme or beside another one), is refused by
// NewClient, from WithBaseURL and from $DIGITALOCEAN_API_URL alike, and
// the error shows no 8 bytes of the token in a row. Before, the error
// quoted the URL, and a valid https URL with the token in its path was
// taken, to be sent with every request and shown in every error.
func TestNoBaseURLErrorShowsTheToken(t *testing.T) {
	escaped := url.PathEscape(testToken)
	for _, c := range testToken { // every byte, not only those that need it
		escaped = strings.Replace(escaped, string(c), fmt.Sprintf("%%%02X", c), 1)
	}
	for name, base := range map[string]string{
		"query":                       "https://api.digitalocean.com/?token=" + testToken,
		"query, upper case":           "https://api.digitalocean.com/?token=" + strings.ToUpper(testToken),
		"query, percent-encoded":      "https://api.digitalocean.com/?token=" + escaped,
		"query of a loopback URL":     "http://127.0.0.1:8090?access_token=" + testToken,
		"fragment":                    "https://api.digitalocean.com/#" + testToken,
		"no scheme":                   "api.digitalocean.com/?token=" + testToken,
		"no scheme, the token only":   testToken,
		"another scheme":              "ftp://api.digitalocean.com/" + testToken,
		"the token as the scheme":     testToken + "://api.digitalocean.com",
		"a /v2 path":                  "https://api.digitalocean.com/v2/" + testToken,
		"a /v2 path, plain http":      "http://api.example.com/v2/" + testToken,
		"a /v2 path, dot segment":     "https://api.digitalocean.com/v2/" + testToken + "/../x",
		"a /v2 path, percent-encoded": "https://api.digitalocean.com/v2/" + escaped,
		"host":                        "https://" + testToken + ".example.com",
		"port":                        "https://api.digitalocean.com:" + testToken,
		"beside a password":           "https://user:" + testToken + "@api.digitalocean.com",
		"long, the token across the cut at 256 bytes": "http://api.example.com/" + strings.Repeat("a", 211) + testToken,
	} {
		t.Run(name, func(t *testing.T) {
			for _, source := range []string{"WithBaseURL", "environment"} {
				var err error
				if source == "WithBaseURL" {
					_, err = indexingjobs.NewClient(indexingjobs.WithToken(testToken), indexingjobs.WithBaseURL(base))
				} else {
					t.Setenv(indexingjobs.BaseURLEnv, base)
					_, err = indexingjobs.NewClient(indexingjobs.WithToken(testToken))
				}
				require.Error(t, err, "%s: %q", source, base)
				msg := err.Error()
				assert.False(t, showsToken(msg, testToken[len("dop_v1_"):]), "%s: the error shows the token: %s", source, msg)
				assert.Contains(t, msg, "base URL", source)
				assertSafeText(t, msg)
			}
		})
	}
}

func TestBaseURLSecretsAreNeverEchoed(t *testing.T) {
	for _, base := range []string{
		"http://user:s3cr3tpass@example.com",
		"https://user:s3cr3tpass@example.com",
		"ftp://user:s3cr3tpass@example.com",
		"http://user:s3cr3tpass@example.com:badport",
		"https://user:s3cr3tpass@example.com/?q=1",
		"https://user:s3cr3tpass@exa mple.com",
		"://user:s3cr3tpass@x",
		"http://127.0.0.1/\x7fuser:s3cr3tpass@x",
		// A password with a character that ends the authority does not
		// parse: url.Parse's error quotes it as a port.
		"https://user:s3cr3tpass/x@example.com",
		"https://user:s3cr3tpass?x@example.com",
		"https://user:s3cr3tpass#x@example.com",
	} {
		_, err := indexingjobs.NewClient(indexingjobs.WithToken(testToken), indexingjobs.WithBaseURL(base))
		require.Error(t, err, base)
		assert.NotContains(t, err.Error(), "s3cr3tpass", base)
		assertSafeText(t, err.Error())
	}
}

func TestTokenOnlyOverHTTPSOrLoopback(t *testing.T) {
	for base, ok := range map[string]bool{
		"https://api.digitalocean.com":      true,
		"https://proxy.example.com/do":      true,
		"http://127.0.0.1:8080":             true,
		"http://[::1]:8080":                 true,
		"http://localhost:8080":             true,
		"http://api.digitalocean.com":       false,
		"http://10.0.0.5":                   false,
		"http://127.0.0.1.example.com":      false,
		"ftp://api.digitalocean.com":        false,
		"https://user:pw@api.example.com":   false,
		"api.digitalocean.com":              false,
		"https://api.digitalocean.com/?x=1": false,
	} {
		_, err := indexingjobs.NewClient(indexingjobs.WithToken(testToken), indexingjobs.WithBaseURL(base))
		if ok {
			assert.NoError(t, err, base)
			continue
		}
		require.Error(t, err, base)
		assert.NotContains(t, err.Error(), testToken)
		assert.NotContains(t, err.Error(), "pw", "no password in errors")
	}
}

func TestBaseURLPathPrefixIsKept(t *testing.T) {
	srv := newReplayServer(t, loadRecording(t, "cancel_indexing_job"))
	for _, base := range []string{srv.URL + "/proxy/do", srv.URL + "/proxy/do/"} {
		_, err := newClient(t, base).CancelIndexingJob(context.Background(), jobID)
		require.NoError(t, err)
	}
	for _, r := range srv.requests() {
		assert.Equal(t, "/proxy/do/v2/gen-ai/indexing_jobs/"+jobID+"/cancel", r.RawPath)
	}
}

// TestBaseURLFromTheEnvironment: without WithBaseURL, the client sends to
// $DIGITALOCEAN_API_URL, as the tool does; WithBaseURL wins; a bad one is
// refused, saying where it came from.
func TestBaseURLFromTheEnvironment(t *testing.T) {
	srv := newScripted(t, respond(200, jobBody("BATCH_JOB_PHASE_RUNNING")))
	t.Setenv(indexingjobs.BaseURLEnv, srv.URL)
	c, err := indexingjobs.NewClient(indexingjobs.WithToken(testToken))
	require.NoError(t, err)
	_, err = c.GetIndexingJob(context.Background(), jobID)
	require.NoError(t, err)
	assert.Equal(t, 1, srv.count())

	t.Setenv(indexingjobs.BaseURLEnv, "http://127.0.0.1:9/elsewhere")
	_, err = newClient(t, srv.URL).GetIndexingJob(context.Background(), jobID)
	require.NoError(t, err, "WithBaseURL wins")
	assert.Equal(t, 2, srv.count())

	t.Setenv(indexingjobs.BaseURLEnv, "http://api.example.com")
	_, err = indexingjobs.NewClient(indexingjobs.WithToken(testToken))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "$"+indexingjobs.BaseURLEnv)

	t.Setenv(indexingjobs.BaseURLEnv, "127.0.0.1:8090")
	_, err = indexingjobs.NewClient(indexingjobs.WithToken(testToken))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "has no scheme", "not url.Parse's first path segment cannot contain colon")
}
