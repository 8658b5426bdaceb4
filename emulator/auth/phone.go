package auth

import (
	"crypto/rand"
	"math/big"
	"strconv"
)

// This file holds phone sign-in: sendVerificationCode records a code (no SMS
// is sent; it is logged and listed by GET /emulator/v1/projects/{p}/
// verificationCodes), signInWithPhoneNumber exchanges it for tokens.

// VerificationCode is one pending SMS code, as listed by the emulator API.
type VerificationCode struct {
	Code        string `json:"code"`
	PhoneNumber string `json:"phoneNumber"`
	SessionInfo string `json:"sessionInfo"`
}

type sendVerificationRequest struct {
	PhoneNumber *string `json:"phoneNumber"`
}

// opSendVerificationCode records a 6-digit code for the phone number and
// returns the sessionInfo that signInWithPhoneNumber needs. reCAPTCHA and
// app-verification fields are ignored, as in Google's emulator.
func opSendVerificationCode(s *server, c *call) (any, error) {
	var req sendVerificationRequest
	if err := decodeInto(c.body, &req); err != nil {
		return nil, err
	}
	phone := str(req.PhoneNumber)
	if !validPhone(phone) {
		return nil, badRequest("INVALID_PHONE_NUMBER : Invalid format.")
	}
	v := &VerificationCode{Code: randomDigits(6), PhoneNumber: phone, SessionInfo: randomID(226)}
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	p := s.st.projectLocked(c.project)
	p.verifications = append(p.verifications, v)
	if len(p.verifications) > maxPendingCodes {
		p.verifications = append([]*VerificationCode(nil), p.verifications[len(p.verifications)-maxPendingCodes:]...)
	}
	s.log("To verify the phone number %s, use the code %s.", phone, v.Code)
	return map[string]string{"sessionInfo": v.SessionInfo}, nil
}

type phoneSignInRequest struct {
	SessionInfo    *string `json:"sessionInfo"`
	Code           *string `json:"code"`
	IDToken        *string `json:"idToken"`
	TemporaryProof *string `json:"temporaryProof"`
}

type phoneSignInResponse struct {
	IsNewUser    bool   `json:"isNewUser"`
	PhoneNumber  string `json:"phoneNumber"`
	LocalID      string `json:"localId"`
	IDToken      string `json:"idToken"`
	RefreshToken string `json:"refreshToken"`
	ExpiresIn    string `json:"expiresIn"`
}

// opSignInWithPhoneNumber consumes a code and signs in the phone number's
// user (created if new), or links the number to the ID token's user. A
// number already used by another account is PHONE_NUMBER_EXISTS (Google's
// emulator answers a temporaryProof there; temporary proofs are not
// modelled, so this is the refusal production gives when linking).
func opSignInWithPhoneNumber(s *server, c *call) (any, error) {
	var req phoneSignInRequest
	if err := decodeInto(c.body, &req); err != nil {
		return nil, err
	}
	if str(req.TemporaryProof) != "" {
		return nil, notImplemented("temporaryProof is not implemented in this Auth emulator")
	}
	if str(req.SessionInfo) == "" {
		return nil, badRequest("MISSING_SESSION_INFO")
	}
	if str(req.Code) == "" {
		return nil, badRequest("MISSING_CODE")
	}
	now := s.now()
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	p := s.st.projectLocked(c.project)
	idx := -1
	for i, v := range p.verifications {
		if equalSecret(v.SessionInfo, *req.SessionInfo) {
			idx = i
			break
		}
	}
	if idx < 0 {
		return nil, badRequest("INVALID_SESSION_INFO")
	}
	v := p.verifications[idx]
	if !equalSecret(v.Code, *req.Code) {
		return nil, badRequest("INVALID_CODE")
	}
	p.verifications = append(p.verifications[:idx:idx], p.verifications[idx+1:]...)
	fromPhone := p.userByPhone(v.PhoneNumber)
	var fromToken *UserRecord
	if tok := str(req.IDToken); tok != "" {
		var err error
		if fromToken, _, err = parseIDTokenLocked(p, tok); err != nil {
			return nil, err
		}
		if fromPhone != nil && fromPhone.LocalID != fromToken.LocalID {
			return nil, badRequest("PHONE_NUMBER_EXISTS")
		}
	}
	old := fromToken
	if old == nil {
		old = fromPhone
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
		nu, oldEmail, oldPhone = old.clone(), old.Email, old.PhoneNumber
	}
	nu.PhoneNumber = v.PhoneNumber
	nu.LastLoginAt = millis(now)
	p.put(nu, oldEmail, oldPhone)
	c.uid = nu.LocalID
	t := issueTokensLocked(p, nu, "phone", nil, now)
	return phoneSignInResponse{
		IsNewUser: isNew, PhoneNumber: v.PhoneNumber, LocalID: nu.LocalID,
		IDToken: t.IDToken, RefreshToken: t.RefreshToken, ExpiresIn: strconv.Itoa(tokenLifetime),
	}, nil
}

// opListVerificationCodes lists the project's pending SMS codes, oldest first.
func opListVerificationCodes(s *server, c *call) (any, error) {
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	p := s.st.projectLocked(c.project)
	out := make([]VerificationCode, 0, len(p.verifications))
	for _, v := range p.verifications {
		out = append(out, *v)
	}
	return map[string]any{"verificationCodes": out}, nil
}

// randomDigits returns n decimal digits from crypto/rand.
func randomDigits(n int) string {
	b := make([]byte, n)
	for i := range b {
		d, err := rand.Int(rand.Reader, big.NewInt(10))
		if err != nil {
			panic("auth: crypto/rand failed: " + err.Error())
		}
		b[i] = byte('0' + d.Int64())
	}
	return string(b)
}
