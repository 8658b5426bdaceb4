package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/roomgate/roomgate/internal/authn"
	"github.com/roomgate/roomgate/internal/claims"
	"github.com/roomgate/roomgate/internal/moderation"
	"github.com/roomgate/roomgate/internal/profiles"
	"github.com/roomgate/roomgate/internal/rooms"
)

// ProblemContentType is RFC 9457's media type for error bodies.
const ProblemContentType = "application/problem+json"

// Problem is an RFC 9457 problem document with roomgate's extensions:
// Code is stable and meant for programs; Title and Detail for people.
// The request ID is sent only in the X-Request-Id header, so that two
// responses meant to be indistinguishable (a missing room and a room the
// caller is not in) have byte-identical bodies.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	Code   string `json:"code"`
	// Field names the offending JSON field or parameter, when there is one.
	Field string `json:"field,omitempty"`
	// UIDs lists the members that could not be added (members_unavailable).
	UIDs []string `json:"uids,omitempty"`
}

func (p *Problem) Error() string { return p.Code + ": " + p.Detail }

// problem builds a Problem for one of the codes below.
func problem(code, detail string) *Problem {
	d, ok := problemCodes[code]
	if !ok {
		d = problemCodes[CodeInternal]
		code = CodeInternal
	}
	return &Problem{Type: "urn:roomgate:problem:" + code, Title: d.title, Status: d.status, Detail: detail, Code: code}
}

// The stable problem codes. The OpenAPI document lists every one of them
// (a test keeps the two in step).
const (
	CodeInvalidRequest   = "invalid_request"
	CodeInvalidField     = "invalid_field"
	CodeInvalidRoomID    = "invalid_room_id"
	CodeInvalidUID       = "invalid_uid"
	CodeInvalidCursor    = "invalid_cursor"
	CodeInvalidIdemKey   = "invalid_idempotency_key"
	CodeMissingToken     = "missing_token"
	CodeInvalidToken     = "invalid_token"
	CodeTokenRevoked     = "token_revoked"
	CodeUserDisabled     = "user_disabled"
	CodeNotAdmitted      = "not_admitted"
	CodeAdminRequired    = "admin_required"
	CodeRoomForbidden    = "room_role_required"
	CodeBanned           = "banned"
	CodeEmailNotVerified = "email_not_verified"
	CodeRoomNotFound     = "room_not_found"
	CodeMemberNotFound   = "member_not_found"
	CodeUserNotFound     = "user_not_found"
	CodeNotFound         = "not_found"
	CodeMethodNotAllowed = "method_not_allowed"
	CodeMemberCap        = "member_cap_reached"
	CodeDirectRoomFixed  = "direct_room_fixed"
	CodeClaimsTooLarge   = "claims_too_large"
	// CodeBannedBeforeDeletion: a plain unban of the tombstone of a user
	// banned before their account was deleted.
	CodeBannedBeforeDeletion = "banned_before_deletion"
	CodeBodyTooLarge         = "body_too_large"
	CodeUnsupportedMedia     = "unsupported_media_type"
	CodeIdemKeyReused        = "idempotency_key_reused"
	CodeMembersUnavailable   = "members_unavailable"
	CodeRateLimited          = "rate_limited"
	CodeAuthFailures         = "too_many_auth_failures"
	CodeContention           = "contention"
	CodeChangePending        = "change_pending"
	CodeReauthRequired       = "reauthentication_required"
	// CodeDeviceCap: a push registration beyond the per-user device cap.
	CodeDeviceCap = "device_cap_reached"
	// CodeBlockCap: a new block beyond the per-user block cap.
	CodeBlockCap          = "block_cap_reached"
	CodeUnavailable       = "unavailable"
	CodeTimeout           = "timeout"
	CodeInternal          = "internal"
	CodeInviteInvalid     = "invite_invalid"
	CodeInviteNotFound    = "invite_not_found"
	CodeProfileNotFound   = "profile_not_found"
	CodeMessageNotFound   = "message_not_found"
	CodeModeratorRequired = "moderator_required"
)

type problemDef struct {
	status int
	title  string
}

