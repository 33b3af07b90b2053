package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/gradient-go/indexingjobs/internal/safetext"
)

func (t *tool) detailsCmd() *cobra.Command {
	a := t.newAPICommand("details JOB_UUID [--file FILE]", "Download an indexing job's report", jobKind)
	// --file, not --out: -o/--output is the format, as in doctl, and two
	// flags spelled alike would be mistaken for each other. No -f: doctl
	// users read -f as --force.
	file := a.cmd.Flags().String("file", "", `write the report to FILE ("-": stdout, the default); a regular file is replaced whole or not at all and keeps its mode; a device, FIFO, or file with other hard links or another owner is written in place; a terminal is shown it escaped`)
	a.run = func(ctx context.Context, ids []string) error {
		id := ids[0]
		download := func(w io.Writer) (int64, error) {
			n, err := a.client.DownloadIndexingJobDetails(ctx, id, w)
			if err != nil && n == 0 && ctx.Err() == nil {
				if none := a.noReport(ctx, id); none != nil {
					return 0, none
				}
			}
			return n, err
		}
		if *file == "" || *file == "-" {
			if isTerminal(a.stdout) {
				return showReport(a.stdout, download)
			}
			_, err := download(a.stdout)
			return err
		}
		out, err := createReportFile(ctx, *file) // before anything is asked of the API
		if err != nil {
			return err
		}
		if out.terminal {
			err := showReport(out.f, download)
			if cerr := out.f.Close(); err == nil && cerr != nil {
				err = fileError(*file, cerr)
			}
			return err
		}
		n, err := out.write(download)
		if err != nil {
			return err
		}
		inPlace := ""
		if out.inPlace != "" {
			inPlace = " (in place: " + out.inPlace + ")"
		}
		fmt.Fprintf(a.stderr, "Wrote %s to %s%s\n", count(n, "byte"), safetext.Line(*file), inPlace)
		if a.json() {
			return printJSON(a.stdout, struct {
				File  string `json:"file"`
				Bytes int64  `json:"bytes"`
			}{*file, n})
		}
		return nil
	}
	return a.cmd
}

// showReport writes the report to a terminal, stdout or --file's,
// escaped and bounded (terminalReport). A pipe or a file gets the bytes as
// sent.
func showReport(w io.Writer, download func(io.Writer) (int64, error)) error {
	tr := &terminalReport{w: w}
	_, err := download(tr)
	if cerr := tr.Close(); err == nil {
		err = cerr
	}
	if errors.Is(err, errTooLargeToShow) {
		return fmt.Errorf("the report is over %d MiB, more than a terminal shows: write it to a file with --file FILE", maxShownReport>>20)
	}
	return err
}

// noReport is the error for a job without a report, which a download of
// its report could not tell (the API's store answers that there is no
// such object, or the API that there is no such report): the job says so
// itself (is_report_available). It is nil when the job has a report, or
// cannot be read.
func (a *apiCommand) noReport(ctx context.Context, id string) error {
	job, err := a.client.GetIndexingJob(ctx, id)
	if err != nil || job.IsReportAvailable {
		return nil
	}
	err = fmt.Errorf("indexing job %s has no report: it is %s, and the API says none is available (is_report_available false)", id, phaseText(job.Phase))
	if !job.Phase.Terminal() {
		return &hintedError{err, "A job's report is made when it ends: follow it with 'indexingjobs wait " + id + a.resume() + "'."}
	}
	return err
}
