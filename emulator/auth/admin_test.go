package auth_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	fbauth "firebase.google.com/go/v4/auth"
	"google.golang.org/api/iterator"
)

// These tests drive the emulator through the real Firebase Admin SDK.

func TestAdminUserLifecycle(t *testing.T) {
	srv := startEmulator(t)
	ac := adminClient(t, srv)
	ctx := context.Background()

	t.Run("CreateUser returns the stored record with a 28-character uid", func(t *testing.T) {
		before := time.Now().UnixMilli()
		u, err := ac.CreateUser(ctx, (&fbauth.UserToCreate{}).
			Email("Alice@Example.com").Password("secret1").DisplayName("Alice").
			PhotoURL("https://example.com/a.png").PhoneNumber("+15550001111").EmailVerified(true))
		if err != nil {
			t.Fatalf("CreateUser: %v", err)
		}
		if len(u.UID) != 28 {
			t.Errorf("uid %q has %d characters, want 28", u.UID, len(u.UID))
		}
		if u.Email != "alice@example.com" || u.DisplayName != "Alice" || u.PhoneNumber != "+15550001111" ||
			u.PhotoURL != "https://example.com/a.png" || !u.EmailVerified || u.Disabled {
			t.Errorf("record = %+v", u.UserInfo)
		}
		if u.UserMetadata.CreationTimestamp < before || u.UserMetadata.CreationTimestamp > time.Now().UnixMilli() {
			t.Errorf("CreationTimestamp %d not within the call", u.UserMetadata.CreationTimestamp)
		}
		if u.TokensValidAfterMillis == 0 {
			t.Error("a password user must have validSince set")
		}
		var providers []string
		for _, p := range u.ProviderUserInfo {
			providers = append(providers, p.ProviderID+"="+p.UID)
		}
		sort.Strings(providers)
		if got := strings.Join(providers, ","); got != "password=alice@example.com,phone=+15550001111" {
			t.Errorf("providers = %s", got)
		}
	})

	t.Run("CreateUser with a chosen uid, then GetUser and GetUserByEmail find it", func(t *testing.T) {
		if _, err := ac.CreateUser(ctx, (&fbauth.UserToCreate{}).UID("bob").Email("bob@example.com")); err != nil {
			t.Fatal(err)
		}
		u, err := ac.GetUser(ctx, "bob")
		if err != nil || u.Email != "bob@example.com" {
			t.Fatalf("GetUser = %+v, %v", u, err)
		}
		u, err = ac.GetUserByEmail(ctx, "BOB@example.com")
		if err != nil || u.UID != "bob" {
			t.Fatalf("GetUserByEmail = %+v, %v", u, err)
		}
		if len(u.ProviderUserInfo) != 0 {
			t.Errorf("a user without password has providers %+v", u.ProviderUserInfo)
		}
		u, err = ac.GetUserByPhoneNumber(ctx, "+15550001111")
		if err != nil || u.Email != "alice@example.com" {
			t.Fatalf("GetUserByPhoneNumber = %+v, %v", u, err)
		}
	})

	t.Run("duplicate uid, email and phone are AlreadyExists errors", func(t *testing.T) {
		_, err := ac.CreateUser(ctx, (&fbauth.UserToCreate{}).UID("bob"))
		if !fbauth.IsUIDAlreadyExists(err) {
			t.Errorf("duplicate uid: %v", err)
		}
		_, err = ac.CreateUser(ctx, (&fbauth.UserToCreate{}).Email("bob@example.com"))
		if !fbauth.IsEmailAlreadyExists(err) {
			t.Errorf("duplicate email: %v", err)
		}
		_, err = ac.CreateUser(ctx, (&fbauth.UserToCreate{}).PhoneNumber("+15550001111"))
		if !fbauth.IsPhoneNumberAlreadyExists(err) {
			t.Errorf("duplicate phone: %v", err)
		}
	})

	t.Run("unknown users are NotFound", func(t *testing.T) {
		if _, err := ac.GetUser(ctx, "nobody"); !fbauth.IsUserNotFound(err) {
			t.Errorf("GetUser: %v", err)
		}
		if _, err := ac.GetUserByEmail(ctx, "nobody@example.com"); !fbauth.IsUserNotFound(err) {
			t.Errorf("GetUserByEmail: %v", err)
		}
		if err := ac.DeleteUser(ctx, "nobody"); !fbauth.IsUserNotFound(err) {
			t.Errorf("DeleteUser: %v", err)
		}
		if _, err := ac.UpdateUser(ctx, "nobody", (&fbauth.UserToUpdate{}).DisplayName("x")); !fbauth.IsUserNotFound(err) {
			t.Errorf("UpdateUser: %v", err)
		}
	})

	t.Run("GetUsers reports which identifiers matched", func(t *testing.T) {
		res, err := ac.GetUsers(ctx, []fbauth.UserIdentifier{
			fbauth.UIDIdentifier{UID: "bob"}, fbauth.EmailIdentifier{Email: "alice@example.com"},
			fbauth.UIDIdentifier{UID: "ghost"},
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Users) != 2 || len(res.NotFound) != 1 {
			t.Fatalf("found %d, not found %v", len(res.Users), res.NotFound)
		}
	})

	t.Run("UpdateUser changes and deletes attributes", func(t *testing.T) {
		u, err := ac.UpdateUser(ctx, "bob", (&fbauth.UserToUpdate{}).
			DisplayName("Bobby").Email("robert@example.com").Password("hunter22").Disabled(true))
		if err != nil {
			t.Fatal(err)
		}
		if u.DisplayName != "Bobby" || u.Email != "robert@example.com" || !u.Disabled || u.EmailVerified {
			t.Errorf("after update: %+v disabled=%v verified=%v", u.UserInfo, u.Disabled, u.EmailVerified)
		}
		if u.TokensValidAfterMillis == 0 {
			t.Error("a password change must set validSince")
		}
		if _, err := ac.GetUserByEmail(ctx, "bob@example.com"); !fbauth.IsUserNotFound(err) {
			t.Errorf("old email still resolves: %v", err)
		}
		u, err = ac.UpdateUser(ctx, "bob", (&fbauth.UserToUpdate{}).DisplayName("").Disabled(false))
		if err != nil {
			t.Fatal(err)
		}
		if u.DisplayName != "" || u.Disabled {
			t.Errorf("displayName not deleted or still disabled: %+v", u)
		}
	})

	t.Run("removing the phone number drops the phone provider", func(t *testing.T) {
		alice, err := ac.GetUserByEmail(ctx, "alice@example.com")
		if err != nil {
			t.Fatal(err)
		}
		u, err := ac.UpdateUser(ctx, alice.UID, (&fbauth.UserToUpdate{}).PhoneNumber(""))
		if err != nil {
			t.Fatal(err)
		}
		if u.PhoneNumber != "" || len(u.ProviderUserInfo) != 1 || u.ProviderUserInfo[0].ProviderID != "password" {
			t.Errorf("after removing phone: %+v %+v", u.UserInfo, u.ProviderUserInfo)
		}
	})

	t.Run("DeleteUser removes the user", func(t *testing.T) {
		if err := ac.DeleteUser(ctx, "bob"); err != nil {
			t.Fatal(err)
		}
		if _, err := ac.GetUser(ctx, "bob"); !fbauth.IsUserNotFound(err) {
			t.Errorf("GetUser after delete: %v", err)
		}
	})
}

func TestAdminListAndBulk(t *testing.T) {
	srv := startEmulator(t)
	ac := adminClient(t, srv)
	ctx := context.Background()
	var want []string
	for i := range 7 {
		uid := fmt.Sprintf("user%02d", i)
		want = append(want, uid)
		if _, err := ac.CreateUser(ctx, (&fbauth.UserToCreate{}).UID(uid)); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("the Users iterator pages through every user in uid order", func(t *testing.T) {
		it := ac.Users(ctx, "")
		pager := iterator.NewPager(it, 3, "")
		var got []string
		pages := 0
		for {
			var page []*fbauth.ExportedUserRecord
			token, err := pager.NextPage(&page)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, u := range page {
				got = append(got, u.UID)
			}
			if token == "" {
				break
			}
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("listed %v, want %v", got, want)
		}
		if pages < 3 {
			t.Errorf("%d pages of 3 for 7 users", pages)
		}
	})

	t.Run("DeleteUsers deletes existing users and counts unknown ones as deleted", func(t *testing.T) {
		res, err := ac.DeleteUsers(ctx, []string{"user00", "user01", "ghost"})
		if err != nil {
			t.Fatal(err)
		}
		if res.SuccessCount != 3 || res.FailureCount != 0 {
			t.Errorf("result %+v", res)
		}
		if _, err := ac.GetUser(ctx, "user00"); !fbauth.IsUserNotFound(err) {
			t.Errorf("user00 still there: %v", err)
		}
	})

	t.Run("ImportUsers stores users with claims and reports bad entries", func(t *testing.T) {
		res, err := ac.ImportUsers(ctx, []*fbauth.UserToImport{
			(&fbauth.UserToImport{}).UID("imported1").Email("imp@example.com").DisplayName("Imp").
				CustomClaims(map[string]any{"role": "admin"}).Metadata(&fbauth.UserMetadata{CreationTimestamp: 1600000000000}),
			(&fbauth.UserToImport{}).UID("user02"), // exists already
		})
		if err != nil {
			t.Fatal(err)
		}
		if res.SuccessCount != 1 || res.FailureCount != 1 || res.Errors[0].Index != 1 {
			t.Fatalf("result %+v", res)
		}
		u, err := ac.GetUser(ctx, "imported1")
		if err != nil {
			t.Fatal(err)
		}
		if u.Email != "imp@example.com" || u.CustomClaims["role"] != "admin" || u.UserMetadata.CreationTimestamp != 1600000000000 {
			t.Errorf("imported %+v claims=%v meta=%+v", u.UserInfo, u.CustomClaims, u.UserMetadata)
		}
	})
}

func TestAdminClaimsAndRevocation(t *testing.T) {
	srv := startEmulator(t)
	ac := adminClient(t, srv)
	ctx := context.Background()
	signup := signUpPassword(t, srv, "carol@example.com", "password1")
	uid, idToken := signup.str("localId"), signup.str("idToken")

	t.Run("SetCustomUserClaims stores the claims", func(t *testing.T) {
		if err := ac.SetCustomUserClaims(ctx, uid, map[string]any{"chat": true, "level": 3}); err != nil {
			t.Fatal(err)
		}
		u, err := ac.GetUser(ctx, uid)
		if err != nil {
			t.Fatal(err)
		}
		if u.CustomClaims["chat"] != true || u.CustomClaims["level"] != float64(3) {
			t.Errorf("claims = %v", u.CustomClaims)
		}
	})

	t.Run("a reserved claim is rejected with FORBIDDEN_CLAIM", func(t *testing.T) {
		// The Admin SDK refuses reserved names itself, so send the request
		// the way another SDK would, to see the emulator's own check.
		r := call(t, srv, "POST", "/identitytoolkit.googleapis.com/v1/projects/"+projectID+"/accounts:update",
			map[string]string{"Authorization": "Bearer owner"},
			`{"localId":"`+uid+`","customAttributes":"{\"firebase\":1}"}`)
		wantError(t, r, 400, "FORBIDDEN_CLAIM")
		if r.errorMessage() != "FORBIDDEN_CLAIM : firebase" {
			t.Errorf("message %q", r.errorMessage())
		}
		err := ac.SetCustomUserClaims(ctx, uid, map[string]any{"sub": "x"})
		if err == nil {
			t.Error("SetCustomUserClaims with sub succeeded")
		}
	})

	t.Run("claims that are not an object or too long are rejected", func(t *testing.T) {
		for body, code := range map[string]string{
			`"[1,2]"`: "INVALID_CLAIMS",
			`"{nope"`: "INVALID_CLAIMS",
			`"{\"a\":\"` + strings.Repeat("x", 1000) + `\"}"`: "CLAIMS_TOO_LARGE",
		} {
			r := call(t, srv, "POST", "/identitytoolkit.googleapis.com/v1/projects/"+projectID+"/accounts:update",
				map[string]string{"Authorization": "Bearer owner"},
				`{"localId":"`+uid+`","customAttributes":`+body+`}`)
			wantError(t, r, 400, code)
		}
	})

	t.Run("VerifyIDToken accepts an emulator token", func(t *testing.T) {
		tok, err := ac.VerifyIDTokenAndCheckRevoked(ctx, idToken)
		if err != nil {
			t.Fatal(err)
		}
		if tok.UID != uid || tok.Firebase.SignInProvider != "password" {
			t.Errorf("token %+v", tok)
		}
	})

	t.Run("after RevokeRefreshTokens the old ID token is revoked", func(t *testing.T) {
		waitNextSecond()
		if err := ac.RevokeRefreshTokens(ctx, uid); err != nil {
			t.Fatal(err)
		}
		_, err := ac.VerifyIDTokenAndCheckRevoked(ctx, idToken)
		if !fbauth.IsIDTokenRevoked(err) {
			t.Fatalf("VerifyIDTokenAndCheckRevoked: %v", err)
		}
		r := client(t, srv, "lookup", map[string]any{"idToken": idToken})
		wantError(t, r, 400, "TOKEN_EXPIRED")
		fresh := mustOK(t, client(t, srv, "signInWithPassword", map[string]any{"email": "carol@example.com", "password": "password1"}))
		if _, err := ac.VerifyIDTokenAndCheckRevoked(ctx, fresh.str("idToken")); err != nil {
			t.Errorf("a token issued after revocation is refused: %v", err)
		}
	})

	t.Run("a disabled user's token fails with IsUserDisabled", func(t *testing.T) {
		fresh := mustOK(t, client(t, srv, "signInWithPassword", map[string]any{"email": "carol@example.com", "password": "password1"}))
		if _, err := ac.UpdateUser(ctx, uid, (&fbauth.UserToUpdate{}).Disabled(true)); err != nil {
			t.Fatal(err)
		}
		_, err := ac.VerifyIDToken(ctx, fresh.str("idToken"))
		if !fbauth.IsUserDisabled(err) {
			t.Fatalf("VerifyIDToken: %v", err)
		}
		r := client(t, srv, "signInWithPassword", map[string]any{"email": "carol@example.com", "password": "password1"})
		wantError(t, r, 400, "USER_DISABLED")
		r = call(t, srv, "POST", "/securetoken.googleapis.com/v1/token?key=fake", nil,
			`{"grant_type":"refresh_token","refresh_token":"`+fresh.str("refreshToken")+`"}`)
		wantError(t, r, 400, "USER_DISABLED")
	})

	t.Run("SessionCookie makes a cookie VerifySessionCookie accepts", func(t *testing.T) {
		if _, err := ac.UpdateUser(ctx, uid, (&fbauth.UserToUpdate{}).Disabled(false)); err != nil {
			t.Fatal(err)
		}
		fresh := mustOK(t, client(t, srv, "signInWithPassword", map[string]any{"email": "carol@example.com", "password": "password1"}))
		cookie, err := ac.SessionCookie(ctx, fresh.str("idToken"), time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		tok, err := ac.VerifySessionCookie(ctx, cookie)
		if err != nil || tok.UID != uid {
			t.Fatalf("VerifySessionCookie = %+v, %v", tok, err)
		}
	})
}

func TestAdminWithoutCredentialsIsRefused(t *testing.T) {
	srv := startEmulator(t)
	path := "/identitytoolkit.googleapis.com/v1/projects/" + projectID + "/accounts:lookup"
	t.Run("no credentials get 401", func(t *testing.T) {
		wantError(t, call(t, srv, "POST", path, nil, `{"localId":["x"]}`), 401, "Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential.")
	})
	t.Run("an API key cannot address a project", func(t *testing.T) {
		wantError(t, call(t, srv, "POST", path+"?key=fake", nil, `{"localId":["x"]}`), 400, "INSUFFICIENT_PERMISSION")
	})
	t.Run("a Bearer token other than owner or ya29. gets 401", func(t *testing.T) {
		r := call(t, srv, "POST", path, map[string]string{"Authorization": "Bearer eyJhbGciOiJub25lIn0.e30."}, `{}`)
		if r.Status != 401 {
			t.Fatalf("status %d: %s", r.Status, r.Raw)
		}
	})
	t.Run("Bearer OWNER and ya29. tokens are privileged", func(t *testing.T) {
		for _, h := range []string{"Bearer OWNER", "bearer owner", "Bearer ya29.anything"} {
			r := mustOK(t, call(t, srv, "POST", path, map[string]string{"Authorization": h}, `{"localId":["x"]}`))
			if _, has := r.Body["users"]; has {
				t.Errorf("%s: users present though none matched: %s", h, r.Raw)
			}
		}
	})
}

func TestAdminProviderLinking(t *testing.T) {
	srv := startEmulator(t)
	ac := adminClient(t, srv)
	ctx := context.Background()
	if _, err := ac.CreateUser(ctx, (&fbauth.UserToCreate{}).UID("linker").Email("l@example.com")); err != nil {
		t.Fatal(err)
	}

	t.Run("a linked provider is found by GetUserByProviderUID and appears in tokens", func(t *testing.T) {
		_, err := ac.UpdateUser(ctx, "linker", (&fbauth.UserToUpdate{}).ProviderToLink(&fbauth.UserProvider{
			ProviderID: "google.com", UID: "g-123", Email: "l@gmail.com",
		}))
		if err != nil {
			t.Fatal(err)
		}
		u, err := ac.GetUserByProviderUID(ctx, "google.com", "g-123")
		if err != nil || u.UID != "linker" {
			t.Fatalf("GetUserByProviderUID = %v, %v", u, err)
		}
		r := mustOK(t, client(t, srv, "signInWithCustomToken", map[string]any{"token": `{"uid":"linker"}`}))
		_, p, raw := decodeToken(t, r.str("idToken"))
		ids := p["firebase"].(map[string]any)["identities"].(map[string]any)
		if g, _ := ids["google.com"].([]any); len(g) != 1 || g[0] != "g-123" {
			t.Errorf("identities in %s", raw)
		}
	})

	t.Run("the same provider identity cannot be linked to a second user", func(t *testing.T) {
		if _, err := ac.CreateUser(ctx, (&fbauth.UserToCreate{}).UID("other")); err != nil {
			t.Fatal(err)
		}
		_, err := ac.UpdateUser(ctx, "other", (&fbauth.UserToUpdate{}).ProviderToLink(&fbauth.UserProvider{
			ProviderID: "google.com", UID: "g-123",
		}))
		if err == nil || !strings.Contains(err.Error(), "FEDERATED_USER_ID_ALREADY_LINKED") {
			t.Errorf("second link: %v", err)
		}
	})

	t.Run("ProvidersToDelete unlinks it", func(t *testing.T) {
		u, err := ac.UpdateUser(ctx, "linker", (&fbauth.UserToUpdate{}).ProvidersToDelete([]string{"google.com"}))
		if err != nil {
			t.Fatal(err)
		}
		if len(u.ProviderUserInfo) != 0 {
			t.Errorf("providers %+v", u.ProviderUserInfo)
		}
		if _, err := ac.GetUserByProviderUID(ctx, "google.com", "g-123"); !fbauth.IsUserNotFound(err) {
			t.Errorf("still found: %v", err)
		}
	})
}
