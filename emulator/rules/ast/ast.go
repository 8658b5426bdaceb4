// Package ast declares the syntax tree of the Firestore Security Rules
// language: a ruleset file, its service, match blocks, allow statements,
// functions and expressions.
//
// The parser (package parser) builds it; the evaluator (package rules)
// walks it. Every node carries the position of its first character. Node
// interfaces are sealed with unexported marker methods, as in go/ast.
package ast

import "fmt"

// Pos is a position in a source file. Line and Col are 1-based; Col counts
// bytes. The zero Pos means "no position".
type Pos struct {
	Offset int // byte offset, 0-based
	Line   int
	Col    int
}

// IsValid reports whether p refers to a real position.
func (p Pos) IsValid() bool { return p.Line > 0 }

func (p Pos) String() string {
	if !p.IsValid() {
		return "-"
	}
	return fmt.Sprintf("%d:%d", p.Line, p.Col)
}

// Node is any syntax tree node.
type Node interface {
	Position() Pos
}

// ---------------------------------------------------------------------------
// Declarations

// File is one parsed ruleset source.
type File struct {
	Name string // file name used in error messages
	// Version is 1 or 2: the value of `rules_version`, or 1 when the line is
	// absent.
	Version    int
	VersionPos Pos // position of `rules_version`, or the zero Pos
	// Functions declared at global scope (outside the service).
	Functions []*Function
	// Service is the single `service` declaration; nil only in a file that
	// failed to parse.
	Service *Service
}

// Service is `service <name> { ... }`.
type Service struct {
	Pos       Pos
	NamePos   Pos    // position of Name
	Name      string // e.g. "cloud.firestore"
	Functions []*Function
	Matches   []*Match
}

// Match is `match <pattern> { ... }`.
type Match struct {
	Pos       Pos
	Pattern   *Pattern
	Functions []*Function
	Allows    []*Allow
	Matches   []*Match
}

// SegmentKind tells how a pattern segment matches.
type SegmentKind int

const (
	SegLiteral   SegmentKind = iota // matches exactly Text
	SegWildcard                     // {Name}: one segment, bound as a string
	SegRecursive                    // {Name=**}: a run of segments, bound as a path
)

// Pattern is the path template of a match statement, e.g.
// /databases/{database}/documents/rooms/{roomId}.
type Pattern struct {
	Pos      Pos
	Segments []*Segment
}

// Segment is one `/`-separated part of a Pattern.
type Segment struct {
	Pos  Pos
	Kind SegmentKind
	// Text is the literal text for SegLiteral and the variable name for the
	// wildcard kinds.
	Text string
}

// String renders the pattern in source form.
func (p *Pattern) String() string {
	s := ""
	for _, seg := range p.Segments {
		switch seg.Kind {
		case SegLiteral:
			s += "/" + seg.Text
		case SegWildcard:
			s += "/{" + seg.Text + "}"
		case SegRecursive:
			s += "/{" + seg.Text + "=**}"
		}
	}
	return s
}

// Method is an allow method as written: read, write, get, list, create,
// update or delete.
type Method struct {
	Pos  Pos
	Name string
}

// Allow is `allow m1, m2[: if <cond>];`.
type Allow struct {
	Pos     Pos
	Methods []Method
	// Cond is the condition, or nil for an unconditional allow.
	Cond Expr
	// Text is the source text of Cond (for coverage reports and decisions);
	// empty when Cond is nil.
	Text string
}

// Function is `function name(params) { let ...; return expr; }`.
type Function struct {
	Pos     Pos
	NamePos Pos // position of Name
	Name    string
	Params  []*Ident
	Lets    []*Let
	Return  Expr // not nil in a function that parsed
}

// Let is `let name = expr;` inside a function body.
type Let struct {
	Pos     Pos
	NamePos Pos // position of Name
	Name    string
	Value   Expr
}

// ---------------------------------------------------------------------------
// Expressions

// Expr is any expression node.
type Expr interface {
	Node
	exprNode()
}

// Op is a unary or binary operator, spelled as in the source.
type Op string

const (
	OpNot Op = "!"
	OpNeg Op = "-" // unary minus; binary minus is OpSub

	OpMul Op = "*"
	OpDiv Op = "/"
	OpMod Op = "%"
	OpAdd Op = "+"
	OpSub Op = "-"
	OpLt  Op = "<"
	OpLe  Op = "<="
	OpGt  Op = ">"
	OpGe  Op = ">="
	OpIn  Op = "in"
	OpEq  Op = "=="
	OpNe  Op = "!="
	OpAnd Op = "&&"
	OpOr  Op = "||"
)

