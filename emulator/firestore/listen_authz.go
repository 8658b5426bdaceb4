package firestore

import (
	"strings"
	"time"

	"github.com/roomgate/roomgate/emulator/rules"
)

// Rules for Listen. A target is decided when it is
// added: a documents target as a `get` of each document (like
// GetDocument), a query target as a `list` of the query (like RunQuery).
// The decision is then kept up to date: after any commit that changes a
// document the decision read through get()/exists() (recorded by
// recordingView), or a documents target's own document (its `resource`),
// or when the ruleset in force is no longer the one that decided, the
// target is decided again as of that commit, before the commit's changes
// are delivered. Access gone means the target is removed with
// PERMISSION_DENIED and gets nothing more: this is how a removed chat
// member's live listener stops, and why a commit that removes the member
// and adds a message in one batch never shows the member that message.
//
// Known limits: a rule depending on request.time alone is not
// re-evaluated as time passes, and a ruleset reloaded without any later
// commit takes effect on open targets at the next commit that reaches
// the stream.

// recordingView backs get()/exists() with the store as of a time and
// records the full name of every document looked up, found or not.
type recordingView struct {
	storeView
	read map[string]struct{}
}

func (v *recordingView) Lookup(path string) *rules.Document {
	if strings.HasPrefix(path, "/databases/") {
		v.read["projects/"+v.project+path] = struct{}{}
	}
	return v.storeView.Lookup(path)
}

// authorize decides lt for the stream's caller as of at and records what
// the decision depends on. It returns nil or the PERMISSION_DENIED status
// to send as the target's REMOVE cause.
func (ls *listenStream) authorize(lt *listenTarget, at time.Time) error {
	c := ls.caller
	lt.rs, lt.deps = nil, nil
	if c.admin {
		return nil
	}
	rs := ls.s.rulesFor(c)
	lt.rs = rs
	if rs == nil {
		return nil
	}
	rec := &recordingView{storeView: storeView{st: ls.s.st, project: ls.project, at: at}, read: map[string]struct{}{}}
	lt.deps = rec.read
	if lt.isQuery() {
		rq := toRulesQuery(lt.parent.full, lt.query)
		rq.Time = at
		rq.Before = rec
		return ls.s.decideQuery(ls.ctx, c, rq)
	}
	for _, n := range lt.order {
		d, err := ls.s.st.getAt(n.full, at)
		if err != nil {
			return err
		}
		if err := decideGetWith(rs, c, n, d, at, rec); err != nil {
			return err
		}
	}
	return nil
}

// needsReauth reports whether ev may change lt's decision.
func (ls *listenStream) needsReauth(lt *listenTarget, ev *commitEvent) bool {
	if ls.caller.admin {
		return false
	}
	if ls.s.rulesFor(ls.caller) != lt.rs {
		return true // rules loaded or replaced since the decision
	}
	if lt.rs == nil {
		return false
	}
	for _, ch := range ev.changes {
		if _, ok := lt.deps[ch.name]; ok {
			return true
		}
		if _, ok := lt.names[ch.name]; ok {
			return true // a documents target's resource changed
		}
	}
	return false
}
