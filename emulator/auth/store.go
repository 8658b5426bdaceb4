package auth

import (
	"crypto/rand"
	"sort"
	"sync"
)

// noProject is the CLI's placeholder project ID, used for
// client calls when no default project was set and no project was seen yet.
const noProject = "demo-no-project"

// store holds every project's accounts and config.
type store struct {
	// mu guards every field below and everything reachable from projects.
	// Operations hold it for their whole duration, so check-then-write
	// sequences (EMAIL_EXISTS, DUPLICATE_LOCAL_ID) are atomic.
	mu       sync.Mutex
	projects map[string]*project
	order    []string // project IDs in the order they were first seen
	// defaultProject is the project of client calls (`?key=`), which carry
	// no project ID; see (*Server).SetDefaultProject.
	defaultProject string
}

// project is one project's state. Methods on it require store.mu.
type project struct {
	id      string
	users   map[string]*UserRecord
	byEmail map[string]string // canonical email -> localId
	byPhone map[string]string // phone number -> localId
	config  ConfigFile
	// oobs and verifications are the pending email and SMS codes, oldest
	// first, at most maxPendingCodes each. Clearing accounts keeps them,
	// as in Google's emulator.
	oobs          []*OobCode
	verifications []*VerificationCode
}

func newStore() *store {
	return &store{projects: make(map[string]*project)}
}

// projectLocked returns the project, creating it on first use: like Google's
// emulator, any project ID is served.
func (s *store) projectLocked(id string) *project {
	p := s.projects[id]
	if p == nil {
		p = &project{
			id:      id,
			users:   make(map[string]*UserRecord),
			byEmail: make(map[string]string),
			byPhone: make(map[string]string),
		}
		s.projects[id] = p
		s.order = append(s.order, id)
	}
	return p
}

// defaultProjectLocked is the project for calls that name none: the one set
// with SetDefaultProject, else the first project seen, else demo-no-project.
// Google's emulator maps every API key to its single default project too.
func (s *store) defaultProjectLocked() string {
	switch {
	case s.defaultProject != "":
		return s.defaultProject
	case len(s.order) > 0:
		return s.order[0]
	default:
		return noProject
	}
}

func (p *project) userByEmail(email string) *UserRecord {
	if id, ok := p.byEmail[email]; ok {
		return p.users[id]
	}
	return nil
}

func (p *project) userByPhone(phone string) *UserRecord {
	if id, ok := p.byPhone[phone]; ok {
		return p.users[id]
	}
	return nil
}

// userByProvider finds the user linked to (providerID, rawID). A scan is
// fine for an emulator; only federatedUserId lookups and imports use it.
func (p *project) userByProvider(providerID, rawID string) *UserRecord {
	for _, u := range p.users {
		for _, pi := range u.ProviderUserInfo {
			if pi.ProviderID == providerID && pi.RawID == rawID {
				return u
			}
		}
	}
	return nil
}

// put stores u (new or modified) and brings the indexes and the emulator-
// maintained provider entries up to date. old is the user's previous email
// and phone ("" for a new user).
func (p *project) put(u *UserRecord, oldEmail, oldPhone string) {
	if oldEmail != "" && oldEmail != u.Email && p.byEmail[oldEmail] == u.LocalID {
		delete(p.byEmail, oldEmail)
	}
	if oldPhone != "" && oldPhone != u.PhoneNumber && p.byPhone[oldPhone] == u.LocalID {
		delete(p.byPhone, oldPhone)
	}
	if u.Email != "" {
		p.byEmail[u.Email] = u.LocalID
	}
	if u.PhoneNumber != "" {
		p.byPhone[u.PhoneNumber] = u.LocalID
	}
	syncProviders(u)
	p.users[u.LocalID] = u
}

func (p *project) remove(u *UserRecord) {
	delete(p.users, u.LocalID)
	if u.Email != "" && p.byEmail[u.Email] == u.LocalID {
		delete(p.byEmail, u.Email)
	}
	if u.PhoneNumber != "" && p.byPhone[u.PhoneNumber] == u.LocalID {
		delete(p.byPhone, u.PhoneNumber)
	}
}

func (p *project) clear() {
	p.users = make(map[string]*UserRecord)
	p.byEmail = make(map[string]string)
	p.byPhone = make(map[string]string)
}

// sortedUsers returns the users with localId > after, ascending by localId
// (the order of accounts:batchGet).
func (p *project) sortedUsers(after string) []*UserRecord {
	out := make([]*UserRecord, 0, len(p.users))
	for id, u := range p.users {
		if after == "" || id > after {
			out = append(out, u)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].LocalID < out[j].LocalID })
	return out
}

// syncProviders keeps the "password" entry present exactly when the user has
// an email and a password (or email-link sign-in), and the "phone" entry
// exactly when the user has a phone number, as Google's emulator does
// [FT:state.ts updateUserByLocalId].
func syncProviders(u *UserRecord) {
	if u.Email != "" && (u.PasswordHash != "" || u.EmailLinkSignin) {
		upsertProvider(u, ProviderUserInfo{
			ProviderID: "password", Email: u.Email, FederatedID: u.Email, RawID: u.Email,
			DisplayName: u.DisplayName, PhotoURL: u.PhotoURL,
		})
	} else {
		deleteProvider(u, "password")
	}
	if u.PhoneNumber != "" {
		upsertProvider(u, ProviderUserInfo{ProviderID: "phone", PhoneNumber: u.PhoneNumber, RawID: u.PhoneNumber})
	} else {
		deleteProvider(u, "phone")
	}
}

func upsertProvider(u *UserRecord, info ProviderUserInfo) {
	for i := range u.ProviderUserInfo {
		if u.ProviderUserInfo[i].ProviderID == info.ProviderID {
			u.ProviderUserInfo[i] = info
			return
		}
	}
	u.ProviderUserInfo = append(u.ProviderUserInfo, info)
}

func deleteProvider(u *UserRecord, providerID string) {
	kept := u.ProviderUserInfo[:0]
	for _, pi := range u.ProviderUserInfo {
		if pi.ProviderID != providerID {
			kept = append(kept, pi)
		}
	}
	if len(kept) == 0 {
		kept = nil
	}
	u.ProviderUserInfo = kept
}

const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// randomID returns n characters of [A-Za-z0-9] from crypto/rand (uids are 28
// such characters, as Google's emulator makes them).
func randomID(n int) string {
	// 62 does not divide 256: reject bytes >= 248 to stay uniform.
	out := make([]byte, 0, n)
	buf := make([]byte, n+n/4+8)
	for len(out) < n {
		if _, err := rand.Read(buf); err != nil {
			panic("auth: crypto/rand failed: " + err.Error())
		}
		for _, b := range buf {
			if b < 248 && len(out) < n {
				out = append(out, idAlphabet[b%62])
			}
		}
	}
	return string(out)
}

// newLocalIDLocked returns an unused 28-character uid.
func (p *project) newLocalIDLocked() string {
	for {
		id := randomID(28)
		if _, taken := p.users[id]; !taken {
			return id
		}
	}
}
