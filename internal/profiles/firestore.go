package profiles

import (
	"context"
	"time"

	"cloud.google.com/go/firestore"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/roomgate/roomgate/internal/schema"
	"github.com/roomgate/roomgate/internal/userstate"
)

// profileDoc is profiles/{uid}, readable by admitted users (one document
// at a time) under firestore.rules.
type profileDoc struct {
	DisplayName string    `firestore:"displayName"`
	AvatarURL   string    `firestore:"avatarUrl"`
	UpdatedAt   time.Time `firestore:"updatedAt"`
}

// settingsDoc is profileSettings/{uid} (server-only).
type settingsDoc struct {
	Discoverable bool   `firestore:"discoverable"`
	LookupKey    string `firestore:"lookupKey"`
}

// lookupDoc is userLookup/{key} (server-only).
type lookupDoc struct {
	UID string `firestore:"uid"`
}

// FirestoreStore implements Store.
type FirestoreStore struct {
	Client *firestore.Client
}

var _ Store = (*FirestoreStore)(nil)

func (s *FirestoreStore) profileRef(uid string) *firestore.DocumentRef {
	return s.Client.Collection(schema.Profiles).Doc(uid)
}

func (s *FirestoreStore) settingsRef(uid string) *firestore.DocumentRef {
	return s.Client.Collection(schema.ProfileSettings).Doc(uid)
}

func (s *FirestoreStore) lookupRef(key string) *firestore.DocumentRef {
	return s.Client.Collection(schema.UserLookup).Doc(key)
}

// Put implements Store. An old lookup entry (another address, or
// discoverability switched off) is removed if it still names this user.
// users/{uid} is read in the same transaction and a user it records as
// banned (a ban, or an account deletion pending or done) is refused with
// ErrBanned: a request that passed the token checks before a deletion
// revoked the token cannot commit after the deletion erased the profile
// and so bring it (or the lookup entry) back.
func (s *FirestoreStore) Put(ctx context.Context, p PutParams) error {
	return s.Client.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		if banned, err := userstate.BannedInTx(tx, s.Client, p.UID); err != nil {
			return err
		} else if banned {
			return ErrBanned
		}
		snap, err := tx.Get(s.settingsRef(p.UID))
		if err != nil && status.Code(err) != codes.NotFound {
			return err
		}
		var old settingsDoc
		if snap.Exists() {
			if err := snap.DataTo(&old); err != nil {
				return err
			}
		}
		var dropOld *firestore.DocumentRef
		if old.LookupKey != "" && old.LookupKey != p.LookupKey {
			ls, err := tx.Get(s.lookupRef(old.LookupKey))
			if err != nil && status.Code(err) != codes.NotFound {
				return err
			}
			var d lookupDoc
			if ls.Exists() && ls.DataTo(&d) == nil && d.UID == p.UID {
				dropOld = ls.Ref
			}
		}
		pr := p.Profile
		if err := tx.Set(s.profileRef(p.UID), profileDoc{DisplayName: pr.DisplayName, AvatarURL: pr.AvatarURL, UpdatedAt: pr.UpdatedAt}); err != nil {
			return err
		}
		if err := tx.Set(s.settingsRef(p.UID), settingsDoc{Discoverable: pr.Discoverable, LookupKey: p.LookupKey}); err != nil {
			return err
		}
		if dropOld != nil {
			if err := tx.Delete(dropOld); err != nil {
				return err
			}
		}
		if p.LookupKey != "" {
			return tx.Set(s.lookupRef(p.LookupKey), lookupDoc{UID: p.UID})
		}
		return nil
	})
}

// Get implements Store.
func (s *FirestoreStore) Get(ctx context.Context, uid string) (Profile, error) {
	snaps, err := s.Client.GetAll(ctx, []*firestore.DocumentRef{s.profileRef(uid), s.settingsRef(uid)})
	if err != nil {
		return Profile{}, err
	}
	if !snaps[0].Exists() {
		return Profile{}, ErrNotFound
	}
	var d profileDoc
	if err := snaps[0].DataTo(&d); err != nil {
		return Profile{}, err
	}
	var st settingsDoc
	if snaps[1].Exists() {
		if err := snaps[1].DataTo(&st); err != nil {
			return Profile{}, err
		}
	}
	return Profile{DisplayName: d.DisplayName, AvatarURL: d.AvatarURL, Discoverable: st.Discoverable, UpdatedAt: d.UpdatedAt.UTC()}, nil
}

// LookupUID implements Store: one GetAll of one document, which answers
// a missing document without an error, so both outcomes cost the same
// call.
func (s *FirestoreStore) LookupUID(ctx context.Context, key string) (string, bool, error) {
	snaps, err := s.Client.GetAll(ctx, []*firestore.DocumentRef{s.lookupRef(key)})
	if err != nil {
		return "", false, err
	}
	if !snaps[0].Exists() {
		return "", false, nil
	}
	var d lookupDoc
	if err := snaps[0].DataTo(&d); err != nil {
		return "", false, err
	}
	return d.UID, d.UID != "", nil
}
