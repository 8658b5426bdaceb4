package parser

// This file bounds how deeply an expression nests, as Google's compiler
// does: a node more than MaxExprLevels levels below the root of an allow
// condition, a let value or a return expression is rejected with
// "Expression is too complex to evaluate safely." (measured against
// Google's Cloud Firestore emulator). A level is an operand of an
// operator (binary, unary, ternary, `is`), an element of a list literal,
// a key or value of a map literal, an argument of a call, an index or a
// slice bound, an interpolated path segment, and a pair of parentheses.
// The receiver of a member access, a method call, an index or a slice is
// at its parent's level, so a long chain `a.b.c(...)[0].d` costs nothing.

import "github.com/roomgate/roomgate/emulator/rules/ast"

// MaxExprLevels is how many levels an expression may span: the root is
// level 1; a node at level MaxExprLevels+1 makes the expression too
// complex. `true && ... && true` compiles with 99 operands, not 100.
const MaxExprLevels = 99

// errTooComplex is Google's compiler's text for an expression nested
// deeper than MaxExprLevels.
const errTooComplex = "Expression is too complex to evaluate safely."

// parseRootExpr parses an expression that stands on its own (a condition,
// a let value, a return value) and checks its nesting.
func (p *parser) parseRootExpr() ast.Expr {
	x := p.parseExpr()
	p.checkLevels(x, 1)
	clear(p.parens)
	return x
}

// noteParens records that x was written inside a pair of parentheses
// opening at pos; the outermost pair comes first.
func (p *parser) noteParens(x ast.Expr, pos ast.Pos) {
	if p.parens == nil {
		p.parens = map[ast.Expr][]ast.Pos{}
	}
	p.parens[x] = append([]ast.Pos{pos}, p.parens[x]...)
}

// checkLevels reports each node (or parenthesis) at level
// MaxExprLevels+1 below x, which is at level lv, as Google's compiler
// does, without descending further.
func (p *parser) checkLevels(x ast.Expr, lv int) {
	if x == nil {
		return
	}
	for _, pos := range p.parens[x] {
		if lv > MaxExprLevels {
			p.errorAt(pos, errTooComplex)
			return
		}
		lv++
	}
	if lv > MaxExprLevels {
		p.errorAt(x.Position(), errTooComplex)
		return
	}
	switch x := x.(type) {
	case *ast.Binary:
		p.checkLevels(x.X, lv+1)
		p.checkLevels(x.Y, lv+1)
	case *ast.Unary:
		p.checkLevels(x.X, lv+1)
	case *ast.Ternary:
		p.checkLevels(x.Cond, lv+1)
		p.checkLevels(x.Then, lv+1)
		p.checkLevels(x.Else, lv+1)
	case *ast.Is:
		p.checkLevels(x.X, lv+1)
	case *ast.ListLit:
		for _, e := range x.Elems {
			p.checkLevels(e, lv+1)
		}
	case *ast.MapLit:
		for _, e := range x.Entries {
			p.checkLevels(e.Key, lv+1)
			p.checkLevels(e.Value, lv+1)
		}
	case *ast.PathLit:
		for _, s := range x.Segments {
			p.checkLevels(s.Expr, lv+1)
		}
	case *ast.Member:
		p.checkLevels(x.X, lv)
	case *ast.Index:
		p.checkLevels(x.X, lv)
		p.checkLevels(x.Index, lv+1)
	case *ast.Slice:
		p.checkLevels(x.X, lv)
		p.checkLevels(x.Lo, lv+1)
		p.checkLevels(x.Hi, lv+1)
	case *ast.Call:
		if m, ok := x.Fun.(*ast.Member); ok {
			p.checkLevels(m.X, lv)
		}
		for _, a := range x.Args {
			p.checkLevels(a, lv+1)
		}
	}
}
