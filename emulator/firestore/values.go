package firestore

import (
	"bytes"
	"math"
	"sort"
	"strconv"
	"strings"

	"cloud.google.com/go/firestore/apiv1/firestorepb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// This file holds Firestore's value model: the total order across value
// types used by order-by, cursors and range filters, and the equality used
// by ==, in, array-contains and the array transforms.
//
// Cross-type order (https://firebase.google.com/docs/firestore/manage-data/data-types,
// "Value type ordering"): null < bool < NaN < numbers (integers and doubles
// compared numerically) < timestamp < string < bytes < reference < geopoint
// < array < vector < map. NaN sorts before every other number.

// Type ranks returned by typeOrder. Integers and doubles share one rank
// because they compare numerically.
const (
	rankNull = iota
	rankBool
	rankNumber
	rankTimestamp
	rankString
	rankBytes
	rankReference
	rankGeoPoint
	rankArray
	rankVector
	rankMap
	// rankInvalid is for nil values and the pipeline-only kinds (field
	// references, functions, pipelines), which are not document data.
	rankInvalid
)

// typeOrder returns the rank of v's type in Firestore's cross-type order.
func typeOrder(v *firestorepb.Value) int {
	if v == nil {
		return rankInvalid
	}
	switch x := v.ValueType.(type) {
	case *firestorepb.Value_NullValue:
		return rankNull
	case *firestorepb.Value_BooleanValue:
		return rankBool
	case *firestorepb.Value_IntegerValue, *firestorepb.Value_DoubleValue:
		return rankNumber
	case *firestorepb.Value_TimestampValue:
		return rankTimestamp
	case *firestorepb.Value_StringValue:
		return rankString
	case *firestorepb.Value_BytesValue:
		return rankBytes
	case *firestorepb.Value_ReferenceValue:
		return rankReference
	case *firestorepb.Value_GeoPointValue:
		return rankGeoPoint
	case *firestorepb.Value_ArrayValue:
		return rankArray
	case *firestorepb.Value_MapValue:
		if isVector(x.MapValue) {
			return rankVector
		}
		return rankMap
	}
	return rankInvalid
}

// isDataValue reports whether v is a value that may appear in document data
// or as a query operand (not nil, not a pipeline expression).
func isDataValue(v *firestorepb.Value) bool {
	return typeOrder(v) != rankInvalid
}

// isVector reports whether m is a vector embedding, which Firestore stores
// as the map {__type__: "__vector__", value: [doubles]}.
func isVector(m *firestorepb.MapValue) bool {
	if m == nil {
		return false
	}
	t := m.Fields["__type__"]
	if t == nil || t.GetStringValue() != "__vector__" {
		return false
	}
	_, ok := m.Fields["value"].GetValueType().(*firestorepb.Value_ArrayValue)
	return ok
}

// isNaN reports whether v is the double NaN.
func isNaN(v *firestorepb.Value) bool {
	d, ok := v.GetValueType().(*firestorepb.Value_DoubleValue)
	return ok && math.IsNaN(d.DoubleValue)
}

// compareValues orders a and b in Firestore's total order, returning -1, 0
// or +1. Values of different types compare by typeOrder; NaN equals NaN
// and sorts below every other number; -0.0 equals 0.0.
func compareValues(a, b *firestorepb.Value) int {
	ra, rb := typeOrder(a), typeOrder(b)
	if ra != rb {
		return cmpInt(ra, rb)
	}
	switch ra {
	case rankNull, rankInvalid:
		return 0
	case rankBool:
		return cmpBool(a.GetBooleanValue(), b.GetBooleanValue())
	case rankNumber:
		return compareNumbers(a, b)
	case rankTimestamp:
		ta, tb := a.GetTimestampValue(), b.GetTimestampValue()
		if c := cmpInt64(ta.GetSeconds(), tb.GetSeconds()); c != 0 {
			return c
		}
		return cmpInt64(int64(ta.GetNanos()), int64(tb.GetNanos()))
	case rankString:
		// Go compares strings bytewise, which is UTF-8 byte order as
		// Firestore specifies.
		return strings.Compare(a.GetStringValue(), b.GetStringValue())
	case rankBytes:
		return bytes.Compare(a.GetBytesValue(), b.GetBytesValue())
	case rankReference:
		return compareReferences(a.GetReferenceValue(), b.GetReferenceValue())
	case rankGeoPoint:
		ga, gb := a.GetGeoPointValue(), b.GetGeoPointValue()
		if c := cmpFloat(ga.GetLatitude(), gb.GetLatitude()); c != 0 {
			return c
		}
		return cmpFloat(ga.GetLongitude(), gb.GetLongitude())
	case rankArray:
		return compareArrays(a.GetArrayValue().GetValues(), b.GetArrayValue().GetValues())
	case rankVector:
		// Vectors order by dimension first, then element-wise.
		va := a.GetMapValue().GetFields()["value"].GetArrayValue().GetValues()
		vb := b.GetMapValue().GetFields()["value"].GetArrayValue().GetValues()
		if c := cmpInt(len(va), len(vb)); c != 0 {
			return c
		}
		return compareArrays(va, vb)
	case rankMap:
		return compareMaps(a.GetMapValue().GetFields(), b.GetMapValue().GetFields())
	}
	return 0
}

// compareReferences orders document names segment by segment, so that
// "a/b" sorts before "a-x" (a plain string compare would put '-' first).
func compareReferences(a, b string) int {
	for {
		sa, resta, moreA := strings.Cut(a, "/")
		sb, restb, moreB := strings.Cut(b, "/")
		if c := strings.Compare(sa, sb); c != 0 {
			return c
		}
		switch {
		case !moreA && !moreB:
			return 0
		case !moreA:
			return -1
		case !moreB:
			return 1
		}
		a, b = resta, restb
	}
}

func compareArrays(a, b []*firestorepb.Value) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if c := compareValues(a[i], b[i]); c != 0 {
			return c
		}
	}
	return cmpInt(len(a), len(b))
}

