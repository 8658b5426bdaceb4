package auth

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
)

// This file holds the admin-only bulk operations: batchDelete (DeleteUsers),
// batchGet (the Users iterator, and the CLI's export) and batchCreate
// (ImportUsers, and the CLI's import of auth_export/accounts.json).

type batchDeleteRequest struct {
	LocalIDs []string `json:"localIds"`
	Force    bool     `json:"force"`
}

type batchDeleteError struct {
	Index   int    `json:"index"`
	LocalID string `json:"localId"`
	Message string `json:"message"`
}

// opBatchDelete deletes up to 1000 users; unknown uids count as deleted, and
// enabled users need force.
func opBatchDelete(s *server, c *call) (any, error) {
	var req batchDeleteRequest
	if err := decodeInto(c.body, &req); err != nil {
		return nil, err
	}
	if len(req.LocalIDs) == 0 || len(req.LocalIDs) > 1000 {
		return nil, badRequest("LOCAL_ID_LIST_EXCEEDS_LIMIT")
	}
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	p := s.st.projectLocked(c.project)
	var errs []batchDeleteError
	for i, id := range req.LocalIDs {
		u := p.users[id]
		switch {
		case u == nil:
		case !u.Disabled && !req.Force:
			errs = append(errs, batchDeleteError{i, id, "NOT_DISABLED : Disable the account before batch deletion."})
		default:
			p.remove(u)
		}
	}
	if len(errs) == 0 {
		return struct{}{}, nil
	}
	return map[string]any{"errors": errs}, nil
}

type batchGetResponse struct {
	Kind          string        `json:"kind"`
	Users         []*UserRecord `json:"users"`
	NextPageToken string        `json:"nextPageToken,omitempty"`
}

// opBatchGet lists users in localId order. maxResults defaults to 20 and is
// capped at 1000; a negative value (the CLI uses -1) returns every user.
func opBatchGet(s *server, c *call) (any, error) {
	limit := 20
	if v := c.query.Get("maxResults"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, invalidJSON("Invalid value at 'max_results' (" + strconv.Quote(v) + ")")
		}
		if n := int(math.Floor(f)); n != 0 {
			limit = min(n, 1000)
		}
	}
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	p := s.st.projectLocked(c.project)
	users := p.sortedUsers(c.query.Get("nextPageToken"))
	resp := batchGetResponse{Kind: "identitytoolkit#DownloadAccountResponse"}
	if limit >= 0 && len(users) >= limit {
		users = users[:limit]
		if len(users) > 0 {
			resp.NextPageToken = users[len(users)-1].LocalID
		}
	}
	resp.Users = make([]*UserRecord, len(users))
	for i, u := range users {
		resp.Users[i] = u.clone()
	}
	return resp, nil
}

// importUser is one entry of accounts:batchCreate. It accepts the shape of
// accounts.json and of the Admin SDK's ImportUsers (which sends createdAt and
// lastLoginAt as numbers).
type importUser struct {
	LocalID          string             `json:"localId"`
	Email            string             `json:"email"`
	EmailVerified    bool               `json:"emailVerified"`
	DisplayName      string             `json:"displayName"`
	PhotoURL         string             `json:"photoUrl"`
	PhoneNumber      string             `json:"phoneNumber"`
	Disabled         bool               `json:"disabled"`
	CustomAttributes string             `json:"customAttributes"`
	PasswordHash     string             `json:"passwordHash"`
	Salt             string             `json:"salt"`
	RawPassword      string             `json:"rawPassword"`
	CreatedAt        *flexString        `json:"createdAt"`
	LastLoginAt      *flexString        `json:"lastLoginAt"`
	ProviderUserInfo []ProviderUserInfo `json:"providerUserInfo"`
	TenantID         string             `json:"tenantId"`
	MfaInfo          json.RawMessage    `json:"mfaInfo"`
}

type batchCreateRequest struct {
	Users          []importUser `json:"users"`
	AllowOverwrite bool         `json:"allowOverwrite"`
	SanityCheck    bool         `json:"sanityCheck"`
}

type importError struct {
	Index   int    `json:"index"`
	Message string `json:"message"`
}

type batchCreateResponse struct {
	Kind  string        `json:"kind"`
	Error []importError `json:"error"`
}

// opBatchCreate imports users. Bad entries are reported per index, the rest
// are stored. Password hashes are stored as given: only hashes made by an
// Auth emulator (fakeHash:...) allow a later password sign-in.
func opBatchCreate(s *server, c *call) (any, error) {
	var req batchCreateRequest
	if err := decodeInto(c.body, &req); err != nil {
		return nil, err
	}
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	errs, err := batchCreateLocked(s.st.projectLocked(c.project), &req, s.now())
	if err != nil {
		return nil, err
	}
	return batchCreateResponse{Kind: "identitytoolkit#UploadAccountResponse", Error: errs}, nil
}

