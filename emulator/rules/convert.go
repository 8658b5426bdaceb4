package rules

// This file converts between Go data (request.go's table) and values, and
// implements the conversion functions int(), float(), string(), bool().

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// fromGo converts document or token data (the Go types of request.go's
// table) to a value. Any other Go type yields an error value, so a caller
// bug denies instead of being read as something plausible; an unsupported
// value nested in a list or map makes the whole result that error.
func fromGo(v any) Value {
	switch x := v.(type) {
	case nil:
		return theNull
	case Value:
		return x
	case bool:
		return boolOf(x)
	case int64:
		return intV(x)
	case int:
		return intV(x)
	case int32:
		return intV(x)
	case int16:
		return intV(x)
	case int8:
		return intV(x)
	case uint8:
		return intV(x)
	case uint16:
		return intV(x)
	case uint32:
		return intV(x)
	case uint:
		if uint64(x) > math.MaxInt64 {
			return errorf("Unsupported value: unsigned integer %d overflows int.", x)
		}
		return intV(x)
	case uint64:
		if x > math.MaxInt64 {
			return errorf("Unsupported value: unsigned integer %d overflows int.", x)
		}
		return intV(x)
	case float64:
		return floatV(x)
	case float32:
		return floatV(x)
	case string:
		return stringV(x)
	case []byte:
		return bytesV(x)
	case time.Time:
		return timestampValue(x)
	case LatLng:
		return latlngV{lat: x.Lat, lng: x.Lng}
	case *LatLng:
		if x == nil {
			return theNull
		}
		return latlngV{lat: x.Lat, lng: x.Lng}
	case Reference:
		return pathValue(string(x))
	case Vector:
		return vectorV(x)
	case []any:
		l := make(listV, len(x))
		for i, e := range x {
			if l[i] = fromGo(e); isError(l[i]) {
				return l[i]
			}
		}
		return l
	case map[string]any:
		m := make(mapV, len(x))
		for k, e := range x {
			v := fromGo(e)
			if isError(v) {
				return v
			}
			m[k] = v
		}
		return m
	}
	return errorf("Unsupported value: Go type %T is not a document value.", v)
}

// resourceValue returns the rules Resource for doc: a map with data, id
// and __name__; null for a nil doc.
func resourceValue(doc *Document, database string) Value {
	if doc == nil {
		return theNull
	}
	data := lazyData(doc.Data)
	if _, ok := data.(nullV); ok {
		data = mapV{}
	}
	name := pathValue(doc.Path)
	id := ""
	if p, ok := name.(*pathV); ok && len(p.segs) > 0 {
		id = p.segs[len(p.segs)-1]
	}
	return mapV{
		"data":     data,
		"id":       stringV(id),
		"__name__": name,
	}
}

// pathValue parses a slash-separated path such as
// "/databases/(default)/documents/a/b" (the leading slash is optional).
// An empty inner segment ("a//b") is an error value.
func pathValue(fullPath string) Value {
	p, err := parsePath(fullPath)
	if err != nil {
		return err
	}
	return p
}

func parsePath(s string) (*pathV, Value) {
	s = strings.TrimPrefix(s, "/")
	s = strings.TrimSuffix(s, "/")
	if s == "" {
		return &pathV{}, nil
	}
	segs := strings.Split(s, "/")
	for _, seg := range segs {
		if seg == "" {
			return nil, errorf("Invalid path: empty segment in %q.", s)
		}
	}
	return &pathV{segs: segs}, nil
}

// pathFromSegments returns a path of the given segments (not copied).
func pathFromSegments(segs []string) Value {
	return &pathV{segs: segs}
}

// String renders the path with a leading slash.
func (p *pathV) String() string {
	return "/" + strings.Join(p.segs, "/")
}

// toInt is int(x): from an int, a float (truncated toward zero as Java's
// (long) cast: NaN is 0, out-of-range values saturate, as Google's
// emulator answers) or a decimal string ("2", "-7"; anything
// else is an error, as Java's Long.parseLong rejects it).
func toInt(args []Value) Value {
	if len(args) != 1 {
		return errArgs("int", args, "int(value)")
	}
	switch x := args[0].(type) {
	case intV:
		return x
	case floatV:
		return intV(javaLong(float64(x)))
	case stringV:
		n, ok := parseJavaLong(string(x))
		if !ok {
			return errorf("Unsupported operation error. Cannot convert string %q to int.", string(x))
		}
		return intV(n)
	}
	return errArgs("int", args, "int(int|float|string)")
}

