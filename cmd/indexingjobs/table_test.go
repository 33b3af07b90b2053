package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEveryTableTakesFormatAndNoHeader: --format picks columns by the
// names of the header, in any case and with "-" for a space, with or
// without what a parenthesis adds (as the header shows it), in its
// order; --no-header leaves the rows alone on stdout, a footer going to
// stderr; an unknown column is a usage error that lists the valid ones,
// with nothing sent.
func TestEveryTableTakesFormatAndNoHeader(t *testing.T) {
	srv, kb := kbFake(t)
	jobs, _ := srv.NewClient()
	kbJobs, err := jobs.ListKnowledgeBaseIndexingJobs(t.Context(), kb.UUID)
	require.NoError(t, err)
	job := kbJobs[0].UUID
	for _, c := range []struct {
		args          []string
		header, row   string // regexps of the header and of a row
		footer, valid string
	}{
		{[]string{"list", "--format", "phase,uuid"}, `PHASE\s+UUID`, `(RUNNING|SUCCEEDED)\s+\S{36}`, "page 1 of 1, 2 jobs",
			"UUID, KNOWLEDGE BASE, PHASE, STATUS, DATA SOURCES, CREATED"},
		{[]string{"list", "--all", "--format", "Knowledge-Base,DATA SOURCES"}, `KNOWLEDGE BASE\s+DATA SOURCES`, `\S{36}\s+1/1`, "2 jobs", ""},
		{[]string{"list", "--knowledge-base", kb.UUID, "--format", "KnowledgeBase"}, `KNOWLEDGE BASE`, kb.UUID, "1 job", ""},
		{[]string{"knowledge-bases", "--format", "name,Last Job"}, `NAME\s+LAST JOB`, `product-docs\s+SUCCEEDED`, "3 knowledge bases",
			"UUID, NAME, REGION, LAST JOB"},
		{[]string{"knowledge-base", kb.UUID, "--format", "where,data-source"}, `WHERE\s+DATA SOURCE`, `product-docs/source-1 \(tor1\)\s+` + kb.DataSourceUUIDs[0], "2 data sources",
			"DATA SOURCE, KIND, WHERE, LAST INDEXED"},
		{[]string{"embedding-models", "--format", "name"}, `NAME`, `GTE Large EN v1.5`, "3 embedding models", "UUID, NAME"},
		{[]string{"data-sources", job, "--format", "files,status"}, `FILES \(indexed/total\)\s+STATUS`, `0/0\s+UPDATED`, "",
			"DATA SOURCE, STATUS, FILES, ITEMS, BYTES, ERROR"},
		{[]string{"data-sources", job, "--format", "Items (indexed, failed, skipped, removed),BYTES (INDEXED/TOTAL),status"},
			`ITEMS \(indexed, failed, skipped, removed\)\s+BYTES \(indexed/total\)\s+STATUS`, `0, 0, 0, 0\s+0 B/0 B\s+UPDATED`, "", ""},
	} {
		what := strings.Join(c.args, " ")
		args := append(c.args, "--api-url", srv.URL)
		code, stdout, stderr := runCmd(t, args...)
		require.Equal(t, exitOK, code, "%s: %s", what, stderr)
		lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
		if c.args[0] == "knowledge-base" { // the table below the knowledge base
			_, table, _ := strings.Cut(stdout, "\n\n")
			lines = strings.Split(strings.TrimSuffix(table, "\n"), "\n")
		}
		assert.Regexp(t, `^`+c.header+`$`, lines[0], what)
		assert.Regexp(t, `(?m)^`+c.row+`$`, strings.Join(lines[1:], "\n"), what)
		if c.footer != "" {
			assert.Equal(t, c.footer, lines[len(lines)-1], what)
		}

		rows := lines[1:]
		if c.footer != "" {
			rows = lines[1 : len(lines)-1]
		}
		code, stdout, stderr = runCmd(t, append(args, "--no-header")...)
		require.Equal(t, exitOK, code, "%s: %s", what, stderr)
		if c.args[0] == "knowledge-base" { // the block above the table is its header
			block, footer, _ := strings.Cut(stderr, "\n\n")
			assert.Regexp(t, `^Knowledge base\s+`+kb.UUID+`\n`, block, what)
			stderr = footer
		}
		fields := func(lines ...string) (out [][]string) {
			for _, l := range lines {
				out = append(out, strings.Fields(l))
			}
			return out
		}
		assert.Equal(t, fields(rows...), fields(strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")...), "%s --no-header: the rows alone", what)
		if c.footer != "" {
			assert.Equal(t, c.footer+"\n", stderr, "%s --no-header: the footer on stderr", what)
		} else {
			assert.Empty(t, stderr, what)
		}

		if c.valid == "" {
			continue
		}
		before := srv.Requests()
		bad := strings.ToLower(strings.Split(c.valid, ", ")[0]) + ",nmae"
		code, stdout, stderr = runCmd(t, append(args, "--format", bad)...)
		assert.Equal(t, exitUsage, code, what)
		assert.Empty(t, stdout)
		assert.Contains(t, stderr, `: --format "`+bad+`": no column "nmae": the columns are `+c.valid+"\n", what)
		code, _, stderr = runCmd(t, append(args, "-o", "json")...)
		assert.Equal(t, exitUsage, code, what)
		assert.Contains(t, stderr, "--format and --no-header shape the text table: -o json prints what the API sent", what)
		assert.Equal(t, before, srv.Requests(), "%s: nothing sent", what)
	}
}

// TestShortNamesAsDoctlHasThem: kb, kbs and ls, in the help too.
func TestShortNamesAsDoctlHasThem(t *testing.T) {
	srv, kb := kbFake(t)
	for short, long := range map[string][]string{"ls": {"list"}, "kbs": {"knowledge-bases"}, "kb": {"knowledge-base", kb.UUID}} {
		code, want, _ := runCmd(t, append(long, "--api-url", srv.URL)...)
		require.Equal(t, exitOK, code)
		code, got, stderr := runCmd(t, append([]string{short}, append(long[1:], "--api-url", srv.URL)...)...)
		require.Equal(t, exitOK, code, stderr)
		assert.Equal(t, want, got, short)
	}
	_, stdout, _ := runCmd(t, "--help")
	for _, line := range []string{"knowledge-base, kb ", "knowledge-bases, kbs ", "list, ls "} {
		assert.Regexp(t, `(?m)^  `+line+`\s+\S`, stdout)
	}
	_, stdout, _ = runCmd(t, "help", "kbs")
	assert.Contains(t, stdout, "Aliases:\n  knowledge-bases, kbs\n")
}
