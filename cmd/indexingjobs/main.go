// Command indexingjobs starts, lists, follows and cancels DigitalOcean
// GenAI indexing jobs, downloads their reports, runs a demo against a fake
// API, serves that fake, and serves the API's documentation.
//
//	indexingjobs list [--knowledge-base UUID] [--page N --per-page N | --all]
//	indexingjobs start KB_UUID [--data-source UUID]... [--wait]
//	indexingjobs get JOB_UUID
//	indexingjobs cancel JOB_UUID [--wait]
//	indexingjobs data-sources JOB_UUID
//	indexingjobs details JOB_UUID [--out FILE]
//	indexingjobs demo
//	indexingjobs serve-fake
//	indexingjobs docs
//
// The token comes from $DIGITALOCEAN_ACCESS_TOKEN or --token. Text output
// shows the server's text with its control characters escaped, on one
// line; --output json prints what the API sent.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/gradient-go/indexingjobs"
)

// Exit codes.
const (
	exitOK    = 0
	exitError = 1 // the API or the network said no, or the context ended
	exitUsage = 2 // the command line is wrong
)

const usage = `Usage: indexingjobs <command> [flags]

Commands:
  list                           list indexing jobs: a page, --all, or a knowledge base's latest
  start KB_UUID [--wait]         start indexing a knowledge base; --wait follows the job to its end
  get JOB_UUID                   show an indexing job
  cancel JOB_UUID [--wait]       cancel an indexing job; --wait follows it to its end
  data-sources JOB_UUID          what an indexing job did in each data source
  details JOB_UUID [--out FILE]  download an indexing job's report
  demo                           start, list and cancel jobs against a fake API
  serve-fake                     run the fake API on a loopback address for manual trials
  docs                           serve the API documentation rendered from openapi.yaml
  version                        print the version

Run 'indexingjobs <command> --help' for a command's flags.
The token is read from $DIGITALOCEAN_ACCESS_TOKEN, or given with --token.
`

func main() {
	// The first signal ends ctx, and the command winds down. stop restores
	// the signals' default action before ctx ends, so that a second
	// signal, once the command can have reacted to the first, ends the
	// process at once.
	signalled, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	ctx, cancel := context.WithCancelCause(context.Background())
	context.AfterFunc(signalled, func() {
		stop()
		cancel(context.Cause(signalled))
	})
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// commands are the tool's commands, by name.
var commands map[string]func(ctx context.Context, args []string, stdout, stderr io.Writer) error

func init() {
	commands = map[string]func(context.Context, []string, io.Writer, io.Writer) error{
		"list":         cmdList,
		"start":        cmdStart,
		"get":          cmdGet,
		"cancel":       cmdCancel,
		"data-sources": cmdDataSources,
		"details":      cmdDetails,
		"demo":         cmdDemo,
		"serve-fake":   cmdServeFake,
		"docs":         cmdDocs,
		"version":      cmdVersion,
	}
}

// run is the whole command, with its streams passed in for tests.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	name := args[0]
	if name == "help" || name == "-h" || name == "--help" {
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	cmd, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "indexingjobs: unknown command %q\n\n%s", name, usage)
		return exitUsage
	}
	err := cmd(ctx, args[1:], stdout, stderr)
	var uerr *usageError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &uerr) && uerr.help:
		uerr.flags.SetOutput(stdout)
		uerr.flags.Usage()
		return exitOK
	case errors.As(err, &uerr):
		printError(stderr, name, err)
		fmt.Fprintln(stderr)
		uerr.flags.SetOutput(stderr)
		uerr.flags.Usage()
		return exitUsage
	default:
		printError(stderr, name, err)
		return exitError
	}
}

func cmdVersion(_ context.Context, args []string, stdout, _ io.Writer) error {
	fs := newFlags("version", "version")
	if _, err := parse(fs, args, ""); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "indexingjobs", indexingjobs.Version)
	return nil
}
