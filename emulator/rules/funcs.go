package rules

// This file holds the tables of built-in functions: global functions,
// namespace functions (math.*, hashing.*, timestamp.*, duration.*,
// latlng.*) and the dispatch of methods by receiver type
// (the standard library and the access calls). A name not in these tables is
// "Function not found error".

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/binary"
	"hash/crc32"
	"math"
)

// globalFunc is a built-in called by plain name; its arguments are already
// evaluated and none is an error.
type globalFunc func(c *evalContext, args []Value) Value

var globalFuncs map[string]globalFunc

func init() {
	// Assigned in init because the access functions refer back to the
	// evaluator.
	globalFuncs = map[string]globalFunc{
		"int":    func(_ *evalContext, a []Value) Value { return toInt(a) },
		"float":  func(_ *evalContext, a []Value) Value { return toFloat(a) },
		"string": func(_ *evalContext, a []Value) Value { return toStringFn(a) },
		"bool":   func(_ *evalContext, a []Value) Value { return toBool(a) },
		"path":   func(_ *evalContext, a []Value) Value { return toPath(a) },
		"debug": func(c *evalContext, a []Value) Value {
			if len(a) != 1 {
				return errArgs("debug", a, "debug(value)")
			}
			return c.debug(a[0])
		},
		"get":         accessFunc("get"),
		"exists":      accessFunc("exists"),
		"getAfter":    accessFunc("getAfter"),
		"existsAfter": accessFunc("existsAfter"),
	}
}

// accessFunc returns the built-in for get/exists/getAfter/existsAfter.
func accessFunc(name string) globalFunc {
	return func(c *evalContext, args []Value) Value {
		var p *pathV
		if len(args) == 1 {
			p, _ = args[0].(*pathV)
		}
		if p == nil {
			return errArgs(name, args, name+"(path)")
		}
		if c.dry {
			return errDry() // an unread binding reads nothing (steps.go)
		}
		if c.access == nil {
			c.access = newAccessTracker(nil, nil, 0, nil) // no documents
		}
		return c.access.access(name, p, c.database)
	}
}

// toPath is path(string); any other argument, a path included, is an
// error ("Expected: path(string)") [obs PY path-constructor-and-bind], and
// so is the empty string, as Google's emulator answers.
func toPath(args []Value) Value {
	if len(args) == 1 {
		if s, ok := args[0].(stringV); ok {
			if s == "" {
				return errorf("Empty Path Template is not allowed.")
			}
			return pathValue(string(s))
		}
	}
	return errArgs("path", args, "path(string)")
}

type namespaceFunc func(args []Value) Value

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

var namespaceFuncs = map[string]map[string]namespaceFunc{
	"math": {
		"abs":   mathAbs,
		"ceil":  mathRounding("ceil", math.Ceil),
		"floor": mathRounding("floor", math.Floor),
		"round": mathRound,
		"sqrt": mathFloat1("sqrt", func(x float64) Value {
			return floatV(math.Sqrt(x))
		}),
		"pow":   mathPow,
		"isNaN": mathFloat1("isNaN", func(x float64) Value { return boolOf(math.IsNaN(x)) }),
		"isInfinite": func(args []Value) Value {
			if strictProductionBuiltins {
				return errFuncNotFound("math.isInfinite")
			}
			return mathFloat1("isInfinite", func(x float64) Value { return boolOf(math.IsInf(x, 0)) })(args)
		},
	},
	"hashing": {
		"crc32": hashFunc("crc32", func(b []byte) []byte {
			return binary.LittleEndian.AppendUint32(nil, crc32.ChecksumIEEE(b))
		}),
		"crc32c": hashFunc("crc32c", func(b []byte) []byte {
			return binary.LittleEndian.AppendUint32(nil, crc32.Checksum(b, castagnoli))
		}),
		"md5": hashFunc("md5", func(b []byte) []byte {
			h := md5.Sum(b)
			return h[:]
		}),
		"sha256": hashFunc("sha256", func(b []byte) []byte {
			h := sha256.Sum256(b)
			return h[:]
		}),
	},
	"timestamp": {
		"date":  timestampDate,
		"value": timestampOfMillis,
	},
	"duration": {
		"value": durationOf,
		"time":  durationTime,
		"abs":   durationAbs,
	},
	"latlng": {
		"value": latlngOf,
	},
}

