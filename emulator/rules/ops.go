package rules

// This file implements the operators: arithmetic, comparison, `in`, `is`, member access, index and range.
// Operands are never error values here; eval.go propagates errors first.
//
// Arithmetic decisions (section 10 Q5):
//   - int arithmetic that overflows int64 is an error, as in CEL [inf].
//   - int / int truncates toward zero; % takes the sign of the dividend.
//   - Division or remainder by zero is "Divide by zero error." for ints
//     [obs PY]. Float division follows IEEE-754 as Google's emulator
//     does: 1.0 / 0.0 is Infinity, 0.0 / 0.0 and x % 0.0 are NaN.
//   - MinInt64 / -1 is MinInt64 (Java's wrap-around, as Google's emulator
//     answers); -MinInt64 and + - * overflow are errors, as there.
//   - An int mixed with a float is converted to float.

import (
	"math"
	"math/bits"

	"github.com/roomgate/roomgate/emulator/rules/ast"
)

func unaryOp(op ast.Op, v Value) Value {
	if isError(v) {
		return v // !error is error
	}
	switch op {
	case ast.OpNot:
		if b, ok := v.(boolV); ok {
			return boolOf(!bool(b))
		}
		return errNotBool("!", v) // [inf] same rule as && and ||
	case ast.OpNeg:
		switch x := v.(type) {
		case intV:
			if x == math.MinInt64 {
				return errOverflow("-")
			}
			return -x
		case floatV:
			return -x
		}
	}
	return errUnary(string(op), v)
}

func binaryOp(op ast.Op, l, r Value) Value {
	switch op {
	case ast.OpEq, ast.OpNe:
		if err := bagIn(string(op), l, r); err != nil {
			return err
		}
		return boolOf(equalValues(l, r) == (op == ast.OpEq))
	case ast.OpLt, ast.OpLe, ast.OpGt, ast.OpGe:
		return compareOp(op, l, r)
	case ast.OpIn:
		return inOp(l, r)
	case ast.OpAdd:
		return add(l, r)
	case ast.OpSub:
		return sub(l, r)
	case ast.OpMul:
		return mul(l, r)
	case ast.OpDiv:
		return div(l, r)
	case ast.OpMod:
		return mod(l, r)
	}
	return errBinary(string(op), l, r)
}

func compareOp(op ast.Op, l, r Value) Value {
	c, ok := compareValues(l, r)
	if !ok {
		if _, _, num := numericPair(l, r); num {
			return theFalse // NaN is unordered
		}
		return errBinary(string(op), l, r)
	}
	switch op {
	case ast.OpLt:
		return boolOf(c < 0)
	case ast.OpLe:
		return boolOf(c <= 0)
	case ast.OpGt:
		return boolOf(c > 0)
	}
	return boolOf(c >= 0)
}

// inOp is `x in y`: an element of a list (by deepEqual: no int/float
// coercion, `1 in [1.0]` is false as Google's emulator answers; -0.0 is
// in [0.0], but [-0.0] is not in [[0.0]]), a member
// of a set (numbers by value), or an own key of a map. A non-string key tested against a map is an error
// [inf], not false, so `!(k in m)` cannot pass by accident.
func inOp(x, y Value) Value {
	switch c := y.(type) {
	case *bagV:
		return inOp(x, c.elems)
	case listV:
		for _, e := range c {
			if deepEqual(x, e) {
				return theTrue
			}
		}
		return theFalse
	case *setV:
		return boolOf(c.has(x))
	case mapV:
		k, ok := x.(stringV)
		if !ok {
			return errBinary("in", x, y)
		}
		_, has := c[string(k)]
		return boolOf(has)
	case lazyMap:
		k, ok := x.(stringV)
		if !ok {
			return errBinary("in", x, y)
		}
		return boolOf(c.has(string(k)))
	}
	return errBinary("in", x, y)
}

func add(l, r Value) Value {
	switch a := l.(type) {
	case intV:
		if b, ok := r.(intV); ok {
			s := a + b
			if (a > 0 && b > 0 && s < 0) || (a < 0 && b < 0 && s >= 0) {
				return errOverflow("+")
			}
			return s
		}
	case stringV:
		if b, ok := r.(stringV); ok {
			if len(a)+len(b) > maxValueBytes {
				return errTooLarge()
			}
			return a + b
		}
	case timestampV:
		if d, ok := r.(durationV); ok {
			return makeTimestamp(a.sec+d.sec, int64(a.nsec)+int64(d.nsec))
		}
	case durationV:
		switch b := r.(type) {
		case timestampV:
			return makeTimestamp(b.sec+a.sec, int64(b.nsec)+int64(a.nsec))
		case durationV:
			return makeDuration(a.sec+b.sec, int64(a.nsec)+int64(b.nsec))
		}
	}
	if x, y, ok := numericPair(l, r); ok {
		return floatV(x.float() + y.float())
	}
	return errBinary("+", l, r)
}

func sub(l, r Value) Value {
	switch a := l.(type) {
	case intV:
		if b, ok := r.(intV); ok {
			d := a - b
			if (b < 0 && d < a) || (b > 0 && d > a) {
				return errOverflow("-")
			}
			return d
		}
	case timestampV:
		switch b := r.(type) {
		case durationV:
			return makeTimestamp(a.sec-b.sec, int64(a.nsec)-int64(b.nsec))
		case timestampV:
			return makeDuration(a.sec-b.sec, int64(a.nsec)-int64(b.nsec))
		}
	case durationV:
		if b, ok := r.(durationV); ok {
			return makeDuration(a.sec-b.sec, int64(a.nsec)-int64(b.nsec))
		}
	}
	if x, y, ok := numericPair(l, r); ok {
		return floatV(x.float() - y.float())
	}
	return errBinary("-", l, r)
}

