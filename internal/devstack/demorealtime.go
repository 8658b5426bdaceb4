package devstack

// demorealtime.go: the steps that connect each user directly to Firestore
// and deliver a message to an open listener.

import (
	"context"
	"fmt"
	"time"

	"cloud.google.com/go/firestore"
)

func (d *demo) messages(c *userFirestore) *firestore.CollectionRef {
	return c.Collection("rooms").Doc(d.roomID).Collection("messages")
}

// connect opens a direct Firestore connection per user, shows that bob
// can read the room, and opens bob's real-time listener.
func (d *demo) connect(ctx context.Context) error {
	d.n.begin("alice, bob and carol connect directly to Firestore, each with their own ID token")
	for _, u := range []*demoUser{d.alice, d.bob, d.carol} {
		c, err := dialAs(ctx, d.tgt.FirestoreAddr, d.tgt.ProjectID, u.IDToken)
		if err != nil {
			return err
		}
		d.clients = append(d.clients, c)
	}
	bob := d.clients[1]
	snap, err := bob.Collection("rooms").Doc(d.roomID).Get(ctx)
	if err != nil {
		return fmt.Errorf("bob (a member) reading rooms/%s: %w", d.roomID, err)
	}
	d.n.detail("bob reads rooms/%s directly: title %q, memberCount %v", d.roomID, snap.Data()["title"], snap.Data()["memberCount"])

	q := d.messages(bob).OrderBy("createdAt", firestore.Asc)
	d.bobListener = listen(context.WithoutCancel(ctx), q)
	ev, err := d.bobListener.next(d.o.StepTimeout)
	if err != nil {
		return fmt.Errorf("bob's listener: %w", err)
	}
	if ev.Err != nil {
		return fmt.Errorf("bob's listener was refused: %w", ev.Err)
	}
	d.n.detail("bob opens a real-time listener on rooms/%s/messages ordered by createdAt: %d messages so far", d.roomID, len(ev.Messages))
	return nil
}

// sendMessage has alice write a message and waits for bob's listener to
// deliver it, timing both.
func (d *demo) sendMessage(ctx context.Context) error {
	d.n.begin("alice sends a message; bob's open listener receives it")
	alice := d.clients[0]
	text := "hi bob, this goes straight to Firestore"
	start := time.Now()
	ref, _, err := d.messages(alice).Add(ctx, map[string]any{
		"senderId": d.alice.UID, "text": text, "createdAt": firestore.ServerTimestamp,
	})
	acked := time.Now()
	if err != nil {
		return fmt.Errorf("alice's message was refused: %w", err)
	}
	d.writeCall = acked.Sub(start)
	d.lastMessageID, d.lastText = ref.ID, text
	d.n.detail("alice wrote messages/%s (createdAt = server time); the write was acknowledged in %s", ref.ID, ms(d.writeCall))
	deadline := time.Now().Add(d.o.StepTimeout)
	for {
		ev, err := d.bobListener.next(time.Until(deadline))
		if err != nil {
			return fmt.Errorf("bob never received alice's message: %w", err)
		}
		if ev.Err != nil {
			return fmt.Errorf("bob's listener failed: %w", ev.Err)
		}
		for _, m := range ev.Messages {
			if m.ID != ref.ID {
				continue
			}
			if m.SenderID != d.alice.UID || m.Text != text || m.CreatedAt.IsZero() {
				return fmt.Errorf("bob received %+v, not alice's message", m)
			}
			d.writeToDelivery = ev.At.Sub(start)
			d.n.detail("bob received %q from alice (createdAt %s), %s after alice's write began",
				m.Text, m.CreatedAt.UTC().Format(time.RFC3339Nano), ms(d.writeToDelivery))
			return nil
		}
	}
}
