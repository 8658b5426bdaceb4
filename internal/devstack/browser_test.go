package devstack

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// browserPage is served to headless Chromium: it runs the README's
// browser calls against roomgate-dev (admit with a bearer token, which
// needs a CORS preflight, then read a room and a header of the answer)
// and writes what it saw into the page, which Chromium then prints.
const browserPage = `<!doctype html><html><body><pre id="out">pending</pre><script>
const q = new URLSearchParams(location.search);
const out = [];
(async () => {
  try {
    const admit = await fetch(q.get('api') + '/v1/me/claims', {method: 'POST', headers: {Authorization: 'Bearer ' + q.get('token')}});
    out.push('admit=' + admit.status);
    const room = await fetch(q.get('api') + '/v1/rooms/' + q.get('room'), {headers: {Authorization: 'Bearer ' + q.get('token')}});
    const body = await room.json();
    out.push('room=' + room.status + ' id=' + body.id + ' requestId=' + (room.headers.get('X-Request-Id') ? 'readable' : 'hidden'));
    const bad = await fetch(q.get('api') + '/v1/rooms', {headers: {Authorization: 'Bearer not.a.token'}});
    const problem = await bad.json();
    out.push('bad=' + bad.status + ' code=' + problem.code);
  } catch (e) {
    out.push('blocked=' + e.name);
  }
  document.getElementById('out').textContent = 'result: ' + out.join(' ') + ' :end';
})();
</script></body></html>`

// TestBrowserCallsRoomgateDev loads a page in real headless Chromium that
// calls roomgate-dev with fetch: from an allowed origin the preflighted
// calls work and the page can read answers, errors and exposed headers;
// from any other origin the browser blocks them.
func TestBrowserCallsRoomgateDev(t *testing.T) {
	chromium := findChromium(t)
	allowed, other := servePage(t), servePage(t)
	t.Setenv("ROOMGATE_CORS_ORIGINS", allowed)
	out, _ := startDev(t)
	env, _ := parseDevOutput(t, out)
	query := "?api=" + env["ROOMGATE_URL"] + "&token=" + env["BOB_TOKEN"] + "&room=" + env["ROOM_ID"]

	got := runChromium(t, chromium, allowed+"/"+query)
	want := "result: admit=200 room=200 id=" + env["ROOM_ID"] + " requestId=readable bad=401 code=invalid_token :end"
	if !strings.Contains(got, want) {
		t.Fatalf("from the allowed origin %s the page saw:\n%s\nwant %q", allowed, got, want)
	}
	got = runChromium(t, chromium, other+"/"+query)
	if !strings.Contains(got, "result: blocked=TypeError :end") {
		t.Fatalf("from the origin %s, not allowed, the page saw:\n%s", other, got)
	}
}

// TestDevAllowsTheUsualDevServerOrigins: with ROOMGATE_CORS_ORIGINS unset,
// roomgate-dev answers preflights from the usual web dev server origins
// and from nothing else.
func TestDevAllowsTheUsualDevServerOrigins(t *testing.T) {
	if v, ok := os.LookupEnv("ROOMGATE_CORS_ORIGINS"); ok {
		t.Setenv("ROOMGATE_CORS_ORIGINS", v)
		os.Unsetenv("ROOMGATE_CORS_ORIGINS")
	}
	out, _ := startDev(t)
	env, _ := parseDevOutput(t, out)
	for origin, want := range map[string]bool{"http://localhost:5173": true, "http://127.0.0.1:3000": true, "https://evil.example": false, "http://localhost:5174": false} {
		req, _ := http.NewRequest("OPTIONS", env["ROOMGATE_URL"]+"/v1/me/claims", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "authorization")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Access-Control-Allow-Origin") == origin; got != want {
			t.Errorf("preflight from %s allowed = %v, want %v", origin, got, want)
		}
	}
}

// findChromium returns Debian's chromium (installed by make setup). Only
// outside CI may a machine without it skip, saying so.
func findChromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed (make setup installs it)")
	}
	t.Skip("chromium is not installed; run make setup")
	return ""
}

// servePage serves browserPage on a free loopback port and returns its
// origin.
func servePage(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, browserPage)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

// runChromium loads url in headless Chromium and returns the page's DOM
// once its scripts have run (virtual time waits for pending fetches).
func runChromium(t *testing.T, chromium, url string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--user-data-dir="+t.TempDir(), "--virtual-time-budget=15000", "--dump-dom", url)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	return string(out)
}
