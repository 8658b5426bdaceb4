package layering

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"sort"
	"strings"
)

// Package is the part of `go list -json` output the rules need.
type Package struct {
	ImportPath   string
	Standard     bool
	Imports      []string
	TestImports  []string
	XTestImports []string
	// Deps are the transitive dependencies of the non-test files.
	Deps []string
}

// Violation is one broken rule.
type Violation struct {
	Package string // the importing package
	Import  string // what it must not import or link
	Rule    string
}

func (v Violation) String() string {
	return fmt.Sprintf("%s -> %s: %s", v.Package, v.Import, v.Rule)
}

// The rules' texts.
const (
	RuleRulesStdlib      = "emulator/rules imports only the standard library and emulator/rules/..."
	RuleEmulatorInternal = "emulator/... never imports internal/..."
	RuleInternalEmu      = "production code under internal/ never imports emulator/... (only internal/devstack may)"
	RuleProductionBin    = "cmd/roomgate links no emulator/... package and not testing"
)

// Check returns the violations of the import rules by the packages of
// module in pkgs, sorted. pkgs may hold packages of other modules and of
// the standard library (as `go list -deps` prints them); they tell which
// imports are standard. An import not in pkgs counts as standard when its
// first path element has no dot, as the go command decides.
func Check(module string, pkgs []Package) []Violation {
	std := map[string]bool{}
	for _, p := range pkgs {
		if p.Standard {
			std[p.ImportPath] = true
		}
	}
	isStd := func(path string) bool {
		if std[path] {
			return true
		}
		first, _, _ := strings.Cut(path, "/")
		return !strings.Contains(first, ".") && !under(path, module)
	}
	var out []Violation
	add := func(pkg, imp, rule string) { out = append(out, Violation{pkg, imp, rule}) }
	var (
		rules    = module + "/emulator/rules"
		emulator = module + "/emulator"
		internal = module + "/internal"
		devstack = module + "/internal/devstack"
		prodBin  = module + "/cmd/roomgate"
	)
	for _, p := range pkgs {
		all := concat(p.Imports, p.TestImports, p.XTestImports)
		if under(p.ImportPath, rules) {
			for _, imp := range all {
				if !isStd(imp) && !under(imp, rules) {
					add(p.ImportPath, imp, RuleRulesStdlib)
				}
			}
		}
		if under(p.ImportPath, emulator) {
			for _, imp := range all {
				if under(imp, internal) {
					add(p.ImportPath, imp, RuleEmulatorInternal)
				}
			}
		}
		if under(p.ImportPath, internal) && !under(p.ImportPath, devstack) {
			for _, imp := range p.Imports {
				if under(imp, emulator) {
					add(p.ImportPath, imp, RuleInternalEmu)
				}
			}
		}
		if p.ImportPath == prodBin {
			for _, dep := range concat([]string{p.ImportPath}, p.Deps) {
				if under(dep, emulator) || dep == "testing" || strings.HasPrefix(dep, "testing/") {
					add(p.ImportPath, dep, RuleProductionBin)
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// under reports whether path is pkg or below it.
func under(path, pkg string) bool {
	return path == pkg || strings.HasPrefix(path, pkg+"/")
}

func concat(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// Load runs `go list -deps -json ./...` in dir, the module's root, and
// returns the module path and every package listed.
func Load(dir string) (module string, pkgs []Package, err error) {
	mod := exec.Command("go", "list", "-m")
	mod.Dir = dir
	b, err := mod.Output()
	if err != nil {
		return "", nil, fmt.Errorf("go list -m: %w", stderrOf(err))
	}
	module = strings.TrimSpace(string(b))
	cmd := exec.Command("go", "list", "-deps", "-json", "./...")
	cmd.Dir = dir
	b, err = cmd.Output()
	if err != nil {
		return "", nil, fmt.Errorf("go list -deps -json: %w", stderrOf(err))
	}
	pkgs, err = Decode(bytes.NewReader(b))
	return module, pkgs, err
}

// Decode reads the stream of JSON objects `go list -json` prints.
func Decode(r io.Reader) ([]Package, error) {
	var pkgs []Package
	dec := json.NewDecoder(r)
	for {
		var p Package
		err := dec.Decode(&p)
		if errors.Is(err, io.EOF) {
			return pkgs, nil
		}
		if err != nil {
			return nil, err
		}
		pkgs = append(pkgs, p)
	}
}

// stderrOf adds the command's standard error to err.
func stderrOf(err error) error {
	var ee *exec.ExitError
	if errors.As(err, &ee) && len(ee.Stderr) > 0 {
		return fmt.Errorf("%w: %s", err, bytes.TrimSpace(ee.Stderr))
	}
	return err
}
