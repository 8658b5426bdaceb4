package push

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/roomgate/roomgate/internal/audit"
	"github.com/roomgate/roomgate/internal/claims"
)

// userDoc reads users/{uid}.
func (s *suite) userDoc(uid string) map[string]any {
	s.t.Helper()
	snap, err := s.fs.Doc("users/" + uid).Get(context.Background())
	if err != nil {
		s.t.Fatalf("users/%s: %v", uid, err)
	}
	return snap.Data()
}

// auditActions counts uid's audit records by action.
func (s *suite) auditActions(uid string) map[string]int {
	s.t.Helper()
	docs, err := s.fs.Collection("audit").Where("target", "==", uid).Documents(context.Background()).GetAll()
	if err != nil {
		s.t.Fatal(err)
	}
	n := map[string]int{}
	for _, d := range docs {
		a, _ := d.Data()["action"].(string)
		n[a]++
	}
	return n
}

// TestAnUnbanOfADeletedBannedUserNeedsAnExplicitRestore: a user banned
// before the deletion leaves a tombstone that records it
// (bannedBeforeDeletion). A plain unban of it answers 409
// banned_before_deletion and changes nothing, however often it is sent;
// {"restoreDeleted": true} lifts only the tombstone (audited as
// user.restored, repeatable without a change); only then does a plain
// unban lift the ban. A user not banned before is lifted by one plain
// unban, which is repeatable too.
func TestAnUnbanOfADeletedBannedUserNeedsAnExplicitRestore(t *testing.T) {
	s := newSuite(t)
	ctx := context.Background()
	s.admit("root", "mallory", "nina")
	if _, err := s.svc.Claims.SetRole(ctx, "test", "r-root", "root", "admin"); err != nil {
		t.Fatal(err)
	}
	s.signIn("root")
	s.must(200, "POST", "/v1/admin/users/mallory/ban", "root", "")
	s.signIn("mallory")
	s.must(204, "DELETE", "/v1/me", "mallory", "")
	s.must(204, "DELETE", "/v1/me", "nina", "")
	s.tombstone("mallory")
	s.tombstone("nina")
	if d := s.userDoc("mallory"); d["bannedBeforeDeletion"] != true {
		t.Fatalf("tombstone of a banned user = %v, want bannedBeforeDeletion", d)
	}
	if d := s.userDoc("nina"); d["bannedBeforeDeletion"] != nil {
		t.Fatalf("tombstone of an unbanned user = %v, want no bannedBeforeDeletion", d)
	}
	s.signIn("mallory") // the same uid again (custom tokens)
	s.signIn("nina")

	// A plain unban, sent twice (a retry, a double click): refused, the
	// tombstone and the ban stay, nothing is audited.
	tomb := s.userDoc("mallory")
	for range 2 {
		body := s.must(409, "DELETE", "/v1/admin/users/mallory/ban", "root", "")
		if !strings.Contains(body, `"code":"banned_before_deletion"`) || !strings.Contains(body, "restoreDeleted") {
			t.Errorf("plain unban of the tombstone: %s", body)
		}
	}
	if d := s.userDoc("mallory"); d["deleted"] != true || d["banned"] != true || d["bannedBeforeDeletion"] != true || d["claimsVersion"] != tomb["claimsVersion"] {
		t.Errorf("mallory after refused unbans = %v, want the tombstone %v", d, tomb)
	}
	if n := s.auditActions("mallory"); n[string(audit.UserUnbanned)] != 0 || n[string(audit.UserRestored)] != 0 {
		t.Errorf("audit after refused unbans = %v", n)
	}

	// The body is validated strictly.
	for _, bad := range []string{`{"restoreDeleted":"yes"}`, `{"restoreDeleted":null}`, `{"restoreDeleted":true,"x":1}`, `{"restoredeleted":true,"restoreDeleted":true}`, `[]`} {
		s.must(400, "DELETE", "/v1/admin/users/mallory/ban", "root", bad)
	}

	// restoreDeleted lifts only the tombstone; repeating it changes nothing.
	s.must(200, "DELETE", "/v1/admin/users/mallory/ban", "root", `{"restoreDeleted":true}`)
	restored := s.userDoc("mallory")
	if restored["deleted"] != false || restored["banned"] != true || restored["bannedBeforeDeletion"] != nil {
		t.Errorf("mallory after restoreDeleted = %v, want an ordinary banned record", restored)
	}
	s.must(200, "DELETE", "/v1/admin/users/mallory/ban", "root", `{"restoreDeleted":true}`)
	if d := s.userDoc("mallory"); d["deleted"] != false || d["banned"] != true || d["claimsVersion"] != restored["claimsVersion"] {
		t.Errorf("mallory after a second restoreDeleted = %v, want %v", d, restored)
	}
	s.signIn("mallory")
	s.must(403, "POST", "/v1/me/claims", "mallory", "")

	// Then a plain unban lifts the ban, as for any banned user.
	s.must(200, "DELETE", "/v1/admin/users/mallory/ban", "root", "")
	if d := s.userDoc("mallory"); d["banned"] != false || d["deleted"] != false {
		t.Errorf("mallory after the unban = %v", d)
	}
	s.signIn("mallory")
	s.must(200, "POST", "/v1/me/claims", "mallory", "")
	if n := s.auditActions("mallory"); n[string(audit.UserRestored)] != 1 || n[string(audit.UserUnbanned)] != 1 || n[string(audit.UserBanned)] != 1 {
		t.Errorf("mallory's audit = %v, want one ban, one restore, one unban", n)
	}

	// A tombstone without bannedBeforeDeletion: one plain unban lifts it,
	// and repeating it changes nothing.
	s.must(200, "DELETE", "/v1/admin/users/nina/ban", "root", "")
	lifted := s.userDoc("nina")
	if lifted["deleted"] != false || lifted["banned"] != false {
		t.Errorf("nina after one unban = %v, want an ordinary record", lifted)
	}
	s.must(200, "DELETE", "/v1/admin/users/nina/ban", "root", "{}")
	if d := s.userDoc("nina"); d["claimsVersion"] != lifted["claimsVersion"] || d["banned"] != false {
		t.Errorf("nina after a repeated unban = %v, want %v", d, lifted)
	}
	s.signIn("nina")
	s.must(200, "POST", "/v1/me/claims", "nina", "")
	if n := s.auditActions("nina"); n[string(audit.UserUnbanned)] != 1 || n[string(audit.UserRestored)] != 0 {
		t.Errorf("nina's audit = %v, want one unban", n)
	}
}

