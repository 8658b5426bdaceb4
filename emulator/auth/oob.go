package auth

import (
	"net/url"
	"strconv"
	"strings"
	"time"
)

// This file holds out-of-band (OOB) codes, the links an email would carry:
// accounts:sendOobCode (client and Admin SDK's *Link calls), resetPassword,
// signInWithEmailLink, and the pending-code list of the emulator API. No
// email is sent; codes are logged and listed, as in Google's emulator.

// Request types of sendOobCode and the action-page mode of each.
var oobModes = map[string]string{
	"EMAIL_SIGNIN":            "signIn",
	"PASSWORD_RESET":          "resetPassword",
	"VERIFY_EMAIL":            "verifyEmail",
	"VERIFY_AND_CHANGE_EMAIL": "verifyAndChangeEmail",
	"RECOVER_EMAIL":           "recoverEmail",
}

// maxPendingCodes bounds the pending OOB and phone codes kept per project;
// the oldest are forgotten first. Google's emulator keeps them all.
const maxPendingCodes = 1000

// OobCode is one pending out-of-band code, as listed by
// GET /emulator/v1/projects/{p}/oobCodes.
type OobCode struct {
	Email       string `json:"email"`
	NewEmail    string `json:"newEmail,omitempty"`
	RequestType string `json:"requestType"`
	OobCode     string `json:"oobCode"`
	OobLink     string `json:"oobLink"`
	continueURL string // validated when the code was made
}

// createOobLocked records a new code and returns a copy of it. base is the
// emulator's own origin ("http://host:port").
func (p *project) createOobLocked(base, email, newEmail, requestType, continueURL string) OobCode {
	code := randomID(54)
	q := url.Values{}
	q.Set("mode", oobModes[requestType])
	q.Set("lang", "en")
	q.Set("oobCode", code)
	q.Set("apiKey", "fake-api-key")
	if continueURL != "" {
		q.Set("continueUrl", continueURL)
	}
	rec := &OobCode{
		Email: email, NewEmail: newEmail, RequestType: requestType, OobCode: code,
		OobLink: base + "/emulator/action?" + q.Encode(), continueURL: continueURL,
	}
	p.oobs = append(p.oobs, rec)
	if len(p.oobs) > maxPendingCodes {
		p.oobs = append([]*OobCode(nil), p.oobs[len(p.oobs)-maxPendingCodes:]...)
	}
	return *rec
}

// oobLocked returns the pending code or nil.
func (p *project) oobLocked(code string) *OobCode {
	for _, o := range p.oobs {
		if equalSecret(o.OobCode, code) {
			return o
		}
	}
	return nil
}

func (p *project) deleteOobLocked(code string) {
	for i, o := range p.oobs {
		if o.OobCode == code {
			p.oobs = append(p.oobs[:i:i], p.oobs[i+1:]...)
			return
		}
	}
}

// userByInitialEmail finds the user whose first email was email (recoverEmail).
func (p *project) userByInitialEmail(email string) *UserRecord {
	for _, u := range p.users {
		if u.InitialEmail == email {
			return u
		}
	}
	return nil
}

// validContinueURL accepts an absolute http(s) URL with a host, as
// production does (Google's emulator accepts any scheme).
func validContinueURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" &&
		len(s) <= maxFieldLength && printable(s)
}

type sendOobRequest struct {
	RequestType        *string `json:"requestType"`
	Email              *string `json:"email"`
	NewEmail           *string `json:"newEmail"`
	IDToken            *string `json:"idToken"`
	ReturnOobLink      *bool   `json:"returnOobLink"`
	ContinueURL        *string `json:"continueUrl"`
	CanHandleCodeInApp *bool   `json:"canHandleCodeInApp"`
}

type sendOobResponse struct {
	Kind    string `json:"kind"`
	Email   string `json:"email,omitempty"`
	OobCode string `json:"oobCode,omitempty"`
	OobLink string `json:"oobLink,omitempty"`
}

