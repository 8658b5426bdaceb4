package rules

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
)

// The world every case starts from: two rooms with random-looking IDs of
// the service's shape, their members, messages, the per-user index and
// users/{uid} documents, and one document in each server-only collection.
const (
	roomA = "Q3xv9TnL2pWkR7sYb4MdHc" // alice (owner) and bob
	roomB = "Zk8P1mWq4RtY6uI0oPaS2d" // carol only
	// roomGuess is an ID of the right shape that no room has.
	roomGuess = "Aa1Bb2Cc3Dd4Ee5Ff6Gg7H"
)

func roomPath(r string) string        { return "rooms/" + r }
func memberPath(r, uid string) string { return "rooms/" + r + "/members/" + uid }
func membersPath(r string) string     { return "rooms/" + r + "/members" }
func msgPath(r, id string) string     { return "rooms/" + r + "/messages/" + id }
func msgsPath(r string) string        { return "rooms/" + r + "/messages" }
func userPath(uid string) string      { return "users/" + uid }
func indexPath(uid, r string) string  { return "users/" + uid + "/rooms/" + r }
func indexesPath(uid string) string   { return "users/" + uid + "/rooms" }
func readPath(r, uid string) string   { return "rooms/" + r + "/reads/" + uid }
func readsPath(r string) string       { return "rooms/" + r + "/reads" }
func typingPath(r, uid string) string { return "rooms/" + r + "/typing/" + uid }
func typingsPath(r string) string     { return "rooms/" + r + "/typing" }
func postingPath(r, uid string) string {
	return "rooms/" + r + "/posting/" + uid
}
func profilePath(uid string) string { return "profiles/" + uid }

// chat is the claims of an admitted user plus extra pairs.
func chat(extra ...any) map[string]any { return claims(append([]any{"chat", true}, extra...)...) }

