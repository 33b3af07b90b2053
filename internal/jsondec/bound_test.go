package jsondec

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"
)

// wide is as large as the API's biggest answer types (280 to 690 bytes).
type wide struct {
	Counts [60]uint64     `json:"counts"`
	Name   string         `json:"name"`
	At     time.Time      `json:"at"`
	Small  int8           `json:"small"`
	Ratio  float64        `json:"ratio"`
	Next   *wide          `json:"next"`
	Tags   []string       `json:"tags"`
	Score  map[string]any `json:"score"`
}

// forty is 40 bytes, a size whose arrays the allocator rounds up most.
type forty struct {
	A, B, C, D, E uint64
}

type shapes struct {
	Groups []struct {
		Ends []forty `json:"ends"`
	} `json:"groups"`
	Wides   []wide          `json:"wides"`
	Ptrs    []*wide         `json:"ptrs"`
	Grid    [][]wide        `json:"grid"`
	One     *wide           `json:"one"`
	Any     any             `json:"any"`
	Map     map[string]any  `json:"map"`
	ByName  map[string]wide `json:"by_name"`
	Strings []string        `json:"strings"`
}

// floods are documents of cheap values that decode into expensive ones,
// at about 128 KiB each.
func floods() map[string]string {
	const n = 128 << 10
	many := func(item string) string {
		return strings.TrimSuffix(strings.Repeat(item+",", n/(len(item)+1)), ",")
	}
	keyed := func(value string) string {
		var b strings.Builder
		for i := 0; b.Len() < n; i++ {
			fmt.Fprintf(&b, `"%x":%s,`, i, value)
		}
		return strings.TrimSuffix(b.String(), ",")
	}
	return map[string]string{
		"empty objects into structs": `{"wides":[` + many(`{}`) + `]}`,
		"nulls into structs":         `{"wides":[` + many(`null`) + `]}`,
		"numbers into structs":       `{"wides":[` + many(`0`) + `]}`,
		"objects into pointers":      `{"ptrs":[` + many(`{}`) + `]}`,
		"arrays of arrays":           `{"grid":[` + many(`[{},{}]`) + `]}`,
		"a chain of pointers":        `{"one":` + strings.Repeat(`{"next":`, 9000) + `{}` + strings.Repeat(`}`, 9001),
		"repeated keys":              `{"one":{` + strings.TrimSuffix(strings.Repeat(`"next":{},`, n/10), ",") + `}}`,
		"objects into an interface":  `{"any":[` + many(`{}`) + `]}`,
		"members of an any map":      `{"map":{` + keyed(`{}`) + `}}`,
		"numbers in an any map":      `{"map":{` + keyed(`0`) + `}}`,
		"members of a struct map":    `{"by_name":{` + keyed(`{}`) + `}}`,
		"nested maps in a struct":    `{"wides":[` + many(`{"score":{"a":{}}}`) + `]}`,
		"empty strings":              `{"strings":[` + many(`""`) + `]}`,
		"escaped key":                `{"w\u0069des":[` + many(`{}`) + `]}`,
		// Found by an attack on the first bound, which charged strings
		// twice their bytes, one pass, and nothing per value.
		"an unknown key not UTF-8":  `{"` + strings.Repeat("\xff", n) + `":0}`,
		"a string not UTF-8":        `{"one":{"name":"` + strings.Repeat("\xff", n) + `"}}`,
		"a fallback half way":       `{"wides":[` + many(`{}`) + `],"\u0061":0}`,
		"escaped strings":           `{"one":{` + many(`"name":"\n"`) + `}}`,
		"values of the wrong kind":  `{"one":{` + many(`"name":1`) + `}}`,
		"times with offsets":        `{"one":{` + many(`"at":"2024-01-01T00:00:00+05:17"`) + `}}`,
		"an any map, then fallback": `{"map":{` + keyed(`{}`) + `},"\u0061":0}`,
		// Found by an attack on the second, which charged numbers of the
		// right kind and a time's failure nothing.
		"a time that does not parse":   `{"one":{"at":"2024-01-01T00:00:00Z` + strings.Repeat("\xff", n) + `"}}`,
		"fractions into integers":      `{"one":{` + many(`"small":0.5`) + `}}`,
		"integers past their field":    `{"one":{` + many(`"small":300`) + `}}`,
		"floats":                       `{"one":{` + many(`"ratio":1`) + `}}`,
		"floats past float64":          `{"one":{` + many(`"ratio":1e999`) + `}}`,
		"a number of a million digits": `{"one":{"small":` + strings.Repeat("1", n) + `}}`,
		// Found by an attack on the third, which charged a key its bytes
		// once, grew arrays without the allocator's rounding, and charged
		// nothing for skip's stack.
		"a long key, then fallback":  `{"` + strings.Repeat("z", n) + `":0,"\u0061":0}`,
		"arrays of 40-byte items":    `{"groups":[` + strings.TrimSuffix(strings.Repeat(`{"ends":[`+many(`{}`)[:3*5325-1]+`]},`, 8), ",") + `]}`,
		"deep values under no field": `{"one":{` + strings.TrimSuffix(strings.Repeat(`"zz":`+strings.Repeat("[", 9990)+strings.Repeat("]", 9990)+",", 6), ",") + `}}`,
		// Found by an attack on the fourth, which charged [] and a long
		// time in UTC nothing.
		"empty arrays, then fallback": `{` + many(`"strings":[]`) + `,"\u0061":0}`,
		"long times in UTC, fallback": `{"one":{` + many(`"at":"2024-01-01T00:00:00,`+strings.Repeat("0", 1000)+`Z"`) + `},"\u0061":0}`,
	}
}

