package auth_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// The handler page of popup and redirect sign-in, driven like a browser
// (GET, read the forms, submit them), then finished the way the JS SDK
// finishes it: signInWithIdp with the auth event's urlResponse.

// signInLikeTheSDK sends the signInWithIdp the SDK sends for an auth event.
func signInLikeTheSDK(t *testing.T, addr string, d delivery) rest {
	t.Helper()
	return mustOK(t, targetClient(t, addr, "signInWithIdp", map[string]any{
		"requestUri": d.AuthEvent.URLResponse, "sessionId": d.AuthEvent.SessionID,
		"postBody": d.AuthEvent.PostBody, "returnSecureToken": true, "returnIdpCredential": true,
	}))
}

func TestHandlerPopupFlowSignsUpAndSignsIn(t *testing.T) {
	srv := startEmulator(t)
	addr := srv.Addr()
	admin := adminClient(t, srv)
	ctx := context.Background()

	chooser := getPage(t, addr, handlerQuery("signInViaPopup", "google.com", map[string]string{
		"customParameters": `{"prompt":"select_account"}`,
	})).mustHTML(t)
	if !strings.Contains(chooser.Body, "No google.com accounts exist in the Auth Emulator.") {
		t.Fatalf("an empty emulator lists accounts:\n%s", chooser.Body)
	}
	for h, want := range map[string]string{"X-Frame-Options": "DENY", "Access-Control-Allow-Origin": "", "Cache-Control": "no-store"} {
		if got := chooser.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	csp := chooser.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "frame-ancestors 'none'", "form-action 'self'", "script-src 'nonce-"} {
		if !strings.Contains(csp, want) {
			t.Errorf("Content-Security-Policy %q lacks %q", csp, want)
		}
	}

	// Add a new account through the form.
	form := chooser.form(t, "main-form", "", "", "")
	if form.Fields.Get("eventId") != "4817596302" || form.Fields.Get("customParameters") != `{"prompt":"select_account"}` {
		t.Fatalf("the form does not carry the flow's parameters: %v", form.Fields)
	}
	done := form.submit(t, addr, map[string]string{
		"email": "Ada@Example.com", "displayName": "Ada <b>Lovelace</b>", "screenName": "ada",
		"photoUrl": "https://example.com/ada.png",
	}).mustHTML(t)
	var d delivery
	done.scriptJSON(t, "auth-event", &d)
	ev := d.AuthEvent
	if !d.Popup || d.StorageKey != "fake-api-key:[DEFAULT]" || d.APIKey != "fake-api-key" || d.AppName != "[DEFAULT]" ||
		ev.Type != "signInViaPopup" || ev.EventID == nil || *ev.EventID != "4817596302" ||
		ev.SessionID != "ValueNotUsedByAuthEmulator" || ev.PostBody != "" || ev.TenantID != nil || ev.Error != nil {
		t.Fatalf("delivery %+v", d)
	}
	u, err := url.Parse(ev.URLResponse)
	if err != nil || u.Scheme != "http" || u.Host != addr || u.Path != "/emulator/auth/handler" || u.Query().Get("providerId") != "google.com" {
		t.Fatalf("urlResponse %q", ev.URLResponse)
	}
	if got := done.scripts(); got != 2 {
		t.Fatalf("completion page has %d scripts, want 2:\n%s", got, done.Body)
	}

	// The SDK signs in with it; the Admin SDK verifies the ID token.
	r := signInLikeTheSDK(t, addr, d)
	if r.Body["isNewUser"] != true || r.str("email") != "ada@example.com" || r.Body["emailVerified"] != true || r.str("oauthIdToken") == "" {
		t.Fatalf("signInWithIdp: %s", r.Raw)
	}
	tok, err := admin.VerifyIDToken(ctx, r.str("idToken"))
	if err != nil {
		t.Fatalf("VerifyIDToken: %v", err)
	}
	if tok.UID != r.str("localId") || tok.Firebase.SignInProvider != "google.com" {
		t.Fatalf("token %+v", tok)
	}
	user, err := admin.GetUser(ctx, tok.UID)
	if err != nil {
		t.Fatal(err)
	}
	if user.Email != "ada@example.com" || user.DisplayName != "Ada <b>Lovelace</b>" || user.PhotoURL != "https://example.com/ada.png" ||
		len(user.ProviderUserInfo) != 1 || user.ProviderUserInfo[0].ProviderID != "google.com" {
		t.Fatalf("user %+v", user)
	}
	rawID := user.ProviderUserInfo[0].UID
	if !regexp.MustCompile(`^[0-9]{40}$`).MatchString(rawID) {
		t.Fatalf("fake IdP user ID %q, want 40 digits", rawID)
	}

	// Next time the account is listed (escaped) and choosing it signs the
	// same user in.
	chooser = getPage(t, addr, handlerQuery("signInViaPopup", "google.com", nil)).mustHTML(t)
	if !strings.Contains(chooser.Body, "Ada &lt;b&gt;Lovelace&lt;/b&gt;") || strings.Contains(chooser.Body, "<b>Lovelace") ||
		!strings.Contains(chooser.Body, "ada@example.com") || !strings.Contains(chooser.Body, `src="https://example.com/ada.png"`) {
		t.Fatalf("the account is not listed as expected:\n%s", chooser.Body)
	}
	done = chooser.form(t, "", "js-reuse-account", "account", rawID).submit(t, addr, nil).mustHTML(t)
	d = delivery{}
	done.scriptJSON(t, "auth-event", &d)
	r = signInLikeTheSDK(t, addr, d)
	if r.str("localId") != tok.UID || r.Body["isNewUser"] == true {
		t.Fatalf("choosing the listed account: %s", r.Raw)
	}
	if _, err := admin.VerifyIDToken(ctx, r.str("idToken")); err != nil {
		t.Fatalf("VerifyIDToken: %v", err)
	}
	// Other providers do not list it.
	if other := getPage(t, addr, handlerQuery("signInViaPopup", "github.com", nil)).mustHTML(t); strings.Contains(other.Body, "ada@example.com") {
		t.Fatalf("github.com lists a google.com identity:\n%s", other.Body)
	}
}

