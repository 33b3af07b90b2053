package indexingjobs_test

import (
	"strings"
	"testing"

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
