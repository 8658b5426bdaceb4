package rules

import (
	"strconv"
	"strings"
	"testing"
)

const denialRules = `rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
    match /notes/{n} {
      allow read: if resource.data.owner == 'alice';
      allow create: if request.resource.data.n > 0;
      allow create: if request.resource.data.m.x == 1;
    }
    match /deep/{d} {
      allow get: if exists(/databases/$(database)/documents/a/a1) && exists(/databases/$(database)/documents/a/a2)
        && exists(/databases/$(database)/documents/a/a3) && exists(/databases/$(database)/documents/a/a4)
        && exists(/databases/$(database)/documents/a/a5) && exists(/databases/$(database)/documents/a/a6)
        && exists(/databases/$(database)/documents/a/a7) && exists(/databases/$(database)/documents/a/a8)
        && exists(/databases/$(database)/documents/a/a9) && exists(/databases/$(database)/documents/a/a10)
        && exists(/databases/$(database)/documents/a/a11);
    }
  }
}`

// TestDenialFields checks the typed denial of every kind: its fields, and
// that Reason renders them.
func TestDenialFields(t *testing.T) {
	rs, err := Compile("denial.rules", []byte(denialRules))
	if err != nil {
		t.Fatal(err)
	}
	const root = "/databases/(default)/documents"
	all := decideDocs{}
	for i := 1; i <= 11; i++ {
		p := root + "/a/a" + strconv.Itoa(i)
		all[p] = &Document{Path: p}
	}

	t.Run("conditions", func(t *testing.T) {
		d := rs.Decide(&Request{Method: MethodCreate, Path: root + "/notes/x", Incoming: &Document{Data: map[string]any{"n": int64(0)}}})
		dn := d.Denial
		if d.Allowed || dn == nil || dn.Kind != DeniedConditions || dn.Op != -1 || dn.Method != MethodCreate || dn.Path != root+"/notes/x" {
			t.Fatalf("denial = %+v", dn)
		}
		if len(dn.Outcomes) != 2 || dn.Outcomes[0].Line != 6 || dn.Outcomes[0].Result != ResultFalse || dn.Outcomes[1].Line != 7 || dn.Outcomes[1].Result != ResultError || dn.Outcomes[1].Err == "" {
			t.Fatalf("outcomes = %+v", dn.Outcomes)
		}
		want := "denied: false for 'create' @ L6, " + dn.Outcomes[1].Err + " for 'create' @ L7"
		if d.Reason() != want {
			t.Errorf("reason = %q, want %q", d.Reason(), want)
		}
	})

	t.Run("no match", func(t *testing.T) {
		d := rs.Decide(&Request{Method: MethodDelete, Path: root + "/notes/x"})
		if dn := d.Denial; d.Allowed || dn == nil || dn.Kind != DeniedNoMatch || len(dn.Outcomes) != 0 || dn.Method != MethodDelete {
			t.Fatalf("denial = %+v", dn)
		}
		if want := "denied: no allow statement matches 'delete' on " + root + "/notes/x"; d.Reason() != want {
			t.Errorf("reason = %q, want %q", d.Reason(), want)
		}
	})

	t.Run("limit", func(t *testing.T) {
		d := rs.Decide(&Request{Method: MethodGet, Path: root + "/deep/x", Before: all})
		if dn := d.Denial; d.Allowed || dn == nil || dn.Kind != DeniedLimit || dn.Limit != LimitAccessCalls || len(dn.Outcomes) != 1 {
			t.Fatalf("denial = %+v", dn)
		}
		if !strings.HasPrefix(d.Reason(), "denied: access call limit exceeded (10 per operation, 20 per batch): ") {
			t.Errorf("reason = %q", d.Reason())
		}
	})

	t.Run("invalid", func(t *testing.T) {
		d := rs.Decide(&Request{Method: MethodList, Path: root + "/notes/x"})
		if dn := d.Denial; d.Allowed || dn == nil || dn.Kind != DeniedInvalid || !strings.Contains(dn.Detail, "not a single-document method") {
			t.Fatalf("denial = %+v", dn)
		}
	})

	t.Run("batch", func(t *testing.T) {
		ok := &Document{Data: map[string]any{"n": int64(1)}}
		bad := &Document{Data: map[string]any{"n": int64(0)}}
		bd := rs.DecideBatch([]*Request{
			{Method: MethodCreate, Path: root + "/notes/a", Incoming: ok},
			{Method: MethodCreate, Path: root + "/notes/b", Incoming: bad},
			{Method: MethodCreate, Path: root + "/notes/c", Incoming: bad},
		})
		dn := bd.Denial
		if bd.Allowed || dn == nil || dn.Op != 1 || dn.Path != root+"/notes/b" || dn.Kind != DeniedConditions {
			t.Fatalf("denial = %+v", dn)
		}
		if bd.Ops[1].Denial.Op != -1 {
			t.Errorf("the operation's own denial was changed: %+v", bd.Ops[1].Denial)
		}
		if !strings.HasPrefix(bd.Reason(), "denied: operation 1 (create "+root+"/notes/b): denied: false for 'create' @ L6") {
			t.Errorf("reason = %q", bd.Reason())
		}
		if dn.Cause() != bd.Ops[1].Denial.Cause() {
			t.Errorf("cause %q != operation's %q", dn.Cause(), bd.Ops[1].Denial.Cause())
		}
		if nilOp := rs.DecideBatch([]*Request{nil}); nilOp.Denial == nil || nilOp.Denial.Kind != DeniedInvalid || nilOp.Reason() != "denied: operation 0 is nil" {
			t.Errorf("nil operation: %+v %q", nilOp.Denial, nilOp.Reason())
		}
	})

	t.Run("query disjunct", func(t *testing.T) {
		d := rs.DecideQuery(&Query{Parent: root, CollectionID: "notes", Where: &Filter{Op: OpIn, Field: "owner", Value: []any{"alice", "bob"}}})
		dn := d.Denial
		if d.Allowed || dn == nil || dn.Kind != DeniedConditions || dn.Method != MethodList || dn.Disjunct != 2 || dn.Disjuncts != 2 || dn.DisjunctText == "" {
			t.Fatalf("denial = %+v", dn)
		}
		if !strings.HasPrefix(d.Reason(), "denied: disjunct 2 of 2 (") || !strings.HasSuffix(d.Reason(), "): false for 'list' @ L5") {
			t.Errorf("reason = %q", d.Reason())
		}
	})

	t.Run("allowed", func(t *testing.T) {
		d := rs.Decide(&Request{Method: MethodCreate, Path: root + "/notes/x", Incoming: &Document{Data: map[string]any{"n": int64(1)}}})
		if !d.Allowed || d.Denial != nil || d.Reason() != "allowed: 'create' granted by allow @ L6 in match /notes/{n}" {
			t.Errorf("decision = %+v, reason %q", d, d.Reason())
		}
	})
}