var problemCodes = map[string]problemDef{
	CodeInvalidRequest:       {400, "Malformed request"},
	CodeInvalidField:         {400, "Invalid field"},
	CodeInvalidRoomID:        {400, "Malformed room ID"},
	CodeInvalidUID:           {400, "Malformed uid"},
	CodeInvalidCursor:        {400, "Malformed cursor"},
	CodeInvalidIdemKey:       {400, "Malformed Idempotency-Key"},
	CodeMissingToken:         {401, "Missing bearer token"},
	CodeInvalidToken:         {401, "Invalid ID token"},
	CodeTokenRevoked:         {401, "ID token revoked"},
	CodeUserDisabled:         {401, "User disabled"},
	CodeNotAdmitted:          {403, "Not admitted to chat"},
	CodeAdminRequired:        {403, "Admin role required"},
	CodeRoomForbidden:        {403, "Room role required"},
	CodeBanned:               {403, "User banned"},
	CodeEmailNotVerified:     {403, "Email not verified"},
	CodeRoomNotFound:         {404, "Room not found"},
	CodeMemberNotFound:       {404, "Member not found"},
	CodeUserNotFound:         {404, "User not found"},
	CodeNotFound:             {404, "Not found"},
	CodeMethodNotAllowed:     {405, "Method not allowed"},
	CodeMemberCap:            {409, "Member cap reached"},
	CodeDirectRoomFixed:      {409, "Direct room membership is fixed"},
	CodeClaimsTooLarge:       {409, "Custom claims too large"},
	CodeBannedBeforeDeletion: {409, "Account deleted while banned"},
	CodeBodyTooLarge:         {413, "Request body too large"},
	CodeUnsupportedMedia:     {415, "Unsupported media type"},
	CodeIdemKeyReused:        {422, "Idempotency-Key reused with a different request"},
	CodeMembersUnavailable:   {422, "Members unavailable"},
	CodeRateLimited:          {429, "Too many requests"},
	CodeAuthFailures:         {429, "Too many failed authentications"},
	CodeInternal:             {500, "Internal error"},
	CodeContention:           {503, "Contention, retry"},
	CodeChangePending:        {503, "Change recorded, still being applied"},
	CodeReauthRequired:       {403, "Recent sign-in required"},
	CodeDeviceCap:            {409, "Device cap reached"},
	CodeBlockCap:             {409, "Block cap reached"},
	CodeUnavailable:          {503, "Service unavailable"},
	CodeTimeout:              {503, "Request timed out"},
	CodeInviteInvalid:        {404, "Invite invalid"},
	CodeInviteNotFound:       {404, "Invite not found"},
	CodeProfileNotFound:      {404, "Profile not found"},
	CodeMessageNotFound:      {404, "Message not found"},
	CodeModeratorRequired:    {403, "Moderator role required"},
}

// toProblem maps any error a handler or middleware returns to a Problem.
// Unknown errors become "internal" with no detail: internal messages never
// reach clients.
func toProblem(err error) *Problem {
	var p *Problem
	if errors.As(err, &p) {
		return p
	}
	var inv *rooms.InvalidError
	if errors.As(err, &inv) {
		code := CodeInvalidField
		switch inv.Field {
		case "id":
			code = CodeInvalidRoomID
		case "uid":
			code = CodeInvalidUID
		}
		pr := problem(code, inv.Reason)
		pr.Field = inv.Field
		return pr
	}
	var fe fieldError
	if errors.As(err, &fe) {
		field, reason := fe.InvalidField()
		pr := problem(CodeInvalidField, reason)
		pr.Field = field
		return pr
	}
	var down *unavailableError
	if errors.As(err, &down) {
		return problem(CodeUnavailable, "a backend is unreachable; retry after the Retry-After interval")
	}
	var unav *rooms.UnavailableMembersError
	if errors.As(err, &unav) {
		pr := problem(CodeMembersUnavailable, "these uids do not exist, are disabled or banned")
		pr.UIDs = unav.UIDs
		return pr
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		switch he.Code {
		case http.StatusNotFound:
			return problem(CodeNotFound, "no such route")
		case http.StatusMethodNotAllowed:
			return problem(CodeMethodNotAllowed, "")
		case http.StatusRequestEntityTooLarge:
			return problem(CodeBodyTooLarge, "")
		case http.StatusUnsupportedMediaType:
			return problem(CodeUnsupportedMedia, "")
		case http.StatusBadRequest:
			return problem(CodeInvalidRequest, "")
		case http.StatusServiceUnavailable:
			return problem(CodeUnavailable, "")
		}
		return problem(CodeInternal, "")
	}
	for _, m := range sentinelMap {
		if errors.Is(err, m.err) {
			return problem(m.code, m.detail)
		}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return problem(CodeTimeout, "")
	}
	return problem(CodeInternal, "")
}

