package rules

// This file implements the list and set methods (rules-language.md
// sections 3.7, 3.8). Membership in these methods compares numbers by
// value at any depth (see value_equal.go).

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
			s, ok := e.(stringV)
			if !ok {
				return errorf("Unsupported operation error. Received: list.join() of a list holding %s. Expected: a list of strings.", e.typeName())
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
		drop := newSet(other)
		out := make(listV, 0, len(l))
		for _, e := range l {
			if !drop.has(e) {
				out = append(out, e)
			}
		}
		return out
	}
	return hasOp(name, newSet(l), other)
}

// hasOp implements hasAll, hasAny and hasOnly for a receiver (as a set of
// its elements) and an argument list of elements; duplicates never
// matter.
func hasOp(name string, recv *setV, arg []Value) Value {
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
	allowed := newSet(arg)
	for _, e := range recv.elems {
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
			switch a := args[0].(type) {
			case listV:
				return hasOp(name, s, a)
			case *setV:
				return hasOp(name, s, a.elems)
			}
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
