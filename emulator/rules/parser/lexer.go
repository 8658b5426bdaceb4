package parser

import (
	"bytes"
	"fmt"
	"unicode"
	"unicode/utf8"

	"github.com/roomgate/roomgate/emulator/rules/ast"
)

// lexer turns source bytes into tokens, one per call to scan. It is
// synchronous and keeps no lookahead: after scan returns a token, off is
// just past it. The parser relies on that to switch into raw mode for match
// patterns and path literals, whose segments are not ordinary tokens.
//
// Lexical decisions where the docs are silent ([inf], see FIDELITY.md),
// each the stricter choice:
//   - `//` line comments and `/* */` block comments are both accepted (the
//     docs use `//`; third-party grammars accept `/* */`).
//   - Integers are decimal without leading zeros; hex (0x1F), exponents
//     (1e3) and the `u` suffix are rejected.
//   - Floats need digits on both sides of the dot (1.0, 0.5); `.5` and `1.`
//     are not float literals.
//   - Strings use CEL escapes; raw (r'..') and triple-quoted strings are
//     rejected; a string may not span lines.
type lexer struct {
	src       []byte
	off       int // next byte to read
	line      int // line of off, 1-based
	lineStart int // offset of the first byte of line
	errh      func(pos ast.Pos, msg string)
	prev      kind   // the kind of the last token scanned
	prevLit   string // its text, for an identifier
}

func newLexer(src []byte, errh func(ast.Pos, string)) *lexer {
	return &lexer{src: src, line: 1, errh: errh}
}

// posAt is the position of off, which must be on the current line.
func (l *lexer) posAt(off int) ast.Pos {
	return ast.Pos{Offset: off, Line: l.line, Col: off - l.lineStart + 1}
}

func (l *lexer) pos() ast.Pos { return l.posAt(l.off) }

func (l *lexer) errorf(off int, format string, args ...any) {
	l.errh(l.posAt(off), fmt.Sprintf(format, args...))
}

// at returns the byte i bytes ahead of off, or 0 past the end.
func (l *lexer) at(i int) byte {
	if l.off+i < len(l.src) {
		return l.src[l.off+i]
	}
	return 0
}

func (l *lexer) newline(nextLineStart int) {
	l.line++
	l.lineStart = nextLineStart
}

// skipSpace skips white space and comments.
func (l *lexer) skipSpace() {
	for l.off < len(l.src) {
		switch c := l.src[l.off]; {
		case c == '\n':
			l.off++
			l.newline(l.off)
		case c == ' ' || c == '\t' || c == '\r' || c == '\f':
			l.off++
		case c == '/' && l.at(1) == '/':
			for l.off < len(l.src) && l.src[l.off] != '\n' {
				l.off++
			}
		case c == '/' && l.at(1) == '*':
			start := l.off
			l.off += 2
			for {
				if l.off >= len(l.src) {
					// Report at the opening, which is still on a line we
					// know: recompute its position from the source.
					l.errh(posOf(l.src, start), "comment not terminated")
					return
				}
				if l.src[l.off] == '*' && l.at(1) == '/' {
					l.off += 2
					break
				}
				if l.src[l.off] == '\n' {
					l.newline(l.off + 1)
				}
				l.off++
			}
		default:
			return
		}
	}
}

// posOf computes the position of off by counting lines; used only on
// error paths where the lexer has moved past off's line.
func posOf(src []byte, off int) ast.Pos {
	if off > len(src) {
		off = len(src)
	}
	line := 1 + bytes.Count(src[:off], []byte{'\n'})
	ls := bytes.LastIndexByte(src[:off], '\n') + 1
	return ast.Pos{Offset: off, Line: line, Col: off - ls + 1}
}

// scan returns the next token.
func (l *lexer) scan() token {
	l.skipSpace()
	start := l.off
	t := token{pos: l.pos()}
	if l.off >= len(l.src) {
		t.kind, t.end = tEOF, l.off
		return t
	}
	c := l.src[l.off]
	switch {
	case isLetter(c):
		if q := l.stringPrefix(); q > 0 {
			return l.scanPrefixedString(t, q)
		}
		for l.off < len(l.src) && (isLetter(l.src[l.off]) || isDigit(l.src[l.off])) {
			l.off++
		}
		t.kind, t.lit = tIdent, string(l.src[start:l.off])
	case isDigit(c):
		t.kind, t.lit = l.scanNumber()
	case c == '.' && isDigit(l.at(1)) && !l.endsOperand():
		// A float without an integer part (.5), as Google's compiler
		// accepts; after an operand the dot stays a member access.
		t.kind, t.lit = l.scanNumber()
	case c == '\'' || c == '"':
		t.kind, t.val = l.scanString(false)
	default:
		t.kind = l.scanOperator()
	}
	t.end = l.off
	l.prev, l.prevLit = t.kind, t.lit
	return t
}

