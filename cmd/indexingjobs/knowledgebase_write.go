package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/internal/safetext"
)

// withSubcommands adds subs to cmd: the commands that create, change and
// delete what cmd shows.
func withSubcommands(cmd *cobra.Command, subs ...*cobra.Command) *cobra.Command {
	cmd.AddCommand(subs...)
	return cmd
}

func (t *tool) createKnowledgeBaseCmd() *cobra.Command {
	a := t.newAPICommand("create NAME --region R --embedding-model UUID --project UUID [--spaces BUCKET/PATH] [--web URL] [--file PATH]... [--wait]",
		"Create a knowledge base, with its first data sources; --wait follows its database until it is ONLINE", "")
	a.cmd.Args = func(_ *cobra.Command, args []string) error {
		if len(args) != 1 || strings.TrimSpace(args[0]) == "" {
			return usagef("want the knowledge base's NAME, got %d arguments", len(args))
		}
		return nil
	}
	fs := a.cmd.Flags()
	region := fs.String("region", "", "the `region` to create it in, such as tor1 (required)")
	var model, project, database uuidList
	fs.Var(&model, "embedding-model", "the model that embeds its content (required; see 'indexingjobs embedding-models')")
	fs.Var(&project, "project", "the project it belongs to (required)")
	fs.Var(&database, "database", "an OpenSearch database to hold its index (default: a new one in --region)")
	tags := fs.StringArray("tag", nil, "a `tag`; repeat it for more")
	var spaces, web string
	var spacesRegion string
	fs.StringVar(&spaces, "spaces", "", "a folder of a Spaces bucket to index, as `BUCKET/PATH`")
	fs.StringVar(&spacesRegion, "spaces-region", "", "the `region` of the --spaces bucket (default: --region)")
	fs.StringVar(&web, "web", "", "a web site to crawl, from this `URL`")
	files := fs.StringArray("file", nil, "a `file` to upload and index; repeat it for more")
	poll := a.pollFlag("the knowledge base, with --wait,")
	fs.Bool("wait", false, "after creating, follow its database until it is ONLINE, when it can be indexed")
	a.run = func(ctx context.Context, args []string) error {
		name := args[0]
		a.sent = nil // a name, not an id: a 404 is of no id given
		switch {
		case *region == "":
			return usagef("--region is required: the region to create it in, such as tor1")
		case len(model) == 0:
			return usagef("--embedding-model is required: 'indexingjobs embedding-models' lists the models")
		case len(project) == 0:
			return usagef("--project is required: the UUID of the project it belongs to ('doctl projects list' lists them)")
		case len(model) > 1, len(project) > 1, len(database) > 1:
			return usagef("--embedding-model, --project and --database each name one, given once")
		}
		spec := indexingjobs.KnowledgeBaseSpec{Name: name, Region: *region, EmbeddingModelUUID: model[0], ProjectID: project[0], DatabaseID: database.String(), Tags: *tags}
		if spaces != "" {
			src, err := spacesSource(spaces, cmpOr(spacesRegion, *region), "--spaces")
			if err != nil {
				return err
			}
			spec.DataSources = append(spec.DataSources, indexingjobs.DataSourceSpec{Spaces: src})
		} else if spacesRegion != "" {
			return usagef("--spaces-region goes with --spaces")
		}
		if web != "" {
			src, err := webSource(web, "")
			if err != nil {
				return err
			}
			spec.DataSources = append(spec.DataSources, indexingjobs.DataSourceSpec{WebCrawler: src})
		}
		// Every file is checked before anything is sent.
		opened, err := openFiles(*files)
		defer func() {
			for _, f := range opened {
				f.file.Close()
			}
		}()
		if err != nil {
			return err
		}
		uploaded, err := a.upload(ctx, opened)
		if err != nil {
			return err
		}
		for _, f := range uploaded {
			spec.DataSources = append(spec.DataSources, indexingjobs.DataSourceSpec{File: f})
		}
		kb, err := a.client.CreateKnowledgeBase(ctx, spec)
		if errors.Is(err, indexingjobs.ErrOutcomeUnknown) {
			return &hintedError{err, fmt.Sprintf("It may have been created: look for %q with 'indexingjobs knowledge-bases%s' before creating it again.", safetext.Line(name), a.resume())}
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stderr, "Created knowledge base %s (%s) with %s; its database is being made.\n",
			safetext.Line(kb.UUID), safetext.Line(kb.Name), count(len(spec.DataSources), "data source"))
		wait, _ := a.cmd.Flags().GetBool("wait")
		if wait {
			a.sends(knowledgeBaseKind, kb.UUID)
			if kb, err = a.client.WaitForKnowledgeBase(ctx, kb.UUID, indexingjobs.WithPollInterval(poll.d), indexingjobs.WithMaxPollInterval(poll.d)); err != nil {
				return err
			}
			fmt.Fprintf(a.stderr, "Its database is ONLINE.\n")
		}
		if len(spec.DataSources) > 0 {
			fmt.Fprintln(a.stderr, firstJobNote(kb))
		}
		return a.printKnowledgeBaseBrief(kb)
	}
	return a.cmd
}

