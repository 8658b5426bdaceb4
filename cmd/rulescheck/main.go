// Command rulescheck checks Firestore Security Rules files for syntax
// errors and static-limit violations.
//
//	go run ./cmd/rulescheck firestore.rules [more.rules ...]
//
// For each file it prints "FILE: ok (rules_version N, M allow statements)"
// to stdout, or the positioned errors with source snippets to stderr. The
// exit status is 1 if any file has an error, 2 on usage errors.
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/roomgate/roomgate/emulator/rules/ast"
	"github.com/roomgate/roomgate/emulator/rules/parser"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run checks each file named in args and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: rulescheck FILE...")
		return 2
	}
	status := 0
	for _, name := range args {
		if !check(name, stdout, stderr) {
			status = 1
		}
	}
	return status
}

func check(name string, stdout, stderr io.Writer) bool {
	info, err := os.Stat(name)
	if err == nil && info.Size() > parser.MaxSourceSize {
		// Do not read an arbitrarily large file just to reject it.
		fmt.Fprintf(stderr, "%s: file is %d bytes, over the ruleset limit of %d\n", name, info.Size(), parser.MaxSourceSize)
		return false
	}
	src, err := os.ReadFile(name)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return false
	}
	f, err := parser.ParseFile(name, src)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return false
	}
	allows := 0
	ast.Inspect(f, func(n ast.Node) bool {
		if _, ok := n.(*ast.Allow); ok {
			allows++
		}
		return true
	})
	fmt.Fprintf(stdout, "%s: ok (rules_version %d, %d allow statements)\n", name, f.Version, allows)
	return true
}
