package embedded_test

import (
	"testing"

	"github.com/roomgate/roomgate/emulator/embedded"
	"github.com/roomgate/roomgate/emulator/firestore"
)

// Options.ListenDenial reaches the Firestore emulator: a value it does not
// know fails Start, the two it knows start (their behaviour is tested in
// emulator/firestore).
func TestListenDenialOption(t *testing.T) {
	if _, err := embedded.Start(embedded.Options{ListenDenial: 7, NoAuth: true}); err == nil {
		t.Fatal("ListenDenial 7 accepted")
	}
	for _, d := range []firestore.ListenDenial{firestore.ListenDenyImmediately, firestore.ListenDenyAtNextDelivery} {
		e, err := embedded.Start(embedded.Options{ListenDenial: d, NoAuth: true})
		if err != nil {
			t.Fatalf("ListenDenial %d: %v", d, err)
		}
		e.Close()
	}
}
