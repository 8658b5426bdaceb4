// Package moderation is what users and moderators do about abuse: user
// blocks (users/{uid}/blocks/{other}, which internal/rooms reads to refuse
// direct rooms, adds and invite acceptances between the two), message
// reports (the server-only reports collection, readable through the API
// by moderators and admins only) and reading the audit log (admins only).
//
// Every collection here is server-only: firestore.rules denies clients
// all access, so a report is invisible to the reported user and a block to
// the blocked one.
package moderation

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/roomgate/roomgate/internal/schema"
)

// Errors internal/api maps to problem codes.
var (
	// ErrRoomNotFound: the room does not exist or the reporter is not a
	// member (not told apart, as everywhere).
	ErrRoomNotFound = errors.New("moderation: room not found")
	// ErrMessageNotFound: the reporter is in the room but the message does
	// not exist.
	ErrMessageNotFound = errors.New("moderation: message not found")
	// ErrBadCursor: a listing cursor is malformed.
	ErrBadCursor = errors.New("moderation: malformed cursor")
	// ErrBanned: users/{uid} records the blocker as banned (a ban, or an
	// account deletion pending or done); nothing is written.
	ErrBanned = errors.New("moderation: user is banned")
	// ErrBlockCap: the blocker holds MaxBlocks blocks already.
	ErrBlockCap = errors.New("moderation: block cap reached")
)

// InvalidError is a field that breaks a validation rule.
type InvalidError struct {
	Field  string
	Reason string
}

func (e *InvalidError) Error() string {
	return fmt.Sprintf("moderation: invalid %s: %s", e.Field, e.Reason)
}

// InvalidField returns the field and the reason (for internal/api).
func (e *InvalidError) InvalidField() (string, string) { return e.Field, e.Reason }

func invalid(field, format string, a ...any) error {
	return &InvalidError{Field: field, Reason: fmt.Sprintf(format, a...)}
}

// Block is one user blocked by another.
type Block struct {
	UID       string
	CreatedAt time.Time
}

// Report is one message report.
type Report struct {
	ID        string
	Reporter  string
	RoomID    string
	MessageID string
	// SenderID and Text are the message as it was when reported, so a
	// moderator sees it even after it is edited or deleted.
	SenderID  string
	Text      string
	Reason    string
	Note      string
	CreatedAt time.Time
}

// AuditEntry is one audit record as read back.
type AuditEntry struct {
	ID        string
	Actor     string
	Target    string
	Action    string
	RequestID string
	Time      time.Time
	Details   map[string]any
}

// Report reasons.
var reasons = map[string]bool{"spam": true, "harassment": true, "hate": true, "sexual": true, "violence": true, "self_harm": true, "other": true}

// Reasons lists the accepted report reasons.
func Reasons() []string {
	return []string{"spam", "harassment", "hate", "sexual", "violence", "self_harm", "other"}
}

// Bounds.
const (
	MaxNoteRunes = 1000
	// MaxBlocks caps the blocks one user holds.
	MaxBlocks       = 1000
	DefaultPageSize = 50
	MaxPageSize     = 200
)

// Store persists blocks and reports and reads the audit log.
type Store interface {
	// Block records the block unless it exists (then nothing changes);
	// a new block beyond max blocks is refused with ErrBlockCap, a
	// banned blocker with ErrBanned.
	Block(ctx context.Context, blocker, blocked string, now time.Time, max int) error
	Unblock(ctx context.Context, blocker, blocked string) error
	// Blocks lists up to limit users uid has blocked.
	Blocks(ctx context.Context, uid string, limit int) ([]Block, error)
	// Report stores r unless the reporter already reported the message
	// (then it returns the earlier report and created false). It checks
	// membership and reads the message inside one transaction.
	Report(ctx context.Context, r Report, requestID string) (Report, bool, error)
	// Reports and Audit list newest first, strictly after the cursor.
	Reports(ctx context.Context, limit int, after *Cursor) ([]Report, error)
	Audit(ctx context.Context, limit int, after *Cursor) ([]AuditEntry, error)
}

// Service is the moderation use cases. Store is required; a nil Now is
// time.Now.
type Service struct {
	Store Store
	Now   func() time.Time
}

