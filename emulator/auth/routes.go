package auth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/roomgate/roomgate/emulator/internal/loopback"
)

// The URL layout is the production host name turned into a path prefix.
const (
	itkV1       = "/identitytoolkit.googleapis.com/v1/"
	itkV2       = "/identitytoolkit.googleapis.com/v2/"
	secureToken = "/securetoken.googleapis.com/v1/token"
	emulatorV1  = "/emulator/v1/projects/"

	// maxBody bounds request bodies (a 1000-user batchCreate fits easily).
	maxBody = 16 << 20
)

// access says which credentials an endpoint needs.
type access int

const (
	accessNone   access = iota // emulator-only endpoints
	accessClient               // ?key= (any value) or a privileged token
	accessAdmin                // privileged token only (project paths)
)

// call is one decoded request handed to an operation.
type call struct {
	op         string
	project    string
	privileged bool
	body       []byte // JSON, snake_case keys already camelCased; "{}" when empty
	query      url.Values
	uid        string // set by operations, for the log line
	base       string // this emulator's origin ("http://host:port"), for links
}

type opFunc func(s *server, c *call) (any, error)

type endpoint struct {
	method string
	fn     opFunc
}

// adminOps are below /v1/projects/{p}; the key "" is POST .../accounts.
var adminOps = map[string]endpoint{
	"accounts":             {http.MethodPost, opSignUp},
	"accounts:lookup":      {http.MethodPost, opLookup},
	"accounts:update":      {http.MethodPost, opUpdate},
	"accounts:delete":      {http.MethodPost, opDelete},
	"accounts:batchDelete": {http.MethodPost, opBatchDelete},
	"accounts:batchGet":    {http.MethodGet, opBatchGet},
	"accounts:batchCreate": {http.MethodPost, opBatchCreate},
	"accounts:sendOobCode": {http.MethodPost, opSendOobCode},
	":createSessionCookie": {http.MethodPost, opCreateSessionCookie},
}

// clientOps are below /v1/accounts: and take their project from the default.
var clientOps = map[string]endpoint{
	"signUp":                {http.MethodPost, opSignUp},
	"signInWithPassword":    {http.MethodPost, opSignInWithPassword},
	"signInWithCustomToken": {http.MethodPost, opSignInWithCustomToken},
	"lookup":                {http.MethodPost, opLookup},
	"update":                {http.MethodPost, opUpdate},
	"delete":                {http.MethodPost, opDelete},
	"sendOobCode":           {http.MethodPost, opSendOobCode},
	"resetPassword":         {http.MethodPost, opResetPassword},
	"signInWithEmailLink":   {http.MethodPost, opSignInWithEmailLink},
	"createAuthUri":         {http.MethodPost, opCreateAuthURI},
	"sendVerificationCode":  {http.MethodPost, opSendVerificationCode},
	"signInWithPhoneNumber": {http.MethodPost, opSignInWithPhoneNumber},
	"signInWithIdp":         {http.MethodPost, opSignInWithIdp},
}

