// Package jsondec decodes JSON into Go values exactly as encoding/json's
// Unmarshal does, in less than half the time for the shapes the API's
// answers have: structs of strings, numbers, bools, slices, pointers and
// types with their own UnmarshalJSON (times, counts).
//
// It is a fast path, not a second decoder to trust. It reads the document
// once with a lexer of its own, where encoding/json runs its scanner over
// every byte twice, and it gives up on whatever it does not handle simply
// (a key or string with escapes or bytes that are not UTF-8, a map, an
// interface, a type with UnmarshalText, a struct encoding/json reads by
// rules of its own): that value, or when in doubt the whole document, is
// decoded by encoding/json. Every error is encoding/json's: a document
// this package rejects is decoded again by encoding/json, into the zero
// value it was given, so the result, its error included, is the one
// encoding/json gives. FuzzUnmarshal holds the two to the same answers.
// Like encoding/json, it checks the whole document before it decodes
// anything. A document that falls back after it began is decoded twice,
// so a type's UnmarshalJSON may run twice; the answers' types (time.Time,
// wire.Uint64, wire.Weekday) do nothing but decode.
//
// The client needs it because decoding was most of a call's own work
// (BenchmarkDecode in bench/, make bench, has the figures), and the
// library may use only the standard library.
package jsondec

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Unmarshal decodes data into the value v points to, as json.Unmarshal.
// The fast path takes a value that is zero, as the client's answers are:
// one that holds something already goes to encoding/json, which a failed
// document leaves as it was, or half changed.
func Unmarshal(data []byte, v any) error {
	return UnmarshalWithin(data, v, math.MaxInt64)
}

// decodeValid decodes a well-formed document into the value rv points to.
func decodeValid(data []byte, rv reflect.Value) error {
	if !rv.Elem().IsZero() {
		return json.Unmarshal(data, rv.Interface())
	}
	d := decoder{data: data}
	if d.decode(codecOf(rv.Type().Elem()), rv.Elem()) == nil {
		return nil
	}
	rv.Elem().SetZero()
	return json.Unmarshal(data, rv.Interface())
}

// valid reports whether the data is one well-formed JSON value, as
// encoding/json checks before it decodes anything: nothing is allocated
// for, and no UnmarshalJSON runs on, a document that turns out malformed.
// It counts the document's items and members on the way.
func (d *decoder) valid() bool {
	if d.skip() != nil {
		return false
	}
	d.space()
	return d.off == len(d.data)
}

// Fast decodes data into the zero value v points to, as Unmarshal, and
// reports whether it could without handing the whole document to
// encoding/json: a test holds the client's answers to the fast path with
// it, as speed is what this package is for.
func Fast(data []byte, v any) bool {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || !rv.Elem().IsZero() {
		return false
	}
	if d := (decoder{data: data}); !d.valid() {
		return false
	}
	d := decoder{data: data}
	return d.decode(codecOf(rv.Type().Elem()), rv.Elem()) == nil
}

// Slow lists the types reached from t whose values encoding/json decodes
// (and those that make it decode the whole document): a test holds the
// client's answer types to the fast path with it.
func Slow(t reflect.Type) []reflect.Type {
	var slow []reflect.Type
	seen := map[*codec]bool{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		c := codecOf(t)
		if seen[c] {
			return
		}
		seen[c] = true
		switch c.kind {
		case kOther, kWhole:
			slow = append(slow, t)
		case kPointer, kSlice:
			walk(t.Elem())
		case kStruct:
			for _, f := range c.fields {
				walk(t.Field(f.index).Type)
			}
		}
	}
	walk(t)
	return slow
}

// errGiveUp ends the fast path: the document is malformed, or has
// something it leaves to encoding/json whole.
var errGiveUp = errors.New("jsondec: not on the fast path")

// maxDepth is encoding/json's bound on nesting.
const maxDepth = 10000

