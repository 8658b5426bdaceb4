package devstack

// userfirestore.go connects to the Firestore emulator the way a mobile
// client does: as one end user, with that user's Firebase ID token on every
// RPC, never with the emulator's admin ("owner") credentials.

import (
	"context"
	"fmt"
	"strings"

	"cloud.google.com/go/firestore"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// idTokenCreds sends "Authorization: Bearer <ID token>" on every RPC, as
// the Firebase client SDKs do. Transport security is not required because
// the emulator speaks plaintext on loopback.
type idTokenCreds string

func (t idTokenCreds) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + string(t)}, nil
}

func (idTokenCreds) RequireTransportSecurity() bool { return false }

// userFirestore is a Go Firestore client acting as one user.
type userFirestore struct {
	*firestore.Client
	conn *grpc.ClientConn
}

// dialAs opens a Firestore client for project at addr that authenticates
// as the holder of idToken. The gRPC connection is our own, so the admin
// credentials the Go client attaches when FIRESTORE_EMULATOR_HOST is set
// never reach this client.
func dialAs(ctx context.Context, addr, project, idToken string) (*userFirestore, error) {
	addr = strings.TrimPrefix(strings.TrimPrefix(addr, "http://"), "https://")
	conn, err := grpc.NewClient("passthrough:///"+addr,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithPerRPCCredentials(idTokenCreds(idToken)))
	if err != nil {
		return nil, fmt.Errorf("dial Firestore at %s: %w", addr, err)
	}
	c, err := firestore.NewClient(ctx, project, option.WithGRPCConn(conn))
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("new Firestore client: %w", err)
	}
	return &userFirestore{Client: c, conn: conn}, nil
}

// Close closes the client and its connection.
func (u *userFirestore) Close() {
	u.Client.Close()
	u.conn.Close()
}
