// Command record re-records testdata/cassettes from the live API.
//
//	DIGITALOCEAN_ACCESS_TOKEN=... go run ./cmd/record -job <uuid of a running job>
//
// It cancels that job. See package record for what is scrubbed.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"

	"github.com/gradient-go/indexingjobs/conformance/record"
)

func main() {
	job := flag.String("job", "", "UUID of a pending or running indexing job to cancel (required)")
	dir := flag.String("dir", "../testdata/cassettes", "where to write the cassettes")
	api := flag.String("api-url", "https://api.digitalocean.com", "API base URL")
	flag.Parse()
	token := os.Getenv("DIGITALOCEAN_ACCESS_TOKEN")
	if *job == "" || token == "" {
		fmt.Fprintln(os.Stderr, "usage: DIGITALOCEAN_ACCESS_TOKEN=... record -job UUID [-dir DIR] [-api-url URL]")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := record.Record(ctx, record.Config{BaseURL: *api, Token: token, JobUUID: *job, Dir: *dir}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("recorded %v in %s\n", record.Cassettes, *dir)
}
