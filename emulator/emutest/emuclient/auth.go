package emuclient

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	firebase "firebase.google.com/go/v4"
	"firebase.google.com/go/v4/auth"
)

// apiKey is the Web API key client calls carry; the emulators accept any.
const apiKey = "fake-api-key"

// Session is a signed-in user as the Auth emulator's client endpoints
// return it.
type Session struct {
	// UID is the account's localId.
	UID string
	// IDToken carries the account's custom claims as they were at sign-in.
	IDToken string
	// RefreshToken exchanges for a fresh ID token (Refresh).
	RefreshToken string
}

// signIn posts body to accounts:<op> and returns the session.
func signIn(ctx context.Context, authAddr, op string, body map[string]any) (Session, error) {
	body["returnSecureToken"] = true
	var r struct {
		LocalID      string `json:"localId"`
		IDToken      string `json:"idToken"`
		RefreshToken string `json:"refreshToken"`
	}
	if err := restCall(ctx, false, http.MethodPost, "http://"+authAddr+"/identitytoolkit.googleapis.com/v1/accounts:"+op+"?key="+apiKey, body, &r); err != nil {
		return Session{}, err
	}
	if r.IDToken == "" {
		return Session{}, errors.New("emuclient: " + op + ": the answer has no idToken")
	}
	if r.LocalID == "" {
		// signInWithCustomToken answers without localId, as Google's does.
		r.LocalID = tokenUID(r.IDToken)
	}
	return Session{UID: r.LocalID, IDToken: r.IDToken, RefreshToken: r.RefreshToken}, nil
}

// tokenUID is the user_id of an ID token's payload, read without
// verification ("" if it cannot be read): it only labels the session.
func tokenUID(tok string) string {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return ""
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var p struct {
		UserID string `json:"user_id"`
	}
	if json.Unmarshal(b, &p) != nil {
		return ""
	}
	return p.UserID
}

// SignUp creates an email/password account on the Auth emulator at
// authAddr, as a client's createUserWithEmailAndPassword does
// (accounts:signUp), and returns its session.
func SignUp(ctx context.Context, authAddr, email, password string) (Session, error) {
	return signIn(ctx, authAddr, "signUp", map[string]any{"email": email, "password": password})
}

// SignInWithPassword signs in with email and password
// (accounts:signInWithPassword).
func SignInWithPassword(ctx context.Context, authAddr, email, password string) (Session, error) {
	return signIn(ctx, authAddr, "signInWithPassword", map[string]any{"email": email, "password": password})
}

// SignInWithCustomToken exchanges a custom token (from the Admin SDK's
// CustomToken) for a session (accounts:signInWithCustomToken).
func SignInWithCustomToken(ctx context.Context, authAddr, customToken string) (Session, error) {
	return signIn(ctx, authAddr, "signInWithCustomToken", map[string]any{"token": customToken})
}

// SignInAs signs in as the existing account uid the way a client does:
// a custom token from ac, then SignInWithCustomToken. The ID token carries
// uid's custom claims as they are now.
func SignInAs(ctx context.Context, authAddr string, ac *auth.Client, uid string) (Session, error) {
	ct, err := ac.CustomToken(ctx, uid)
	if err != nil {
		return Session{}, err
	}
	return SignInWithCustomToken(ctx, authAddr, ct)
}

// Refresh exchanges a refresh token for a fresh ID token (securetoken's
// token endpoint), which carries the account's current custom claims:
// what a client's getIdToken(true) does.
func Refresh(ctx context.Context, authAddr, refreshToken string) (Session, error) {
	var r struct {
		IDToken      string `json:"id_token"`
		RefreshToken string `json:"refresh_token"`
		UserID       string `json:"user_id"`
	}
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}}
	if err := restCall(ctx, false, http.MethodPost, "http://"+authAddr+"/securetoken.googleapis.com/v1/token?key="+apiKey, form, &r); err != nil {
		return Session{}, err
	}
	if r.IDToken == "" {
		return Session{}, errors.New("emuclient: refresh: the answer has no id_token")
	}
	if r.RefreshToken == "" {
		r.RefreshToken = refreshToken
	}
	return Session{UID: r.UserID, IDToken: r.IDToken, RefreshToken: r.RefreshToken}, nil
}

// AdminAuth returns the real Admin SDK Auth client for projectID on the
// Auth emulator at authAddr. The Admin SDK finds the emulator only through
// FIREBASE_AUTH_EMULATOR_HOST, so AdminAuth sets it with t.Setenv (the
// test cannot be parallel). An error fails the test.
func AdminAuth(t testing.TB, authAddr, projectID string) *auth.Client {
	t.Helper()
	t.Setenv("FIREBASE_AUTH_EMULATOR_HOST", authAddr)
	ctx := context.Background()
	app, err := firebase.NewApp(ctx, &firebase.Config{ProjectID: projectID})
	if err != nil {
		t.Fatalf("emuclient: Admin SDK app: %v", err)
	}
	ac, err := app.Auth(ctx)
	if err != nil {
		t.Fatalf("emuclient: Admin SDK Auth client: %v", err)
	}
	return ac
}
