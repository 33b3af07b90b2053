package jsondec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// count decodes from a quoted or bare number, as the API's counts do.
type count uint64

func (c *count) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	n, err := strconv.ParseUint(strings.Trim(string(b), `"`), 10, 64)
	if err != nil {
		return errors.New("not a count")
	}
	*c = count(n)
	return nil
}

type level string

func (l *level) UnmarshalText(b []byte) error {
	if len(b) > 5 {
		return errors.New("too long")
	}
	*l = level(strings.ToUpper(string(b)))
	return nil
}

type Phase string

type source struct {
	UUID   string    `json:"uuid"`
	Count  count     `json:"count"`
	Done   time.Time `json:"done"`
	Errors []string  `json:"errors"`
}

type Inner struct {
	N int `json:"n"`
}

// answer has a field of every kind the fast path handles and of those it
// leaves to encoding/json.
type answer struct {
	Name     string            `json:"name,omitempty"`
	Phase    Phase             `json:"phase"`
	OK       bool              `json:"ok"`
	Small    int8              `json:"small"`
	Int      int64             `json:"int"`
	Uint     uint32            `json:"uint"`
	Float    float64           `json:"float"`
	Float32  float32           `json:"float32"`
	At       time.Time         `json:"at"`
	Maybe    *time.Time        `json:"maybe"`
	Count    count             `json:"count"`
	Sources  []source          `json:"sources"`
	First    *source           `json:"first"`
	IDs      []string          `json:"ids"`
	Grid     [][]int           `json:"grid"`
	Labels   map[string]string `json:"labels"`
	Any      any               `json:"any"`
	Raw      json.RawMessage   `json:"raw"`
	Bytes    []byte            `json:"bytes"`
	Level    level             `json:"level"`
	Odd      odd               `json:"odd"`
	Embedded embedded          `json:"embedded"`
	Array    [2]int            `json:"array"`
	Skipped  int               `json:"-"`
	Dash     int               `json:"-,"`
}

// odd has a field encoding/json reads by a rule of its own (",string"),
// so the fast path leaves the whole struct to it.
type odd struct {
	Quoted int `json:"quoted,string"`
}

type embedded struct {
	Inner
	Own string `json:"own"`
}

