package auth_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	fbauth "firebase.google.com/go/v4/auth"

	"github.com/roomgate/roomgate/emulator/auth"
)

func TestEmulatorEndpoints(t *testing.T) {
	srv := startEmulator(t)
	ac := adminClient(t, srv)
	ctx := context.Background()
	if _, err := ac.CreateUser(ctx, (&fbauth.UserToCreate{}).UID("u1")); err != nil {
		t.Fatal(err)
	}

	t.Run("DELETE accounts clears only that project", func(t *testing.T) {
		other := call(t, srv, "POST", "/identitytoolkit.googleapis.com/v1/projects/demo-other/accounts",
			map[string]string{"Authorization": "Bearer owner"}, `{"localId":"keep"}`)
		mustOK(t, other)
		r := mustOK(t, call(t, srv, "DELETE", "/emulator/v1/projects/"+projectID+"/accounts", nil, ""))
		if r.Raw != "{}" {
			t.Errorf("body %q, want {}", r.Raw)
		}
		if _, err := ac.GetUser(ctx, "u1"); !fbauth.IsUserNotFound(err) {
			t.Errorf("u1 survived the clear: %v", err)
		}
		lookup := mustOK(t, call(t, srv, "POST", "/identitytoolkit.googleapis.com/v1/projects/demo-other/accounts:lookup",
			map[string]string{"Authorization": "Bearer owner"}, `{"localId":["keep"]}`))
		if _, ok := lookup.Body["users"]; !ok {
			t.Errorf("the other project was cleared too: %s", lookup.Raw)
		}
	})

	t.Run("Clear from Go empties a project", func(t *testing.T) {
		if _, err := ac.CreateUser(ctx, (&fbauth.UserToCreate{}).UID("u2")); err != nil {
			t.Fatal(err)
		}
		srv.Clear(projectID)
		if _, err := ac.GetUser(ctx, "u2"); !fbauth.IsUserNotFound(err) {
			t.Errorf("u2 survived Clear: %v", err)
		}
	})

	t.Run("config GET shows defaults and PATCH changes only what it names", func(t *testing.T) {
		path := "/emulator/v1/projects/" + projectID + "/config"
		r := mustOK(t, call(t, srv, "GET", path, nil, ""))
		if r.Raw != `{"signIn":{"allowDuplicateEmails":false},"emailPrivacyConfig":{"enableImprovedEmailPrivacy":false}}` {
			t.Errorf("defaults %s", r.Raw)
		}
		r = mustOK(t, call(t, srv, "PATCH", path, nil, `{"signIn":{"allowDuplicateEmails":true}}`))
		if r.Raw != `{"signIn":{"allowDuplicateEmails":true},"emailPrivacyConfig":{"enableImprovedEmailPrivacy":false}}` {
			t.Errorf("after patch %s", r.Raw)
		}
		r = mustOK(t, call(t, srv, "GET", path, nil, ""))
		if !strings.Contains(r.Raw, `"allowDuplicateEmails":true`) {
			t.Errorf("patch not kept: %s", r.Raw)
		}
		bad := call(t, srv, "PATCH", path, nil, `{"signIn":{"allowDuplicateEmails":"yes"}}`)
		if bad.Status != 400 {
			t.Errorf("a string for a bool was accepted: %d %s", bad.Status, bad.Raw)
		}
	})
}