// unmodelled are real Identity Toolkit operations this emulator does not
// implement. They answer 501 so a test notices, instead of a plausible lie.
var unmodelled = map[string]bool{
	"signInWithGameCenter": true, "query": true,
	"issueSamlResponse": true, "verifyIosClient": true,
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// The emulator's own admin endpoints (clear accounts, config) are for
	// tools on this machine; the Identity Toolkit API stays open to any
	// page, as Google's emulator has it, for web apps under development.
	if strings.HasPrefix(r.URL.Path, emulatorV1) && !loopback.CheckAdmin(w, r) {
		return
	}
	// The browser pages of popup and redirect sign-in are navigated to,
	// never fetched: they get no CORS headers, so other sites cannot read
	// them (they list account names and emails).
	switch r.URL.Path {
	case widgetPath:
		s.serveWidget(w, r)
		return
	case iframePath:
		s.serveIframe(w, r)
		return
	}
	allowCORS(w, r)
	if r.Method == http.MethodOptions {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if r.URL.Path == "/emulator/action" {
		s.serveAction(w, r)
		return
	}
	c := &call{query: r.URL.Query(), base: "http://" + safeHost(r.Host)}
	res, err := s.serve(w, r, c)
	status := http.StatusOK
	if err != nil {
		ae := asAPIError(err)
		status = ae.Code
		res = map[string]any{"error": ae}
	}
	// Log before answering, so a caller that saw the answer sees the log.
	op := c.op
	if op == "" {
		op = "-"
	}
	if c.uid != "" {
		s.log("%s %s project=%s uid=%s -> %d", r.Method, op, c.project, c.uid, status)
	} else {
		s.log("%s %s project=%s -> %d", r.Method, op, c.project, status)
	}
	writeJSON(w, status, res)
}

// serve routes the request, checks credentials, reads the body and runs the
// operation.
func (s *server) serve(w http.ResponseWriter, r *http.Request, c *call) (any, error) {
	path := r.URL.Path
	var ep endpoint
	var acc access
	switch {
	case path == "/":
		if r.Method != http.MethodGet {
			return nil, notFound("Not Found")
		}
		return map[string]any{"authEmulator": map[string]any{
			"ready": true, "docs": "https://firebase.google.com/docs/emulator-suite",
			"apiSpec": "/emulator/openapi.json",
		}}, nil
	case strings.HasPrefix(path, itkV1+"projects/"):
		project, rest := splitProject(path[len(itkV1+"projects/"):])
		if strings.HasPrefix(rest, "/tenants") {
			return nil, notImplemented("tenants are not supported by this Auth emulator")
		}
		op := strings.TrimPrefix(rest, "/")
		if unmodelled[strings.TrimPrefix(op, "accounts:")] {
			return nil, notImplemented(op + " is not implemented in this Auth emulator")
		}
		e, ok := adminOps[op]
		if !ok {
			return nil, notFound("Not Found")
		}
		if err := checkProject(project); err != nil {
			return nil, err
		}
		c.op, c.project, ep, acc = op, project, e, accessAdmin
	case strings.HasPrefix(path, itkV1+"accounts:"):
		op := path[len(itkV1+"accounts:"):]
		if unmodelled[op] || strings.HasPrefix(op, "mfa") {
			return nil, notImplemented(op + " is not implemented in this Auth emulator")
		}
		e, ok := clientOps[op]
		if !ok {
			return nil, notFound("Not Found")
		}
		c.op, ep, acc = op, e, accessClient
	case path == secureToken:
		c.op, ep, acc = "token", endpoint{http.MethodPost, opGrantToken}, accessClient
	case strings.HasPrefix(path, emulatorV1):
		project, rest := splitProject(path[len(emulatorV1):])
		e, ok := emulatorOps[r.Method+" "+rest]
		if !ok {
			return nil, notFound("Not Found")
		}
		if err := checkProject(project); err != nil {
			return nil, err
		}
		c.op, c.project, ep, acc = "emulator"+rest, project, e, accessNone
	case strings.HasPrefix(path, itkV2):
		return nil, notImplemented("Identity Toolkit v2 (project config, tenants, providers) is not implemented in this Auth emulator")
	default:
		return nil, notFound("Not Found")
	}
	if r.Method != ep.method {
		return nil, notFound("Not Found")
	}
	if err := s.authorize(r, c, acc); err != nil {
		return nil, err
	}
	body, err := readBody(w, r)
	if err != nil {
		return nil, err
	}
	c.body = body
	if acc == accessClient {
		if err := s.clientProject(c); err != nil {
			return nil, err
		}
	}
	return ep.fn(s, c)
}

// splitProject splits "{p}/rest" or "{p}:rest" into the project and the rest
// (which keeps its leading '/' or ':').
func splitProject(s string) (string, string) {
	if i := strings.IndexAny(s, "/:"); i >= 0 {
		return s[:i], s[i:]
	}
	return s, ""
}

// checkProject accepts Google project IDs, including domain-scoped ones.
func checkProject(p string) error {
	if p == "" || len(p) > 128 {
		return badRequest("INVALID_PROJECT_ID")
	}
	for _, r := range p {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
			r == '-' || r == '_' || r == '.'
		if !ok {
			return badRequest("INVALID_PROJECT_ID")
		}
	}
	return nil
}

// authorize classifies the caller as Google's emulator does
// [FT:src/emulator/auth/server.ts]: "Bearer owner" (any case) or a "ya29."
// token is privileged; any other Bearer token is rejected; a non-empty key
// (query or X-Goog-Api-Key) is an ordinary client.
func (s *server) authorize(r *http.Request, c *call, acc access) error {
	if authz := r.Header.Get("Authorization"); len(authz) >= 7 && strings.EqualFold(authz[:7], "bearer ") {
		tok := authz[7:]
		if !strings.EqualFold(tok, "owner") && !strings.HasPrefix(tok, "ya29.") {
			return unauthenticated(
				"Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
				"Invalid Credentials")
		}
		c.privileged = true
	}
	hasKey := c.query.Get("key") != "" || r.Header.Get("X-Goog-Api-Key") != ""
	switch acc {
	case accessAdmin:
		if c.privileged {
			return nil
		}
		if hasKey {
			return badRequest("INSUFFICIENT_PERMISSION : Only authenticated requests can specify target_project_id.")
		}
		return unauthenticated(
			"Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
			"Login Required.")
	case accessClient:
		if c.privileged || hasKey {
			return nil
		}
		return permissionDenied("The request is missing a valid API key.")
	}
	return nil
}

// clientProject picks the project of a call below /v1/accounts: — the
// default project, or targetProjectId for privileged callers.
func (s *server) clientProject(c *call) error {
	var peek struct {
		TargetProjectID *string `json:"targetProjectId"`
		TenantID        *string `json:"tenantId"`
	}
	if err := decodeInto(c.body, &peek); err != nil {
		return err
	}
	if peek.TenantID != nil && *peek.TenantID != "" {
		return notImplemented("tenants are not supported by this Auth emulator")
	}
	if peek.TargetProjectID != nil && *peek.TargetProjectID != "" {
		if !c.privileged {
			return badRequest("INSUFFICIENT_PERMISSION : Only authenticated requests can specify target_project_id.")
		}
		if err := checkProject(*peek.TargetProjectID); err != nil {
			return err
		}
		c.project = *peek.TargetProjectID
		return nil
	}
	s.st.mu.Lock()
	c.project = s.st.defaultProjectLocked()
	s.st.mu.Unlock()
	return nil
}

// readBody returns the request body as JSON: form-encoded bodies (securetoken
// refresh from the JS SDK) become a JSON object, snake_case keys become
// camelCase (Google's REST mapping accepts both), and an empty body is "{}".
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, tooLarge()
		}
		return nil, badRequest("INVALID_ARGUMENT : could not read request body")
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return []byte("{}"), nil
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		form, err := url.ParseQuery(string(raw))
		if err != nil {
			return nil, invalidJSON("malformed form body")
		}
		obj := make(map[string]string, len(form))
		for k, v := range form {
			obj[camelCase(k)] = v[0]
		}
		return json.Marshal(obj)
	}
	var v any
	if err := decodeJSONNumber(raw, &v); err != nil {
		return nil, invalidJSON(jsonErrorDetail(err))
	}
	if _, ok := v.(map[string]any); !ok {
		return nil, invalidJSON("the request body must be a JSON object")
	}
	if !bytes.ContainsRune(raw, '_') {
		return raw, nil
	}
	return json.Marshal(camelKeys(v))
}