func callNamespace(ns, name string, args []Value) Value {
	if f, ok := namespaceFuncs[ns][name]; ok {
		return f(args)
	}
	return errFuncNotFound(ns + "." + name)
}

// callMethod dispatches recv.name(args) on the receiver's type.
func callMethod(recv Value, name string, args []Value) Value {
	switch r := recv.(type) {
	case stringV:
		return stringMethod(r, name, args)
	case bytesV:
		return bytesMethod(r, name, args)
	case listV:
		return listMethod(r, name, args)
	case *bagV:
		return bagMethod(r, name, args)
	case *setV:
		return setMethod(r, name, args)
	case mapV:
		return mapMethod(r, name, args)
	case lazyMap:
		return lazyMapMethod(r, name, args)
	case *mapDiffV:
		return mapDiffMethod(r, name, args)
	case *pathV:
		return pathMethod(r, name, args)
	case timestampV:
		return timestampMethod(r, name, args)
	case durationV:
		return durationMethod(r, name, args)
	case latlngV:
		return latlngMethod(r, name, args)
	case nullV:
		return errNull()
	}
	return errFuncNotFound(name)
}

// mathAbs keeps the operand's type. |MinInt64| is MinInt64, as Java's
// Math.abs answers and Google's emulator with it (no error).
func mathAbs(args []Value) Value {
	if len(args) == 1 {
		switch x := args[0].(type) {
		case intV:
			if x < 0 {
				return -x
			}
			return x
		case floatV:
			return floatV(math.Abs(float64(x)))
		}
	}
	return errArgs("math.abs", args, "math.abs(int|float)")
}

// mathRounding returns ceil/floor: always a float, for an int argument
// too, as Google's emulator answers (math.ceil(2.1) is float,
// math.floor(2) is float; NaN and infinities pass through).
func mathRounding(name string, f func(float64) float64) namespaceFunc {
	return func(args []Value) Value {
		if len(args) == 1 {
			if n, ok := asNumber(args[0]); ok {
				return floatV(f(n.float()))
			}
		}
		return errArgs("math."+name, args, "math."+name+"(int|float)")
	}
}

// mathRound is math.round: always an int, as Java's Math.round and
// Google's emulator answer: halves toward +Infinity (2.5 -> 3, -2.5 ->
// -2), NaN is 0 and out-of-range values saturate.
func mathRound(args []Value) Value {
	if len(args) == 1 {
		switch x := args[0].(type) {
		case intV:
			return x
		case floatV:
			return intV(javaLong(roundHalfUp(float64(x))))
		}
	}
	return errArgs("math.round", args, "math.round(int|float)")
}

// roundHalfUp rounds halves toward +Infinity, as Java's Math.round:
// 2.5 -> 3, -2.5 -> -2.
func roundHalfUp(x float64) float64 {
	r := math.Floor(x)
	if x-r >= 0.5 {
		r++
	}
	return r
}

func mathFloat1(name string, f func(float64) Value) namespaceFunc {
	return func(args []Value) Value {
		if len(args) == 1 {
			if n, ok := asNumber(args[0]); ok {
				return f(n.float())
			}
		}
		return errArgs("math."+name, args, "math."+name+"(int|float)")
	}
}

func mathPow(args []Value) Value {
	if len(args) == 2 {
		b, ok1 := asNumber(args[0])
		e, ok2 := asNumber(args[1])
		if ok1 && ok2 {
			return floatV(math.Pow(b.float(), e.float()))
		}
	}
	return errArgs("math.pow", args, "math.pow(int|float, int|float)")
}

// hashFunc wraps a hash of bytes; a string argument is hashed as UTF-8.
func hashFunc(name string, h func([]byte) []byte) namespaceFunc {
	return func(args []Value) Value {
		if len(args) == 1 {
			switch x := args[0].(type) {
			case stringV:
				return bytesV(h([]byte(x)))
			case bytesV:
				return bytesV(h([]byte(x)))
			}
		}
		return errArgs("hashing."+name, args, "hashing."+name+"(string|bytes)")
	}
}
