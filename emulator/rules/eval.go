package rules

// This file is the expression evaluator: a plain walk over the AST with one
// case per node kind. Every case returns a Value; a
// failure is an error value, never a panic. Operators live in
// ops.go, built-in functions in funcs.go and the methods_*.go files.
//
// Evaluation order: the operands of an operator, a built-in call, a list
// or map literal are all evaluated, left to right, and the first error in
// source order wins; &&, || and ?: skip operands, and the arguments and
// lets of a user function are evaluated only when read (thunk.go), those
// never read being charged to the budget when the call returns (steps.go).

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/roomgate/roomgate/emulator/rules/ast"
)

// evalContext is per-operation evaluation state.
type evalContext struct {
	access *accessTracker
	steps  int // expressions evaluated so far in this operation (limit 1000 -> error)
	// depth is the call depth counted toward the limit: the number of
	// user function calls the expression being evaluated is written
	// inside. A thunk carries the depth it was written at (thunk.go), so
	// an argument read deep inside a callee counts at its caller's depth.
	depth int
	// dry is set while the unread bindings of a returning call are
	// charged (steps.go): access calls then yield an error value.
	dry      bool
	database string // value of the {database} binding, e.g. "(default)"
	// rw replaces user functions by their rewritten form while a query is
	// decided (query_rewrite.go); nil otherwise.
	rw *rewriter
	// consts holds the values of the ruleset's constant literals, built
	// once at compile time (constValues); nil outside decisions.
	consts *constTable

	// argStack holds the arguments of the calls in progress (evalArgs);
	// frames holds one reusable call scope per level of live, the user
	// function calls in progress (frame); live differs from depth, as a
	// thunk forced inside a callee runs at its own, lower depth.
	argStack []Value
	frames   [maxCallDepth]*callFrame
	nFrames  int // frames[:nFrames] have been used
	live     int
	// thunks holds the lazy bindings of user function calls (thunk.go);
	// thunks[..][:nThunks] are in use.
	thunks  []*[thunkChunk]thunk
	nThunks int

	// debugOut, when not nil, receives one line per debug() call. Nothing
	// is written otherwise.
	debugOut io.Writer
}

// maxLets is the number of let bindings a function may declare.
const maxLets = 10

// eval evaluates e in scope s. Each node evaluated counts one step; past
// maxSteps every evaluation yields the budget error.
func (c *evalContext) eval(e ast.Expr, s *scope) Value {
	c.steps++
	if c.steps > maxSteps {
		return errSteps()
	}
	v := c.evalNode(e, s)
	if ev, ok := v.(*errorV); ok {
		if ev.typ != nil {
			// A typed unknown keeps its type only read directly through
			// a variable; through anything else (x[1], x.y, f(x)) it is
			// a plain unknown.
			if _, direct := e.(*ast.Ident); !direct {
				return &errorV{msg: ev.msg, pos: orPos(ev.pos, e.Position())}
			}
		}
		if !ev.pos.IsValid() {
			// Label the error with the innermost node it arose at. A copy,
			// not an update: error values may be shared (the access cache).
			return &errorV{msg: ev.msg, pos: e.Position(), typ: ev.typ}
		}
	}
	return v
}

// errorPos returns the position of the node an error value arose at, or
// the zero Pos.
func errorPos(v Value) ast.Pos {
	if ev, ok := v.(*errorV); ok {
		return ev.pos
	}
	return ast.Pos{}
}

