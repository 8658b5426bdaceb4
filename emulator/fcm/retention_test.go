package fcm_test

import (
	"context"
	"fmt"
	"testing"

	"firebase.google.com/go/v4/messaging"
)

// TestKeepsTheNewestMessages: past SetMaxMessages the oldest messages are
// forgotten and counted; lowering the cap trims at once.
func TestKeepsTheNewestMessages(t *testing.T) {
	s := start(t)
	c := client(t, s, project)
	s.SetMaxMessages(3)
	var names []string
	for i := range 5 {
		name, err := c.Send(context.Background(), &messaging.Message{Token: fmt.Sprintf("tok-%d", i)})
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	check := func(want []string, forgotten int) {
		t.Helper()
		got := s.Messages()
		if len(got) != len(want) {
			t.Fatalf("%d messages kept, want %d", len(got), len(want))
		}
		for i, m := range got {
			if m.Name != want[i] {
				t.Errorf("message %d is %s, want %s", i, m.Name, want[i])
			}
		}
		if n := s.Forgotten(); n != forgotten {
			t.Errorf("Forgotten() = %d, want %d", n, forgotten)
		}
	}
	check(names[2:], 2)
	s.SetMaxMessages(1)
	check(names[4:], 4)
	s.SetMaxMessages(0) // the default again: nothing comes back
	check(names[4:], 4)
}