// javaLong is Java's (long) cast of f: truncation toward zero, NaN is 0
// and values outside int64 saturate. Google's emulator converts this way
// (int(float('NaN')) == 0, int(float('1e300')) == 9223372036854775807).
func javaLong(f float64) int64 {
	switch {
	case math.IsNaN(f):
		return 0
	case f >= 9223372036854775808.0:
		return math.MaxInt64
	case f <= -9223372036854775808.0:
		return math.MinInt64
	}
	return int64(f)
}

// parseJavaLong reads s as Java's Long.parseLong does: an optional sign
// and decimal digits, any Unicode decimal digit counting ('١٢' is 12, as
// Google's emulator answers); no spaces, no underscores.
func parseJavaLong(s string) (int64, bool) {
	digits := strings.TrimPrefix(strings.TrimPrefix(s, "-"), "+")
	if digits == "" || len(s)-len(digits) > 1 {
		return 0, false
	}
	ascii := make([]byte, 0, len(s))
	ascii = append(ascii, s[:len(s)-len(digits)]...)
	for _, c := range digits {
		d, ok := decimalDigit(c)
		if !ok {
			return 0, false
		}
		ascii = append(ascii, byte('0'+d))
	}
	n, err := strconv.ParseInt(string(ascii), 10, 64)
	return n, err == nil
}

// decimalDigit is the value of c as Java's Character.digit(c, 10): any
// Unicode decimal digit (category Nd). Each Nd range is a run of whole
// 0-9 blocks, so the value is the offset from the range start mod 10.
func decimalDigit(c rune) (int, bool) {
	if c >= '0' && c <= '9' {
		return int(c - '0'), true
	}
	if c < 0x80 || !unicode.Is(unicode.Nd, c) {
		return 0, false
	}
	for _, r := range unicode.Nd.R16 {
		if c >= rune(r.Lo) && c <= rune(r.Hi) {
			return int(c-rune(r.Lo)) % 10, true
		}
	}
	for _, r := range unicode.Nd.R32 {
		if c >= rune(r.Lo) && c <= rune(r.Hi) {
			return int(c-rune(r.Lo)) % 10, true
		}
	}
	return 0, false
}

// toFloat is float(x): from a float, an int, or a string as Java's
// Double.parseDouble reads it (Google's emulator answers so): surrounding
// whitespace and control characters are trimmed, "NaN", "Infinity" and
// "-Infinity" are accepted, a decimal or hex ("0x1p3") number may end in
// f, F, d or D; "inf", underscores and non-ASCII digits are errors.
func toFloat(args []Value) Value {
	if len(args) != 1 {
		return errArgs("float", args, "float(value)")
	}
	switch x := args[0].(type) {
	case floatV:
		return x
	case intV:
		return floatV(float64(x))
	case stringV:
		f, ok := parseJavaDouble(string(x))
		if !ok {
			return errorf("Unsupported operation error. Cannot convert string %q to float.", string(x))
		}
		return floatV(f)
	}
	return errArgs("float", args, "float(int|float|string)")
}

func parseJavaDouble(s string) (float64, bool) {
	s = strings.TrimFunc(s, func(r rune) bool { return r <= ' ' }) // String.trim
	body := strings.TrimPrefix(strings.TrimPrefix(s, "-"), "+")
	if len(s)-len(body) > 1 {
		return 0, false
	}
	switch body {
	case "NaN":
		if body != s {
			return 0, false
		}
		return math.NaN(), true
	case "Infinity":
		if strings.HasPrefix(s, "-") {
			return math.Inf(-1), true
		}
		return math.Inf(1), true
	}
	if n := len(body); n > 0 && strings.IndexByte("fFdD", body[n-1]) >= 0 {
		body, s = body[:n-1], s[:len(s)-1]
	}
	var ok bool
	if strings.HasPrefix(body, "0x") || strings.HasPrefix(body, "0X") {
		ok = javaHexFloat(body[2:])
	} else {
		ok = javaDecimal(body)
	}
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !isRangeErr(err) {
		return 0, false
	}
	return f, true // a range error yields ±Inf or 0, as Java does
}

