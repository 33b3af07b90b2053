package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/internal/safetext"
)

func cmdGet(ctx context.Context, args []string, stdout, _ io.Writer) error {
	c := newAPICommand("get", "get JOB_UUID [flags]", false)
	ids, err := c.parse(args, "one indexing job UUID")
	if err != nil {
		return err
	}
	return c.do(ctx, func(ctx context.Context) error {
		job, err := c.client.GetIndexingJob(ctx, ids[0])
		if err != nil {
			return err
		}
		return printJob(stdout, job, c.output)
	})
}

// addWaitFlags adds --wait and --poll to a command that can follow a job.
func addWaitFlags(c *apiCommand, after string) (wait *bool, poll *time.Duration) {
	wait = c.fs.Bool("wait", false, "after "+after+", wait until the job has ended, showing progress on stderr")
	poll = c.fs.Duration("poll", indexingjobs.DefaultPollInterval, "with --wait, the first wait between reads (it grows to 30s)")
	return wait, poll
}

func cmdCancel(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newAPICommand("cancel", "cancel JOB_UUID [--wait] [flags]", true)
	wait, poll := addWaitFlags(c, "cancelling")
	ids, err := c.parse(args, "one indexing job UUID")
	if err != nil {
		return err
	}
	return c.do(ctx, func(ctx context.Context) error {
		job, err := c.client.CancelIndexingJob(ctx, ids[0])
		if err != nil {
			return err
		}
		if job.Phase.Terminal() && job.Phase != indexingjobs.PhaseCancelled {
			fmt.Fprintf(stderr, "Job %s had already ended (%s): nothing to cancel.\n", ids[0], safetext.Line(job.Phase.String()))
		} else {
			fmt.Fprintf(stderr, "Cancel accepted: job %s is %s.\n", ids[0], safetext.Line(job.Phase.String()))
		}
		if *wait && !job.Phase.Terminal() {
			if job, err = follow(ctx, c.client, job, *poll, stderr); err != nil {
				return err
			}
		}
		return printJob(stdout, job, c.output)
	})
}

func cmdStart(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newAPICommand("start", "start KB_UUID [--data-source UUID]... [--wait] [flags]", true)
	var sources uuidList
	c.fs.Var(&sources, "data-source", "`UUID` of a data source to index; repeat it for more (default: every data source of the knowledge base)")
	wait, poll := addWaitFlags(c, "starting")
	ids, err := c.parse(args, "one knowledge base UUID")
	if err != nil {
		return err
	}
	kb := ids[0]
	return c.do(ctx, func(ctx context.Context) error {
		job, err := c.client.StartIndexingJob(ctx, kb, sources...)
		if errors.Is(err, indexingjobs.ErrOutcomeUnknown) {
			return &hintedError{err, fmt.Sprintf("The job may have started: look with 'indexingjobs list --knowledge-base %s' before starting it again.", kb)}
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "Started job %s on knowledge base %s: %s.\n", safetext.Line(job.UUID), kb, safetext.Line(job.Phase.String()))
		if *wait && !job.Phase.Terminal() {
			if job, err = follow(ctx, c.client, job, *poll, stderr); err != nil {
				return err
			}
		}
		if err := printJob(stdout, job, c.output); err != nil {
			return err
		}
		if *wait && job.Phase != indexingjobs.PhaseSucceeded {
			return fmt.Errorf("job %s ended in %s", safetext.Line(job.UUID), safetext.Line(job.Phase.String()))
		}
		return nil
	})
}

// isTerminal reports whether w is a terminal, where progress is redrawn in
// place rather than written line by line, and a report is shown escaped.
// A variable, so that tests can pretend.
var isTerminal = func(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0 && os.Getenv("TERM") != "dumb"
}