func TestExportImportRoundTrip(t *testing.T) {
	src := startEmulator(t)
	ac := adminClient(t, src)
	ctx := context.Background()
	if _, err := ac.CreateUser(ctx, (&fbauth.UserToCreate{}).UID("pw-user").Email("pw@example.com").Password("password1").DisplayName("Pat")); err != nil {
		t.Fatal(err)
	}
	if err := ac.SetCustomUserClaims(ctx, "pw-user", map[string]any{"chat": true}); err != nil {
		t.Fatal(err)
	}
	if _, err := ac.CreateUser(ctx, (&fbauth.UserToCreate{}).UID("phone-user").PhoneNumber("+15551234567").Disabled(true)); err != nil {
		t.Fatal(err)
	}
	mustOK(t, call(t, src, "PATCH", "/emulator/v1/projects/"+projectID+"/config", nil, `{"emailPrivacyConfig":{"enableImprovedEmailPrivacy":true}}`))

	dir := t.TempDir()
	if err := src.ExportDir(dir, projectID); err != nil {
		t.Fatal(err)
	}

	t.Run("the files follow the auth_export layout", func(t *testing.T) {
		raw, err := os.ReadFile(filepath.Join(dir, "auth_export", "accounts.json"))
		if err != nil {
			t.Fatal(err)
		}
		var accounts struct {
			Kind  string           `json:"kind"`
			Users []map[string]any `json:"users"`
		}
		if err := json.Unmarshal(raw, &accounts); err != nil {
			t.Fatal(err)
		}
		if accounts.Kind != "identitytoolkit#DownloadAccountResponse" || len(accounts.Users) != 2 ||
			accounts.Users[0]["localId"] != "phone-user" {
			t.Fatalf("accounts.json %s", raw)
		}
		if _, ok := accounts.Users[1]["createdAt"].(string); !ok {
			t.Errorf("createdAt is not a string: %s", raw)
		}
		cfg, err := os.ReadFile(filepath.Join(dir, "auth_export", "config.json"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(cfg), `"enableImprovedEmailPrivacy": true`) {
			t.Errorf("config.json %s", cfg)
		}
	})

	t.Run("a fresh emulator imports the files and behaves the same", func(t *testing.T) {
		dst := startEmulator(t)
		if err := dst.ImportDir(dir, projectID); err != nil {
			t.Fatal(err)
		}
		wantAccounts, wantConfig := src.Export(projectID)
		gotAccounts, gotConfig := dst.Export(projectID)
		if gotConfig != wantConfig {
			t.Errorf("config %+v, want %+v", gotConfig, wantConfig)
		}
		if len(gotAccounts.Users) != len(wantAccounts.Users) {
			t.Fatalf("%d users, want %d", len(gotAccounts.Users), len(wantAccounts.Users))
		}
		for i, w := range wantAccounts.Users {
			g := gotAccounts.Users[i]
			if g.LocalID != w.LocalID || g.Email != w.Email || g.PhoneNumber != w.PhoneNumber ||
				g.Disabled != w.Disabled || g.CustomAttributes != w.CustomAttributes || g.CreatedAt != w.CreatedAt ||
				g.PasswordHash != w.PasswordHash || g.DisplayName != w.DisplayName || len(g.ProviderUserInfo) != len(w.ProviderUserInfo) {
				t.Errorf("user %d:\n got %+v\nwant %+v", i, g, w)
			}
		}
		// The imported password still signs in, and the claims reach the token.
		r := mustOK(t, client(t, dst, "signInWithPassword", map[string]any{"email": "pw@example.com", "password": "password1"}))
		_, p, _ := decodeToken(t, r.str("idToken"))
		if p["chat"] != true || p["name"] != "Pat" {
			t.Errorf("token payload %v", p)
		}
	})

	t.Run("importing over existing users reports them and keeps the rest", func(t *testing.T) {
		dst := startEmulator(t)
		accounts, config := src.Export(projectID)
		if err := dst.Import(projectID, accounts, config); err != nil {
			t.Fatal(err)
		}
		err := dst.Import(projectID, accounts, config)
		if err == nil || !strings.Contains(err.Error(), "can not overwrite") {
			t.Errorf("second import: %v", err)
		}
	})

	t.Run("an import with a reserved claim is refused for that user", func(t *testing.T) {
		dst := startEmulator(t)
		bad := auth.AccountsFile{Users: []*auth.UserRecord{{LocalID: "x", CustomAttributes: `{"aud":"evil"}`}}}
		err := dst.Import(projectID, bad, auth.ConfigFile{})
		if err == nil || !strings.Contains(err.Error(), "reserved claim") {
			t.Errorf("import: %v", err)
		}
	})
}

func TestHandlerCanBeMountedElsewhere(t *testing.T) {
	srv := startEmulator(t)
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	resp, err := http.Post(hs.URL+"/identitytoolkit.googleapis.com/v1/accounts:signUp?key=fake", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	// Both listeners share one store.
	accounts, _ := srv.Export(projectID)
	if len(accounts.Users) != 1 {
		t.Errorf("%d users via the shared store, want 1", len(accounts.Users))
	}
}
