package rules

// This file holds litMapV, the value of a map literal whose keys are not
// written in ascending order. Google's emulator answers values() of a map
// literal in the order its keys were first written
// ({'b': 2, 'a': 1}.values() == [2, 1], and a repeated key keeps its first
// place and its last value), while keys() is sorted as for every map. A
// literal written in key order stays a plain mapV: both orders agree.

import "strings"

// litMapV is a map literal with its keys in written order. It behaves as
// its mapV in every way but values().
type litMapV struct {
	m     mapV
	order []string // each key of m once, in first-written order
}

func (*litMapV) typeName() string { return "map" }

func (l *litMapV) field(k string) (Value, bool) {
	v, ok := l.m[k]
	return v, ok
}

func (l *litMapV) has(k string) bool {
	_, ok := l.m[k]
	return ok
}

func (l *litMapV) size() int { return len(l.m) }

func (l *litMapV) keys() Value { return mapMethod(l.m, "keys", nil) }

func (l *litMapV) eager() mapV { return l.m }

// values is values() in written order.
func (l *litMapV) values() Value {
	out := make(listV, len(l.order))
	for i, k := range l.order {
		out[i] = l.m[k]
	}
	return out
}

// literalMap returns the value of a map literal: m, or m with its written
// key order when that order is not ascending.
func literalMap(m mapV, order []string) Value {
	for i := 1; i < len(order); i++ {
		if strings.Compare(order[i-1], order[i]) > 0 {
			return &litMapV{m: m, order: order}
		}
	}
	return m
}
