package firestore

import (
	"math"
	"slices"
	"strings"
	"testing"

	"cloud.google.com/go/firestore/apiv1/firestorepb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// Engine tests: compileQuery + execute over pb documents, no server.

const testRoot = "projects/p/databases/(default)/documents"

func tdoc(rel string, kv ...any) *firestorepb.Document {
	return &firestorepb.Document{Name: testRoot + "/" + rel, Fields: vMap(kv...).GetMapValue().GetFields()}
}

// engineDocs is the corpus of the table tests: mixed types in "v", nested
// maps, arrays, missing fields, nulls and NaN.
func engineDocs() []*firestorepb.Document {
	return []*firestorepb.Document{
		tdoc("c/a", "v", vInt(1), "tag", vStr("x"), "arr", vArr(vInt(1), vInt(2)), "m", vMap("k", vInt(10))),
		tdoc("c/b", "v", vDbl(2.5), "tag", vStr("y"), "arr", vArr(vInt(3))),
		tdoc("c/c", "v", vStr("s"), "tag", vStr("x")),
		tdoc("c/d", "v", vNull(), "arr", vArr()),
		tdoc("c/e", "v", vDbl(math.NaN()), "tag", vStr("z"), "m", vMap("k", vInt(5))),
		tdoc("c/f", "tag", vStr("y"), "arr", vArr(vStr("x"), vInt(1))),
		tdoc("c/g", "v", vInt(3), "tag", vNull()),
		tdoc("c/h", "v", vBool(true)),
		tdoc("c/a/sub/s1", "v", vInt(100)), // not in collection c
		tdoc("other/o1", "v", vInt(1)),     // other collection
		tdoc("x/y/c/deep", "v", vInt(7)),   // a "c" at depth (collection group only)
		tdoc("x/y/cc/deep2", "v", vInt(8)), // collection id prefix, never in scope
	}
}

func ff(path string, op firestorepb.StructuredQuery_FieldFilter_Operator, v *firestorepb.Value) *firestorepb.StructuredQuery_Filter {
	return &firestorepb.StructuredQuery_Filter{FilterType: &firestorepb.StructuredQuery_Filter_FieldFilter{FieldFilter: &firestorepb.StructuredQuery_FieldFilter{
		Field: &firestorepb.StructuredQuery_FieldReference{FieldPath: path}, Op: op, Value: v}}}
}

func uf(path string, op firestorepb.StructuredQuery_UnaryFilter_Operator) *firestorepb.StructuredQuery_Filter {
	return &firestorepb.StructuredQuery_Filter{FilterType: &firestorepb.StructuredQuery_Filter_UnaryFilter{UnaryFilter: &firestorepb.StructuredQuery_UnaryFilter{
		Op: op, OperandType: &firestorepb.StructuredQuery_UnaryFilter_Field{Field: &firestorepb.StructuredQuery_FieldReference{FieldPath: path}}}}}
}

func cf(op firestorepb.StructuredQuery_CompositeFilter_Operator, fs ...*firestorepb.StructuredQuery_Filter) *firestorepb.StructuredQuery_Filter {
	return &firestorepb.StructuredQuery_Filter{FilterType: &firestorepb.StructuredQuery_Filter_CompositeFilter{CompositeFilter: &firestorepb.StructuredQuery_CompositeFilter{Op: op, Filters: fs}}}
}

func ord(path string, desc bool) *firestorepb.StructuredQuery_Order {
	d := firestorepb.StructuredQuery_ASCENDING
	if desc {
		d = firestorepb.StructuredQuery_DESCENDING
	}
	return &firestorepb.StructuredQuery_Order{Field: &firestorepb.StructuredQuery_FieldReference{FieldPath: path}, Direction: d}
}

func from(id string, all bool) []*firestorepb.StructuredQuery_CollectionSelector {
	return []*firestorepb.StructuredQuery_CollectionSelector{{CollectionId: id, AllDescendants: all}}
}

const (
	LT    = firestorepb.StructuredQuery_FieldFilter_LESS_THAN
	LE    = firestorepb.StructuredQuery_FieldFilter_LESS_THAN_OR_EQUAL
	GT    = firestorepb.StructuredQuery_FieldFilter_GREATER_THAN
	GE    = firestorepb.StructuredQuery_FieldFilter_GREATER_THAN_OR_EQUAL
	EQ    = firestorepb.StructuredQuery_FieldFilter_EQUAL
	NE    = firestorepb.StructuredQuery_FieldFilter_NOT_EQUAL
	IN    = firestorepb.StructuredQuery_FieldFilter_IN
	NIN   = firestorepb.StructuredQuery_FieldFilter_NOT_IN
	AC    = firestorepb.StructuredQuery_FieldFilter_ARRAY_CONTAINS
	ACA   = firestorepb.StructuredQuery_FieldFilter_ARRAY_CONTAINS_ANY
	AND   = firestorepb.StructuredQuery_CompositeFilter_AND
	OR    = firestorepb.StructuredQuery_CompositeFilter_OR
	ISNUL = firestorepb.StructuredQuery_UnaryFilter_IS_NULL
	NONUL = firestorepb.StructuredQuery_UnaryFilter_IS_NOT_NULL
	ISNAN = firestorepb.StructuredQuery_UnaryFilter_IS_NAN
	NONAN = firestorepb.StructuredQuery_UnaryFilter_IS_NOT_NAN
)

// ids returns the paths below the root of the given documents.
func ids(docs []*firestorepb.Document) string {
	var out []string
	for _, d := range docs {
		out = append(out, strings.TrimPrefix(d.Name, testRoot+"/"))
	}
	return strings.Join(out, " ")
}

func TestQueryEngine(t *testing.T) {
	c := from("c", false)
	cases := []struct {
		name string
		q    *firestorepb.StructuredQuery
		want string
	}{
		{"all, name order", &firestorepb.StructuredQuery{From: c}, "c/a c/b c/c c/d c/e c/f c/g c/h"},
		{"collection group", &firestorepb.StructuredQuery{From: from("c", true)},
			"c/a c/b c/c c/d c/e c/f c/g c/h x/y/c/deep"},
		{"eq int matches int only", &firestorepb.StructuredQuery{From: c, Where: ff("v", EQ, vInt(1))}, "c/a"},
		{"eq numeric across int/double", &firestorepb.StructuredQuery{From: c, Where: ff("v", EQ, vDbl(3))}, "c/g"},
		{"eq null field filter", &firestorepb.StructuredQuery{From: c, Where: ff("v", EQ, vNull())}, "c/d"},
		{"ne excludes null, missing; any type", &firestorepb.StructuredQuery{From: c, Where: ff("v", NE, vInt(1))},
			"c/h c/e c/b c/g c/c"}, // implicit order by v: bool < NaN < 2.5 < 3 < string
		{"lt same type only, never NaN", &firestorepb.StructuredQuery{From: c, Where: ff("v", LT, vInt(3))}, "c/a c/b"},
		{"le", &firestorepb.StructuredQuery{From: c, Where: ff("v", LE, vInt(3))}, "c/a c/b c/g"},
		{"gt", &firestorepb.StructuredQuery{From: c, Where: ff("v", GT, vDbl(1))}, "c/b c/g"},
		{"ge string", &firestorepb.StructuredQuery{From: c, Where: ff("v", GE, vStr(""))}, "c/c"},
		{"in (a null operand matches nothing)", &firestorepb.StructuredQuery{From: c, Where: ff("v", IN, vArr(vInt(1), vStr("s"), vNull()))}, "c/a c/c"},
		{"not-in excludes null and missing", &firestorepb.StructuredQuery{From: c, Where: ff("v", NIN, vArr(vInt(1), vStr("s")))},
			"c/h c/e c/b c/g"},
		{"not-in with null matches nothing", &firestorepb.StructuredQuery{From: c, Where: ff("v", NIN, vArr(vNull()))}, ""},
		{"array-contains", &firestorepb.StructuredQuery{From: c, Where: ff("arr", AC, vInt(1))}, "c/a c/f"},
		{"array-contains-any", &firestorepb.StructuredQuery{From: c, Where: ff("arr", ACA, vArr(vInt(3), vStr("x")))}, "c/b c/f"},
		{"is null", &firestorepb.StructuredQuery{From: c, Where: uf("tag", ISNUL)}, "c/g"},
		{"is not null (implicit order by tag)", &firestorepb.StructuredQuery{From: c, Where: uf("tag", NONUL)}, "c/a c/c c/b c/f c/e"},
		{"is nan", &firestorepb.StructuredQuery{From: c, Where: uf("v", ISNAN)}, "c/e"},
		{"is not nan excludes null, missing", &firestorepb.StructuredQuery{From: c, Where: uf("v", NONAN)}, "c/h c/a c/b c/g c/c"},
		{"nested field", &firestorepb.StructuredQuery{From: c, Where: ff("m.k", GT, vInt(6))}, "c/a"},
		{"and", &firestorepb.StructuredQuery{From: c, Where: cf(AND, ff("tag", EQ, vStr("x")), ff("v", EQ, vStr("s")))}, "c/c"},
		{"or", &firestorepb.StructuredQuery{From: c, Where: cf(OR, ff("tag", EQ, vStr("z")), ff("v", EQ, vBool(true)))}, "c/e c/h"},
		{"or of ands", &firestorepb.StructuredQuery{From: c, Where: cf(OR,
			cf(AND, ff("tag", EQ, vStr("y")), ff("arr", AC, vInt(3))),
			cf(AND, ff("tag", EQ, vStr("x")), ff("m.k", EQ, vInt(10))))}, "c/a c/b"},
		{"or branch with missing field still matches other branch", &firestorepb.StructuredQuery{From: c, Where: cf(OR,
			ff("m.k", EQ, vInt(5)), ff("arr", AC, vStr("x")))}, "c/e c/f"},
		{"name eq", &firestorepb.StructuredQuery{From: c, Where: ff("__name__", EQ, vRef(testRoot+"/c/b"))}, "c/b"},
		{"name range", &firestorepb.StructuredQuery{From: c, Where: ff("__name__", GE, vRef(testRoot+"/c/g"))}, "c/g c/h"},
		{"name in", &firestorepb.StructuredQuery{From: c, Where: ff("__name__", IN, vArr(vRef(testRoot+"/c/h"), vRef(testRoot+"/c/a")))}, "c/a c/h"},
		{"order by excludes missing, cross-type", &firestorepb.StructuredQuery{From: c, OrderBy: []*firestorepb.StructuredQuery_Order{ord("v", false)}},
			"c/d c/h c/e c/a c/b c/g c/c"},
		{"order desc, ties by name desc", &firestorepb.StructuredQuery{From: c, OrderBy: []*firestorepb.StructuredQuery_Order{ord("tag", true)}},
			"c/e c/f c/b c/c c/a c/g"},
		{"order by two fields", &firestorepb.StructuredQuery{From: c, OrderBy: []*firestorepb.StructuredQuery_Order{ord("tag", false), ord("v", true)}},
			"c/g c/c c/a c/b c/e"},
		{"order by name desc", &firestorepb.StructuredQuery{From: c, OrderBy: []*firestorepb.StructuredQuery_Order{ord("__name__", true)}, Limit: wrapperspb.Int32(3)},
			"c/h c/g c/f"},
		{"limit", &firestorepb.StructuredQuery{From: c, Limit: wrapperspb.Int32(2)}, "c/a c/b"},
		{"limit 0", &firestorepb.StructuredQuery{From: c, Limit: wrapperspb.Int32(0)}, ""},
		{"offset+limit", &firestorepb.StructuredQuery{From: c, Offset: 2, Limit: wrapperspb.Int32(2)}, "c/c c/d"},
		{"offset past end", &firestorepb.StructuredQuery{From: c, Offset: 50}, ""},
		{"startAt", &firestorepb.StructuredQuery{From: c, OrderBy: []*firestorepb.StructuredQuery_Order{ord("v", false)},
			StartAt: &firestorepb.Cursor{Values: []*firestorepb.Value{vDbl(2.5)}, Before: true}}, "c/b c/g c/c"},
		{"startAfter", &firestorepb.StructuredQuery{From: c, OrderBy: []*firestorepb.StructuredQuery_Order{ord("v", false)},
			StartAt: &firestorepb.Cursor{Values: []*firestorepb.Value{vDbl(2.5)}}}, "c/g c/c"},
		{"endAt", &firestorepb.StructuredQuery{From: c, OrderBy: []*firestorepb.StructuredQuery_Order{ord("v", false)},
			EndAt: &firestorepb.Cursor{Values: []*firestorepb.Value{vInt(1)}}}, "c/d c/h c/e c/a"},
		{"endBefore", &firestorepb.StructuredQuery{From: c, OrderBy: []*firestorepb.StructuredQuery_Order{ord("v", false)},
			EndAt: &firestorepb.Cursor{Values: []*firestorepb.Value{vInt(1)}, Before: true}}, "c/d c/h c/e"},
		{"cursor on field + name (snapshot cursor)", &firestorepb.StructuredQuery{From: c,
			OrderBy: []*firestorepb.StructuredQuery_Order{ord("tag", false), ord("__name__", false)},
			StartAt: &firestorepb.Cursor{Values: []*firestorepb.Value{vStr("x"), vRef(testRoot + "/c/a")}}}, "c/c c/b c/f c/e"},
		{"cursor desc", &firestorepb.StructuredQuery{From: c, OrderBy: []*firestorepb.StructuredQuery_Order{ord("v", true)},
			StartAt: &firestorepb.Cursor{Values: []*firestorepb.Value{vInt(3)}, Before: true},
			EndAt:   &firestorepb.Cursor{Values: []*firestorepb.Value{vInt(1)}}}, "c/g c/b c/a"},
		{"cursor then offset then limit", &firestorepb.StructuredQuery{From: c,
			StartAt: &firestorepb.Cursor{Values: []*firestorepb.Value{vRef(testRoot + "/c/b")}, Before: true}, Offset: 1, Limit: wrapperspb.Int32(2)},
			"c/c c/d"},
		{"collection group + filter + order", &firestorepb.StructuredQuery{From: from("c", true), Where: ff("v", GT, vInt(1)),
			OrderBy: []*firestorepb.StructuredQuery_Order{ord("v", true)}}, "x/y/c/deep c/g c/b"},
	}
	docs := engineDocs()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := compileQuery(testRoot, tc.q)
			if err != nil {
				t.Fatalf("compileQuery: %v", err)
			}
			if got := ids(p.execute(docs)); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestQueryUnderDocumentParent(t *testing.T) {
	p, err := compileQuery(testRoot+"/c/a", &firestorepb.StructuredQuery{From: from("sub", false)})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(p.execute(engineDocs())); got != "c/a/sub/s1" {
		t.Errorf("got %q", got)
	}
}

func TestQueryImplicitOrders(t *testing.T) {
	p, err := compileQuery(testRoot, &firestorepb.StructuredQuery{From: from("c", false),
		Where:   cf(OR, ff("z", GT, vInt(1)), ff("b", NE, vInt(1)), ff("a", EQ, vInt(1))),
		OrderBy: []*firestorepb.StructuredQuery_Order{ord("z", true)}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range p.orders {
		name := "__name__"
		if !o.isName {
			name = formatFieldPath(o.path)
		}
		if o.desc {
			name += " desc"
		}
		got = append(got, name)
	}
	want := []string{"z desc", "b desc", "__name__ desc"}
	if !slices.Equal(got, want) {
		t.Errorf("orders = %q, want %q", got, want)
	}
}

func TestQueryProjection(t *testing.T) {
	sel := func(paths ...string) *firestorepb.StructuredQuery_Projection {
		p := &firestorepb.StructuredQuery_Projection{}
		for _, s := range paths {
			p.Fields = append(p.Fields, &firestorepb.StructuredQuery_FieldReference{FieldPath: s})
		}
		return p
	}
	docs := engineDocs()
	orig := docs[0]
	for _, tc := range []struct {
		paths []string
		want  *firestorepb.Value // projected fields of c/a as a map
	}{
		{[]string{"__name__"}, vMap()},
		{[]string{"v", "missing"}, vMap("v", vInt(1))},
		{[]string{"m.k", "tag"}, vMap("m", vMap("k", vInt(10)), "tag", vStr("x"))},
		{[]string{"m.k", "m"}, vMap("m", vMap("k", vInt(10)))},
	} {
		p, err := compileQuery(testRoot, &firestorepb.StructuredQuery{From: from("c", false), Select: sel(tc.paths...), Limit: wrapperspb.Int32(1)})
		if err != nil {
			t.Fatal(err)
		}
		res := p.execute(docs)
		got := p.project(res[0])
		if got.Name != orig.Name || compareMaps(got.Fields, tc.want.GetMapValue().GetFields()) != 0 {
			t.Errorf("select %q: got %v, want %v", tc.paths, got.Fields, tc.want)
		}
	}
	if !valuesEqual(&firestorepb.Value{ValueType: &firestorepb.Value_MapValue{MapValue: &firestorepb.MapValue{Fields: orig.Fields}}},
		vMap("v", vInt(1), "tag", vStr("x"), "arr", vArr(vInt(1), vInt(2)), "m", vMap("k", vInt(10)))) {
		t.Errorf("projection modified the stored document: %v", orig.Fields)
	}
}

func TestQueryInvalid(t *testing.T) {
	c := from("c", false)
	cases := map[string]*firestorepb.StructuredQuery{
		"no from":              {},
		"two froms":            {From: append(from("a", false), from("b", false)...)},
		"empty collection id":  {From: from("", false)},
		"slash in collection":  {From: from("a/b", false)},
		"bad field path":       {From: c, Where: ff("a-b", EQ, vInt(1))},
		"empty field path":     {From: c, Where: ff("", EQ, vInt(1))},
		"no operator":          {From: c, Where: ff("a", firestorepb.StructuredQuery_FieldFilter_OPERATOR_UNSPECIFIED, vInt(1))},
		"no value":             {From: c, Where: ff("a", EQ, nil)},
		"in non-array":         {From: c, Where: ff("a", IN, vInt(1))},
		"in empty array":       {From: c, Where: ff("a", IN, vArr())},
		"not-in too many":      {From: c, Where: ff("a", NIN, vArr(vInt(1), vInt(2), vInt(3), vInt(4), vInt(5), vInt(6), vInt(7), vInt(8), vInt(9), vInt(10), vInt(11)))},
		"name with string":     {From: c, Where: ff("__name__", EQ, vStr("a"))},
		"empty composite":      {From: c, Where: cf(AND)},
		"unary no op":          {From: c, Where: uf("a", firestorepb.StructuredQuery_UnaryFilter_OPERATOR_UNSPECIFIED)},
		"empty filter":         {From: c, Where: &firestorepb.StructuredQuery_Filter{}},
		"order bad path":       {From: c, OrderBy: []*firestorepb.StructuredQuery_Order{ord("a..b", false)}},
		"order twice":          {From: c, OrderBy: []*firestorepb.StructuredQuery_Order{ord("a", false), ord("a", true)}},
		"too many cursor vals": {From: c, StartAt: &firestorepb.Cursor{Values: []*firestorepb.Value{vRef(testRoot + "/c/a"), vInt(1)}}},
		"name cursor non-ref":  {From: c, StartAt: &firestorepb.Cursor{Values: []*firestorepb.Value{vStr("a")}}},
		"empty cursor":         {From: c, EndAt: &firestorepb.Cursor{}},
		"negative offset":      {From: c, Offset: -1},
		"negative limit":       {From: c, Limit: wrapperspb.Int32(-1)},
		"bad select path":      {From: c, Select: &firestorepb.StructuredQuery_Projection{Fields: []*firestorepb.StructuredQuery_FieldReference{{FieldPath: "`x"}}}},
	}
	fn := func(v *firestorepb.Value, limit int32, m firestorepb.StructuredQuery_FindNearest_DistanceMeasure) *firestorepb.StructuredQuery_FindNearest {
		return &firestorepb.StructuredQuery_FindNearest{VectorField: &firestorepb.StructuredQuery_FieldReference{FieldPath: "v"},
			QueryVector: v, Limit: wrapperspb.Int32(limit), DistanceMeasure: m}
	}
	cases["nearest: not a vector"] = &firestorepb.StructuredQuery{From: c, FindNearest: fn(vArr(vDbl(1)), 1, nearestEuclidean)}
	cases["nearest: empty vector"] = &firestorepb.StructuredQuery{From: c, FindNearest: fn(vVec(), 1, nearestEuclidean)}
	cases["nearest: zero limit"] = &firestorepb.StructuredQuery{From: c, FindNearest: fn(vVec(1), 0, nearestEuclidean)}
	cases["nearest: limit over 1000"] = &firestorepb.StructuredQuery{From: c, FindNearest: fn(vVec(1), 1001, nearestEuclidean)}
	cases["nearest: no measure"] = &firestorepb.StructuredQuery{From: c, FindNearest: fn(vVec(1), 1, 0)}
	cases["nearest: with cursor"] = &firestorepb.StructuredQuery{From: c, FindNearest: fn(vVec(1), 1, nearestCosine),
		StartAt: &firestorepb.Cursor{Values: []*firestorepb.Value{vRef(testRoot + "/c/a")}}}
	for name, q := range cases {
		if _, err := compileQuery(testRoot, q); status.Code(err) != codes.InvalidArgument {
			t.Errorf("%s: err = %v, want InvalidArgument", name, err)
		}
	}
	for _, parent := range []string{"", "projects/p", "projects/p/databases/d", "projects/p/databases/d/documents/c", "projects//databases/d/documents"} {
		if _, err := compileQuery(parent, &firestorepb.StructuredQuery{From: c}); status.Code(err) != codes.InvalidArgument {
			t.Errorf("parent %q: err = %v, want InvalidArgument", parent, err)
		}
	}
	deep := ff("a", EQ, vInt(1))
	for range maxFilterDepth + 2 {
		deep = cf(AND, deep)
	}
	if _, err := compileQuery(testRoot, &firestorepb.StructuredQuery{From: c, Where: deep}); status.Code(err) != codes.InvalidArgument {
		t.Errorf("deep nesting: err = %v", err)
	}
}
