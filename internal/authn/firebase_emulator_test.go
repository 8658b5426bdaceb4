package authn_test

// The Firebase verifier against the in-process Auth emulator, through the
// real Admin SDK, with ID tokens minted the way a client gets them
// (signInWithCustomToken).

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	firebase "firebase.google.com/go/v4"
	"firebase.google.com/go/v4/auth"

	"github.com/roomgate/roomgate/emulator/embedded"
	"github.com/roomgate/roomgate/internal/authn"
)

func startAuth(t *testing.T, project string) (*embedded.Emulators, *auth.Client) {
	t.Helper()
	emu := embedded.StartT(t, embedded.Options{ProjectID: project, Logf: func(string, ...any) {}})
	emu.Setenv(t)
	app, err := firebase.NewApp(context.Background(), &firebase.Config{ProjectID: project})
	if err != nil {
		t.Fatal(err)
	}
	ac, err := app.Auth(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return emu, ac
}

// signIn returns an ID token for uid from the emulator's client endpoint.
func signIn(t *testing.T, emu *embedded.Emulators, ac *auth.Client, uid string) string {
	t.Helper()
	ct, err := ac.CustomToken(context.Background(), uid)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{"token": ct, "returnSecureToken": true})
	resp, err := http.Post("http://"+emu.AuthAddr+"/identitytoolkit.googleapis.com/v1/accounts:signInWithCustomToken?key=test", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		IDToken string `json:"idToken"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.IDToken == "" {
		t.Fatalf("signInWithCustomToken: %d %v", resp.StatusCode, err)
	}
	return out.IDToken
}

func TestFirebaseVerifierAgainstTheEmulator(t *testing.T) {
	emu, ac := startAuth(t, "demo-roomgate")
	ctx := context.Background()
	v := &authn.Firebase{Client: ac}
	if _, err := ac.CreateUser(ctx, (&auth.UserToCreate{}).UID("alice").Email("alice@example.com")); err != nil {
		t.Fatal(err)
	}
	if err := ac.SetCustomUserClaims(ctx, "alice", map[string]any{"chat": true, "role": "moderator"}); err != nil {
		t.Fatal(err)
	}
	tok := signIn(t, emu, ac, "alice")

	t.Run("a fresh token verifies with its claims", func(t *testing.T) {
		got, err := v.Verify(ctx, tok, true)
		if err != nil {
			t.Fatal(err)
		}
		if got.UID != "alice" || !got.Admitted() || got.String("role") != "moderator" || got.Email != "alice@example.com" || got.EmailVerified {
			t.Fatalf("token = %+v", got)
		}
	})
	t.Run("garbage is invalid", func(t *testing.T) {
		if _, err := v.Verify(ctx, "a.b.c", false); !errors.Is(err, authn.ErrInvalidToken) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("a tampered payload is invalid", func(t *testing.T) {
		if _, err := v.Verify(ctx, tok[:len(tok)/2], false); !errors.Is(err, authn.ErrInvalidToken) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("a disabled user is refused on mutation", func(t *testing.T) {
		if _, err := ac.CreateUser(ctx, (&auth.UserToCreate{}).UID("dis")); err != nil {
			t.Fatal(err)
		}
		dt := signIn(t, emu, ac, "dis")
		if _, err := ac.UpdateUser(ctx, "dis", (&auth.UserToUpdate{}).Disabled(true)); err != nil {
			t.Fatal(err)
		}
		if _, err := v.Verify(ctx, dt, true); !errors.Is(err, authn.ErrUserDisabled) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("a deleted user's token is invalid", func(t *testing.T) {
		if _, err := ac.CreateUser(ctx, (&auth.UserToCreate{}).UID("gone")); err != nil {
			t.Fatal(err)
		}
		gt := signIn(t, emu, ac, "gone")
		if err := ac.DeleteUser(ctx, "gone"); err != nil {
			t.Fatal(err)
		}
		if _, err := v.Verify(ctx, gt, true); !errors.Is(err, authn.ErrInvalidToken) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("a revoked token is refused on mutation", func(t *testing.T) {
		// Revocation has one-second granularity (iat < validSince).
		time.Sleep(1100 * time.Millisecond)
		if err := ac.RevokeRefreshTokens(ctx, "alice"); err != nil {
			t.Fatal(err)
		}
		if _, err := v.Verify(ctx, tok, true); !errors.Is(err, authn.ErrTokenRevoked) {
			t.Fatalf("err = %v", err)
		}
		// A token minted after the revocation is fine.
		time.Sleep(1100 * time.Millisecond)
		if _, err := v.Verify(ctx, signIn(t, emu, ac, "alice"), true); err != nil {
			t.Fatalf("new token: %v", err)
		}
	})
}

func TestATokenForAnotherProjectIsInvalid(t *testing.T) {
	emu, other := startAuth(t, "demo-other")
	ctx := context.Background()
	if _, err := other.CreateUser(ctx, (&auth.UserToCreate{}).UID("eve")); err != nil {
		t.Fatal(err)
	}
	tok := signIn(t, emu, other, "eve")
	app, err := firebase.NewApp(ctx, &firebase.Config{ProjectID: "demo-roomgate"})
	if err != nil {
		t.Fatal(err)
	}
	ours, err := app.Auth(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (&authn.Firebase{Client: ours}).Verify(ctx, tok, false); !errors.Is(err, authn.ErrInvalidToken) {
		t.Fatalf("err = %v", err)
	}
}
