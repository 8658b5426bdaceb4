package rules

import (
	"strings"
	"time"

	"cloud.google.com/go/firestore"
)

// Contract, messages: get and list if member; create if member with
// exactly senderId (the caller), text (a string of 1..4000 chars) and
// createdAt (the request time); update only by the sender, changing only
// text and editedAt (the request time); delete by the sender while a
// member, or by a moderator/admin whose role users/{uid} still records.
// Every write is refused once users/{uid} records a ban, before the
// service has removed the user from the room.

// now is serverTimestamp(): the only createdAt/editedAt the rules accept.
var now = firestore.ServerTimestamp

// newMsg is a valid new message from sender with text.
func newMsg(sender string, text any) map[string]any {
	return map[string]any{"senderId": sender, "text": text, "createdAt": now}
}

// with returns m plus the given key, value pairs; a nil value removes the
// key.
func with(m map[string]any, kv ...any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
			continue
		}
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

var bobGone = removed(memberPath(roomA, "bob"))
var aliceGone = removed(memberPath(roomA, "alice"))

// Changes the service has recorded in users/{uid} but not yet carried into
// the tokens (and, for a ban, not yet into the rooms): the callers below
// still hold tokens minted before.
var (
	// bobBanRecorded: bob is banned; he is still a member of roomA.
	bobBanRecorded = plus(userPath("bob"), map[string]any{"claimsVersion": int64(2), "chat": false, "role": "", "banned": true})
	// aliceBanRecorded: the same for alice.
	aliceBanRecorded = plus(userPath("alice"), map[string]any{"claimsVersion": int64(2), "chat": false, "role": "", "banned": true})
	// modDemoted: the moderator's role is back to user.
	modDemoted = plus(userPath("mod"), map[string]any{"claimsVersion": int64(2), "chat": true, "role": "user", "banned": false})
	// modBanRecorded: the moderator is banned (role unchanged).
	modBanRecorded = plus(userPath("mod"), map[string]any{"claimsVersion": int64(2), "chat": false, "role": "moderator", "banned": true})
	// adminDemoted: the admin's role is back to user.
	adminDemoted = plus(userPath("root"), map[string]any{"claimsVersion": int64(2), "chat": true, "role": "user"})
	// bobPromoted: bob is made a moderator; his token does not say so yet.
	bobPromoted = plus(userPath("bob"), map[string]any{"claimsVersion": int64(2), "chat": true, "role": "moderator", "banned": false})
	// modUnrecorded: a moderator claim the service never recorded.
	modUnrecorded = removed(userPath("mod"))
)

func messageReadCases() []ruleCase {
	return []ruleCase{
		{name: "member reads a message", as: bob, op: opGet, path: msgPath(roomA, "mAlice"), want: allow},
		{name: "member reads a missing message", as: bob, op: opGet, path: msgPath(roomA, "nope"), want: allow},
		{name: "member lists messages", as: bob, op: opList, path: msgsPath(roomA), want: allow, rows: 2},
		{name: "member queries messages by sender with a limit", as: alice, op: opQuery, path: msgsPath(roomA),
			where: []cond{{"senderId", "==", "bob"}}, limit: 10, want: allow, rows: 1},
		{name: "member pages messages in time order", as: bob, op: opQuery, path: msgsPath(roomA), order: "createdAt", limit: 50, want: allow, rows: 2},
		{name: "member counts messages", as: bob, op: opCount, path: msgsPath(roomA), want: allow, rows: 2},
		{name: "member listens to messages", as: bob, op: opListenQuery, path: msgsPath(roomA), order: "createdAt", want: allow, rows: 2},
		{name: "member listens to one message", as: bob, op: opListenDoc, path: msgPath(roomA, "mBob"), want: allow},
		{name: "explicit banned false is not banned", as: aliceNotBanned, op: opList, path: msgsPath(roomA), want: allow, rows: 2},

		{name: "non-member reads a message", as: carol, op: opGet, path: msgPath(roomA, "mAlice"), want: deny},
		{name: "non-member lists messages", as: carol, op: opList, path: msgsPath(roomA), want: deny},
		{name: "non-member counts messages", as: carol, op: opCount, path: msgsPath(roomA), want: deny},
		{name: "non-member listens to messages", as: carol, op: opListenQuery, path: msgsPath(roomA), want: deny},
		{name: "non-member queries messages naming a member as sender", as: carol, op: opQuery, path: msgsPath(roomA),
			where: []cond{{"senderId", "==", "carol"}}, want: deny},
		{name: "unauthenticated lists messages", as: nobody, op: opList, path: msgsPath(roomA), want: deny},
		{name: "unauthenticated reads a message", as: nobody, op: opGet, path: msgPath(roomA, "mAlice"), want: deny},
		{name: "member without chat claim lists messages", as: aliceNoChat, op: opList, path: msgsPath(roomA), want: deny},
		{name: "member with chat false reads", as: aliceChatFalse, op: opGet, path: msgPath(roomA, "mAlice"), want: deny},
		{name: "member with chat \"true\" string reads", as: aliceChatString, op: opGet, path: msgPath(roomA, "mAlice"), want: deny},
		{name: "banned member lists messages", as: aliceBanned, op: opList, path: msgsPath(roomA), want: deny},
		{name: "banned member reads a message", as: bobBanned, op: opGet, path: msgPath(roomA, "mBob"), want: deny},
		{name: "stale token after removal: list", as: bob, op: opList, path: msgsPath(roomA), state: bobGone, want: deny},
		{name: "stale token after removal: get", as: bob, op: opGet, path: msgPath(roomA, "mBob"), state: bobGone, want: deny},
		{name: "stale token after removal: listen", as: bob, op: opListenQuery, path: msgsPath(roomA), state: bobGone, want: deny},
		{name: "moderator who is not a member reads", as: mod, op: opList, path: msgsPath(roomA), want: deny},
	}
}

