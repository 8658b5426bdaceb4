package rules

import (
	"fmt"
	"strings"

	"github.com/roomgate/roomgate/emulator/rules/ast"
	"github.com/roomgate/roomgate/emulator/rules/parser"
)

// This file derives weakened (and otherwise altered) rulesets from
// firestore.rules, one change each, for the mutation test: if a change
// to a clause leaves every case's decision as it was, no case needs that
// clause, and the suite would not notice it being lost.

// mutant is the shipped rules with one change.
type mutant struct {
	desc string // what changed, with the line of the original
	src  string // the changed rules, printed from the syntax tree
}

// site is one place a mutation can be applied to a parsed file.
type site struct {
	desc  string
	apply func()
}

// mutants returns one mutant per site of src, dropping those whose
// printed rules equal the original's or an earlier mutant's (the same
// change reached two ways).
func mutants(src []byte) ([]mutant, error) {
	orig, err := parser.ParseFile("firestore.rules", src)
	if err != nil {
		return nil, err
	}
	base := ast.PrintFile(orig)
	n := len(sites(orig))
	seen := map[string]bool{base: true}
	var out []mutant
	for k := 0; k < n; k++ {
		f, err := parser.ParseFile("firestore.rules", src)
		if err != nil {
			return nil, err
		}
		ss := sites(f)
		if len(ss) != n {
			return nil, fmt.Errorf("site enumeration is not deterministic: %d then %d", n, len(ss))
		}
		ss[k].apply()
		text := ast.PrintFile(f)
		if seen[text] {
			continue
		}
		seen[text] = true
		out = append(out, mutant{desc: ss[k].desc, src: text})
	}
	return out, nil
}

// sites enumerates, in source order:
//   - every allow: its condition replaced by true, and its methods widened
//     to read, write;
//   - every function: its body replaced by true;
//   - inside every condition, function body and let: each operand of &&
//     replaced by true, each || replaced by true, each comparison negated
//     and moved across its boundary (< vs <=), each `in` negated, each
//     boolean literal flipped, each integer literal moved by one, each
//     hasOnly/hasAll turned into hasAny, and each element of a list
//     literal dropped.
func sites(f *ast.File) []site {
	var out []site
	fns := func(list []*ast.Function) {
		for _, fn := range list {
			where := fmt.Sprintf("L%d function %s", fn.Pos.Line, fn.Name)
			out = append(out, site{where + ": body -> true", func() { fn.Lets = nil; fn.Return = &ast.BoolLit{Value: true} }})
			for _, l := range fn.Lets {
				out = append(out, exprSites(where+" let "+l.Name, &l.Value)...)
			}
			out = append(out, exprSites(where, &fn.Return)...)
		}
	}
	var matches func(list []*ast.Match)
	matches = func(list []*ast.Match) {
		for _, m := range list {
			fns(m.Functions)
			for _, a := range m.Allows {
				var names []string
				for _, mm := range a.Methods {
					names = append(names, mm.Name)
				}
				where := fmt.Sprintf("L%d match %s allow %s", a.Pos.Line, lastSegments(m.Pattern.String()), strings.Join(names, ", "))
				out = append(out, site{where + ": condition -> true", func() { a.Cond = &ast.BoolLit{Value: true}; a.Text = "true" }})
				out = append(out, site{where + ": methods -> read, write", func() {
					a.Methods = []ast.Method{{Pos: a.Pos, Name: "read"}, {Pos: a.Pos, Name: "write"}}
				}})
				if a.Cond != nil {
					out = append(out, exprSites(where, &a.Cond)...)
				}
			}
			matches(m.Matches)
		}
	}
	fns(f.Functions)
	if f.Service != nil {
		fns(f.Service.Functions)
		matches(f.Service.Matches)
	}
	return out
}

// lastSegments shortens a match pattern for messages.
func lastSegments(p string) string {
	return strings.TrimPrefix(p, "/databases/{database}/documents")
}

var negated = map[ast.Op]ast.Op{
	ast.OpEq: ast.OpNe, ast.OpNe: ast.OpEq,
	ast.OpLt: ast.OpGe, ast.OpGe: ast.OpLt,
	ast.OpGt: ast.OpLe, ast.OpLe: ast.OpGt,
}

var boundary = map[ast.Op]ast.Op{
	ast.OpLt: ast.OpLe, ast.OpLe: ast.OpLt,
	ast.OpGt: ast.OpGe, ast.OpGe: ast.OpGt,
}

