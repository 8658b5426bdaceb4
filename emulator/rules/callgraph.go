package rules

import (
	"strings"

	"github.com/roomgate/roomgate/emulator/rules/ast"
)

// The call graph of a ruleset's functions, for the compile-time checks of
// compile.go: calls resolve lexically (compileScope), recursion is an
// error (findCycles) and so is a call chain longer than Google's compiler
// accepts (longestCallChain).

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

// funcNode is a function with the scope its body resolves names in.
type funcNode struct {
	decl  *ast.Function
	scope *compileScope
}

// findCycles returns each call cycle once, as the functions along it
// starting from the one declared first, at most limit of them, and how
// many more it found (those are counted, not copied: a long chain with
// many calls back into it would otherwise cost its length per call). Calls resolve lexically from the
// function's own scope, so a function calling a same-named one of an outer
// scope from an inner one is not recursion unless the resolution says so.
func findCycles(graph []funcNode, limit int) (cycles [][]*ast.Function, more int) {
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
	var dfs func(fn *ast.Function)
	dfs = func(fn *ast.Function) {
		state[fn] = onStack
		stack = append(stack, fn)
		for _, g := range calls(fn) {
			switch state[g] {
			case unvisited:
				dfs(g)
			case onStack:
				if len(cycles) >= limit {
					more++
					continue
				}
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
	return cycles, more
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
