package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/bits"
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
	b, err := marshalJSON(v)
	if err != nil {
		return err
	}
	return printRaw(w, b)
}

// marshalJSON is json.Marshal without its HTML escapes: what the tool
// prints is read by people and programs, not put in a web page, so "&",
// "<" and ">" are written as they are, as the API writes them.
func marshalJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// Phases and statuses are shown in the library's short form (Short), the
// same in every table, line and message (BATCH_JOB_PHASE_RUNNING is
// RUNNING), escaped; a value without the prefix, one the API adds later,
// is shown whole. -o json keeps the API's spelling.

func phaseText(p indexingjobs.Phase) string { return safetext.Line(p.Short()) }

func statusText(s indexingjobs.Status) string { return safetext.Line(s.Short()) }

func sourceStatusText(s indexingjobs.DataSourceStatus) string { return safetext.Line(s.Short()) }

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
	if done, ok := doneOf(job.CompletedDatasources, job.TotalDatasources); !ok {
		row("Data sources", inconsistent)
	} else if job.TotalDatasources > 0 {
		row("Data sources", strings.Replace(done, "/", " of ", 1)+" completed")
	}
	items := []indexingjobs.Uint64{job.TotalItemsIndexed, job.TotalItemsFailed, job.TotalItemsSkipped, job.TotalItemsRemoved}
	if n, ok := sum(items...); !ok {
		row("Items", inconsistent+" (their sum overflows)")
	} else if n > 0 {
		row("Items", fmt.Sprintf("%d indexed, %d failed, %d skipped, %d removed", items[0], items[1], items[2], items[3]))
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

// jobColumns are the columns of the jobs table. The widths are fixed (a
// UUID is 36 characters, the short phases and statuses at most 11), so
// that rows can be written as they arrive and still line up; a longer
// value the API adds later only pushes its own row.
var jobColumns = []column[indexingjobs.IndexingJob]{
	{"UUID", 36, func(j *indexingjobs.IndexingJob) string { return dash(safetext.Line(j.UUID)) }},
	{"KNOWLEDGE BASE", 36, func(j *indexingjobs.IndexingJob) string { return dash(safetext.Line(j.KnowledgeBaseUUID)) }},
	{"PHASE", 9, func(j *indexingjobs.IndexingJob) string { return phaseText(j.Phase) }},
	{"STATUS", 11, func(j *indexingjobs.IndexingJob) string { return statusText(j.Status) }},
	{"DATA SOURCES", 12, func(j *indexingjobs.IndexingJob) string {
		done, ok := doneOf(j.CompletedDatasources, j.TotalDatasources)
		switch {
		case !ok:
			return "inconsistent"
		case j.TotalDatasources == 0:
			return "-"
		}
		return done
	}},
	{"CREATED", 0, func(j *indexingjobs.IndexingJob) string { return dash(when(j.CreatedAt)) }},
}

// Counts that contradict each other, or whose sum overflows, are said to
// be inconsistent: never wrapped, and never shown as if they were true.
const inconsistent = "the API's counts are inconsistent"

// doneOf is "done/total", and whether the counts agree: neither below 0,
// done no more than total.
func doneOf(done, total int64) (string, bool) {
	if done < 0 || total < 0 || done > total {
		return "", false
	}
	return fmt.Sprintf("%d/%d", done, total), true
}

// sum adds counts, and reports false if the sum overflows.
func sum(counts ...indexingjobs.Uint64) (uint64, bool) {
	var n, carry uint64
	for _, c := range counts {
		if n, carry = bits.Add64(n, uint64(c), 0); carry != 0 {
			return 0, false
		}
	}
	return n, true
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func jobCount(n int) string { return count(n, "job") }

// dataSourceColumns are the columns of what a job did in each data
// source.
var dataSourceColumns = []column[indexingjobs.IndexedDataSource]{
	{"DATA SOURCE", 0, func(ds *indexingjobs.IndexedDataSource) string { return dash(safetext.Line(ds.DataSourceUUID)) }},
	{"STATUS", 0, func(ds *indexingjobs.IndexedDataSource) string { return sourceStatusText(ds.Status) }},
	{"FILES (indexed/total)", 0, func(ds *indexingjobs.IndexedDataSource) string {
		if ds.IndexedFileCount > ds.TotalFileCount {
			return "inconsistent"
		}
		return fmt.Sprintf("%d/%d", ds.IndexedFileCount, ds.TotalFileCount)
	}},
	{"ITEMS (indexed, failed, skipped, removed)", 0, func(ds *indexingjobs.IndexedDataSource) string {
		return fmt.Sprintf("%d, %d, %d, %d", ds.IndexedItemCount, ds.FailedItemCount, ds.SkippedItemCount, ds.RemovedItemCount)
	}},
	{"BYTES (indexed/total)", 0, func(ds *indexingjobs.IndexedDataSource) string {
		if ds.TotalBytesIndexed > ds.TotalBytes {
			return "inconsistent"
		}
		return size(uint64(ds.TotalBytesIndexed)) + "/" + size(uint64(ds.TotalBytes))
	}},
	{"ERROR", 0, func(ds *indexingjobs.IndexedDataSource) string { return dash(dataSourceError(*ds)) }},
}

// size is a count of bytes for people: 812 B, 1.5 KiB, 12.0 MiB
// (folder.Size; a count past 8 EiB, which no answer means, is shown as
// 8 EiB).
func size(n uint64) string { return folder.Size(int64(min(n, math.MaxInt64))) }
