package firestore

import (
	"context"
	"crypto/rand"
	"time"

	"cloud.google.com/go/firestore/apiv1/firestorepb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Single-document RPCs and BatchGetDocuments.

// projectDoc applies a read DocumentMask: only the listed fields are
// returned (nil mask: all). d is a copy owned by the caller.
func projectDoc(d *firestorepb.Document, mask *firestorepb.DocumentMask) (*firestorepb.Document, error) {
	if d == nil || mask == nil {
		return d, nil
	}
	fields := map[string]*firestorepb.Value{}
	for _, p := range mask.GetFieldPaths() {
		segs, err := parseFieldPath(p)
		if err != nil {
			return nil, status.Error(codes.InvalidArgument, err.Error())
		}
		if v, ok := getFieldSegs(d.Fields, segs); ok {
			setFieldSegs(fields, segs, v)
		}
	}
	d.Fields = fields
	return d, nil
}

func tsTime(t *timestamppb.Timestamp) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.AsTime()
}

// readDoc reads one document under a resolved selector, records it in a
// read-write transaction and checks the rules. It returns the document
// (nil if missing) and the read time.
func (s *server) readDoc(c caller, n docName, sel readSel) (*firestorepb.Document, time.Time, error) {
	at := sel.at
	if at.IsZero() {
		at = s.st.readTime()
	}
	d, err := s.st.getAt(n.full, at)
	if err != nil {
		return nil, at, err
	}
	if len(sel.txn) > 0 {
		if err := s.recordTxnRead(sel.txn, n.full, updateTimeOf(d)); err != nil {
			return nil, at, err
		}
	}
	if err := s.decideGet(c, n, d, at); err != nil {
		return nil, at, err
	}
	return d, at, nil
}

// GetDocument returns one document, or NOT_FOUND.
func (s *server) GetDocument(ctx context.Context, req *firestorepb.GetDocumentRequest) (*firestorepb.Document, error) {
	c := callerFrom(ctx)
	if err := c.check(); err != nil {
		return nil, err
	}
	n, err := parseDocName(req.GetName())
	if err != nil {
		return nil, err
	}
	sel, err := s.resolveRead(n.database, req.GetTransaction(), nil, tsTime(req.GetReadTime()))
	if err != nil {
		return nil, err
	}
	d, _, err := s.readDoc(c, n, sel)
	if err != nil {
		return nil, err
	}
	if d == nil {
		return nil, status.Errorf(codes.NotFound, "no entity to get: %s", n.full)
	}
	return projectDoc(d, req.GetMask())
}

// BatchGetDocuments answers each distinct name once, found or missing,
// all at one read time. A denial of any document fails the
// whole request before anything is sent.
func (s *server) BatchGetDocuments(req *firestorepb.BatchGetDocumentsRequest, stream firestorepb.Firestore_BatchGetDocumentsServer) error {
	c := callerFrom(stream.Context())
	if err := c.check(); err != nil {
		return err
	}
	_, db, err := parseDatabase(req.GetDatabase())
	if err != nil {
		return err
	}
	var names []docName
	seen := map[string]bool{}
	for _, name := range req.GetDocuments() {
		n, err := parseDocName(name)
		if err != nil {
			return err
		}
		if n.database != db {
			return status.Errorf(codes.InvalidArgument, "document %q is not in database %q", name, db)
		}
		if !seen[name] {
			seen[name] = true
			names = append(names, n)
		}
	}
	sel, err := s.resolveRead(db, req.GetTransaction(), req.GetNewTransaction(), tsTime(req.GetReadTime()))
	if err != nil {
		return err
	}
	if sel.at.IsZero() {
		sel.at = s.st.readTime() // one snapshot for every document
	}
	resps := make([]*firestorepb.BatchGetDocumentsResponse, 0, len(names))
	for _, n := range names {
		d, at, err := s.readDoc(c, n, sel)
		if err != nil {
			return err
		}
		r := &firestorepb.BatchGetDocumentsResponse{ReadTime: timestamppb.New(at)}
		if d == nil {
			r.Result = &firestorepb.BatchGetDocumentsResponse_Missing{Missing: n.full}
		} else {
			if d, err = projectDoc(d, req.GetMask()); err != nil {
				return err
			}
			r.Result = &firestorepb.BatchGetDocumentsResponse_Found{Found: d}
		}
		resps = append(resps, r)
	}
	if len(resps) > 0 && sel.newT != nil {
		resps[0].Transaction = sel.newT
	} else if sel.newT != nil {
		resps = append(resps, &firestorepb.BatchGetDocumentsResponse{Transaction: sel.newT, ReadTime: timestamppb.New(sel.at)})
	}
	for _, r := range resps {
		if err := stream.Send(r); err != nil {
			return err
		}
	}
	return nil
}

