package firestore

import (
	"context"

	"cloud.google.com/go/firestore/apiv1/firestorepb"
	"google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc/codes"
	grpcstatus "google.golang.org/grpc/status"
)

// BatchWrite applies writes independently (not atomically) and reports a
// status per write. Like Google's emulator it requires admin credentials
// (firebase-tools#3833): BulkWriter is a server-side tool.
func (s *server) BatchWrite(ctx context.Context, req *firestorepb.BatchWriteRequest) (*firestorepb.BatchWriteResponse, error) {
	c := callerFrom(ctx)
	if err := c.check(); err != nil {
		return nil, err
	}
	if !c.admin {
		return nil, grpcstatus.Error(codes.PermissionDenied, "Batch writes require admin authentication.")
	}
	_, db, err := parseDatabase(req.GetDatabase())
	if err != nil {
		return nil, err
	}
	resp := &firestorepb.BatchWriteResponse{
		WriteResults: make([]*firestorepb.WriteResult, len(req.GetWrites())),
		Status:       make([]*status.Status, len(req.GetWrites())),
	}
	for i, w := range req.GetWrites() {
		resp.WriteResults[i] = &firestorepb.WriteResult{}
		op, err := parseWrite(w, db)
		if err == nil {
			var results []*firestorepb.WriteResult
			if _, results, err = s.applyWrites(c, []writeOp{op}, nil); err == nil {
				resp.WriteResults[i] = results[0]
			}
		}
		resp.Status[i] = grpcstatus.Convert(err).Proto()
	}
	return resp, nil
}
