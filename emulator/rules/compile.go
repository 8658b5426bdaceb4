package rules

import (
	"fmt"
	"sort"
	"strings"
	"sync/atomic"

	"github.com/roomgate/roomgate/emulator/rules/ast"
	"github.com/roomgate/roomgate/emulator/rules/parser"
)

// This file turns a parsed file into the structures decisions use: the
// match tree (match.go), the allow statements with the methods they cover
// and their coverage counters, and the function scopes. It also runs the
// static checks the parser cannot: calls that form a cycle (recursion is
// forbidden, rules-language.md 1.6 and 8) and the service name.

// allowRule is one compiled allow statement.
type allowRule struct {
	decl    *ast.Allow
	node    *matchNode
	methods methodSet
	// mentionsResource is true when the condition names `resource`
	// directly; queries rewrite such conditions (query_rewrite.go).
	mentionsResource bool
	// counts of evaluations to true, false and error (coverage.go).
	nTrue, nFalse, nError atomic.Int64
}

// methodSet is a bit set of request methods.
type methodSet uint8

const (
	mGet methodSet = 1 << iota
	mList
	mCreate
	mUpdate
	mDelete
)

// allowMethodBits expands an allow keyword (table 1.5).
var allowMethodBits = map[string]methodSet{
	"read":   mGet | mList,
	"write":  mCreate | mUpdate | mDelete,
	"get":    mGet,
	"list":   mList,
	"create": mCreate,
	"update": mUpdate,
	"delete": mDelete,
}

// methodBit returns the bit of a request method, 0 for an unknown one.
func methodBit(m Method) methodSet {
	switch m {
	case MethodGet:
		return mGet
	case MethodList:
		return mList
	case MethodCreate:
		return mCreate
	case MethodUpdate:
		return mUpdate
	case MethodDelete:
		return mDelete
	}
	return 0
}

// funcInfo is what compile knows about a user function.
type funcInfo struct {
	decl *ast.Function
	// mentionsResource: the body names `resource` and no parameter or let
	// shadows it (query_rewrite.go rewrites such bodies).
	mentionsResource bool
}

