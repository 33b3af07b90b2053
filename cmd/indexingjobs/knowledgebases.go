package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/internal/safetext"
)

func (t *tool) knowledgeBasesCmd() *cobra.Command {
	a := t.newAPICommand("knowledge-bases", "List the knowledge bases, with the phase of each one's last job", "")
	a.run = func(ctx context.Context, _ []string) error {
		kbs := a.client.ListKnowledgeBases(ctx)
		if a.json() {
			return streamJSON(a, kbs, "knowledge_bases", func(kb *indexingjobs.KnowledgeBase) string { return kb.UUID })
		}
		n := 0
		tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
		for kb, err := range kbs {
			if err != nil {
				tw.Flush()
				return err
			}
			if n++; n == 1 {
				fmt.Fprintln(tw, "UUID\tNAME\tREGION\tLAST JOB")
			}
			last := "-"
			if kb.LastIndexingJob.UUID != "" {
				last = phaseText(kb.LastIndexingJob.Phase)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", dash(safetext.Line(kb.UUID)), dash(safetext.Line(kb.Name)), dash(safetext.Line(kb.Region)), last)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		_, err := fmt.Fprintln(a.stdout, count(n, "knowledge base"))
		return err
	}
	return a.cmd
}

func (t *tool) knowledgeBaseCmd() *cobra.Command {
	a := t.newAPICommand("knowledge-base KB_UUID", "Show a knowledge base, the state of its database and its data sources", knowledgeBaseKind)
	a.run = func(ctx context.Context, ids []string) error {
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
			return printKnowledgeBaseJSON(a.stdout, answer, kb, sources, raw)
		}
		return printKnowledgeBase(a.stdout, kb, sources)
	}
	return a.cmd
}

// maxKnowledgeBaseSources bounds the data sources of one knowledge base the tool
// holds to show them: far more than a knowledge base has.
const maxKnowledgeBaseSources = 10000

// printKnowledgeBaseJSON writes the API's answer of the knowledge base
// with its data sources beside it, each as the API sent it (encoded from
// what the client read when an answer is missing), without secrets.
func printKnowledgeBaseJSON(w io.Writer, answer []byte, kb *indexingjobs.KnowledgeBase, sources []*indexingjobs.KnowledgeBaseDataSource, raw []json.RawMessage) error {
	var out map[string]json.RawMessage
	if json.Unmarshal(answer, &out) != nil || out == nil {
		alone := *kb
		alone.DatabaseStatus = "" // sent beside the knowledge base, not in it
		b, err := json.Marshal(map[string]any{"knowledge_base": alone, "database_status": kb.DatabaseStatus})
		if err != nil {
			return err
		}
		_ = json.Unmarshal(b, &out)
	}
	list := make([]json.RawMessage, len(sources))
	for i, ds := range sources {
		list[i] = raw[i]
		if list[i] == nil {
			b, err := json.Marshal(ds)
			if err != nil {
				return err
			}
			list[i] = b
		}
	}
	b, err := json.Marshal(list)
	if err != nil {
		return err
	}
	out["knowledge_base_data_sources"] = b
	whole, err := json.Marshal(out)
	if err != nil {
		return err
	}
	return printRaw(w, withoutSecrets(whole))
}

// printKnowledgeBase writes the knowledge base as aligned text, then its
// data sources as a table: where each one's content comes from, and what
// its last indexing did.
func printKnowledgeBase(w io.Writer, kb *indexingjobs.KnowledgeBase, sources []*indexingjobs.KnowledgeBaseDataSource) error {
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
		_, err := fmt.Fprintln(w, "No data sources.")
		return err
	}
	fmt.Fprintln(tw, "DATA SOURCE\tKIND\tWHERE\tLAST INDEXED")
	for _, ds := range sources {
		kind, where := sourcePlace(ds)
		last := "-"
		if run := ds.LastDatasourceIndexingJob; run.Status != "" {
			last = sourceStatusText(run.Status)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", dash(safetext.Line(ds.UUID)), kind, dash(safetext.Line(where)), last)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w, count(len(sources), "data source"))
	return err
}

// sourcePlace names a data source's kind and where its content comes
// from, from its display form only: never a secret.
func sourcePlace(ds *indexingjobs.KnowledgeBaseDataSource) (kind, where string) {
	switch {
	case ds.SpacesDataSource.BucketName != "":
		s := ds.SpacesDataSource
		return "spaces", s.BucketName + s.ItemPath + " (" + s.Region + ")"
	case ds.WebCrawlerDataSource.BaseURL != "":
		return "web", ds.WebCrawlerDataSource.BaseURL
	case ds.AWSDataSource.BucketName != "":
		s := ds.AWSDataSource
		return "s3", s.BucketName + s.ItemPath + " (" + s.Region + ")"
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
		return "spaces", ds.BucketName + ds.ItemPath
	}
	return "-", ""
}

// count is "1 knowledge base", "3 data sources".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
