package parser

import (
	"github.com/roomgate/roomgate/emulator/rules/ast"
)

// Match patterns and path literals are scanned in raw mode: their
// segments are not ordinary tokens ("(default)", "user-1", "{id=**}").
// The parser calls these functions when the lexer sits just past the
// `match` keyword or the leading '/' of a path literal, then resumes
// normal scanning with p.next().

// parsePattern scans the pattern of a match statement, e.g.
// /databases/{database}/documents or /{path=**}/posts/{post}.
func (p *parser) parsePattern() *ast.Pattern {
	lx := p.lx
	lx.skipSpace()
	pat := &ast.Pattern{Pos: lx.pos()}
	if lx.at(0) != '/' {
		p.errorf(lx.pos(), "expected a match pattern starting with '/'")
		return pat
	}
	for lx.at(0) == '/' {
		lx.off++
		segPos := lx.pos()
		if lx.at(0) == '{' {
			if seg := p.scanWildcard(); seg != nil {
				pat.Segments = append(pat.Segments, seg)
			}
			continue
		}
		text, ok := lx.scanSegmentText()
		if text == "" {
			p.errorf(segPos, "empty or invalid segment in match pattern")
			break
		}
		if ok {
			pat.Segments = append(pat.Segments, &ast.Segment{Pos: segPos, Kind: ast.SegLiteral, Text: text})
		}
	}
	return pat
}

// scanWildcard scans {name} or {name=**} at the lexer's offset. It returns
// nil after reporting a malformed wildcard.
func (p *parser) scanWildcard() *ast.Segment {
	lx := p.lx
	seg := &ast.Segment{Pos: lx.pos(), Kind: ast.SegWildcard}
	lx.off++ // '{'
	start := lx.off
	for isLetter(lx.at(0)) || (lx.off > start && isDigit(lx.at(0))) {
		lx.off++
	}
	seg.Text = string(lx.src[start:lx.off])
	switch {
	case seg.Text == "":
		p.errorf(lx.pos(), "expected a variable name after '{' in match pattern")
	case keywords[seg.Text]:
		p.errorf(seg.Pos, "keyword %q cannot be a wildcard name", seg.Text)
	case lx.at(0) == '}':
		lx.off++
		return seg
	case lx.at(0) == '=' && lx.at(1) == '*' && lx.at(2) == '*' && lx.at(3) == '}':
		lx.off += 4
		seg.Kind = ast.SegRecursive
		return seg
	default:
		p.errorf(lx.pos(), "malformed wildcard: want {name} or {name=**}")
	}
	// Recover: skip the rest of the braces without leaving the line.
	for c := lx.at(0); c != 0 && c != '}' && c != '\n' && c != ' ' && c != '\t'; c = lx.at(0) {
		lx.off++
	}
	if lx.at(0) == '}' {
		lx.off++
	}
	return nil
}

// parsePathLit parses a path literal such as
// /databases/$(database)/documents/users/$(request.auth.uid). The current
// token is its leading '/'. A segment is either literal text (which may
// hold balanced parentheses, "(default)") or exactly one $(expr). The
// literal ends at any character that cannot continue a segment: white
// space, ',', ']', ';', or a ')' closing an enclosing parenthesis.
func (p *parser) parsePathLit() ast.Expr {
	lx := p.lx
	lit := &ast.PathLit{Pos: p.tok.pos}
	for {
		segPos := lx.pos()
		if lx.at(0) == '$' && lx.at(1) == '(' {
			lx.off += 2
			p.next()
			x := p.parseExpr()
			if p.tok.kind != tRParen {
				p.errorExpected("')' closing $(")
				return &ast.BadExpr{Pos: lit.Pos}
			}
			// The lexer now sits just past ')', in the path again.
			lit.Segments = append(lit.Segments, &ast.PathSegment{Pos: segPos, Expr: x})
			if lx.segCharLen() > 0 || lx.at(0) == '(' || lx.at(0) == '$' {
				p.errorf(lx.pos(), "a path segment is either literal text or a single $(...), not both")
				p.skipPathSegment()
			}
		} else {
			text, ok := lx.scanSegmentText()
			switch {
			case text == "" && lx.at(0) == '{':
				p.errorf(lx.pos(), "use $(name) to insert a variable into a path literal")
				p.skipPathSegment()
			case text == "":
				p.errorf(segPos, "empty segment in path literal")
			case lx.at(0) == '$':
				p.errorf(lx.pos(), "a path segment is either literal text or a single $(...), not both")
				p.skipPathSegment()
			case ok:
				lit.Segments = append(lit.Segments, &ast.PathSegment{Pos: segPos, Text: text})
			}
		}
		if lx.at(0) != '/' {
			break
		}
		lx.off++
	}
	// Make the path's end the end of the "current token", so that prevEnd
	// (used for allow condition text) covers the whole literal.
	p.tok.end = lx.off
	p.next()
	return lit
}

// skipPathSegment skips to the next '/' or the end of the path literal,
// staying on the current line, to recover from a malformed segment.
func (p *parser) skipPathSegment() {
	lx := p.lx
	for c := lx.at(0); c != 0 && c != '/' && c != '\n' && c != ' ' && c != '\t' && c != ';' && c != ',' && c != ')' && c != ']'; c = lx.at(0) {
		lx.off++
	}
}
