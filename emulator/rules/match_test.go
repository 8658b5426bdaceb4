package rules

import (
	"fmt"
	"strings"
	"testing"

	"github.com/roomgate/roomgate/emulator/rules/ast"
)

// pat builds an ast.Pattern from its source form without the parser, so the
// matcher is tested on its own.
func pat(s string) *ast.Pattern {
	p := &ast.Pattern{}
	for _, part := range strings.Split(strings.TrimPrefix(s, "/"), "/") {
		seg := &ast.Segment{Kind: ast.SegLiteral, Text: part}
		if strings.HasPrefix(part, "{") && strings.HasSuffix(part, "=**}") {
			seg = &ast.Segment{Kind: ast.SegRecursive, Text: part[1 : len(part)-4]}
		} else if strings.HasPrefix(part, "{") {
			seg = &ast.Segment{Kind: ast.SegWildcard, Text: part[1 : len(part)-1]}
		}
		p.Segments = append(p.Segments, seg)
	}
	return p
}

// tree builds a two-level tree: the canonical database block with one child
// per pattern; every child carries one allow so it can be applicable.
func tree(patterns ...string) []*matchNode {
	root := &matchNode{decl: &ast.Match{Pattern: pat("/databases/{database}/documents")}}
	for _, p := range patterns {
		c := &matchNode{decl: &ast.Match{Pattern: pat(p)}, parent: root, level: 1, pattern: p, allows: []*allowRule{{}}}
		root.children = append(root.children, c)
	}
	return []*matchNode{root}
}

// describe renders applicable blocks with their bindings, e.g.
// "/cities/{city}[database=(default) city=SF]".
func describe(as []applicable) string {
	var out []string
	for _, a := range as {
		var bs []string
		for _, b := range a.bindings {
			v := b.text()
			if b.recursive {
				v = "path(" + v + ")"
			}
			if !b.known() {
				v = "?"
			}
			bs = append(bs, b.name+"="+v)
		}
		out = append(out, fmt.Sprintf("%s[%s]", a.node.pattern, strings.Join(bs, " ")))
	}
	return strings.Join(out, " | ")
}

func TestMatchVersions(t *testing.T) {
	cases := []struct {
		version  int
		patterns []string
		path     string
		want     string
	}{
		// 1.3: zero-segment recursive match only under v2.
		{2, []string{"/cities/{city}/{d=**}"}, "cities/SF", "/cities/{city}/{d=**}[database=(default) city=SF d=path()]"},
		{1, []string{"/cities/{city}/{d=**}"}, "cities/SF", ""},
		{1, []string{"/cities/{d=**}"}, "cities/SF", "/cities/{d=**}[database=(default) d=path(SF)]"},
		{1, []string{"/cities/{d=**}"}, "cities/SF/landmarks/l1", "/cities/{d=**}[database=(default) d=path(SF/landmarks/l1)]"},
		{2, []string{"/{path=**}/posts/{post}"}, "users/u/posts/p", "/{path=**}/posts/{post}[database=(default) path=path(users/u) post=p]"},
		{2, []string{"/{path=**}/posts/{post}"}, "posts/p", "/{path=**}/posts/{post}[database=(default) path=path() post=p]"},
		// 1.2: no cascade to subcollections, no partial matches.
		{2, []string{"/cities/{city}"}, "cities/SF/landmarks/l1", ""},
		{2, []string{"/cities/{city}/landmarks/{l}"}, "cities/SF", ""},
		{2, []string{"/cities/SF"}, "cities/LA", ""},
		// 1.4: overlapping blocks are all applicable, in tree order.
		{2, []string{"/cities/{city}", "/cities/{d=**}", "/towns/{t}"}, "cities/SF",
			"/cities/{city}[database=(default) city=SF] | /cities/{d=**}[database=(default) d=path(SF)]"},
		// Raw segments: no URL decoding.
		{2, []string{"/users/{u}"}, "users/a%2Fb", "/users/{u}[database=(default) u=a%2Fb]"},
	}
	for _, c := range cases {
		path, ok := splitPath("/databases/(default)/documents/" + c.path)
		if !ok {
			t.Fatalf("bad path %q", c.path)
		}
		got := describe(findApplicable(tree(c.patterns...), path, c.version))
		if got != c.want {
			t.Errorf("v%d %v on %s:\n got %s\nwant %s", c.version, c.patterns, c.path, got, c.want)
		}
	}
}

