package layering

import (
	"slices"
	"strings"
	"testing"
)

// TestModuleFollowsTheRules runs Check on the module itself.
func TestModuleFollowsTheRules(t *testing.T) {
	module, pkgs, err := Load("../..")
	if err != nil {
		t.Fatal(err)
	}
	// The list must reach what the rules talk about, or Check would pass
	// vacuously.
	var paths []string
	for _, p := range pkgs {
		paths = append(paths, p.ImportPath)
	}
	for _, want := range []string{"/cmd/roomgate", "/emulator/rules", "/emulator/rules/parser", "/internal/app", "/internal/devstack", "/emulator/embedded"} {
		if !slices.Contains(paths, module+want) {
			t.Fatalf("go list did not list %s%s", module, want)
		}
	}
	if !slices.Contains(paths, "testing") {
		t.Fatal("go list -deps did not list the standard library")
	}
	for _, v := range Check(module, pkgs) {
		t.Errorf("%s", v)
	}
}

// TestCheckReportsViolations feeds Check synthetic lists with one
// violation of each rule, and the allowed cases next to them.
func TestCheckReportsViolations(t *testing.T) {
	const m = "example.com/rg"
	stdlib := []Package{{ImportPath: "fmt", Standard: true}, {ImportPath: "testing", Standard: true}}
	cases := []struct {
		name string
		pkgs []Package
		want []string // "pkg -> import" of each violation, sorted
		rule string
	}{
		{"rules importing a third-party module", []Package{
			{ImportPath: m + "/emulator/rules", Imports: []string{"fmt", m + "/emulator/rules/ast", "github.com/x/y"}},
		}, []string{m + "/emulator/rules -> github.com/x/y"}, RuleRulesStdlib},
		{"rules' tests importing another emulator package", []Package{
			{ImportPath: m + "/emulator/rules/parser", Imports: []string{"strings"}, XTestImports: []string{m + "/emulator/firestore"}},
		}, []string{m + "/emulator/rules/parser -> " + m + "/emulator/firestore"}, RuleRulesStdlib},
		{"emulator importing internal", []Package{
			{ImportPath: m + "/emulator/firestore", Imports: []string{m + "/emulator/rules"}, TestImports: []string{m + "/internal/config"}},
		}, []string{m + "/emulator/firestore -> " + m + "/internal/config"}, RuleEmulatorInternal},
		{"rules importing internal breaks two rules", []Package{
			{ImportPath: m + "/emulator/rules", Imports: []string{m + "/internal/x"}},
		}, []string{m + "/emulator/rules -> " + m + "/internal/x", m + "/emulator/rules -> " + m + "/internal/x"}, ""},
		{"production internal importing the emulator", []Package{
			{ImportPath: m + "/internal/app", Imports: []string{m + "/emulator/embedded"}},
			// allowed: tests of internal packages, and devstack
			{ImportPath: m + "/internal/rooms", XTestImports: []string{m + "/emulator/embedded"}, TestImports: []string{m + "/emulator/auth"}},
			{ImportPath: m + "/internal/devstack", Imports: []string{m + "/emulator/embedded"}},
			{ImportPath: m + "/internal/devstack/sub", Imports: []string{m + "/emulator/firebasejson"}},
			// a package whose name only starts like devstack is not it
			{ImportPath: m + "/internal/devstackish", Imports: []string{m + "/emulator/auth"}},
		}, []string{m + "/internal/app -> " + m + "/emulator/embedded", m + "/internal/devstackish -> " + m + "/emulator/auth"}, RuleInternalEmu},
		{"production binary linking the emulator and testing", []Package{
			{ImportPath: m + "/cmd/roomgate", Imports: []string{m + "/internal/app"}, Deps: []string{"fmt", m + "/emulator/rules", m + "/internal/app", "testing"}},
			// other binaries may
			{ImportPath: m + "/cmd/roomgate-dev", Deps: []string{m + "/emulator/embedded", "testing"}},
		}, []string{m + "/cmd/roomgate -> " + m + "/emulator/rules", m + "/cmd/roomgate -> testing"}, RuleProductionBin},
		{"packages of other modules are not checked", []Package{
			{ImportPath: "rg/emulator/rules", Imports: []string{"rg/internal/claims"}},
		}, nil, ""},
		{"clean", []Package{
			{ImportPath: m + "/emulator/rules", Imports: []string{"fmt", m + "/emulator/rules/ast"}, TestImports: []string{"testing"}},
			{ImportPath: m + "/cmd/roomgate", Deps: []string{"fmt", m + "/internal/app"}},
		}, nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Check(m, append(slices.Clone(stdlib), c.pkgs...))
			var keys []string
			for _, v := range got {
				keys = append(keys, v.Package+" -> "+v.Import)
				if c.rule != "" && v.Rule != c.rule {
					t.Errorf("%s: rule %q, want %q", v, v.Rule, c.rule)
				}
			}
			if strings.Join(keys, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(keys, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
	// The module path "rg" case: with module "rg", its own packages are
	// not standard even without a dot, so rules -> internal is caught.
	if got := Check("rg", []Package{{ImportPath: "rg/emulator/rules", Imports: []string{"rg/internal/claims"}}}); len(got) != 2 {
		t.Errorf("module rg: got %v, want both rules reported", got)
	}
}

func TestDecode(t *testing.T) {
	pkgs, err := Decode(strings.NewReader(`{"ImportPath":"fmt","Standard":true}
{"ImportPath":"x/a","Imports":["fmt"],"Deps":["fmt"]}`))
	if err != nil || len(pkgs) != 2 || !pkgs[0].Standard || pkgs[1].Imports[0] != "fmt" || pkgs[1].Deps[0] != "fmt" {
		t.Fatalf("%+v %v", pkgs, err)
	}
	if _, err := Decode(strings.NewReader(`{"ImportPath":`)); err == nil {
		t.Fatal("truncated input accepted")
	}
}
