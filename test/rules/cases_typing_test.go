package rules

import "time"

// Contract, typing indicators: rooms/{roomId}/typing/{uid} is get and
// list by members; create and update only by uid while a member, with
// exactly expiresAt, after the request time and at most 10 s after it;
// delete only by uid while a member.

func typingCases() []ruleCase {
	mine := typingPath(roomA, "bob")
	typing := func(at any) map[string]any { return map[string]any{"expiresAt": at} }
	bobTyping := plus(mine, typing(t0))
	bobTypingGone := state{without: []string{memberPath(roomA, "bob")}, with: map[string]map[string]any{mine: typing(t0)}}
	return []ruleCase{
		{name: "member starts typing", as: bob, op: opSet, path: mine, data: typing(ago(5 * time.Second)), want: allow},
		{name: "member keeps typing", as: alice, op: opSet, path: typingPath(roomA, "alice"), data: typing(ago(5 * time.Second)), want: allow},
		{name: "member keeps typing with update", as: alice, op: opUpdate, path: typingPath(roomA, "alice"), data: typing(ago(3 * time.Second)), want: allow},
		{name: "member stops typing", as: bob, op: opDelete, path: mine, state: bobTyping, want: allow},
		{name: "member reads someone's typing indicator", as: bob, op: opGet, path: typingPath(roomA, "alice"), want: allow},
		{name: "member lists typing indicators", as: bob, op: opList, path: typingsPath(roomA), want: allow, rows: 1},
		{name: "member listens to typing indicators", as: bob, op: opListenQuery, path: typingsPath(roomA), want: allow, rows: 1},

		{name: "typing expiring at the request time", as: bob, op: opSet, path: mine, data: typing(now), want: deny},
		{name: "typing already expired", as: bob, op: opSet, path: mine, data: typing(ago(-5 * time.Second)), want: deny},
		{name: "typing for a minute", as: bob, op: opSet, path: mine, data: typing(ago(time.Minute)), want: deny},
		{name: "typing forever", as: bob, op: opSet, path: mine, data: typing(time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)), want: deny},
		{name: "typing expiresAt as a number", as: bob, op: opSet, path: mine, data: typing(5), want: deny},
		{name: "typing expiresAt as a string", as: bob, op: opSet, path: mine, data: typing("soon"), want: deny},
		{name: "typing without expiresAt", as: bob, op: opSet, path: mine, data: map[string]any{}, want: deny},
		{name: "typing with an extra field", as: bob, op: opSet, path: mine, data: with(typing(ago(5*time.Second)), "draft", "hel"), want: deny},
		{name: "member types as someone else", as: bob, op: opSet, path: typingPath(roomA, "alice"), data: typing(ago(5 * time.Second)), want: deny},
		{name: "member clears someone else's typing", as: bob, op: opDelete, path: typingPath(roomA, "alice"), want: deny},
		{name: "non-member types", as: carol, op: opSet, path: typingPath(roomA, "carol"), data: typing(ago(5 * time.Second)), want: deny},
		{name: "non-member watches typing", as: carol, op: opList, path: typingsPath(roomA), want: deny},
		{name: "non-member reads a typing indicator", as: carol, op: opGet, path: typingPath(roomA, "alice"), want: deny},
		{name: "stale token after removal: type", as: bob, op: opSet, path: mine, data: typing(ago(5 * time.Second)), state: bobGone, want: deny},
		{name: "stale token after removal: stop typing", as: bob, op: opDelete, path: mine, state: bobTypingGone, want: deny},
		{name: "banned member types", as: bobBanned, op: opSet, path: mine, data: typing(ago(5 * time.Second)), want: deny},
		{name: "banned member stops typing", as: bobBanned, op: opDelete, path: mine, state: bobTyping, want: deny},
		{name: "unauthenticated watches typing", as: nobody, op: opList, path: typingsPath(roomA), want: deny},
		{name: "collection-group query on typing", as: bob, op: opGroup, path: "typing", want: deny},
	}
}
