package embedded_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	fbauth "firebase.google.com/go/v4/auth"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/roomgate/roomgate/emulator/embedded"
)

func TestExportImportRoundTrip(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()

	src := embedded.StartT(t, embedded.Options{})
	src.Setenv(t)
	if _, err := adminAuth(t, src.ProjectID).CreateUser(ctx, (&fbauth.UserToCreate{}).
		UID("alice").Email("alice@example.com").Password("secret1").DisplayName("Alice")); err != nil {
		t.Fatal(err)
	}
	if err := adminAuth(t, src.ProjectID).SetCustomUserClaims(ctx, "alice", map[string]any{"admin": true}); err != nil {
		t.Fatal(err)
	}
	fs := adminFirestore(t, src.ProjectID)
	if _, err := fs.Doc("rooms/r1").Set(ctx, map[string]any{"name": "lobby", "n": 3}); err != nil {
		t.Fatal(err)
	}
	if _, err := fs.Doc("rooms/r1/messages/m1").Set(ctx, map[string]any{"text": "hi"}); err != nil {
		t.Fatal(err)
	}
	before, err := fs.Doc("rooms/r1").Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := src.Export(dir); err != nil {
		t.Fatalf("Export: %v", err)
	}

	// The layout is Google's for auth, plus our documents file.
	var md map[string]any
	b, err := os.ReadFile(filepath.Join(dir, embedded.MetadataFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &md); err != nil {
		t.Fatalf("metadata: %v", err)
	}
	if a, _ := md["auth"].(map[string]any); a["path"] != "auth_export" {
		t.Errorf("metadata auth = %v", md["auth"])
	}
	if _, ok := md["firestore"]; ok {
		t.Error("metadata claims a Google-format Firestore export")
	}
	var accounts struct {
		Kind  string           `json:"kind"`
		Users []map[string]any `json:"users"`
	}
	b, err = os.ReadFile(filepath.Join(dir, "auth_export", "accounts.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &accounts); err != nil || len(accounts.Users) != 1 || accounts.Users[0]["localId"] != "alice" {
		t.Errorf("accounts.json = %s (%v)", b, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "auth_export", "config.json")); err != nil {
		t.Error(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "firestore_export", "roomgate-documents.json")); err != nil {
		t.Error(err)
	}
	src.Close()

	dst := embedded.StartT(t, embedded.Options{})
	if err := dst.Import(dir); err != nil {
		t.Fatalf("Import: %v", err)
	}
	dst.Setenv(t)
	u, err := adminAuth(t, dst.ProjectID).GetUser(ctx, "alice")
	if err != nil {
		t.Fatalf("GetUser after import: %v", err)
	}
	if u.Email != "alice@example.com" || u.DisplayName != "Alice" || u.CustomClaims["admin"] != true {
		t.Errorf("imported user = %+v, claims %v", u.UserInfo, u.CustomClaims)
	}
	fs2 := adminFirestore(t, dst.ProjectID)
	after, err := fs2.Doc("rooms/r1").Get(ctx)
	if err != nil {
		t.Fatalf("Get after import: %v", err)
	}
	if after.Data()["name"] != "lobby" || after.Data()["n"] != int64(3) {
		t.Errorf("imported data = %v", after.Data())
	}
	if !after.UpdateTime.Equal(before.UpdateTime) || !after.CreateTime.Equal(before.CreateTime) {
		t.Errorf("times changed: create %v→%v update %v→%v", before.CreateTime, after.CreateTime, before.UpdateTime, after.UpdateTime)
	}
	if m, err := fs2.Doc("rooms/r1/messages/m1").Get(ctx); err != nil || m.Data()["text"] != "hi" {
		t.Errorf("subcollection document: %v, %v", m, err)
	}
	// Nothing else appeared.
	if _, err := fs2.Doc("rooms/r2").Get(ctx); status.Code(err) != codes.NotFound {
		t.Errorf("document r2: %v, want NotFound", err)
	}

	// Importing the same export again fails on the existing uid, as the
	// CLI's batchCreate replay does.
	if err := dst.Import(dir); err == nil || !strings.Contains(err.Error(), "alice") {
		t.Errorf("second import: %v, want a duplicate-uid error", err)
	}
}

func TestImportRejectsOtherProjectsAndGoogleFirestoreExports(t *testing.T) {
	dir := t.TempDir()
	src := embedded.StartT(t, embedded.Options{ProjectID: "demo-one"})
	if err := src.Export(dir); err != nil {
		t.Fatal(err)
	}
	dst := embedded.StartT(t, embedded.Options{ProjectID: "demo-two"})
	if err := dst.Import(dir); err == nil || !strings.Contains(err.Error(), "demo-one") {
		t.Errorf("import into another project: %v", err)
	}

	// A Google CLI export: metadata names a LevelDB Firestore export.
	g := t.TempDir()
	os.WriteFile(filepath.Join(g, embedded.MetadataFile), []byte(`{"version":"13.0.0","firestore":{"version":"1.19.0","path":"firestore_export","metadata_file":"firestore_export/firestore_export.overall_export_metadata"}}`), 0o644)
	if err := dst.Import(g); err == nil || !strings.Contains(err.Error(), "LevelDB") {
		t.Errorf("Google Firestore export: %v", err)
	}
}

func TestImportGoogleAuthExport(t *testing.T) {
	// auth_export as `firebase emulators:export` writes it.
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "auth_export"), 0o755)
	os.WriteFile(filepath.Join(dir, embedded.MetadataFile), []byte(`{"version":"13.0.0","auth":{"version":"13.0.0","path":"auth_export"}}`), 0o644)
	os.WriteFile(filepath.Join(dir, "auth_export", "accounts.json"), []byte(`{"kind":"identitytoolkit#DownloadAccountResponse","users":[{"localId":"u1","email":"u1@example.com","emailVerified":false,"createdAt":"1700000000000","lastLoginAt":"1700000000000","providerUserInfo":[{"providerId":"password","email":"u1@example.com","federatedId":"u1@example.com","rawId":"u1@example.com"}],"validSince":"1700000000","passwordHash":"fakeHash:salt=fakeSaltabc:password=pw1234","salt":"fakeSaltabc","passwordUpdatedAt":1700000000000}]}`), 0o644)
	os.WriteFile(filepath.Join(dir, "auth_export", "config.json"), []byte(`{"signIn":{"allowDuplicateEmails":false},"emailPrivacyConfig":{"enableImprovedEmailPrivacy":false}}`), 0o644)

	e := embedded.StartT(t, embedded.Options{})
	if err := e.Import(dir); err != nil {
		t.Fatalf("Import: %v", err)
	}
	e.Setenv(t)
	u, err := adminAuth(t, e.ProjectID).GetUserByEmail(context.Background(), "u1@example.com")
	if err != nil || u.UID != "u1" {
		t.Fatalf("GetUserByEmail = %v, %v", u, err)
	}
}
