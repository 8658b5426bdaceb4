package devstack

// userfirestore.go connects to the Firestore emulator the way a mobile
// client does: as one end user, with that user's Firebase ID token on every
// RPC, never with the emulator's admin ("owner") credentials.

import (
	"context"
	"fmt"

	"cloud.google.com/go/firestore"

	"github.com/roomgate/roomgate/emulator/emutest/emuclient"
)

// userFirestore is a Go Firestore client acting as one user.
type userFirestore struct {
	*firestore.Client
	closeAll func() error
}

// dialAs opens a Firestore client for project at addr that authenticates
// as the holder of idToken, on a gRPC connection of its own
// (emuclient.NewClient), so the admin credentials the Go client attaches
// when FIRESTORE_EMULATOR_HOST is set never reach it.
func dialAs(ctx context.Context, addr, project, idToken string) (*userFirestore, error) {
	c, closeAll, err := emuclient.NewClient(ctx, hostPort(addr), project, idToken)
	if err != nil {
		return nil, fmt.Errorf("Firestore client at %s: %w", addr, err)
	}
	return &userFirestore{Client: c, closeAll: closeAll}, nil
}

// Close closes the client and its connection.
func (u *userFirestore) Close() { u.closeAll() }
