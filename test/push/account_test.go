package push

// Account deletion through the real handlers on the embedded emulators:
// DELETE /v1/me, DELETE /v1/admin/users/{uid}, a deletion the reconciler
// finishes, and the device GC for users deleted outside roomgate.

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"firebase.google.com/go/v4/auth"

	"github.com/roomgate/roomgate/emulator/emutest/emuclient"
	"github.com/roomgate/roomgate/internal/claims"
)

// exists reports whether the document at path exists.
func (s *suite) exists(path string) bool {
	s.t.Helper()
	_, err := s.fs.Doc(path).Get(context.Background())
	return err == nil
}

func (s *suite) authUserExists(uid string) bool {
	s.t.Helper()
	_, err := s.auth.GetUser(context.Background(), uid)
	if err != nil && !auth.IsUserNotFound(err) {
		s.t.Fatal(err)
	}
	return err == nil
}

// ownerOf returns the uid whose member document in roomID has role owner.
func (s *suite) ownerOf(roomID string) string {
	s.t.Helper()
	docs, err := s.fs.Collection("rooms").Doc(roomID).Collection("members").Where("role", "==", "owner").Documents(context.Background()).GetAll()
	if err != nil || len(docs) != 1 {
		s.t.Fatalf("owner of %s: %v, %d owners", roomID, err, len(docs))
	}
	return docs[0].Ref.ID
}

// TestDeleteMeErasesTheAccount: a user with a profile (findable by
// email), a block, a mute, a device, a room they own and one they are in
// deletes their account. Everything that identifies them goes, the room
// they owned passes to the other member, the audit record stays, and the
// same uid signed up again starts from nothing.
func TestDeleteMeErasesTheAccount(t *testing.T) {
	s := newSuite(t)
	ctx := context.Background()
	s.admit("alice", "bob", "carol")
	if _, err := s.auth.UpdateUser(ctx, "alice", (&auth.UserToUpdate{}).Email("alice@example.com").EmailVerified(true)); err != nil {
		t.Fatal(err)
	}
	s.signIn("alice")
	owned := s.room("alice", "bob")
	joined := s.room("bob", "alice")
	s.device("alice", "phone", "fcm-token-alice:APA91bAAAAAAAAAAAAAAAAAAAAAAAAAA")
	s.device("bob", "phone", "fcm-token-bob:APA91bBBBBBBBBBBBBBBBBBBBBBBBBBBB")
	s.must(200, "PUT", "/v1/me/profile", "alice", `{"displayName":"Alice","discoverable":true}`)
	s.must(204, "PUT", "/v1/me/blocks/carol", "alice", "")
	s.must(204, "PUT", "/v1/rooms/"+joined+"/members/me/mute", "alice", "")
	if !s.exists("rooms/"+joined+"/pushMutes/alice") || !s.exists("profileSettings/alice") {
		t.Fatal("setup: mute or profile settings missing")
	}
	s.must(200, "GET", "/v1/users:lookup?email=alice@example.com", "bob", "")

	s.must(204, "DELETE", "/v1/me", "alice", "")

	if s.authUserExists("alice") {
		t.Error("the Auth user still exists")
	}
	for _, p := range []string{
		"privilegeChanges/alice", "profiles/alice", "profileSettings/alice",
		"users/alice/blocks/carol", "rooms/" + joined + "/pushMutes/alice",
		"rooms/" + owned + "/members/alice", "rooms/" + joined + "/members/alice",
		"users/alice/rooms/" + owned, "users/alice/rooms/" + joined,
	} {
		if s.exists(p) {
			t.Errorf("%s still exists", p)
		}
	}
	if ids := s.devices("alice"); len(ids) != 0 {
		t.Errorf("devices left: %v", ids)
	}
	if ids := s.devices("bob"); len(ids) != 1 {
		t.Errorf("bob's devices: %v", ids)
	}
	if got := s.ownerOf(owned); got != "bob" {
		t.Errorf("the room alice owned is owned by %q, want bob", got)
	}
	s.must(404, "GET", "/v1/users:lookup?email=alice@example.com", "bob", "")
	audit, err := s.fs.Collection("audit").Where("target", "==", "alice").Where("action", "==", "user.deleted").Documents(ctx).GetAll()
	if err != nil || len(audit) != 1 {
		t.Fatalf("audit records of the deletion: %d, %v", len(audit), err)
	}
	if by, _ := audit[0].DataAt("details.by"); by != "self" {
		t.Errorf("audit details.by = %v", by)
	}

	// users/alice is the tombstone: banned and deleted, nothing more.
	s.tombstone("alice")

	// The same uid again is refused until an admin lifts the tombstone;
	// then it is a new person, inheriting nothing.
	s.signIn("alice") // signInWithCustomToken creates the user again
	s.must(403, "POST", "/v1/me/claims", "alice", "")
	s.admit("root")
	if _, err := s.svc.Claims.SetRole(ctx, "test", "req-root", "root", "admin"); err != nil {
		t.Fatal(err)
	}
	s.signIn("root")
	s.must(200, "DELETE", "/v1/admin/users/alice/ban", "root", "")
	s.must(200, "POST", "/v1/me/claims", "alice", "")
	s.signIn("alice")
	s.must(404, "GET", "/v1/me/profile", "alice", "")
	if b := s.must(200, "GET", "/v1/rooms", "alice", ""); strings.Contains(b, owned) || strings.Contains(b, joined) {
		t.Errorf("the new alice sees the old rooms: %s", b)
	}
	if b := s.must(200, "GET", "/v1/me/blocks", "alice", ""); strings.Contains(b, "carol") {
		t.Errorf("the new alice inherited blocks: %s", b)
	}
	snap, err := s.fs.Doc("users/alice").Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d := snap.Data(); d["deleted"] != false || d["banned"] != false || d["chat"] != true {
		t.Errorf("the new alice's record = %v, want an ordinary admitted one", d)
	}
}