// firstJobNote says that the API indexes a knowledge base created with
// data sources on its own, once its database is ONLINE, and how to follow
// that job: by its uuid once it has one, else through the knowledge base.
func firstJobNote(kb *indexingjobs.KnowledgeBase) string {
	if id := kb.LastIndexingJob.UUID; id != "" {
		return fmt.Sprintf("Creating it started its first indexing job, %s: follow it with 'indexingjobs wait %s'.",
			safetext.Line(id), safetext.Line(id))
	}
	id := safetext.Line(kb.UUID)
	return fmt.Sprintf("Creating it starts its first indexing job once its database is ONLINE: "+
		"'indexingjobs knowledge-base %s' shows it as the last job, and 'indexingjobs wait JOB' follows it.", id)
}

func (t *tool) updateKnowledgeBaseCmd() *cobra.Command {
	a := t.newAPICommand("update KB_UUID [--name NAME] [--tag T]...", "Change a knowledge base's name or tags; what is not given stays", knowledgeBaseKind)
	name := a.cmd.Flags().String("name", "", "its new `name`")
	tags := a.cmd.Flags().StringArray("tag", nil, "a `tag`; repeat it for more. The tags given replace all of its tags (it cannot be left with none)")
	a.run = func(ctx context.Context, ids []string) error {
		if *name == "" && len(*tags) == 0 {
			return usagef("nothing to change: give --name or --tag")
		}
		kb, err := a.client.UpdateKnowledgeBase(ctx, ids[0], indexingjobs.KnowledgeBaseChanges{Name: *name, Tags: *tags})
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stderr, "Updated knowledge base %s.\n", ids[0])
		return a.printKnowledgeBaseBrief(kb)
	}
	return a.cmd
}

func (t *tool) deleteKnowledgeBaseCmd() *cobra.Command {
	a := t.newAPICommand("delete KB_UUID [--force]", "Delete a knowledge base, with its data sources", knowledgeBaseKind)
	force := forceFlag(a.cmd)
	a.run = func(ctx context.Context, ids []string) error {
		kb := ids[0]
		if err := a.confirm(*force, "Knowledge Base", kb); err != nil {
			return err
		}
		err := a.client.DeleteKnowledgeBase(ctx, kb)
		if errors.Is(err, indexingjobs.ErrOutcomeUnknown) {
			return &hintedError{err, fmt.Sprintf("It may be deleted already: look with 'indexingjobs knowledge-base %s%s'.", kb, a.resume())}
		}
		if err != nil {
			return err
		}
		if a.json() {
			return a.printAnswer("", map[string]string{"uuid": kb})
		}
		_, err = fmt.Fprintf(a.stdout, "Deleted knowledge base %s and its data sources.\n", kb)
		return err
	}
	return a.cmd
}

// printKnowledgeBaseBrief writes what a create or an update made of the
// knowledge base, or, for -o json, the API's answer of it.
func (a *apiCommand) printKnowledgeBaseBrief(kb *indexingjobs.KnowledgeBase) error {
	if a.json() {
		return a.printAnswer("knowledge_base", kb)
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	for _, row := range [][2]string{
		{"Knowledge base", kb.UUID}, {"Name", kb.Name}, {"Region", kb.Region}, {"Database", string(kb.DatabaseStatus)},
		{"Embedding model", kb.EmbeddingModelUUID}, {"Project", kb.ProjectID}, {"Tags", strings.Join(kb.Tags, ", ")},
	} {
		if row[1] != "" {
			fmt.Fprintf(tw, "%s\t%s\n", row[0], safetext.Line(row[1]))
		}
	}
	return tw.Flush()
}

// openedFile is a file to upload, open, with its size.
type openedFile struct {
	file *os.File
	name string
	size int64
}

// openFiles opens every file to upload, or says which cannot be: a
// usage error, before anything is sent. The caller closes those opened.
func openFiles(paths []string) ([]openedFile, error) {
	var out []openedFile
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return out, usagef("--file %s: %s", safetext.Line(p), safetext.Line(errors.Unwrap(err).Error()))
		}
		out = append(out, openedFile{file: f, name: filepath.Base(p)})
		fi, err := f.Stat()
		switch {
		case err != nil:
			return out, usagef("--file %s: %s", safetext.Line(p), safetext.Line(err.Error()))
		case !fi.Mode().IsRegular():
			return out, usagef("--file %s is not a regular file", safetext.Line(p))
		case fi.Size() == 0:
			return out, usagef("--file %s is empty: there is nothing to index", safetext.Line(p))
		}
		out[len(out)-1].size = fi.Size()
	}
	return out, nil
}

