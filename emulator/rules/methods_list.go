package rules

// This file implements the list and set methods. Set membership compares numbers by value at any
// depth; the list methods hasAll, hasAny, hasOnly and removeAll do not
// coerce (1 and 1.0 differ), as Google's emulator answers (see
// value_equal.go).

import "strings"

func listMethod(l listV, name string, args []Value) Value {
	switch name {
	case "size", "toSet":
		if len(args) != 0 {
			return errArgs("list."+name, args, "list."+name+"()")
		}
		if name == "size" {
			return intV(len(l))
		}
		return newSet(l)
	case "join":
		if len(args) != 1 {
			return errArgs("list.join", args, "list.join(string)")
		}
		sep, ok := args[0].(stringV)
		if !ok {
			return errArgs("list.join", args, "list.join(string)")
		}
		parts := make([]string, len(l))
		total := 0
		for i, e := range l {
			// Elements convert as string() converts them, as Google's
			// emulator joins ([1, 2].join('.') == '1.2'); a list or map
			// element is string()'s error.
			s, ok := e.(stringV)
			if !ok {
				if s, ok = toStringFn([]Value{e}).(stringV); !ok {
					return errorf("Unsupported operation error. Received: list.join() of a list holding %s. Expected: elements string() converts.", e.typeName())
				}
			}
			parts[i] = string(s)
			total += len(s) + len(sep)
		}
		if total > maxValueBytes {
			return errTooLarge()
		}
		return stringV(strings.Join(parts, string(sep)))
	case "concat", "hasAll", "hasAny", "hasOnly", "removeAll":
	default:
		return errFuncNotFound(name)
	}
	if len(args) != 1 {
		return errArgs("list."+name, args, "list."+name+"(list)")
	}
	other, ok := args[0].(listV)
	if !ok {
		return errArgs("list."+name, args, "list."+name+"(list)")
	}
	switch name {
	case "concat":
		if len(l)+len(other) > maxListLen {
			return errTooLarge()
		}
		out := make(listV, 0, len(l)+len(other))
		return append(append(out, l...), other...)
	case "removeAll":
		drop := newStrictIndex(other)
		out := make(listV, 0, len(l))
		for _, e := range l {
			if !drop.has(e) {
				out = append(out, e)
			}
		}
		return out
	}
	if v, ok := hasOpSmall(name, l, other); ok {
		return v
	}
	return hasOp(name, newStrictIndex(l), l, other, func(a []Value) memberTest { return newStrictIndex(a) })
}

// memberTest is a membership test: a set (equalKey) or a strictIndex.
type memberTest interface{ has(Value) bool }

// strictIndex holds a list's elements by strictKey: membership without
// int/float coercion, where a value holding NaN equals nothing.
type strictIndex map[string]struct{}

func newStrictIndex(elems []Value) strictIndex {
	s := make(strictIndex, len(elems))
	for _, e := range elems {
		if k, ok := strictKey(e); ok {
			s[k] = struct{}{}
		}
	}
	return s
}

func (s strictIndex) has(e Value) bool {
	k, ok := strictKey(e)
	if !ok {
		return false
	}
	_, in := s[k]
	return in
}

// hasOpSmallMax bounds the work of hasOpSmall's nested loops
// (len(recv) * len(arg)); past it, building a set is cheaper.
const hasOpSmallMax = 256

