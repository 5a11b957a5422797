package db_test

import (
	"database/sql"
	"testing"

	"vaaka/db"
	"vaaka/monitoring"
)

// The token and session cache (authcache.go) must never let a change made
// through the application go unseen: each lookup below is made once before
// the change (so that it is cached) and once after.
func TestAuthCache_ChangesAreSeenAtOnce(t *testing.T) {
	d := MustOpenDB(t)
	acc := db.NewAccountService(d)
	ctx := t.Context()
	u := coreCreateUser(t, acc, coreUser("sup@example.fi", "Sari", monitoring.RoleSupervisor))
	other := coreCreateUser(t, acc, coreUser("emp@example.fi", "Eero", monitoring.RoleEmployee))
	newToken := func(user *monitoring.User, hash string) *monitoring.Token {
		tok := &monitoring.Token{UserID: user.ID, Name: hash, Scopes: []monitoring.Scope{monitoring.ScopeUsesWrite}, Hash: hash}
		if err := acc.CreateToken(ctx, "admin@example.fi", tok); err != nil {
			t.Fatal(err)
		}
		return tok
	}
	newSession := func(user *monitoring.User, hash string) {
		if err := acc.CreateSession(ctx, &monitoring.Session{IDHash: hash, UserID: user.ID, CSRFToken: "c"}); err != nil {
			t.Fatal(err)
		}
	}
	mustToken := func(hash string) (*monitoring.Token, *monitoring.User) {
		t.Helper()
		tok, user, err := acc.FindTokenByHash(ctx, hash)
		if err != nil {
			t.Fatalf("token %s: %v", hash, err)
		}
		return tok, user
	}
	mustSession := func(hash string) (*monitoring.Session, *monitoring.User) {
		t.Helper()
		s, user, err := acc.FindSession(ctx, hash)
		if err != nil {
			t.Fatalf("session %s: %v", hash, err)
		}
		return s, user
	}

	t.Run("revoked token", func(t *testing.T) {
		tok := newToken(u, "revoke-me")
		mustToken("revoke-me")
		mustToken("revoke-me")
		if err := acc.RevokeToken(ctx, "admin@example.fi", tok.ID); err != nil {
			t.Fatal(err)
		}
		_, _, err := acc.FindTokenByHash(ctx, "revoke-me")
		coreWantErr(t, err, monitoring.NotFound, "", "")
	})
	t.Run("roles changed", func(t *testing.T) {
		newToken(other, "roles")
		newSession(other, "roles-s")
		mustToken("roles")
		mustSession("roles-s")
		roles := []monitoring.Role{monitoring.RoleEmployee, monitoring.RoleRepresentative}
		if _, err := acc.UpdateUser(ctx, "admin@example.fi", other.ID, monitoring.UserUpdate{Roles: roles}, ""); err != nil {
			t.Fatal(err)
		}
		if _, user := mustToken("roles"); !user.HasAny(monitoring.RoleRepresentative) {
			t.Errorf("token's user roles = %v", user.Roles)
		}
		if _, user := mustSession("roles-s"); !user.HasAny(monitoring.RoleRepresentative) {
			t.Errorf("session's user roles = %v", user.Roles)
		}
	})
	t.Run("deactivated user", func(t *testing.T) {
		newToken(u, "deactivate")
		newSession(u, "deactivate-s")
		mustToken("deactivate")
		mustSession("deactivate-s")
		if _, err := acc.UpdateUser(ctx, "admin@example.fi", u.ID, monitoring.UserUpdate{Active: corePtr(false)}, ""); err != nil {
			t.Fatal(err)
		}
		_, _, err := acc.FindTokenByHash(ctx, "deactivate")
		coreWantErr(t, err, monitoring.NotFound, "", "")
		_, _, err = acc.FindSession(ctx, "deactivate-s")
		coreWantErr(t, err, monitoring.NotFound, "", "")
		if _, err := acc.UpdateUser(ctx, "admin@example.fi", u.ID, monitoring.UserUpdate{Active: corePtr(true)}, ""); err != nil {
			t.Fatal(err)
		}
		mustToken("deactivate")
	})
	t.Run("session ended, touched", func(t *testing.T) {
		newSession(other, "end-me")
		mustSession("end-me")
		seen := testNow.Add(5 * 60e9)
		if err := acc.TouchSession(ctx, "end-me", seen); err != nil {
			t.Fatal(err)
		}
		if s, _ := mustSession("end-me"); !s.LastSeen.Equal(seen) {
			t.Errorf("last seen = %v, want %v", s.LastSeen, seen)
		}
		if err := acc.DeleteSession(ctx, "end-me"); err != nil {
			t.Fatal(err)
		}
		_, _, err := acc.FindSession(ctx, "end-me")
		coreWantErr(t, err, monitoring.NotFound, "", "")
	})
	t.Run("expired sessions removed", func(t *testing.T) {
		newSession(other, "old")
		mustSession("old")
		if err := acc.DeleteSessionsBefore(ctx, testNow.Add(1e9), testNow.Add(1e9)); err != nil {
			t.Fatal(err)
		}
		_, _, err := acc.FindSession(ctx, "old")
		coreWantErr(t, err, monitoring.NotFound, "", "")
	})
	t.Run("password changed ends the other sessions", func(t *testing.T) {
		newSession(other, "keep")
		newSession(other, "drop")
		mustSession("keep")
		mustSession("drop")
		hash := "$argon2id$v=19$m=65536,t=1,p=2$c2FsdA$bmV3"
		if _, err := acc.UpdateUser(ctx, "admin@example.fi", other.ID, monitoring.UserUpdate{PasswordHash: &hash}, "keep"); err != nil {
			t.Fatal(err)
		}
		mustSession("keep")
		_, _, err := acc.FindSession(ctx, "drop")
		coreWantErr(t, err, monitoring.NotFound, "", "")
	})
	t.Run("callers get copies", func(t *testing.T) {
		newToken(other, "copy")
		tok, user := mustToken("copy")
		tok.Scopes[0], user.Roles[0], tok.Name = monitoring.ScopeWrite, monitoring.RoleHR, "changed"
		tok, user = mustToken("copy")
		if tok.Scopes[0] != monitoring.ScopeUsesWrite || user.Roles[0] == monitoring.RoleHR || tok.Name != "copy" {
			t.Errorf("the cache was changed through a result: %+v %+v", tok, user)
		}
	})
}

