package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/indexingjobstest"
)

func cmdDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("demo", "demo [flags]")
	delay := fs.Duration("cancel-delay", 3*time.Second, "how long the fake takes to carry out the cancel")
	if _, err := parse(fs, args, ""); err != nil {
		return err
	}
	srv := indexingjobstest.NewServer(indexingjobstest.WithCancelDelay(*delay))
	defer srv.Close()
	id := srv.AddJob(indexingjobstest.NewJob(indexingjobs.PhaseRunning))
	fmt.Fprintf(stderr, "Started a fake indexing-jobs API at %s (package indexingjobstest): no account, no network.\n", srv.URL)
	fmt.Fprintf(stderr, "Added a running indexing job %s.\n\n", id)
	d := demo{ctx: ctx, url: srv.URL, token: srv.Token(), stdout: stdout, stderr: stderr}
	d.export()
	return d.step("cancel", id, "--wait", "--poll", "500ms")
}

// demo runs the tool's own commands against the fake, each shown first as
// the command line a user would type.
type demo struct {
	ctx            context.Context
	url, token     string
	stdout, stderr io.Writer
}

// export shows how a user gives the token; step passes it with --token.
func (d *demo) export() {
	fmt.Fprintf(d.stderr, "$ export %s=%s\n", indexingjobs.TokenEnv, d.token)
}

// step runs `indexingjobs args... --api-url URL`.
func (d *demo) step(args ...string) error {
	args = append(args, "--api-url", d.url)
	fmt.Fprintf(d.stderr, "$ indexingjobs %s\n", strings.Join(args, " "))
	if code := run(d.ctx, append(args, "--token", d.token), d.stdout, d.stderr); code != exitOK {
		if err := d.ctx.Err(); err != nil {
			return err
		}
		return fmt.Errorf("the demo stopped: indexingjobs %s exited with %d", args[0], code)
	}
	return nil
}

func cmdServeFake(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve-fake", "serve-fake [flags]")
	addr := fs.String("addr", "127.0.0.1:8090", "`address` to listen on (port 0: any free port)")
	token := fs.String("token", indexingjobstest.DefaultToken, "the bearer `token` the fake accepts")
	delay := fs.Duration("cancel-delay", 5*time.Second, "how long the fake takes to carry out a cancel")
	jobs := fs.Int("jobs", 3, "running jobs to start with")
	if _, err := parse(fs, args, ""); err != nil {
		return err
	}
	l, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := indexingjobstest.NewServer(indexingjobstest.WithListener(l),
		indexingjobstest.WithToken(*token), indexingjobstest.WithCancelDelay(*delay))
	fmt.Fprintf(stdout, "Fake indexing-jobs API at %s, token %q. Ctrl-C stops it.\n\nRunning jobs:\n", srv.URL, *token)
	var first string
	for range *jobs {
		id := srv.AddJob(indexingjobstest.NewJob(indexingjobs.PhaseRunning))
		first = cmp.Or(first, id)
		fmt.Fprintf(stdout, "  %s\n", id)
	}
	if first != "" {
		fmt.Fprintf(stdout, "\nTry:\n  %s=%s indexingjobs cancel %s --wait --api-url %s\n", indexingjobs.TokenEnv, *token, first, srv.URL)
	}
	<-ctx.Done()
	fmt.Fprintln(stderr, "Stopping the fake API (a second Ctrl-C ends it at once).")
	return closeWithin(srv, closeBound)
}

// closeBound is how long serve-fake waits for the requests in flight when
// it stops: a client that holds a request half sent does not hold it up.
const closeBound = 1500 * time.Millisecond

// closeWithin closes srv, waiting at most d for it. A server still closing
// then is left to the end of the process.
func closeWithin(srv *indexingjobstest.Server, d time.Duration) error {
	closed := make(chan struct{})
	go func() {
		srv.Close()
		close(closed)
	}()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-closed:
		return nil
	case <-t.C:
		return fmt.Errorf("stopped after %s without waiting for the requests still open", d)
	}
}
