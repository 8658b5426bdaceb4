package firestore

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Resource names. A document's full name is
// "projects/P/databases/D/documents/c1/d1[/c2/d2...]"; its database is
// "projects/P/databases/D" and the rules engine sees the path without the
// project: "/databases/D/documents/c1/d1".

const maxNameBytes = 6 * 1024 // production limit on a document name

// docName is a parsed, validated document name.
type docName struct {
	full     string // projects/P/databases/D/documents/c/d
	project  string
	database string // projects/P/databases/D
	rel      string // c/d (path below .../documents)
}

// rulesPath returns the path the rules engine uses for n.
func (n docName) rulesPath() string {
	return "/" + strings.TrimPrefix(n.full, "projects/"+n.project+"/")
}

// splitDatabase parses the "projects/P/databases/D" prefix of s and
// returns the project, the database name and the rest after it.
func splitDatabase(s string) (project, database, rest string, ok bool) {
	parts := strings.SplitN(s, "/", 5)
	if len(parts) < 4 || parts[0] != "projects" || parts[2] != "databases" || parts[1] == "" || parts[3] == "" {
		return "", "", "", false
	}
	database = "projects/" + parts[1] + "/databases/" + parts[3]
	if len(parts) == 5 {
		rest = parts[4]
	}
	return parts[1], database, rest, true
}

// parseDatabase validates a "projects/P/databases/D" name.
func parseDatabase(s string) (project, database string, err error) {
	p, db, rest, ok := splitDatabase(s)
	if !ok || rest != "" {
		return "", "", status.Errorf(codes.InvalidArgument, "invalid database name %q", s)
	}
	return p, db, nil
}

// parseDocName validates a full document name.
func parseDocName(s string) (docName, error) {
	bad := func(why string) (docName, error) {
		return docName{}, status.Errorf(codes.InvalidArgument, "invalid document name %q: %s", s, why)
	}
	if len(s) > maxNameBytes {
		return bad("too long")
	}
	p, db, rest, ok := splitDatabase(s)
	if !ok || !strings.HasPrefix(rest, "documents/") {
		return bad("want projects/{p}/databases/{d}/documents/{path}")
	}
	rel := strings.TrimPrefix(rest, "documents/")
	segs := strings.Split(rel, "/")
	if len(segs)%2 != 0 {
		return bad("a document path needs an even number of segments")
	}
	if err := reservedSegments(segs); err != nil {
		return docName{}, err
	}
	if err := checkSegments(segs); err != "" {
		return bad(err)
	}
	return docName{full: s, project: p, database: db, rel: rel}, nil
}

// parentName is a parsed collection parent: a database's documents root
// or a document.
type parentName struct {
	full     string // projects/P/databases/D/documents[/c/d...]
	project  string
	database string
}

// parseParent validates the parent of a collection (as used by
// CreateDocument, RunQuery, ListDocuments, ListCollectionIds).
func parseParent(s string) (parentName, error) {
	p, db, rest, ok := splitDatabase(s)
	if !ok || (rest != "documents" && !strings.HasPrefix(rest, "documents/")) {
		return parentName{}, status.Errorf(codes.InvalidArgument, "invalid parent %q", s)
	}
	if rel := strings.TrimPrefix(strings.TrimPrefix(rest, "documents"), "/"); rel != "" {
		segs := strings.Split(rel, "/")
		if len(segs)%2 != 0 {
			return parentName{}, status.Errorf(codes.InvalidArgument, "invalid parent %q: not a document", s)
		}
		if err := reservedSegments(segs); err != nil {
			return parentName{}, err
		}
		if why := checkSegments(segs); why != "" {
			return parentName{}, status.Errorf(codes.InvalidArgument, "invalid parent %q: %s", s, why)
		}
	}
	return parentName{full: s, project: p, database: db}, nil
}

// checkSegments applies production's id rules: non-empty, valid UTF-8,
// at most 1500 bytes, not "." or "..", not reserved (reservedSegment;
// segs alternate collection and document ids, starting with a
// collection).
func checkSegments(segs []string) string {
	for _, seg := range segs {
		switch {
		case seg == "":
			return "empty path segment"
		case seg == "." || seg == "..":
			return "segment may not be . or .."
		case len(seg) > 1500:
			return "segment longer than 1500 bytes"
		case !utf8.ValidString(seg):
			return "segment is not valid UTF-8"
		}
	}
	if err := reservedSegments(segs); err != nil {
		return status.Convert(err).Message()
	}
	return ""
}

// isReservedName reports whether s has the form __x__ that Firestore
// keeps for itself: longer than four bytes, starting and ending with two
// underscores ("____" is allowed, "_____" is not: Google's emulator,
// observed). The same rule applies to ids and field names.
func isReservedName(s string) bool {
	return len(s) > 4 && strings.HasPrefix(s, "__") && strings.HasSuffix(s, "__")
}

// reservedSegments rejects reserved ids in a path whose segments alternate
// collection and document ids, with Google's emulator's messages: every
// reserved collection id is refused; a document id may be __id<n>__ for a
// 64-bit integer n written canonically (production's numeric ids:
// "__id-1__" is allowed, "__id01__" is not).
func reservedSegments(segs []string) error {
	for i, seg := range segs {
		if !isReservedName(seg) {
			continue
		}
		if i%2 == 0 {
			return status.Errorf(codes.InvalidArgument, "Collection id %q is invalid because it is reserved.", seg)
		}
		if num, ok := strings.CutPrefix(seg[:len(seg)-2], "__id"); ok && num != "" {
			n, err := strconv.ParseInt(num, 10, 64)
			if err == nil && strconv.FormatInt(n, 10) == num {
				continue
			}
			if errors.Is(err, strconv.ErrRange) {
				return status.Errorf(codes.InvalidArgument, "Resource id %q is invalid because it is not a 64 bit integer.", seg)
			}
		}
		return status.Errorf(codes.InvalidArgument, "Resource id %q is invalid because it is reserved.", seg)
	}
	return nil
}

// comparePaths orders document names the way Firestore orders keys:
// segment by segment, each segment compared as a byte string.
func comparePaths(a, b string) int {
	for {
		ia, ib := strings.IndexByte(a, '/'), strings.IndexByte(b, '/')
		sa, sb := a, b
		if ia >= 0 {
			sa = a[:ia]
		}
		if ib >= 0 {
			sb = b[:ib]
		}
		if c := strings.Compare(sa, sb); c != 0 {
			return c
		}
		switch {
		case ia < 0 && ib < 0:
			return 0
		case ia < 0:
			return -1
		case ib < 0:
			return 1
		}
		a, b = a[ia+1:], b[ib+1:]
	}
}
