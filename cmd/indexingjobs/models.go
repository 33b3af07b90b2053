package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/internal/safetext"
)

// modelColumns are the columns of embedding-models.
var modelColumns = []column[indexingjobs.Model]{
	{header: "UUID", cell: func(m *indexingjobs.Model) string { return dash(safetext.Line(m.UUID)) }},
	{header: "NAME", cell: func(m *indexingjobs.Model) string { return dash(safetext.Line(m.Name)) }},
}

func (t *tool) embeddingModelsCmd() *cobra.Command {
	a := t.newAPICommand("embedding-models", "List the models a knowledge base can embed its content with", "")
	tableFlags(a, modelColumns)
	a.run = func(ctx context.Context, _ []string) error {
		table, err := newTable(a, modelColumns)
		if err != nil {
			return err
		}
		models := a.client.ListEmbeddingModels(ctx)
		if a.json() {
			return streamJSON(a, models, "models", func(m *indexingjobs.Model) string { return m.UUID })
		}
		for m, err := range models {
			if err != nil {
				table.flush()
				return err
			}
			table.row(m)
		}
		return table.footer("%s", count(table.rows, "embedding model"))
	}
	return a.cmd
}
