// Package push sends push notifications for new chat messages through
// Firebase Cloud Messaging, with no sensitive payload.
//
// A push carries data {roomId, messageId} and a generic notification
// text: it shows on lock screens, so it never contains the message text,
// the sender's name or the room title, unless the room opts in (its
// service-written field pushPreview is true, set by an owner or room
// admin through PATCH /v1/rooms/{id}); Preview says exactly what a preview
// shows, and it never names the sender. The app fetches the message
// from Firestore, under the rules, when it opens.
//
// The pieces:
//
//   - Devices (devices.go) stores FCM registration tokens under
//     users/{uid}/devices/{installationId}, a server-only collection the
//     rules deny to every client, capped per user.
//   - Mutes (mutes.go) stores per-member mutes under
//     rooms/{roomId}/pushMutes/{uid}, also server-only.
//   - Notifier (notifier.go) fans one new message out to every other
//     member's devices. Each message is claimed once with a
//     create-if-absent record (pushDeliveries/{roomId}_{messageId}), so
//     redeliveries and concurrent instances never send twice.
//   - EventsHandler (events.go) accepts Eventarc's Firestore
//     document.created CloudEvents, authenticated by a Google-signed OIDC
//     token (oidc.go); Listen (listener.go) feeds the same fan-out from a
//     Firestore listener for single-instance and development setups.
//   - NewSender (sender.go) builds the Admin SDK messaging client, and
//     points it at a fake FCM only for demo- projects.
package push