// camelKeys converts object keys recursively, like the emulator's
// convertKeysToCamelCase.
func camelKeys(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, val := range t {
			out[camelCase(k)] = camelKeys(val)
		}
		return out
	case []any:
		for i := range t {
			t[i] = camelKeys(t[i])
		}
		return t
	}
	return v
}

func camelCase(k string) string {
	if !strings.Contains(k, "_") {
		return k
	}
	var b strings.Builder
	for i, part := range strings.Split(k, "_") {
		if part == "" {
			continue
		}
		if i > 0 && b.Len() > 0 {
			b.WriteString(strings.ToUpper(part[:1]))
			b.WriteString(part[1:])
		} else {
			b.WriteString(part)
		}
	}
	return b.String()
}

// decodeInto decodes a request body into an operation's request struct;
// a field of the wrong type is a 400 in the emulator's format.
func decodeInto(body []byte, dst any) error {
	if err := json.Unmarshal(body, dst); err != nil {
		return invalidJSON(jsonErrorDetail(err))
	}
	return nil
}

func jsonErrorDetail(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("Invalid value at '%s' (%s)", te.Field, te.Value)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("Syntax error at offset %d", se.Offset)
	}
	return "Unexpected end of JSON input or invalid value"
}

// allowCORS allows every origin and reflects requested headers, as the
// emulator's cors({origin: true}) does; the API is cookieless.
func allowCORS(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	origin := r.Header.Get("Origin")
	if origin == "" {
		origin = "*"
	}
	h.Set("Access-Control-Allow-Origin", origin)
	h.Add("Vary", "Origin")
	if r.Method == http.MethodOptions {
		h.Set("Access-Control-Allow-Methods", "GET,HEAD,PUT,PATCH,POST,DELETE")
		if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
			h.Set("Access-Control-Allow-Headers", req)
			h.Add("Vary", "Access-Control-Request-Headers")
		}
		if r.Header.Get("Access-Control-Request-Private-Network") != "" {
			h.Set("Access-Control-Allow-Private-Network", "true")
		}
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"error":{"code":500,"message":"INTERNAL_ERROR","errors":[],"status":"INTERNAL"}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
