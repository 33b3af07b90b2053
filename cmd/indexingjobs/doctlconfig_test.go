package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/indexingjobstest"
)

const (
	defaultToken = "dop_v1_0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e"
	workToken    = "dop_v1_9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d"
)

// doctlHome gives the test a home of its own whose doctl config holds
// text (none if text is ""), with no token or context in the environment;
// it returns the config's path.
func doctlHome(t *testing.T, text string) string {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "xdg"))
	t.Setenv(indexingjobs.TokenEnv, "")
	t.Setenv(contextEnv, "")
	t.Setenv(configEnv, "")
	path := filepath.Join(home, "xdg", "doctl", "config.yaml")
	if text != "" {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o700))
		require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
	}
	return path
}

// doctlConfigText is a config as doctl writes it after 'doctl auth init'
// and 'doctl auth init --context Work', current context current.
func doctlConfigText(current string) string {
	return "access-token: " + defaultToken + "\nauth-contexts:\n  Work: " + workToken + "\ncontext: " + current + "\noutput: text\n"
}

// tokenServers are two fakes, one taking each token, each with a job.
func tokenServers(t *testing.T) (def, work *indexingjobstest.Server, defJob, workJob string) {
	t.Helper()
	def = indexingjobstest.NewServer(indexingjobstest.WithToken(defaultToken))
	t.Cleanup(def.Close)
	work = indexingjobstest.NewServer(indexingjobstest.WithToken(workToken))
	t.Cleanup(work.Close)
	return def, work, def.AddJob(indexingjobstest.NewJob(indexingjobs.PhaseRunning)), work.AddJob(indexingjobstest.NewJob(indexingjobs.PhaseRunning))
}

// TestTheTokenComesFromDoctlsConfig: with neither --token nor
// $DIGITALOCEAN_ACCESS_TOKEN, the token is doctl's: of the context
// --context names, else $DIGITALOCEAN_CONTEXT, else the config's current
// one; "default" is access-token; the file is where doctl keeps it, or
// where --config or $DIGITALOCEAN_CONFIG say.
func TestTheTokenComesFromDoctlsConfig(t *testing.T) {
	def, work, defJob, workJob := tokenServers(t)
	onDefault := []string{"get", defJob, "--api-url", def.URL}
	onWork := []string{"get", workJob, "--api-url", work.URL}
	for _, c := range []struct {
		name    string
		current string            // the config's context
		env     map[string]string // set for the case
		args    []string
	}{
		{"the default context", "default", nil, onDefault},
		{"no current context", "", nil, onDefault},
		{"the current context", "work", nil, onWork},
		{"--context", "default", nil, append(onWork, "--context", "work")},
		{"--context, another case", "default", nil, append(onWork, "--context", "WORK")},
		{"--context default", "work", nil, append(onDefault, "--context", "default")},
		{"$DIGITALOCEAN_CONTEXT", "default", map[string]string{contextEnv: "work"}, onWork},
		{"--context over $DIGITALOCEAN_CONTEXT", "default", map[string]string{contextEnv: "work"}, append(onDefault, "--context", "default")},
		{"$DIGITALOCEAN_ACCESS_TOKEN over the current context", "work", map[string]string{indexingjobs.TokenEnv: defaultToken}, onDefault},
		{"a named context over $DIGITALOCEAN_ACCESS_TOKEN, as doctl", "default", map[string]string{indexingjobs.TokenEnv: defaultToken, contextEnv: "work"}, onWork},
		{"--token over all", "work", map[string]string{indexingjobs.TokenEnv: workToken, contextEnv: "work"}, append(onDefault, "--token", defaultToken)},
		{"no $XDG_CONFIG_HOME: ~/.config", "work", map[string]string{"XDG_CONFIG_HOME": ""}, onWork},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := doctlHome(t, doctlConfigText(c.current))
			if _, ok := c.env["XDG_CONFIG_HOME"]; ok {
				home := filepath.Join(os.Getenv("HOME"), ".config", "doctl")
				require.NoError(t, os.MkdirAll(home, 0o700))
				require.NoError(t, os.Rename(path, filepath.Join(home, "config.yaml")))
			}
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			code, stdout, stderr := runCmd(t, c.args...)
			require.Equal(t, exitOK, code, stderr)
			assert.Regexp(t, `(?m)^Phase\s+RUNNING$`, stdout)
		})
	}

	t.Run("--config and $DIGITALOCEAN_CONFIG", func(t *testing.T) {
		doctlHome(t, "")
		other := filepath.Join(t.TempDir(), "other.yaml")
		require.NoError(t, os.WriteFile(other, []byte(doctlConfigText("work")), 0o600))
		code, _, stderr := runCmd(t, append(onWork, "--config", other)...)
		require.Equal(t, exitOK, code, stderr)
		t.Setenv(configEnv, other)
		code, _, stderr = runCmd(t, onWork...)
		require.Equal(t, exitOK, code, stderr)
	})

	t.Run("a 401 names where the token came from", func(t *testing.T) {
		path := doctlHome(t, doctlConfigText("work"))
		code, _, stderr := runCmd(t, "get", defJob, "--api-url", def.URL)
		assert.Equal(t, exitError, code)
		assert.Contains(t, stderr, "401 Unauthorized")
		assert.Contains(t, stderr, "\nCheck the token (from doctl's auth context work, "+path+"): it may be wrong")
		assert.NotContains(t, stderr, workToken)
	})
}

