package rules

// This file defines the engine's value model: a closed set of kinds, one
// Go type per kind. Values are immutable once built; operations return new
// values. Errors are values too: an
// expression that fails yields an *errorV, which operators propagate or
// absorb, and a condition that ends as an error does not grant.

import (
	"fmt"
	"time"

	"github.com/roomgate/roomgate/emulator/rules/ast"
)

// Value is a rules value: null, bool, int, float, string, bytes, list, map,
// set, map_diff, path, timestamp, duration, latlng, vector, or error. The set of
// implementations is closed (the interface has an unexported method).
type Value interface {
	// typeName is the rules type name as `is` spells it, e.g. "int",
	// "map_diff"; "error" for an error value.
	typeName() string
}

type (
	// nullV is null.
	nullV struct{}
	// boolV is a bool.
	boolV bool
	// intV is a signed 64-bit int; arithmetic that overflows is an error.
	intV int64
	// floatV is an IEEE-754 double.
	floatV float64
	// stringV is a string held as UTF-8. Sizes, indexes and ordering count
	// UTF-16 code units, as the Java-based engine does (see methods_string.go).
	stringV string
	// bytesV is a byte string; a Go string keeps it immutable.
	bytesV string
	// listV is a list. Its elements are never nil.
	listV []Value
	// mapV is a map with string keys.
	mapV map[string]Value
	// setV is a set: unique elements in first-insertion order, with an
	// index from equality key to position for fast membership.
	setV struct {
		elems []Value
		index map[string]int
	}
	// mapDiffV is the result of a.diff(b).
	mapDiffV struct {
		a, b mapV
	}
	// pathV is a path: its segments, without slashes. binds holds the
	// variables bound by path.bind(), readable as p[name] or p.name.
	pathV struct {
		segs  []string
		binds map[string]Value
	}
	// timestampV is a UTC instant: seconds since the Unix epoch and
	// nanoseconds in [0, 1e9). Valid range 0001-01-01 .. 9999-12-31.
	timestampV struct {
		sec  int64
		nsec int32
	}
	// durationV is a signed span; sec and nsec share a sign and
	// |nsec| < 1e9. Range ±315,576,000,000 s.
	durationV struct {
		sec  int64
		nsec int32
	}
	// latlngV is a geographic point in degrees.
	latlngV struct {
		lat, lng float64
	}
	// vectorV is a vector embedding: its components, never changed.
	// Google's emulator gives it no operators or methods beyond `==`,
	// `!=`, `is` and membership in lists and sets (value_vector.go).
	vectorV []float64
	// errorV is an evaluation error. pos is the node it arose at, when
	// known.
	errorV struct {
		msg string
		pos ast.Pos
		// typ, when set, makes the error an unknown value of typ's type
		// (never null), from a query's constraints: read directly through
		// a variable, `is` and a comparison with null answer from it
		// (eval.go); any other use is the plain error.
		typ Value
	}
)

func (nullV) typeName() string      { return "null" }
func (boolV) typeName() string      { return "bool" }
func (intV) typeName() string       { return "int" }
func (floatV) typeName() string     { return "float" }
func (stringV) typeName() string    { return "string" }
func (bytesV) typeName() string     { return "bytes" }
func (listV) typeName() string      { return "list" }
func (mapV) typeName() string       { return "map" }
func (*setV) typeName() string      { return "set" }
func (*mapDiffV) typeName() string  { return "map_diff" }
func (*pathV) typeName() string     { return "path" }
func (timestampV) typeName() string { return "timestamp" }
func (durationV) typeName() string  { return "duration" }
func (latlngV) typeName() string    { return "latlng" }
func (vectorV) typeName() string    { return "vector" }
func (*errorV) typeName() string    { return "error" }

// Shared instances, so the common values allocate nothing.
var (
	theNull  Value = nullV{}
	theTrue  Value = boolV(true)
	theFalse Value = boolV(false)
)

// errorf returns an error value with a formatted message.
func errorf(format string, args ...any) Value {
	return &errorV{msg: fmt.Sprintf(format, args...)}
}

// isError reports whether v is an error value.
func isError(v Value) bool {
	_, ok := v.(*errorV)
	return ok
}

// errorText returns the message of an error value, or "" for any other
// value.
func errorText(v Value) string {
	if e, ok := v.(*errorV); ok {
		return e.msg
	}
	return ""
}

// boolValue returns the bool held by v; ok is false unless v is a bool.
func boolValue(v Value) (b bool, ok bool) {
	bv, ok := v.(boolV)
	return bool(bv), ok
}

// nullValue returns null.
func nullValue() Value { return theNull }

// boolOf returns the shared bool value for b.
func boolOf(b bool) Value {
	if b {
		return theTrue
	}
	return theFalse
}

// stringValue returns a string value.
func stringValue(s string) Value { return stringV(s) }

// mapValue returns a map value holding m (not copied; the caller must not
// change m afterwards).
func mapValue(m map[string]Value) Value { return mapV(m) }

// timestampValue returns t as a timestamp, or an error if t lies outside
// 0001-01-01 .. 9999-12-31.
func timestampValue(t time.Time) Value {
	return makeTimestamp(t.Unix(), int64(t.Nanosecond()))
}

// newSet builds a set of the unique elements of elems, keeping the first
// of equal elements.
func newSet(elems []Value) *setV {
	s := &setV{index: make(map[string]int, len(elems))}
	for _, e := range elems {
		s.add(e)
	}
	return s
}

// add inserts e unless an equal element is present.
func (s *setV) add(e Value) {
	k := equalKey(e)
	if _, ok := s.index[k]; ok {
		return
	}
	s.index[k] = len(s.elems)
	s.elems = append(s.elems, e)
}

// has reports whether the set holds an element equal to e.
func (s *setV) has(e Value) bool {
	_, ok := s.index[equalKey(e)]
	return ok
}