func TestHandlerRedirectFlow(t *testing.T) {
	srv := startEmulator(t)
	addr := srv.Addr()
	admin := adminClient(t, srv)

	chooser := getPage(t, addr, handlerQuery("signInViaRedirect", "github.com", nil)).mustHTML(t)
	done := chooser.form(t, "main-form", "", "", "").submit(t, addr, map[string]string{"email": "grace@example.com"}).mustHTML(t)
	var d delivery
	done.scriptJSON(t, "auth-event", &d)
	if d.Popup || d.RedirectURL != "http://localhost:5173/login?next=%2Frooms" || d.AuthEvent.Type != "signInViaRedirect" || d.AuthEvent.EventID != nil {
		t.Fatalf("delivery %+v", d)
	}
	r := signInLikeTheSDK(t, addr, d)
	tok, err := admin.VerifyIDToken(context.Background(), r.str("idToken"))
	if err != nil || tok.Firebase.SignInProvider != "github.com" || tok.Claims["email"] != "grace@example.com" {
		t.Fatalf("token %+v %v", tok, err)
	}
}

func TestHandlerFormErrorsKeepTheFlow(t *testing.T) {
	srv := startEmulator(t)
	addr := srv.Addr()
	chooser := getPage(t, addr, handlerQuery("linkViaPopup", "google.com", nil)).mustHTML(t)
	form := chooser.form(t, "main-form", "", "", "")
	for _, set := range []map[string]string{
		{"email": ""},
		{"email": "no-at-sign"},
		{"email": "a@example.com", "photoUrl": "javascript:alert(1)"},
		{"email": "a@example.com", "displayName": "tab\there"},
	} {
		p := form.submit(t, addr, set).mustHTML(t)
		if !strings.Contains(p.Body, `id="form-error"`) || strings.Contains(p.Body, `id="auth-event"`) {
			t.Fatalf("%v: want the form again with an error:\n%s", set, p.Body)
		}
		if strings.Contains(p.Body, "javascript:alert") && !strings.Contains(p.Body, `value="javascript:alert(1)"`) {
			t.Fatalf("%v: the bad URL is rendered outside the input's value:\n%s", set, p.Body)
		}
		if p.form(t, "main-form", "", "", "").Fields.Get("eventId") != "4817596302" {
			t.Fatalf("%v: the form lost the flow's parameters", set)
		}
	}
	// A listed account that has gone since.
	p := getPage(t, addr, handlerQuery("signInViaPopup", "google.com", map[string]string{"account": "gone"})).mustHTML(t)
	if !strings.Contains(p.Body, "no longer exists") || strings.Contains(p.Body, `id="auth-event"`) {
		t.Fatalf("a missing account:\n%s", p.Body)
	}
}

