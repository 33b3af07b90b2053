package jsondec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"unicode/utf8"
)

// A document's size bounds its bytes, not what decoding it allocates: 4
// MiB of empty objects, [{},{},...], decoded into a slice of 280-byte
// structs, allocates 1.9 GB. UnmarshalWithin weighs a document before it
// decodes anything and refuses one that could take more than it is
// given. The check of its syntax counts its array items and object
// members, and a bound of what any of them can allocate in the type
// clears most documents at no further cost; a document it does not
// clear is weighed again, value by value, by the field each value
// decodes into.

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
// *TooLargeError. The bound counts two passes, the fast path's and
// encoding/json's when the fast path gives up half way, each with a
// copy of the document and skip's stack for its deep values. It holds for types whose
// UnmarshalJSON or UnmarshalText allocates at most perValue, and nothing
// when the type points at nothing, as the answers' types do.
func UnmarshalWithin(data []byte, v any, max int64) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return json.Unmarshal(data, v)
	}
	d := decoder{data: data}
	if !d.valid() {
		return json.Unmarshal(data, v) // its syntax error; v stays as it was
	}
	c := codecOf(rv.Type().Elem())
	need := d.firstSight(c)
	if need > max {
		w := decoder{data: data}
		one := w.weigh(c)
		need = 2 * add(add(one, d.whole()), mul(w.longest, perLongest))
	}
	if need > max {
		return &TooLargeError{Need: need, Max: max, Items: d.items, Members: d.members}
	}
	return decodeValid(data, rv)
}

// firstSight bounds what decoding the document valid has checked into
// c's type takes, from its counts alone: two passes, each with any item
// and member taking the most one can.
func (d *decoder) firstSight(c *codec) int64 {
	return 2 * add(add(c.w.any(d.items, d.members, len(d.data)), d.whole()), mul(d.scalar, perLongest))
}

// whole bounds what a pass may take for the document whatever it holds:
// a copy of it (an error that quotes a value), and skip's stack for its
// deep values.
func (d *decoder) whole() int64 {
	return add(int64(len(d.data)), mul(d.deep, perDeep))
}

// What a value can allocate beyond what its type says, in one pass.
const (
	// growth bounds the bytes a slice allocates in all for each item it
	// ends with, whatever their number: encoding/json and this package
	// grow a slice an item at a time, so append allocates about 5 times
	// the final array once it is large (grown gives it for n items).
	growth = 8
	// perValue bounds what one value costs that its type does not show:
	// the error encoding/json makes of a value of the wrong kind, the fast
	// path's call of encoding/json for a string it does not read, the zone
	// a time with an offset gets, an interface's value (90 to 250 bytes
	// measured for a map, a slice or a number).
	perValue = 256
	// perByte bounds, at first sight, what a byte of a string or a number
	// can take: unquoting (a byte that is not UTF-8 becomes three, in a
	// buffer grown by doubling, then copied: 10 bytes a byte measured, 22
	// for a key, which is folded to be matched), or an error that quotes
	// it (unquoted weighs a string, fits a number).
	perByte = 24
	// perDeep bounds what skip's stack takes for each bracket it opens
	// past the 32 it holds without allocating: its arrays, grown by
	// doubling, for a value under a key no field takes.
	perDeep = 160
	// emptySlice bounds what a [] takes: both decoders make it an empty
	// slice, not nil, whose header reflect allocates (24 bytes measured).
	emptySlice = 48
	// perKeyByte bounds what a key that needs no unquoting takes for each
	// byte, to be matched: encoding/json folds a copy of it, grown a byte
	// at a time (6 bytes a byte measured for a key of 3 MiB).
	perKeyByte = 8
	// perLongest bounds, for each byte of the longest value a type's own
	// UnmarshalJSON reads, what the error it may end the pass with
	// allocates: a time that does not parse copies its text several
	// times and quotes each byte that is not UTF-8 as \xNN (62 bytes a
	// byte measured).
	perLongest = 64
	// mapEntry and mapTable bound what one member decoded into a map
	// allocates: its key and value, times what the table's growth and its
	// empty slots cost, and a table for each new map.
	mapEntry = 4
	mapTable = 128
)

