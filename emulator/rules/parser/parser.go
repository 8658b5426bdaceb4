// Package parser parses Firestore Security Rules source into the syntax tree
// of package ast.
//
// It is a hand-written recursive-descent parser with precedence climbing
// for binary operators. It never panics on bad
// input: every problem becomes a positioned *Error in an ErrorList, and a
// partial tree is returned alongside. Static limits of the language
// (see Limits) that can be checked without evaluating are
// reported the same way.
//
// File map: parser.go holds the entry points, the token stream and
// expressions; decl.go the declarations (rules_version, service, match,
// allow, function); path.go match patterns and path literals; lexer.go and
// token.go the lexer; errors.go the error types.
package parser

import (
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/roomgate/roomgate/emulator/rules/ast"
)

// Limits enforced while parsing (Firestore's static limits), plus the parser's
// own bound on expression nesting so that no input can exhaust the stack.
const (
	MaxSourceSize    = 256 << 10 // bytes of ruleset source
	MaxMatchDepth    = 10        // match statements nested below the outermost one
	MaxCaptures      = 20        // capture variables along a nesting chain
	MaxPathSegments  = 100       // pattern segments along a nesting chain
	MaxParams        = 7         // function parameters
	MaxLets          = 10        // let bindings per function
	MaxExprDepth     = 200       // expression nesting levels (parser's own bound on recursion; MaxExprLevels is Google's)
	maxErrorsBailout = maxErrors
)

// bailout is panicked to abandon a parse (too many errors, or an
// expression nested too deeply) and recovered in the entry points.
type bailout struct{}

type parser struct {
	name   string
	src    []byte
	lx     *lexer
	errors ErrorList
	lines  *LineIndex // built at the first error (newError)

	tok     token // current token
	prevEnd int   // end offset of the previous token

	version   int // 1 or 2, known once rules_version is parsed
	exprDepth int
	// parens holds, for the expression being parsed, the opening
	// positions of the parentheses around each parenthesized node
	// (complexity.go).
	parens map[ast.Expr][]ast.Pos
}

func newParser(name string, src []byte) *parser {
	p := &parser{name: name, src: src, version: 1}
	p.lx = newLexer(src, p.errorAt)
	return p
}

// ParseFile parses a complete ruleset. It always returns a file, possibly
// partial; the error, when not nil, is an ErrorList sorted by position.
func ParseFile(name string, src []byte) (f *ast.File, err error) {
	f = &ast.File{Name: name, Version: 1}
	p := newParser(name, src)
	if len(src) > MaxSourceSize {
		p.errorAt(ast.Pos{Line: 1, Col: 1}, fmt.Sprintf("ruleset source is %d bytes, over the limit of %d", len(src), MaxSourceSize))
		return f, p.errors.Err()
	}
	defer p.finish(&err)
	p.next()
	p.parseFile(f)
	return f, nil // replaced by the deferred function
}

// finish ends a parse; it must be deferred directly. It absorbs the
// bailout panic of a parse that hit the error cap (re-panicking anything
// else) and sets *err to the sorted error list, nil if there is none.
func (p *parser) finish(err *error) {
	if r := recover(); r != nil {
		if _, ok := r.(bailout); !ok {
			panic(r)
		}
	}
	p.errors.Sort()
	*err = p.errors.Err()
}

// ParseExpr parses a single expression, such as an allow condition.
func ParseExpr(src string) (x ast.Expr, err error) {
	p := newParser("", []byte(src))
	if len(src) > MaxSourceSize {
		p.errorAt(ast.Pos{Line: 1, Col: 1}, fmt.Sprintf("expression is %d bytes, over the limit of %d", len(src), MaxSourceSize))
		return &ast.BadExpr{Pos: ast.Pos{Line: 1, Col: 1}}, p.errors.Err()
	}
	x = &ast.BadExpr{Pos: ast.Pos{Line: 1, Col: 1}}
	defer p.finish(&err)
	p.next()
	x = p.parseRootExpr()
	if p.tok.kind != tEOF {
		p.errorExpected("end of expression")
	}
	return x, nil
}