// evalNode is eval without the step count: one case per node kind.
func (c *evalContext) evalNode(e ast.Expr, s *scope) Value {
	switch x := e.(type) {
	case *ast.Ident:
		if v, ok := s.lookupVar(x.Name); ok {
			if th, lazy := v.(*thunk); lazy {
				return c.force(th)
			}
			return v
		}
		return errVarNotFound(x.Name)
	case *ast.NullLit:
		return theNull
	case *ast.BoolLit:
		return boolOf(x.Value)
	case *ast.IntLit:
		if c.consts != nil {
			if v, ok := c.consts.ints[x]; ok {
				return v
			}
		}
		return intV(x.Value)
	case *ast.FloatLit:
		if c.consts != nil {
			if v, ok := c.consts.floats[x]; ok {
				return v
			}
		}
		return floatV(x.Value)
	case *ast.StringLit:
		if c.consts != nil {
			if v, ok := c.consts.strs[x]; ok {
				return v
			}
		}
		return stringV(x.Value)
	case *ast.BytesLit:
		if c.consts != nil {
			if v, ok := c.consts.bytes[x]; ok {
				return v
			}
		}
		return bytesV(x.Value)
	case *ast.ListLit:
		return c.evalList(x, s)
	case *ast.MapLit:
		return c.evalMap(x, s)
	case *ast.PathLit:
		return c.evalPath(x, s)
	case *ast.Unary:
		return unaryOp(x.Op, c.eval(x.X, s))
	case *ast.Binary:
		switch x.Op {
		case ast.OpAnd:
			return c.evalAnd(x, s)
		case ast.OpOr:
			return c.evalOr(x, s)
		}
		l := c.eval(x.X, s)
		r := c.eval(x.Y, s)
		if x.Op == ast.OpEq || x.Op == ast.OpNe {
			if v, ok := typedNullCompare(x.Op, l, r); ok {
				return v
			}
		}
		if isError(l) {
			return l
		}
		if isError(r) {
			return r
		}
		return binaryOp(x.Op, l, r)
	case *ast.Ternary:
		// An error or non-bool condition is an error, even when both
		// branches are equal [obs PY storage ternary].
		cond := c.eval(x.Cond, s)
		b, ok := boolValue(cond)
		if !ok {
			if isError(cond) {
				return cond
			}
			return errNotBool("?:", cond)
		}
		// Google's emulator charges a branch beyond its nodes (steps.go).
		if b {
			if c.extraSteps(1) {
				return errSteps()
			}
			return c.eval(x.Then, s)
		}
		if c.extraSteps(3) {
			return errSteps()
		}
		return c.eval(x.Else, s)
	case *ast.Is:
		v := c.eval(x.X, s)
		if c.extraSteps(1) { // the type name (steps.go)
			return errSteps()
		}
		if ev, ok := v.(*errorV); ok && ev.typ != nil {
			return isType(ev.typ, x.Type)
		}
		if isError(v) {
			return v
		}
		return isType(v, x.Type)
	case *ast.Member:
		v := c.eval(x.X, s)
		if isError(v) {
			return v
		}
		return member(v, x.Name)
	case *ast.Index:
		v := c.eval(x.X, s)
		i := c.eval(x.Index, s)
		if isError(v) {
			return v
		}
		if isError(i) {
			return i
		}
		return index(v, i)
	case *ast.Slice:
		return c.evalSlice(x, s)
	case *ast.Call:
		return c.evalCall(x, s)
	case *ast.BadExpr:
		return errorf("Syntax error: the expression did not parse.")
	}
	return errorf("Unsupported expression %T.", e)
}

// evalAnd implements && with commutative error absorption
// (as Firestore does). A non-bool operand counts as an error.
//
//	X \ Y   | true  false  error
//	true    | true  false  error
//	false   | false false  false   (Y not evaluated)
//	error   | error false  error(X)
func (c *evalContext) evalAnd(x *ast.Binary, s *scope) Value {
	l := c.logicOperand(x.X, s, "&&")
	if b, ok := boolValue(l); ok && !b {
		return theFalse
	}
	r := c.logicOperand(x.Y, s, "&&")
	if c.extraSteps(1) {
		return errSteps()
	}
	if b, ok := boolValue(r); ok && !b {
		return theFalse
	}
	if isError(l) {
		return l
	}
	return r // true, or Y's error
}

// evalOr implements || with commutative error absorption.
//
//	X \ Y   | true  false  error
//	true    | true  true   true    (Y not evaluated)
//	false   | true  false  error
//	error   | true  error  error(X)
func (c *evalContext) evalOr(x *ast.Binary, s *scope) Value {
	l := c.logicOperand(x.X, s, "||")
	if b, ok := boolValue(l); ok && b {
		return theTrue
	}
	r := c.logicOperand(x.Y, s, "||")
	if c.extraSteps(1) {
		return errSteps()
	}
	if b, ok := boolValue(r); ok && b {
		return theTrue
	}
	if isError(l) {
		return l
	}
	return r // false, or Y's error
}

