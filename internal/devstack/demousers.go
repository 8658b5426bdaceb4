package devstack

// demousers.go: the steps that sign the users in, admit them and create
// the room, all through the Auth emulator's and the service's APIs.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
)

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
