package rules

// This file holds equality, ordering and the equality keys that sets and
// list methods use.
//
// Equality decisions ([inf], see FIDELITY.md):
//   - `==` between values of different types is false, never an error,
//     except that an int and a float compare by numeric value (1 == 1.0).
//   - Inside lists and maps `==` does not coerce: [1] == [1.0] is false, as
//     HD measured against the official emulator.
//   - Sets (toSet, `in` on a set, the set methods) and map_diff compare
//     numbers by value at any depth, and a NaN equals a NaN there; they
//     use equalKey, which maps equal values to the same string.
//   - `in` on a list and the list methods hasAll, hasAny, hasOnly and
//     removeAll do not coerce, at any depth (`1 in [1.0]` and
//     `[1].hasAny([1.0])` are false), as Google's emulator answers; they
//     use deepEqual, or strictKey for long lists.
//   - NaN equals nothing, itself included, except in sets and map_diff.
//   - A float nested in a list or map (at any depth, a map's values
//     included) equals another only when they are numerically equal and
//     have the same sign, as Google's emulator answers: [0.0] == [-0.0],
//     {'a': 0.0} == {'a': -0.0} and [0.0] in [[-0.0]] are false, while
//     0.0 == -0.0, -0.0 in [0.0] and [-0.0].hasAny([0.0]) are true (the
//     element itself is compared as at the top level). A nested NaN still
//     equals nothing ([NaN] == [NaN] is false, unlike Java's
//     Double.equals), also as Google answers. Sets and map_diff keep
//     comparing by value, -0.0 equal to 0.0 at any depth. Consequence:
//     `l == [0.0]` does not hold for a stored [-0.0], so a rule granting on
//     list or map equality grants no more than Google's emulator.

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// equalValues is `==` for two non-error values.
func equalValues(a, b Value) bool {
	if x, y, ok := numericPair(a, b); ok {
		return numEqual(x, y)
	}
	return deepEqual(a, b)
}

// deepEqual compares without int/float coercion at the top level; sets
// compare by equalKey. Two floats compare numerically at the top level
// (-0.0 equals 0.0); inside lists and maps deepNested compares them.
func deepEqual(a, b Value) bool { return deepEqualAt(a, b, false) }

// deepNested is deepEqual for values nested in a list or map, where a
// float also needs the same sign (0.0 and -0.0 differ).
func deepNested(a, b Value) bool { return deepEqualAt(a, b, true) }

func deepEqualAt(a, b Value, nested bool) bool {
	switch x := a.(type) {
	case nullV:
		_, ok := b.(nullV)
		return ok
	case boolV:
		y, ok := b.(boolV)
		return ok && x == y
	case intV:
		y, ok := b.(intV)
		return ok && x == y
	case floatV:
		y, ok := b.(floatV)
		return ok && x == y && (!nested || math.Signbit(float64(x)) == math.Signbit(float64(y)))
	case stringV:
		y, ok := b.(stringV)
		return ok && x == y
	case bytesV:
		y, ok := b.(bytesV)
		return ok && x == y
	case listV:
		y, ok := b.(listV)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !deepNested(x[i], y[i]) {
				return false
			}
		}
		return true
	case mapV:
		y, ok := asMapV(b)
		return ok && mapsEqual(x, y)
	case lazyMap:
		y, ok := asMapV(b)
		return ok && mapsEqual(x.eager(), y)
	case *setV:
		y, ok := b.(*setV)
		if !ok || len(x.elems) != len(y.elems) {
			return false
		}
		for k := range x.index {
			if _, ok := y.index[k]; !ok {
				return false
			}
		}
		return true
	case *mapDiffV:
		y, ok := b.(*mapDiffV)
		return ok && mapsEqual(x.a, y.a) && mapsEqual(x.b, y.b)
	case *pathV:
		y, ok := b.(*pathV)
		if !ok || len(x.segs) != len(y.segs) {
			return false
		}
		for i := range x.segs {
			if x.segs[i] != y.segs[i] {
				return false
			}
		}
		return true
	case timestampV:
		y, ok := b.(timestampV)
		return ok && x == y
	case durationV:
		y, ok := b.(durationV)
		return ok && x == y
	case latlngV:
		y, ok := b.(latlngV)
		return ok && x == y
	case vectorV:
		y, ok := b.(vectorV)
		return ok && vectorsEqual(x, y)
	}
	return false
}