type decoder struct {
	data  []byte
	off   int
	depth int
	// items and members count the array items and object members skip
	// has passed, and scalar is the longest string or number it has
	// read: what valid counts to weigh a document (bound.go). longest is
	// the longest value weigh has given a type's own UnmarshalJSON.
	items, members, scalar, longest int
	// deep counts the brackets skip has opened past the 32 its stack
	// holds without allocating.
	deep int
}

func (d *decoder) decode(c *codec, v reflect.Value) error {
	if err := d.value(c, v); err != nil {
		return err
	}
	d.space()
	if d.off != len(d.data) {
		return errGiveUp
	}
	return nil
}

// kind is how a type is decoded.
type kind uint8

const (
	kString kind = iota
	kBool
	kInt
	kUint
	kFloat
	kStruct
	kSlice
	kPointer
	kUnmarshaler // the type's pointer has UnmarshalJSON: it gets the raw value
	kOther       // encoding/json decodes the value
	kWhole       // encoding/json decodes the whole document
)

type codec struct {
	kind   kind
	elem   *codec // of a slice or pointer
	fields []field
	// size is the type's size; w the most an item or member of a value
	// of the type can allocate, whatever it holds; utc that it is
	// time.Time, which a time in UTC allocates nothing for (bound.go).
	size int64
	w    weight
	utc  bool
}

type field struct {
	name  string
	bytes []byte // name, for bytes.EqualFold
	index int
	codec *codec
}

var (
	codecs          sync.Map // reflect.Type → *codec, complete
	building        sync.Mutex
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	textType        = reflect.TypeFor[encoding.TextUnmarshaler]()
	numberType      = reflect.TypeFor[json.Number]()
	timeType        = reflect.TypeFor[time.Time]()
)

// codecOf is t's codec. A type's codec, and those of the types in it,
// are made whole under a lock before any is published: another goroutine
// never reads one half made.
func codecOf(t reflect.Type) *codec {
	if c, ok := codecs.Load(t); ok {
		return c.(*codec)
	}
	building.Lock()
	defer building.Unlock()
	made := map[reflect.Type]*codec{}
	c := newCodec(t, made)
	for t, c := range made {
		codecs.Store(t, c)
	}
	return c
}

// newCodec makes t's codec, or finds it published or being made (a type
// that contains itself).
func newCodec(t reflect.Type, made map[reflect.Type]*codec) *codec {
	if c, ok := codecs.Load(t); ok {
		return c.(*codec)
	}
	if c, ok := made[t]; ok {
		return c
	}
	c := &codec{}
	made[t] = c
	*c = makeCodec(t, made)
	c.size, c.w, c.utc = int64(t.Size()), weightOf(t), t == timeType
	return c
}

func makeCodec(t reflect.Type, made map[reflect.Type]*codec) codec {
	if t.Kind() != reflect.Pointer && t.Kind() != reflect.Interface {
		pt := reflect.PointerTo(t)
		unmarshaler, text := pt.Implements(unmarshalerType), pt.Implements(textType)
		switch {
		case t.Name() == "" && (unmarshaler || text):
			// encoding/json calls the methods an unnamed type gets by
			// embedding only where it reaches the value through a pointer
			// (the top, a pointer field), not in a struct field or a
			// slice. Only the whole document can be handed to it.
			return codec{kind: kWhole}
		case unmarshaler:
			return codec{kind: kUnmarshaler}
		case text, t == numberType: // json.Number checks its string
			return codec{kind: kOther}
		}
	}
	switch t.Kind() {
	case reflect.String:
		return codec{kind: kString}
	case reflect.Bool:
		return codec{kind: kBool}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return codec{kind: kInt}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return codec{kind: kUint}
	case reflect.Float32, reflect.Float64:
		return codec{kind: kFloat}
	case reflect.Pointer:
		return codec{kind: kPointer, elem: newCodec(t.Elem(), made)}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 { // base64 in a string
			return codec{kind: kOther}
		}
		return codec{kind: kSlice, elem: newCodec(t.Elem(), made)}
	case reflect.Struct:
		return structCodec(t, made)
	}
	return codec{kind: kOther}
}

