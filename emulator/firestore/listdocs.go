package firestore

import (
	"context"
	"encoding/base64"
	"sort"
	"strings"

	"cloud.google.com/go/firestore/apiv1/firestorepb"
	"github.com/roomgate/roomgate/emulator/rules"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// ListDocuments and ListCollectionIds.
//
// Rules: ListDocuments on one collection is decided as a `list` of that
// collection with no constraints. Metadata operations are refused to
// every caller but the admin, with or without rules, with Google's
// emulator's PERMISSION_DENIED "Metadata operations require admin
// authentication." (observed; the rules language cannot express them):
//   - ListDocuments with show_missing (the Go client's DocumentRefs);
//   - ListDocuments without collection_id (every collection of a parent);
//   - ListCollectionIds (client SDKs cannot call it).
//
// Descending order ("__name__ desc") is FAILED_PRECONDITION, "Firestore
// does not support descending key scans", as in Google's emulator.
//
// Page tokens are the base64 of the last name (or collection id)
// returned; the next page starts strictly after it.

// ListDocuments lists the documents of a collection (or of every
// collection directly under parent when collection_id is empty), ordered
// by name. With show_missing it also returns "missing" documents: names
// with no document but with documents below them, as Document{name} with
// no fields and no timestamps.
func (s *server) ListDocuments(ctx context.Context, req *firestorepb.ListDocumentsRequest) (*firestorepb.ListDocumentsResponse, error) {
	c := callerFrom(ctx)
	if err := c.check(); err != nil {
		return nil, err
	}
	parent, err := parseParent(req.GetParent())
	if err != nil {
		return nil, err
	}
	collID := req.GetCollectionId()
	if collID != "" {
		if strings.Contains(collID, "/") {
			return nil, status.Errorf(codes.InvalidArgument, "invalid collection id %q", collID)
		}
		if why := checkSegments([]string{collID}); why != "" {
			return nil, status.Errorf(codes.InvalidArgument, "invalid collection id %q: %s", collID, why)
		}
	}
	if collID == "" && req.GetShowMissing() {
		// Google's emulator's answer (observed).
		return nil, status.Error(codes.InvalidArgument, "collection id must be set when show_missing is true")
	}
	if err := listOrder(req.GetOrderBy()); err != nil {
		return nil, err
	}
	if req.GetPageSize() < 0 {
		return nil, status.Errorf(codes.InvalidArgument, "page_size must be non-negative")
	}
	after, err := decodePageToken(req.GetPageToken())
	if err != nil {
		return nil, err
	}
	sel, err := s.resolveRead(parent.database, req.GetTransaction(), nil, tsTime(req.GetReadTime()))
	if err != nil {
		return nil, err
	}
	at := sel.at
	if at.IsZero() {
		at = s.st.readTime()
	}
	if collID == "" || req.GetShowMissing() {
		if !c.admin {
			return nil, errMetadataOp
		}
	} else if err := s.decideQuery(ctx, c, &rules.Query{
		Parent:       rulesParent(parent.full),
		CollectionID: collID,
		Time:         at,
		Before:       storeView{st: s.st, project: parent.project, at: at},
	}); err != nil {
		return nil, err
	}

	prefix := parent.full
	if collID != "" {
		prefix += "/" + collID
	}
	under, err := s.st.documentsUnder(prefix, at)
	if err != nil {
		return nil, err
	}
	docs := listedDocuments(prefix, collID == "", under, req.GetShowMissing())
	if after != "" {
		i := sort.Search(len(docs), func(i int) bool { return comparePaths(docs[i].Name, after) > 0 })
		docs = docs[i:]
	}
	resp := &firestorepb.ListDocumentsResponse{}
	if n := int(req.GetPageSize()); n > 0 && len(docs) > n {
		docs = docs[:n]
		resp.NextPageToken = base64.RawURLEncoding.EncodeToString([]byte(docs[n-1].Name))
	}
	for _, d := range docs {
		if len(sel.txn) > 0 {
			if err := s.recordTxnRead(sel.txn, d.Name, updateTimeOf(d)); err != nil {
				return nil, err
			}
		}
		if d.UpdateTime != nil { // missing documents have no fields to mask
			if d, err = projectDoc(d, req.GetMask()); err != nil {
				return nil, err
			}
		}
		resp.Documents = append(resp.Documents, d)
	}
	return resp, nil
}

// listedDocuments picks, from every document below prefix, the direct
// children of the listed collection(s) and, with showMissing, a bare
// Document{name} for each child that does not exist but has documents
// below it. allColls means prefix is a parent document (or the root) and
// every collection directly under it is listed. under must be sorted by
// comparePaths, which keeps a child and all its descendants together,
// child first.
func listedDocuments(prefix string, allColls bool, under []*firestorepb.Document, showMissing bool) []*firestorepb.Document {
	depth := 1 // segments below prefix that name a direct child
	if allColls {
		depth = 2
	}
	var out []*firestorepb.Document
	lastChild := ""
	for _, d := range under {
		segs := strings.SplitN(strings.TrimPrefix(d.Name, prefix+"/"), "/", depth+1)
		if len(segs) < depth {
			continue
		}
		child := prefix + "/" + strings.Join(segs[:depth], "/")
		if child == lastChild {
			continue // a descendant of a child already listed
		}
		lastChild = child
		switch {
		case len(segs) == depth:
			out = append(out, d)
		case showMissing:
			out = append(out, &firestorepb.Document{Name: child})
		}
	}
	return out
}

// listOrder checks ListDocuments' order_by. Only the ascending name
// order is served ("", "__name__", "__name__ asc").
func listOrder(s string) error {
	f := strings.Fields(strings.ToLower(s))
	switch {
	case len(f) == 0:
		return nil
	case f[0] != "__name__" || len(f) > 2:
		return status.Errorf(codes.Unimplemented, "ListDocuments order_by %q is not supported by this emulator (only __name__)", s)
	case len(f) == 1 || f[1] == "asc":
		return nil
	case f[1] == "desc":
		return status.Error(codes.FailedPrecondition, "Firestore does not support descending key scans")
	}
	return status.Errorf(codes.InvalidArgument, "invalid order_by %q", s)
}

// errMetadataOp refuses a metadata operation to a caller other than the
// admin, in Google's emulator's words.
var errMetadataOp = status.Error(codes.PermissionDenied, "Metadata operations require admin authentication.")

func decodePageToken(tok string) (string, error) {
	if tok == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(b) == 0 {
		return "", status.Errorf(codes.InvalidArgument, "invalid page_token")
	}
	return string(b), nil
}

// ListCollectionIds returns the sorted ids of the collections directly
// under parent that hold at least one document at any depth.
func (s *server) ListCollectionIds(ctx context.Context, req *firestorepb.ListCollectionIdsRequest) (*firestorepb.ListCollectionIdsResponse, error) {
	c := callerFrom(ctx)
	if err := c.check(); err != nil {
		return nil, err
	}
	parent, err := parseParent(req.GetParent())
	if err != nil {
		return nil, err
	}
	if req.GetPageSize() < 0 {
		return nil, status.Errorf(codes.InvalidArgument, "page_size must be non-negative")
	}
	after, err := decodePageToken(req.GetPageToken())
	if err != nil {
		return nil, err
	}
	if !c.admin {
		return nil, errMetadataOp
	}
	at := tsTime(req.GetReadTime())
	if at.IsZero() {
		at = s.st.readTime()
	}
	under, err := s.st.documentsUnder(parent.full, at)
	if err != nil {
		return nil, err
	}
	ids := collectionIDs(parent.full, under)
	if after != "" {
		ids = ids[sort.SearchStrings(ids, after):]
		if len(ids) > 0 && ids[0] == after {
			ids = ids[1:]
		}
	}
	resp := &firestorepb.ListCollectionIdsResponse{}
	if n := int(req.GetPageSize()); n > 0 && len(ids) > n {
		ids = ids[:n]
		resp.NextPageToken = base64.RawURLEncoding.EncodeToString([]byte(ids[n-1]))
	}
	resp.CollectionIds = ids
	return resp, nil
}

// collectionIDs returns the sorted distinct first segments below parent.
func collectionIDs(parent string, under []*firestorepb.Document) []string {
	seen := map[string]bool{}
	var ids []string
	for _, d := range under {
		id, _, _ := strings.Cut(strings.TrimPrefix(d.Name, parent+"/"), "/")
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}
