package firestore

import (
	"context"
	"math"
	"testing"
)

// TestWriteZeroOverNegativeZero: writing 0.0 over a stored -0.0 (at the top
// level and nested) changes the document; it is not taken for a no-op,
// which would keep the -0.0 for readers and for rules (request.resource).
func TestWriteZeroOverNegativeZero(t *testing.T) {
	srv := newTestServer(t)
	c := adminClient(t, srv)
	ctx := context.Background()
	ref := c.Doc("z/a")
	negZero := math.Copysign(0, -1)
	if _, err := ref.Set(ctx, map[string]any{"n": negZero, "l": []any{negZero}, "m": map[string]any{"a": negZero}}); err != nil {
		t.Fatal(err)
	}
	if _, err := ref.Set(ctx, map[string]any{"n": 0.0, "l": []any{0.0}, "m": map[string]any{"a": 0.0}}); err != nil {
		t.Fatal(err)
	}
	snap, err := ref.Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	d := snap.Data()
	n, _ := d["n"].(float64)
	l, _ := d["l"].([]any)
	m, _ := d["m"].(map[string]any)
	if len(l) != 1 || m == nil {
		t.Fatalf("unexpected document %v", d)
	}
	le, _ := l[0].(float64)
	ma, _ := m["a"].(float64)
	if math.Signbit(n) || math.Signbit(le) || math.Signbit(ma) {
		t.Fatalf("a stored -0.0 survived a write of 0.0: %v", d)
	}
}