func TestHandlerEscapesEverything(t *testing.T) {
	srv := startEmulator(t)
	addr := srv.Addr()
	// An IdP account whose profile is hostile.
	mustOK(t, client(t, srv, "signInWithIdp", idpBody(t, "google.com", map[string]any{
		"sub": "evil-1", "email": "mallory@example.com", "email_verified": true,
		"name": `<script>alert(1)</script>`, "picture": `javascript:alert(2)`,
	}, nil)))
	hostileApp := `"><script>alert(3)</script>`
	chooser := getPage(t, addr, handlerQuery("signInViaPopup", "google.com", map[string]string{"appName": hostileApp})).mustHTML(t)
	for _, bad := range []string{"<script>alert", "javascript:alert(2)", `"><script`} {
		if strings.Contains(chooser.Body, bad) {
			t.Fatalf("the chooser renders %q unescaped:\n%s", bad, chooser.Body)
		}
	}
	if !strings.Contains(chooser.Body, "&lt;script&gt;alert(1)&lt;/script&gt;") || chooser.scripts() != 1 {
		t.Fatalf("the hostile name is not shown escaped, or the page has extra scripts:\n%s", chooser.Body)
	}
	f := chooser.form(t, "", "js-reuse-account", "account", "evil-1")
	if f.Fields.Get("appName") != hostileApp {
		t.Fatalf("appName round trip: %q", f.Fields.Get("appName"))
	}
	done := f.submit(t, addr, nil).mustHTML(t)
	if strings.Contains(done.Body, "<script>alert") || done.scripts() != 2 {
		t.Fatalf("the completion page is injectable:\n%s", done.Body)
	}
	var d delivery
	done.scriptJSON(t, "auth-event", &d)
	if d.AppName != hostileApp || d.StorageKey != "fake-api-key:"+hostileApp {
		t.Fatalf("delivery %+v", d)
	}
	// The fake claims carry the profile as data, and sign the same user in.
	r := signInLikeTheSDK(t, addr, d)
	if r.str("displayName") != `<script>alert(1)</script>` || r.str("federatedId") != "https://accounts.google.com/evil-1" {
		t.Fatalf("signInWithIdp: %s", r.Raw)
	}
}

func TestHandlerRefusesBadRequests(t *testing.T) {
	srv := startEmulator(t)
	addr := srv.Addr()
	for name, c := range map[string]struct {
		extra  map[string]string
		status int
		msg    string
	}{
		"no apiKey":             {map[string]string{"apiKey": ""}, 400, "missing apiKey or providerId"},
		"no providerId":         {map[string]string{"providerId": ""}, 400, "missing apiKey or providerId"},
		"bad apiKey":            {map[string]string{"apiKey": "a key"}, 400, "invalid apiKey"},
		"no appName":            {map[string]string{"appName": ""}, 400, "missing appName"},
		"appName control":       {map[string]string{"appName": "a\nb"}, 400, "invalid appName"},
		"bad authType":          {map[string]string{"authType": "verifyApp"}, 400, "invalid authType"},
		"password provider":     {map[string]string{"providerId": "password"}, 400, "invalid providerId"},
		"phone provider":        {map[string]string{"providerId": "phone"}, 400, "invalid providerId"},
		"markup provider":       {map[string]string{"providerId": "<b>.com"}, 400, "invalid providerId"},
		"saml":                  {map[string]string{"providerId": "saml.corp"}, 501, "SAML"},
		"tenant":                {map[string]string{"tid": "t1"}, 501, "tenants"},
		"android":               {map[string]string{"apn": "com.example.app"}, 501, "Android and iOS"},
		"ios":                   {map[string]string{"ibi": "com.example.app"}, 501, "Android and iOS"},
		"popup without eventId": {map[string]string{"eventId": ""}, 400, "missing eventId"},
		"bad eventId":           {map[string]string{"eventId": "1<2"}, 400, "invalid eventId"},
		"javascript redirect":   {map[string]string{"redirectUrl": "javascript:alert(1)"}, 400, "redirectUrl"},
		"data redirect":         {map[string]string{"redirectUrl": "data:text/html,hi"}, 400, "redirectUrl"},
		"remote redirect":       {map[string]string{"redirectUrl": "https://evil.example/"}, 400, "redirectUrl"},
		"lookalike redirect":    {map[string]string{"redirectUrl": "http://localhost.evil.example/"}, 400, "redirectUrl"},
		"userinfo redirect":     {map[string]string{"redirectUrl": "http://localhost@evil.example/"}, 400, "redirectUrl"},
		"relative redirect":     {map[string]string{"redirectUrl": "//evil.example/"}, 400, "redirectUrl"},
		"bad customParameters":  {map[string]string{"customParameters": "[1]"}, 400, "customParameters"},
	} {
		p := getPage(t, addr, handlerQuery("signInViaPopup", "google.com", c.extra))
		if p.Status != c.status || !strings.Contains(p.Body, c.msg) || !strings.HasPrefix(p.Header.Get("Content-Type"), "application/json") ||
			!strings.Contains(p.Body, `{"authEmulator":{"error":`) {
			t.Errorf("%s: got %d %s, want %d mentioning %q", name, p.Status, p.Body, c.status, c.msg)
		}
	}
	// A redirect flow needs somewhere to go back to.
	if p := getPage(t, addr, handlerQuery("signInViaRedirect", "google.com", map[string]string{"redirectUrl": ""})); p.Status != 400 || !strings.Contains(p.Body, "missing redirectUrl") {
		t.Errorf("redirect without redirectUrl: %d %s", p.Status, p.Body)
	}
	// Loopback apps are fine.
	for _, ok := range []string{"http://127.0.0.1:3000/", "https://app.localhost/x", "http://[::1]:8080/#frag"} {
		getPage(t, addr, handlerQuery("signInViaRedirect", "google.com", map[string]string{"redirectUrl": ok})).mustHTML(t)
	}
	// Repeated parameters are ambiguous.
	if p := getPage(t, addr, handlerQuery("signInViaPopup", "google.com", nil)+"&redirectUrl=https://evil.example/"); p.Status != 400 {
		t.Errorf("repeated redirectUrl: %d %s", p.Status, p.Body)
	}
	// Only GET.
	resp, err := http.Post("http://"+addr+"/emulator/auth/handler", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("POST: %d", resp.StatusCode)
	}
}

