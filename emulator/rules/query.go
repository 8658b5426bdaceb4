package rules

import (
	"fmt"
	"strings"
	"sync"

	"github.com/roomgate/roomgate/emulator/rules/ast"
)

// This file decides list operations: queries,
// aggregations, listens on queries and ListDocuments.
//
// Q9 (how `list` is decided): by constraint implication, never by looking
// at stored documents. The document a query may return is symbolic: its
// ID is unknown (a wildcard capturing it is the unknown value), its data
// is known only through the query's filters (query_facts.go,
// query_rewrite.go). The filter is split into disjuncts (OR branches, `in`
// and `array-contains-any` values); every disjunct must be allowed on its
// own, each by the allows applicable to it. Conditions that do not touch
// `resource` (request.auth, exists() on a path built from known wildcards,
// request.query.limit) evaluate normally. Whatever cannot be proven
// denies.
//
// Other decisions, each the safer one:
//   - A match block whose last segment is a literal document ID never
//     grants a list: the query may return other IDs. (A `__name__ ==`
//     filter on a document of the queried collection makes the ID known.)
//   - A collection-group query (AllDescendants) is granted only by blocks
//     whose pattern holds for every possible parent, that is a recursive
//     wildcard absorbing the parents (/{path=**}/posts/{post}); a rule on
//     one parent (/rooms/{roomId}/messages/{m}) does not grant it. Under
//     rules_version 1 collection-group queries are always denied (FS, FQ:
//     they need v2).
//   - request.path is the queried collection's path (as Google's
//     emulator binds it; /databases/(default)/documents/rooms/r1/messages);
//     for a collection-group query it is the unknown value.
//   - A recursive wildcard whose capture the query leaves open is an
//     unknown path: `p is path` and `p != null` hold (as Google's emulator
//     proves them), anything else about it is unknown. A single wildcard
//     capturing the unknown document ID is wholly unknown (Google's
//     emulator answers "Null value error" even for `d is string`).
//   - One access tracker and one expression budget serve all disjuncts of
//     a query (10 access calls per query request, FL); repeated lookups
//     across disjuncts hit the cache.

// queryState is the per-query state of a list decision, in one piece and
// reused through queryStates, as docState is (decide.go).
type queryState struct {
	ctx    evalContext
	access accessTracker
	vals   valueArena
	args   [8]Value // initial argument stack
	// unknown is the value a query leaves open; unknownPath is one known
	// to be a path (a recursive wildcard's capture).
	unknown, unknownPath *errorV
}

var queryStates = sync.Pool{New: func() any { return new(queryState) }}

// release clears st and returns it to queryStates.
func (st *queryState) release() {
	st.ctx.reset()
	st.unknown, st.unknownPath = nil, nil
	st.access.reset()
	st.vals.reset()
	clear(st.args[:])
	queryStates.Put(st)
}

