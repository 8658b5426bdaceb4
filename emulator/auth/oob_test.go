package auth_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"testing"

	fbauth "firebase.google.com/go/v4/auth"

	"github.com/roomgate/roomgate/emulator/auth"
)

// Out-of-band codes through the Admin SDK's *Link calls and the client REST
// calls the JS SDK makes (sendOobCode, resetPassword, update with oobCode,
// signInWithEmailLink), and the emulator's pending-code list.

// oobCodes is GET /emulator/v1/projects/{p}/oobCodes.
func oobCodes(t *testing.T, srv *auth.Server) []map[string]any {
	t.Helper()
	r := mustOK(t, call(t, srv, http.MethodGet, "/emulator/v1/projects/"+projectID+"/oobCodes", nil, ""))
	list, ok := r.Body["oobCodes"].([]any)
	if !ok {
		t.Fatalf("oobCodes is not a list: %s", r.Raw)
	}
	out := make([]map[string]any, len(list))
	for i, o := range list {
		out[i] = o.(map[string]any)
	}
	return out
}

// linkCode returns the oobCode query parameter of an action link and checks
// the link's shape.
func linkCode(t *testing.T, link, mode string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil || u.Path != "/emulator/action" {
		t.Fatalf("link %q is not an /emulator/action link", link)
	}
	q := u.Query()
	if q.Get("mode") != mode || q.Get("apiKey") == "" || q.Get("oobCode") == "" {
		t.Fatalf("link %q: want mode=%s, an apiKey and an oobCode", link, mode)
	}
	return q.Get("oobCode")
}

func TestAdminLinksAndActionCodes(t *testing.T) {
	srv := startEmulator(t)
	c := adminClient(t, srv)
	ctx := context.Background()
	if _, err := c.CreateUser(ctx, (&fbauth.UserToCreate{}).Email("ann@example.com").Password("secret1")); err != nil {
		t.Fatal(err)
	}

	t.Run("EmailVerificationLink, then applying the code verifies the email", func(t *testing.T) {
		link, err := c.EmailVerificationLink(ctx, "ann@example.com")
		if err != nil {
			t.Fatal(err)
		}
		code := linkCode(t, link, "verifyEmail")
		codes := oobCodes(t, srv)
		i := slices.IndexFunc(codes, func(o map[string]any) bool { return o["oobCode"] == code })
		if i < 0 || codes[i]["email"] != "ann@example.com" || codes[i]["requestType"] != "VERIFY_EMAIL" || codes[i]["oobLink"] != link {
			t.Fatalf("oobCodes %v lacks the link's code", codes)
		}
		// checkActionCode (resetPassword without a password) only reports.
		r := mustOK(t, client(t, srv, "resetPassword", map[string]any{"oobCode": code}))
		if r.str("requestType") != "VERIFY_EMAIL" || r.str("email") != "ann@example.com" {
			t.Fatalf("checkActionCode: %s", r.Raw)
		}
		mustOK(t, client(t, srv, "update", map[string]any{"oobCode": code}))
		u, err := c.GetUserByEmail(ctx, "ann@example.com")
		if err != nil || !u.EmailVerified {
			t.Fatalf("after applying the code: %+v %v", u, err)
		}
		wantError(t, client(t, srv, "update", map[string]any{"oobCode": code}), 400, "INVALID_OOB_CODE")
	})

	t.Run("PasswordResetLink, then resetPassword sets the password", func(t *testing.T) {
		link, err := c.PasswordResetLink(ctx, "ann@example.com")
		if err != nil {
			t.Fatal(err)
		}
		code := linkCode(t, link, "resetPassword")
		wantError(t, client(t, srv, "resetPassword", map[string]any{"oobCode": code, "newPassword": "short"}), 400, "WEAK_PASSWORD")
		r := mustOK(t, client(t, srv, "resetPassword", map[string]any{"oobCode": code, "newPassword": "another1"}))
		if r.str("requestType") != "PASSWORD_RESET" || r.str("email") != "ann@example.com" {
			t.Fatalf("resetPassword: %s", r.Raw)
		}
		mustOK(t, client(t, srv, "signInWithPassword", map[string]any{"email": "ann@example.com", "password": "another1"}))
		wantError(t, client(t, srv, "signInWithPassword", map[string]any{"email": "ann@example.com", "password": "secret1"}), 400, "INVALID_PASSWORD")
		wantError(t, client(t, srv, "resetPassword", map[string]any{"oobCode": code, "newPassword": "third123"}), 400, "INVALID_OOB_CODE")
	})

	t.Run("unknown emails are refused", func(t *testing.T) {
		if _, err := c.PasswordResetLink(ctx, "nobody@example.com"); !fbauth.IsEmailNotFound(err) {
			t.Fatalf("PasswordResetLink(unknown): %v, want EMAIL_NOT_FOUND", err)
		}
		if _, err := c.EmailVerificationLink(ctx, "nobody@example.com"); !fbauth.IsUserNotFound(err) {
			t.Fatalf("EmailVerificationLink(unknown): %v, want USER_NOT_FOUND", err)
		}
	})

	t.Run("EmailSignInLink, then signInWithEmailLink", func(t *testing.T) {
		settings := &fbauth.ActionCodeSettings{URL: "https://app.example.com/finish", HandleCodeInApp: true}
		link, err := c.EmailSignInLink(ctx, "new@example.com", settings)
		if err != nil {
			t.Fatal(err)
		}
		code := linkCode(t, link, "signIn")
		if u, _ := url.Parse(link); u.Query().Get("continueUrl") != settings.URL {
			t.Fatalf("link %q lacks the continueUrl", link)
		}
		wantError(t, client(t, srv, "signInWithEmailLink", map[string]any{"email": "other@example.com", "oobCode": code}), 400, "INVALID_EMAIL")
		r := mustOK(t, client(t, srv, "signInWithEmailLink", map[string]any{"email": "New@Example.com", "oobCode": code}))
		if r.Body["isNewUser"] != true || r.str("idToken") == "" || r.str("email") != "new@example.com" {
			t.Fatalf("signInWithEmailLink: %s", r.Raw)
		}
		_, claims, _ := decodeToken(t, r.str("idToken"))
		if fb := claims["firebase"].(map[string]any); fb["sign_in_provider"] != "password" || claims["email_verified"] != true {
			t.Fatalf("ID token claims %v", claims)
		}
		u, err := c.GetUserByEmail(ctx, "new@example.com")
		if err != nil || !u.EmailVerified || u.UID != r.str("localId") {
			t.Fatalf("user after email-link sign-in: %+v %v", u, err)
		}
		wantError(t, client(t, srv, "signInWithEmailLink", map[string]any{"email": "new@example.com", "oobCode": code}), 400, "INVALID_OOB_CODE")
		if _, err := c.EmailSignInLink(ctx, "x@example.com", &fbauth.ActionCodeSettings{URL: "javascript:alert(1)", HandleCodeInApp: true}); err == nil {
			t.Fatal("a non-http continue URL was accepted")
		}
	})
}

