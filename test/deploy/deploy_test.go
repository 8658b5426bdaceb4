package deploy

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/roomgate/roomgate/internal/push"
	"github.com/roomgate/roomgate/internal/rooms"
	"github.com/roomgate/roomgate/internal/schema"
)

const root = "../.."

type fieldOverride struct {
	CollectionGroup string       `json:"collectionGroup"`
	FieldPath       string       `json:"fieldPath"`
	TTL             bool         `json:"ttl"`
	Indexes         []fieldIndex `json:"indexes"`
}

type fieldIndex struct {
	Order       string `json:"order"`
	ArrayConfig string `json:"arrayConfig"`
	QueryScope  string `json:"queryScope"`
}

func readIndexes(t *testing.T) []fieldOverride {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "firestore.indexes.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Indexes        []json.RawMessage `json:"indexes"`
		FieldOverrides []fieldOverride   `json:"fieldOverrides"`
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("firestore.indexes.json: %v", err)
	}
	if doc.Indexes == nil {
		t.Fatal(`firestore.indexes.json: "indexes" is required (an empty list is fine)`)
	}
	return doc.FieldOverrides
}

// TestTTLPoliciesCoverExpiringCollections: the documents roomgate writes
// with an expiry are deleted by a TTL policy on exactly that field, and
// each override carries "indexes" (the CLI refuses one without).
func TestTTLPoliciesCoverExpiringCollections(t *testing.T) {
	overrides := readIndexes(t)
	ttl := map[string]string{}
	for _, o := range overrides {
		if o.Indexes == nil {
			t.Errorf("override %s.%s has no indexes list", o.CollectionGroup, o.FieldPath)
		}
		if o.TTL {
			ttl[o.CollectionGroup] = o.FieldPath
		}
	}
	want := map[string]string{schema.Idempotency: "expiresAt", "typing": "expiresAt", push.DeliveriesCollection: "expiresAt", rooms.InvitesCollection: "expiresAt"}
	for coll, field := range want {
		if ttl[coll] != field {
			t.Errorf("no TTL policy on %s.%s (have %v)", coll, field, ttl)
		}
	}
	for coll := range ttl {
		if _, ok := want[coll]; !ok {
			t.Errorf("TTL policy on %s, which roomgate does not expire: documents would vanish", coll)
		}
	}
}

// TestFirebaseJSONShipsRulesAndIndexes: `firebase deploy --only firestore`
// takes the rules and the indexes from firebase.json.
func TestFirebaseJSONShipsRulesAndIndexes(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(root, "firebase.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Firestore struct {
			Rules   string `json:"rules"`
			Indexes string `json:"indexes"`
		} `json:"firestore"`
	}
	if err := json.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{cfg.Firestore.Rules, cfg.Firestore.Indexes} {
		if f == "" {
			t.Fatalf("firebase.json firestore section = %+v", cfg.Firestore)
		}
		if _, err := os.Stat(filepath.Join(root, f)); err != nil {
			t.Errorf("firebase.json names %s: %v", f, err)
		}
	}
}

// TestDockerfileBuildsTheServiceStatically runs the Dockerfile's build
// command here (no Docker engine needed): the production binary builds
// without cgo, and the image runs `serve`.
func TestDockerfileBuildsTheServiceStatically(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	b, err := os.ReadFile(filepath.Join(root, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^RUN CGO_ENABLED=0 go build (.*) -o /out/roomgate (\./cmd/roomgate)$`).FindStringSubmatch(string(b))
	if m == nil {
		t.Fatal("Dockerfile: no `RUN CGO_ENABLED=0 go build ... -o /out/roomgate ./cmd/roomgate` line")
	}
	if !strings.Contains(string(b), `ENTRYPOINT ["/roomgate", "serve"]`) || !strings.Contains(string(b), "USER nonroot") {
		t.Error("Dockerfile: the image must run `roomgate serve` as a non-root user")
	}
	// The RUN line is shell; run it through sh, only with our output path.
	out := filepath.Join(t.TempDir(), "roomgate")
	line := "CGO_ENABLED=0 go build " + m[1] + " -o '" + out + "' " + m[2]
	cmd := exec.Command("sh", "-c", line)
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", line, err, b)
	}
	help, _ := exec.Command(out, "help").CombinedOutput()
	if !strings.Contains(string(help), "serve") {
		t.Fatalf("the built binary's help does not list serve:\n%s", help)
	}
}

// TestCollectionGroupIndexesForPush: the push fan-out and the shared-phone
// check query the devices collection group on uid and token, which needs
// single-field indexes with collection-group scope (Firestore creates
// collection-scope ones only).
func TestCollectionGroupIndexesForPush(t *testing.T) {
	for _, field := range []string{"uid", "token"} {
		ok := false
		for _, o := range readIndexes(t) {
			if o.CollectionGroup != push.DevicesCollection || o.FieldPath != field {
				continue
			}
			for _, ix := range o.Indexes {
				ok = ok || ix.QueryScope == "COLLECTION_GROUP" && ix.Order != ""
			}
		}
		if !ok {
			t.Errorf("no collection-group index on %s.%s", push.DevicesCollection, field)
		}
	}
}
