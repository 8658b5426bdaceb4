package push

// Account deletion against the ways around it: a banned user deleting
// the account to shed the ban, a new sign-in while a deletion is
// unfinished, a user in many rooms under a short lease, and push mutes
// outliving a membership.

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"cloud.google.com/go/firestore"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/roomgate/roomgate/internal/app"
	"github.com/roomgate/roomgate/internal/claims"
	"github.com/roomgate/roomgate/internal/rooms"
)

// TestABannedUserCannotShedTheBanByDeletingTheAccount: a banned user with
// a stable uid (custom tokens) deletes the account, signs in again under
// the same uid and is refused admission, rooms and devices: the
// tombstone keeps the ban.
func TestABannedUserCannotShedTheBanByDeletingTheAccount(t *testing.T) {
	s := newSuite(t)
	ctx := context.Background()
	s.admit("mallory", "bob", "carol")
	if _, err := s.svc.Claims.Ban(ctx, "root", "r-ban", "mallory"); err != nil {
		t.Fatal(err)
	}
	s.signIn("mallory")
	s.must(204, "DELETE", "/v1/me", "mallory", "")
	s.tombstone("mallory")

	s.signIn("mallory") // creates the Auth user again under the same uid
	s.must(403, "POST", "/v1/me/claims", "mallory", "")
	if _, err := s.svc.Claims.Admit(ctx, "mallory", "r-a"); !errors.Is(err, claims.ErrBanned) {
		t.Fatalf("Admit after re-signup = %v, want ErrBanned", err)
	}
	s.must(403, "PUT", "/v1/me/devices/phone", "mallory", `{"token":"fcm-token-mallory:APA91bMMMMMMMMMMMMMMMMMMMMMMMMMM","platform":"android"}`)
	if code, body := s.call(s.srv.URL, "POST", "/v1/rooms", "mallory", `{"members":["bob"],"title":"t","kind":"group"}`); code != 403 {
		t.Fatalf("room creation after re-signup: %d %s", code, body)
	}
	// bob adding mallory meets the tombstone too.
	room := s.room("bob", "carol")
	if code, body := s.call(s.srv.URL, "POST", "/v1/rooms/"+room+"/members", "bob", `{"members":["mallory"]}`); code/100 == 2 {
		t.Fatalf("adding the deleted, banned uid: %d %s", code, body)
	}
	if s.exists("rooms/" + room + "/members/mallory") {
		t.Fatal("the deleted, banned uid was added to a room")
	}
	// A second deletion of the new account leaves the tombstone as it was.
	s.signIn("mallory")
	s.must(204, "DELETE", "/v1/me", "mallory", "")
	s.tombstone("mallory")
}

// failingEjector stalls a deletion at its ejection step.
type failingEjector struct{}

func (failingEjector) RemoveEverywhere(context.Context, string, string, string, string) (int, error) {
	return 0, errors.New("injected: ejection stalls")
}

// TestAnUnfinishedDeletionGrantsNothingToANewSignIn: a deletion stalls
// before the ejection. Its first duty already set the Auth claims to
// banned without chat, so signing in again yields a token that reads no
// room, registers no device (no push reaches the user) and manages no
// room.
func TestAnUnfinishedDeletionGrantsNothingToANewSignIn(t *testing.T) {
	s := newSuite(t)
	ctx := context.Background()
	s.admit("frank", "grace")
	room := s.room("grace", "frank")
	owned := s.room("frank", "grace")
	dying := *s.svc.Claims
	dying.Ejector = failingEjector{}
	if _, err := dying.DeleteAccount(ctx, "frank", "req-del", "frank"); !errors.Is(err, claims.ErrChangePending) {
		t.Fatalf("DeleteAccount = %v, want ErrChangePending", err)
	}
	u, err := s.auth.GetUser(ctx, "frank")
	if err != nil {
		t.Fatal(err)
	}
	if c := u.CustomClaims; c["banned"] != true || c["chat"] != nil || c["role"] != nil {
		t.Fatalf("Auth claims during the unfinished deletion: %v", c)
	}
	// Revocation works in whole seconds: a token minted in the same
	// second as the revocation would count as revoked.
	time.Sleep(1100 * time.Millisecond)
	s.signIn("frank")
	token := "fcm-token-frank:APA91bFFFFFFFFFFFFFFFFFFFFFFFFFF"
	s.must(403, "PUT", "/v1/me/devices/phone2", "frank", `{"token":"`+token+`","platform":"android"}`)
	if n := len(s.devices("frank")); n != 0 {
		t.Fatalf("frank has %d devices", n)
	}
	s.must(403, "GET", "/v1/rooms/"+room, "frank", "")
	s.must(403, "PATCH", "/v1/rooms/"+owned, "frank", `{"title":"mine still"}`)
	msg := s.send("grace", room)
	if code := s.deliver(s.srv.URL, room, msg); code/100 != 2 {
		t.Fatalf("deliver %d", code)
	}
	for _, m := range s.fcm.Messages() {
		if m.Token == token {
			t.Fatal("a push reached the device registered during the deletion")
		}
	}
	// The store itself refuses a management change by the banned owner,
	// whatever the route let through.
	store := &rooms.FirestoreStore{Client: s.fs}
	err = store.SetTitle(ctx, rooms.TitleParams{Actor: rooms.Actor{UID: "frank"}, RoomID: owned, Title: "x", Now: time.Now()})
	if !errors.Is(err, rooms.ErrActorBanned) {
		t.Fatalf("SetTitle by the owner being deleted = %v, want ErrActorBanned", err)
	}
}

