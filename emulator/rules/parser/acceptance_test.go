package parser_test

import (
	"os"
	"testing"

	"github.com/roomgate/roomgate/emulator/rules/ast"
	"github.com/roomgate/roomgate/emulator/rules/parser"
)

// TestAcceptanceRules parses every rule of testdata/acceptance.rules.
func TestAcceptanceRules(t *testing.T) {
	src, err := os.ReadFile("testdata/acceptance.rules")
	if err != nil {
		t.Fatal(err)
	}
	f, err := parser.ParseFile("acceptance.rules", src)
	if err != nil {
		t.Fatalf("acceptance ruleset does not parse:\n%v", err)
	}
	n := 0
	ast.Inspect(f, func(node ast.Node) bool {
		if a, ok := node.(*ast.Allow); ok {
			n++
			if a.Cond == nil || a.Text == "" {
				t.Errorf("%v: allow without condition text", a.Pos)
			}
		}
		return true
	})
	if n != 27 {
		t.Errorf("found %d allow statements, want 27", n)
	}
}

// TestAcceptanceVersion1 pins cases 2 and 22 at the parser: without a
// rules_version line, a recursive wildcard that is not last is an error,
// while {d=**} as the last segment is fine.
func TestAcceptanceVersion1(t *testing.T) {
	ok := "service cloud.firestore { match /databases/{database}/documents { match /cities/{city}/{d=**} { allow read: if true; } } }"
	if _, err := parser.ParseFile("v1.rules", []byte(ok)); err != nil {
		t.Errorf("v1 trailing recursive wildcard: %v", err)
	}
	bad := "service cloud.firestore { match /databases/{database}/documents { match /{path=**}/posts/{post} { allow read: if request.auth != null; } } }"
	if _, err := parser.ParseFile("v1.rules", []byte(bad)); err == nil {
		t.Error("v1 collection-group pattern parsed without error")
	}
	if _, err := parser.ParseFile("v2.rules", []byte("rules_version = '2';\n"+bad)); err != nil {
		t.Errorf("v2 collection-group pattern: %v", err)
	}
}

// TestAcceptanceExpressions parses the expressions of cases 12-18 and 26
// and checks the grouping that matters for their meaning.
func TestAcceptanceExpressions(t *testing.T) {
	tests := []struct{ src, want string }{
		// 13
		{`(e && false) || true`, `((e && false) || true)`},
		{`!(m.missing == 'x')`, `(!(m.missing == "x"))`},
		// 14
		{`10 / 4 == 2`, `((10 / 4) == 2)`},
		{`10 / 4 == 2.5`, `((10 / 4) == 2.5)`},
		{`-7 / 2 == -3`, `(((-7) / 2) == (-3))`},
		{`-7 % 2 == -1`, `(((-7) % 2) == (-1))`},
		{`10 / 4.0 == 2.5`, `((10 / 4.0) == 2.5)`},
		{`10 / 0 == 0 || true`, `(((10 / 0) == 0) || true)`},
		// 15
		{`1 && true`, `(1 && true)`},
		{`false || 1`, `(false || 1)`},
		{`1 ? true : false`, `(1 ? true : false)`},
		{`true && (false || true) && (true ? true : false)`, `((true && (false || true)) && (true ? true : false))`},
		// 16
		{`'hello world'.matches('.*world')`, `"hello world".matches(".*world")`},
		{`'banana'.replace('ana','ee') == 'beena'`, `("banana".replace("ana", "ee") == "beena")`},
		{`'abc'[0:3] == 'abc'`, `("abc"[0:3] == "abc")`},
		{`'hello world'[6:99] == 'world'`, `("hello world"[6:99] == "world")`},
		// 17
		{`['a','a','b'].hasOnly(['a','b','b','c'])`, `["a", "a", "b"].hasOnly(["a", "b", "b", "c"])`},
		{`['b','a','b','c'].removeAll(['b']).size() == 2`, `(["b", "a", "b", "c"].removeAll(["b"]).size() == 2)`},
		{`['a','b'].toSet().difference(['a','c'].toSet()) == ['b'].toSet()`, `(["a", "b"].toSet().difference(["a", "c"].toSet()) == ["b"].toSet())`},
		{`{'a':1}.keys().union(['b'])`, `{"a": 1}.keys().union(["b"])`},
		// 18
		{`{"a": {"b": 1}, "c": 2}.get(["a","b"], 7) == 1`, `({"a": {"b": 1}, "c": 2}.get(["a", "b"], 7) == 1)`},
		{`({"a":0,"c":0,"u":0}).diff({"r":0,"c":1,"u":0}).affectedKeys() == ["a","r","c"].toSet()`, `({"a": 0, "c": 0, "u": 0}.diff({"r": 0, "c": 1, "u": 0}).affectedKeys() == ["a", "r", "c"].toSet())`},
		// 26
		{`b'\xFB\xEF\xBE'.toBase64() == '----'`, `(b"\xfb\xef\xbe".toBase64() == "----")`},
		{`'hi'.toUtf8().toBase64() == 'aGk='`, `("hi".toUtf8().toBase64() == "aGk=")`},
		{`hashing.sha256('abc').toHexString() == 'BA78'`, `(hashing.sha256("abc").toHexString() == "BA78")`},
		{`duration.value(1500,'ms').nanos() == 500000000`, `(duration.value(1500, "ms").nanos() == 500000000)`},
		{`timestamp.date(2099,1,1) > timestamp.date(2025,1,1)`, `(timestamp.date(2099, 1, 1) > timestamp.date(2025, 1, 1))`},
		{`math.round(2.5) == 3`, `(math.round(2.5) == 3)`},
		// 2.1 / R.Bytes
		{`b'*' == b'\x2A' && b'*' == b'\052'`, `((b"*" == b"*") && (b"*" == b"*"))`},
	}
	for _, tc := range tests {
		x, err := parser.ParseExpr(tc.src)
		if err != nil {
			t.Errorf("%s: %v", tc.src, err)
			continue
		}
		if got := ast.Print(x); got != tc.want {
			t.Errorf("%s\n got %s\nwant %s", tc.src, got, tc.want)
		}
	}
}
