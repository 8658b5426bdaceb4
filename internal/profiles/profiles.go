// Package profiles is users' public profiles and finding people by email.
//
// A profile (profiles/{uid}: displayName, avatarUrl) is written only by
// the service, after validation (validate.go); clients read it one
// document at a time under firestore.rules and can never list the
// collection. Being findable by email is opt-in: a user who sets
// discoverable gets an entry in the server-only userLookup collection,
// keyed by the SHA-256 of their normalised, verified email address, and
// Lookup answers exact matches only. An unknown address and the address of
// a user who did not opt in answer alike (ErrUserNotFound), with the same
// single Firestore read. Private settings (discoverable and the current
// lookup key) live in the server-only profileSettings collection.
package profiles

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Errors internal/api maps to problem codes.
var (
	// ErrNotFound: the user has no profile yet.
	ErrNotFound = errors.New("profiles: no profile")
	// ErrUserNotFound: no discoverable user has this email address (the
	// address is unknown, or its user did not opt in: not told apart).
	ErrUserNotFound = errors.New("profiles: user not found")
	// ErrEmailNotVerified: discoverable needs a verified email address.
	ErrEmailNotVerified = errors.New("profiles: email not verified")
	// ErrBanned: users/{uid} records the caller as banned (a ban, or an
	// account deletion pending or done); nothing is written.
	ErrBanned = errors.New("profiles: user is banned")
)

// InvalidError is a field that breaks a validation rule.
type InvalidError struct {
	Field  string
	Reason string
}

func (e *InvalidError) Error() string {
	return fmt.Sprintf("profiles: invalid %s: %s", e.Field, e.Reason)
}

// InvalidField returns the field and the reason (for internal/api).
func (e *InvalidError) InvalidField() (string, string) { return e.Field, e.Reason }

func invalid(field, format string, a ...any) error {
	return &InvalidError{Field: field, Reason: fmt.Sprintf(format, a...)}
}

// Profile is what a user sets about themselves.
type Profile struct {
	DisplayName string
	// AvatarURL is an https URL, or "" for none.
	AvatarURL string
	// Discoverable lets others find the user by exact email address.
	Discoverable bool
	UpdatedAt    time.Time
}

// Identity is what the caller's verified ID token says about them.
type Identity struct {
	UID           string
	Email         string
	EmailVerified bool
}

// PutParams is what Store.Put needs.
type PutParams struct {
	UID     string
	Profile Profile
	// LookupKey is the userLookup document for the caller's email when
	// Profile.Discoverable, else "".
	LookupKey string
}

// Store persists profiles.
type Store interface {
	// Put writes the profile and settings and moves or removes the lookup
	// entry, in one transaction.
	Put(ctx context.Context, p PutParams) error
	// Get returns uid's profile with its settings, or ErrNotFound.
	Get(ctx context.Context, uid string) (Profile, error)
	// LookupUID reads the lookup entry key with exactly one document read,
	// whether or not it exists.
	LookupUID(ctx context.Context, key string) (uid string, found bool, err error)
}

// Service is the profile use cases. Store is required; a nil Now is
// time.Now.
type Service struct {
	Store Store
	Now   func() time.Time
}

func (s *Service) now() time.Time {
	f := s.Now
	if f == nil {
		f = time.Now
	}
	return f().UTC().Truncate(time.Microsecond)
}

// Put validates and stores the caller's profile and returns it.
func (s *Service) Put(ctx context.Context, who Identity, p Profile) (Profile, error) {
	if err := Validate(p); err != nil {
		return Profile{}, err
	}
	var key string
	if p.Discoverable {
		if !who.EmailVerified || who.Email == "" {
			return Profile{}, ErrEmailNotVerified
		}
		norm, err := NormaliseEmail(who.Email)
		if err != nil {
			return Profile{}, ErrEmailNotVerified
		}
		key = LookupKey(norm)
	}
	p.UpdatedAt = s.now()
	if err := s.Store.Put(ctx, PutParams{UID: who.UID, Profile: p, LookupKey: key}); err != nil {
		return Profile{}, err
	}
	return p, nil
}

// Get returns uid's own profile (with the private discoverable setting).
func (s *Service) Get(ctx context.Context, uid string) (Profile, error) {
	return s.Store.Get(ctx, uid)
}

// Lookup returns the uid of the discoverable user with exactly this email
// address (after normalisation), or ErrUserNotFound.
func (s *Service) Lookup(ctx context.Context, email string) (string, error) {
	norm, err := NormaliseEmail(email)
	if err != nil {
		return "", err
	}
	uid, found, err := s.Store.LookupUID(ctx, LookupKey(norm))
	if err != nil {
		return "", err
	}
	if !found {
		return "", ErrUserNotFound
	}
	return uid, nil
}
