package rooms

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestValidateCreate(t *testing.T) {
	lim := Limits{MaxMembers: 5, MaxTitleRunes: 10}
	cases := []struct {
		name  string
		req   CreateRequest
		field string // "" means valid
	}{
		{"an empty group room", CreateRequest{Kind: KindGroup}, ""},
		{"a full room", CreateRequest{Kind: KindGroup, Members: []string{"a", "b", "c", "d"}}, ""},
		{"one over the cap", CreateRequest{Kind: KindGroup, Members: []string{"a", "b", "c", "d", "e"}}, "members"},
		{"ten runes fit", CreateRequest{Kind: KindGroup, Title: strings.Repeat("ü", 10)}, ""},
		{"eleven runes do not", CreateRequest{Kind: KindGroup, Title: strings.Repeat("ü", 11)}, "title"},
		{"invalid UTF-8", CreateRequest{Kind: KindGroup, Title: "\xff"}, "title"},
		{"a newline", CreateRequest{Kind: KindGroup, Title: "a\nb"}, "title"},
		{"blank", CreateRequest{Kind: KindGroup, Title: "\t "}, "title"},
		{"a right-to-left override", CreateRequest{Kind: KindGroup, Title: "a\u202Egpj.exe"}, "title"},
		{"a bidi isolate", CreateRequest{Kind: KindGroup, Title: "a\u2066b"}, "title"},
		{"a line separator", CreateRequest{Kind: KindGroup, Title: "a\u2028b"}, "title"},
		{"an emoji with zero-width joiners", CreateRequest{Kind: KindGroup, Title: "\U0001F468\u200D\U0001F469"}, ""},
		{"Arabic text", CreateRequest{Kind: KindGroup, Title: "مرحبا"}, ""},
		{"unknown kind", CreateRequest{Kind: "secret"}, "kind"},
		{"direct with none", CreateRequest{Kind: KindDirect}, "members"},
		{"direct with one", CreateRequest{Kind: KindDirect, Members: []string{"b"}}, ""},
		{"direct with two", CreateRequest{Kind: KindDirect, Members: []string{"b", "c"}}, "members"},
		{"the caller listed", CreateRequest{Kind: KindGroup, Members: []string{"me"}}, "members"},
		{"a duplicate", CreateRequest{Kind: KindGroup, Members: []string{"a", "a"}}, "members"},
		{"a path in a uid", CreateRequest{Kind: KindGroup, Members: []string{"a/b"}}, "members"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := ValidateCreate("me", c.req, lim)
			if c.field == "" {
				if err != nil {
					t.Fatalf("unexpected %v", err)
				}
				return
			}
			var inv *InvalidError
			if !errors.As(err, &inv) || inv.Field != c.field {
				t.Fatalf("err = %v, want invalid %s", err, c.field)
			}
		})
	}
}

func TestDirectKeyIsSymmetricAndOpaque(t *testing.T) {
	if DirectKey("alice", "bob") != DirectKey("bob", "alice") {
		t.Fatal("not symmetric")
	}
	if DirectKey("alice", "bob") == DirectKey("alice", "carol") {
		t.Fatal("collision")
	}
	// "a\x00b" framing: ("ab","c") and ("a","bc") must differ.
	if DirectKey("ab", "c") == DirectKey("a", "bc") {
		t.Fatal("pair framing is ambiguous")
	}
	if k := DirectKey("alice", "bob"); strings.Contains(k, "alice") || len(k) != 64 {
		t.Fatalf("key %q", k)
	}
}

func TestCursorRoundTripAndRejects(t *testing.T) {
	c := Cursor{JoinedAt: time.Date(2026, 5, 6, 7, 8, 9, 123456000, time.UTC), RoomID: "AbCdEfGhIjKlMnOpQrStUv"}
	got, err := DecodeCursor(EncodeCursor(c))
	if err != nil || !got.JoinedAt.Equal(c.JoinedAt) || got.RoomID != c.RoomID {
		t.Fatalf("round trip: %+v %v", got, err)
	}
	last := Cursor{JoinedAt: time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC), RoomID: c.RoomID}
	if got, err := DecodeCursor(EncodeCursor(last)); err != nil || !got.JoinedAt.Equal(last.JoinedAt) {
		t.Fatalf("the last Firestore timestamp: %+v %v", got, err)
	}
	for _, bad := range []string{"", "!!!", "djE", EncodeCursor(Cursor{RoomID: "short"}),
		"djEuLTEuQWJDZEVmR2hJaktsTW5PcFFyU3RVdg", // v1.-1.<id>
		"djIuMS5BYkNkRWZHaElqS2xNbk9wUXJTdFV2",   // v2.1.<id>
		strings.Repeat("A", 200),
		EncodeCursor(Cursor{JoinedAt: time.UnixMicro(maxCursorMicros + 1), RoomID: "AbCdEfGhIjKlMnOpQrStUv"}),
		base64.RawURLEncoding.EncodeToString([]byte("v1.9223372036854775807.AbCdEfGhIjKlMnOpQrStUv"))} {
		if _, err := DecodeCursor(bad); !errors.Is(err, ErrBadCursor) {
			t.Errorf("DecodeCursor(%q) = %v", bad, err)
		}
	}
}

func TestListRejectsBadLimits(t *testing.T) {
	s := &Service{}
	for _, n := range []int{-1, MaxPageSize + 1} {
		if _, err := s.List(context.Background(), "u", n, ""); err == nil {
			t.Errorf("limit %d accepted", n)
		}
	}
	if _, err := s.List(context.Background(), "u", 5, "garbage!"); !errors.Is(err, ErrBadCursor) {
		t.Errorf("bad cursor: %v", err)
	}
}
