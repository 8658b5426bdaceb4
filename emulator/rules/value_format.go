package rules

// This file renders values as text, for test expectations, debug() and
// error messages. The form is close to rules source where one exists:
// null, true, 1, 2.5, "s", b"\x01", [1, 2], {"a": 1} (keys sorted),
// path("/a/b"), and constructor-like forms for the rest:
// set([...]), map_diff({...}, {...}), timestamp("2006-01-02T15:04:05Z"),
// duration("1.5s"), latlng(1.0, 2.0), vector([1.0, 2.0]), error("...").

import (
	"strconv"
	"strings"
	"time"
)

func formatValue(v Value) string {
	var b strings.Builder
	writeValue(&b, v)
	return b.String()
}

func writeValue(b *strings.Builder, v Value) {
	switch x := v.(type) {
	case nullV:
		b.WriteString("null")
	case boolV:
		b.WriteString(strconv.FormatBool(bool(x)))
	case intV:
		b.WriteString(strconv.FormatInt(int64(x), 10))
	case floatV:
		b.WriteString(javaDouble(float64(x)))
	case stringV:
		b.WriteString(strconv.Quote(string(x)))
	case bytesV:
		b.WriteString("b\"")
		for i := 0; i < len(x); i++ {
			c := x[i]
			if c >= 0x20 && c < 0x7f && c != '"' && c != '\\' {
				b.WriteByte(c)
			} else {
				b.WriteString(`\x`)
				b.WriteString(strings.ToUpper(strconv.FormatUint(uint64(c)|0x100, 16)[1:]))
			}
		}
		b.WriteByte('"')
	case listV:
		writeElems(b, "[", x, "]")
	case mapV:
		b.WriteByte('{')
		for i, k := range sortedKeys(x) {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(strconv.Quote(k))
			b.WriteString(": ")
			writeValue(b, x[k])
		}
		b.WriteByte('}')
	case lazyMap:
		writeValue(b, x.eager())
	case *setV:
		writeElems(b, "set([", x.elems, "])")
	case *bagV:
		writeElems(b, "values([", x.elems, "])")
	case *mapDiffV:
		b.WriteString("map_diff(")
		writeValue(b, x.a)
		b.WriteString(", ")
		writeValue(b, x.b)
		b.WriteByte(')')
	case *pathV:
		b.WriteString("path(")
		b.WriteString(strconv.Quote(x.String()))
		b.WriteByte(')')
	case timestampV:
		b.WriteString("timestamp(\"")
		b.WriteString(x.time().Format(time.RFC3339Nano))
		b.WriteString("\")")
	case durationV:
		b.WriteString("duration(\"")
		b.WriteString(formatDuration(x))
		b.WriteString("\")")
	case latlngV:
		b.WriteString("latlng(")
		b.WriteString(javaDouble(x.lat))
		b.WriteString(", ")
		b.WriteString(javaDouble(x.lng))
		b.WriteByte(')')
	case vectorV:
		b.WriteString("vector([")
		for i, f := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(javaDouble(f))
		}
		b.WriteString("])")
	case *errorV:
		b.WriteString("error(")
		b.WriteString(strconv.Quote(x.msg))
		b.WriteByte(')')
	default:
		b.WriteString("?")
	}
}

func writeElems(b *strings.Builder, open string, elems []Value, close string) {
	b.WriteString(open)
	for i, e := range elems {
		if i > 0 {
			b.WriteString(", ")
		}
		writeValue(b, e)
	}
	b.WriteString(close)
}

// formatDuration renders seconds with up to nine fractional digits, e.g.
// "1.5s", "-10s".
func formatDuration(d durationV) string {
	sec, nsec := d.sec, int64(d.nsec)
	neg := sec < 0 || nsec < 0
	if neg {
		sec, nsec = -sec, -nsec
	}
	s := strconv.FormatInt(sec, 10)
	if nsec != 0 {
		frac := strconv.FormatInt(nsec+nanosPerSec, 10)[1:]
		s += "." + strings.TrimRight(frac, "0")
	}
	if neg {
		s = "-" + s
	}
	return s + "s"
}
