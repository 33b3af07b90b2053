package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/internal/safetext"
)

// knowledgeBaseColumns are the columns of the knowledge bases table.
var knowledgeBaseColumns = []column[indexingjobs.KnowledgeBase]{
	{"UUID", 0, func(kb *indexingjobs.KnowledgeBase) string { return dash(safetext.Line(kb.UUID)) }},
	{"NAME", 0, func(kb *indexingjobs.KnowledgeBase) string { return dash(safetext.Line(kb.Name)) }},
	{"REGION", 0, func(kb *indexingjobs.KnowledgeBase) string { return dash(safetext.Line(kb.Region)) }},
	{"LAST JOB", 0, func(kb *indexingjobs.KnowledgeBase) string {
		if kb.LastIndexingJob.UUID == "" {
			return "-"
		}
		return phaseText(kb.LastIndexingJob.Phase)
	}},
}

func (t *tool) knowledgeBasesCmd() *cobra.Command {
	a := t.newAPICommand("knowledge-bases", "List the knowledge bases, with the phase of each one's last job", "")
	a.cmd.Aliases = []string{"kbs"}
	tableFlags(a, knowledgeBaseColumns)
	a.run = func(ctx context.Context, _ []string) error {
		table, err := newTable(a, knowledgeBaseColumns)
		if err != nil {
			return err
		}
		kbs := a.client.ListKnowledgeBases(ctx)
		if a.json() {
			return streamJSON(a, kbs, "knowledge_bases", func(kb *indexingjobs.KnowledgeBase) string { return kb.UUID })
		}
		for kb, err := range kbs {
			if err != nil {
				table.flush()
				return err
			}
			table.row(kb)
		}
		return table.footer("%s", count(table.rows, "knowledge base"))
	}
	return a.cmd
}

func (t *tool) knowledgeBaseCmd() *cobra.Command {
	a := t.newAPICommand("knowledge-base KB_UUID", "Show a knowledge base, the state of its database and its data sources", knowledgeBaseKind)
	a.cmd.Aliases = []string{"kb"}
	tableFlags(a, knowledgeBaseSourceColumns)
	a.run = func(ctx context.Context, ids []string) error {
		table, err := newTable(a, knowledgeBaseSourceColumns)
		if err != nil {
			return err
		}
		kb, err := a.client.GetKnowledgeBase(ctx, ids[0])
		if err != nil {
			return err
		}
		answer, _ := a.raw.last()
		var sources []*indexingjobs.KnowledgeBaseDataSource
		var raw []json.RawMessage // as the API sent them, for -o json
		seq, page := 0, map[string]json.RawMessage(nil)
		for ds, err := range a.client.ListKnowledgeBaseDataSources(ctx, kb.UUID) {
			if err != nil {
				return err
			}
			if len(sources) == maxKnowledgeBaseSources {
				return fmt.Errorf("knowledge base %s has more than %d data sources, more than the tool shows", kb.UUID, maxKnowledgeBaseSources)
			}
			sources = append(sources, ds)
			if a.json() {
				if body, s := a.raw.last(); s != seq {
					seq, page = s, rawItems(body, "knowledge_base_data_sources")
				}
				raw = append(raw, page[strings.ToLower(ds.UUID)])
			}
		}
		if a.json() {
			return a.printKnowledgeBaseJSON(answer, kb, sources, raw)
		}
		return printKnowledgeBase(table, kb, sources)
	}
	return a.cmd
}

// maxKnowledgeBaseSources bounds the data sources of one knowledge base the tool
// holds to show them: far more than a knowledge base has.
const maxKnowledgeBaseSources = 10000

// printKnowledgeBaseJSON writes the API's answer of the knowledge base
// with its data sources beside it, each as the API sent it (encoded from
// what the client read when an answer is missing), without secrets.
func (a *apiCommand) printKnowledgeBaseJSON(answer []byte, kb *indexingjobs.KnowledgeBase, sources []*indexingjobs.KnowledgeBaseDataSource, raw []json.RawMessage) error {
	var out map[string]json.RawMessage
	if json.Unmarshal(answer, &out) != nil || out == nil {
		alone := *kb
		alone.DatabaseStatus = "" // sent beside the knowledge base, not in it
		b, err := marshalJSON(map[string]any{"knowledge_base": alone, "database_status": kb.DatabaseStatus})
		if err != nil {
			return err
		}
		_ = json.Unmarshal(b, &out)
	}
	list := make([]json.RawMessage, len(sources))
	for i, ds := range sources {
		list[i] = raw[i]
		if list[i] == nil {
			b, err := marshalJSON(ds)
			if err != nil {
				return err
			}
			list[i] = b
		}
	}
	b, err := marshalJSON(list)
	if err != nil {
		return err
	}
	out["knowledge_base_data_sources"] = b
	whole, err := marshalJSON(out)
	if err != nil {
		return err
	}
	return printRaw(a.stdout, a.shown(whole))
}

