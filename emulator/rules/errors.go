package rules

// This file keeps the texts of evaluation errors in one place. The wording
// follows what Firestore reports where it is known; the rest is ours, in the same style.

import (
	"strings"
)

// Evaluation limits (Firestore's per-request limits).
const (
	maxSteps = 1000 // expressions evaluated per operation (each write of a batch has its own)
	// maxCallDepth is the user function call depth: a chain of 21 functions
	// (a call plus 20 nested ones) runs in Google's emulator, which rejects
	// a longer chain at compile time ("Maximum allowed call depth of 20");
	// compile.go does the same, so this run-time check is a safety net.
	maxCallDepth   = 21
	maxAccessPerOp = 10 // get/exists/getAfter/existsAfter per operation
	maxAccessBatch = 20 // the same, per batch or transaction in total

	// maxValueBytes caps the size of any string or bytes value an
	// expression builds (concatenation, replace, join...). Without it a
	// few doubling steps inside nested functions could exhaust memory;
	// Firestore documents are at most 1 MiB, so the cap leaves headroom.
	maxValueBytes = 4 << 20
	// maxListLen caps the length of a list an expression builds.
	maxListLen = 1 << 18
)

func errNoKey(key string) Value {
	return errorf("Property %s is undefined on object.", key)
}

func errNull() Value { return errorf("Null value error.") }

func errIndex() Value { return errorf("Index out of bound error.") }

func errDivZero() Value { return errorf("Divide by zero error.") }

func errOverflow(op string) Value {
	return errorf("Integer overflow error. Operation: [%s].", op)
}

func errFuncNotFound(name string) Value {
	return errorf("Function not found error: Name: [%s].", name)
}

func errVarNotFound(name string) Value {
	return errorf("Variable not found error: Name: [%s].", name)
}

// errBinary reports an operator applied to operand types it does not
// accept, e.g. "Unsupported operation error. Received: list + list."
func errBinary(op string, a, b Value) Value {
	return errorf("Unsupported operation error. Received: %s %s %s.", a.typeName(), op, b.typeName())
}

func errUnary(op string, a Value) Value {
	return errorf("Unsupported operation error. Received: %s%s.", op, a.typeName())
}

// errArgs reports a function or method called with arguments it does not
// accept: "Unsupported operation error. Received: set.difference(list).
// Expected: set.difference(set)."
func errArgs(name string, args []Value, expected string) Value {
	return errorf("Unsupported operation error. Received: %s(%s). Expected: %s.", name, typeList(args), expected)
}

func typeList(args []Value) string {
	names := make([]string, len(args))
	for i, a := range args {
		names[i] = a.typeName()
	}
	return strings.Join(names, ", ")
}

func errNotBool(where string, v Value) Value {
	return errorf("Unsupported operation error. Received: %s operand of type %s. Expected: bool.", where, v.typeName())
}

func errTooLarge() Value {
	return errorf("Value too large error: a string, bytes or list value exceeds the evaluator's size limit.")
}

// errSteps is Google's emulator's text for a request past the budget
// (measured: per operation, each write of a batch has its own).
func errSteps() Value {
	return errorf("Unable to evaluate the expression as the maximum of %d expressions to evaluate has been reached.", maxSteps)
}

func errDepth() Value {
	return errorf("Function call depth exceeded: the maximum is %d.", maxCallDepth-1)
}
