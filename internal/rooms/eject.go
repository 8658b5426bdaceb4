package rooms

import "context"

// BanEjector adapts Service to the claims manager's ejector: a ban's (or an
// account deletion's) duty, removing the user from every room, with the
// change's actor, request ID and reason in the rooms' audit records. RemoveEverywhere is idempotent (a retry
// finds fewer rooms), which the claims manager relies on when it retries a
// pending ban.
type BanEjector struct {
	Rooms *Service
}

// RemoveEverywhere removes uid from every room for reason.
func (b BanEjector) RemoveEverywhere(ctx context.Context, actor, requestID, uid, reason string) (int, error) {
	return b.Rooms.RemoveEverywhere(ctx, Actor{UID: actor, RequestID: requestID}, uid, reason)
}
