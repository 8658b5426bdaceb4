package auth_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// A browser's view of the handler pages: GET a page, read its forms and
// its JSON script, submit a form as a browser would (a GET with the
// form's fields).

type page struct {
	Status int
	Header http.Header
	Body   string
	doc    *html.Node
}

// htmlForm is a parsed <form>: its action, id, class and field values.
type htmlForm struct {
	Action, ID, Class string
	Fields            url.Values
}

func getPage(t *testing.T, addr, pathAndQuery string) page {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get("http://" + addr + pathAndQuery)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	p := page{Status: resp.StatusCode, Header: resp.Header, Body: string(raw)}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		if p.doc, err = html.Parse(strings.NewReader(p.Body)); err != nil {
			t.Fatalf("%s: not HTML: %v", pathAndQuery, err)
		}
	}
	return p
}

// mustHTML fails unless p is a 200 HTML page.
func (p page) mustHTML(t *testing.T) page {
	t.Helper()
	if p.Status != http.StatusOK || p.doc == nil {
		t.Fatalf("status %d, Content-Type %q, want a 200 HTML page: %s", p.Status, p.Header.Get("Content-Type"), p.Body)
	}
	return p
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func walk(n *html.Node, f func(*html.Node)) {
	f(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, f)
	}
}

func (p page) forms() []htmlForm {
	var out []htmlForm
	walk(p.doc, func(n *html.Node) {
		if n.Type != html.ElementNode || n.Data != "form" {
			return
		}
		f := htmlForm{Action: attr(n, "action"), ID: attr(n, "id"), Class: attr(n, "class"), Fields: url.Values{}}
		walk(n, func(in *html.Node) {
			if in.Type == html.ElementNode && in.Data == "input" && attr(in, "name") != "" {
				f.Fields.Add(attr(in, "name"), attr(in, "value"))
			}
		})
		out = append(out, f)
	})
	return out
}

// form returns the form with this id, or the one of this class whose
// field key has value want.
func (p page) form(t *testing.T, id, class, key, want string) htmlForm {
	t.Helper()
	for _, f := range p.forms() {
		if (id != "" && f.ID == id) || (class != "" && f.Class == class && f.Fields.Get(key) == want) {
			return f
		}
	}
	t.Fatalf("no form id=%q class=%q %s=%q in:\n%s", id, class, key, want, p.Body)
	return htmlForm{}
}

// submit sends the form with some fields set, as a browser would.
func (f htmlForm) submit(t *testing.T, addr string, set map[string]string) page {
	t.Helper()
	v := url.Values{}
	for k, vals := range f.Fields {
		v[k] = append([]string(nil), vals...)
	}
	for k, val := range set {
		v.Set(k, val)
	}
	return getPage(t, addr, f.Action+"?"+v.Encode())
}

// delivery is the JSON the completion page's script acts on.
type delivery struct {
	AuthEvent struct {
		Type        string  `json:"type"`
		EventID     *string `json:"eventId"`
		URLResponse string  `json:"urlResponse"`
		SessionID   string  `json:"sessionId"`
		PostBody    string  `json:"postBody"`
		TenantID    *string `json:"tenantId"`
		Error       *string `json:"error"`
	} `json:"authEvent"`
	StorageKey  string `json:"storageKey"`
	APIKey      string `json:"apiKey"`
	AppName     string `json:"appName"`
	Popup       bool   `json:"popup"`
	RedirectURL string `json:"redirectUrl"`
}

// scriptJSON decodes the <script type="application/json" id=id> of p.
func (p page) scriptJSON(t *testing.T, id string, dst any) {
	t.Helper()
	found := false
	walk(p.doc, func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "script" && attr(n, "id") == id {
			found = true
			if attr(n, "type") != "application/json" || n.FirstChild == nil {
				t.Fatalf("script #%s is not a JSON script: %s", id, p.Body)
			}
			if err := json.Unmarshal([]byte(n.FirstChild.Data), dst); err != nil {
				t.Fatalf("script #%s: %v: %s", id, err, n.FirstChild.Data)
			}
		}
	})
	if !found {
		t.Fatalf("no script #%s in:\n%s", id, p.Body)
	}
}

// scripts counts the <script> elements of p.
func (p page) scripts() int {
	n := 0
	walk(p.doc, func(x *html.Node) {
		if x.Type == html.ElementNode && x.Data == "script" {
			n++
		}
	})
	return n
}

// handlerQuery is the query the JS SDK builds for a popup or redirect.
func handlerQuery(authType, providerID string, extra map[string]string) string {
	q := url.Values{
		"apiKey": {"fake-api-key"}, "appName": {"[DEFAULT]"}, "authType": {authType},
		"redirectUrl": {"http://localhost:5173/login?next=%2Frooms"}, "v": {"12.4.0"},
		"providerId": {providerID}, "scopes": {"profile"},
	}
	if strings.HasSuffix(authType, "ViaPopup") {
		q.Set("eventId", "4817596302")
	}
	for k, v := range extra {
		if v == "" {
			q.Del(k)
		} else {
			q.Set(k, v)
		}
	}
	return "/emulator/auth/handler?" + q.Encode()
}
