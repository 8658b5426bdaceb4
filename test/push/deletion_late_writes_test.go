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

	"cloud.google.com/go/firestore"
	firestorepb "cloud.google.com/go/firestore/apiv1/firestorepb"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/roomgate/roomgate/internal/app"
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

// TestADeletionErasesBlocksInChunksThatSurviveAFailure: blocks are erased
// in chunks, one commit each. A user holding more than the cap (written
// directly, as data from before the cap) is deleted by an instance whose
// second chunk's commit fails: the first chunk stays deleted, the
// deletion stays recorded, and the reconciler erases the rest and leaves
// only the tombstone.
func TestADeletionErasesBlocksInChunksThatSurviveAFailure(t *testing.T) {
	s := newSuite(t)
	ctx := context.Background()
	s.admit("zoe")
	col := s.fs.Collection("users").Doc("zoe").Collection("blocks")
	n := moderation.MaxBlocks + 1
	bw := s.fs.BulkWriter(ctx)
	for i := 0; i < n; i++ {
		if _, err := bw.Set(col.Doc(blockUID(i)), map[string]any{"createdAt": time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	bw.End()
	if got := len(s.fsDocs(col)); got != n {
		t.Fatalf("setup: %d blocks, want %d", got, n)
	}

	var blockCommits []int
	conn, err := grpc.NewClient(s.emu.FirestoreAddr, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithPerRPCCredentials(slowCreds{}),
		grpc.WithChainUnaryInterceptor(func(ctx context.Context, m string, req, reply any, cc *grpc.ClientConn, inv grpc.UnaryInvoker, o ...grpc.CallOption) error {
			if c, ok := req.(*firestorepb.CommitRequest); ok && len(c.Writes) > 0 && strings.Contains(c.Writes[0].GetDelete(), "/users/zoe/blocks/") {
				blockCommits = append(blockCommits, len(c.Writes))
				if len(blockCommits) == 2 {
					return status.Error(codes.PermissionDenied, "injected: the second chunk fails")
				}
			}
			return inv(ctx, m, req, reply, cc, o...)
		}))
	if err != nil {
		t.Fatal(err)
	}
	failingFS, err := firestore.NewClient(ctx, s.emu.ProjectID, option.WithGRPCConn(conn))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { failingFS.Close() })
	failing := app.Assemble(s.cfg, failingFS, s.auth, nil)
	if _, err := failing.Claims.DeleteAccount(ctx, "zoe", "r-del", "zoe"); !errors.Is(err, claims.ErrChangePending) {
		t.Fatalf("deletion with a failing chunk = %v, want ErrChangePending", err)
	}
	// Chunks, not one commit per block (1000 round trips), nor one commit
	// of everything (beyond a commit's 500 writes).
	if len(blockCommits) != 2 || blockCommits[0] < 100 || blockCommits[0] > 500 {
		t.Fatalf("block commits %v: want a first chunk of 100 to 500 deletes, then the failing one", blockCommits)
	}
	if left := len(s.fsDocs(col)); left != n-blockCommits[0] {
		t.Fatalf("%d blocks left after the failed attempt, want %d (the first chunk kept)", left, n-blockCommits[0])
	}

	m := *s.svc.Claims
	m.Now = func() time.Time { return time.Now().Add(time.Hour) } // past the lease and backoff
	if _, err := m.Reconcile(ctx); err != nil {
		t.Fatal(err)
	}
	if left := s.fsDocs(col); len(left) != 0 {
		t.Fatalf("%d blocks left after the reconciler", len(left))
	}
	if s.exists("privilegeChanges/zoe") {
		t.Fatal("the deletion is still recorded")
	}
	s.tombstone("zoe")
}

// fsDocs lists the document IDs of col.
func (s *suite) fsDocs(col *firestore.CollectionRef) []string {
	s.t.Helper()
	docs, err := col.Select().Documents(context.Background()).GetAll()
	if err != nil {
		s.t.Fatal(err)
	}
	out := make([]string, len(docs))
	for i, d := range docs {
		out[i] = d.Ref.ID
	}
	return out
}
