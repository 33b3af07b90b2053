package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gradient-go/indexingjobs"
)

func (t *tool) listCmd() *cobra.Command {
	a := t.newAPICommand("list [--knowledge-base UUID] [--page N --per-page N | --all]",
		"List indexing jobs: a page, --all, or a knowledge base's latest 15", "")
	a.cmd.Aliases = []string{"ls"}
	tableFlags(a, jobColumns)
	fs := a.cmd.Flags()
	kb := fs.String("knowledge-base", "", "list the latest 15 jobs of this knowledge base (a UUID) instead")
	page := fs.Int("page", 1, "the page to show, from 1")
	perPage := fs.Int("per-page", indexingjobs.DefaultPerPage, fmt.Sprintf("jobs a page, 1 to %d", indexingjobs.MaxPerPage))
	all := fs.Bool("all", false, "every job, page after page, printed as the pages arrive")
	a.run = func(ctx context.Context, _ []string) error {
		set := fs.Changed
		switch {
		case *kb != "" && (set("page") || set("per-page") || set("all")):
			return usagef("--knowledge-base lists a knowledge base's latest 15 jobs, on one page: --page, --per-page and --all do not apply")
		case *all && set("page"):
			return usagef("--all lists every page: --page does not apply")
		case *page < 1:
			return usagef("--page %d: pages count from 1", *page)
		case *perPage < 1 || *perPage > indexingjobs.MaxPerPage:
			return usagef("--per-page %d: want 1 to %d", *perPage, indexingjobs.MaxPerPage)
		}
		table, err := newTable(a, jobColumns)
		if err != nil {
			return err
		}
		switch {
		case *kb != "":
			if err := indexingjobs.ValidateUUID(*kb); err != nil {
				return usagef("--knowledge-base: %s", plain(err))
			}
			a.sends(knowledgeBaseKind, *kb)
			jobs, err := a.client.ListKnowledgeBaseIndexingJobs(ctx, *kb)
			if err != nil {
				return err
			}
			if a.json() {
				return a.printAnswer("", map[string]any{"jobs": orEmpty(jobs)})
			}
			footer := jobCount(len(jobs))
			if len(jobs) == 15 {
				footer = "the latest 15 jobs, as many as the API lists for a knowledge base"
			}
			return printJobs(table, jobs, footer)
		case *all:
			var opts []indexingjobs.ListOption
			if set("per-page") {
				opts = append(opts, indexingjobs.WithPerPage(*perPage))
			}
			if a.json() {
				return a.listAllJSON(ctx, opts)
			}
			return a.listAll(ctx, table, opts)
		default:
			p, err := a.client.ListIndexingJobsPage(ctx, *page, *perPage)
			if err != nil {
				return err
			}
			if a.json() {
				return a.printAnswer("", map[string]any{"jobs": orEmpty(p.Jobs), "meta": map[string]int{"page": p.Page, "pages": p.Pages, "total": p.Total}})
			}
			return printJobs(table, p.Jobs, pageFooter(p, *perPage))
		}
	}
	return a.cmd
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// pageFooter says where a page is in the list, or, when the API's counts
// disagree with themselves (a negative count, more or fewer pages than
// its total needs), that they do, rather than "page 1 of -7".
func pageFooter(p *indexingjobs.IndexingJobPage, perPage int) string {
	needed := p.Total / perPage // without overflow, whatever the total
	if p.Total%perPage != 0 {
		needed++
	}
	consistent := p.Total >= 0 && p.Pages >= 0 && (p.Pages == needed || p.Pages == 1 && needed == 0) && len(p.Jobs) <= p.Total
	if consistent && p.Page == p.Pages && p.Total > 0 {
		// The last page holds the jobs the pages before it leave.
		consistent = (p.Page-1)*perPage+len(p.Jobs) == p.Total
	}
	switch {
	case !consistent:
		return fmt.Sprintf("page %d of a list whose counts are inconsistent: the API says %s and %s", p.Page, count(p.Pages, "page"), jobCount(p.Total))
	case p.Page > max(p.Pages, 1):
		return fmt.Sprintf("page %d is past the end: the list has %s, %s", p.Page, count(p.Pages, "page"), jobCount(p.Total))
	}
	return fmt.Sprintf("page %d of %d, %s", p.Page, p.Pages, jobCount(p.Total))
}

// printJobs writes jobs as a table with a footer.
func printJobs(t *table[indexingjobs.IndexingJob], jobs []indexingjobs.IndexingJob, footer string) error {
	for i := range jobs {
		t.row(&jobs[i])
	}
	return t.footer("%s", footer)
}

// listAll writes every job (client.ListIndexingJobs) as a table, the rows
// as the pages arrive.
func (a *apiCommand) listAll(ctx context.Context, t *table[indexingjobs.IndexingJob], opts []indexingjobs.ListOption) error {
	for job, err := range a.client.ListIndexingJobs(ctx, opts...) {
		if err != nil {
			return err
		}
		t.row(job)
	}
	return t.footer("%s", jobCount(t.rows))
}

// listAllJSON writes every job as one JSON array (streamJSON).
func (a *apiCommand) listAllJSON(ctx context.Context, opts []indexingjobs.ListOption) error {
	return streamJSON(a, a.client.ListIndexingJobs(ctx, opts...), "jobs", func(j *indexingjobs.IndexingJob) string { return j.UUID })
}

// streamJSON writes every item of a list as one JSON array, each item as
// the API sent it (the member key of its page's answer), written as its
// page arrives: memory is one page's, however long the list. On an error
// the array is left open, so that no parser takes part of the list for
// the whole.
func streamJSON[T any](a *apiCommand, list iter.Seq2[*T, error], key string, id func(*T) string) error {
	var page map[string]json.RawMessage // the items of the page read last, by uuid
	seq, n := 0, 0
	for item, err := range list {
		if err != nil {
			return err
		}
		// The iterator yields a page's items before it reads the next
		// page: a new answer kept is the page this item came from.
		if body, s := a.raw.last(); s != seq {
			seq, page = s, rawItems(body, key)
		}
		raw := page[strings.ToLower(id(item))]
		if raw == nil {
			if raw, err = marshalJSON(item); err != nil {
				return err
			}
		}
		out, err := indentEscaped(a.shown(raw), "  ")
		if err != nil {
			return err
		}
		sep := ",\n  "
		if n++; n == 1 {
			sep = "[\n  "
		}
		if _, err := fmt.Fprintf(a.stdout, "%s%s", sep, out); err != nil {
			return err
		}
	}
	end := "\n]\n"
	if n == 0 {
		end = "[]\n"
	}
	_, err := io.WriteString(a.stdout, end)
	return err
}

// rawItems is the items of a list answer (its member key) as sent, by
// their lower-case uuid.
func rawItems(body []byte, key string) map[string]json.RawMessage {
	var answer map[string]json.RawMessage
	var items []json.RawMessage
	if json.Unmarshal(body, &answer) != nil || json.Unmarshal(answer[key], &items) != nil {
		return nil
	}
	out := make(map[string]json.RawMessage, len(items))
	for _, raw := range items {
		var item struct {
			UUID string `json:"uuid"`
		}
		if json.Unmarshal(raw, &item) == nil {
			out[strings.ToLower(item.UUID)] = raw
		}
	}
	return out
}

func (t *tool) dataSourcesCmd() *cobra.Command {
	a := t.newAPICommand("data-sources JOB_UUID", "What an indexing job did in each data source", jobKind)
	tableFlags(a, dataSourceColumns)
	a.run = func(ctx context.Context, ids []string) error {
		table, err := newTable(a, dataSourceColumns)
		if err != nil {
			return err
		}
		sources, err := a.client.ListIndexingJobDataSources(ctx, ids[0])
		if err != nil {
			return err
		}
		if a.json() {
			return a.printAnswer("indexed_data_sources", orEmpty(sources))
		}
		for i := range sources {
			table.row(&sources[i])
		}
		if len(sources) == 0 {
			return table.footer("no data sources")
		}
		return table.flush()
	}
	return a.cmd
}
