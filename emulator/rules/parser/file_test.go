package parser_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/roomgate/roomgate/emulator/rules/ast"
	"github.com/roomgate/roomgate/emulator/rules/parser"
)

const sampleRules = `rules_version = '2';

// Global helper.
function signedIn() {
  return request.auth != null;
}

service cloud.firestore {
  function isAdmin() { return request.auth.token.admin == true; }

  match /databases/{database}/documents {
    function isOwner(uid) {
      let me = request.auth.uid;
      return signedIn() && me == uid;
    }
    match /users/{userId} {
      allow read, update, delete: if isOwner(userId)
      allow create: if signedIn() &&
                       request.resource.data.keys().hasOnly(['name', 'age']);
    }
    match /rooms/{roomId}/messages/{messageId} {
      allow get, list: if exists(/databases/$(database)/documents/rooms/$(roomId)/members/$(request.auth.uid));
      allow write;
    }
    match /{path=**}/posts/{post} {
      allow read: if isAdmin();
    }
  }
}
`

const samplePrinted = `rules_version = '2';
function signedIn() {
  return (request.auth != null);
}
service cloud.firestore {
  function isAdmin() {
    return (request.auth.token.admin == true);
  }
  match /databases/{database}/documents {
    function isOwner(uid) {
      let me = request.auth.uid;
      return (signedIn() && (me == uid));
    }
    match /users/{userId} {
      allow read, update, delete: if isOwner(userId);
      allow create: if (signedIn() && request.resource.data.keys().hasOnly(["name", "age"]));
    }
    match /rooms/{roomId}/messages/{messageId} {
      allow get, list: if exists(/databases/$(database)/documents/rooms/$(roomId)/members/$(request.auth.uid));
      allow write;
    }
    match /{path=**}/posts/{post} {
      allow read: if isAdmin();
    }
  }
}
`

func TestParseFileSample(t *testing.T) {
	f, err := parser.ParseFile("sample.rules", []byte(sampleRules))
	if err != nil {
		t.Fatalf("unexpected error:\n%v", err)
	}
	if got := ast.PrintFile(f); got != samplePrinted {
		t.Errorf("PrintFile:\n%s\nwant:\n%s", got, samplePrinted)
	}
	if f.Version != 2 || f.VersionPos != (ast.Pos{Offset: 0, Line: 1, Col: 1}) {
		t.Errorf("version %d at %v, want 2 at 1:1", f.Version, f.VersionPos)
	}
	if f.Service.Name != "cloud.firestore" {
		t.Errorf("service name %q", f.Service.Name)
	}
	users := f.Service.Matches[0].Matches[0]
	if got := users.Pattern.String(); got != "/users/{userId}" {
		t.Errorf("pattern %q", got)
	}
	// Allow.Text is the exact source text of the condition, newlines and
	// all, without the optional ';'.
	if got, want := users.Allows[0].Text, "isOwner(userId)"; got != want {
		t.Errorf("allow text %q, want %q", got, want)
	}
	if got, want := users.Allows[1].Text, "signedIn() &&\n                       request.resource.data.keys().hasOnly(['name', 'age'])"; got != want {
		t.Errorf("allow text %q, want %q", got, want)
	}
	msgs := f.Service.Matches[0].Matches[1]
	if got, want := msgs.Allows[0].Text, "exists(/databases/$(database)/documents/rooms/$(roomId)/members/$(request.auth.uid))"; got != want {
		t.Errorf("allow text %q, want %q", got, want)
	}
	if a := msgs.Allows[1]; a.Cond != nil || a.Text != "" || a.Methods[0].Name != "write" {
		t.Errorf("unconditional allow parsed as %+v", a)
	}
	// Positions: the allow keyword and the pattern segments.
	if got := users.Allows[0].Pos; got.Line != 17 || got.Col != 7 {
		t.Errorf("allow at %v, want 17:7", got)
	}
	if seg := users.Pattern.Segments[1]; seg.Kind != ast.SegWildcard || seg.Text != "userId" || seg.Pos.Col != 18 {
		t.Errorf("segment %+v", seg)
	}
	rec := f.Service.Matches[0].Matches[2].Pattern.Segments[0]
	if rec.Kind != ast.SegRecursive || rec.Text != "path" {
		t.Errorf("recursive segment %+v", rec)
	}
	// The printed file parses back to the same print.
	g, err := parser.ParseFile("printed.rules", []byte(samplePrinted))
	if err != nil || ast.PrintFile(g) != samplePrinted {
		t.Errorf("reparse: %v\n%s", err, ast.PrintFile(g))
	}
}

func TestParseFileVersions(t *testing.T) {
	body := "service cloud.firestore { match /databases/{database}/documents { match /a/{b=**} { allow read; } } }"
	for _, tc := range []struct {
		head string
		want int
	}{
		{"", 1},
		{"rules_version = '1';\n", 1},
		{"rules_version = '2';\n", 2},
		{`rules_version = "2"` + "\n", 2}, // ';' optional, either quote
	} {
		f, err := parser.ParseFile("v.rules", []byte(tc.head+body))
		if err != nil {
			t.Errorf("%q: %v", tc.head, err)
			continue
		}
		if f.Version != tc.want {
			t.Errorf("%q: version %d, want %d", tc.head, f.Version, tc.want)
		}
	}
}

