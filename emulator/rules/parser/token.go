package parser

import (
	"fmt"

	"github.com/roomgate/roomgate/emulator/rules/ast"
)

// kind is the lexical class of a token.
type kind int

const (
	tEOF     kind = iota
	tIllegal      // a character or literal the lexer rejected (already reported)
	tIdent        // names and keywords; keywords are recognised by the parser
	tInt
	tFloat
	tString
	tBytes

	tLParen   // (
	tRParen   // )
	tLBrack   // [
	tRBrack   // ]
	tLBrace   // {
	tRBrace   // }
	tComma    // ,
	tSemi     // ;
	tColon    // :
	tDot      // .
	tQuestion // ?
	tNot      // !
	tAssign   // =
	tEql      // ==
	tNeq      // !=
	tLss      // <
	tLeq      // <=
	tGtr      // >
	tGeq      // >=
	tAdd      // +
	tSub      // -
	tMul      // *
	tQuo      // /
	tRem      // %
	tLAnd     // &&
	tLOr      // ||
)

var kindNames = [...]string{
	tEOF:      "end of file",
	tIllegal:  "illegal token",
	tIdent:    "identifier",
	tInt:      "integer literal",
	tFloat:    "float literal",
	tString:   "string literal",
	tBytes:    "bytes literal",
	tLParen:   "'('",
	tRParen:   "')'",
	tLBrack:   "'['",
	tRBrack:   "']'",
	tLBrace:   "'{'",
	tRBrace:   "'}'",
	tComma:    "','",
	tSemi:     "';'",
	tColon:    "':'",
	tDot:      "'.'",
	tQuestion: "'?'",
	tNot:      "'!'",
	tAssign:   "'='",
	tEql:      "'=='",
	tNeq:      "'!='",
	tLss:      "'<'",
	tLeq:      "'<='",
	tGtr:      "'>'",
	tGeq:      "'>='",
	tAdd:      "'+'",
	tSub:      "'-'",
	tMul:      "'*'",
	tQuo:      "'/'",
	tRem:      "'%'",
	tLAnd:     "'&&'",
	tLOr:      "'||'",
}

func (k kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// token is one lexical token. End is the byte offset just past it, used to
// cut the exact source text of allow conditions.
type token struct {
	kind kind
	pos  ast.Pos
	end  int
	lit  string // source text for identifiers and numbers
	val  string // decoded value of string and bytes literals
}

// describe names the token for "expected X, found Y" messages.
func (t token) describe() string {
	switch t.kind {
	case tIdent:
		if keywords[t.lit] {
			return "keyword '" + t.lit + "'"
		}
		return "identifier '" + t.lit + "'"
	case tInt, tFloat:
		return t.kind.String() + " " + t.lit
	}
	return t.kind.String()
}

// keywords may not be used as variable, function or parameter names. They
// may still be used as member names (resource.data.match is a field).
var keywords = map[string]bool{
	"rules_version": true,
	"service":       true,
	"match":         true,
	"allow":         true,
	"if":            true,
	"function":      true,
	"let":           true,
	"return":        true,
	"true":          true,
	"false":         true,
	"null":          true,
	"in":            true,
	"is":            true,
}

// Binary operator precedence (higher binds tighter). Postfix, unary and
// ternary are handled by dedicated parse functions; `is` takes a type name
// instead of an operand. `in` binds more loosely than `==` and `!=`, as
// Google's compiler parses it: `1 in [1] == true` is `1 in ([1] == true)`
// (an error), `true == 1 in [1]` is `(true == 1) in [1]`.
const (
	precOr   = 1 // ||
	precAnd  = 2 // &&
	precIn   = 3 // in
	precEq   = 4 // == !=
	precIs   = 5 // is
	precRel  = 6 // < <= > >=
	precAdd  = 7 // + -
	precMul  = 8 // * / %
	precNone = 0
)

// binaryOps maps operator tokens to their AST operator and precedence.
var binaryOps = map[kind]struct {
	op   ast.Op
	prec int
}{
	tLOr:  {ast.OpOr, precOr},
	tLAnd: {ast.OpAnd, precAnd},
	tEql:  {ast.OpEq, precEq},
	tNeq:  {ast.OpNe, precEq},
	tLss:  {ast.OpLt, precRel},
	tLeq:  {ast.OpLe, precRel},
	tGtr:  {ast.OpGt, precRel},
	tGeq:  {ast.OpGe, precRel},
	tAdd:  {ast.OpAdd, precAdd},
	tSub:  {ast.OpSub, precAdd},
	tMul:  {ast.OpMul, precMul},
	tQuo:  {ast.OpDiv, precMul},
	tRem:  {ast.OpMod, precMul},
}

// typeNames are the operands `is` accepts.
var typeNames = map[string]bool{
	"bool": true, "int": true, "float": true, "number": true,
	"string": true, "bytes": true, "list": true, "map": true,
	"set": true, "map_diff": true, "timestamp": true, "duration": true,
	"path": true, "latlng": true, "vector": true, "constraint": true,
}
