package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/folder"
	"github.com/gradient-go/indexingjobs/internal/safetext"
)

// indexFlags are index's own flags.
type indexFlags struct {
	name, region, model, project string // --new and its knowledge base
	kb, spaces, spacesRegion     string // --knowledge-base, through Spaces
	parallel                     int
	delete, force                bool
}

func (t *tool) indexCmd() *cobra.Command {
	a := t.newAPICommand("index DIR (--new NAME --region R --embedding-model UUID --project UUID | --knowledge-base KB --spaces BUCKET[/PREFIX] --spaces-region R [--delete] [--force]) [--wait]",
		"Index a folder: as a new knowledge base, or keep a knowledge base current from it through Spaces", "")
	a.cmd.Args = func(_ *cobra.Command, args []string) error {
		if len(args) != 1 {
			return usagef("want one folder, got %d arguments", len(args))
		}
		return nil
	}
	a.cmd.Long = `Index the regular files under DIR (not under a dot-directory; a link is
followed only to a file inside DIR).

With --new, upload them through presigned URLs and create a knowledge base
with a file data source for each; print its uuid. With --wait, follow its
database to ONLINE and its first indexing job to its end.

With --knowledge-base, copy DIR to BUCKET/PREFIX in Spaces, sending only the
files whose content changed (and, with --delete, removing the objects whose
files are gone), make sure the knowledge base has a Spaces data source on
it, and start an indexing job on it when something changed (or with
--force). The access key comes from $` + folder.SpacesAccessKeyIDEnv + ` and
$` + folder.SpacesSecretAccessKeyEnv + `; the endpoint is https://REGION.digitaloceanspaces.com
unless $` + folder.SpacesEndpointEnv + ` says otherwise.

Ctrl-C stops at once (exit 130), says what was done, and leaves nothing
half sent; the same command again sends only what is missing. With
--knowledge-base, what is in Spaces says what is missing. With --new, a
journal of the files uploaded, kept in indexingjobs/journal under the
user's cache folder (such as ~/.cache), says it, for the same folder,
name and region: a file changed since is sent again, and the journal is
removed once the knowledge base is created.

--new refuses a NAME that a knowledge base of the region already has:
index into that one with --knowledge-base, or choose another name.`
	var f indexFlags
	fs := a.cmd.Flags()
	fs.StringVar(&f.name, "new", "", "create a knowledge base of this `NAME` from the files")
	fs.StringVar(&f.region, "region", "", "the new knowledge base's region, such as tor1")
	fs.StringVar(&f.model, "embedding-model", "", "the new knowledge base's embedding model (`UUID`)")
	fs.StringVar(&f.project, "project", "", "the new knowledge base's project (`UUID`)")
	fs.StringVar(&f.kb, "knowledge-base", "", "keep this knowledge base (`UUID`) current from the folder, through Spaces")
	fs.StringVar(&f.spaces, "spaces", "", "where the files go: `BUCKET[/PREFIX]`")
	fs.StringVar(&f.spacesRegion, "spaces-region", "", "the bucket's region, such as nyc3")
	fs.BoolVar(&f.delete, "delete", false, "remove the objects under the prefix whose files are gone")
	fs.BoolVar(&f.force, "force", false, "start an indexing job even when nothing changed")
	fs.IntVar(&f.parallel, "parallel", folder.DefaultParallel, "files sent at once (at most 64)")
	a.cmd.Flags().Lookup("output").Usage = "output format: text or json (a summary: uploaded, unchanged, deleted, bytes, the job)"
	poll := a.waitFlags("once indexing has started")
	a.cmd.Flags().Lookup("wait").Usage = "follow the indexing job to its end (with --new: the database to ONLINE first), showing its progress on stderr"
	a.run = func(ctx context.Context, args []string) error {
		a.sent = nil // DIR is no id
		dir := args[0]
		if err := f.check(dir); err != nil {
			return err
		}
		return a.index(ctx, dir, &f, poll.d)
	}
	return a.cmd
}

