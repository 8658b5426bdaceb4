package firestore

import (
	"math"
	"reflect"
	"testing"

	"cloud.google.com/go/firestore/apiv1/firestorepb"
	"google.golang.org/genproto/googleapis/type/latlng"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Value constructors for tests.
func vNull() *firestorepb.Value {
	return &firestorepb.Value{ValueType: &firestorepb.Value_NullValue{NullValue: structpb.NullValue_NULL_VALUE}}
}
func vBool(b bool) *firestorepb.Value {
	return &firestorepb.Value{ValueType: &firestorepb.Value_BooleanValue{BooleanValue: b}}
}
func vInt(i int64) *firestorepb.Value {
	return &firestorepb.Value{ValueType: &firestorepb.Value_IntegerValue{IntegerValue: i}}
}
func vDbl(d float64) *firestorepb.Value {
	return &firestorepb.Value{ValueType: &firestorepb.Value_DoubleValue{DoubleValue: d}}
}
func vStr(s string) *firestorepb.Value {
	return &firestorepb.Value{ValueType: &firestorepb.Value_StringValue{StringValue: s}}
}
func vBytes(b string) *firestorepb.Value {
	return &firestorepb.Value{ValueType: &firestorepb.Value_BytesValue{BytesValue: []byte(b)}}
}
func vTime(sec int64, nanos int32) *firestorepb.Value {
	return &firestorepb.Value{ValueType: &firestorepb.Value_TimestampValue{TimestampValue: &timestamppb.Timestamp{Seconds: sec, Nanos: nanos}}}
}
func vRef(s string) *firestorepb.Value {
	return &firestorepb.Value{ValueType: &firestorepb.Value_ReferenceValue{ReferenceValue: s}}
}
func vGeo(lat, lng float64) *firestorepb.Value {
	return &firestorepb.Value{ValueType: &firestorepb.Value_GeoPointValue{GeoPointValue: &latlng.LatLng{Latitude: lat, Longitude: lng}}}
}
func vArr(vs ...*firestorepb.Value) *firestorepb.Value {
	return &firestorepb.Value{ValueType: &firestorepb.Value_ArrayValue{ArrayValue: &firestorepb.ArrayValue{Values: vs}}}
}
func vMap(kv ...any) *firestorepb.Value {
	m := map[string]*firestorepb.Value{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1].(*firestorepb.Value)
	}
	return &firestorepb.Value{ValueType: &firestorepb.Value_MapValue{MapValue: &firestorepb.MapValue{Fields: m}}}
}
func vVec(ds ...float64) *firestorepb.Value {
	vs := make([]*firestorepb.Value, len(ds))
	for i, d := range ds {
		vs[i] = vDbl(d)
	}
	return vMap("__type__", vStr("__vector__"), "value", vArr(vs...))
}

// TestCompareValuesTotalOrder checks that a list written in Firestore's
// documented ascending order compares strictly ascending pairwise, which
// covers the cross-type ranks and each type's own order.
func TestCompareValuesTotalOrder(t *testing.T) {
	ordered := []*firestorepb.Value{
		vNull(),
		vBool(false), vBool(true),
		vDbl(math.NaN()),
		vDbl(math.Inf(-1)), vInt(math.MinInt64), vDbl(-1.5), vInt(-1), vInt(0), vDbl(0.5), vInt(1),
		vDbl(1.5), vInt(1 << 53), vInt(1<<53 + 1), vDbl(1 << 54), vInt(math.MaxInt64), vDbl(math.Inf(1)),
		vTime(-1, 0), vTime(0, 0), vTime(0, 1), vTime(1, 0),
		vStr(""), vStr("A"), vStr("a"), vStr("ab"), vStr("b"), vStr("é"), vStr("😀"),
		vBytes(""), vBytes("\x00"), vBytes("a"),
		vRef("projects/p/databases/d/documents/a/b"),
		vRef("projects/p/databases/d/documents/a/b/c/d"),
		vRef("projects/p/databases/d/documents/a-x/b"), // segment-wise: "a" < "a-x"
		vRef("projects/p/databases/d/documents/b/a"),
		vGeo(-10, 100), vGeo(0, -5), vGeo(0, 5),
		vArr(), vArr(vNull()), vArr(vInt(1), vInt(2), vInt(3)), vArr(vInt(1), vInt(2), vInt(3), vInt(1)), vArr(vInt(2)),
		vVec(), vVec(9, 9), vVec(1, 2, 3), vVec(1, 2, 4),
		vMap(),
		vMap("a", vStr("aaa"), "b", vStr("baz")),
		vMap("a", vStr("foo"), "b", vStr("bar")),
		vMap("a", vStr("foo"), "b", vStr("bar"), "c", vStr("qux")),
		vMap("a", vStr("foo"), "b", vStr("baz")),
		vMap("b", vStr("aaa"), "c", vStr("baz")),
		vMap("c", vStr("aaa")),
	}
	for i := range ordered {
		for j := range ordered {
			got := compareValues(ordered[i], ordered[j])
			want := cmpInt(i, j)
			if got != want {
				t.Errorf("compareValues(%v, %v) = %d, want %d", ordered[i], ordered[j], got, want)
			}
		}
	}
}

