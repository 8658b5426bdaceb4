package rules

import "path"

// Contract: rooms get if member, never list, never write; members get and
// list if member, never write; no collection-group access to messages or
// members; users/{uid}/rooms get and list by that uid only, never write;
// users/{uid} get by that uid only (signed in, not banned, chat claim not
// needed), never write; every server-only collection closed.

func roomCases() []ruleCase {
	roomData := map[string]any{"createdBy": "alice", "createdAt": now, "title": "mine", "kind": "group", "memberCount": 1}
	return []ruleCase{
		{name: "owner reads room", as: alice, op: opGet, path: roomPath(roomA), want: allow},
		{name: "member reads room", as: bob, op: opGet, path: roomPath(roomA), want: allow},
		{name: "member listens to room", as: bob, op: opListenDoc, path: roomPath(roomA), want: allow},

		{name: "non-member who knows the ID reads room", as: carol, op: opGet, path: roomPath(roomA), want: deny},
		{name: "non-member listens to room", as: carol, op: opListenDoc, path: roomPath(roomA), want: deny},
		// A guessed ID is denied exactly like a real one: the rules never
		// confirm that a room exists.
		{name: "guessing a room ID that does not exist", as: carol, op: opGet, path: roomPath(roomGuess), want: deny},
		{name: "guessing a room's member document", as: mallory, op: opGet, path: memberPath(roomA, "alice"), want: deny},
		{name: "guessing a room's message ID", as: mallory, op: opGet, path: msgPath(roomA, "mAlice"), want: deny},
		{name: "unauthenticated reads room", as: nobody, op: opGet, path: roomPath(roomA), want: deny},
		{name: "member without chat claim reads room", as: aliceNoChat, op: opGet, path: roomPath(roomA), want: deny},
		{name: "banned member reads room", as: aliceBanned, op: opGet, path: roomPath(roomA), want: deny},
		{name: "banned member without chat reads room", as: aliceBannedOnly, op: opGet, path: roomPath(roomA), want: deny},
		{name: "stale token after removal: read room", as: bob, op: opGet, path: roomPath(roomA), state: bobGone, want: deny},
		{name: "moderator who is not a member reads room", as: mod, op: opGet, path: roomPath(roomA), want: deny},

		// Enumeration.
		{name: "member lists all rooms", as: alice, op: opList, path: "rooms", want: deny},
		{name: "member queries rooms they created", as: alice, op: opQuery, path: "rooms", where: []cond{{"createdBy", "==", "alice"}}, want: deny},
		{name: "member queries rooms by ID", as: alice, op: opQuery, path: "rooms", order: "title", limit: 1, want: deny},
		{name: "member counts rooms", as: alice, op: opCount, path: "rooms", want: deny},
		{name: "member listens to all rooms", as: alice, op: opListenQuery, path: "rooms", want: deny},
		{name: "admin lists all rooms", as: admin, op: opList, path: "rooms", want: deny},

		// Writes: only the service writes rooms.
		{name: "member creates a room", as: alice, op: opCreate, path: roomPath(roomGuess), data: roomData, want: deny},
		{name: "owner renames room", as: alice, op: opUpdate, path: roomPath(roomA), data: map[string]any{"title": "renamed"}, want: deny},
		{name: "owner turns push previews on", as: alice, op: opUpdate, path: roomPath(roomA), data: map[string]any{"pushPreview": true}, want: deny},
		{name: "member turns push previews on", as: bob, op: opUpdate, path: roomPath(roomA), data: map[string]any{"pushPreview": true}, want: deny},
		{name: "owner bumps memberCount", as: alice, op: opUpdate, path: roomPath(roomA), data: map[string]any{"memberCount": 99}, want: deny},
		{name: "owner overwrites room", as: alice, op: opSet, path: roomPath(roomA), data: roomData, want: deny},
		{name: "owner deletes room", as: alice, op: opDelete, path: roomPath(roomA), want: deny},
		{name: "admin deletes room", as: admin, op: opDelete, path: roomPath(roomA), want: deny},
	}
}

