package ast

// A Visitor's Visit method is called for each node Walk encounters. If it
// returns a non-nil visitor w, Walk visits the node's children with w and
// then calls w.Visit(nil).
type Visitor interface {
	Visit(node Node) (w Visitor)
}

// Walk traverses a syntax tree in depth-first order, source order within
// a node: File, functions (params, lets, return), service, matches
// (functions, allows, nested matches), and every expression. Nil children
// are skipped. Map entries and path segments are not nodes themselves;
// their expressions are visited directly.
func Walk(v Visitor, node Node) {
	if node == nil || isNilNode(node) {
		return
	}
	if v = v.Visit(node); v == nil {
		return
	}
	switch n := node.(type) {
	case *File:
		for _, fn := range n.Functions {
			Walk(v, fn)
		}
		if n.Service != nil {
			Walk(v, n.Service)
		}
	case *Service:
		for _, fn := range n.Functions {
			Walk(v, fn)
		}
		for _, m := range n.Matches {
			Walk(v, m)
		}
	case *Match:
		for _, fn := range n.Functions {
			Walk(v, fn)
		}
		for _, a := range n.Allows {
			Walk(v, a)
		}
		for _, m := range n.Matches {
			Walk(v, m)
		}
	case *Allow:
		walkExpr(v, n.Cond)
	case *Function:
		for _, p := range n.Params {
			Walk(v, p)
		}
		for _, l := range n.Lets {
			Walk(v, l)
		}
		walkExpr(v, n.Return)
	case *Let:
		walkExpr(v, n.Value)
	case *ListLit:
		for _, e := range n.Elems {
			walkExpr(v, e)
		}
	case *MapLit:
		for _, e := range n.Entries {
			walkExpr(v, e.Key)
			walkExpr(v, e.Value)
		}
	case *PathLit:
		for _, s := range n.Segments {
			walkExpr(v, s.Expr)
		}
	case *Unary:
		walkExpr(v, n.X)
	case *Binary:
		walkExpr(v, n.X)
		walkExpr(v, n.Y)
	case *Ternary:
		walkExpr(v, n.Cond)
		walkExpr(v, n.Then)
		walkExpr(v, n.Else)
	case *Is:
		walkExpr(v, n.X)
	case *Member:
		walkExpr(v, n.X)
	case *Index:
		walkExpr(v, n.X)
		walkExpr(v, n.Index)
	case *Slice:
		walkExpr(v, n.X)
		walkExpr(v, n.Lo)
		walkExpr(v, n.Hi)
	case *Call:
		walkExpr(v, n.Fun)
		for _, a := range n.Args {
			walkExpr(v, a)
		}
	}
	v.Visit(nil)
}

func walkExpr(v Visitor, e Expr) {
	if e != nil {
		Walk(v, e)
	}
}

// isNilNode reports whether node is a typed nil pointer, which Walk skips
// like an untyped nil.
func isNilNode(node Node) bool {
	switch n := node.(type) {
	case *File:
		return n == nil
	case *Service:
		return n == nil
	case *Match:
		return n == nil
	case *Allow:
		return n == nil
	case *Function:
		return n == nil
	case *Let:
		return n == nil
	}
	return false
}

type inspector func(Node) bool

func (f inspector) Visit(node Node) Visitor {
	if f(node) {
		return f
	}
	return nil
}

// Inspect traverses a syntax tree like Walk, calling f for each node and
// then f(nil) after a node's children; f returning false skips the node's
// children.
func Inspect(node Node, f func(Node) bool) {
	Walk(inspector(f), node)
}
