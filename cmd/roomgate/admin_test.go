package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"firebase.google.com/go/v4/auth"

	"github.com/roomgate/roomgate/emulator/emutest"
)

// TestAdminGrantRoleBootstrapsAnAdmin runs `roomgate admin grant-role`
// against the in-process emulators and checks the claim landed in Auth.
func TestAdminGrantRoleBootstrapsAnAdmin(t *testing.T) {
	emu := emutest.Start(t, emutest.ProjectID("demo-roomgate"), emutest.Quiet())
	emu.Setenv(t)
	ctx := context.Background()
	ac := emu.AdminAuth(t)
	if _, err := ac.CreateUser(ctx, (&auth.UserToCreate{}).UID("first-admin")); err != nil {
		t.Fatal(err)
	}
	if err := ac.SetCustomUserClaims(ctx, "first-admin", map[string]any{"tier": "gold"}); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := run([]string{"admin", "grant-role", "--uid", "first-admin", "--role", "admin", "-project-id", "demo-roomgate"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), `"role":"admin"`) {
		t.Fatalf("stdout %s", stdout.String())
	}
	u, err := ac.GetUser(ctx, "first-admin")
	if err != nil {
		t.Fatal(err)
	}
	if u.CustomClaims["role"] != "admin" || u.CustomClaims["tier"] != "gold" {
		t.Fatalf("claims %v", u.CustomClaims)
	}
	// An unknown uid fails cleanly.
	stderr.Reset()
	if code := run([]string{"admin", "grant-role", "--uid", "nobody", "--role", "admin", "-project-id", "demo-roomgate"}, &stdout, &stderr); code != 1 {
		t.Fatalf("unknown uid: exit %d", code)
	}
}
