package auth_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	fbauth "firebase.google.com/go/v4/auth"
)

// These tests call the client endpoints over HTTP as the JS SDK does and
// check the results with the real Admin SDK.

func TestSignUpToClaimsFlow(t *testing.T) {
	srv := startEmulator(t)
	ac := adminClient(t, srv)
	ctx := context.Background()

	signup := signUpPassword(t, srv, "Dana@Example.com", "password1")
	uid, idToken, refresh := signup.str("localId"), signup.str("idToken"), signup.str("refreshToken")

	t.Run("sign-up answers with the SignupNewUserResponse shape", func(t *testing.T) {
		if signup.str("kind") != "identitytoolkit#SignupNewUserResponse" || signup.str("email") != "dana@example.com" ||
			signup.str("expiresIn") != "3600" || len(uid) != 28 || refresh == "" {
			t.Errorf("response %s", signup.Raw)
		}
	})

	t.Run("the ID token has Google's emulator shape", func(t *testing.T) {
		header, p, raw := decodeToken(t, idToken)
		if header["alg"] != "none" || header["typ"] != "JWT" || len(header) != 2 {
			t.Errorf("header %v", header)
		}
		if p["aud"] != projectID || p["iss"] != "https://securetoken.google.com/"+projectID ||
			p["sub"] != uid || p["user_id"] != uid || p["email"] != "dana@example.com" || p["email_verified"] != false {
			t.Errorf("payload %s", raw)
		}
		iat, _ := p["iat"].(json.Number).Int64()
		exp, _ := p["exp"].(json.Number).Int64()
		if exp-iat != 3600 || iat > time.Now().Unix() || iat < time.Now().Unix()-5 {
			t.Errorf("iat %d exp %d", iat, exp)
		}
		fb := p["firebase"].(map[string]any)
		if fb["sign_in_provider"] != "password" {
			t.Errorf("firebase %v", fb)
		}
		if ids := fb["identities"].(map[string]any)["email"].([]any); len(ids) != 1 || ids[0] != "dana@example.com" {
			t.Errorf("identities %v", fb["identities"])
		}
		if _, has := p["provider_id"]; has {
			t.Error("provider_id is only for anonymous users")
		}
		// Reserved claims come before the standard ones, as jsonwebtoken emits them.
		if strings.Index(raw, `"user_id"`) > strings.Index(raw, `"iat"`) {
			t.Errorf("claim order: %s", raw)
		}
	})

	t.Run("VerifyIDToken accepts the token", func(t *testing.T) {
		tok, err := ac.VerifyIDToken(ctx, idToken)
		if err != nil {
			t.Fatal(err)
		}
		if tok.UID != uid || tok.Audience != projectID || tok.Claims["email"] != "dana@example.com" {
			t.Errorf("token %+v", tok)
		}
	})

	t.Run("after SetCustomUserClaims a refreshed token carries the claim", func(t *testing.T) {
		if err := ac.SetCustomUserClaims(ctx, uid, map[string]any{"chat": true, "role": "mod"}); err != nil {
			t.Fatal(err)
		}
		// The JS SDK refreshes with a form body and snake_case keys.
		form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}}.Encode()
		r := call(t, srv, "POST", "/securetoken.googleapis.com/v1/token?key=fake",
			map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, form)
		mustOK(t, r)
		if r.str("token_type") != "Bearer" || r.str("user_id") != uid || r.str("expires_in") != "3600" ||
			r.str("access_token") != r.str("id_token") || r.str("project_id") != "12345" || r.str("refresh_token") == "" {
			t.Fatalf("refresh response %s", r.Raw)
		}
		tok, err := ac.VerifyIDToken(ctx, r.str("id_token"))
		if err != nil {
			t.Fatal(err)
		}
		if tok.Claims["chat"] != true || tok.Claims["role"] != "mod" {
			t.Errorf("claims after refresh: %v", tok.Claims)
		}
		old, err := ac.VerifyIDToken(ctx, idToken)
		if err != nil {
			t.Fatal(err)
		}
		if _, has := old.Claims["chat"]; has {
			t.Error("the old token changed")
		}
	})

	t.Run("refresh also accepts a JSON body", func(t *testing.T) {
		r := call(t, srv, "POST", "/securetoken.googleapis.com/v1/token?key=fake", nil,
			`{"grantType":"refresh_token","refreshToken":"`+refresh+`"}`)
		mustOK(t, r)
	})

	t.Run("lookup with the ID token returns the user without the password hash", func(t *testing.T) {
		r := mustOK(t, client(t, srv, "lookup", map[string]any{"idToken": idToken}))
		users := r.Body["users"].([]any)
		u := users[0].(map[string]any)
		if u["localId"] != uid || u["email"] != "dana@example.com" || u["customAttributes"] != `{"chat":true,"role":"mod"}` {
			t.Errorf("user %v", u)
		}
		if strings.Contains(r.Raw, "password1") || u["salt"] != nil {
			t.Errorf("password material leaked to a client: %s", r.Raw)
		}
		for _, k := range []string{"createdAt", "lastLoginAt", "validSince"} {
			if _, ok := u[k].(string); !ok {
				t.Errorf("%s is %T, want a JSON string", k, u[k])
			}
		}
	})

	t.Run("a client cannot set its own custom claims", func(t *testing.T) {
		r := client(t, srv, "update", map[string]any{"idToken": idToken, "customAttributes": `{"admin":true}`})
		wantError(t, r, 400, "INSUFFICIENT_PERMISSION")
	})

	t.Run("a client changes its password, gets new tokens, then deletes itself", func(t *testing.T) {
		r := mustOK(t, client(t, srv, "update", map[string]any{"idToken": idToken, "password": "newpass1", "returnSecureToken": true}))
		if r.str("idToken") == "" {
			t.Fatalf("no new token after password change: %s", r.Raw)
		}
		mustOK(t, client(t, srv, "signInWithPassword", map[string]any{"email": "dana@example.com", "password": "newpass1"}))
		mustOK(t, client(t, srv, "delete", map[string]any{"idToken": r.str("idToken")}))
		if _, err := ac.GetUser(ctx, uid); !fbauth.IsUserNotFound(err) {
			t.Errorf("user still exists: %v", err)
		}
	})
}

