package fidelity

// divergence is a known difference between Google's emulator and
// roomgate's on one case: each side's verdict class (allow, deny, a gRPC
// code, compiles/rejected) and which is the safer of the two.
type divergence struct {
	google, ours string
	// safer names the side that grants less ("google" or "roomgate"), or
	// "n/a" when neither verdict grants more.
	safer string
	note  string
}

// knownDivergences is every divergence the corpus shows today, by case id
// (file:line, plus " ==" / " !=" for the two probes of an expression case
// and " compile" for a ruleset or expression one compiler rejects).
// DIVERGENCES.md explains each. TestFidelity fails when a case diverges
// and is not listed here, or diverges differently, or is listed and no
// longer diverges.
var knownDivergences map[string]divergence // filled by known_list_test.go
