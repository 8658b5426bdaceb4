package rules

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/roomgate/roomgate/emulator/rules/parser"
)

// The tests in this file check the evaluator's fast paths against the
// general code they shortcut: same inputs, same results.

// fastPathElems are candidate list elements, with the corner cases of set
// equality: ints and equal floats, NaN, -0.0, strings that look like
// numbers, nested lists, and maps.
var fastPathElems = []Value{
	stringV("a"), stringV("b"), stringV(""), stringV("1"), stringV("s1:a"),
	intV(0), intV(1), intV(-1), intV(math.MaxInt64),
	floatV(1), floatV(0), floatV(math.Copysign(0, -1)), floatV(1.5), floatV(math.NaN()),
	boolV(true), boolV(false), nullV{},
	listV{intV(1)}, listV{floatV(1)}, mapV{"a": intV(1)},
}

// TestHasOpSmallMatchesSets compares hasAll, hasAny and hasOnly on lists
// (strict equality) and sets (numbers by value) with and without the
// set-free fast path.
func TestHasOpSmallMatchesSets(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	pick := func() listV {
		l := make(listV, r.Intn(6))
		for i := range l {
			l[i] = fastPathElems[r.Intn(len(fastPathElems))]
		}
		return l
	}
	fastTaken := 0
	for i := 0; i < 20000; i++ {
		recv, arg := pick(), pick()
		for _, name := range []string{"hasAll", "hasAny", "hasOnly"} {
			set := newSet(recv)
			wantSet := hasOp(name, set, set.elems, arg, func(a []Value) memberTest { return newSet(a) })
			wantList := hasOp(name, newStrictIndex(recv), recv, arg, func(a []Value) memberTest { return newStrictIndex(a) })
			if _, ok := hasOpSmall(name, recv, arg); ok {
				fastTaken++
			}
			for _, c := range []struct{ got, want Value }{
				{listMethod(recv, name, []Value{arg}), wantList},
				{setMethod(newSet(recv), name, []Value{arg}), wantSet},
				{setMethod(newSet(recv), name, []Value{newSet(arg)}), wantSet},
			} {
				if c.got != c.want {
					t.Fatalf("%s.%s(%s) = %s, want %s", formatValue(recv), name, formatValue(arg), formatValue(c.got), formatValue(c.want))
				}
			}
		}
	}
	if fastTaken == 0 {
		t.Fatal("the fast path was never taken")
	}
}

// lazyTestData holds every kind of document value, nested.
var lazyTestData = map[string]any{
	"s": "alice", "n": int64(3), "f": 1.0, "half": 2.5, "nan": math.NaN(), "b": true, "z": nil,
	"bytes": []byte("hi"), "t": time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC),
	"geo": LatLng{Lat: 1, Lng: 2}, "ref": Reference("/databases/(default)/documents/rooms/r1"),
	"list":   []any{int64(1), "a", map[string]any{"x": int64(1)}, []any{2.0}},
	"nested": map[string]any{"x": int64(1), "deep": map[string]any{"y": "z"}},
	"empty":  map[string]any{},
}

