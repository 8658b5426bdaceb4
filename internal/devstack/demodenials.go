package devstack

// demodenials.go: the steps that must be denied, an outsider's attempts
// and a removed member's listener and write.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"cloud.google.com/go/firestore"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// denied checks that err is PERMISSION_DENIED and describes it.
func denied(what string, err error) (string, error) {
	if err == nil {
		return "", fmt.Errorf("%s was ALLOWED; the rules must deny it", what)
	}
	if status.Code(err) != codes.PermissionDenied {
		return "", fmt.Errorf("%s failed with %v, not PERMISSION_DENIED", what, err)
	}
	// The emulator's message starts on a new line, as Google's does;
	// one line reads better in the narration.
	return "PERMISSION_DENIED: " + strings.Join(strings.Fields(status.Convert(err).Message()), " "), nil
}

// outsider has carol, admitted but not a member, try the room whose ID she
// somehow learned: directly in Firestore and through the service.
func (d *demo) outsider(ctx context.Context) error {
	d.n.begin("carol (admitted, not a member) knows the room ID and tries it")
	carol := d.clients[2]
	tries := []struct {
		what string
		do   func() error
	}{
		{"read the room document", func() error {
			_, err := carol.Collection("rooms").Doc(d.roomID).Get(ctx)
			return err
		}},
		{"list its messages", func() error {
			_, err := d.messages(carol).Documents(ctx).GetAll()
			return err
		}},
		{"post a message", func() error {
			_, _, err := d.messages(carol).Add(ctx, map[string]any{
				"senderId": d.carol.UID, "text": "let me in", "createdAt": firestore.ServerTimestamp,
			})
			return err
		}},
	}
	for _, t := range tries {
		msg, err := denied("carol's attempt to "+t.what, t.do())
		if err != nil {
			return err
		}
		d.n.detail("%-24s -> %s", t.what, msg)
	}
	_, err := d.api.call(ctx, http.MethodGet, "/v1/rooms/"+d.roomID, d.carol.IDToken, nil, nil)
	var ae *apiError
	if !errors.As(err, &ae) || ae.Status != http.StatusNotFound {
		return fmt.Errorf("carol's GET /v1/rooms/%s: got %v, want 404 (as for a room that does not exist)", d.roomID, err)
	}
	d.n.detail("%-24s -> %s (the same answer as for a room that does not exist)", "GET /v1/rooms/{id}", ae)
	return nil
}

// removeBob has alice remove bob through the service and waits for bob's
// open listener to be cut off, timing it from the removal.
func (d *demo) removeBob(ctx context.Context) error {
	d.n.begin("alice (owner) removes bob through the service; bob's open listener is cut off")
	path := "/v1/rooms/" + d.roomID + "/members/" + d.bob.UID
	sent := time.Now()
	_, err := d.api.call(ctx, http.MethodDelete, path, d.alice.IDToken, nil, nil)
	returned := time.Now()
	if err != nil {
		return fmt.Errorf("DELETE %s: %w", path, err)
	}
	d.removalCall = returned.Sub(sent)
	d.n.detail("DELETE /v1/rooms/{id}/members/{bob} -> 200 in %s", ms(d.removalCall))
	deadline := time.Now().Add(d.o.StepTimeout)
	for {
		ev, err := d.bobListener.next(time.Until(deadline))
		if err != nil {
			return fmt.Errorf("bob's listener was not cut off: %w", err)
		}
		if ev.Err == nil {
			continue // a snapshot still in flight from before the removal
		}
		msg, err := denied("bob's listener after his removal", ev.Err)
		if err != nil {
			return err
		}
		d.removalToDenial, d.sentToDenial = ev.At.Sub(returned), ev.At.Sub(sent)
		d.n.detail("bob's listener ended with %s", msg)
		break
	}
	_, _, err = d.messages(d.clients[1]).Add(ctx, map[string]any{
		"senderId": d.bob.UID, "text": "am I still here?", "createdAt": firestore.ServerTimestamp,
	})
	msg, err := denied("bob's post after his removal", err)
	if err != nil {
		return err
	}
	d.n.detail("bob posts again with the same token (still chat=true) -> %s", msg)
	return nil
}