// slowCreds authenticates the slowed client as the emulator's owner.
type slowCreds struct{}

func (slowCreds) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer owner"}, nil
}
func (slowCreds) RequireTransportSecurity() bool { return false }

// TestADeletionInManyRoomsProgressesUnderAShortLease: a user in many
// rooms, with a mute in some, is deleted by an instance whose Firestore
// RPCs are slowed and whose lease is short, so no single attempt can
// remove them from every room. Each attempt keeps the rooms it finished
// (one transaction per room, the mute with the membership), so the
// reconciler converges within one attempt per room at most, and nothing
// is left.
func TestADeletionInManyRoomsProgressesUnderAShortLease(t *testing.T) {
	s := newSuite(t)
	ctx := context.Background()
	s.admit("spam", "bob")
	const n = 200
	ids := make([]string, n)
	for i := range ids {
		ids[i] = s.room("bob", "spam")
		if i%10 == 0 {
			s.must(204, "PUT", "/v1/rooms/"+ids[i]+"/members/me/mute", "spam", "")
		}
	}
	conn, err := grpc.NewClient(s.emu.FirestoreAddr, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithPerRPCCredentials(slowCreds{}),
		grpc.WithChainUnaryInterceptor(func(ctx context.Context, m string, req, reply any, cc *grpc.ClientConn, inv grpc.UnaryInvoker, o ...grpc.CallOption) error {
			time.Sleep(5 * time.Millisecond) // a stand-in for production RPC latency
			return inv(ctx, m, req, reply, cc, o...)
		}))
	if err != nil {
		t.Fatal(err)
	}
	slowFS, err := firestore.NewClient(ctx, s.emu.ProjectID, option.WithGRPCConn(conn))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { slowFS.Close() })
	slow := app.Assemble(s.cfg, slowFS, s.auth, nil)
	m := *slow.Claims
	m.LeaseDuration = 1500 * time.Millisecond // each attempt's work deadline: 1 s
	_, err = m.DeleteAccount(ctx, "bob", "req", "spam")
	attempts := 1
	for ; errors.Is(err, claims.ErrChangePending) && attempts <= n; attempts++ {
		// A later reconciler: past every lease and backoff.
		later := time.Duration(attempts) * time.Hour
		m.Now = func() time.Time { return time.Now().Add(later) }
		_, err = m.Reconcile(ctx)
		if err == nil && s.exists("privilegeChanges/spam") {
			err = fmt.Errorf("%w: still recorded", claims.ErrChangePending)
		}
	}
	if err != nil {
		t.Fatalf("after %d attempts: %v", attempts, err)
	}
	t.Logf("the deletion took %d attempts", attempts)
	if s.authUserExists("spam") {
		t.Error("the Auth user still exists")
	}
	for _, id := range ids {
		if s.exists("rooms/"+id+"/members/spam") || s.exists("rooms/"+id+"/pushMutes/spam") {
			t.Fatalf("spam is left in room %s (member or mute)", id)
		}
	}
	s.tombstone("spam")
}

