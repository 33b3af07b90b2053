package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/indexingjobstest"
	"github.com/gradient-go/indexingjobs/internal/safetext"
)

func cmdDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("demo", "demo [flags]")
	duration := fs.Duration("job-duration", 3*time.Second, "how long the fake takes to run a job")
	delay := fs.Duration("cancel-delay", time.Second, "how long the fake takes to carry out a cancel")
	poll := fs.Duration("poll", 250*time.Millisecond, "the first wait between reads of --wait")
	if _, err := parse(fs, args, ""); err != nil {
		return err
	}
	began := time.Now()
	srv := indexingjobstest.NewServer(indexingjobstest.WithJobDuration(*duration), indexingjobstest.WithCancelDelay(*delay))
	defer srv.Close()
	kb := srv.AddKnowledgeBase(indexingjobstest.NewKnowledgeBase(3))
	fmt.Fprintf(stderr, "Started a fake indexing-jobs API at %s (package indexingjobstest): no account, no network.\n", srv.URL)
	fmt.Fprintf(stderr, "It has a knowledge base %s with 3 data sources; a job there takes %s.\n", kb, *duration)

	client, err := srv.NewClient()
	if err != nil {
		return err
	}
	d := &demo{ctx: ctx, url: srv.URL, token: srv.Token(), kb: kb, client: client, stdout: stdout, stderr: stderr}
	fmt.Fprintf(stderr, "\n$ export %s=%s\n", indexingjobs.TokenEnv, d.token)
	pollFlag := []string{"--poll", poll.String()}
	first, err := d.start("Index the knowledge base, and follow the job to its end:", append([]string{"start", kb, "--wait"}, pollFlag...)...)
	if err != nil {
		return err
	}
	if _, err := d.step("List the jobs:", "list"); err != nil {
		return err
	}
	second, err := d.start("Start a second job, and cancel it:", "start", kb)
	if err != nil {
		return err
	}
	if _, err := d.step("", append([]string{"cancel", second, "--wait"}, pollFlag...)...); err != nil {
		return err
	}
	if _, err := d.step("What the first job did in each data source:", "data-sources", first); err != nil {
		return err
	}
	return d.summary(time.Since(began), first, second)
}

// demo runs the tool's own commands against the fake, each shown first as
// the command line a user would type.
type demo struct {
	ctx            context.Context
	url, token, kb string
	client         *indexingjobs.Client // to look behind the commands
	stdout, stderr io.Writer
}

// step says what comes, then runs `indexingjobs args... --api-url URL`
// as shown, and returns what it wrote to stderr. The token, exported
// above, is passed with --token rather than by changing the environment.
func (d *demo) step(say string, args ...string) (string, error) {
	if say != "" {
		fmt.Fprintf(d.stderr, "\n# %s\n", say)
	}
	args = append(args, "--api-url", d.url)
	fmt.Fprintf(d.stderr, "$ indexingjobs %s\n", strings.Join(args, " "))
	var seen strings.Builder
	code := run(d.ctx, append(args, "--token", d.token), d.stdout, io.MultiWriter(d.stderr, &seen))
	if err := d.ctx.Err(); err != nil {
		return "", err
	}
	if code != exitOK {
		return "", fmt.Errorf("indexingjobs %s exited with %d", args[0], code)
	}
	return seen.String(), nil
}

// start runs a start step and returns the job it started: the newest of
// the knowledge base's.
func (d *demo) start(say string, args ...string) (string, error) {
	if _, err := d.step(say, args...); err != nil {
		return "", err
	}
	jobs, err := d.client.ListKnowledgeBaseIndexingJobs(d.ctx, d.kb)
	if err != nil {
		return "", err
	}
	if len(jobs) == 0 {
		return "", errors.New("the fake lists no job after a start")
	}
	return jobs[0].UUID, nil
}

// summary tells what happened, from the jobs' own fields: how long each
// ran is finished_at less started_at, as the fake set them.
func (d *demo) summary(took time.Duration, ids ...string) error {
	fmt.Fprintf(d.stderr, "\nIn %s, against the fake:\n", duration(took))
	for _, id := range ids {
		job, err := d.client.GetIndexingJob(d.ctx, id)
		if err != nil {
			return err
		}
		ran := ranFor(job)
		if ran == "" {
			ran = "never started"
		} else {
			ran = "ran for " + ran
		}
		fmt.Fprintf(d.stderr, "  job %s %s and ended %s: %d of %d data sources done, %d items indexed.\n",
			safetext.Line(job.UUID), ran, safetext.Line(job.Phase.String()), job.CompletedDatasources, job.TotalDatasources, job.TotalItemsIndexed)
	}
	return nil
}

func cmdServeFake(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve-fake", "serve-fake [flags]")
	addr := fs.String("addr", "127.0.0.1:8090", "`address` to listen on (port 0: any free port)")
	token := fs.String("token", indexingjobstest.DefaultToken, "the bearer `token` the fake accepts")
	delay := fs.Duration("cancel-delay", 5*time.Second, "how long the fake takes to carry out a cancel")
	duration := fs.Duration("job-duration", 2*time.Minute, "how long the fake takes to run a job")
	sources := fs.Int("data-sources", 3, "data sources of the knowledge base")
	jobs := fs.Int("jobs", 2, "jobs to start on the knowledge base at once")
	if _, err := parse(fs, args, ""); err != nil {
		return err
	}
	l, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := indexingjobstest.NewServer(indexingjobstest.WithListener(l), indexingjobstest.WithToken(*token),
		indexingjobstest.WithCancelDelay(*delay), indexingjobstest.WithJobDuration(*duration))
	defer srv.Close() // bounded: it ends what clients still hold open
	kb := indexingjobstest.NewKnowledgeBase(*sources)
	srv.AddKnowledgeBase(kb)
	client, err := srv.NewClient()
	if err != nil {
		return err
	}
	var started []string
	for range *jobs {
		job, err := client.StartIndexingJob(ctx, kb.UUID)
		if err != nil {
			return err
		}
		started = append(started, job.UUID)
	}

	fmt.Fprintf(stdout, "Fake indexing-jobs API at %s, token %q. Ctrl-C stops it.\n", srv.URL, *token)
	fmt.Fprintf(stdout, "\nKnowledge base %s, data sources:\n", kb.UUID)
	for _, ds := range kb.DataSourceUUIDs {
		fmt.Fprintf(stdout, "  %s\n", ds)
	}
	if len(started) > 0 {
		fmt.Fprintf(stdout, "\nJobs started on it (each takes %s):\n", *duration)
		for _, id := range started {
			fmt.Fprintf(stdout, "  %s\n", id)
		}
	}
	fmt.Fprintf(stdout, "\nTry, from the repository's root (or drop 'go run ./cmd/' with the tool installed):\n")
	fmt.Fprintf(stdout, "  export %s=%s\n", indexingjobs.TokenEnv, *token)
	try := func(args string) { fmt.Fprintf(stdout, "  go run ./cmd/indexingjobs %s --api-url %s\n", args, srv.URL) }
	try("start " + kb.UUID + " --wait")
	try("list")
	if len(started) > 0 {
		try("cancel " + started[0] + " --wait")
	}
	fmt.Fprintf(stdout, "or, installed (go install ./cmd/indexingjobs):\n  indexingjobs list --api-url %s\n", srv.URL)
	<-ctx.Done()
	fmt.Fprintln(stderr, "Stopping the fake API (a second Ctrl-C ends it at once).")
	return nil
}
