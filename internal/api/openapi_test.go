package api

import (
	"encoding/json"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"
)

type openAPIDoc struct {
	OpenAPI string                                `json:"openapi"`
	Paths   map[string]map[string]json.RawMessage `json:"paths"`
	Comps   struct {
		Schemas map[string]struct {
			Properties map[string]struct {
				Enum []string `json:"enum"`
			} `json:"properties"`
		} `json:"schemas"`
	} `json:"components"`
}

func loadDoc(t *testing.T) openAPIDoc {
	t.Helper()
	var d openAPIDoc
	if err := json.Unmarshal(OpenAPI(), &d); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if !strings.HasPrefix(d.OpenAPI, "3.") {
		t.Fatalf("openapi version %q", d.OpenAPI)
	}
	return d
}

var httpMethods = map[string]bool{"get": true, "put": true, "post": true, "delete": true, "patch": true, "head": true, "options": true}

// TestOpenAPIMatchesRoutes walks e.Routes() and the document both ways.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	d := loadDoc(t)
	param := regexp.MustCompile(`\{([^}]+)\}`)
	documented := map[string]bool{}
	for p, ops := range d.Paths {
		echoPath := param.ReplaceAllString(p, ":$1")
		for m := range ops {
			if httpMethods[m] {
				documented[strings.ToUpper(m)+" "+echoPath] = true
			}
		}
	}
	h := newHarness(t, nil)
	served := map[string]bool{}
	for _, r := range h.e.Routes() {
		// Echo registers internal catch-alls for groups with middleware
		// (RouteNotFound); they are not API routes.
		if strings.HasSuffix(r.Path, "*") || r.Method == "echo_route_not_found" {
			continue
		}
		served[r.Method+" "+r.Path] = true
	}
	var missing, extra []string
	for k := range served {
		if !documented[k] {
			missing = append(missing, k)
		}
	}
	for k := range documented {
		if !served[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 || len(extra) > 0 {
		t.Fatalf("routes not in openapi.json: %v\ndocumented but not served: %v", missing, extra)
	}
	if len(served) < 13 {
		t.Fatalf("only %d routes served", len(served))
	}
}

func TestOpenAPIListsEveryProblemCode(t *testing.T) {
	d := loadDoc(t)
	enum := d.Comps.Schemas["Problem"].Properties["code"].Enum
	doc := map[string]bool{}
	for _, c := range enum {
		doc[c] = true
	}
	for code := range problemCodes {
		if !doc[code] {
			t.Errorf("code %q is not in the document", code)
		}
		delete(doc, code)
	}
	for code := range doc {
		t.Errorf("documented code %q does not exist", code)
	}
}

func TestOpenAPIIsServed(t *testing.T) {
	h := newHarness(t, nil)
	rec := h.do(http.MethodGet, "/openapi.json", "", "", nil, "")
	if rec.Code != 200 || rec.Body.String() != string(OpenAPI()) || rec.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("GET /openapi.json = %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
}