var inputs = []string{
	`{}`, `null`, ` {} `, `{"name":"a","name":"b"}`, `{"NAME":"upper","Phase":"RUNNING"}`,
	`{"name":"caf\u00e9"}`, `{"name":"a\"b"}`, `{"name":"\ud83d\ude00 \ud800"}`, "{\"name\":\"\xff\"}",
	`{"name":"tab	in"}`, `{"name":1}`, `{"name":null}`, `{"ok":true}`, `{"ok":"true"}`, `{"ok":null}`,
	`{"small":127}`, `{"small":128}`, `{"small":-128}`, `{"int":-0}`, `{"int":9223372036854775807}`,
	`{"int":9223372036854775808}`, `{"int":1.0}`, `{"int":1e2}`, `{"int":01}`, `{"int":-}`, `{"int":"1"}`,
	`{"uint":-1}`, `{"uint":4294967296}`, `{"float":1.5e300}`, `{"float":1e999}`, `{"float32":1e39}`,
	`{"float":-0.0}`, `{"at":"2026-12-05T10:00:00Z"}`, `{"at":"2026-12-05"}`, `{"at":null}`, `{"at":5}`,
	`{"maybe":null}`, `{"maybe":"2026-12-05T10:00:00.123+01:00"}`, `{"count":"12"}`, `{"count":12}`,
	`{"count":"x"}`, `{"count":null}`, `{"sources":[]}`, `{"sources":null}`, `{"sources":[{"uuid":"a"},{"count":"3","errors":["x",null]}]}`,
	`{"sources":[{"uuid":"a","done":"2026-01-02T03:04:05Z"}],"sources":[{"count":1}]}`,
	`{"sources":[{"uuid":"a"},{"uuid":"b"}],"sources":[{"count":1}],"sources":[{},{}]}`,
	`{"first":{"uuid":"p"}}`, `{"first":null}`, `{"first":{"uuid":"p"},"first":{"count":2}}`,
	`{"ids":["a","b",]}`, `{"ids":["a" "b"]}`, `{"ids":[1]}`, `{"grid":[[1,2],[],[3]]}`, `{"grid":[[1],null]}`,
	`{"labels":{"a":"b"}}`, `{"labels":{"a":1}}`, `{"any":{"x":[1,"y",null,true]}}`, `{"raw":  [1, {"a" : 2}] }`,
	`{"bytes":"aGVsbG8="}`, `{"bytes":"!!"}`, `{"level":"warn"}`, `{"level":"toolong"}`, `{"level":3}`,
	`{"odd":{"quoted":"12"}}`, `{"odd":{"quoted":12}}`, `{"-":1,"Skipped":2,"skipped":3}`, `{"embedded":{"n":3,"own":"o"}}`, `{"array":[1,2,3]}`,
	`{"unknown":{"a":[1,2,{"b":null}],"c":"\u0041"}}`, `{"unknown":[}`, `{"unknown":{"a" 1}}`, `{"unknown":{"a":1,}}`,
	`{"unknown":tru}`, `{"unknown":truex}`, `{"unknown":"\x"}`, `{"unknown":"\u12"}`, "{\"unknown\":\"a\x01\"}",
	`{"a\u0062c":1}`, `{"name":"x"} x`, `{"name":"x"}}`, `{"name":"x"`, ``, ` `, `[]`, `"s"`, `{"name":"x",}`,
	`{,}`, `{"name"}`, `{"name":}`, `{"int":1 2}`, "\ufeff{}", `{"unknown":[1,2,[3,[4]]],"name":"after"}`,
	`{"ſmall":1}`, `{"K":1}`, `{"unknown":-01}`, `{"unknown":1.}`, `{"unknown":.5}`, `{"unknown":1e}`, `{"unknown":1E+2}`,
	strings.Repeat(`[`, 10001) + strings.Repeat(`]`, 10001),
	`{"unknown":` + strings.Repeat(`[`, 9999) + strings.Repeat(`]`, 9999) + `}`,
	`{"unknown":` + strings.Repeat(`[`, 10000) + strings.Repeat(`]`, 10000) + `}`,
}

// same decodes data with both packages, into zero values and into values
// that hold something (which go to encoding/json whole), and reports how
// they differ.
func same(t *testing.T, data []byte) {
	t.Helper()
	for _, prior := range [][]byte{nil, []byte(`{"name":"p","sources":[{"uuid":"u","errors":["e"]},{"count":9}],"first":{"uuid":"f"},"ids":["a","b","c"],"grid":[[9,9]],"labels":{"k":"v"}}`)} {
		var want, got answer
		if prior != nil {
			_ = json.Unmarshal(prior, &want)
			_ = json.Unmarshal(prior, &got)
		}
		wantErr := json.Unmarshal(data, &want)
		gotErr := Unmarshal(data, &got)
		if (wantErr == nil) != (gotErr == nil) || (wantErr != nil && wantErr.Error() != gotErr.Error()) {
			t.Fatalf("%q (prior %t): error %v, encoding/json's %v", data, prior != nil, gotErr, wantErr)
		}
		if !reflect.DeepEqual(want, got) {
			t.Fatalf("%q (prior %t):\n got %+v\nwant %+v", data, prior != nil, got, want)
		}
	}
	if d := (decoder{data: data}); d.valid() {
		if items, members := counted(t, data); d.items != items || d.members != members {
			t.Fatalf("%q: counted %d items and %d members; encoding/json's tokens, %d and %d", data, d.items, d.members, items, members)
		}
		// Weighing reads the whole document, value by value.
		w := decoder{data: data}
		w.weigh(codecOf(reflect.TypeFor[answer]()))
		if w.space(); w.off != len(data) || w.depth != 0 {
			t.Fatalf("%q: weighing stopped at %d of %d bytes, depth %d", data, w.off, len(data), w.depth)
		}
	}
}

