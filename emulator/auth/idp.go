package auth

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
)

// This file holds accounts:signInWithIdp with the emulator's fake
// credentials: the IdP's id_token (or access_token) is a JSON object such as
// {"sub":"abc","email":"a@example.com","email_verified":true} or an
// unverified JWT with those claims, as the JS SDK's
// GoogleAuthProvider.credential(idToken) sends it. Nothing is checked with
// the IdP. SAML, returnRefreshToken and pendingIdToken are not modelled (501).

type idpRequest struct {
	RequestURI          *string         `json:"requestUri"`
	PostBody            *string         `json:"postBody"`
	IDToken             *string         `json:"idToken"`
	ReturnIdpCredential *bool           `json:"returnIdpCredential"`
	ReturnRefreshToken  json.RawMessage `json:"returnRefreshToken"`
	PendingIDToken      json.RawMessage `json:"pendingIdToken"`
	SessionID           *string         `json:"sessionId"`
}

// idpResponse is identitytoolkit#VerifyAssertionResponse.
type idpResponse struct {
	Kind             string   `json:"kind"`
	Context          string   `json:"context"`
	ProviderID       string   `json:"providerId"`
	DisplayName      string   `json:"displayName,omitempty"`
	FullName         string   `json:"fullName,omitempty"`
	ScreenName       string   `json:"screenName,omitempty"`
	FirstName        string   `json:"firstName,omitempty"`
	LastName         string   `json:"lastName,omitempty"`
	Email            string   `json:"email,omitempty"`
	EmailVerified    bool     `json:"emailVerified"`
	PhotoURL         string   `json:"photoUrl,omitempty"`
	RawUserInfo      string   `json:"rawUserInfo,omitempty"`
	FederatedID      string   `json:"federatedId"`
	OauthAccessToken string   `json:"oauthAccessToken,omitempty"`
	OauthIDToken     string   `json:"oauthIdToken,omitempty"`
	LocalID          string   `json:"localId,omitempty"`
	IsNewUser        bool     `json:"isNewUser,omitempty"`
	NeedConfirmation bool     `json:"needConfirmation,omitempty"`
	VerifiedProvider []string `json:"verifiedProvider,omitempty"`
	EmailRecycled    bool     `json:"emailRecycled,omitempty"`
	ErrorMessage     string   `json:"errorMessage,omitempty"`
	IDToken          string   `json:"idToken,omitempty"`
	RefreshToken     string   `json:"refreshToken,omitempty"`
	ExpiresIn        string   `json:"expiresIn,omitempty"`
}

// idpParams merges requestUri's query, postBody and the URI fragment, as
// getNormalizedUri in Google's emulator does (later sources win).
func idpParams(req *idpRequest) (url.Values, error) {
	if str(req.RequestURI) == "" {
		return nil, badRequest("MISSING_REQUEST_URI")
	}
	u, err := url.Parse(*req.RequestURI)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, badRequest("INVALID_REQUEST_URI")
	}
	params := u.Query()
	merge := func(s string) error {
		v, err := url.ParseQuery(s)
		if err != nil {
			return badRequest("INVALID_IDP_RESPONSE : malformed parameters")
		}
		for k := range v {
			params.Set(k, v.Get(k))
		}
		return nil
	}
	if err := merge(str(req.PostBody)); err != nil {
		return nil, err
	}
	if err := merge(u.Fragment); err != nil {
		return nil, err
	}
	return params, nil
}

// idpClaims decodes a fake id_token or access_token: strict JSON or an
// unverified JWT whose payload has a string "sub". It returns nil when tok
// is empty or not a JWT.
func idpClaims(tok string) (map[string]any, error) {
	if tok == "" {
		return nil, nil
	}
	var claims map[string]any
	if strings.HasPrefix(tok, "{") {
		if decodeJSONNumber([]byte(tok), &claims) != nil || claims == nil {
			return nil, badRequest("INVALID_IDP_RESPONSE : Unable to parse id_token ((Auth Emulator failed to parse fake id_token as strict JSON.))")
		}
	} else {
		t, ok := decodeJWT(tok)
		if !ok {
			return nil, nil
		}
		claims = t.Payload
	}
	sub, present := claims["sub"]
	if !present || sub == nil || sub == "" {
		return nil, badRequest(`INVALID_IDP_RESPONSE : Invalid Idp Response: id_token missing required fields. ((Missing "sub" field. This field is required and must be a unique identifier.))`)
	}
	s, ok := sub.(string)
	if !ok {
		return nil, badRequest(`INVALID_IDP_RESPONSE : ((The "sub" field must be a string.))`)
	}
	if !validUID(s) {
		return nil, badRequest(`INVALID_IDP_RESPONSE : ((The "sub" field must be 1-128 printable characters.))`)
	}
	return claims, nil
}

