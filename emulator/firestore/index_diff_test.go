package firestore

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/firestore"
	"cloud.google.com/go/firestore/apiv1/firestorepb"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// Differential tests: the index path (queryCandidates, incremental
// windows) must give exactly what a full scan gives, on random documents
// and random queries, while random writes, deletes and clears keep the
// indexes busy.

const diffRoot = "projects/" + testProject + "/databases/(default)/documents"

// diffPool is the values fields and operands are drawn from: few enough
// to collide, every type, and the awkward numbers.
var diffPool = []*firestorepb.Value{
	vNullValue,
	{ValueType: &firestorepb.Value_BooleanValue{BooleanValue: true}},
	{ValueType: &firestorepb.Value_BooleanValue{BooleanValue: false}},
	{ValueType: &firestorepb.Value_IntegerValue{IntegerValue: 0}},
	{ValueType: &firestorepb.Value_IntegerValue{IntegerValue: 1}},
	{ValueType: &firestorepb.Value_IntegerValue{IntegerValue: 2}},
	{ValueType: &firestorepb.Value_IntegerValue{IntegerValue: 5}},
	{ValueType: &firestorepb.Value_DoubleValue{DoubleValue: 1.0}},
	{ValueType: &firestorepb.Value_DoubleValue{DoubleValue: 2.5}},
	{ValueType: &firestorepb.Value_DoubleValue{DoubleValue: math.Copysign(0, -1)}},
	{ValueType: &firestorepb.Value_DoubleValue{DoubleValue: math.NaN()}},
	{ValueType: &firestorepb.Value_DoubleValue{DoubleValue: math.Inf(-1)}},
	{ValueType: &firestorepb.Value_StringValue{StringValue: "a"}},
	{ValueType: &firestorepb.Value_StringValue{StringValue: "ab"}},
	{ValueType: &firestorepb.Value_StringValue{StringValue: "b"}},
	{ValueType: &firestorepb.Value_TimestampValue{TimestampValue: timestamppb.New(time.Unix(1e9, 0))}},
	{ValueType: &firestorepb.Value_ArrayValue{ArrayValue: &firestorepb.ArrayValue{Values: []*firestorepb.Value{
		{ValueType: &firestorepb.Value_IntegerValue{IntegerValue: 1}}, {ValueType: &firestorepb.Value_StringValue{StringValue: "a"}}}}}},
	{ValueType: &firestorepb.Value_MapValue{MapValue: &firestorepb.MapValue{Fields: map[string]*firestorepb.Value{
		"x": {ValueType: &firestorepb.Value_IntegerValue{IntegerValue: 1}}}}}},
}

var diffPaths = []string{"a", "b", "m.x"}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// diffDocName returns one of the 3×24 names the test writes: c/dN
// directly under the root, and p/x/c/dN, p/y/c/dN for collection groups.
func diffDocName(r *rand.Rand) string {
	return fmt.Sprintf("%s/%sc/d%02d", diffRoot, pick(r, []string{"", "p/x/", "p/y/"}), r.IntN(24))
}

func diffFields(r *rand.Rand) map[string]*firestorepb.Value {
	f := map[string]*firestorepb.Value{}
	if r.IntN(5) > 0 {
		f["a"] = pick(r, diffPool)
	}
	if r.IntN(5) > 0 {
		f["b"] = diffPool[3+r.IntN(4)] // small integers: many ties
	}
	if r.IntN(3) == 0 {
		f["m"] = &firestorepb.Value{ValueType: &firestorepb.Value_MapValue{MapValue: &firestorepb.MapValue{
			Fields: map[string]*firestorepb.Value{"x": pick(r, diffPool)}}}}
	}
	return f
}

