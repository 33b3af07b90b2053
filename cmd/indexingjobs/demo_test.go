package main

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gradient-go/indexingjobs"
)

func TestDemo(t *testing.T) {
	code, stdout, stderr := runCmd(t, "demo", "--cancel-delay", "50ms")
	require.Equal(t, exitOK, code, stderr)
	assert.Regexp(t, `(?m)^Phase\s+BATCH_JOB_PHASE_CANCELLED$`, stdout)
	assert.Contains(t, stderr, "no account, no network")
	assert.Regexp(t, `(?m)^\$ export DIGITALOCEAN_ACCESS_TOKEN=indexingjobstest-token\n\$ indexingjobs cancel \S+ --wait --poll 500ms --api-url http://127\.0\.0\.1:\d+$`, stderr)
	assert.NotContains(t, stderr, "--token", "the command lines shown are the ones a user types")
}

func TestServeFake(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut syncBuffer
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"serve-fake", "--addr", "127.0.0.1:0", "--jobs", "2", "--cancel-delay", "0s"}, &out, &errOut)
	}()

	var url, id string
	require.Eventually(t, func() bool {
		m := regexp.MustCompile(`at (http://127\.0\.0\.1:\d+), token "([^"]+)"[\s\S]*Running jobs:\n  (\S+)\n  \S+\n`).FindStringSubmatch(out.String())
		if m == nil {
			return false
		}
		url, id = m[1], m[3]
		t.Setenv(indexingjobs.TokenEnv, m[2])
		return true
	}, 5*time.Second, 10*time.Millisecond, out.String())

	code, stdout, stderr := runCmd(t, "cancel", id, "--wait", "--api-url", url)
	require.Equal(t, exitOK, code, stderr)
	assert.Regexp(t, `(?m)^Phase\s+BATCH_JOB_PHASE_CANCELLED$`, stdout)
	cancel()
	select {
	case code := <-done:
		assert.Equal(t, exitOK, code, errOut.String())
	case <-time.After(5 * time.Second):
		t.Fatal("serve-fake did not stop when its context ended")
	}
}
