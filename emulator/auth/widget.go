package auth

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"sort"
)

// GET /emulator/auth/handler is the fake IdP page of popup and redirect
// sign-in: it lists the accounts that already have an identity of the
// provider and offers a form for a new one. Choosing completes the flow in
// two steps, both GETs of this page without side effects:
//
//  1. the chooser (the query the SDK built);
//  2. the same query plus account=<rawId> or newAccount=1 with the form
//     fields: the server builds the fake IdP answer and serves a page whose
//     script hands the SDK the auth event, as Google's page does — through
//     the opener's /emulator/auth/iframe (popup) or session storage and a
//     navigation to redirectUrl (redirect).
//
// The event's urlResponse is this page's URL with providerId and an
// id_token holding the fake claims as JSON; the SDK then calls
// signInWithIdp with it as requestUri. No account changes until that call.
const widgetPath = "/emulator/auth/handler"

// widgetAccount is one listed account.
type widgetAccount struct {
	RawID, DisplayName, Email, PhotoURL string
	Disabled                            bool
}

// widgetPage is what the chooser template renders.
type widgetPage struct {
	Nonce, ProviderID, Action string
	Hidden                    url.Values
	Accounts                  []widgetAccount
	Form                      newAccountForm
	FormError                 string
	ShowForm                  bool
}

// authEvent is the SDK's AuthEvent for a successful choice.
type authEvent struct {
	Type        string  `json:"type"`
	EventID     *string `json:"eventId"`
	URLResponse string  `json:"urlResponse"`
	SessionID   string  `json:"sessionId"`
	PostBody    string  `json:"postBody"`
	TenantID    *string `json:"tenantId"`
	Error       *string `json:"error"`
}

// widgetDelivery is the data the completion page's script acts on.
type widgetDelivery struct {
	Event       authEvent `json:"authEvent"`
	StorageKey  string    `json:"storageKey"`
	APIKey      string    `json:"apiKey"`
	AppName     string    `json:"appName"`
	Popup       bool      `json:"popup"`
	RedirectURL string    `json:"redirectUrl"`
}

func (s *server) serveWidget(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		writeJSON(w, http.StatusNotFound, map[string]any{"error": notFound("Not Found")})
		return
	}
	q := r.URL.Query()
	p, err := parseWidgetParams(q)
	if err != nil {
		var we *widgetError
		errors.As(err, &we)
		s.log("GET %s providerId=%q -> %d", widgetPath, q.Get("providerId"), we.status)
		writeJSON(w, we.status, map[string]any{"authEmulator": map[string]any{"error": we.msg}})
		return
	}
	base := "http://" + safeHost(r.Host)
	page := widgetPage{ProviderID: p.ProviderID, Action: widgetPath, Hidden: p.query()}
	var claims map[string]any
	switch {
	case q.Get("account") != "":
		a, ok := s.widgetAccount(p.ProviderID, q.Get("account"))
		if !ok {
			page.FormError = "That account no longer exists in the Auth emulator; choose another one."
			break
		}
		claims = fakeIdpClaims(a.RawID, a.DisplayName, a.ScreenName, a.Email, a.PhotoURL)
	case q.Get("newAccount") != "":
		page.Form = newAccountForm{Email: q.Get("email"), DisplayName: q.Get("displayName"),
			ScreenName: q.Get("screenName"), PhotoURL: q.Get("photoUrl")}
		if page.FormError = page.Form.check(); page.FormError != "" {
			page.ShowForm = true
			break
		}
		// A new fake IdP user ID: 40 digits, as on Google's page.
		claims = fakeIdpClaims(randomDigits(40), page.Form.DisplayName, page.Form.ScreenName,
			page.Form.Email, page.Form.PhotoURL)
	}
	if claims != nil {
		s.log("GET %s providerId=%s authType=%s -> 200 (complete)", widgetPath, p.ProviderID, p.AuthType)
		s.writeWidgetDone(w, p, base, claims)
		return
	}
	page.Accounts = s.widgetAccounts(p.ProviderID)
	s.log("GET %s providerId=%s authType=%s accounts=%d -> 200", widgetPath, p.ProviderID, p.AuthType, len(page.Accounts))
	page.Nonce = randomNonce()
	writeWidgetHTML(w, chooserTemplate, page.Nonce, &page)
}