func TestAnonymousSignUp(t *testing.T) {
	srv := startEmulator(t)
	ac := adminClient(t, srv)
	r := mustOK(t, client(t, srv, "signUp", map[string]any{"returnSecureToken": true}))
	_, p, raw := decodeToken(t, r.str("idToken"))
	if p["provider_id"] != "anonymous" || p["firebase"].(map[string]any)["sign_in_provider"] != "anonymous" {
		t.Errorf("anonymous token %s", raw)
	}
	if _, has := p["email"]; has {
		t.Errorf("anonymous token has an email: %s", raw)
	}
	if _, has := p["email_verified"]; has {
		t.Errorf("anonymous token has email_verified: %s", raw)
	}
	if _, err := ac.VerifyIDToken(context.Background(), r.str("idToken")); err != nil {
		t.Fatal(err)
	}

	t.Run("linking an email and password keeps the uid", func(t *testing.T) {
		linked := mustOK(t, client(t, srv, "signUp", map[string]any{
			"idToken": r.str("idToken"), "email": "anon@example.com", "password": "secret1",
		}))
		if linked.str("localId") != r.str("localId") {
			t.Errorf("uid changed from %s to %s", r.str("localId"), linked.str("localId"))
		}
		u, err := ac.GetUserByEmail(context.Background(), "anon@example.com")
		if err != nil || u.UID != r.str("localId") {
			t.Errorf("GetUserByEmail = %v, %v", u, err)
		}
	})
}

