package push

import (
	"context"
	"time"

	"cloud.google.com/go/firestore"
	"cloud.google.com/go/firestore/apiv1/firestorepb"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// bearer sends a user's ID token on every RPC, as a mobile SDK does.
type bearer string

func (b bearer) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + string(b)}, nil
}
func (bearer) RequireTransportSecurity() bool { return false }

// clientAs is a Firestore client acting as the holder of idToken, on a
// connection of its own (so the admin credentials the Go client adds in
// emulator mode never reach it). close releases both.
func clientAs(ctx context.Context, addr, project, idToken string) (c *firestore.Client, close func(), err error) {
	conn, err := grpc.NewClient("passthrough:///"+addr,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithPerRPCCredentials(bearer(idToken)))
	if err != nil {
		return nil, nil, err
	}
	c, err = firestore.NewClient(ctx, project, option.WithGRPCConn(conn))
	if err != nil {
		conn.Close()
		return nil, nil, err
	}
	return c, func() { c.Close(); conn.Close() }, nil
}

// docProto is the event's Document for snap (its name and times; the
// receiver reads only the name).
func docProto(name string, snap *firestore.DocumentSnapshot) *firestorepb.Document {
	t := func(x time.Time) *timestamppb.Timestamp { return timestamppb.New(x) }
	return &firestorepb.Document{Name: name, CreateTime: t(snap.CreateTime), UpdateTime: t(snap.UpdateTime)}
}
