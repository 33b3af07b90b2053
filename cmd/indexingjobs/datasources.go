package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/internal/safetext"
)

// The environment variables an S3 data source's key is read from, as the
// AWS tools read them: never a flag, so never in a shell's history or in
// ps.
const (
	awsKeyIDEnv  = "AWS_ACCESS_KEY_ID"
	awsSecretEnv = "AWS_SECRET_ACCESS_KEY"
)

func (t *tool) dataSourceCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "data-source",
		Short: "Add a data source to a knowledge base, change its chunking, or remove it",
		Args: func(c *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef("unknown command %q for %q: want add, update or remove", safetext.Line(args[0]), c.CommandPath())
			}
			return nil
		},
		RunE: t.runE(func(c *cobra.Command, _ []string) error { return c.Help() }),
	}
	cmd.AddCommand(t.addDataSourceCmd(), t.updateDataSourceCmd(), t.removeDataSourceCmd())
	return cmd
}

func (t *tool) addDataSourceCmd() *cobra.Command {
	a := t.newAPICommand("add KB_UUID (--spaces BUCKET/PATH --spaces-region R | --web URL [--crawl scoped|path|domain|subdomains] | --s3 BUCKET/PATH --s3-region R)",
		"Add a Spaces folder, a web site or an S3 folder to a knowledge base", knowledgeBaseKind)
	a.cmd.Long = "Add a data source to a knowledge base: a folder of a Spaces bucket, a web site to crawl,\n" +
		"or a folder of an Amazon S3 bucket, whose access key is read from $" + awsKeyIDEnv + " and\n" +
		"$" + awsSecretEnv + " (never from a flag). Index it with 'indexingjobs start'.\n" +
		"Files are attached when a knowledge base is created: 'indexingjobs knowledge-base create --file'."
	fs := a.cmd.Flags()
	spaces := fs.String("spaces", "", "a folder of a Spaces bucket, as `BUCKET/PATH`")
	spacesRegion := fs.String("spaces-region", "", "the `region` of the --spaces bucket, such as nyc3 (required with --spaces)")
	web := fs.String("web", "", "a web site to crawl, from this `URL`")
	crawl := fs.String("crawl", "", "which links the crawl follows: scoped (none), path, domain or subdomains (default: path)")
	s3 := fs.String("s3", "", "a folder of an S3 bucket, as `BUCKET/PATH`; the key from $"+awsKeyIDEnv+" and $"+awsSecretEnv)
	s3Region := fs.String("s3-region", "", "the `region` of the --s3 bucket, such as us-east-1")
	a.run = func(ctx context.Context, ids []string) error {
		kb := ids[0]
		given := 0
		for _, set := range []bool{*spaces != "", *web != "", *s3 != ""} {
			if set {
				given++
			}
		}
		switch {
		case given != 1:
			return usagef("want one data source: --spaces, --web or --s3")
		case *spacesRegion != "" && *spaces == "", *s3Region != "" && *s3 == "", *crawl != "" && *web == "":
			return usagef("--spaces-region goes with --spaces, --s3-region with --s3, --crawl with --web")
		}
		var spec indexingjobs.DataSourceSpec
		var err error
		switch {
		case *spaces != "":
			spec.Spaces, err = spacesSource(*spaces, *spacesRegion, "--spaces")
		case *web != "":
			if c := strings.ToLower(*crawl); c != "" && c != "scoped" && c != "path" && c != "domain" && c != "subdomains" {
				return usagef("--crawl %s: want scoped, path, domain or subdomains", safetext.Line(*crawl))
			}
			spec.WebCrawler, err = webSource(*web, *crawl)
		default:
			spec.S3, err = s3Source(*s3, *s3Region)
		}
		if err != nil {
			return err
		}
		ds, err := a.client.AddDataSource(ctx, kb, spec)
		if errors.Is(err, indexingjobs.ErrOutcomeUnknown) {
			return &hintedError{err, fmt.Sprintf("It may have been added: look with 'indexingjobs knowledge-base %s%s' before adding it again.", kb, a.resume())}
		}
		if err != nil {
			return err
		}
		return a.printDataSource("Added", kb, ds)
	}
	return a.cmd
}

// s3Source is an --s3 flag's folder, with the key from the environment.
// No error names the key's values.
func s3Source(where, region string) (*indexingjobs.S3Source, error) {
	bucket, path, _ := strings.Cut(where, "/")
	switch {
	case bucket == "":
		return nil, usagef("--s3 %s: want BUCKET/PATH, such as product-docs/manuals", safetext.Line(where))
	case region == "":
		return nil, usagef("--s3 needs --s3-region, the bucket's region, such as us-east-1")
	}
	if path != "" {
		path = "/" + path
	}
	keyID, secret := os.Getenv(awsKeyIDEnv), os.Getenv(awsSecretEnv)
	if keyID == "" || secret == "" {
		return nil, usagef("--s3 needs the bucket's access key in $%s and $%s", awsKeyIDEnv, awsSecretEnv)
	}
	return &indexingjobs.S3Source{BucketName: bucket, ItemPath: path, Region: region, KeyID: keyID, SecretKey: secret}, nil
}

