package rules

// This file holds lazy bindings. The parameters and let bindings of a user
// function call are evaluated when first read, not when the call starts,
// as Google's Cloud Firestore emulator does: `let x = d.missing; return
// true || x;` is true, and an argument the body never reads neither
// errors nor makes an access call. A binding read twice is evaluated once.
//
// A binding is evaluated at the call depth where its expression is
// written, as in Google's emulator: an argument at its caller's depth, a
// let at the depth of its function's body, wherever it is first read. So
// `f(f(f(true)))` nests no deeper than `f(true)`, and the call chains the
// compiler bounds (callgraph.go) bound the depth of every evaluation.

import "github.com/roomgate/roomgate/emulator/rules/ast"

// thunk is one binding not yet evaluated: expression e in scope s, at call
// depth depth. A let's
// scope is view, the call's frame as it stood when the let was declared
// (the parameters and the earlier lets), so a let never sees a later one.
type thunk struct {
	e     ast.Expr
	s     *scope
	view  scope
	v     Value // the value, once forced (never cached by a dry evaluation)
	depth int
	// charged is set once the steps of e have been counted, by a first
	// evaluation, dry or not (steps.go); a later one counts none.
	charged bool
}

// thunkChunk is how many thunks are allocated at once; the chunks stay
// with the pooled evaluation context from one decision to the next.
const thunkChunk = 16

// newThunk returns an unused thunk that evaluates e in s at call depth
// depth.
func (c *evalContext) newThunk(e ast.Expr, s *scope, depth int) *thunk {
	i := c.nThunks
	if i/thunkChunk == len(c.thunks) {
		c.thunks = append(c.thunks, new([thunkChunk]thunk))
	}
	c.nThunks++
	t := &c.thunks[i/thunkChunk][i%thunkChunk]
	t.e, t.s, t.depth = e, s, depth
	return t
}

// force evaluates t once, at its own call depth, and returns its value.
// A binding cannot read itself (a let sees only the bindings before it;
// an argument is evaluated in the caller's scope), so forcing never
// recurses into t. A dry evaluation (steps.go) charges t but keeps no
// value, so a binding first charged dry is evaluated again, uncharged,
// when read.
func (c *evalContext) force(t *thunk) Value {
	if t.v != nil {
		return t.v
	}
	depth := c.depth
	c.depth = t.depth
	var v Value
	if t.charged {
		steps := c.steps
		c.steps = uncharged
		v = c.eval(t.e, t.s)
		c.steps = steps
	} else {
		t.charged = true
		v = c.eval(t.e, t.s)
	}
	c.depth = depth
	if !c.dry {
		t.v = v
	}
	return v
}

// uncharged is the step count an evaluation already charged runs from:
// low enough that no evaluation reaches the budget from it.
const uncharged = -1 << 40

// typeName makes a thunk storable as a scope binding; evaluation never
// hands a thunk out as a value (evalNode forces it when a name is read).
func (*thunk) typeName() string { return "thunk" }

// resetThunks clears the thunks used by the decision that ends.
func (c *evalContext) resetThunks() {
	for i := 0; i < c.nThunks; i += thunkChunk {
		n := min(thunkChunk, c.nThunks-i)
		clear(c.thunks[i/thunkChunk][:n])
	}
	c.nThunks = 0
}
