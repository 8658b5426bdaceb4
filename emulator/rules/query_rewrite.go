package rules

import (
	"fmt"
	"sort"
	"strings"

	"github.com/roomgate/roomgate/emulator/rules/ast"
)

// This file rewrites conditions for one query disjunct so that the
// ordinary evaluator decides them three-valued ("rules are
// not filters").
//
// The symbolic document: in a list decision `resource` is a map whose
// `data` is the unknown value, an error value reading "not provable from
// the query constraints". Error values already behave like Kleene's
// unknown under && and || (error || true is true, error && false is false,
// everything else stays error), so a condition that depends on a field the
// query does not pin down cannot come out true, and denies.
//
// Before evaluation, reads of `resource.data.<field>` are replaced using
// the disjunct's facts (query_facts.go):
//   - field == C in the query: the read becomes the constant C, so every
//     use of the field is exact (`resource.data.x > 5` with x == 6 is
//     6 > 5). A number is exact within one numeric variant of the
//     disjunct (query_facts.go: x == 5 is judged as 5 and as 5.0); a list
//     or map holding a number is substituted only as a direct operand of
//     a comparison, where int and float compare alike as they do in the
//     query, and for `is` (its own type is certain); elsewhere it stays
//     unknown. A field inside a pinned map is the map's value for it
//     (`meta.owner` with meta == {'owner': 'a'}), a missing key unknown.
//   - a comparison the query's range, != or not-in constraint implies
//     becomes `(implication) ? true : unknown`: it can become true, never
//     false, so negating it cannot grant. A numeric upper bound without a
//     lower bound is not used (the range could include NaN, for which
//     every comparison is false).
//   - `c in resource.data.tags` and `.hasAny` use array-contains the same
//     way (`.hasAll` does not: Google's emulator denies it there).
//   - every filter matches only documents holding its field, so
//     `'f' in resource.data` is true for a constrained f or a constrained
//     field nested in f, and `resource.data.keys()` can prove `hasAll`,
//     `hasAny` and `in` of those keys (never their negation, `hasOnly` or
//     `size()`: the document may hold other keys). A constrained nested
//     field proves `resource.data.f is map`.
//   - anything else that reads resource.data stays unknown.
//
// When unsure the rewrite leaves the read unknown, which denies.

// unknownText is the error text of a value a query leaves undetermined.
const unknownText = "not provable from the query constraints (rules are not filters)"

// Names of synthesized variables. The parser never produces an identifier
// containing '$', so they cannot collide with user names.
const unknownVar = "$unknown"

// rewriter rewrites conditions for one disjunct.
type rewriter struct {
	d    *disjunct
	vars map[string]Value // synthesized variables, bound in the root scope
	n    int
	// conds caches rewritten allow conditions.
	conds map[*allowRule]ast.Expr
	// infos tells which functions read resource (compile.go); funcs caches
	// their rewritten forms.
	infos map[*ast.Function]*funcInfo
	funcs map[*ast.Function]*ast.Function
}

func newRewriter(d *disjunct, vars map[string]Value, infos map[*ast.Function]*funcInfo) *rewriter {
	return &rewriter{d: d, vars: vars, infos: infos}
}

// funcFor returns the function to run when fn is called: fn itself, or,
// when its body reads resource, its rewritten form. A function is
// rewritten on its first call only: rewriting has no effect but binding
// fresh synthesized variables, so doing it lazily changes no result, and
// most functions a ruleset declares are never called by a given query.
func (rw *rewriter) funcFor(fn *ast.Function) *ast.Function {
	if info := rw.infos[fn]; info == nil || !info.mentionsResource {
		return fn
	}
	if r, ok := rw.funcs[fn]; ok {
		return r
	}
	r := rw.function(fn)
	if rw.funcs == nil {
		rw.funcs = map[*ast.Function]*ast.Function{}
	}
	rw.funcs[fn] = r
	return r
}

// cond returns the condition to evaluate for r.
func (rw *rewriter) cond(r *allowRule) ast.Expr {
	if r.decl.Cond == nil || !r.mentionsResource {
		return r.decl.Cond
	}
	if c, ok := rw.conds[r]; ok {
		return c
	}
	c := rw.expr(r.decl.Cond)
	if rw.conds == nil {
		rw.conds = map[*allowRule]ast.Expr{}
	}
	rw.conds[r] = c
	return c
}

// function returns fn with its lets and return rewritten.
func (rw *rewriter) function(fn *ast.Function) *ast.Function {
	out := *fn
	out.Lets = make([]*ast.Let, len(fn.Lets))
	for i, l := range fn.Lets {
		nl := *l
		nl.Value = rw.expr(l.Value)
		out.Lets[i] = &nl
	}
	out.Return = rw.expr(fn.Return)
	return &out
}

