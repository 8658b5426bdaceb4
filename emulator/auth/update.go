package auth

import (
	"encoding/json"
	"strconv"
)

type updateRequest struct {
	IDToken              *string           `json:"idToken"`
	LocalID              *string           `json:"localId"`
	OobCode              *string           `json:"oobCode"`
	Email                *string           `json:"email"`
	Password             *string           `json:"password"`
	DisplayName          *string           `json:"displayName"`
	PhotoURL             *string           `json:"photoUrl"`
	PhoneNumber          *string           `json:"phoneNumber"`
	EmailVerified        *bool             `json:"emailVerified"`
	DisableUser          *bool             `json:"disableUser"`
	CustomAttributes     *string           `json:"customAttributes"`
	ValidSince           *flexString       `json:"validSince"`
	CreatedAt            *flexString       `json:"createdAt"`
	LastLoginAt          *flexString       `json:"lastLoginAt"`
	DeleteAttribute      []string          `json:"deleteAttribute"`
	DeleteProvider       []string          `json:"deleteProvider"`
	LinkProviderUserInfo *ProviderUserInfo `json:"linkProviderUserInfo"`
	Mfa                  json.RawMessage   `json:"mfa"`
	Provider             json.RawMessage   `json:"provider"`
	UpgradeToFederated   json.RawMessage   `json:"upgradeToFederatedLogin"`
}

type updateResponse struct {
	Kind             string             `json:"kind"`
	LocalID          string             `json:"localId"`
	EmailVerified    *bool              `json:"emailVerified,omitempty"`
	ProviderUserInfo []ProviderUserInfo `json:"providerUserInfo,omitempty"`
	Email            string             `json:"email,omitempty"`
	DisplayName      string             `json:"displayName,omitempty"`
	PhotoURL         string             `json:"photoUrl,omitempty"`
	NewEmail         string             `json:"newEmail,omitempty"`
	PasswordHash     string             `json:"passwordHash,omitempty"`
	IDToken          string             `json:"idToken,omitempty"`
	RefreshToken     string             `json:"refreshToken,omitempty"`
	ExpiresIn        string             `json:"expiresIn,omitempty"`
}

var deleteAttributes = map[string]bool{
	"USER_ATTRIBUTE_NAME_UNSPECIFIED": true, "DISPLAY_NAME": true, "PHOTO_URL": true,
	"PASSWORD": true, "EMAIL": true, "PROVIDER": true, "RAW_USER_INFO": true,
}

