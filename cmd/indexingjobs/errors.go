package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/gradient-go/indexingjobs/internal/safetext"
)

// printError is the one place errors are shown: "indexingjobs <command>:
// <what failed>" on one line, the library's own text (an APIError names
// the request, status, the API's message and request id), then, for some
// errors, lines saying what to do next.
func printError(w io.Writer, cmd string, err error) {
	fmt.Fprintf(w, "%s: %s\n", cmd, plain(err))
	if h := hint(err); h != "" {
		fmt.Fprintln(w, h)
	}
}

// plain is err's text on one line, without the library's "indexingjobs: "
// prefix, which the command's own prefix replaces, and joined cleanly.
func plain(err error) string {
	return joined(safetext.Line(strings.TrimPrefix(err.Error(), "indexingjobs: ")))
}

// joined is text whose parts, the API's sentences and the words around
// them, are joined cleanly: no sentence's full stop before the ";" that
// follows it ("Unable to authenticate you.; request id" reads "you;
// request id").
func joined(text string) string { return sentenceThenSemicolon.ReplaceAllString(text, "$1; ") }

var sentenceThenSemicolon = regexp.MustCompile(`(\w)[.!]; `)

// lines is err's text, each of its lines escaped as plain escapes them:
// a usage error may suggest a command or flag on lines of its own.
func lines(err error) string {
	text := strings.TrimRight(strings.TrimPrefix(err.Error(), "indexingjobs: "), "\n")
	ls := strings.Split(text, "\n")
	for i, l := range ls {
		ls[i] = joined(safetext.Line(strings.ReplaceAll(l, "\t", "    ")))
	}
	return strings.Join(ls, "\n")
}

// hint says what to do about an error, when there is something to say.
func hint(err error) string {
	var h interface{ hint() string }
	if errors.As(err, &h) {
		return h.hint()
	}
	return ""
}

// hintedError is an error with a next step.
type hintedError struct {
	err  error
	next string
}

func (e *hintedError) Error() string { return e.err.Error() }
func (e *hintedError) Unwrap() error { return e.err }
func (e *hintedError) hint() string  { return e.next }

// endedError is a command cut short because its context ended: why is
// "interrupted" or "gave up after 30s (--timeout)", and says it once: the
// error's own words for the context's end (its cause, "context deadline
// exceeded") are left out.
type endedError struct {
	why   string
	err   error
	cause error // the context's cause
}

func (e *endedError) Error() string {
	text := plain(e.err)
	for _, said := range []error{e.cause, context.DeadlineExceeded, context.Canceled} {
		if said != nil {
			text = strings.ReplaceAll(text, ": "+said.Error(), "")
		}
	}
	return e.why + ": " + text
}

func (e *endedError) Unwrap() error { return e.err }

// notFoundError is a 404 told as what was not found, then the library's
// line, then how to list what exists.
type notFoundError struct {
	what string // "indexing job 123e4567-... not found"
	err  error
	next string
}

func (e *notFoundError) Error() string { return e.what + ": " + plain(e.err) }
func (e *notFoundError) Unwrap() error { return e.err }
func (e *notFoundError) hint() string  { return e.next }