// compareMaps compares maps as their key-sorted (key, value) sequences:
// first differing key, else first differing value, else the shorter map
// first.
func compareMaps(a, b map[string]*firestorepb.Value) int {
	ka, kb := sortedKeys(a), sortedKeys(b)
	for i := 0; i < len(ka) && i < len(kb); i++ {
		if c := strings.Compare(ka[i], kb[i]); c != 0 {
			return c
		}
		if c := compareValues(a[ka[i]], b[kb[i]]); c != 0 {
			return c
		}
	}
	return cmpInt(len(ka), len(kb))
}

func sortedKeys(m map[string]*firestorepb.Value) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// compareNumbers compares two numeric values exactly: an int64 and a
// double are compared without rounding the integer to a double, so
// 2^53+1 > float64(2^53).
func compareNumbers(a, b *firestorepb.Value) int {
	ai, aInt := a.ValueType.(*firestorepb.Value_IntegerValue)
	bi, bInt := b.ValueType.(*firestorepb.Value_IntegerValue)
	switch {
	case aInt && bInt:
		return cmpInt64(ai.IntegerValue, bi.IntegerValue)
	case aInt:
		return -compareDoubleInt(b.GetDoubleValue(), ai.IntegerValue)
	case bInt:
		return compareDoubleInt(a.GetDoubleValue(), bi.IntegerValue)
	}
	return cmpFloat(a.GetDoubleValue(), b.GetDoubleValue())
}

// compareDoubleInt compares double d with integer i; NaN is below all.
func compareDoubleInt(d float64, i int64) int {
	switch {
	case math.IsNaN(d):
		return -1
	case d < -0x1p63:
		return -1
	case d >= 0x1p63:
		return 1
	}
	t := int64(d) // truncates toward zero; exact since |d| < 2^63
	if c := cmpInt64(t, i); c != 0 {
		return c
	}
	frac := d - float64(t)
	switch {
	case frac > 0:
		return 1
	case frac < 0:
		return -1
	}
	return 0
}

