package rules

// This file holds bagV, values() of document data or token claims with
// more than one entry. Google's emulator answers values() in the order
// the map's entries arrived: for a stored or written document, the order
// the client encoded its fields (the Go client randomises it; another
// client may use the order its code set them in). roomgate receives the
// fields as an unordered map and cannot know that order, so it answers
// only what does not depend on it and denies the rest:
//   - size(), hasAll(), hasAny(), hasOnly(), toSet() and `x in v` work as
//     on the list of the values;
//   - `is list` is true;
//   - every other use is an error, so the rule denies: `==` and `!=`,
//     indexing and slicing, join(), concat(), removeAll(), and putting
//     the values into a list or map literal (where `==`, sets or diff
//     would see the order). A rule comparing a stored document's values()
//     with a list is not deterministic in Google's emulator either.
// values() of one entry, and of a map literal (value_litmap.go), is a
// plain list.

// bagV is the values of a map whose entry order is unknown.
type bagV struct {
	elems listV // in key order, never exposed as a list
}

func (*bagV) typeName() string { return "list" }

// errBagOrder is the error of an order-dependent use of a bagV.
func errBagOrder(what string) Value {
	return errorf("Unsupported operation error. %s depends on the order of values() of document data, which roomgate cannot know; compare keys() or the fields instead.", what)
}

// unorderedValues returns values() of a lazy map whose entry order is
// unknown.
func unorderedValues(m lazyMap) Value {
	vals := mapMethod(m.eager(), "values", nil).(listV)
	if len(vals) <= 1 {
		return vals
	}
	return &bagV{elems: vals}
}

// bagMethod implements the order-independent list methods on a bag.
func bagMethod(b *bagV, name string, args []Value) Value {
	switch name {
	case "size", "toSet", "hasAll", "hasAny", "hasOnly":
		return listMethod(b.elems, name, args)
	}
	return errBagOrder("list." + name + "()")
}

// bagIn returns an error value when one of vs is a bag (inside a literal
// or an equality), else nil.
func bagIn(what string, vs ...Value) Value {
	for _, v := range vs {
		if _, ok := v.(*bagV); ok {
			return errBagOrder(what)
		}
	}
	return nil
}
