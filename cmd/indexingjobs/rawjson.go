package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// printRaw writes JSON as the API sent it, indented. Valid JSON holds no
// raw C0 control character, but it may hold DEL, C1 controls, line
// separators and bidirectional overrides (U+202E) raw inside its strings:
// those, and every other character that is not printable, are written as
// \u escapes, so that the output cannot drive a terminal or reorder what
// a reader sees, and decodes to the same values.
func printRaw(w io.Writer, raw []byte) error {
	out, err := indentEscaped(raw, "")
	if err != nil {
		return err
	}
	_, err = w.Write(append(out, '\n'))
	return err
}

// indentEscaped is raw indented by two spaces a level, each line after
// the first starting with prefix, and escaped as printRaw says.
func indentEscaped(raw []byte, prefix string) ([]byte, error) {
	var indented bytes.Buffer
	if err := json.Indent(&indented, raw, prefix, "  "); err != nil {
		return nil, fmt.Errorf("the API's answer is not JSON: %w", err)
	}
	return escapeJSON(indented.Bytes()), nil
}

// escapeJSON escapes what json.Indent left raw. Outside strings, indented
// JSON has only spaces and new lines besides printable ASCII, so every
// other character it meets is inside a string.
func escapeJSON(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		switch {
		case r == utf8.RuneError && n == 1: // not UTF-8: what a decoder makes of it
			out = append(out, `\ufffd`...)
		case r == '\n' || r == ' ' || strconv.IsPrint(r):
			out = append(out, b[i:i+n]...)
		case r > 0xffff:
			r1, r2 := utf16.EncodeRune(r)
			out = fmt.Appendf(out, `\u%04x\u%04x`, r1, r2)
		default:
			out = fmt.Appendf(out, `\u%04x`, r)
		}
		i += n
	}
	return out
}

// member is the value of key in the JSON object raw, or nil.
func member(raw []byte, key string) json.RawMessage {
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		return nil
	}
	return obj[key]
}
