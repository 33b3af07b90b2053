package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/indexingjobstest"
)

// comeBack is what a wait cut short says after its first line: how to
// follow the job again, and how to cancel it.
func comeBack(id, url string) string {
	return "Follow it again: indexingjobs wait " + id + " --api-url " + url + "\n" +
		"Cancel it:       indexingjobs cancel " + id + " --api-url " + url + "\n"
}

// TestTimeoutDuringAWaitSaysTheJobGoesOn: --timeout ends start --wait,
// wait and cancel --wait with the job's last state, the news that it goes
// on on the server, and the commands to follow it again or cancel it; in
// the user's words, not the context's.
func TestTimeoutDuringAWaitSaysTheJobGoesOn(t *testing.T) {
	srv, id := fake(t, indexingjobstest.WithCancelDelay(time.Hour), indexingjobstest.WithJobDuration(time.Hour))
	kb := srv.AddKnowledgeBase(indexingjobstest.NewKnowledgeBase(2))
	for _, args := range [][]string{{"wait", id}, {"cancel", id, "--wait"}, {"start", kb, "--wait"}} {
		code, stdout, stderr := runCmd(t, append(args, "--poll", "10ms", "--timeout", "100ms", "--api-url", srv.URL)...)
		assert.Equal(t, exitError, code, args)
		assert.Empty(t, stdout, args)
		job := id
		if args[0] == "start" {
			jobs, err := srv.NewClient()
			require.NoError(t, err)
			started, err := jobs.ListKnowledgeBaseIndexingJobs(t.Context(), kb)
			require.NoError(t, err)
			job = started[0].UUID
		}
		goesOn := "it keeps running on the server: stopping the wait does not stop the job"
		if args[0] == "cancel" {
			goesOn = "the cancel was asked, and the server carries it out without the tool"
		}
		assert.Regexp(t, `\nindexingjobs `+args[0]+`: gave up after 100ms \(--timeout\) while waiting: job `+job+
			` was last seen (RUNNING|PENDING), 0/\d data sources done; `+goesOn+"\n"+
			strings.ReplaceAll(comeBack(job, srv.URL), ".", `\.`)+"$", stderr, args)
		assert.NotContains(t, stderr, "context", args)
		assert.NotContains(t, stderr, "deadline", args)
	}
}

// TestInterruptDuringAWaitExits130: an interrupt (the context's cause, as
// main sets it) ends the wait with the same news, and exit 130; SIGTERM
// exits 143.
func TestInterruptDuringAWaitExits130(t *testing.T) {
	for sig, want := range map[syscall.Signal]int{syscall.SIGINT: 130, syscall.SIGTERM: 143} {
		srv, id := fake(t, indexingjobstest.WithJobDuration(time.Hour))
		t.Setenv(apiURLEnv, srv.URL)
		ctx, cancel := context.WithCancelCause(context.Background())
		var out, errOut syncBuffer
		done := make(chan int)
		go func() { done <- run(ctx, []string{"wait", id, "--poll", "10ms"}, &out, &errOut) }()
		require.Eventually(t, func() bool { return srv.Requests() >= 2 }, 5*time.Second, time.Millisecond, "two reads")
		cancel(&signalled{sig})
		assert.Equal(t, want, <-done, sig)
		why := map[syscall.Signal]string{syscall.SIGINT: "interrupted", syscall.SIGTERM: "terminated (SIGTERM)"}[sig]
		assert.Contains(t, errOut.String(), "indexingjobs wait: "+why+" while waiting: job "+id+" was last seen RUNNING, 0/1 data sources done; it keeps running on the server", sig)
		assert.True(t, strings.HasSuffix(errOut.String(), "Follow it again: indexingjobs wait "+id+"\nCancel it:       indexingjobs cancel "+id+"\n"),
			"the API's URL from the environment, no --api-url in the commands: %s", errOut.String())
		assert.Empty(t, out.String())
	}
}

// TestSignalsDuringAWaitOnTheBuiltTool: the built tool, following a job,
// exits 130 on SIGINT and 143 on SIGTERM, and says how to come back.
func TestSignalsDuringAWaitOnTheBuiltTool(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the tool")
	}
	bin := buildTool(t)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		srv, id := fake(t, indexingjobstest.WithJobDuration(time.Hour))
		cmd := exec.Command(bin, "wait", id, "--poll", "50ms", "--api-url", srv.URL)
		cmd.Env = append(os.Environ(), indexingjobs.TokenEnv+"="+srv.Token())
		stderr, err := cmd.StderrPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())
		r := bufio.NewReader(stderr)
		first, err := r.ReadString('\n') // the first progress line: it waits
		require.NoError(t, err)
		assert.Contains(t, first, "RUNNING")
		require.NoError(t, cmd.Process.Signal(sig))
		var rest strings.Builder
		_, _ = bufio.NewReader(r).WriteTo(&rest)
		err = cmd.Wait()
		var exit *exec.ExitError
		require.ErrorAs(t, err, &exit, rest.String())
		assert.Equal(t, 128+int(sig), exit.ExitCode(), sig)
		assert.Contains(t, rest.String(), "while waiting: job "+id+" was last seen RUNNING", sig)
		assert.Contains(t, rest.String(), comeBack(id, srv.URL), sig)
	}
}

// TestAWaitThatLosesTheAPISaysTheJobGoesOn: when the API stops answering
// during a wait, the tool says the job may go on, and how to follow it
// again (found by a newcomer's trial: only an interrupt or --timeout said
// so).
func TestAWaitThatLosesTheAPISaysTheJobGoesOn(t *testing.T) {
	srv, id := fake(t)
	url := srv.URL
	srv.Close() // the API is gone
	code, _, stderr := runCmd(t, "wait", id, "--poll", "10ms", "--api-url", url)
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, "could not read the job")
	assert.Contains(t, stderr, "Follow it again: indexingjobs wait "+id)
}
