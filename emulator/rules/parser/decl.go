package parser

import (
	"github.com/roomgate/roomgate/emulator/rules/ast"
)

// This file parses declarations:
//
//	file     = [ "rules_version" "=" string [";"] ] { function | service }
//	service  = "service" name { "." name } "{" { function | match } "}"
//	match    = "match" pattern "{" { function | match | allow } "}"
//	allow    = "allow" method { "," method } [ ":" "if" expr ] [";"]
//	function = "function" name "(" [ name { "," name } ] ")"
//	           "{" { "let" name "=" expr ";" } "return" expr [";"] "}"
//
// A trailing ";" after allow and return is optional ([inf], the docs both
// use and omit it); each let must end with ";" [doc].

func (p *parser) parseFile(f *ast.File) {
	if p.isKeyword("rules_version") {
		f.VersionPos = p.tok.pos
		f.Version = p.parseVersion()
		p.version = f.Version
	}
	for p.tok.kind != tEOF {
		switch {
		case p.isKeyword("function"):
			f.Functions = p.appendFunction(f.Functions, p.parseFunction())
		case p.isKeyword("service"):
			s := p.parseService()
			if f.Service != nil {
				p.errorf(s.Pos, "only one service declaration is allowed per file (the first is at %s)", f.Service.Pos)
			} else {
				f.Service = s
			}
		case p.isKeyword("rules_version"):
			p.errorf(p.tok.pos, "rules_version must be the first statement of the file")
			p.parseVersion()
		default:
			p.errorExpected("'service' or 'function'")
			p.skipStatement()
		}
	}
	if f.Service == nil {
		p.errorf(p.tok.pos, "missing service declaration (e.g. service cloud.firestore { ... })")
	}
}

// parseVersion parses `rules_version = '1' | '2' [;]` and returns the
// version (1 when the value is invalid).
func (p *parser) parseVersion() int {
	p.next()
	v := 1
	if p.expect(tAssign) {
		switch {
		case p.tok.kind == tString && (p.tok.val == "1" || p.tok.val == "2"):
			v = int(p.tok.val[0] - '0')
			p.next()
		case p.tok.kind == tString:
			p.errorf(p.tok.pos, "unsupported rules_version %q (want '1' or '2')", p.tok.val)
			p.next()
		default:
			p.errorExpected("'1' or '2'")
		}
	}
	p.got(tSemi)
	return v
}

// atStatement reports whether the current token starts a statement.
func (p *parser) atStatement() bool {
	if p.tok.kind != tIdent {
		return false
	}
	switch p.tok.lit {
	case "match", "allow", "function", "service", "let", "return":
		return true
	}
	return false
}

// skipStatement skips at least one token, then up to the start of the
// next statement, so that one error does not cascade.
func (p *parser) skipStatement() {
	p.next()
	for p.tok.kind != tEOF && p.tok.kind != tRBrace && !p.atStatement() {
		if p.tok.kind == tSemi {
			p.next()
			return
		}
		p.next()
	}
}

func (p *parser) parseService() *ast.Service {
	s := &ast.Service{Pos: p.tok.pos}
	p.next()
	name, namePos := p.ident("service name")
	s.NamePos = namePos
	for name != "" && p.got(tDot) {
		part, _ := p.ident("service name")
		if part == "" {
			break
		}
		name += "." + part
	}
	s.Name = name
	if !p.expect(tLBrace) {
		p.skipStatement()
		return s
	}
	for p.tok.kind != tRBrace && p.tok.kind != tEOF {
		switch {
		case p.isKeyword("function"):
			s.Functions = p.appendFunction(s.Functions, p.parseFunction())
		case p.isKeyword("match"):
			s.Matches = append(s.Matches, p.parseMatch(chain{}))
		case p.isKeyword("allow"):
			p.errorf(p.tok.pos, "allow statements must be inside a match block")
			p.parseAllow()
		default:
			p.errorExpected("'match' or 'function'")
			p.skipStatement()
		}
	}
	p.expect(tRBrace)
	return s
}

// chain is what the enclosing match statements add up to, for the static
// limits along a nesting chain (see Limits).
type chain struct {
	depth, captures, segments int
}

func (p *parser) parseMatch(c chain) *ast.Match {
	m := &ast.Match{Pos: p.tok.pos}
	c.depth++
	// The outermost match is depth 0, as Google's compiler counts: 11
	// nested match statements load (/databases/{database}/documents and
	// 10 below it), 12 do not.
	if c.depth == MaxMatchDepth+2 {
		p.errorf(m.Pos, "Maximum allowed resource rule depth of %d is reached.", MaxMatchDepth)
	}
	m.Pattern = p.parsePattern()
	p.next()
	c = p.checkPattern(m.Pattern, c)
	if !p.expect(tLBrace) {
		// Recover at the block's '{' if it is still ahead on this
		// statement, so that its '}' does not close the parent.
		for p.tok.kind != tLBrace && p.tok.kind != tRBrace && p.tok.kind != tEOF && !p.atStatement() {
			p.next()
		}
		if !p.got(tLBrace) {
			return m
		}
	}
	for p.tok.kind != tRBrace && p.tok.kind != tEOF {
		switch {
		case p.isKeyword("function"):
			m.Functions = p.appendFunction(m.Functions, p.parseFunction())
		case p.isKeyword("match"):
			m.Matches = append(m.Matches, p.parseMatch(c))
		case p.isKeyword("allow"):
			m.Allows = append(m.Allows, p.parseAllow())
		default:
			p.errorExpected("'match', 'allow' or 'function'")
			p.skipStatement()
		}
	}
	p.expect(tRBrace)
	return m
}

