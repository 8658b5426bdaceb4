package schema

// Collection names. Top-level collections are named by their path;
// subcollections by their last segment, with the full path in the comment.
const (
	// Rooms is rooms/{roomId}.
	Rooms = "rooms"
	// Members is rooms/{roomId}/members/{uid}.
	Members = "members"
	// Messages is rooms/{roomId}/messages/{messageId}.
	Messages = "messages"
	// Users is users/{uid}: roomgate's desired claims of a user.
	Users = "users"
	// UserRooms is users/{uid}/rooms/{roomId}: a user's room index.
	UserRooms = "rooms"
	// DirectRooms is directRooms/{pairDigest}: the direct room of a pair
	// (server-only).
	DirectRooms = "directRooms"
	// Idempotency is idempotency/{digest}: remembered create answers
	// (server-only).
	Idempotency = "idempotency"
	// Deletions is deletions/{roomId}: the tombstone of a deleted room
	// whose messages are still being swept (server-only).
	Deletions = "deletions"
	// Audit is audit/{autoId}: the audit trail (server-only).
	Audit = "audit"
	// PrivilegeChanges is privilegeChanges/{uid}: a recorded claims change
	// (admission, role, ban) not yet fully applied to Firebase Auth and the
	// rooms (server-only).
	PrivilegeChanges = "privilegeChanges"
	// Readiness is the collection the readiness probe reads a document
	// that never exists from.
	Readiness = "readiness"
	// Invites is invites/{sha256(token)}: room invitations, keyed by the
	// digest of their token so the token itself is never stored
	// (server-only).
	Invites = "invites"
	// Profiles is profiles/{uid}: a user's public display name and avatar.
	Profiles = "profiles"
	// ProfileSettings is profileSettings/{uid}: a user's private profile
	// settings, such as discoverability (server-only).
	ProfileSettings = "profileSettings"
	// UserLookup is userLookup/{sha256(normalised email)}: the uid of a
	// user who opted in to being found by email (server-only).
	UserLookup = "userLookup"
	// Blocks is users/{uid}/blocks/{blockedUid}: the users uid has blocked
	// (server-only).
	Blocks = "blocks"
	// Reports is reports/{digest}: message reports for moderators
	// (server-only).
	Reports = "reports"
	// PushMutes is rooms/{roomId}/pushMutes/{uid}: a member's push mute
	// (server-only); it goes with the membership.
	PushMutes = "pushMutes"
	// Reads is rooms/{roomId}/reads/{uid}: a member's read marker, which
	// the other members see; it goes with the membership.
	Reads = "reads"
	// Typing is rooms/{roomId}/typing/{uid}: a member's typing indicator;
	// it goes with the membership.
	Typing = "typing"
	// Posting is rooms/{roomId}/posting/{uid}: a member's last post while
	// slow mode is on. It outlives an ordinary leave or removal (so leaving
	// and joining again does not reset the pause) and goes when the member
	// is ejected by a ban or an account deletion, or the room is deleted.
	Posting = "posting"
	// KeptPosting is users/{uid}/keptPosting/{roomId}, server-only: the
	// note that uid left roomId with a posting record there, so that the
	// account's deletion finds and deletes it.
	KeptPosting = "keptPosting"
)

// Field names of the stored documents that code addresses by name (in
// updates, queries and untyped reads). Typed document structs use the same
// strings in their firestore tags.
const (
	// FieldMemberCount is rooms/{roomId}.memberCount.
	FieldMemberCount = "memberCount"
	// FieldRole is the role of rooms/{roomId}/members/{uid} and of
	// users/{uid}/rooms/{roomId}, and users/{uid}.role.
	FieldRole = "role"
	// FieldJoinedAt is the join time of a member and of an index entry.
	FieldJoinedAt = "joinedAt"
	// FieldChat is users/{uid}.chat, the desired chat claim.
	FieldChat = "chat"
	// FieldBanned is users/{uid}.banned, the desired banned claim (read by
	// the room transactions to refuse a user banned meanwhile).
	FieldBanned = "banned"
	// FieldClaimsVersion is users/{uid}.claimsVersion.
	FieldClaimsVersion = "claimsVersion"
	// FieldDeleted is users/{uid}.deleted: true on the tombstone a finished
	// account deletion leaves (banned, without chat or role), until an
	// admin lifts it (an unban, or a restore when bannedBeforeDeletion).
	FieldDeleted = "deleted"
	// FieldBannedBeforeDeletion is users/{uid}.bannedBeforeDeletion: true
	// on a tombstone whose user was banned (or had a ban recorded) when
	// the deletion was recorded, or banned by an admin while it was
	// pending or after it; absent otherwise. A plain unban of such a
	// tombstone is refused; restoring it lifts only the tombstone and
	// keeps the ban.
	FieldBannedBeforeDeletion = "bannedBeforeDeletion"
	// FieldSlowModeSeconds is rooms/{roomId}.slowModeSeconds, read by the
	// rules on message creates (absent or 0: off).
	FieldSlowModeSeconds = "slowModeSeconds"
	// FieldPushPreview is rooms/{roomId}.pushPreview: true when the room
	// opted in to push previews (absent or false: generic pushes only).
	FieldPushPreview = "pushPreview"
)

// The custom claims roomgate owns. Every other claim is foreign.
const (
	// ClaimChat (boolean) admits a user to chat.
	ClaimChat = "chat"
	// ClaimRole (string) is one of Roles.
	ClaimRole = "role"
	// ClaimBanned (boolean) bans a user.
	ClaimBanned = "banned"
)

// Standard Firebase ID token claims roomgate reads.
const (
	ClaimEmail         = "email"
	ClaimEmailVerified = "email_verified"
)

// The global roles a user may hold in the role claim.
const (
	RoleUser      = "user"
	RoleModerator = "moderator"
	RoleAdmin     = "admin"
)

// Roles lists the global roles, least privileged first.
func Roles() []string { return []string{RoleUser, RoleModerator, RoleAdmin} }

// ValidRole reports whether r is one of Roles.
func ValidRole(r string) bool {
	return r == RoleUser || r == RoleModerator || r == RoleAdmin
}

// Room roles, as stored in member and index documents.
const (
	RoomRoleOwner  = "owner"
	RoomRoleAdmin  = "admin"
	RoomRoleMember = "member"
)

// Room kinds, as stored in room and index documents.
const (
	KindGroup  = "group"
	KindDirect = "direct"
)

// UserBanned reports whether the data of a users/{uid} document records
// the user as banned: a ban, or an account deletion pending or done (its
// tombstone keeps banned). Every transaction that must refuse a banned
// user reads the field through this one function; missing data (no
// document) is a user roomgate never recorded a change for.
func UserBanned(data map[string]any) bool {
	b, _ := data[FieldBanned].(bool)
	return b
}
