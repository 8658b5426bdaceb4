package push

import (
	"context"
	"errors"
	"time"

	"cloud.google.com/go/firestore"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// ErrInProgress means another instance holds the message's claim and its
// lease has not run out: the caller should let the event be retried
// (Eventarc redelivers on a 5xx), not send.
var ErrInProgress = errors.New("push: message is being pushed by another instance")

// errDone means the message was already pushed.
var errDone = errors.New("push: already pushed")

const (
	stateSending = "sending"
	stateSent    = "sent"
)

// claim takes the message's delivery record: created if absent (the
// normal case), or taken over when a previous claimant's lease ran out
// without finishing (it crashed). A finished record means errDone; a live
// lease means ErrInProgress.
//
// The record is pushDeliveries/{roomId}_{messageId} (room IDs are 22
// alphanumerics, so the ID is unambiguous), with expiresAt for a TTL
// policy.
func (n *Notifier) claim(ctx context.Context, roomID, messageID string) (*firestore.DocumentRef, error) {
	ref := n.Client.Collection(DeliveriesCollection).Doc(roomID + "_" + messageID)
	now := n.now()
	rec := map[string]any{
		"roomId":     roomID,
		"messageId":  messageID,
		"state":      stateSending,
		"leaseUntil": now.Add(n.lease()),
		"expiresAt":  now.Add(n.recordTTL()),
	}
	_, err := ref.Create(ctx, rec)
	if err == nil {
		return ref, nil
	}
	if status.Code(err) != codes.AlreadyExists {
		return nil, err
	}
	snap, err := ref.Get(ctx)
	if err != nil {
		return nil, err
	}
	if s, _ := snap.Data()["state"].(string); s == stateSent {
		return nil, errDone
	}
	if until, ok := snap.Data()["leaseUntil"].(time.Time); ok && now.Before(until) {
		return nil, ErrInProgress
	}
	// Take over an expired lease, only if nobody else did meanwhile (the
	// record must be unchanged since we read it). Devices the crashed
	// claimant already reached may get this push twice: at-least-once is
	// the safer failure than a silent loss.
	_, err = ref.Update(ctx, []firestore.Update{
		{Path: "state", Value: stateSending},
		{Path: "leaseUntil", Value: now.Add(n.lease())},
	}, firestore.LastUpdateTime(snap.UpdateTime))
	if status.Code(err) == codes.FailedPrecondition {
		return nil, ErrInProgress
	}
	if err != nil {
		return nil, err
	}
	return ref, nil
}

// finish marks the message pushed.
func (n *Notifier) finish(ctx context.Context, ref *firestore.DocumentRef, sent, failed int) error {
	_, err := ref.Update(ctx, []firestore.Update{
		{Path: "state", Value: stateSent},
		{Path: "sent", Value: sent},
		{Path: "failed", Value: failed},
		{Path: "finishedAt", Value: firestore.ServerTimestamp},
	})
	return err
}