// javaDecimal reports whether s is digits [. digits] [e [sign] digits]
// with at least one digit in the mantissa.
func javaDecimal(s string) bool {
	i, mant := digitsAt(s, 0, isDecimal)
	if i < len(s) && s[i] == '.' {
		var m int
		i, m = digitsAt(s, i+1, isDecimal)
		mant += m
	}
	if mant == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		return exponentAt(s, i+1)
	}
	return i == len(s)
}

// javaHexFloat reports whether s (after "0x") is hexdigits [. hexdigits]
// p [sign] digits, with at least one hex digit: Java requires the binary
// exponent.
func javaHexFloat(s string) bool {
	i, mant := digitsAt(s, 0, isHex)
	if i < len(s) && s[i] == '.' {
		var m int
		i, m = digitsAt(s, i+1, isHex)
		mant += m
	}
	if mant == 0 || i >= len(s) || (s[i] != 'p' && s[i] != 'P') {
		return false
	}
	return exponentAt(s, i+1)
}

// exponentAt reports whether s[i:] is [sign] digits.
func exponentAt(s string, i int) bool {
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	end, n := digitsAt(s, i, isDecimal)
	return n > 0 && end == len(s)
}

func digitsAt(s string, i int, ok func(byte) bool) (end, n int) {
	for i < len(s) && ok(s[i]) {
		i++
		n++
	}
	return i, n
}

func isDecimal(c byte) bool { return c >= '0' && c <= '9' }
func isHex(c byte) bool {
	return isDecimal(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// toStringFn is string(x) for bool, int, float, null, string and path (a
// path renders as its segments after a '/', as written: string(/users/a)
// is "/users/a", as Google's emulator answers). Other types are errors
// [inf]: their text form is not documented, and a rule comparing it would
// be guessing.
func toStringFn(args []Value) Value {
	if len(args) != 1 {
		return errArgs("string", args, "string(value)")
	}
	switch x := args[0].(type) {
	case stringV:
		return x
	case boolV:
		return stringV(strconv.FormatBool(bool(x)))
	case intV:
		return stringV(strconv.FormatInt(int64(x), 10))
	case floatV:
		return stringV(javaDouble(float64(x)))
	case nullV:
		return stringV("null")
	case *pathV:
		return stringV("/" + strings.Join(x.segs, "/"))
	}
	return errArgs("string", args, "string(bool|int|float|null|string|path)")
}

// javaDouble formats f as Java's Double.toString does: "2.0", "0.001",
// "1.0E7", "1.2345E-5", "NaN", "Infinity".
func javaDouble(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	abs := math.Abs(f)
	if abs >= 1e-3 && abs < 1e7 {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	s := strconv.FormatFloat(f, 'E', -1, 64) // e.g. 1.2345E-05, 1E+07
	mant, exp, _ := strings.Cut(s, "E")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	e, _ := strconv.Atoi(exp)
	return mant + "E" + strconv.Itoa(e)
}

// strictProductionBuiltins disables the built-ins the reference documents
// but production's Rules Test API reports as "Function not found"
// (bool() and math.isInfinite(); an open question). A rule
// using them then errors and denies, which is the safer reading; set to
// false to enable them.
const strictProductionBuiltins = true

// toBool is bool(x): "true" and "false" (and a bool) only.
func toBool(args []Value) Value {
	if strictProductionBuiltins {
		return errFuncNotFound("bool")
	}
	if len(args) != 1 {
		return errArgs("bool", args, "bool(value)")
	}
	switch x := args[0].(type) {
	case boolV:
		return x
	case stringV:
		switch x {
		case "true":
			return theTrue
		case "false":
			return theFalse
		}
		return errorf("Unsupported operation error. Cannot convert string %q to bool.", string(x))
	}
	return errArgs("bool", args, "bool(bool|string)")
}