// DecideQuery decides a list operation from the query's constraints alone
// (rules are not filters): allowed only if every document the query could
// return is provably readable.
func (rs *Ruleset) DecideQuery(q *Query) Decision {
	if q == nil {
		return invalid("no query")
	}
	parent, ok := splitPath(q.Parent)
	if !ok || len(parent) < 3 || len(parent) > maxRequestSegments || parent[0] != "databases" || parent[2] != "documents" || (len(parent)-3)%2 != 0 {
		return invalid(fmt.Sprintf("%q is not a parent path /databases/{database}/documents[/{collection}/{document}...]", q.Parent))
	}
	if q.CollectionID == "" || strings.Contains(q.CollectionID, "/") {
		return invalid(fmt.Sprintf("%q is not a collection ID", q.CollectionID))
	}
	if q.AllDescendants && rs.version < 2 {
		return invalid("collection-group queries need rules_version = '2'")
	}
	ds, err := disjuncts(q.Where)
	if err != nil {
		return invalid(err.Error())
	}
	database := parent[1]
	collPath := q.Parent + "/" + q.CollectionID

	st := queryStates.Get().(*queryState)
	defer st.release()
	unknown := &errorV{msg: unknownText}
	st.unknown, st.unknownPath = unknown, &errorV{msg: unknownText, typ: pathFromSegments(nil)}
	// request.path is the queried collection's path, as Google's emulator
	// binds it; a collection group has none (unknown).
	var reqPath Value = unknown
	if !q.AllDescendants {
		reqPath = pathFromSegments(append(append(make([]string, 0, len(parent)+1), parent...), q.CollectionID))
	}
	request := st.vals.record(
		namedValue{"auth", authValueIn(&st.vals, q.Auth)},
		namedValue{"method", methodValues[MethodList]},
		namedValue{"path", reqPath},
		namedValue{"time", timestampValue(requestTime(q.Time))},
		// request.resource is undefined on list (Google's emulator).
		namedValue{"query", queryValue(&st.vals, q, len(parent) == 3)},
	)
	// st is zero but for the call frames kept from an earlier use.
	st.access.before, st.access.after, st.access.opCap = q.Before, q.Before, maxAccessPerOp
	st.ctx.access, st.ctx.database, st.ctx.argStack = &st.access, database, st.args[:0]
	ctx := &st.ctx

	out := Decision{method: MethodList, disjuncts: len(ds)}
	for i, d0 := range ds {
		vs := d0.variants()
		for _, d := range vs {
			dd := rs.judgeDisjunct(q, d, parent, collPath, request, ctx, st)
			if out.Outcomes == nil {
				out.Outcomes = dd.Outcomes // the common single disjunct: no copy
			} else {
				out.Outcomes = append(out.Outcomes, dd.Outcomes...)
			}
			out.AccessCalls = dd.AccessCalls
			if !dd.Allowed {
				out.Denial = dd.Denial
				if len(ds) > 1 || len(vs) > 1 {
					out.Denial.Disjunct, out.Denial.Disjuncts, out.Denial.DisjunctText = i+1, len(ds), d.text()
				}
				return out
			}
			if out.Granted == nil {
				out.Granted = dd.Granted
			}
		}
	}
	out.Allowed = true
	return out
}

// judgeDisjunct decides one disjunct (or numeric variant) of q.
func (rs *Ruleset) judgeDisjunct(q *Query, d *disjunct, parent []string, collPath string, request Value, ctx *evalContext, st *queryState) Decision {
	segs := make([]string, 0, len(parent)+3)
	segs = append(segs, parent...)
	if q.AllDescendants {
		segs = append(segs, segAnyParents)
	}
	// A __name__ equality pins the document ID for the match
	// variables, but resource.id and resource['__name__'] stay unknown:
	// Google's emulator answers "Variable read error" for them.
	id := segUnknownID
	if d.name != "" && !q.AllDescendants && strings.HasPrefix(d.name, collPath+"/") && !strings.Contains(d.name[len(collPath)+1:], "/") && d.name[len(collPath)+1:] != "" {
		id = d.name[len(collPath)+1:]
	}
	segs = append(segs, q.CollectionID, id)

	unknown := st.unknown
	vars := map[string]Value{
		"request":  request,
		"resource": st.vals.record(namedValue{"data", unknown}, namedValue{"id", unknown}, namedValue{"__name__", unknown}),
		unknownVar: unknown,
	}
	var rw *rewriter
	var cond func(*allowRule) ast.Expr
	if rs.readsResource {
		rw = newRewriter(d, vars, rs.funcs)
		cond = rw.cond
	}
	e := newEnv(rs, vars, rw)
	e.unknown, e.unknownPath = unknown, st.unknownPath
	return rs.judge(job{
		method: MethodList, bit: mList, path: collPath, ctx: ctx, env: e,
		apps: findApplicable(rs.roots, segs, rs.version),
		cond: cond,
	})
}
