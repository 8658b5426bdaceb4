package api

import (
	"encoding/json"
	"net/http"
	"regexp"
	"sort"
	"strconv"
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
	// A parameter followed by a custom method ("{token}:accept") is
	// served as the bare parameter; the handler checks the suffix.
	param := regexp.MustCompile(`\{([^}]+)\}(:[a-z]+)?`)
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
		// An escaped colon ("/users\:lookup") is a literal one.
		served[r.Method+" "+strings.ReplaceAll(r.Path, `\:`, ":")] = true
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

// TestOpenAPIDocumentsTheStatusesRoutesReturn drives every /v1 route
// through the failures that happen at the edge (no token, oversized body,
// wrong media type, rate limit) and checks that the operation documents
// each status it actually answered with.
func TestOpenAPIDocumentsTheStatusesRoutesReturn(t *testing.T) {
	d := loadDoc(t)
	param := regexp.MustCompile(`:([A-Za-z]+)`)
	sample := map[string]string{"id": roomA, "uid": "bob", "installationId": "phone-1", "inviteId": "IIIIIIIIIIIIIIIIIIIIII", "token": testToken + ":accept"}
	h := newHarness(t, nil)
	for _, r := range h.e.Routes() {
		if !strings.HasPrefix(r.Path, "/v1/") || strings.HasSuffix(r.Path, "*") || r.Method == "echo_route_not_found" {
			continue
		}
		docPath := param.ReplaceAllString(r.Path, "{$1}")
		path := param.ReplaceAllStringFunc(r.Path, func(m string) string { return sample[m[1:]] })
		switch {
		case strings.Contains(r.Path, `\:`): // a literal colon
			docPath = strings.ReplaceAll(r.Path, `\:`, ":")
			path = docPath
		case strings.HasSuffix(r.Path, "/:token"): // {token}:accept
			docPath += ":accept"
		}
		var op struct {
			Responses map[string]json.RawMessage `json:"responses"`
		}
		if err := json.Unmarshal(d.Paths[docPath][strings.ToLower(r.Method)], &op); err != nil {
			t.Fatalf("%s %s: %v", r.Method, docPath, err)
		}
		token := "tok-alice"
		if strings.HasPrefix(r.Path, "/v1/admin/") {
			token = "tok-admin"
		}
		big := `{"title":"` + strings.Repeat("x", 70<<10) + `"}`
		limited := newHarness(t, func(d *Deps) { d.RateLimit = RateConfig{Rate: 0.001, Burst: 1, MutationRate: 0.001, MutationBurst: 1} })
		limited.do(r.Method, path, token, "", nil, "")
		got := map[string]int{
			"no token":       h.do(r.Method, path, "", "", nil, "").Code,
			"oversized body": h.do(r.Method, path, token, big, nil, "").Code,
			"text/plain":     h.do(r.Method, path, token, `{}`, nil, "text/plain").Code,
			"rate limited":   limited.do(r.Method, path, token, "", nil, "").Code,
		}
		for what, code := range got {
			if _, ok := op.Responses[strconv.Itoa(code)]; !ok {
				t.Errorf("%s %s answers %d (%s), which the document does not list", r.Method, docPath, code, what)
			}
		}
	}
}
