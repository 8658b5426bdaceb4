package fidelity

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/roomgate/roomgate/emulator/emutest"
)

// workers is how many rulesets run at once (each on both emulators).
const workers = 6

// TestFidelity sends the corpus to Google's emulator and roomgate's and
// compares every verdict against the list of known divergences.
func TestFidelity(t *testing.T) {
	if testing.Short() {
		t.Skip("SKIPPED, NOT PASSED: -short skips the comparison with Google's emulator")
	}
	gaddr := startGoogle(t)
	logs := &syncBuffer{}
	emu := emutest.Start(t, emutest.Logf(func(f string, a ...any) { fmt.Fprintf(logs, f+"\n", a...) }))
	t.Cleanup(func() {
		if t.Failed() && os.Getenv("ROOMGATE_FIDELITY_VERBOSE") != "" {
			t.Logf("roomgate emulator log:\n%s", logs.String())
		}
	})
	g, err := newTarget("google", gaddr)
	if err != nil {
		t.Fatal(err)
	}
	defer g.close()
	o, err := newTarget("roomgate", emu.FirestoreAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer o.close()
	p := pair{g, o}

	decide, err := loadDecideFiles("../../emulator/rules/testdata/decide/*.txt", "decide/")
	if err != nil {
		t.Fatal(err)
	}
	probes, err := loadDecideFiles("testdata/probes*.txt", "")
	if err != nil {
		t.Fatal(err)
	}
	exprs, err := loadExprFiles("../../emulator/rules/testdata/expr/*.txt")
	if err != nil {
		t.Fatal(err)
	}

	// ROOMGATE_FIDELITY_ONLY=<substring> runs only the files whose name
	// holds it (for probing one question); the listed divergences of the
	// other files are then not checked for reproduction.
	only := os.Getenv("ROOMGATE_FIDELITY_ONLY")
	if only != "" {
		decide = filterSections(decide, only)
		probes = filterSections(probes, only)
		exprs = slices.DeleteFunc(exprs, func(ef *exprFile) bool { return !strings.Contains(ef.name, only) })
	}

	ctx := context.Background()
	tl := &tally{}
	var (
		mu      sync.Mutex
		results []result
	)
	add := func(rs []result) {
		mu.Lock()
		results = append(results, rs...)
		mu.Unlock()
	}
	jobs := make(chan func())
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				j()
			}
		}()
	}
	for i, ef := range exprs {
		project := fmt.Sprintf("demo-fid-e%d", i)
		jobs <- func() { add(runParts(ctx, p, project, exprHeader, exprFooter, ef.parts, exprStored, tl)) }
	}
	for i, sec := range probes {
		project := fmt.Sprintf("demo-fid-p%d", i)
		jobs <- func() { add(runSection(ctx, p, project, sec, true, tl)) }
	}
	for i, sec := range decide {
		project := fmt.Sprintf("demo-fid-d%d", i)
		jobs <- func() { add(runSection(ctx, p, project, sec, false, tl)) }
	}
	close(jobs)
	wg.Wait()

	sort.Slice(results, func(i, j int) bool { return results[i].id < results[j].id })
	check(t, results, only == "")
	summarize(t, results, tl)
	if path := os.Getenv("ROOMGATE_FIDELITY_REPORT"); path != "" {
		writeReport(t, path, results)
	}
}

// check fails the test on a new divergence, a changed one, a listed one
// that no longer reproduces, a probe whose recorded Google verdict is no
// longer Google's, and any harness error.
func check(t *testing.T, results []result, whole bool) {
	t.Helper()
	diverged := map[string]bool{}
	for _, r := range results {
		if r.kind == "harness" {
			t.Errorf("harness error in %s: %s %s", r.id, r.gmsg, r.omsg)
			continue
		}
		if r.probe && r.expect != "" && r.google != r.expect && !(r.kind == "compile" && r.google == "compiles" && r.expect == "") {
			t.Errorf("probe %s: Google answers %s, testdata records %s (Google: %s)", r.id, r.google, r.expect, r.gmsg)
		}
		if !r.diverges() {
			continue
		}
		diverged[r.id] = true
		k, listed := knownDivergences[r.id]
		switch {
		case !listed:
			t.Errorf("NEW divergence %s (%s): Google %s [%s], roomgate %s [%s]", r.id, r.kind, r.google, oneLine(r.gmsg), r.ours, oneLine(r.omsg))
		case k.google != r.google || k.ours != r.ours:
			t.Errorf("divergence %s changed: now Google %s, roomgate %s; listed as Google %s, roomgate %s", r.id, r.google, r.ours, k.google, k.ours)
		}
	}
	if !whole {
		return
	}
	var gone []string
	for id := range knownDivergences {
		if !diverged[id] {
			gone = append(gone, id)
		}
	}
	sort.Strings(gone)
	for _, id := range gone {
		t.Errorf("listed divergence %s no longer reproduces (fixed? remove it from knownDivergences and DIVERGENCES.md)", id)
	}
}

// filterSections keeps the sections of files whose name holds only.
func filterSections(secs []*section, only string) []*section {
	return slices.DeleteFunc(secs, func(s *section) bool {
		file, _, _ := strings.Cut(s.id, ":")
		return !strings.Contains(file, only)
	})
}

func summarize(t *testing.T, results []result, tl *tally) {
	t.Helper()
	counts := map[string]int{}
	for _, r := range results {
		switch {
		case !r.diverges():
			counts["agree"]++
		case r.google == "deny" && r.ours == "allow":
			counts["roomgate allows, Google denies"]++
		case r.google == "allow" && r.ours == "deny":
			counts["roomgate denies, Google allows"]++
		default:
			counts["other difference"]++
		}
	}
	t.Logf("compared %d verdicts: %v", len(results), counts)
	var reasons []string
	for r, n := range tl.skipped {
		reasons = append(reasons, fmt.Sprintf("%d: %s", n, r))
	}
	sort.Strings(reasons)
	t.Logf("not compared (cannot go through a client, or one compiler rejected it): %s", strings.Join(reasons, "; "))
}

// writeReport writes every divergence and every probe result as
// tab-separated lines, the raw material of DIVERGENCES.md.
func writeReport(t *testing.T, path string, results []result) {
	var b strings.Builder
	for _, r := range results {
		if !r.diverges() && !r.probe {
			continue
		}
		fmt.Fprintf(&b, "%s\t%s\tgoogle=%s\tours=%s\tprobe=%v\tgmsg=%s\tomsg=%s\n", r.id, r.kind, r.google, r.ours, r.probe, oneLine(r.gmsg), oneLine(r.omsg))
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Error(err)
	}
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\n", " | ")
	if len(s) > 400 {
		s = s[:400] + "..."
	}
	return s
}
