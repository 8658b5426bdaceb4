package auth

import "html/template"

// The handler's pages. html/template escapes every value by context
// (text, attribute, URL, and JSON inside <script type="application/json">),
// so names, emails and URLs from accounts or the query cannot inject markup
// or script; the pages load nothing from other origins.

const widgetStyle = `
body { font-family: Roboto, Arial, sans-serif; margin: 0; color: #202124; }
main { box-sizing: border-box; margin: 16px auto; max-width: 515px; min-width: 300px; padding: 0 24px; }
h1 { font-size: 24px; font-weight: 500; margin: 32px 0 16px; }
ul { list-style: none; padding: 0; }
li form { margin: 0; }
li button { display: flex; align-items: center; gap: 16px; width: 100%; padding: 8px 16px; text-align: left;
  background: none; border: 0; border-radius: 4px; cursor: pointer; font: inherit; }
li button:hover, li button:focus { background: #f1f3f4; }
li img, .avatar { width: 36px; height: 36px; border-radius: 50%; background: #c5c5c5; flex-shrink: 0; }
.who { display: flex; flex-direction: column; }
.email, .help { color: rgba(0,0,0,.56); font-size: 14px; }
.error { color: #c62828; }
.info { background: #e5eaf0; color: #476282; padding: 12px 24px; }
label { display: block; margin: 12px 0; font-size: 12px; color: rgba(0,0,0,.54); }
label input { display: block; box-sizing: border-box; width: 100%; height: 40px; margin-top: 4px; font-size: 16px; }
.actions { display: flex; justify-content: space-between; margin-top: 16px; }
button { font: inherit; padding: 8px 16px; }
[hidden] { display: none !important; }
`

var chooserTemplate = template.Must(template.New("chooser").Parse(`<!DOCTYPE html>
<html lang="en">
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Auth Emulator IDP Login Widget</title>
<style nonce="{{.Nonce}}">` + widgetStyle + `</style>
{{define "hidden"}}{{range $k, $v := .}}<input type="hidden" name="{{$k}}" value="{{index $v 0}}">{{end}}{{end}}
<main>
<h1>Sign-in with <span class="provider-name">{{.ProviderID}}</span></h1>
{{if .FormError}}<p class="error" role="alert" id="form-error">{{.FormError}}</p>{{end}}
<section id="accounts-list">
{{if .Accounts}}<p class="help">Please select an existing account in the Auth Emulator or add a new one:</p>
<ul>
{{range .Accounts}}<li><form method="get" action="{{$.Action}}" class="js-reuse-account">{{template "hidden" $.Hidden}}<input type="hidden" name="account" value="{{.RawID}}"><button type="submit">{{if .PhotoURL}}<img src="{{.PhotoURL}}" alt="">{{else}}<span class="avatar"></span>{{end}}<span class="who"><span class="name">{{or .DisplayName "(No display name)"}}{{if .Disabled}} (disabled){{end}}</span><span class="email">{{.Email}}</span></span></button></form></li>
{{end}}</ul>
{{else}}<p class="help">No {{.ProviderID}} accounts exist in the Auth Emulator.</p>
{{end}}<button type="button" id="add-account-button">Add new account</button>
</section>
<section id="add-user" data-show="{{if .ShowForm}}form{{else}}list{{end}}">
<form method="get" action="{{.Action}}" id="main-form">{{template "hidden" .Hidden}}<input type="hidden" name="newAccount" value="1">
<p class="info">Custom claims can be added after an account is created</p>
<button type="button" id="autogen-button">Auto-generate user information</button>
<label>Email <input type="email" name="email" id="email-input" required maxlength="2048" value="{{.Form.Email}}"></label>
<label>Display name (optional) <input name="displayName" id="display-name-input" maxlength="2048" value="{{.Form.DisplayName}}"></label>
<label>Screen name (optional) <input name="screenName" id="screen-name-input" maxlength="2048" value="{{.Form.ScreenName}}"></label>
<label>Profile photo URL (optional) <input type="url" name="photoUrl" id="profile-photo-input" maxlength="2048" value="{{.Form.PhotoURL}}"></label>
<div class="actions"><button type="button" id="back-button">Back</button><button type="submit" id="sign-in">Sign in with {{.ProviderID}}</button></div>
</form>
</section>
</main>
<script nonce="{{.Nonce}}">
(function () {
  var list = document.getElementById('accounts-list');
  var add = document.getElementById('add-user');
  function showForm(on) { list.hidden = on; add.hidden = !on; }
  showForm(add.dataset.show === 'form');
  document.getElementById('add-account-button').addEventListener('click', function () { showForm(true); });
  document.getElementById('back-button').addEventListener('click', function () { showForm(false); });
  var words = ['raccoon', 'olive', 'orange', 'chicken', 'mountain', 'peach', 'panda', 'grass', 'algae', 'otter'];
  function pick() { return words[Math.floor(Math.random() * words.length)]; }
  function title(s) { return s.charAt(0).toUpperCase() + s.slice(1); }
  document.getElementById('autogen-button').addEventListener('click', function () {
    var given = pick(), family = pick();
    document.getElementById('email-input').value = given + '.' + family + '.' + Math.floor(Math.random() * 1000) + '@example.com';
    document.getElementById('display-name-input').value = title(given) + ' ' + title(family);
    document.getElementById('screen-name-input').value = family + '_' + given;
  });
})();
</script>
</html>
`))

// doneTemplate hands the auth event to the SDK: in a popup, to the
// opener's /emulator/auth/iframe of the same apiKey and appName (by
// postMessage restricted to this origin); otherwise through session
// storage, which that iframe reads once the app has loaded redirectUrl.
var doneTemplate = template.Must(template.New("done").Parse(`<!DOCTYPE html>
<html lang="en">
<meta charset="utf-8">
<title>Auth Emulator IDP Login Widget</title>
<style nonce="{{.Nonce}}">` + widgetStyle + `</style>
<main><p id="status">Signing in as {{.Email}}…</p></main>
<script type="application/json" id="auth-event">{{.Delivery}}</script>
<script nonce="{{.Nonce}}">
(function () {
  var status = document.getElementById('status');
  function fail(msg) { status.textContent = 'Auth Emulator: ' + msg; status.className = 'error'; }
  var d = JSON.parse(document.getElementById('auth-event').textContent);
  if (!d.popup) {
    try {
      sessionStorage.setItem('firebase:redirectEvent:' + d.storageKey, JSON.stringify(d.authEvent));
    } catch (e) {
      return fail('session storage is not available (' + e + ').');
    }
    location.replace(d.redirectUrl);
    return;
  }
  var sent = false, opener = window.opener;
  for (var i = 0; opener && i < opener.frames.length; i++) {
    try {
      var f = opener.frames[i];
      if (f.location.origin !== location.origin || f.location.pathname !== '/emulator/auth/iframe') continue;
      var q = new URLSearchParams(f.location.search);
      if (q.get('apiKey') !== d.apiKey || q.get('appName') !== d.appName) continue;
      f.postMessage({eventType: 'sendAuthEvent', data: {authEvent: d.authEvent, storageKey: d.storageKey}}, location.origin);
      sent = true;
    } catch (e) {
      // A frame of another origin: not ours.
    }
  }
  if (!sent) fail('no sign-in is waiting for this page; start it with signInWithPopup in the app.');
})();
</script>
</html>
`))