// upload asks where to upload the files and uploads each, saying so on
// stderr; it returns what to attach. The upload URLs, which carry their
// signatures, are never shown.
func (a *apiCommand) upload(ctx context.Context, files []openedFile) ([]*indexingjobs.UploadedFile, error) {
	if len(files) == 0 {
		return nil, nil
	}
	asked := make([]indexingjobs.FileToUpload, len(files))
	for i, f := range files {
		asked[i] = indexingjobs.FileToUpload{Name: f.name, Size: f.size}
	}
	urls, err := a.client.FileUploadURLs(ctx, asked)
	if err != nil {
		return nil, err
	}
	var out []*indexingjobs.UploadedFile
	for i, f := range files {
		up, err := a.client.UploadFile(ctx, urls[i], f.file, f.size)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(a.stderr, "Uploaded %s (%s).\n", safetext.Line(f.name), size(uint64(f.size)))
		out = append(out, up)
	}
	return out, nil
}

// spacesSource is a BUCKET/PATH flag's folder of a bucket in region.
func spacesSource(where, region, flag string) (*indexingjobs.SpacesSource, error) {
	bucket, path, _ := strings.Cut(where, "/")
	switch {
	case bucket == "":
		return nil, usagef("%s %s: want BUCKET/PATH, such as product-docs/manuals", flag, safetext.Line(where))
	case region == "":
		return nil, usagef("%s needs --spaces-region, the bucket's region, such as nyc3", flag)
	}
	if path != "" {
		path = "/" + path
	}
	return &indexingjobs.SpacesSource{BucketName: bucket, ItemPath: path, Region: region}, nil
}

// webSource is a --web flag's site to crawl, following the links crawl
// names ("" for the service's default).
func webSource(base, crawl string) (*indexingjobs.WebCrawlerSource, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, usagef("--web %s is not an http or https URL", safetext.Line(base))
	}
	return &indexingjobs.WebCrawlerSource{BaseURL: base, CrawlingOption: indexingjobs.CrawlingOption(strings.ToUpper(crawl))}, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// forceFlag adds --force (-f), which deletes without asking.
func forceFlag(cmd *cobra.Command) *bool {
	return cmd.Flags().BoolP("force", "f", false, "delete without asking for confirmation")
}

// askInput is where a confirmation is read from, and whether a person is
// there to answer it: the tool's stdin, when it is a terminal. A variable,
// so that tests can pretend.
var askInput = func() (io.Reader, bool) { return os.Stdin, isTTY(os.Stdin) }

// errAborted ends a delete its confirmation refused: nothing was sent.
var errAborted = errors.New("operation aborted")

// confirm asks, as doctl does, before deleting what, unless force: on a
// terminal it reads the answer (y or yes goes on); without one it refuses
// with a usage error, so that a script does not delete by accident.
// Nothing is sent before it returns.
func (a *apiCommand) confirm(force bool, what, id string) error {
	if force {
		return nil
	}
	in, person := askInput()
	if !person {
		return usagef("refusing to delete %s %s without confirmation: not on a terminal; pass --force (-f) to delete it without asking", strings.ToLower(what), id)
	}
	fmt.Fprintf(a.stderr, "Warning: Are you sure you want to delete this %s (%s) (y/N) ? ", what, id)
	answer, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && answer == "" {
		fmt.Fprintln(a.stderr)
		return errAborted
	}
	switch strings.ToLower(strings.TrimSpace(answer)) {
	case "y", "yes":
		return nil
	}
	return errAborted
}
