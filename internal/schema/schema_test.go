package schema_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/roomgate/roomgate/internal/schema"
)

func TestValidUID(t *testing.T) {
	good := []string{"a", "alice", "Abc123_-.:@+", strings.Repeat("x", schema.MaxUIDLength), "__x", "x__", "___"}
	bad := []string{"", ".", "..", "__x__", "____", "a/b", "a b", "é", "a\x00", strings.Repeat("x", schema.MaxUIDLength+1)}
	for _, s := range good {
		if !schema.ValidUID(s) {
			t.Errorf("ValidUID(%q) = false, want true", s)
		}
	}
	for _, s := range bad {
		if schema.ValidUID(s) {
			t.Errorf("ValidUID(%q) = true, want false", s)
		}
	}
}

func TestRoles(t *testing.T) {
	for _, r := range schema.Roles() {
		if !schema.ValidRole(r) {
			t.Errorf("ValidRole(%q) = false", r)
		}
	}
	for _, r := range []string{"", "owner", "Admin", "root", "admin "} {
		if schema.ValidRole(r) {
			t.Errorf("ValidRole(%q) = true", r)
		}
	}
	// Roles returns a fresh slice: a caller cannot change the vocabulary.
	schema.Roles()[0] = "root"
	if schema.Roles()[0] != schema.RoleUser {
		t.Fatal("Roles shares its backing array")
	}
}

// TestSchemaIsALeaf keeps the vocabulary importable from anywhere: it may
// import nothing, so it can never pull Echo or an SDK into a package that
// uses it.
func TestSchemaIsALeaf(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{join .Imports \"\\n\"}}", "github.com/roomgate/roomgate/internal/schema").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	if imports := strings.TrimSpace(string(out)); imports != "" {
		t.Fatalf("internal/schema imports:\n%s", imports)
	}
}
