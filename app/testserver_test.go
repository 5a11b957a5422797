package app_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"vaaka/app"
	"vaaka/db"
	"vaaka/monitoring"
)

// testNow is the frozen clock of app tests.
var testNow = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

// testPassword is every test user's password.
const testPassword = "correct horse battery"

var (
	hashOnce sync.Once
	testHash string
)

// passwordHash hashes testPassword once per process (argon2id is slow on
// purpose).
func passwordHash(tb testing.TB) string {
	hashOnce.Do(func() {
		h, err := app.HashPassword(testPassword)
		if err != nil {
			panic(err)
		}
		testHash = h
	})
	return testHash
}

// testServer is the real app on a real SQLite file with a frozen clock.
type testServer struct {
	*app.Server
	DB   *db.DB
	Deps app.Deps
	// tokens maps a user's email to a bearer token with every scope.
	tokens map[string]string
}

// newTestServer builds the app over a fresh database.
func newTestServer(tb testing.TB) *testServer {
	tb.Helper()
	d, err := db.Open(filepath.Join(tb.TempDir(), "vaaka.db"))
	if err != nil {
		tb.Fatal(err)
	}
	d.Now = func() time.Time { return testNow }
	tb.Cleanup(func() { d.Close() })
	deps := app.Deps{
		Register:   db.NewRegisterService(d),
		Employees:  db.NewEmployeeService(d),
		Uses:       db.NewUseService(d),
		Recordings: db.NewRecordingService(d),
		Audit:      db.NewAuditService(d),
		Accounts:   db.NewAccountService(d),
		Settings:   db.NewSettingsService(d),
		Dashboard:  db.NewDashboardService(d),
		Cases:      db.NewCaseService(d),
		Notices:    db.NewNoticeService(d),
		Requests:   db.NewAccessRequestService(d),
		Outbox:     db.NewOutboxService(d),
		Evidence:   db.NewEvidenceService(d),
		Holds:      db.NewHoldService(d),
		Stats:      db.NewStatisticsService(d),
		Imports:    db.NewImportService(d),
		Ping:       d.Ping,
		Now:        func() time.Time { return testNow },
		Logger:     slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	srv, err := app.New(app.DefaultConfig(), deps)
	if err != nil {
		tb.Fatal(err)
	}
	return &testServer{Server: srv, DB: d, Deps: deps, tokens: map[string]string{}}
}

// addUser creates a user with the given roles (and staff id) and a token
// with scopes (default: read, write, uses:write, recordings:write).
func (ts *testServer) addUser(tb testing.TB, email, name, roles, staffID string, scopes ...monitoring.Scope) *monitoring.User {
	tb.Helper()
	rs, err := monitoring.ParseRoles(roles)
	if err != nil {
		tb.Fatal(err)
	}
	u := &monitoring.User{Email: email, Name: name, Roles: rs, StaffID: staffID, Language: monitoring.Finnish, Active: true, PasswordHash: passwordHash(tb)}
	ctx := context.Background()
	if err := ts.Deps.Accounts.CreateUser(ctx, "test", u); err != nil {
		tb.Fatal(err)
	}
	if len(scopes) == 0 {
		scopes = []monitoring.Scope{monitoring.ScopeRead, monitoring.ScopeWrite, monitoring.ScopeUsesWrite, monitoring.ScopeRecordingsWrite}
	}
	secret, hash, err := app.NewSecret("vaaka_")
	if err != nil {
		tb.Fatal(err)
	}
	if err := ts.Deps.Accounts.CreateToken(ctx, "test", &monitoring.Token{UserID: u.ID, Name: "test", Scopes: scopes, Hash: hash}); err != nil {
		tb.Fatal(err)
	}
	ts.tokens[email] = secret
	return u
}

// do sends a request through the fiber app. as is a user's email (bearer
// token) or "" for none; body is sent as JSON unless contentType says
// otherwise.
func (ts *testServer) do(tb testing.TB, method, path, as, body string, header ...string) *http.Response {
	tb.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	if as != "" {
		tok, ok := ts.tokens[as]
		if !ok {
			tb.Fatalf("no token for %s", as)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := ts.App().Test(req, -1)
	if err != nil {
		tb.Fatal(err)
	}
	return resp
}

// readBody returns the response body as a string.
func readBody(tb testing.TB, resp *http.Response) string {
	tb.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}
