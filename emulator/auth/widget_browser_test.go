package auth_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// The handler's and the iframe's scripts in real headless Chromium. The
// SDK reaches the iframe through gapi from apis.google.com, which this
// machine cannot reach: Chromium resolves apis.google.com to a local TLS
// server whose api.js is a minimal gapi whose parent frame forwards what
// the iframe sends to the page by postMessage. The app page frames
// /emulator/auth/iframe, has a forged event posted to it from its own
// origin (which the iframe must ignore), then opens the completion page
// as the popup; the event the iframe relays is printed, and the test signs
// in with it as the SDK would.

const fakeGapi = `window.gapi = {
  iframes: {
    CROSS_ORIGIN_IFRAMES_FILTER: function () { return true; },
    getContext: function () { return { getParentIframe: function () { return {
      register: function (name, fn) { window.parent.postMessage({fakeGapi: 'register', name: name, reply: fn()}, '*'); },
      send: function (name, data, cb) { window.parent.postMessage({fakeGapi: 'send', name: name, data: data}, '*'); cb([{status: 'ACK'}]); }
    }; } }; }
  },
  load: function (name, opts) { opts.callback(); }
};
if (window.gapi_onload) window.gapi_onload();`

const appPage = `<!doctype html><html><body><pre id="out">pending</pre><script>
var q = new URLSearchParams(location.search);
var seen = [];
window.addEventListener('message', function (e) {
  if (!e.data || !e.data.fakeGapi) return;
  var ev = e.data.data && e.data.data.authEvent;
  seen.push(e.data.fakeGapi + ':' + e.data.name + (ev ? ':' + ev.type : ''));
  if (ev && ev.type !== 'unknown') {
    document.getElementById('out').textContent = 'result: ' + seen.join(',') + ' ' + JSON.stringify(ev) + ' :end';
  }
});
var f = document.createElement('iframe');
f.src = q.get('iframe');
f.onload = function () {
  f.contentWindow.postMessage({eventType: 'sendAuthEvent', data: {storageKey: q.get('key'), authEvent: {type: 'forged'}}}, '*');
  setTimeout(function () { window.open(q.get('done')); }, 100);
};
document.body.appendChild(f);
</script></body></html>`

func TestHandlerPopupInChromium(t *testing.T) {
	chromium := ""
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			chromium = p
			break
		}
	}
	if chromium == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium is not installed (make setup installs it)")
		}
		t.Skip("chromium is not installed; run make setup")
	}
	srv := startEmulator(t)
	addr := srv.Addr()

	gapiSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		fmt.Fprint(w, fakeGapi)
	}))
	t.Cleanup(gapiSrv.Close)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	app := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, appPage)
	})}
	go app.Serve(ln)
	t.Cleanup(func() { app.Close() })
	appOrigin := "http://" + ln.Addr().String()

	// The popup's URL: the chooser's new-account form, filled in.
	chooser := getPage(t, addr, handlerQuery("signInViaPopup", "google.com", map[string]string{"redirectUrl": appOrigin + "/"})).mustHTML(t)
	fields := chooser.form(t, "main-form", "", "", "").Fields
	fields.Set("email", "lin@example.com")
	fields.Set("displayName", "Lin")
	done := "http://" + addr + "/emulator/auth/handler?" + fields.Encode()
	iframe := "http://" + addr + "/emulator/auth/iframe?" + url.Values{"apiKey": {"fake-api-key"}, "appName": {"[DEFAULT]"}, "v": {"12.4.0"}}.Encode()
	pageURL := appOrigin + "/?" + url.Values{"iframe": {iframe}, "done": {done}, "key": {"fake-api-key:[DEFAULT]"}}.Encode()

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	gapiHost := strings.TrimPrefix(gapiSrv.URL, "https://")
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--disable-popup-blocking", "--ignore-certificate-errors",
		"--host-resolver-rules=MAP apis.google.com:443 "+gapiHost,
		"--user-data-dir="+t.TempDir(), "--virtual-time-budget=15000", "--dump-dom", pageURL)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	dom := string(out)
	start, end := strings.Index(dom, "result: "), strings.Index(dom, " :end")
	if start < 0 || end < start {
		t.Fatalf("the app page saw no auth event:\n%s", dom)
	}
	seen, evJSON, _ := strings.Cut(html2text(dom[start+len("result: "):end]), " ")
	// First the webStorageSupport handler and "no event" (as on any page
	// load), then the handler's event and nothing forged.
	if seen != "register:webStorageSupport,send:authEvent:unknown,send:authEvent:signInViaPopup" {
		t.Fatalf("gapi calls of the iframe: %s", seen)
	}
	var ev struct {
		Type, EventID, URLResponse, SessionID, PostBody string
	}
	if err := json.Unmarshal([]byte(evJSON), &ev); err != nil {
		t.Fatalf("event %s: %v", evJSON, err)
	}
	if ev.Type != "signInViaPopup" || ev.EventID != "4817596302" {
		t.Fatalf("the relayed event is not the handler's (a forged one got through?): %s", evJSON)
	}
	var d delivery
	d.AuthEvent.URLResponse, d.AuthEvent.SessionID, d.AuthEvent.PostBody = ev.URLResponse, ev.SessionID, ev.PostBody
	r := signInLikeTheSDK(t, addr, d)
	tok, err := adminClient(t, srv).VerifyIDToken(context.Background(), r.str("idToken"))
	if err != nil || tok.Claims["email"] != "lin@example.com" || tok.Firebase.SignInProvider != "google.com" {
		t.Fatalf("token %+v %v", tok, err)
	}
}

// html2text undoes the entity escaping of --dump-dom's text.
func html2text(s string) string {
	return strings.NewReplacer("&quot;", `"`, "&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
}
