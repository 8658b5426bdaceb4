package main

import (
	"fmt"
	"io"
	"os"

	"github.com/roomgate/roomgate/emulator/rules"
	"github.com/roomgate/roomgate/emulator/rules/ast"
	"github.com/roomgate/roomgate/emulator/rules/parser"
)

// cmdCheck checks rules files the way the emulator would load them: parse
// errors and compile errors (recursion, limits) with positions and a caret
// under the column, on stderr; exit status 1 if any file fails. Warnings
// (unknown variables and functions, wrong argument counts, statically
// mistyped operands, unused functions: Google's compiler loads such rules
// and the expressions fail at run time) go to stdout the same way, marked
// "warning:", and do not fail the check; past the first 100 a last line
// says how many were left out, and the summary counts them all.
// A file named like a help flag can be checked as ./-h.
func cmdCheck(args []string, stdout, stderr io.Writer) int {
	const usage = "usage: roomgate-emulator check FILE...\n"
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	for _, a := range args {
		if a == "-h" || a == "-help" || a == "--help" {
			fmt.Fprint(stderr, usage)
			return 0
		}
	}
	status := 0
	for _, name := range args {
		if err := checkRulesFile(name, stdout); err != nil {
			fmt.Fprintln(stderr, err)
			status = 1
		}
	}
	return status
}

func checkRulesFile(name string, stdout io.Writer) error {
	src, err := readRules(name)
	if err != nil {
		return err
	}
	f, err := parser.ParseFile(name, src)
	if err != nil {
		return err
	}
	rs, err := rules.Compile(name, src)
	if err != nil {
		return err
	}
	for _, w := range rs.Warnings() {
		text := *w
		text.Msg = "warning: " + w.Msg
		fmt.Fprintln(stdout, text.Snippet())
	}
	allows := 0
	ast.Inspect(f, func(n ast.Node) bool {
		if _, ok := n.(*ast.Allow); ok {
			allows++
		}
		return true
	})
	warnings := ""
	if n := rs.WarningCount(); n > 0 {
		warnings = fmt.Sprintf(", %d warnings", n)
	}
	fmt.Fprintf(stdout, "%s: ok (rules_version %d, %d allow statements%s)\n", name, f.Version, allows, warnings)
	return nil
}

// readRules reads a rules file, refusing one over the ruleset size limit
// before reading it.
func readRules(name string) ([]byte, error) {
	info, err := os.Stat(name)
	if err != nil {
		return nil, err
	}
	if info.Size() > parser.MaxSourceSize {
		return nil, fmt.Errorf("%s: file is %d bytes, over the ruleset limit of %d", name, info.Size(), parser.MaxSourceSize)
	}
	return os.ReadFile(name)
}