// hasOpSmall is hasAll, hasAny and hasOnly without building sets, for the
// common case of short lists of strings, bools, ints and nulls (keys()
// against a literal list of field names). ok is false when the fast path
// does not apply and the caller must use hasOp.
//
// It is equivalent to hasOp: sets compare elements by equalKey and lists
// by strictKey, and for these four kinds either key of a equals that of b
// exactly when a == b as Go interface values (same kind and same value):
// each key starts with a tag of its kind ('s', 't'/'f', 'n', 'z')
// followed by an injective encoding of the value. Floats are left to
// hasOp because an integral float has the same equalKey as the equal int
// (1 and 1.0 are one set element). Duplicates never matter to any of the
// three, in either form.
func hasOpSmall(name string, recv, arg []Value) (Value, bool) {
	if len(recv)*len(arg) > hasOpSmallMax || !plainScalars(recv) || !plainScalars(arg) {
		return nil, false
	}
	switch name {
	case "hasAll": // every argument element is in the receiver
		for _, e := range arg {
			if !containsPlain(recv, e) {
				return theFalse, true
			}
		}
		return theTrue, true
	case "hasAny": // some argument element is in the receiver
		for _, e := range arg {
			if containsPlain(recv, e) {
				return theTrue, true
			}
		}
		return theFalse, true
	case "hasOnly": // every receiver element is in the argument
		for _, e := range recv {
			if !containsPlain(arg, e) {
				return theFalse, true
			}
		}
		return theTrue, true
	}
	return nil, false
}

// plainScalars reports whether every element is a string, bool, int or
// null: the kinds whose set equality is Go's == (see hasOpSmall).
func plainScalars(l []Value) bool {
	for _, e := range l {
		switch e.(type) {
		case stringV, boolV, intV, nullV:
		default:
			return false
		}
	}
	return true
}

// containsPlain reports whether l holds e; l and e are plain scalars.
func containsPlain(l []Value, e Value) bool {
	for _, x := range l {
		if x == e {
			return true
		}
	}
	return false
}

// hasOp implements hasAll, hasAny and hasOnly for a receiver (recv holds
// its elements, elems lists them) and an argument list of elements;
// index builds the membership test of the argument (for hasOnly).
// Duplicates never matter.
func hasOp(name string, recv memberTest, elems, arg []Value, index func([]Value) memberTest) Value {
	switch name {
	case "hasAll": // every argument element is in the receiver
		for _, e := range arg {
			if !recv.has(e) {
				return theFalse
			}
		}
		return theTrue
	case "hasAny": // some argument element is in the receiver
		for _, e := range arg {
			if recv.has(e) {
				return theTrue
			}
		}
		return theFalse
	}
	// hasOnly: every receiver element is in the argument.
	allowed := index(arg)
	for _, e := range elems {
		if !allowed.has(e) {
			return theFalse
		}
	}
	return theTrue
}

func setMethod(s *setV, name string, args []Value) Value {
	switch name {
	case "size":
		if len(args) != 0 {
			return errArgs("set.size", args, "set.size()")
		}
		return intV(len(s.elems))
	case "hasAll", "hasAny", "hasOnly":
		if len(args) == 1 {
			var arg []Value
			switch a := args[0].(type) {
			case listV:
				arg = a
			case *setV:
				arg = a.elems
			default:
				return errArgs("set."+name, args, "set."+name+"(set|list)")
			}
			if v, ok := hasOpSmall(name, s.elems, arg); ok {
				return v
			}
			return hasOp(name, s, s.elems, arg, func(a []Value) memberTest { return newSet(a) })
		}
		return errArgs("set."+name, args, "set."+name+"(set|list)")
	case "difference", "union", "intersection":
		// A list argument is an error [obs PY list-methods].
		var o *setV
		if len(args) == 1 {
			o, _ = args[0].(*setV)
		}
		if o == nil {
			return errArgs("set."+name, args, "set."+name+"(set)")
		}
		out := newSet(nil)
		switch name {
		case "difference": // receiver minus argument
			for _, e := range s.elems {
				if !o.has(e) {
					out.add(e)
				}
			}
		case "intersection":
			for _, e := range s.elems {
				if o.has(e) {
					out.add(e)
				}
			}
		default:
			if len(s.elems)+len(o.elems) > maxListLen {
				return errTooLarge()
			}
			for _, e := range s.elems {
				out.add(e)
			}
			for _, e := range o.elems {
				out.add(e)
			}
		}
		return out
	}
	return errFuncNotFound(name)
}
