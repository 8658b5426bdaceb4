package rooms

import (
	"context"

	"firebase.google.com/go/v4/auth"

	"github.com/roomgate/roomgate/internal/schema"
)

// UserGetter is the part of *auth.Client the Firebase directory uses.
type UserGetter interface {
	GetUsers(ctx context.Context, ids []auth.UserIdentifier) (*auth.GetUsersResult, error)
}

// FirebaseDirectory looks members up in Firebase Auth.
type FirebaseDirectory struct {
	Auth UserGetter
}

var _ Directory = (*FirebaseDirectory)(nil)

// getUsersBatch is the Admin SDK's limit on identifiers per GetUsers call.
const getUsersBatch = 100

// Unavailable implements Directory: a uid is unavailable if Auth does not
// know it, its account is disabled, or its custom claims say banned.
func (d *FirebaseDirectory) Unavailable(ctx context.Context, uids []string) ([]string, error) {
	ok := make(map[string]bool, len(uids))
	for start := 0; start < len(uids); start += getUsersBatch {
		end := min(start+getUsersBatch, len(uids))
		ids := make([]auth.UserIdentifier, 0, end-start)
		for _, u := range uids[start:end] {
			ids = append(ids, auth.UIDIdentifier{UID: u})
		}
		res, err := d.Auth.GetUsers(ctx, ids)
		if err != nil {
			return nil, err
		}
		for _, u := range res.Users {
			banned, _ := u.CustomClaims[schema.ClaimBanned].(bool)
			ok[u.UID] = !u.Disabled && !banned
		}
	}
	var bad []string
	for _, u := range uids {
		if !ok[u] {
			bad = append(bad, u)
		}
	}
	return bad, nil
}