func memberCases() []ruleCase {
	memberData := map[string]any{"role": "member", "addedBy": "carol", "joinedAt": now}
	return []ruleCase{
		{name: "member reads a member document", as: bob, op: opGet, path: memberPath(roomA, "alice"), want: allow},
		{name: "member reads own member document", as: bob, op: opGet, path: memberPath(roomA, "bob"), want: allow},
		{name: "member lists members", as: bob, op: opList, path: membersPath(roomA), want: allow, rows: 2},
		{name: "member queries owners", as: bob, op: opQuery, path: membersPath(roomA), where: []cond{{"role", "==", "owner"}}, want: allow, rows: 1},
		{name: "member listens to members", as: alice, op: opListenQuery, path: membersPath(roomA), want: allow, rows: 2},

		{name: "non-member reads a member document", as: carol, op: opGet, path: memberPath(roomA, "alice"), want: deny},
		{name: "non-member lists members", as: carol, op: opList, path: membersPath(roomA), want: deny},
		{name: "non-member probes own membership", as: carol, op: opGet, path: memberPath(roomA, "carol"), want: deny},
		{name: "stale token after removal: list members", as: bob, op: opList, path: membersPath(roomA), state: bobGone, want: deny},
		{name: "banned member lists members", as: bobBanned, op: opList, path: membersPath(roomA), want: deny},
		{name: "member without chat lists members", as: aliceNoChat, op: opList, path: membersPath(roomA), want: deny},
		{name: "unauthenticated lists members", as: nobody, op: opList, path: membersPath(roomA), want: deny},

		// Writing member documents is joining, promoting or kicking:
		// only the service may.
		{name: "non-member joins a room", as: carol, op: opCreate, path: memberPath(roomA, "carol"), data: memberData, want: deny},
		{name: "non-member joins a room with set", as: carol, op: opSet, path: memberPath(roomA, "carol"), data: memberData, want: deny},
		{name: "owner adds a member directly", as: alice, op: opCreate, path: memberPath(roomA, "carol"), data: memberData, want: deny},
		{name: "member promotes self to owner", as: bob, op: opUpdate, path: memberPath(roomA, "bob"), data: map[string]any{"role": "owner"}, want: deny},
		{name: "member leaves by deleting own member document", as: bob, op: opDelete, path: memberPath(roomA, "bob"), want: deny},
		{name: "owner removes a member directly", as: alice, op: opDelete, path: memberPath(roomA, "bob"), want: deny},
		{name: "removed member re-adds self", as: bob, op: opCreate, path: memberPath(roomA, "bob"), data: memberData, state: bobGone, want: deny},
		{name: "admin adds self to a room", as: admin, op: opSet, path: memberPath(roomA, "root"), data: memberData, want: deny},
	}
}

func collectionGroupCases() []ruleCase {
	return []ruleCase{
		{name: "collection-group query on messages", as: bob, op: opGroup, path: "messages", want: deny},
		{name: "collection-group query on own messages", as: bob, op: opGroup, path: "messages", where: []cond{{"senderId", "==", "bob"}}, want: deny},
		{name: "collection-group query on messages with a limit", as: bob, op: opGroup, path: "messages", limit: 1, want: deny},
		{name: "collection-group query on members", as: bob, op: opGroup, path: "members", want: deny},
		{name: "collection-group query on members by role", as: alice, op: opGroup, path: "members", where: []cond{{"role", "==", "owner"}}, want: deny},
		{name: "collection-group query on rooms (user indexes)", as: alice, op: opGroup, path: "rooms", want: deny},
		{name: "collection-group query on messages by a moderator", as: mod, op: opGroup, path: "messages", want: deny},
		{name: "collection-group query on messages by an admin", as: admin, op: opGroup, path: "messages", want: deny},
	}
}

func userCases() []ruleCase {
	idx := map[string]any{"title": "Carol's notes", "kind": "group", "role": "member", "joinedAt": now}
	return []ruleCase{
		{name: "user reads own users doc", as: alice, op: opGet, path: userPath("alice"), want: allow},
		{name: "user without chat reads own users doc (to learn claims changed)", as: aliceNoChat, op: opGet, path: userPath("alice"), want: allow},
		{name: "user with chat false reads own users doc", as: aliceChatFalse, op: opGet, path: userPath("alice"), want: allow},
		{name: "user listens to own users doc", as: aliceNoChat, op: opListenDoc, path: userPath("alice"), want: allow},
		{name: "new user reads own missing users doc", as: mallory, op: opGet, path: userPath("mallory"), want: allow},

		{name: "users doc read by another user", as: bob, op: opGet, path: userPath("alice"), want: deny},
		{name: "users doc read by an admin", as: admin, op: opGet, path: userPath("alice"), want: deny},
		{name: "users doc read by a banned owner", as: aliceBanned, op: opGet, path: userPath("alice"), want: deny},
		{name: "users doc read by a banned owner without chat", as: aliceBannedOnly, op: opGet, path: userPath("alice"), want: deny},
		{name: "users doc read unauthenticated", as: nobody, op: opGet, path: userPath("alice"), want: deny},
		{name: "users collection listed", as: alice, op: opList, path: "users", want: deny},
		{name: "users collection queried for self", as: alice, op: opQuery, path: "users", where: []cond{{"claimsVersion", ">", 0}}, want: deny},
		{name: "user bumps own claimsVersion", as: alice, op: opUpdate, path: userPath("alice"), data: map[string]any{"claimsVersion": 2}, want: deny},
		{name: "user writes own users doc", as: alice, op: opSet, path: userPath("alice"), data: map[string]any{"claimsVersion": 9, "chat": true}, want: deny},
		{name: "new user creates own users doc", as: mallory, op: opCreate, path: userPath("mallory"), data: map[string]any{"claimsVersion": 1}, want: deny},
		{name: "user deletes own users doc", as: alice, op: opDelete, path: userPath("alice"), want: deny},

		// The per-user room index.
		{name: "user reads own room index entry", as: alice, op: opGet, path: indexPath("alice", roomA), want: allow},
		{name: "user lists own room index", as: alice, op: opList, path: indexesPath("alice"), want: allow, rows: 1},
		{name: "user queries own room index newest first", as: bob, op: opQuery, path: indexesPath("bob"), order: "joinedAt", limit: 20, want: allow, rows: 1},
		{name: "user listens to own room index", as: bob, op: opListenQuery, path: indexesPath("bob"), want: allow, rows: 1},
		{name: "another user lists someone's room index", as: bob, op: opList, path: indexesPath("alice"), want: deny},
		{name: "another user reads someone's index entry", as: carol, op: opGet, path: indexPath("alice", roomA), want: deny},
		{name: "admin lists someone's room index", as: admin, op: opList, path: indexesPath("carol"), want: deny},
		{name: "user without chat lists own room index", as: aliceNoChat, op: opList, path: indexesPath("alice"), want: deny},
		{name: "banned user lists own room index", as: aliceBanned, op: opList, path: indexesPath("alice"), want: deny},
		{name: "unauthenticated lists a room index", as: nobody, op: opList, path: indexesPath("alice"), want: deny},
		{name: "user adds a room to own index", as: alice, op: opCreate, path: indexPath("alice", roomB), data: idx, want: deny},
		{name: "user changes own role in own index", as: bob, op: opUpdate, path: indexPath("bob", roomA), data: map[string]any{"role": "owner"}, want: deny},
		{name: "user deletes own index entry", as: bob, op: opDelete, path: indexPath("bob", roomA), want: deny},
	}
}

