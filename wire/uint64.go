// Package wire holds the types of the indexing-jobs API that openapi.yaml
// maps to Go by hand (x-go-type) instead of letting the generator make
// them: counts the API sends as decimal strings (Uint64), phases and
// statuses that keep values the client does not know and say which phases
// are terminal, and the days of an indexing schedule (Weekday).
package wire

import (
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"strings"
)

// Uint64 is a count the API sends as a decimal number in a JSON string, such
// as "total_items_indexed": "812", so that no JSON reader rounds values above
// 2^53. It decodes from a string or a bare number and encodes as a string.
type Uint64 uint64

// MarshalJSON encodes u as a quoted decimal number, as the API does.
func (u Uint64) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 22)
	b = append(b, '"')
	b = strconv.AppendUint(b, uint64(u), 10)
	return append(b, '"'), nil
}

// UnmarshalJSON accepts "123" and 123. Anything else (a sign, a fraction, an
// exponent, a value over 18446744073709551615, an empty string) is an error;
// null leaves u unchanged, as encoding/json does for other types.
//
// Errors are *json.UnmarshalTypeError, so that encoding/json names the field,
// as in "cannot unmarshal string "12a" into Go struct field
// APIIndexingJob.job.total_items_indexed of type wire.Uint64".
func (u *Uint64) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		return nil
	}
	kind, digits := "number", data
	if len(data) >= 2 && data[0] == '"' && data[len(data)-1] == '"' {
		kind, digits = "string", data[1:len(data)-1]
	}
	v, ok := parseDigits(digits)
	if !ok {
		return &json.UnmarshalTypeError{Value: kind + " " + quoteShort(data), Type: reflect.TypeFor[Uint64]()}
	}
	*u = Uint64(v)
	return nil
}

// parseDigits accepts only ASCII digits (strconv.ParseUint would also take
// "0x1f" with base 0 or "+1" in other forms) and reports overflow as failure.
func parseDigits(digits []byte) (uint64, bool) {
	if len(digits) == 0 || len(digits) > 20 {
		return 0, false
	}
	var v uint64
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if v > (math.MaxUint64-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	return v, true
}

// String returns u in decimal.
func (u Uint64) String() string { return strconv.FormatUint(uint64(u), 10) }

// quoteShort keeps error messages short and valid UTF-8 whatever the server
// sent (a JSON string may hold invalid bytes; found by FuzzResponse).
func quoteShort(data []byte) string {
	const max = 40
	s, more := string(data), ""
	if len(s) > max {
		s, more = s[:max], "…"
	}
	return strings.ToValidUTF8(s, "\uFFFD") + more
}