// ---------------------------------------------------------------------------
// Errors and the token stream

// errorAt records an error. Like go/parser it keeps only the first error
// on a line (later ones are usually consequences) and gives up after
// maxErrors.
func (p *parser) errorAt(pos ast.Pos, msg string) {
	if n := len(p.errors); n > 0 && p.errors[n-1].Pos.Line == pos.Line {
		return
	}
	if len(p.errors) >= maxErrorsBailout {
		p.errors = append(p.errors, p.newError(pos, "too many errors"))
		panic(bailout{})
	}
	p.errors = append(p.errors, p.newError(pos, msg))
}

// newError builds an error at pos with its source excerpt; the line index
// is built at the first error, once per parse.
func (p *parser) newError(pos ast.Pos, msg string) *Error {
	if p.lines == nil {
		p.lines = NewLineIndex(p.src)
	}
	e := &Error{Filename: p.name, Pos: pos, Msg: msg}
	e.Line, e.LineCol = p.lines.Excerpt(pos)
	return e
}

func (p *parser) errorf(pos ast.Pos, format string, args ...any) {
	p.errorAt(pos, fmt.Sprintf(format, args...))
}

// errorExpected reports that what was expected is not the current token.
// Tokens the lexer already rejected are not reported twice.
func (p *parser) errorExpected(what string) {
	if p.tok.kind == tIllegal {
		return
	}
	p.errorf(p.tok.pos, "expected %s, found %s", what, p.tok.describe())
}

func (p *parser) next() {
	p.prevEnd = p.tok.end
	p.tok = p.lx.scan()
}

// got consumes the current token if it is of kind k.
func (p *parser) got(k kind) bool {
	if p.tok.kind == k {
		p.next()
		return true
	}
	return false
}

// expect consumes a token of kind k, or reports an error and leaves the
// current token in place.
func (p *parser) expect(k kind) bool {
	if p.got(k) {
		return true
	}
	p.errorExpected(k.String())
	return false
}

// isKeyword reports whether the current token is the keyword kw.
func (p *parser) isKeyword(kw string) bool {
	return p.tok.kind == tIdent && p.tok.lit == kw
}

// ident consumes a non-keyword identifier, reporting an error (and
// returning "") if there is none.
func (p *parser) ident(what string) (string, ast.Pos) {
	pos := p.tok.pos
	if p.tok.kind == tIdent && !keywords[p.tok.lit] {
		name := p.tok.lit
		p.next()
		return name, pos
	}
	p.errorExpected(what)
	return "", pos
}

// ---------------------------------------------------------------------------
// Expressions

// parseExpr parses a full expression, including the ternary (level 11,
// right-associative: a ? b : c ? d : e is a ? b : (c ? d : e)).
func (p *parser) parseExpr() ast.Expr {
	p.enter()
	defer p.leave()
	cond := p.parseBinary(precOr)
	if p.tok.kind != tQuestion {
		return cond
	}
	p.next()
	then := p.parseExpr()
	if !p.expect(tColon) {
		return &ast.Ternary{Pos: cond.Position(), Cond: cond, Then: then, Else: &ast.BadExpr{Pos: p.tok.pos}}
	}
	els := p.parseExpr()
	return &ast.Ternary{Pos: cond.Position(), Cond: cond, Then: then, Else: els}
}

// enter bounds expression nesting; past MaxExprDepth the parse stops.
func (p *parser) enter() {
	p.exprDepth++
	if p.exprDepth > MaxExprDepth {
		p.errorf(p.tok.pos, "expression nested too deeply (over %d levels)", MaxExprDepth)
		panic(bailout{})
	}
}

func (p *parser) leave() { p.exprDepth-- }

// binaryPrec returns the precedence of the current token as a binary
// operator, or precNone.
func (p *parser) binaryPrec() int {
	if p.tok.kind == tIdent {
		switch p.tok.lit {
		case "in":
			return precIn
		case "is":
			return precIs
		}
		return precNone
	}
	if op, ok := binaryOps[p.tok.kind]; ok {
		return op.prec
	}
	return precNone
}

