package indexingjobs_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	indexingjobs "github.com/gradient-go/indexingjobs"
)

// tokenSecret is the part of the tokens below that no error may show.
const tokenSecret = "0123456789abcdef0123456789abcdef"

// refusedTokenRunes are characters no token may hold, by class: every
// white space, control and invisible formatting character Unicode knows,
// characters outside ASCII (look-alikes of token characters included), and
// the ASCII characters RFC 6750's token syntax leaves out.
func refusedTokenRunes() map[string][]rune {
	classes := map[string][]rune{}
	for name, table := range map[string]*unicode.RangeTable{
		"white space": unicode.White_Space, "control character": unicode.Cc, "formatting character": unicode.Cf,
	} {
		for _, r16 := range table.R16 {
			for r := rune(r16.Lo); r <= rune(r16.Hi); r += rune(r16.Stride) {
				classes[name] = append(classes[name], r)
			}
		}
		for _, r32 := range table.R32 {
			for r := rune(r32.Lo); r <= rune(r32.Hi); r += rune(r32.Stride) {
				classes[name] = append(classes[name], r)
			}
		}
	}
	classes["outside ASCII"] = []rune("éаοＡａ０－＿ß\uFFFD\U0001F600")
	for r := rune(0x21); r < 0x7f; r++ {
		if !strings.ContainsRune("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/=", r) {
			classes["RFC 6750"] = append(classes["RFC 6750"], r)
		}
	}
	return classes
}

// TestNewClientRefusesATokenOutsideRFC6750 checks the token by class, from
// WithToken and from $DIGITALOCEAN_ACCESS_TOKEN: a character no token can
// hold, wherever it stands, makes NewClient fail with an error that names
// its class, its code and where it stands, and never shows the token.
// Before, only ASCII white space and controls were refused: a no-break or
// zero-width space pasted with the token was sent, and every call got a
// 401 that did not say why.
func TestNewClientRefusesATokenOutsideRFC6750(t *testing.T) {
	tokens := func(r rune) map[string]string { // where → token
		c := string(r)
		return map[string]string{"first": c + "dop_v1_" + tokenSecret, "inside": "dop_v1_" + tokenSecret[:7] + c + tokenSecret[7:],
			"last": "dop_v1_" + tokenSecret + c}
	}
	refused := 0
	for class, runes := range refusedTokenRunes() {
		for _, r := range runes {
			for where, token := range tokens(r) {
				for _, source := range []string{"WithToken", "environment"} {
					var err error
					if source == "WithToken" {
						_, err = indexingjobs.NewClient(indexingjobs.WithToken(token))
					} else {
						if r == 0 {
							continue // no environment variable holds a NUL
						}
						t.Setenv(indexingjobs.TokenEnv, token)
						_, err = indexingjobs.NewClient()
					}
					if strings.Trim(token, " \t\r\n") != token && source == "environment" {
						// ASCII white space around the value, as a shell or a file
						// leaves it, is dropped.
						assert.NoError(t, err, "%U %s, from the environment", r, where)
						continue
					}
					if !assert.Error(t, err, "%s %U %s, %s", class, r, where, source) {
						continue
					}
					refused++
					msg := err.Error()
					assert.NotContains(t, msg, tokenSecret[:7], "the token is not shown")
					assert.NotContains(t, msg, tokenSecret[7:])
					assert.Contains(t, msg, fmt.Sprintf("U+%04X", r), "%s %s", class, where)
					if source == "environment" {
						assert.Contains(t, msg, indexingjobs.TokenEnv, "says where the token came from")
					}
					assertSafeText(t, msg)
				}
			}
		}
	}
	t.Logf("%d tokens refused", refused)

	_, err := indexingjobs.NewClient(indexingjobs.WithToken("dop_v1_" + tokenSecret + "\xff"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "byte 0xff", "a byte that is not UTF-8")
	assert.NotContains(t, err.Error(), tokenSecret)

	for _, token := range []string{"a=b", "=", "==abc", "abc=d=", "abc==d"} { // padding comes last, after something
		_, err := indexingjobs.NewClient(indexingjobs.WithToken(token))
		require.Error(t, err, token)
		assert.Contains(t, err.Error(), `"="`, token)
	}
}

// TestNewClientAcceptsRFC6750Tokens: the tokens DigitalOcean issues, the
// fake's, and every character of the syntax.
func TestNewClientAcceptsRFC6750Tokens(t *testing.T) {
	for _, token := range []string{testToken, "doo_v1_" + tokenSecret, "dor_v1_" + tokenSecret, "indexingjobstest-token",
		"ABCXYZabcxyz0123456789-._~+/", "a==", "Zm9vYmFy", "x"} {
		_, err := indexingjobs.NewClient(indexingjobs.WithToken(token))
		assert.NoError(t, err, token)
	}
	t.Setenv(indexingjobs.TokenEnv, " \t"+testToken+"\r\n")
	_, err := indexingjobs.NewClient()
	assert.NoError(t, err, "a newline after the token, as a file or shell leaves it")
}

func TestNewClientNeedsAToken(t *testing.T) {
	t.Setenv("DIGITALOCEAN_ACCESS_TOKEN", "")
	_, err := indexingjobs.NewClient()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "WithToken")
	assert.Contains(t, err.Error(), "DIGITALOCEAN_ACCESS_TOKEN")
}

func TestNewClientReadsTokenFromEnvironment(t *testing.T) {
	rec := loadRecording(t, "cancel_indexing_job")
	srv := newReplayServer(t, rec)
	t.Setenv("DIGITALOCEAN_ACCESS_TOKEN", testToken)
	c, err := indexingjobs.NewClient(indexingjobs.WithBaseURL(srv.URL))
	require.NoError(t, err)
	_, err = c.CancelIndexingJob(context.Background(), jobID)
	require.NoError(t, err)
	assert.Equal(t, "Bearer "+testToken, srv.requests()[0].Header.Get("Authorization"))
}