func mul(l, r Value) Value {
	if a, ok := l.(intV); ok {
		if b, ok := r.(intV); ok {
			p, ok := mulInt(int64(a), int64(b))
			if !ok {
				return errOverflow("*")
			}
			return intV(p)
		}
	}
	if x, y, ok := numericPair(l, r); ok {
		return floatV(x.float() * y.float())
	}
	return errBinary("*", l, r)
}

// mulInt multiplies with an overflow check.
func mulInt(a, b int64) (int64, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	neg := (a < 0) != (b < 0)
	hi, lo := bits.Mul64(absU(a), absU(b))
	if hi != 0 {
		return 0, false
	}
	if neg {
		if lo > 1<<63 {
			return 0, false
		}
		return int64(-lo), true // -(1<<63) wraps to MinInt64 exactly
	}
	if lo > math.MaxInt64 {
		return 0, false
	}
	return int64(lo), true
}

func absU(a int64) uint64 {
	if a < 0 {
		return uint64(-a) // MinInt64 maps to 1<<63, as wanted
	}
	return uint64(a)
}

func div(l, r Value) Value {
	if a, ok := l.(intV); ok {
		if b, ok := r.(intV); ok {
			if b == 0 {
				return errDivZero()
			}
			if b == -1 {
				return -a // MinInt64 stays MinInt64, as Java's division
			}
			return a / b
		}
	}
	if x, y, ok := numericPair(l, r); ok {
		return floatV(x.float() / y.float())
	}
	return errBinary("/", l, r)
}

func mod(l, r Value) Value {
	if a, ok := l.(intV); ok {
		if b, ok := r.(intV); ok {
			if b == 0 {
				return errDivZero()
			}
			if b == -1 {
				return intV(0) // avoids the MinInt64 % -1 trap
			}
			return a % b
		}
	}
	if x, y, ok := numericPair(l, r); ok {
		return floatV(math.Mod(x.float(), y.float()))
	}
	return errBinary("%", l, r)
}

// isType is `v is t`. number is int or float; constraint is always false
// [inf] (queries do not expose constraint values to expressions); set is
// always false too, as Google's emulator answers for every set
// (`[1].toSet() is set` is false there). An unknown type name is an
// error, so a typo cannot make `!(x is T)` true.
func isType(v Value, t string) Value {
	switch t {
	case "set":
		return theFalse
	case "number":
		switch v.(type) {
		case intV, floatV:
			return theTrue
		}
		return theFalse
	case "constraint":
		return theFalse
	case "bool", "int", "float", "string", "bytes", "list", "map", "map_diff",
		"timestamp", "duration", "path", "latlng", "vector", "null":
		return boolOf(v.typeName() == t)
	}
	return errorf("Unknown type error: %q is not a type.", t)
}

// member is v.name: a map key (missing → "Property name is undefined on
// object."), or a variable bound into a path by bind().
func member(v Value, name string) Value {
	switch x := v.(type) {
	case mapV:
		if e, ok := x[name]; ok {
			return e
		}
		return errNoKey(name)
	case lazyMap:
		if e, ok := x.field(name); ok {
			return e
		}
		return errNoKey(name)
	case *pathV:
		if e, ok := x.binds[name]; ok {
			return e
		}
		return errNoKey(name)
	case nullV:
		return errNull()
	}
	return errorf("Unsupported operation error. Received: %s.%s. Expected: a map.", v.typeName(), name)
}

// index is v[i]: a list element, a string's UTF-16 unit (as a string), a
// map entry, a path segment by number or a bound path variable by name.
// Negative and out-of-range indexes are errors (no wrapping, no clamping).
func index(v, i Value) Value {
	switch x := v.(type) {
	case listV:
		n, ok := i.(intV)
		if !ok {
			return errBinary("[]", v, i)
		}
		if n < 0 || int64(n) >= int64(len(x)) {
			return errIndex()
		}
		return x[n]
	case stringV:
		n, ok := i.(intV)
		if !ok {
			return errBinary("[]", v, i)
		}
		return utf16Slice(string(x), int64(n), int64(n)+1)
	case mapV, lazyMap:
		k, ok := i.(stringV)
		if !ok {
			return errBinary("[]", v, i)
		}
		return member(x, string(k))
	case *pathV:
		switch k := i.(type) {
		case intV:
			if k < 0 || int64(k) >= int64(len(x.segs)) {
				return errIndex()
			}
			return stringV(x.segs[k])
		case stringV:
			return member(x, string(k))
		}
		return errBinary("[]", v, i)
	case nullV:
		return errNull()
	}
	return errBinary("[]", v, i)
}

// slice is v[lo:hi] on a string (UTF-16 units) or a list; a missing bound
// is the start or the end. Bounds outside 0 <= lo <= hi <= size are errors
// ('hello world'[6:99] errors [obs PY range-slice]).
func slice(v, lo, hi Value) Value {
	bound := func(b Value, def int64) (int64, bool) {
		if b == nil {
			return def, true
		}
		n, ok := b.(intV)
		return int64(n), ok
	}
	var size int64
	switch x := v.(type) {
	case stringV:
		size = int64(utf16Len(string(x)))
	case listV:
		size = int64(len(x))
	case nullV:
		return errNull()
	default:
		return errorf("Unsupported operation error. Received: %s[:]. Expected: string or list.", v.typeName())
	}
	a, ok1 := bound(lo, 0)
	b, ok2 := bound(hi, size)
	if !ok1 || !ok2 {
		return errorf("Unsupported operation error. Received: a range bound that is not an int.")
	}
	if a < 0 || b > size || a > b {
		return errIndex()
	}
	if s, ok := v.(stringV); ok {
		return utf16Slice(string(s), a, b)
	}
	return v.(listV)[a:b:b]
}