func messageCreateCases() []ruleCase {
	long := strings.Repeat("x", 4000)
	return []ruleCase{
		{name: "member adds a message with serverTimestamp", as: bob, op: opAdd, path: msgsPath(roomA), data: newMsg("bob", "hey"), want: allow},
		{name: "member creates a message at a chosen ID", as: alice, op: opCreate, path: msgPath(roomA, "m1"), data: newMsg("alice", "yo"), want: allow},
		{name: "member sets a new message", as: alice, op: opSet, path: msgPath(roomA, "m2"), data: newMsg("alice", "set"), want: allow},
		{name: "1-char text", as: bob, op: opAdd, path: msgsPath(roomA), data: newMsg("bob", "k"), want: allow},
		{name: "4000-char text", as: bob, op: opAdd, path: msgsPath(roomA), data: newMsg("bob", long), want: allow},
		{name: "4000 multi-byte chars", as: bob, op: opAdd, path: msgsPath(roomA), data: newMsg("bob", strings.Repeat("é", 4000)), want: allow},

		// Forgery and shape attacks by a member.
		{name: "forged senderId", as: bob, op: opAdd, path: msgsPath(roomA), data: newMsg("alice", "it was alice"), want: deny},
		{name: "empty senderId", as: bob, op: opAdd, path: msgsPath(roomA), data: newMsg("", "who"), want: deny},
		{name: "back-dated createdAt", as: bob, op: opAdd, path: msgsPath(roomA), data: with(newMsg("bob", "old"), "createdAt", ago(-time.Hour)), want: deny},
		{name: "future-dated createdAt", as: bob, op: opAdd, path: msgsPath(roomA), data: with(newMsg("bob", "soon"), "createdAt", ago(time.Hour)), want: deny},
		{name: "client clock createdAt", as: bob, op: opAdd, path: msgsPath(roomA), data: with(newMsg("bob", "now-ish"), "createdAt", ago(0)), want: deny},
		{name: "createdAt as a string", as: bob, op: opAdd, path: msgsPath(roomA), data: with(newMsg("bob", "t"), "createdAt", "2025-01-01T00:00:00Z"), want: deny},
		{name: "missing createdAt", as: bob, op: opAdd, path: msgsPath(roomA), data: with(newMsg("bob", "t"), "createdAt", nil), want: deny},
		{name: "missing text", as: bob, op: opAdd, path: msgsPath(roomA), data: with(newMsg("bob", "t"), "text", nil), want: deny},
		{name: "missing senderId", as: bob, op: opAdd, path: msgsPath(roomA), data: with(newMsg("bob", "t"), "senderId", nil), want: deny},
		{name: "extra field", as: bob, op: opAdd, path: msgsPath(roomA), data: with(newMsg("bob", "t"), "pinned", true), want: deny},
		{name: "editedAt on create", as: bob, op: opAdd, path: msgsPath(roomA), data: with(newMsg("bob", "t"), "editedAt", now), want: deny},
		{name: "empty document", as: bob, op: opAdd, path: msgsPath(roomA), data: map[string]any{}, want: deny},
		{name: "empty text", as: bob, op: opAdd, path: msgsPath(roomA), data: newMsg("bob", ""), want: deny},
		{name: "4001-char text", as: bob, op: opAdd, path: msgsPath(roomA), data: newMsg("bob", long+"x"), want: deny},
		{name: "numeric text", as: bob, op: opAdd, path: msgsPath(roomA), data: newMsg("bob", 42), want: deny},
		{name: "list text", as: bob, op: opAdd, path: msgsPath(roomA), data: newMsg("bob", []any{"hi"}), want: deny},
		{name: "map text", as: bob, op: opAdd, path: msgsPath(roomA), data: newMsg("bob", map[string]any{"t": "hi"}), want: deny},
		{name: "bytes text", as: bob, op: opAdd, path: msgsPath(roomA), data: newMsg("bob", []byte("hi")), want: deny},
		{name: "null text", as: bob, op: opAdd, path: msgsPath(roomA), data: map[string]any{"senderId": "bob", "text": nil, "createdAt": now}, want: deny},
		{name: "boolean text", as: bob, op: opAdd, path: msgsPath(roomA), data: newMsg("bob", true), want: deny},

		// Who may post.
		{name: "non-member posts", as: carol, op: opAdd, path: msgsPath(roomA), data: newMsg("carol", "let me in"), want: deny},
		{name: "non-member posts into a guessed room", as: carol, op: opAdd, path: msgsPath(roomGuess), data: newMsg("carol", "anyone?"), want: deny},
		{name: "stale token after removal: post", as: bob, op: opAdd, path: msgsPath(roomA), data: newMsg("bob", "still here?"), state: bobGone, want: deny},
		{name: "banned member posts", as: bobBanned, op: opAdd, path: msgsPath(roomA), data: newMsg("bob", "spam"), want: deny},
		{name: "member without chat claim posts", as: aliceNoChat, op: opAdd, path: msgsPath(roomA), data: newMsg("alice", "hi"), want: deny},
		{name: "unauthenticated posts", as: nobody, op: opAdd, path: msgsPath(roomA), data: newMsg("", "hi"), want: deny},
		{name: "moderator who is not a member posts", as: mod, op: opAdd, path: msgsPath(roomA), data: newMsg("mod", "hi"), want: deny},
		{name: "ban recorded, not yet applied: member with the old token posts", as: bob, op: opAdd, path: msgsPath(roomA), data: newMsg("bob", "spam"), state: bobBanRecorded, want: deny},
		{name: "member whose users/{uid} is missing posts", as: bob, op: opAdd, path: msgsPath(roomA), data: newMsg("bob", "hi"), state: removed(userPath("bob")), want: deny},
	}
}

