package rules

import (
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
// forbidden in the rules language) or too long a chain (both on the
// call graph of callgraph.go), a variable named twice in one pattern,
// invalid regular-expression literals and the service name. consts.go
// precomputes the constant literals.

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
	lines := parser.NewLineIndex(src)
	var errs, warnings issueList
	errorf := func(pos ast.Pos, format string, args ...any) { errs.add(pos, format, args...) }
	if f.Service == nil {
		errorf(ast.Pos{Line: 1, Col: 1}, "missing service declaration")
		return nil, errs.list(f.Name, lines, "error")
	}
	checkFile(f, warnings.add)
	rs.nWarnings = warnings.len()
	rs.warnings = warnings.list(f.Name, lines, "warning")

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
	if f.Service.Name != "cloud.firestore" {
		// Google's emulator loads a ruleset of another service (with a
		// warning unless it is firebase.storage) and no Firestore
		// request matches it: every request is denied.
		rs.roots = nil
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

	cycles, moreCycles := findCycles(graph, maxIssues)
	for _, c := range cycles {
		errorf(c[0].Pos, "recursive function call: %s (functions may not call themselves, directly or through others)", cycleText(c))
	}
	errs.uncounted += moreCycles
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
	if errs.len() > 0 {
		return nil, errs.list(f.Name, lines, "error")
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

// nonEmpty returns m, or nil when m is empty.
func nonEmpty(m map[string]*ast.Function) map[string]*ast.Function {
	if len(m) == 0 {
		return nil
	}
	return m
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
