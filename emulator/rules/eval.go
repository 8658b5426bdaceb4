package rules

// This file is the expression evaluator: a plain walk over the AST with one
// case per node kind (STYLE.md habit 7). Every case returns a Value; a
// failure is an error value, never a panic (habit 6).

import (
	"io"

	"github.com/roomgate/roomgate/emulator/rules/ast"
)

// evalContext is per-operation evaluation state.
type evalContext struct {
	access   *accessTracker
	steps    int    // expressions evaluated so far in this request (limit 1000 -> error)
	depth    int    // user function call depth (limit 20 -> error)
	database string // value of the {database} binding, e.g. "(default)"

	// debugOut, when not nil, receives one line per debug() call.
	debugOut io.Writer
}

// eval evaluates e in scope s.
func (c *evalContext) eval(e ast.Expr, s *scope) Value {
	return errorf("not implemented")
}

// evalCondition evaluates the condition of an allow statement: granted
// only when it yields bool true. res and errText describe the outcome for
// a Decision (errText is set when res is ResultError, including for a
// non-bool condition).
func evalCondition(c *evalContext, e ast.Expr, s *scope) (granted bool, res Result, errText string) {
	v := c.eval(e, s)
	switch x := v.(type) {
	case boolV:
		if x {
			return true, ResultTrue, ""
		}
		return false, ResultFalse, ""
	case *errorV:
		return false, ResultError, x.msg
	}
	return false, ResultError, errNotBool("condition", v).(*errorV).msg
}
