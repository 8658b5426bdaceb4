package rules

import "time"

// This file binds the names a condition sees: `request`, `resource`, the match variables, and the functions of
// every enclosing scope (global, service, each match level; an inner
// function shadows an outer one of the same name).
//
// Decisions on section 10's open questions taken here:
//   - Q1: on create, `resource` is null, so `resource == null` is true
//     (PR13). On get, update and delete it is the stored document, or null
//     when there is none.
//   - request.resource is the incoming document on create and update and
//     null on delete; on get and list it is undefined (reading it is
//     "Property resource is undefined on object." and denies), as Google's
//     emulator answers.
//   - Q8: `request.query` exists only for list operations; on any other
//     method reading it is "Property query is undefined on object." and
//     denies. For a list it has the keys Google's emulator gives it:
//     `limit` (int, null when unset), `offset` (int, 0 when unset),
//     `orderBy` (a map from field path to 'ASC' or 'DESC', empty when
//     unordered), `kind` (the collection ID), `allDescendants` (true for a
//     collection-group query), `parent` (null for a top-level collection),
//     `distinct` and `selectOnlyKeys` (false) and `groupBy` (an empty map).
//     Only the first three are documented; the others are there so that
//     keys() checks decide as in Google's emulator.
//   - request.writeFields, the legacy list of written fields, is bound on
//     create, update and delete (null unless the write has an update mask
//     or transforms; write_fields.go) and undefined on get and list, as
//     Google's emulator binds it under both rules versions.

// authValueIn returns request.auth (null, or {uid, token}) built in arena
// ar (which may be nil).
func authValueIn(ar *valueArena, a *Auth) Value {
	if a == nil {
		return nullValue()
	}
	return ar.record(
		namedValue{"uid", stringValue(a.UID)},
		namedValue{"token", lazyDataIn(ar, a.Token)},
	)
}

// requestTime is the request time, defaulting to now when the caller left
// it unset.
func requestTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Now().UTC()
	}
	return t
}

// docResource returns the rules Resource for doc. A doc at the request's
// own path (the common case) reuses the request's parsed segments and its
// path and id values (values are immutable, so sharing them is safe); an
// empty path means the request's path.
func docResource(ar *valueArena, doc *Document, reqPath string, segs []string, path, id Value) Value {
	if doc == nil {
		return nullValue()
	}
	if doc.Path != "" && doc.Path != reqPath {
		return resourceValue(doc, segs[1])
	}
	data := lazyDataIn(ar, doc.Data)
	if data == nullValue() {
		data = mapValue(map[string]Value{})
	}
	return ar.record(
		namedValue{"data", data},
		namedValue{"id", id},
		namedValue{"__name__", path},
	)
}

// methodValues are the request.method values, built once.
var methodValues = map[Method]Value{
	MethodGet: stringValue("get"), MethodList: stringValue("list"), MethodCreate: stringValue("create"),
	MethodUpdate: stringValue("update"), MethodDelete: stringValue("delete"),
}

// requestVars returns the root variables of a single-document decision,
// request and resource, built in arena ar; segs is the request path,
// split.
func requestVars(ar *valueArena, req *Request, segs []string) (request, resource Value) {
	var incoming Value = nullValue()
	resource = nullValue()
	path, id := pathFromSegments(segs), stringValue(segs[len(segs)-1])
	switch req.Method {
	case MethodGet, MethodUpdate, MethodDelete:
		resource = docResource(ar, req.Resource, req.Path, segs, path, id)
	}
	switch req.Method {
	case MethodCreate, MethodUpdate:
		incoming = docResource(ar, req.Incoming, req.Path, segs, path, id)
	}
	if req.Method == MethodGet {
		// request.resource is undefined on get (Google's emulator).
		request = ar.record(
			namedValue{"auth", authValueIn(ar, req.Auth)},
			namedValue{"method", methodValues[req.Method]},
			namedValue{"path", path},
			namedValue{"time", timestampValue(requestTime(req.Time))},
		)
		return request, resource
	}
	request = ar.record(
		namedValue{"auth", authValueIn(ar, req.Auth)},
		namedValue{"method", methodValues[req.Method]},
		namedValue{"path", path},
		namedValue{"time", timestampValue(requestTime(req.Time))},
		namedValue{"resource", incoming},
		namedValue{"writeFields", writeFieldsValue(req)},
	)
	return request, resource
}

// Order directions as request.query.orderBy holds them, built once.
var (
	ascValue  = stringValue("ASC")
	descValue = stringValue("DESC")
)

// emptyMap is the empty map of request.query's unset orderBy and groupBy.
var emptyMap Value = mapV{}

// queryValue returns request.query for a list, built in arena ar, with
// the keys Google's emulator gives it (see the top of this file).
func queryValue(ar *valueArena, q *Query, topLevel bool) Value {
	var limit Value = theNull
	if q.Limit != nil {
		limit = intV(*q.Limit)
	}
	orderBy := emptyMap
	if len(q.OrderBy) > 0 {
		// A map, not a record: a field ordered twice keeps its last
		// direction.
		ob := make(map[string]Value, len(q.OrderBy))
		for _, o := range q.OrderBy {
			dir := ascValue
			if o.Descending {
				dir = descValue
			}
			ob[o.Field] = dir
		}
		orderBy = mapValue(ob)
	}
	// parent is null for a top-level collection in Google's emulator; its
	// shape under a document is not known, so reading it is an error.
	var parent Value = theNull
	if !topLevel {
		parent = errorf("Property parent of request.query is not supported under a document.")
	}
	return ar.record(
		namedValue{"allDescendants", boolOf(q.AllDescendants)},
		namedValue{"distinct", theFalse},
		namedValue{"groupBy", emptyMap},
		namedValue{"kind", stringV(q.CollectionID)},
		namedValue{"limit", limit},
		namedValue{"offset", intV(q.Offset)},
		namedValue{"orderBy", orderBy},
		namedValue{"parent", parent},
		namedValue{"selectOnlyKeys", theFalse},
	)
}

