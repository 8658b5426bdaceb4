package push

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"cloud.google.com/go/firestore"
	"firebase.google.com/go/v4/messaging"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/roomgate/roomgate/internal/roomid"
)

// Sender sends FCM messages; *messaging.Client implements it.
type Sender interface {
	SendEach(ctx context.Context, messages []*messaging.Message) (*messaging.BatchResponse, error)
}

// sendEachMax is FCM's limit of messages per SendEach call.
const sendEachMax = 500

// Notifier fans a new message out to the other members' devices.
type Notifier struct {
	Client  *firestore.Client
	Devices *Devices
	Mutes   *Mutes
	Sender  Sender
	Metrics *Metrics
	Logger  *slog.Logger
	// Lease is how long a claim blocks other instances before it may be
	// taken over (default 2 minutes); RecordTTL is the delivery record's
	// expiresAt (default 7 days).
	Lease, RecordTTL time.Duration
	// Now is the clock (time.Now if nil).
	Now func() time.Time
}

func (n *Notifier) now() time.Time {
	if n.Now != nil {
		return n.Now()
	}
	return time.Now()
}

func (n *Notifier) lease() time.Duration {
	if n.Lease > 0 {
		return n.Lease
	}
	return 2 * time.Minute
}

func (n *Notifier) recordTTL() time.Duration {
	if n.RecordTTL > 0 {
		return n.RecordTTL
	}
	return 7 * 24 * time.Hour
}

func (n *Notifier) log() *slog.Logger {
	if n.Logger != nil {
		return n.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// Outcome is what one Notify did.
type Outcome struct {
	// Deduped: the message had been pushed already; nothing was sent.
	Deduped bool
	// Skipped: nothing to push (malformed IDs, message or room gone).
	Skipped bool
	// Sent, Failed and Stale count devices.
	Sent, Failed, Stale int
}

// Notify pushes message messageID of room roomID to every member but its
// sender who has not muted the room, once: a second call for the same
// message (a redelivered event, another instance) is Deduped, and a call
// while another instance is pushing it returns ErrInProgress.
func (n *Notifier) Notify(ctx context.Context, roomID, messageID string) (Outcome, error) {
	if !roomid.Valid(roomID) || !ValidMessageID(messageID) {
		n.log().Warn("push: ignoring a message with a malformed path", "roomId", roomID, "messageId", messageID)
		return Outcome{Skipped: true}, nil
	}
	ref, err := n.claim(ctx, roomID, messageID)
	if errors.Is(err, errDone) {
		n.Metrics.Deduped.Inc()
		return Outcome{Deduped: true}, nil
	}
	if err != nil {
		return Outcome{}, err
	}
	out, err := n.fanOut(ctx, roomID, messageID)
	if err != nil {
		// The claim stays "sending": a redelivery takes it over once
		// the lease has run out.
		return out, err
	}
	if err := n.finish(ctx, ref, out.Sent, out.Failed); err != nil {
		return out, fmt.Errorf("push: record delivery: %w", err)
	}
	return out, nil
}

// fanOut does the reads and sends of one message.
func (n *Notifier) fanOut(ctx context.Context, roomID, messageID string) (Outcome, error) {
	room := n.Client.Collection(RoomsCollection).Doc(roomID)
	snaps, err := n.Client.GetAll(ctx, []*firestore.DocumentRef{room.Collection(MessagesCollection).Doc(messageID), room})
	if err != nil {
		return Outcome{}, err
	}
	msg, rm := snaps[0], snaps[1]
	if !msg.Exists() || !rm.Exists() {
		return Outcome{Skipped: true}, nil
	}
	sender, _ := msg.Data()["senderId"].(string)
	var preview Preview
	if on, _ := rm.Data()["pushPreview"].(bool); on {
		preview.Enabled = true
		preview.Title, _ = rm.Data()["title"].(string)
		preview.Text, _ = msg.Data()["text"].(string)
	}
	members, err := room.Collection(MembersCollection).Select().Documents(ctx).GetAll()
	if err != nil {
		return Outcome{}, err
	}
	muted, err := n.Mutes.muted(ctx, roomID)
	if err != nil {
		return Outcome{}, err
	}
	uids := make([]string, 0, len(members))
	for _, m := range members {
		if id := m.Ref.ID; id != sender && !muted[id] {
			uids = append(uids, id)
		}
	}
	if len(uids) == 0 {
		return Outcome{}, nil
	}
	targets, err := n.Devices.targets(ctx, uids)
	if err != nil {
		return Outcome{}, err
	}
	return n.send(ctx, roomID, messageID, preview, targets), nil
}

// send sends one message per target and deletes tokens FCM calls
// UNREGISTERED.
func (n *Notifier) send(ctx context.Context, roomID, messageID string, p Preview, targets []target) Outcome {
	var out Outcome
	for i := 0; i < len(targets); i += sendEachMax {
		chunk := targets[i:min(i+sendEachMax, len(targets))]
		msgs := make([]*messaging.Message, len(chunk))
		for j, t := range chunk {
			msgs[j] = buildMessage(t.token, roomID, messageID, p)
		}
		resp, err := n.Sender.SendEach(ctx, msgs)
		if err != nil {
			n.log().Error("push: send", "roomId", roomID, "messageId", messageID, "err", err)
			out.Failed += len(chunk)
			n.Metrics.Failed.Add(float64(len(chunk)))
			continue
		}
		for j, r := range resp.Responses {
			if r.Success {
				out.Sent++
				n.Metrics.Sent.Inc()
				continue
			}
			out.Failed++
			n.Metrics.Failed.Inc()
			if messaging.IsUnregistered(r.Error) {
				out.Stale++
				n.Metrics.Stale.Inc()
				if _, err := chunk[j].ref.Delete(ctx); err != nil && status.Code(err) != codes.NotFound {
					n.log().Warn("push: delete stale token", "uid", chunk[j].uid, "err", err)
				}
				continue
			}
			n.log().Warn("push: FCM refused a message", "roomId", roomID, "uid", chunk[j].uid, "err", r.Error)
		}
	}
	return out
}