// exprSites enumerates the mutation sites of the expression in *slot and
// its subexpressions, pre-order.
func exprSites(where string, slot *ast.Expr) []site {
	var out []site
	at := func(e ast.Expr, what string) string {
		return fmt.Sprintf("%s: L%d:%d %s", where, e.Position().Line, e.Position().Col, what)
	}
	// argOf names the method whose argument a list is, so equal lists
	// in different calls get different descriptions.
	argOf := map[ast.Expr]string{}
	var walk func(slot *ast.Expr)
	walk = func(slot *ast.Expr) {
		e := *slot
		switch x := e.(type) {
		case *ast.Binary:
			switch {
			case x.Op == ast.OpAnd:
				for _, operand := range []*ast.Expr{&x.X, &x.Y} {
					if b, ok := (*operand).(*ast.Binary); ok && b.Op == ast.OpAnd {
						continue // a chain: its own operands are sites
					}
					out = append(out, site{at(*operand, "&& operand `"+ast.Print(*operand)+"` -> true"),
						func() { *operand = &ast.BoolLit{Value: true} }})
				}
			case x.Op == ast.OpOr:
				out = append(out, site{at(x, "`"+ast.Print(x)+"` -> true"), func() { *slot = &ast.BoolLit{Value: true} }})
			case negated[x.Op] != "":
				op := x.Op
				out = append(out, site{at(x, fmt.Sprintf("`%s`: %s -> %s", ast.Print(x), op, negated[op])), func() { x.Op = negated[op] }})
				if b := boundary[op]; b != "" {
					out = append(out, site{at(x, fmt.Sprintf("`%s`: %s -> %s", ast.Print(x), op, b)), func() { x.Op = b }})
				}
			case x.Op == ast.OpIn:
				out = append(out, site{at(x, "`"+ast.Print(x)+"` negated"), func() { *slot = &ast.Unary{Pos: x.Pos, Op: ast.OpNot, X: x} }})
			}
			walk(&x.X)
			walk(&x.Y)
		case *ast.BoolLit:
			out = append(out, site{at(x, fmt.Sprintf("literal %v -> %v", x.Value, !x.Value)), func() { x.Value = !x.Value }})
		case *ast.IntLit:
			v := x.Value
			out = append(out,
				site{at(x, fmt.Sprintf("literal %d -> %d", v, v+1)), func() { x.Value = v + 1 }},
				site{at(x, fmt.Sprintf("literal %d -> %d", v, v-1)), func() { x.Value = v - 1 }})
		case *ast.Call:
			if m, ok := x.Fun.(*ast.Member); ok && (m.Name == "hasOnly" || m.Name == "hasAll") {
				name := m.Name
				out = append(out, site{at(x, "`"+ast.Print(x)+"`: "+name+" -> hasAny"), func() { m.Name = "hasAny" }})
			}
			walk(&x.Fun)
			for i := range x.Args {
				if m, ok := x.Fun.(*ast.Member); ok {
					argOf[x.Args[i]] = " from the argument of " + m.Name
				} else if id, ok := x.Fun.(*ast.Ident); ok {
					argOf[x.Args[i]] = " from the argument of " + id.Name
				}
				walk(&x.Args[i])
			}
		case *ast.ListLit:
			if len(x.Elems) > 1 {
				for i := range x.Elems {
					out = append(out, site{at(x.Elems[i], "list element `"+ast.Print(x.Elems[i])+"` dropped"+argOf[x]), func() {
						x.Elems = append(x.Elems[:i:i], x.Elems[i+1:]...)
					}})
				}
			}
			for i := range x.Elems {
				walk(&x.Elems[i])
			}
		case *ast.Unary:
			walk(&x.X)
		case *ast.Ternary:
			walk(&x.Cond)
			walk(&x.Then)
			walk(&x.Else)
		case *ast.Is:
			walk(&x.X)
		case *ast.Member:
			walk(&x.X)
		case *ast.Index:
			walk(&x.X)
			walk(&x.Index)
		case *ast.Slice:
			walk(&x.X)
			if x.Lo != nil {
				walk(&x.Lo)
			}
			if x.Hi != nil {
				walk(&x.Hi)
			}
		case *ast.MapLit:
			for _, en := range x.Entries {
				walk(&en.Key)
				walk(&en.Value)
			}
		case *ast.PathLit:
			for _, seg := range x.Segments {
				if seg.Expr != nil {
					walk(&seg.Expr)
				}
			}
		}
	}
	walk(slot)
	return out
}
