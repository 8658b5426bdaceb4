package rules

import (
	"fmt"
	"sync"

	"github.com/roomgate/roomgate/emulator/rules/ast"
)

// This file decides single-document operations and holds the evaluation
// loop that batches and queries share.
//
// Applicable allow statements (those of every match block whose pattern
// matches the whole path, covering the method per table 1.5) are
// evaluated in source order and OR-ed: the first one that is true grants
// and the rest are not evaluated, as `a || b` would not evaluate b, so
// they cost no access calls. An error in one does not stop the next.

// Decide decides one single-document operation (get, create, update,
// delete). When req.After is nil, getAfter()/existsAfter() see req.Before
// with this request's write applied (create/update: req.Incoming; delete:
// the document is absent).
func (rs *Ruleset) Decide(req *Request) Decision {
	return rs.decide(req, nil, nil)
}

// decide is Decide with an optional batch budget and post-batch view.
func (rs *Ruleset) decide(req *Request, batch *batchBudget, batchAfter Documents) Decision {
	if req == nil {
		return invalid("no request")
	}
	bit := methodBit(req.Method)
	if bit == 0 || bit == mList {
		return invalid(fmt.Sprintf("%q is not a single-document method (want get, create, update or delete)", req.Method))
	}
	st := docStates.Get().(*docState)
	d := rs.decideIn(st, req, bit, batch, batchAfter)
	st.clear()
	docStates.Put(st)
	return d
}

// decideIn is decide with its state held in st, which must be zero but
// for the call frames kept from an earlier use.
func (rs *Ruleset) decideIn(st *docState, req *Request, bit methodSet, batch *batchBudget, batchAfter Documents) Decision {
	segs, ok := documentSegments(st.segs[:0], req.Path)
	if !ok {
		return invalid(fmt.Sprintf("%q is not a document path /databases/{database}/documents/{collection}/{document}", req.Path))
	}
	after := req.After
	if after == nil {
		after = batchAfter
	}
	if after == nil {
		after = st.singleWrite(req)
	}
	st.access.before, st.access.after, st.access.opCap, st.access.batch = req.Before, after, maxAccessPerOp, batch
	st.ctx.access, st.ctx.database, st.ctx.argStack = &st.access, segs[1], st.args[:0]
	apps := findApplicableIn(rs.roots, segs, rs.version, st.apps[:0], st.binds[:0])
	request, resource := requestVars(&st.vals, req, segs)
	st.env.initDoc(rs, request, resource)
	return rs.judge(job{
		method: req.Method, bit: bit, path: req.Path, ctx: &st.ctx, apps: apps,
		env: &st.env,
	})
}

// docState is the per-decision state of a single-document decision, in
// one piece, and reused through docStates.
//
// Reuse is safe because nothing of it outlives the decision: the Decision
// returned holds only strings, ints and Outcomes allocated on their own;
// values built during evaluation are dropped with the state; and the
// caller's Documents see only path strings. release clears everything
// but the call frames' storage before the state goes back to the pool,
// so no request data stays reachable from it (TestDocStateCleared).
type docState struct {
	ctx    evalContext
	access accessTracker
	env    env
	write  oneWrite
	vals   valueArena
	args   [8]Value   // initial argument stack
	segs   [12]string // the request path, split, when it fits
	apps   [2]applicable
	binds  [8]binding
}

var docStates = sync.Pool{New: func() any { return new(docState) }}

// clear returns st to its zero state, but for the call frames' storage.
func (st *docState) clear() {
	st.ctx.reset()
	st.access.reset()
	st.env.reset()
	st.write = oneWrite{}
	st.vals.reset()
	clear(st.args[:])
	clear(st.segs[:])
	clear(st.apps[:])
	clear(st.binds[:])
}

// singleWrite is the post-write view of one request: its Before with its
// own write applied (reads see Before unchanged), held in st.
func (st *docState) singleWrite(r *Request) Documents {
	doc, ok := writtenDoc(r)
	if !ok {
		return r.Before
	}
	st.write = oneWrite{base: r.Before, path: r.Path, doc: doc}
	return &st.write
}

// documentSegments splits a full document path into dst[:0] and checks
// its shape: /databases/{database}/documents/{collection}/{document}[/...].
func documentSegments(dst []string, p string) ([]string, bool) {
	segs, ok := splitPathInto(dst, p)
	if !ok || len(segs) < 5 || len(segs) > maxRequestSegments || segs[0] != "databases" || segs[2] != "documents" || (len(segs)-3)%2 != 0 {
		return nil, false
	}
	return segs, true
}

// job is one evaluation of the applicable allows for one method.
type job struct {
	method Method
	bit    methodSet
	path   string // for the reason when nothing matches
	ctx    *evalContext
	env    *env
	apps   []applicable
	// cond returns the condition to evaluate for an allow; nil means the
	// allow's own condition (queries substitute rewritten ones).
	cond func(*allowRule) ast.Expr
}

// pendingAllow is an applicable allow with the scope it runs in.
type pendingAllow struct {
	rule  *allowRule
	scope *scope
}

// judge evaluates the applicable allows of j and builds the decision.
func (rs *Ruleset) judge(j job) Decision {
	j.ctx.rw = j.env.rw
	j.ctx.consts = rs.consts
	var buf [8]pendingAllow
	pending := buf[:0]
	for _, app := range j.apps {
		var sc *scope
		for _, r := range app.node.allows {
			if r.methods&j.bit == 0 {
				continue
			}
			if sc == nil {
				sc = j.env.scopeFor(app)
			}
			pending = append(pending, pendingAllow{rule: r, scope: sc})
		}
	}
	// Source order across blocks (insertion sort: the list is short).
	for i := 1; i < len(pending); i++ {
		for k := i; k > 0 && pending[k].rule.decl.Pos.Offset < pending[k-1].rule.decl.Pos.Offset; k-- {
			pending[k], pending[k-1] = pending[k-1], pending[k]
		}
	}

	d := Decision{method: j.method}
	if len(pending) == 0 {
		d.Denial = &Denial{Kind: DeniedNoMatch, Op: -1, Method: j.method, Path: j.path}
		return d
	}
	d.Outcomes = make([]Outcome, 0, len(pending))
	granted := -1
	for _, p := range pending {
		o := rs.evalAllow(j, p)
		d.Outcomes = append(d.Outcomes, o)
		if o.Result == ResultTrue {
			granted = len(d.Outcomes) - 1
			break
		}
	}
	d.AccessCalls = j.ctx.access.calls()
	switch limit := limitHit(j.ctx); {
	case limit != 0:
		// A refused access call denies even if a later allow granted.
		d.Denial = &Denial{Kind: DeniedLimit, Op: -1, Method: j.method, Path: j.path, Limit: limit, Outcomes: d.Outcomes}
	case granted >= 0:
		d.Allowed = true
		d.Granted = &d.Outcomes[granted]
	default:
		d.Denial = &Denial{Kind: DeniedConditions, Op: -1, Method: j.method, Path: j.path, Outcomes: d.Outcomes}
	}
	return d
}

// evalAllow evaluates one allow and records coverage.
func (rs *Ruleset) evalAllow(j job, p pendingAllow) Outcome {
	r := p.rule
	o := Outcome{Line: r.decl.Pos.Line, Col: r.decl.Pos.Col, Match: r.node.pattern, Condition: r.decl.Text}
	cond := r.decl.Cond
	if j.cond != nil {
		cond = j.cond(r)
	}
	if cond == nil {
		o.Result = ResultTrue
	} else {
		_, o.Result, o.Err = evalCondition(j.ctx, cond, p.scope)
	}
	r.record(o.Result)
	return o
}
