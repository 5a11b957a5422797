package app_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"vaaka/app"
)

// Sessions, login throttling and security headers beyond web_test.go
// (CSRF, rotation at login, logout, idle timeout, per-account throttle).

// serverWith rebuilds ts's server with cfg and a clock.
func serverWith(t *testing.T, ts *testServer, cfg app.Config, now func() time.Time) *testServer {
	t.Helper()
	deps := ts.Deps
	if now != nil {
		deps.Now = now
	}
	srv, err := app.New(cfg, deps)
	if err != nil {
		t.Fatal(err)
	}
	return &testServer{Server: srv, DB: ts.DB, Deps: deps, tokens: ts.tokens}
}

// TestSecurityHeaders_EveryKindOfAnswer: a page, an API answer, a PDF, a
// CSV, a static file and error answers (web and API) all carry the strict
// CSP and the other headers; everything but static files is no-store.
func TestSecurityHeaders_EveryKindOfAnswer(t *testing.T) {
	f := newAPIFixture(t)
	f.activeActivity(t)
	hr := newBrowser(f.testServer)
	hr.login(t, asHR)
	type answer struct {
		name   string
		resp   *http.Response
		static bool
	}
	var got []answer
	web := func(name, path string) {
		resp, _ := hr.get(t, path)
		got = append(got, answer{name: name, resp: resp, static: strings.HasPrefix(path, "/static/")})
	}
	web("page", "/dashboard")
	web("login page", "/login?lang=en")
	web("pdf", "/documents/register.pdf")
	web("csv", "/documents/register.csv")
	web("static", "/static/app.css")
	web("web 404", "/no/such/page")
	web("web 403", "/admin/users")
	api := func(name, path, as string) {
		resp := f.do(t, "GET", path, as, "")
		readBody(t, resp)
		got = append(got, answer{name: name, resp: resp})
	}
	api("api", "/api/v1/me", asHR)
	api("api 404", "/api/v1/activities/999", asHR)
	api("api 401", "/api/v1/me", "")
	api("healthz", "/healthz", "")
	// Unknown methods and bodies over the limit are answered outside the
	// routes (the latter by fasthttp itself, over a real socket).
	for _, path := range []string{"/api/v1/uses", "/dashboard"} {
		resp := f.do(t, "PROPFIND", path, asHR, "")
		raw := readBody(t, resp)
		if resp.StatusCode != 501 || !strings.Contains(raw, "501") {
			t.Errorf("PROPFIND %s: %d %.200s", path, resp.StatusCode, raw)
		}
		got = append(got, answer{name: "PROPFIND " + path, resp: resp})
	}
	for _, path := range []string{"/api/v1/uses", "/employees/import"} {
		resp := overSocket(t, f.testServer, fmt.Sprintf("POST %s HTTP/1.1\r\nHost: vaaka\r\nContent-Type: multipart/form-data; boundary=x\r\n"+
			"Content-Length: %d\r\n\r\n", path, 9<<20))
		raw := readBody(t, resp)
		if resp.StatusCode != 413 || !strings.Contains(raw, "413") {
			t.Errorf("9 MiB to %s: %d %.200s", path, resp.StatusCode, raw)
		}
		if web := !strings.HasPrefix(path, "/api/"); web != strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Errorf("9 MiB to %s: Content-Type %q", path, resp.Header.Get("Content-Type"))
		}
		got = append(got, answer{name: "413 " + path, resp: resp})
	}
	for _, a := range got {
		h := a.resp.Header
		if a.resp.StatusCode >= 500 && a.resp.StatusCode != 501 {
			t.Errorf("%s: status %d", a.name, a.resp.StatusCode)
		}
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "object-src 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", a.name, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s: CSP allows inline code: %q", a.name, csp)
		}
		for k, v := range map[string]string{"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"} {
			if h.Get(k) != v {
				t.Errorf("%s: %s = %q, want %q", a.name, k, h.Get(k), v)
			}
		}
		cc := h.Get("Cache-Control")
		if a.static {
			if !strings.Contains(cc, "max-age") {
				t.Errorf("%s: Cache-Control %q", a.name, cc)
			}
		} else if cc != "no-store" {
			t.Errorf("%s: Cache-Control %q, want no-store", a.name, cc)
		}
		if h.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s: HSTS without SecureCookies", a.name)
		}
		// Server time (issue "Performance"), on every answer that went
		// through the handler (fasthttp answers the 413s itself).
		if !strings.HasPrefix(a.name, "413") {
			st := h.Get("Server-Timing")
			dur, ok := strings.CutPrefix(st, "app;dur=")
			if ms, err := strconv.ParseFloat(dur, 64); !ok || err != nil || ms < 0 || ms > 60_000 {
				t.Errorf("%s: Server-Timing %q", a.name, st)
			}
		}
	}
}

