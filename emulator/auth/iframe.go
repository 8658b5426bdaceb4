package auth

import (
	"html/template"
	"net/http"
)

// GET /emulator/auth/iframe is the helper page the JS SDK's
// browserPopupRedirectResolver loads in a hidden iframe (through gapi, as
// it loads /__/auth/iframe in production) before any popup or redirect
// flow. It answers the SDK's webStorageSupport question and relays to the
// app the auth event that the handler page delivers: by postMessage from a
// popup of this origin (messages from any other origin are ignored), or
// from session storage after a redirect; with none it reports
// auth/no-auth-event, which the SDK expects on a normal page load. The
// SDK sends apiKey, appName and v (and eid, fw); apiKey and appName are
// required and checked like the handler's.
//
// The page loads gapi from apis.google.com, as Google's does, because the
// SDK talks to the frame through gapi.iframes: the flow needs that host
// to be reachable from the browser. Its scripts are not limited by a
// Content-Security-Policy, since gapi loads further scripts of its own.
const iframePath = "/emulator/auth/iframe"

type iframeConfig struct {
	APIKey  string `json:"apiKey"`
	AppName string `json:"appName"`
}

func (s *server) serveIframe(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		writeJSON(w, http.StatusNotFound, map[string]any{"error": notFound("Not Found")})
		return
	}
	q := r.URL.Query()
	cfg := iframeConfig{APIKey: q.Get("apiKey"), AppName: q.Get("appName")}
	msg := ""
	switch {
	case cfg.APIKey == "" || cfg.AppName == "":
		msg = "missing apiKey or appName query parameters"
	case !token(cfg.APIKey, 256, "._~-") || len(cfg.AppName) > 256 || !printable(cfg.AppName) ||
		len(q["apiKey"]) > 1 || len(q["appName"]) > 1:
		msg = "invalid apiKey or appName"
	}
	if msg != "" {
		s.log("GET %s -> 400", iframePath)
		writeJSON(w, http.StatusBadRequest, map[string]any{"authEmulator": map[string]any{"error": msg}})
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	s.log("GET %s -> 200", iframePath)
	if err := iframeTemplate.Execute(w, cfg); err != nil {
		s.log("GET %s: rendering failed: %v", iframePath, err)
	}
}

var iframeTemplate = template.Must(template.New("iframe").Parse(`<!DOCTYPE html>
<html lang="en">
<meta charset="utf-8">
<title>Auth Emulator Helper Iframe</title>
<script type="application/json" id="iframe-config">{{.}}</script>
<script>
(function () {
  var cfg = JSON.parse(document.getElementById('iframe-config').textContent);
  var storageKey = cfg.apiKey + ':' + cfg.appName;
  var slot = 'firebase:redirectEvent:' + storageKey;
  var parentFrame = null;

  function send(authEvent) {
    parentFrame.send('authEvent', {
      type: 'authEvent',
      authEvent: authEvent || {type: 'unknown', error: {code: 'auth/no-auth-event'}}
    }, function (replies) {
      if (!replies || !replies.length || replies[replies.length - 1].status !== 'ACK') {
        console.error('Auth Emulator: the app did not accept the auth event.');
      }
    }, gapi.iframes.CROSS_ORIGIN_IFRAMES_FILTER);
  }

  // Only the handler page, on this origin, delivers events.
  window.addEventListener('message', function (e) {
    var m = e.data;
    if (e.origin !== location.origin || !m || m.eventType !== 'sendAuthEvent' || !m.data ||
        m.data.storageKey !== storageKey) {
      return;
    }
    if (parentFrame) {
      send(m.data.authEvent);
    } else {
      sessionStorage.setItem(slot, JSON.stringify(m.data.authEvent));
    }
  });

  function start() {
    parentFrame = gapi.iframes.getContext().getParentIframe();
    // The SDK waits for this answer before a popup flow.
    parentFrame.register('webStorageSupport', function () {
      return {status: 'ACK', webStorageSupport: true};
    }, gapi.iframes.CROSS_ORIGIN_IFRAMES_FILTER);
    var stored = sessionStorage.getItem(slot), authEvent = null;
    sessionStorage.removeItem(slot);
    if (stored) {
      try { authEvent = JSON.parse(stored); } catch (e) { authEvent = null; }
    }
    send(authEvent);
  }

  window.gapi_onload = function () {
    gapi.load('gapi.iframes', {
      callback: start,
      timeout: 10000,
      ontimeout: function () {
        console.error('Auth Emulator: could not load gapi.iframes from apis.google.com.');
      }
    });
  };
})();
</script>
<script src="https://apis.google.com/js/api.js"></script>
</html>
`))
