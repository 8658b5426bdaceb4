package fidelity

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// part is a droppable piece of a generated ruleset: one source line and
// the cases that need it. A part the emulator rejects is dropped and the
// ruleset reloaded, so one odd expression does not sink its neighbours.
type part struct {
	id    string
	line  string
	cases []*fcase
	// rejected holds each emulator's compile message for this part.
	rejected map[string]string
}

// result is one comparison: a case's verdict on both emulators, or (kind
// "compile") whether each accepted a ruleset or part.
type result struct {
	id     string
	kind   string // the op kind, or "compile"
	google string // the class: allow, deny, a status code, or compiles/rejected
	ours   string
	gmsg   string
	omsg   string
	expect string // the corpus expectation, for the probes
	probe  bool
}

func (r result) diverges() bool { return r.google != r.ours }

// tally counts what ran and what could not.
type tally struct {
	mu      sync.Mutex
	skipped map[string]int
}

func (t *tally) skip(reason string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.skipped == nil {
		t.skipped = map[string]int{}
	}
	t.skipped[reason]++
}

// pair is the two emulators under comparison, Google's first.
type pair [2]*target

const opTimeout = 30 * time.Second

// runSection loads a decide-format section on both emulators under
// project and runs its cases in order on each, reseeding whenever the
// stored state changes or an allowed write may have changed it.
func runSection(ctx context.Context, p pair, project string, sec *section, probe bool, tl *tally) []result {
	var errs [2]error
	var verdicts [2][]verdict
	var warnings [2][]string
	var wg sync.WaitGroup
	for i, tg := range p {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w, err := tg.loadRulesWarnings(project, sec.src)
			if err != nil {
				errs[i] = err
				return
			}
			warnings[i] = w
			verdicts[i] = runCases(ctx, tg, project, sec.cases)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		var ce *compileError
		if err != nil && !errors.As(err, &ce) {
			return []result{{id: sec.id, kind: "harness", google: "harness error", ours: "harness error", gmsg: fmt.Sprintf("%s: %v", p[i].name, err)}}
		}
	}
	if errs[0] != nil || errs[1] != nil {
		r := result{id: sec.id + " compile", kind: "compile", google: "compiles", ours: "compiles", probe: probe}
		if errs[0] != nil {
			r.google, r.gmsg = "rejected", errs[0].Error()
		}
		if errs[1] != nil {
			r.ours, r.omsg = "rejected", errs[1].Error()
		}
		if len(sec.compileErrs) > 0 {
			r.expect = "rejected"
		}
		for range sec.cases {
			tl.skip("ruleset rejected by an emulator")
		}
		return []result{r}
	}
	var out []result
	// Each expected warning: does each emulator report it (position and
	// text)? The probes' expectation is Google's answer.
	for _, w := range sec.warnings {
		r := result{id: sec.id + " warning " + w, kind: "warning", google: "absent", ours: "absent", expect: "present", probe: probe}
		if slices.Contains(warnings[0], w) {
			r.google = "present"
		}
		if slices.Contains(warnings[1], w) {
			r.ours = "present"
		}
		r.gmsg, r.omsg = strings.Join(warnings[0], "; "), strings.Join(warnings[1], "; ")
		out = append(out, r)
	}
	if len(sec.compileErrs) > 0 {
		out = append(out, result{id: sec.id + " compile", kind: "compile", google: "compiles", ours: "compiles", expect: "rejected", probe: probe})
	}
	for j, c := range sec.cases {
		if c.skip != "" {
			tl.skip(c.skip)
			continue
		}
		g, o := verdicts[0][j], verdicts[1][j]
		if isClientRefusal(g) && isClientRefusal(o) {
			tl.skip("the Go client refuses the request")
			continue
		}
		out = append(out, result{id: c.id, kind: c.op.kind, google: g.class(c.op.kind), ours: o.class(c.op.kind),
			gmsg: g.msg, omsg: o.msg, expect: c.expect, probe: probe})
	}
	return out
}

func isClientRefusal(v verdict) bool { return strings.HasPrefix(v.msg, "client: ") }

// runCases runs cases in order against one emulator. Skipped cases get
// the zero verdict and are not sent.
func runCases(ctx context.Context, tg *target, project string, cases []*fcase) []verdict {
	out := make([]verdict, len(cases))
	c, err := tg.client(project)
	if err != nil {
		for i := range out {
			out[i] = verdict{msg: "harness: " + err.Error()}
		}
		return out
	}
	seeded, dirty := -1, true
	for i, fc := range cases {
		if fc.skip != "" {
			continue
		}
		if dirty || seeded != fc.state {
			if err := tg.seed(ctx, project, fc.stored); err != nil {
				out[i] = verdict{code: 2, msg: "harness: " + err.Error()}
				dirty = true
				continue
			}
			seeded, dirty = fc.state, false
		}
		cctx, cancel := context.WithTimeout(ctx, opTimeout)
		out[i] = run(cctx, c, fc.caller.token(project), fc.op)
		cancel()
		if fc.op.isWrite() && out[i].class(fc.op.kind) != "deny" {
			dirty = true // the write may have changed the store
		}
	}
	return out
}

