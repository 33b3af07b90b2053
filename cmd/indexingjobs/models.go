package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/internal/safetext"
)

func (t *tool) embeddingModelsCmd() *cobra.Command {
	a := t.newAPICommand("embedding-models", "List the models a knowledge base can embed its content with", "")
	a.run = func(ctx context.Context, _ []string) error {
		models := a.client.ListEmbeddingModels(ctx)
		if a.json() {
			return streamJSON(a, models, "models", func(m *indexingjobs.Model) string { return m.UUID })
		}
		n := 0
		tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
		for m, err := range models {
			if err != nil {
				tw.Flush()
				return err
			}
			if n++; n == 1 {
				fmt.Fprintln(tw, "UUID\tNAME")
			}
			fmt.Fprintf(tw, "%s\t%s\n", dash(safetext.Line(m.UUID)), dash(safetext.Line(m.Name)))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		_, err := fmt.Fprintln(a.stdout, count(n, "embedding model"))
		return err
	}
	return a.cmd
}
