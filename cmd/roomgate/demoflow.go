package main

// demoflow.go is the walk-through itself, step by step.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"cloud.google.com/go/firestore"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// demo holds the state of one run.
type demo struct {
	o    demoOptions
	n    *narrator
	tgt  demoTarget
	auth *authClient
	api  *apiClient

	alice, bob, carol *demoUser
	roomID            string
	clients           []*userFirestore
	bobListener       *listener

	// The measured numbers of this run.
	writeCall       time.Duration // alice's Create call, request to acknowledgement
	writeToDelivery time.Duration // alice's write started -> bob's listener has it
	removalCall     time.Duration // DELETE member, request to response
	removalToDenial time.Duration // removal response -> bob's listener denied (negative: before it)
	sentToDenial    time.Duration // removal request sent -> bob's listener denied
}

func (d *demo) close() {
	if d.bobListener != nil {
		d.bobListener.Stop()
	}
	for _, c := range d.clients {
		c.Close()
	}
}

func (d *demo) run(ctx context.Context) error {
	steps := []func(context.Context) error{
		d.signIn, d.admit, d.createRoom, d.connect, d.sendMessage, d.outsider, d.removeBob,
	}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return err
		}
	}
	d.summary()
	return nil
}

// signIn signs up three users and signs each in with email and password,
// as a mobile app does. The emails carry a random suffix so the demo can
// run again against the same emulator.
func (d *demo) signIn(ctx context.Context) error {
	d.n.begin("alice, bob and carol sign up and sign in (Auth emulator: accounts:signUp, accounts:signInWithPassword)")
	var b [3]byte
	rand.Read(b[:])
	sfx := hex.EncodeToString(b[:])
	mk := func(name string) *demoUser {
		return &demoUser{Name: name, Email: name + "-" + sfx + "@example.com", Password: "demo-" + sfx}
	}
	d.alice, d.bob, d.carol = mk("alice"), mk("bob"), mk("carol")
	for _, u := range []*demoUser{d.alice, d.bob, d.carol} {
		if err := d.auth.signUp(ctx, u); err != nil {
			return err
		}
		uid := u.UID
		if err := d.auth.signIn(ctx, u); err != nil {
			return err
		}
		if u.UID != uid {
			return fmt.Errorf("%s signed in as %s, not the uid %s the sign-up created", u.Name, u.UID, uid)
		}
		d.n.detail("%-5s %-28s uid %s", u.Name, u.Email, u.UID)
	}
	return nil
}

// admit has the service admit each user, then refreshes their ID tokens.
func (d *demo) admit(ctx context.Context) error {
	d.n.begin("the service admits them (POST /v1/me/claims); each refreshes its ID token to pick up the claim")
	for _, u := range []*demoUser{d.alice, d.bob, d.carol} {
		before, _ := tokenClaims(u.IDToken)
		r, err := admit(ctx, d.api, d.auth, u)
		if err != nil {
			return err
		}
		cj, _ := json.Marshal(r.Claims)
		d.n.detail("%-5s claims %s (claimsVersion %d); ID token chat=%v before the refresh, chat=true after",
			u.Name, cj, r.ClaimsVersion, before["chat"] == true)
	}
	return nil
}

// createRoom has alice create a room with bob through the service.
func (d *demo) createRoom(ctx context.Context) error {
	d.n.begin("alice creates a room with bob through the service (POST /v1/rooms)")
	var room roomResponse
	body := map[string]any{"members": []string{d.bob.UID}, "title": "demo chat", "kind": "group"}
	st, err := d.api.call(ctx, http.MethodPost, "/v1/rooms", d.alice.IDToken, body, &room)
	if err != nil {
		return fmt.Errorf("create room: %w", err)
	}
	roles := map[string]string{}
	for _, m := range room.Members {
		roles[m.UID] = m.Role
	}
	if st != http.StatusCreated || room.ID == "" || room.MemberCount != 2 ||
		roles[d.alice.UID] != "owner" || roles[d.bob.UID] != "member" {
		return fmt.Errorf("create room: got status %d, room %+v; want 201 with alice owner and bob member", st, room)
	}
	d.roomID = room.ID
	d.n.detail("%d Created: room %s (random, %d characters): alice owner, bob member", st, room.ID, len(room.ID))
	return nil
}

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

// denied checks that err is PERMISSION_DENIED and describes it.
func denied(what string, err error) (string, error) {
	if err == nil {
		return "", fmt.Errorf("%s was ALLOWED; the rules must deny it", what)
	}
	if status.Code(err) != codes.PermissionDenied {
		return "", fmt.Errorf("%s failed with %v, not PERMISSION_DENIED", what, err)
	}
	// The emulator's message starts on a new line, as Google's does;
	// one line reads better in the narration.
	return "PERMISSION_DENIED: " + strings.Join(strings.Fields(status.Convert(err).Message()), " "), nil
}

