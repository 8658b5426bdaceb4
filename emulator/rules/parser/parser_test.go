package parser_test

import (
	"strings"
	"testing"

	"github.com/roomgate/roomgate/emulator/rules/ast"
	"github.com/roomgate/roomgate/emulator/rules/parser"
)

// exprTests maps a source expression to its fully parenthesised form.
var exprTests = []struct{ src, want string }{
	// Literals.
	{`null`, `null`},
	{`true`, `true`},
	{`false`, `false`},
	{`0`, `0`},
	{`42`, `42`},
	{`9223372036854775807`, `9223372036854775807`},
	{`-9223372036854775808`, `-9223372036854775808`},
	{`1.0`, `1.0`},
	{`3.25`, `3.25`},
	{`0.5`, `0.5`},
	{`'abc'`, `"abc"`},
	{`"abc"`, `"abc"`},
	{`'it\'s'`, `"it's"`},
	{`"say \"hi\""`, `"say \"hi\""`},
	{`'\\.'`, `"\\."`},
	{`'\n\r\t\b\f\v\a'`, `"\n\r\t\b\f\v\a"`},
	{`'\x41\u00e9\U0001F600\101'`, `"Aé😀A"`},
	{`'é'`, `"é"`},
	{`b'*'`, `b"*"`},
	{`b'\x2A'`, `b"*"`},
	{`b'\052'`, `b"*"`},
	{`b'\xFB\xEF\xBE'`, `b"\xfb\xef\xbe"`},
	{`b'é'`, `b"\xc3\xa9"`},
	{`b'"\\'`, `b"\"\\"`},
	{`(/a/b).c`, `(/a/b).c`},
	{`(/a/b)[0]`, `(/a/b)[0]`},
	{`[]`, `[]`},
	{`[1, 'a', [true]]`, `[1, "a", [true]]`},
	{`[1, 2,]`, `[1, 2]`},
	{`{}`, `{}`},
	{`{'a': 1, "b": [2]}`, `{"a": 1, "b": [2]}`},
	{`{'a': 1,}`, `{"a": 1}`},

	// Path literals.
	{`/databases/$(database)/documents/users/$(request.auth.uid)`, `/databases/$(database)/documents/users/$(request.auth.uid)`},
	{`/databases/(default)/documents/users/alice`, `/databases/(default)/documents/users/alice`},
	{`/$(prefix())/users/$(uid)`, `/$(prefix())/users/$(uid)`},
	{`get(/databases/$(database)/documents/users/$(request.auth.uid)).data.admin`, `get(/databases/$(database)/documents/users/$(request.auth.uid)).data.admin`},
	{`exists(/a/b) && x`, `(exists(/a/b) && x)`},
	{`[/a/b, /c/$(d)]`, `[/a/b, /c/$(d)]`},
	{`/a/user-1.x_y~z@w is path`, `(/a/user-1.x_y~z@w is path)`},
	{`/a/$(x + '/' + y)`, `/a/$(((x + "/") + y))`},
	{`/a/b == /a/$(c)`, `(/a/b == /a/$(c))`},
	{`a / b`, `(a / b)`},

	// Precedence: the levels of the rules language, loosest first.
	{`a || b && c`, `(a || (b && c))`},
	{`a && b || c`, `((a && b) || c)`},
	{`a == b && c != d`, `((a == b) && (c != d))`},
	{`a is int == b is int`, `((a is int) == (b is int))`},
	{`a in b is bool`, `(a in (b is bool))`}, // `in` binds loosest of the comparisons
	{`a in b == c`, `(a in (b == c))`},
	{`a == b in c`, `((a == b) in c)`},
	{`a < b in c`, `((a < b) in c)`},
	{`a + b < c - d`, `((a + b) < (c - d))`},
	{`a * b + c / d % e`, `((a * b) + ((c / d) % e))`},
	{`a - b - c`, `((a - b) - c)`},
	{`a / b * c`, `((a / b) * c)`},
	{`!a && !b`, `((!a) && (!b))`},
	{`!!a`, `(!(!a))`},
	{`-a * b`, `((-a) * b)`},
	{`- -1`, `(-(-1))`},
	{`-a.b`, `(-a.b)`},
	{`!a.b(c)[d]`, `(!a.b(c)[d])`},
	{`a ? b : c`, `(a ? b : c)`},
	{`a ? b : c ? d : e`, `(a ? b : (c ? d : e))`},
	{`a ? b ? c : d : e`, `(a ? (b ? c : d) : e)`},
	{`a || b ? c : d`, `((a || b) ? c : d)`},
	{`(a || b) && c`, `((a || b) && c)`},
	{`x is map_diff`, `(x is map_diff)`},
	{`x is path || x is constraint`, `((x is path) || (x is constraint))`},
	{`.5 == 0.5`, `(0.5 == 0.5)`},
	{`a is int is bool`, `((a is int) is bool)`},

	// Postfix.
	{`a.b.c`, `a.b.c`},
	{`a['b']`, `a["b"]`},
	{`a[1:2]`, `a[1:2]`},
	{`a[:2]`, `a[:2]`},
	{`a[1:]`, `a[1:]`},
	{`f()`, `f()`},
	{`f(a, b)`, `f(a, b)`},
	{`x.size()`, `x.size()`},
	{`math.abs(-1)`, `math.abs((-1))`},
	{`duration.value(1, 'h')`, `duration.value(1, "h")`},
	{`resource.data.match`, `resource.data.match`},
	{`{'a': 1}.keys()`, `{"a": 1}.keys()`},
	{`'abc'[0:3]`, `"abc"[0:3]`},
	{`request.resource.data.keys().hasAll(['name', 'location'])`, `request.resource.data.keys().hasAll(["name", "location"])`},

	// Comments and white space.
	{"a /* c */ + // line\n b", `(a + b)`},
}