func batchCreateLocked(p *project, req *batchCreateRequest, now time.Time) ([]importError, error) {
	if len(req.Users) == 0 {
		return nil, badRequest("MISSING_USER_ACCOUNT")
	}
	if len(req.Users) > 1000 {
		return nil, badRequest("INVALID_ARGUMENT : at most 1000 users per batchCreate")
	}
	if req.SanityCheck {
		emails, raw := map[string]bool{}, map[string]bool{}
		for _, u := range req.Users {
			if u.Email != "" && !p.config.SignIn.AllowDuplicateEmails {
				if emails[u.Email] {
					return nil, badRequest("DUPLICATE_EMAIL : " + u.Email)
				}
				emails[u.Email] = true
			}
			for _, pi := range u.ProviderUserInfo {
				key := pi.ProviderID + ":" + pi.RawID
				if raw[key] {
					return nil, badRequestf("DUPLICATE_RAW_ID : Provider id(%s), Raw id(%s)", pi.ProviderID, pi.RawID)
				}
				raw[key] = true
			}
		}
	}
	if !req.AllowOverwrite {
		ids := map[string]bool{}
		for _, u := range req.Users {
			if ids[u.LocalID] {
				return nil, badRequest("DUPLICATE_LOCAL_ID : " + u.LocalID)
			}
			ids[u.LocalID] = true
		}
	}
	errs := []importError{}
	for i := range req.Users {
		if msg := importOneLocked(p, &req.Users[i], req, now); msg != "" {
			errs = append(errs, importError{Index: i, Message: msg})
		}
	}
	return errs, nil
}

// importOneLocked validates and stores one imported user, returning the
// per-user error message ("" on success) in the emulator's wording.
func importOneLocked(p *project, in *importUser, req *batchCreateRequest, now time.Time) string {
	if in.LocalID == "" {
		return "localId is missing"
	}
	if !validUID(in.LocalID) {
		return "localId is invalid"
	}
	if in.TenantID != "" {
		return "Tenant id in userInfo does not match the tenant id in request."
	}
	if present(in.MfaInfo) && string(in.MfaInfo) != "[]" {
		return "((mfaInfo is not implemented in this Auth emulator))"
	}
	for name, v := range map[string]string{"displayName": in.DisplayName, "photoUrl": in.PhotoURL} {
		if checkProfile(name, v) != nil {
			return name + " is invalid"
		}
	}
	nu := &UserRecord{
		LocalID: in.LocalID, DisplayName: in.DisplayName, PhotoURL: in.PhotoURL,
		EmailVerified: boolPtr(in.EmailVerified), Disabled: in.Disabled,
		ValidSince: seconds(now), CreatedAt: millis(now),
	}
	if in.LastLoginAt != nil {
		if !isInt(string(*in.LastLoginAt)) {
			return "lastLoginAt is invalid"
		}
		nu.LastLoginAt = string(*in.LastLoginAt)
	}
	if in.CreatedAt != nil && isInt(string(*in.CreatedAt)) {
		nu.CreatedAt = string(*in.CreatedAt)
	}
	switch {
	case in.PasswordHash != "":
		nu.PasswordHash, nu.Salt, nu.PasswordUpdatedAt = in.PasswordHash, in.Salt, now.UnixMilli()
	case in.RawPassword != "":
		nu.Salt = in.Salt
		if nu.Salt == "" {
			nu.Salt = "fakeSalt" + randomID(20)
		}
		nu.PasswordHash, nu.PasswordUpdatedAt = hashPassword(in.RawPassword, nu.Salt), now.UnixMilli()
	}
	if in.CustomAttributes != "" {
		if err := validateSerializedClaims(in.CustomAttributes); err != nil {
			msg := err.Error()
			switch {
			case msg == "INVALID_CLAIMS":
				return "Invalid custom claims provided."
			case msg == "CLAIMS_TOO_LARGE":
				return "Custom claims provided are too large."
			case strings.HasPrefix(msg, "FORBIDDEN_CLAIM"):
				return "Custom claims provided include a reserved claim."
			}
			return msg
		}
		nu.CustomAttributes = in.CustomAttributes
	}
	for _, pi := range in.ProviderUserInfo {
		if pi.ProviderID == "password" || pi.ProviderID == "phone" {
			continue // maintained from email/password/phone below
		}
		if pi.ProviderID == "" || pi.RawID == "" {
			return "federatedId or (providerId & rawId) is required"
		}
		if other := p.userByProvider(pi.ProviderID, pi.RawID); other != nil && other.LocalID != in.LocalID {
			return "raw id exists in other account in database"
		}
		nu.ProviderUserInfo = append(nu.ProviderUserInfo, pi)
	}
	if in.PhoneNumber != "" {
		if !validPhone(in.PhoneNumber) {
			return "phone number format is invalid"
		}
		// Google's emulator does not check this; without it two users would
		// share one phone index entry.
		if other := p.userByPhone(in.PhoneNumber); other != nil && other.LocalID != in.LocalID {
			return "phone number exists in other account in database"
		}
		nu.PhoneNumber = in.PhoneNumber
	}
	if in.Email != "" {
		if !validEmail(in.Email) {
			return "email is invalid"
		}
		email := canonicalEmail(in.Email)
		if other := p.userByEmail(email); other != nil && other.LocalID != in.LocalID {
			if req.SanityCheck && !p.config.SignIn.AllowDuplicateEmails {
				return "email exists in other account in database"
			}
			return "((Auth Emulator does not support importing duplicate email: " + email + "))"
		}
		nu.Email = email
	}
	old := p.users[in.LocalID]
	if old != nil {
		if !req.AllowOverwrite {
			return "localId belongs to an existing account - can not overwrite."
		}
		p.remove(old)
	}
	p.put(nu, "", "")
	return ""
}