// runParts loads a ruleset built from parts on both emulators, dropping
// the parts either rejects until both accept the rest, seeds stored and
// runs the remaining parts' cases (reads only) concurrently.
func runParts(ctx context.Context, p pair, project, header, footer string, parts []*part, stored []storedDoc, tl *tally) []result {
	active := append([]*part(nil), parts...)
	var out []result
	var finalSrc string
	for round := 0; ; round++ {
		var b strings.Builder
		b.WriteString(header)
		first := strings.Count(header, "\n") + 1
		byLine := map[int]*part{}
		ln := first
		for _, pt := range active {
			for range strings.Split(pt.line, "\n") {
				byLine[ln] = pt
				ln++
			}
			b.WriteString(pt.line)
			b.WriteString("\n")
		}
		b.WriteString(footer)
		src := b.String()
		var errs [2]error
		var wg sync.WaitGroup
		for i, tg := range p {
			wg.Add(1)
			go func() { defer wg.Done(); errs[i] = tg.loadRules(project, src) }()
		}
		wg.Wait()
		if errs[0] == nil && errs[1] == nil {
			finalSrc = src
			break
		}
		drop := map[*part]bool{}
		for i, err := range errs {
			var ce *compileError
			if err == nil {
				continue
			}
			if !errors.As(err, &ce) || round > 400 {
				return append(out, result{id: project, kind: "harness", google: "harness error", ours: "harness error", gmsg: p[i].name + ": " + err.Error()})
			}
			// Only the first error is sure to be the part's own: a
			// parser recovering from it reports the lines after it too.
			hit := false
			for _, ln := range ce.lines {
				if pt := byLine[ln]; pt != nil {
					if pt.rejected == nil {
						pt.rejected = map[string]string{}
					}
					pt.rejected[p[i].name] = ce.msg
					drop[pt], hit = true, true
					break
				}
			}
			if !hit {
				return append(out, result{id: project, kind: "harness", google: "harness error", ours: "harness error", gmsg: p[i].name + " rejects the wrapper: " + err.Error()})
			}
		}
		var keep []*part
		for _, pt := range active {
			if !drop[pt] {
				keep = append(keep, pt)
			}
		}
		active = keep
	}
	for _, pt := range parts {
		if pt.rejected == nil {
			continue
		}
		_, g := pt.rejected[p[0].name]
		_, o := pt.rejected[p[1].name]
		r := result{id: pt.id + " compile", kind: "compile", google: "compiles", ours: "compiles",
			gmsg: pt.rejected[p[0].name], omsg: pt.rejected[p[1].name]}
		if g {
			r.google = "rejected"
		}
		if o {
			r.ours = "rejected"
		}
		if g != o {
			// The other side's acceptance is only known if it loaded a
			// ruleset with this part: reload the part alone to be sure.
			r = confirmPart(ctx, p, project, header, footer, pt, r)
		}
		out = append(out, r)
		for range pt.cases {
			tl.skip("expression rejected by an emulator's compiler")
		}
	}
	// confirmPart replaced the rules; put the accepted ruleset back.
	for i, tg := range p {
		if err := tg.loadRules(project, finalSrc); err != nil {
			return append(out, result{id: project, kind: "harness", google: "harness error", ours: "harness error", gmsg: p[i].name + " reload: " + err.Error()})
		}
	}

	var cases []*fcase
	for _, pt := range active {
		cases = append(cases, pt.cases...)
	}
	var verdicts [2][]verdict
	var wg sync.WaitGroup
	for i, tg := range p {
		wg.Add(1)
		go func() {
			defer wg.Done()
			verdicts[i] = runReads(ctx, tg, project, stored, cases)
		}()
	}
	wg.Wait()
	for j, c := range cases {
		g, o := verdicts[0][j], verdicts[1][j]
		out = append(out, result{id: c.id, kind: c.op.kind, google: g.class(c.op.kind), ours: o.class(c.op.kind), gmsg: g.msg, omsg: o.msg})
	}
	return out
}

// confirmPart loads a part alone on the emulator that did not reject it.
func confirmPart(ctx context.Context, p pair, project, header, footer string, pt *part, r result) result {
	src := header + pt.line + "\n" + footer
	for i, tg := range p {
		if _, rej := pt.rejected[tg.name]; rej {
			continue
		}
		if err := tg.loadRules(project, src); err != nil {
			if i == 0 {
				r.google, r.gmsg = "rejected", err.Error()
			} else {
				r.ours, r.omsg = "rejected", err.Error()
			}
		}
	}
	return r
}

// runReads seeds stored once and runs read-only cases, eight at a time.
func runReads(ctx context.Context, tg *target, project string, stored []storedDoc, cases []*fcase) []verdict {
	out := make([]verdict, len(cases))
	c, err := tg.client(project)
	if err == nil {
		err = tg.seed(ctx, project, stored)
	}
	if err != nil {
		for i := range out {
			out[i] = verdict{code: 2, msg: "harness: " + err.Error()}
		}
		return out
	}
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for i, fc := range cases {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			cctx, cancel := context.WithTimeout(ctx, opTimeout)
			defer cancel()
			out[i] = run(cctx, c, fc.caller.token(project), fc.op)
		}()
	}
	wg.Wait()
	return out
}
