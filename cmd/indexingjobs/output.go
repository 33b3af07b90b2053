package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gradient-go/indexingjobs"
)

// printJob writes the job as aligned text for people, or as the API's JSON
// for programs.
func printJob(w io.Writer, job *indexingjobs.IndexingJob, output string) error {
	if output == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(job)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "%s\t%s\n", k, v)
		}
	}
	row("Indexing job", str(job.Uuid))
	row("Knowledge base", str(job.KnowledgeBaseUuid))
	row("Phase", string(indexingjobs.PhaseOf(job)))
	if job.Status != nil {
		row("Status", string(*job.Status))
	}
	row("Created", when(job.CreatedAt))
	row("Started", when(job.StartedAt))
	row("Finished", when(job.FinishedAt))
	row("Updated", when(job.UpdatedAt))
	if job.StartedAt != nil && job.FinishedAt != nil {
		row("Ran for", job.FinishedAt.Sub(*job.StartedAt).Round(time.Second).String())
	}
	if job.TotalDatasources != nil {
		row("Data sources", fmt.Sprintf("%d of %d completed", deref(job.CompletedDatasources), *job.TotalDatasources))
	}
	var items []string
	for _, c := range []struct {
		name string
		n    *indexingjobs.Uint64
	}{{"indexed", job.TotalItemsIndexed}, {"failed", job.TotalItemsFailed}, {"skipped", job.TotalItemsSkipped}, {"removed", job.TotalItemsRemoved}} {
		if c.n != nil {
			items = append(items, fmt.Sprintf("%d %s", uint64(*c.n), c.name))
		}
	}
	row("Items", strings.Join(items, ", "))
	if job.Tokens != nil {
		row("Tokens", fmt.Sprint(*job.Tokens))
	}
	if job.IsReportAvailable != nil && *job.IsReportAvailable {
		row("Report", "available")
	}
	if job.DataSourceJobs != nil {
		for _, ds := range *job.DataSourceJobs {
			line := str(ds.DataSourceUuid)
			if ds.Status != nil {
				line += "  " + string(*ds.Status)
			}
			if ds.ErrorMsg != nil && *ds.ErrorMsg != "" {
				line += "  " + *ds.ErrorMsg
			}
			row("Data source", line)
		}
	}
	return tw.Flush()
}

func str(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func deref(n *int64) int64 {
	if n == nil {
		return 0
	}
	return *n
}

func when(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func statusText(code int) string { return http.StatusText(code) }
