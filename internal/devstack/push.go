package devstack

// push.go wires push notifications into the local stack: the embedded
// fake FCM receives the service's pushes, and the Firestore emulator
// delivers new messages to the service's Eventarc endpoint as CloudEvents,
// as Eventarc does in production.

import (
	"github.com/roomgate/roomgate/emulator/embedded"
	"github.com/roomgate/roomgate/emulator/eventarc"
)

// deliverMessageEvents sends every new rooms/*/messages/* document to the
// service at serviceURL.
func deliverMessageEvents(emu *embedded.Emulators, serviceURL string, logf func(string, ...any)) error {
	_, err := emu.DeliverEvents([]eventarc.Trigger{{
		Type: eventarc.TypeCreated, Document: "rooms/*/messages/*", URL: serviceURL + "/events/firestore",
	}}, eventarc.Options{Logf: logf})
	return err
}