func TestClientOobCodes(t *testing.T) {
	srv := startEmulator(t)
	c := adminClient(t, srv)
	ctx := context.Background()
	tok := signUpPassword(t, srv, "bob@example.com", "secret1").str("idToken")
	signUpPassword(t, srv, "taken@example.com", "secret1")

	t.Run("returnOobLink needs a privileged caller", func(t *testing.T) {
		wantError(t, client(t, srv, "sendOobCode", map[string]any{"requestType": "PASSWORD_RESET", "email": "bob@example.com", "returnOobLink": true}), 400, "INSUFFICIENT_PERMISSION")
		wantError(t, client(t, srv, "sendOobCode", map[string]any{}), 400, "MISSING_REQ_TYPE")
	})

	t.Run("VERIFY_EMAIL by ID token returns no code; the list has it", func(t *testing.T) {
		r := mustOK(t, client(t, srv, "sendOobCode", map[string]any{"requestType": "VERIFY_EMAIL", "idToken": tok}))
		if r.str("email") != "bob@example.com" || r.str("oobCode") != "" || r.str("oobLink") != "" {
			t.Fatalf("sendOobCode: %s", r.Raw)
		}
		codes := oobCodes(t, srv)
		last := codes[len(codes)-1]
		if last["requestType"] != "VERIFY_EMAIL" || last["email"] != "bob@example.com" {
			t.Fatalf("oobCodes: %v", codes)
		}
		// Opening the link, as a person would, verifies the email.
		link, _ := url.Parse(last["oobLink"].(string))
		r = mustOK(t, call(t, srv, http.MethodGet, link.RequestURI(), nil, ""))
		if ae, _ := r.Body["authEmulator"].(map[string]any); ae["email"] != "bob@example.com" {
			t.Fatalf("action page: %s", r.Raw)
		}
		if u, err := c.GetUserByEmail(ctx, "bob@example.com"); err != nil || !u.EmailVerified {
			t.Fatalf("after the action page: %+v %v", u, err)
		}
		if r := call(t, srv, http.MethodGet, link.RequestURI(), nil, ""); r.Status != http.StatusBadRequest {
			t.Fatalf("reusing the link: %d %s", r.Status, r.Raw)
		}
	})

	t.Run("VERIFY_AND_CHANGE_EMAIL (verifyBeforeUpdateEmail)", func(t *testing.T) {
		wantError(t, client(t, srv, "sendOobCode", map[string]any{"requestType": "VERIFY_AND_CHANGE_EMAIL", "idToken": tok, "newEmail": "taken@example.com"}), 400, "EMAIL_EXISTS")
		mustOK(t, client(t, srv, "sendOobCode", map[string]any{"requestType": "VERIFY_AND_CHANGE_EMAIL", "idToken": tok, "newEmail": "bob2@example.com"}))
		codes := oobCodes(t, srv)
		last := codes[len(codes)-1]
		if last["requestType"] != "VERIFY_AND_CHANGE_EMAIL" || last["email"] != "bob@example.com" || last["newEmail"] != "bob2@example.com" {
			t.Fatalf("oobCodes: %v", codes)
		}
		r := mustOK(t, client(t, srv, "update", map[string]any{"oobCode": last["oobCode"]}))
		if r.str("email") != "bob2@example.com" || r.str("newEmail") != "bob2@example.com" {
			t.Fatalf("update with oobCode: %s", r.Raw)
		}
		u, err := c.GetUserByEmail(ctx, "bob2@example.com")
		if err != nil || !u.EmailVerified {
			t.Fatalf("after the change: %+v %v", u, err)
		}
		if _, err := c.GetUserByEmail(ctx, "bob@example.com"); !fbauth.IsUserNotFound(err) {
			t.Fatalf("old email still finds a user: %v", err)
		}
	})

	t.Run("PASSWORD_RESET for an unknown email", func(t *testing.T) {
		wantError(t, client(t, srv, "sendOobCode", map[string]any{"requestType": "PASSWORD_RESET", "email": "ghost@example.com"}), 400, "EMAIL_NOT_FOUND")
	})

	t.Run("a code of another kind does not reset a password", func(t *testing.T) {
		mustOK(t, client(t, srv, "sendOobCode", map[string]any{"requestType": "EMAIL_SIGNIN", "email": "bob2@example.com"}))
		codes := oobCodes(t, srv)
		code := codes[len(codes)-1]["oobCode"]
		wantError(t, client(t, srv, "resetPassword", map[string]any{"oobCode": code, "newPassword": "hijack12"}), 400, "INVALID_OOB_CODE")
		wantError(t, client(t, srv, "update", map[string]any{"oobCode": "made-up"}), 400, "INVALID_OOB_CODE")
	})
}

