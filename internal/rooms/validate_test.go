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
			_, err := lim.ParseCreate("me", c.req)
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
	for _, n := range []int{-1, 0, MaxPageSize + 1} {
		if _, err := ParseListQuery(n, ""); err == nil {
			t.Errorf("limit %d accepted", n)
		}
	}
	if _, err := ParseListQuery(5, "garbage!"); !errors.Is(err, ErrBadCursor) {
		t.Errorf("bad cursor: %v", err)
	}
}

// TestServiceRefusesUnvalidatedRequests: the use cases take only values
// made by the Parse functions, for the same caller and Limits; anything
// else is ErrNotValidated before the Store (nil here) is touched.
func TestServiceRefusesUnvalidatedRequests(t *testing.T) {
	ctx := context.Background()
	s := &Service{}
	alice := Actor{UID: "alice"}
	room, err := ParseRoomID("AAAAAAAAAAAAAAAAAAAAAA")
	if err != nil {
		t.Fatal(err)
	}
	forBob, err := s.ParseCreate("bob", CreateRequest{})
	if err != nil {
		t.Fatal(err)
	}
	tight, err := Limits{MaxMembers: 3, MaxTitleRunes: 5}.ParseCreate("alice", CreateRequest{})
	if err != nil {
		t.Fatal(err)
	}
	addForBob, err := s.ParseAdd("bob", room, []string{"carol"})
	if err != nil {
		t.Fatal(err)
	}
	calls := map[string]func() error{
		"zero NewRoom":          func() error { _, err := s.Create(ctx, alice, NewRoom{}, nil); return err },
		"NewRoom of another":    func() error { _, err := s.Create(ctx, alice, forBob, nil); return err },
		"NewRoom, other Limits": func() error { _, err := s.Create(ctx, alice, tight, nil); return err },
		"zero NewMembers":       func() error { _, _, err := s.AddMembers(ctx, alice, NewMembers{}); return err },
		"NewMembers of another": func() error { _, _, err := s.AddMembers(ctx, alice, addForBob); return err },
		"zero RoomID in Get":    func() error { _, err := s.Get(ctx, "alice", RoomID{}); return err },
		"zero RoomID in Delete": func() error { return s.Delete(ctx, alice, RoomID{}) },
		"zero UID in Remove":    func() error { _, err := s.RemoveMember(ctx, alice, room, UID{}); return err },
		"zero ListQuery":        func() error { _, err := s.List(ctx, "alice", ListQuery{}); return err },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, ErrNotValidated) {
			t.Errorf("%s: %v, want ErrNotValidated", name, err)
		}
	}
	if _, err := s.ParseAdd("alice", RoomID{}, []string{"bob"}); !errors.Is(err, ErrNotValidated) {
		t.Errorf("ParseAdd with a zero RoomID: %v", err)
	}
}

// TestParsedRequestsDoNotAliasTheirInput: changing the slice that was
// validated cannot smuggle an invalid uid past validation.
func TestParsedRequestsDoNotAliasTheirInput(t *testing.T) {
	members := []string{"bob"}
	v, err := DefaultLimits.ParseCreate("alice", CreateRequest{Members: members})
	if err != nil {
		t.Fatal(err)
	}
	members[0] = "../etc"
	if got := v.Request().Members[0]; got != "bob" {
		t.Fatalf("NewRoom follows its input: %q", got)
	}
	v.Request().Members[0] = "alice"
	if got := v.Request().Members[0]; got != "bob" {
		t.Fatalf("NewRoom follows its output: %q", got)
	}
	room, _ := ParseRoomID("AAAAAAAAAAAAAAAAAAAAAA")
	uids := []string{"bob"}
	add, err := DefaultLimits.ParseAdd("alice", room, uids)
	if err != nil {
		t.Fatal(err)
	}
	uids[0] = "alice"
	add.UIDs()[0] = "alice"
	if got := add.UIDs()[0]; got != "bob" {
		t.Fatalf("NewMembers aliases: %q", got)
	}
	if v.Request().Kind != KindGroup {
		t.Fatalf("empty kind parsed as %q, want group", v.Request().Kind)
	}
}

func TestParseRoomIDAndUID(t *testing.T) {
	var inv *InvalidError
	if _, err := ParseRoomID("AAAA"); !errors.As(err, &inv) || inv.Field != "id" {
		t.Errorf("short room ID: %v", err)
	}
	if _, err := ParseUID("__x__"); !errors.As(err, &inv) || inv.Field != "uid" {
		t.Errorf("reserved uid: %v", err)
	}
	if u, err := ParseUID("bob"); err != nil || u.String() != "bob" {
		t.Errorf("ParseUID(bob) = %v, %v", u, err)
	}
}