// claims builds a claims map from key, value pairs.
func claims(kv ...any) map[string]any {
	m := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

// Who makes requests. Tokens carry claims exactly as roomgate sets them:
// chat after admission, role for moderators and admins, banned after a ban
// (a token minted before the ban still says chat: true until it expires,
// which the stale-token cases use).
var (
	nobody  = user{name: "unauthenticated"}
	alice   = user{name: "alice", uid: "alice", claims: chat()}
	bob     = user{name: "bob", uid: "bob", claims: chat()}
	carol   = user{name: "carol", uid: "carol", claims: chat()}
	mallory = user{name: "mallory", uid: "mallory", claims: chat()}
	mod     = user{name: "moderator", uid: "mod", claims: chat("role", "moderator")}
	admin   = user{name: "admin", uid: "root", claims: chat("role", "admin")}

	aliceNoChat     = user{name: "alice without chat claim", uid: "alice", claims: claims()}
	aliceChatFalse  = user{name: "alice with chat false", uid: "alice", claims: claims("chat", false)}
	aliceChatString = user{name: "alice with chat \"true\" (string)", uid: "alice", claims: claims("chat", "true")}
	aliceBanned     = user{name: "alice banned (stale chat claim)", uid: "alice", claims: chat("banned", true)}
	aliceBannedOnly = user{name: "alice banned, no chat", uid: "alice", claims: claims("banned", true)}
	aliceNotBanned  = user{name: "alice with banned false", uid: "alice", claims: chat("banned", false)}
	bobBanned       = user{name: "bob banned (stale chat claim)", uid: "bob", claims: chat("banned", true)}
	modBanned       = user{name: "moderator banned", uid: "mod", claims: chat("role", "moderator", "banned", true)}
	modNoChat       = user{name: "moderator without chat", uid: "mod", claims: claims("role", "moderator")}
	bobRoleUser     = user{name: "bob with role user", uid: "bob", claims: chat("role", "user")}
	bobRoleOwner    = user{name: "bob with role owner", uid: "bob", claims: chat("role", "owner")}
)

// t0 is when the fixture's documents were written.
var t0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// world is the base state of every case, by document path.
func world() map[string]map[string]any {
	room := func(owner, title string, n int) map[string]any {
		return map[string]any{"createdBy": owner, "createdAt": t0, "title": title, "kind": "group", "memberCount": int64(n)}
	}
	member := func(role, by string) map[string]any {
		return map[string]any{"role": role, "addedBy": by, "joinedAt": t0}
	}
	msg := func(sender, text string) map[string]any {
		return map[string]any{"senderId": sender, "text": text, "createdAt": t0}
	}
	index := func(title, role string) map[string]any {
		return map[string]any{"title": title, "kind": "group", "role": role, "joinedAt": t0}
	}
	return map[string]map[string]any{
		roomPath(roomA):            room("alice", "Team", 2),
		memberPath(roomA, "alice"): member("owner", "alice"),
		memberPath(roomA, "bob"):   member("member", "alice"),
		msgPath(roomA, "mAlice"):   msg("alice", "hello bob"),
		msgPath(roomA, "mBob"):     msg("bob", "hi alice"),
		roomPath(roomB):            room("carol", "Carol's notes", 1),
		memberPath(roomB, "carol"): member("owner", "carol"),
		msgPath(roomB, "mCarol"):   msg("carol", "note to self"),

		// Chat state kept by members: alice has read up to t0, and her
		// typing indicator from then has long expired.
		readPath(roomA, "alice"):   {"lastReadAt": t0, "lastReadMessageId": "mAlice"},
		typingPath(roomA, "alice"): {"expiresAt": t0.Add(5 * time.Second)},

		// Profiles, written by the service.
		profilePath("alice"): {"displayName": "Alice", "avatarUrl": "https://example.com/a.png"},
		profilePath("bob"):   {"displayName": "Bob", "avatarUrl": ""},

		userPath("alice"):         {"claimsVersion": int64(1)},
		userPath("bob"):           {"claimsVersion": int64(1)},
		userPath("carol"):         {"claimsVersion": int64(1)},
		userPath("mod"):           {"claimsVersion": int64(1), "chat": true, "role": "moderator", "banned": false},
		userPath("root"):          {"claimsVersion": int64(1), "chat": true, "role": "admin"},
		indexPath("alice", roomA): index("Team", "owner"),
		indexPath("bob", roomA):   index("Team", "member"),
		indexPath("carol", roomB): index("Carol's notes", "owner"),

		// Server-only collections.
		"idempotency/alice-key-1":             {"uid": "alice", "status": 201, "roomId": roomA},
		"directRooms/0f3a9c":                  {"roomId": roomB},
		"audit/e1":                            {"actor": "root", "target": "bob", "action": "ban", "at": t0},
		"readiness/roomgate-readiness-probe":  {"ok": true},
		"deletions/DeletedRoom00000000000":    {"requestedBy": "carol", "leaseHolder": "", "leaseUntil": t0},
		"users/alice/devices/alice-phone":     {"uid": "alice", "token": "fcm-token-alice:APA91b", "platform": "ios"},
		"rooms/" + roomA + "/pushMutes/alice": {"mutedAt": t0},
		"pushDeliveries/" + roomA + "_mAlice": {"state": "sent", "roomId": roomA, "messageId": "mAlice"},
		"invites/5d1f0c":                      {"inviteId": "i1", "roomId": roomA, "createdBy": "alice", "maxUses": int64(1), "uses": int64(0), "revoked": false},
		"userLookup/9a2b7e":                   {"uid": "bob"},
		"profileSettings/alice":               {"discoverable": true, "lookupKey": "9a2b7e"},
		"reports/7c4e1a":                      {"reporter": "alice", "roomId": roomA, "messageId": "mBob", "text": "hi", "reason": "spam"},
		userPath("alice") + "/blocks/bob":     {"createdAt": t0},
	}
}

// state is a change to the world for one case: documents removed (a
// member removed by the service) and documents added or replaced.
type state struct {
	without []string
	with    map[string]map[string]any
}

// removed is the world without the given documents.
func removed(paths ...string) state { return state{without: paths} }

// plus is the world with an extra or replaced document.
func plus(path string, data map[string]any) state {
	return state{with: map[string]map[string]any{path: data}}
}

// key names the state so consecutive cases over the same state share one
// seeding.
func (s state) key() string {
	parts := []string{"base"}
	for _, p := range s.without {
		parts = append(parts, "-"+p)
	}
	var with []string
	for p, d := range s.with {
		with = append(with, fmt.Sprintf("+%s=%v", p, d))
	}
	sort.Strings(with)
	return strings.Join(append(parts, with...), " ")
}

// docs is the full set of documents of the state.
func (s state) docs() map[string]map[string]any {
	w := world()
	for _, p := range s.without {
		delete(w, p)
	}
	for p, d := range s.with {
		w[p] = d
	}
	return w
}

// prepare makes the store hold exactly s, reseeding only when the store
// holds something else (another state, or the leftovers of a write).
func (h *harness) prepare(ctx context.Context, s state) error {
	k := s.key()
	if h.seeded == k {
		return nil
	}
	if err := h.clear(); err != nil {
		return err
	}
	b := h.admin.Batch()
	for p, d := range s.docs() {
		b.Set(h.admin.Doc(p), resolve(d))
	}
	if _, err := b.Commit(ctx); err != nil {
		return fmt.Errorf("seed as admin: %w", err)
	}
	h.seeded = k
	return nil
}