// compile builds a Ruleset from a parsed file, or returns the static
// errors found.
func compile(f *ast.File, src []byte) (*Ruleset, error) {
	rs := &Ruleset{name: f.Name, version: f.Version, funcs: map[*ast.Function]*funcInfo{}}
	var errs parser.ErrorList
	errorf := func(pos ast.Pos, format string, args ...any) {
		errs = append(errs, &parser.Error{Filename: f.Name, Pos: pos, Msg: fmt.Sprintf(format, args...), Line: sourceLine(src, pos)})
	}
	if f.Service == nil {
		errorf(ast.Pos{Line: 1, Col: 1}, "missing service declaration")
		return nil, errs
	}
	if f.Service.Name != "cloud.firestore" {
		// A Storage ruleset loaded into Firestore would otherwise deny
		// everything silently; say so instead.
		errorf(f.Service.Pos, "service %q is not cloud.firestore", f.Service.Name)
	}

	global := &compileScope{funcs: indexFuncs(f.Functions)}
	service := &compileScope{parent: global, funcs: indexFuncs(f.Service.Functions)}
	rs.globalFuncs = f.Functions
	rs.serviceFuncs = f.Service.Functions
	rs.globalIndex = nonEmpty(global.funcs)
	rs.serviceIndex = nonEmpty(service.funcs)
	var graph []funcNode
	addFuncs := func(fs []*ast.Function, sc *compileScope) {
		for _, fn := range fs {
			rs.funcs[fn] = &funcInfo{decl: fn, mentionsResource: functionMentionsResource(fn)}
			graph = append(graph, funcNode{decl: fn, scope: sc})
		}
	}
	addFuncs(f.Functions, global)
	addFuncs(f.Service.Functions, service)

	// shadowed: a match variable named `resource` hides the global one
	// below its block; query rewriting must then leave those names alone.
	var build func(m *ast.Match, parent *matchNode, level int, sc *compileScope, shadowed bool) *matchNode
	build = func(m *ast.Match, parent *matchNode, level int, sc *compileScope, shadowed bool) *matchNode {
		n := &matchNode{decl: m, parent: parent, level: level, funcs: m.Functions}
		if m.Pattern != nil {
			n.pattern = m.Pattern.String()
		} else {
			m.Pattern = &ast.Pattern{Pos: m.Pos}
		}
		seen := map[string]bool{}
		for _, seg := range m.Pattern.Segments {
			shadowed = shadowed || (seg.Kind != ast.SegLiteral && seg.Text == "resource")
			if seg.Kind != ast.SegLiteral {
				// Google's compiler rejects a name twice in one pattern
				// (nested blocks may repeat an outer name).
				if seen[seg.Text] {
					errorf(seg.Pos, "Variable %s already exists in the PathTemplate.", seg.Text)
				}
				seen[seg.Text] = true
			}
		}
		inner := &compileScope{parent: sc, funcs: indexFuncs(m.Functions)}
		n.funcIndex = nonEmpty(inner.funcs)
		addFuncs(m.Functions, inner)
		if shadowed {
			for _, fn := range m.Functions {
				rs.funcs[fn].mentionsResource = false
			}
		}
		for _, a := range m.Allows {
			r := &allowRule{decl: a, node: n, mentionsResource: !shadowed && a.Cond != nil && mentionsIdent(a.Cond, "resource")}
			for _, meth := range a.Methods {
				r.methods |= allowMethodBits[meth.Name]
			}
			n.allows = append(n.allows, r)
			rs.allows = append(rs.allows, r)
		}
		for _, c := range m.Matches {
			n.children = append(n.children, build(c, n, level+1, inner, shadowed))
		}
		return n
	}
	for _, m := range f.Service.Matches {
		rs.roots = append(rs.roots, build(m, nil, 0, service, false))
	}
	sort.SliceStable(rs.allows, func(i, j int) bool {
		return rs.allows[i].decl.Pos.Offset < rs.allows[j].decl.Pos.Offset
	})

	for _, r := range rs.allows {
		rs.readsResource = rs.readsResource || r.mentionsResource
	}
	for _, info := range rs.funcs {
		rs.readsResource = rs.readsResource || info.mentionsResource
	}

	rs.consts = constValues(rs)
	checkRegexLiterals(rs, errorf)

	cycles := findCycles(graph)
	for _, c := range cycles {
		errorf(c[0].Pos, "recursive function call: %s (functions may not call themselves, directly or through others)", cycleText(c))
	}
	if len(cycles) == 0 {
		if chain := longestCallChain(graph); len(chain) > maxCallDepth {
			// At the first function past the limit, as Google's emulator.
			names := make([]string, maxCallDepth)
			for i, fn := range chain[:maxCallDepth] {
				names[i] = fn.Name
			}
			errorf(chain[maxCallDepth].Pos, "Maximum allowed call depth of %d is reached for [%s] call stack.", maxCallDepth-1, strings.Join(names, "->"))
		}
	}
	if len(errs) > 0 {
		errs.Sort()
		return nil, errs
	}
	return rs, nil
}

// checkRegexLiterals reports a string literal passed as the pattern of
// matches() or split() that is not a valid regular expression, as
// Google's compiler does (replace() patterns are checked at run time
// there, and here).
func checkRegexLiterals(rs *Ruleset, errorf func(ast.Pos, string, ...any)) {
	check := func(e ast.Expr) {
		forEachExpr(e, func(x ast.Expr) {
			call, ok := x.(*ast.Call)
			if !ok || len(call.Args) != 1 {
				return
			}
			m, ok := call.Fun.(*ast.Member)
			if !ok || (m.Name != "matches" && m.Name != "split") {
				return
			}
			if lit, ok := call.Args[0].(*ast.StringLit); ok {
				if _, err := compileRegex(lit.Value); err != nil {
					errorf(lit.Pos, "Invalid regular expression pattern. Pattern: %s.", lit.Value)
				}
			}
		})
	}
	for _, r := range rs.allows {
		if r.decl.Cond != nil {
			check(r.decl.Cond)
		}
	}
	for fn := range rs.funcs {
		for _, l := range fn.Lets {
			check(l.Value)
		}
		check(fn.Return)
	}
}

// compileScope resolves function names the way evaluation does: the
// innermost declaration wins.
type compileScope struct {
	parent *compileScope
	funcs  map[string]*ast.Function
}

func (s *compileScope) lookup(name string) *ast.Function {
	for ; s != nil; s = s.parent {
		if f, ok := s.funcs[name]; ok {
			return f
		}
	}
	return nil
}

func indexFuncs(fs []*ast.Function) map[string]*ast.Function {
	m := make(map[string]*ast.Function, len(fs))
	for _, f := range fs {
		if _, dup := m[f.Name]; !dup {
			m[f.Name] = f
		}
	}
	return m
}

