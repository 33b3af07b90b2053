package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/indexingjobstest"
	"github.com/gradient-go/indexingjobs/internal/safetext"
)

func (t *tool) demoCmd() *cobra.Command {
	jobDuration := &durationFlag{d: 3 * time.Second}
	delay := &durationFlag{d: time.Second}
	poll := &durationFlag{d: 250 * time.Millisecond, positive: true}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Create a knowledge base; start, list and cancel jobs against a fake API: no account, no network",
		Args:  noArgs,
		RunE: t.runE(func(cmd *cobra.Command, _ []string) error {
			return demo(cmd.Context(), jobDuration.d, delay.d, poll.d, t.stdout, t.stderr)
		}),
	}
	fs := cmd.Flags()
	fs.Var(jobDuration, "job-duration", "how long the fake takes to run a job")
	fs.Var(delay, "cancel-delay", "how long the fake takes to carry out a cancel")
	fs.Var(poll, "poll", "the wait between reads of --wait")
	return cmd
}

// demo runs the tool's own commands against a fake API, each shown first
// as the command line a user would type.
func demo(ctx context.Context, jobDuration, delay, poll time.Duration, stdout, stderr io.Writer) error {
	began := time.Now()
	srv := indexingjobstest.NewServer(indexingjobstest.WithJobDuration(jobDuration), indexingjobstest.WithCancelDelay(delay))
	defer srv.Close()
	for name, sources := range map[string]int{"support-answers": 1} {
		kb := indexingjobstest.NewKnowledgeBase(sources)
		kb.Name = name
		srv.AddKnowledgeBase(kb)
	}
	fmt.Fprintf(stderr, "Started a fake indexing-jobs API at %s (package indexingjobstest): no account, no network.\n", srv.URL)
	fmt.Fprintf(stderr, "It holds a knowledge base; a job takes %s.\n", jobDuration)

	client, err := srv.NewClient()
	if err != nil {
		return err
	}
	d := &demoRun{ctx: ctx, url: srv.URL, token: srv.Token(), client: client, stdout: stdout, stderr: stderr}
	fmt.Fprintf(stderr, "\n$ export %s=%s\n", indexingjobs.TokenEnv, d.token)
	fmt.Fprintf(stderr, "$ export %s=%s\n", apiURLEnv, d.url)
	pollFlag := []string{"--poll", poll.String()}
	if err := d.createFromFiles("product-docs", pollFlag); err != nil {
		return err
	}
	if _, err := d.step("Find the knowledge base to index, product-docs:", "knowledge-bases"); err != nil {
		return err
	}
	if d.kb, err = d.knowledgeBase("product-docs"); err != nil {
		return err
	}
	kb := d.kb
	if _, err := d.step("Its database, and where its content comes from:", "knowledge-base", kb); err != nil {
		return err
	}
	first, err := d.start("Index it again (creating it started its first job), and follow this job to its end:", append([]string{"start", kb, "--wait"}, pollFlag...)...)
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
	if _, err := d.step("From now on, index it every Monday and Thursday at 02:00 UTC:", "schedule", kb, "--days", "mon,thu", "--at", "02:00"); err != nil {
		return err
	}
	if err := d.index(srv, pollFlag); err != nil {
		return err
	}
	return d.summary(time.Since(began), first, second)
}

// knowledgeBase finds the uuid of the knowledge base of this name, as a
// user reads it off the table.
func (d *demoRun) knowledgeBase(name string) (string, error) {
	for kb, err := range d.client.ListKnowledgeBases(d.ctx) {
		if err != nil {
			return "", err
		}
		if kb.Name == name {
			return kb.UUID, nil
		}
	}
	return "", fmt.Errorf("the fake lists no knowledge base %s", name)
}

// demoRun is a demo under way.
type demoRun struct {
	ctx            context.Context
	url, token, kb string
	client         *indexingjobs.Client // to look behind the commands
	stdout, stderr io.Writer
}

