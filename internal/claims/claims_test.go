package claims

import (
	"errors"
	"strings"
	"testing"
)

func TestMergeKeepsForeignClaims(t *testing.T) {
	cur := map[string]any{"tier": "gold", "org": map[string]any{"id": 7}, "chat": true, "role": "admin"}
	got := Merge(cur, Desired{Role: "moderator", Banned: true})
	if got["tier"] != "gold" || got["org"].(map[string]any)["id"] != 7 {
		t.Fatalf("foreign claims lost: %v", got)
	}
	if _, ok := got["chat"]; ok {
		t.Fatalf("chat not cleared: %v", got)
	}
	if got["role"] != "moderator" || got["banned"] != true {
		t.Fatalf("owned claims = %v", got)
	}
	if cur["role"] != "admin" {
		t.Fatal("Merge modified its input")
	}
	if _, ok := Merge(nil, Desired{})["banned"]; ok {
		t.Fatal("banned:false should be absent, not false")
	}
}

func TestCheckSize(t *testing.T) {
	if err := CheckSize(map[string]any{"x": strings.Repeat("a", 900)}); err != nil {
		t.Fatal(err)
	}
	if err := CheckSize(map[string]any{"x": strings.Repeat("a", 1000)}); !errors.Is(err, ErrClaimsTooLarge) {
		t.Fatalf("err = %v", err)
	}
}

func TestFromClaims(t *testing.T) {
	d := FromClaims(map[string]any{"chat": true, "role": "admin", "banned": "yes"})
	if !d.Chat || d.Role != "admin" || d.Banned {
		t.Fatalf("%+v", d)
	}
}