// opUpdate is accounts:update (setAccountInfo): the Admin SDK's UpdateUser,
// SetCustomUserClaims and RevokeRefreshTokens (privileged, by localId), and a
// signed-in client changing its own profile (by idToken). A password or email
// change, or any validSince, moves validSince to now; a privileged validSince
// then overrides it with the value sent.
func opUpdate(s *server, c *call) (any, error) {
	var req updateRequest
	if err := decodeInto(c.body, &req); err != nil {
		return nil, err
	}
	if present(req.Provider) || present(req.UpgradeToFederated) {
		return nil, notImplemented("provider and upgradeToFederatedLogin are not implemented in this Auth emulator")
	}
	if present(req.Mfa) {
		return nil, notImplemented("mfa is not implemented in this Auth emulator")
	}
	if !c.privileged {
		if str(req.IDToken) == "" && str(req.OobCode) == "" {
			return nil, badRequest("INVALID_REQ_TYPE : Unsupported request parameters.")
		}
		if req.CustomAttributes != nil {
			return nil, badRequest("INSUFFICIENT_PERMISSION")
		}
	} else if str(req.LocalID) == "" {
		return nil, badRequest("MISSING_LOCAL_ID")
	}
	if ca := str(req.CustomAttributes); ca != "" {
		if err := validateSerializedClaims(ca); err != nil {
			return nil, err
		}
	}
	for _, a := range req.DeleteAttribute {
		if !deleteAttributes[a] {
			return nil, invalidJSON("Invalid value at 'delete_attribute' (" + strconv.Quote(a) + ")")
		}
		if a == "PROVIDER" || a == "RAW_USER_INFO" {
			return nil, notImplemented("deleteAttribute: " + a)
		}
	}
	for _, f := range []*flexString{req.ValidSince, req.CreatedAt, req.LastLoginAt} {
		if f != nil && !isInt(string(*f)) {
			return nil, badRequest("INVALID_ARGUMENT : validSince, createdAt and lastLoginAt must be integers")
		}
	}
	if err := checkProfileFields(req.DisplayName, req.PhotoURL, req.Password); err != nil {
		return nil, err
	}

	now := s.now()
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	p := s.st.projectLocked(c.project)

	if code := str(req.OobCode); code != "" {
		// An action code (the JS SDK's applyActionCode); other fields of
		// the request are ignored, as in Google's emulator.
		nu, newEmail, err := applyOobUpdateLocked(p, code)
		if err != nil {
			return nil, err
		}
		c.uid = nu.LocalID
		resp := updateResponse{
			Kind: "identitytoolkit#SetAccountInfoResponse", LocalID: nu.LocalID,
			EmailVerified: nu.EmailVerified, ProviderUserInfo: append([]ProviderUserInfo(nil), nu.ProviderUserInfo...),
			Email: nu.Email, DisplayName: nu.DisplayName, PhotoURL: nu.PhotoURL, NewEmail: newEmail,
			PasswordHash: nu.redacted().PasswordHash,
		}
		if c.privileged {
			resp.PasswordHash = nu.PasswordHash
		}
		return resp, nil
	}
	var old *UserRecord
	signInProvider := ""
	if tok := str(req.IDToken); tok != "" && !(c.privileged && str(req.LocalID) != "") {
		var err error
		if old, signInProvider, err = parseIDTokenLocked(p, tok); err != nil {
			return nil, err
		}
		if req.DisableUser != nil {
			return nil, badRequest("OPERATION_NOT_ALLOWED")
		}
	} else if old = p.users[str(req.LocalID)]; old == nil {
		return nil, badRequest("USER_NOT_FOUND")
	}
	c.uid = old.LocalID
	nu := old.clone()
	newEmail := ""
	emailChanged := false

	if e := str(req.Email); e != "" {
		if !validEmail(e) {
			return nil, badRequest("INVALID_EMAIL")
		}
		newEmail = canonicalEmail(e)
		if newEmail != old.Email {
			if p.userByEmail(newEmail) != nil {
				return nil, badRequest("EMAIL_EXISTS")
			}
			nu.Email, nu.EmailVerified, emailChanged = newEmail, boolPtr(false), true
			if signInProvider != "anonymous" && old.Email != "" && old.InitialEmail == "" {
				nu.InitialEmail = old.Email
			}
		}
	}
	if pw := str(req.Password); pw != "" {
		if err := checkPassword(pw); err != nil {
			return nil, err
		}
		nu.Salt = "fakeSalt" + randomID(20)
		nu.PasswordHash = hashPassword(pw, nu.Salt)
		nu.PasswordUpdatedAt = now.UnixMilli()
		signInProvider = "password"
	}
	validSinceChanged := str(req.Password) != "" || (req.ValidSince != nil && *req.ValidSince != "") || emailChanged
	if validSinceChanged {
		nu.ValidSince = seconds(now)
	}
	if req.DisplayName != nil {
		nu.DisplayName = *req.DisplayName
	}
	if req.PhotoURL != nil {
		nu.PhotoURL = *req.PhotoURL
	}
	if c.privileged {
		if req.DisableUser != nil {
			nu.Disabled = *req.DisableUser
		}
		if ph := str(req.PhoneNumber); ph != "" && ph != old.PhoneNumber {
			if !validPhone(ph) {
				return nil, badRequest("INVALID_PHONE_NUMBER : Invalid format.")
			}
			if p.userByPhone(ph) != nil {
				return nil, badRequest("PHONE_NUMBER_EXISTS")
			}
			nu.PhoneNumber = ph
		}
		if req.EmailVerified != nil {
			nu.EmailVerified = boolPtr(*req.EmailVerified)
		}
		if req.CustomAttributes != nil {
			nu.CustomAttributes = *req.CustomAttributes
		}
		if req.CreatedAt != nil {
			nu.CreatedAt = string(*req.CreatedAt)
		}
		if req.LastLoginAt != nil {
			nu.LastLoginAt = string(*req.LastLoginAt)
		}
		if req.ValidSince != nil {
			nu.ValidSince = string(*req.ValidSince)
		}
	}
	for _, a := range req.DeleteAttribute {
		switch a {
		case "DISPLAY_NAME":
			nu.DisplayName = ""
		case "PHOTO_URL":
			nu.PhotoURL = ""
		case "PASSWORD":
			nu.PasswordHash, nu.Salt = "", ""
		case "EMAIL":
			nu.Email, nu.EmailVerified, nu.EmailLinkSignin = "", nil, false
		}
	}
	for _, prov := range req.DeleteProvider {
		switch prov {
		case "password":
			nu.Email, nu.EmailVerified, nu.EmailLinkSignin = "", nil, false
			nu.PasswordHash, nu.Salt = "", ""
		case "phone":
			nu.PhoneNumber = ""
		default:
			deleteProvider(nu, prov)
		}
	}
	if l := req.LinkProviderUserInfo; l != nil {
		if l.ProviderID == "" {
			return nil, badRequest("MISSING_PROVIDER_ID")
		}
		if l.RawID == "" {
			return nil, badRequest("MISSING_RAW_ID")
		}
		if other := p.userByProvider(l.ProviderID, l.RawID); other != nil && other.LocalID != old.LocalID {
			return nil, badRequest("FEDERATED_USER_ID_ALREADY_LINKED")
		}
		upsertProvider(nu, *l)
	}
	p.put(nu, old.Email, old.PhoneNumber)
	if emailChanged && signInProvider != "anonymous" && nu.InitialEmail != "" {
		// The owner of the first email may undo the change (recoverEmail).
		rec := p.createOobLocked(c.base, nu.InitialEmail, "", "RECOVER_EMAIL", "")
		s.log("RECOVER_EMAIL for %s: %s", nu.InitialEmail, rec.OobLink)
	}

	resp := updateResponse{
		Kind: "identitytoolkit#SetAccountInfoResponse", LocalID: nu.LocalID,
		EmailVerified: nu.EmailVerified, ProviderUserInfo: nu.ProviderUserInfo,
		Email: nu.Email, DisplayName: nu.DisplayName, PhotoURL: nu.PhotoURL, NewEmail: newEmail,
	}
	if c.privileged {
		resp.PasswordHash = nu.PasswordHash
	} else {
		resp.PasswordHash = nu.redacted().PasswordHash
	}
	if validSinceChanged && signInProvider != "" {
		t := issueTokensLocked(p, nu, signInProvider, nil, now)
		resp.IDToken, resp.RefreshToken, resp.ExpiresIn = t.IDToken, t.RefreshToken, strconv.Itoa(tokenLifetime)
	}
	resp.ProviderUserInfo = append([]ProviderUserInfo(nil), resp.ProviderUserInfo...)
	return resp, nil
}
