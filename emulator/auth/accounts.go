package auth

import (
	"encoding/json"
	"strconv"
	"time"
)

// This file holds the account operations shared by the Admin SDK (privileged,
// below /v1/projects/{p}) and clients (?key=, below /v1/accounts:): signUp
// (which is also the Admin SDK's CreateUser), lookup, update and delete.
// Each follows the same-named function of firebase-tools' operations.ts.
// Updates work on a clone that is stored only when every check has passed.

func millis(t time.Time) string  { return strconv.FormatInt(t.UnixMilli(), 10) }
func seconds(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// present reports whether a JSON field was sent with a non-null value.
func present(raw json.RawMessage) bool {
	return len(raw) > 0 && string(raw) != "null"
}

type signUpRequest struct {
	Email         *string         `json:"email"`
	Password      *string         `json:"password"`
	DisplayName   *string         `json:"displayName"`
	PhotoURL      *string         `json:"photoUrl"`
	LocalID       *string         `json:"localId"`
	EmailVerified *bool           `json:"emailVerified"`
	PhoneNumber   *string         `json:"phoneNumber"`
	Disabled      *bool           `json:"disabled"`
	IDToken       *string         `json:"idToken"`
	MfaInfo       json.RawMessage `json:"mfaInfo"`
}

type signUpResponse struct {
	Kind         string `json:"kind"`
	LocalID      string `json:"localId"`
	DisplayName  string `json:"displayName,omitempty"`
	Email        string `json:"email,omitempty"`
	IDToken      string `json:"idToken,omitempty"`
	RefreshToken string `json:"refreshToken,omitempty"`
	ExpiresIn    string `json:"expiresIn,omitempty"`
}

// opSignUp creates a user. Clients get an anonymous user (empty body) or a
// password user (email + password) and tokens; privileged callers (the Admin
// SDK's CreateUser) may also set localId, emailVerified, phoneNumber and
// disabled, and get no tokens.
func opSignUp(s *server, c *call) (any, error) {
	var req signUpRequest
	if err := decodeInto(c.body, &req); err != nil {
		return nil, err
	}
	if present(req.MfaInfo) {
		return nil, notImplemented("mfaInfo is not implemented in this Auth emulator")
	}
	if err := checkProfileFields(req.DisplayName, req.PhotoURL, req.Password); err != nil {
		return nil, err
	}
	now := s.now()
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	p := s.st.projectLocked(c.project)

	nu := &UserRecord{LastLoginAt: millis(now)}
	provider := ""
	if c.privileged {
		if str(req.IDToken) != "" && str(req.LocalID) != "" {
			return nil, badRequest("UNEXPECTED_PARAMETER : User ID")
		}
		if id := str(req.LocalID); id != "" {
			if !validUID(id) {
				return nil, badRequest("INVALID_LOCAL_ID")
			}
			if p.users[id] != nil {
				return nil, badRequest("DUPLICATE_LOCAL_ID")
			}
		}
		nu.DisplayName, nu.PhotoURL = str(req.DisplayName), str(req.PhotoURL)
		nu.EmailVerified = boolPtr(req.EmailVerified != nil && *req.EmailVerified)
		if ph := str(req.PhoneNumber); ph != "" {
			if !validPhone(ph) {
				return nil, badRequest("INVALID_PHONE_NUMBER : Invalid format.")
			}
			if p.userByPhone(ph) != nil {
				return nil, badRequest("PHONE_NUMBER_EXISTS")
			}
			nu.PhoneNumber = ph
		}
		nu.Disabled = req.Disabled != nil && *req.Disabled
	} else {
		if str(req.LocalID) != "" {
			return nil, badRequest("UNEXPECTED_PARAMETER : User ID")
		}
		if str(req.IDToken) != "" || str(req.Password) != "" || str(req.Email) != "" {
			nu.DisplayName = str(req.DisplayName)
			nu.EmailVerified = boolPtr(false)
			if str(req.Email) == "" {
				return nil, badRequest("MISSING_EMAIL")
			}
			if str(req.Password) == "" {
				return nil, badRequest("MISSING_PASSWORD")
			}
			provider = "password"
		} else {
			provider = "anonymous"
		}
	}
	// An empty email is checked too when a provider is expected, so that
	// empty credentials never become an anonymous sign-in.
	if req.Email != nil && (*req.Email != "" || provider != "") {
		if !validEmail(*req.Email) {
			return nil, badRequest("INVALID_EMAIL")
		}
		email := canonicalEmail(*req.Email)
		if p.userByEmail(email) != nil {
			return nil, badRequest("EMAIL_EXISTS")
		}
		nu.Email = email
	}
	if pw := str(req.Password); pw != "" {
		if err := checkPassword(pw); err != nil {
			return nil, err
		}
		nu.Salt = "fakeSalt" + randomID(20)
		nu.PasswordHash = hashPassword(pw, nu.Salt)
		nu.PasswordUpdatedAt = now.UnixMilli()
		nu.ValidSince = seconds(now)
	}

	if tok := str(req.IDToken); tok != "" {
		// Linking credentials to the signed-in (typically anonymous) user.
		old, _, err := parseIDTokenLocked(p, tok)
		if err != nil {
			return nil, err
		}
		linked := old.clone()
		linked.LastLoginAt = nu.LastLoginAt
		if nu.Email != "" {
			linked.Email, linked.EmailVerified = nu.Email, nu.EmailVerified
		}
		if nu.PasswordHash != "" {
			linked.Salt, linked.PasswordHash = nu.Salt, nu.PasswordHash
			linked.PasswordUpdatedAt, linked.ValidSince = nu.PasswordUpdatedAt, nu.ValidSince
		}
		if nu.DisplayName != "" {
			linked.DisplayName = nu.DisplayName
		}
		p.put(linked, old.Email, old.PhoneNumber)
		nu = linked
	} else {
		nu.CreatedAt = millis(now)
		nu.LocalID = str(req.LocalID)
		if nu.LocalID == "" {
			nu.LocalID = p.newLocalIDLocked()
		}
		p.put(nu, "", "")
	}
	c.uid = nu.LocalID
	resp := signUpResponse{
		Kind: "identitytoolkit#SignupNewUserResponse", LocalID: nu.LocalID,
		DisplayName: nu.DisplayName, Email: nu.Email,
	}
	if provider != "" {
		t := issueTokensLocked(p, nu, provider, nil, now)
		resp.IDToken, resp.RefreshToken, resp.ExpiresIn = t.IDToken, t.RefreshToken, strconv.Itoa(tokenLifetime)
	}
	return resp, nil
}

type lookupRequest struct {
	IDToken         *string  `json:"idToken"`
	LocalID         []string `json:"localId"`
	Email           []string `json:"email"`
	PhoneNumber     []string `json:"phoneNumber"`
	InitialEmail    []string `json:"initialEmail"`
	FederatedUserID []struct {
		ProviderID string `json:"providerId"`
		RawID      string `json:"rawId"`
	} `json:"federatedUserId"`
}

type lookupResponse struct {
	Kind  string        `json:"kind"`
	Users []*UserRecord `json:"users,omitempty"` // omitted when nothing matched
}

// opLookup finds users by any identifier (privileged) or returns the caller
// of an ID token (client, with the password hash redacted).
func opLookup(s *server, c *call) (any, error) {
	var req lookupRequest
	if err := decodeInto(c.body, &req); err != nil {
		return nil, err
	}
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	p := s.st.projectLocked(c.project)
	resp := lookupResponse{Kind: "identitytoolkit#GetAccountInfoResponse"}
	if !c.privileged {
		if str(req.IDToken) == "" {
			return nil, badRequest("MISSING_ID_TOKEN")
		}
		u, _, err := parseIDTokenLocked(p, *req.IDToken)
		if err != nil {
			return nil, err
		}
		c.uid = u.LocalID
		resp.Users = []*UserRecord{u.redacted()}
		return resp, nil
	}
	if len(req.InitialEmail) > 0 {
		return nil, notImplemented("Lookup by initialEmail is not implemented.")
	}
	seen := map[string]bool{}
	add := func(u *UserRecord) {
		if u != nil && !seen[u.LocalID] {
			seen[u.LocalID] = true
			resp.Users = append(resp.Users, u.clone())
		}
	}
	for _, id := range req.LocalID {
		add(p.users[id])
	}
	// Google's emulator matches emails exactly; production (and we) match
	// the canonical lower-case form, which is how emails are stored.
	for _, e := range req.Email {
		add(p.userByEmail(canonicalEmail(e)))
	}
	for _, ph := range req.PhoneNumber {
		add(p.userByPhone(ph))
	}
	for _, f := range req.FederatedUserID {
		if f.ProviderID != "" && f.RawID != "" {
			add(p.userByProvider(f.ProviderID, f.RawID))
		}
	}
	return resp, nil
}

type deleteRequest struct {
	IDToken *string `json:"idToken"`
	LocalID *string `json:"localId"`
}

// opDelete deletes one user by localId (privileged) or the ID token's user.
func opDelete(s *server, c *call) (any, error) {
	var req deleteRequest
	if err := decodeInto(c.body, &req); err != nil {
		return nil, err
	}
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	p := s.st.projectLocked(c.project)
	var u *UserRecord
	if c.privileged {
		if str(req.LocalID) == "" {
			return nil, badRequest("MISSING_LOCAL_ID")
		}
		if u = p.users[*req.LocalID]; u == nil {
			return nil, badRequest("USER_NOT_FOUND")
		}
	} else {
		if str(req.IDToken) == "" {
			return nil, badRequest("MISSING_ID_TOKEN")
		}
		var err error
		if u, _, err = parseIDTokenLocked(p, *req.IDToken); err != nil {
			return nil, err
		}
	}
	c.uid = u.LocalID
	p.remove(u)
	return map[string]string{"kind": "identitytoolkit#DeleteAccountResponse"}, nil
}