// mapsEqual compares two maps' keys and, nested, their values.
func mapsEqual(x, y mapV) bool {
	if len(x) != len(y) {
		return false
	}
	for k, xv := range x {
		yv, ok := y[k]
		if !ok || !deepNested(xv, yv) {
			return false
		}
	}
	return true
}

// number is an int or float operand, kept exact.
type number struct {
	isFloat bool
	i       int64
	f       float64
}

// numericPair returns a and b as numbers when both are int or float.
func numericPair(a, b Value) (number, number, bool) {
	x, ok1 := asNumber(a)
	y, ok2 := asNumber(b)
	return x, y, ok1 && ok2
}

func asNumber(v Value) (number, bool) {
	switch n := v.(type) {
	case intV:
		return number{i: int64(n)}, true
	case floatV:
		return number{isFloat: true, f: float64(n)}, true
	}
	return number{}, false
}

func (n number) float() float64 {
	if n.isFloat {
		return n.f
	}
	return float64(n.i)
}

func numEqual(x, y number) bool {
	c, ok := numCompare(x, y)
	return ok && c == 0
}

// numCompare orders two numbers; ok is false when either is NaN. Two
// ints compare exactly; an int mixed with a float is converted to a
// double first, as the reference documents and Google's emulator answers
// (9007199254740993 == 9007199254740992.0 is true).
func numCompare(x, y number) (int, bool) {
	if !x.isFloat && !y.isFloat {
		return cmpInt(x.i, y.i), true
	}
	a, b := x.float(), y.float()
	if math.IsNaN(a) || math.IsNaN(b) {
		return 0, false
	}
	return cmpFloat(a, b), true
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// compareValues orders two values of an ordered type (numbers, strings,
// bytes, timestamps, durations). ok is false when the pair is not ordered
// (different types, NaN, or an unordered type).
func compareValues(a, b Value) (int, bool) {
	if x, y, ok := numericPair(a, b); ok {
		return numCompare(x, y)
	}
	switch x := a.(type) {
	case stringV:
		if y, ok := b.(stringV); ok {
			return compareUTF16(string(x), string(y)), true
		}
	case bytesV:
		if y, ok := b.(bytesV); ok {
			return strings.Compare(string(x), string(y)), true
		}
	case timestampV:
		if y, ok := b.(timestampV); ok {
			return cmpSecNanos(x.sec, x.nsec, y.sec, y.nsec), true
		}
	case durationV:
		if y, ok := b.(durationV); ok {
			return cmpSecNanos(x.sec, x.nsec, y.sec, y.nsec), true
		}
	}
	return 0, false
}

func cmpSecNanos(as int64, an int32, bs int64, bn int32) int {
	if c := cmpInt(as, bs); c != 0 {
		return c
	}
	return cmpInt(int64(an), int64(bn))
}

// compareUTF16 orders strings by UTF-16 code units, as Java's
// String.compareTo does (it differs from UTF-8 byte order only between
// supplementary characters and U+E000..U+FFFF).
func compareUTF16(a, b string) int {
	for a != "" && b != "" {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if ra != rb {
			return cmpInt(int64(firstUnit(ra)), int64(firstUnit(rb)))
		}
		a, b = a[na:], b[nb:]
	}
	return cmpInt(int64(len(a)), int64(len(b)))
}

func firstUnit(r rune) rune {
	if r >= 0x10000 {
		hi, _ := utf16.EncodeRune(r)
		return hi
	}
	return r
}

// equalKey returns a string that is equal for two values exactly when they
// are equal under set semantics (numbers by value at any depth).
func equalKey(v Value) string {
	var k keyWriter
	k.write(v)
	return k.b.String()
}

// strictKey returns a string that is equal for two values exactly when
// deepEqual holds for them (no int/float coercion at any depth; sets
// inside compare as sets; -0.0 is 0.0 at the top level only). ok is false
// when v holds a NaN outside a set: such a value equals nothing.
func strictKey(v Value) (key string, ok bool) {
	k := keyWriter{strict: true}
	k.write(v)
	return k.b.String(), !k.nan
}

// keyWriter builds equalKey (set semantics) or, with strict, strictKey.
type keyWriter struct {
	b      strings.Builder
	strict bool
	nan    bool // strict: a NaN was written
	depth  int  // lists and maps entered: a nested -0.0 keeps its sign
}

func (k *keyWriter) write(v Value) {
	b := &k.b
	switch x := v.(type) {
	case nullV:
		b.WriteString("z;")
	case boolV:
		if x {
			b.WriteString("t;")
		} else {
			b.WriteString("f;")
		}
	case intV:
		b.WriteByte('n')
		b.WriteString(strconv.FormatInt(int64(x), 10))
		b.WriteByte(';')
	case floatV:
		f := float64(x)
		if k.strict {
			if math.IsNaN(f) {
				k.nan = true
			}
			if f == 0 && k.depth == 0 {
				f = 0 // -0.0 == 0.0 at the top level only
			}
			b.WriteByte('d')
			b.WriteString(strconv.FormatFloat(f, 'g', -1, 64))
		} else if f == math.Trunc(f) && f >= -9223372036854775808.0 && f < 9223372036854775808.0 {
			b.WriteByte('n')
			b.WriteString(strconv.FormatInt(int64(f), 10))
		} else {
			b.WriteByte('d')
			b.WriteString(strconv.FormatFloat(f, 'g', -1, 64))
		}
		b.WriteByte(';')
	case stringV:
		writeLenPrefixed(b, 's', string(x))
	case bytesV:
		writeLenPrefixed(b, 'b', string(x))
	case listV:
		b.WriteString("l" + strconv.Itoa(len(x)) + "[")
		k.depth++
		for _, e := range x {
			k.write(e)
		}
		k.depth--
		b.WriteByte(']')
	case mapV:
		b.WriteString("m" + strconv.Itoa(len(x)) + "{")
		k.depth++
		for _, key := range sortedKeys(x) {
			writeLenPrefixed(b, 'k', key)
			k.write(x[key])
		}
		k.depth--
		b.WriteByte('}')
	case *setV:
		keys := make([]string, 0, len(x.index))
		for key := range x.index {
			keys = append(keys, key)
		}
		sort.Strings(keys)
		b.WriteString("S" + strconv.Itoa(len(keys)) + "{")
		for _, key := range keys {
			b.WriteString(key)
		}
		b.WriteByte('}')
	case lazyMap:
		k.write(x.eager())
	case *mapDiffV:
		b.WriteByte('D')
		k.write(x.a)
		k.write(x.b)
	case *pathV:
		b.WriteString("p" + strconv.Itoa(len(x.segs)) + "[")
		for _, s := range x.segs {
			writeLenPrefixed(b, 'k', s)
		}
		b.WriteByte(']')
	case timestampV:
		b.WriteString("T" + strconv.FormatInt(x.sec, 10) + "." + strconv.Itoa(int(x.nsec)) + ";")
	case durationV:
		b.WriteString("U" + strconv.FormatInt(x.sec, 10) + "." + strconv.Itoa(int(x.nsec)) + ";")
	case latlngV:
		b.WriteString("L" + strconv.FormatFloat(x.lat, 'g', -1, 64) + "," + strconv.FormatFloat(x.lng, 'g', -1, 64) + ";")
	case vectorV:
		k.writeVector(x)
	case *errorV:
		writeLenPrefixed(b, 'E', x.msg)
	}
}

func writeLenPrefixed(b *strings.Builder, tag byte, s string) {
	b.WriteByte(tag)
	b.WriteString(strconv.Itoa(len(s)))
	b.WriteByte(':')
	b.WriteString(s)
}

// sortedKeys returns the keys of m in ascending order (the order of
// keys() and values()).
func sortedKeys(m mapV) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
