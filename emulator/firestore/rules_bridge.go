package firestore

import (
	"context"
	"strings"
	"sync"
	"time"

	"cloud.google.com/go/firestore/apiv1/firestorepb"
	"github.com/roomgate/roomgate/emulator/rules"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// This file connects requests to the rules engine: which ruleset applies,
// what get()/exists() see, and how a denial becomes PERMISSION_DENIED.

// loadedRules is one compiled ruleset and its source.
type loadedRules struct {
	rs   *rules.Ruleset
	name string
	src  string
}

// rulesTable holds the rulesets in force.
type rulesTable struct {
	// mu guards def and byProject.
	mu        sync.RWMutex
	def       *loadedRules            // from Server.SetRules: every project without its own
	byProject map[string]*loadedRules // from PUT …/projects/{p}:securityRules

	warnOnce sync.Once // the loud "no rules" log line, once per server
}

func (t *rulesTable) set(project string, lr *loadedRules) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if project == "" {
		t.def = lr
		return
	}
	if t.byProject == nil {
		t.byProject = map[string]*loadedRules{}
	}
	t.byProject[project] = lr
}

// get returns the ruleset for project, or nil when none is loaded.
func (t *rulesTable) get(project string) *loadedRules {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if lr := t.byProject[project]; lr != nil {
		return lr
	}
	return t.def
}

// rulesFor returns the ruleset deciding c's requests, or nil when
// rules are skipped (admin) or none are loaded (allow everything, as
// Google's emulator does, and say so loudly once).
func (s *server) rulesFor(c caller) *rules.Ruleset {
	if c.admin {
		return nil
	}
	lr := s.rules.get(c.project)
	if lr == nil {
		s.rules.warnOnce.Do(func() {
			s.logf("WARNING: *** NO SECURITY RULES LOADED *** the Firestore emulator allows every read and write until rules are loaded (PUT /emulator/v1/projects/{p}:securityRules or Server.SetRules)")
		})
		return nil
	}
	return lr.rs
}

// denied turns an engine denial into PERMISSION_DENIED worded as
// Google's emulator words it: "\nfalse for 'create' @ L5"
// (firebase-tools#2155), and "No matching allow statements" when no
// allow statement applies (observed). Google's emulator names no write
// of a batch, so neither do we (a denied commit logs the full reason);
// a query denied on one of several disjuncts keeps the disjunct in the
// message. A nil denial, which the engine does not produce for a denied
// operation, gets Firestore's generic message.
func denied(dn *rules.Denial) error {
	switch {
	case dn == nil:
		return status.Error(codes.PermissionDenied, "Missing or insufficient permissions.")
	case dn.Kind == rules.DeniedNoMatch && dn.Disjunct == 0:
		return status.Error(codes.PermissionDenied, "No matching allow statements")
	}
	unnamed := *dn
	unnamed.Op = -1
	return status.Error(codes.PermissionDenied, "\n"+unnamed.String())
}

// storeView backs get()/exists() with the store as of at (zero: latest),
// taking the read lock per lookup. It must not be used while the store
// lock is held (use commitView then).
type storeView struct {
	st      *store
	project string
	at      time.Time
}

func (v storeView) Lookup(path string) *rules.Document {
	if !strings.HasPrefix(path, "/databases/") {
		return nil
	}
	d, err := v.st.getAt("projects/"+v.project+path, v.at)
	if err != nil {
		return nil
	}
	return toRulesDoc(d, v.project)
}

// commitView backs get()/exists() (after=false: the store before the
// commit) or getAfter()/existsAfter() (after=true: with every write of
// the commit applied) inside store.commit.
type commitView struct {
	x       *stx
	project string
	after   bool
}

func (v commitView) Lookup(path string) *rules.Document {
	if !strings.HasPrefix(path, "/databases/") {
		return nil
	}
	name := "projects/" + v.project + path
	if v.after {
		return toRulesDoc(v.x.lookup(name), v.project)
	}
	return toRulesDoc(v.x.stored(name), v.project)
}

// decideGet decides a single-document read of name (doc is its current
// state, nil if missing) at read time at.
func (s *server) decideGet(c caller, name docName, doc *firestorepb.Document, at time.Time) error {
	rs := s.rulesFor(c)
	if rs == nil {
		return nil
	}
	return decideGetWith(rs, c, name, doc, at, storeView{st: s.st, project: name.project, at: at})
}

// decideGetWith is decideGet under ruleset rs, with get()/exists() reading
// through before (Listen passes a view that records what was read).
func decideGetWith(rs *rules.Ruleset, c caller, name docName, doc *firestorepb.Document, at time.Time, before rules.Documents) error {
	d := rs.Decide(&rules.Request{
		Method:   rules.MethodGet,
		Path:     name.rulesPath(),
		Auth:     c.auth,
		Time:     at,
		Resource: toRulesDoc(doc, name.project),
		Before:   before,
	})
	if !d.Allowed {
		return denied(d.Denial)
	}
	return nil
}

// decideQuery decides a list operation (query, aggregation, listen on a
// query, ListDocuments). It returns nil or PERMISSION_DENIED; admin
// bypasses; with no rules loaded everything is allowed (logged once).
// q.Auth, q.Time and q.Before are filled in when unset; c.project must be
// set (callerFrom does it for unary RPCs).
func (s *server) decideQuery(ctx context.Context, c caller, q *rules.Query) error {
	if err := c.check(); err != nil {
		return err
	}
	if c.admin {
		return nil
	}
	if c.project == "" {
		// Deny by default: without the project we cannot pick the rules.
		return status.Error(codes.Internal, "emulator: request project unknown when deciding rules")
	}
	rs := s.rulesFor(c)
	if rs == nil {
		return nil
	}
	if q.Auth == nil {
		q.Auth = c.auth
	}
	if q.Time.IsZero() {
		q.Time = s.st.readTime()
	}
	if q.Before == nil {
		q.Before = storeView{st: s.st, project: c.project}
	}
	d := rs.DecideQuery(q)
	if !d.Allowed {
		return denied(d.Denial)
	}
	return nil
}