// bind binds v to a fresh synthesized variable and returns a reference.
func (rw *rewriter) bind(v Value, pos ast.Pos) ast.Expr {
	name := fmt.Sprintf("$q%d", rw.n)
	rw.n++
	rw.vars[name] = v
	return &ast.Ident{Pos: pos, Name: name}
}

func unknownExpr(pos ast.Pos) ast.Expr { return &ast.Ident{Pos: pos, Name: unknownVar} }

// provable is `cond ? true : unknown`.
func provable(cond ast.Expr, pos ast.Pos) ast.Expr {
	return &ast.Ternary{Pos: pos, Cond: cond, Then: &ast.BoolLit{Pos: pos, Value: true}, Else: unknownExpr(pos)}
}

// accessChain returns the root name and keys of x.a['b'].c.
func accessChain(e ast.Expr) (string, []string, bool) {
	switch x := e.(type) {
	case *ast.Ident:
		return x.Name, nil, true
	case *ast.Member:
		r, k, ok := accessChain(x.X)
		return r, append(k, x.Name), ok
	case *ast.Index:
		if s, ok := x.Index.(*ast.StringLit); ok {
			r, k, ok := accessChain(x.X)
			return r, append(k, s.Value), ok
		}
	}
	return "", nil, false
}

// fieldOf returns the dotted field path of resource.data.<path>.
func fieldOf(e ast.Expr) (string, bool) {
	root, keys, ok := accessChain(e)
	if !ok || root != "resource" || len(keys) < 2 || keys[0] != "data" {
		return "", false
	}
	for _, k := range keys[1:] {
		if k == "" || strings.Contains(k, ".") {
			return "", false
		}
	}
	return strings.Join(keys[1:], "."), true
}

// isResourceData reports whether e is resource.data.
func isResourceData(e ast.Expr) bool {
	root, keys, ok := accessChain(e)
	return ok && root == "resource" && len(keys) == 1 && keys[0] == "data"
}

// eqValue returns the constant a field is pinned to, if it may be
// substituted in this context.
func (rw *rewriter) eqValue(field string, comparison bool) (any, bool) {
	ff := rw.d.fields[field]
	if ff == nil || !ff.hasEq {
		ff = rw.pinnedBelow(field)
		if ff == nil {
			return nil, false
		}
	}
	if containsNumber(ff.eq) && !ff.exact {
		if !comparison || !isNumber(ff.eq) {
			return nil, false
		}
	}
	return ff.eq, true
}

// pinnedBelow returns the facts of a field nested in a pinned map: with
// `meta == {'owner': 'a'}` in the query, meta.owner is 'a' (map equality
// is exact, so the stored map holds exactly those keys). A key the map
// lacks, or a value under a list, leaves the field unknown (nil).
func (rw *rewriter) pinnedBelow(field string) *fieldFacts {
	for i := len(field) - 1; i > 0; i-- {
		if field[i] != '.' {
			continue
		}
		ff := rw.d.fields[field[:i]]
		if ff == nil || !ff.hasEq {
			continue
		}
		v := ff.eq
		for _, k := range strings.Split(field[i+1:], ".") {
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			if v, ok = m[k]; !ok {
				return nil
			}
		}
		return &fieldFacts{eq: v, hasEq: true}
	}
	return nil
}

var flipped = map[ast.Op]ast.Op{ast.OpLt: ast.OpGt, ast.OpLe: ast.OpGe, ast.OpGt: ast.OpLt, ast.OpGe: ast.OpLe, ast.OpEq: ast.OpEq, ast.OpNe: ast.OpNe}