// tombstone asserts that users/{uid} is a deleted account's tombstone:
// banned and deleted, without chat or role (bannedBeforeDeletion: true
// when the user was banned before), with nothing under it.
func (s *suite) tombstone(uid string) {
	s.t.Helper()
	ctx := context.Background()
	snap, err := s.fs.Doc("users/" + uid).Get(ctx)
	if err != nil {
		s.t.Fatalf("users/%s: %v", uid, err)
	}
	d := snap.Data()
	if d["banned"] != true || d["deleted"] != true || d["chat"] != false || d["role"] != "" {
		s.t.Errorf("users/%s = %v, want a tombstone", uid, d)
	}
	for k := range d {
		switch k {
		case "banned", "deleted", "chat", "role", "claimsVersion":
		case "bannedBeforeDeletion":
			if d[k] != true {
				s.t.Errorf("users/%s.%s = %v, want true or absent", uid, k, d[k])
			}
		default:
			s.t.Errorf("users/%s keeps %s", uid, k)
		}
	}
	subs, err := s.fs.Doc("users/" + uid).Collections(ctx).GetAll()
	if err != nil {
		s.t.Fatal(err)
	}
	for _, c := range subs {
		if docs, err := c.Documents(ctx).GetAll(); err != nil || len(docs) != 0 {
			s.t.Errorf("users/%s/%s: %d documents left, %v", uid, c.ID, len(docs), err)
		}
	}
}

// TestDeleteMeNeedsARecentSignIn: a valid token whose sign-in is an hour
// old is refused with 403 reauthentication_required and nothing happens;
// after signing in again the deletion goes through.
func TestDeleteMeNeedsARecentSignIn(t *testing.T) {
	s := newSuite(t)
	s.admit("dave")
	s.device("dave", "phone", "fcm-token-dave:APA91bDDDDDDDDDDDDDDDDDDDDDDDDDD")
	s.tokens["dave"] = emuclient.IDToken(s.emu.ProjectID, "dave", map[string]any{
		"chat": true, "auth_time": time.Now().Add(-time.Hour).Unix(),
	})
	if b := s.must(403, "DELETE", "/v1/me", "dave", ""); !strings.Contains(b, `"reauthentication_required"`) {
		t.Fatalf("stale sign-in: %s", b)
	}
	if !s.authUserExists("dave") || len(s.devices("dave")) != 1 || s.exists("privilegeChanges/dave") {
		t.Fatal("a refused deletion changed something")
	}
	s.signIn("dave")
	s.must(204, "DELETE", "/v1/me", "dave", "")
	if s.authUserExists("dave") {
		t.Fatal("not deleted after signing in again")
	}
}

// TestAdminDeletesAUser: only an admin, and the deletion is audited with
// the admin as actor.
func TestAdminDeletesAUser(t *testing.T) {
	s := newSuite(t)
	ctx := context.Background()
	s.admit("root", "mallory", "eve")
	if _, err := s.svc.Claims.SetRole(ctx, "test", "req-1", "root", "admin"); err != nil {
		t.Fatal(err)
	}
	s.signIn("root")
	room := s.room("mallory", "eve")
	s.device("mallory", "m1", "fcm-token-mallory:APA91bMMMMMMMMMMMMMMMMMMMMMMMMMM")
	s.must(403, "DELETE", "/v1/admin/users/mallory", "eve", "")
	s.must(204, "DELETE", "/v1/admin/users/mallory", "root", "")
	if s.authUserExists("mallory") || len(s.devices("mallory")) != 0 || s.exists("rooms/"+room+"/members/mallory") {
		t.Fatal("mallory's account is not fully deleted")
	}
	s.tombstone("mallory")
	audit, err := s.fs.Collection("audit").Where("target", "==", "mallory").Where("action", "==", "user.deleted").Documents(ctx).GetAll()
	if err != nil || len(audit) != 1 {
		t.Fatalf("audit: %d, %v", len(audit), err)
	}
	if a, _ := audit[0].DataAt("actor"); a != "root" {
		t.Errorf("audit actor %v", a)
	}
	// Nothing left of mallory but the tombstone: a second deletion finds
	// no one.
	s.must(404, "DELETE", "/v1/admin/users/mallory", "root", "")
}