// counted counts the array items and object members of a well-formed
// document by encoding/json's tokens, as valid should.
func counted(t *testing.T, data []byte) (items, members int) {
	type open struct{ object, wantKey bool }
	var stack []open
	ended := func() { // a value ended: an object wants its next key
		if len(stack) > 0 && stack[len(stack)-1].object {
			stack[len(stack)-1].wantKey = true
		}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber() // 1e999 is a number, not a float64
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return items, members
		}
		if err != nil {
			t.Fatalf("%q: valid, but encoding/json's tokens end in %v", data, err)
		}
		if tok == json.Delim('}') || tok == json.Delim(']') {
			stack = stack[:len(stack)-1]
			ended()
			continue
		}
		if n := len(stack); n > 0 {
			if top := &stack[n-1]; top.object && top.wantKey {
				members++
				top.wantKey = false
				continue
			} else if !top.object {
				items++
			}
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, open{object: true, wantKey: true})
		case json.Delim('['):
			stack = append(stack, open{})
		default:
			ended()
		}
	}
}

func TestUnmarshalAnswersAsEncodingJSON(t *testing.T) {
	// The inputs test the fast path only if answer takes it.
	if k := codecOf(reflect.TypeFor[answer]()).kind; k != kStruct {
		t.Fatalf("answer is left to encoding/json (kind %d)", k)
	}
	for _, in := range inputs {
		same(t, []byte(in))
	}
}

func FuzzUnmarshal(f *testing.F) {
	for _, in := range inputs {
		f.Add([]byte(in))
	}
	f.Fuzz(func(t *testing.T, data []byte) { same(t, data) })
}

// TestTheFastPathTakesTheCommonShapes fails if a document of the shapes
// the API sends falls back to encoding/json whole, which would keep the
// results right and lose the speed.
func TestTheFastPathTakesTheCommonShapes(t *testing.T) {
	type job struct {
		UUID    string     `json:"uuid"`
		Phase   Phase      `json:"phase"`
		Tokens  int64      `json:"tokens"`
		Total   count      `json:"total"`
		Done    bool       `json:"done"`
		At      time.Time  `json:"at"`
		Ends    *time.Time `json:"ends"`
		Sources []source   `json:"sources"`
	}
	doc := []byte(`{"uuid":"7d1b","phase":"RUNNING","tokens":-12,"total":"812","done":false,"at":"2026-12-05T10:00:00Z",
		"ends":null,"sources":[{"uuid":"s","count":3,"errors":["é"]}],"later":{"a":[1.5e3,"\n",true]}}`)
	var v job
	d := decoder{data: doc}
	if err := d.decode(codecOf(reflect.TypeFor[job]()), reflect.ValueOf(&v).Elem()); err != nil {
		t.Fatalf("fell back to encoding/json: %v", err)
	}
	var want job
	if err := json.Unmarshal(doc, &want); err != nil || !reflect.DeepEqual(v, want) {
		t.Fatalf("got %+v, want %+v (%v)", v, want, err)
	}
}

// tree contains itself, and is decoded nowhere else: its codecs are made
// by the goroutines of the test below.
type tree struct {
	Name     string  `json:"name"`
	Children []tree  `json:"children"`
	Parent   *tree   `json:"parent"`
	Weights  []count `json:"weights"`
}

// TestCodecsAreMadeWholeBeforeAnyoneReadsThem: goroutines that meet a type
// at once all decode it right, and (under -race) none reads a codec
// another is still making.
func TestCodecsAreMadeWholeBeforeAnyoneReadsThem(t *testing.T) {
	codecs.Clear() // as if no goroutine had met tree yet, with -count too
	doc := []byte(`{"name":"a","children":[{"name":"b","parent":{"name":"a"},"weights":["1",2]}]}`)
	var want tree
	if err := json.Unmarshal(doc, &want); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	got := make([]tree, 8)
	for i := range got {
		wg.Go(func() {
			if !Fast(doc, &got[i]) {
				t.Errorf("goroutine %d fell back to encoding/json", i)
			}
		})
	}
	wg.Wait()
	for i := range got {
		if !reflect.DeepEqual(got[i], want) {
			t.Errorf("goroutine %d: got %+v, want %+v", i, got[i], want)
		}
	}
}

