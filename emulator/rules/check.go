package rules

import (
	"strings"

	"github.com/roomgate/roomgate/emulator/rules/ast"
)

// This file holds the static checks that warn without stopping a ruleset
// from loading, worded as Google's compiler words them: names that resolve
// to no variable or function, calls with the wrong number of arguments,
// functions, parameters and lets never used, and operands whose type is
// known at compile time and wrong for their operator. Evaluation still
// treats each of these as a run-time error, which denies. The type checks
// only know the types of literals and of what built-ins return; Google's
// compiler infers more (through user functions and request fields), so it
// may warn where this checker is silent, never the other way round for
// the cases the checker knows.

// staticType is a type the checker knows an expression has; "" is unknown.
type staticType string

// builtinVars are the global variables of a Firestore ruleset.
var builtinVars = map[string]bool{"request": true, "resource": true}

// builtinArity is the number of arguments of each global built-in.
var builtinArity = map[string]int{
	"int": 1, "float": 1, "string": 1, "path": 1, "debug": 1,
	"get": 1, "exists": 1, "getAfter": 1, "existsAfter": 1,
}

// builtinResult is the type a global built-in returns, where fixed.
var builtinResult = map[string]staticType{
	"int": "int", "float": "float", "string": "string", "path": "path",
	"exists": "bool", "existsAfter": "bool",
}

// namespaceArity is the number of arguments of each namespace function
// Google's compiler knows (math.isInfinite is not one of them).
var namespaceArity = map[string]int{
	"math.abs": 1, "math.ceil": 1, "math.floor": 1, "math.round": 1,
	"math.sqrt": 1, "math.pow": 2, "math.isNaN": 1,
	"hashing.crc32": 1, "hashing.crc32c": 1, "hashing.md5": 1, "hashing.sha256": 1,
	"timestamp.date": 3, "timestamp.value": 1,
	"duration.value": 2, "duration.time": 4, "duration.abs": 1,
	"latlng.value": 2,
}

// namespaceResult is the type a namespace function returns, where fixed.
var namespaceResult = map[string]staticType{
	"math.ceil": "float", "math.floor": "float", "math.round": "int",
	"math.sqrt": "float", "math.pow": "float", "math.isNaN": "bool",
	"hashing.crc32": "bytes", "hashing.crc32c": "bytes", "hashing.md5": "bytes", "hashing.sha256": "bytes",
	"timestamp.date": "timestamp", "timestamp.value": "timestamp",
	"duration.value": "duration", "duration.time": "duration", "duration.abs": "duration",
	"latlng.value": "latlng",
}

// methodSig is what the checker knows of a method name, whatever the
// receiver: its argument count, its result type where every receiver
// agrees, and the types each argument must have where known.
type methodSig struct {
	arity  int
	result staticType
	args   []staticType // one type set per argument, "" for any
}

var methodSigs = map[string]methodSig{
	"size": {0, "int", nil}, "toSet": {0, "set", nil},
	"join":   {1, "string", []staticType{"string"}},
	"concat": {1, "", nil}, "removeAll": {1, "", nil},
	"hasAll": {1, "bool", []staticType{"list, set"}}, "hasAny": {1, "bool", []staticType{"list, set"}},
	"hasOnly":    {1, "bool", []staticType{"list, set"}},
	"difference": {1, "set", nil}, "union": {1, "set", nil}, "intersection": {1, "set", nil},
	"keys": {0, "list", nil}, "values": {0, "list", nil}, "get": {2, "", nil},
	"diff":      {1, "map_diff", []staticType{"map"}},
	"addedKeys": {0, "set", nil}, "removedKeys": {0, "set", nil}, "changedKeys": {0, "set", nil},
	"unchangedKeys": {0, "set", nil}, "affectedKeys": {0, "set", nil},
	"bind":  {1, "path", []staticType{"map"}},
	"lower": {0, "string", nil}, "upper": {0, "string", nil}, "trim": {0, "string", nil},
	"toUtf8":   {0, "bytes", nil},
	"matches":  {1, "bool", []staticType{"string"}},
	"replace":  {2, "string", []staticType{"string", "string"}},
	"split":    {1, "list", []staticType{"string"}},
	"toBase64": {0, "string", nil}, "toHexString": {0, "string", nil},
	"year": {0, "int", nil}, "month": {0, "int", nil}, "day": {0, "int", nil},
	"hours": {0, "int", nil}, "minutes": {0, "int", nil}, "seconds": {0, "int", nil},
	"nanos": {0, "int", nil}, "dayOfWeek": {0, "int", nil}, "dayOfYear": {0, "int", nil},
	"toMillis": {0, "int", nil}, "date": {0, "timestamp", nil}, "time": {0, "duration", nil},
	"latitude": {0, "float", nil}, "longitude": {0, "float", nil},
	"distance": {1, "float", []staticType{"latlng"}},
}