// outsider has carol, admitted but not a member, try the room whose ID she
// somehow learned: directly in Firestore and through the service.
func (d *demo) outsider(ctx context.Context) error {
	d.n.begin("carol (admitted, not a member) knows the room ID and tries it")
	carol := d.clients[2]
	tries := []struct {
		what string
		do   func() error
	}{
		{"read the room document", func() error {
			_, err := carol.Collection("rooms").Doc(d.roomID).Get(ctx)
			return err
		}},
		{"list its messages", func() error {
			_, err := d.messages(carol).Documents(ctx).GetAll()
			return err
		}},
		{"post a message", func() error {
			_, _, err := d.messages(carol).Add(ctx, map[string]any{
				"senderId": d.carol.UID, "text": "let me in", "createdAt": firestore.ServerTimestamp,
			})
			return err
		}},
	}
	for _, t := range tries {
		msg, err := denied("carol's attempt to "+t.what, t.do())
		if err != nil {
			return err
		}
		d.n.detail("%-24s -> %s", t.what, msg)
	}
	_, err := d.api.call(ctx, http.MethodGet, "/v1/rooms/"+d.roomID, d.carol.IDToken, nil, nil)
	var ae *apiError
	if !errors.As(err, &ae) || ae.Status != http.StatusNotFound {
		return fmt.Errorf("carol's GET /v1/rooms/%s: got %v, want 404 (as for a room that does not exist)", d.roomID, err)
	}
	d.n.detail("%-24s -> %s (the same answer as for a room that does not exist)", "GET /v1/rooms/{id}", ae)
	return nil
}

// removeBob has alice remove bob through the service and waits for bob's
// open listener to be cut off, timing it from the removal.
func (d *demo) removeBob(ctx context.Context) error {
	d.n.begin("alice (owner) removes bob through the service; bob's open listener is cut off")
	path := "/v1/rooms/" + d.roomID + "/members/" + d.bob.UID
	sent := time.Now()
	_, err := d.api.call(ctx, http.MethodDelete, path, d.alice.IDToken, nil, nil)
	returned := time.Now()
	if err != nil {
		return fmt.Errorf("DELETE %s: %w", path, err)
	}
	d.removalCall = returned.Sub(sent)
	d.n.detail("DELETE /v1/rooms/{id}/members/{bob} -> 200 in %s", ms(d.removalCall))
	deadline := time.Now().Add(d.o.StepTimeout)
	for {
		ev, err := d.bobListener.next(time.Until(deadline))
		if err != nil {
			return fmt.Errorf("bob's listener was not cut off: %w", err)
		}
		if ev.Err == nil {
			continue // a snapshot still in flight from before the removal
		}
		msg, err := denied("bob's listener after his removal", ev.Err)
		if err != nil {
			return err
		}
		d.removalToDenial, d.sentToDenial = ev.At.Sub(returned), ev.At.Sub(sent)
		d.n.detail("bob's listener ended with %s", msg)
		break
	}
	_, _, err = d.messages(d.clients[1]).Add(ctx, map[string]any{
		"senderId": d.bob.UID, "text": "am I still here?", "createdAt": firestore.ServerTimestamp,
	})
	msg, err := denied("bob's post after his removal", err)
	if err != nil {
		return err
	}
	d.n.detail("bob posts again with the same token (still chat=true) -> %s", msg)
	return nil
}

// summary prints this run's measurements.
func (d *demo) summary() {
	row := func(label, value string) { d.n.say("  %-48s %s", label, value) }
	d.n.say("\nMeasured in this run:")
	row("alice's write, sent -> acknowledged", ms(d.writeCall))
	row("alice's write, sent -> in bob's listener", ms(d.writeToDelivery))
	row("removal call (DELETE member), sent -> answered", ms(d.removalCall))
	row("removal request sent -> bob's listener denied", ms(d.sentToDenial))
	if d.removalToDenial >= 0 {
		row("removal call returned -> bob's listener denied", ms(d.removalToDenial))
	} else {
		// The member document is deleted inside the service's
		// transaction, so the listener can lose access before the
		// HTTP answer reaches the caller.
		row("removal call returned -> bob's listener denied", "already denied, "+ms(-d.removalToDenial)+" before the answer arrived")
	}
	d.n.say("\nOK: every step behaved as the design says.")
}
