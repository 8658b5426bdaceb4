package rules

// This file holds the expression budget's extra charges: the steps Google's
// Cloud Firestore emulator counts beyond one per node evaluated (eval), as
// its answers at the edge of the budget show.
//
//   - && and || cost one more step when they evaluate their right operand
//     (`true && x`, `false || x`), none when they short-circuit.
//   - ?: costs one more step when its condition is true and three more
//     when it is false.
//   - `x is T` costs one more step (the type name).
//   - A let costs one step for its declaration.
//   - Every argument and let of a user function call is charged in full,
//     read or not: one the body never reads is charged when the call
//     returns, by a dry evaluation (chargeUnread). A binding is charged
//     once: reading it after a dry evaluation re-evaluates it free of
//     charge.
//
// A dry evaluation stays lazy in every other respect: it makes no access
// call (get, exists and the like yield an error value instead) and its
// value, an error included, is discarded, so an unread argument neither
// errors nor reads a document. Where a dry evaluation branches on what an
// access call would have returned (`u(exists(p) && x)`), it follows the
// error value; the count may then differ from Google's, by the steps of
// the branch not taken.

// extraSteps counts n steps beyond the node being evaluated and reports
// whether the budget is spent; the caller then yields errSteps.
func (c *evalContext) extraSteps(n int) bool {
	c.steps += n
	return c.steps > maxSteps
}

// errDry is what an access call yields in a dry evaluation.
func errDry() Value {
	return errorf("Not evaluated: the binding is never read.")
}

// chargeUnread charges the bindings of a returning call (names, its
// parameters and lets) that the body never read, by evaluating each dry,
// at its own call depth, and returns v, or the budget error when that
// spends the budget (evaluated first, as Google's emulator does, the
// bindings would have left the body no steps).
func (c *evalContext) chargeUnread(names []namedValue, v Value) Value {
	dry, out := c.dry, c.debugOut
	c.dry, c.debugOut = true, nil
	for _, nv := range names {
		if th, ok := nv.v.(*thunk); ok && !th.charged {
			c.force(th)
		}
	}
	c.dry, c.debugOut = dry, out
	if c.steps > maxSteps && !isError(v) {
		return errSteps()
	}
	return v
}