func serverOnlyCases() []ruleCase {
	var cs []ruleCase
	docs := []string{"idempotency/alice-key-1", "directRooms/0f3a9c", "audit/e1", "readiness/roomgate-readiness-probe", "deletions/DeletedRoom00000000000",
		// Push: registration tokens (closed even to their owner), mutes
		// (closed even to room members) and delivery records.
		"users/alice/devices/alice-phone", "rooms/" + roomA + "/pushMutes/alice", "pushDeliveries/" + roomA + "_mAlice",
		"invites/5d1f0c", "userLookup/9a2b7e", "profileSettings/alice", "reports/7c4e1a", userPath("alice") + "/blocks/bob"}
	for _, p := range docs {
		coll := path.Dir(p)
		cs = append(cs,
			ruleCase{name: "server-only get", as: alice, op: opGet, path: p, want: deny},
			ruleCase{name: "server-only get by admin", as: admin, op: opGet, path: p, want: deny},
			ruleCase{name: "server-only list", as: alice, op: opList, path: coll, want: deny},
			ruleCase{name: "server-only set", as: alice, op: opSet, path: p, data: map[string]any{"forged": true}, want: deny},
			ruleCase{name: "server-only create", as: alice, op: opAdd, path: coll, data: map[string]any{"forged": true}, want: deny},
			ruleCase{name: "server-only delete", as: admin, op: opDelete, path: p, want: deny},
		)
	}
	return cs
}

// strayCases are paths no rule matches: subcollections nobody declared,
// where a modified client could otherwise stash data.
func strayCases() []ruleCase {
	return []ruleCase{
		{name: "reaction under a message", as: alice, op: opSet, path: msgPath(roomA, "mAlice") + "/reactions/alice", data: map[string]any{"emoji": "+1"}, want: deny},
		{name: "undeclared subcollection of a room", as: alice, op: opAdd, path: roomPath(roomA) + "/pins", data: map[string]any{"messageId": "mBob"}, want: deny},
		{name: "read of an undeclared subcollection of a room", as: bob, op: opList, path: roomPath(roomA) + "/pins", want: deny},
		{name: "subcollection under own member document", as: bob, op: opSet, path: memberPath(roomA, "bob") + "/prefs/p", data: map[string]any{"mute": true}, want: deny},
		{name: "undeclared top-level collection", as: alice, op: opSet, path: "settings/alice", data: map[string]any{"name": "Alice"}, want: deny},
		{name: "undeclared subcollection of a read marker", as: bob, op: opSet, path: readPath(roomA, "bob") + "/history/h1", data: map[string]any{"at": now}, want: deny},
		{name: "undeclared subcollection of own users doc", as: alice, op: opSet, path: userPath("alice") + "/devices/d1", data: map[string]any{"token": "x"}, want: deny},
	}
}

// allCases is the whole table, in a stable order.
func allCases() []ruleCase {
	var cs []ruleCase
	for _, f := range []func() []ruleCase{
		roomCases, memberCases, messageReadCases, messageCreateCases,
		messageUpdateCases, messageDeleteCases, collectionGroupCases,
		userCases, serverOnlyCases, strayCases,
		readMarkerCases, typingCases, slowModeCases, profileCases,
	} {
		cs = append(cs, f()...)
	}
	return cs
}
