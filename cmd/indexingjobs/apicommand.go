package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/internal/safetext"
)

// apiCommand is what every command that calls the API shares: the flags
// --token, --api-url, --timeout and -o, the client they make, the answers
// kept for -o json, what the command sent ids of (so that a 404 can say
// what was not found), and how an interrupted command ends. A new API
// command is newAPICommand, its own flags, and its run function; getCmd
// is the whole pattern.
type apiCommand struct {
	*tool
	cmd     *cobra.Command
	run     func(ctx context.Context, ids []string) error
	token   string
	context string // doctl's auth context to take the token from
	config  string // doctl's config file
	url     string
	timeout durationFlag
	output  outputFormat

	tokenFrom string // where the token came from, for a 401's hint

	format   string // --format of a command with a table (tableFlags)
	noHeader bool   // --no-header

	client *indexingjobs.Client
	raw    *capture
	sent   []sentID // the ids the command sends, for a 404
}

type sentID struct {
	kind idKind
	id   string
}

// newAPICommand makes a command of use and short that takes one id of
// kind as its argument (none when kind is ""); set run before it runs.
func (t *tool) newAPICommand(use, short string, kind idKind) *apiCommand {
	a := &apiCommand{tool: t, output: "text"}
	args := noArgs
	if kind != "" {
		args = oneID(kind)
	}
	a.cmd = &cobra.Command{Use: use, Short: short, Args: args, RunE: t.runE(func(cmd *cobra.Command, ids []string) error {
		for _, id := range ids {
			a.sends(kind, id)
		}
		if err := a.connect(); err != nil {
			return err
		}
		return a.do(cmd.Context(), ids)
	})}
	fs := a.cmd.Flags()
	fs.StringVar(&a.token, "token", "", "API `token` (default $"+indexingjobs.TokenEnv+", else doctl's)")
	fs.StringVar(&a.context, "context", "", "take the token from doctl's auth context `NAME` (default $"+contextEnv+", else doctl's current context)")
	fs.StringVar(&a.config, "config", "", "doctl's config `FILE`, where its tokens are (default $"+configEnv+", else doctl's own)")
	fs.StringVar(&a.url, "api-url", "", "the API's address, a `URL` with the host only (default $"+apiURLEnv+", else "+indexingjobs.DefaultBaseURL+")")
	fs.Var(&a.timeout, "timeout", "give up after this long, such as 30s or 2m; 0 for no limit")
	fs.VarP(&a.output, "output", "o", "output format: text or json (what the API sent)")
	return a
}

// sends notes that the command sends the id of a kind of thing, so that a
// 404 names it.
func (a *apiCommand) sends(kind idKind, ids ...string) {
	for _, id := range ids {
		a.sent = append(a.sent, sentID{kind, id})
	}
}

// json reports whether -o json was asked for.
func (a *apiCommand) json() bool { return a.output == "json" }

// connect makes the client. Everything that can be checked without the
// API is checked here, so that a usage error sends nothing.
func (a *apiCommand) connect() error {
	base, err := apiURL(a.url, a.cmd.Flags().Changed("api-url"))
	if err != nil {
		return err
	}
	a.raw = &capture{}
	token, from, err := a.resolveToken()
	if err != nil {
		return err
	}
	a.tokenFrom = from
	a.redact.set(token)
	a.client, err = indexingjobs.NewClient(
		indexingjobs.WithBaseURL(base),
		indexingjobs.WithUserAgent("indexingjobs-cli"),
		indexingjobs.WithToken(token),
	)
	if err != nil {
		// The library names the option the token came through.
		return usagef("%s", strings.ReplaceAll(plain(err), "(from WithToken)", "(from "+from+")"))
	}
	return nil
}

