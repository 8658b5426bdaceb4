package rules

import "time"

// Contract, slow mode: while rooms/{roomId}.slowModeSeconds (written by
// the service) is a positive integer, a new message must be batched with
// the sender's rooms/{roomId}/posting/{uid} = {lastPostAt: request time,
// messageId: the new message's ID}, and the record as it stood before must
// be absent or at least slowModeSeconds old. Absent or 0 is off. The
// posting record is get and written (exact shape) only by uid while a
// member, never deleted.

// slowRoom is room A with slow mode set to seconds (any value).
func slowRoom(seconds any) map[string]any {
	return map[string]any{"createdBy": "alice", "createdAt": t0, "title": "Team", "kind": "group", "memberCount": int64(2), "slowModeSeconds": seconds}
}

// slowState is the world with room A's slowModeSeconds set and, when
// posting is not nil, bob's posting record.
func slowState(seconds any, posting map[string]any) state {
	s := state{with: map[string]map[string]any{roomPath(roomA): slowRoom(seconds)}}
	if posting != nil {
		s.with[postingPath(roomA, "bob")] = posting
	}
	return s
}

func slowModeCases() []ruleCase {
	const hour = int64(3600)
	rec := postingPath(roomA, "bob")
	// posted is bob's posting record rewritten in the batch, naming the
	// message sent.
	posted := []write{{op: opSet, path: rec, data: map[string]any{"lastPostAt": now, "messageId": caseID{}}}}
	postedAs := func(data map[string]any) []write { return []write{{op: opSet, path: rec, data: data}} }
	slowFresh := slowState(hour, nil)
	slowOld := slowState(hour, map[string]any{"lastPostAt": t0, "messageId": "mBob"})
	slowRecent := slowState(hour, map[string]any{"lastPostAt": ago(-time.Minute), "messageId": "mBob"})
	msg := newMsg("bob", "hi")
	return []ruleCase{
		{name: "slow mode 0: plain add", as: bob, op: opAdd, path: msgsPath(roomA), data: msg, state: slowState(int64(0), nil), want: allow},
		{name: "slow mode off: add batched with a posting record", as: bob, op: opAdd, path: msgsPath(roomA), data: msg, also: posted, want: allow},
		{name: "slow mode: first post, batched", as: bob, op: opAdd, path: msgsPath(roomA), data: msg, also: posted, state: slowFresh, want: allow},
		{name: "slow mode: post after the pause, batched", as: bob, op: opAdd, path: msgsPath(roomA), data: msg, also: posted, state: slowOld, want: allow},
		{name: "slow mode: post at a chosen ID after the pause, batched", as: bob, op: opCreate, path: msgPath(roomA, "m1"), data: msg, also: posted, state: slowOld, want: allow},
		{name: "posting record written alone", as: bob, op: opSet, path: rec, data: map[string]any{"lastPostAt": now, "messageId": "m1"}, want: allow},
		{name: "member reads own posting record", as: bob, op: opGet, path: rec, state: slowRecent, want: allow},

		{name: "slow mode: plain add", as: bob, op: opAdd, path: msgsPath(roomA), data: msg, state: slowFresh, want: deny},
		{name: "slow mode: post within the pause, batched", as: bob, op: opAdd, path: msgsPath(roomA), data: msg, also: posted, state: slowRecent, want: deny},
		{name: "slow mode: posting record naming another message", as: bob, op: opAdd, path: msgsPath(roomA), data: msg,
			also: postedAs(map[string]any{"lastPostAt": now, "messageId": "other"}), state: slowOld, want: deny},
		{name: "slow mode: two messages in one batch", as: bob, op: opAdd, path: msgsPath(roomA), data: msg,
			also: append([]write{{op: opCreate, path: msgPath(roomA, "m2"), data: newMsg("bob", "and again")}}, posted...), state: slowOld, want: deny},
		// A client clock one second fast: ago(0) could equal request.time
		// to the stored precision and the case would then pass or fail by
		// luck (it did, in the weakened-rules check).
		{name: "slow mode: posting record at client time", as: bob, op: opAdd, path: msgsPath(roomA), data: msg,
			also: postedAs(map[string]any{"lastPostAt": ago(time.Second), "messageId": caseID{}}), state: slowOld, want: deny},
		{name: "slow mode: re-sending at the ID the stored record names", as: bob, op: opCreate, path: msgPath(roomA, "mGone"), data: msg,
			state: slowState(hour, map[string]any{"lastPostAt": t0, "messageId": "mGone"}), want: deny},
		{name: "slow mode: post batched with someone else's posting record", as: bob, op: opAdd, path: msgsPath(roomA), data: msg,
			also: []write{{op: opSet, path: postingPath(roomA, "alice"), data: map[string]any{"lastPostAt": now, "messageId": caseID{}}}}, state: slowFresh, want: deny},
		{name: "slow mode as a string: batched post", as: bob, op: opAdd, path: msgsPath(roomA), data: msg, also: posted, state: slowState("60", nil), want: deny},

		{name: "posting record at client time", as: bob, op: opSet, path: rec, data: map[string]any{"lastPostAt": ago(time.Second), "messageId": "m1"}, want: deny},
		{name: "posting record back-dated", as: bob, op: opSet, path: rec, data: map[string]any{"lastPostAt": ago(-2 * time.Hour), "messageId": "m1"}, state: slowRecent, want: deny},
		{name: "posting record without messageId", as: bob, op: opSet, path: rec, data: map[string]any{"lastPostAt": now}, want: deny},
		{name: "posting record without lastPostAt", as: bob, op: opSet, path: rec, data: map[string]any{"messageId": "m1"}, want: deny},
		{name: "posting record with an empty messageId", as: bob, op: opSet, path: rec, data: map[string]any{"lastPostAt": now, "messageId": ""}, want: deny},
		{name: "posting record with an extra field", as: bob, op: opSet, path: rec, data: map[string]any{"lastPostAt": now, "messageId": "m1", "count": 1}, want: deny},
		{name: "member deletes own posting record", as: bob, op: opDelete, path: rec, state: slowRecent, want: deny},
		{name: "member writes someone else's posting record", as: alice, op: opSet, path: rec, data: map[string]any{"lastPostAt": now, "messageId": "m1"}, want: deny},
		{name: "member reads someone else's posting record", as: alice, op: opGet, path: rec, state: slowRecent, want: deny},
		{name: "member lists posting records", as: bob, op: opList, path: roomPath(roomA) + "/posting", state: slowRecent, want: deny},
		{name: "non-member writes a posting record", as: carol, op: opSet, path: postingPath(roomA, "carol"), data: map[string]any{"lastPostAt": now, "messageId": "m1"}, want: deny},
		{name: "non-member reads own posting record", as: carol, op: opGet, path: postingPath(roomA, "carol"), want: deny},
		{name: "member sets the room's slow mode", as: alice, op: opUpdate, path: roomPath(roomA), data: map[string]any{"slowModeSeconds": 0}, state: slowFresh, want: deny},
	}
}