func TestSignUpAndPasswordErrors(t *testing.T) {
	srv := startEmulator(t)
	signUpPassword(t, srv, "erin@example.com", "password1")
	cases := []struct {
		name, op string
		body     map[string]any
		code     string
	}{
		{"a short password is WEAK_PASSWORD", "signUp", map[string]any{"email": "x@example.com", "password": "12345"}, "WEAK_PASSWORD"},
		{"a taken email is EMAIL_EXISTS", "signUp", map[string]any{"email": "ERIN@example.com", "password": "password1"}, "EMAIL_EXISTS"},
		{"a malformed email is INVALID_EMAIL", "signUp", map[string]any{"email": "no-at-sign", "password": "password1"}, "INVALID_EMAIL"},
		{"an email without password is MISSING_PASSWORD", "signUp", map[string]any{"email": "y@example.com"}, "MISSING_PASSWORD"},
		{"a client cannot choose its uid", "signUp", map[string]any{"localId": "mine"}, "UNEXPECTED_PARAMETER"},
		{"an unknown email is EMAIL_NOT_FOUND", "signInWithPassword", map[string]any{"email": "nobody@example.com", "password": "password1"}, "EMAIL_NOT_FOUND"},
		{"a wrong password is INVALID_PASSWORD", "signInWithPassword", map[string]any{"email": "erin@example.com", "password": "wrong-password"}, "INVALID_PASSWORD"},
		{"a missing password is MISSING_PASSWORD", "signInWithPassword", map[string]any{"email": "erin@example.com"}, "MISSING_PASSWORD"},
		{"a garbage ID token is INVALID_ID_TOKEN", "lookup", map[string]any{"idToken": "not-a-jwt"}, "INVALID_ID_TOKEN"},
		{"lookup without a token is MISSING_ID_TOKEN", "lookup", map[string]any{}, "MISSING_ID_TOKEN"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, client(t, srv, tc.op, tc.body), 400, tc.code)
		})
	}

	t.Run("a correct password signs in with a VerifyPasswordResponse", func(t *testing.T) {
		r := mustOK(t, client(t, srv, "signInWithPassword", map[string]any{"email": "Erin@Example.com", "password": "password1"}))
		if r.str("kind") != "identitytoolkit#VerifyPasswordResponse" || r.Body["registered"] != true || r.str("idToken") == "" {
			t.Errorf("response %s", r.Raw)
		}
	})

	t.Run("with improved email privacy every failure is INVALID_LOGIN_CREDENTIALS", func(t *testing.T) {
		mustOK(t, call(t, srv, "PATCH", "/emulator/v1/projects/"+projectID+"/config", nil,
			`{"emailPrivacyConfig":{"enableImprovedEmailPrivacy":true}}`))
		wantError(t, client(t, srv, "signInWithPassword", map[string]any{"email": "nobody@example.com", "password": "password1"}), 400, "INVALID_LOGIN_CREDENTIALS")
		wantError(t, client(t, srv, "signInWithPassword", map[string]any{"email": "erin@example.com", "password": "nope-nope"}), 400, "INVALID_LOGIN_CREDENTIALS")
	})
}

