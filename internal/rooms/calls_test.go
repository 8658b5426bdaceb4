package rooms_test

// The Service's methods take validated request types. These helpers take
// raw input, parse it with the Service's Parse functions exactly as the
// HTTP handlers do, and make the call, so a test reads as the request it
// stands for. A parse error is returned as the call's error.

import (
	"context"

	"github.com/roomgate/roomgate/internal/rooms"
)

func create(ctx context.Context, s *rooms.Service, a rooms.Actor, req rooms.CreateRequest, idem *rooms.Idempotency) (rooms.CreateResult, error) {
	v, err := s.ParseCreate(a.UID, req)
	if err != nil {
		return rooms.CreateResult{}, err
	}
	return s.Create(ctx, a, v, idem)
}

func get(ctx context.Context, s *rooms.Service, caller, roomID string) (rooms.Room, error) {
	id, err := rooms.ParseRoomID(roomID)
	if err != nil {
		return rooms.Room{}, err
	}
	return s.Get(ctx, caller, id)
}

func list(ctx context.Context, s *rooms.Service, caller string, limit int, cursor string) (rooms.Page, error) {
	q, err := rooms.ParseListQuery(limit, cursor)
	if err != nil {
		return rooms.Page{}, err
	}
	return s.List(ctx, caller, q)
}

func addMembers(ctx context.Context, s *rooms.Service, a rooms.Actor, roomID string, uids []string) (rooms.Room, []string, error) {
	id, err := rooms.ParseRoomID(roomID)
	if err != nil {
		return rooms.Room{}, nil, err
	}
	v, err := s.ParseAdd(a.UID, id, uids)
	if err != nil {
		return rooms.Room{}, nil, err
	}
	return s.AddMembers(ctx, a, v)
}

func removeMember(ctx context.Context, s *rooms.Service, a rooms.Actor, roomID, target string) (rooms.RemoveResult, error) {
	id, err := rooms.ParseRoomID(roomID)
	if err != nil {
		return rooms.RemoveResult{}, err
	}
	uid, err := rooms.ParseUID(target)
	if err != nil {
		return rooms.RemoveResult{}, err
	}
	return s.RemoveMember(ctx, a, id, uid)
}

func deleteRoom(ctx context.Context, s *rooms.Service, a rooms.Actor, roomID string) error {
	id, err := rooms.ParseRoomID(roomID)
	if err != nil {
		return err
	}
	return s.Delete(ctx, a, id)
}
