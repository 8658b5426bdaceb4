// Package userstate reads, inside a Firestore transaction, what
// users/{uid} records about a user that other stores must honour: whether
// the user is banned (a ban, or an account deletion pending or done,
// whose tombstone keeps banned). Every store that must refuse a banned
// user in the same transaction as its write (profiles, push devices)
// reads it here, so the reading cannot drift between them.
package userstate

import (
	"cloud.google.com/go/firestore"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/roomgate/roomgate/internal/schema"
)

// BannedInTx reads users/{uid} in tx and reports whether it records the
// user as banned. A missing document is a user roomgate never recorded a
// change for: not banned. Reading in tx means a ban or deletion that
// commits meanwhile makes the caller's transaction retry and see it.
func BannedInTx(tx *firestore.Transaction, client *firestore.Client, uid string) (bool, error) {
	snap, err := tx.Get(client.Collection(schema.Users).Doc(uid))
	if status.Code(err) == codes.NotFound {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return schema.UserBanned(snap.Data()), nil
}