// differs decodes data into a zero T with both packages, and says how
// they differ, a panic included.
func differs[T any](data string) string {
	var want, got T
	wantErr := json.Unmarshal([]byte(data), &want)
	gotErr := func() (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("panic: %v", r)
			}
		}()
		return Unmarshal([]byte(data), &got)
	}()
	if fmt.Sprint(wantErr) != fmt.Sprint(gotErr) || !reflect.DeepEqual(want, got) {
		return fmt.Sprintf("%T %s: got %#v, %v; encoding/json %#v, %v", got, data, got, gotErr, want, wantErr)
	}
	return ""
}

// TestTypesEncodingJSONTreatsApart: types and tags for which encoding/json
// has rules of its own.
func TestTypesEncodingJSONTreatsApart(t *testing.T) {
	for _, d := range []string{
		differs[uint](`-0`),
		differs[[]uint64](`[1,-0]`),
		differs[json.Number](`"abc"`),
		differs[json.Number](`"12"`),
		differs[struct {
			X int `json:"a'b"`
		}](`{"X":1}`),
		differs[struct {
			X int `json:"a'b"`
		}](`{"a'b":1}`),
		differs[struct {
			A struct{ time.Time } `json:"a"`
		}](`{"a":"2026-01-02T03:04:05Z"}`),
		differs[struct{ time.Time }](`"2026-01-02T03:04:05Z"`),
		differs[struct {
			A struct{ *time.Time } `json:"a"`
		}](`{"a":"2026-01-02T03:04:05Z"}`),
		differs[struct {
			A *struct{ time.Time } `json:"a"`
		}](`{"a":"2026-01-02T03:04:05Z"}`),
		differs[struct {
			A struct{ json.Unmarshaler } `json:"a"`
		}](`{"a":{}}`),
		differs[[]struct{ level }](`[{"level":"x"}]`),
		differs[struct {
			A int `json:"-"`
			B int `json:"b"`
		}](`{"-":1,"b":2}`),
	} {
		if d != "" {
			t.Error(d)
		}
	}
}

// TestSlowListsWhatEncodingJSONDecodes: the check that keeps the client's
// answer types on the fast path sees a struct left to encoding/json, deep
// in a type, and nothing in a type the fast path reads whole.
func TestSlowListsWhatEncodingJSONDecodes(t *testing.T) {
	if slow := Slow(reflect.TypeFor[tree]()); len(slow) != 0 {
		t.Errorf("tree: %v, want none", slow)
	}
	type outer struct {
		Inner []*struct {
			Odd odd `json:"odd"`
		} `json:"inner"`
		M map[string]int `json:"m"`
	}
	got := fmt.Sprint(Slow(reflect.TypeFor[outer]()))
	if got != "[jsondec.odd map[string]int]" {
		t.Errorf("outer: %s", got)
	}
}

// TestAMalformedDocumentAllocatesNothing: the document is checked before
// anything is decoded, as encoding/json checks it, so a truncated list of
// empty objects does not become a list of structs first.
func TestAMalformedDocumentAllocatesNothing(t *testing.T) {
	doc := []byte(`{"sources":[` + strings.Repeat(`{},`, 10000))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	var a answer
	if Unmarshal(doc, &a) == nil {
		t.Fatal("decoded a truncated document")
	}
	runtime.ReadMemStats(&after)
	// 10,000 sources would be about a megabyte; encoding/json's error is
	// a few hundred bytes.
	if n := after.TotalAlloc - before.TotalAlloc; n > 64<<10 {
		t.Errorf("%d bytes allocated for a malformed document", n)
	}
}

func TestUnmarshalNeedsAPointer(t *testing.T) {
	var a answer
	err := Unmarshal([]byte(`{}`), a)
	var invalid *json.InvalidUnmarshalError
	if !errors.As(err, &invalid) {
		t.Fatalf("got %v, want encoding/json's InvalidUnmarshalError", err)
	}
}
