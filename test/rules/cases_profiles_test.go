package rules

import "cloud.google.com/go/firestore"

// Contract, profiles: profiles/{uid} (displayName, avatarUrl, written by
// the service) is get by any admitted user; never listed, never written
// by a client.

func profileCases() []ruleCase {
	profile := map[string]any{"displayName": "Mallory", "avatarUrl": "https://evil.example/x.png"}
	return []ruleCase{
		{name: "member reads a roommate's profile", as: alice, op: opGet, path: profilePath("bob"), want: allow},
		{name: "user reads own profile", as: bob, op: opGet, path: profilePath("bob"), want: allow},
		{name: "admitted user in no shared room reads a profile", as: carol, op: opGet, path: profilePath("alice"), want: allow},
		{name: "admitted user reads a missing profile", as: mallory, op: opGet, path: profilePath("mallory"), want: allow},
		{name: "admitted user listens to a profile", as: carol, op: opListenDoc, path: profilePath("alice"), want: allow},

		{name: "unauthenticated reads a profile", as: nobody, op: opGet, path: profilePath("alice"), want: deny},
		{name: "user without chat claim reads a profile", as: aliceNoChat, op: opGet, path: profilePath("bob"), want: deny},
		{name: "banned user reads a profile", as: aliceBanned, op: opGet, path: profilePath("bob"), want: deny},
		{name: "profiles listed", as: alice, op: opList, path: "profiles", want: deny},
		{name: "profiles queried by name", as: alice, op: opQuery, path: "profiles", where: []cond{{"displayName", "==", "Bob"}}, want: deny},
		{name: "profiles queried one at a time", as: alice, op: opQuery, path: "profiles", limit: 1, want: deny},
		{name: "profiles counted", as: alice, op: opCount, path: "profiles", want: deny},
		{name: "profiles listened to", as: admin, op: opListenQuery, path: "profiles", want: deny},
		{name: "user creates own profile", as: mallory, op: opCreate, path: profilePath("mallory"), data: profile, want: deny},
		{name: "user rewrites own profile", as: alice, op: opSet, path: profilePath("alice"), data: profile, want: deny},
		{name: "user renames self", as: alice, op: opUpdate, path: profilePath("alice"), data: map[string]any{"displayName": "Admin"}, want: deny},
		{name: "user removes own avatar", as: alice, op: opUpdate, path: profilePath("alice"), data: map[string]any{"avatarUrl": firestore.Delete}, want: deny},
		{name: "user deletes own profile", as: alice, op: opDelete, path: profilePath("alice"), want: deny},
		{name: "user rewrites someone's profile", as: alice, op: opMerge, path: profilePath("bob"), data: profile, want: deny},
		{name: "admin rewrites someone's profile", as: admin, op: opSet, path: profilePath("bob"), data: profile, want: deny},
	}
}
