// Package push tests push notifications end to end: the real service
// (internal/app, as `roomgate serve` builds it) over HTTP, the embedded
// Firestore and Auth emulators with firestore.rules, the fake FCM
// (emulator/fcm) behind the Admin SDK's messaging client, and Firestore
// CloudEvents delivered by emulator/eventarc or posted again by the test
// (redeliveries, two instances).
package push