// sentinelMap is checked in order; the first match wins.
var sentinelMap = []struct {
	err    error
	code   string
	detail string
}{
	{authn.ErrMissingToken, CodeMissingToken, "send Authorization: Bearer <Firebase ID token>"},
	{authn.ErrInvalidToken, CodeInvalidToken, "the ID token is invalid or expired"},
	{authn.ErrTokenRevoked, CodeTokenRevoked, "sign in again"},
	{authn.ErrUserDisabled, CodeUserDisabled, ""},
	{authn.ErrUnavailable, CodeUnavailable, "token verification is unavailable"},
	{rooms.ErrNotFound, CodeRoomNotFound, ""},
	{rooms.ErrMemberNotFound, CodeMemberNotFound, ""},
	{rooms.ErrForbidden, CodeRoomForbidden, "your role in this room does not allow this"},
	{rooms.ErrActorBanned, CodeBanned, ""},
	{rooms.ErrMemberCap, CodeMemberCap, ""},
	{rooms.ErrDirectRoomFixed, CodeDirectRoomFixed, ""},
	{rooms.ErrIdempotencyMismatch, CodeIdemKeyReused, ""},
	{rooms.ErrBadCursor, CodeInvalidCursor, ""},
	{rooms.ErrContention, CodeContention, ""},
	{claims.ErrBanned, CodeBanned, ""},
	{claims.ErrUserDisabled, CodeUserDisabled, ""},
	{claims.ErrEmailNotVerified, CodeEmailNotVerified, "verify your email address first"},
	{claims.ErrUserNotFound, CodeUserNotFound, ""},
	{claims.ErrBannedBeforeDeletion, CodeBannedBeforeDeletion, `the account was deleted while banned: send {"restoreDeleted": true} to lift the deletion only (the ban stays), then unban again to lift the ban`},
	{claims.ErrClaimsTooLarge, CodeClaimsTooLarge, "the user's custom claims would exceed 1000 bytes"},
	{claims.ErrContention, CodeContention, ""},
	// Before the context errors: a pending change that ran out of time is
	// still pending, not merely timed out.
	{claims.ErrChangePending, CodeChangePending, "the change is recorded and will be applied; retrying is safe"},
	{rooms.ErrInviteInvalid, CodeInviteInvalid, "the invite is unknown, expired, used up or revoked"},
	{rooms.ErrInviteNotFound, CodeInviteNotFound, ""},
	{profiles.ErrNotFound, CodeProfileNotFound, "set one with PUT /v1/me/profile"},
	{profiles.ErrUserNotFound, CodeUserNotFound, ""},
	{profiles.ErrEmailNotVerified, CodeEmailNotVerified, "being found by email needs a verified email address"},
	{profiles.ErrBanned, CodeBanned, ""},
	{moderation.ErrBanned, CodeBanned, ""},
	{moderation.ErrBlockCap, CodeBlockCap, "unblock someone first (DELETE /v1/me/blocks/{uid})"},
	{moderation.ErrRoomNotFound, CodeRoomNotFound, ""},
	{moderation.ErrMessageNotFound, CodeMessageNotFound, ""},
	{moderation.ErrBadCursor, CodeInvalidCursor, ""},
}

// fieldError is a validation failure of the profiles and moderation
// packages: a field and the reason.
type fieldError interface {
	error
	InvalidField() (field, reason string)
}

// errorHandler is the single echo.HTTPErrorHandler: every failure becomes
// problem+json. 5xx causes are logged (with the request ID, never a token).
func (s *server) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	p := toProblem(err)
	if p.Status >= 500 {
		s.log.ErrorContext(c.Request().Context(), "request failed",
			slog.String("request_id", requestID(c)), slog.String("route", routeLabel(c)),
			slog.String("code", p.Code), slog.String("error", err.Error()))
	}
	if p.Status == http.StatusUnauthorized || p.Status == http.StatusForbidden {
		s.metrics.denials.WithLabelValues(p.Code).Inc()
	}
	h := c.Response().Header()
	if p.Status == http.StatusUnauthorized {
		h.Set("WWW-Authenticate", `Bearer realm="roomgate"`)
	}
	if p.Code == CodeContention || p.Code == CodeUnavailable || p.Code == CodeTimeout || p.Code == CodeChangePending {
		h.Set("Retry-After", strconv.Itoa(1))
	}
	h.Set(echo.HeaderContentType, ProblemContentType)
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(p.Status)
		return
	}
	body, _ := jsonMarshal(p)
	_ = c.Blob(p.Status, ProblemContentType, body)
}
