package auth

import (
	"net/http"
	"net/url"
)

// GET /emulator/action is the page an OOB link opens (the link an email
// would carry): it applies the code and answers {"authEmulator":{...}} in
// JSON, as Google's emulator does. mode must match the code's request type.
// A redirect goes only to the continueUrl recorded with the code (checked
// when the code was made), never to one taken from the link, so the page
// cannot be used as an open redirect; Google's emulator redirects to the
// link's continueUrl.
func (s *server) serveAction(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	fail := func(msg string) {
		s.log("GET /emulator/action mode=%q -> 400", q.Get("mode"))
		writeJSON(w, http.StatusBadRequest, map[string]any{"authEmulator": map[string]any{"error": msg}})
	}
	if r.Method != http.MethodGet {
		writeJSON(w, http.StatusNotFound, map[string]any{"error": notFound("Not Found")})
		return
	}
	if q.Get("apiKey") == "" {
		fail("missing apiKey query parameter")
		return
	}
	code := q.Get("oobCode")
	if code == "" {
		fail("missing oobCode query parameter")
		return
	}
	mode := q.Get("mode")
	s.st.mu.Lock()
	p := s.st.projectLocked(s.st.defaultProjectLocked())
	oob := p.oobLocked(code)
	if oob == nil || oobModes[oob.RequestType] != mode {
		s.st.mu.Unlock()
		fail("Requested mode does not match the OOB code provided, or the link has expired or has already been used.")
		return
	}
	rec := *oob
	var result map[string]any
	var err error
	switch mode {
	case "resetPassword":
		pw := q.Get("newPassword")
		switch {
		case pw == "":
			err = badRequest("missing newPassword query parameter: append &newPassword=NEW_PASSWORD to the link")
		case pw == "NEW_PASSWORD_HERE":
			err = badRequest("newPassword must be something other than 'NEW_PASSWORD_HERE'")
		default:
			if _, err = resetPasswordLocked(p, rec, pw, s.now()); err == nil {
				result = map[string]any{"success": "The password has been successfully updated.", "email": rec.Email}
			}
		}
	case "verifyEmail", "verifyAndChangeEmail", "recoverEmail":
		var nu *UserRecord
		var newEmail string
		if nu, newEmail, err = applyOobUpdateLocked(p, code); err == nil {
			switch mode {
			case "verifyEmail":
				result = map[string]any{"success": "The email has been successfully verified.", "email": nu.Email}
			case "verifyAndChangeEmail":
				result = map[string]any{"success": "The email has been successfully changed.", "newEmail": newEmail}
			default:
				result = map[string]any{"success": "The email has been successfully reset.", "email": nu.Email}
			}
		}
	case "signIn":
		// Signing in happens in the app: hand the link's code to it.
		if rec.continueURL == "" {
			err = badRequest("Missing continueUrl: request the link with a continueUrl")
		}
	default:
		err = badRequest("Invalid mode")
	}
	s.st.mu.Unlock()
	if err != nil {
		fail(asAPIError(err).Message)
		return
	}
	if rec.continueURL != "" {
		to, _ := url.Parse(rec.continueURL)
		if mode == "signIn" {
			tq := to.Query()
			for _, k := range []string{"mode", "lang", "oobCode", "apiKey"} {
				tq.Set(k, q.Get(k))
			}
			to.RawQuery = tq.Encode()
		}
		s.log("GET /emulator/action mode=%s -> 303", mode)
		http.Redirect(w, r, to.String(), http.StatusSeeOther)
		return
	}
	s.log("GET /emulator/action mode=%s -> 200", mode)
	writeJSON(w, http.StatusOK, map[string]any{"authEmulator": result})
}
