package api

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/roomgate/roomgate/internal/authn"
	"github.com/roomgate/roomgate/internal/roomid"
	"github.com/roomgate/roomgate/internal/rooms"
)

// createRoomBody is POST /v1/rooms. Field order is the canonical order
// hashed for Idempotency-Key comparison.
type createRoomBody struct {
	Members []string `json:"members"`
	Title   string   `json:"title"`
	Kind    string   `json:"kind"`
}

// addMembersBody is POST /v1/rooms/{id}/members.
type addMembersBody struct {
	Members []string `json:"members"`
}

type memberJSON struct {
	UID      string    `json:"uid"`
	Role     string    `json:"role"`
	AddedBy  string    `json:"addedBy"`
	JoinedAt time.Time `json:"joinedAt"`
}

type roomJSON struct {
	ID          string       `json:"id"`
	Title       string       `json:"title"`
	Kind        string       `json:"kind"`
	CreatedBy   string       `json:"createdBy"`
	CreatedAt   time.Time    `json:"createdAt"`
	MemberCount int          `json:"memberCount"`
	PushPreview bool         `json:"pushPreview"`
	Members     []memberJSON `json:"members"`
}

type entryJSON struct {
	ID       string    `json:"id"`
	Title    string    `json:"title"`
	Kind     string    `json:"kind"`
	Role     string    `json:"role"`
	JoinedAt time.Time `json:"joinedAt"`
}

type listJSON struct {
	Rooms []entryJSON `json:"rooms"`
	Next  string      `json:"next,omitempty"`
}

type removeJSON struct {
	RoomDeleted bool   `json:"roomDeleted"`
	NewOwner    string `json:"newOwner,omitempty"`
}

func toRoomJSON(r rooms.Room) roomJSON {
	out := roomJSON{ID: r.ID, Title: r.Title, Kind: string(r.Kind), CreatedBy: r.CreatedBy,
		CreatedAt: r.CreatedAt, MemberCount: r.MemberCount, PushPreview: r.PushPreview, Members: make([]memberJSON, 0, len(r.Members))}
	for _, m := range r.Members {
		out.Members = append(out.Members, memberJSON{UID: m.UID, Role: string(m.Role), AddedBy: m.AddedBy, JoinedAt: m.JoinedAt})
	}
	return out
}

func actor(c echo.Context) rooms.Actor {
	return rooms.Actor{UID: authn.FromContext(c).UID, RequestID: requestID(c)}
}

// DecodeCreateRoom strictly decodes a POST /v1/rooms body (exported for
// the fuzz target and for tests in other packages).
func DecodeCreateRoom(body []byte) (rooms.CreateRequest, error) {
	var b createRoomBody
	if err := decodeStrict(body, &b, false); err != nil {
		return rooms.CreateRequest{}, err
	}
	req := rooms.CreateRequest{Members: b.Members, Title: b.Title, Kind: rooms.Kind(b.Kind)}
	if req.Kind == "" {
		req.Kind = rooms.KindGroup
	}
	if req.Members == nil {
		req.Members = []string{}
	}
	return req, nil
}

// maxIdemKeyLen bounds Idempotency-Key (the IETF draft suggests UUIDs).
const maxIdemKeyLen = 255

func (s *server) createRoom(c echo.Context) error {
	body, err := readBody(c, s.MaxBodyBytes)
	if err != nil {
		return err
	}
	req, err := DecodeCreateRoom(body)
	if err != nil {
		return err
	}
	a := actor(c)
	// Validate before the idempotency machinery: an invalid request is
	// never remembered, and it fails without touching Firestore.
	v, err := s.Rooms.ParseCreate(a.UID, req)
	if err != nil {
		return err
	}
	idem, err := s.idempotency(c, a.UID, v.Request())
	if err != nil {
		return err
	}
	res, err := s.Rooms.Create(c.Request().Context(), a, v, idem)
	if err != nil {
		return err
	}
	h := c.Response().Header()
	if res.Replayed || res.Replay != nil {
		h.Set("Idempotent-Replayed", "true")
	}
	if res.Replay != nil {
		return replayStored(c, *res.Replay)
	}
	if res.Created && !res.Replayed {
		s.metrics.roomsCreated.Inc()
	}
	// The one rendering of a create. A replay renders the remembered
	// outcome the same way, so it is the first response again: status,
	// body and Location.
	out, err := jsonMarshal(toRoomJSON(res.Room))
	if err != nil {
		return err
	}
	status := http.StatusOK
	if res.Created {
		status = http.StatusCreated
		h.Set(echo.HeaderLocation, "/v1/rooms/"+res.Room.ID)
	}
	return c.Blob(status, echo.MIMEApplicationJSON, out)
}

// replayStored sends a response remembered verbatim by an earlier version
// of the service (rooms.StoredResponse), with the Location a 201 carried
// rebuilt from the stored body's ID.
func replayStored(c echo.Context, r rooms.StoredResponse) error {
	if r.Status == http.StatusCreated {
		var stored struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(r.Body, &stored) == nil && roomid.Valid(stored.ID) {
			c.Response().Header().Set(echo.HeaderLocation, "/v1/rooms/"+stored.ID)
		}
	}
	return c.Blob(r.Status, echo.MIMEApplicationJSON, r.Body)
}

