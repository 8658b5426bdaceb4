// Package audit appends audit records to the server-only audit collection.
//
// Every change of membership, role, ban or claims gets a record (actor,
// target, action, request ID, time), written inside the same Firestore
// transaction as the change it describes, so a change never lands without
// its record and a record never describes a change that was rolled back. Clients cannot read or write the collection
// (default deny in firestore.rules).
package audit

import (
	"time"

	"cloud.google.com/go/firestore"

	"github.com/roomgate/roomgate/internal/schema"
)

// Collection is the server-only collection audit records go to.
const Collection = schema.Audit

// Action names what happened. They are stable strings: log pipelines and
// dashboards filter on them.
type Action string

// The audited actions.
const (
	RoomCreated    Action = "room.created"
	RoomDeleted    Action = "room.deleted"
	MembersAdded   Action = "room.members_added"
	MemberRemoved  Action = "room.member_removed"
	MemberLeft     Action = "room.member_left"
	OwnerChanged   Action = "room.owner_changed"
	ClaimsAdmitted Action = "claims.chat_granted"
	RoleSet        Action = "claims.role_set"
	UserBanned     Action = "user.banned"
	UserUnbanned   Action = "user.unbanned"
	// UserRestored: an admin lifted a deleted account's tombstone,
	// keeping a ban from before the deletion.
	UserRestored Action = "user.restored"
	// UserDeleted: an account deletion was recorded (details.by is
	// "self" or "admin"); the record outlives the account.
	UserDeleted     Action = "user.deleted"
	InviteCreated   Action = "room.invite_created"
	InviteRevoked   Action = "room.invite_revoked"
	InviteAccepted  Action = "room.invite_accepted"
	TitleChanged    Action = "room.title_changed"
	SlowModeChanged Action = "room.slow_mode_changed"
	PreviewChanged  Action = "room.push_preview_changed"
	RoleChanged     Action = "room.role_changed"
	MessageReport   Action = "message.reported"
)

// Record is one audit entry. Field names are the stored document's.
type Record struct {
	// Actor is the uid who caused the change, or "cli:<name>" for the admin
	// subcommand.
	Actor string `firestore:"actor"`
	// Target is what the change was about: a room ID or a uid.
	Target string `firestore:"target"`
	Action Action `firestore:"action"`
	// RequestID ties the record to the HTTP request (X-Request-Id).
	RequestID string    `firestore:"requestId"`
	Time      time.Time `firestore:"time"`
	// Details holds action-specific fields (uids added, new role, ...).
	Details map[string]any `firestore:"details,omitempty"`
}

// Write adds rec to the audit collection as part of tx, under a fresh
// auto-generated ID.
func Write(tx *firestore.Transaction, client *firestore.Client, rec Record) error {
	return tx.Create(client.Collection(Collection).NewDoc(), rec)
}
