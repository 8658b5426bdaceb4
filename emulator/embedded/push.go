package embedded

import (
	"errors"

	"github.com/roomgate/roomgate/emulator/eventarc"
	"github.com/roomgate/roomgate/emulator/fcm"
)

// startFCM starts the fake FCM endpoint (Options.FCM) on a free loopback
// port.
func (e *Emulators) startFCM() error {
	f, err := fcm.NewServer(defaultAddr)
	if err != nil {
		return err
	}
	e.FCM, e.FCMAddr = f, f.Addr()
	return nil
}

// DeliverEvents starts delivering the Firestore emulator's writes as
// CloudEvents to the triggers' URLs (see emulator/eventarc), e.g. new
// messages to a service's Eventarc endpoint. The deliverer stops when the
// emulators close (or earlier, with its own Close).
func (e *Emulators) DeliverEvents(triggers []eventarc.Trigger, opts eventarc.Options) (*eventarc.Deliverer, error) {
	if e.Firestore == nil {
		return nil, errors.New("embedded: CloudEvents need the Firestore emulator")
	}
	d, err := eventarc.Start(e.Firestore, triggers, opts)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	e.deliverers = append(e.deliverers, d)
	e.mu.Unlock()
	return d, nil
}

// closePush stops the deliverers and the fake FCM.
func (e *Emulators) closePush() error {
	e.mu.Lock()
	ds := e.deliverers
	e.deliverers = nil
	e.mu.Unlock()
	for _, d := range ds {
		d.Close()
	}
	if e.FCM != nil {
		return e.FCM.Close()
	}
	return nil
}
