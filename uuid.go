package indexingjobs

import (
	"cmp"
	"fmt"
)

// ValidateUUID reports whether id can name an indexing job, a knowledge
// base or a data source: the canonical UUID form,
// 123e4567-e89b-12d3-a456-426614174000. The error wraps ErrInvalidUUID.
// Every method checks its ids itself before sending anything; call it to
// check user input early.
func ValidateUUID(id string) error { return checkUUID("", id) }

// checkUUID accepts the canonical 8-4-4-4-12 hex form only. Nothing else
// may reach a request path: no "..", "/", "%", spaces or empty ids. what
// names the id in the error ("indexing job").
func checkUUID(what, id string) error {
	if isUUID(id) {
		return nil
	}
	return fmt.Errorf("indexingjobs: %s %q: %w (want the form 123e4567-e89b-12d3-a456-426614174000)", cmp.Or(what, "id"), clean(id, 64), ErrInvalidUUID)
}

func isUUID(id string) bool {
	if len(id) != 36 {
		return false
	}
	for i := 0; i < len(id); i++ {
		switch c := id[i]; {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return false
			}
		case '0' <= c && c <= '9', 'a' <= c && c <= 'f', 'A' <= c && c <= 'F':
		default:
			return false
		}
	}
	return true
}

// shownID is an id from an answer as an error shows it: a UUID as it is,
// anything else only by its length. An answer's text is cut nowhere, so
// no part of a secret a hostile server put in an id can outlast the cut
// that would hide the rest (secrets.go takes out whole runs).
func shownID(id string) string {
	if isUUID(id) {
		return id
	}
	return fmt.Sprintf("(an id of %d bytes that is not a UUID)", len(id))
}
