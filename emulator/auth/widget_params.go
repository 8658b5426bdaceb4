package auth

import (
	"encoding/json"
	"net/url"
	"strings"

	"github.com/roomgate/roomgate/emulator/internal/loopback"
)

// This file checks the query of /emulator/auth/handler, the page the JS
// SDK's signInWithPopup / signInWithRedirect (and the link and reauth
// variants) open against the emulator. The SDK sends apiKey, appName,
// authType, redirectUrl, v, eventId, providerId and, when set, scopes,
// customParameters, tid; hl, fw and eid may appear. Every value the page
// uses is checked here; anything the emulator does not model is refused.

// widgetParams is the checked query of the handler page.
type widgetParams struct {
	APIKey, AppName, AuthType, ProviderID string
	RedirectURL, EventID                  string
	// Carried along unchanged (bounded and printable, otherwise unused).
	V, Scopes, CustomParameters, HL, FW, EID string
}

// authTypes are the SDK's AuthEventType values that open the handler.
var authTypes = map[string]bool{
	"signInViaPopup": true, "linkViaPopup": true, "reauthViaPopup": true,
	"signInViaRedirect": true, "linkViaRedirect": true, "reauthViaRedirect": true,
}

// popup reports whether the flow answers through the opener's iframe
// rather than by navigating back to redirectUrl.
func (p widgetParams) popup() bool { return strings.HasSuffix(p.AuthType, "ViaPopup") }

// storageKey is the key the SDK's iframe and the page agree on.
func (p widgetParams) storageKey() string { return p.APIKey + ":" + p.AppName }

// query is the handler query that reproduces p (the forms of the page
// carry it to the next step).
func (p widgetParams) query() url.Values {
	q := url.Values{}
	for k, v := range map[string]string{
		"apiKey": p.APIKey, "appName": p.AppName, "authType": p.AuthType, "providerId": p.ProviderID,
		"redirectUrl": p.RedirectURL, "eventId": p.EventID, "v": p.V, "scopes": p.Scopes,
		"customParameters": p.CustomParameters, "hl": p.HL, "fw": p.FW, "eid": p.EID,
	} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q
}

// widgetError is a refused handler request: the status and the message
// shown as {"authEmulator":{"error":...}}, as Google's emulator answers.
type widgetError struct {
	status int
	msg    string
}

func (e *widgetError) Error() string { return e.msg }

func badWidget(msg string) error { return &widgetError{400, msg} }

func unmodelledWidget(msg string) error { return &widgetError{501, msg} }

