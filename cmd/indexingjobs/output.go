package main

import (
	"encoding/json"
	"fmt"
	"io"
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
	row("Indexing job", job.UUID)
	row("Knowledge base", job.KnowledgeBaseUUID)
	row("Phase", string(job.Phase))
	row("Status", string(job.Status))
	row("Created", when(job.CreatedAt))
	row("Started", when(job.StartedAt))
	row("Finished", when(job.FinishedAt))
	row("Updated", when(job.UpdatedAt))
	if !job.StartedAt.IsZero() && !job.FinishedAt.IsZero() {
		row("Ran for", job.FinishedAt.Sub(job.StartedAt).Round(time.Second).String())
	}
	if job.TotalDatasources > 0 {
		row("Data sources", fmt.Sprintf("%d of %d completed", job.CompletedDatasources, job.TotalDatasources))
	}
	if n := job.TotalItemsIndexed + job.TotalItemsFailed + job.TotalItemsSkipped + job.TotalItemsRemoved; n > 0 {
		row("Items", fmt.Sprintf("%d indexed, %d failed, %d skipped, %d removed",
			job.TotalItemsIndexed, job.TotalItemsFailed, job.TotalItemsSkipped, job.TotalItemsRemoved))
	}
	if job.TotalTokens > 0 {
		row("Tokens", fmt.Sprint(uint64(job.TotalTokens)))
	}
	if job.IsReportAvailable {
		row("Report", "available")
	}
	for _, ds := range job.DataSourceJobs {
		row("Data source", strings.TrimSpace(ds.DataSourceUUID+"  "+string(ds.Status)+"  "+ds.ErrorMsg))
	}
	return tw.Flush()
}

func when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
