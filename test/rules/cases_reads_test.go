package rules

import (
	"strings"
	"time"
)

// Contract, read markers: rooms/{roomId}/reads/{uid} is get and list by
// members; create and update only by uid while a member, with exactly
// lastReadAt (the request time) and optionally lastReadMessageId (a
// document ID); never deleted by a client. Unread counts are a count()
// of messages after lastReadAt, under the messages list rule.

func readMarkerCases() []ruleCase {
	mine := readPath(roomA, "bob")
	marker := func(kv ...any) map[string]any { return with(map[string]any{"lastReadAt": now}, kv...) }
	bobRead := plus(mine, map[string]any{"lastReadAt": t0})
	return []ruleCase{
		{name: "member marks the room read", as: bob, op: opSet, path: mine, data: marker(), want: allow},
		{name: "member marks read up to a message", as: bob, op: opSet, path: mine, data: marker("lastReadMessageId", "mAlice"), want: allow},
		{name: "member moves own read marker", as: alice, op: opUpdate, path: readPath(roomA, "alice"), data: marker("lastReadMessageId", "mBob"), want: allow},
		{name: "member moves own read marker with set-merge", as: bob, op: opMerge, path: mine, data: marker(), state: bobRead, want: allow},
		{name: "1-char lastReadMessageId", as: bob, op: opSet, path: mine, data: marker("lastReadMessageId", "k"), want: allow},
		{name: "1500-char lastReadMessageId", as: bob, op: opSet, path: mine, data: marker("lastReadMessageId", strings.Repeat("m", 1500)), want: allow},
		{name: "member reads someone's read marker", as: bob, op: opGet, path: readPath(roomA, "alice"), want: allow},
		{name: "member lists read markers (seen by)", as: bob, op: opList, path: readsPath(roomA), want: allow, rows: 1},
		{name: "member counts unread messages after a read marker", as: bob, op: opCount, path: msgsPath(roomA),
			where: []cond{{"createdAt", ">", t0.Add(-time.Minute)}}, want: allow, rows: 2},
		{name: "member queries unread messages after a read marker", as: alice, op: opQuery, path: msgsPath(roomA),
			where: []cond{{"createdAt", ">", t0.Add(-time.Minute)}}, order: "createdAt", want: allow, rows: 2},

		{name: "member writes someone else's read marker", as: bob, op: opSet, path: readPath(roomA, "alice"), data: marker(), want: deny},
		{name: "member creates a read marker for another user", as: alice, op: opCreate, path: mine, data: marker(), want: deny},
		{name: "read marker at client time", as: bob, op: opSet, path: mine, data: marker("lastReadAt", ago(0)), want: deny},
		{name: "read marker in the future", as: bob, op: opSet, path: mine, data: marker("lastReadAt", ago(time.Hour)), want: deny},
		{name: "read marker in the past", as: bob, op: opSet, path: mine, data: marker("lastReadAt", ago(-time.Hour)), want: deny},
		{name: "read marker without lastReadAt", as: bob, op: opSet, path: mine, data: map[string]any{"lastReadMessageId": "mAlice"}, want: deny},
		{name: "read marker with an extra field", as: bob, op: opSet, path: mine, data: marker("unread", 0), want: deny},
		{name: "read marker update adding a field", as: alice, op: opUpdate, path: readPath(roomA, "alice"), data: marker("muted", true), want: deny},
		{name: "empty lastReadMessageId", as: bob, op: opSet, path: mine, data: marker("lastReadMessageId", ""), want: deny},
		{name: "1501-char lastReadMessageId", as: bob, op: opSet, path: mine, data: marker("lastReadMessageId", strings.Repeat("m", 1501)), want: deny},
		{name: "numeric lastReadMessageId", as: bob, op: opSet, path: mine, data: marker("lastReadMessageId", 7), want: deny},
		{name: "list lastReadMessageId", as: bob, op: opSet, path: mine, data: marker("lastReadMessageId", []any{"mAlice"}), want: deny},
		{name: "member deletes own read marker", as: alice, op: opDelete, path: readPath(roomA, "alice"), want: deny},
		{name: "non-member marks a room read", as: carol, op: opSet, path: readPath(roomA, "carol"), data: marker(), want: deny},
		{name: "non-member reads a read marker", as: carol, op: opGet, path: readPath(roomA, "alice"), want: deny},
		{name: "non-member lists read markers", as: carol, op: opList, path: readsPath(roomA), want: deny},
		{name: "non-member counts unread messages", as: carol, op: opCount, path: msgsPath(roomA),
			where: []cond{{"createdAt", ">", t0.Add(-time.Minute)}}, want: deny},
		{name: "stale token after removal: mark read", as: bob, op: opSet, path: mine, data: marker(), state: bobGone, want: deny},
		{name: "stale token after removal: list read markers", as: bob, op: opList, path: readsPath(roomA), state: bobGone, want: deny},
		{name: "banned member marks read", as: bobBanned, op: opSet, path: mine, data: marker(), want: deny},
		{name: "member without chat claim marks read", as: aliceNoChat, op: opUpdate, path: readPath(roomA, "alice"), data: marker(), want: deny},
		{name: "collection-group query on read markers", as: bob, op: opGroup, path: "reads", want: deny},
	}
}
