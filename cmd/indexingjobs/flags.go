package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/gradient-go/indexingjobs"
)

// usageError is a wrong command line, or a request for help: the message
// and the flags to show.
type usageError struct {
	msg   string
	flags *flag.FlagSet
	help  bool
}

func (e *usageError) Error() string { return e.msg }

func usagef(fs *flag.FlagSet, format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...), flags: fs}
}

// newFlags makes a command's flag set; synopsis heads its help.
func newFlags(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // run prints errors and help itself
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: indexingjobs %s\n\nFlags:\n", synopsis)
		printFlags(fs.Output(), fs)
	}
	return fs
}

// printFlags is flag.PrintDefaults with each flag spelled --name, as the
// usage lines and the README spell them (Go's flag package reads both).
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		arg, help := flag.UnquoteUsage(f)
		fmt.Fprintf(w, "  --%s", f.Name)
		if arg != "" {
			fmt.Fprintf(w, " %s", arg)
		}
		fmt.Fprintf(w, "\n    \t%s", strings.ReplaceAll(help, "\n", "\n    \t"))
		switch f.DefValue {
		case "", "0", "0s", "false":
		default:
			fmt.Fprintf(w, " (default %s)", f.DefValue)
		}
		fmt.Fprintln(w)
	})
}

// oneDash finds the flag name in the flag package's errors ("flag provided
// but not defined: -frob", "invalid value "x" for flag -poll: ..."), which
// spell it with one dash.
var oneDash = regexp.MustCompile(`^(flag provided but not defined: |flag needs an argument: |invalid (?:boolean )?value ".*" for (?:flag )?)-([A-Za-z])`)

// parse reads flags wherever they are among the arguments (cancel UUID
// --wait as well as cancel --wait UUID) and checks the others: none when
// want is empty, else one, which want describes ("one indexing job UUID").
func parse(fs *flag.FlagSet, args []string, want string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			msg := oneDash.ReplaceAllString(err.Error(), "$1--$2")
			return nil, &usageError{msg: msg, flags: fs, help: errors.Is(err, flag.ErrHelp)}
		}
		if fs.NArg() == 0 {
			break
		}
		rest = append(rest, fs.Arg(0))
		args = fs.Args()[1:]
	}
	switch {
	case want == "" && len(rest) > 0:
		return nil, usagef(fs, "want no arguments, got %d", len(rest))
	case want != "" && len(rest) != 1:
		return nil, usagef(fs, "want %s, got %d", want, len(rest))
	}
	return rest, nil
}

// uuidList is a repeatable flag of UUIDs, each checked as it is read.
type uuidList []string

func (l *uuidList) String() string { return strings.Join(*l, ",") }

func (l *uuidList) Set(s string) error {
	if err := indexingjobs.ValidateUUID(s); err != nil {
		return errors.New(plain(err))
	}
	*l = append(*l, s)
	return nil
}

// apiCommand is a command that calls the API: its flags, and the client
// they make.
type apiCommand struct {
	fs                    *flag.FlagSet
	token, apiURL, output string
	timeout               time.Duration
	client                *indexingjobs.Client
}

// newAPICommand makes the flag set of a command that calls the API, with
// the flags all of them share. waits says whether the command can wait for
// a job (--wait), which --timeout then bounds too.
func newAPICommand(name, synopsis string, waits bool) *apiCommand {
	c := &apiCommand{fs: newFlags(name, synopsis)}
	timeout := "give up after this long (0: no limit)"
	if waits {
		timeout = "give up after this long, waiting included (0: no limit)"
	}
	c.fs.StringVar(&c.token, "token", "", "API `token` (default $"+indexingjobs.TokenEnv+")")
	c.fs.StringVar(&c.apiURL, "api-url", indexingjobs.DefaultBaseURL, "base `URL` of the API")
	c.fs.DurationVar(&c.timeout, "timeout", 0, timeout)
	c.fs.StringVar(&c.output, "output", "text", "output `format`: text or json")
	return c
}

// parse reads the command line, whose argument (if want names one) is a
// UUID, and makes the client. Everything that can be checked without the
// API is checked here, so that a usage error sends nothing.
func (c *apiCommand) parse(args []string, want string) ([]string, error) {
	rest, err := parse(c.fs, args, want)
	if err != nil {
		return nil, err
	}
	if c.output != "text" && c.output != "json" {
		return nil, usagef(c.fs, "--output %q: want text or json", c.output)
	}
	for _, id := range rest {
		if err := indexingjobs.ValidateUUID(id); err != nil {
			return nil, usagef(c.fs, "%s", plain(err))
		}
	}
	opts := []indexingjobs.Option{indexingjobs.WithBaseURL(c.apiURL), indexingjobs.WithUserAgent("indexingjobs-cli")}
	if c.token != "" {
		opts = append(opts, indexingjobs.WithToken(c.token))
	}
	c.client, err = indexingjobs.NewClient(opts...)
	if errors.Is(err, indexingjobs.ErrNoToken) {
		return nil, usagef(c.fs, "no API token: pass --token or set $%s", indexingjobs.TokenEnv)
	}
	if err != nil {
		return nil, usagef(c.fs, "%s", plain(err))
	}
	return rest, nil
}

// do runs the command's calls within its context, bounded by --timeout,
// and when that context ends first, says why.
func (c *apiCommand) do(ctx context.Context, calls func(ctx context.Context) error) error {
	var cancel context.CancelFunc
	if c.timeout > 0 {
		ctx, cancel = context.WithTimeoutCause(ctx, c.timeout, errTimedOut)
	} else {
		ctx, cancel = context.WithCancel(ctx)
	}
	defer cancel()
	err := calls(ctx)
	if err != nil && ctx.Err() != nil {
		why := "interrupted"
		if context.Cause(ctx) == errTimedOut {
			why = "timed out after " + c.timeout.String()
		}
		return &endedError{why: why, err: err}
	}
	return err
}

// errTimedOut is the cause of a command's context ending at --timeout.
var errTimedOut = errors.New("--timeout")
