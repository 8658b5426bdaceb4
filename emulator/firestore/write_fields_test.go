package firestore

import (
	"context"
	"testing"

	"cloud.google.com/go/firestore"
)

// TestRulesWriteFields: the emulator passes each write's update mask and
// transforms to the rules, so request.writeFields lists what the Go client
// wrote, as Google's emulator lists it (null for a set without merge and a
// delete; transforms first; the mask in java.util.HashMap order, escaped).
func TestRulesWriteFields(t *testing.T) {
	srv := newTestServer(t)
	// The expected value for a write to w/{d} is the field v of expect/{d}.
	loadRules(t, srv, `rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
    match /w/{d} {
      allow write: if request.writeFields == get(/databases/$(database)/documents/expect/$(d)).data.v;
    }
  }
}`)
	ctx := context.Background()
	admin := adminClient(t, srv)
	alice := userClient(t, srv, "alice", nil)
	base := map[string]any{"x": 0, "y": 1, "m": map[string]any{"p": 1, "q": 2}}

	cases := []struct {
		name  string
		want  any // the expected request.writeFields
		write func(d *firestore.DocumentRef) error
	}{
		{"set", nil, func(d *firestore.DocumentRef) error { _, err := d.Set(ctx, map[string]any{"x": 1}); return err }},
		{"set-merge", []any{"x", "m.p"}, func(d *firestore.DocumentRef) error {
			_, err := d.Set(ctx, map[string]any{"x": 1, "m": map[string]any{"p": 5}}, firestore.MergeAll)
			return err
		}},
		{"update-nested", []any{"m.p"}, func(d *firestore.DocumentRef) error {
			_, err := d.Update(ctx, []firestore.Update{{Path: "m.p", Value: 2}})
			return err
		}},
		{"update-delete-field", []any{"y"}, func(d *firestore.DocumentRef) error {
			_, err := d.Update(ctx, []firestore.Update{{Path: "y", Value: firestore.Delete}})
			return err
		}},
		{"update-transforms", []any{"t", "x"}, func(d *firestore.DocumentRef) error {
			_, err := d.Update(ctx, []firestore.Update{{Path: "t", Value: firestore.ServerTimestamp}, {Path: "x", Value: firestore.Increment(1)}})
			return err
		}},
		{"set-transform", []any{"t"}, func(d *firestore.DocumentRef) error {
			_, err := d.Set(ctx, map[string]any{"x": 1, "t": firestore.ServerTimestamp})
			return err
		}},
		{"update-escaped", []any{`a\.b`, "c d"}, func(d *firestore.DocumentRef) error {
			_, err := d.Update(ctx, []firestore.Update{{FieldPath: firestore.FieldPath{"a.b"}, Value: 1}, {FieldPath: firestore.FieldPath{"c d"}, Value: 1}})
			return err
		}},
		{"update-order", []any{"yy", "a", "ab", "b", "c", "zq", "m.p", "m.q"}, func(d *firestore.DocumentRef) error {
			var ups []firestore.Update
			for _, p := range []string{"zq", "b", "yy", "a", "m.q", "m.p", "ab", "c"} {
				ups = append(ups, firestore.Update{Path: p, Value: 1})
			}
			_, err := d.Update(ctx, ups)
			return err
		}},
		{"delete", nil, func(d *firestore.DocumentRef) error { _, err := d.Delete(ctx); return err }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := admin.Doc("w/"+c.name).Set(ctx, base); err != nil {
				t.Fatal(err)
			}
			// A wrong expectation denies: the rule can fail.
			if _, err := admin.Doc("expect/"+c.name).Set(ctx, map[string]any{"v": []any{"wrong"}}); err != nil {
				t.Fatal(err)
			}
			assertDenied(t, c.write(alice.Doc("w/"+c.name)), c.name+" against a wrong expectation")
			if _, err := admin.Doc("expect/"+c.name).Set(ctx, map[string]any{"v": c.want}); err != nil {
				t.Fatal(err)
			}
			if err := c.write(alice.Doc("w/" + c.name)); err != nil {
				t.Fatalf("request.writeFields is not %v: %v", c.want, err)
			}
		})
	}
}
