package firestore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"cloud.google.com/go/firestore/apiv1/firestorepb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Write is the JS SDK's bidirectional write stream: a handshake that returns a stream id and a non-empty token, then
// one atomic batch per request, answered with a new token, one result per
// write and the commit time. A failed batch ends the stream with its
// status; the SDK reopens it.
func (s *server) Write(stream firestorepb.Firestore_WriteServer) error {
	c := callerFrom(stream.Context())
	if err := c.check(); err != nil {
		return err
	}
	first, err := stream.Recv()
	if err != nil {
		return endOfStream(err)
	}
	project, db, err := parseDatabase(first.GetDatabase())
	if err != nil {
		return err
	}
	c.project = project
	if len(first.GetWrites()) > 0 || len(first.GetStreamToken()) > 0 {
		return status.Error(codes.InvalidArgument, "the first Write request must be a handshake: database only, no writes or stream_token")
	}
	seq := s.streamSeq.Add(1)
	streamID := fmt.Sprintf("write-%d", seq)
	var n uint64
	token := func() []byte {
		n++
		b := make([]byte, 16)
		binary.BigEndian.PutUint64(b, seq)
		binary.BigEndian.PutUint64(b[8:], n)
		return b
	}
	last := token()
	if err := stream.Send(&firestorepb.WriteResponse{StreamId: streamID, StreamToken: last}); err != nil {
		return err
	}
	for {
		req, err := stream.Recv()
		if err != nil {
			return endOfStream(err)
		}
		if d := req.GetDatabase(); d != "" && d != db {
			return status.Errorf(codes.InvalidArgument, "stream is for %s, not %s", db, d)
		}
		ops, err := parseWrites(req.GetWrites(), db)
		if err != nil {
			return err
		}
		resp := &firestorepb.WriteResponse{}
		if len(ops) == 0 {
			// The SDK's tearDown or an empty batch: acknowledge with a
			// token and the current time.
			resp.CommitTime = timestamppb.New(s.st.readTime())
		} else {
			t, results, err := s.applyWrites(c, ops, nil)
			if err != nil {
				return err
			}
			resp.WriteResults, resp.CommitTime = results, timestamppb.New(t)
		}
		last = token()
		resp.StreamToken = last
		if err := stream.Send(resp); err != nil {
			return err
		}
	}
}

// endOfStream maps the client closing its side to a clean end.
func endOfStream(err error) error {
	if errors.Is(err, io.EOF) {
		return nil
	}
	return err
}