// endsOperand reports whether the last token can end an operand, so that
// a '.' after it is a member access (keywords that precede an expression
// cannot).
func (l *lexer) endsOperand() bool {
	switch l.prev {
	case tIdent:
		switch l.prevLit {
		case "if", "return", "in", "is":
			return false
		}
		return true
	case tInt, tFloat, tString, tBytes, tRParen, tRBrack, tRBrace:
		return true
	}
	return false
}

// stringPrefix reports how many prefix letters precede a quote when the
// identifier at off is a string prefix (b, r, br, rb in any case).
func (l *lexer) stringPrefix() int {
	isQ := func(c byte) bool { return c == '\'' || c == '"' }
	isBR := func(c byte) bool { return c == 'b' || c == 'B' || c == 'r' || c == 'R' }
	if isBR(l.at(0)) && isQ(l.at(1)) {
		return 1
	}
	if isBR(l.at(0)) && isBR(l.at(1)) && isQ(l.at(2)) {
		return 2
	}
	return 0
}

func (l *lexer) scanPrefixedString(t token, n int) token {
	prefix := string(l.src[l.off : l.off+n])
	raw := bytes.ContainsAny([]byte(prefix), "rR")
	if raw {
		l.errorf(l.off, "raw string literals (%s'...') are not supported", prefix)
	}
	l.off += n
	var k kind
	k, t.val = l.scanString(prefix != "r" && prefix != "R")
	t.kind = k
	if raw {
		t.kind = tIllegal
	}
	t.end = l.off
	return t
}

func (l *lexer) scanNumber() (kind, string) {
	start := l.off
	for l.off < len(l.src) && isDigit(l.src[l.off]) {
		l.off++
	}
	k := tInt
	if l.at(0) == '.' && isDigit(l.at(1)) {
		k = tFloat
		l.off++
		for l.off < len(l.src) && isDigit(l.src[l.off]) {
			l.off++
		}
	}
	lit := string(l.src[start:l.off])
	bad := ""
	switch c := l.at(0); {
	case lit == "0" && (c == 'x' || c == 'X'):
		bad = "hexadecimal literals are not supported"
	case c == 'e' || c == 'E':
		bad = "exponents in number literals are not supported"
	case c == 'u' || c == 'U':
		bad = "unsigned integer literals are not supported"
	case isLetter(c):
		bad = fmt.Sprintf("invalid character %q in number literal", c)
	case len(lit) > 1 && lit[0] == '0' && isDigit(lit[1]):
		bad = "leading zeros are not allowed in number literals"
	}
	if bad != "" {
		l.errorf(start, "%s", bad)
		for l.off < len(l.src) && (isLetter(l.src[l.off]) || isDigit(l.src[l.off]) || l.src[l.off] == '.') {
			l.off++
		}
		return tIllegal, string(l.src[start:l.off])
	}
	return k, lit
}

// scanString scans a quoted literal at off and returns its decoded value.
// For bytes literals, \x and \ooo escapes are raw bytes and \u is invalid.
func (l *lexer) scanString(isBytes bool) (kind, string) {
	start := l.off
	q := l.src[l.off]
	if l.at(1) == q && l.at(2) == q {
		l.errorf(start, "triple-quoted string literals are not supported")
		l.off += 3
		end := bytes.Index(l.src[l.off:], []byte{q, q, q})
		if end < 0 {
			l.off = len(l.src)
		} else {
			l.off += end + 3
		}
		// Keep line accounting right for the skipped text.
		for i := start; i < l.off; i++ {
			if l.src[i] == '\n' {
				l.newline(i + 1)
			}
		}
		return tIllegal, ""
	}
	l.off++
	ok := true
	var buf []byte
	for {
		if l.off >= len(l.src) || l.src[l.off] == '\n' {
			l.errorf(start, "string literal not terminated")
			return tIllegal, ""
		}
		c := l.src[l.off]
		if c == q {
			l.off++
			break
		}
		if c == '\\' {
			if !l.scanEscape(&buf, isBytes) {
				ok = false
			}
			continue
		}
		if c < utf8.RuneSelf {
			buf = append(buf, c)
			l.off++
			continue
		}
		r, n := utf8.DecodeRune(l.src[l.off:])
		if r == utf8.RuneError && n == 1 {
			l.errorf(l.off, "invalid UTF-8 encoding in string literal")
			ok = false
		}
		buf = append(buf, l.src[l.off:l.off+n]...)
		l.off += n
	}
	if !ok {
		return tIllegal, ""
	}
	k := tString
	if isBytes {
		k = tBytes
	}
	return k, string(buf)
}