func (s *Service) now() time.Time {
	f := s.Now
	if f == nil {
		f = time.Now
	}
	return f().UTC().Truncate(time.Microsecond)
}

// Block records that blocker blocked blocked (idempotent). A user holds
// at most MaxBlocks blocks (all of them fit one listing, and an account
// deletion erases a bounded number): a new one beyond is ErrBlockCap.
func (s *Service) Block(ctx context.Context, blocker, blocked string) error {
	if err := checkPair(blocker, blocked); err != nil {
		return err
	}
	return s.Store.Block(ctx, blocker, blocked, s.now(), MaxBlocks)
}

// Unblock removes a block (idempotent).
func (s *Service) Unblock(ctx context.Context, blocker, blocked string) error {
	if err := checkPair(blocker, blocked); err != nil {
		return err
	}
	return s.Store.Unblock(ctx, blocker, blocked)
}

// Blocks lists the users uid has blocked.
func (s *Service) Blocks(ctx context.Context, uid string) ([]Block, error) {
	return s.Store.Blocks(ctx, uid, MaxBlocks)
}

func checkPair(blocker, blocked string) error {
	if !schema.ValidUID(blocked) {
		return invalid("uid", "not a valid uid")
	}
	if blocker == blocked {
		return invalid("uid", "you cannot block yourself")
	}
	return nil
}

// ValidateReport checks the reporter's fields of r.
func ValidateReport(r Report) error {
	if !reasons[r.Reason] {
		return invalid("reason", "must be one of spam, harassment, hate, sexual, violence, self_harm, other")
	}
	if !validMessageID(r.MessageID) {
		return invalid("messageId", "1 to 128 characters of [A-Za-z0-9_-]")
	}
	if !utf8.ValidString(r.Note) || utf8.RuneCountInString(r.Note) > MaxNoteRunes {
		return invalid("note", "at most %d characters", MaxNoteRunes)
	}
	for _, c := range r.Note {
		if unicode.IsControl(c) && c != '\n' || c >= 0x202A && c <= 0x202E || c >= 0x2066 && c <= 0x2069 {
			return invalid("note", "must not contain control or bidi characters")
		}
	}
	return nil
}

// validMessageID accepts Firestore auto-IDs and similar client IDs.
func validMessageID(s string) bool {
	if len(s) == 0 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return !(len(s) >= 4 && s[:2] == "__" && s[len(s)-2:] == "__")
}

// FileReport stores a report by r.Reporter of a message in a room they
// are in. created is false when they had reported it already.
func (s *Service) FileReport(ctx context.Context, r Report, requestID string) (Report, bool, error) {
	if err := ValidateReport(r); err != nil {
		return Report{}, false, err
	}
	r.CreatedAt = s.now()
	return s.Store.Report(ctx, r, requestID)
}

// Reports lists reports, newest first (moderators).
func (s *Service) Reports(ctx context.Context, limit int, cursor string) ([]Report, string, error) {
	after, limit, err := pageArgs(limit, cursor)
	if err != nil {
		return nil, "", err
	}
	rs, err := s.Store.Reports(ctx, limit+1, after)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(rs) > limit {
		rs = rs[:limit]
		last := rs[limit-1]
		next = EncodeCursor(Cursor{Time: last.CreatedAt, ID: last.ID})
	}
	return rs, next, nil
}

// Audit lists audit records, newest first (admins).
func (s *Service) Audit(ctx context.Context, limit int, cursor string) ([]AuditEntry, string, error) {
	after, limit, err := pageArgs(limit, cursor)
	if err != nil {
		return nil, "", err
	}
	es, err := s.Store.Audit(ctx, limit+1, after)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(es) > limit {
		es = es[:limit]
		last := es[limit-1]
		next = EncodeCursor(Cursor{Time: last.Time, ID: last.ID})
	}
	return es, next, nil
}

func pageArgs(limit int, cursor string) (*Cursor, int, error) {
	if limit == 0 {
		limit = DefaultPageSize
	}
	if limit < 1 || limit > MaxPageSize {
		return nil, 0, invalid("limit", "must be between 1 and %d", MaxPageSize)
	}
	if cursor == "" {
		return nil, limit, nil
	}
	c, err := DecodeCursor(cursor)
	if err != nil {
		return nil, 0, err
	}
	return &c, limit, nil
}
