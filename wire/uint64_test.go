package wire_test

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gradient-go/indexingjobs/wire"
)

func TestUint64Decode(t *testing.T) {
	tests := []struct {
		in   string
		want uint64
	}{
		{`"0"`, 0},
		{`"12345"`, 12345},
		{`12345`, 12345},
		{`"9007199254740993"`, 9007199254740993}, // 2^53+1: a float64 would round it
		{`"18446744073709551615"`, math.MaxUint64},
		{`18446744073709551615`, math.MaxUint64},
		{`"007"`, 7},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var u wire.Uint64
			require.NoError(t, json.Unmarshal([]byte(tt.in), &u))
			assert.Equal(t, tt.want, uint64(u))
		})
	}
}

func TestUint64DecodeRejects(t *testing.T) {
	for _, in := range []string{
		`""`, `"-1"`, `-1`, `"1.5"`, `1.5`, `1e3`, `"1e3"`, `"0x10"`, `"+1"`, `" 1"`,
		`"18446744073709551616"`, `"99999999999999999999"`, `"123456789012345678901"`,
		`true`, `{}`, `[]`, `"abc"`,
	} {
		t.Run(in, func(t *testing.T) {
			var u wire.Uint64 = 42
			err := json.Unmarshal([]byte(in), &u)
			var typeErr *json.UnmarshalTypeError
			require.ErrorAs(t, err, &typeErr)
			assert.Equal(t, wire.Uint64(42), u, "a rejected value must leave the target unchanged")
		})
	}
}

func TestUint64DecodeNullKeepsValue(t *testing.T) {
	u := wire.Uint64(7)
	require.NoError(t, json.Unmarshal([]byte(`null`), &u))
	assert.Equal(t, wire.Uint64(7), u)
}

func TestUint64ErrorNamesField(t *testing.T) {
	var v struct {
		Job struct {
			TotalItemsIndexed *wire.Uint64 `json:"total_items_indexed"`
		} `json:"job"`
	}
	err := json.Unmarshal([]byte(`{"job":{"total_items_indexed":"12a"}}`), &v)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "job.total_items_indexed")
	assert.Contains(t, err.Error(), `"12a"`)
}

func TestUint64EncodesAsString(t *testing.T) {
	for _, v := range []uint64{0, 1, 12345, math.MaxUint64} {
		b, err := json.Marshal(wire.Uint64(v))
		require.NoError(t, err)
		assert.Equal(t, strconv.Quote(strconv.FormatUint(v, 10)), string(b))
		assert.Equal(t, strconv.FormatUint(v, 10), wire.Uint64(v).String())
	}
}

func TestUint64ErrorIsShortForHugeInput(t *testing.T) {
	huge := `"` + string(make([]byte, 1<<20)) + `"`
	var u wire.Uint64
	err := json.Unmarshal([]byte(huge), &u)
	require.Error(t, err)
	assert.Less(t, len(err.Error()), 200)
}

func TestUint64ErrorIsValidUTF8(t *testing.T) {
	for _, in := range []string{"\"\xde\"", `"` + strings.Repeat("é", 30) + `"`} {
		var u wire.Uint64
		err := json.Unmarshal([]byte(in), &u)
		require.Error(t, err)
		assert.True(t, utf8.ValidString(err.Error()), "%q", err.Error())
	}
}

// FuzzUint64 checks that every accepted input decodes to the value its digits
// spell and that encoding then decoding gives the same value back.
func FuzzUint64(f *testing.F) {
	for _, s := range []string{`"0"`, `"12345"`, `12345`, `"18446744073709551615"`, `"18446744073709551616"`, `"-1"`, `""`, `null`, `"1e3"`, "0 ", ` "7"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		var u wire.Uint64
		if err := json.Unmarshal([]byte(in), &u); err != nil {
			return
		}
		trimmed := strings.Trim(in, " \t\r\n") // JSON white space around the value
		if trimmed != "null" {
			digits := trimmed
			if len(trimmed) >= 2 && trimmed[0] == '"' {
				digits = trimmed[1 : len(trimmed)-1]
			}
			want, err := strconv.ParseUint(digits, 10, 64)
			if err != nil || want != uint64(u) {
				t.Fatalf("%q decoded to %d, strconv says %d (%v)", in, u, want, err)
			}
		}
		b, err := json.Marshal(u)
		if err != nil {
			t.Fatal(err)
		}
		var back wire.Uint64
		if err := json.Unmarshal(b, &back); err != nil || back != u {
			t.Fatalf("round trip of %d gave %s then %d (%v)", u, b, back, err)
		}
	})
}
