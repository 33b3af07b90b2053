// Command indexingjobs finds DigitalOcean GenAI knowledge bases, starts,
// lists, follows and cancels their indexing jobs, downloads their reports,
// schedules their indexing, runs a demo against a fake API, serves that
// fake, and serves the API's documentation.
//
//	indexingjobs list [--knowledge-base UUID] [--page N --per-page N | --all]
//	indexingjobs start KB_UUID [--data-source UUID]... [--wait]
//	indexingjobs get JOB_UUID
//	indexingjobs wait JOB_UUID
//	indexingjobs cancel JOB_UUID [--wait]
//	indexingjobs data-sources JOB_UUID
//	indexingjobs details JOB_UUID [--file FILE]
//	indexingjobs knowledge-bases
//	indexingjobs knowledge-base KB_UUID
//	indexingjobs knowledge-base create NAME --region R --embedding-model UUID --project UUID [--file PATH]... [--wait]
//	indexingjobs knowledge-base update KB_UUID [--name N] [--tag T]... | delete KB_UUID [--force]
//	indexingjobs data-source add KB_UUID (--spaces BUCKET/PATH | --web URL | --s3 BUCKET/PATH) | update | remove
//	indexingjobs embedding-models
//	indexingjobs schedule KB_UUID [--days mon,thu --at 02:00]
//	indexingjobs unschedule KB_UUID
//	indexingjobs demo | serve-fake | docs | version | completion SHELL
//
// The token comes from $DIGITALOCEAN_ACCESS_TOKEN or --token, the API's
// address from $DIGITALOCEAN_API_URL or --api-url. Text output shows the
// server's text with its control characters escaped, on one line;
// -o json prints what the API sent.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// Exit codes. A command cut short by a signal exits 128 plus the signal's
// number, as a shell reports it: 130 for SIGINT, 143 for SIGTERM.
const (
	exitOK    = 0
	exitError = 1 // the API or the network said no, or --timeout ended the command
	exitUsage = 2 // the command line is wrong
)

func main() {
	// The first signal ends ctx, with the signal as its cause, and the
	// command winds down. The signals' default action is restored first,
	// so that a second signal, once the command can have reacted to the
	// first, ends the process at once.
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		sig := <-sigs
		signal.Reset(os.Interrupt, syscall.SIGTERM)
		cancel(&signalled{sig.(syscall.Signal)})
	}()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// signalled is the cause of the command's context when a signal ended it.
type signalled struct{ sig syscall.Signal }

func (s *signalled) Error() string { return "interrupted by " + s.sig.String() }