func TestParseExpr(t *testing.T) {
	for _, tc := range exprTests {
		x, err := parser.ParseExpr(tc.src)
		if err != nil {
			t.Errorf("ParseExpr(%q): unexpected error:\n%v", tc.src, err)
			continue
		}
		if got := ast.Print(x); got != tc.want {
			t.Errorf("ParseExpr(%q)\n got %s\nwant %s", tc.src, got, tc.want)
		}
		// The printed form is valid syntax and parses to the same tree.
		y, err := parser.ParseExpr(ast.Print(x))
		if err != nil || ast.Print(y) != tc.want {
			t.Errorf("reparse of %q: %v %s", ast.Print(x), err, ast.Print(y))
		}
	}
}

func TestParseExprErrors(t *testing.T) {
	tests := []struct{ src, msg string }{
		{``, `expected expression`},
		{`a +`, `expected expression`},
		{`a b`, `expected end of expression`},
		{`0x1F`, `hexadecimal`},
		{`1e3`, `exponent`},
		{`1.5e3`, `exponent`},
		{`1u`, `unsigned`},
		{`007`, `leading zeros`},
		{`9223372036854775808`, `out of range`},
		{`x is null`, `unknown type "null"`},
		{`r'abc'`, `raw string`},
		{`R"abc"`, `raw string`},
		{`br'abc'`, `raw string`},
		{`'''abc'''`, `triple-quoted`},
		{`"""abc"""`, `triple-quoted`},
		{`'abc`, `not terminated`},
		{"'a\nb'", `not terminated`},
		{`'\q'`, `unknown escape`},
		{`'\x4'`, `hex digits`},
		{`'\u12'`, `hex digits`},
		{`'\uD800'`, `invalid Unicode`},
		{`'\U00110000'`, `invalid Unicode`},
		{`'\08'`, `octal digits`},
		{`b'\u0041'`, `not allowed in bytes`},
		{`a[:]`, `at least one bound`},
		{`a &b`, `did you mean '&&'`},
		{`a | b`, `did you mean '||'`},
		{`$(a)`, `only valid as \$\(\.\.\.\) inside a path`},
		{`x is integer`, `unknown type`},
		{`x is`, `type name`},
		{`a[0](b)`, `only functions and methods can be called`},
		{`f(a,)`, `expected expression after ','`},
		{`a ? b`, `expected ':'`},
		{`/a/`, `empty segment`},
		{`/a//b`, `empty segment`},
		{`/a/{b}`, `use \$\(name\)`},
		{`/a/$(b)c`, `either literal text or a single`},
		{`/a/c$(b)`, `either literal text or a single`},
		{`/a/$(b`, `'\)' closing`},
		{`/a/(b`, `unbalanced`},
		{`a.`, `member name`},
		{`match`, `expected expression, found keyword 'match'`},
		{"a /* unterminated", `comment not terminated`},
		{"\xff", `invalid UTF-8`},
		{"'\xff'", `invalid UTF-8`},
		{`a § b`, `illegal character`},
		{strings.Repeat("(", 300) + "1" + strings.Repeat(")", 300), `nested too deeply`},
		{strings.Repeat("!", 300) + "a", `nested too deeply`},
		{strings.Repeat("[", 300), `nested too deeply`},
		{strings.Repeat("a ? b : ", 300) + "c", `nested too deeply`},
	}
	for _, tc := range tests {
		_, err := parser.ParseExpr(tc.src)
		if err == nil {
			t.Errorf("ParseExpr(%q): no error, want %q", tc.src, tc.msg)
			continue
		}
		el, ok := err.(parser.ErrorList)
		if !ok || len(el) == 0 {
			t.Errorf("ParseExpr(%q): error %T is not a non-empty ErrorList", tc.src, err)
			continue
		}
		if !matches(tc.msg, el[0].Msg) {
			t.Errorf("ParseExpr(%q): first error %q, want match for %q", tc.src, el[0].Msg, tc.msg)
		}
	}
}
