package auth_test

import (
	"context"
	cryptorand "crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	firebase "firebase.google.com/go/v4"
	fbauth "firebase.google.com/go/v4/auth"
)

// Tests named Target run against the Auth emulator at ROOMGATE_TEST_AUTH
// (host:port) when it is set — `make test-google` points it at Google's
// emulator from firebase-tools — and against this package's emulator
// otherwise, so both are held to the same behaviour. They use only the
// Admin SDK and the client REST calls the JS SDK makes, touch only their
// own randomly named accounts, and expect only what both emulators do.

// authTarget returns the address to test and the project whose accounts
// it holds.
func authTarget(t *testing.T) string {
	t.Helper()
	if a := os.Getenv("ROOMGATE_TEST_AUTH"); a != "" {
		t.Logf("testing the Auth emulator at %s", a)
		return a
	}
	return startEmulator(t).Addr()
}

func targetAdmin(t *testing.T, addr string) *fbauth.Client {
	t.Helper()
	t.Setenv("FIREBASE_AUTH_EMULATOR_HOST", addr)
	app, err := firebase.NewApp(context.Background(), &firebase.Config{ProjectID: projectID})
	if err != nil {
		t.Fatal(err)
	}
	c, err := app.Auth(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// targetREST sends a JSON request to addr (client calls carry ?key=).
func targetREST(t *testing.T, addr, method, path string, body any) rest {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = strings.NewReader(string(b))
	}
	req, err := http.NewRequest(method, "http://"+addr+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := rest{Status: resp.StatusCode, Raw: string(raw), Header: resp.Header}
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &out.Body)
	}
	return out
}

func targetClient(t *testing.T, addr, op string, body any) rest {
	t.Helper()
	return targetREST(t, addr, http.MethodPost, "/identitytoolkit.googleapis.com/v1/accounts:"+op+"?key=fake-api-key", body)
}

// pendingCode returns the newest listed code of that type for email.
func pendingCode(t *testing.T, addr, listKey, match, value string) map[string]any {
	t.Helper()
	path := "/emulator/v1/projects/" + projectID + "/" + listKey
	r := mustOK(t, targetREST(t, addr, http.MethodGet, path, nil))
	list, _ := r.Body[listKey].([]any)
	for i := len(list) - 1; i >= 0; i-- {
		if o := list[i].(map[string]any); o[match] == value {
			return o
		}
	}
	t.Fatalf("no pending code with %s=%s in %s", match, value, r.Raw)
	return nil
}

