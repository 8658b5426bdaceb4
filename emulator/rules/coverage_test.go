package rules

import (
	"sync"
	"testing"
)

const coverageRules = `rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
    match /docs/{d} {
      allow get: if resource.data.n > 0;
    }
    match /never/{d} {
      allow write: if false;
    }
  }
}`

// TestCoverageCounts evaluates a one-allow path many times, from several
// goroutines, to true, false and error, and checks every counter.
func TestCoverageCounts(t *testing.T) {
	rs, err := Compile("cov.rules", []byte(coverageRules))
	if err != nil {
		t.Fatal(err)
	}
	docs := decideDocs{
		"/databases/(default)/documents/docs/pos":  {Path: "/databases/(default)/documents/docs/pos", Data: map[string]any{"n": int64(1)}},
		"/databases/(default)/documents/docs/zero": {Path: "/databases/(default)/documents/docs/zero", Data: map[string]any{"n": int64(0)}},
	}
	get := func(id string) Decision {
		p := "/databases/(default)/documents/docs/" + id
		return rs.Decide(&Request{Method: MethodGet, Path: p, Resource: docs[p], Before: docs})
	}
	const workers, perWorker = 8, 125 // 1000 of each kind
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < perWorker; i++ {
				if !get("pos").Allowed || get("zero").Allowed || get("missing").Allowed {
					t.Error("unexpected decision")
					return
				}
			}
		}()
	}
	wg.Wait()

	cov := rs.Coverage()
	if len(cov) != 2 {
		t.Fatalf("coverage has %d entries, want 2", len(cov))
	}
	c := cov[0]
	if c.Line != 5 || c.Match != "/docs/{d}" || c.Condition != "resource.data.n > 0" {
		t.Errorf("entry 0 = %+v", c)
	}
	if c.True != 1000 || c.False != 1000 || c.Error != 1000 || c.Evaluations() != 3000 {
		t.Errorf("counts = true %d false %d error %d, want 1000 each", c.True, c.False, c.Error)
	}
	if n := cov[1].Evaluations(); n != 0 {
		t.Errorf("unused allow evaluated %d times", n)
	}

	un := rs.Unexercised()
	if len(un) != 1 || un[0].Line != 8 {
		t.Errorf("Unexercised() = %+v, want only the allow at line 8", un)
	}

	rs.ResetCoverage()
	for _, e := range rs.Coverage() {
		if e.Evaluations() != 0 {
			t.Errorf("after reset: %+v", e)
		}
	}
	if len(rs.Unexercised()) != 2 {
		t.Errorf("after reset every allow is unexercised")
	}
}

// TestCoverageStopsAtGrant: allows after the granting one are not
// evaluated, so they are not counted.
func TestCoverageStopsAtGrant(t *testing.T) {
	rs, err := Compile("cov.rules", []byte(`rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
    match /a/{d} {
      allow get: if true;
      allow get: if false;
    }
  }
}`))
	if err != nil {
		t.Fatal(err)
	}
	d := rs.Decide(&Request{Method: MethodGet, Path: "/databases/(default)/documents/a/x"})
	if !d.Allowed || len(d.Outcomes) != 1 {
		t.Fatalf("decision = %+v", d)
	}
	cov := rs.Coverage()
	if cov[0].True != 1 || cov[1].Evaluations() != 0 {
		t.Errorf("coverage = %+v", cov)
	}
}
