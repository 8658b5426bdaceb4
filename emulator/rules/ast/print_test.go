package ast_test

import (
	"strings"
	"testing"

	"github.com/roomgate/roomgate/emulator/rules/ast"
)

func TestPrintHandBuiltNodes(t *testing.T) {
	path := &ast.PathLit{Segments: []*ast.PathSegment{{Text: "a"}, {Expr: &ast.Ident{Name: "b"}}}}
	tests := []struct {
		x    ast.Expr
		want string
	}{
		{&ast.Member{X: path, Name: "c"}, "(/a/$(b)).c"},
		{&ast.Slice{X: &ast.Ident{Name: "s"}, Hi: &ast.IntLit{Value: 2}}, "s[:2]"},
		{&ast.Slice{X: &ast.Ident{Name: "s"}, Lo: &ast.IntLit{Value: 1}}, "s[1:]"},
		{&ast.BytesLit{Value: []byte{0, '"', '\\', 'a', 0xff}}, `b"\x00\"\\a\xff"`},
		{&ast.FloatLit{Value: 2}, "2.0"},
		{&ast.FloatLit{Value: 1e21}, "1000000000000000000000.0"},
		{&ast.Unary{Op: ast.OpNeg, X: &ast.IntLit{Value: 1}}, "(-1)"},
		{&ast.Is{X: &ast.NullLit{}, Type: "null"}, "(null is null)"},
		{&ast.BadExpr{}, "<bad>"},
	}
	for _, tc := range tests {
		if got := ast.Print(tc.x); got != tc.want {
			t.Errorf("got %s, want %s", got, tc.want)
		}
	}
}

func TestInspectOrderAndPruning(t *testing.T) {
	// f(a + b, c[d])
	x := &ast.Call{Fun: &ast.Ident{Name: "f"}, Args: []ast.Expr{
		&ast.Binary{Op: ast.OpAdd, X: &ast.Ident{Name: "a"}, Y: &ast.Ident{Name: "b"}},
		&ast.Index{X: &ast.Ident{Name: "c"}, Index: &ast.Ident{Name: "d"}},
	}}
	var names []string
	ast.Inspect(x, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			names = append(names, id.Name)
		}
		_, isIndex := n.(*ast.Index)
		return !isIndex // do not descend into c[d]
	})
	if got := strings.Join(names, " "); got != "f a b" {
		t.Errorf("visited %q, want \"f a b\"", got)
	}
	// A file with a nil service and nil condition is walked without panic.
	f := &ast.File{Functions: []*ast.Function{{Name: "g"}}}
	count := 0
	ast.Inspect(f, func(n ast.Node) bool {
		if n != nil {
			count++
		}
		return true
	})
	if count != 2 {
		t.Errorf("visited %d nodes, want 2 (file, function)", count)
	}
}
