package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/internal/safetext"
)

func cmdDetails(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newAPICommand("details", "details JOB_UUID [--out FILE] [flags]", false)
	out := c.fs.String("out", "", "write the report to `FILE`, whole or not at all (default: stdout, as it comes)")
	ids, err := c.parse(args, "one indexing job UUID")
	if err != nil {
		return err
	}
	return c.do(ctx, func(ctx context.Context) error {
		if *out == "" && isTerminal(stdout) {
			return showReport(ctx, c.client, ids[0], stdout)
		}
		if *out == "" {
			_, err := c.client.DownloadIndexingJobDetails(ctx, ids[0], stdout)
			return err
		}
		n, err := writeFile(*out, func(w io.Writer) (int64, error) {
			return c.client.DownloadIndexingJobDetails(ctx, ids[0], w)
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "Wrote %d bytes to %s\n", n, safetext.Line(*out))
		if c.output == "json" {
			return printJSON(stdout, struct {
				File  string `json:"file"`
				Bytes int64  `json:"bytes"`
			}{*out, n})
		}
		return nil
	})
}

// maxShownReport bounds a report shown on a terminal, which is read whole
// first: a larger one belongs in a file.
const maxShownReport = 16 << 20

// showReport writes the report to a terminal line by line with the control
// characters of each line escaped: the report is the server's text, and
// must not drive the terminal. A pipe or --out gets the bytes as sent.
func showReport(ctx context.Context, client *indexingjobs.Client, id string, w io.Writer) error {
	var buf limitedBuffer
	buf.max = maxShownReport
	if _, err := client.DownloadIndexingJobDetails(ctx, id, &buf); err != nil {
		if errors.Is(err, errTooLargeToShow) {
			return fmt.Errorf("the report is over %d MiB: write it to a file with --out FILE", maxShownReport>>20)
		}
		return err
	}
	for line := range strings.Lines(buf.String()) {
		if _, err := fmt.Fprintln(w, safetext.Line(strings.TrimRight(line, "\r\n"))); err != nil {
			return err
		}
	}
	return nil
}

var errTooLargeToShow = errors.New("too large to show")

// limitedBuffer is a bytes.Buffer that refuses to grow past max.
type limitedBuffer struct {
	bytes.Buffer
	max int
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if b.Len()+len(p) > b.max {
		return 0, errTooLargeToShow
	}
	return b.Buffer.Write(p)
}

// writeFile writes path with write, whole or not at all: into a temporary
// file beside it, renamed to path once write has succeeded. The temporary
// file is made first, so that a path that cannot be written fails before
// anything is asked of the API.
func writeFile(path string, write func(io.Writer) (int64, error)) (n int64, err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.partial")
	if err != nil {
		return 0, err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if n, err = write(f); err != nil {
		return n, err
	}
	if err = f.Chmod(0o644); err != nil {
		return n, err
	}
	if err = f.Sync(); err != nil {
		return n, err
	}
	if err = f.Close(); err != nil {
		return n, err
	}
	return n, os.Rename(f.Name(), path)
}
