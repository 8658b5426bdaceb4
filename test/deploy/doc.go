// Package deploy checks the files that ship roomgate to production and
// that no unit test otherwise reads: firestore.indexes.json (indexes and
// TTL policies, deployed with `firebase deploy --only firestore`),
// firebase.json's pointers to it, and the Dockerfile's build.
package deploy
