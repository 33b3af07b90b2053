package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

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
