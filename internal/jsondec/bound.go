package jsondec

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"sync"
)

// A document's size bounds its bytes, not what decoding it allocates: 4
// MiB of empty objects, [{},{},...], decoded into a slice of 280-byte
// structs, allocates 1.9 GB. UnmarshalWithin weighs a document before it
// decodes anything, from what the check of its syntax counts (its array
// items and object members) and what its type can allocate for one of
// each, and refuses one that could take more than it is given.

// TooLargeError is UnmarshalWithin's refusal: decoding the document could
// allocate Need bytes, more than Max.
type TooLargeError struct {
	Need, Max      int64
	Items, Members int // the document's array items and object members
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("decoding it could take %s, more than the %s allowed: it holds %s and %s",
		bytesUp(e.Need), bytesUp(e.Max), plural(e.Items, "array item"), plural(e.Members, "object member"))
}

// bytesUp spells n bytes, in whole MiB, rounded up, from 1 MiB.
func bytesUp(n int64) string {
	if n < 1<<20 {
		return plural(int(n), "byte")
	}
	return fmt.Sprintf("%d MiB", (n-1)>>20+1)
}

func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

// UnmarshalWithin decodes as Unmarshal, unless decoding data into v could
// allocate more than max bytes: then it decodes nothing, and returns a
// *TooLargeError. The bound holds for types whose UnmarshalJSON
// allocates no more than what they point to, as the answers' do.
func UnmarshalWithin(data []byte, v any, max int64) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return json.Unmarshal(data, v)
	}
	d := decoder{data: data}
	if !d.valid() {
		return json.Unmarshal(data, v) // its syntax error; v stays as it was
	}
	if need := weightOf(rv.Type().Elem()).need(len(data), d.items, d.members); need > max {
		return &TooLargeError{Need: need, Max: max, Items: d.items, Members: d.members}
	}
	return decodeValid(data, rv)
}

// growth bounds the bytes a slice allocates in all for each item it ends
// with. encoding/json and this package grow a slice an item at a time,
// so append allocates about 5 times the final array (1.25 times a step
// once it is large), rounded up to the allocator's size classes.
const growth = 8

// anyValue bounds what one value decoded into an interface allocates: 90
// to 250 bytes measured, for a map, a slice or a number
// (TestTheBoundCoversWhatDecodingAllocates).
const anyValue = 256

// mapEntry and mapTable bound what one member decoded into a map
// allocates: its key and value, times what the table's growth and its
// empty slots cost, and a table for each new map.
const (
	mapEntry = 4
	mapTable = 128
)

// weight is the most decoding one array item, or one object member, can
// allocate into a type and what it holds.
type weight struct {
	item   int64 // its slot in a slice, grown, and what the slot points to
	member int64 // the value a nil pointer gets, an entry in a map, an interface's value
}

// need bounds what decoding a document of size bytes, with its items and
// members, allocates: strings and the numbers an interface holds take
// at most twice the bytes that spell them.
func (w weight) need(size, items, members int) int64 {
	return add(add(2*int64(size), mul(items, w.item)), mul(members, w.member))
}

func mul(n int, w int64) int64 {
	if w != 0 && int64(n) > math.MaxInt64/w {
		return math.MaxInt64
	}
	return int64(n) * w
}

func add(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

var weights sync.Map // reflect.Type → weight

// weightOf is t's weight: the most over every slice, pointer, map and
// interface reached from t, unexported fields included (encoding/json
// skips them; counting them only makes the bound safer).
func weightOf(t reflect.Type) weight {
	if w, ok := weights.Load(t); ok {
		return w.(weight)
	}
	var w weight
	seen := map[reflect.Type]bool{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		if seen[t] {
			return
		}
		seen[t] = true
		switch t.Kind() {
		case reflect.Pointer:
			w.member = max(w.member, pointee(t))
			walk(t.Elem())
		case reflect.Slice:
			w.item = max(w.item, growth*int64(t.Elem().Size())+pointee(t.Elem()))
			walk(t.Elem())
		case reflect.Array:
			walk(t.Elem())
		case reflect.Struct:
			for i := range t.NumField() {
				walk(t.Field(i).Type)
			}
		case reflect.Map:
			entry := mapEntry*int64(t.Key().Size()+t.Elem().Size()) + mapTable + pointee(t.Elem())
			w.member = max(w.member, entry)
			walk(t.Key())
			walk(t.Elem())
		case reflect.Interface:
			w.item, w.member = max(w.item, anyValue), max(w.member, anyValue)
		}
	}
	walk(t)
	weights.Store(t, w)
	return w
}

// pointee is what filling a value of type t allocates when t is a
// pointer: what it points to, and on down a chain of pointers.
func pointee(t reflect.Type) int64 {
	var n int64
	for seen := map[reflect.Type]bool{}; t.Kind() == reflect.Pointer && !seen[t]; t = t.Elem() {
		seen[t] = true
		n += int64(t.Elem().Size())
	}
	return n
}
