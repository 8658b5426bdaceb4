package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/roomgate/roomgate/internal/authn"
	"github.com/roomgate/roomgate/internal/moderation"
	"github.com/roomgate/roomgate/internal/schema"
)

type blockJSON struct {
	UID       string    `json:"uid"`
	CreatedAt time.Time `json:"createdAt"`
}

type blocksJSON struct {
	Blocks []blockJSON `json:"blocks"`
}

// reportBody is POST /v1/rooms/{id}/reports.
type reportBody struct {
	MessageID string `json:"messageId"`
	Reason    string `json:"reason"`
	Note      string `json:"note"`
}

type reportJSON struct {
	ID        string    `json:"id"`
	Reporter  string    `json:"reporter"`
	RoomID    string    `json:"roomId"`
	MessageID string    `json:"messageId"`
	SenderID  string    `json:"senderId"`
	Text      string    `json:"text"`
	Reason    string    `json:"reason"`
	Note      string    `json:"note,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
}

// reportReceiptJSON is what a reporter sees: not the stored copy.
type reportReceiptJSON struct {
	ID        string    `json:"id"`
	CreatedAt time.Time `json:"createdAt"`
}

type reportsJSON struct {
	Reports []reportJSON `json:"reports"`
	Next    string       `json:"next,omitempty"`
}

type auditEntryJSON struct {
	ID        string         `json:"id"`
	Actor     string         `json:"actor"`
	Target    string         `json:"target"`
	Action    string         `json:"action"`
	RequestID string         `json:"requestId"`
	Time      time.Time      `json:"time"`
	Details   map[string]any `json:"details,omitempty"`
}

type auditJSON struct {
	Entries []auditEntryJSON `json:"entries"`
	Next    string           `json:"next,omitempty"`
}

// block handles PUT /v1/me/blocks/{uid}.
func (s *server) block(c echo.Context) error {
	uid, err := s.emptyBodyUID(c)
	if err != nil {
		return err
	}
	if err := s.Moderation.Block(c.Request().Context(), authn.FromContext(c).UID, uid); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// unblock handles DELETE /v1/me/blocks/{uid}.
func (s *server) unblock(c echo.Context) error {
	uid, err := s.emptyBodyUID(c)
	if err != nil {
		return err
	}
	if err := s.Moderation.Unblock(c.Request().Context(), authn.FromContext(c).UID, uid); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// listBlocks handles GET /v1/me/blocks.
func (s *server) listBlocks(c echo.Context) error {
	if c.Request().URL.RawQuery != "" {
		return problem(CodeInvalidField, "no query parameters")
	}
	bs, err := s.Moderation.Blocks(c.Request().Context(), authn.FromContext(c).UID)
	if err != nil {
		return err
	}
	out := blocksJSON{Blocks: make([]blockJSON, 0, len(bs))}
	for _, b := range bs {
		out.Blocks = append(out.Blocks, blockJSON{UID: b.UID, CreatedAt: b.CreatedAt})
	}
	return c.JSON(http.StatusOK, out)
}

// reportMessage handles POST /v1/rooms/{id}/reports: a member reports a
// message of the room. 201 for a new report, 200 when the caller had
// reported this message already.
func (s *server) reportMessage(c echo.Context) error {
	id, err := roomParam(c)
	if err != nil {
		return err
	}
	var b reportBody
	if err := decodeBody(c, s.MaxBodyBytes, &b, false); err != nil {
		return err
	}
	r := moderation.Report{Reporter: authn.FromContext(c).UID, RoomID: id.String(), MessageID: b.MessageID, Reason: b.Reason, Note: b.Note}
	if err := moderation.ValidateReport(r); err != nil {
		return err
	}
	out, created, err := s.Moderation.FileReport(c.Request().Context(), r, requestID(c))
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	return c.JSON(status, reportReceiptJSON{ID: out.ID, CreatedAt: out.CreatedAt})
}

// pageQuery reads limit and cursor, the only query parameters of the
// admin listings.
func pageQuery(c echo.Context) (int, string, error) {
	q, err := listQuery(c)
	if err != nil {
		return 0, "", err
	}
	limit := 0
	if q.Has("limit") {
		v := q.Get("limit")
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > moderation.MaxPageSize || strconv.Itoa(n) != v {
			p := problem(CodeInvalidField, "limit must be an integer from 1 to "+strconv.Itoa(moderation.MaxPageSize))
			p.Field = "limit"
			return 0, "", p
		}
		limit = n
	}
	cursor := q.Get("cursor")
	if q.Has("cursor") {
		if _, err := moderation.DecodeCursor(cursor); err != nil {
			return 0, "", err
		}
	}
	return limit, cursor, nil
}

// listReports handles GET /v1/admin/reports (moderators and admins).
func (s *server) listReports(c echo.Context) error {
	limit, cursor, err := pageQuery(c)
	if err != nil {
		return err
	}
	rs, next, err := s.Moderation.Reports(c.Request().Context(), limit, cursor)
	if err != nil {
		return err
	}
	out := reportsJSON{Reports: make([]reportJSON, 0, len(rs)), Next: next}
	for _, r := range rs {
		out.Reports = append(out.Reports, reportJSON{ID: r.ID, Reporter: r.Reporter, RoomID: r.RoomID, MessageID: r.MessageID,
			SenderID: r.SenderID, Text: r.Text, Reason: r.Reason, Note: r.Note, CreatedAt: r.CreatedAt})
	}
	return c.JSON(http.StatusOK, out)
}

// listAudit handles GET /v1/admin/audit (admins).
func (s *server) listAudit(c echo.Context) error {
	limit, cursor, err := pageQuery(c)
	if err != nil {
		return err
	}
	es, next, err := s.Moderation.Audit(c.Request().Context(), limit, cursor)
	if err != nil {
		return err
	}
	out := auditJSON{Entries: make([]auditEntryJSON, 0, len(es)), Next: next}
	for _, e := range es {
		out.Entries = append(out.Entries, auditEntryJSON{ID: e.ID, Actor: e.Actor, Target: e.Target, Action: e.Action,
			RequestID: e.RequestID, Time: e.Time, Details: e.Details})
	}
	return c.JSON(http.StatusOK, out)
}

// requireModerator lets through callers whose token has role moderator
// or admin and is not banned, and whose recorded role still is one of
// the two (as requireAdmin does for admins).
func (s *server) requireModerator(next echo.HandlerFunc) echo.HandlerFunc {
	isMod := func(r string) bool { return r == schema.RoleModerator || r == schema.RoleAdmin }
	return func(c echo.Context) error {
		t := authn.FromContext(c)
		if !isMod(t.String(schema.ClaimRole)) || t.Bool(schema.ClaimBanned) {
			return problem(CodeModeratorRequired, "")
		}
		role, banned, err := s.Claims.CurrentRole(c.Request().Context(), t.UID)
		if err != nil {
			return err
		}
		if !isMod(role) || banned {
			return problem(CodeModeratorRequired, "your moderator role was withdrawn; refresh your ID token")
		}
		return next(c)
	}
}
