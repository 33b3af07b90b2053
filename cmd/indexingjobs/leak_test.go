package main

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the tests if a command leaves a goroutine behind: the
// progress line's ticker, serve-fake's server or docs' server. The tests,
// and the tools they build and run, see a home of their own: never the
// doctl config, and so the tokens, of whoever runs them, nor their cache.
func TestMain(m *testing.M) {
	home, err := os.MkdirTemp("", "indexingjobs-home-")
	if err != nil {
		panic(err)
	}
	os.Setenv("HOME", home)
	os.Setenv("XDG_CONFIG_HOME", home+"/.config")
	os.Setenv("XDG_CACHE_HOME", home+"/.cache") // index --new's journals
	for _, v := range []string{contextEnv, configEnv} {
		os.Unsetenv(v)
	}
	goleak.VerifyTestMain(m, goleak.Cleanup(func(code int) {
		os.RemoveAll(home)
		os.Exit(code)
	}))
}
