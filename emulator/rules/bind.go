package rules

import (
	"time"

	"github.com/roomgate/roomgate/emulator/rules/ast"
)

// This file binds the names a condition sees (rules-language.md 4 and
// 1.2): `request`, `resource`, the match variables, and the functions of
// every enclosing scope (global, service, each match level; an inner
// function shadows an outer one of the same name).
//
// Decisions on section 10's open questions taken here:
//   - Q1: on create, `resource` is null, so `resource == null` is true
//     (PR13). On get, update and delete it is the stored document, or null
//     when there is none.
//   - request.resource is the incoming document on create and update and
//     null otherwise (get, list, delete) [inf].
//   - Q8: `request.query` exists only for list operations; on any other
//     method reading it is "Property query is undefined on object." and
//     denies. For a list it holds only the keys the query sets: `limit`
//     (int), `offset` (int, when > 0) and `orderBy` (when the query orders)
//     as a map from field path to 'ASC' or 'DESC' [inf: the shape is not
//     documented; a map lets rules test `'f' in request.query.orderBy`].

// authValue returns request.auth: null, or {uid, token}.
func authValue(a *Auth) Value {
	if a == nil {
		return nullValue()
	}
	return mapValue(map[string]Value{
		"uid":   stringValue(a.UID),
		"token": fromGo(a.Token),
	})
}

// requestTime is the request time, defaulting to now when the caller left
// it unset.
func requestTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Now().UTC()
	}
	return t
}

// docResource returns the rules Resource for doc, filling in its path from
// fallback when the caller left it empty.
func docResource(doc *Document, fallback, database string) Value {
	if doc == nil {
		return nullValue()
	}
	if doc.Path == "" {
		d := *doc
		d.Path = fallback
		doc = &d
	}
	return resourceValue(doc, database)
}

// requestVars returns the root variables of a single-document decision.
func requestVars(req *Request, database string) map[string]Value {
	var resource, incoming Value = nullValue(), nullValue()
	switch req.Method {
	case MethodGet, MethodUpdate, MethodDelete:
		resource = docResource(req.Resource, req.Path, database)
	}
	switch req.Method {
	case MethodCreate, MethodUpdate:
		incoming = docResource(req.Incoming, req.Path, database)
	}
	request := mapValue(map[string]Value{
		"auth":     authValue(req.Auth),
		"method":   stringValue(string(req.Method)),
		"path":     pathValue(req.Path),
		"time":     timestampValue(requestTime(req.Time)),
		"resource": incoming,
	})
	return map[string]Value{"request": request, "resource": resource}
}

// queryValue returns request.query for a list: only the keys the query
// sets.
func queryValue(q *Query) Value {
	m := map[string]Value{}
	if q.Limit != nil {
		m["limit"] = fromGo(*q.Limit)
	}
	if q.Offset > 0 {
		m["offset"] = fromGo(q.Offset)
	}
	if len(q.OrderBy) > 0 {
		ob := make(map[string]Value, len(q.OrderBy))
		for _, o := range q.OrderBy {
			dir := "ASC"
			if o.Descending {
				dir = "DESC"
			}
			ob[o.Field] = stringValue(dir)
		}
		m["orderBy"] = mapValue(ob)
	}
	return mapValue(m)
}

// env is the scope chain shared by every applicable match block of one
// decision: the root (request, resource, global functions) and the
// service scope.
type env struct {
	rs  *Ruleset
	top *scope
	// subst replaces function declarations (query rewriting); nil when
	// none are replaced.
	subst map[*ast.Function]*ast.Function
	// unknown is the value of a match variable whose captured segments are
	// not known (queries); nil outside queries.
	unknown Value
}

func newEnv(rs *Ruleset, vars map[string]Value, subst map[*ast.Function]*ast.Function) *env {
	e := &env{rs: rs, subst: subst}
	root := &scope{vars: vars}
	root.funcs = e.funcDefs(rs.globalFuncs, root)
	e.top = root
	if len(rs.serviceFuncs) > 0 {
		svc := &scope{parent: root}
		svc.funcs = e.funcDefs(rs.serviceFuncs, svc)
		e.top = svc
	}
	return e
}

// funcDefs binds fs to their defining scope s.
func (e *env) funcDefs(fs []*ast.Function, s *scope) map[string]*funcDef {
	if len(fs) == 0 {
		return nil
	}
	defs := make([]funcDef, len(fs))
	m := make(map[string]*funcDef, len(fs))
	for i, f := range fs {
		decl := f
		if r, ok := e.subst[f]; ok {
			decl = r
		}
		defs[i] = funcDef{decl: decl, defScope: s}
		if _, dup := m[f.Name]; !dup {
			m[f.Name] = &defs[i]
		}
	}
	return m
}

// scopeFor returns the scope a condition of app's block is evaluated in:
// one level per enclosing match block that captures variables or declares
// functions.
func (e *env) scopeFor(app applicable) *scope {
	var chain [16]*matchNode
	nodes := chain[:0]
	for n := app.node; n != nil; n = n.parent {
		nodes = append(nodes, n)
	}
	s := e.top
	bi := 0
	for i := len(nodes) - 1; i >= 0; i-- {
		n := nodes[i]
		var vars map[string]Value
		for bi < len(app.bindings) && app.bindings[bi].level == n.level {
			if vars == nil {
				vars = make(map[string]Value, 2)
			}
			b := app.bindings[bi]
			vars[b.name] = e.bindingValue(b)
			bi++
		}
		if vars == nil && len(n.funcs) == 0 {
			continue
		}
		ns := &scope{parent: s, vars: vars}
		ns.funcs = e.funcDefs(n.funcs, ns)
		s = ns
	}
	return s
}

// bindingValue is the value of a match variable: a string for {x}, a path
// for {x=**} (1.2), or the unknown value when a query leaves it open.
func (e *env) bindingValue(b binding) Value {
	if !b.known() {
		return e.unknown
	}
	if b.recursive {
		return pathFromSegments(b.segs)
	}
	return stringValue(b.segs[0])
}