// env is the scope chain shared by every applicable match block of one
// decision: the root (request, resource, global functions) and the
// service scope.
type env struct {
	rs   *Ruleset
	root scope
	svc  scope
	top  *scope
	// rootNames backs root.names for single-document decisions.
	rootNames [2]namedValue
	// scopeBuf and nameBuf back the scopes scopeFor builds, as long as
	// they last (usually one applicable block per decision).
	scopeBuf       [2]scope
	nameBuf        [4]namedValue
	nScope, nNames int
	// rw rewrites the functions that read resource (queries); nil when
	// none are rewritten.
	rw *rewriter
	// unknown is the value of a match variable whose captured segments are
	// not known (queries); nil outside queries.
	unknown Value
	// unknownPath is unknown for a recursive wildcard: a path (query.go).
	unknownPath Value
}

// newEnv returns the environment of a query disjunct: its root variables
// are vars, which the query rewriter extends while conditions run.
func newEnv(rs *Ruleset, vars map[string]Value, rw *rewriter) *env {
	e := &env{rs: rs, rw: rw}
	e.root.vars = vars
	e.init()
	return e
}

// initDoc sets e, which must be zero (new or reset), up as the
// environment of a single-document decision.
func (e *env) initDoc(rs *Ruleset, request, resource Value) {
	e.rs = rs
	e.rootNames = [2]namedValue{{"request", request}, {"resource", resource}}
	e.root.names = e.rootNames[:]
	e.init()
}

// reset returns e to its zero state, clearing only the buffers used.
func (e *env) reset() {
	clear(e.scopeBuf[:e.nScope])
	clear(e.nameBuf[:e.nNames])
	e.rootNames = [2]namedValue{}
	e.root, e.svc = scope{}, scope{}
	e.rs, e.top, e.rw, e.unknown, e.unknownPath = nil, nil, nil, nil, nil
	e.nScope, e.nNames = 0, 0
}

// init links the function levels: the global functions live in the root
// scope, the service's in a scope below it (when there are any). The
// tables are built once, at compile time.
func (e *env) init() {
	e.root.static = e.rs.globalIndex
	e.top = &e.root
	if len(e.rs.serviceFuncs) > 0 {
		e.svc = scope{parent: &e.root, static: e.rs.serviceIndex}
		e.top = &e.svc
	}
}

// scopeFor returns the scope a condition of app's block is evaluated in.
//
// Scopes are lexical: a function sees the variables of its own block and
// the enclosing ones, never those of deeper blocks. Only a block that
// declares functions needs a scope of its own (its functions close over
// it); the variables of blocks without functions are gathered into the
// next scope down, which changes nothing a name lookup can observe and
// saves a scope per level.
func (e *env) scopeFor(app applicable) *scope {
	var chain [16]*matchNode
	nodes := chain[:0]
	for n := app.node; n != nil; n = n.parent {
		nodes = append(nodes, n)
	}
	// One array holds every binding; each scope takes the run of it
	// declared at or above its level and below the previous scope.
	var all []namedValue
	if n := len(app.bindings); e.nNames+n <= len(e.nameBuf) {
		all = e.nameBuf[e.nNames : e.nNames+n : e.nNames+n]
		e.nNames += n
	} else {
		all = make([]namedValue, n)
	}
	for i, b := range app.bindings {
		all[i] = namedValue{name: b.name, v: e.bindingValue(b)}
	}
	s := e.top
	bi, from := 0, 0
	for i := len(nodes) - 1; i >= 0; i-- {
		n := nodes[i]
		for bi < len(app.bindings) && app.bindings[bi].level == n.level {
			bi++
		}
		if n.funcIndex == nil {
			continue
		}
		s = e.newScope(scope{parent: s, names: all[from:bi:bi], static: n.funcIndex})
		from = bi
	}
	if from < bi {
		s = e.newScope(scope{parent: s, names: all[from:bi:bi]})
	}
	return s
}

// newScope returns a copy of sc, from scopeBuf while it lasts.
func (e *env) newScope(sc scope) *scope {
	var p *scope
	if e.nScope < len(e.scopeBuf) {
		p = &e.scopeBuf[e.nScope]
		e.nScope++
	} else {
		p = new(scope) // not &sc: that would put every sc on the heap
	}
	*p = sc
	return p
}

// bindingValue is the value of a match variable: a string for {x}, a path
// for {x=**} (1.2), or the unknown value when a query leaves it open.
func (e *env) bindingValue(b binding) Value {
	if !b.known() {
		if b.recursive && e.unknownPath != nil {
			return e.unknownPath
		}
		return e.unknown
	}
	if b.recursive {
		return pathFromSegments(b.segs)
	}
	return stringValue(b.segs[0])
}