// A lookup is served from the cache: a change made around the application
// (here straight in the file) is seen only after the entry's lifetime
// (authCacheTTL) or the next change through the application.
func TestAuthCache_ServesRepeatedLookups(t *testing.T) {
	d := MustOpenDB(t)
	acc := db.NewAccountService(d)
	ctx := t.Context()
	u := coreCreateUser(t, acc, coreUser("sup@example.fi", "Sari", monitoring.RoleSupervisor))
	tok := &monitoring.Token{UserID: u.ID, Name: "n", Scopes: []monitoring.Scope{monitoring.ScopeUsesWrite}, Hash: "cached"}
	if err := acc.CreateToken(ctx, "admin@example.fi", tok); err != nil {
		t.Fatal(err)
	}
	if _, _, err := acc.FindTokenByHash(ctx, "cached"); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", d.Path()+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`UPDATE api_tokens SET name = 'renamed' WHERE hash = 'cached'`); err != nil {
		t.Fatal(err)
	}
	got, _, err := acc.FindTokenByHash(ctx, "cached")
	if err != nil || got.Name != "n" {
		t.Fatalf("second lookup = %+v, %v: want the cached token", got, err)
	}
	// Any change through the application ends every entry.
	if err := acc.TouchToken(ctx, tok.ID, testNow); err != nil {
		t.Fatal(err)
	}
	if got, _, err = acc.FindTokenByHash(ctx, "cached"); err != nil || got.Name != "renamed" {
		t.Fatalf("after a change = %+v, %v: want the stored token", got, err)
	}
}

// What a lookup returns is the caller's own copy: changing its scopes or
// roles changes neither the cache nor the next caller's answer.
func TestAuthCache_ReturnsCopies(t *testing.T) {
	d := MustOpenDB(t)
	acc := db.NewAccountService(d)
	ctx := t.Context()
	u := coreCreateUser(t, acc, coreUser("sup@example.fi", "Sari", monitoring.RoleSupervisor))
	if err := acc.CreateToken(ctx, "admin@example.fi", &monitoring.Token{UserID: u.ID, Name: "n",
		Scopes: []monitoring.Scope{monitoring.ScopeUsesWrite}, Hash: "copied"}); err != nil {
		t.Fatal(err)
	}
	if err := acc.CreateSession(ctx, &monitoring.Session{IDHash: "copied-session", UserID: u.ID, CSRFToken: "c"}); err != nil {
		t.Fatal(err)
	}
	for range 3 { // the first lookup fills the cache, the others are served from it
		tok, user, err := acc.FindTokenByHash(ctx, "copied")
		if err != nil {
			t.Fatal(err)
		}
		if tok.Scopes[0] != monitoring.ScopeUsesWrite || user.Roles[0] != monitoring.RoleSupervisor {
			t.Fatalf("token %v of roles %v: a caller's change reached the cache", tok.Scopes, user.Roles)
		}
		tok.Scopes[0], user.Roles[0] = monitoring.ScopeRead, monitoring.RoleHR
		_, user, err = acc.FindSession(ctx, "copied-session")
		if err != nil {
			t.Fatal(err)
		}
		if user.Roles[0] != monitoring.RoleSupervisor {
			t.Fatalf("session of roles %v: a caller's change reached the cache", user.Roles)
		}
		user.Roles[0] = monitoring.RoleHR
	}
}