func TestParseFileStructuralErrors(t *testing.T) {
	tests := []struct{ name, src, msg string }{
		{"empty file", "", "1:1: missing service declaration"},
		{"only a function", "function f() { return 1; }", "1:27: missing service declaration"},
		{"top-level match", "match /a { }\nservice cloud.firestore {}", "1:1: expected 'service' or 'function', found keyword 'match'"},
		{"unclosed service", "service cloud.firestore {\n match /a {\n", "3:1: expected '}', found end of file"},
		{"allow without if", "service s { match /a { allow read: true; } }", "expected 'if'"},
		{"too large", "service s {}" + strings.Repeat(" ", parser.MaxSourceSize), "1:1: ruleset source is 262156 bytes, over the limit of 262144"},
	}
	for _, tc := range tests {
		f, err := parser.ParseFile("x.rules", []byte(tc.src))
		if f == nil {
			t.Errorf("%s: nil file", tc.name)
		}
		var el parser.ErrorList
		if !errors.As(err, &el) || len(el) == 0 {
			t.Errorf("%s: error %v, want an ErrorList", tc.name, err)
			continue
		}
		if !strings.Contains(el[0].Error(), tc.msg) {
			t.Errorf("%s: first error %q, want it to contain %q", tc.name, el[0].Error(), tc.msg)
		}
	}
}

// TestErrorRendering pins the multi-error format: each error as
// file:line:col: msg, its source line, and a caret under the column
// (tabs preserved so the caret lines up).
func TestErrorRendering(t *testing.T) {
	src := "service cloud.firestore {\n" +
		"  match /databases/{database}/documents {\n" +
		"\tallow read: if a +;\n" +
		"    allow write: if (true;\n" +
		"  }\n" +
		"}\n"
	_, err := parser.ParseFile("bad.rules", []byte(src))
	want := "bad.rules:3:20: expected expression, found ';'\n" +
		"\tallow read: if a +;\n" +
		"\t                  ^\n" +
		"bad.rules:4:26: expected ')', found ';'\n" +
		"    allow write: if (true;\n" +
		"                         ^"
	if err == nil || err.Error() != want {
		t.Errorf("rendered errors:\n%v\nwant:\n%s", err, want)
	}
	el := err.(parser.ErrorList)
	if got := el[0].Error(); got != "bad.rules:3:20: expected expression, found ';'" {
		t.Errorf("single error %q", got)
	}
	if el[1].Line != "    allow write: if (true;" {
		t.Errorf("Line %q", el[1].Line)
	}
}

// TestTooManyErrors checks that a parse stops after ten errors with a
// final "too many errors".
func TestTooManyErrors(t *testing.T) {
	var b strings.Builder
	b.WriteString("service cloud.firestore {\n  match /a {\n")
	for i := 0; i < 50; i++ {
		b.WriteString("    allow read: if (;\n")
	}
	b.WriteString("  }\n}\n")
	_, err := parser.ParseFile("many.rules", []byte(b.String()))
	el := err.(parser.ErrorList)
	if len(el) != 11 || el[10].Msg != "too many errors" {
		t.Fatalf("got %d errors, last %q; want 10 plus \"too many errors\"", len(el), el[len(el)-1].Msg)
	}
}

func TestErrorListErr(t *testing.T) {
	var el parser.ErrorList
	if el.Err() != nil {
		t.Error("empty ErrorList.Err() is not nil")
	}
	f, err := parser.ParseFile("ok.rules", []byte("service cloud.firestore {}"))
	if err != nil || f.Service == nil {
		t.Errorf("valid file: %v", err)
	}
}

func TestWalkVisitsEveryAllow(t *testing.T) {
	f, err := parser.ParseFile("sample.rules", []byte(sampleRules))
	if err != nil {
		t.Fatal(err)
	}
	var allows, calls, idents int
	ast.Inspect(f, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.Allow:
			allows++
		case *ast.Call:
			calls++
		case *ast.Ident:
			if x.Name == "uid" || x.Name == "userId" {
				idents++
			}
		}
		return true
	})
	// uid: param + use; userId: isOwner(userId).
	if allows != 5 || calls != 7 || idents != 3 {
		t.Errorf("allows=%d calls=%d uid/userId idents=%d, want 5, 7, 3", allows, calls, idents)
	}
}

func TestPatternSegments(t *testing.T) {
	src := "rules_version = '2';\nservice cloud.firestore {\n" +
		"  match /databases/(default)/documents/{a}/x-y.z_1/{rest=**}{ allow read; }\n" +
		"  match /{p=**}/tail{}\n" +
		"}\n"
	f, err := parser.ParseFile("p.rules", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	segs := f.Service.Matches[0].Pattern.Segments
	want := []struct {
		kind ast.SegmentKind
		text string
		col  int
	}{
		{ast.SegLiteral, "databases", 10},
		{ast.SegLiteral, "(default)", 20},
		{ast.SegLiteral, "documents", 30},
		{ast.SegWildcard, "a", 40},
		{ast.SegLiteral, "x-y.z_1", 44},
		{ast.SegRecursive, "rest", 52},
	}
	if len(segs) != len(want) {
		t.Fatalf("%d segments, want %d", len(segs), len(want))
	}
	for i, w := range want {
		s := segs[i]
		if s.Kind != w.kind || s.Text != w.text || s.Pos.Line != 3 || s.Pos.Col != w.col {
			t.Errorf("segment %d = %+v, want %+v at 3:%d", i, s, w, w.col)
		}
	}
	if got := f.Service.Matches[1].Pattern.String(); got != "/{p=**}/tail" {
		t.Errorf("second pattern %q", got)
	}
}