func TestMatchNested(t *testing.T) {
	// match /databases/{database}/documents { match /rooms/{roomId} { allow; match /messages/{m} { allow } } }
	root := &matchNode{decl: &ast.Match{Pattern: pat("/databases/{database}/documents")}}
	rooms := &matchNode{decl: &ast.Match{Pattern: pat("/rooms/{roomId}")}, parent: root, level: 1, pattern: "/rooms/{roomId}", allows: []*allowRule{{}}}
	msgs := &matchNode{decl: &ast.Match{Pattern: pat("/messages/{m}")}, parent: rooms, level: 2, pattern: "/messages/{m}", allows: []*allowRule{{}}}
	root.children = []*matchNode{rooms}
	rooms.children = []*matchNode{msgs}
	path, _ := splitPath("/databases/(default)/documents/rooms/r1/messages/m1")
	got := describe(findApplicable([]*matchNode{root}, path, 2))
	want := "/messages/{m}[database=(default) roomId=r1 m=m1]"
	if got != want {
		t.Fatalf("got %s want %s", got, want)
	}
	as := findApplicable([]*matchNode{root}, path, 2)
	if lv := as[0].bindings[1].level; lv != 1 {
		t.Errorf("roomId level = %d, want 1", lv)
	}
}

func TestMatchQuerySentinels(t *testing.T) {
	collGroup := []string{"databases", "(default)", "documents", segAnyParents, "posts", segUnknownID}
	cases := []struct {
		patterns []string
		path     []string
		want     string
	}{
		// A collection-group query is granted only by a recursive wildcard
		// that absorbs the unknown parents.
		{[]string{"/{path=**}/posts/{post}"}, collGroup, "/{path=**}/posts/{post}[database=(default) path=? post=?]"},
		{[]string{"/{doc=**}"}, collGroup, "/{doc=**}[database=(default) doc=?]"},
		{[]string{"/rooms/{r}/posts/{post}", "/posts/{post}", "/{a}/{b}/posts/{p}"}, collGroup, ""},
		// A plain list: the document ID is unknown; a literal ID never matches.
		{[]string{"/cities/{city}", "/cities/SF"}, []string{"databases", "(default)", "documents", "cities", segUnknownID},
			"/cities/{city}[database=(default) city=?]"},
	}
	for _, c := range cases {
		got := describe(findApplicable(tree(c.patterns...), c.path, 2))
		if got != c.want {
			t.Errorf("%v on %v:\n got %s\nwant %s", c.patterns, c.path, got, c.want)
		}
	}
}

func TestSplitPath(t *testing.T) {
	for _, bad := range []string{"", "/", "a/b", "/a//b", "/a/"} {
		if _, ok := splitPath(bad); ok {
			t.Errorf("splitPath(%q) accepted", bad)
		}
	}
	if segs, ok := splitPath("/a/b"); !ok || len(segs) != 2 {
		t.Errorf("splitPath(/a/b) = %v %v", segs, ok)
	}
}

// TestMatchNestedRecursive: nine nested recursive wildcards against a long
// path must be decided by reporting each block once, without exploring
// every split of the path (which would never finish).
func TestMatchNestedRecursive(t *testing.T) {
	src := "rules_version = '2';\nservice cloud.firestore { match /databases/{database}/documents {\n"
	for i := 0; i < 9; i++ {
		src += fmt.Sprintf("match /{r%d=**} {\n", i)
	}
	src += "allow get: if true;\n"
	src += strings.Repeat("}\n", 9) + "}}\n"
	rs, err := Compile("deep.rules", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	path := "/databases/(default)/documents" + strings.Repeat("/c/d", 40)
	d := rs.Decide(&Request{Method: MethodGet, Path: path})
	if !d.Allowed || len(d.Outcomes) != 1 {
		t.Fatalf("decision = %+v", d)
	}
	tooDeep := "/databases/(default)/documents" + strings.Repeat("/c/d", 101)
	if d := rs.Decide(&Request{Method: MethodGet, Path: tooDeep}); d.Allowed || !strings.Contains(d.Reason(), "not a document path") {
		t.Errorf("path of 101 levels: %+v", d)
	}
}
