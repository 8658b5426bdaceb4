package authn

import "github.com/roomgate/roomgate/internal/schema"

// MaxUIDLength is Firebase's limit on a uid (128 characters).
const MaxUIDLength = schema.MaxUIDLength

// ValidUID reports whether s is a uid this service accepts; see
// schema.ValidUID, which holds the rule so that packages without Echo
// (rooms, app) can check uids too.
func ValidUID(s string) bool { return schema.ValidUID(s) }