// cmpFloat orders doubles with NaN equal to itself and below everything.
func cmpFloat(a, b float64) int {
	an, bn := math.IsNaN(a), math.IsNaN(b)
	switch {
	case an && bn:
		return 0
	case an:
		return -1
	case bn:
		return 1
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpInt(a, b int) int { return cmpInt64(int64(a), int64(b)) }
func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

// valuesEqual is Firestore equality: numbers compare numerically (3 ==
// 3.0, -0.0 == 0.0), NaN equals NaN (so arrayRemove can remove it), and
// arrays and maps compare element-wise. Values of different types are
// never equal.
func valuesEqual(a, b *firestorepb.Value) bool {
	ra := typeOrder(a)
	if ra == rankInvalid || ra != typeOrder(b) {
		return false
	}
	return compareValues(a, b) == 0
}

// parseFieldPath splits a field path in the wire syntax ("a.b", "a.`b.c`",
// "`x\`y`") into its segments. Unquoted segments must be simple
// identifiers ([A-Za-z_][A-Za-z0-9_]*), as in production; clients quote
// every other segment with backticks, escaping ` and \ with a backslash.
func parseFieldPath(path string) ([]string, error) {
	if path == "" {
		return nil, errFieldPath(path, "empty field path")
	}
	var segs []string
	for i := 0; ; {
		var seg string
		if i < len(path) && path[i] == '`' {
			var b strings.Builder
			i++
			closed := false
			for i < len(path) {
				c := path[i]
				if c == '\\' {
					if i+1 >= len(path) {
						return nil, errFieldPath(path, "trailing escape")
					}
					b.WriteByte(path[i+1])
					i += 2
					continue
				}
				i++
				if c == '`' {
					closed = true
					break
				}
				b.WriteByte(c)
			}
			if !closed {
				return nil, errFieldPath(path, "unterminated backquote")
			}
			seg = b.String()
			if seg == "" {
				return nil, errFieldPath(path, "empty segment")
			}
		} else {
			j := i
			for j < len(path) && path[j] != '.' {
				j++
			}
			seg = path[i:j]
			if !isSimpleSegment(seg) {
				return nil, errFieldPath(path, "segment must be quoted with backticks")
			}
			i = j
		}
		segs = append(segs, seg)
		if i == len(path) {
			return segs, nil
		}
		if path[i] != '.' || i+1 == len(path) {
			return nil, errFieldPath(path, "expected '.' between segments")
		}
		i++
	}
}

// isSimpleSegment reports whether s can appear unquoted in a field path.
func isSimpleSegment(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_', 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case '0' <= c && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// formatFieldPath is the inverse of parseFieldPath.
func formatFieldPath(segs []string) string {
	var b strings.Builder
	for i, s := range segs {
		if i > 0 {
			b.WriteByte('.')
		}
		if isSimpleSegment(s) {
			b.WriteString(s)
			continue
		}
		b.WriteByte('`')
		for j := 0; j < len(s); j++ {
			if s[j] == '`' || s[j] == '\\' {
				b.WriteByte('\\')
			}
			b.WriteByte(s[j])
		}
		b.WriteByte('`')
	}
	return b.String()
}

type fieldPathError struct{ path, why string }

func (e *fieldPathError) Error() string {
	return "invalid field path " + strconv.Quote(e.path) + ": " + e.why
}

func errFieldPath(path, why string) error { return &fieldPathError{path, why} }

// getField returns the value at a field path ("a.b", backquoted segments
// allowed) inside fields; ok is false when the path is malformed or any
// segment is absent or not a map.
func getField(fields map[string]*firestorepb.Value, path string) (*firestorepb.Value, bool) {
	segs, err := parseFieldPath(path)
	if err != nil {
		return nil, false
	}
	return getFieldSegs(fields, segs)
}

// getFieldSegs is getField on an already parsed path.
func getFieldSegs(fields map[string]*firestorepb.Value, segs []string) (*firestorepb.Value, bool) {
	if len(segs) == 0 {
		return nil, false
	}
	for _, s := range segs[:len(segs)-1] {
		m, ok := fields[s].GetValueType().(*firestorepb.Value_MapValue)
		if !ok {
			return nil, false
		}
		fields = m.MapValue.GetFields()
	}
	v, ok := fields[segs[len(segs)-1]]
	return v, ok && v != nil
}

// reservedPath rejects a parsed field path naming a reserved field
// (isReservedName) with Google's emulator's messages (observed:
// "Invalid reserved name in field path __x__" for `m.__x__`, and "the name
// __key__ is reserved" for `a.__name__`). Callers handle a lone __name__
// (the document key) before parsing.
func reservedPath(segs []string) error {
	for _, s := range segs {
		switch {
		case s == "__name__":
			return status.Error(codes.InvalidArgument, "the name __key__ is reserved")
		case isReservedName(s):
			return status.Errorf(codes.InvalidArgument, "Invalid reserved name in field path %s", s)
		}
	}
	return nil
}
