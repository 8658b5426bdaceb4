package userstate_test

import (
	"context"
	"testing"

	"cloud.google.com/go/firestore"

	"github.com/roomgate/roomgate/emulator/emutest"
	"github.com/roomgate/roomgate/emulator/emutest/emuclient"
	"github.com/roomgate/roomgate/internal/userstate"
)

// TestBannedInTx: a users/{uid} document with banned true (a ban, or an
// account tombstone) is banned; banned false, no banned field, or no
// document at all is not.
func TestBannedInTx(t *testing.T) {
	emu := emutest.Start(t, emutest.Quiet())
	fs := emuclient.AdminClient(t, emu.FirestoreAddr, emu.ProjectID)
	ctx := context.Background()
	docs := map[string]map[string]any{
		"banned":    {"banned": true, "chat": false},
		"tombstone": {"banned": true, "deleted": true, "chat": false, "role": ""},
		"unbanned":  {"banned": false, "chat": true},
		"plain":     {"chat": true},
	}
	for uid, data := range docs {
		if _, err := fs.Collection("users").Doc(uid).Set(ctx, data); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]bool{"banned": true, "tombstone": true, "unbanned": false, "plain": false, "missing": false}
	for uid, w := range want {
		var got bool
		err := fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
			var err error
			got, err = userstate.BannedInTx(tx, fs, uid)
			return err
		})
		if err != nil {
			t.Fatalf("%s: %v", uid, err)
		}
		if got != w {
			t.Errorf("BannedInTx(%s) = %v, want %v", uid, got, w)
		}
	}
}
