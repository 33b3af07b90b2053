package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/gradient-go/indexingjobs"
)

// defaultPage is where `make docs-html` writes the page Redocly renders
// from openapi.yaml.
const defaultPage = "build/docs/index.html"

// contentPolicy lets the page use only what this server sends: the
// renderer's built-in logo and any telemetry are blocked in the reader's
// browser, so opening the docs contacts no other host.
const contentPolicy = "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

func (t *tool) docsCmd() *cobra.Command {
	var addr, page string
	cmd := &cobra.Command{
		Use:   "docs",
		Short: "Serve the API documentation rendered from openapi.yaml",
		Args:  noArgs,
		RunE: t.runE(func(cmd *cobra.Command, _ []string) error {
			return serveDocs(cmd.Context(), addr, page, !cmd.Flags().Changed("page"), t.stdout, t.stderr)
		}),
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "address to listen on (port 0: any free port)")
	cmd.Flags().StringVar(&page, "page", defaultPage, "the rendered page, built by 'make docs-html'")
	return cmd
}

// specOnlyPage is served at / when the rendered page is not there, as
// when the tool runs outside its repository: the spec, embedded in the
// tool, is served all the same.
const specOnlyPage = `<!doctype html>
<html><head><meta charset="utf-8"><title>indexingjobs: API documentation</title></head>
<body>
<p>The rendered documentation page is not here: it is built in a clone of the repository with <code>make docs</code>.</p>
<p>The API's description: <a href="openapi.yaml">openapi.yaml</a>, <a href="openapi.json">openapi.json</a>.</p>
</body></html>
`

// serveDocs serves the page and the spec until ctx ends. A missing page
// is an error when it was named (--page); the default one, which exists
// only in a clone where 'make docs-html' ran, is replaced by a page that
// links the spec.
func serveDocs(ctx context.Context, addr, pagePath string, byDefault bool, stdout, stderr io.Writer) error {
	page, err := os.ReadFile(pagePath)
	switch {
	case errors.Is(err, fs.ErrNotExist) && byDefault:
		fmt.Fprintf(stderr, "No rendered page at %s (build it in a clone with 'make docs-html'): serving the spec alone.\n", pagePath)
		page = []byte(specOnlyPage)
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("no rendered page at %s: build it with 'make docs-html' (or run 'make docs')", pagePath)
	case err != nil:
		return err
	}
	l, err := listen(addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: docsHandler(page), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "Serving the API documentation at http://%s/ (also /openapi.yaml and /openapi.json). Ctrl-C stops it.\n", l.Addr())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}

// listen listens on addr, the value of --addr: an address in use, or one
// that cannot be listened on, is told as such, naming the flag.
func listen(addr string) (net.Listener, error) {
	l, err := net.Listen("tcp", addr)
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		return nil, fmt.Errorf("cannot listen on %s: the address is in use: choose another with --addr (--addr 127.0.0.1:0 for any free port)", addr)
	case err != nil:
		var opErr *net.OpError
		if errors.As(err, &opErr) && opErr.Err != nil {
			err = opErr.Err
		}
		return nil, fmt.Errorf("cannot listen on --addr %s: %w", addr, err)
	}
	return l, nil
}

// docsHandler serves the rendered page at / and the spec beside it.
func docsHandler(page []byte) http.Handler {
	mux := http.NewServeMux()
	spec := indexingjobs.SpecHandler()
	mux.Handle("GET /openapi.yaml", spec)
	mux.Handle("GET /openapi.json", spec)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", contentPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		_, _ = w.Write(page)
	})
	return mux
}