// TestABanDuringAPendingDeletionIsKept: a ban requested while an account
// deletion is recorded but unfinished is not forgotten: it records
// bannedBeforeDeletion, the ban request finishes the deletion (200), and
// the finished tombstone keeps the mark, so lifting the tombstone keeps
// the ban. This holds whether the Auth user is still there or already
// gone; a ban of a finished tombstone is recorded the same way.
func TestABanDuringAPendingDeletionIsKept(t *testing.T) {
	s := newSuite(t)
	ctx := context.Background()
	s.admit("root", "mallory", "oscar", "nina")
	if _, err := s.svc.Claims.SetRole(ctx, "test", "r-root", "root", "admin"); err != nil {
		t.Fatal(err)
	}
	s.signIn("root")
	st := &claims.FirestoreState{Client: s.fs}
	record := func(uid string) {
		t.Helper()
		u, err := s.auth.GetUser(ctx, uid)
		if err != nil {
			t.Fatal(err)
		}
		// Recorded, reserved for a request that never comes back (a
		// crash): the deletion stays pending.
		now := time.Now()
		info := claims.AuditInfo{Actor: uid, RequestID: "r-del-" + uid, Action: audit.UserDeleted, Time: now}
		if _, err := st.RecordDeletion(ctx, uid, u.UserMetadata.CreationTimestamp, info, now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if !s.exists("privilegeChanges/" + uid) {
			t.Fatalf("no pending deletion of %s", uid)
		}
	}
	record("mallory")
	record("oscar")
	if err := s.auth.DeleteUser(ctx, "oscar"); err != nil { // the deletion got this far
		t.Fatal(err)
	}

	for _, uid := range []string{"mallory", "oscar"} {
		s.must(200, "POST", "/v1/admin/users/"+uid+"/ban", "root", "")
		if s.exists("privilegeChanges/" + uid) {
			t.Errorf("the ban of %s left the deletion pending", uid)
		}
		if s.authUserExists(uid) {
			t.Errorf("the Auth user %s survived the deletion", uid)
		}
		s.tombstone(uid)
		if d := s.userDoc(uid); d["bannedBeforeDeletion"] != true {
			t.Errorf("tombstone of %s banned during the deletion = %v, want bannedBeforeDeletion", uid, d)
		}
		if n := s.auditActions(uid); n[string(audit.UserBanned)] != 1 {
			t.Errorf("%s's audit = %v, want one ban", uid, n)
		}
		// Repeating the ban changes nothing and audits nothing.
		s.must(200, "POST", "/v1/admin/users/"+uid+"/ban", "root", "")
		if n := s.auditActions(uid); n[string(audit.UserBanned)] != 1 {
			t.Errorf("%s's audit after a repeated ban = %v, want one ban", uid, n)
		}
	}

	// A finished tombstone of a user not banned before, banned now (no
	// Auth user): the ban is recorded on it.
	s.signIn("nina")
	s.must(204, "DELETE", "/v1/me", "nina", "")
	s.must(200, "POST", "/v1/admin/users/nina/ban", "root", "")
	if d := s.userDoc("nina"); d["bannedBeforeDeletion"] != true || d["deleted"] != true {
		t.Errorf("nina's tombstone after a ban = %v, want bannedBeforeDeletion", d)
	}
	// A uid roomgate knows nothing of cannot be banned.
	s.must(404, "POST", "/v1/admin/users/nobody/ban", "root", "")
	if s.exists("users/nobody") {
		t.Error("a ban of an unknown uid created users/nobody")
	}

	// Signed up again: lifting the tombstone keeps every one of these bans.
	for _, uid := range []string{"mallory", "oscar", "nina"} {
		s.signIn(uid)
		s.must(409, "DELETE", "/v1/admin/users/"+uid+"/ban", "root", "")
		s.must(200, "DELETE", "/v1/admin/users/"+uid+"/ban", "root", `{"restoreDeleted":true}`)
		if d := s.userDoc(uid); d["banned"] != true || d["deleted"] != false {
			t.Errorf("%s after restoreDeleted = %v, want banned", uid, d)
		}
		s.signIn(uid)
		s.must(403, "POST", "/v1/me/claims", uid, "")
	}
}