// compare rewrites `resource.data.<field> op other`.
func (rw *rewriter) compare(field string, op ast.Op, other ast.Expr, pos ast.Pos) ast.Expr {
	if c, ok := rw.eqValue(field, true); ok {
		return &ast.Binary{Pos: pos, Op: op, X: rw.bind(fromGo(c), pos), Y: other}
	}
	ff := rw.d.fields[field]
	if ff == nil {
		return unknownExpr(pos)
	}
	var cond ast.Expr
	bin := func(op ast.Op, v any) ast.Expr {
		return &ast.Binary{Pos: pos, Op: op, X: rw.bind(fromGo(v), pos), Y: other}
	}
	switch op {
	case ast.OpNe:
		// The field differs from other when other is one of the values the
		// field is known to differ from, or lies outside the field's range
		// (as Google's emulator proves `x != 3` from `x > 5`).
		var parts []ast.Expr
		if len(ff.ne) > 0 {
			parts = append(parts, &ast.Binary{Pos: pos, Op: ast.OpIn, X: other, Y: rw.bind(fromGo(ff.ne), pos)})
		}
		if ff.hasLo {
			if ff.loIncl {
				parts = append(parts, bin(ast.OpGt, ff.lo)) // f >= lo > other
			} else {
				parts = append(parts, bin(ast.OpGe, ff.lo)) // f > lo >= other
			}
		}
		if ff.hasHi {
			// (No lower bound needed here: a NaN the range may hold
			// differs from every value.)
			if ff.hiIncl {
				parts = append(parts, bin(ast.OpLt, ff.hi)) // f <= hi < other
			} else {
				parts = append(parts, bin(ast.OpLe, ff.hi)) // f < hi <= other
			}
		}
		for _, p := range parts {
			if cond == nil {
				cond = p
			} else {
				cond = &ast.Binary{Pos: pos, Op: ast.OpOr, X: cond, Y: p}
			}
		}
	case ast.OpGt:
		if ff.hasLo {
			if ff.loIncl {
				cond = bin(ast.OpGt, ff.lo) // f >= lo > other
			} else {
				cond = bin(ast.OpGe, ff.lo) // f > lo >= other
			}
		}
	case ast.OpGe:
		if ff.hasLo {
			cond = bin(ast.OpGe, ff.lo)
		}
	case ast.OpLt, ast.OpLe:
		if ff.hasHi && (!isNumber(ff.hi) || (ff.hasLo && isNumber(ff.lo))) {
			if op == ast.OpLt && ff.hiIncl {
				cond = bin(ast.OpLt, ff.hi) // f <= hi < other
			} else {
				cond = bin(ast.OpLe, ff.hi) // f < hi <= other, or f <= hi <= other
			}
		}
	}
	if cond == nil {
		return unknownExpr(pos)
	}
	return provable(cond, pos)
}

// notIn rewrites `!(resource.data.f in L)` for a field the disjunct does
// not pin but knows to differ from some values (not-in, !=): it holds
// when every element of L is one of them (as Google's emulator proves it
// from a not-in filter). It returns nil when the rule is not of that
// shape.
func (rw *rewriter) notIn(x *ast.Unary) ast.Expr {
	in, ok := x.X.(*ast.Binary)
	if !ok || in.Op != ast.OpIn {
		return nil
	}
	f, ok := fieldOf(in.X)
	if !ok {
		return nil
	}
	if _, pinned := rw.eqValue(f, true); pinned {
		return nil
	}
	ff := rw.d.fields[f]
	if ff == nil || len(ff.ne) == 0 {
		return nil
	}
	// L.hasOnly(ne): no number coercion, so a float in L against an int
	// in ne proves nothing (the safe side).
	cond := &ast.Call{Pos: x.Pos, Fun: &ast.Member{Pos: x.Pos, X: rw.expr(in.Y), Name: "hasOnly"}, Args: []ast.Expr{rw.bind(fromGo(ff.ne), x.Pos)}}
	return provable(cond, x.Pos)
}

