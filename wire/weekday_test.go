package wire_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gradient-go/indexingjobs/wire"
)

// TestWeekdayOnTheWire: Monday is 1 ... Saturday 6, Sunday is sent as 7 and
// read from 0 or 7; nothing else is a day.
func TestWeekdayOnTheWire(t *testing.T) {
	for d := time.Sunday; d <= time.Saturday; d++ {
		b, err := json.Marshal(wire.Weekday(d))
		require.NoError(t, err)
		want := int(d)
		if d == time.Sunday {
			want = 7
		}
		assert.JSONEq(t, string(rune('0'+want)), string(b), "%s", d)
		var back wire.Weekday
		require.NoError(t, json.Unmarshal(b, &back))
		assert.Equal(t, d, back.Weekday())
	}
	var days []wire.Weekday
	require.NoError(t, json.Unmarshal([]byte(`[0, 7, 1, 6]`), &days))
	assert.Equal(t, []wire.Weekday{0, 0, 1, 6}, days)
	assert.Equal(t, "Sunday", days[1].String())

	for _, bad := range []string{`8`, `-1`, `"1"`, `1.5`, `1e0`, `true`} {
		var in struct {
			Days []wire.Weekday `json:"days"`
		}
		err := json.Unmarshal([]byte(`{"days":[`+bad+`]}`), &in)
		assert.Error(t, err, bad)
		assert.Contains(t, err.Error(), "days", "the error names the field")
	}
	_, err := json.Marshal(wire.Weekday(9))
	assert.Error(t, err, "no such day is sent")
}