// failingDelete is the real Admin SDK client whose DeleteUser fails: the
// deletion is interrupted at its last step.
type failingDelete struct{ *auth.Client }

var errAuthDown = errors.New("injected: Auth unreachable")

func (failingDelete) DeleteUser(context.Context, string) error { return errAuthDown }

// TestAnInterruptedDeletionIsFinishedByTheReconciler: the request
// records the deletion and fails at the Auth user; it answers
// ErrChangePending (the API's 503 change_pending), the user is refused
// everywhere meanwhile, and a reconciler pass (later, on a fresh manager)
// finishes it.
func TestAnInterruptedDeletionIsFinishedByTheReconciler(t *testing.T) {
	s := newSuite(t)
	ctx := context.Background()
	s.admit("frank", "grace")
	room := s.room("grace", "frank")
	s.device("frank", "phone", "fcm-token-frank:APA91bFFFFFFFFFFFFFFFFFFFFFFFFFF")

	dying := *s.svc.Claims
	dying.Auth = failingDelete{s.auth}
	if _, err := dying.DeleteAccount(ctx, "frank", "req-del", "frank"); !errors.Is(err, claims.ErrChangePending) || !errors.Is(err, errAuthDown) {
		t.Fatalf("DeleteAccount = %v, want ErrChangePending wrapping the failure", err)
	}
	if !s.exists("privilegeChanges/frank") || !s.authUserExists("frank") {
		t.Fatal("want the marker kept and the Auth user still there")
	}
	// Recorded: roomgate refuses frank at once (no admission, no role).
	if _, err := s.svc.Claims.Admit(ctx, "frank", "req-admit"); !errors.Is(err, claims.ErrUserNotFound) {
		t.Fatalf("Admit during the deletion = %v, want ErrUserNotFound", err)
	}
	if _, err := s.svc.Claims.SetRole(ctx, "root", "req-role", "frank", "admin"); !errors.Is(err, claims.ErrUserNotFound) {
		t.Fatalf("SetRole during the deletion = %v, want ErrUserNotFound", err)
	}

	fresh := *s.svc.Claims
	fresh.Now = func() time.Time { return time.Now().Add(10 * time.Minute) }
	if n, err := fresh.Reconcile(ctx); n != 1 || err != nil {
		t.Fatalf("Reconcile = %d, %v; want 1, nil", n, err)
	}
	if s.authUserExists("frank") || s.exists("privilegeChanges/frank") ||
		s.exists("rooms/"+room+"/members/frank") || len(s.devices("frank")) != 0 {
		t.Fatal("the reconciler did not finish the deletion")
	}
	s.tombstone("frank")
}

// TestDeviceGCDropsDevicesOfUsersDeletedElsewhere: a user deleted with
// the Admin SDK directly loses their devices on the next GC pass; living
// users keep theirs.
func TestDeviceGCDropsDevicesOfUsersDeletedElsewhere(t *testing.T) {
	s := newSuite(t)
	ctx := context.Background()
	s.admit("henry", "ivy")
	s.device("henry", "phone", "fcm-token-henry:APA91bHHHHHHHHHHHHHHHHHHHHHHHHHH")
	s.device("henry", "tablet", "fcm-token-henry2:APA91bHHHHHHHHHHHHHHHHHHHHHHHHH")
	s.device("ivy", "phone", "fcm-token-ivy:APA91bIIIIIIIIIIIIIIIIIIIIIIIIIIII")
	if err := s.auth.DeleteUser(ctx, "henry"); err != nil {
		t.Fatal(err)
	}
	// One owner per batch: a single pass still covers every owner.
	s.svc.DeviceGC.Batch, s.svc.DeviceGC.Pause = 1, -1
	res, err := s.svc.DeviceGC.Pass(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Checked != 2 || res.Dropped != 1 {
		t.Errorf("pass = %+v, want 2 checked, 1 dropped", res)
	}
	if ids := s.devices("henry"); len(ids) != 0 {
		t.Errorf("henry's devices: %v", ids)
	}
	if ids := s.devices("ivy"); len(ids) != 1 {
		t.Errorf("ivy's devices: %v", ids)
	}
	// A device document outside users/{uid}/devices, or naming another
	// uid, is not ours to judge: the pass leaves it alone.
	if _, err := s.fs.Doc("users/ivy/devices/forged").Set(ctx, map[string]any{"uid": "ghost", "token": "t"}); err != nil {
		t.Fatal(err)
	}
	if res, err := s.svc.DeviceGC.Pass(ctx); err != nil || res.Dropped != 0 {
		t.Errorf("second pass = %+v, %v", res, err)
	}
	if !s.exists("users/ivy/devices/forged") {
		t.Error("a mismatched device document was dropped")
	}
}
