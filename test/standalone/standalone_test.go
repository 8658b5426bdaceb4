package standalone

import (
	"strings"
	"testing"
)

// TestRepositoryStandsAlone runs Check on every tracked file.
func TestRepositoryStandsAlone(t *testing.T) {
	files, exists, err := Load("../..")
	if err != nil {
		t.Fatal(err)
	}
	// The scan must reach the files that cite documents, or it would pass
	// vacuously.
	for _, want := range []string{"README.md", "firestore.rules", "internal/rooms/service.go", "emulator/rules/FIDELITY.md"} {
		if _, ok := files[want]; !ok {
			t.Fatalf("Load did not read %s", want)
		}
	}
	// This package's own files hold the patterns and synthetic cases.
	for p := range files {
		if strings.HasPrefix(p, "test/standalone/") {
			delete(files, p)
		}
	}
	for _, f := range Check(files, exists) {
		t.Errorf("%s", f)
	}
}

// TestEachRuleFails feeds Check synthetic files.
func TestEachRuleFails(t *testing.T) {
	files := map[string][]byte{
		"README.md":            []byte("See docs/ARCHITECTURE.md and INTERNALS.md.\n"),
		"docs/ARCHITECTURE.md": []byte("Back to ../README.md; see https://example.com/SPEC.md.\n"),
		"a/INTERNALS.md":       nil,
		"a/x.go": []byte(strings.Join([]string{
			"// as DESIGN.md says",                     // 1: missing
			"// see ../README.md",                      // 2: resolves from a/
			"// see b/INTERNALS.md",                    // 3: a/b/INTERNALS.md does not exist
			"// the wire format (protocols \u00a73.1)", // 4
			"// the listener case of Issue 3",          // 5
			"// one case per node (habit 7)",           // 6
			"// as the brief asks",                     // 7
			"// the rules-language reference",          // 8
			"// docs/ARCHITECTURE.md, section 3",       // 9: fine
		}, "\n")),
	}
	exists := func(p string) bool {
		_, ok := files[p]
		return ok || p == "docs" || p == "a"
	}
	got := map[int]string{}
	for _, f := range Check(files, exists) {
		if f.File != "a/x.go" {
			t.Errorf("unexpected finding %s", f)
			continue
		}
		got[f.Line] = f.Text
	}
	want := map[int]string{1: "DESIGN.md", 3: "b/INTERNALS.md", 4: "\u00a73", 5: "Issue 3", 6: "habit 7", 7: "brief", 8: "rules-language"}
	for line, text := range want {
		if got[line] != text {
			t.Errorf("line %d: found %q, want %q", line, got[line], text)
		}
	}
	for line := range got {
		if _, ok := want[line]; !ok {
			t.Errorf("line %d: unexpected finding %q", line, got[line])
		}
	}
}
