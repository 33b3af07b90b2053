package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gradient-go/indexingjobs"
)

// defaultPoll is the wait between reads of a job the tool follows. It
// does not grow (the library's default grows to 30s): a job's end is
// shown within a poll of it, a few seconds, at about 1,800 reads an hour
// of the API's 5,000.
const defaultPoll = 2 * time.Second

// pollFlag adds --poll, the wait between reads of what: "the job".
func (a *apiCommand) pollFlag(what string) *durationFlag {
	poll := &durationFlag{d: defaultPoll, positive: true}
	a.cmd.Flags().Var(poll, "poll", "the wait between reads of "+what+" such as 1s or 5s")
	return poll
}

// waitFlags adds --wait and --poll to a command that can follow the job it
// acts on.
func (a *apiCommand) waitFlags(after string) *durationFlag {
	a.cmd.Flags().Bool("wait", false, after+", follow the job to its end, showing its progress on stderr")
	a.cmd.Flags().Lookup("timeout").Usage = "give up after this long, waiting included, such as 30s or 2m; 0 for no limit"
	return a.pollFlag("the job,")
}

// waiting reports whether --wait was given.
func (a *apiCommand) waiting() bool {
	wait, _ := a.cmd.Flags().GetBool("wait")
	return wait
}

// follow waits for the job id to end (client.WaitForIndexingJob), showing
// its progress on stderr from job, the answer that started or cancelled
// it (nil for none). When the command's context ends first, the error
// says that the job goes on without the tool, and how to come back to it.
func (a *apiCommand) follow(ctx context.Context, id string, job *indexingjobs.IndexingJob, poll time.Duration) (*indexingjobs.IndexingJob, error) {
	var ticks <-chan time.Time
	if isTerminal(a.stderr) {
		t := time.NewTicker(tick)
		defer t.Stop()
		ticks = t.C
	}
	p := newProgress(a.stderr, ticks)
	defer p.close()
	if job != nil {
		p.seen(job)
	}
	ended, err := a.client.WaitForIndexingJob(ctx, id, indexingjobs.WithPollInterval(poll),
		indexingjobs.WithMaxPollInterval(poll), indexingjobs.WithProgress(p.seen))
	switch {
	case err != nil && ctx.Err() != nil:
		return nil, &stoppedWaiting{why: a.why(ctx), id: id, last: p.state(), cancel: a.cmd.Name() == "cancel", resume: a.resume(), err: err}
	case err != nil && !indexingjobs.IsNotFound(err) && !errors.Is(err, indexingjobs.ErrInvalidUUID):
		// The API or the network failed, not the job: it may go on.
		why := "could not read the job (" + plain(err) + ")"
		return nil, &stoppedWaiting{why: why, id: id, last: p.state(), cancel: a.cmd.Name() == "cancel", resume: a.resume(), err: err}
	}
	return ended, err
}

// stoppedWaiting is a wait cut short by an interrupt, --timeout, or a
// failure to read the job (the API or the network, not the job). The
// job is not touched: it goes on on the server, and the message says so,
// and how to follow it again or cancel it.
type stoppedWaiting struct {
	why    string // "interrupted", "gave up after 30s (--timeout)"
	id     string
	last   string // "RUNNING, 1/3 data sources done"; "" if never read
	cancel bool   // the wait followed a cancel
	resume string // flags the next commands need
	err    error
}

func (e *stoppedWaiting) Error() string {
	state := "was not read yet"
	if e.last != "" {
		state = "was last seen " + e.last
	}
	goesOn := "it keeps running on the server: stopping the wait does not stop the job"
	if e.cancel {
		goesOn = "the cancel was asked, and the server carries it out without the tool"
	}
	return fmt.Sprintf("%s while waiting: job %s %s; %s", e.why, e.id, state, goesOn)
}

func (e *stoppedWaiting) Unwrap() error { return e.err }

func (e *stoppedWaiting) hint() string {
	return fmt.Sprintf("Follow it again: indexingjobs wait %s%s\nCancel it:       indexingjobs cancel %s%s",
		e.id, e.resume, e.id, e.resume)
}