// overSocket sends a raw request to ts served on a real socket and reads
// the answer (App.Test reports fasthttp's own errors instead of answers).
func overSocket(t *testing.T, ts *testServer, request string) *http.Response {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go ts.App().Listener(ln)
	t.Cleanup(func() { ln.Close() })
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if _, err := io.WriteString(conn, request); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// TestSecurityCookies_SecureBehindTLS: with SecureCookies (behind TLS)
// every cookie is Secure, HttpOnly and SameSite, and HSTS is sent; without
// it cookies are still HttpOnly and SameSite.
func TestSecurityCookies_SecureBehindTLS(t *testing.T) {
	for _, secure := range []bool{false, true} {
		ts := newTestServer(t)
		ts.addUser(t, "hr@example.fi", "HR", "hr", "")
		cfg := app.DefaultConfig()
		cfg.SecureCookies = secure
		ts = serverWith(t, ts, cfg, nil)
		b := newBrowser(ts)
		var cookies []*http.Cookie
		resp, _ := b.get(t, "/login?lang=sv")
		cookies = append(cookies, resp.Cookies()...)
		resp, body := b.post(t, "/login", url.Values{"email": {"hr@example.fi"}, "password": {testPassword}})
		wantStatus(t, resp, body, http.StatusSeeOther)
		cookies = append(cookies, resp.Cookies()...)
		var names []string
		for _, c := range cookies {
			names = append(names, c.Name)
			if !c.HttpOnly || c.SameSite == http.SameSiteNoneMode || c.SameSite == http.SameSiteDefaultMode || c.Secure != secure {
				t.Errorf("secure=%v: cookie %s: HttpOnly %v SameSite %v Secure %v", secure, c.Name, c.HttpOnly, c.SameSite, c.Secure)
			}
		}
		for _, want := range []string{"vaaka_session", "vaaka_csrf", "lang"} {
			if !slices.Contains(names, want) {
				t.Errorf("secure=%v: cookie %s not set (%v)", secure, want, names)
			}
		}
		if hsts := resp.Header.Get("Strict-Transport-Security"); (hsts != "") != secure {
			t.Errorf("secure=%v: HSTS %q", secure, hsts)
		}
	}
}

// TestSessionAbsoluteTimeout: a session kept busy still ends after
// SessionAbsolute.
func TestSessionAbsoluteTimeout(t *testing.T) {
	ts := newTestServer(t)
	ts.addUser(t, "hr@example.fi", "HR", "hr", "")
	clock := testNow
	cfg := app.DefaultConfig()
	ts = serverWith(t, ts, cfg, func() time.Time { return clock })
	b := newBrowser(ts)
	b.login(t, "hr@example.fi")
	for clock.Sub(testNow) < cfg.SessionAbsolute-20*time.Minute {
		clock = clock.Add(20 * time.Minute)
		resp, body := b.get(t, "/dashboard")
		wantStatus(t, resp, body, http.StatusOK)
	}
	clock = testNow.Add(cfg.SessionAbsolute + time.Minute)
	resp, body := b.get(t, "/dashboard")
	wantStatus(t, resp, body, http.StatusSeeOther)
	if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, "/login") {
		t.Fatalf("Location %q", loc)
	}
}

