package faults_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"firebase.google.com/go/v4/auth"
)

// Account deletion under faults: self-service (DELETE /v1/me) and admin
// (DELETE /v1/admin/users/{uid}) deletions while connections to
// Firestore and Auth are cut, slowed and refused, mixed with room
// operations, and a deletion whose instance dies halfway. After each
// phase check's invariants hold (a deleted owner's rooms have passed on
// or, last one out, are gone) and checkAccounts' (a deletion answered 204
// or no longer pending left nothing behind); what was answered 503
// change_pending is finished by the reconciler.

// account gives uid what a deletion must erase: a profile, a device and a
// block of other (and a push mute in room, if not ""), and signs it in
// again.
func (c *cluster) account(in *instance, uid, other, room string) {
	c.t.Helper()
	// A verified email, so the profile is discoverable (a lookup entry).
	if _, err := c.directAuth.UpdateUser(context.Background(), uid, (&auth.UserToUpdate{}).Email(uid+"@example.com").EmailVerified(true)); err != nil {
		c.t.Fatal(err)
	}
	c.signIn(uid)
	for _, r := range []struct {
		method, path, body string
		want               int
	}{
		{"PUT", "/v1/me/profile", `{"displayName":"` + uid + `","discoverable":true}`, 200},
		{"PUT", "/v1/me/devices/phone", `{"token":"fcm-token-` + uid + `:APA91bXXXXXXXXXXXXXXXXXXXXXXXXXX","platform":"android"}`, 204},
		{"PUT", "/v1/me/blocks/" + other, "", 204},
		{"PUT", "/v1/rooms/" + room + "/members/me/mute", "", 204},
	} {
		if room == "" && strings.Contains(r.path, "/mute") {
			continue
		}
		if code, body := c.call(in, r.method, r.path, uid, r.body, nil); code != r.want {
			c.t.Fatalf("%s %s as %s: %d %s", r.method, r.path, uid, code, body)
		}
	}
}

// reconcile runs the reconciler of in's manager as a later instance would
// (its clock past every lease and reservation) until no change is
// pending. The bound is on a hang, not on performance.
func (c *cluster) reconcile(in *instance) {
	c.t.Helper()
	later := *in.svc.Claims
	later.Now = func() time.Time { return time.Now().Add(10 * time.Minute) }
	waitFor(c.t, "the reconciler to finish every pending change", func() bool {
		_, err := later.Reconcile(context.Background())
		if err != nil {
			c.t.Logf("reconcile: %v", err)
		}
		return c.count(c.direct.Collection("privilegeChanges").Query) == 0
	})
}

