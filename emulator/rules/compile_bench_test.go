package rules

import (
	"fmt"
	"testing"
)

// BenchmarkCompileHostileOneLine compiles a ruleset holding n non-boolean
// conditions on one line, one warning each, at a quarter and at the whole
// of the source size limit: time and memory per op should grow about
// fourfold between the two (linear), not sixteenfold.
func BenchmarkCompileHostileOneLine(b *testing.B) {
	for _, n := range []int{4000, 16000} {
		src := oneLineRuleset(n, "allow get:if 1;")
		b.Run(fmt.Sprintf("allows=%d/bytes=%d", n, len(src)), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				if _, err := Compile("x.rules", src); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