// step says what comes, then runs `indexingjobs args...` as shown, and
// returns what it wrote to stderr. The token and the API's URL, exported
// above, are passed with --token and --api-url rather than by changing
// the environment.
func (d *demoRun) step(say string, args ...string) (string, error) {
	if say != "" {
		fmt.Fprintf(d.stderr, "\n# %s\n", say)
	}
	fmt.Fprintf(d.stderr, "$ indexingjobs %s\n", strings.Join(args, " "))
	var seen strings.Builder
	code := run(d.ctx, append(args, "--token", d.token, "--api-url", d.url), d.stdout, io.MultiWriter(d.stderr, &seen))
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
func (d *demoRun) start(say string, args ...string) (string, error) {
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
func (d *demoRun) summary(took time.Duration, ids ...string) error {
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
		fmt.Fprintf(d.stderr, "  job %s %s and ended %s: %d of %d data sources done, %s indexed.\n",
			safetext.Line(job.UUID), ran, phaseText(job.Phase), job.CompletedDatasources, job.TotalDatasources, count(int64(job.TotalItemsIndexed), "item"))
	}
	return nil
}

func (t *tool) serveFakeCmd() *cobra.Command {
	var f fakeFlags
	f.delay = durationFlag{d: 5 * time.Second}
	f.duration = durationFlag{d: 2 * time.Minute}
	cmd := &cobra.Command{
		Use:   "serve-fake",
		Short: "Run the fake API on a loopback address for manual trials",
		Args:  noArgs,
		RunE: t.runE(func(cmd *cobra.Command, _ []string) error {
			return serveFake(cmd.Context(), &f, t.stdout, t.stderr)
		}),
	}
	fs := cmd.Flags()
	fs.StringVar(&f.addr, "addr", "127.0.0.1:8090", "address to listen on (port 0: any free port)")
	fs.StringVar(&f.token, "token", indexingjobstest.DefaultToken, "the bearer token the fake accepts")
	fs.Var(&f.delay, "cancel-delay", "how long the fake takes to carry out a cancel")
	fs.Var(&f.duration, "job-duration", "how long the fake takes to run a job")
	fs.IntVar(&f.sources, "data-sources", 3, "data sources of the knowledge base")
	fs.IntVar(&f.jobs, "jobs", 2, "jobs to start on the knowledge base at once")
	return cmd
}

// fakeFlags are serve-fake's flags.
type fakeFlags struct {
	addr, token     string
	delay, duration durationFlag
	sources, jobs   int
}

// serveFake runs the fake until ctx ends: a signal is its way to stop, and
// it exits 0 then.
func serveFake(ctx context.Context, f *fakeFlags, stdout, stderr io.Writer) error {
	l, err := listen(f.addr)
	if err != nil {
		return err
	}
	srv := indexingjobstest.NewServer(indexingjobstest.WithListener(l), indexingjobstest.WithToken(f.token),
		indexingjobstest.WithCancelDelay(f.delay.d), indexingjobstest.WithJobDuration(f.duration.d))
	defer srv.Close() // bounded: it ends what clients still hold open
	kb := indexingjobstest.NewKnowledgeBase(f.sources)
	srv.AddKnowledgeBase(kb)
	client, err := srv.NewClient()
	if err != nil {
		return err
	}
	var started []string
	for range f.jobs {
		job, err := client.StartIndexingJob(ctx, kb.UUID)
		if err != nil {
			return err
		}
		started = append(started, job.UUID)
	}

	fmt.Fprintf(stdout, "Fake indexing-jobs API at %s, token %q. Ctrl-C stops it.\n", srv.URL, f.token)
	fmt.Fprintf(stdout, "\nKnowledge base %s, data sources:\n", kb.UUID)
	for _, ds := range kb.DataSourceUUIDs {
		fmt.Fprintf(stdout, "  %s\n", ds)
	}
	if len(started) > 0 {
		fmt.Fprintf(stdout, "\nJobs started on it (each takes %s):\n", f.duration.d)
		for _, id := range started {
			fmt.Fprintf(stdout, "  %s\n", id)
		}
	}
	fmt.Fprintf(stdout, "\nTry, from the repository's root (or drop 'go run ./cmd/' with the tool installed):\n")
	fmt.Fprintf(stdout, "  export %s=%s\n", indexingjobs.TokenEnv, f.token)
	fmt.Fprintf(stdout, "  export %s=%s\n", apiURLEnv, srv.URL)
	printSpacesExports(stdout, "  ", srv)
	try := func(args string) { fmt.Fprintf(stdout, "  go run ./cmd/indexingjobs %s\n", args) }
	try("knowledge-bases")
	if len(started) > 0 { // first: the next line waits for a job as long as these run
		try("cancel " + started[0] + " --wait")
	}
	try("start " + kb.UUID + " --wait")
	try("list")
	fmt.Fprintf(stdout, "or, installed (go install ./cmd/indexingjobs):\n  indexingjobs list\n")
	<-ctx.Done()
	fmt.Fprintln(stderr, "Stopping the fake API (a second Ctrl-C ends it at once).")
	return nil
}