// logicOperand evaluates an operand of && or ||, turning a non-bool into
// an error [obs PY strict-boolean-control-flow].
func (c *evalContext) logicOperand(e ast.Expr, s *scope, op string) Value {
	v := c.eval(e, s)
	if _, ok := v.(boolV); ok || isError(v) {
		return v
	}
	return errNotBool(op, v)
}

func (c *evalContext) evalList(x *ast.ListLit, s *scope) Value {
	// A list of literals is built once per ruleset. It counts the steps
	// evaluating its elements would have counted, and is only used when
	// they all fit in the budget (otherwise the element that runs out
	// must yield the budget error, as below).
	if c.consts != nil {
		if l, ok := c.consts.lists[x]; ok && c.steps+len(x.Elems) <= maxSteps {
			c.steps += len(x.Elems)
			return l
		}
	}
	if len(x.Elems) > maxListLen {
		return errTooLarge()
	}
	l := make(listV, len(x.Elems))
	var firstErr Value
	for i, el := range x.Elems {
		v := c.eval(el, s)
		if firstErr == nil && isError(v) {
			firstErr = v
		}
		if firstErr == nil {
			firstErr = bagIn("a list literal holding values()", v)
		}
		l[i] = v
	}
	if firstErr != nil {
		return firstErr
	}
	return l
}

// evalMap builds a map literal. Keys must be strings; a repeated key is an
// error [inf] (CEL rejects it too), rather than silently keeping one.
func (c *evalContext) evalMap(x *ast.MapLit, s *scope) Value {
	m := make(mapV, len(x.Entries))
	order := make([]string, 0, len(x.Entries))
	var firstErr Value
	fail := func(v Value) {
		if firstErr == nil {
			firstErr = v
		}
	}
	for _, ent := range x.Entries {
		k := c.eval(ent.Key, s)
		v := c.eval(ent.Value, s)
		switch {
		case isError(k):
			fail(k)
		case isError(v):
			fail(v)
		case bagIn("", v) != nil:
			fail(bagIn("a map literal holding values()", v))
		default:
			ks, ok := k.(stringV)
			if !ok {
				fail(errorf("Unsupported operation error. Received: map key of type %s. Expected: string.", k.typeName()))
				continue
			}
			if _, seen := m[string(ks)]; !seen {
				order = append(order, string(ks))
			}
			m[string(ks)] = v // a repeated key keeps its first place and last value (Google's emulator)
		}
	}
	if firstErr != nil {
		return firstErr
	}
	return literalMap(m, order)
}

// evalPath builds a path literal. An interpolated $(x) may be a string
// (one segment), an int (its decimal form) or a path (spliced). A string
// that is empty or contains "/" is an error [inf]: splitting it would let
// document data address a different document than the rule's author
// wrote, and Firestore ids never contain "/".
func (c *evalContext) evalPath(x *ast.PathLit, s *scope) Value {
	// The path and its segments share one allocation when they fit.
	pb := &pathBuf{}
	segs := pb.segs[:0]
	if len(x.Segments) > len(pb.segs) {
		segs = make([]string, 0, len(x.Segments))
	}
	for _, seg := range x.Segments {
		if seg.Expr == nil {
			if seg.Text != "" {
				segs = append(segs, seg.Text)
			}
			continue
		}
		v := c.eval(seg.Expr, s)
		switch v := v.(type) {
		case *errorV:
			return v
		case stringV:
			if v == "" || strings.Contains(string(v), "/") {
				return errorf("Invalid path segment %q: an interpolated string must be one non-empty segment.", string(v))
			}
			segs = append(segs, string(v))
		case intV:
			segs = append(segs, strconv.FormatInt(int64(v), 10))
		case *pathV:
			segs = append(segs, v.segs...)
		default:
			return errorf("Unsupported operation error. Received: $(%s) in a path. Expected: string, int or path.", v.typeName())
		}
	}
	pb.p.segs = segs
	return &pb.p
}

// pathBuf is a path value with room for the segments of a document path
// a few levels deep.
type pathBuf struct {
	p    pathV
	segs [8]string
}

func (c *evalContext) evalSlice(x *ast.Slice, s *scope) Value {
	v := c.eval(x.X, s)
	var lo, hi Value
	if x.Lo != nil {
		lo = c.eval(x.Lo, s)
	}
	if x.Hi != nil {
		hi = c.eval(x.Hi, s)
	}
	for _, w := range []Value{v, lo, hi} {
		if w != nil && isError(w) {
			return w
		}
	}
	return slice(v, lo, hi)
}

