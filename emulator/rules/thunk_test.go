package rules

import (
	"strings"
	"testing"
)

// TestLetSeesOnlyEarlierBindings: a let bound lazily still sees only the
// bindings declared before it, never a later let of the function (Google's
// compiler rejects such a ruleset; here it compiles and the read errors,
// so the rule denies).
func TestLetSeesOnlyEarlierBindings(t *testing.T) {
	src := `rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
    function forward() { let a = later; let later = true; return a; }
    match /f/{d} { allow get: if forward(); }
  }
}`
	rs, err := Compile("forward.rules", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	p := "/databases/(default)/documents/f/x"
	d := rs.Decide(&Request{Method: MethodGet, Path: p, Before: decideDocs{}})
	if d.Allowed {
		t.Fatalf("allowed: %s", d.Reason())
	}
	if !strings.Contains(d.Reason(), "later") {
		t.Errorf("reason %q does not name the unbound variable", d.Reason())
	}
}
