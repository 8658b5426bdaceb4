package rules

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestRules runs the table against the emulator as each user, then checks
// that every allow statement of the rules was exercised.
func TestRules(t *testing.T) {
	ctx := context.Background()
	// Reload the rules so coverage counts this table only, not the
	// other tests that ran before it.
	src, err := os.ReadFile(rulesPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := suite.loadRules(string(src)); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, c := range allCases() {
		name := fmt.Sprintf("%s/%s/%s", c.op, c.as.name, c.name)
		if seen[name] {
			name += "/" + c.path
		}
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			got, err := suite.run(ctx, c)
			if errors.Is(err, errUnexpected) {
				t.Fatalf("%s: %v", c, err)
			}
			if got != c.want {
				t.Errorf("%s: rules decided %s, want %s", c, got, c.want)
			}
		})
	}
	// Runs last, and only when no -run pattern filtered the table out.
	t.Run("coverage", func(t *testing.T) {
		rows, ok, err := suite.coverage(src)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			t.Fatal("the emulator's rule coverage report is in no format this suite reads (roomgate's or Google's)")
		}
		if len(rows) == 0 {
			t.Fatal("coverage report lists no allow statements")
		}
		var never []string
		for _, r := range rows {
			if r.True == 0 {
				never = append(never, fmt.Sprintf("  line %d: match %s allow %s: if %s (true %d, false %d, error %d)",
					r.Line, r.Match, strings.Join(r.Methods, ", "), r.Condition, r.True, r.False, r.Error))
			}
		}
		if len(never) > 0 {
			t.Fatalf("allow statements of %s never evaluated to true (add a case that needs each):\n%s", rulesPath, strings.Join(never, "\n"))
		}
		t.Logf("rule coverage: %d allow statements, all exercised", len(rows))
	})
}
