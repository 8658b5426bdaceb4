package devstack

// demopush.go is the demo's push notification: bob registers his phone's
// FCM token with the service, and when alice writes a message straight to
// Firestore, the service (fed by the emulator's CloudEvent, as Eventarc
// feeds it in production) sends bob's phone a push that carries the room
// and message IDs and a generic text, never the message itself.

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// bobsPhone is the installation and FCM registration token the demo
// registers for bob (the fake FCM accepts any token).
const (
	bobsPhone      = "bobs-phone"
	bobsPhoneToken = "demo-fcm-token-bob:APA91b-demo"
)

func (d *demo) registerBobsPhone(ctx context.Context) error {
	if d.tgt.FCM == nil {
		return nil // a running stack: its fake FCM is not ours to read
	}
	d.n.begin("bob registers his phone for push notifications")
	body := map[string]any{"token": bobsPhoneToken, "platform": "android"}
	if _, err := d.api.call(ctx, "PUT", "/v1/me/devices/"+bobsPhone, d.bob.IDToken, body, nil); err != nil {
		return fmt.Errorf("registering bob's phone: %w", err)
	}
	d.tgt.FCM.Reset()
	d.n.detail("PUT /v1/me/devices/%s: the FCM token is stored server-side only (clients cannot read it)", bobsPhone)
	return nil
}

func (d *demo) bobsPhoneGetsAPush(ctx context.Context) error {
	if d.tgt.FCM == nil {
		return nil
	}
	d.n.begin("the service pushes bob's phone, with no message text in the payload")
	deadline := time.Now().Add(d.o.StepTimeout)
	for {
		wait := d.tgt.FCM.Wait()
		for _, m := range d.tgt.FCM.Messages() {
			if m.Token != bobsPhoneToken {
				if m.Data["messageId"] == d.lastMessageID {
					return fmt.Errorf("the push went to token %q, not only to bob's phone (alice is the sender)", m.Token)
				}
				continue
			}
			if m.Data["roomId"] != d.roomID || m.Data["messageId"] != d.lastMessageID {
				return fmt.Errorf("bob's push names room %q message %q, want %q %q", m.Data["roomId"], m.Data["messageId"], d.roomID, d.lastMessageID)
			}
			if strings.Contains(string(m.Raw), d.lastText) || strings.Contains(string(m.Raw), "hi bob") {
				return fmt.Errorf("bob's push carries the message text: %s", m.Raw)
			}
			title, text := "", ""
			if m.Notification != nil {
				title, text = m.Notification.Title, m.Notification.Body
			}
			d.n.detail("FCM got: data {roomId: %s, messageId: %s}, notification %q / %q", m.Data["roomId"], m.Data["messageId"], title, text)
			d.n.detail("the lock screen shows no text, sender or room title; the app opens messages/%s through the rules", d.lastMessageID)
			return nil
		}
		select {
		case <-wait:
		case <-time.After(time.Until(deadline)):
			return fmt.Errorf("bob's phone got no push within %s", d.o.StepTimeout)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