// autoID returns a 20-character id like the client SDKs generate.
func autoID() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 20)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// writeOne commits a single write and returns the document after it.
func (s *server) writeOne(ctx context.Context, w *firestorepb.Write, database string, mask *firestorepb.DocumentMask) (*firestorepb.Document, error) {
	c := callerFrom(ctx)
	if err := c.check(); err != nil {
		return nil, err
	}
	op, err := parseWrite(w, database)
	if err != nil {
		return nil, err
	}
	if _, _, err := s.applyWrites(c, []writeOp{op}, nil); err != nil {
		return nil, err
	}
	// Read back outside the commit; a racing write may already show,
	// which is what production's single-document RPCs allow too.
	d := s.st.get(op.name.full)
	if d == nil {
		return nil, status.Errorf(codes.Aborted, "document %s was deleted concurrently", op.name.full)
	}
	return projectDoc(d, mask)
}

// CreateDocument creates a document (ALREADY_EXISTS if present); an
// empty document_id picks a random one.
func (s *server) CreateDocument(ctx context.Context, req *firestorepb.CreateDocumentRequest) (*firestorepb.Document, error) {
	p, err := parseParent(req.GetParent())
	if err != nil {
		return nil, err
	}
	if req.GetCollectionId() == "" {
		return nil, status.Error(codes.InvalidArgument, "collection_id is required")
	}
	id := req.GetDocumentId()
	if id == "" {
		id = autoID()
	}
	doc := proto.Clone(req.GetDocument()).(*firestorepb.Document)
	if doc == nil {
		doc = &firestorepb.Document{}
	}
	doc.Name = p.full + "/" + req.GetCollectionId() + "/" + id
	w := &firestorepb.Write{
		Operation:       &firestorepb.Write_Update{Update: doc},
		CurrentDocument: &firestorepb.Precondition{ConditionType: &firestorepb.Precondition_Exists{Exists: false}},
	}
	return s.writeOne(ctx, w, p.database, req.GetMask())
}

// UpdateDocument updates or inserts a document, honouring update_mask and
// current_document.
func (s *server) UpdateDocument(ctx context.Context, req *firestorepb.UpdateDocumentRequest) (*firestorepb.Document, error) {
	n, err := parseDocName(req.GetDocument().GetName())
	if err != nil {
		return nil, err
	}
	w := &firestorepb.Write{
		Operation:       &firestorepb.Write_Update{Update: req.GetDocument()},
		UpdateMask:      req.GetUpdateMask(),
		CurrentDocument: req.GetCurrentDocument(),
	}
	return s.writeOne(ctx, w, n.database, req.GetMask())
}

// DeleteDocument deletes a document; deleting a missing one succeeds
// unless a precondition says otherwise.
func (s *server) DeleteDocument(ctx context.Context, req *firestorepb.DeleteDocumentRequest) (*emptypb.Empty, error) {
	c := callerFrom(ctx)
	if err := c.check(); err != nil {
		return nil, err
	}
	n, err := parseDocName(req.GetName())
	if err != nil {
		return nil, err
	}
	op, err := parseWrite(&firestorepb.Write{Operation: &firestorepb.Write_Delete{Delete: n.full}, CurrentDocument: req.GetCurrentDocument()}, n.database)
	if err != nil {
		return nil, err
	}
	if _, _, err := s.applyWrites(c, []writeOp{op}, nil); err != nil {
		return nil, err
	}
	return &emptypb.Empty{}, nil
}