// parseWidgetParams checks the handler query. Unknown parameters are
// ignored: nothing reads them.
func parseWidgetParams(q url.Values) (widgetParams, error) {
	for k, v := range q {
		if len(v) > 1 {
			return widgetParams{}, badWidget("query parameter " + k + " is repeated")
		}
	}
	p := widgetParams{
		APIKey: q.Get("apiKey"), AppName: q.Get("appName"), AuthType: q.Get("authType"),
		ProviderID: q.Get("providerId"), RedirectURL: q.Get("redirectUrl"), EventID: q.Get("eventId"),
		V: q.Get("v"), Scopes: q.Get("scopes"), CustomParameters: q.Get("customParameters"),
		HL: q.Get("hl"), FW: q.Get("fw"), EID: q.Get("eid"),
	}
	if p.APIKey == "" || p.ProviderID == "" {
		return p, badWidget("missing apiKey or providerId query parameters")
	}
	if !token(p.APIKey, 256, "._~-") {
		return p, badWidget("invalid apiKey")
	}
	if q.Get("tid") != "" || q.Get("tenantId") != "" {
		return p, unmodelledWidget("tenants are not supported by this Auth emulator")
	}
	for _, k := range []string{"apn", "ibi", "clientId", "appId"} {
		if q.Get(k) != "" {
			return p, unmodelledWidget("sign-in from Android and iOS apps (" + k + ") is not supported by this Auth emulator's handler; use a web app (appName)")
		}
	}
	if p.AppName == "" {
		return p, badWidget("missing appName query parameter")
	}
	if len(p.AppName) > 256 || !printable(p.AppName) {
		return p, badWidget("invalid appName")
	}
	if !authTypes[p.AuthType] {
		return p, badWidget("invalid authType: want signInViaPopup, signInViaRedirect, linkViaPopup, linkViaRedirect, reauthViaPopup or reauthViaRedirect")
	}
	p.ProviderID = strings.ToLower(p.ProviderID)
	if !token(p.ProviderID, 128, ".-_") || !strings.Contains(p.ProviderID, ".") {
		return p, badWidget("invalid providerId")
	}
	if strings.HasPrefix(p.ProviderID, "saml.") {
		return p, unmodelledWidget("SAML sign-in is not implemented in this Auth emulator")
	}
	if p.EventID != "" && !token(p.EventID, 64, "_-") {
		return p, badWidget("invalid eventId")
	}
	if p.popup() && p.EventID == "" {
		return p, badWidget("missing eventId query parameter (a popup flow needs one)")
	}
	if p.RedirectURL == "" && !p.popup() {
		return p, badWidget("missing redirectUrl query parameter (a redirect flow needs one)")
	}
	if p.RedirectURL != "" && !allowedRedirect(p.RedirectURL) {
		return p, badWidget("redirectUrl must be an http(s) URL on this machine (localhost, *.localhost or a loopback IP), the only authorized domain of the Auth emulator")
	}
	if p.CustomParameters != "" {
		var obj map[string]any
		if len(p.CustomParameters) > 4096 || json.Unmarshal([]byte(p.CustomParameters), &obj) != nil || obj == nil {
			return p, badWidget("customParameters must be a JSON object")
		}
	}
	for _, v := range []string{p.V, p.Scopes, p.HL, p.FW, p.EID} {
		if len(v) > 1024 || !printable(v) {
			return p, badWidget("a query parameter is too long or has control characters")
		}
	}
	return p, nil
}

// allowedRedirect accepts the pages a flow may return to: absolute http(s)
// URLs without user info whose host is on this machine. Google's emulator
// reports "localhost" as the only authorized domain but navigates to any
// redirectUrl (including javascript: URLs); this one refuses the rest, so
// the page cannot serve as an open redirect or run script on its origin.
func allowedRedirect(s string) bool {
	if len(s) > maxFieldLength || !printable(s) {
		return false
	}
	u, err := url.Parse(s)
	if err != nil || u.User != nil || u.Host == "" || u.Opaque != "" {
		return false
	}
	scheme := strings.ToLower(u.Scheme)
	return (scheme == "http" || scheme == "https") && loopback.AllowedOrigin(scheme+"://"+u.Host)
}

// token reports whether s is 1..max ASCII letters, digits or extra.
func token(s string, max int, extra string) bool {
	if s == "" || len(s) > max {
		return false
	}
	for _, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
			r < 0x80 && strings.ContainsRune(extra, r)
		if !ok {
			return false
		}
	}
	return true
}

// newAccountForm is the "add new account" form of the page.
type newAccountForm struct {
	Email, DisplayName, ScreenName, PhotoURL string
}

// check validates the form as signInWithIdp would accept its claims;
// it returns a message for the page, or "".
func (f newAccountForm) check() string {
	switch {
	case f.Email == "":
		return "Email required"
	case !validEmail(f.Email):
		return "Invalid email address"
	case len(f.DisplayName) > maxFieldLength || !printable(f.DisplayName):
		return "Invalid display name"
	case len(f.ScreenName) > maxFieldLength || !printable(f.ScreenName):
		return "Invalid screen name"
	case f.PhotoURL != "" && !validContinueURL(f.PhotoURL):
		return "The profile photo URL must be an http(s) URL"
	}
	return ""
}
