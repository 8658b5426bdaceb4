package push

// Requests of a user being deleted that passed the token checks before
// the deletion revoked the token, and commit after its erase step: they
// must not bring back what the erase removed.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/roomgate/roomgate/internal/claims"
	"github.com/roomgate/roomgate/internal/moderation"
	"github.com/roomgate/roomgate/internal/profiles"
)

// lateWriter stands for such requests: it runs them just after the
// eraser (the ejection is the next duty), then the real ejector.
type lateWriter struct {
	inner claims.Ejector
	fire  func()
}

func (l lateWriter) RemoveEverywhere(ctx context.Context, actor, req, uid, reason string) (int, error) {
	l.fire()
	return l.inner.RemoveEverywhere(ctx, actor, req, uid, reason)
}

// TestLateProfileAndBlockWritesDoNotOutliveADeletion: a profile write
// (discoverable, so with a lookup entry) and a block that commit after
// the erase step are refused as banned, and the deletion leaves nothing
// but the tombstone: no profile, no settings, no lookup entry, no block.
func TestLateProfileAndBlockWritesDoNotOutliveADeletion(t *testing.T) {
	s := newSuite(t)
	ctx := context.Background()
	s.admit("erin", "bob")
	ps := &profiles.Service{Store: &profiles.FirestoreStore{Client: s.fs}}
	ms := &moderation.Service{Store: &moderation.FirestoreStore{Client: s.fs}}
	fired := false
	m := *s.svc.Claims
	m.Ejector = lateWriter{inner: s.svc.Claims.Ejector, fire: func() {
		fired = true
		_, err := ps.Put(ctx, profiles.Identity{UID: "erin", Email: "erin@example.com", EmailVerified: true},
			profiles.Profile{DisplayName: "Erin Realname", Discoverable: true})
		if !errors.Is(err, profiles.ErrBanned) {
			t.Errorf("late profile write = %v, want profiles.ErrBanned", err)
		}
		if err := ms.Block(ctx, "erin", "bob"); !errors.Is(err, moderation.ErrBanned) {
			t.Errorf("late block = %v, want moderation.ErrBanned", err)
		}
	}}
	if _, err := m.DeleteAccount(ctx, "erin", "r-del", "erin"); err != nil {
		t.Fatal(err)
	}
	if !fired {
		t.Fatal("the late writes never ran")
	}
	for _, p := range []string{"privilegeChanges/erin", "profiles/erin", "profileSettings/erin", "users/erin/blocks/bob"} {
		if s.exists(p) {
			t.Errorf("%s exists after the deletion", p)
		}
	}
	if uid, err := ps.Lookup(ctx, "erin@example.com"); !errors.Is(err, profiles.ErrUserNotFound) {
		t.Errorf("lookup of the deleted address = %q, %v", uid, err)
	}
	s.tombstone("erin")
}

// TestABannedUserWritesNoProfileNorBlock: the same refusals through the
// API, for a user banned while holding a token minted before the ban
// (the revocation check is what the in-flight request had passed), and
// an unbanned user writes again.
func TestABannedUserWritesNoProfileNorBlock(t *testing.T) {
	s := newSuite(t)
	ctx := context.Background()
	s.admit("mallory", "bob")
	s.must(200, "PUT", "/v1/me/profile", "mallory", `{"displayName":"M"}`)
	if _, err := s.svc.Claims.Ban(ctx, "root", "r-ban", "mallory"); err != nil {
		t.Fatal(err)
	}
	ps := &profiles.Service{Store: &profiles.FirestoreStore{Client: s.fs}}
	ms := &moderation.Service{Store: &moderation.FirestoreStore{Client: s.fs}}
	if _, err := ps.Put(ctx, profiles.Identity{UID: "mallory"}, profiles.Profile{DisplayName: "Changed"}); !errors.Is(err, profiles.ErrBanned) {
		t.Errorf("profile write of a banned user = %v", err)
	}
	if err := ms.Block(ctx, "mallory", "bob"); !errors.Is(err, moderation.ErrBanned) {
		t.Errorf("block by a banned user = %v", err)
	}
	if p, err := ps.Get(ctx, "mallory"); err != nil || p.DisplayName != "M" {
		t.Errorf("profile after the refused write = %+v, %v", p, err)
	}
	if s.exists("users/mallory/blocks/bob") {
		t.Error("a banned user's block was written")
	}
	if _, err := s.svc.Claims.Unban(ctx, "root", "r-unban", "mallory"); err != nil {
		t.Fatal(err)
	}
	if err := ms.Block(ctx, "mallory", "bob"); err != nil {
		t.Errorf("block after the unban = %v", err)
	}
}

// TestBlocksAreCapped: a new block beyond the cap is refused (409
// block_cap_reached through the API), an existing one may be repeated, and
// unblocking makes room again.
func TestBlocksAreCapped(t *testing.T) {
	s := newSuite(t)
	ctx := context.Background()
	s.admit("alice")
	st := &moderation.FirestoreStore{Client: s.fs}
	now := time.Now()
	for _, u := range []string{"u1", "u2"} {
		if err := st.Block(ctx, "alice", u, now, 2); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Block(ctx, "alice", "u3", now, 2); !errors.Is(err, moderation.ErrBlockCap) {
		t.Fatalf("third block with a cap of 2 = %v", err)
	}
	if err := st.Block(ctx, "alice", "u1", now, 2); err != nil {
		t.Fatalf("repeating a block at the cap = %v", err)
	}
	if s.exists("users/alice/blocks/u3") {
		t.Fatal("the block beyond the cap was written")
	}
	if err := st.Unblock(ctx, "alice", "u2"); err != nil {
		t.Fatal(err)
	}
	if err := st.Block(ctx, "alice", "u3", now, 2); err != nil {
		t.Fatalf("block after an unblock = %v", err)
	}

	// Through the API, at the real cap: fill it directly, then ask.
	col := s.fs.Collection("users").Doc("alice").Collection("blocks")
	for i := 0; i < moderation.MaxBlocks; i += 400 {
		bw := s.fs.BulkWriter(ctx)
		for j := i; j < i+400 && j < moderation.MaxBlocks; j++ {
			if _, err := bw.Set(col.Doc(blockUID(j)), map[string]any{"createdAt": now}); err != nil {
				t.Fatal(err)
			}
		}
		bw.End()
	}
	if code, body := s.call(s.srv.URL, "PUT", "/v1/me/blocks/newcomer", "alice", ""); code != 409 || !strings.Contains(body, "block_cap_reached") {
		t.Fatalf("PUT /v1/me/blocks at the cap = %d %s", code, body)
	}
	s.must(204, "PUT", "/v1/me/blocks/"+blockUID(7), "alice", "")
}

func blockUID(i int) string { return fmt.Sprintf("b%04d", i) }
