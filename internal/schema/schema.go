// Package schema is roomgate's shared vocabulary: the Firestore collection
// and field names of the data model, the custom claims roomgate owns, the
// global roles, the room roles and kinds as stored, and the shape of a
// valid uid.
//
// Every package that reads or writes these names (rooms, claims, api,
// authn, audit, app) takes them from here, so each name is spelt once in
// the service's Go code. firestore.rules spells the same names; keep the
// two in step when one changes. The package imports nothing at all: it must stay a leaf that
// any layer may import, including validation code that must not pull in
// Echo or the Firebase SDKs.
package schema