// weight is the most decoding one array item, or one object member, can
// allocate into a type and what it holds.
type weight struct {
	item   int64 // its slot in a slice, grown, and what the slot points to
	member int64 // the value a nil pointer gets, an entry in a map
	// unmarshals is whether a value may go to a type's own UnmarshalJSON
	// or UnmarshalText, whose error may quote it.
	unmarshals bool
}

// any bounds what one pass of decoding a value of size bytes, with its
// items and members, allocates into a type of weight w, whatever field
// each value goes to, but for the error of a type's own UnmarshalJSON,
// weighed by the longest value (perLongest).
func (w weight) any(items, members, size int) int64 {
	n := add(mul(items, w.item), mul(members, w.member))
	n = add(n, mul(items+members+1, perValue))
	return add(n, mul(size, perByte))
}

// weigh bounds what one pass of decoding the value at d.off into c's
// type allocates, by the field each of its values goes to, and reads
// past it. The document is valid.
func (d *decoder) weigh(c *codec) int64 {
	d.space()
	switch c.kind {
	case kOther, kWhole:
		return d.weighAny(c.w)
	case kUnmarshaler:
		// Its own UnmarshalJSON reads it, and allocates at most perValue
		// (a time's zone) and a copy, nothing when its type points at
		// nothing or it is a short time in UTC, as the API sends them; its
		// error, which ends the pass, copies and quotes the value
		// (weighed once, by the longest: UnmarshalWithin).
		start := d.off
		_ = d.skip()
		d.longest = max(d.longest, d.off-start)
		raw := d.data[start:d.off]
		if c.w.item == 0 && c.w.member == 0 || c.utc && len(raw) <= 34 && bytes.HasSuffix(raw, []byte(`Z"`)) {
			return 0
		}
		// time.Parse copies a value of more than 32 bytes it reads again
		// (a fraction after a comma).
		return add(perValue, rounded(int64(len(raw))))
	}
	if d.literal("null") {
		return 0
	}
	switch b := d.data[d.off]; {
	case c.kind == kStruct && b == '{':
		return d.weighObject(c)
	case c.kind == kSlice && b == '[':
		return d.weighArray(c)
	case c.kind == kPointer:
		if d.depth++; d.depth > maxDepth { // a type such as type P *P
			return d.weighAny(c.w)
		}
		n := add(rounded(c.elem.size), d.weigh(c.elem))
		d.depth--
		return n
	case c.kind == kString && b == '"':
		start := d.off
		if s, ok := d.plainString(); ok {
			return rounded(int64(len(s)))
		}
		d.off = start
		return d.unquoted(1)
	case (c.kind == kInt || c.kind == kUint || c.kind == kFloat) && (b == '-' || b >= '0' && b <= '9'):
		start := d.off
		d.skipNumber()
		if c.fits(d.data[start:d.off]) {
			return 0
		}
		// A float, or an integer the field may not hold: the fast path
		// hands it to encoding/json, whose error, if any, quotes it.
		return add(perValue, mul(d.off-start, 4))
	case c.kind == kBool && (d.literal("true") || d.literal("false")):
		return 0
	}
	// A value of another kind: encoding/json makes an error of it and
	// skips it.
	_ = d.skip()
	return perValue
}

// unquoted weighs the string at d.off, which needs unquoting, and reads
// past it: the fast path's call of encoding/json, a buffer of its length
// grown by doubling as bytes that are not UTF-8 become three, and the
// string it makes; a key costs folds times that, to be matched.
func (d *decoder) unquoted(folds int64) int64 {
	start, high := d.off, 0
	for d.off++; d.data[d.off] != '"'; d.off++ {
		switch c := d.data[d.off]; {
		case c == '\\':
			d.off++
		case c >= utf8.RuneSelf:
			high++
		}
	}
	d.off++
	size, grown := int64(d.off-start), 3*int64(high)
	return add(perValue, mul(int(folds), 4*size+2*grown))
}