// check refuses a command line that cannot work, before anything is sent.
func (f *indexFlags) check(dir string) error {
	switch {
	case f.name == "" && f.kb == "":
		return usagef("say what to index into: --new NAME, or --knowledge-base KB")
	case f.name != "" && f.kb != "":
		return usagef("--new and --knowledge-base go apart: create a knowledge base, or keep one current")
	case f.parallel < 1:
		return usagef("--parallel %d: want 1 or more", f.parallel)
	}
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		return usagef("%s is not a folder", safetext.Line(dir))
	}
	if f.name != "" {
		if f.spaces != "" || f.spacesRegion != "" || f.delete || f.force {
			return usagef("--spaces, --spaces-region, --delete and --force go with --knowledge-base, not --new")
		}
		if f.region == "" || f.model == "" || f.project == "" {
			return usagef("--new needs --region, --embedding-model and --project ('indexingjobs embedding-models' lists the models, 'doctl projects list' the projects)")
		}
		for flag, id := range map[string]string{"--embedding-model": f.model, "--project": f.project} {
			if err := indexingjobs.ValidateUUID(id); err != nil {
				return usagef("%s: %s", flag, plain(err))
			}
		}
		return nil
	}
	if f.region != "" || f.model != "" || f.project != "" {
		return usagef("--region, --embedding-model and --project go with --new, not --knowledge-base")
	}
	if err := indexingjobs.ValidateUUID(f.kb); err != nil {
		return usagef("--knowledge-base: %s", plain(err))
	}
	if f.spaces == "" || f.spacesRegion == "" {
		return usagef("--knowledge-base needs --spaces BUCKET[/PREFIX] and --spaces-region")
	}
	return nil
}

// index runs folder.Create or folder.Sync, shows its progress on stderr,
// and prints what it did.
func (a *apiCommand) index(ctx context.Context, dir string, f *indexFlags, poll time.Duration) error {
	var progress folder.Progress
	if isTerminal(a.stderr) {
		// The bar goes through the redactor like all else, told which
		// terminal is behind it so that mpb redraws it in place at its
		// width. What it shows (file counts, bytes, rate, time left, and
		// steps the tool wrote) holds no token.
		progress = folder.NewTerminalProgress(a.stderr, terminalFile(a.stderr))
	} else {
		progress = folder.NewLineProgress(a.stderr, 10*time.Second)
	}
	jobs := newProgress(a.stderr, nil) // the job's phases, a line each
	defer jobs.close()
	run := folder.RunOptions{Parallel: f.parallel, Wait: a.waiting(), Progress: progress, JobProgress: jobs.seen,
		WaitOptions: []indexingjobs.WaitOption{indexingjobs.WithPollInterval(poll), indexingjobs.WithMaxPollInterval(poll)}}

	var sum *folder.Summary
	var err error
	var journal string
	if f.name != "" {
		var jerr error
		if journal, jerr = journalDir(); jerr != nil {
			// The journal only spares a rerun the uploads done: without a
			// cache folder, index without it.
			fmt.Fprintf(a.stderr, "no journal of uploads (%s): an interrupted run will send every file again\n", plain(jerr))
		}
		sum, err = folder.Create(ctx, a.client, dir, folder.CreateOptions{
			Name: f.name, Region: f.region, EmbeddingModelUUID: f.model, ProjectID: f.project,
			JournalDir: journal, RunOptions: run,
		})
	} else {
		a.sends(knowledgeBaseKind, f.kb)
		cfg, cerr := a.spacesConfig(ctx, f)
		if cerr != nil {
			return cerr
		}
		sum, err = folder.Sync(ctx, a.client, dir, folder.SyncOptions{
			KnowledgeBaseUUID: f.kb, Spaces: cfg, Delete: f.delete, Force: f.force,
			RunOptions: run,
		})
	}
	// A knowledge base created is said, with its uuid on stdout, also when
	// what follows (--wait) fails or is interrupted: the same command
	// again is refused for its name.
	created := f.name != "" && sum != nil && sum.KnowledgeBaseUUID != ""
	if sum != nil && (err == nil || a.json() || created) {
		if perr := a.printSummary(sum, f); perr != nil && err == nil {
			err = perr
		}
	}
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil && sum != nil && sum.Job != nil && !sum.Job.Phase.Terminal():
		return &stoppedWaiting{why: a.why(ctx), id: sum.Job.UUID, last: jobs.state(), resume: a.resume(), err: err}
	case ctx.Err() != nil && created:
		return err // the summary said how to follow it
	case ctx.Err() != nil && f.name != "" && journal != "" && sum != nil:
		left := sum.Files - sum.Uploaded - sum.Reused
		return &hintedError{err, fmt.Sprintf("Run the same command again: it sends only the other %s, then creates the knowledge base.", count(left, "file"))}
	case ctx.Err() != nil && f.name != "":
		return &hintedError{err, "Run the same command again to start over: the files uploaded are not used."}
	case ctx.Err() != nil:
		return &hintedError{err, "Run the same command again: it sends only what is missing, then indexes."}
	}
	var taken *folder.KnowledgeBaseExistsError
	if errors.As(err, &taken) {
		return &hintedError{err, fmt.Sprintf("Keep it current from the folder: indexingjobs index %s --knowledge-base %s --spaces BUCKET[/PREFIX] --spaces-region R%s\nOr choose another name (--new).",
			shellWord(dir), safetext.Line(taken.UUID), a.resume())}
	}
	return err
}

