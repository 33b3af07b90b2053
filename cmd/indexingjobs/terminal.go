package main

import (
	"bytes"
	"errors"
	"io"
	"unicode/utf8"

	"github.com/gradient-go/indexingjobs/internal/safetext"
)

// A report shown on a terminal is the server's text: each line is written
// with its control characters escaped, so that it cannot drive the
// terminal. What is shown is bounded, and so is what is held: a report
// over maxShownReport belongs in a file, and a line longer than maxLine is
// written in pieces.
const (
	maxShownReport = 8 << 20
	maxLine        = 64 << 10
)

var errTooLargeToShow = errors.New("too large to show")

// terminalReport is the io.Writer a report is downloaded into when it is
// shown on a terminal. It has no ReadFrom, on purpose: io.Copy into it
// goes through Write, and so through the bound.
type terminalReport struct {
	w     io.Writer
	line  []byte // the line so far: at most maxLine bytes
	shown int64  // bytes of the report taken
}

func (t *terminalReport) Write(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if t.shown >= maxShownReport {
			return n, errTooLargeToShow
		}
		chunk := p[n:]
		chunk = chunk[:min(int64(len(chunk)), maxShownReport-t.shown, int64(maxLine-len(t.line)))]
		end := bytes.IndexByte(chunk, '\n')
		if end >= 0 {
			chunk = chunk[:end+1]
		}
		t.line = append(t.line, chunk...)
		n += len(chunk)
		t.shown += int64(len(chunk))
		if end >= 0 || len(t.line) >= maxLine {
			if err := t.flush(end >= 0); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

// flush writes the line held, escaped: whole, with its end, or a piece of
// a long one, keeping back the start of a character cut in two.
func (t *terminalReport) flush(whole bool) error {
	text, keep := t.line, []byte(nil)
	if whole {
		text = bytes.TrimSuffix(bytes.TrimSuffix(text, []byte("\n")), []byte("\r"))
	} else {
		for i := len(text) - 1; i >= 0 && i >= len(text)-utf8.UTFMax; i-- {
			if utf8.RuneStart(text[i]) {
				if !utf8.FullRune(text[i:]) {
					text, keep = text[:i], text[i:]
				}
				break
			}
		}
	}
	out := safetext.Line(string(text))
	if whole {
		out += "\n"
	}
	_, err := io.WriteString(t.w, out)
	t.line = append(t.line[:0], keep...)
	return err
}

// Close writes the last line, if the report did not end with one.
func (t *terminalReport) Close() error {
	if len(t.line) == 0 {
		return nil
	}
	return t.flush(true)
}
