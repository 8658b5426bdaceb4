package devstack

import (
	"bytes"
	"net"
	"path/filepath"
	"strings"
	"testing"
)

// TestStartEmulatorsFallsBackFromBusyPort: a second dev (or Google's
// emulator) on firebase.json's ports must not stop dev from starting.
func TestStartEmulatorsFallsBackFromBusyPort(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	rules, err := filepath.Abs("../../firestore.rules")
	if err != nil {
		t.Fatal(err)
	}
	lp := localProject{ConfigPath: "firebase.json", RulesPath: rules, FirestoreAddr: busy.Addr().String()}
	var notes bytes.Buffer
	emu, err := startEmulators(lp, "demo-roomgate", false, func(string, ...any) {}, &notes)
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	if emu.FirestoreAddr == busy.Addr().String() || !strings.Contains(notes.String(), "in use") {
		t.Fatalf("firestore on %s, notes %q", emu.FirestoreAddr, notes.String())
	}
}