// lazyTestExprs read d (the data above) and e (the same data with
// nested.x changed to 2.0) in every way a map can be used.
var lazyTestExprs = []string{
	`d`, `d.s`, `d['n']`, `d.typo`, `d['typo']`, `d.nested.deep.y`, `d.list[2].x`, `d.list[3]`,
	`d == d`, `d == e`, `d != e`, `d.nested == {'x': 1, 'deep': {'y': 'z'}}`,
	`{'x': 1.0, 'deep': {'y': 'z'}} == d.nested`, `d.nested == e.nested`, `d.empty == {}`,
	`[d.nested] == [e.nested]`, `d.nested in [e.nested]`, `d.list[2] in d.list`,
	`'s' in d`, `'typo' in d`, `1 in d`, `d.size()`, `d.keys()`, `d.values()`, `d.nested.values()`,
	`d.get('s', 0)`, `d.get('typo', 0)`, `d.get(['nested', 'deep', 'y'], 0)`, `d.get(['nested', 'x', 'y'], 0)`,
	`d.get(['s', 1], 0)`, `d.get([], 0)`, `d.get(1, 0)`, `d.get('s')`, `d.keys(1)`, `d.size(1)`,
	`d.diff(e).affectedKeys()`, `e.diff(d).changedKeys()`, `d.nested.diff(e.nested).unchangedKeys()`,
	`{'x': 1}.diff(d.nested).addedKeys()`, `d.nested.diff({'x': 1}).removedKeys()`, `d.diff(1)`,
	`[d.nested, e.nested].toSet().size()`, `[d.nested].toSet() == [{'x': 1.0, 'deep': {'y': 'z'}}].toSet()`,
	`[d.nested].hasAll([e.nested])`, `d.list.hasAny([{'x': 1.0}])`, `d is map`, `d.nested is map`,
	`d.typo.x`, `d.s.x`, `d.t == timestamp.value(1748779200000)`, `d.ref`, `d.geo`, `d.bytes`,
	`d.nan == d.nan`, `[d.nan].toSet().size()`, `path('x/{y}/{x}').bind(d.nested.deep)`, `path('x/{y}').bind(d.nested)`,
	`debug(d.nested)`, `d.missing.get('x', 1)`, `d.nested.keys().hasOnly(['x', 'deep'])`,
	`d.size() > 3 && d.keys().hasAll(['s', 'n'])`, `d.list[2].x + 1`, `d[1]`, `d.nested['deep']['y']`,
	// r is a record {'b': 'x', 'a': 1, 'c': d.nested}.
	`r`, `r.a`, `r['b']`, `r.typo`, `r[1]`, `'a' in r`, `'typo' in r`, `r.keys()`, `r.values()`, `r.size()`,
	`r == {'a': 1, 'b': 'x', 'c': {'x': 1, 'deep': {'y': 'z'}}}`, `r == {'a': 1, 'b': 'x'}`, `r == r`, `r != d`,
	`r.diff({'a': 1}).affectedKeys()`, `{'a': 2}.diff(r).changedKeys()`, `r.get('a', 0)`, `r.get(['c', 'deep', 'y'], 0)`,
	`r.get('typo', 0)`, `[r, r].toSet().size()`, `r.c.x`, `debug(r)`, `r is map`, `r.keys().hasOnly(['a', 'b', 'c'])`,
	`path('x/{b}').bind(r)`, `r.c.keys()`,
}

// TestLazyDataMatchesEager evaluates the same expressions over Go data
// converted eagerly (fromGo) and lazily (lazyData) and expects the same
// results, error texts included.
func TestLazyDataMatchesEager(t *testing.T) {
	other := map[string]any{}
	for k, v := range lazyTestData {
		other[k] = v
	}
	other["nested"] = map[string]any{"x": 2.0, "deep": map[string]any{"y": "z"}}
	scopeOf := func(conv func(any) Value, rec func(...namedValue) Value) *scope {
		d := conv(lazyTestData)
		r := rec(namedValue{"b", stringV("x")}, namedValue{"a", intV(1)}, namedValue{"c", member(d, "nested")})
		return &scope{vars: map[string]Value{"d": d, "e": conv(other), "r": r}}
	}
	eager := scopeOf(fromGo, func(fs ...namedValue) Value {
		m := mapV{}
		for _, f := range fs {
			m[f.name] = f.v
		}
		return m
	})
	var arena valueArena
	lazy := scopeOf(lazyData, func(fs ...namedValue) Value { return arena.record(fs...) })
	if _, ok := lazy.vars["d"].(*goMapV); !ok {
		t.Fatalf("lazyData built %T, want *goMapV", lazy.vars["d"])
	}
	for _, src := range lazyTestExprs {
		x, err := parser.ParseExpr(src)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		want := formatValue((&evalContext{}).eval(x, eager))
		got := formatValue((&evalContext{}).eval(x, lazy))
		if got != want && !sameButUnordered(got, want) {
			t.Errorf("%s\nlazy:  %s\neager: %s", src, got, want)
		}
	}
}

