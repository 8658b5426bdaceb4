package embedded_test

import (
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cloud.google.com/go/firestore"
	firebase "firebase.google.com/go/v4"
	fbauth "firebase.google.com/go/v4/auth"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/roomgate/roomgate/emulator/embedded"
	"github.com/roomgate/roomgate/emulator/emutest/emuclient"
)

const testRules = `rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
    match /rooms/{room} {
      allow read: if request.auth != null;
      allow write: if false;
    }
  }
}
`

// adminFirestore is the real Go client found through
// FIRESTORE_EMULATOR_HOST, as application code would create it (so it
// tests Setenv, unlike emuclient.AdminClient); against an
// emulator it authenticates as "owner" and bypasses rules.
func adminFirestore(t *testing.T, project string) *firestore.Client {
	t.Helper()
	c, err := firestore.NewClient(context.Background(), project)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// unauthenticatedFirestore is a client that sends no Authorization header,
// as a signed-out app does.
func unauthenticatedFirestore(t *testing.T, e *embedded.Emulators) *firestore.Client {
	t.Helper()
	return emuclient.UserClient(t, e.FirestoreAddr, e.ProjectID, "")
}

// adminAuth is the real Admin SDK auth client found through
// FIREBASE_AUTH_EMULATOR_HOST as Setenv left it (unlike
// emuclient.AdminAuth, which sets the variable itself, so it would not
// test Setenv).
func adminAuth(t *testing.T, project string) *fbauth.Client {
	t.Helper()
	ctx := context.Background()
	app, err := firebase.NewApp(ctx, &firebase.Config{ProjectID: project})
	if err != nil {
		t.Fatal(err)
	}
	c, err := app.Auth(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestStartServesRealClients(t *testing.T) {
	e := embedded.StartT(t, embedded.Options{Rules: testRules})
	e.Setenv(t)
	ctx := context.Background()

	if e.ProjectID != embedded.DefaultProjectID {
		t.Errorf("ProjectID = %q, want %q", e.ProjectID, embedded.DefaultProjectID)
	}
	for _, a := range []string{e.FirestoreAddr, e.AuthAddr} {
		if !strings.HasPrefix(a, "127.0.0.1:") || strings.HasSuffix(a, ":0") {
			t.Errorf("address %q is not a bound loopback port", a)
		}
	}

	fs := adminFirestore(t, e.ProjectID)
	if _, err := fs.Doc("rooms/r1").Set(ctx, map[string]any{"name": "lobby"}); err != nil {
		t.Fatalf("admin Set: %v", err)
	}
	snap, err := fs.Doc("rooms/r1").Get(ctx)
	if err != nil {
		t.Fatalf("admin Get: %v", err)
	}
	if got, _ := snap.DataAt("name"); got != "lobby" {
		t.Errorf("name = %v, want lobby", got)
	}

	// The rules given in Options are in force for non-admin callers.
	_, err = unauthenticatedFirestore(t, e).Doc("rooms/r1").Get(ctx)
	if status.Code(err) != codes.PermissionDenied {
		t.Errorf("unauthenticated Get: %v, want PermissionDenied", err)
	}

	ac := adminAuth(t, e.ProjectID)
	u, err := ac.CreateUser(ctx, (&fbauth.UserToCreate{}).UID("alice").Email("alice@example.com").Password("secret1"))
	if err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	got, err := ac.GetUserByEmail(ctx, "alice@example.com")
	if err != nil || got.UID != u.UID {
		t.Fatalf("GetUserByEmail = %v, %v", got, err)
	}
}

func TestEnvNamesBothEmulatorsAndProject(t *testing.T) {
	e := embedded.StartT(t, embedded.Options{ProjectID: "demo-env"})
	want := []string{
		"FIRESTORE_EMULATOR_HOST=" + e.FirestoreAddr,
		"FIREBASE_FIRESTORE_EMULATOR_ADDRESS=" + e.FirestoreAddr,
		"FIREBASE_AUTH_EMULATOR_HOST=" + e.AuthAddr,
		"GCLOUD_PROJECT=demo-env",
		"GOOGLE_CLOUD_PROJECT=demo-env",
	}
	got := e.Env()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Env() =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	e.Setenv(t)
	if os.Getenv("FIRESTORE_EMULATOR_HOST") != e.FirestoreAddr || os.Getenv("GCLOUD_PROJECT") != "demo-env" {
		t.Error("Setenv did not set the variables")
	}
}

func TestRulesPathIsReadAtStart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "my.rules")
	if err := os.WriteFile(path, []byte(testRules), 0o644); err != nil {
		t.Fatal(err)
	}
	e := embedded.StartT(t, embedded.Options{RulesPath: path})
	_, err := unauthenticatedFirestore(t, e).Doc("rooms/x").Get(context.Background())
	if status.Code(err) != codes.PermissionDenied {
		t.Errorf("Get under rules from %s: %v, want PermissionDenied", path, err)
	}
}

func TestCloseFreesThePorts(t *testing.T) {
	e, err := embedded.Start(embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := e.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	for _, a := range []string{e.FirestoreAddr, e.AuthAddr} {
		l, err := net.Listen("tcp", a)
		if err != nil {
			t.Errorf("port %s still taken after Close: %v", a, err)
			continue
		}
		l.Close()
	}
	if _, err := http.Get("http://" + e.AuthAddr + "/"); err == nil {
		t.Error("Auth emulator still answers after Close")
	}
}

// freePort returns a loopback address that was free a moment ago.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	a := l.Addr().String()
	l.Close()
	return a
}

func TestStartErrors(t *testing.T) {
	t.Run("rules that do not compile name the file and position", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "bad.rules")
		os.WriteFile(path, []byte("service cloud.firestore {\n  match /a {\n    allow read: if a +;\n  }\n}\n"), 0o644)
		_, err := embedded.Start(embedded.Options{RulesPath: path})
		if err == nil || !strings.Contains(err.Error(), path+":3:23:") {
			t.Errorf("err = %v, want a position in %s", err, path)
		}
	})
	t.Run("missing rules file", func(t *testing.T) {
		_, err := embedded.Start(embedded.Options{RulesPath: filepath.Join(t.TempDir(), "nope.rules")})
		if err == nil || !strings.Contains(err.Error(), "nope.rules") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("invalid project IDs", func(t *testing.T) {
		for _, p := range []string{"Demo-X", "demo x", "demo-x/../y", "-demo", "demo-", strings.Repeat("a", 31)} {
			if _, err := embedded.Start(embedded.Options{ProjectID: p}); err == nil {
				t.Errorf("project %q accepted", p)
			}
		}
	})
	t.Run("a taken Auth port leaves nothing running", func(t *testing.T) {
		taken, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer taken.Close()
		fsAddr := freePort(t)
		_, err = embedded.Start(embedded.Options{FirestoreAddr: fsAddr, AuthAddr: taken.Addr().String()})
		if err == nil || !strings.Contains(err.Error(), "Auth") {
			t.Fatalf("err = %v, want an Auth start error", err)
		}
		l, err := net.Listen("tcp", fsAddr)
		if err != nil {
			t.Fatalf("Firestore port %s not freed after the failed start: %v", fsAddr, err)
		}
		l.Close()
	})
}

func BenchmarkStart(b *testing.B) {
	rulesSrc, err := os.ReadFile("../../firestore.rules")
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		opts embedded.Options
	}{
		{"no-rules", embedded.Options{Logf: func(string, ...any) {}}},
		{"firestore.rules", embedded.Options{Rules: string(rulesSrc), Logf: func(string, ...any) {}}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
			for b.Loop() {
				e, err := embedded.Start(bc.opts)
				if err != nil {
					b.Fatal(err)
				}
				// Ready means both answer a request.
				for _, u := range []string{
					"http://" + e.FirestoreAddr + "/emulator/v1/projects/" + e.ProjectID + ":ruleCoverage",
					"http://" + e.AuthAddr + "/emulator/v1/projects/" + e.ProjectID + "/config",
				} {
					resp, err := client.Get(u)
					if err != nil {
						b.Fatal(err)
					}
					resp.Body.Close()
				}
				b.StopTimer()
				e.Close()
				b.StartTimer()
			}
		})
	}
}