// fakeIdpClaims are the claims of a fake id_token, the same fields
// Google's page puts there; signInWithIdp reads sub, name, screen_name,
// email, email_verified and picture.
func fakeIdpClaims(sub, name, screenName, email, picture string) map[string]any {
	return map[string]any{
		"sub": sub, "iss": "", "aud": "", "exp": 0, "iat": 0, "name": name,
		"screen_name": screenName, "email": email, "email_verified": true, "picture": picture,
	}
}

// writeWidgetDone serves the completion page carrying the auth event.
func (s *server) writeWidgetDone(w http.ResponseWriter, p widgetParams, base string, claims map[string]any) {
	idToken, _ := json.Marshal(claims)
	resp := url.Values{"providerId": {p.ProviderID}, "id_token": {string(idToken)}}
	ev := authEvent{
		Type: p.AuthType, URLResponse: base + widgetPath + "?" + resp.Encode(),
		SessionID: "ValueNotUsedByAuthEmulator",
	}
	if p.EventID != "" {
		ev.EventID = &p.EventID
	}
	d := widgetDelivery{Event: ev, StorageKey: p.storageKey(), APIKey: p.APIKey, AppName: p.AppName,
		Popup: p.popup(), RedirectURL: p.RedirectURL}
	nonce := randomNonce()
	email, _ := claims["email"].(string)
	writeWidgetHTML(w, doneTemplate, nonce, &widgetDone{Nonce: nonce, Delivery: d, Email: email})
}

// widgetDone is what the completion template renders.
type widgetDone struct {
	Nonce    string
	Delivery widgetDelivery
	Email    string
}

// widgetAccounts lists the identities of providerID, by email then rawId.
func (s *server) widgetAccounts(providerID string) []widgetAccount {
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	p := s.st.projectLocked(s.st.defaultProjectLocked())
	var out []widgetAccount
	for _, u := range p.users {
		for _, pi := range u.ProviderUserInfo {
			if pi.ProviderID != providerID {
				continue
			}
			a := widgetAccount{RawID: pi.RawID, DisplayName: pi.DisplayName, Email: pi.Email, Disabled: u.Disabled}
			if validContinueURL(pi.PhotoURL) {
				a.PhotoURL = pi.PhotoURL
			}
			out = append(out, a)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Email != out[j].Email {
			return out[i].Email < out[j].Email
		}
		return out[i].RawID < out[j].RawID
	})
	return out
}

// widgetAccount returns the identity of providerID with this rawId.
func (s *server) widgetAccount(providerID, rawID string) (ProviderUserInfo, bool) {
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	p := s.st.projectLocked(s.st.defaultProjectLocked())
	if u := p.userByProvider(providerID, rawID); u != nil {
		for _, pi := range u.ProviderUserInfo {
			if pi.ProviderID == providerID && pi.RawID == rawID {
				return pi, true
			}
		}
	}
	return ProviderUserInfo{}, false
}

// writeWidgetHTML renders an emulator page with a fresh script nonce and
// headers that keep it out of frames and limit what it may load: the
// handler is opened as a popup or a top-level page, never framed.
// nonce is the one data carries for its inline script and style.
func writeWidgetHTML(w http.ResponseWriter, t *template.Template, nonce string, data any) {
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]any{"authEmulator": map[string]any{"error": "rendering the page failed"}})
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'nonce-"+nonce+"'; style-src 'nonce-"+nonce+
		"'; img-src http: https: data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
}

func randomNonce() string {
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		panic("auth: crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