// claimString is a string claim bounded like other profile fields ("" if
// absent, not a string or unusable).
func claimString(claims map[string]any, k string) string {
	s, _ := claims[k].(string)
	if len(s) > maxFieldLength || !printable(s) {
		return ""
	}
	return s
}

// fakeUserInfo is fakeFetchUserInfoFromIdp: the profile the IdP "returned".
func fakeUserInfo(providerID string, claims map[string]any) (idpResponse, string) {
	rawID := claims["sub"].(string)
	r := idpResponse{
		Kind: "identitytoolkit#VerifyAssertionResponse", ProviderID: providerID,
		DisplayName: claimString(claims, "name"), FullName: claimString(claims, "name"),
		ScreenName: claimString(claims, "screen_name"), PhotoURL: claimString(claims, "picture"),
		FederatedID: rawID,
	}
	if e := claimString(claims, "email"); e != "" && validEmail(e) {
		r.Email = canonicalEmail(e)
	}
	r.EmailVerified, _ = claims["email_verified"].(bool)
	if providerID == "google.com" {
		r.FederatedID = "https://accounts.google.com/" + rawID
		r.FirstName, r.LastName = claimString(claims, "given_name"), claimString(claims, "family_name")
		scopes := "openid https://www.googleapis.com/auth/userinfo.profile"
		if r.Email != "" {
			scopes += " https://www.googleapis.com/auth/userinfo.email"
		}
		b, _ := json.Marshal(map[string]any{
			"granted_scopes": scopes, "id": rawID, "name": r.DisplayName, "given_name": r.FirstName,
			"family_name": r.LastName, "verified_email": r.EmailVerified, "locale": "en",
			"email": r.Email, "picture": r.PhotoURL,
		})
		r.RawUserInfo = string(b)
	} else {
		b, _ := json.Marshal(claims)
		r.RawUserInfo = string(b)
	}
	return r, rawID
}

