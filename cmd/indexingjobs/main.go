// Command indexingjobs cancels and reads DigitalOcean GenAI indexing jobs,
// runs a demo against a fake API, serves that fake, and serves the API's
// documentation.
//
//	indexingjobs cancel UUID [--wait]   cancel a job, and follow it to its end
//	indexingjobs get UUID               show a job
//	indexingjobs demo                   the whole flow against a fake API
//	indexingjobs serve-fake             run the fake API for manual trials
//	indexingjobs docs                   serve the rendered openapi.yaml
//
// The token comes from $DIGITALOCEAN_ACCESS_TOKEN or --token.
package main

import (
	"context"
	"errors"
	"flag"
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
	exitError = 1 // the API or the network said no
	exitUsage = 2 // the command line is wrong
)

const usage = `Usage: indexingjobs <command> [flags]

Commands:
  cancel UUID [--wait]   cancel an indexing job; --wait follows it to its end
  get UUID               show an indexing job
  demo                   start a fake API, add a running job, cancel it and wait
  serve-fake             run the fake API on a loopback address for manual trials
  docs                   serve the API documentation rendered from openapi.yaml
  version                print the version

Run 'indexingjobs <command> --help' for a command's flags.
The token is read from $DIGITALOCEAN_ACCESS_TOKEN, or given with --token.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is the whole command, with its streams passed in for tests.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	cmds := map[string]func(context.Context, []string, io.Writer, io.Writer) error{
		"cancel":     cmdCancel,
		"get":        cmdGet,
		"demo":       cmdDemo,
		"serve-fake": cmdServeFake,
		"docs":       cmdDocs,
		"version":    cmdVersion,
	}
	name := args[0]
	if name == "help" || name == "-h" || name == "--help" {
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	cmd, ok := cmds[name]
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
		fmt.Fprintf(stderr, "indexingjobs %s: %s\n\n", name, uerr.msg)
		uerr.flags.SetOutput(stderr)
		uerr.flags.Usage()
		return exitUsage
	default:
		printError(stderr, err)
		return exitError
	}
}

// usageError is a wrong command line, or a request for help: the message
// and the flags to show.
type usageError struct {
	msg   string
	flags *flag.FlagSet
	help  bool
}

func (e *usageError) Error() string { return e.msg }

// newFlags makes a command's flag set; synopsis heads its help.
func newFlags(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // run prints errors and help itself
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: indexingjobs %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse reads flags wherever they are among the arguments (cancel UUID
// --wait as well as cancel --wait UUID) and checks the count of the others.
func parse(fs *flag.FlagSet, args []string, want int) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, &usageError{msg: err.Error(), flags: fs, help: errors.Is(err, flag.ErrHelp)}
		}
		if fs.NArg() == 0 {
			break
		}
		rest = append(rest, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(rest) != want {
		what := "no arguments"
		if want == 1 {
			what = "one indexing job UUID"
		}
		return nil, &usageError{msg: fmt.Sprintf("want %s, got %d", what, len(rest)), flags: fs}
	}
	return rest, nil
}

func cmdVersion(_ context.Context, args []string, stdout, _ io.Writer) error {
	fs := newFlags("version", "version")
	if _, err := parse(fs, args, 0); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "indexingjobs", indexingjobs.Version)
	return nil
}