// checkPattern reports wildcard-placement errors and chain limits, and
// returns the chain extended by the pattern.
func (p *parser) checkPattern(pat *ast.Pattern, c chain) chain {
	var recursive *ast.Segment
	for i, seg := range pat.Segments {
		c.segments++
		if c.segments == MaxPathSegments+1 {
			p.errorf(seg.Pos, "match path is longer than %d segments (counting enclosing matches)", MaxPathSegments)
		}
		if seg.Kind == ast.SegLiteral {
			continue
		}
		c.captures++
		if c.captures == MaxCaptures+1 {
			p.errorf(seg.Pos, "more than %d capture variables (counting enclosing matches)", MaxCaptures)
		}
		if seg.Kind != ast.SegRecursive {
			continue
		}
		if recursive != nil {
			p.errorf(seg.Pos, "only one recursive wildcard {name=**} is allowed per match pattern")
		} else if p.version == 1 && i != len(pat.Segments)-1 {
			p.errorf(seg.Pos, "in rules_version 1 a recursive wildcard must be the last segment (use rules_version = '2')")
		}
		recursive = seg
	}
	return c
}

func (p *parser) parseAllow() *ast.Allow {
	a := &ast.Allow{Pos: p.tok.pos}
	p.next()
	for {
		if p.tok.kind != tIdent {
			p.errorExpected("allow method (read, write, get, list, create, update or delete)")
			p.skipStatement()
			return a
		}
		// Any name parses: Google's compiler loads an unknown method
		// with a warning and it grants nothing (rules.Compile).
		a.Methods = append(a.Methods, ast.Method{Pos: p.tok.pos, Name: p.tok.lit})
		p.next()
		if !p.got(tComma) {
			break
		}
	}
	if p.got(tColon) {
		if !p.isKeyword("if") {
			p.errorExpected("'if'")
		} else {
			p.next()
		}
		start := p.tok.pos.Offset
		a.Cond = p.parseRootExpr()
		if p.prevEnd > start {
			a.Text = string(p.src[start:p.prevEnd])
		}
	}
	p.got(tSemi)
	return a
}

func (p *parser) parseFunction() *ast.Function {
	fn := &ast.Function{Pos: p.tok.pos}
	p.next()
	fn.Name, fn.NamePos = p.ident("function name")
	if !p.expect(tLParen) {
		p.skipStatement()
		return fn
	}
	seen := map[string]bool{}
	for p.tok.kind != tRParen && p.tok.kind != tEOF {
		name, pos := p.ident("parameter name")
		if name == "" {
			break
		}
		if seen[name] {
			p.errorf(pos, "duplicate parameter %q", name)
		}
		seen[name] = true
		fn.Params = append(fn.Params, &ast.Ident{Pos: pos, Name: name})
		if len(fn.Params) == MaxParams+1 {
			p.errorf(pos, "function %s has more than %d parameters", fn.Name, MaxParams)
		}
		if !p.got(tComma) {
			break
		}
	}
	if !p.expect(tRParen) || !p.expect(tLBrace) {
		p.skipStatement()
		return fn
	}
	p.parseFunctionBody(fn, seen)
	return fn
}

func (p *parser) parseFunctionBody(fn *ast.Function, names map[string]bool) {
	for p.isKeyword("let") {
		l := &ast.Let{Pos: p.tok.pos}
		if p.version == 1 {
			p.errorf(l.Pos, "let bindings need rules_version = '2'")
		}
		p.next()
		var pos ast.Pos
		l.Name, pos = p.ident("variable name")
		l.NamePos = pos
		if l.Name != "" && names[l.Name] {
			p.errorf(pos, "%q is already declared in function %s", l.Name, fn.Name)
		}
		names[l.Name] = true
		if p.expect(tAssign) {
			l.Value = p.parseRootExpr()
		} else {
			l.Value = &ast.BadExpr{Pos: p.tok.pos}
		}
		fn.Lets = append(fn.Lets, l)
		if len(fn.Lets) == MaxLets+1 {
			p.errorf(l.Pos, "function %s has more than %d let bindings", fn.Name, MaxLets)
		}
		if !p.expect(tSemi) && !p.atStatement() {
			p.skipStatement()
		}
	}
	if !p.isKeyword("return") {
		p.errorExpected("'let' or 'return'")
		p.skipBlock()
		return
	}
	p.next()
	fn.Return = p.parseRootExpr()
	p.got(tSemi)
	if p.tok.kind != tRBrace {
		p.errorf(p.tok.pos, "return must be the last statement of function %s", fn.Name)
		p.skipBlock()
		return
	}
	p.next()
}

// skipBlock skips to just past the '}' closing the current block.
func (p *parser) skipBlock() {
	depth := 0
	for p.tok.kind != tEOF {
		switch p.tok.kind {
		case tLBrace:
			depth++
		case tRBrace:
			if depth == 0 {
				p.next()
				return
			}
			depth--
		}
		p.next()
	}
}

// appendFunction adds fn to a scope, reporting a second function of the
// same name in one scope ([inf]: the docs never show it; an inner scope
// may shadow an outer one [obs PY]).
func (p *parser) appendFunction(fs []*ast.Function, fn *ast.Function) []*ast.Function {
	for _, g := range fs {
		if fn.Name != "" && g.Name == fn.Name {
			p.errorf(fn.Pos, "function %s is already declared in this scope at %s", fn.Name, g.Pos)
			break
		}
	}
	return append(fs, fn)
}