// opSignInWithIdp signs in (or signs up, or links to the ID token's user)
// with a fake IdP credential. Account matching follows Google's emulator:
// a known (providerId, sub) signs in its user; otherwise, with one account
// per email, a verified IdP email takes over the account of that email
// (clearing its password, phone and other providers if that account's
// email was not verified, so whoever set them loses access) and an
// unverified one only answers needConfirmation, signing nobody in.
func opSignInWithIdp(s *server, c *call) (any, error) {
	var req idpRequest
	if err := decodeInto(c.body, &req); err != nil {
		return nil, err
	}
	if present(req.ReturnRefreshToken) {
		return nil, notImplemented("returnRefreshToken is not implemented yet.")
	}
	if present(req.PendingIDToken) {
		return nil, notImplemented("pendingIdToken is not implemented yet.")
	}
	params, err := idpParams(&req)
	if err != nil {
		return nil, err
	}
	providerID := strings.ToLower(params.Get("providerId"))
	if providerID == "" {
		return nil, badRequest("INVALID_CREDENTIAL_OR_PROVIDER_ID : Invalid IdP response/credential: missing providerId")
	}
	if len(providerID) > 128 || !printable(providerID) || providerID == "password" || providerID == "phone" {
		return nil, badRequest("INVALID_PROVIDER_ID")
	}
	if params.Get("SAMLResponse") != "" || strings.HasPrefix(providerID, "saml.") {
		return nil, notImplemented("SAML sign-in is not implemented in this Auth emulator")
	}
	oauthIDToken, oauthAccess := params.Get("id_token"), params.Get("access_token")
	claims, err := idpClaims(oauthIDToken)
	if err == nil && claims == nil {
		claims, err = idpClaims(oauthAccess)
	}
	if err != nil {
		return nil, err
	}
	if claims == nil {
		if oauthIDToken != "" {
			return nil, badRequest("INVALID_IDP_RESPONSE : Unable to parse id_token ((Auth Emulator only accepts strict JSON or JWTs as fake id_tokens.))")
		}
		return nil, notImplemented("The Auth Emulator only supports sign-in with credentials (id_token required).")
	}
	resp, rawID := fakeUserInfo(providerID, claims)
	resp.OauthAccessToken = oauthAccess
	if resp.OauthAccessToken == "" {
		resp.OauthAccessToken = "FirebaseAuthEmulatorFakeAccessToken_" + providerID
	}
	resp.OauthIDToken = oauthIDToken
	returnCred := req.ReturnIdpCredential != nil && *req.ReturnIdpCredential

	now := s.now()
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	p := s.st.projectLocked(c.project)
	var fromToken *UserRecord
	if tok := str(req.IDToken); tok != "" {
		if fromToken, _, err = parseIDTokenLocked(p, tok); err != nil {
			return nil, err
		}
	}
	byProvider := p.userByProvider(providerID, rawID)
	oneAccountPerEmail := !p.config.SignIn.AllowDuplicateEmails

	// Decide which account, and what changes, before changing anything.
	var target *UserRecord // nil: a new account
	var apply func(nu *UserRecord)
	refuse := func(code string) (any, error) {
		if returnCred {
			resp.ErrorMessage = code
			return resp, nil
		}
		return nil, badRequest(code)
	}
	switch {
	case fromToken != nil:
		if byProvider != nil {
			return refuse("FEDERATED_USER_ID_ALREADY_LINKED")
		}
		if resp.Email != "" && oneAccountPerEmail {
			if other := p.userByEmail(resp.Email); other != nil && other.LocalID != fromToken.LocalID {
				return refuse("EMAIL_EXISTS")
			}
		}
		target = fromToken
		apply = func(nu *UserRecord) {
			if oneAccountPerEmail && resp.Email != "" && nu.Email == "" {
				nu.Email, nu.EmailVerified = resp.Email, boolPtr(resp.EmailVerified)
			}
			if resp.Email != "" && resp.EmailVerified && nu.Email == resp.Email {
				nu.EmailVerified = boolPtr(true)
			}
		}
	case byProvider != nil:
		target = byProvider
		apply = func(*UserRecord) {}
	case oneAccountPerEmail && resp.Email != "" && p.userByEmail(resp.Email) != nil:
		match := p.userByEmail(resp.Email)
		if !resp.EmailVerified {
			resp.NeedConfirmation, resp.LocalID = true, match.LocalID
			for _, pi := range match.ProviderUserInfo {
				if pi.ProviderID != "password" && pi.ProviderID != "phone" {
					resp.VerifiedProvider = append(resp.VerifiedProvider, pi.ProviderID)
				}
			}
			return resp, nil
		}
		for _, pi := range match.ProviderUserInfo {
			if pi.ProviderID == providerID && pi.RawID != rawID {
				resp.EmailRecycled = true
			}
		}
		target = match
		apply = func(nu *UserRecord) {
			if nu.EmailVerified == nil || !*nu.EmailVerified {
				nu.PasswordHash, nu.Salt, nu.PhoneNumber = "", "", ""
				nu.ValidSince = seconds(now)
				nu.ProviderUserInfo = nil
			}
			nu.DisplayName, nu.PhotoURL = resp.DisplayName, resp.PhotoURL
			nu.EmailVerified = boolPtr(true)
		}
	default:
		resp.IsNewUser = true
		apply = func(nu *UserRecord) {
			nu.DisplayName, nu.PhotoURL = resp.DisplayName, resp.PhotoURL
			if oneAccountPerEmail && resp.Email != "" {
				nu.Email, nu.EmailVerified = resp.Email, boolPtr(resp.EmailVerified)
			}
		}
	}
	var nu *UserRecord
	oldEmail, oldPhone := "", ""
	if target == nil {
		nu = &UserRecord{LocalID: p.newLocalIDLocked(), CreatedAt: millis(now)}
	} else {
		if target.Disabled {
			return nil, badRequest("USER_DISABLED")
		}
		nu, oldEmail, oldPhone = target.clone(), target.Email, target.PhoneNumber
	}
	apply(nu)
	upsertProvider(nu, ProviderUserInfo{
		ProviderID: providerID, RawID: rawID, FederatedID: rawID, DisplayName: resp.DisplayName,
		PhotoURL: resp.PhotoURL, Email: resp.Email, ScreenName: resp.ScreenName,
	})
	nu.LastLoginAt = millis(now)
	p.put(nu, oldEmail, oldPhone)
	c.uid = nu.LocalID
	resp.LocalID = nu.LocalID
	if nu.Email != "" && nu.Email == resp.Email {
		resp.EmailVerified = nu.EmailVerified != nil && *nu.EmailVerified
	}
	t := issueTokensLocked(p, nu, providerID, nil, now)
	resp.IDToken, resp.RefreshToken, resp.ExpiresIn = t.IDToken, t.RefreshToken, strconv.Itoa(tokenLifetime)
	return resp, nil
}
