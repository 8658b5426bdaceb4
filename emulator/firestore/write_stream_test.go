package firestore

import (
	"context"
	"testing"
	"time"

	"cloud.google.com/go/firestore/apiv1/firestorepb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// verifyBytes encodes the JS SDK's Write.verify (field 5), which
// firestorepb does not know, as unknown-field bytes.
func verifyBytes(name string) []byte {
	b := protowire.AppendTag(nil, verifyField, protowire.BytesType)
	return protowire.AppendString(b, name)
}

// The JS SDK's Write stream: handshake, token, one response per batch,
// verify as an unknown field, tearDown. The JS suite covers it end to
// end; here it is driven with raw protos as the JS SDK sends them.
func TestWriteStream(t *testing.T) {
	srv := newTestServer(t)
	rc := rawClient(t, srv, "")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, err := rc.Write(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Send(&firestorepb.WriteRequest{Database: testDB}); err != nil {
		t.Fatal(err)
	}
	hs, err := st.Recv()
	if err != nil {
		t.Fatal(err)
	}
	if len(hs.StreamToken) == 0 || hs.StreamId == "" || len(hs.WriteResults) != 0 {
		t.Fatalf("handshake = %v", hs)
	}
	name := testDB + "/documents/rooms/r1"
	doc := &firestorepb.Document{Name: name, Fields: map[string]*firestorepb.Value{"n": intValue(1)}}
	st.Send(&firestorepb.WriteRequest{StreamToken: hs.StreamToken, Writes: []*firestorepb.Write{{Operation: &firestorepb.Write_Update{Update: doc}}}})
	r1, err := st.Recv()
	if err != nil {
		t.Fatal(err)
	}
	if len(r1.WriteResults) != 1 || r1.CommitTime == nil || len(r1.StreamToken) == 0 || string(r1.StreamToken) == string(hs.StreamToken) {
		t.Fatalf("batch response = %v", r1)
	}
	// A JS transaction commit: verify of the read doc (update_time
	// precondition) plus a write elsewhere.
	v := &firestorepb.Write{CurrentDocument: &firestorepb.Precondition{ConditionType: &firestorepb.Precondition_UpdateTime{UpdateTime: r1.WriteResults[0].UpdateTime}}}
	v.ProtoReflect().SetUnknown(verifyBytes(name))
	other := &firestorepb.Write{Operation: &firestorepb.Write_Update{Update: &firestorepb.Document{Name: testDB + "/documents/rooms/r2", Fields: map[string]*firestorepb.Value{"n": intValue(2)}}}}
	st.Send(&firestorepb.WriteRequest{StreamToken: r1.StreamToken, Writes: []*firestorepb.Write{v, other}})
	r2, err := st.Recv()
	if err != nil {
		t.Fatal(err)
	}
	if len(r2.WriteResults) != 2 {
		t.Fatalf("verify batch: %v", r2)
	}
	// A stale verify ends the stream with FAILED_PRECONDITION.
	stale := &firestorepb.Write{CurrentDocument: &firestorepb.Precondition{ConditionType: &firestorepb.Precondition_UpdateTime{UpdateTime: timestamppb.New(r1.CommitTime.AsTime().Add(-time.Microsecond))}}}
	stale.ProtoReflect().SetUnknown(verifyBytes(name))
	st.Send(&firestorepb.WriteRequest{StreamToken: r2.StreamToken, Writes: []*firestorepb.Write{stale, other}})
	if _, err := st.Recv(); status.Code(err) != codes.FailedPrecondition {
		t.Fatalf("stale verify: %v, want FailedPrecondition", err)
	}

	// tearDown (on a new stream: it is the stream's last request in
	// Google's emulator): empty writes get a token (and, from ours, a
	// commit time; Google's emulator sends none and the JS SDK reads none).
	st, err = rc.Write(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Send(&firestorepb.WriteRequest{Database: testDB}); err != nil {
		t.Fatal(err)
	}
	if hs, err = st.Recv(); err != nil {
		t.Fatal(err)
	}
	st.Send(&firestorepb.WriteRequest{StreamToken: hs.StreamToken})
	r3, err := st.Recv()
	if err != nil || len(r3.StreamToken) == 0 || !external() && r3.CommitTime == nil {
		t.Fatalf("tearDown: %v %v", r3, err)
	}
}