// diffWrite commits 1-3 random sets and deletes.
func diffWrite(t *testing.T, st *store, r *rand.Rand) {
	t.Helper()
	_, err := st.commit(func(x *stx) error {
		ts := timestamppb.New(x.t)
		for range 1 + r.IntN(3) {
			name := diffDocName(r)
			if r.IntN(5) == 0 {
				x.put(name, nil)
				continue
			}
			ct := ts
			if old := x.lookup(name); old != nil {
				ct = old.CreateTime
			}
			x.put(name, &firestorepb.Document{Name: name, Fields: diffFields(r), CreateTime: ct, UpdateTime: ts})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func fieldRef(p string) *firestorepb.StructuredQuery_FieldReference {
	return &firestorepb.StructuredQuery_FieldReference{FieldPath: p}
}

// diffRef is a reference to one of the names diffDocName returns.
func diffRef(r *rand.Rand) *firestorepb.Value {
	return &firestorepb.Value{ValueType: &firestorepb.Value_ReferenceValue{ReferenceValue: diffDocName(r)}}
}

func diffFilter(r *rand.Rand) *firestorepb.StructuredQuery_Filter {
	path := pick(r, diffPaths)
	if r.IntN(8) == 0 {
		op := pick(r, []firestorepb.StructuredQuery_FieldFilter_Operator{
			firestorepb.StructuredQuery_FieldFilter_EQUAL, firestorepb.StructuredQuery_FieldFilter_LESS_THAN,
			firestorepb.StructuredQuery_FieldFilter_GREATER_THAN_OR_EQUAL, firestorepb.StructuredQuery_FieldFilter_NOT_EQUAL})
		return &firestorepb.StructuredQuery_Filter{FilterType: &firestorepb.StructuredQuery_Filter_FieldFilter{
			FieldFilter: &firestorepb.StructuredQuery_FieldFilter{Field: fieldRef("__name__"), Op: op, Value: diffRef(r)}}}
	}
	if r.IntN(6) == 0 {
		op := pick(r, []firestorepb.StructuredQuery_UnaryFilter_Operator{
			firestorepb.StructuredQuery_UnaryFilter_IS_NULL, firestorepb.StructuredQuery_UnaryFilter_IS_NAN,
			firestorepb.StructuredQuery_UnaryFilter_IS_NOT_NULL, firestorepb.StructuredQuery_UnaryFilter_IS_NOT_NAN})
		return &firestorepb.StructuredQuery_Filter{FilterType: &firestorepb.StructuredQuery_Filter_UnaryFilter{
			UnaryFilter: &firestorepb.StructuredQuery_UnaryFilter{Op: op,
				OperandType: &firestorepb.StructuredQuery_UnaryFilter_Field{Field: fieldRef(path)}}}}
	}
	op := pick(r, []firestorepb.StructuredQuery_FieldFilter_Operator{
		firestorepb.StructuredQuery_FieldFilter_EQUAL, firestorepb.StructuredQuery_FieldFilter_EQUAL,
		firestorepb.StructuredQuery_FieldFilter_LESS_THAN, firestorepb.StructuredQuery_FieldFilter_LESS_THAN_OR_EQUAL,
		firestorepb.StructuredQuery_FieldFilter_GREATER_THAN, firestorepb.StructuredQuery_FieldFilter_GREATER_THAN_OR_EQUAL,
		firestorepb.StructuredQuery_FieldFilter_NOT_EQUAL, firestorepb.StructuredQuery_FieldFilter_IN,
		firestorepb.StructuredQuery_FieldFilter_NOT_IN, firestorepb.StructuredQuery_FieldFilter_ARRAY_CONTAINS})
	v := pick(r, diffPool)
	switch op {
	case firestorepb.StructuredQuery_FieldFilter_IN, firestorepb.StructuredQuery_FieldFilter_NOT_IN:
		var vs []*firestorepb.Value
		for range 1 + r.IntN(3) {
			vs = append(vs, pick(r, diffPool))
		}
		v = &firestorepb.Value{ValueType: &firestorepb.Value_ArrayValue{ArrayValue: &firestorepb.ArrayValue{Values: vs}}}
	}
	return &firestorepb.StructuredQuery_Filter{FilterType: &firestorepb.StructuredQuery_Filter_FieldFilter{
		FieldFilter: &firestorepb.StructuredQuery_FieldFilter{Field: fieldRef(path), Op: op, Value: v}}}
}

// diffQuery returns a random query and the parent it runs under.
func diffQuery(r *rand.Rand, withLimit bool) (string, *firestorepb.StructuredQuery) {
	parent := diffRoot
	q := &firestorepb.StructuredQuery{From: []*firestorepb.StructuredQuery_CollectionSelector{{CollectionId: "c"}}}
	switch r.IntN(4) {
	case 0:
		q.From[0].AllDescendants = true
	case 1:
		q.From[0].AllDescendants = true
		parent = diffRoot + "/p/x"
	}
	if n := r.IntN(4); n > 0 {
		var fs []*firestorepb.StructuredQuery_Filter
		for range n {
			fs = append(fs, diffFilter(r))
		}
		op := firestorepb.StructuredQuery_CompositeFilter_AND
		if r.IntN(5) == 0 {
			op = firestorepb.StructuredQuery_CompositeFilter_OR
		}
		q.Where = &firestorepb.StructuredQuery_Filter{FilterType: &firestorepb.StructuredQuery_Filter_CompositeFilter{
			CompositeFilter: &firestorepb.StructuredQuery_CompositeFilter{Op: op, Filters: fs}}}
	}
	paths := append(slices.Clone(diffPaths), "__name__")
	r.Shuffle(len(paths), func(i, j int) { paths[i], paths[j] = paths[j], paths[i] })
	for _, p := range paths[:r.IntN(3)] {
		dir := firestorepb.StructuredQuery_ASCENDING
		if r.IntN(2) == 0 {
			dir = firestorepb.StructuredQuery_DESCENDING
		}
		q.OrderBy = append(q.OrderBy, &firestorepb.StructuredQuery_Order{Field: fieldRef(p), Direction: dir})
	}
	cursorValue := func() *firestorepb.Value {
		if q.OrderBy[0].Field.FieldPath == "__name__" {
			return diffRef(r)
		}
		return pick(r, diffPool)
	}
	if len(q.OrderBy) > 0 && r.IntN(3) == 0 {
		q.StartAt = &firestorepb.Cursor{Values: []*firestorepb.Value{cursorValue()}, Before: r.IntN(2) == 0}
	}
	if len(q.OrderBy) > 0 && r.IntN(4) == 0 {
		q.EndAt = &firestorepb.Cursor{Values: []*firestorepb.Value{cursorValue()}, Before: r.IntN(2) == 0}
	}
	if withLimit || r.IntN(2) == 0 {
		q.Limit = wrapperspb.Int32(int32(r.IntN(9)))
	}
	if r.IntN(5) == 0 {
		q.Offset = int32(r.IntN(4))
	}
	return parent, q
}

func docNames(docs []*firestorepb.Document) []string {
	out := make([]string, len(docs))
	for i, d := range docs {
		out[i] = d.Name
	}
	return out
}

// scanResult runs plan on a full scan of the store as of t.
func scanResult(t *testing.T, st *store, p *queryPlan, at time.Time) []string {
	t.Helper()
	all, err := st.scanCollectionAt(p.parent, p.collectionID, p.allDescendants, at)
	if err != nil {
		t.Fatal(err)
	}
	return docNames(p.execute(all))
}

func TestIndexMatchesScan(t *testing.T) {
	st := newStore()
	r := rand.New(rand.NewPCG(1, 2))
	indexed := 0
	for round := range 400 {
		diffWrite(t, st, r)
		if round%97 == 96 {
			st.clear("projects/" + testProject + "/databases/(default)")
		}
		for range 6 {
			parent, q := diffQuery(r, false)
			p, err := compileQuery(parent, q)
			if err != nil {
				continue
			}
			at := st.readTime()
			if _, ok := st.indexCandidates(p, at); ok {
				indexed++
			}
			cands, err := st.queryCandidates(p, at)
			if err != nil {
				t.Fatal(err)
			}
			got, want := docNames(p.execute(cands)), scanResult(t, st, p, at)
			if !slices.Equal(got, want) {
				t.Fatalf("round %d: query %v\nindex: %v\nscan:  %v", round, q, got, want)
			}
		}
	}
	if indexed < 500 {
		t.Errorf("only %d queries used an index", indexed)
	}
	t.Logf("%d queries used an index", indexed)
}

// TestIndexOldReadTimeScans: a query at a read time before the last
// change cannot use the (current) index and must see the old snapshot.
func TestIndexOldReadTimeScans(t *testing.T) {
	st := newStore()
	name := diffRoot + "/c/d1"
	put := func(v int64) time.Time {
		ct, err := st.commit(func(x *stx) error {
			x.put(name, &firestorepb.Document{Name: name, Fields: map[string]*firestorepb.Value{
				"a": {ValueType: &firestorepb.Value_IntegerValue{IntegerValue: v}}}, CreateTime: timestamppb.New(x.t), UpdateTime: timestamppb.New(x.t)})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return ct
	}
	t1 := put(1)
	p, err := compileQuery(diffRoot, &firestorepb.StructuredQuery{
		From: []*firestorepb.StructuredQuery_CollectionSelector{{CollectionId: "c"}},
		Where: &firestorepb.StructuredQuery_Filter{FilterType: &firestorepb.StructuredQuery_Filter_FieldFilter{
			FieldFilter: &firestorepb.StructuredQuery_FieldFilter{Field: fieldRef("a"), Op: firestorepb.StructuredQuery_FieldFilter_EQUAL,
				Value: &firestorepb.Value{ValueType: &firestorepb.Value_IntegerValue{IntegerValue: 1}}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := st.indexCandidates(p, st.readTime()); !ok {
		t.Fatal("equality query did not use the index")
	}
	put(2)
	if _, ok := st.indexCandidates(p, t1); ok {
		t.Fatal("index used for a read time before the last change")
	}
	cands, err := st.queryCandidates(p, t1)
	if err != nil {
		t.Fatal(err)
	}
	if got := docNames(p.execute(cands)); !slices.Equal(got, []string{name}) {
		t.Fatalf("at t1: %v, want [%s]", got, name)
	}
	cands, _ = st.queryCandidates(p, st.readTime())
	if got := p.execute(cands); len(got) != 0 {
		t.Fatalf("now: %v, want none", docNames(got))
	}
}

// TestListenWindowMatchesScan: limit targets updated commit by commit
// hold exactly the query's results as of each commit.
func TestListenWindowMatchesScan(t *testing.T) {
	st := newStore()
	r := rand.New(rand.NewPCG(3, 4))
	for range 30 {
		diffWrite(t, st, r)
	}
	var evs []*commitEvent
	cancel := st.subscribe(func(ev *commitEvent) { evs = append(evs, ev) })
	defer cancel()
	var targets []*listenTarget
	for len(targets) < 40 {
		parent, q := diffQuery(r, true)
		p, err := compileQuery(parent, q)
		if err != nil {
			continue
		}
		lt := &listenTarget{id: int32(len(targets) + 1), plan: p, query: q}
		if _, err := lt.initial(st, st.readTime()); err != nil {
			t.Fatal(err)
		}
		targets = append(targets, lt)
	}
	for round := range 300 {
		// A clear keeps no history, so it gets a round of its own (the
		// scan cannot look behind it).
		if round%101 == 100 {
			st.clear("projects/" + testProject + "/databases/(default)")
		} else {
			diffWrite(t, st, r)
		}
		for _, ev := range evs {
			for _, lt := range targets {
				if _, err := lt.apply(st, ev); err != nil {
					t.Fatal(err)
				}
				got := make([]string, 0, len(lt.result))
				for n := range lt.result {
					got = append(got, n)
				}
				want := scanResult(t, st, lt.plan, ev.commitTime)
				sort.Strings(got)
				sort.Strings(want)
				if !slices.Equal(got, want) {
					t.Fatalf("round %d: target %v\nwindow: %v\nscan:   %v", round, lt.query, got, want)
				}
			}
		}
		evs = evs[:0]
	}
}

// TestIndexQueriesGoClient runs random queries through the Go client
// (which the server answers from its indexes where it can) and compares
// each with a scan of the server's store.
func TestIndexQueriesGoClient(t *testing.T) {
	if external() {
		t.Skip("compares with the in-process store")
	}
	srv := newTestServer(t)
	c := adminClient(t, srv)
	ctx := context.Background()
	r := rand.New(rand.NewPCG(5, 6))
	vals := []any{nil, true, 0, 1, 2, 5, 1.0, 2.5, math.NaN(), "a", "ab", "b", []any{1, "a"}, map[string]any{"x": 1}}
	for i := range 60 {
		doc := map[string]any{"b": r.IntN(4)}
		if r.IntN(5) > 0 {
			doc["a"] = pick(r, vals)
		}
		if _, err := c.Doc(fmt.Sprintf("%sc/d%02d", pick(r, []string{"", "p/x/", "p/y/"}), i)).Set(ctx, doc); err != nil {
			t.Fatal(err)
		}
	}
	ops := []string{"==", "==", "<", "<=", ">", ">=", "!=", "in"}
	for i := range 200 {
		var q firestore.Query
		parent := diffRoot
		if r.IntN(3) == 0 {
			q = c.CollectionGroup("c").Query
		} else {
			q = c.Collection("c").Query
		}
		if r.IntN(4) > 0 {
			op := pick(r, ops)
			var v any = pick(r, vals)
			if op == "in" {
				v = []any{pick(r, vals), pick(r, vals)}
			}
			q = q.Where(pick(r, []string{"a", "b"}), op, v)
		}
		if r.IntN(2) == 0 {
			dir := firestore.Direction(firestore.Asc)
			if r.IntN(2) == 0 {
				dir = firestore.Desc
			}
			q = q.OrderBy(pick(r, []string{"a", "b"}), dir)
		}
		if r.IntN(2) == 0 {
			q = q.Limit(r.IntN(6))
		}
		snaps, err := q.Documents(ctx).GetAll()
		if err != nil {
			continue // an invalid combination (the client checks some)
		}
		got := make([]string, len(snaps))
		for j, s := range snaps {
			got[j] = strings.TrimPrefix(s.Ref.Path, "projects/"+testProject+"/databases/(default)/documents/")
		}
		sq, err := q.Serialize()
		if err != nil {
			t.Fatal(err)
		}
		var rq firestorepb.RunQueryRequest
		if err := proto.Unmarshal(sq, &rq); err != nil {
			t.Fatal(err)
		}
		p, err := compileQuery(parent, rq.GetStructuredQuery())
		if err != nil {
			t.Fatal(err)
		}
		want := scanResult(t, srv.s.st, p, srv.s.st.readTime())
		for j := range want {
			want[j] = strings.TrimPrefix(want[j], diffRoot+"/")
		}
		if !slices.Equal(got, want) {
			t.Fatalf("query %d %v\nclient: %v\nscan:   %v", i, rq.GetStructuredQuery(), got, want)
		}
	}
}
