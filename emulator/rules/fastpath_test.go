package rules

import (
	"math"
	"math/rand"
	"testing"
)

// The tests in this file check the evaluator's fast paths against the
// general code they shortcut: same inputs, same results.

// fastPathElems are candidate list elements, with the corner cases of set
// equality: ints and equal floats, NaN, -0.0, strings that look like
// numbers, nested lists, and maps.
var fastPathElems = []Value{
	stringV("a"), stringV("b"), stringV(""), stringV("1"), stringV("s1:a"),
	intV(0), intV(1), intV(-1), intV(math.MaxInt64),
	floatV(1), floatV(0), floatV(math.Copysign(0, -1)), floatV(1.5), floatV(math.NaN()),
	boolV(true), boolV(false), nullV{},
	listV{intV(1)}, listV{floatV(1)}, mapV{"a": intV(1)},
}

// TestHasOpSmallMatchesSets compares hasAll, hasAny and hasOnly on lists
// and sets with and without the set-free fast path.
func TestHasOpSmallMatchesSets(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	pick := func() listV {
		l := make(listV, r.Intn(6))
		for i := range l {
			l[i] = fastPathElems[r.Intn(len(fastPathElems))]
		}
		return l
	}
	fastTaken := 0
	for i := 0; i < 20000; i++ {
		recv, arg := pick(), pick()
		for _, name := range []string{"hasAll", "hasAny", "hasOnly"} {
			want := hasOp(name, newSet(recv), arg)
			if _, ok := hasOpSmall(name, recv, arg); ok {
				fastTaken++
			}
			for _, got := range []Value{
				listMethod(recv, name, []Value{arg}),
				setMethod(newSet(recv), name, []Value{arg}),
				setMethod(newSet(recv), name, []Value{newSet(arg)}),
			} {
				if got != want {
					t.Fatalf("%s.%s(%s) = %s, want %s", formatValue(recv), name, formatValue(arg), formatValue(got), formatValue(want))
				}
			}
		}
	}
	if fastTaken == 0 {
		t.Fatal("the fast path was never taken")
	}
}
