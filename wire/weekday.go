package wire

import (
	"encoding/json"
	"reflect"
	"strconv"
	"time"
)

// Weekday is a day of the week of an indexing schedule. On the wire it is
// a number as in a cron expression: Monday 1 to Saturday 6.
//
// Sunday is the one day the sources disagree on. DigitalOcean's public API
// description says "as in a cron expression, Monday is 1", and cron writes
// Sunday 0 or 7; DigitalOcean's product guide numbers the days 1 (Monday)
// to 7 (Sunday). So Sunday is sent as 7, which both accept, and 0 and 7 are
// both read as Sunday. This is the one place that mapping lives.
type Weekday time.Weekday

// Weekday returns d as Go's time.Weekday (time.Sunday is 0).
func (d Weekday) Weekday() time.Weekday { return time.Weekday(d) }

func (d Weekday) String() string { return time.Weekday(d).String() }

// MarshalJSON writes Monday as 1 ... Saturday as 6, and Sunday as 7.
func (d Weekday) MarshalJSON() ([]byte, error) {
	if d < 0 || d > 6 {
		return nil, &json.UnsupportedValueError{Value: reflect.ValueOf(d), Str: strconv.Itoa(int(d))}
	}
	if d == Weekday(time.Sunday) {
		return []byte("7"), nil
	}
	return strconv.AppendInt(nil, int64(d), 10), nil
}

// UnmarshalJSON reads 1 to 6 as Monday to Saturday, and 0 or 7 as Sunday.
// Any other value is an error that names the field.
func (d *Weekday) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	n, err := strconv.Atoi(string(b))
	if err != nil || n < 0 || n > 7 {
		return &json.UnmarshalTypeError{Value: "value " + quoteShort(b), Type: reflect.TypeFor[Weekday]()}
	}
	*d = Weekday(n % 7)
	return nil
}

// WeekdaysOf is Go's days of the week as the wire's.
func WeekdaysOf(days []time.Weekday) []Weekday {
	out := make([]Weekday, len(days))
	for i, d := range days {
		out[i] = Weekday(d)
	}
	return out
}

// TimeWeekdays is the wire's days of the week as Go's.
func TimeWeekdays(days []Weekday) []time.Weekday {
	out := make([]time.Weekday, len(days))
	for i, d := range days {
		out[i] = d.Weekday()
	}
	return out
}