// expr returns e rewritten; unchanged subtrees are rebuilt too, which is
// simple and cheap next to evaluation.
func (rw *rewriter) expr(e ast.Expr) ast.Expr {
	switch x := e.(type) {
	case nil:
		return nil
	case *ast.Binary:
		switch x.Op {
		case ast.OpEq, ast.OpNe, ast.OpLt, ast.OpLe, ast.OpGt, ast.OpGe:
			if f, ok := fieldOf(x.X); ok {
				return rw.compare(f, x.Op, rw.expr(x.Y), x.Pos)
			}
			if f, ok := fieldOf(x.Y); ok {
				return rw.compare(f, flipped[x.Op], rw.expr(x.X), x.Pos)
			}
		case ast.OpIn:
			if f, ok := fieldOf(x.X); ok {
				// `resource.data.x in [..]` compares like ==.
				if c, ok := rw.eqValue(f, true); ok {
					return &ast.Binary{Pos: x.Pos, Op: ast.OpIn, X: rw.bind(fromGo(c), x.Pos), Y: rw.expr(x.Y)}
				}
			}
			if f, ok := fieldOf(x.Y); ok {
				return rw.arrayHas(f, "in", rw.expr(x.X), x.Pos)
			}
			if isResourceData(x.Y) {
				return rw.hasKey(x.X, x.Pos)
			}
			if isDataKeys(x.Y) {
				return provable(&ast.Binary{Pos: x.Pos, Op: ast.OpIn, X: rw.expr(x.X), Y: rw.bind(rw.knownKeys(), x.Pos)}, x.Pos)
			}
		}
		return &ast.Binary{Pos: x.Pos, Op: x.Op, X: rw.expr(x.X), Y: rw.expr(x.Y)}
	case *ast.Call:
		args := make([]ast.Expr, len(x.Args))
		for i, a := range x.Args {
			args[i] = rw.expr(a)
		}
		if m, ok := x.Fun.(*ast.Member); ok {
			if f, ok := fieldOf(m.X); ok && (m.Name == "hasAny" || m.Name == "hasAll") && len(args) == 1 {
				return rw.arrayHas(f, m.Name, args[0], x.Pos)
			}
			if isDataKeys(m.X) && (m.Name == "hasAny" || m.Name == "hasAll") && len(args) == 1 {
				// Some (every) listed key is one the filters prove present.
				return provable(&ast.Call{Pos: x.Pos, Fun: &ast.Member{Pos: x.Pos, X: rw.bind(rw.knownKeys(), x.Pos), Name: m.Name}, Args: args}, x.Pos)
			}
			if isResourceData(m.X) && m.Name == "get" && len(args) == 2 {
				if f, ok := getKey(x.Args[0]); ok {
					if c, ok := rw.eqValue(f, false); ok {
						return rw.bind(fromGo(c), x.Pos)
					}
				}
				return unknownExpr(x.Pos)
			}
			return &ast.Call{Pos: x.Pos, Fun: &ast.Member{Pos: m.Pos, X: rw.expr(m.X), Name: m.Name}, Args: args}
		}
		return &ast.Call{Pos: x.Pos, Fun: x.Fun, Args: args}
	}
	if f, ok := fieldOf(e); ok {
		if c, ok := rw.eqValue(f, false); ok {
			return rw.bind(fromGo(c), e.Position())
		}
		return unknownExpr(e.Position())
	}
	switch x := e.(type) {
	case *ast.ListLit:
		out := &ast.ListLit{Pos: x.Pos, Elems: make([]ast.Expr, len(x.Elems))}
		for i, el := range x.Elems {
			out.Elems[i] = rw.expr(el)
		}
		return out
	case *ast.MapLit:
		out := &ast.MapLit{Pos: x.Pos, Entries: make([]*ast.MapEntry, len(x.Entries))}
		for i, en := range x.Entries {
			out.Entries[i] = &ast.MapEntry{Pos: en.Pos, Key: rw.expr(en.Key), Value: rw.expr(en.Value)}
		}
		return out
	case *ast.PathLit:
		out := &ast.PathLit{Pos: x.Pos, Segments: make([]*ast.PathSegment, len(x.Segments))}
		for i, s := range x.Segments {
			out.Segments[i] = &ast.PathSegment{Pos: s.Pos, Text: s.Text, Expr: rw.expr(s.Expr)}
		}
		return out
	case *ast.Unary:
		if x.Op == ast.OpNot {
			if notIn := rw.notIn(x); notIn != nil {
				return notIn
			}
		}
		return &ast.Unary{Pos: x.Pos, Op: x.Op, X: rw.expr(x.X)}
	case *ast.Ternary:
		return &ast.Ternary{Pos: x.Pos, Cond: rw.expr(x.Cond), Then: rw.expr(x.Then), Else: rw.expr(x.Else)}
	case *ast.Is:
		if f, ok := fieldOf(x.X); ok {
			return rw.isType(f, x)
		}
		return &ast.Is{Pos: x.Pos, X: rw.expr(x.X), Type: x.Type}
	case *ast.Member:
		return &ast.Member{Pos: x.Pos, X: rw.expr(x.X), Name: x.Name}
	case *ast.Index:
		return &ast.Index{Pos: x.Pos, X: rw.expr(x.X), Index: rw.expr(x.Index)}
	case *ast.Slice:
		return &ast.Slice{Pos: x.Pos, X: rw.expr(x.X), Lo: rw.expr(x.Lo), Hi: rw.expr(x.Hi)}
	}
	return e // leaves: literals, identifiers, BadExpr
}

// getKey returns the field path of resource.data.get's first argument: a
// string literal or a list literal of string literals.
func getKey(e ast.Expr) (string, bool) {
	switch k := e.(type) {
	case *ast.StringLit:
		if k.Value != "" && !strings.Contains(k.Value, ".") {
			return k.Value, true
		}
	case *ast.ListLit:
		parts := make([]string, len(k.Elems))
		for i, el := range k.Elems {
			s, ok := el.(*ast.StringLit)
			if !ok || s.Value == "" || strings.Contains(s.Value, ".") {
				return "", false
			}
			parts[i] = s.Value
		}
		if len(parts) > 0 {
			return strings.Join(parts, "."), true
		}
	}
	return "", false
}