// TestAMuteGoesWithTheMembership: leaving a room, or being removed from
// it, deletes the member's push mute in the same transaction.
func TestAMuteGoesWithTheMembership(t *testing.T) {
	s := newSuite(t)
	s.admit("owner", "leaver", "removed")
	room := s.room("owner", "leaver", "removed")
	for _, u := range []string{"leaver", "removed"} {
		s.must(204, "PUT", "/v1/rooms/"+room+"/members/me/mute", u, "")
		if !s.exists("rooms/" + room + "/pushMutes/" + u) {
			t.Fatalf("setup: %s's mute missing", u)
		}
	}
	s.must(200, "DELETE", "/v1/rooms/"+room+"/members/leaver", "leaver", "")
	s.must(200, "DELETE", "/v1/rooms/"+room+"/members/removed", "owner", "")
	for _, u := range []string{"leaver", "removed"} {
		if s.exists("rooms/" + room + "/pushMutes/" + u) {
			t.Errorf("%s's mute outlived the membership", u)
		}
	}
	// A former member cannot mute the room again.
	s.must(404, "PUT", "/v1/rooms/"+room+"/members/me/mute", "leaver", "")
}

// chatState writes uid's read marker, typing indicator and slow-mode
// posting record in roomID as the user's own client, under the rules.
func (s *suite) chatState(uid, roomID string) {
	s.t.Helper()
	ctx := context.Background()
	c, done, err := clientAs(ctx, s.emu.FirestoreAddr, s.emu.ProjectID, s.tokens[uid])
	if err != nil {
		s.t.Fatal(err)
	}
	defer done()
	room := c.Collection("rooms").Doc(roomID)
	writes := map[string]map[string]any{
		"reads":   {"lastReadAt": firestore.ServerTimestamp, "lastReadMessageId": "m1"},
		"typing":  {"expiresAt": time.Now().Add(5 * time.Second)},
		"posting": {"lastPostAt": firestore.ServerTimestamp, "messageId": "m1"},
	}
	for col, data := range writes {
		if _, err := room.Collection(col).Doc(uid).Set(ctx, data); err != nil {
			s.t.Fatalf("%s writes rooms/%s/%s/%s: %v", uid, roomID, col, uid, err)
		}
	}
}

// TestMemberChatStateGoesWithTheMembership: leaving, being removed and
// deleting the account delete the member's read marker (seen by the
// others as "seen by") and typing indicator with the membership; the
// slow-mode posting record outlives a leave or removal (so a rejoin does
// not reset the pause) and goes with the account's deletion, also when
// the account left the room before. The members who stay keep theirs, and
// a member who joins again writes them anew under the rules.
func TestMemberChatStateGoesWithTheMembership(t *testing.T) {
	s := newSuite(t)
	s.admit("owner", "leaver", "removed", "gone")
	room := s.room("owner", "leaver", "removed", "gone")
	for _, u := range []string{"owner", "leaver", "removed", "gone"} {
		s.chatState(u, room)
	}
	state := func(uid string) []string {
		var out []string
		for _, col := range []string{"reads", "typing", "posting"} {
			if p := "rooms/" + room + "/" + col + "/" + uid; s.exists(p) {
				out = append(out, p)
			}
		}
		return out
	}
	if got := state("gone"); len(got) != 3 {
		t.Fatalf("setup: %v", got)
	}
	s.must(200, "DELETE", "/v1/rooms/"+room+"/members/leaver", "leaver", "")
	s.must(200, "DELETE", "/v1/rooms/"+room+"/members/removed", "owner", "")
	s.signIn("gone")
	s.must(204, "DELETE", "/v1/me", "gone", "")
	for _, u := range []string{"leaver", "removed"} {
		if left := state(u); len(left) != 1 || left[0] != "rooms/"+room+"/posting/"+u {
			t.Errorf("%s's chat state after the membership = %v, want only the posting record", u, left)
		}
	}
	if left := state("gone"); len(left) != 0 {
		t.Errorf("gone's chat state outlived the account: %v", left)
	}
	if got := state("owner"); len(got) != 3 {
		t.Errorf("the owner's chat state = %v, want all three", got)
	}
	s.tombstone("gone")
	s.signIn("removed")
	s.must(204, "DELETE", "/v1/me", "removed", "")
	if left := state("removed"); len(left) != 0 || s.exists("users/removed/keptPosting/"+room) {
		t.Errorf("the posting record kept by removed outlived the account: %v", left)
	}

	s.must(200, "POST", "/v1/rooms/"+room+"/members", "owner", `{"members":["leaver"]}`)
	s.chatState("leaver", room)
	if got := state("leaver"); len(got) != 3 {
		t.Errorf("the returning member's chat state = %v", got)
	}
}