// Operand types each operator accepts, as Google's compiler lists them.
const (
	typesBool    = "bool"
	typesAdd     = "int, float, string, duration, timestamp"
	typesSub     = "int, float, duration, timestamp"
	typesMul     = "int, float"
	typesNeg     = "int, float, duration"
	typesIn      = "list, set, map, constraint"
	typesIndex   = "int, string"
	invalidType  = "Invalid type. Received one of [%s]. Expected one of [%s]."
	notComparabe = "The sub-expressions are not comparable, so this comparison will always return false."
)

// checker walks a parsed file and reports warnings.
type checker struct {
	warn func(pos ast.Pos, format string, args ...any)
	// used marks the user functions some call resolves to.
	used map[*ast.Function]bool
	// funcs is every declared function in source order.
	funcs []*ast.Function
}

// vscope is the variables visible at a point, with the functions.
type vscope struct {
	parent *vscope
	vars   map[string]bool
	// read marks variables some expression reads (unused-variable check).
	read  map[string]bool
	funcs *compileScope
}

func (s *vscope) has(name string) bool {
	for ; s != nil; s = s.parent {
		if s.vars[name] {
			if s.read != nil {
				s.read[name] = true
			}
			return true
		}
	}
	return false
}

// checkFile reports the warnings of f through warn. firestore says the
// service is cloud.firestore (another service has no known methods).
func checkFile(f *ast.File, warn func(ast.Pos, string, ...any)) {
	c := &checker{warn: warn, used: map[*ast.Function]bool{}}
	globalFuncs := &compileScope{funcs: indexFuncs(f.Functions)}
	global := &vscope{vars: builtinVars, funcs: globalFuncs}
	c.checkFuncs(f.Functions, global)
	svc := f.Service
	known := svc.Name == "cloud.firestore" || svc.Name == "firebase.storage"
	if !known {
		warn(svc.NamePos, "Invalid service name: %s.", svc.Name)
	}
	// Functions at service level see no wildcard variables.
	service := &vscope{parent: global, funcs: &compileScope{parent: globalFuncs, funcs: indexFuncs(svc.Functions)}}
	c.checkFuncs(svc.Functions, service)
	var walk func(m *ast.Match, parent *vscope)
	walk = func(m *ast.Match, parent *vscope) {
		sc := &vscope{parent: parent, vars: map[string]bool{}, funcs: &compileScope{parent: parent.funcs, funcs: indexFuncs(m.Functions)}}
		if m.Pattern != nil {
			for _, seg := range m.Pattern.Segments {
				if seg.Kind != ast.SegLiteral {
					sc.vars[seg.Text] = true
				}
			}
		}
		c.checkFuncs(m.Functions, sc)
		for _, a := range m.Allows {
			for _, meth := range a.Methods {
				if _, ok := allowMethodBits[meth.Name]; !ok || !known {
					warn(meth.Pos, "Invalid method name: %s.", meth.Name)
				}
			}
			if a.Cond == nil {
				continue
			}
			if t := c.typeOf(a.Cond, sc); t != "" && t != "bool" {
				warn(a.Cond.Position(), "Invalid type. Permission statements expect a boolean value. Received one of [%s].", t)
			}
		}
		for _, child := range m.Matches {
			walk(child, sc)
		}
	}
	for _, m := range svc.Matches {
		walk(m, service)
	}
	for _, fn := range c.funcs {
		if !c.used[fn] {
			warn(fn.NamePos, "Unused function: %s.", fn.Name)
		}
	}
}

