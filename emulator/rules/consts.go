package rules

import "github.com/roomgate/roomgate/emulator/rules/ast"

// Compile-time constants: literals evaluated once per ruleset so that
// decisions do not allocate them again on every evaluation.

// constTable holds the values of a ruleset's constant literals (see
// constValues), one map per node type: a pointer-keyed map is cheaper to
// query than one keyed by the ast.Expr interface.
type constTable struct {
	strs   map[*ast.StringLit]Value
	ints   map[*ast.IntLit]Value
	floats map[*ast.FloatLit]Value
	bytes  map[*ast.BytesLit]Value
	lists  map[*ast.ListLit]Value
}

// constValues evaluates, once, the literals of rs's conditions and
// functions that would allocate on every evaluation: strings, numbers and
// bytes, and list literals whose elements are all literals. The values
// come from the evaluator itself, so they are the ones evaluation would
// build; values are immutable, so decisions share them.
func constValues(rs *Ruleset) *constTable {
	t := newConstTable()
	for _, r := range rs.allows {
		t.add(r.decl.Cond)
	}
	for fn := range rs.funcs {
		for _, l := range fn.Lets {
			t.add(l.Value)
		}
		t.add(fn.Return)
	}
	return t
}

func newConstTable() *constTable {
	return &constTable{
		strs: map[*ast.StringLit]Value{}, ints: map[*ast.IntLit]Value{}, floats: map[*ast.FloatLit]Value{},
		bytes: map[*ast.BytesLit]Value{}, lists: map[*ast.ListLit]Value{},
	}
}

// add adds the constant literals of e.
func (t *constTable) add(e ast.Expr) {
	lit := func(x ast.Expr) Value { return (&evalContext{}).evalNode(x, nil) }
	forEachExpr(e, func(x ast.Expr) {
		switch l := x.(type) {
		case *ast.StringLit:
			t.strs[l] = lit(l)
		case *ast.IntLit:
			t.ints[l] = lit(l)
		case *ast.FloatLit:
			t.floats[l] = lit(l)
		case *ast.BytesLit:
			t.bytes[l] = lit(l)
		case *ast.ListLit:
			if len(l.Elems) > maxListLen {
				return
			}
			vals := make(listV, len(l.Elems))
			for i, el := range l.Elems {
				switch el.(type) {
				case *ast.NullLit, *ast.BoolLit, *ast.IntLit, *ast.FloatLit, *ast.StringLit, *ast.BytesLit:
					vals[i] = lit(el)
				default:
					return
				}
			}
			t.lists[l] = vals
		}
	})
}

// size is the number of constants held.
func (t *constTable) size() int {
	return len(t.strs) + len(t.ints) + len(t.floats) + len(t.bytes) + len(t.lists)
}
