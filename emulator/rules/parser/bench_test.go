package parser_test

import (
	"os"
	"testing"

	"github.com/roomgate/roomgate/emulator/rules/parser"
)

// BenchmarkParse300Lines parses a realistic ~300-line ruleset
// (testdata/bench300.rules). Target: under 2 ms per parse.
func BenchmarkParse300Lines(b *testing.B) {
	src, err := os.ReadFile("testdata/bench300.rules")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := parser.ParseFile("bench300.rules", src); err != nil {
		b.Fatalf("benchmark ruleset does not parse:\n%v", err)
	}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parser.ParseFile("bench300.rules", src); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseLargest parses a ruleset at the 256 KiB source limit, to
// show the worst case stays cheap.
func BenchmarkParseLargest(b *testing.B) {
	// One typical match block, repeated up to the size limit.
	src := []byte("rules_version = '2';\nservice cloud.firestore {\n")
	block := []byte("  match /c/{x} {\n    allow read: if request.auth != null && get(/databases/$(database)/documents/users/$(request.auth.uid)).data.role in ['a', 'b'] && request.resource.data.keys().hasOnly(['a', 'b', 'c']);\n  }\n")
	for len(src)+len(block)+2 < parser.MaxSourceSize {
		src = append(src, block...)
	}
	src = append(src, "}\n"...)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parser.ParseFile("large.rules", src); err != nil {
			b.Fatal(err)
		}
	}
}
