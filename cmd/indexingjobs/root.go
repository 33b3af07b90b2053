package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/gradient-go/indexingjobs"
)

// tool is one run of the command line: its streams, and whether a
// command's own code has begun (before that, every error is the command
// line's).
type tool struct {
	stdout, stderr io.Writer
	started        bool
}

// run is the whole command, with its streams passed in for tests. ctx
// ends when the tool is interrupted; its cause says by which signal.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	t := &tool{stdout: stdout, stderr: stderr}
	root := t.root()
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitOK
	}
	var uerr *usageError
	if errors.As(err, &uerr) || !t.started {
		// One line, and where to read more: the whole flag list would
		// bury the line that says what is wrong.
		fmt.Fprintf(stderr, "%s: %s\n", cmd.CommandPath(), lines(err))
		fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
		return exitUsage
	}
	printError(stderr, cmd.CommandPath(), err)
	var sig *signalled
	if errors.As(context.Cause(ctx), &sig) {
		return 128 + int(sig.sig)
	}
	return exitError
}

// root is the tool's command tree. cobra gives what doctl and gh users
// expect of it: help CMD, --version, completion SHELL, and suggestions
// for a mistyped command.
func (t *tool) root() *cobra.Command {
	root := &cobra.Command{
		Use:   "indexingjobs",
		Short: "Find knowledge bases; start, follow, list and cancel their indexing jobs; schedule indexing",
		Long: `Find DigitalOcean GenAI knowledge bases and their data sources; start,
follow, list and cancel their indexing jobs, and download their reports;
index them on a schedule.

The token is read from $` + indexingjobs.TokenEnv + ` (or --token), the API's
address from $` + apiURLEnv + ` (or --api-url; default ` + indexingjobs.DefaultBaseURL + `).
Try it without an account: 'indexingjobs demo', or 'indexingjobs serve-fake'.`,
		Version:       indexingjobs.Version,
		SilenceErrors: true, // run prints them, with the exit code they get
		SilenceUsage:  true,
	}
	root.SetOut(t.stdout)
	root.SetErr(t.stderr)
	root.SetVersionTemplate("indexingjobs {{.Version}}\n")
	root.SetFlagErrorFunc(flagError)
	root.AddCommand(t.commands()...)
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			// Runnable, so that cobra refuses a shell it has no script
			// for as an unknown command (exit 2), where it would show its
			// help and exit 0, and a script that asked for tcsh carry on.
			c.RunE = func(c *cobra.Command, _ []string) error { return c.Help() }
		}
	}
	return root
}

// commands are the tool's commands, in the order help lists them.
func (t *tool) commands() []*cobra.Command {
	return []*cobra.Command{
		t.listCmd(), t.startCmd(), t.getCmd(), t.waitCmd(), t.cancelCmd(), t.dataSourcesCmd(), t.detailsCmd(),
		t.knowledgeBasesCmd(), withSubcommands(t.knowledgeBaseCmd(), t.createKnowledgeBaseCmd(), t.updateKnowledgeBaseCmd(), t.deleteKnowledgeBaseCmd()),
		t.dataSourceCmd(), t.embeddingModelsCmd(), t.scheduleCmd(), t.unscheduleCmd(), t.indexCmd(),
		t.demoCmd(), t.serveFakeCmd(), t.docsCmd(), t.versionCmd(),
	}
}

// runE marks where a command's own code begins: an error before it is a
// usage error (an unknown command or flag), one after it is the
// command's.
func (t *tool) runE(fn func(cmd *cobra.Command, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		t.started = true
		return fn(cmd, args)
	}
}

func (t *tool) versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  noArgs,
		RunE: t.runE(func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintln(t.stdout, "indexingjobs", indexingjobs.Version)
			return err
		}),
	}
}