// TestLazyDataErrors checks that data fromGo rejects is rejected by
// lazyData with the same error, however deep the bad value sits.
func TestLazyDataErrors(t *testing.T) {
	bad := []any{
		struct{}{}, uint64(math.MaxUint64), uint(math.MaxUint64), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(0, 12, 31, 0, 0, 0, 0, time.UTC), Reference("/a//b"), Reference("//a"), Reference("a//"),
		errorf("boom"), json.Number("1"),
	}
	for _, b := range bad {
		for _, data := range []any{
			map[string]any{"ok": "x", "bad": b},
			map[string]any{"l": []any{int64(1), map[string]any{"bad": b}}},
		} {
			want := fromGo(data)
			if !isError(want) {
				t.Fatalf("fromGo(%#v) is not an error", data)
			}
			if got := lazyData(data); formatValue(got) != formatValue(want) {
				t.Errorf("lazyData(%#v) = %s, want %s", data, formatValue(got), formatValue(want))
			}
		}
	}
	good := []any{uint64(math.MaxInt64), Reference("/a/b/"), Reference(""), Reference("/"), (*LatLng)(nil), time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)}
	for _, g := range good {
		data := map[string]any{"g": g}
		if isError(fromGo(data)) || isError(lazyData(data)) {
			t.Errorf("%#v: fromGo %s, lazyData %s", g, formatValue(fromGo(data)), formatValue(lazyData(data)))
		}
	}
}

// TestConstsMatchEvaluation evaluates every expression of
// testdata/expr with and without the compile-time literal values, from
// fresh contexts and from contexts whose expression budget is almost
// spent, and expects the same values and the same step counts.
func TestConstsMatchEvaluation(t *testing.T) {
	files, _ := filepath.Glob("testdata/expr/*.txt")
	var srcs []string
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimRight(string(src), "\n"), "\n")
		for _, b := range parseExprBlocks(t, file, lines) {
			if b.cmd == "eval" || b.cmd == "access" {
				srcs = append(srcs, b.input)
			}
		}
	}
	srcs = append(srcs, `['a', 'b', 'c'] == ['a', 'b', 'c']`, `[[1], [2.0, null, b'x']].size()`, `[]`, `[true, 1, 1.5, 'x', null, b'y']`)
	used := 0
	for _, src := range srcs {
		x, err := parser.ParseExpr(src)
		if err != nil {
			continue // a parse-error case
		}
		consts := newConstTable()
		consts.add(x)
		used += consts.size()
		for _, start := range []int{0, maxSteps - 6, maxSteps - 3, maxSteps - 1, maxSteps} {
			plain, fast := newExprContext(), newExprContext()
			fast.consts = consts
			plain.steps, fast.steps = start, start
			want := formatValue(plain.eval(x, exprScope(nil)))
			got := formatValue(fast.eval(x, exprScope(nil)))
			if got != want || fast.steps != plain.steps {
				t.Errorf("%s (from step %d): %s after %d steps, want %s after %d", src, start, got, fast.steps, want, plain.steps)
			}
		}
	}
	if used == 0 {
		t.Fatal("no constant literal was found")
	}
}

// TestValueArenaOverflow checks that records and lazy maps taken from an
// arena past its capacity are still separate, complete values.
func TestValueArenaOverflow(t *testing.T) {
	var a valueArena
	var recs []*recordV
	for i := 0; i < 8; i++ {
		recs = append(recs, a.record(namedValue{"i", intV(i)}, namedValue{"x", intV(i)}, namedValue{"y", intV(i)}, namedValue{"z", intV(i)}, namedValue{"w", intV(i)}))
	}
	for i, r := range recs {
		if len(r.fields) != 5 {
			t.Fatalf("record %d has %d fields", i, len(r.fields))
		}
		for _, f := range r.fields {
			if f.v != intV(i) {
				t.Fatalf("record %d: %s = %s", i, f.name, formatValue(f.v))
			}
		}
	}
	var maps []*goMapV
	for i := 0; i < 5; i++ {
		maps = append(maps, a.goMap(map[string]any{"i": int64(i)}))
	}
	for i, m := range maps {
		if v, _ := m.field("i"); v != intV(i) {
			t.Fatalf("map %d: i = %v", i, v)
		}
	}
}