func mib(n int64) float64 { return float64(n) / (1 << 20) }

// allocated is how many bytes f allocates.
func allocated(f func()) int64 {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return int64(after.TotalAlloc - before.TotalAlloc)
}

// TestTheBoundCoversWhatDecodingAllocates: for documents built to make
// decoding allocate the most per byte, what each decoder allocates, the
// fast path and encoding/json, is within the weight UnmarshalWithin
// gives them.
func TestTheBoundCoversWhatDecodingAllocates(t *testing.T) {
	c := codecOf(reflect.TypeFor[shapes]())
	for name, doc := range floods() {
		t.Run(name, func(t *testing.T) {
			data := []byte(doc)
			d := decoder{data: data}
			if !d.valid() {
				t.Fatal("the document is malformed")
			}
			var tooLarge *TooLargeError
			if !errors.As(UnmarshalWithin(data, new(shapes), 0), &tooLarge) {
				t.Fatal("not weighed")
			}
			need := tooLarge.Need
			var both, slow shapes
			byBoth := allocated(func() { _ = Unmarshal(data, &both) })
			bySlow := allocated(func() { _ = json.Unmarshal(data, &slow) })
			first := d.firstSight(c)
			t.Logf("%s: %d bytes, %d items, %d members: need %.1f MiB, %.1f MiB at first sight; Unmarshal %.1f MiB, encoding/json %.1f MiB",
				name, len(data), d.items, d.members, mib(need), mib(first), mib(byBoth), mib(bySlow))
			if byBoth > min(need, first) || 2*bySlow > need {
				t.Errorf("the bound is %d bytes (%d at first sight); Unmarshal allocated %d, encoding/json %d (a pass is half the bound)", need, first, byBoth, bySlow)
			}
		})
	}
}

// TestUnmarshalWithinRefusesBeforeDecoding: a document that could take
// more than the bound is refused with a *TooLargeError that says so,
// having allocated next to nothing and left the value as it was; one
// within it decodes as Unmarshal does.
func TestUnmarshalWithinRefusesBeforeDecoding(t *testing.T) {
	data := []byte(floods()["empty objects into structs"])
	var s shapes
	var err error
	n := allocated(func() { err = UnmarshalWithin(data, &s, 64<<20) })
	var tooLarge *TooLargeError
	if !errors.As(err, &tooLarge) {
		t.Fatalf("got %v, want a *TooLargeError", err)
	}
	items := strings.Count(string(data), "{}")
	if tooLarge.Items != items || tooLarge.Members != 1 || tooLarge.Max != 64<<20 || tooLarge.Need <= tooLarge.Max {
		t.Errorf("got %+v for %d empty objects in one member", tooLarge, items)
	}
	if !strings.Contains(err.Error(), fmt.Sprintf("more than the 64 MiB allowed: it holds %d array items and 1 object member", items)) {
		t.Errorf("the error does not say what the document holds: %v", err)
	}
	if s.Wides != nil {
		t.Error("the refused document was decoded")
	}
	if n > 4<<10 {
		t.Errorf("refusing it allocated %d bytes", n)
	}

	small := []byte(`{"wides":[{"name":"a"},{}],"map":{"k":[1]}}`)
	var within, plain shapes
	if err := UnmarshalWithin(small, &within, 64<<20); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(small, &plain); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(within, plain) {
		t.Errorf("within the bound it decoded %+v; encoding/json %+v", within, plain)
	}
}

// TestValidCountsItemsAndMembers: the check of a document's syntax counts
// every array item and object member in it, at any depth, in whitespace
// or none, keys and strings that look like either included.
func TestValidCountsItemsAndMembers(t *testing.T) {
	for doc, want := range map[string][2]int{
		`{}`:                              {0, 0},
		`[]`:                              {0, 0},
		`"[1,2]"`:                         {0, 0},
		`[1]`:                             {1, 0},
		` [ 1 , [ ] , { } , [ 2 , 3 ] ] `: {6, 0},
		`{"a":1}`:                         {0, 1},
		`{"a,b":{"c":[{},{"d":"e,f"}]}}`:  {2, 3},
		`[{"a":[1,{"b":null}]},"x"]`:      {4, 2},
	} {
		d := decoder{data: []byte(doc)}
		if !d.valid() {
			t.Errorf("%s: not valid", doc)
			continue
		}
		if got := [2]int{d.items, d.members}; got != want {
			t.Errorf("%s: %d items and %d members, want %d and %d", doc, got[0], got[1], want[0], want[1])
		}
	}
}
