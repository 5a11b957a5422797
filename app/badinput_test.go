package app_test

import (
	"bytes"
	"database/sql"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"vaaka/app"
)

// The generated bad-input suite (SPEC Qualities): malformed requests of
// every kind to every registered route, API and web. Whatever comes in, the
// answer is a 4xx (never a 5xx), an API error is problem+json, a web error
// is the error page, the server logs no panic, and no row is written.

// syncBuffer is a log sink the request goroutines may share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// badInputLimit is the body limit of the suite's server, so that an
// oversize body stays cheap.
const badInputLimit = 64 << 10

// rowCounts returns the number of rows of every table, read straight from
// the file. Failed logins are audited on purpose and left out.
func rowCounts(t *testing.T, ts *testServer) map[string]int {
	t.Helper()
	d, err := sql.Open("sqlite", ts.DB.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	rows, err := d.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	rows.Close()
	out := map[string]int{}
	for _, tb := range tables {
		q := "SELECT count(*) FROM " + tb
		if tb == "audit" {
			q += " WHERE action <> 'session.login_failed'"
		}
		var n int
		if err := d.QueryRow(q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[tb] = n
	}
	return out
}

// badServer is a fixture whose server logs into a buffer and has a small
// body limit, with a user holding every role (staff id E1) and a token
// with every scope.
func badServer(t *testing.T) (*apiFixture, *testServer, *syncBuffer) {
	t.Helper()
	f := newAPIFixture(t)
	f.activeActivity(t)
	f.call(t, "POST", "/api/v1/uses", asSup, useBody("bad-1"))
	f.apiCaseSetup(t)
	f.addUser(t, "all@example.fi", "Kaikki Roolit", "admin,hr,dpo,representative,supervisor,employee", "E1")
	logs := &syncBuffer{}
	deps := f.Deps
	deps.Logger = slog.New(slog.NewTextHandler(logs, nil))
	cfg := app.DefaultConfig()
	cfg.BodyLimit = badInputLimit
	srv, err := app.New(cfg, deps)
	if err != nil {
		t.Fatal(err)
	}
	return f, &testServer{Server: srv, DB: f.DB, Deps: deps, tokens: f.tokens}, logs
}

var routeParam = regexp.MustCompile(`:[a-z_]+`)

// Values for path parameters that can name nothing.
var badIDs = []string{"0", "-1", "99999999999999999999999", "abc", "%ff%fe", "..%2F..%2F..%2Fetc%2Fpasswd", "%00", "1e3"}

// goodParam is a value that names something in the fixture.
func goodParam(name string) string {
	switch name {
	case ":staff_id":
		return "E1"
	case ":ref":
		return "rec-bad-1"
	}
	return "1"
}

// actionRoute reports whether a POST or DELETE of route is valid without a
// body, so that malformed bodies are sent to it only with ids that name
// nothing (else it would rightly act).
func actionRoute(method, route string) bool {
	if method == http.MethodDelete {
		return true
	}
	for _, s := range []string{"/cases/:id/staff-side" /* an empty staff side is a valid form */, "/activate", "/suspend", "/retire", "/remind", "/acknowledge", "/deleted", "/deactivate", "/revoke", "/admin/users/:id/password"} {
		if strings.HasSuffix(route, s) {
			return true
		}
	}
	return false
}

// malformedJSON are bodies no JSON route may accept.
func malformedJSON() []string {
	return []string{
		`{`, `{"name":"x"`, `[`, `{"a":}`, `}`, "\xff{}",
		strings.Repeat("[", 20000) + strings.Repeat("]", 20000),
		strings.Repeat(`{"a":`, 5000) + "1" + strings.Repeat("}", 5000),
		`{"activity_id":1e400}`, `{"activity_id":123456789012345678901234567890}`, `{"retention_days":-99999999999999999999}`,
		`{"name":"\xff\xfe"}`, `{"text":"\xc3\x28"}`, `{"title":"\xed\xa0\x80"}`,
		`"string"`, `123`, `[]`, `true`, `null`,
		`{"name":"x","name":{"nested":[1,2,{"x":null}]}}`,
		`{"no_such_field_` + strings.Repeat("x", 300) + `":1}`,
	}
}

// malformedForms are form bodies (with their content type) no web form may
// accept.
func malformedForms() [][2]string {
	const form = "application/x-www-form-urlencoded"
	const bnd = "multipart/form-data; boundary=XyZ"
	return [][2]string{
		{form, "name=%ff%fe&title=%ff&text=%c3%28&email=%ed%a0%80&description=%ff&reason=%ff&lang=%ff"},
		{form, "title=%zz&=&&&==&%=%"},
		{form, "activity_id=99999999999999999999999&retention_days=1e400&headcount=-99999999999999999999&parent_id=NaN&id=-1"},
		{form, "groups[99999999999].name=x&groups[0].representatives[99999999999].email=x&groups[-1].name=y&participants[99999999].email=z"},
		{form, strings.Repeat("groups[0].", 2000) + "name=x"},
		{form, "call_date=2026-02-30&call_time=25.61&introduction_on=0000-00-00&from=9999-99-99&held_at_date=-1"},
		{"application/json", `{"name":"x","email":"x@example.fi"}`},
		{"text/plain", "name=x"},
		{bnd, "--XyZ\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nabc"},
		{bnd, "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"../../x.csv\"\r\n\r\n\xff\xfe;;\r\n"},
		{"multipart/form-data", "--a\r\n\r\n"},
		{bnd, "garbage"},
	}
}

// TestBadInput_EveryRoute sends a few thousand generated malformed requests
// to every registered route.
func TestBadInput_EveryRoute(t *testing.T) {
	f, ts, logs := badServer(t)
	_ = f
	b := newBrowser(ts)
	b.login(t, "all@example.fi")
	token := ts.tokens["all@example.fi"]
	before := rowCounts(t, ts)

	sent := 0
	lastBody := ""
	check := func(method, path string, resp *http.Response, body string) {
		t.Helper()
		sent++
		if resp.StatusCode >= 500 {
			t.Errorf("%s %.120s: status %d: %.300s", method, path, resp.StatusCode, body)
			return
		}
		if resp.StatusCode < 400 {
			if testing.Verbose() {
				t.Logf("accepted: %s %.100q %d %.100q", method, path, resp.StatusCode, lastBody)
			}
			return
		}
		ct := resp.Header.Get("Content-Type")
		if strings.HasPrefix(path, "/api/") || strings.HasPrefix(path, "/healthz") {
			if ct != "application/problem+json" {
				t.Errorf("%s %.120s: %d with Content-Type %q, want problem+json: %.200s", method, path, resp.StatusCode, ct, body)
			}
			return
		}
		if method != http.MethodHead && (!strings.HasPrefix(ct, "text/html") || !strings.Contains(body, "<h1>")) {
			t.Errorf("%s %.120s: %d with Content-Type %q, want the error page: %.200s", method, path, resp.StatusCode, ct, body)
		}
	}
	send := func(method, path, ctype, body string, web bool) {
		t.Helper()
		var r io.Reader
		lastBody = body
		if body != "" {
			r = strings.NewReader(body)
		}
		req := httptest.NewRequest(http.MethodGet, "/", r)
		req.Method = method
		req.URL.RawPath = ""
		req.RequestURI = path
		req.URL.Path = path
		if u, err := req.URL.Parse(path); err == nil {
			req.URL = u
		}
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		if web {
			req.Header.Set("X-CSRF-Token", b.csrf)
			for k, v := range b.cookies {
				req.AddCookie(&http.Cookie{Name: k, Value: v})
			}
			req.RemoteAddr = b.ip + ":1234"
		} else {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := ts.App().Test(req, -1)
		if err != nil {
			// An oversize body is refused while it is read (413, see
			// TestAPI_BodyLimit and TestWebBodyLimit); App().Test reports that
			// as an error.
			// A multipart body that cannot be read is refused the same way.
			if (strings.Contains(err.Error(), "body size exceeds") && len(body) > badInputLimit) ||
				(strings.HasPrefix(ctype, "multipart/") && strings.Contains(err.Error(), "multipart")) {
				sent++
				return
			}
			t.Fatalf("%s %s: %v", method, path, err)
		}
		check(method, path, resp, readBody(t, resp))
	}

	type route struct{ methods map[string]bool }
	routes := map[string]*route{}
	var order []string
	for _, r := range ts.App().GetRoutes(true) {
		if r.Method == http.MethodHead || strings.HasPrefix(r.Path, "/static") || r.Path == "/" && r.Method == "USE" {
			continue
		}
		if routes[r.Path] == nil {
			routes[r.Path] = &route{methods: map[string]bool{}}
			order = append(order, r.Path)
		}
		routes[r.Path].methods[r.Method] = true
	}
	if len(order) < 100 {
		t.Fatalf("only %d routes", len(order))
	}
	oversize := `{"name":"` + strings.Repeat("x", badInputLimit) + `"}`

	for _, rt := range order {
		web := !strings.HasPrefix(rt, "/api/")
		params := routeParam.FindAllString(rt, -1)
		fill := func(v string) string {
			return routeParam.ReplaceAllStringFunc(rt, func(p string) string {
				if v == "" {
					return goodParam(p)
				}
				return v
			})
		}
		var bad []string
		if len(params) > 0 {
			for _, id := range badIDs {
				bad = append(bad, fill(id))
			}
		}
		good := fill("")
		for method := range routes[rt].methods {
			if method == "USE" || rt == "/logout" || rt == "/audit/verify" {
				continue
			}
			bodied := method != http.MethodGet && !actionRoute(method, rt)
			targets := bad
			if bodied || len(params) == 0 {
				targets = append([]string{good}, bad...)
			}
			if method == http.MethodGet {
				// Ids that name nothing, and list parameters that make no sense.
				for _, p := range bad {
					send(method, p, "", "", web)
				}
				if len(params) == 0 {
					for _, q := range []string{"?limit=abc", "?limit=-1", "?limit=99999999999999999999", "?cursor=%ff%fe", "?cursor=!!!",
						"?from=2026-13-45&to=x", "?lang=%ff", "?page=-1&sort=%27%20OR%201=1--", "?next=//evil.example/&flash=%3Cscript%3E"} {
						send(method, good+q, "", "", web)
					}
				}
				continue
			}
			for _, p := range targets {
				forms, bodies := malformedForms(), malformedJSON()
				if p != good { // the id alone is enough to refuse
					forms, bodies = forms[:3], bodies[:3]
				}
				if web {
					for _, fb := range forms {
						send(method, p, fb[0], fb[1], true)
					}
					send(method, p, "application/x-www-form-urlencoded", "name="+strings.Repeat("x", badInputLimit), true)
					continue
				}
				if strings.HasSuffix(rt, "/import") {
					for _, body := range []string{"\xff\xfe;;;\n", "staff_id;name;unit\nE9;\xff;Y\n", "\"staff_id;name\n\"E1;", strings.Repeat(";", 10000), "a\x00b;c\n"} {
						send(method, p, "text/csv", body, false)
					}
					send(method, p, "application/json", `{"staff_id":"E9"}`, false)
					continue
				}
				for _, body := range bodies {
					send(method, p, "application/json", body, false)
				}
				send(method, p, "text/plain", `{"name":"x"}`, false)
				send(method, p, "", `{"name":"x"}`, false)
				send(method, p, "application/json; charset=\xff", `{"name":"x"}`, false)
				send(method, p, "application/json", oversize, false)
			}
		}
		// Methods the route does not have.
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions, http.MethodTrace} {
			if routes[rt].methods[m] || (m == http.MethodGet && routes[rt].methods["USE"]) {
				continue
			}
			send(m, good, "application/json", `{}`, web)
		}
	}
	// Path traversal in document and static URLs.
	for _, p := range []string{
		"/documents/../../go.mod", "/documents/notices/..%2F..%2Fgo.mod.pdf", "/documents/employees/..%2F..%2Fetc%2Fpasswd/report.pdf",
		"/documents/employees/%2e%2e/report.pdf", "/static/../app/server.go", "/static/..%2F..%2Fgo.mod", "/static/%2e%2e/%2e%2e/go.mod",
		"/documents/cases/1/meetings/..%2F..%2F1/minutes.pdf", "/documents/register.csv/..%2F..", "/static/css/%00.css",
		"/api/v1/../../go.mod", "/api/v1/employees/..%2F..%2Fusers", "/api/v1/uses/%2e%2e%2f%2e%2e%2fusers",
	} {
		for _, web := range []bool{true, false} {
			var r *http.Response
			var body string
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.RequestURI = p
			if u, err := req.URL.Parse(p); err == nil {
				req.URL = u
			}
			if web {
				r, body = b.send(t, req)
			} else {
				req.Header.Set("Authorization", "Bearer "+token)
				resp, err := ts.App().Test(req, -1)
				if err != nil {
					t.Fatal(err)
				}
				r, body = resp, readBody(t, resp)
			}
			check("GET", p, r, body)
			if strings.Contains(body, "module vaaka") || strings.Contains(body, "package app") || strings.Contains(body, "root:") {
				t.Errorf("GET %s: path traversal served a file", p)
			}
		}
	}

	if sent < 2000 {
		t.Errorf("only %d requests sent", sent)
	}
	t.Logf("%d malformed requests", sent)
	after := rowCounts(t, ts)
	for tb, n := range before {
		if after[tb] != n {
			t.Errorf("table %s: %d rows before, %d after", tb, n, after[tb])
		}
	}
	if l := logs.String(); strings.Contains(strings.ToLower(l), "panic") {
		t.Errorf("the log shows a panic:\n%.3000s", l)
	}
}
