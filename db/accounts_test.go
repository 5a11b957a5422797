package db_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"vaaka/db"
	"vaaka/monitoring"
)

func coreUser(email, name string, roles ...monitoring.Role) *monitoring.User {
	return &monitoring.User{Email: email, Name: name, Roles: roles, Language: monitoring.Finnish, Active: true,
		PasswordHash: "$argon2id$v=19$m=65536,t=1,p=2$c2FsdA$aGFzaA"}
}

func coreCreateUser(t *testing.T, acc *db.AccountService, u *monitoring.User) *monitoring.User {
	t.Helper()
	if err := acc.CreateUser(t.Context(), "admin@example.fi", u); err != nil {
		t.Fatal(err)
	}
	return u
}

func TestCreateUser(t *testing.T) {
	d := MustOpenDB(t)
	acc := db.NewAccountService(d)
	ctx := t.Context()
	u := coreCreateUser(t, acc, coreUser("Hanna.HR@Example.fi", "Hanna", monitoring.RoleHR, monitoring.RoleDPO))
	if u.ID == 0 || !u.PasswordChangedAt.Equal(testNow) || !u.CreatedAt.Equal(testNow) {
		t.Fatalf("created = %+v", u)
	}
	got, err := acc.FindUserByEmail(ctx, "hanna.hr@example.FI")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != u.ID || got.Email != "Hanna.HR@Example.fi" || !slices.Equal(got.Roles, u.Roles) || got.PasswordHash != u.PasswordHash || !got.Active {
		t.Errorf("found = %+v", got)
	}
	if got, err := acc.FindUser(ctx, u.ID); err != nil || got.Email != u.Email {
		t.Errorf("FindUser = %+v, %v", got, err)
	}
	_, err = acc.FindUser(ctx, 999)
	coreWantErr(t, err, monitoring.NotFound, "", "")
	_, err = acc.FindUserByEmail(ctx, "nobody@example.fi")
	coreWantErr(t, err, monitoring.NotFound, "", "")

	coreWantErr(t, acc.CreateUser(ctx, "admin@example.fi", coreUser("HANNA.hr@example.fi", "Toinen", monitoring.RoleHR)),
		monitoring.Conflict, "email", monitoring.MsgDuplicate)
	coreWantErr(t, acc.CreateUser(ctx, "admin@example.fi", coreUser("x@example.fi", "X")), monitoring.Invalid, "roles", monitoring.MsgRequired)
	coreWantErr(t, acc.CreateUser(ctx, "admin@example.fi", coreUser("bad", "X", monitoring.RoleHR)), monitoring.Invalid, "email", monitoring.MsgEmail)
	noHash := coreUser("y@example.fi", "Y", monitoring.RoleHR)
	noHash.PasswordHash = ""
	coreWantErr(t, acc.CreateUser(ctx, "admin@example.fi", noHash), monitoring.Invalid, "password", monitoring.MsgRequired)

	coreCreateUser(t, acc, coreUser("a@example.fi", "aapo", monitoring.RoleEmployee))
	coreCreateUser(t, acc, coreUser("z@example.fi", "Öhman", monitoring.RoleEmployee))
	users, err := acc.ListUsers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, u := range users {
		names = append(names, u.Name)
	}
	if want := []string{"aapo", "Hanna", "Öhman"}; !slices.Equal(names, want) {
		t.Errorf("users = %v, want %v", names, want)
	}

	entries, _, _ := db.NewAuditService(d).ListAudit(ctx, monitoring.AuditFilter{Entity: "user"})
	for _, e := range entries {
		if e.Action != "user.created" || strings.Contains(e.Detail, "argon2") {
			t.Errorf("audit = %+v", e)
		}
	}
}