// checkFuncs checks the bodies of fs, declared in sc.
func (c *checker) checkFuncs(fs []*ast.Function, sc *vscope) {
	for _, fn := range fs {
		c.funcs = append(c.funcs, fn)
		body := &vscope{parent: sc, vars: map[string]bool{}, read: map[string]bool{}, funcs: sc.funcs}
		for _, p := range fn.Params {
			body.vars[p.Name] = true
		}
		for _, l := range fn.Lets {
			c.typeOf(l.Value, body)
			body.vars[l.Name] = true
		}
		if fn.Return != nil {
			c.typeOf(fn.Return, body)
		}
		for _, p := range fn.Params {
			if !body.read[p.Name] {
				c.warn(p.Pos, "Unused variable: %s.", p.Name)
			}
		}
		for _, l := range fn.Lets {
			if !body.read[l.Name] {
				c.warn(l.NamePos, "Unused variable: %s.", l.Name)
			}
		}
	}
}

// want warns when e's known type t is not among the types of set.
func (c *checker) want(e ast.Expr, t staticType, set string) {
	if t == "" {
		return
	}
	for _, s := range strings.Split(set, ", ") {
		if string(t) == s {
			return
		}
	}
	c.warn(e.Position(), invalidType, t, set)
}

// typeOf checks e and returns its type when the checker knows it.
func (c *checker) typeOf(e ast.Expr, sc *vscope) staticType {
	switch x := e.(type) {
	case *ast.Ident:
		if !sc.has(x.Name) {
			c.warn(x.Pos, "Invalid variable name: %s.", x.Name)
		}
		return ""
	case *ast.NullLit:
		return "null"
	case *ast.BoolLit:
		return "bool"
	case *ast.IntLit:
		return "int"
	case *ast.FloatLit:
		return "float"
	case *ast.StringLit:
		return "string"
	case *ast.BytesLit:
		return "bytes"
	case *ast.ListLit:
		for _, el := range x.Elems {
			c.typeOf(el, sc)
		}
		return "list"
	case *ast.MapLit:
		for _, en := range x.Entries {
			c.typeOf(en.Key, sc)
			c.typeOf(en.Value, sc)
		}
		return "map"
	case *ast.PathLit:
		for _, s := range x.Segments {
			if s.Expr != nil {
				c.typeOf(s.Expr, sc)
			}
		}
		return "path"
	case *ast.Unary:
		t := c.typeOf(x.X, sc)
		if x.Op == ast.OpNot {
			c.want(x.X, t, typesBool)
			return "bool"
		}
		c.want(x.X, t, typesNeg)
		if t == "int" || t == "float" || t == "duration" {
			return t
		}
		return ""
	case *ast.Binary:
		return c.binary(x, sc)
	case *ast.Ternary:
		c.want(x.Cond, c.typeOf(x.Cond, sc), typesBool)
		a, b := c.typeOf(x.Then, sc), c.typeOf(x.Else, sc)
		if a == b {
			return a
		}
		return ""
	case *ast.Is:
		c.typeOf(x.X, sc)
		return "bool"
	case *ast.Member:
		c.typeOf(x.X, sc)
		return ""
	case *ast.Index:
		c.typeOf(x.X, sc)
		c.want(x.Index, c.typeOf(x.Index, sc), typesIndex)
		return ""
	case *ast.Slice:
		c.typeOf(x.X, sc)
		if x.Lo != nil {
			c.typeOf(x.Lo, sc)
		}
		if x.Hi != nil {
			c.typeOf(x.Hi, sc)
		}
		return ""
	case *ast.Call:
		return c.call(x, sc)
	}
	return ""
}

