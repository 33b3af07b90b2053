package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/indexingjobstest"
)

func cmdDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("demo", "demo [flags]")
	var output string
	addOutputFlag(fs, &output)
	delay := fs.Duration("cancel-delay", 3*time.Second, "how long the fake takes to carry out the cancel")
	if _, err := parse(fs, args, 0); err != nil {
		return err
	}
	if err := checkOutput(fs, output); err != nil {
		return err
	}
	srv := indexingjobstest.NewServer(indexingjobstest.WithCancelDelay(*delay))
	defer srv.Close()
	id := srv.AddJob(indexingjobstest.NewJob(indexingjobs.PhaseRunning))
	client, err := srv.NewClient()
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "Started a fake indexing-jobs API at %s (package indexingjobstest): no account, no network.\n", srv.URL)
	fmt.Fprintf(stderr, "Added a running indexing job %s.\n\n", id)
	fmt.Fprintf(stderr, "$ indexingjobs cancel %s --wait --api-url %s\n", id, srv.URL)
	return cancelJob(ctx, client, id, true, 500*time.Millisecond, output, stdout, stderr)
}

func cmdServeFake(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve-fake", "serve-fake [flags]")
	addr := fs.String("addr", "127.0.0.1:8090", "address to listen on (port 0: any free port)")
	token := fs.String("token", indexingjobstest.DefaultToken, "the bearer token the fake accepts")
	delay := fs.Duration("cancel-delay", 5*time.Second, "how long the fake takes to carry out a cancel")
	jobs := fs.Int("jobs", 3, "running jobs to start with")
	if _, err := parse(fs, args, 0); err != nil {
		return err
	}
	l, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("indexingjobs serve-fake: %w", err)
	}
	srv := indexingjobstest.NewServer(indexingjobstest.WithListener(l),
		indexingjobstest.WithToken(*token), indexingjobstest.WithCancelDelay(*delay))
	defer srv.Close()
	fmt.Fprintf(stdout, "Fake indexing-jobs API at %s, token %q. Ctrl-C stops it.\n\nRunning jobs:\n", srv.URL, *token)
	var first string
	for range *jobs {
		id := srv.AddJob(indexingjobstest.NewJob(indexingjobs.PhaseRunning))
		first = or(first, id)
		fmt.Fprintf(stdout, "  %s\n", id)
	}
	if first != "" {
		fmt.Fprintf(stdout, "\nTry:\n  %s=%s indexingjobs cancel %s --wait --api-url %s\n", indexingjobs.TokenEnv, *token, first, srv.URL)
	}
	<-ctx.Done()
	return nil
}