func TestCustomTokenSignIn(t *testing.T) {
	srv := startEmulator(t)
	ac := adminClient(t, srv)
	ctx := context.Background()

	t.Run("a token from CustomToken signs in as that uid and creates the user", func(t *testing.T) {
		ct, err := ac.CustomTokenWithClaims(ctx, "frank", map[string]any{"tier": "gold"})
		if err != nil {
			t.Fatal(err)
		}
		r := mustOK(t, client(t, srv, "signInWithCustomToken", map[string]any{"token": ct, "returnSecureToken": true}))
		if r.Body["isNewUser"] != true || r.str("kind") != "identitytoolkit#VerifyCustomTokenResponse" {
			t.Errorf("response %s", r.Raw)
		}
		tok, err := ac.VerifyIDToken(ctx, r.str("idToken"))
		if err != nil {
			t.Fatal(err)
		}
		if tok.UID != "frank" || tok.Firebase.SignInProvider != "custom" || tok.Claims["tier"] != "gold" {
			t.Errorf("token %+v", tok)
		}
		// Custom-token claims survive a refresh (they live in the refresh token).
		ref := mustOK(t, call(t, srv, "POST", "/securetoken.googleapis.com/v1/token?key=fake", nil,
			`{"grant_type":"refresh_token","refresh_token":"`+r.str("refreshToken")+`"}`))
		tok, err = ac.VerifyIDToken(ctx, ref.str("id_token"))
		if err != nil || tok.Claims["tier"] != "gold" {
			t.Errorf("after refresh: %+v %v", tok, err)
		}
	})

	t.Run("the second sign-in is not a new user", func(t *testing.T) {
		ct, err := ac.CustomToken(ctx, "frank")
		if err != nil {
			t.Fatal(err)
		}
		r := mustOK(t, client(t, srv, "signInWithCustomToken", map[string]any{"token": ct}))
		if r.Body["isNewUser"] != false {
			t.Errorf("response %s", r.Raw)
		}
	})

	t.Run("a plain JSON token works in the emulator", func(t *testing.T) {
		r := mustOK(t, client(t, srv, "signInWithCustomToken", map[string]any{"token": `{"uid":"gina","claims":{"beta":true}}`}))
		_, p, _ := decodeToken(t, r.str("idToken"))
		if p["sub"] != "gina" || p["beta"] != true {
			t.Errorf("payload %v", p)
		}
	})

	t.Run("bad custom tokens are refused", func(t *testing.T) {
		idTok := signUpPassword(t, srv, "h@example.com", "password1").str("idToken")
		wantError(t, client(t, srv, "signInWithCustomToken", map[string]any{"token": idTok}), 400, "INVALID_CUSTOM_TOKEN")
		wantError(t, client(t, srv, "signInWithCustomToken", map[string]any{"token": `{"claims":{}}`}), 400, "MISSING_IDENTIFIER")
		wantError(t, client(t, srv, "signInWithCustomToken", map[string]any{"token": `{"uid":"x","claims":{"iss":1}}`}), 400, "FORBIDDEN_CLAIM")
		wantError(t, client(t, srv, "signInWithCustomToken", map[string]any{"token": `{"uid":`}), 400, "INVALID_CUSTOM_TOKEN")
		wantError(t, client(t, srv, "signInWithCustomToken", map[string]any{}), 400, "MISSING_CUSTOM_TOKEN")
	})
}

