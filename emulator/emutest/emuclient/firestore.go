package emuclient

import (
	"context"
	"errors"
	"testing"

	"cloud.google.com/go/firestore"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// Dial opens a plaintext gRPC connection to the Firestore emulator at addr
// (host:port) sending creds on every call; opts add dial options
// (interceptors, say). The caller closes the connection.
func Dial(addr string, creds Credentials, opts ...grpc.DialOption) (*grpc.ClientConn, error) {
	return grpc.NewClient(addr, append([]grpc.DialOption{
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithPerRPCCredentials(creds),
	}, opts...)...)
}

// NewClient returns a real Go Firestore client for projectID on its own
// connection to the emulator at addr, sending token as the bearer ("" for
// an unauthenticated client, OwnerToken for the owner). The connection is
// the client's own, so the owner credentials the Go client adds when
// FIRESTORE_EMULATOR_HOST is set never reach a user's client. closeAll
// closes the client and its connection.
func NewClient(ctx context.Context, addr, projectID, token string, opts ...grpc.DialOption) (c *firestore.Client, closeAll func() error, err error) {
	conn, err := Dial(addr, Credentials{Token: token}, opts...)
	if err != nil {
		return nil, nil, err
	}
	c, err = firestore.NewClient(ctx, projectID, option.WithGRPCConn(conn))
	if err != nil {
		conn.Close()
		return nil, nil, err
	}
	return c, func() error { return errors.Join(c.Close(), conn.Close()) }, nil
}

// UserClient is NewClient for a test: a Firestore client acting under the
// security rules as the holder of token (see IDToken; "" is an
// unauthenticated client), closed by t.Cleanup. An error fails the test.
func UserClient(t testing.TB, addr, projectID, token string, opts ...grpc.DialOption) *firestore.Client {
	t.Helper()
	c, closeAll, err := NewClient(context.Background(), addr, projectID, token, opts...)
	if err != nil {
		t.Fatalf("emuclient: Firestore client for %s: %v", addr, err)
	}
	t.Cleanup(func() { closeAll() })
	return c
}

// AdminClient is UserClient for the owner: rules are skipped, as for the
// Admin SDK.
func AdminClient(t testing.TB, addr, projectID string, opts ...grpc.DialOption) *firestore.Client {
	t.Helper()
	return UserClient(t, addr, projectID, OwnerToken, opts...)
}
