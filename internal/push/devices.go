package push

import (
	"context"
	"errors"
	"fmt"

	"cloud.google.com/go/firestore"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/roomgate/roomgate/internal/userstate"
)

// Collection names. All of them are server-only: firestore.rules matches
// none of them, so every client read and write is denied.
const (
	UsersCollection      = "users"
	DevicesCollection    = "devices"
	RoomsCollection      = "rooms"
	MembersCollection    = "members"
	MessagesCollection   = "messages"
	MutesCollection      = "pushMutes"
	DeliveriesCollection = "pushDeliveries"
)

// DefaultMaxDevices is the per-user device cap when none is configured.
const DefaultMaxDevices = 10

// Errors the handlers map to problem codes.
var (
	ErrInvalidInstallationID = errors.New("push: invalid installation ID")
	ErrInvalidToken          = errors.New("push: invalid registration token")
	ErrInvalidPlatform       = errors.New("push: invalid platform")
	ErrDeviceCap             = errors.New("push: device cap reached")
	ErrNotMember             = errors.New("push: not a member of the room")
	// ErrBanned: users/{uid} records the user as banned, or as an
	// account being (or having been) deleted: no device is registered.
	ErrBanned = errors.New("push: user is banned")
)

// Device is one registration as the API receives it.
type Device struct {
	Token    string
	Platform string // "", "android", "ios" or "web"
}

// Devices stores registration tokens in Firestore.
type Devices struct {
	Client *firestore.Client
	// Max caps the devices of one user (DefaultMaxDevices if 0).
	Max int
}

func (d *Devices) col(uid string) *firestore.CollectionRef {
	return d.Client.Collection(UsersCollection).Doc(uid).Collection(DevicesCollection)
}

func (d *Devices) max() int {
	if d.Max > 0 {
		return d.Max
	}
	return DefaultMaxDevices
}

// Put registers (or refreshes) uid's device installationID. A new
// installation beyond the cap is refused (ErrDeviceCap); re-registering an
// existing one always succeeds. A user whom users/{uid} records as banned
// (a ban, or an account deletion pending or done) is refused (ErrBanned),
// read in the transaction, so a token minted before the ban, or a new
// sign-in during an unfinished deletion, registers nothing that the ban's
// device duty could miss. The same token registered anywhere else
// (another installation, or another user signed in on the same phone) is
// removed, so a shared device never receives the previous user's pushes.
func (d *Devices) Put(ctx context.Context, uid, installationID string, dev Device) error {
	if err := ValidateDevice(installationID, dev); err != nil {
		return err
	}
	ref := d.col(uid).Doc(installationID)
	err := d.Client.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		if banned, err := userstate.BannedInTx(tx, d.Client, uid); err != nil {
			return err
		} else if banned {
			return ErrBanned
		}
		docs, err := tx.Documents(d.col(uid).Select()).GetAll()
		if err != nil {
			return err
		}
		exists := false
		for _, s := range docs {
			if s.Ref.ID == installationID {
				exists = true
			}
		}
		if !exists && len(docs) >= d.max() {
			return ErrDeviceCap
		}
		return tx.Set(ref, map[string]any{
			"uid":       uid,
			"token":     dev.Token,
			"platform":  dev.Platform,
			"updatedAt": firestore.ServerTimestamp,
		})
	})
	if err != nil {
		return err
	}
	// Outside the transaction: a collection-group query cannot run in one
	// on every backend, and a late duplicate is only removed by the next
	// registration or its first UNREGISTERED answer.
	dups, err := d.Client.CollectionGroup(DevicesCollection).Where("token", "==", dev.Token).Select().Documents(ctx).GetAll()
	if err != nil {
		return fmt.Errorf("push: find duplicate tokens: %w", err)
	}
	for _, s := range dups {
		if s.Ref.Path == ref.Path {
			continue
		}
		if _, err := s.Ref.Delete(ctx); err != nil && status.Code(err) != codes.NotFound {
			return fmt.Errorf("push: remove duplicate token: %w", err)
		}
	}
	return nil
}

// Delete unregisters uid's installationID; deleting one that does not
// exist succeeds (the call is idempotent).
func (d *Devices) Delete(ctx context.Context, uid, installationID string) error {
	if !ValidInstallationID(installationID) {
		return ErrInvalidInstallationID
	}
	_, err := d.col(uid).Doc(installationID).Delete(ctx)
	return err
}

// DropUser deletes every device of uid (a ban, an account deletion). It
// returns how many were deleted.
func (d *Devices) DropUser(ctx context.Context, uid string) (int, error) {
	docs, err := d.col(uid).Select().Documents(ctx).GetAll()
	if err != nil {
		return 0, err
	}
	for _, s := range docs {
		if _, err := s.Ref.Delete(ctx); err != nil && status.Code(err) != codes.NotFound {
			return 0, err
		}
	}
	return len(docs), nil
}

// target is one device a push goes to.
type target struct {
	uid   string
	token string
	ref   *firestore.DocumentRef
}

// inQueryMax is Firestore's limit on the values of one "in" filter.
const inQueryMax = 30

// targets returns the devices of uids, with a collection-group query per
// 30 users. Only documents at users/{uid}/devices/{id} whose uid field
// matches their path count.
func (d *Devices) targets(ctx context.Context, uids []string) ([]target, error) {
	var out []target
	for i := 0; i < len(uids); i += inQueryMax {
		chunk := uids[i:min(i+inQueryMax, len(uids))]
		docs, err := d.Client.CollectionGroup(DevicesCollection).Where("uid", "in", chunk).Select("uid", "token").Documents(ctx).GetAll()
		if err != nil {
			return nil, err
		}
		for _, s := range docs {
			uid, _ := s.Data()["uid"].(string)
			tok, _ := s.Data()["token"].(string)
			user := s.Ref.Parent.Parent
			if user == nil || user.Parent.ID != UsersCollection || user.Parent.Parent != nil || user.ID != uid || !ValidToken(tok) {
				continue
			}
			out = append(out, target{uid: uid, token: tok, ref: s.Ref})
		}
	}
	return out, nil
}

// Owners returns up to limit distinct uids that own devices, in uid
// order, starting after after ("" = from the first). Fewer than limit
// means the end was reached. Only documents at users/{uid}/devices/{id}
// whose uid field matches their path count. The device GC pages through
// them with it.
func (d *Devices) Owners(ctx context.Context, after string, limit int) ([]string, error) {
	if limit <= 0 {
		return nil, nil
	}
	var out []string
	cursor := after
	for len(out) < limit {
		q := d.Client.CollectionGroup(DevicesCollection).OrderBy("uid", firestore.Asc).Select("uid").Limit(limit)
		if cursor != "" {
			q = q.StartAfter(cursor)
		}
		docs, err := q.Documents(ctx).GetAll()
		if err != nil {
			return nil, err
		}
		prev := cursor
		for _, s := range docs {
			uid, _ := s.Data()["uid"].(string)
			cursor = max(cursor, uid)
			user := s.Ref.Parent.Parent
			if uid == "" || user == nil || user.Parent.ID != UsersCollection || user.Parent.Parent != nil || user.ID != uid {
				continue
			}
			if len(out) == 0 || out[len(out)-1] != uid {
				out = append(out, uid)
			}
			if len(out) == limit {
				break
			}
		}
		if len(docs) < limit || cursor == prev {
			break // the end, or no progress (only unusable documents)
		}
	}
	return out, nil
}