// opSendOobCode is accounts:sendOobCode: it records a code for
// VERIFY_EMAIL, PASSWORD_RESET, EMAIL_SIGNIN or VERIFY_AND_CHANGE_EMAIL.
// returnOobLink (the Admin SDK's *Link calls) needs a privileged caller and
// returns the code instead of "sending" it.
func opSendOobCode(s *server, c *call) (any, error) {
	var req sendOobRequest
	if err := decodeInto(c.body, &req); err != nil {
		return nil, err
	}
	rt := str(req.RequestType)
	if rt == "" || rt == "OOB_REQ_TYPE_UNSPECIFIED" {
		return nil, badRequest("MISSING_REQ_TYPE")
	}
	returnLink := req.ReturnOobLink != nil && *req.ReturnOobLink
	if returnLink && !c.privileged {
		return nil, badRequest("INSUFFICIENT_PERMISSION")
	}
	cont := str(req.ContinueURL)
	if cont != "" && !validContinueURL(cont) {
		return nil, badRequest("INVALID_CONTINUE_URI : ((expected an absolute URI with valid scheme and host))")
	}
	if _, ok := oobModes[rt]; !ok || rt == "RECOVER_EMAIL" {
		return nil, notImplemented(rt)
	}
	emailArg := func() (string, error) {
		e := str(req.Email)
		if e == "" {
			return "", badRequest("MISSING_EMAIL")
		}
		if !validEmail(e) {
			return "", badRequest("INVALID_EMAIL")
		}
		return canonicalEmail(e), nil
	}
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	p := s.st.projectLocked(c.project)
	var email, newEmail string
	var err error
	// userEmail is the email of the ID token's user, or (for a privileged
	// returnOobLink call without one) of the user named by email.
	userEmail := func() (string, error) {
		if returnLink && str(req.IDToken) == "" {
			e, err := emailArg()
			if err != nil {
				return "", err
			}
			if p.userByEmail(e) == nil {
				return "", badRequest("USER_NOT_FOUND")
			}
			return e, nil
		}
		if str(req.IDToken) == "" {
			return "", badRequest("MISSING_ID_TOKEN")
		}
		u, _, err := parseIDTokenLocked(p, *req.IDToken)
		if err != nil {
			return "", err
		}
		if u.Email == "" {
			return "", badRequest("MISSING_EMAIL")
		}
		c.uid = u.LocalID
		return u.Email, nil
	}
	switch rt {
	case "EMAIL_SIGNIN":
		if email, err = emailArg(); err != nil {
			return nil, err
		}
	case "PASSWORD_RESET":
		if email, err = emailArg(); err != nil {
			return nil, err
		}
		if p.userByEmail(email) == nil {
			if p.config.EmailPrivacyConfig.EnableImprovedEmailPrivacy {
				return sendOobResponse{Kind: "identitytoolkit#GetOobConfirmationCodeResponse", Email: email}, nil
			}
			return nil, badRequest("EMAIL_NOT_FOUND")
		}
	case "VERIFY_EMAIL":
		if email, err = userEmail(); err != nil {
			return nil, err
		}
	case "VERIFY_AND_CHANGE_EMAIL":
		ne := str(req.NewEmail)
		if ne == "" {
			return nil, badRequest("MISSING_NEW_EMAIL")
		}
		if !validEmail(ne) {
			return nil, badRequest("INVALID_NEW_EMAIL")
		}
		newEmail = canonicalEmail(ne)
		if email, err = userEmail(); err != nil {
			return nil, err
		}
		if p.userByEmail(newEmail) != nil {
			return nil, badRequest("EMAIL_EXISTS")
		}
	}
	if req.CanHandleCodeInApp != nil && *req.CanHandleCodeInApp {
		s.log("WARNING: canHandleCodeInApp is unsupported in the Auth emulator; all OOB operations complete via the web link")
	}
	rec := p.createOobLocked(c.base, email, newEmail, rt, cont)
	resp := sendOobResponse{Kind: "identitytoolkit#GetOobConfirmationCodeResponse", Email: email}
	if returnLink {
		resp.OobCode, resp.OobLink = rec.OobCode, rec.OobLink
	} else {
		s.log("%s for %s: %s", rt, email, rec.OobLink)
	}
	return resp, nil
}

type resetPasswordRequest struct {
	OobCode     *string `json:"oobCode"`
	NewPassword *string `json:"newPassword"`
}