func TestCreateAuthURI(t *testing.T) {
	srv := startEmulator(t)
	signUpPassword(t, srv, "carol@example.com", "secret1")
	body := func(email string) map[string]any {
		return map[string]any{"identifier": email, "continueUri": "http://localhost/"}
	}
	r := mustOK(t, client(t, srv, "createAuthUri", body("Carol@example.com")))
	if r.Body["registered"] != true || r.str("sessionId") == "" {
		t.Fatalf("createAuthUri: %s", r.Raw)
	}
	if m, _ := r.Body["signinMethods"].([]any); len(m) != 1 || m[0] != "password" {
		t.Fatalf("signinMethods: %s", r.Raw)
	}
	r = mustOK(t, client(t, srv, "createAuthUri", body("nobody@example.com")))
	if m, ok := r.Body["signinMethods"].([]any); r.Body["registered"] != false || !ok || len(m) != 0 {
		t.Fatalf("createAuthUri(unknown): %s", r.Raw)
	}
	wantError(t, client(t, srv, "createAuthUri", map[string]any{"identifier": "carol@example.com"}), 400, "MISSING_CONTINUE_URI")
	wantError(t, client(t, srv, "createAuthUri", map[string]any{"identifier": "nope", "continueUri": "http://localhost/"}), 400, "INVALID_IDENTIFIER")

	mustOK(t, call(t, srv, http.MethodPatch, "/emulator/v1/projects/"+projectID+"/config", nil, `{"emailPrivacyConfig":{"enableImprovedEmailPrivacy":true}}`))
	r = mustOK(t, client(t, srv, "createAuthUri", body("carol@example.com")))
	if _, ok := r.Body["registered"]; ok {
		t.Fatalf("improved email privacy still reveals registration: %s", r.Raw)
	}
}