// TestDoctlConfigThatGivesNoTokenIsOneLine: a missing or unreadable file,
// one that is not doctl's YAML, an unknown context: one line that says
// which file and which context, exit 2, nothing sent, no token and no
// YAML parser's words shown.
func TestDoctlConfigThatGivesNoTokenIsOneLine(t *testing.T) {
	def, _, defJob, _ := tokenServers(t)
	get := []string{"get", defJob, "--api-url", def.URL}
	missing := filepath.Join(t.TempDir(), "missing.yaml")
	for _, c := range []struct {
		name   string
		config string // the file's text; "dir" makes it a directory
		args   []string
		env    map[string]string
		want   string // %s is the config's path
	}{
		{"no config", "", nil, nil,
			"no API token: pass --token, set $DIGITALOCEAN_ACCESS_TOKEN, or sign in with 'doctl auth init' (no doctl config at %s)"},
		{"no token in it", "context: default\n", nil, nil,
			"no API token: pass --token, set $DIGITALOCEAN_ACCESS_TOKEN, or sign in with 'doctl auth init' (doctl's config %s has none)"},
		{"--config names no file", doctlConfigText("default"), []string{"--config", missing}, nil,
			"no API token: pass --token, set $DIGITALOCEAN_ACCESS_TOKEN, or sign in with 'doctl auth init' (no doctl config at " + missing + ")"},
		{"--context without a config", "", []string{"--context", "work"}, nil,
			`--context names auth context "work", and no doctl config at %s`},
		{"an unknown context", doctlConfigText("default"), []string{"--context", "play"}, nil,
			`no auth context "play" in doctl's config %s: it has default, work ('doctl auth list' shows them)`},
		{"an unknown current context", doctlConfigText("gone"), nil, nil,
			`no auth context "gone" in doctl's config %s: it has default, work`},
		{"an unknown $DIGITALOCEAN_CONTEXT", doctlConfigText("default"), nil, map[string]string{contextEnv: "play"},
			`no auth context "play" in doctl's config %s`},
		{"a context without a token", "auth-contexts:\n  work: \"\"\ncontext: work\n", nil, nil,
			`auth context "work" of doctl's config %s has no token: sign in with 'doctl auth init --context work'`},
		{"unreadable", "dir", nil, nil, "cannot read doctl's config %s: is a directory"},
		{"not YAML", "access-token: [" + defaultToken + "\ncontext: default\n", nil, nil, "doctl's config %s is not YAML (line 1)"},
		{"not a mapping", "- " + defaultToken + "\n", nil, nil, "doctl's config %s is not a YAML mapping of keys to values, as doctl writes it"},
		{"a token that is not one", "access-token:\n  - " + defaultToken + "\n", nil, nil, "doctl's config %s: access-token (line 2) is not a token"},
		{"contexts that are not a mapping", "auth-contexts: [" + workToken + "]\ncontext: work\n", nil, nil,
			"doctl's config %s: auth-contexts (line 1) is not a mapping of context names to tokens"},
		{"--token and --context", doctlConfigText("default"), []string{"--token", defaultToken, "--context", "work"}, nil,
			"--token and --context both name the token: give one of them"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := doctlHome(t, "")
			switch c.config {
			case "":
			case "dir":
				require.NoError(t, os.MkdirAll(path, 0o700))
			default:
				doctlHome(t, c.config)
				path = filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "doctl", "config.yaml")
			}
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			before := def.Requests()
			code, stdout, stderr := runCmd(t, append(get, c.args...)...)
			assert.Equal(t, exitUsage, code, stderr)
			assert.Empty(t, stdout)
			want := c.want
			if strings.Contains(want, "%s") {
				want = strings.Replace(want, "%s", path, 1)
			}
			assert.True(t, strings.HasPrefix(stderr, "indexingjobs get: "+want), "%s\nwant %s", stderr, want)
			assert.Equal(t, 2, strings.Count(stderr, "\n"), "one line, and where to read more: %s", stderr)
			assert.NotContains(t, stderr, defaultToken)
			assert.NotContains(t, stderr, workToken)
			assert.NotRegexp(t, `(^|\s)yaml:`, stderr, "the parser's words")
			assert.Equal(t, before, def.Requests(), "nothing sent")
		})
	}
}
