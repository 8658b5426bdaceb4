package api

import (
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/roomgate/roomgate/internal/rooms"
)

// FuzzDecodeCreateRoom: any input either fails with a *Problem (never a
// panic, never a raw error), or decodes to a request that re-encodes and
// decodes to the same value and that came from a JSON object without
// duplicate keys.
func FuzzDecodeCreateRoom(f *testing.F) {
	for _, s := range []string{
		`{}`, `{"members":["bob"],"title":"hi","kind":"group"}`, `{"kind":"direct","members":["a"]}`,
		`{"title":"a","title":"b"}`, `{"members":null}`, `[]`, `{"x":1}`, `{"title":"é"} x`,
		`{"members":[{"a":[[[[1]]]]}]}`, "{\"title\":\"\xff\"}", `{"title":"\ud800"}`, ``, `  `, `{"members":["a","a"]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := DecodeCreateRoom(body)
		if err != nil {
			if _, ok := err.(*Problem); !ok {
				t.Fatalf("error %T %v is not a *Problem", err, err)
			}
			return
		}
		if !json.Valid(body) {
			t.Fatalf("accepted invalid JSON %q", body)
		}
		if req.Kind == "" || req.Members == nil {
			t.Fatalf("not normalised: %+v", req)
		}
		again, err := json.Marshal(createRoomBody{Members: req.Members, Title: req.Title, Kind: string(req.Kind)})
		if err != nil {
			t.Fatal(err)
		}
		req2, err := DecodeCreateRoom(again)
		if err != nil {
			t.Fatalf("re-encoded request %s rejected: %v", again, err)
		}
		if req2.Title != req.Title || req2.Kind != req.Kind || len(req2.Members) != len(req.Members) {
			t.Fatalf("round trip changed %+v to %+v", req, req2)
		}
		// Validation must not panic either, and accepts only valid UTF-8 titles.
		if _, err := rooms.DefaultLimits.ParseCreate("caller", req); err == nil && !utf8.ValidString(req.Title) {
			t.Fatalf("invalid UTF-8 title validated: %q", req.Title)
		}
	})
}