func TestWireBehaviour(t *testing.T) {
	srv := startEmulator(t)

	t.Run("GET / says the emulator is ready", func(t *testing.T) {
		r := mustOK(t, call(t, srv, "GET", "/", nil, ""))
		if r.Body["authEmulator"].(map[string]any)["ready"] != true {
			t.Errorf("body %s", r.Raw)
		}
	})

	t.Run("malformed JSON is a 400 in the error format", func(t *testing.T) {
		r := call(t, srv, "POST", "/identitytoolkit.googleapis.com/v1/accounts:signUp?key=fake", nil, `{"email":`)
		if r.Status != 400 || !strings.HasPrefix(r.errorMessage(), "Invalid JSON payload received.") {
			t.Fatalf("%d %s", r.Status, r.Raw)
		}
	})

	t.Run("a field of the wrong type is a 400", func(t *testing.T) {
		r := call(t, srv, "POST", "/identitytoolkit.googleapis.com/v1/accounts:signUp?key=fake", nil, `{"email":42}`)
		if r.Status != 400 || !strings.HasPrefix(r.errorMessage(), "Invalid JSON payload received.") {
			t.Fatalf("%d %s", r.Status, r.Raw)
		}
	})

	t.Run("an unknown operation is a 404 in the error format", func(t *testing.T) {
		wantError(t, call(t, srv, "POST", "/identitytoolkit.googleapis.com/v1/accounts:frobnicate?key=fake", nil, `{}`), 404, "Not Found")
		wantError(t, call(t, srv, "GET", "/nothing/here", nil, ""), 404, "Not Found")
	})

	t.Run("a known but unmodelled operation is a loud 501", func(t *testing.T) {
		r := call(t, srv, "POST", "/identitytoolkit.googleapis.com/v1/accounts:signInWithGameCenter?key=fake", nil, `{}`)
		if r.Status != http.StatusNotImplemented {
			t.Fatalf("%d %s", r.Status, r.Raw)
		}
	})

	t.Run("a client call without an API key is refused", func(t *testing.T) {
		wantError(t, call(t, srv, "POST", "/identitytoolkit.googleapis.com/v1/accounts:signUp", nil, `{}`), 403, "The request is missing a valid API key.")
	})

	t.Run("CORS allows any origin, including preflight", func(t *testing.T) {
		r := call(t, srv, "OPTIONS", "/identitytoolkit.googleapis.com/v1/accounts:signUp?key=fake",
			map[string]string{"Origin": "http://localhost:5173", "Access-Control-Request-Method": "POST",
				"Access-Control-Request-Headers": "content-type,x-client-version"}, "")
		if r.Status != http.StatusNoContent || r.Header.Get("Access-Control-Allow-Origin") != "http://localhost:5173" ||
			r.Header.Get("Access-Control-Allow-Headers") != "content-type,x-client-version" ||
			!strings.Contains(r.Header.Get("Access-Control-Allow-Methods"), "POST") {
			t.Errorf("preflight %d %v", r.Status, r.Header)
		}
		r = call(t, srv, "GET", "/", map[string]string{"Origin": "http://example.test"}, "")
		if r.Header.Get("Access-Control-Allow-Origin") != "http://example.test" {
			t.Errorf("simple request headers %v", r.Header)
		}
	})

	t.Run("a forged refresh token is INVALID_REFRESH_TOKEN", func(t *testing.T) {
		wantError(t, call(t, srv, "POST", "/securetoken.googleapis.com/v1/token?key=fake", nil,
			`{"grant_type":"refresh_token","refresh_token":"bm90IGpzb24="}`), 400, "INVALID_REFRESH_TOKEN")
		wantError(t, call(t, srv, "POST", "/securetoken.googleapis.com/v1/token?key=fake", nil,
			`{"grant_type":"password"}`), 400, "INVALID_GRANT_TYPE")
	})
}

func TestLogsNeverContainSecrets(t *testing.T) {
	srv := startEmulator(t)
	var mu sync.Mutex
	var logs []string
	srv.SetLogger(func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		logs = append(logs, fmt.Sprintf(format, args...))
	})
	r := signUpPassword(t, srv, "ivy@example.com", "topsecret")
	mustOK(t, client(t, srv, "lookup", map[string]any{"idToken": r.str("idToken")}))
	mu.Lock()
	defer mu.Unlock()
	all := strings.Join(logs, "\n")
	if len(logs) != 2 || !strings.Contains(all, r.str("localId")) || !strings.Contains(all, "signUp") {
		t.Errorf("logs %q", logs)
	}
	for _, secret := range []string{"topsecret", r.str("idToken")[:40], r.str("refreshToken")[:20]} {
		if strings.Contains(all, secret) {
			t.Errorf("log contains a secret: %q", all)
		}
	}
}

func TestConcurrentSignUpsOfOneEmail(t *testing.T) {
	srv := startEmulator(t)
	srv.SetLogger(nil)
	const n = 16
	results := make(chan rest, n)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results <- client(t, srv, "signUp", map[string]any{"email": "race@example.com", "password": "password1"})
		}()
	}
	wg.Wait()
	close(results)
	ok, exists := 0, 0
	for r := range results {
		switch {
		case r.Status == 200:
			ok++
		case r.errorMessage() == "EMAIL_EXISTS":
			exists++
		default:
			t.Errorf("unexpected answer %d %s", r.Status, r.Raw)
		}
	}
	if ok != 1 || exists != n-1 {
		t.Errorf("%d sign-ups succeeded and %d got EMAIL_EXISTS, want 1 and %d", ok, exists, n-1)
	}
	accounts, _ := srv.Export(projectID)
	if len(accounts.Users) != 1 {
		t.Errorf("%d users stored, want 1", len(accounts.Users))
	}
}