// TestDecideConcurrentReuse decides a mix of allowed and denied requests
// from several goroutines at once and expects every decision to equal
// the one made alone: per-decision state is reused across decisions
// (docStates), and none may leak into another. Run it with -race.
func TestDecideConcurrentReuse(t *testing.T) {
	src, err := os.ReadFile("../../firestore.rules")
	if err != nil {
		t.Fatal(err)
	}
	rs, err := Compile("firestore.rules", src)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	root := "/databases/(default)/documents/rooms/r1/"
	docs := decideDocs{root + "members/alice": {Path: root + "members/alice", Data: map[string]any{}}}
	user := func(uid string, claims map[string]any) *Auth {
		tok := map[string]any{"sub": uid}
		for k, v := range claims {
			tok[k] = v
		}
		return &Auth{UID: uid, Token: tok}
	}
	msg := func(sender string, text any) *Document {
		return &Document{Path: root + "messages/m1", Data: map[string]any{"senderId": sender, "text": text, "createdAt": now}}
	}
	var reqs []*Request
	for _, a := range []*Auth{nil, user("alice", map[string]any{"chat": true}), user("bob", map[string]any{"chat": true}), user("alice", map[string]any{"chat": true, "banned": true})} {
		for _, m := range []*Document{msg("alice", "hi"), msg("bob", "hi"), msg("alice", ""), msg("alice", int64(3))} {
			reqs = append(reqs, &Request{Method: MethodCreate, Path: root + "messages/m1", Auth: a, Time: now, Before: docs, Incoming: m})
		}
		reqs = append(reqs, &Request{Method: MethodGet, Path: root + "messages/m1", Auth: a, Time: now, Before: docs, Resource: msg("alice", "hi")})
		reqs = append(reqs, &Request{Method: MethodDelete, Path: root + "messages/m1", Auth: a, Time: now, Before: docs, Resource: msg("alice", "hi")})
	}
	want := make([]Decision, len(reqs))
	allowed := 0
	for i, r := range reqs {
		want[i] = rs.Decide(r)
		if want[i].Allowed {
			allowed++
		}
	}
	if allowed == 0 || allowed == len(reqs) {
		t.Fatalf("%d of %d requests allowed; want a mix", allowed, len(reqs))
	}
	var queries []*Query
	for _, a := range []*Auth{user("alice", map[string]any{"chat": true}), user("bob", map[string]any{"chat": true}), nil} {
		for _, coll := range []string{"messages", "members"} {
			queries = append(queries, &Query{Parent: "/databases/(default)/documents/rooms/r1", CollectionID: coll, Auth: a, Time: now, Before: docs,
				Where: &Filter{Op: OpEqual, Field: "senderId", Value: "alice"}})
		}
	}
	wantQ := make([]Decision, len(queries))
	for i, q := range queries {
		wantQ[i] = rs.DecideQuery(q)
	}
	errs := make(chan string, 8)
	done := make(chan struct{})
	for g := 0; g < 8; g++ {
		go func(g int) {
			defer func() { done <- struct{}{} }()
			for n := 0; n < 100; n++ {
				i := (g*7 + n) % len(reqs)
				if got := rs.Decide(reqs[i]); !reflect.DeepEqual(got, want[i]) {
					errs <- fmt.Sprintf("request %d: got %+v, want %+v", i, got, want[i])
					return
				}
				k := (g + n) % len(queries)
				if got := rs.DecideQuery(queries[k]); !reflect.DeepEqual(got, wantQ[k]) {
					errs <- fmt.Sprintf("query %d: got %+v, want %+v", k, got, wantQ[k])
					return
				}
			}
		}(g)
	}
	for g := 0; g < 8; g++ {
		<-done
	}
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestSplitPathInto checks the buffered path split against splitPath.
func TestSplitPathInto(t *testing.T) {
	var buf [2]string
	for _, p := range []string{"", "/", "//", "a", "/a", "/a/", "/a//b", "//a", "/a/b/c", "/databases/(default)/documents/rooms/r1", "/x/%2F/y", "/ a/b "} {
		want, wantOK := splitPath(p)
		got, gotOK := splitPathInto(buf[:0], p)
		if gotOK != wantOK || !reflect.DeepEqual(got, want) {
			t.Errorf("%q: got %q %v, want %q %v", p, got, gotOK, want, wantOK)
		}
	}
}

// TestDocStateCleared runs decisions in one docState and checks that
// clearing it leaves nothing of them behind: the state is reused by the
// next decision, which must neither see nor keep alive a previous
// request's data.
func TestDocStateCleared(t *testing.T) {
	rs, err := Compile("firestore.rules", mustReadFile(t, "../../firestore.rules"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	root := "/databases/(default)/documents/rooms/r1/"
	docs := decideDocs{root + "members/alice": {Path: root + "members/alice", Data: map[string]any{}}}
	alice := &Auth{UID: "alice", Token: map[string]any{"chat": true}}
	msg := &Document{Path: root + "messages/m1", Data: map[string]any{"senderId": "alice", "text": "hi", "createdAt": now, "editedAt": now}}
	st := new(docState)
	for _, req := range []*Request{
		{Method: MethodCreate, Path: root + "messages/m1", Auth: alice, Time: now, Before: docs, Incoming: msg},
		{Method: MethodUpdate, Path: root + "messages/m1", Auth: alice, Time: now, Before: docs, Resource: msg, Incoming: msg},
		{Method: MethodDelete, Path: root + "messages/m1", Auth: alice, Time: now, Before: docs, Resource: msg},
		{Method: MethodGet, Path: root + "messages/m1", Auth: nil, Time: now, Before: docs, Resource: msg},
	} {
		d := rs.decideIn(st, req, methodBit(req.Method), nil, nil)
		if len(d.Outcomes) == 0 {
			t.Fatalf("%s: nothing evaluated: %s", req.Method, d.Reason())
		}
		if st.ctx.nFrames == 0 && req.Auth != nil {
			t.Fatalf("%s: no call frame used", req.Method)
		}
		st.clear()
		frames := st.ctx.frames
		for i, f := range frames {
			if f != nil && !reflect.DeepEqual(*f, callFrame{}) {
				t.Fatalf("%s: call frame %d not cleared: %+v", req.Method, i, *f)
			}
		}
		thunks := st.ctx.thunks
		for i, ch := range thunks {
			if !reflect.DeepEqual(*ch, [thunkChunk]thunk{}) {
				t.Fatalf("%s: thunk chunk %d not cleared", req.Method, i)
			}
		}
		st.ctx.frames = [maxCallDepth]*callFrame{}
		st.ctx.thunks = nil
		if !reflect.DeepEqual(*st, docState{}) {
			t.Fatalf("%s: state not cleared: %+v", req.Method, *st)
		}
		st.ctx.frames, st.ctx.thunks = frames, thunks
	}
}

func mustReadFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// FuzzFastPaths evaluates fuzzed expressions twice, once over eagerly
// converted data without compile-time constants and once over lazy data
// (goMapV, recordV) with them, and expects the same value and the same
// step count. Seeds are lazyTestExprs and every expression of
// testdata/expr.
//
//	go test -run '^$' -fuzz '^FuzzFastPaths$' -fuzztime 1m ./emulator/rules
func FuzzFastPaths(f *testing.F) {
	for _, s := range lazyTestExprs {
		f.Add(s)
	}
	files, _ := filepath.Glob("testdata/expr/*.txt")
	for _, file := range files {
		lines := strings.Split(strings.TrimRight(string(mustReadFile(f, file)), "\n"), "\n")
		for _, b := range parseExprBlocks(f, file, lines) {
			if b.cmd == "eval" {
				f.Add(b.input)
			}
		}
	}
	other := map[string]any{}
	for k, v := range lazyTestData {
		other[k] = v
	}
	other["nested"] = map[string]any{"x": 2.0, "deep": map[string]any{"y": "z"}}
	eagerRec := func(fs ...namedValue) Value {
		m := mapV{}
		for _, f := range fs {
			m[f.name] = f.v
		}
		return m
	}
	f.Fuzz(func(t *testing.T, src string) {
		x, err := parser.ParseExpr(src)
		if err != nil {
			return
		}
		run := func(conv func(any) Value, rec func(...namedValue) Value, consts *constTable) (string, int) {
			d := conv(lazyTestData)
			s := &scope{vars: map[string]Value{
				"d": d, "e": conv(other),
				"r": rec(namedValue{"b", stringV("x")}, namedValue{"a", intV(1)}, namedValue{"c", member(d, "nested")}),
			}}
			c := &evalContext{consts: consts}
			return formatValue(c.eval(x, s)), c.steps
		}
		consts := newConstTable()
		consts.add(x)
		var arena valueArena
		want, wantSteps := run(fromGo, eagerRec, nil)
		got, gotSteps := run(lazyData, func(fs ...namedValue) Value { return arena.record(fs...) }, consts)
		if (got != want && !sameButUnordered(got, want)) || gotSteps != wantSteps {
			t.Fatalf("%s:\nfast:  %s (%d steps)\nplain: %s (%d steps)", src, got, gotSteps, want, wantSteps)
		}
	})
}

// sameButUnordered reports whether lazy, a value read from document data,
// differs from eager only by being values() whose order roomgate cannot
// know (value_bag.go): the same elements, marked unordered.
func sameButUnordered(lazy, eager string) bool {
	return lazy == "values("+eager+")"
}