// TestPasswordChangeEndsOtherSessions: changing the own password ends every
// other session of the user; the one that changed it goes on.
func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	ts := newTestServer(t)
	a := loggedIn(t, ts, "hr@example.fi", "hr", "")
	other := newBrowser(ts)
	other.ip = "192.0.2.44"
	other.login(t, "hr@example.fi")
	resp, body := other.get(t, "/dashboard")
	wantStatus(t, resp, body, http.StatusOK)
	resp, body = a.post(t, "/account/password", url.Values{"current_password": {testPassword},
		"new_password": {"uusi pitkä salasana 2026"}, "new_password_confirm": {"uusi pitkä salasana 2026"}})
	wantStatus(t, resp, body, http.StatusSeeOther)
	resp, body = a.get(t, "/dashboard")
	wantStatus(t, resp, body, http.StatusOK)
	resp, body = other.get(t, "/dashboard")
	wantStatus(t, resp, body, http.StatusSeeOther)
	// The old password no longer signs in.
	fresh := newBrowser(ts)
	fresh.ip = "192.0.2.45"
	fresh.get(t, "/login")
	resp, body = fresh.post(t, "/login", url.Values{"email": {"hr@example.fi"}, "password": {testPassword}})
	wantStatus(t, resp, body, http.StatusUnauthorized)
}

// postFrom submits a form as if from ip, through a trusted proxy that sets
// X-Forwarded-For (App().Test has one fixed peer address).
func postFrom(t *testing.T, b *browser, ip, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	form.Set("_csrf", b.csrf)
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", ip)
	return b.send(t, req)
}

// TestLoginThrottlePerAddress: failures spread over many accounts from one
// address block that address (even for a right password), not others; the
// address is the one a configured trusted proxy forwards.
func TestLoginThrottlePerAddress(t *testing.T) {
	ts := newTestServer(t)
	ts.addUser(t, "hr@example.fi", "HR", "hr", "")
	cfg := app.DefaultConfig()
	cfg.TrustedProxies = []string{"0.0.0.0"} // App().Test's peer
	ts = serverWith(t, ts, cfg, nil)
	spray := newBrowser(ts)
	spray.get(t, "/login")
	for i := 0; i < 20; i++ {
		resp, body := postFrom(t, spray, "198.51.100.7", "/login", url.Values{"email": {"user" + itoa(int64(i)) + "@example.fi"}, "password": {"arvaus"}})
		wantStatus(t, resp, body, http.StatusUnauthorized)
	}
	resp, body := postFrom(t, spray, "198.51.100.7", "/login", url.Values{"email": {"hr@example.fi"}, "password": {testPassword}})
	wantStatus(t, resp, body, http.StatusTooManyRequests)
	if resp.Header.Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
	other := newBrowser(ts)
	other.get(t, "/login")
	resp, body = postFrom(t, other, "198.51.100.8", "/login", url.Values{"email": {"hr@example.fi"}, "password": {testPassword}})
	wantStatus(t, resp, body, http.StatusSeeOther)
}

// TestLoginTimingUnknownEmail: an unknown email costs a password check like
// a wrong password does (no enumeration by timing). The bound is loose (3x
// between medians of 5) so that it cannot flake; a missing dummy check
// would be ~100x faster.
func TestLoginTimingUnknownEmail(t *testing.T) {
	if testing.Short() {
		t.Skip("argon2id timings")
	}
	ts := newTestServer(t)
	for _, e := range []string{"a@example.fi", "b@example.fi", "c@example.fi"} {
		ts.addUser(t, e, e, "hr", "")
	}
	b := newBrowser(ts)
	b.get(t, "/login")
	b.post(t, "/login", url.Values{"email": {"warmup@example.fi"}, "password": {"x"}}) // the dummy hash is made once
	median := func(emails []string) time.Duration {
		var ds []time.Duration
		for i, e := range emails {
			b.ip = "203.0.113." + itoa(int64(i+1))
			start := time.Now()
			resp, body := b.post(t, "/login", url.Values{"email": {e}, "password": {"väärä salasana"}})
			ds = append(ds, time.Since(start))
			wantStatus(t, resp, body, http.StatusUnauthorized)
			wantContains(t, body, "Sähköpostiosoite tai salasana on väärä.")
		}
		slices.Sort(ds)
		return ds[len(ds)/2]
	}
	unknown := median([]string{"x1@example.fi", "x2@example.fi", "x3@example.fi", "x4@example.fi", "x5@example.fi"})
	wrong := median([]string{"a@example.fi", "b@example.fi", "c@example.fi", "a@example.fi", "b@example.fi"})
	if unknown*3 < wrong || wrong*3 < unknown {
		t.Fatalf("median unknown email %v, wrong password %v: more than 3x apart", unknown, wrong)
	}
}
