package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/gradient-go/indexingjobs"
)

// usageError is a wrong command line: it exits 2, and nothing was sent.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// flagError makes a usage error of what the flag parser refused, and
// suggests the nearest flag for one it does not know.
func flagError(c *cobra.Command, err error) error {
	msg := err.Error()
	var missing *pflag.NotExistError
	if errors.As(err, &missing) && missing.GetSpecifiedShortnames() == "" {
		if near := nearestFlag(c, missing.GetSpecifiedName()); near != "" {
			msg += "\n\nDid you mean this?\n\t--" + near
		}
	}
	return &usageError{msg: msg}
}

// nearestFlag is the flag of c whose name is closest to name, within two
// edits or as a prefix, or "".
func nearestFlag(c *cobra.Command, name string) string {
	best, bestDist := "", 3
	c.Flags().VisitAll(func(f *pflag.Flag) {
		d := editDistance(name, f.Name)
		if strings.HasPrefix(f.Name, name) {
			d = min(d, 1)
		}
		if d < bestDist {
			best, bestDist = f.Name, d
		}
	})
	return best
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// noArgs refuses arguments.
func noArgs(_ *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("want no arguments, got %d", len(args))
	}
	return nil
}

// idKind names what an id argument is the id of, in messages: "indexing
// job", "knowledge base", "data source".
type idKind string

const (
	jobKind           idKind = "indexing job"
	knowledgeBaseKind idKind = "knowledge base"
	dataSourceKind    idKind = "data source"
)

// oneID takes one argument, a UUID of kind, checked before anything is
// sent.
func oneID(kind idKind) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) != 1 {
			return usagef("want one %s UUID, got %d", kind, len(args))
		}
		if err := indexingjobs.ValidateUUID(args[0]); err != nil {
			return usagef("%s", plain(err))
		}
		return nil
	}
}
