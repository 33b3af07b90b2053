package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/folder"
	"github.com/gradient-go/indexingjobs/internal/safetext"
)

// Text output shows every string the server chose through safetext.Line:
// one line, its control characters escaped visibly, so that a job cannot
// move the cursor, retitle the terminal or forge a line of output. JSON
// output escapes them too (printRaw).

// printJSON writes v as indented JSON, escaped as printRaw escapes the
// API's answers.
func printJSON(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return printRaw(w, b)
}

// Phases and statuses are shown without the prefix every value of their
// kind shares, the same in every table, line and message
// (BATCH_JOB_PHASE_RUNNING is RUNNING); a value without the prefix, one
// the API adds later, is shown whole. -o json keeps the API's spelling.

func phaseText(p indexingjobs.Phase) string { return short(p.String(), "BATCH_JOB_PHASE_") }

func statusText(s indexingjobs.Status) string { return short(s.String(), "INDEX_JOB_STATUS_") }

func sourceStatusText(s indexingjobs.DataSourceStatus) string {
	return short(s.String(), "DATA_SOURCE_STATUS_")
}

// printJob writes the job as aligned text.
func printJob(w io.Writer, job *indexingjobs.IndexingJob) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "%s\t%s\n", k, v)
		}
	}
	row("Indexing job", safetext.Line(job.UUID))
	row("Knowledge base", safetext.Line(job.KnowledgeBaseUUID))
	row("Phase", phaseText(job.Phase))
	row("Status", statusText(job.Status))
	row("Created", when(job.CreatedAt))
	row("Started", when(job.StartedAt))
	row("Finished", when(job.FinishedAt))
	row("Updated", when(job.UpdatedAt))
	row("Ran for", ranFor(job))
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
		row("Report", "available (indexingjobs details "+safetext.Line(job.UUID)+")")
	}
	for _, ds := range job.DataSourceJobs {
		row("Data source", strings.Join(nonEmpty(safetext.Line(ds.DataSourceUUID), sourceStatusText(ds.Status), dataSourceError(ds)), "  "))
	}
	return tw.Flush()
}

// ranFor is how long the job ran, from its own started_at and finished_at
// (never from the clock of the machine that shows it), or "" before it
// has finished or when the two disagree.
func ranFor(job *indexingjobs.IndexingJob) string {
	if job.StartedAt.IsZero() || job.FinishedAt.IsZero() || job.FinishedAt.Before(job.StartedAt) {
		return ""
	}
	return duration(job.FinishedAt.Sub(job.StartedAt))
}

// duration rounds d for people: tenths of a second under a minute.
func duration(d time.Duration) string {
	if d < time.Minute {
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

func when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// dataSourceError is a data source's error message and details, on one
// line.
func dataSourceError(ds indexingjobs.IndexedDataSource) string {
	msg, details := safetext.Line(ds.ErrorMsg), safetext.Line(ds.ErrorDetails)
	switch {
	case details == "":
		return msg
	case msg == "":
		return details
	}
	return msg + ": " + details
}

// short drops the prefix every value of an enum shares; the value is
// shown safe, and whole when it lacks the prefix.
func short(value, prefix string) string {
	return strings.TrimPrefix(safetext.Line(value), prefix)
}

// jobColumns lays out a row of the jobs table. The widths are fixed (a
// UUID is 36 characters, the short phases and statuses at most 11), so
// that rows can be written as they arrive and still line up; a longer
// value the API adds later only pushes its own row.
const jobColumns = "%-36s  %-36s  %-9s  %-11s  %-12s  %s\n"

func printJobHeader(w io.Writer) {
	fmt.Fprintf(w, jobColumns, "UUID", "KNOWLEDGE BASE", "PHASE", "STATUS", "DATA SOURCES", "CREATED")
}

func printJobRow(w io.Writer, job *indexingjobs.IndexingJob) {
	sources := "-"
	if job.TotalDatasources > 0 || job.CompletedDatasources > 0 {
		sources = fmt.Sprintf("%d/%d", job.CompletedDatasources, job.TotalDatasources)
	}
	fmt.Fprintf(w, jobColumns, dash(safetext.Line(job.UUID)), dash(safetext.Line(job.KnowledgeBaseUUID)),
		phaseText(job.Phase), statusText(job.Status),
		sources, dash(when(job.CreatedAt)))
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func jobCount(n int) string { return count(n, "job") }

// printDataSources writes what a job did in each data source, a row each.
func printDataSources(w io.Writer, sources []indexingjobs.IndexedDataSource) error {
	if len(sources) == 0 {
		_, err := fmt.Fprintln(w, "no data sources")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "DATA SOURCE\tSTATUS\tFILES (indexed/total)\tITEMS (indexed, failed, skipped, removed)\tBYTES (indexed/total)\tERROR")
	for _, ds := range sources {
		fmt.Fprintf(tw, "%s\t%s\t%d/%d\t%d, %d, %d, %d\t%s/%s\t%s\n",
			dash(safetext.Line(ds.DataSourceUUID)), sourceStatusText(ds.Status),
			ds.IndexedFileCount, ds.TotalFileCount,
			ds.IndexedItemCount, ds.FailedItemCount, ds.SkippedItemCount, ds.RemovedItemCount,
			size(uint64(ds.TotalBytesIndexed)), size(uint64(ds.TotalBytes)), dash(dataSourceError(ds)))
	}
	return tw.Flush()
}

// size is a count of bytes for people: 812 B, 1.5 KiB, 12.0 MiB
// (folder.Size; a count past 8 EiB, which no answer means, is shown as
// 8 EiB).
func size(n uint64) string { return folder.Size(int64(min(n, math.MaxInt64))) }
