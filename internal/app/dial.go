package app

import (
	"context"
	"fmt"
	"math"
	"time"

	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/credentials/insecure"
)

// reconnect bounds how long the Firestore connection waits between
// attempts to reconnect once the backend is gone. gRPC's default backs off
// to two minutes, so after an outage traffic came back 6–22 s after
// Firestore did; capped at one second it comes back within about two
// (one reconnect plus the dependency watch's next probe, see
// internal/api/depwatch.go).
var reconnect = grpc.WithConnectParams(grpc.ConnectParams{
	Backoff:           backoff.Config{BaseDelay: 100 * time.Millisecond, Multiplier: 1.6, Jitter: 0.2, MaxDelay: time.Second},
	MinConnectTimeout: 2 * time.Second,
})

// firestoreDialOptions are the Firestore client's connection options. In
// production they only add the reconnect policy. Against the emulator the
// client would dial a connection of its own that ignores dial options, so
// we dial it here: plaintext to the emulator host, with the same
// "Bearer owner" credentials the client sends there and the reconnect
// policy. Only reachable for demo- projects (config.CheckEmulatorSafety).
func firestoreDialOptions(emulatorHost string) ([]option.ClientOption, error) {
	if emulatorHost == "" {
		return []option.ClientOption{option.WithGRPCDialOption(reconnect)}, nil
	}
	conn, err := grpc.NewClient(emulatorHost,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithPerRPCCredentials(emulatorOwner{}),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(math.MaxInt32), grpc.MaxCallSendMsgSize(math.MaxInt32)),
		reconnect,
	)
	if err != nil {
		return nil, fmt.Errorf("app: dial the Firestore emulator at %s: %w", emulatorHost, err)
	}
	return []option.ClientOption{option.WithGRPCConn(conn)}, nil
}

// emulatorOwner is the Firestore emulator's admin credential, as the Go
// client sends it in emulator mode.
type emulatorOwner struct{}

func (emulatorOwner) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer owner"}, nil
}

func (emulatorOwner) RequireTransportSecurity() bool { return false }