type (
	// BadExpr stands in for text that failed to parse.
	BadExpr struct {
		Pos Pos
	}

	// Ident is a name: a variable, a function, or a namespace such as math.
	Ident struct {
		Pos  Pos
		Name string
	}

	// NullLit is `null`.
	NullLit struct {
		Pos Pos
	}

	// BoolLit is `true` or `false`.
	BoolLit struct {
		Pos   Pos
		Value bool
	}

	// IntLit is a decimal integer literal (unary minus is a separate Unary).
	IntLit struct {
		Pos   Pos
		Value int64
	}

	// FloatLit is a literal with a fractional part, e.g. 1.0.
	FloatLit struct {
		Pos   Pos
		Value float64
	}

	// StringLit is a quoted string with escapes already decoded.
	StringLit struct {
		Pos   Pos
		Value string
	}

	// BytesLit is b'...' with escapes decoded.
	BytesLit struct {
		Pos   Pos
		Value []byte
	}

	// ListLit is [a, b, c].
	ListLit struct {
		Pos   Pos
		Elems []Expr
	}

	// MapLit is {'k': v, ...}.
	MapLit struct {
		Pos     Pos
		Entries []*MapEntry
	}

	// PathLit is a raw path literal such as
	// /databases/$(database)/documents/users/$(uid).
	PathLit struct {
		Pos      Pos
		Segments []*PathSegment
	}

	// Unary is !X or -X.
	Unary struct {
		Pos Pos
		Op  Op
		X   Expr
	}

	// Binary is X op Y.
	Binary struct {
		Pos   Pos // position of X
		OpPos Pos // position of the operator
		Op    Op
		X     Expr
		Y     Expr
	}

	// Ternary is Cond ? Then : Else.
	Ternary struct {
		Pos  Pos
		Cond Expr
		Then Expr
		Else Expr
	}

	// Is is `X is type`.
	Is struct {
		Pos  Pos
		X    Expr
		Type string // bool, int, float, number, string, bytes, list, map, set, map_diff, timestamp, duration, path, latlng, null, constraint
	}

	// Member is X.Name (map key lookup, or the callee of a method call).
	Member struct {
		Pos     Pos
		X       Expr
		Name    string
		NamePos Pos // position of Name (after the dot)
	}

	// Index is X[Index].
	Index struct {
		Pos   Pos
		X     Expr
		Index Expr
	}

	// Slice is X[Lo:Hi]; Lo or Hi may be nil, but not both.
	Slice struct {
		Pos Pos
		X   Expr
		Lo  Expr // or nil
		Hi  Expr // or nil
	}

	// Call is Fun(Args). Fun is an *Ident for a global function, or a
	// *Member for a method call (x.size()) or namespace call (math.abs(x)).
	Call struct {
		Pos  Pos
		Fun  Expr
		Args []Expr
	}
)

// MapEntry is one key: value pair of a MapLit.
type MapEntry struct {
	Pos   Pos
	Key   Expr
	Value Expr
}

// PathSegment is one segment of a PathLit: literal text, or an
// interpolation $(expr). For a literal, Expr is nil.
type PathSegment struct {
	Pos  Pos
	Text string // literal text (may contain parentheses, e.g. "(default)")
	Expr Expr   // $(...) expression, or nil
}

func (x *BadExpr) Position() Pos   { return x.Pos }
func (x *Ident) Position() Pos     { return x.Pos }
func (x *NullLit) Position() Pos   { return x.Pos }
func (x *BoolLit) Position() Pos   { return x.Pos }
func (x *IntLit) Position() Pos    { return x.Pos }
func (x *FloatLit) Position() Pos  { return x.Pos }
func (x *StringLit) Position() Pos { return x.Pos }
func (x *BytesLit) Position() Pos  { return x.Pos }
func (x *ListLit) Position() Pos   { return x.Pos }
func (x *MapLit) Position() Pos    { return x.Pos }
func (x *PathLit) Position() Pos   { return x.Pos }
func (x *Unary) Position() Pos     { return x.Pos }
func (x *Binary) Position() Pos    { return x.Pos }
func (x *Ternary) Position() Pos   { return x.Pos }
func (x *Is) Position() Pos        { return x.Pos }
func (x *Member) Position() Pos    { return x.Pos }
func (x *Index) Position() Pos     { return x.Pos }
func (x *Slice) Position() Pos     { return x.Pos }
func (x *Call) Position() Pos      { return x.Pos }

func (*BadExpr) exprNode()   {}
func (*Ident) exprNode()     {}
func (*NullLit) exprNode()   {}
func (*BoolLit) exprNode()   {}
func (*IntLit) exprNode()    {}
func (*FloatLit) exprNode()  {}
func (*StringLit) exprNode() {}
func (*BytesLit) exprNode()  {}
func (*ListLit) exprNode()   {}
func (*MapLit) exprNode()    {}
func (*PathLit) exprNode()   {}
func (*Unary) exprNode()     {}
func (*Binary) exprNode()    {}
func (*Ternary) exprNode()   {}
func (*Is) exprNode()        {}
func (*Member) exprNode()    {}
func (*Index) exprNode()     {}
func (*Slice) exprNode()     {}
func (*Call) exprNode()      {}

func (x *File) Position() Pos     { return Pos{Line: 1, Col: 1} }
func (x *Service) Position() Pos  { return x.Pos }
func (x *Match) Position() Pos    { return x.Pos }
func (x *Allow) Position() Pos    { return x.Pos }
func (x *Function) Position() Pos { return x.Pos }
func (x *Let) Position() Pos      { return x.Pos }
