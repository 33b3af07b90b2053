package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Every table takes --format COL,... and --no-header, as doctl's do. A
// column is named as its header spells it, without what a parenthesis
// adds ("FILES (indexed/total)" is FILES), and found without regard to
// case, spaces, "-" or "_": KNOWLEDGE BASE, knowledge-base and
// KnowledgeBase are one column.

// column is a column of a table of T: its header and its cell in a row.
type column[T any] struct {
	header string
	// width is the column's fixed width, for a table written as its rows
	// arrive (the jobs of list --all); 0 in a table aligned once whole.
	width int
	cell  func(*T) string
}

// name is how --format calls the column: its header without a
// parenthesis.
func (c column[T]) name() string {
	name, _, _ := strings.Cut(c.header, " (")
	return name
}

// tableFlags adds --format and --no-header, naming the columns of all.
func tableFlags[T any](a *apiCommand, all []column[T]) {
	var names []string
	for _, c := range all {
		names = append(names, c.name())
	}
	fs := a.cmd.Flags()
	fs.StringVar(&a.format, "format", "", "the columns to show, comma-separated, named as in the header: "+strings.Join(names, ", ")+" (default all)")
	fs.BoolVar(&a.noHeader, "no-header", false, "leave out the header (a footer, if any, goes to stderr)")
}

// table writes the rows of a table, its header before the first, with
// the columns --format picks.
type table[T any] struct {
	w, notes io.Writer // the rows; the footer when there is no header
	cols     []column[T]
	header   bool
	tw       *tabwriter.Writer // nil when every column but the last has a width
	rows     int
}

// newTable is the table of the command's --format and --no-header, or a
// usage error naming the valid columns. It is made before anything is
// sent.
func newTable[T any](a *apiCommand, all []column[T]) (*table[T], error) {
	t := &table[T]{w: a.stdout, notes: a.stdout, cols: all, header: !a.noHeader}
	if a.noHeader {
		t.notes = a.stderr
	}
	flags := a.cmd.Flags()
	if a.json() && (flags.Changed("format") || flags.Changed("no-header")) {
		return nil, usagef("--format and --no-header shape the text table: -o json prints what the API sent")
	}
	if flags.Changed("format") {
		cols, err := pickColumns(all, a.format)
		if err != nil {
			return nil, err
		}
		t.cols = cols
	}
	for _, c := range t.cols[:len(t.cols)-1] {
		if c.width == 0 {
			t.tw = tabwriter.NewWriter(t.w, 0, 0, 2, ' ', 0)
			t.w = t.tw
			break
		}
	}
	return t, nil
}

// pickColumns is the columns format names, in its order.
func pickColumns[T any](all []column[T], format string) ([]column[T], error) {
	var names []string
	for _, c := range all {
		names = append(names, c.name())
	}
	var cols []column[T]
	for _, name := range splitColumns(format) {
		i := -1
		for j, c := range all {
			if columnKey(c.name()) == columnKey(name) {
				i = j
			}
		}
		if i < 0 {
			what := fmt.Sprintf("no column %q", strings.TrimSpace(name))
			if strings.TrimSpace(name) == "" {
				what = "a column without a name"
			}
			return nil, usagef("--format %q: %s: the columns are %s", format, what, strings.Join(names, ", "))
		}
		cols = append(cols, all[i])
	}
	return cols, nil
}

// splitColumns cuts --format's list at its commas, except those inside
// parentheses: a column named as its header shows it, "ITEMS (indexed,
// failed, skipped, removed)", is one column.
func splitColumns(format string) []string {
	var names []string
	depth, start := 0, 0
	for i, r := range format {
		switch {
		case r == '(':
			depth++
		case r == ')' && depth > 0:
			depth--
		case r == ',' && depth == 0:
			names = append(names, format[start:i])
			start = i + 1
		}
	}
	return append(names, format[start:])
}

// columnKey is a column's name without case, spaces, "-" or "_", and
// without what a parenthesis adds to it in the header ("FILES
// (indexed/total)" is FILES).
func columnKey(name string) string {
	name, _, _ = strings.Cut(name, "(")
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '_' {
			return -1
		}
		return r
	}, strings.ToUpper(strings.TrimSpace(name)))
}

// row writes v's row, after the header if it is the first.
func (t *table[T]) row(v *T) {
	if t.rows++; t.rows == 1 && t.header {
		t.line(func(c column[T]) string { return c.header })
	}
	t.line(func(c column[T]) string { return c.cell(v) })
}

func (t *table[T]) line(text func(column[T]) string) {
	var b strings.Builder
	for i, c := range t.cols {
		cell := text(c)
		switch {
		case i == len(t.cols)-1:
			b.WriteString(cell)
		case t.tw != nil:
			b.WriteString(cell + "\t")
		default:
			fmt.Fprintf(&b, "%-*s  ", c.width, cell)
		}
	}
	b.WriteByte('\n')
	io.WriteString(t.w, b.String())
}

// flush writes what an aligned table holds.
func (t *table[T]) flush() error {
	if t.tw == nil {
		return nil
	}
	return t.tw.Flush()
}

// footer writes the rows, then a line below them: on stdout under a
// header, on stderr when there is none, so that the rows alone reach a
// script.
func (t *table[T]) footer(format string, args ...any) error {
	if err := t.flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(t.notes, format+"\n", args...)
	return err
}
