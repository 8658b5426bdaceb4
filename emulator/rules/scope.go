package rules

import "github.com/roomgate/roomgate/emulator/rules/ast"

// scope holds the names visible at a point of a ruleset: variables and
// functions; lookups go up through parent. A scope is an activation in
// cel-go's sense: each level (global, service, each match, each function
// call) is one scope whose parent is the enclosing level.
//
// A scope is not changed after evaluation starts using it, so one built
// for a ruleset level may be shared by concurrent decisions.
type scope struct {
	parent *scope
	vars   map[string]Value
	funcs  map[string]*funcDef
}

// funcDef is a user function; it closes over the scope it is declared in
// (its wildcard variables, request, resource, and the functions visible
// there).
type funcDef struct {
	decl     *ast.Function
	defScope *scope
}

// newScope returns an empty scope below parent (which may be nil).
func newScope(parent *scope) *scope {
	return &scope{parent: parent}
}

// setVar binds name to v in s itself.
func (s *scope) setVar(name string, v Value) {
	if s.vars == nil {
		s.vars = make(map[string]Value)
	}
	s.vars[name] = v
}

// lookupVar finds the innermost binding of name.
func (s *scope) lookupVar(name string) (Value, bool) {
	for ; s != nil; s = s.parent {
		if v, ok := s.vars[name]; ok {
			return v, true
		}
	}
	return nil, false
}

// lookupFunc finds the innermost user function called name; an inner
// function shadows an outer one of the same name.
func (s *scope) lookupFunc(name string) (*funcDef, bool) {
	for ; s != nil; s = s.parent {
		if f, ok := s.funcs[name]; ok {
			return f, true
		}
	}
	return nil, false
}