func messageUpdateCases() []ruleCase {
	mA := msgPath(roomA, "mAlice")
	mB := msgPath(roomA, "mBob")
	edit := func(text any) map[string]any { return map[string]any{"text": text, "editedAt": now} }
	edited := plus(mA, map[string]any{"senderId": "alice", "text": "v1", "createdAt": t0, "editedAt": t0})
	return []ruleCase{
		{name: "sender edits text with editedAt", as: alice, op: opUpdate, path: mA, data: edit("hello, bob"), want: allow},
		{name: "sender edits an edited message again", as: alice, op: opUpdate, path: mA, data: edit("v2"), state: edited, want: allow},
		{name: "sender edits with set-merge", as: alice, op: opMerge, path: mA, data: edit("merged"), want: allow},
		{name: "sender overwrites with the full edited shape", as: alice, op: opSet, path: mA,
			data: map[string]any{"senderId": "alice", "text": "full", "createdAt": t0, "editedAt": now}, want: allow},
		{name: "sender edits to 4000 chars", as: alice, op: opUpdate, path: mA, data: edit(strings.Repeat("y", 4000)), want: allow},
		{name: "sender edits to 1 char", as: alice, op: opUpdate, path: mA, data: edit("k"), want: allow},

		{name: "member edits someone else's message", as: alice, op: opUpdate, path: mB, data: edit("bob never said this"), want: deny},
		{name: "member takes over someone else's message with a new-message shape", as: alice, op: opSet, path: mB, data: newMsg("alice", "mine now"), want: deny},
		{name: "moderator edits someone's message", as: mod, op: opUpdate, path: mB, data: edit("moderated"), want: deny},
		{name: "non-member edits a message", as: carol, op: opUpdate, path: mA, data: edit("x"), want: deny},
		{name: "sender changes senderId", as: alice, op: opUpdate, path: mA, data: map[string]any{"senderId": "bob", "text": "t", "editedAt": now}, want: deny},
		{name: "sender changes createdAt", as: alice, op: opUpdate, path: mA, data: map[string]any{"createdAt": now, "text": "t", "editedAt": now}, want: deny},
		{name: "sender edits without editedAt", as: alice, op: opUpdate, path: mA, data: map[string]any{"text": "sneaky"}, want: deny},
		{name: "sender back-dates editedAt", as: alice, op: opUpdate, path: mA, data: map[string]any{"text": "t", "editedAt": ago(-time.Hour)}, want: deny},
		{name: "sender future-dates editedAt", as: alice, op: opUpdate, path: mA, data: map[string]any{"text": "t", "editedAt": ago(time.Hour)}, want: deny},
		{name: "sender adds a field", as: alice, op: opUpdate, path: mA, data: with(edit("t"), "pinned", true), want: deny},
		{name: "sender deletes the text field", as: alice, op: opUpdate, path: mA, data: map[string]any{"text": firestore.Delete, "editedAt": now}, want: deny},
		{name: "sender empties the text", as: alice, op: opUpdate, path: mA, data: edit(""), want: deny},
		{name: "sender edits to 4001 chars", as: alice, op: opUpdate, path: mA, data: edit(strings.Repeat("y", 4001)), want: deny},
		{name: "sender edits to a number", as: alice, op: opUpdate, path: mA, data: edit(7), want: deny},
		{name: "sender edits to a list", as: alice, op: opUpdate, path: mA, data: edit([]any{"a"}), want: deny},
		{name: "stale token after removal: sender edits", as: alice, op: opUpdate, path: mA, data: edit("t"), state: aliceGone, want: deny},
		{name: "banned sender edits", as: aliceBanned, op: opUpdate, path: mA, data: edit("t"), want: deny},
		{name: "sender without chat claim edits", as: aliceNoChat, op: opUpdate, path: mA, data: edit("t"), want: deny},
		{name: "ban recorded, not yet applied: sender with the old token edits", as: alice, op: opUpdate, path: mA, data: edit("t"), state: aliceBanRecorded, want: deny},
	}
}

