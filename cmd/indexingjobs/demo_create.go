package main

import (
	"os"
	"path/filepath"

	"github.com/gradient-go/indexingjobs/indexingjobstest"
)

// demoProject is the project the demo's knowledge base is created in.
const demoProject = "37455431-84bd-4fa2-94cf-e8486f8f8c5e"

// demoFiles are the two small files the demo's knowledge base is made of.
var demoFiles = []struct{ name, text string }{
	{"handbook.md", "# Handbook\n\nHow we work: reviews within a day, releases on Tuesdays.\n"},
	{"faq.md", "# FAQ\n\nWhere are the docs? In this knowledge base.\n"},
}

// createFromFiles runs the demo's first steps: the models a knowledge base
// can embed with, then a knowledge base called name created from two
// small files, uploaded first, followed until its database is ONLINE.
func (d *demoRun) createFromFiles(name string, poll []string) error {
	dir, err := os.MkdirTemp("", "indexingjobs-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	create := []string{"knowledge-base", "create", name, "--region", "tor1", "--embedding-model", indexingjobstest.EmbeddingModel, "--project", demoProject}
	for _, f := range demoFiles {
		path := filepath.Join(dir, f.name)
		if err := os.WriteFile(path, []byte(f.text), 0o644); err != nil {
			return err
		}
		create = append(create, "--file", path)
	}
	if _, err := d.step("The models a knowledge base can embed its content with:", "embedding-models"); err != nil {
		return err
	}
	_, err = d.step("Create a knowledge base from two small files, uploaded first; wait for its database:", append(append(create, "--wait"), poll...)...)
	return err
}
