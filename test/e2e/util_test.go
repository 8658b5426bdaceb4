package e2e

import (
	"encoding/json"
	"testing"
	"time"
)

func mustJSON(t testing.TB, body string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("decoding %s: %v", body, err)
	}
}

// firestoreNow is the current time at Firestore's microsecond precision.
func firestoreNow() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
