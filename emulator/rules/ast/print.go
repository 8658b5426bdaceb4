package ast

import (
	"strconv"
	"strings"
)

// Print renders an expression fully parenthesised, for tests and
// debugging: every unary, binary, ternary and `is` expression is wrapped in
// parentheses, so the tree's shape is visible in the text. The output is
// valid rules syntax and parses back to the same tree.
func Print(e Expr) string {
	var b strings.Builder
	printExpr(&b, e)
	return b.String()
}

func printExpr(b *strings.Builder, e Expr) {
	switch x := e.(type) {
	case nil:
		b.WriteString("<nil>")
	case *BadExpr:
		b.WriteString("<bad>")
	case *Ident:
		b.WriteString(x.Name)
	case *NullLit:
		b.WriteString("null")
	case *BoolLit:
		b.WriteString(strconv.FormatBool(x.Value))
	case *IntLit:
		b.WriteString(strconv.FormatInt(x.Value, 10))
	case *FloatLit:
		s := strconv.FormatFloat(x.Value, 'f', -1, 64)
		if !strings.ContainsAny(s, ".IN") {
			s += ".0"
		}
		b.WriteString(s)
	case *StringLit:
		b.WriteString(strconv.Quote(x.Value))
	case *BytesLit:
		b.WriteString("b\"")
		for _, c := range x.Value {
			switch {
			case c == '"' || c == '\\':
				b.WriteByte('\\')
				b.WriteByte(c)
			case c >= 0x20 && c < 0x7f:
				b.WriteByte(c)
			default:
				b.WriteString(`\x`)
				b.WriteByte("0123456789abcdef"[c>>4])
				b.WriteByte("0123456789abcdef"[c&15])
			}
		}
		b.WriteByte('"')
	case *ListLit:
		b.WriteByte('[')
		printList(b, x.Elems)
		b.WriteByte(']')
	case *MapLit:
		b.WriteByte('{')
		for i, en := range x.Entries {
			if i > 0 {
				b.WriteString(", ")
			}
			printExpr(b, en.Key)
			b.WriteString(": ")
			printExpr(b, en.Value)
		}
		b.WriteByte('}')
	case *PathLit:
		for _, seg := range x.Segments {
			b.WriteByte('/')
			if seg.Expr != nil {
				b.WriteString("$(")
				printExpr(b, seg.Expr)
				b.WriteByte(')')
			} else {
				b.WriteString(seg.Text)
			}
		}
	case *Unary:
		b.WriteByte('(')
		b.WriteString(string(x.Op))
		printExpr(b, x.X)
		b.WriteByte(')')
	case *Binary:
		b.WriteByte('(')
		printExpr(b, x.X)
		b.WriteString(" " + string(x.Op) + " ")
		printExpr(b, x.Y)
		b.WriteByte(')')
	case *Ternary:
		b.WriteByte('(')
		printExpr(b, x.Cond)
		b.WriteString(" ? ")
		printExpr(b, x.Then)
		b.WriteString(" : ")
		printExpr(b, x.Else)
		b.WriteByte(')')
	case *Is:
		b.WriteByte('(')
		printExpr(b, x.X)
		b.WriteString(" is " + x.Type + ")")
	case *Member:
		printOperand(b, x.X)
		b.WriteString("." + x.Name)
	case *Index:
		printOperand(b, x.X)
		b.WriteByte('[')
		printExpr(b, x.Index)
		b.WriteByte(']')
	case *Slice:
		printOperand(b, x.X)
		b.WriteByte('[')
		if x.Lo != nil {
			printExpr(b, x.Lo)
		}
		b.WriteByte(':')
		if x.Hi != nil {
			printExpr(b, x.Hi)
		}
		b.WriteByte(']')
	case *Call:
		printOperand(b, x.Fun)
		b.WriteByte('(')
		printList(b, x.Args)
		b.WriteByte(')')
	default:
		b.WriteString("<unknown>")
	}
}

// printOperand prints the operand of a postfix operator. A path literal
// is parenthesised there: in /a/b.c the ".c" would continue the segment.
func printOperand(b *strings.Builder, e Expr) {
	if _, ok := e.(*PathLit); ok {
		b.WriteByte('(')
		printExpr(b, e)
		b.WriteByte(')')
		return
	}
	printExpr(b, e)
}

func printList(b *strings.Builder, xs []Expr) {
	for i, x := range xs {
		if i > 0 {
			b.WriteString(", ")
		}
		printExpr(b, x)
	}
}

// PrintFile renders a whole file in a canonical layout (two-space
// indentation, one statement per line, expressions as Print renders them).
// The output is valid rules syntax.
func PrintFile(f *File) string {
	var b strings.Builder
	if f.VersionPos.IsValid() || f.Version == 2 {
		b.WriteString("rules_version = '" + strconv.Itoa(f.Version) + "';\n")
	}
	for _, fn := range f.Functions {
		printFunction(&b, fn, 0)
	}
	if s := f.Service; s != nil {
		b.WriteString("service " + s.Name + " {\n")
		for _, fn := range s.Functions {
			printFunction(&b, fn, 1)
		}
		for _, m := range s.Matches {
			printMatch(&b, m, 1)
		}
		b.WriteString("}\n")
	}
	return b.String()
}

func indent(b *strings.Builder, n int) {
	for i := 0; i < n; i++ {
		b.WriteString("  ")
	}
}

func printFunction(b *strings.Builder, fn *Function, depth int) {
	indent(b, depth)
	b.WriteString("function " + fn.Name + "(")
	for i, p := range fn.Params {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(p.Name)
	}
	b.WriteString(") {\n")
	for _, l := range fn.Lets {
		indent(b, depth+1)
		b.WriteString("let " + l.Name + " = " + Print(l.Value) + ";\n")
	}
	indent(b, depth+1)
	b.WriteString("return " + Print(fn.Return) + ";\n")
	indent(b, depth)
	b.WriteString("}\n")
}

func printMatch(b *strings.Builder, m *Match, depth int) {
	indent(b, depth)
	b.WriteString("match " + m.Pattern.String() + " {\n")
	for _, fn := range m.Functions {
		printFunction(b, fn, depth+1)
	}
	for _, a := range m.Allows {
		indent(b, depth+1)
		b.WriteString("allow ")
		for i, meth := range a.Methods {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(meth.Name)
		}
		if a.Cond != nil {
			b.WriteString(": if " + Print(a.Cond))
		}
		b.WriteString(";\n")
	}
	for _, sub := range m.Matches {
		printMatch(b, sub, depth+1)
	}
	indent(b, depth)
	b.WriteString("}\n")
}