// fits reports whether a number of c's kind is one the fast path sets
// itself: an integer of at most 18 digits, no fraction or exponent, that
// the field holds.
func (c *codec) fits(lit []byte) bool {
	n, ok := smallInt(lit)
	if !ok || c.kind == kFloat || c.kind == kUint && n < 0 {
		return false
	}
	if bits := 8 * c.size; bits < 64 {
		if c.kind == kUint {
			return n < 1<<bits
		}
		return -(1<<(bits-1)) <= n && n < 1<<(bits-1)
	}
	return true
}

// weighAny weighs the value at d.off as w.any does, with the error of a
// type's own UnmarshalJSON that could quote all of it, and reads past it.
func (d *decoder) weighAny(w weight) int64 {
	start, items, members := d.off, d.items, d.members
	_ = d.skip()
	n := w.any(d.items-items, d.members-members, d.off-start)
	if w.unmarshals {
		n = add(n, mul(d.off-start, perLongest))
	}
	return n
}

// emptied reads the byte that opens an object or an array, and reports
// whether end closes it at once.
func (d *decoder) emptied(end byte) bool {
	d.off++
	d.space()
	return d.next(end)
}

func (d *decoder) weighObject(c *codec) int64 {
	if d.emptied('}') {
		return 0
	}
	var n int64
	for {
		d.space()
		start := d.off
		key, plain := d.plainString()
		var f *field
		var unquoting int64
		if plain {
			f = c.field(key)
		} else {
			d.off = start
			unquoting = d.unquoted(3)
		}
		d.space()
		d.next(':')
		switch {
		case !plain:
			// Escapes: encoding/json unquotes the key, which may name
			// any field.
			n = add(n, add(unquoting, d.weighAny(c.w)))
		case f != nil && f.name == string(key): // matched as it is
			n = add(n, d.weigh(f.codec))
		case f != nil: // matched but for case, folded
			n = add(n, add(mul(len(key), perKeyByte), d.weigh(f.codec)))
		default: // folded, matched to nothing, skipped
			n = add(n, mul(len(key), perKeyByte))
			d.space()
			_ = d.skip()
		}
		d.space()
		if d.next('}') {
			return n
		}
		d.next(',')
	}
}

func (d *decoder) weighArray(c *codec) int64 {
	if d.emptied(']') {
		return emptySlice
	}
	var n int64
	for items := 1; ; items++ {
		n = add(n, d.weigh(c.elem))
		d.space()
		if d.next(']') {
			return add(n, grown(items, c.elem.size))
		}
		d.next(',')
	}
}

// grown bounds what a slice allocates in all for n items of size bytes
// appended one at a time: each array as Go's append sizes it (twice the
// last up to 256 items, then a quarter more and 192), rounded.
func grown(n int, size int64) int64 {
	var total int64
	for c := 0; c < n; {
		if c < 256 {
			c = max(1, 2*c)
		} else {
			c += (c + 3*256) / 4
		}
		total = add(total, rounded(mul(c, size)))
	}
	// The allocator's rounding up of one array changes the size of the
	// next: up to 7% more in all, measured (40-byte items, 5,325 of them).
	return add(total, total/4)
}

// rounded bounds what allocating b bytes takes: the allocator's size class
// (an eighth more and 16 bytes at most), and a page more for a large
// object.
func rounded(b int64) int64 {
	if b > 32<<10 {
		b = add(b, 8<<10)
	}
	return add(b, b/8+16)
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

// weightOf is t's weight: the most over every slice, pointer, map and
// interface reached from t, unexported fields included (encoding/json
// skips them; counting them only makes the bound safer). It is worked
// out once, with t's codec.
func weightOf(t reflect.Type) weight {
	var w weight
	seen := map[reflect.Type]bool{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		if seen[t] {
			return
		}
		seen[t] = true
		if pt := reflect.PointerTo(t); pt.Implements(unmarshalerType) || pt.Implements(textType) {
			w.unmarshals = true
		}
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
			// An interface's value is a map, a slice, a string, a number
			// or a bool: perValue each, and a slot in a slice or a map.
			w.item, w.member = max(w.item, growth*16), max(w.member, mapEntry*32+mapTable)
		}
	}
	walk(t)
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