type resetPasswordResponse struct {
	Kind        string `json:"kind"`
	RequestType string `json:"requestType"`
	Email       string `json:"email,omitempty"`
	NewEmail    string `json:"newEmail,omitempty"`
}

// opResetPassword is accounts:resetPassword. Without newPassword it only
// reports what the code is for (the JS SDK's checkActionCode and
// verifyPasswordResetCode); with one it consumes a PASSWORD_RESET code,
// sets the password, marks the email verified, revokes older tokens and
// unlinks federated providers (so whoever controlled them loses access),
// as Google's emulator does.
func opResetPassword(s *server, c *call) (any, error) {
	var req resetPasswordRequest
	if err := decodeInto(c.body, &req); err != nil {
		return nil, err
	}
	code := str(req.OobCode)
	if code == "" {
		return nil, badRequest("MISSING_OOB_CODE")
	}
	pw := str(req.NewPassword)
	if err := checkProfileFields(nil, nil, &pw); err != nil {
		return nil, err
	}
	now := s.now()
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	p := s.st.projectLocked(c.project)
	oob := p.oobLocked(code)
	if oob == nil {
		return nil, badRequest("INVALID_OOB_CODE")
	}
	rec := *oob
	if pw != "" {
		u, err := resetPasswordLocked(p, rec, pw, now)
		if err != nil {
			return nil, err
		}
		c.uid = u.LocalID
	}
	resp := resetPasswordResponse{Kind: "identitytoolkit#ResetPasswordResponse", RequestType: rec.RequestType, NewEmail: rec.NewEmail}
	if rec.RequestType != "EMAIL_SIGNIN" {
		resp.Email = rec.Email
	}
	return resp, nil
}

// resetPasswordLocked consumes a PASSWORD_RESET code and sets the password.
func resetPasswordLocked(p *project, rec OobCode, pw string, now time.Time) (*UserRecord, error) {
	if rec.RequestType != "PASSWORD_RESET" {
		return nil, badRequest("INVALID_OOB_CODE")
	}
	if err := checkPassword(pw); err != nil {
		return nil, err
	}
	p.deleteOobLocked(rec.OobCode)
	old := p.userByEmail(rec.Email)
	if old == nil {
		return nil, badRequest("INVALID_OOB_CODE")
	}
	nu := old.clone()
	nu.EmailVerified = boolPtr(true)
	nu.Salt = "fakeSalt" + randomID(20)
	nu.PasswordHash = hashPassword(pw, nu.Salt)
	nu.PasswordUpdatedAt = now.UnixMilli()
	nu.ValidSince = seconds(now)
	nu.ProviderUserInfo = nil // password and phone come back in put
	p.put(nu, old.Email, old.PhoneNumber)
	return nu, nil
}

// applyOobUpdateLocked is accounts:update with an oobCode: it consumes a
// VERIFY_EMAIL, VERIFY_AND_CHANGE_EMAIL or RECOVER_EMAIL code and applies
// it (the JS SDK's applyActionCode). It returns the updated user and the
// new email of a VERIFY_AND_CHANGE_EMAIL code.
func applyOobUpdateLocked(p *project, code string) (*UserRecord, string, error) {
	oob := p.oobLocked(code)
	if oob == nil {
		return nil, "", badRequest("INVALID_OOB_CODE")
	}
	rec := *oob
	var old *UserRecord
	switch rec.RequestType {
	case "VERIFY_EMAIL", "VERIFY_AND_CHANGE_EMAIL":
		old = p.userByEmail(rec.Email)
	case "RECOVER_EMAIL":
		old = p.userByInitialEmail(rec.Email)
	default:
		return nil, "", notImplemented(rec.RequestType)
	}
	p.deleteOobLocked(rec.OobCode)
	if old == nil {
		return nil, "", badRequest("INVALID_OOB_CODE")
	}
	nu := old.clone()
	newEmail := ""
	switch rec.RequestType {
	case "VERIFY_EMAIL":
		nu.EmailVerified = boolPtr(true)
	case "VERIFY_AND_CHANGE_EMAIL":
		if p.userByEmail(rec.NewEmail) != nil {
			return nil, "", badRequest("EMAIL_EXISTS")
		}
		nu.Email, nu.EmailVerified, newEmail = rec.NewEmail, boolPtr(true), rec.NewEmail
	case "RECOVER_EMAIL":
		if other := p.userByEmail(rec.Email); other != nil && other.LocalID != old.LocalID {
			return nil, "", badRequest("EMAIL_EXISTS")
		}
		nu.Email, nu.EmailVerified = rec.Email, boolPtr(true)
	}
	p.put(nu, old.Email, old.PhoneNumber)
	return nu, newEmail, nil
}

