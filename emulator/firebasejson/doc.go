// Package firebasejson reads the parts of a Firebase CLI firebase.json that
// roomgate's local tooling uses: the Firestore rules file of the default
// database and the host and port of the Firestore and Auth emulators.
//
// It is the one reader of that file in the repository, so every tool
// agrees on the defaults and on the edge cases:
//
//   - a missing emulator entry, host or port takes the defaults below
//     (Firestore 8080, Auth 9099, host 127.0.0.1);
//   - the host "localhost" (the CLI's default) becomes 127.0.0.1, so the
//     address is the same whether localhost resolves to IPv4 or IPv6
//     first;
//   - "firestore" may be an object or an array of per-database objects;
//     an array without an entry for the "(default)" database, or with two,
//     is an error rather than an emulator silently started without rules
//     (only the default database is emulated);
//   - malformed JSON is reported with the line and column of the fault.
//
// Keys of other products (hosting, functions, ui, singleProjectMode...)
// are ignored, as the CLI ignores products it is not asked to run. The
// package uses the standard library only.
package firebasejson
