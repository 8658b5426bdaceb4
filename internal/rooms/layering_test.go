package rooms_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDomainDoesNotImportEcho keeps the domain packages free of the HTTP
// framework: rooms (and what it builds on: claims, audit, schema) are used
// by the CLI and tests without a server, and validating a uid must not
// drag Echo in. The check is on the full dependency closure, so an
// indirect import (say through internal/authn) fails it too.
func TestDomainDoesNotImportEcho(t *testing.T) {
	pkgs := []string{
		"github.com/roomgate/roomgate/internal/rooms",
		"github.com/roomgate/roomgate/internal/claims",
		"github.com/roomgate/roomgate/internal/audit",
		"github.com/roomgate/roomgate/internal/schema",
	}
	for _, pkg := range pkgs {
		out, err := exec.Command("go", "list", "-deps", pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			if strings.HasPrefix(dep, "github.com/labstack/") || dep == "github.com/roomgate/roomgate/internal/authn" || dep == "github.com/roomgate/roomgate/internal/api" {
				t.Errorf("%s depends on %s", pkg, dep)
			}
		}
	}
}