func (c *checker) binary(x *ast.Binary, sc *vscope) staticType {
	a, b := c.typeOf(x.X, sc), c.typeOf(x.Y, sc)
	switch x.Op {
	case ast.OpAnd, ast.OpOr:
		c.want(x.X, a, typesBool)
		c.want(x.Y, b, typesBool)
		return "bool"
	case ast.OpEq, ast.OpNe:
		if a != "" && b != "" && !comparable(a, b) {
			c.warn(x.OpPos, notComparabe)
		}
		return "bool"
	case ast.OpLt, ast.OpLe, ast.OpGt, ast.OpGe:
		return "bool"
	case ast.OpIn:
		c.want(x.Y, b, typesIn)
		return "bool"
	case ast.OpAdd:
		c.want(x.X, a, typesAdd)
		c.want(x.Y, b, typesAdd)
	case ast.OpSub:
		c.want(x.X, a, typesSub)
		c.want(x.Y, b, typesSub)
	case ast.OpMul, ast.OpDiv, ast.OpMod:
		c.want(x.X, a, typesMul)
		c.want(x.Y, b, typesMul)
	}
	if a == b && (a == "int" || a == "float" || (a == "string" && x.Op == ast.OpAdd)) {
		return a
	}
	return ""
}

// comparable reports whether values of types a and b can ever be equal.
func comparable(a, b staticType) bool {
	num := func(t staticType) bool { return t == "int" || t == "float" }
	return a == b || (num(a) && num(b))
}

func (c *checker) call(x *ast.Call, sc *vscope) staticType {
	argTypes := make([]staticType, len(x.Args))
	check := func() {
		for i, a := range x.Args {
			argTypes[i] = c.typeOf(a, sc)
		}
	}
	// arity warns on a wrong argument count; the result type is then
	// unknown, as for Google's compiler.
	arity := func(pos ast.Pos, name string, n int) bool {
		if len(x.Args) != n {
			c.warn(pos, "Incorrect number of arguments supplied to function: %s.", name)
			return false
		}
		return true
	}
	switch f := x.Fun.(type) {
	case *ast.Ident:
		check()
		if fn := sc.funcs.lookup(f.Name); fn != nil {
			c.used[fn] = true
			arity(f.Pos, f.Name, len(fn.Params))
			return ""
		}
		n, ok := builtinArity[f.Name]
		if !ok {
			c.warn(f.Pos, "Invalid function name: %s.", f.Name)
			return ""
		}
		if !arity(f.Pos, f.Name, n) {
			return ""
		}
		return builtinResult[f.Name]
	case *ast.Member:
		if id, ok := f.X.(*ast.Ident); ok && isNamespace(id.Name) && !sc.has(id.Name) {
			check()
			name := id.Name + "." + f.Name
			n, ok := namespaceArity[name]
			if !ok {
				c.warn(f.NamePos, "Invalid function name: %s.", name)
				return ""
			}
			if !arity(f.NamePos, name, n) {
				return ""
			}
			return namespaceResult[name]
		}
		c.typeOf(f.X, sc)
		check()
		sig, ok := methodSigs[f.Name]
		if !ok {
			c.warn(f.NamePos, "Invalid function name: %s.", f.Name)
			return ""
		}
		if !arity(f.NamePos, f.Name, sig.arity) {
			return ""
		}
		for i, want := range sig.args {
			if i < len(x.Args) && want != "" {
				c.want(x.Args[i], argTypes[i], string(want))
			}
		}
		return sig.result
	}
	check()
	return ""
}