// journalDir is where index --new keeps its journals of uploads, made if
// missing: indexingjobs/journal under the user's cache folder; "" and why
// when there is none or it cannot be made.
func journalDir() (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cache, "indexingjobs", "journal")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	return dir, nil
}

// spacesConfig is where --spaces puts the files, the key and the
// endpoint from the environment. A missing key or a wrong endpoint is the
// command line's fault.
func (a *apiCommand) spacesConfig(ctx context.Context, f *indexFlags) (folder.SpacesConfig, error) {
	bucket, prefix, err := folder.ParseSpacesLocation(f.spaces)
	if err != nil {
		return folder.SpacesConfig{}, usagef("--spaces %s", plain(err))
	}
	cfg := folder.SpacesConfig{
		Bucket: bucket, Prefix: prefix, Region: f.spacesRegion,
		Endpoint:        getenv(ctx, folder.SpacesEndpointEnv),
		AccessKeyID:     getenv(ctx, folder.SpacesAccessKeyIDEnv),
		SecretAccessKey: getenv(ctx, folder.SpacesSecretAccessKeyEnv),
	}
	if err := cfg.Check(); err != nil {
		return cfg, usagef("%s", plain(err))
	}
	return cfg, nil
}

// printSummary writes what was done: with -o json the summary; else, on
// stdout, the new knowledge base's uuid, or that Spaces and the index are
// up to date, or the job started; on stderr, the counts.
func (a *apiCommand) printSummary(sum *folder.Summary, f *indexFlags) error {
	if a.json() {
		return printJSON(a.stdout, sum)
	}
	counts := fmt.Sprintf("%d uploaded (%s), %d unchanged", sum.Uploaded, folder.Size(sum.Bytes), sum.Unchanged)
	if sum.Reused > 0 {
		counts += fmt.Sprintf(", %d uploaded by an earlier run", sum.Reused)
	}
	if f.delete {
		counts += fmt.Sprintf(", %d deleted", sum.Deleted)
	}
	if len(sum.Skipped) > 0 {
		counts += fmt.Sprintf(", %d skipped:", len(sum.Skipped))
	}
	fmt.Fprintf(a.stderr, "%s: %s\n", count(sum.Files, "file"), counts)
	for i, s := range sum.Skipped {
		if i == maxShownSources {
			fmt.Fprintf(a.stderr, "  and %d more\n", len(sum.Skipped)-i)
			break
		}
		fmt.Fprintf(a.stderr, "  %s: %s\n", safetext.Line(s.Name), s.Why)
	}
	switch {
	case f.name != "":
		if sum.KnowledgeBaseUUID == "" {
			return nil
		}
		if sum.Job == nil {
			fmt.Fprintln(a.stderr, firstJobNote(&indexingjobs.KnowledgeBase{UUID: sum.KnowledgeBaseUUID}))
		}
		_, err := fmt.Fprintln(a.stdout, safetext.Line(sum.KnowledgeBaseUUID))
		return err
	case sum.UpToDate && sum.JobUnderWay && !sum.Job.Phase.Terminal():
		_, err := fmt.Fprintf(a.stdout, "up to date: %s in Spaces %s; indexing job %s, started earlier, is %s\n",
			count(sum.Files, "file"), safetext.Line(f.spaces), safetext.Line(sum.Job.UUID), phaseText(sum.Job.Phase))
		return err
	case sum.UpToDate && sum.JobUnderWay:
		_, err := fmt.Fprintf(a.stdout, "up to date: %s in Spaces %s, indexed by job %s (started earlier), %s\n",
			count(sum.Files, "file"), safetext.Line(f.spaces), safetext.Line(sum.Job.UUID), phaseText(sum.Job.Phase))
		return err
	case sum.UpToDate:
		_, err := fmt.Fprintf(a.stdout, "up to date: %s in Spaces %s, indexed\n", count(sum.Files, "file"), safetext.Line(f.spaces))
		return err
	case sum.Job != nil:
		return printJob(a.stdout, sum.Job)
	}
	return nil
}

// getenv reads a variable of the environment, or of the one a demo step
// gives through ctx (withEnv), which comes first.
func getenv(ctx context.Context, name string) string {
	if env, ok := ctx.Value(envKey{}).(map[string]string); ok {
		if v, ok := env[name]; ok {
			return v
		}
	}
	return os.Getenv(name)
}

type envKey struct{}

// withEnv gives the commands run with ctx these variables, in place of
// the process's: the demo's steps, without changing the environment of
// the process (tests run demos side by side).
func withEnv(ctx context.Context, env map[string]string) context.Context {
	return context.WithValue(ctx, envKey{}, env)
}
