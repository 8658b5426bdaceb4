package auth_test

import (
	"context"
	"encoding/json"
	"net/url"
	"testing"

	fbauth "firebase.google.com/go/v4/auth"
)

// signInWithIdp through the client REST call the JS SDK makes for
// signInWithCredential, against ROOMGATE_TEST_AUTH or ours (see target_test.go).

func idpBody(t *testing.T, providerID string, claims map[string]any, extra map[string]any) map[string]any {
	t.Helper()
	b, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	body := map[string]any{
		"requestUri": "http://localhost", "returnSecureToken": true,
		"postBody": url.Values{"id_token": {string(b)}, "providerId": {providerID}}.Encode(),
	}
	for k, v := range extra {
		body[k] = v
	}
	return body
}

func TestTargetIdpAccountMatching(t *testing.T) {
	addr := authTarget(t)
	c := targetAdmin(t, addr)
	ctx := context.Background()
	id := randomSuffix(t)
	email := "idp-" + id + "@example.com"

	// A password account whose email nobody verified.
	pw := mustOK(t, targetClient(t, addr, "signUp", map[string]any{"email": email, "password": "secret1", "returnSecureToken": true}))
	uid := pw.str("localId")
	t.Cleanup(func() { _ = c.DeleteUser(ctx, uid) })

	// An unverified IdP email only asks for confirmation.
	r := mustOK(t, targetClient(t, addr, "signInWithIdp", idpBody(t, "google.com", map[string]any{"sub": "u-" + id, "email": email}, nil)))
	if r.Body["needConfirmation"] != true || r.str("idToken") != "" {
		t.Fatalf("unverified IdP email: %s", r.Raw)
	}
	mustOK(t, targetClient(t, addr, "signInWithPassword", map[string]any{"email": email, "password": "secret1"}))

	// A verified one takes the account over and removes the password
	// whoever registered it set.
	r = mustOK(t, targetClient(t, addr, "signInWithIdp", idpBody(t, "google.com", map[string]any{"sub": "v-" + id, "email": email, "email_verified": true, "name": "Vera"}, nil)))
	if r.str("localId") != uid || r.str("idToken") == "" || r.Body["emailVerified"] != true || r.str("federatedId") != "https://accounts.google.com/v-"+id {
		t.Fatalf("verified IdP email: %s", r.Raw)
	}
	wantError(t, targetClient(t, addr, "signInWithPassword", map[string]any{"email": email, "password": "secret1"}), 400, "INVALID_PASSWORD")
	u, err := c.GetUser(ctx, uid)
	if err != nil || !u.EmailVerified || u.DisplayName != "Vera" || len(u.ProviderUserInfo) != 1 || u.ProviderUserInfo[0].ProviderID != "google.com" {
		t.Fatalf("user after takeover: %+v %v", u, err)
	}
	if _, claims, _ := decodeToken(t, r.str("idToken")); claims["firebase"].(map[string]any)["sign_in_provider"] != "google.com" {
		t.Fatalf("claims %v", claims)
	}

	// Linking an identity another account holds is refused, or reported
	// with returnIdpCredential.
	other := mustOK(t, targetClient(t, addr, "signUp", map[string]any{"returnSecureToken": true}))
	t.Cleanup(func() { _ = c.DeleteUser(ctx, other.str("localId")) })
	linkBody := idpBody(t, "google.com", map[string]any{"sub": "v-" + id}, map[string]any{"idToken": other.str("idToken")})
	wantError(t, targetClient(t, addr, "signInWithIdp", linkBody), 400, "FEDERATED_USER_ID_ALREADY_LINKED")
	linkBody["returnIdpCredential"] = true
	r = mustOK(t, targetClient(t, addr, "signInWithIdp", linkBody))
	if r.str("errorMessage") != "FEDERATED_USER_ID_ALREADY_LINKED" || r.str("idToken") != "" {
		t.Fatalf("returnIdpCredential: %s", r.Raw)
	}

	// A credential without sub is refused.
	wantError(t, targetClient(t, addr, "signInWithIdp", idpBody(t, "google.com", map[string]any{"email": email}, nil)), 400, "INVALID_IDP_RESPONSE")

	// The Admin SDK finds the linked identity.
	if got, err := c.GetUserByProviderUID(ctx, "google.com", "v-"+id); err != nil || got.UID != uid {
		t.Fatalf("GetUserByProviderUID: %+v %v", got, err)
	}
	if _, err := c.GetUserByProviderUID(ctx, "google.com", "u-"+id); !fbauth.IsUserNotFound(err) {
		t.Fatalf("the unconfirmed identity was linked: %v", err)
	}
}