// printKnowledgeBase writes the knowledge base as aligned text, then its
// data sources as a table: where each one's content comes from, and what
// its last indexing did. The knowledge base's block is a header: with
// --no-header it goes to stderr with the footer, and the rows alone to
// stdout.
func printKnowledgeBase(t *table[indexingjobs.KnowledgeBaseDataSource], kb *indexingjobs.KnowledgeBase, sources []*indexingjobs.KnowledgeBaseDataSource) error {
	w := t.notes
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "%s\t%s\n", k, v)
		}
	}
	row("Knowledge base", safetext.Line(kb.UUID))
	row("Name", safetext.Line(kb.Name))
	row("Region", safetext.Line(kb.Region))
	row("Database", safetext.Line(string(kb.DatabaseStatus)))
	if kb.DatabaseStatus != "" && kb.DatabaseStatus != indexingjobs.DatabaseOnline {
		row("", "not ONLINE: it cannot be indexed yet")
	}
	if job := kb.LastIndexingJob; job.UUID != "" {
		row("Last job", fmt.Sprintf("%s, %s", safetext.Line(job.UUID), phaseText(job.Phase)))
	}
	row("Created", when(kb.CreatedAt))
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	if len(sources) == 0 {
		return t.footer("No data sources.")
	}
	for _, ds := range sources {
		t.row(ds)
	}
	return t.footer("%s", count(len(sources), "data source"))
}

// knowledgeBaseSourceColumns are the columns of a knowledge base's data
// sources.
var knowledgeBaseSourceColumns = []column[indexingjobs.KnowledgeBaseDataSource]{
	{"DATA SOURCE", 0, func(ds *indexingjobs.KnowledgeBaseDataSource) string { return dash(safetext.Line(ds.UUID)) }},
	{"KIND", 0, func(ds *indexingjobs.KnowledgeBaseDataSource) string { kind, _ := sourcePlace(ds); return kind }},
	{"WHERE", 0, func(ds *indexingjobs.KnowledgeBaseDataSource) string {
		_, where := sourcePlace(ds)
		return dash(safetext.Line(where))
	}},
	{"LAST INDEXED", 0, func(ds *indexingjobs.KnowledgeBaseDataSource) string {
		if run := ds.LastDatasourceIndexingJob; run.Status != "" {
			return sourceStatusText(run.Status)
		}
		return "-"
	}},
}

// sourcePlace names a data source's kind and where its content comes
// from, from its display form only: never a secret.
func sourcePlace(ds *indexingjobs.KnowledgeBaseDataSource) (kind, where string) {
	switch {
	case ds.SpacesDataSource.BucketName != "":
		s := ds.SpacesDataSource
		return "spaces", bucketPath(s.BucketName, s.ItemPath) + " (" + s.Region + ")"
	case ds.WebCrawlerDataSource.BaseURL != "":
		return "web", withoutCredentials(ds.WebCrawlerDataSource.BaseURL)
	case ds.AWSDataSource.BucketName != "":
		s := ds.AWSDataSource
		return "s3", bucketPath(s.BucketName, s.ItemPath) + " (" + s.Region + ")"
	case ds.FileUploadDataSource.OriginalFileName != "":
		return "file", ds.FileUploadDataSource.OriginalFileName
	case ds.GoogleDriveDataSource.FolderID != "":
		g := ds.GoogleDriveDataSource
		if g.FolderName != "" {
			return "google drive", g.FolderName
		}
		return "google drive", g.FolderID
	case ds.DropboxDataSource.Folder != "":
		return "dropbox", ds.DropboxDataSource.Folder
	case ds.BucketName != "":
		return "spaces", bucketPath(ds.BucketName, ds.ItemPath)
	}
	return "-", ""
}

// bucketPath is a bucket and a path in it, one "/" between them: the API
// gives item_path with a leading "/" or without one.
func bucketPath(bucket, path string) string {
	path = strings.TrimLeft(path, "/")
	if path == "" {
		return bucket
	}
	return bucket + "/" + path
}

// count is "1 knowledge base", "3 data sources".
func count[N int | int64](n N, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
