package rules

import "github.com/roomgate/roomgate/emulator/rules/ast"

// scope holds the names visible at a point of a ruleset: variables and
// functions; lookups go up through parent. A scope is an activation in
// cel-go's sense: each level (global, service, each match, each function
// call) is one scope whose parent is the enclosing level.
//
// A scope is not changed after evaluation starts using it, so one built
// for a ruleset level may be shared by concurrent decisions.
//
// Variables live in vars or, on the decision paths, in names: a short
// list scanned from the end, which is cheaper to build than a map for the
// two to five names a level binds (a later entry shadows an earlier one
// of the same name, as a later map assignment would). Functions live in
// funcs or, for ruleset levels, in static: the level's compile-time
// table, whose functions are defined in this very scope. A scope uses one
// of each pair, never both.
type scope struct {
	parent *scope
	vars   map[string]Value
	names  []namedValue
	funcs  map[string]*funcDef
	static map[string]*ast.Function
}

// namedValue is one variable binding of a scope.
type namedValue struct {
	name string
	v    Value
}

// funcDef is a user function; it closes over the scope it is declared in
// (its wildcard variables, request, resource, and the functions visible
// there).
type funcDef struct {
	decl     *ast.Function
	defScope *scope
}

// lookupVar finds the innermost binding of name. The binding of a user
// function's parameter or let is a *thunk until evalNode forces it.
func (s *scope) lookupVar(name string) (Value, bool) {
	for ; s != nil; s = s.parent {
		for i := len(s.names) - 1; i >= 0; i-- {
			if s.names[i].name == name {
				return s.names[i].v, true
			}
		}
		if v, ok := s.vars[name]; ok {
			return v, true
		}
	}
	return nil, false
}

// lookupFunc finds the innermost user function called name and the scope
// it was declared in; an inner function shadows an outer one of the same
// name.
func (s *scope) lookupFunc(name string) (decl *ast.Function, defScope *scope, ok bool) {
	for ; s != nil; s = s.parent {
		if f, ok := s.static[name]; ok {
			return f, s, true
		}
		if f, ok := s.funcs[name]; ok {
			return f.decl, f.defScope, true
		}
	}
	return nil, nil, false
}

// callFrame is the scope of a user function call with room for its
// parameters and lets (evalContext.frame reuses it across calls).
type callFrame struct {
	scope
	buf [4]namedValue
}