// constTable holds the values of a ruleset's constant literals (see
// constValues), one map per node type: a pointer-keyed map is cheaper to
// query than one keyed by the ast.Expr interface.
type constTable struct {
	strs   map[*ast.StringLit]Value
	ints   map[*ast.IntLit]Value
	floats map[*ast.FloatLit]Value
	bytes  map[*ast.BytesLit]Value
	lists  map[*ast.ListLit]Value
}

// constValues evaluates, once, the literals of rs's conditions and
// functions that would allocate on every evaluation: strings, numbers and
// bytes, and list literals whose elements are all literals. The values
// come from the evaluator itself, so they are the ones evaluation would
// build; values are immutable, so decisions share them.
func constValues(rs *Ruleset) *constTable {
	t := newConstTable()
	for _, r := range rs.allows {
		t.add(r.decl.Cond)
	}
	for fn := range rs.funcs {
		for _, l := range fn.Lets {
			t.add(l.Value)
		}
		t.add(fn.Return)
	}
	return t
}

func newConstTable() *constTable {
	return &constTable{
		strs: map[*ast.StringLit]Value{}, ints: map[*ast.IntLit]Value{}, floats: map[*ast.FloatLit]Value{},
		bytes: map[*ast.BytesLit]Value{}, lists: map[*ast.ListLit]Value{},
	}
}

// add adds the constant literals of e.
func (t *constTable) add(e ast.Expr) {
	lit := func(x ast.Expr) Value { return (&evalContext{}).evalNode(x, nil) }
	forEachExpr(e, func(x ast.Expr) {
		switch l := x.(type) {
		case *ast.StringLit:
			t.strs[l] = lit(l)
		case *ast.IntLit:
			t.ints[l] = lit(l)
		case *ast.FloatLit:
			t.floats[l] = lit(l)
		case *ast.BytesLit:
			t.bytes[l] = lit(l)
		case *ast.ListLit:
			if len(l.Elems) > maxListLen {
				return
			}
			vals := make(listV, len(l.Elems))
			for i, el := range l.Elems {
				switch el.(type) {
				case *ast.NullLit, *ast.BoolLit, *ast.IntLit, *ast.FloatLit, *ast.StringLit, *ast.BytesLit:
					vals[i] = lit(el)
				default:
					return
				}
			}
			t.lists[l] = vals
		}
	})
}

// size is the number of constants held.
func (t *constTable) size() int {
	return len(t.strs) + len(t.ints) + len(t.floats) + len(t.bytes) + len(t.lists)
}

// nonEmpty returns m, or nil when m is empty.
func nonEmpty(m map[string]*ast.Function) map[string]*ast.Function {
	if len(m) == 0 {
		return nil
	}
	return m
}

// funcNode is a function with the scope its body resolves names in.
type funcNode struct {
	decl  *ast.Function
	scope *compileScope
}

// findCycles returns each call cycle once, as the functions along it
// starting from the one declared first. Calls resolve lexically from the
// function's own scope, so a function calling a same-named one of an outer
// scope from an inner one is not recursion unless the resolution says so.
func findCycles(graph []funcNode) [][]*ast.Function {
	scopes := make(map[*ast.Function]*compileScope, len(graph))
	for _, n := range graph {
		scopes[n.decl] = n.scope
	}
	calls := func(fn *ast.Function) []*ast.Function { return callees(fn, scopes[fn]) }

	const (
		unvisited = iota
		onStack
		done
	)
	state := map[*ast.Function]int{}
	var stack []*ast.Function
	var cycles [][]*ast.Function
	var dfs func(fn *ast.Function)
	dfs = func(fn *ast.Function) {
		state[fn] = onStack
		stack = append(stack, fn)
		for _, g := range calls(fn) {
			switch state[g] {
			case unvisited:
				dfs(g)
			case onStack:
				for i := len(stack) - 1; i >= 0; i-- {
					if stack[i] == g {
						c := append([]*ast.Function(nil), stack[i:]...)
						cycles = append(cycles, c)
						break
					}
				}
			}
		}
		stack = stack[:len(stack)-1]
		state[fn] = done
	}
	for _, n := range graph {
		if state[n.decl] == unvisited {
			dfs(n.decl)
		}
	}
	return cycles
}

// callees returns the functions fn calls, resolved from its own scope.
func callees(fn *ast.Function, sc *compileScope) []*ast.Function {
	var out []*ast.Function
	visit := func(e ast.Expr) {
		forEachExpr(e, func(x ast.Expr) {
			if call, ok := x.(*ast.Call); ok {
				if id, ok := call.Fun.(*ast.Ident); ok {
					if g := sc.lookup(id.Name); g != nil {
						out = append(out, g)
					}
				}
			}
		})
	}
	for _, l := range fn.Lets {
		visit(l.Value)
	}
	visit(fn.Return)
	return out
}

