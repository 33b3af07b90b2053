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
	file := a.cmd.Flags().String("file", "", `write the report to FILE ("-": stdout, the default); a regular file is replaced whole or not at all and keeps its mode, a device or FIFO is written in place`)
	a.run = func(ctx context.Context, ids []string) error {
		id := ids[0]
		if *file == "" || *file == "-" {
			if isTerminal(a.stdout) {
				return a.showReport(ctx, id, a.stdout)
			}
			_, err := a.client.DownloadIndexingJobDetails(ctx, id, a.stdout)
			return err
		}
		out, err := createReportFile(ctx, *file) // before anything is asked of the API
		if err != nil {
			return err
		}
		if out.terminal {
			err := a.showReport(ctx, id, out.f)
			if cerr := out.f.Close(); err == nil && cerr != nil {
				err = fileError(*file, cerr)
			}
			return err
		}
		n, err := out.write(func(w io.Writer) (int64, error) {
			return a.client.DownloadIndexingJobDetails(ctx, id, w)
		})
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
func (a *apiCommand) showReport(ctx context.Context, id string, w io.Writer) error {
	tr := &terminalReport{w: w}
	_, err := a.client.DownloadIndexingJobDetails(ctx, id, tr)
	if cerr := tr.Close(); err == nil {
		err = cerr
	}
	if errors.Is(err, errTooLargeToShow) {
		return fmt.Errorf("the report is over %d MiB, more than a terminal shows: write it to a file with --file FILE", maxShownReport>>20)
	}
	return err
}