func TestCompareValuesNumericEquality(t *testing.T) {
	eq := [][2]*firestorepb.Value{
		{vInt(3), vDbl(3.0)},
		{vDbl(0), vDbl(math.Copysign(0, -1))},
		{vInt(0), vDbl(math.Copysign(0, -1))},
		{vDbl(math.NaN()), vDbl(math.NaN())},
		{vArr(vInt(1), vDbl(2)), vArr(vDbl(1), vInt(2))},
		{vMap("x", vInt(1)), vMap("x", vDbl(1))},
	}
	for _, p := range eq {
		if !valuesEqual(p[0], p[1]) || compareValues(p[0], p[1]) != 0 {
			t.Errorf("%v and %v should be equal", p[0], p[1])
		}
	}
	ne := [][2]*firestorepb.Value{
		{vInt(3), vDbl(3.0000001)},
		{vInt(1<<53 + 1), vDbl(1 << 53)},
		{vNull(), vBool(false)},
		{vStr("1"), vInt(1)},
		{vArr(vInt(1)), vArr(vInt(1), vInt(1))},
		{vVec(1), vArr(vDbl(1))},
		{nil, nil},
	}
	for _, p := range ne {
		if valuesEqual(p[0], p[1]) {
			t.Errorf("%v and %v should differ", p[0], p[1])
		}
	}
}

func TestParseFieldPath(t *testing.T) {
	good := map[string][]string{
		"a":               {"a"},
		"a.b_2":           {"a", "b_2"},
		"__name__":        {"__name__"},
		"`a.b`.c":         {"a.b", "c"},
		"`x\\`y`":         {"x`y"},
		"`back\\\\`":      {"back\\"},
		"a.`1`.`é`":       {"a", "1", "é"},
		"`has space`.`-`": {"has space", "-"},
	}
	for in, want := range good {
		got, err := parseFieldPath(in)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("parseFieldPath(%q) = %q, %v; want %q", in, got, err, want)
			continue
		}
		if back, _ := parseFieldPath(formatFieldPath(got)); !reflect.DeepEqual(back, want) {
			t.Errorf("format/parse round trip of %q gave %q", in, back)
		}
	}
	for _, in := range []string{"", ".", "a.", ".a", "a..b", "1a", "a-b", "`a", "``", "`a`b", "a.`b", "`a\\"} {
		if got, err := parseFieldPath(in); err == nil {
			t.Errorf("parseFieldPath(%q) = %q, want error", in, got)
		}
	}
}

func TestGetField(t *testing.T) {
	fields := map[string]*firestorepb.Value{
		"a":   vMap("b", vInt(1), "c.d", vStr("dot")),
		"x":   vInt(5),
		"n":   vNull(),
		"e f": vBool(true),
	}
	cases := []struct {
		path string
		want *firestorepb.Value
	}{
		{"a.b", vInt(1)},
		{"a.`c.d`", vStr("dot")},
		{"x", vInt(5)},
		{"n", vNull()},
		{"`e f`", vBool(true)},
		{"a.c", nil},
		{"x.y", nil},
		{"missing", nil},
		{"a.c.d", nil},
	}
	for _, c := range cases {
		got, ok := getField(fields, c.path)
		if (c.want == nil) != !ok || (ok && !valuesEqual(got, c.want)) {
			t.Errorf("getField(%q) = %v, %v; want %v", c.path, got, ok, c.want)
		}
	}
}