type emailLinkRequest struct {
	Email   *string `json:"email"`
	OobCode *string `json:"oobCode"`
	IDToken *string `json:"idToken"`
}

type emailLinkResponse struct {
	Kind         string `json:"kind"`
	Email        string `json:"email"`
	LocalID      string `json:"localId"`
	IsNewUser    bool   `json:"isNewUser"`
	IDToken      string `json:"idToken"`
	RefreshToken string `json:"refreshToken"`
	ExpiresIn    string `json:"expiresIn"`
}

// opSignInWithEmailLink consumes an EMAIL_SIGNIN code for the same email and
// signs in (creating the user if needed, or linking the email to the ID
// token's user). The email becomes verified.
func opSignInWithEmailLink(s *server, c *call) (any, error) {
	var req emailLinkRequest
	if err := decodeInto(c.body, &req); err != nil {
		return nil, err
	}
	now := s.now()
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	p := s.st.projectLocked(c.project)
	var fromToken *UserRecord
	if tok := str(req.IDToken); tok != "" {
		var err error
		if fromToken, _, err = parseIDTokenLocked(p, tok); err != nil {
			return nil, err
		}
	}
	if str(req.Email) == "" {
		return nil, badRequest("MISSING_EMAIL")
	}
	email := canonicalEmail(*req.Email)
	if str(req.OobCode) == "" {
		return nil, badRequest("MISSING_OOB_CODE")
	}
	oob := p.oobLocked(*req.OobCode)
	if oob == nil || oob.RequestType != "EMAIL_SIGNIN" {
		return nil, badRequest("INVALID_OOB_CODE")
	}
	if oob.Email != email {
		return nil, badRequest("INVALID_EMAIL : The email provided does not match the sign-in email address.")
	}
	p.deleteOobLocked(oob.OobCode)
	fromEmail := p.userByEmail(email)
	old := fromToken
	if old == nil {
		old = fromEmail
	}
	isNew := old == nil
	var nu *UserRecord
	oldEmail, oldPhone := "", ""
	if isNew {
		nu = &UserRecord{LocalID: p.newLocalIDLocked(), CreatedAt: millis(now)}
	} else {
		if old.Disabled {
			return nil, badRequest("USER_DISABLED")
		}
		if fromToken != nil && fromEmail != nil && fromToken.LocalID != fromEmail.LocalID {
			return nil, badRequest("EMAIL_EXISTS")
		}
		nu, oldEmail, oldPhone = old.clone(), old.Email, old.PhoneNumber
	}
	nu.Email, nu.EmailVerified, nu.EmailLinkSignin = email, boolPtr(true), true
	nu.LastLoginAt = millis(now)
	p.put(nu, oldEmail, oldPhone)
	c.uid = nu.LocalID
	t := issueTokensLocked(p, nu, "password", nil, now)
	return emailLinkResponse{
		Kind: "identitytoolkit#EmailLinkSigninResponse", Email: email, LocalID: nu.LocalID, IsNewUser: isNew,
		IDToken: t.IDToken, RefreshToken: t.RefreshToken, ExpiresIn: strconv.Itoa(tokenLifetime),
	}, nil
}

// opListOobCodes lists the project's pending codes, oldest first.
func opListOobCodes(s *server, c *call) (any, error) {
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	p := s.st.projectLocked(c.project)
	out := make([]OobCode, 0, len(p.oobs))
	for _, o := range p.oobs {
		out = append(out, *o)
	}
	return map[string]any{"oobCodes": out}, nil
}

// safeHost is the request's Host if it looks like host[:port], else
// "localhost": it only ever appears in links this emulator hands out.
func safeHost(h string) string {
	if h == "" || len(h) > 255 {
		return "localhost"
	}
	for _, r := range h {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(".-:[]", r)) {
			return "localhost"
		}
	}
	return h
}