func messageDeleteCases() []ruleCase {
	mA := msgPath(roomA, "mAlice")
	mB := msgPath(roomA, "mBob")
	return []ruleCase{
		{name: "sender deletes own message", as: alice, op: opDelete, path: mA, want: allow},
		{name: "moderator deletes any message without being a member", as: mod, op: opDelete, path: mB, want: allow},
		{name: "admin deletes any message", as: admin, op: opDelete, path: msgPath(roomB, "mCarol"), want: allow},

		{name: "member deletes someone else's message", as: bob, op: opDelete, path: mA, want: deny},
		{name: "owner (room role) deletes someone else's message", as: alice, op: opDelete, path: mB, want: deny},
		{name: "role owner claim deletes someone else's message", as: bobRoleOwner, op: opDelete, path: mA, want: deny},
		{name: "role user claim deletes someone else's message", as: bobRoleUser, op: opDelete, path: mA, want: deny},
		{name: "non-member deletes a message", as: carol, op: opDelete, path: mA, want: deny},
		{name: "stale token after removal: sender deletes own", as: alice, op: opDelete, path: mA, state: aliceGone, want: deny},
		{name: "banned sender deletes own", as: aliceBanned, op: opDelete, path: mA, want: deny},
		{name: "banned moderator deletes", as: modBanned, op: opDelete, path: mB, want: deny},
		{name: "moderator without chat deletes", as: modNoChat, op: opDelete, path: mB, want: deny},
		{name: "sender without chat deletes own", as: aliceNoChat, op: opDelete, path: mA, want: deny},
		{name: "unauthenticated deletes", as: nobody, op: opDelete, path: mA, want: deny},

		// Moderator powers follow users/{uid}, not the token alone.
		{name: "demoted moderator with the old token deletes", as: mod, op: opDelete, path: mB, state: modDemoted, want: deny},
		{name: "ban recorded: moderator with the old token deletes", as: mod, op: opDelete, path: mB, state: modBanRecorded, want: deny},
		{name: "demoted admin with the old token deletes", as: admin, op: opDelete, path: msgPath(roomB, "mCarol"), state: adminDemoted, want: deny},
		{name: "moderator claim without users/{uid} deletes", as: mod, op: opDelete, path: mB, state: modUnrecorded, want: deny},
		{name: "promoted moderator with a refreshed token deletes", as: user{name: "bob promoted", uid: "bob", claims: chat("role", "moderator")}, op: opDelete, path: mA, state: bobPromoted, want: allow},
		{name: "promoted in users/{uid}, token not refreshed, deletes", as: bob, op: opDelete, path: mA, state: bobPromoted, want: deny},
		{name: "ban recorded: sender with the old token deletes own", as: alice, op: opDelete, path: mA, state: aliceBanRecorded, want: deny},
	}
}