// isNamespace reports whether name prefixes built-in namespace functions
// (math, hashing, timestamp, duration, latlng).
func isNamespace(name string) bool {
	switch name {
	case "math", "hashing", "timestamp", "duration", "latlng":
		return true
	}
	return false
}

// evalCall evaluates a call of a user function, a global built-in, a
// namespace function or a method. The argument stack is popped explicitly
// rather than deferred: with this many returns a defer would not be
// open-coded and costs a runtime call on every call.
func (c *evalContext) evalCall(x *ast.Call, s *scope) Value {
	switch f := x.Fun.(type) {
	case *ast.Ident:
		if decl, def, ok := s.lookupFunc(f.Name); ok {
			if c.rw != nil {
				decl = c.rw.funcFor(decl) // a query's rewritten body
			}
			return c.callUser(decl, def, x.Args, s)
		}
		args, err, mark := c.evalArgs(x.Args, s)
		v := c.callGlobal(f.Name, args, err)
		c.popArgs(mark)
		return v
	case *ast.Member:
		if id, ok := f.X.(*ast.Ident); ok && isNamespace(id.Name) {
			if _, bound := s.lookupVar(id.Name); !bound {
				args, err, mark := c.evalArgs(x.Args, s)
				v := err
				if err == nil {
					v = callNamespace(id.Name, f.Name, args)
				}
				c.popArgs(mark)
				return v
			}
		}
		recv := c.eval(f.X, s)
		args, err, mark := c.evalArgs(x.Args, s)
		var v Value
		switch {
		case isError(recv):
			v = recv
		case err != nil:
			v = err
		default:
			v = callMethod(recv, f.Name, args)
		}
		c.popArgs(mark)
		return v
	}
	return errorf("Unsupported operation error: the callee is not a function name.")
}

// callGlobal calls the global built-in name with evaluated args; err is
// the first error among them.
func (c *evalContext) callGlobal(name string, args []Value, err Value) Value {
	if name == "debug" && len(args) == 1 {
		// debug() logs errors too, and returns its argument as is.
		return c.debug(args[0])
	}
	if err != nil {
		return err
	}
	fn, ok := globalFuncs[name]
	if !ok {
		return errFuncNotFound(name)
	}
	return fn(c, args)
}

// evalArgs evaluates every argument; err is the first error among them.
// The arguments are pushed on c's argument stack, so a call allocates
// nothing for them: args is valid until c.popArgs(mark), which the caller
// must call once it is done with them. No built-in keeps its argument
// slice (they keep values at most), so args never outlives the call.
func (c *evalContext) evalArgs(es []ast.Expr, s *scope) (args []Value, err Value, mark int) {
	mark = len(c.argStack)
	for _, e := range es {
		v := c.eval(e, s)
		if err == nil && isError(v) {
			err = v
		}
		c.argStack = append(c.argStack, v)
	}
	top := len(c.argStack)
	return c.argStack[mark:top:top], err, mark
}

// popArgs releases the arguments pushed since mark. The slots above the
// new top keep their values until overwritten: nothing reads them, and
// the pooled decision state clears its buffer when the decision ends.
// (Clearing here, on every call, costs a bulk write barrier while the
// garbage collector is marking.)
func (c *evalContext) popArgs(mark int) {
	c.argStack = c.argStack[:mark]
}

// argValue is the binding of an argument e evaluated in s: a thunk, even
// for a name already bound in s (passing a parameter on), as reading it
// costs an expression in Google's emulator, once, however often it is read.
func (c *evalContext) argValue(e ast.Expr, s *scope) Value {
	return c.newThunk(e, s, c.depth)
}