// chunkingAlgorithms are --chunking's names: the API's, without its
// CHUNKING_ALGORITHM_ prefix and in any case (as the tool prints them),
// and the short ones the README has documented since the start.
var chunkingAlgorithms = map[string]indexingjobs.ChunkingAlgorithm{
	"section_based": indexingjobs.ChunkingAlgorithmSectionBased,
	"section":       indexingjobs.ChunkingAlgorithmSectionBased,
	"hierarchical":  indexingjobs.ChunkingAlgorithmHierarchical,
	"semantic":      indexingjobs.ChunkingAlgorithmSemantic,
	"fixed_length":  indexingjobs.ChunkingAlgorithmFixedLength,
	"fixed":         indexingjobs.ChunkingAlgorithmFixedLength,
}

// chunkingNames lists --chunking's values, the API's spelling first.
const chunkingNames = "section_based, hierarchical, semantic or fixed_length (or section, fixed)"

func (t *tool) updateDataSourceCmd() *cobra.Command {
	a := t.newAPICommand("update KB_UUID DS_UUID --chunking ALGORITHM [--max-chunk-size N]",
		"Change how a data source's content is cut into chunks", "")
	a.cmd.Args = twoIDs(knowledgeBaseKind, dataSourceKind)
	algorithm := a.cmd.Flags().String("chunking", "", "the chunking `algorithm`: "+chunkingNames+" (required)")
	maxSize := a.cmd.Flags().Int64("max-chunk-size", 0, "the most `tokens` a chunk holds (default: the service's)")
	a.run = func(ctx context.Context, ids []string) error {
		a.sentAre(ids)
		algo, ok := chunkingAlgorithms[strings.ReplaceAll(strings.ToLower(*algorithm), "-", "_")]
		switch {
		case *algorithm == "":
			return usagef("nothing to change: give --chunking, one of %s (the chunking is all an update changes)", chunkingNames)
		case !ok:
			return usagef("--chunking %q: want %s", safetext.Line(*algorithm), chunkingNames)
		case *maxSize < 0:
			return usagef("--max-chunk-size %d: want 1 or more", *maxSize)
		}
		ds, err := a.client.UpdateDataSource(ctx, ids[0], ids[1], indexingjobs.Chunking{Algorithm: algo, MaxChunkSize: *maxSize})
		if err != nil {
			return err
		}
		return a.printDataSource("Updated", ids[0], ds)
	}
	return a.cmd
}

func (t *tool) removeDataSourceCmd() *cobra.Command {
	a := t.newAPICommand("remove KB_UUID DS_UUID [--force]", "Remove a data source from a knowledge base", "")
	a.cmd.Args = twoIDs(knowledgeBaseKind, dataSourceKind)
	force := forceFlag(a.cmd)
	a.run = func(ctx context.Context, ids []string) error {
		a.sentAre(ids)
		kb, ds := ids[0], ids[1]
		if err := a.confirm(*force, "Knowledge Base Data Source", ds); err != nil {
			return err
		}
		err := a.client.DeleteDataSource(ctx, kb, ds)
		if errors.Is(err, indexingjobs.ErrOutcomeUnknown) {
			return &hintedError{err, fmt.Sprintf("It may be removed already: look with 'indexingjobs knowledge-base %s%s'.", kb, a.resume())}
		}
		if err != nil {
			return err
		}
		if a.json() {
			return a.printAnswer("", map[string]string{"knowledge_base_uuid": kb, "data_source_uuid": ds})
		}
		_, err = fmt.Fprintf(a.stdout, "Removed data source %s from knowledge base %s.\n", ds, kb)
		return err
	}
	return a.cmd
}

// printDataSource says what was done to a data source, where its content
// comes from and how it is cut (never a secret), or, for -o json, writes
// the API's answer of it without secrets.
func (a *apiCommand) printDataSource(done, kb string, ds *indexingjobs.KnowledgeBaseDataSource) error {
	if a.json() {
		return a.printAnswer("knowledge_base_data_source", ds)
	}
	kind, where := sourcePlace(ds)
	fmt.Fprintf(a.stdout, "%s data source %s of knowledge base %s: %s %s", done, safetext.Line(ds.UUID), kb, kind, safetext.Line(where))
	if ds.ChunkingAlgorithm != "" {
		fmt.Fprintf(a.stdout, ", chunked %s", strings.ToLower(short(string(ds.ChunkingAlgorithm), "CHUNKING_ALGORITHM_")))
		if n := ds.ChunkingOptions.MaxChunkSize; n > 0 {
			fmt.Fprintf(a.stdout, " (at most %d tokens)", n)
		}
	}
	_, err := fmt.Fprintln(a.stdout, ".")
	return err
}

// sentAre notes the ids of a command that names a knowledge base and one
// of its data sources, so that a 404 names both.
func (a *apiCommand) sentAre(ids []string) {
	a.sent = nil
	a.sends(knowledgeBaseKind, ids[0])
	a.sends(dataSourceKind, ids[1])
}

// twoIDs takes two arguments, UUIDs of the kinds given, checked before
// anything is sent.
func twoIDs(first, second idKind) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) != 2 {
			return usagef("want a %s UUID and a %s UUID, got %d arguments", first, second, len(args))
		}
		for _, id := range args {
			if err := indexingjobs.ValidateUUID(id); err != nil {
				return usagef("%s", plain(err))
			}
		}
		return nil
	}
}