// scanEscape decodes one escape sequence at off (which holds '\') into buf.
func (l *lexer) scanEscape(buf *[]byte, isBytes bool) bool {
	start := l.off
	l.off++ // backslash
	c := l.at(0)
	if l.off >= len(l.src) || c == '\n' {
		return false // reported as unterminated by the caller
	}
	l.off++
	if v := simpleEscape(c); v != 0 {
		*buf = append(*buf, v)
		return true
	}
	var digits, base int
	switch c {
	case 'x', 'X':
		digits, base = 2, 16
	case 'u':
		digits, base = 4, 16
	case 'U':
		digits, base = 8, 16
	case '0', '1', '2', '3':
		digits, base = 2, 8 // the first octal digit is c itself
	default:
		l.errorf(start, "unknown escape sequence '\\%c'", rune(c))
		return false
	}
	var v rune
	if base == 8 {
		v = rune(c - '0')
	}
	for i := 0; i < digits; i++ {
		d := digitVal(l.at(0))
		if d >= base {
			l.errorf(start, "invalid escape sequence: '\\%c' needs %d %s digits", rune(c), digits+boolInt(base == 8), map[int]string{8: "octal", 16: "hex"}[base])
			return false
		}
		v = v*rune(base) + rune(d)
		l.off++
	}
	switch {
	case isBytes && (c == 'u' || c == 'U'):
		l.errorf(start, "'\\%c' escapes are not allowed in bytes literals", rune(c))
		return false
	case isBytes || v < utf8.RuneSelf:
		*buf = append(*buf, byte(v))
	case !utf8.ValidRune(v):
		l.errorf(start, "escape sequence is an invalid Unicode code point")
		return false
	default:
		*buf = utf8.AppendRune(*buf, v)
	}
	return true
}

// simpleEscape returns the byte a one-letter escape stands for, or 0.
func simpleEscape(c byte) byte {
	switch c {
	case '\\', '\'', '"', '`', '?':
		return c
	case 'a':
		return '\a'
	case 'b':
		return '\b'
	case 'f':
		return '\f'
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	case 'v':
		return '\v'
	}
	return 0
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (l *lexer) scanOperator() kind {
	start := l.off
	c := l.src[l.off]
	l.off++
	two := func(next byte, k2, k1 kind) kind {
		if l.at(0) == next {
			l.off++
			return k2
		}
		return k1
	}
	switch c {
	case '(':
		return tLParen
	case ')':
		return tRParen
	case '[':
		return tLBrack
	case ']':
		return tRBrack
	case '{':
		return tLBrace
	case '}':
		return tRBrace
	case ',':
		return tComma
	case ';':
		return tSemi
	case ':':
		return tColon
	case '.':
		return tDot
	case '?':
		return tQuestion
	case '+':
		return tAdd
	case '-':
		return tSub
	case '*':
		return tMul
	case '/':
		return tQuo
	case '%':
		return tRem
	case '!':
		return two('=', tNeq, tNot)
	case '=':
		return two('=', tEql, tAssign)
	case '<':
		return two('=', tLeq, tLss)
	case '>':
		return two('=', tGeq, tGtr)
	case '&':
		if l.at(0) == '&' {
			l.off++
			return tLAnd
		}
		l.errorf(start, "unexpected '&' (did you mean '&&'?)")
	case '|':
		if l.at(0) == '|' {
			l.off++
			return tLOr
		}
		l.errorf(start, "unexpected '|' (did you mean '||'?)")
	case '$':
		l.errorf(start, "'$' is only valid as $(...) inside a path literal")
	default:
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRune(l.src[start:])
			l.off = start + n
			if r == utf8.RuneError && n == 1 {
				l.errorf(start, "invalid UTF-8 encoding")
			} else {
				l.errorf(start, "illegal character %q", r)
			}
		} else {
			l.errorf(start, "illegal character %q", rune(c))
		}
	}
	return tIllegal
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' }
func isDigit(c byte) bool  { return '0' <= c && c <= '9' }

func digitVal(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return 16
}

// segCharLen reports the length of the path-segment character at off, or
// 0 if the byte there cannot be part of a literal path segment. Segment
// characters are ASCII letters and digits, `_ - . ~ @`, and non-ASCII
// letters and digits ([inf]: the docs show only names, ids and
// "(default)"; parentheses are handled by the callers).
func (l *lexer) segCharLen() int {
	if l.off >= len(l.src) {
		return 0
	}
	c := l.src[l.off]
	if c < utf8.RuneSelf {
		if isLetter(c) || isDigit(c) || c == '-' || c == '.' || c == '~' || c == '@' {
			return 1
		}
		return 0
	}
	r, n := utf8.DecodeRune(l.src[l.off:])
	if r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
		return n
	}
	return 0
}

// scanSegmentText scans literal segment text at off: segment characters
// and balanced parentheses, as in "(default)". It stops before a ')' that
// would close a parenthesis opened outside the segment.
func (l *lexer) scanSegmentText() (string, bool) {
	start := l.off
	depth := 0
	for {
		if n := l.segCharLen(); n > 0 {
			l.off += n
			continue
		}
		switch l.at(0) {
		case '(':
			depth++
			l.off++
			continue
		case ')':
			if depth > 0 {
				depth--
				l.off++
				continue
			}
		}
		break
	}
	if depth > 0 {
		l.errorf(start, "unbalanced '(' in path segment")
		return string(l.src[start:l.off]), false
	}
	return string(l.src[start:l.off]), true
}