// arrayHas rewrites `x in resource.data.f` (how == "in"), and
// resource.data.f.hasAny(x) / hasAll(x).
func (rw *rewriter) arrayHas(field, how string, x ast.Expr, pos ast.Pos) ast.Expr {
	if c, ok := rw.eqValue(field, false); ok {
		v := rw.bind(fromGo(c), pos)
		if how == "in" {
			return &ast.Binary{Pos: pos, Op: ast.OpIn, X: x, Y: v}
		}
		return &ast.Call{Pos: pos, Fun: &ast.Member{Pos: pos, X: v, Name: how}, Args: []ast.Expr{x}}
	}
	ff := rw.d.fields[field]
	if ff == nil || len(ff.contains) == 0 {
		return unknownExpr(pos)
	}
	known := rw.bind(fromGo(ff.contains), pos) // values the array surely holds
	switch how {
	case "in":
		return provable(&ast.Binary{Pos: pos, Op: ast.OpIn, X: x, Y: known}, pos)
	case "hasAny":
		// Some element of x is among the known ones.
		return provable(&ast.Call{Pos: pos, Fun: &ast.Member{Pos: pos, X: known, Name: "hasAny"}, Args: []ast.Expr{x}}, pos)
	default:
		// hasAll is not proven from array-contains: Google's emulator
		// answers "Function not found error: Name: [hasAll]" there.
		return unknownExpr(pos)
	}
}

// hasKey rewrites `'f' in resource.data`: every filter on a field implies
// the field exists.
func (rw *rewriter) hasKey(key ast.Expr, pos ast.Pos) ast.Expr {
	// rw.d.fields is keyed by dotted field path, so a key that is empty or
	// holds a dot would be mistaken for a nested field: 'a.b' in
	// resource.data asks for a top-level key named "a.b", which a filter on
	// the nested field a.b does not prove. Such keys stay unknown, as in
	// fieldOf and getKey.
	if s, ok := key.(*ast.StringLit); ok && s.Value != "" && !strings.Contains(s.Value, ".") {
		if rw.constrainedBelow(s.Value) {
			return &ast.BoolLit{Pos: pos, Value: true}
		}
	}
	return unknownExpr(pos)
}

// constrainedBelow reports whether a filter constrains the field path f
// or a field nested in it; either proves f present (every filter, !=
// and not-in too, matches only documents holding its field), and a
// nested one proves f a map.
func (rw *rewriter) constrainedBelow(f string) bool {
	if _, ok := rw.d.fields[f]; ok {
		return true
	}
	return rw.nestedBelow(f)
}

// nestedBelow reports whether a filter constrains a field nested in f.
func (rw *rewriter) nestedBelow(f string) bool {
	for k := range rw.d.fields {
		if strings.HasPrefix(k, f+".") {
			return true
		}
	}
	return false
}

// knownKeys is the list of top-level keys the filters prove present.
func (rw *rewriter) knownKeys() Value {
	seen := map[string]bool{}
	var keys []any
	for k := range rw.d.fields {
		top, _, _ := strings.Cut(k, ".")
		if !seen[top] {
			seen[top] = true
			keys = append(keys, top)
		}
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].(string) < keys[j].(string) })
	return fromGo(keys)
}

// isDataKeys reports whether e is resource.data.keys().
func isDataKeys(e ast.Expr) bool {
	c, ok := e.(*ast.Call)
	if !ok || len(c.Args) != 0 {
		return false
	}
	m, ok := c.Fun.(*ast.Member)
	return ok && m.Name == "keys" && isResourceData(m.X)
}

// isType rewrites `resource.data.<f> is T`: exact for a pinned value
// whose type is certain (anything but a number the query leaves int or
// float; a list or map is a list or map whatever numbers it holds), true
// for `is map` when a filter constrains a field nested in f, unknown
// otherwise. (Google's emulator proves no type from a range filter, and
// neither does this.)
func (rw *rewriter) isType(f string, x *ast.Is) ast.Expr {
	if ff := rw.d.fields[f]; ff != nil && ff.hasEq && (ff.exact || !isNumber(ff.eq)) {
		return &ast.Is{Pos: x.Pos, X: rw.bind(fromGo(ff.eq), x.Pos), Type: x.Type}
	}
	if x.Type == "map" && rw.nestedBelow(f) {
		return &ast.BoolLit{Pos: x.Pos, Value: true}
	}
	return unknownExpr(x.Pos)
}
