package rules

// This file holds the vector kind's equality. A vector (Firestore's
// vector embedding) is a type of its own in rules, as Google's emulator
// answers: `is map` and `is list` are false, `is vector` is true; size(),
// keys(), `in`, `[]`, `.value` and every other operator or method are
// errors (the default cases of ops.go and funcs.go); string(v) is an
// error. What remains:
//   - `==` is true only between two vectors of the same dimension whose
//     components are equal as Java's Double.equals has it: [0.0] and
//     [-0.0] differ (Google's emulator answers so) and NaN equals NaN
//     [inf]. A vector never equals a list or a map, its stored form
//     {'__type__': '__vector__', 'value': [...]} included.
//   - `in` on a list, hasAny/hasAll/hasOnly and removeAll use `==`.
//   - Sets and map_diff (equalKey) see a vector as the list of its
//     components: Google's emulator reports no change in
//     {'k': v}.diff({'k': [1.0, 2.0]}) for the vector v = [1.0, 2.0],
//     so an update replacing a vector by the equal list does not
//     affect that key there, nor here.

import (
	"math"
	"strconv"
)

// vectorsEqual is `==` between two vectors.
func vectorsEqual(x, y vectorV) bool {
	if len(x) != len(y) {
		return false
	}
	for i := range x {
		if doubleBits(x[i]) != doubleBits(y[i]) {
			return false
		}
	}
	return true
}

// doubleBits is Java's Double.doubleToLongBits: the IEEE bits, every NaN
// folded to one.
func doubleBits(f float64) uint64 {
	if math.IsNaN(f) {
		return 0x7ff8000000000000
	}
	return math.Float64bits(f)
}

// writeVector writes v's key: under set semantics (equalKey) the key of
// the list of its components, which Google's map_diff treats as equal to
// it; strictly (strictKey, which must agree with deepEqual) a key of its
// own, by component bits.
func (k *keyWriter) writeVector(v vectorV) {
	if !k.strict {
		l := make(listV, len(v))
		for i, f := range v {
			l[i] = floatV(f)
		}
		k.write(l)
		return
	}
	b := &k.b
	b.WriteString("V" + strconv.Itoa(len(v)) + "[")
	for _, f := range v {
		b.WriteString(strconv.FormatUint(doubleBits(f), 16))
		b.WriteByte(';')
	}
	b.WriteByte(']')
}
