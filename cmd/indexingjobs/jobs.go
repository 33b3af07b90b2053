package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/internal/safetext"
)

func (t *tool) getCmd() *cobra.Command {
	a := t.newAPICommand("get JOB_UUID", "Show an indexing job", jobKind)
	a.run = func(ctx context.Context, ids []string) error {
		job, err := a.client.GetIndexingJob(ctx, ids[0])
		if err != nil {
			return err
		}
		return a.printJob(job)
	}
	return a.cmd
}

func (t *tool) startCmd() *cobra.Command {
	a := t.newAPICommand("start KB_UUID [--data-source UUID]... [--wait]", "Start indexing a knowledge base; --wait follows the job to its end", knowledgeBaseKind)
	var sources uuidList
	a.cmd.Flags().Var(&sources, "data-source", "a data source to index; repeat it for more (default: every data source of the knowledge base)")
	poll := a.waitFlags("after starting")
	a.run = func(ctx context.Context, ids []string) error {
		kb := ids[0]
		a.sends(dataSourceKind, sources...)
		job, err := a.client.StartIndexingJob(ctx, kb, sources...)
		if errors.Is(err, indexingjobs.ErrOutcomeUnknown) {
			return &hintedError{err, fmt.Sprintf("The job may have started: look with 'indexingjobs list --knowledge-base %s%s' before starting it again.", kb, a.resume())}
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stderr, "Started job %s on knowledge base %s: %s.\n", safetext.Line(job.UUID), kb, phaseText(job.Phase))
		if !a.waiting() {
			return a.printJob(job)
		}
		return a.waitAndPrint(ctx, job.UUID, job, poll)
	}
	return a.cmd
}

func (t *tool) waitCmd() *cobra.Command {
	a := t.newAPICommand("wait JOB_UUID", "Follow an indexing job to its end, showing its progress", jobKind)
	poll := a.pollFlag("the job,")
	a.run = func(ctx context.Context, ids []string) error {
		return a.waitAndPrint(ctx, ids[0], nil, poll)
	}
	return a.cmd
}

// waitAndPrint follows the job to its end, prints it, and fails unless it
// succeeded, so that a script can tell.
func (a *apiCommand) waitAndPrint(ctx context.Context, id string, job *indexingjobs.IndexingJob, poll *durationFlag) error {
	job, err := a.follow(ctx, id, job, poll.d)
	if err != nil {
		return err
	}
	if err := a.printJob(job); err != nil {
		return err
	}
	if job.Phase != indexingjobs.PhaseSucceeded {
		return fmt.Errorf("job %s ended %s", safetext.Line(job.UUID), phaseText(job.Phase))
	}
	return nil
}

func (t *tool) cancelCmd() *cobra.Command {
	a := t.newAPICommand("cancel JOB_UUID [--wait]", "Cancel an indexing job; --wait follows it to its end", jobKind)
	poll := a.waitFlags("after cancelling")
	a.run = func(ctx context.Context, ids []string) error {
		id := ids[0]
		// Read first: the answer to a cancel cannot tell a job cancelled
		// now from one cancelled long ago.
		job, err := a.client.GetIndexingJob(ctx, id)
		if err != nil {
			return err
		}
		if job.Phase.Terminal() {
			fmt.Fprintf(a.stderr, "Job %s had already ended (%s): nothing to cancel.\n", id, phaseText(job.Phase))
			return a.printJob(job)
		}
		if job, err = a.client.CancelIndexingJob(ctx, id); err != nil {
			return err
		}
		switch {
		case job.Phase == indexingjobs.PhaseCancelled:
			fmt.Fprintf(a.stderr, "Cancelled job %s.\n", id)
		case job.Phase.Terminal():
			fmt.Fprintf(a.stderr, "Job %s ended (%s) before the cancel reached it.\n", id, phaseText(job.Phase))
		default:
			fmt.Fprintf(a.stderr, "Cancel accepted: job %s is %s and stops shortly.\n", id, phaseText(job.Phase))
		}
		if a.waiting() && !job.Phase.Terminal() {
			if job, err = a.follow(ctx, id, job, poll.d); err != nil {
				return err
			}
		}
		return a.printJob(job)
	}
	return a.cmd
}

// printJob writes the job as aligned text for people, or as the API sent
// it for programs.
func (a *apiCommand) printJob(job *indexingjobs.IndexingJob) error {
	if a.json() {
		return a.printAnswer("job", job)
	}
	return printJob(a.stdout, job)
}

// printAnswer writes the member key of the last answer (the whole answer
// when key is ""), as the API sent it; or v, encoded, when there is no
// such answer or member (a list left out because it is empty).
func (a *apiCommand) printAnswer(key string, v any) error {
	body, _ := a.raw.last()
	if key != "" {
		body = member(body, key)
	}
	if body == nil {
		var err error
		if body, err = marshalJSON(v); err != nil {
			return err
		}
	}
	return printRaw(a.stdout, a.shown(body))
}

// isTerminal reports whether w is a terminal, where progress is redrawn in
// place rather than written line by line, and a report is shown escaped.
// A variable, so that tests can pretend.
var isTerminal = func(w io.Writer) bool {
	f := terminalFile(w)
	return f != nil && os.Getenv("TERM") != "dumb"
}

// terminalFile is the terminal w writes to, through the redactor or not;
// nil if w writes to none.
func terminalFile(w io.Writer) *os.File {
	if rw, ok := w.(*redactingWriter); ok {
		w = rw.w
	}
	if f, ok := w.(*os.File); ok && isTTY(f) {
		return f
	}
	return nil
}
