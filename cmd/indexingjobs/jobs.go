package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/gradient-go/indexingjobs"
)

// apiFlags are the flags of the commands that call the API.
type apiFlags struct {
	token, apiURL, output string
	timeout               time.Duration
}

func addAPIFlags(fs *flag.FlagSet) *apiFlags {
	f := &apiFlags{}
	fs.StringVar(&f.token, "token", "", "API token (default $"+indexingjobs.TokenEnv+")")
	fs.StringVar(&f.apiURL, "api-url", indexingjobs.DefaultBaseURL, "base URL of the API")
	fs.DurationVar(&f.timeout, "timeout", 0, "give up after this long, waiting included (0: no limit)")
	addOutputFlag(fs, &f.output)
	return f
}

func addOutputFlag(fs *flag.FlagSet, output *string) {
	fs.StringVar(output, "output", "text", "output format: text or json")
}

func checkOutput(fs *flag.FlagSet, output string) error {
	if output != "text" && output != "json" {
		return &usageError{msg: fmt.Sprintf("--output %q: want text or json", output), flags: fs}
	}
	return nil
}

// start reads a job command's line (one job id, then flags anywhere), and
// makes its client and the context that bounds it. Everything checkable
// without the API is checked here, so a usage error sends nothing.
func (f *apiFlags) start(ctx context.Context, fs *flag.FlagSet, args []string) (string, *indexingjobs.Client, context.Context, context.CancelFunc, error) {
	rest, err := parse(fs, args, 1)
	if err != nil {
		return "", nil, nil, nil, err
	}
	if err := checkOutput(fs, f.output); err != nil {
		return "", nil, nil, nil, err
	}
	id := rest[0]
	if err := indexingjobs.ValidateUUID(id); err != nil {
		return "", nil, nil, nil, &usageError{msg: err.Error(), flags: fs}
	}
	opts := []indexingjobs.Option{indexingjobs.WithBaseURL(f.apiURL), indexingjobs.WithUserAgent("indexingjobs-cli")}
	if f.token != "" {
		opts = append(opts, indexingjobs.WithToken(f.token))
	}
	client, err := indexingjobs.NewClient(opts...)
	if err != nil {
		return "", nil, nil, nil, &usageError{msg: err.Error(), flags: fs}
	}
	if f.timeout > 0 {
		ctx, cancel := context.WithTimeout(ctx, f.timeout)
		return id, client, ctx, cancel, nil
	}
	ctx, cancel := context.WithCancel(ctx)
	return id, client, ctx, cancel, nil
}

func cmdCancel(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("cancel", "cancel UUID [--wait] [flags]")
	api := addAPIFlags(fs)
	wait := fs.Bool("wait", false, "after cancelling, wait until the job has ended, showing progress on stderr")
	poll := fs.Duration("poll", indexingjobs.DefaultPollInterval, "with --wait, the first wait between reads (it grows to 30s)")
	id, client, ctx, cancel, err := api.start(ctx, fs, args)
	if err != nil {
		return err
	}
	defer cancel()
	return cancelJob(ctx, client, id, *wait, *poll, api.output, stdout, stderr)
}

// cancelJob cancels id, follows it when wait is set, and prints the job.
func cancelJob(ctx context.Context, client *indexingjobs.Client, id string, wait bool, poll time.Duration, output string, stdout, stderr io.Writer) error {
	job, err := client.CancelIndexingJob(ctx, id)
	if err != nil {
		return err
	}
	phase := job.Phase
	fmt.Fprintf(stderr, "Cancel accepted: job %s is %s.\n", id, phase)
	if wait && !phase.Terminal() {
		p := newProgress(stderr, isTerminal(stderr))
		job, err = client.WaitForIndexingJob(ctx, id, indexingjobs.WithPollInterval(poll), indexingjobs.WithProgress(p.seen))
		p.close()
		if err != nil {
			return err
		}
	}
	return printJob(stdout, job, output)
}

func cmdGet(ctx context.Context, args []string, stdout, _ io.Writer) error {
	fs := newFlags("get", "get UUID [flags]")
	api := addAPIFlags(fs)
	id, client, ctx, cancel, err := api.start(ctx, fs, args)
	if err != nil {
		return err
	}
	defer cancel()
	job, err := client.GetIndexingJob(ctx, id)
	if err != nil {
		return err
	}
	return printJob(stdout, job, api.output)
}

// printError says what failed; for an API answer, its status, message and
// request id, which support asks for.
func printError(w io.Writer, err error) {
	var apiErr *indexingjobs.APIError
	if !errors.As(err, &apiErr) {
		fmt.Fprintf(w, "%v\n", err)
		return
	}
	fmt.Fprintf(w, "indexingjobs: the API answered %d %s\n", apiErr.StatusCode, http.StatusText(apiErr.StatusCode))
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(w, "  %-12s %s\n", k+":", v)
		}
	}
	row("message", apiErr.Message)
	row("error id", apiErr.ID)
	row("request id", or(apiErr.RequestID, "(none sent)"))
	row("request", apiErr.Method+" "+apiErr.URL)
	if apiErr.Attempts > 1 {
		row("attempts", fmt.Sprint(apiErr.Attempts))
	}
	if apiErr.RetryAfter > 0 {
		row("retry after", apiErr.RetryAfter.String())
	}
}

func or(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

// isTerminal reports whether w is a terminal, where progress is redrawn in
// place rather than written line by line.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0 && os.Getenv("TERM") != "dumb"
}
