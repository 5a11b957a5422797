package app_test

import (
	"bytes"
	"html"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// browser drives the web UI like a user agent without JavaScript: it keeps
// cookies and reads the CSRF token from the forms it receives.
type browser struct {
	ts      *testServer
	cookies map[string]string
	csrf    string
	ip      string
}

func newBrowser(ts *testServer) *browser {
	return &browser{ts: ts, cookies: map[string]string{}, ip: "192.0.2.10"}
}

var csrfRE = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// send performs a request and keeps the cookies it sets.
func (b *browser) send(tb testing.TB, req *http.Request) (*http.Response, string) {
	tb.Helper()
	for k, v := range b.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	req.RemoteAddr = b.ip + ":1234"
	resp, err := b.ts.App().Test(req, -1)
	if err != nil {
		tb.Fatal(err)
	}
	for _, c := range resp.Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c.Value
		}
	}
	body := readBody(tb, resp)
	if m := csrfRE.FindStringSubmatch(body); m != nil {
		b.csrf = html.UnescapeString(m[1])
	}
	return resp, body
}

func (b *browser) get(tb testing.TB, path string) (*http.Response, string) {
	tb.Helper()
	return b.send(tb, httptest.NewRequest(http.MethodGet, path, nil))
}

// post submits a form with the current CSRF token (unless form has one).
func (b *browser) post(tb testing.TB, path string, form url.Values) (*http.Response, string) {
	tb.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["_csrf"]; !ok {
		form.Set("_csrf", b.csrf)
	}
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.send(tb, req)
}

// postFile submits a multipart form with one file field.
func (b *browser) postFile(tb testing.TB, path string, fields map[string]string, fileField, fileName, content string) (*http.Response, string) {
	tb.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if _, ok := fields["_csrf"]; !ok {
		w.WriteField("_csrf", b.csrf)
	}
	for k, v := range fields {
		w.WriteField(k, v)
	}
	fw, err := w.CreateFormFile(fileField, fileName)
	if err != nil {
		tb.Fatal(err)
	}
	fw.Write([]byte(content))
	w.Close()
	req := httptest.NewRequest(http.MethodPost, path, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return b.send(tb, req)
}

// login signs in through the real form: GET /login for the token, then POST.
func (b *browser) login(tb testing.TB, email string) {
	tb.Helper()
	b.get(tb, "/login")
	resp, body := b.post(tb, "/login", url.Values{"email": {email}, "password": {testPassword}})
	if resp.StatusCode != http.StatusSeeOther {
		tb.Fatalf("login %s: status %d: %s", email, resp.StatusCode, body)
	}
	if b.cookies["vaaka_session"] == "" {
		tb.Fatalf("login %s: no session cookie", email)
	}
	// Load a page to pick up the session's CSRF token.
	b.get(tb, "/account")
}

// loggedIn returns a browser signed in as a new user with roles.
func loggedIn(tb testing.TB, ts *testServer, email, roles, staffID string) *browser {
	tb.Helper()
	ts.addUser(tb, email, strings.Split(email, "@")[0], roles, staffID)
	b := newBrowser(ts)
	b.login(tb, email)
	return b
}

func wantStatus(tb testing.TB, resp *http.Response, body string, want int) {
	tb.Helper()
	if resp.StatusCode != want {
		if len(body) > 3000 {
			body = body[:3000]
		}
		tb.Fatalf("status %d, want %d; body:\n%s", resp.StatusCode, want, body)
	}
}

func wantContains(tb testing.TB, body string, subs ...string) {
	tb.Helper()
	for _, s := range subs {
		if !strings.Contains(body, s) {
			if len(body) > 4000 {
				body = body[:4000]
			}
			tb.Fatalf("body lacks %q:\n%s", s, body)
		}
	}
}