// parseBinary parses operators of precedence minPrec and higher by
// precedence climbing; every binary level is left-associative.
func (p *parser) parseBinary(minPrec int) ast.Expr {
	x := p.parseUnary()
	for {
		prec := p.binaryPrec()
		if prec == precNone || prec < minPrec {
			return x
		}
		if prec == precIs {
			p.next()
			x = p.parseIsType(x)
			continue
		}
		var op ast.Op
		if prec == precIn {
			op = ast.OpIn
		} else {
			op = binaryOps[p.tok.kind].op
		}
		if op == ast.OpDiv && isSegmentStart(p.lx.at(0)) {
			// A '/' directly followed by a name, a digit or '(' starts a
			// path in Google's grammar, so `4/2` is an integer followed
			// by the path /2: a syntax error there, and so here. `4 / 2`
			// divides.
			p.errorf(p.tok.pos, "Missing 'match' keyword before path: '/%c' starts a path; write the division with a space after '/'.", p.lx.at(0))
		}
		opPos := p.tok.pos
		p.next()
		y := p.parseBinary(prec + 1)
		x = &ast.Binary{Pos: x.Position(), OpPos: opPos, Op: op, X: x, Y: y}
	}
}

// isSegmentStart reports whether c may begin a path segment right after
// a '/': a letter, a digit, '_', or the '(' and '$' of an evaluated
// segment (Google's compiler rejects `5/(1)` too).
func isSegmentStart(c byte) bool {
	return c == '_' || c == '(' || c == '$' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func (p *parser) parseIsType(x ast.Expr) ast.Expr {
	if p.tok.kind != tIdent {
		p.errorExpected("type name after 'is'")
		return &ast.Is{Pos: x.Position(), X: x}
	}
	name := p.tok.lit
	if !typeNames[name] {
		p.errorf(p.tok.pos, "unknown type %q after 'is'", name)
	}
	p.next()
	return &ast.Is{Pos: x.Position(), X: x, Type: name}
}

// parseUnary parses level 2: !x and -x (right-associative).
func (p *parser) parseUnary() ast.Expr {
	var op ast.Op
	switch p.tok.kind {
	case tNot:
		op = ast.OpNot
	case tSub:
		op = ast.OpNeg
	default:
		return p.parsePostfix(p.parsePrimary())
	}
	pos := p.tok.pos
	p.next()
	// -9223372036854775808 has no positive counterpart, so the minimum
	// int64 is folded into a literal instead of negating an overflow.
	if op == ast.OpNeg && p.tok.kind == tInt && p.tok.lit == "9223372036854775808" {
		p.next()
		return p.parsePostfix(&ast.IntLit{Pos: pos, Value: math.MinInt64})
	}
	p.enter()
	x := p.parseUnary()
	p.leave()
	return &ast.Unary{Pos: pos, Op: op, X: x}
}

// parsePostfix parses level 1: member access, calls, index and slice.
func (p *parser) parsePostfix(x ast.Expr) ast.Expr {
	for {
		switch p.tok.kind {
		case tDot:
			p.next()
			if p.tok.kind != tIdent {
				p.errorExpected("member name after '.'")
				return x
			}
			m := &ast.Member{Pos: x.Position(), X: x, Name: p.tok.lit, NamePos: p.tok.pos}
			p.next()
			x = m
		case tLParen:
			switch x.(type) {
			case *ast.Ident, *ast.Member:
			default:
				p.errorf(p.tok.pos, "only functions and methods can be called")
			}
			p.next()
			x = &ast.Call{Pos: x.Position(), Fun: x, Args: p.parseList(tRParen, false)}
		case tLBrack:
			x = p.parseIndexOrSlice(x)
		default:
			return x
		}
	}
}

func (p *parser) parseIndexOrSlice(x ast.Expr) ast.Expr {
	lbrack := p.tok.pos
	p.next()
	var lo ast.Expr
	if p.tok.kind != tColon {
		lo = p.parseExpr()
		if p.tok.kind != tColon {
			p.expect(tRBrack)
			return &ast.Index{Pos: x.Position(), X: x, Index: lo}
		}
	}
	p.next() // ':'
	var hi ast.Expr
	if p.tok.kind != tRBrack {
		hi = p.parseExpr()
	} else if lo == nil {
		p.errorf(lbrack, "a range needs at least one bound: [a:b], [a:] or [:b]")
	}
	p.expect(tRBrack)
	return &ast.Slice{Pos: x.Position(), X: x, Lo: lo, Hi: hi}
}

// parseList parses comma-separated expressions up to the closing token,
// which it consumes. Trailing commas are allowed in list literals (as in
// CEL) but not in argument lists.
func (p *parser) parseList(close kind, trailingComma bool) []ast.Expr {
	var xs []ast.Expr
	for p.tok.kind != close && p.tok.kind != tEOF {
		xs = append(xs, p.parseExpr())
		if !p.got(tComma) {
			break
		}
		if p.tok.kind == close && !trailingComma {
			p.errorf(p.tok.pos, "expected expression after ',', found %s", p.tok.describe())
		}
	}
	p.expect(close)
	return xs
}

func (p *parser) parsePrimary() ast.Expr {
	t := p.tok
	switch t.kind {
	case tIdent:
		switch t.lit {
		case "true", "false":
			p.next()
			return &ast.BoolLit{Pos: t.pos, Value: t.lit == "true"}
		case "null":
			p.next()
			return &ast.NullLit{Pos: t.pos}
		}
		if keywords[t.lit] {
			p.errorExpected("expression")
			return &ast.BadExpr{Pos: t.pos}
		}
		p.next()
		return &ast.Ident{Pos: t.pos, Name: t.lit}
	case tInt:
		p.next()
		v, err := strconv.ParseInt(t.lit, 10, 64)
		if err != nil {
			p.errorf(t.pos, "integer literal %s is out of range", t.lit)
		}
		return &ast.IntLit{Pos: t.pos, Value: v}
	case tFloat:
		p.next()
		// Out of range is ±Inf or 0, as Java's Double.parseDouble reads
		// it and Google's compiler accepts it.
		v, err := strconv.ParseFloat(t.lit, 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			p.errorf(t.pos, "float literal %s is malformed", t.lit)
		}
		return &ast.FloatLit{Pos: t.pos, Value: v}
	case tString:
		p.next()
		return &ast.StringLit{Pos: t.pos, Value: t.val}
	case tBytes:
		p.next()
		return &ast.BytesLit{Pos: t.pos, Value: []byte(t.val)}
	case tLParen:
		p.next()
		x := p.parseExpr()
		p.expect(tRParen)
		p.noteParens(x, t.pos)
		return x
	case tLBrack:
		p.next()
		p.enter()
		defer p.leave()
		return &ast.ListLit{Pos: t.pos, Elems: p.parseList(tRBrack, true)}
	case tLBrace:
		return p.parseMapLit()
	case tQuo:
		return p.parsePathLit()
	}
	p.errorExpected("expression")
	return &ast.BadExpr{Pos: t.pos}
}

// parseMapLit parses {k: v, ...}; a trailing comma is allowed.
func (p *parser) parseMapLit() ast.Expr {
	m := &ast.MapLit{Pos: p.tok.pos}
	p.next()
	p.enter()
	defer p.leave()
	for p.tok.kind != tRBrace && p.tok.kind != tEOF {
		k := p.parseExpr()
		e := &ast.MapEntry{Pos: k.Position(), Key: k}
		if p.expect(tColon) {
			e.Value = p.parseExpr()
		} else {
			e.Value = &ast.BadExpr{Pos: p.tok.pos}
		}
		m.Entries = append(m.Entries, e)
		if !p.got(tComma) {
			break
		}
	}
	p.expect(tRBrace)
	return m
}
