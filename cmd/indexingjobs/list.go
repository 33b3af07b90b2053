package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/gradient-go/indexingjobs"
)

func cmdList(ctx context.Context, args []string, stdout, _ io.Writer) error {
	c := newAPICommand("list", "list [--knowledge-base UUID] [--page N --per-page N | --all] [flags]", false)
	kb := c.fs.String("knowledge-base", "", "list the latest 15 jobs of the knowledge base `UUID` instead")
	page := c.fs.Int("page", 1, "show page `N`, from 1")
	perPage := c.fs.Int("per-page", indexingjobs.DefaultPerPage, fmt.Sprintf("`N` jobs a page, 1 to %d", indexingjobs.MaxPerPage))
	all := c.fs.Bool("all", false, "every job, page after page")
	if _, err := c.parse(args, ""); err != nil {
		return err
	}
	set := map[string]bool{}
	c.fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	switch {
	case *kb != "" && (set["page"] || set["per-page"] || set["all"]):
		return usagef(c.fs, "--knowledge-base lists a knowledge base's latest 15 jobs, on one page: --page, --per-page and --all do not apply")
	case *all && set["page"]:
		return usagef(c.fs, "--all lists every page: --page does not apply")
	case *page < 1:
		return usagef(c.fs, "--page %d: pages count from 1", *page)
	case *perPage < 1 || *perPage > indexingjobs.MaxPerPage:
		return usagef(c.fs, "--per-page %d: want 1 to %d", *perPage, indexingjobs.MaxPerPage)
	}
	if *kb != "" {
		if err := indexingjobs.ValidateUUID(*kb); err != nil {
			return usagef(c.fs, "--knowledge-base: %s", plain(err))
		}
	}
	return c.do(ctx, func(ctx context.Context) error {
		switch {
		case *kb != "":
			jobs, err := c.client.ListKnowledgeBaseIndexingJobs(ctx, *kb)
			if err != nil {
				return err
			}
			return printJobs(stdout, c.output, jobs, jobCount(len(jobs)))
		case *all:
			return listAll(ctx, c.client, *perPage, c.output, stdout)
		default:
			p, err := c.client.ListIndexingJobsPage(ctx, *page, *perPage)
			if err != nil {
				return err
			}
			return printJobs(stdout, c.output, p.Jobs, fmt.Sprintf("page %d of %d, %s", p.Page, p.Pages, jobCount(p.Total)))
		}
	})
}

// printJobs writes jobs as a table with a footer, or as a JSON array.
func printJobs(w io.Writer, output string, jobs []indexingjobs.IndexingJob, footer string) error {
	if output == "json" {
		if jobs == nil {
			jobs = []indexingjobs.IndexingJob{}
		}
		return printJSON(w, jobs)
	}
	if len(jobs) > 0 {
		printJobHeader(w)
	}
	for i := range jobs {
		printJobRow(w, &jobs[i])
	}
	_, err := fmt.Fprintln(w, footer)
	return err
}

// listAll lists every job (client.ListIndexingJobs). Text rows are written
// as the pages arrive; JSON is one array, written once it is whole.
func listAll(ctx context.Context, client *indexingjobs.Client, perPage int, output string, w io.Writer) error {
	jobs := []indexingjobs.IndexingJob{}
	n := 0
	for job, err := range client.ListIndexingJobs(ctx, indexingjobs.WithPerPage(perPage)) {
		if err != nil {
			return err
		}
		n++
		if output == "json" {
			jobs = append(jobs, *job)
			continue
		}
		if n == 1 {
			printJobHeader(w)
		}
		printJobRow(w, job)
	}
	if output == "json" {
		return printJSON(w, jobs)
	}
	_, err := fmt.Fprintln(w, jobCount(n))
	return err
}

func cmdDataSources(ctx context.Context, args []string, stdout, _ io.Writer) error {
	c := newAPICommand("data-sources", "data-sources JOB_UUID [flags]", false)
	ids, err := c.parse(args, "one indexing job UUID")
	if err != nil {
		return err
	}
	return c.do(ctx, func(ctx context.Context) error {
		sources, err := c.client.ListIndexingJobDataSources(ctx, ids[0])
		if err != nil {
			return err
		}
		if c.output == "json" {
			if sources == nil {
				sources = []indexingjobs.IndexedDataSource{}
			}
			return printJSON(stdout, sources)
		}
		return printDataSources(stdout, sources)
	})
}