// idempotency reads the Idempotency-Key header. The record's ID is a
// digest of uid and key (keys are per user; the raw key is not stored), and
// the request is compared by a digest of its canonical JSON, so formatting
// differences do not count as a different body.
func (s *server) idempotency(c echo.Context, uid string, req rooms.CreateRequest) (*rooms.Idempotency, error) {
	vals := c.Request().Header.Values("Idempotency-Key")
	if len(vals) == 0 {
		return nil, nil
	}
	key := vals[0]
	if len(vals) > 1 || len(key) == 0 || len(key) > maxIdemKeyLen {
		return nil, problem(CodeInvalidIdemKey, "one key of 1 to 255 visible ASCII characters")
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x21 || key[i] > 0x7e {
			return nil, problem(CodeInvalidIdemKey, "one key of 1 to 255 visible ASCII characters")
		}
	}
	docID := sha256.Sum256([]byte(uid + "\x00" + key))
	canon, err := jsonMarshal(createRoomBody{Members: req.Members, Title: req.Title, Kind: string(req.Kind)})
	if err != nil {
		return nil, err
	}
	bodyHash := sha256.Sum256(canon)
	return &rooms.Idempotency{
		DocID: hex.EncodeToString(docID[:]), BodyHash: hex.EncodeToString(bodyHash[:]), TTL: s.IdempotencyTTL,
	}, nil
}

// listQueryParams are the only query parameters the listings (GET
// /v1/rooms, GET /v1/rooms/{id}/invites) accept.
var listQueryParams = map[string]bool{"limit": true, "cursor": true}

// listQuery parses a listing's query string and refuses anything but
// limit and cursor, and either given more than once: the shape every
// listing shares (pageParams, pageQuery).
func listQuery(c echo.Context) (url.Values, error) {
	q, err := url.ParseQuery(c.Request().URL.RawQuery)
	if err != nil {
		return nil, problem(CodeInvalidRequest, "malformed query string")
	}
	for k, v := range q {
		if !listQueryParams[k] {
			p := problem(CodeInvalidField, "unknown query parameter")
			p.Field = clipField(k)
			return nil, p
		}
		if len(v) > 1 {
			p := problem(CodeInvalidField, "given more than once")
			p.Field = k
			return nil, p
		}
	}
	return q, nil
}

// pageParams reads a listing's query string: only limit and cursor, each
// at most once. Their syntax is checked here (a canonical decimal integer,
// rooms.DefaultPageSize when absent; a cursor parameter, when present, is
// not empty); the range and the cursor's content by the listing's Parse
// function.
func pageParams(c echo.Context) (limit int, cursor string, err error) {
	q, err := listQuery(c)
	if err != nil {
		return 0, "", err
	}
	limit = rooms.DefaultPageSize
	if q.Has("limit") {
		v := q.Get("limit")
		n, err := strconv.Atoi(v)
		if err != nil || strconv.Itoa(n) != v {
			p := problem(CodeInvalidField, "limit must be an integer from 1 to "+strconv.Itoa(rooms.MaxPageSize))
			p.Field = "limit"
			return 0, "", p
		}
		limit = n
	}
	cursor = q.Get("cursor")
	if q.Has("cursor") && cursor == "" {
		return 0, "", rooms.ErrBadCursor
	}
	return limit, cursor, nil
}

func (s *server) listRooms(c echo.Context) error {
	limit, cursor, err := pageParams(c)
	if err != nil {
		return err
	}
	lq, err := rooms.ParseListQuery(limit, cursor)
	if err != nil {
		return err
	}
	page, err := s.Rooms.List(c.Request().Context(), authn.FromContext(c).UID, lq)
	if err != nil {
		return err
	}
	out := listJSON{Rooms: make([]entryJSON, 0, len(page.Rooms)), Next: page.Next}
	for _, e := range page.Rooms {
		out.Rooms = append(out.Rooms, entryJSON{ID: e.RoomID, Title: e.Title, Kind: string(e.Kind), Role: string(e.Role), JoinedAt: e.JoinedAt})
	}
	return c.JSON(http.StatusOK, out)
}

// roomParam returns the validated :id, or a 400 invalid_room_id.
func roomParam(c echo.Context) (rooms.RoomID, error) {
	return rooms.ParseRoomID(c.Param("id"))
}

// uidParam returns the validated :uid, or a 400 problem.
func uidParam(c echo.Context) (string, error) {
	uid := c.Param("uid")
	if !authn.ValidUID(uid) {
		return "", problem(CodeInvalidUID, "")
	}
	return uid, nil
}

func (s *server) getRoom(c echo.Context) error {
	id, err := roomParam(c)
	if err != nil {
		return err
	}
	room, err := s.Rooms.Get(c.Request().Context(), authn.FromContext(c).UID, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toRoomJSON(room))
}

func (s *server) addMembers(c echo.Context) error {
	id, err := roomParam(c)
	if err != nil {
		return err
	}
	var b addMembersBody
	if err := decodeBody(c, s.MaxBodyBytes, &b, false); err != nil {
		return err
	}
	a := actor(c)
	v, err := s.Rooms.ParseAdd(a.UID, id, b.Members)
	if err != nil {
		return err
	}
	room, _, err := s.Rooms.AddMembers(c.Request().Context(), a, v)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toRoomJSON(room))
}

func (s *server) removeMember(c echo.Context) error {
	id, err := roomParam(c)
	if err != nil {
		return err
	}
	uid, err := rooms.ParseUID(c.Param("uid"))
	if err != nil {
		return err
	}
	res, err := s.Rooms.RemoveMember(c.Request().Context(), actor(c), id, uid)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, removeJSON{RoomDeleted: res.RoomDeleted, NewOwner: res.NewOwner})
}

func (s *server) deleteRoom(c echo.Context) error {
	id, err := roomParam(c)
	if err != nil {
		return err
	}
	if err := s.Rooms.Delete(c.Request().Context(), actor(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