// longestCallChain returns a longest chain of calls between functions,
// preferring the first function in declaration order whose chain exceeds
// maxCallDepth (Google's emulator rejects such chains at compile time, used
// or not). The graph must have no cycle.
func longestCallChain(graph []funcNode) []*ast.Function {
	scopes := make(map[*ast.Function]*compileScope, len(graph))
	for _, n := range graph {
		scopes[n.decl] = n.scope
	}
	next := map[*ast.Function]*ast.Function{}
	length := map[*ast.Function]int{}
	var depth func(fn *ast.Function) int
	depth = func(fn *ast.Function) int {
		if n, ok := length[fn]; ok {
			return n
		}
		best := 1
		for _, g := range callees(fn, scopes[fn]) {
			if d := depth(g) + 1; d > best {
				best, next[fn] = d, g
			}
		}
		length[fn] = best
		return best
	}
	// The first function in declaration order whose chain is too long,
	// else the longest: the one Google's emulator reports.
	var first *ast.Function
	for _, n := range graph {
		if d := depth(n.decl); d > maxCallDepth {
			first = n.decl
			break
		}
		if first == nil || depth(n.decl) > depth(first) {
			first = n.decl
		}
	}
	var chain []*ast.Function
	for fn := first; fn != nil; fn = next[fn] {
		chain = append(chain, fn)
	}
	return chain
}

func cycleText(c []*ast.Function) string {
	names := make([]string, 0, len(c)+1)
	for _, f := range c {
		names = append(names, f.Name)
	}
	names = append(names, c[0].Name)
	return strings.Join(names, " -> ")
}

// sourceLine returns the text of the line holding pos, for error snippets.
func sourceLine(src []byte, pos ast.Pos) string {
	if !pos.IsValid() {
		return ""
	}
	line := 1
	start := 0
	for i, c := range src {
		if line == pos.Line {
			break
		}
		if c == '\n' {
			line++
			start = i + 1
		}
	}
	end := start
	for end < len(src) && src[end] != '\n' {
		end++
	}
	return strings.TrimRight(string(src[start:end]), "\r")
}

// forEachExpr calls fn for e and every expression below it, parents first.
func forEachExpr(e ast.Expr, fn func(ast.Expr)) {
	if e == nil {
		return
	}
	fn(e)
	switch x := e.(type) {
	case *ast.ListLit:
		for _, el := range x.Elems {
			forEachExpr(el, fn)
		}
	case *ast.MapLit:
		for _, en := range x.Entries {
			forEachExpr(en.Key, fn)
			forEachExpr(en.Value, fn)
		}
	case *ast.PathLit:
		for _, s := range x.Segments {
			forEachExpr(s.Expr, fn)
		}
	case *ast.Unary:
		forEachExpr(x.X, fn)
	case *ast.Binary:
		forEachExpr(x.X, fn)
		forEachExpr(x.Y, fn)
	case *ast.Ternary:
		forEachExpr(x.Cond, fn)
		forEachExpr(x.Then, fn)
		forEachExpr(x.Else, fn)
	case *ast.Is:
		forEachExpr(x.X, fn)
	case *ast.Member:
		forEachExpr(x.X, fn)
	case *ast.Index:
		forEachExpr(x.X, fn)
		forEachExpr(x.Index, fn)
	case *ast.Slice:
		forEachExpr(x.X, fn)
		forEachExpr(x.Lo, fn)
		forEachExpr(x.Hi, fn)
	case *ast.Call:
		forEachExpr(x.Fun, fn)
		for _, a := range x.Args {
			forEachExpr(a, fn)
		}
	}
}

// mentionsIdent reports whether the identifier name occurs in e.
func mentionsIdent(e ast.Expr, name string) bool {
	found := false
	forEachExpr(e, func(x ast.Expr) {
		if id, ok := x.(*ast.Ident); ok && id.Name == name {
			found = true
		}
	})
	return found
}

// functionMentionsResource reports whether fn's body reads the global
// `resource`: it names it and neither a parameter nor a let shadows it.
func functionMentionsResource(fn *ast.Function) bool {
	for _, p := range fn.Params {
		if p.Name == "resource" {
			return false
		}
	}
	for _, l := range fn.Lets {
		if l.Name == "resource" {
			return false
		}
	}
	if mentionsIdent(fn.Return, "resource") {
		return true
	}
	for _, l := range fn.Lets {
		if mentionsIdent(l.Value, "resource") {
			return true
		}
	}
	return false
}