// TestAccountDeletionsUnderFaults: eight users, each owning a room with
// the next two as members and holding a profile, a device, a block and a
// mute. Five delete their accounts (three themselves, two by an admin)
// once each, not retried, while the survivors add and remove members,
// under injected faults. Then the reconciler finishes what was recorded,
// the deletions that never got recorded are retried, and nothing of the
// five is left.
func TestAccountDeletionsUnderFaults(t *testing.T) {
	c := newCluster(t)
	a := c.start(true)
	people := []string{"alice", "bob", "carol", "dave", "erin", "frank", "gina", "hank"}
	c.admit(a, append(people, "boss")...)
	c.makeAdmin("boss")
	n := len(people)
	rooms := make([]string, n)
	for i, p := range people {
		rooms[i] = c.createRoom(a, p, people[(i+1)%n], people[(i+2)%n])
	}
	for i, p := range people {
		// people[i] is a member of the room of people[i-1].
		c.account(a, p, people[(i+1)%n], rooms[(i+n-1)%n])
	}
	self := map[string]bool{"alice": true, "carol": true, "erin": true}
	byAdmin := map[string]bool{"bob": true, "dave": true}
	survivors := []string{"frank", "gina", "hank"}

	var (
		mu       sync.Mutex
		answers  = map[string]string{}
		statuses = map[int]int{}
		wg       sync.WaitGroup
	)
	stop := c.injector()
	for uid := range self {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, body := c.call(a, "DELETE", "/v1/me", uid, "", nil)
			mu.Lock()
			answers[uid] = fmt.Sprintf("%d %s", code, body)
			mu.Unlock()
		}()
	}
	for uid := range byAdmin {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, body := c.call(a, "DELETE", "/v1/admin/users/"+uid, "boss", "", nil)
			mu.Lock()
			answers[uid] = fmt.Sprintf("%d %s", code, body)
			mu.Unlock()
		}()
	}
	for i, id := range rooms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			actor := survivors[i%len(survivors)]
			owner := people[i]
			for range 3 {
				for _, r := range [][3]string{
					{"POST", "/v1/rooms/" + id + "/members", fmt.Sprintf(`{"members":["%s"]}`, actor)},
					{"POST", "/v1/rooms/" + id + "/members", fmt.Sprintf(`{"members":["%s"]}`, people[(i+3)%n])},
					{"DELETE", "/v1/rooms/" + id + "/members/" + actor, ""},
				} {
					who := owner
					if r[0] == "DELETE" {
						who = actor // leaving
					}
					code, _ := c.call(a, r[0], r[1], who, r[2], nil)
					mu.Lock()
					statuses[code]++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	stop()
	summary := map[string]string{}
	for uid, ans := range answers {
		summary[uid], _, _ = strings.Cut(ans, " ")
		if _, code, ok := strings.Cut(ans, `"code":"`); ok {
			code, _, _ = strings.Cut(code, `"`)
			summary[uid] += " " + code
		}
	}
	t.Logf("deletions under faults: %v; room operations (0: no answer): %v", summary, statuses)

	deleted := map[string]bool{}
	for uid, ans := range answers {
		if strings.HasPrefix(ans, "204 ") {
			deleted[uid] = true
		}
	}
	c.check(false)
	c.checkAccounts(deleted)

	// A 503 change_pending is recorded: the reconciler finishes it.
	recorded := c.deletionsRecorded()
	for uid, ans := range answers {
		if strings.HasPrefix(ans, "503 ") && strings.Contains(ans, `"change_pending"`) && !recorded[uid] {
			t.Fatalf("deletion of %s answered %s but is not recorded", uid, ans)
		}
	}
	c.reconcile(a)
	recorded = c.deletionsRecorded()
	for uid := range recorded {
		deleted[uid] = true
	}
	c.checkAccounts(deleted)

	// What never got recorded is retried, to success: the user is still
	// whole (signed in, admitted), so their own retry or the admin's works.
	for uid, ans := range answers {
		if recorded[uid] {
			continue
		}
		t.Logf("%s: not recorded after %s; retrying", uid, ans)
		path, actor := "/v1/admin/users/"+uid, "boss"
		if self[uid] {
			path, actor = "/v1/me", uid
		}
		if code, body := c.untilOK(a, "DELETE", path, actor, "", nil); code != 204 {
			t.Fatalf("retried deletion of %s: %d %s", uid, code, body)
		}
		deleted[uid] = true
	}
	if len(deleted) != len(self)+len(byAdmin) {
		t.Fatalf("deleted %v", deleted)
	}
	c.checkAccounts(deleted)
	s := c.settle(t)
	for _, uid := range survivors {
		if rs := c.remnants(uid); len(rs) == 0 {
			t.Fatalf("survivor %s has nothing left", uid)
		}
	}
	// Every room had a deleted member; those that still exist are held by
	// survivors only, one of them the owner.
	for id, ms := range s.members {
		for uid := range ms {
			if deleted[uid] {
				t.Fatalf("deleted %s is a member of %s", uid, id)
			}
		}
	}
}

// TestAccountDeletionResumesAfterTheInstanceDies: alice deletes her
// account on an instance that dies halfway (Firestore slowed so the crash
// lands mid-deletion). Meanwhile she is refused and the invariants hold;
// the next instance's reconciler finishes the deletion: the room alice
// owned passes to bob, the room she was in keeps carol as owner, and
// nothing of alice is left.
func TestAccountDeletionResumesAfterTheInstanceDies(t *testing.T) {
	c := newCluster(t)
	a := c.start(false)
	c.admit(a, "alice", "bob", "carol")
	owned := c.createRoom(a, "alice", "bob")
	joined := c.createRoom(a, "carol", "alice")
	c.account(a, "alice", "bob", joined)

	c.fsProxy.SetDelay(30 * time.Millisecond)
	answered := make(chan string, 1)
	go func() {
		code, body := c.call(a, "DELETE", "/v1/me", "alice", "", nil)
		answered <- fmt.Sprintf("%d %s", code, body)
	}()
	waitFor(t, "the deletion to be recorded", func() bool { return c.pending("alice") })
	a.crash()
	ans := <-answered
	c.fsProxy.SetDelay(0)
	if strings.HasPrefix(ans, "204 ") || !c.pending("alice") {
		t.Fatalf("the deletion finished before the crash (%s): the scenario did not happen", ans)
	}
	t.Logf("the DELETE was answered %q", ans)
	c.check(false)
	c.checkAccounts(nil)

	b := c.start(true)
	// Recorded: alice's existing token no longer admits her anywhere.
	if code, body := c.call(b, "POST", "/v1/rooms", "alice", `{"members":[],"title":"t"}`, nil); code < 400 || code >= 500 {
		t.Fatalf("alice creating a room during her deletion: %d %s", code, body)
	}
	// Her retry finishes the deletion (204) or, when the dead instance
	// still holds the lease or her tokens are already revoked, leaves it
	// to the reconciler; it never undoes or duplicates anything.
	code, body := c.call(b, "DELETE", "/v1/me", "alice", "", nil)
	t.Logf("alice's retry: %d %s", code, body)
	switch {
	case code == 204:
		c.checkAccounts(map[string]bool{"alice": true})
	case code == 401, code == 503 && strings.Contains(body, `"change_pending"`):
		c.check(false)
	default:
		t.Fatalf("alice's retry: %d %s", code, body)
	}
	c.reconcile(b)
	c.checkAccounts(map[string]bool{"alice": true})
	s := c.settle(t)
	if got := ownersOf(s.members[owned]); len(got) != 1 || got[0] != "bob" {
		t.Fatalf("owners of the room alice owned: %v", got)
	}
	if got := ownersOf(s.members[joined]); len(got) != 1 || got[0] != "carol" || len(s.members[joined]) != 1 {
		t.Fatalf("the room alice was in: %v", s.members[joined])
	}
}

// TestAnOwnersDeletionAsTheLastOneOutDeletesTheRoom: an admin deletes a
// user alone in their room, and Auth goes down right after the deletion
// is recorded: the request answers 503 change_pending; once Auth is back
// the reconciler finishes it, the room (the user was the last one out)
// is deleted and its messages swept.
func TestAnOwnersDeletionAsTheLastOneOutDeletesTheRoom(t *testing.T) {
	c := newCluster(t)
	a := c.start(true)
	c.admit(a, "alice", "boss")
	c.makeAdmin("boss")
	id := c.createRoom(a, "alice")
	c.seedMessages(id, 50)
	c.account(a, "alice", "boss", id)

	// Auth answers the lookup, then goes down as soon as the marker lands
	// (Firestore slowed so that is before the request's Auth steps).
	answered := make(chan string, 1)
	c.fsProxy.SetDelay(10 * time.Millisecond)
	go func() {
		code, body := c.call(a, "DELETE", "/v1/admin/users/alice", "boss", "", nil)
		answered <- fmt.Sprintf("%d %s", code, body)
	}()
	waitFor(t, "the deletion to be recorded", func() bool { return c.pending("alice") })
	c.authProxy.Down()
	ans := <-answered
	c.fsProxy.SetDelay(0)
	t.Logf("the DELETE was answered %q", ans)
	if strings.HasPrefix(ans, "204 ") {
		t.Fatalf("the deletion finished before Auth went down: the scenario did not happen")
	}
	if !strings.HasPrefix(ans, "503 ") || !strings.Contains(ans, `"change_pending"`) {
		t.Fatalf("want 503 change_pending, got %s", ans)
	}
	c.check(false)
	c.authProxy.Up()
	c.reconcile(a)
	c.checkAccounts(map[string]bool{"alice": true})
	s := c.settle(t)
	if s.rooms[id] != nil || s.messages[id] != 0 {
		t.Fatalf("alice's room: %v, %d messages", s.rooms[id], s.messages[id])
	}
}