func TestUpdateUser_PasswordEndsOtherSessions(t *testing.T) {
	d := MustOpenDB(t)
	acc := db.NewAccountService(d)
	ctx := t.Context()
	u := coreCreateUser(t, acc, coreUser("hr@example.fi", "Hanna", monitoring.RoleHR))
	other := coreCreateUser(t, acc, coreUser("other@example.fi", "Olli", monitoring.RoleHR))
	for _, s := range []*monitoring.Session{
		{IDHash: "s1", UserID: u.ID, CSRFToken: "c1"},
		{IDHash: "s2", UserID: u.ID, CSRFToken: "c2"},
		{IDHash: "s3", UserID: u.ID, CSRFToken: "c3"},
		{IDHash: "o1", UserID: other.ID, CSRFToken: "c4"},
	} {
		if err := acc.CreateSession(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	later := testNow.Add(time.Hour)
	d.Now = func() time.Time { return later }
	got, err := acc.UpdateUser(ctx, "hr@example.fi", u.ID, monitoring.UserUpdate{PasswordHash: corePtr("$argon2id$new"), Language: corePtr(monitoring.English)}, "s2")
	if err != nil {
		t.Fatal(err)
	}
	if got.PasswordHash != "$argon2id$new" || !got.PasswordChangedAt.Equal(later) || got.Language != monitoring.English {
		t.Errorf("updated = %+v", got)
	}
	for id, want := range map[string]bool{"s1": false, "s2": true, "s3": false, "o1": true} {
		_, _, err := acc.FindSession(ctx, id)
		if found := err == nil; found != want {
			t.Errorf("session %s found = %v (%v), want %v", id, found, err, want)
		}
	}
	stored, _ := acc.FindUser(ctx, u.ID)
	if stored.PasswordHash != "$argon2id$new" || !stored.PasswordChangedAt.Equal(later) {
		t.Errorf("stored = %+v", stored)
	}
	entries, _, _ := db.NewAuditService(d).ListAudit(ctx, monitoring.AuditFilter{Entity: "user", Limit: 1})
	if e := entries[0]; e.Action != "user.updated" ||
		e.Detail != `{"changes":[{"field":"language","old":"fi","new":"en"},{"field":"password","new":"changed"}]}` {
		t.Errorf("audit = %+v", e)
	}

	_, err = acc.UpdateUser(ctx, "admin@example.fi", u.ID, monitoring.UserUpdate{Roles: []monitoring.Role{"boss"}}, "")
	coreWantErr(t, err, monitoring.Invalid, "roles", monitoring.MsgUnknown)
	_, err = acc.UpdateUser(ctx, "admin@example.fi", u.ID, monitoring.UserUpdate{PasswordHash: corePtr("")}, "")
	coreWantErr(t, err, monitoring.Invalid, "password", monitoring.MsgRequired)
	_, err = acc.UpdateUser(ctx, "admin@example.fi", 999, monitoring.UserUpdate{Name: corePtr("X")}, "")
	coreWantErr(t, err, monitoring.NotFound, "", "")
}

func TestUpdateUser_DeactivateEndsSessionsAndTokens(t *testing.T) {
	d := MustOpenDB(t)
	acc := db.NewAccountService(d)
	ctx := t.Context()
	u := coreCreateUser(t, acc, coreUser("sup@example.fi", "Sari", monitoring.RoleSupervisor))
	if err := acc.CreateSession(ctx, &monitoring.Session{IDHash: "s1", UserID: u.ID, CSRFToken: "c"}); err != nil {
		t.Fatal(err)
	}
	tok := &monitoring.Token{UserID: u.ID, Name: "integration", Scopes: []monitoring.Scope{monitoring.ScopeUsesWrite}, Hash: "h1"}
	if err := acc.CreateToken(ctx, "admin@example.fi", tok); err != nil {
		t.Fatal(err)
	}
	if _, err := acc.UpdateUser(ctx, "admin@example.fi", u.ID, monitoring.UserUpdate{Active: corePtr(false)}, "s1"); err != nil {
		t.Fatal(err)
	}
	_, _, err := acc.FindSession(ctx, "s1")
	coreWantErr(t, err, monitoring.NotFound, "", "")
	_, _, err = acc.FindTokenByHash(ctx, "h1")
	coreWantErr(t, err, monitoring.NotFound, "", "")
	// Deactivation keeps the user.
	got, err := acc.FindUser(ctx, u.ID)
	if err != nil || got.Active {
		t.Fatalf("user = %+v, %v", got, err)
	}
	// A session of an inactive user is not found either.
	if err := acc.CreateSession(ctx, &monitoring.Session{IDHash: "s2", UserID: u.ID, CSRFToken: "c"}); err != nil {
		t.Fatal(err)
	}
	_, _, err = acc.FindSession(ctx, "s2")
	coreWantErr(t, err, monitoring.NotFound, "", "")
	// Reactivated, the token works again (it was never revoked).
	if _, err := acc.UpdateUser(ctx, "admin@example.fi", u.ID, monitoring.UserUpdate{Active: corePtr(true)}, ""); err != nil {
		t.Fatal(err)
	}
	if _, _, err := acc.FindTokenByHash(ctx, "h1"); err != nil {
		t.Errorf("token after reactivation: %v", err)
	}
}

func TestSessions(t *testing.T) {
	d := MustOpenDB(t)
	acc := db.NewAccountService(d)
	ctx := t.Context()
	u := coreCreateUser(t, acc, coreUser("hr@example.fi", "Hanna", monitoring.RoleHR))
	s := &monitoring.Session{IDHash: "s1", UserID: u.ID, CSRFToken: "csrf", IP: "192.0.2.1"}
	if err := acc.CreateSession(ctx, s); err != nil {
		t.Fatal(err)
	}
	got, gotU, err := acc.FindSession(ctx, "s1")
	if err != nil {
		t.Fatal(err)
	}
	if *got != (monitoring.Session{IDHash: "s1", UserID: u.ID, CSRFToken: "csrf", CreatedAt: testNow, LastSeen: testNow, IP: "192.0.2.1"}) || gotU.ID != u.ID {
		t.Errorf("found %+v %+v", got, gotU)
	}
	coreWantErr(t, acc.CreateSession(ctx, s), monitoring.Conflict, "id", monitoring.MsgDuplicate)
	_, _, err = acc.FindSession(ctx, "nope")
	coreWantErr(t, err, monitoring.NotFound, "", "")

	seen := testNow.Add(10 * time.Minute)
	if err := acc.TouchSession(ctx, "s1", seen); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := acc.FindSession(ctx, "s1"); !got.LastSeen.Equal(seen) {
		t.Errorf("last seen = %s", got.LastSeen)
	}
	coreWantErr(t, acc.TouchSession(ctx, "nope", seen), monitoring.NotFound, "", "")

	// Expiry: s1 seen at +10m (created at 0), s2 created at -2h and seen at -1h, s3 created at -30d.
	for _, s := range []*monitoring.Session{
		{IDHash: "s2", UserID: u.ID, CreatedAt: testNow.Add(-2 * time.Hour), LastSeen: testNow.Add(-time.Hour)},
		{IDHash: "s3", UserID: u.ID, CreatedAt: testNow.Add(-30 * 24 * time.Hour), LastSeen: testNow},
	} {
		if err := acc.CreateSession(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	if err := acc.DeleteSessionsBefore(ctx, testNow.Add(-30*time.Minute), testNow.Add(-7*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]bool{"s1": true, "s2": false, "s3": false} {
		if _, _, err := acc.FindSession(ctx, id); (err == nil) != want {
			t.Errorf("session %s kept = %v, want %v", id, err == nil, want)
		}
	}
	if err := acc.DeleteSession(ctx, "s1"); err != nil {
		t.Fatal(err)
	}
	if err := acc.DeleteSession(ctx, "s1"); err != nil {
		t.Errorf("deleting a missing session: %v", err)
	}
	_, _, err = acc.FindSession(ctx, "s1")
	coreWantErr(t, err, monitoring.NotFound, "", "")

	// Sessions are not audited.
	entries, _, _ := db.NewAuditService(d).ListAudit(ctx, monitoring.AuditFilter{})
	if len(entries) != 1 {
		t.Errorf("audit has %d entries, want only user.created", len(entries))
	}
}

func TestTokens(t *testing.T) {
	d := MustOpenDB(t)
	acc := db.NewAccountService(d)
	ctx := t.Context()
	u := coreCreateUser(t, acc, coreUser("sup@example.fi", "Sari", monitoring.RoleSupervisor))
	tok := &monitoring.Token{UserID: u.ID, Name: "Telephony", Scopes: []monitoring.Scope{monitoring.ScopeUsesWrite, monitoring.ScopeRecordingsWrite}, Hash: "secret-hash"}
	if err := acc.CreateToken(ctx, "admin@example.fi", tok); err != nil {
		t.Fatal(err)
	}
	if tok.ID == 0 || tok.UserEmail != "sup@example.fi" || !tok.CreatedAt.Equal(testNow) {
		t.Errorf("created = %+v", tok)
	}
	got, gotU, err := acc.FindTokenByHash(ctx, "secret-hash")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != tok.ID || got.UserEmail != "sup@example.fi" || !slices.Equal(got.Scopes, tok.Scopes) || gotU.ID != u.ID || !got.RevokedAt.IsZero() {
		t.Errorf("found %+v %+v", got, gotU)
	}
	used := testNow.Add(time.Minute)
	if err := acc.TouchToken(ctx, tok.ID, used); err != nil {
		t.Fatal(err)
	}
	coreWantErr(t, acc.TouchToken(ctx, 999, used), monitoring.NotFound, "", "")

	invalid := []struct {
		name  string
		tok   monitoring.Token
		field string
		key   string
	}{
		{"no name", monitoring.Token{UserID: u.ID, Scopes: []monitoring.Scope{monitoring.ScopeRead}, Hash: "x1"}, "name", monitoring.MsgRequired},
		{"long name", monitoring.Token{UserID: u.ID, Name: strings.Repeat("n", 201), Scopes: []monitoring.Scope{monitoring.ScopeRead}, Hash: "x2"}, "name", monitoring.MsgTooLong},
		{"no scopes", monitoring.Token{UserID: u.ID, Name: "n", Hash: "x3"}, "scopes", monitoring.MsgRequired},
		{"unknown scope", monitoring.Token{UserID: u.ID, Name: "n", Scopes: []monitoring.Scope{monitoring.ScopeRead, "admin"}, Hash: "x4"}, "scopes", monitoring.MsgUnknown},
		{"unknown user", monitoring.Token{UserID: 999, Name: "n", Scopes: []monitoring.Scope{monitoring.ScopeRead}, Hash: "x5"}, "user", monitoring.MsgNotFound},
	}
	for _, tt := range invalid {
		t.Run(tt.name, func(t *testing.T) {
			coreWantErr(t, acc.CreateToken(ctx, "admin@example.fi", &tt.tok), monitoring.Invalid, tt.field, tt.key)
		})
	}

	second := &monitoring.Token{UserID: u.ID, Name: "Other", Scopes: []monitoring.Scope{monitoring.ScopeRead}, Hash: "other-hash"}
	if err := acc.CreateToken(ctx, "admin@example.fi", second); err != nil {
		t.Fatal(err)
	}
	if err := acc.RevokeToken(ctx, "admin@example.fi", tok.ID); err != nil {
		t.Fatal(err)
	}
	_, _, err = acc.FindTokenByHash(ctx, "secret-hash")
	coreWantErr(t, err, monitoring.NotFound, "", "")
	coreWantErr(t, acc.RevokeToken(ctx, "admin@example.fi", tok.ID), monitoring.Conflict, "", "")
	coreWantErr(t, acc.RevokeToken(ctx, "admin@example.fi", 999), monitoring.NotFound, "", "")
	if _, _, err := acc.FindTokenByHash(ctx, "other-hash"); err != nil {
		t.Errorf("the other token: %v", err)
	}

	list, err := acc.ListTokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != tok.ID || list[0].RevokedAt.IsZero() || !list[0].LastUsedAt.Equal(used) ||
		list[0].UserEmail != "sup@example.fi" || list[0].Hash != "" || !list[1].RevokedAt.IsZero() {
		t.Errorf("tokens = %+v %+v", list[0], list[1])
	}

	entries, _, _ := db.NewAuditService(d).ListAudit(ctx, monitoring.AuditFilter{Entity: "token"})
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action)
		if strings.Contains(e.Detail, "hash") {
			t.Errorf("audit detail names the hash: %s", e.Detail)
		}
	}
	if want := []string{"token.revoked", "token.created", "token.created"}; !slices.Equal(actions, want) {
		t.Errorf("audit = %v, want %v", actions, want)
	}
	if want := `{"name":"Telephony","scopes":"uses:write,recordings:write","user":"sup@example.fi"}`; entries[2].Detail != want {
		t.Errorf("token.created detail = %s, want %s", entries[2].Detail, want)
	}
}
