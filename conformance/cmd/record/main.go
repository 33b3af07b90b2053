// Command record writes the cassettes of testdata/cassettes (package
// record says what each way writes and what it scrubs).
//
//	record -fake [-dir DIR]       captures them from the fake API (make cassettes)
//	DIGITALOCEAN_ACCESS_TOKEN=... record [-job UUID] [-dir DIR] [-api-url URL]
//	                              records them from the live API (make record); with -job it cancels that job
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"

	"github.com/gradient-go/indexingjobs/conformance/record"
)

func main() {
	fake := flag.Bool("fake", false, "capture from the fake API instead of recording from the live one")
	job := flag.String("job", "", "live: UUID of a pending or running indexing job to cancel (without it, no cancel is recorded)")
	dir := flag.String("dir", "", "where to write the cassettes (default ../testdata/cassettes, live ../testdata/cassettes/live)")
	api := flag.String("api-url", "https://api.digitalocean.com", "live: API base URL")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	if *fake {
		names, err := record.Capture(ctx, or(*dir, "../testdata/cassettes"))
		exitOn(err)
		fmt.Printf("captured %d cassettes from the fake in %s: %s\n", len(names), or(*dir, "../testdata/cassettes"), strings.Join(names, " "))
		return
	}
	token := os.Getenv("DIGITALOCEAN_ACCESS_TOKEN")
	if token == "" {
		fmt.Fprintln(os.Stderr, "usage: record -fake [-dir DIR]\n       DIGITALOCEAN_ACCESS_TOKEN=... record [-job UUID] [-dir DIR] [-api-url URL]")
		os.Exit(2)
	}
	out := or(*dir, "../testdata/cassettes/live")
	res, err := record.Record(ctx, record.Config{BaseURL: *api, Token: token, JobUUID: *job, Dir: out})
	exitOn(err)
	fmt.Printf("recorded in %s: %s\n", out, strings.Join(res.Written, " "))
	for _, s := range res.Skipped {
		fmt.Println("not recorded:", s)
	}
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func exitOn(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