func TestPhoneSignIn(t *testing.T) {
	srv := startEmulator(t)
	c := adminClient(t, srv)
	ctx := context.Background()
	codes := func() []any {
		r := mustOK(t, call(t, srv, http.MethodGet, "/emulator/v1/projects/"+projectID+"/verificationCodes", nil, ""))
		l, ok := r.Body["verificationCodes"].([]any)
		if !ok {
			t.Fatalf("verificationCodes: %s", r.Raw)
		}
		return l
	}
	wantError(t, client(t, srv, "sendVerificationCode", map[string]any{"phoneNumber": "555"}), 400, "INVALID_PHONE_NUMBER")
	r := mustOK(t, client(t, srv, "sendVerificationCode", map[string]any{"phoneNumber": "+15550001111", "recaptchaToken": "x"}))
	session := r.str("sessionInfo")
	list := codes()
	if len(list) != 1 {
		t.Fatalf("verificationCodes: %v", list)
	}
	v := list[0].(map[string]any)
	code, _ := v["code"].(string)
	if v["phoneNumber"] != "+15550001111" || v["sessionInfo"] != session || len(code) != 6 {
		t.Fatalf("verification code %v", v)
	}
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	wantError(t, client(t, srv, "signInWithPhoneNumber", map[string]any{"sessionInfo": session, "code": wrong}), 400, "INVALID_CODE")
	wantError(t, client(t, srv, "signInWithPhoneNumber", map[string]any{"sessionInfo": "nope", "code": code}), 400, "INVALID_SESSION_INFO")
	r = mustOK(t, client(t, srv, "signInWithPhoneNumber", map[string]any{"sessionInfo": session, "code": code}))
	if r.Body["isNewUser"] != true || r.str("phoneNumber") != "+15550001111" || r.str("idToken") == "" {
		t.Fatalf("signInWithPhoneNumber: %s", r.Raw)
	}
	_, claims, _ := decodeToken(t, r.str("idToken"))
	if claims["phone_number"] != "+15550001111" || claims["firebase"].(map[string]any)["sign_in_provider"] != "phone" {
		t.Fatalf("claims %v", claims)
	}
	u, err := c.GetUserByPhoneNumber(ctx, "+15550001111")
	if err != nil || u.UID != r.str("localId") || len(u.ProviderUserInfo) != 1 || u.ProviderUserInfo[0].ProviderID != "phone" {
		t.Fatalf("GetUserByPhoneNumber: %+v %v", u, err)
	}
	if len(codes()) != 0 {
		t.Fatal("the used code is still listed")
	}
	wantError(t, client(t, srv, "signInWithPhoneNumber", map[string]any{"sessionInfo": session, "code": code}), 400, "INVALID_SESSION_INFO")

	// A second sign-in finds the same user.
	session = mustOK(t, client(t, srv, "sendVerificationCode", map[string]any{"phoneNumber": "+15550001111"})).str("sessionInfo")
	code = codes()[0].(map[string]any)["code"].(string)
	r2 := mustOK(t, client(t, srv, "signInWithPhoneNumber", map[string]any{"sessionInfo": session, "code": code}))
	if r2.Body["isNewUser"] != false || r2.str("localId") != r.str("localId") {
		t.Fatalf("second sign-in: %s", r2.Raw)
	}

	// Linking a number another account uses is refused.
	tok := signUpPassword(t, srv, "dan@example.com", "secret1").str("idToken")
	session = mustOK(t, client(t, srv, "sendVerificationCode", map[string]any{"phoneNumber": "+15550001111"})).str("sessionInfo")
	code = codes()[0].(map[string]any)["code"].(string)
	wantError(t, client(t, srv, "signInWithPhoneNumber", map[string]any{"sessionInfo": session, "code": code, "idToken": tok}), 400, "PHONE_NUMBER_EXISTS")
}