func TestIframePage(t *testing.T) {
	srv := startEmulator(t)
	addr := srv.Addr()
	q := url.Values{"apiKey": {"fake-api-key"}, "appName": {`</script><script>alert(1)</script>`}, "v": {"12.4.0"}}
	p := getPage(t, addr, "/emulator/auth/iframe?"+q.Encode()).mustHTML(t)
	var cfg struct{ APIKey, AppName string }
	p.scriptJSON(t, "iframe-config", &cfg)
	if cfg.APIKey != "fake-api-key" || cfg.AppName != q.Get("appName") || strings.Contains(p.Body, "<script>alert") {
		t.Fatalf("config %+v in:\n%s", cfg, p.Body)
	}
	if !strings.Contains(p.Body, `<script src="https://apis.google.com/js/api.js">`) || p.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("iframe page:\n%v\n%s", p.Header, p.Body)
	}
	for _, bad := range []string{"?apiKey=k", "?appName=a", "?apiKey=a%20b&appName=x", "?apiKey=k&appName=a%00"} {
		if r := getPage(t, addr, "/emulator/auth/iframe"+bad); r.Status != 400 || !strings.Contains(r.Body, `"authEmulator"`) {
			t.Errorf("%s: %d %s", bad, r.Status, r.Body)
		}
	}
}

// TestTargetHandlerPages holds what both emulators' browser pages do: the
// handler lists the accounts with an identity of the provider (here one
// made by signInWithIdp with a requestUri of the handler's own form, as the
// JS SDK sends after the page), refuses a query without apiKey or
// providerId, and the iframe helper page is served.
func TestTargetHandlerPages(t *testing.T) {
	addr := authTarget(t)
	c := targetAdmin(t, addr)
	id := strings.ToLower(randomSuffix(t))
	email := "handler-" + id + "@example.com"
	claims := `{"sub":"h-` + id + `","iss":"","aud":"","exp":0,"iat":0,"name":"Handler ` + id +
		`","screen_name":"","email":"` + email + `","email_verified":true,"picture":""}`
	requestURI := "http://" + addr + "/emulator/auth/handler?" + url.Values{"providerId": {"github.com"}, "id_token": {claims}}.Encode()
	r := mustOK(t, targetClient(t, addr, "signInWithIdp", map[string]any{
		"requestUri": requestURI, "sessionId": "ValueNotUsedByAuthEmulator", "postBody": "", "returnSecureToken": true,
	}))
	t.Cleanup(func() { _ = c.DeleteUser(context.Background(), r.str("localId")) })
	if r.str("email") != email || r.str("idToken") == "" {
		t.Fatalf("signInWithIdp: %s", r.Raw)
	}

	p := getPage(t, addr, handlerQuery("signInViaPopup", "github.com", nil))
	if p.Status != http.StatusOK || !strings.HasPrefix(p.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(p.Body, email) || !strings.Contains(p.Body, "Handler "+id) {
		t.Fatalf("handler page: %d %v\n%s", p.Status, p.Header, p.Body)
	}
	p = getPage(t, addr, handlerQuery("signInViaPopup", "github.com", map[string]string{"providerId": ""}))
	var refused struct {
		AuthEmulator struct{ Error string } `json:"authEmulator"`
	}
	_ = json.Unmarshal([]byte(p.Body), &refused)
	if p.Status != http.StatusBadRequest || refused.AuthEmulator.Error != "missing apiKey or providerId query parameters" {
		t.Fatalf("handler without providerId: %d %s", p.Status, p.Body)
	}
	p = getPage(t, addr, "/emulator/auth/iframe?apiKey=fake-api-key&appName=%5BDEFAULT%5D&v=12.4.0")
	if p.Status != http.StatusOK || !strings.HasPrefix(p.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(p.Body, "https://apis.google.com/js/api.js") {
		t.Fatalf("iframe page: %d %v\n%s", p.Status, p.Header, p.Body)
	}
}