// callUser calls a user function: the body runs in a new scope below the
// function's defining scope. Arguments and lets are bound lazily
// (thunk.go): each is evaluated, in the caller's scope for an argument and
// in the function's for a let, when the body first reads it, so an unused
// binding that would error does not make the call an error, as in Google's
// emulator.
func (c *evalContext) callUser(d *ast.Function, def *scope, argExprs []ast.Expr, s *scope) Value {
	if len(argExprs) != len(d.Params) {
		return errorf("Function %s expects %d arguments, received %d.", d.Name, len(d.Params), len(argExprs))
	}
	if len(d.Lets) > maxLets {
		return errorf("Function %s declares %d let bindings; the maximum is %d.", d.Name, len(d.Lets), maxLets)
	}
	if d.Return == nil {
		return errorf("Function %s has no return statement.", d.Name)
	}
	if c.depth >= maxCallDepth {
		return errDepth()
	}
	fs := c.frame(def, len(argExprs)+len(d.Lets))
	for i, p := range d.Params {
		fs.names = append(fs.names, namedValue{name: p.Name, v: c.argValue(argExprs[i], s)})
	}
	c.depth++
	c.live++
	for _, l := range d.Lets {
		th := c.newThunk(l.Value, nil, c.depth)
		// The names slice has room for every binding (frame), so the view
		// shares its backing array and sees exactly the bindings so far.
		th.view = scope{parent: fs.parent, names: fs.names}
		th.s = &th.view
		fs.names = append(fs.names, namedValue{name: l.Name, v: th})
	}
	if len(d.Lets) > 0 && c.extraSteps(len(d.Lets)) {
		c.depth--
		c.live--
		return errSteps()
	}
	v := c.eval(d.Return, fs)
	v = c.chargeUnread(fs.names, v)
	c.depth--
	c.live--
	return v
}

// reset returns c to its zero state but keeps its call frames, emptied,
// for the next decision. Only what was used is cleared: clearing memory
// that holds pointers is costly while the garbage collector is marking.
func (c *evalContext) reset() {
	for _, f := range c.frames[:c.nFrames] {
		clear(f.buf[:])
		f.parent, f.names = nil, nil
	}
	c.access, c.steps, c.depth, c.live, c.database, c.debugOut = nil, 0, 0, 0, "", nil
	c.dry = false
	c.rw, c.consts, c.argStack, c.nFrames = nil, nil, nil, 0
	c.resetThunks()
}

// frame returns the scope for a call at the current level of live calls,
// below def, with room for n bindings. Frames are reused: the scope of a
// call is dead once the call returns (no value refers to a scope, and a
// function's defining scope is always a ruleset level, never a call), and
// live calls form a stack, so one frame per level serves the whole
// decision. Levels past maxCallDepth (arguments nested in calls, which
// the expression budget bounds) get a fresh frame each.
func (c *evalContext) frame(def *scope, n int) *scope {
	if c.live >= len(c.frames) {
		return &scope{parent: def, names: make([]namedValue, 0, n)}
	}
	f := c.frames[c.live]
	if f == nil {
		// Frames come four at a time: a call at this level is usually
		// followed by calls at the next ones.
		chunk := new([4]callFrame)
		for i := range chunk {
			if c.live+i < len(c.frames) {
				c.frames[c.live+i] = &chunk[i]
			}
		}
		f = c.frames[c.live]
	}
	c.nFrames = max(c.nFrames, c.live+1)
	f.parent = def
	if n <= len(f.buf) {
		// Entries past len(names) may hold an earlier call's values; they
		// are never read, and reset clears them.
		f.names = f.buf[:0]
	} else {
		f.names = make([]namedValue, 0, n)
	}
	return &f.scope
}

// debug writes v to the debug hook, type-prefixed as the emulator's
// firestore-debug.log does (e.g. `string_value: "alice"`), and returns v.
func (c *evalContext) debug(v Value) Value {
	if c.debugOut != nil {
		fmt.Fprintf(c.debugOut, "%s_value: %s\n", v.typeName(), formatValue(v))
	}
	return v
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
	return false, ResultError, errorText(errNotBool("condition", v))
}

// orPos returns p if valid, else q.
func orPos(p, q ast.Pos) ast.Pos {
	if p.IsValid() {
		return p
	}
	return q
}

// typedNullCompare decides `x == null` and `x != null` for a typed unknown
// x (never null); ok is false for anything else.
func typedNullCompare(op ast.Op, l, r Value) (Value, bool) {
	if _, isNull := r.(nullV); isNull {
		l, r = r, l
	}
	if _, isNull := l.(nullV); !isNull {
		return nil, false
	}
	if ev, ok := r.(*errorV); ok && ev.typ != nil {
		return boolOf(op == ast.OpNe), true
	}
	return nil, false
}