// do runs the command within its context, bounded by --timeout, and
// says what an ended context or a 404 means.
func (a *apiCommand) do(ctx context.Context, ids []string) error {
	var cancel context.CancelFunc
	if a.timeout.d > 0 {
		ctx, cancel = context.WithTimeoutCause(ctx, a.timeout.d, errTimedOut)
	} else {
		ctx, cancel = context.WithCancel(ctx)
	}
	defer cancel()
	if a.raw != nil {
		ctx = indexingjobs.WithResponseBody(ctx, a.raw.keep)
	}
	err := a.run(ctx, ids)
	var stopped *stoppedWaiting
	switch {
	case err == nil || errors.As(err, &stopped):
		return err
	case ctx.Err() != nil:
		return &endedError{why: a.why(ctx), err: err, cause: context.Cause(ctx)}
	case indexingjobs.IsNotFound(err) && len(a.sent) > 0:
		return &notFoundError{what: a.notFound(), err: err, next: a.listWhatExists()}
	case indexingjobs.IsUnauthorized(err):
		return &hintedError{err, "Check the token (from " + a.tokenFrom + "): it may be wrong, expired or revoked, or lack the genai scopes."}
	}
	return err
}

// errTimedOut is the cause of a command's context ending at --timeout.
var errTimedOut = errors.New("--timeout")

// why says, in the user's words, why ctx ended.
func (a *apiCommand) why(ctx context.Context) string {
	var sig *signalled
	switch cause := context.Cause(ctx); {
	case cause == errTimedOut:
		return "gave up after " + a.timeout.d.String() + " (--timeout)"
	case errors.As(cause, &sig) && sig.sig == syscall.SIGTERM:
		return "terminated (SIGTERM)"
	}
	return "interrupted"
}

// notFound names what the command sent ids of: one of them is missing.
func (a *apiCommand) notFound() string {
	first := a.sent[0]
	what := fmt.Sprintf("%s %s", first.kind, first.id)
	if len(a.sent) == 1 {
		return what + " not found"
	}
	var rest []string
	for _, s := range a.sent[1:] {
		rest = append(rest, fmt.Sprintf("%s %s", s.kind, s.id))
	}
	return what + ", or its " + strings.Join(rest, ", ") + ", not found"
}

// listWhatExists says how to list the things of the kinds the command
// sent ids of, one of which was not found.
func (a *apiCommand) listWhatExists() string {
	var ways []string
	for _, kind := range []idKind{jobKind, knowledgeBaseKind, dataSourceKind} {
		if !slices.ContainsFunc(a.sent, func(s sentID) bool { return s.kind == kind }) {
			continue
		}
		switch kind {
		case jobKind:
			ways = append(ways, "the indexing jobs with 'indexingjobs list"+a.resume()+"'")
		case knowledgeBaseKind:
			ways = append(ways, "the knowledge bases with 'indexingjobs knowledge-bases"+a.resume()+"'")
		case dataSourceKind:
			ways = append(ways, "a knowledge base's data sources with 'indexingjobs knowledge-base KB_UUID"+a.resume()+"'")
		}
	}
	return "List " + strings.Join(ways, ", and ") + "."
}

// resume is the flags a command that follows up this one needs: those of
// --api-url, --context and --config that were given (the token and the
// variables are still where they were; --token is never printed).
func (a *apiCommand) resume() string {
	var out strings.Builder
	for _, name := range []string{"api-url", "context", "config"} {
		if f := a.cmd.Flags().Lookup(name); f.Changed {
			fmt.Fprintf(&out, " --%s %s", name, shellWord(f.Value.String()))
		}
	}
	return out.String()
}

// shellWord is s as one word of a command line to copy into a shell:
// quoted when it holds anything but letters, digits and "-_./:@%+=,",
// and escaped as safetext escapes server text.
func shellWord(s string) string {
	plain := s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune("-_./:@%+=,", r))
	}) < 0
	if plain {
		return s
	}
	return "'" + strings.ReplaceAll(safetext.Line(s), "'", `'\''`) + "'"
}
