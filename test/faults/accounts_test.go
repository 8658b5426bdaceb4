package faults_test

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"cloud.google.com/go/firestore"
	"firebase.google.com/go/v4/auth"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/roomgate/roomgate/internal/push"
	"github.com/roomgate/roomgate/internal/schema"
)

// The account invariants: a deleted account leaves nothing that names
// the user behind, in Firestore or in Auth. What stays on purpose (audit
// records, reports, the messages the user wrote, other users' blocks of
// the uid) is not checked here.

// remnants lists what is left of uid's account, read directly (not
// through the proxies): memberships, index entries, devices, profile,
// profile settings, lookup entries, blocks, push mutes, read markers,
// typing indicators and slow-mode posting records in rooms, its
// privilegeChanges marker, the Auth user, and users/{uid} unless it is
// the deleted account's tombstone (banned and deleted, no chat, no role,
// nothing else), which a deletion leaves so that the uid stays refused:
// a missing tombstone counts as a remnant too. Empty for a deleted
// account.
func (c *cluster) remnants(uid string) []string {
	c.t.Helper()
	ctx := context.Background()
	var out []string
	exists := func(ref *firestore.DocumentRef) {
		_, err := ref.Get(ctx)
		switch {
		case status.Code(err) == codes.NotFound:
		case err != nil:
			c.t.Fatalf("reading %s: %v", ref.Path, err)
		default:
			out = append(out, "document "+refPath(ref))
		}
	}
	docs := func(what string, q firestore.Query, keep func(*firestore.DocumentSnapshot) bool) {
		snaps, err := q.Documents(ctx).GetAll()
		if err != nil {
			c.t.Fatalf("reading %s: %v", what, err)
		}
		for _, s := range snaps {
			if keep == nil || keep(s) {
				out = append(out, what+" "+refPath(s.Ref))
			}
		}
	}
	named := func(s *firestore.DocumentSnapshot) bool { return s.Ref.ID == uid }
	user := c.direct.Collection(schema.Users).Doc(uid)

	switch snap, err := user.Get(ctx); {
	case status.Code(err) == codes.NotFound:
		out = append(out, "no tombstone "+refPath(user))
	case err != nil:
		c.t.Fatalf("reading %s: %v", user.Path, err)
	case !isTombstone(snap.Data()):
		out = append(out, "document "+refPath(user)+" (not a tombstone)")
	}
	exists(c.direct.Collection(schema.PrivilegeChanges).Doc(uid))
	exists(c.direct.Collection(schema.Profiles).Doc(uid))
	exists(c.direct.Collection(schema.ProfileSettings).Doc(uid))
	docs("index entry", user.Collection(schema.UserRooms).Query, nil)
	docs("device", user.Collection(push.DevicesCollection).Query, nil)
	docs("block", user.Collection(schema.Blocks).Query, nil)
	docs("lookup entry", c.direct.Collection(schema.UserLookup).Where("uid", "==", uid), nil)
	docs("membership", c.direct.CollectionGroup(schema.Members).Query, named)
	docs("push mute", c.direct.CollectionGroup(push.MutesCollection).Query, named)
	docs("read marker", c.direct.CollectionGroup(schema.Reads).Query, named)
	docs("typing indicator", c.direct.CollectionGroup(schema.Typing).Query, named)
	docs("posting record", c.direct.CollectionGroup(schema.Posting).Query, named)
	if _, err := c.directAuth.GetUser(ctx, uid); err == nil {
		out = append(out, "Auth user "+uid)
	} else if !auth.IsUserNotFound(err) {
		c.t.Fatalf("reading the Auth user %s: %v", uid, err)
	}
	sort.Strings(out)
	return out
}

// isTombstone reports whether d, a users/{uid}, is a deleted account's
// tombstone: banned and deleted, without chat or role, and nothing else
// but its claimsVersion and, for a user banned before the deletion,
// bannedBeforeDeletion: true.
func isTombstone(d map[string]any) bool {
	for k := range d {
		switch k {
		case schema.FieldBanned, schema.FieldDeleted, schema.FieldChat, schema.FieldRole, schema.FieldClaimsVersion:
		case schema.FieldBannedBeforeDeletion:
			if d[k] != true {
				return false
			}
		default:
			return false
		}
	}
	return d[schema.FieldBanned] == true && d[schema.FieldDeleted] == true && d[schema.FieldChat] == false && d[schema.FieldRole] == ""
}

// refPath is ref's path relative to the database.
func refPath(ref *firestore.DocumentRef) string {
	_, p, _ := strings.Cut(ref.Path, "/documents/")
	return p
}

// deletionsRecorded is the set of uids whose account deletion was
// recorded (its audit record, written with the marker, exists): the
// request got at least that far, whatever it answered.
func (c *cluster) deletionsRecorded() map[string]bool {
	c.t.Helper()
	snaps, err := c.direct.Collection(schema.Audit).Where("action", "==", "user.deleted").Documents(context.Background()).GetAll()
	if err != nil {
		c.t.Fatal(err)
	}
	out := map[string]bool{}
	for _, s := range snaps {
		if uid, _ := s.Data()["target"].(string); uid != "" {
			out[uid] = true
		}
	}
	return out
}

// accountViolations states the account invariants: every uid in deleted
// (its DELETE answered 204) has its deletion recorded, and every uid
// whose deletion is recorded and no longer pending (its marker is gone:
// finished, by its request, a retry or the reconciler) has no remnants.
// A recorded deletion still pending may leave remnants: the banned-user
// invariant of check covers it meanwhile.
func (c *cluster) accountViolations(deleted map[string]bool) []string {
	c.t.Helper()
	recorded := c.deletionsRecorded()
	var errs []string
	for uid := range deleted {
		if !recorded[uid] {
			errs = append(errs, fmt.Sprintf("deletion of %s answered 204 but has no audit record", uid))
		}
	}
	for uid := range recorded {
		if c.pending(uid) && !deleted[uid] {
			continue
		}
		for _, r := range c.remnants(uid) {
			errs = append(errs, fmt.Sprintf("deleted account %s: %s left", uid, r))
		}
	}
	sort.Strings(errs)
	return errs
}

// pending reports whether uid has a privilegeChanges marker.
func (c *cluster) pending(uid string) bool {
	c.t.Helper()
	_, err := c.direct.Collection(schema.PrivilegeChanges).Doc(uid).Get(context.Background())
	if status.Code(err) == codes.NotFound {
		return false
	}
	if err != nil {
		c.t.Fatal(err)
	}
	return true
}

// checkAccounts fails the test on any account violation.
func (c *cluster) checkAccounts(deleted map[string]bool) {
	c.t.Helper()
	if errs := c.accountViolations(deleted); len(errs) > 0 {
		c.t.Fatalf("account invariants broken:\n%v", errs)
	}
}