func TestTargetEmailActionFlows(t *testing.T) {
	addr := authTarget(t)
	c := targetAdmin(t, addr)
	ctx := context.Background()
	id := strings.ToLower(randomSuffix(t))
	email := "flow-" + id + "@example.com"
	if _, err := c.CreateUser(ctx, (&fbauth.UserToCreate{}).Email(email).Password("secret1")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if u, err := c.GetUserByEmail(ctx, email); err == nil {
			_ = c.DeleteUser(ctx, u.UID)
		}
	})

	// Admin SDK link, opened like a person would.
	link, err := c.EmailVerificationLink(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(link)
	if u.Path != "/emulator/action" || u.Query().Get("mode") != "verifyEmail" {
		t.Fatalf("link %s", link)
	}
	r := mustOK(t, targetREST(t, addr, http.MethodGet, u.RequestURI(), nil))
	if ae, _ := r.Body["authEmulator"].(map[string]any); ae["email"] != email {
		t.Fatalf("action page: %s", r.Raw)
	}
	if got, err := c.GetUserByEmail(ctx, email); err != nil || !got.EmailVerified {
		t.Fatalf("after the link: %+v %v", got, err)
	}

	// Client password reset (sendPasswordResetEmail + confirmPasswordReset).
	mustOK(t, targetClient(t, addr, "sendOobCode", map[string]any{"requestType": "PASSWORD_RESET", "email": email}))
	code := pendingCode(t, addr, "oobCodes", "email", email)
	if code["requestType"] != "PASSWORD_RESET" {
		t.Fatalf("code %v", code)
	}
	r = mustOK(t, targetClient(t, addr, "resetPassword", map[string]any{"oobCode": code["oobCode"], "newPassword": "newpass1"}))
	if r.str("requestType") != "PASSWORD_RESET" || r.str("email") != email {
		t.Fatalf("resetPassword: %s", r.Raw)
	}
	tok := mustOK(t, targetClient(t, addr, "signInWithPassword", map[string]any{"email": email, "password": "newpass1", "returnSecureToken": true})).str("idToken")
	wantError(t, targetClient(t, addr, "resetPassword", map[string]any{"oobCode": code["oobCode"], "newPassword": "again123"}), 400, "INVALID_OOB_CODE")

	// verifyBeforeUpdateEmail, then applyActionCode.
	newEmail := "moved-" + id + "@example.com"
	mustOK(t, targetClient(t, addr, "sendOobCode", map[string]any{"requestType": "VERIFY_AND_CHANGE_EMAIL", "idToken": tok, "newEmail": newEmail}))
	code = pendingCode(t, addr, "oobCodes", "newEmail", newEmail)
	r = mustOK(t, targetClient(t, addr, "update", map[string]any{"oobCode": code["oobCode"]}))
	if r.str("email") != newEmail {
		t.Fatalf("update with oobCode: %s", r.Raw)
	}
	email = newEmail

	// Email-link sign-in of a new account.
	linkEmail := "link-" + id + "@example.com"
	link, err = c.EmailSignInLink(ctx, linkEmail, &fbauth.ActionCodeSettings{URL: "https://app.example.com/done", HandleCodeInApp: true})
	if err != nil {
		t.Fatal(err)
	}
	u, _ = url.Parse(link)
	r = mustOK(t, targetClient(t, addr, "signInWithEmailLink", map[string]any{"email": linkEmail, "oobCode": u.Query().Get("oobCode")}))
	if r.Body["isNewUser"] != true || r.str("idToken") == "" {
		t.Fatalf("signInWithEmailLink: %s", r.Raw)
	}
	t.Cleanup(func() { _ = c.DeleteUser(ctx, r.str("localId")) })
	am := mustOK(t, targetClient(t, addr, "createAuthUri", map[string]any{"identifier": linkEmail, "continueUri": "http://localhost/"}))
	if m, _ := am.Body["signinMethods"].([]any); am.Body["registered"] != true || len(m) != 1 || m[0] != "emailLink" {
		t.Fatalf("createAuthUri after email-link sign-in: %s", am.Raw)
	}
}

func TestTargetPhoneSignIn(t *testing.T) {
	addr := authTarget(t)
	c := targetAdmin(t, addr)
	ctx := context.Background()
	phone := "+1555" + randomDigitsForTest(t, 7)
	session := mustOK(t, targetClient(t, addr, "sendVerificationCode", map[string]any{"phoneNumber": phone})).str("sessionInfo")
	v := pendingCode(t, addr, "verificationCodes", "sessionInfo", session)
	if v["phoneNumber"] != phone {
		t.Fatalf("code %v", v)
	}
	r := mustOK(t, targetClient(t, addr, "signInWithPhoneNumber", map[string]any{"sessionInfo": session, "code": v["code"]}))
	if r.Body["isNewUser"] != true || r.str("phoneNumber") != phone {
		t.Fatalf("signInWithPhoneNumber: %s", r.Raw)
	}
	t.Cleanup(func() { _ = c.DeleteUser(ctx, r.str("localId")) })
	u, err := c.GetUserByPhoneNumber(ctx, phone)
	if err != nil || u.UID != r.str("localId") {
		t.Fatalf("GetUserByPhoneNumber: %+v %v", u, err)
	}
	wantError(t, targetClient(t, addr, "signInWithPhoneNumber", map[string]any{"sessionInfo": session, "code": v["code"]}), 400, "INVALID_SESSION_INFO")
}

func randomSuffix(t *testing.T) string {
	t.Helper()
	b := make([]byte, 8)
	if _, err := cryptorand.Read(b); err != nil {
		t.Fatal(err)
	}
	const hex = "0123456789abcdef"
	out := make([]byte, 0, 16)
	for _, x := range b {
		out = append(out, hex[x>>4], hex[x&15])
	}
	return string(out)
}

func randomDigitsForTest(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := cryptorand.Read(b); err != nil {
		t.Fatal(err)
	}
	for i := range b {
		b[i] = '0' + b[i]%10
	}
	return string(b)
}
