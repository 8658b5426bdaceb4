package rules

import "time"

// This file declares the inputs of a decision. They are plain Go values so
// that callers (the Firestore emulator, tests) never need the engine's
// internal value model, and the engine never needs protobuf.
//
// Document data uses these Go types, one per Firestore value kind:
//
//	nil                 null
//	bool                bool
//	int64               int        (int and other Go integer kinds are accepted too)
//	float64             float
//	string              string
//	[]byte              bytes
//	time.Time           timestamp
//	LatLng              latlng
//	Vector              vector     (a Firestore vector embedding)
//	Reference           path       (a Firestore reference value)
//	[]any               list
//	map[string]any      map
//
// Any other type is rejected as an error value when it is read.

// Method is the operation being decided, as request.method sees it.
type Method string

const (
	MethodGet    Method = "get"
	MethodList   Method = "list"
	MethodCreate Method = "create"
	MethodUpdate Method = "update"
	MethodDelete Method = "delete"
)

// LatLng is a geographic point in document data.
type LatLng struct {
	Lat, Lng float64
}

// Vector is a Firestore vector value in document data (what the Go
// client writes for firestore.Vector64 or Vector32; stored as the map
// {__type__: "__vector__", value: [doubles]}). Rules see it as a type of
// its own, "vector": not a map and not a list, as Google's emulator does.
// The slice must not be changed once handed to the engine.
type Vector []float64

// Reference is a Firestore reference value in document data: the full
// document path "/databases/(default)/documents/coll/doc".
type Reference string

// Auth is the authenticated caller. A nil *Auth means unauthenticated
// (request.auth == null).
type Auth struct {
	UID string
	// Token holds every claim of the ID token (standard, firebase.* and
	// custom), as decoded from JSON: numbers may be float64 or int64.
	Token map[string]any
}

// Document is a stored or pending document.
type Document struct {
	// Path is the full document path:
	// "/databases/(default)/documents/rooms/abc".
	Path string
	Data map[string]any
}

// Documents is a read-only view of the database used by get() and exists()
// (the state before the request) and getAfter()/existsAfter() (the state
// as if the request's writes had committed). Implementations must be safe
// for the duration of one decision; paths are full document paths as in
// Document.Path.
type Documents interface {
	// Lookup returns the document at path, or nil if none exists.
	Lookup(path string) *Document
}

// Request is one single-document operation to decide: get, create, update
// or delete.
type Request struct {
	Method Method
	// Path is the full path of the target document:
	// "/databases/(default)/documents/rooms/abc".
	Path string
	Auth *Auth
	// Time is request.time, and the value of server timestamps written by
	// the request.
	Time time.Time
	// Resource is the stored document (resource); nil when it does not
	// exist.
	Resource *Document
	// Incoming is the document as it would be after the write
	// (request.resource) for create and update; nil otherwise.
	Incoming *Document
	// Before and After back get()/exists() and getAfter()/existsAfter().
	// A nil Before means "no other documents exist". A nil After is built
	// from Before with this request's write applied.
	Before Documents
	After  Documents

	// HasUpdateMask, UpdateMask and Transforms describe a write for
	// request.writeFields (write_fields.go); they are ignored for a get.
	// UpdateMask is the write's update mask, each field path split into
	// its segments (a.`b.c` is ["a", "b.c"]), when HasUpdateMask is set
	// (an update naming fields, a merge; a mask may be empty); a create,
	// a set without merge and a delete have none. Transforms are the field
	// paths of the write's field transforms, in request order.
	HasUpdateMask bool
	UpdateMask    [][]string
	Transforms    [][]string
}

// FilterOp is a query filter operator, named as the JS SDK names it.
type FilterOp string

const (
	OpEqual            FilterOp = "=="
	OpNotEqual         FilterOp = "!="
	OpLess             FilterOp = "<"
	OpLessEqual        FilterOp = "<="
	OpGreater          FilterOp = ">"
	OpGreaterEqual     FilterOp = ">="
	OpIn               FilterOp = "in"
	OpNotIn            FilterOp = "not-in"
	OpArrayContains    FilterOp = "array-contains"
	OpArrayContainsAny FilterOp = "array-contains-any"
	OpIsNull           FilterOp = "is-null"
	OpIsNotNull        FilterOp = "is-not-null"
	OpIsNaN            FilterOp = "is-nan"
	OpIsNotNaN         FilterOp = "is-not-nan"
	FilterAnd          FilterOp = "and" // composite: all of Filters
	FilterOr           FilterOp = "or"  // composite: any of Filters
)

// Filter is a query constraint: a field filter (Field, Op, Value) or a
// composite (Op is FilterAnd or FilterOr, with Filters). Field is a
// dotted field path relative to the document data ("a.b"); "__name__"
// means the document key, with Value a Reference.
type Filter struct {
	Op      FilterOp
	Field   string
	Value   any // operand; a []any for in, not-in and array-contains-any
	Filters []Filter
}

// Order is one order-by clause of a query.
type Order struct {
	Field      string
	Descending bool
}

// Query is a list operation (a query, an aggregation, a listen on a query,
// or ListDocuments) to decide.
type Query struct {
	// Parent is the full path of the parent document, or
	// "/databases/(default)/documents" for a top-level collection or a
	// collection group over the whole database.
	Parent       string
	CollectionID string
	// AllDescendants is true for a collection-group query.
	AllDescendants bool
	Where          *Filter // nil: no filter
	OrderBy        []Order
	Limit          *int64 // nil: no limit
	Offset         int64

	Auth   *Auth
	Time   time.Time
	Before Documents // backs get() and exists(); nil means no documents
}