// maxFields bounds the fields of a struct on the fast path, which looks a
// key up by going through them: a wider struct is left to encoding/json,
// whose lookup is a map.
const maxFields = 64

// structCodec lists t's fields, when encoding/json sees them as this
// package does: at most maxFields, each exported, not embedded, named by
// its tag in letters, digits, '_', '-' and '.', no two with the same name.
// Other structs are left to encoding/json.
func structCodec(t reflect.Type, made map[reflect.Type]*codec) codec {
	if t.NumField() > maxFields {
		return codec{kind: kOther}
	}
	c := codec{kind: kStruct}
	seen := map[string]bool{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag, ok := f.Tag.Lookup("json")
		if tag == "-" { // encoding/json ignores the field ("-," names it -)
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if !ok || !f.IsExported() || f.Anonymous || !plainName(name) || seen[name] || hasOption(opts, "string") {
			return codec{kind: kOther}
		}
		seen[name] = true
		c.fields = append(c.fields, field{name: name, bytes: []byte(name), index: i, codec: newCodec(f.Type, made)})
	}
	return c
}

// plainName is a tag's name that encoding/json takes as it is (it ignores
// some others, such as one with a quote, and names the field by Go's name).
func plainName(name string) bool {
	for _, c := range []byte(name) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return name != ""
}

func hasOption(opts, want string) bool {
	for opts != "" {
		var o string
		o, opts, _ = strings.Cut(opts, ",")
		if o == want {
			return true
		}
	}
	return false
}

// value decodes the next value into v, which is addressable.
func (d *decoder) value(c *codec, v reflect.Value) error {
	d.space()
	if d.off >= len(d.data) {
		return errGiveUp
	}
	switch c.kind {
	case kWhole:
		return errGiveUp
	case kUnmarshaler:
		start := d.off
		if err := d.skip(); err != nil {
			return err
		}
		return v.Addr().Interface().(json.Unmarshaler).UnmarshalJSON(d.data[start:d.off])
	case kOther:
		start := d.off
		if err := d.skip(); err != nil {
			return err
		}
		return json.Unmarshal(d.data[start:d.off], v.Addr().Interface())
	}
	if d.literal("null") {
		switch c.kind {
		case kPointer, kSlice:
			v.SetZero()
		}
		return nil
	}
	switch c.kind {
	case kPointer:
		if d.depth++; d.depth > maxDepth { // a type such as type P *P
			return errGiveUp
		}
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		err := d.value(c.elem, v.Elem())
		d.depth--
		return err
	case kStruct:
		return d.object(c, v)
	case kSlice:
		return d.array(c, v)
	case kString:
		return d.string(v)
	case kBool:
		switch {
		case d.literal("true"):
			v.SetBool(true)
		case d.literal("false"):
			v.SetBool(false)
		default:
			return errGiveUp
		}
		return nil
	}
	return d.number(c, v)
}

// open reads the byte that opens an object or an array, c, and the space
// after it, within the bound on nesting.
func (d *decoder) open(c byte) bool {
	if d.data[d.off] != c {
		return false
	}
	if d.depth++; d.depth > maxDepth {
		return false
	}
	d.off++
	d.space()
	return true
}

func (d *decoder) object(c *codec, v reflect.Value) error {
	if !d.open('{') {
		return errGiveUp
	}
	if d.next('}') {
		d.depth--
		return nil
	}
	for {
		d.space()
		key, ok := d.plainString()
		if !ok {
			return errGiveUp
		}
		d.space()
		if !d.next(':') {
			return errGiveUp
		}
		var err error
		if f := c.field(key); f != nil {
			err = d.value(f.codec, v.Field(f.index))
		} else {
			d.space()
			err = d.skip()
		}
		if err != nil {
			return err
		}
		d.space()
		if d.next('}') {
			d.depth--
			return nil
		}
		if !d.next(',') {
			return errGiveUp
		}
	}
}

// field is the field a key names: the one of that name, else the first
// whose name equals the key but for case, as encoding/json matches.
func (c *codec) field(key []byte) *field {
	for i := range c.fields {
		if c.fields[i].name == string(key) {
			return &c.fields[i]
		}
	}
	ascii := isASCII(key)
	for i := range c.fields {
		// Names are ASCII: an ASCII key of another length cannot match.
		if (!ascii || len(c.fields[i].name) == len(key)) && bytes.EqualFold(c.fields[i].bytes, key) {
			return &c.fields[i]
		}
	}
	return nil
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// array decodes into a slice as encoding/json does: into the elements it
// already has, up to its capacity, then into new ones; a [] is an empty
// slice, not nil.
func (d *decoder) array(c *codec, v reflect.Value) error {
	if !d.open('[') {
		return errGiveUp
	}
	i := 0
	if !d.next(']') {
		for {
			if i >= v.Cap() {
				v.Grow(1)
			}
			if i >= v.Len() {
				v.SetLen(i + 1)
			}
			if err := d.value(c.elem, v.Index(i)); err != nil {
				return err
			}
			i++
			d.space()
			if d.next(']') {
				break
			}
			if !d.next(',') {
				return errGiveUp
			}
		}
	}
	d.depth--
	if i < v.Len() {
		v.SetLen(i)
	}
	if i == 0 {
		v.Set(reflect.MakeSlice(v.Type(), 0, 0))
	}
	return nil
}

func (d *decoder) string(v reflect.Value) error {
	if d.data[d.off] != '"' {
		return errGiveUp
	}
	start := d.off
	s, ok := d.plainString()
	if ok {
		v.SetString(string(s))
		return nil
	}
	// Escapes or bytes that are not UTF-8: encoding/json unquotes it.
	d.off = start
	if err := d.skip(); err != nil {
		return err
	}
	return json.Unmarshal(d.data[start:d.off], v.Addr().Interface())
}

// plainString reads a string that needs no unquoting: no escapes, no
// control characters, valid UTF-8. It returns its bytes without the
// quotes, or false, having read nothing of what follows it.
func (d *decoder) plainString() ([]byte, bool) {
	if d.off >= len(d.data) || d.data[d.off] != '"' {
		return nil, false
	}
	start := d.off + 1
	ascii := true
	for i := start; i < len(d.data); i++ {
		switch c := d.data[i]; {
		case c == '"':
			s := d.data[start:i]
			if !ascii && !utf8.Valid(s) {
				return nil, false
			}
			d.off = i + 1
			return s, true
		case c == '\\' || c < 0x20:
			return nil, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return nil, false
}

func (d *decoder) number(c *codec, v reflect.Value) error {
	start := d.off
	if !d.skipNumber() {
		return errGiveUp
	}
	lit := d.data[start:d.off]
	switch c.kind {
	case kInt:
		if n, ok := smallInt(lit); ok && !v.OverflowInt(n) {
			v.SetInt(n)
			return nil
		}
	case kUint:
		if n, ok := smallInt(lit); ok && lit[0] != '-' && !v.OverflowUint(uint64(n)) {
			v.SetUint(uint64(n))
			return nil
		}
	}
	// Floats, and integers too large or too odd to be sure of here.
	return json.Unmarshal(lit, v.Addr().Interface())
}

// smallInt is a JSON number of at most 18 digits and no fraction or
// exponent, which an int64 holds.
func smallInt(lit []byte) (int64, bool) {
	neg := lit[0] == '-'
	if neg {
		lit = lit[1:]
	}
	if len(lit) == 0 || len(lit) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range lit {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

func (d *decoder) space() {
	for d.off < len(d.data) {
		switch d.data[d.off] {
		case ' ', '\t', '\n', '\r':
			d.off++
		default:
			return
		}
	}
}

func (d *decoder) next(c byte) bool {
	if d.off < len(d.data) && d.data[d.off] == c {
		d.off++
		return true
	}
	return false
}

func (d *decoder) literal(s string) bool {
	if len(d.data)-d.off >= len(s) && string(d.data[d.off:d.off+len(s)]) == s {
		d.off += len(s)
		return true
	}
	return false
}

// skip reads one whole value, checking that it is well-formed JSON,
// without recursion; nesting is bounded as encoding/json bounds it.
func (d *decoder) skip() error {
	var small [32]byte
	open := small[:0] // the closing byte of each object and array open
	for {
		d.space()
		if d.off >= len(d.data) {
			return errGiveUp
		}
		switch c := d.data[d.off]; {
		case c == '{' || c == '[':
			if d.depth+len(open)+1 > maxDepth {
				return errGiveUp
			}
			d.off++
			d.space()
			if d.next(c + 2) { // '}' and ']' are '{' and '[' plus two
				break
			}
			if len(open) >= cap(small) {
				d.deep++
			}
			open = append(open, c+2)
			if c == '{' {
				if !d.key() {
					return errGiveUp
				}
				d.members++
			} else {
				d.items++
			}
			continue
		case c == '"':
			start := d.off
			if !d.skipString() {
				return errGiveUp
			}
			d.scalar = max(d.scalar, d.off-start)
		case c == '-' || (c >= '0' && c <= '9'):
			start := d.off
			if !d.skipNumber() {
				return errGiveUp
			}
			d.scalar = max(d.scalar, d.off-start)
		case d.literal("true"), d.literal("false"), d.literal("null"):
		default:
			return errGiveUp
		}
		// A value has ended: close what it ends, then go on to the next.
		for {
			if len(open) == 0 {
				return nil
			}
			d.space()
			end := open[len(open)-1]
			if d.next(end) {
				open = open[:len(open)-1]
				continue
			}
			if !d.next(',') || (end == '}' && !d.key()) {
				return errGiveUp
			}
			if end == '}' {
				d.members++
			} else {
				d.items++
			}
			break
		}
	}
}

// key reads an object's key and its colon.
func (d *decoder) key() bool {
	d.space()
	if d.off >= len(d.data) || d.data[d.off] != '"' || !d.skipString() {
		return false
	}
	d.space()
	return d.next(':')
}

// skipString reads a string whatever it holds, checking its escapes and
// that it has no control characters, as encoding/json's scanner does
// (bytes that are not UTF-8 are allowed there).
func (d *decoder) skipString() bool {
	for i := d.off + 1; i < len(d.data); i++ {
		switch c := d.data[i]; {
		case c == '"':
			d.off = i + 1
			return true
		case c < 0x20:
			return false
		case c == '\\':
			i++
			if i >= len(d.data) {
				return false
			}
			switch d.data[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(d.data) {
					return false
				}
				for _, h := range d.data[i+1 : i+5] {
					if !isHex(h) {
						return false
					}
				}
				i += 4
			default:
				return false
			}
		}
	}
	return false
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// skipNumber reads a number as JSON spells it:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (d *decoder) skipNumber() bool {
	i := d.off
	if i < len(d.data) && d.data[i] == '-' {
		i++
	}
	switch {
	case i < len(d.data) && d.data[i] == '0':
		i++
	case i < len(d.data) && d.data[i] >= '1' && d.data[i] <= '9':
		i = digits(d.data, i)
	default:
		return false
	}
	if i < len(d.data) && d.data[i] == '.' {
		if j := digits(d.data, i+1); j > i+1 {
			i = j
		} else {
			return false
		}
	}
	if i < len(d.data) && (d.data[i] == 'e' || d.data[i] == 'E') {
		i++
		if i < len(d.data) && (d.data[i] == '+' || d.data[i] == '-') {
			i++
		}
		if j := digits(d.data, i); j > i {
			i = j
		} else {
			return false
		}
	}
	d.off = i
	return true
}

// digits is the index after the digits from i on.
func digits(b []byte, i int) int {
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return i
}
