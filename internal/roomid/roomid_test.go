package roomid

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"
)

func TestNewHasFixedLengthAndAlphabet(t *testing.T) {
	for i := 0; i < 10000; i++ {
		id := New()
		if len(id) != Length {
			t.Fatalf("len(%q) = %d, want %d", id, len(id), Length)
		}
		for _, c := range id {
			if !strings.ContainsRune(Alphabet, c) {
				t.Fatalf("id %q has %q outside the alphabet", id, c)
			}
		}
		if !Valid(id) {
			t.Fatalf("Valid(%q) = false for a fresh ID", id)
		}
	}
}

func TestEntropyIsAtLeast128Bits(t *testing.T) {
	bits := float64(Length) * math.Log2(float64(len(Alphabet)))
	if bits < 128 {
		t.Fatalf("%d chars of a %d-symbol alphabet give %.2f bits, want >= 128", Length, len(Alphabet), bits)
	}
	if len(Alphabet) != 62 {
		t.Fatalf("alphabet has %d symbols, want 62 ([A-Za-z0-9])", len(Alphabet))
	}
}

func TestNoRepeatsInAMillionDraws(t *testing.T) {
	if testing.Short() {
		t.Skip("1e6 draws skipped in -short mode")
	}
	const n = 1_000_000
	seen := make(map[string]struct{}, n)
	for i := 0; i < n; i++ {
		id := New()
		if _, dup := seen[id]; dup {
			t.Fatalf("repeat after %d draws: %q", i, id)
		}
		seen[id] = struct{}{}
	}
}

// TestDistributionIsUniform draws 2e5 IDs (4.4e6 characters) and checks
// each symbol's count with a chi-squared test. With 61 degrees of freedom
// the 99.99th percentile is about 117; a biased sampler (plain b%62, which
// favours the first 8 symbols by 5/4) lands near 3e4.
func TestDistributionIsUniform(t *testing.T) {
	const draws = 200_000
	var counts [256]int
	for i := 0; i < draws; i++ {
		id := New()
		for j := 0; j < len(id); j++ {
			counts[id[j]]++
		}
	}
	total := float64(draws * Length)
	expected := total / float64(len(Alphabet))
	chi2 := 0.0
	for i := 0; i < len(Alphabet); i++ {
		d := float64(counts[Alphabet[i]]) - expected
		chi2 += d * d / expected
	}
	if chi2 > 117 {
		t.Fatalf("chi-squared = %.1f over %d symbols, want <= 117 (uniform)", chi2, len(Alphabet))
	}
}

func TestRejectionSamplingSkipsBiasedBytes(t *testing.T) {
	// Bytes 248..255 must be rejected; byte 0 maps to 'A', 61 to '9', 62 to 'A'.
	src := bytes.Repeat([]byte{255, 250, 248, 0, 61, 62}, 20)
	id, err := NewFrom(bytes.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Repeat("A9A", 8)[:Length]
	if id != want {
		t.Fatalf("NewFrom = %q, want %q", id, want)
	}
}

func TestNewFromReportsShortRandomSource(t *testing.T) {
	_, err := NewFrom(bytes.NewReader([]byte{1, 2, 3}))
	if err == nil {
		t.Fatal("NewFrom on a 3-byte source succeeded")
	}
	var target interface{ Unwrap() error }
	if !errors.As(err, &target) {
		t.Fatalf("error %v does not wrap the read error", err)
	}
}

func TestValid(t *testing.T) {
	good := strings.Repeat("a", Length)
	cases := []struct {
		in   string
		want bool
	}{
		{good, true},
		{"AbC0123456789xyzXYZ012", true},
		{"", false},
		{good[:Length-1], false},
		{good + "a", false},
		{good[:Length-1] + "_", false},
		{good[:Length-1] + "-", false},
		{good[:Length-1] + "/", false},
		{good[:Length-1] + "é", false},
		{"__" + good[:Length-4] + "__", false},
		{good[:Length-1] + " ", false},
	}
	for _, c := range cases {
		if got := Valid(c.in); got != c.want {
			t.Errorf("Valid(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		_ = New()
	}
}
