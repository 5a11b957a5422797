package db_test

// Migrations forward from every released schema (issue "Reliability",
// "Faults: migrations"). db/testdata/schema_NNNN.db is a small database in
// the state right after migration NNNN, as an installation of that release
// has it: the migration files 1..NNNN applied, recorded in
// schema_migrations, with representative rows in every table. The tests
// open a copy with db.Open, which migrates it to the latest schema, and
// check that no row was lost and that both hash chains still verify; and
// that a migration that fails leaves the database exactly as it was.
//
// Releasing a migration: append its file name to releasedMigrations and
// generate its fixture (the generator writes only the missing ones):
//
//	VAAKA_GEN_FIXTURES=1 go test ./db -run TestGenerateSchemaFixtures
//
// then commit db/testdata/schema_NNNN.db. Never regenerate the fixture of
// an older state: it stands for databases that exist in the field.

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"vaaka/cooperation"
	"vaaka/db"
	"vaaka/monitoring"
)

// releasedMigrations are the migrations of released versions (committed in
// git), in order; each has a fixture of the state right after it.
var releasedMigrations = []string{
	"0001_init.sql",                // issue 2, the foundation
	"0002_cooperation.sql",         // issue "Co-operation"
	"0003_rollups.sql",             // issue "Performance"
	"0004_notices.sql",             // issue "Notices"
	"0005_outbox.sql",              // issue "Notices" (e-mail)
	"0006_evidence.sql",            // issue "Evidence": keys, receipts, checkpoints
	"0007_holds.sql",               // issue "Evidence": legal holds
	"0008_telephony_import.sql",    // issue "Evidence": telephony import
	"0009_statistics.sql",          // issue "Evidence": statistics rollups
	"0010_write_path.sql",          // issue "Performance": one recordings index fewer
	"0011_recording_weeks.sql",     // issue "Performance": the use writer counts its recordings' weeks
	"0012_rollup_versions.sql",     // issue "Performance": a version per month of the statistics rollups
	"0013_overdue_by_activity.sql", // issue "Performance": overdue recordings indexed by activity first
	"0014_flagged_covering.sql",    // issue "Performance": the flags in uses_flagged
}

func fixturePath(name string) string {
	return filepath.Join("testdata", "schema_"+strings.TrimSuffix(name, ".sql")+".db")
}

// migrationFiles lists migrations/*.sql, sorted (the order db.Migrate
// applies them in).
func migrationFiles(t *testing.T) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join("migrations", "*.sql"))
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range names {
		names[i] = filepath.Base(n)
	}
	slices.Sort(names)
	return names
}

// TestMigrate_EveryReleasedSchemaForward opens a copy of each released
// schema's fixture with db.Open: it migrates to the latest schema without
// losing a row, both chains verify (R-LOG-1), the services read the old
// rows, and the use log goes on from the old chain head.
func TestMigrate_EveryReleasedSchemaForward(t *testing.T) {
	all := migrationFiles(t)
	if !slices.Equal(all[:len(releasedMigrations)], releasedMigrations) {
		t.Fatalf("migrations %v do not start with the released ones %v: a released migration was renamed or removed", all, releasedMigrations)
	}
	for i, name := range releasedMigrations {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			path := copyFixture(t, name)
			raw := openRawDB(t, path)
			if got := appliedMigrations(t, raw); !slices.Equal(got, releasedMigrations[:i+1]) {
				t.Fatalf("fixture records migrations %v, want %v", got, releasedMigrations[:i+1])
			}
			// The fixture's schema is what the migration files 1..i give
			// today: an applied migration must never be edited.
			if got, want := schemaOf(t, raw), schemaOf(t, freshSchema(t, releasedMigrations[:i+1])); got != want {
				t.Fatalf("the schema of %s differs from migrations %v applied now: was an applied migration edited?\nfixture:\n%s\nnow:\n%s",
					fixturePath(name), releasedMigrations[:i+1], got, want)
			}
			before := rowCounts(t, raw)
			raw.Close()
			for _, table := range []string{"users", "employees", "activities", "activity_versions", "recordings", "uses", "use_employees", "use_flags", "audit"} {
				if before[table] == 0 {
					t.Fatalf("fixture has no rows in %s: not representative", table)
				}
			}

			d, err := db.Open(path)
			if err != nil {
				t.Fatalf("migrate %s forward: %v", name, err)
			}
			d.Now = func() time.Time { return fixtureNow.Add(24 * time.Hour) }
			defer d.Close()

			uses := db.NewUseService(d)
			checkChains(t, d, before["uses"], before["audit"])
			// The services read the old rows.
			page, _, err := uses.ListUses(ctx, monitoring.UseFilter{Limit: 1000})
			if err != nil || int64(len(page)) != before["uses"] {
				t.Errorf("ListUses: %d uses, %v; want %d", len(page), err, before["uses"])
			}
			acts, _, err := db.NewRegisterService(d).ListActivities(ctx, monitoring.ActivityFilter{Limit: 1000})
			if err != nil || int64(len(acts)) != before["activities"] {
				t.Errorf("ListActivities: %d, %v; want %d", len(acts), err, before["activities"])
			}
			users, err := db.NewAccountService(d).ListUsers(ctx)
			if err != nil || int64(len(users)) != before["users"] {
				t.Errorf("ListUsers: %d, %v; want %d", len(users), err, before["users"])
			}
			if before["cases"] > 0 {
				cases, _, err := db.NewCaseService(d).ListCases(ctx, cooperation.CaseFilter{Limit: 1000})
				if err != nil || int64(len(cases)) != before["cases"] {
					t.Errorf("ListCases: %d, %v; want %d", len(cases), err, before["cases"])
				}
				for _, c := range cases {
					if _, err := db.NewCaseService(d).FindCase(ctx, c.ID); err != nil {
						t.Errorf("FindCase %d: %v", c.ID, err)
					}
				}
			}
			// The rollups (0003) equal the aggregates of the migrated uses.
			if err := d.CheckRollups(ctx); err != nil {
				t.Errorf("rollups after migrating: %v", err)
			}
			if _, err := db.NewDashboardService(d).Dashboard(ctx, fixtureNow); err != nil {
				t.Errorf("Dashboard: %v", err)
			}
			// The log goes on after the migration: a new use chains after
			// the old head, and a retry of an old external id is a duplicate.
			rs, err := uses.RecordUses(ctx, []*monitoring.Use{fixtureUse(acts[len(acts)-1].ID, "after-migration", "E2001"),
				fixtureUse(acts[len(acts)-1].ID, "ext-1", "E2001")})
			if err != nil {
				t.Fatalf("record after migration: %v", err)
			}
			if rs[0].Duplicate || rs[0].Use.Seq != before["uses"]+1 || !rs[1].Duplicate {
				t.Errorf("after migration: %+v / %+v", rs[0], rs[1])
			}
			checkChains(t, d, before["uses"]+1, before["audit"])
			if err := d.CheckRollups(ctx); err != nil {
				t.Errorf("rollups after a new use: %v", err)
			}
			d.Close()

			// No row was lost, and opening again migrates nothing.
			raw = openRawDB(t, path)
			after := rowCounts(t, raw)
			for table, n := range before {
				want := n
				switch table {
				case "schema_migrations":
					want = int64(len(all))
				case "uses", "use_employees":
					want = n + 1
				case "recordings":
					want = n + 1 // the new use's recording
				}
				// The new use's flags and rollup rows (use_flags, use_rollup,
				// …) may add rows; every other table is unchanged.
				grows := strings.HasPrefix(table, "use_") && table != "use_employees"
				if after[table] < want || (!grows && after[table] != want) {
					t.Errorf("%s: %d rows after migrating, want %d", table, after[table], want)
				}
			}
			if got := appliedMigrations(t, raw); !slices.Equal(got, all) {
				t.Errorf("applied after migrating: %v, want %v", got, all)
			}
			if got, want := schemaOf(t, raw), schemaOf(t, freshSchema(t, all)); got != want {
				t.Errorf("schema after migrating from %s differs from a new database's:\n%s\nvs\n%s", name, got, want)
			}
		})
	}
}

// TestMigrate_FailedMigrationLeavesDatabaseAsItWas: when a migration fails
// half-way (here the next one after the oldest release meets a table it
// wants to create), db.Open fails naming it, and the database is exactly as
// it was: the statements that had run are rolled back, schema_migrations
// unchanged, every row there. Once the cause is removed, it migrates.
func TestMigrate_FailedMigrationLeavesDatabaseAsItWas(t *testing.T) {
	all := migrationFiles(t)
	if len(all) < 2 {
		t.Skip("one migration only")
	}
	next := all[1]
	path := copyFixture(t, all[0])
	raw := openRawDB(t, path)
	// The last table the next migration creates exists already: every
	// statement before it runs, then it fails.
	last := lastCreatedTable(t, next)
	if _, err := raw.Exec(`CREATE TABLE ` + last + ` (x INTEGER)`); err != nil {
		t.Fatal(err)
	}
	wantSchema, wantCounts, wantApplied := schemaOf(t, raw), rowCounts(t, raw), appliedMigrations(t, raw)
	raw.Close()

	d, err := db.Open(path)
	if err == nil {
		d.Close()
		t.Fatalf("db.Open migrated over a conflicting table %s", last)
	}
	if !strings.Contains(err.Error(), next) {
		t.Errorf("error does not name the migration %s: %v", next, err)
	}
	raw = openRawDB(t, path)
	if got := schemaOf(t, raw); got != wantSchema {
		t.Errorf("schema changed by a failed migration:\n%s\nwant\n%s", got, wantSchema)
	}
	if got := rowCounts(t, raw); !mapsEqual(got, wantCounts) {
		t.Errorf("rows changed by a failed migration: %v, want %v", got, wantCounts)
	}
	if got := appliedMigrations(t, raw); !slices.Equal(got, wantApplied) {
		t.Errorf("applied after a failed migration: %v, want %v", got, wantApplied)
	}
	var ok string
	if err := raw.QueryRow(`PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		t.Errorf("integrity_check: %q %v", ok, err)
	}
	if _, err := raw.Exec(`DROP TABLE ` + last); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	d, err = db.Open(path)
	if err != nil {
		t.Fatalf("migrate after the cause was removed: %v", err)
	}
	defer d.Close()
	checkChains(t, d, wantCounts["uses"], wantCounts["audit"])
}

// lastCreatedTable is the name of the last table that migration name creates.
func lastCreatedTable(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("migrations", name))
	if err != nil {
		t.Fatal(err)
	}
	last := ""
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "CREATE TABLE "); ok {
			last = strings.TrimSuffix(strings.Fields(rest)[0], "(")
		}
	}
	if last == "" {
		t.Fatalf("%s creates no table", name)
	}
	return last
}

func checkChains(t *testing.T, d *db.DB, uses, audit int64) {
	t.Helper()
	ctx := context.Background()
	ur, err := db.NewUseService(d).VerifyUses(ctx)
	if err != nil || !ur.OK || ur.Checked != uses {
		t.Errorf("use log: %+v %v; want ok with %d entries", ur, err, uses)
	}
	ar, err := db.NewAuditService(d).VerifyAudit(ctx)
	if err != nil || !ar.OK || ar.Checked < audit {
		t.Errorf("audit trail: %+v %v; want ok with at least %d entries", ar, err, audit)
	}
}

func mapsEqual(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// copyFixture copies the fixture of the state after migration name into a
// temp dir and returns the copy's path.
func copyFixture(t *testing.T, name string) string {
	t.Helper()
	src, err := os.Open(fixturePath(name))
	if err != nil {
		t.Fatalf("no fixture for the released migration %s (generate it, see the top of migrate_test.go): %v", name, err)
	}
	defer src.Close()
	path := filepath.Join(t.TempDir(), "vaaka.db")
	dst, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func openRawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	raw.SetMaxOpenConns(1)
	t.Cleanup(func() { raw.Close() })
	return raw
}

// appliedMigrations lists the file names recorded in schema_migrations, in
// order.
func appliedMigrations(t *testing.T, raw *sql.DB) []string {
	t.Helper()
	names := queryStrings(t, raw, `SELECT name FROM schema_migrations ORDER BY name`)
	for i, n := range names {
		names[i] = strings.TrimPrefix(n, "migrations/")
	}
	return names
}

func queryStrings(t *testing.T, raw *sql.DB, q string, args ...any) []string {
	t.Helper()
	rows, err := raw.Query(q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// tables lists the tables of the database (without SQLite's own).
func tables(t *testing.T, raw *sql.DB) []string {
	t.Helper()
	return queryStrings(t, raw, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
}

// rowCounts counts the rows of every table.
func rowCounts(t *testing.T, raw *sql.DB) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, table := range tables(t, raw) {
		var n int64
		if err := raw.QueryRow(`SELECT COUNT(*) FROM "` + table + `"`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[table] = n
	}
	return out
}

// schemaOf is the database's schema as text: every table, index and
// trigger with its SQL, in name order.
func schemaOf(t *testing.T, raw *sql.DB) string {
	t.Helper()
	rows := queryStrings(t, raw, `SELECT type || ' ' || name || ': ' || COALESCE(sql, '') FROM sqlite_master
		WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name`)
	return strings.Join(rows, "\n")
}

// freshSchema applies the migration files names to a new database with
// plain SQL, recording them as db.Migrate does, and returns it open.
func freshSchema(t *testing.T, names []string) *sql.DB {
	t.Helper()
	raw := openRawDB(t, filepath.Join(t.TempDir(), fmt.Sprintf("fresh-%d.db", len(names))))
	applyMigrations(t, raw, names)
	return raw
}

// applyMigrations runs the migration files names in order and records them
// in schema_migrations (the table db.Migrate creates).
func applyMigrations(t *testing.T, raw *sql.DB, names []string) {
	t.Helper()
	if _, err := raw.Exec(`CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for i, name := range names {
		b, err := os.ReadFile(filepath.Join("migrations", name))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := raw.Exec(string(b)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		at := fixtureNow.AddDate(0, 0, -30*(len(names)-i)).Format("2006-01-02T15:04:05.000000000Z")
		// db.Migrate records the path in its embedded file system.
		if _, err := raw.Exec(`INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)`, "migrations/"+name, at); err != nil {
			t.Fatal(err)
		}
	}
}

// fixtureNow is the clock of the fixtures' data.
var fixtureNow = time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)

// TestGenerateSchemaFixtures writes db/testdata/schema_NNNN.db for every
// released migration (VAAKA_GEN_FIXTURES=1 only). The rows are written by
// the services on a scratch database, then copied with plain SQL (ATTACH,
// INSERT … SELECT of the columns that exist in that state) into a database
// that has only the migrations 1..NNNN applied: rows of the shape Vaaka
// writes, in a schema of that release. Rows of features of a later release
// (co-operation cases before 0002) are not written.
func TestGenerateSchemaFixtures(t *testing.T) {
	if os.Getenv("VAAKA_GEN_FIXTURES") != "1" {
		t.Skip("set VAAKA_GEN_FIXTURES=1 to regenerate db/testdata/schema_*.db")
	}
	for i, name := range releasedMigrations {
		if _, err := os.Stat(fixturePath(name)); err == nil {
			t.Logf("%s exists: kept", fixturePath(name))
			continue
		}
		generateFixture(t, name, releasedMigrations[:i+1])
	}
}

func generateFixture(t *testing.T, name string, applied []string) {
	src := filepath.Join(t.TempDir(), "scratch.db")
	d, err := db.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	d.Now = func() time.Time { return fixtureNow }
	populate(t, d, slices.Contains(applied, "0002_cooperation.sql"))
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}

	out := fixturePath(name)
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		t.Fatal(err)
	}
	os.Remove(out)
	raw, err := sql.Open("sqlite", out)
	if err != nil {
		t.Fatal(err)
	}
	raw.SetMaxOpenConns(1)
	defer raw.Close()
	// Small pages keep a file of some 80 tables and indexes small.
	if _, err := raw.Exec(`PRAGMA page_size = 512`); err != nil {
		t.Fatal(err)
	}
	applyMigrations(t, raw, applied)
	if _, err := raw.Exec(`ATTACH DATABASE ? AS src`, src); err != nil {
		t.Fatal(err)
	}
	// The rows are copied as they are, with the triggers off: a trigger
	// that keeps a rollup would count the copied rows a second time.
	triggers := queryStrings(t, raw, `SELECT sql FROM main.sqlite_master WHERE type = 'trigger' ORDER BY name`)
	for _, name := range queryStrings(t, raw, `SELECT name FROM main.sqlite_master WHERE type = 'trigger'`) {
		if _, err := raw.Exec(`DROP TRIGGER main."` + name + `"`); err != nil {
			t.Fatal(err)
		}
	}
	for _, table := range tables(t, raw) {
		if table == "schema_migrations" {
			continue
		}
		mine := queryStrings(t, raw, `SELECT name FROM pragma_table_info(?, 'main')`, table)
		theirs := queryStrings(t, raw, `SELECT name FROM pragma_table_info(?, 'src')`, table)
		var cols []string
		for _, c := range mine {
			if slices.Contains(theirs, c) {
				cols = append(cols, `"`+c+`"`)
			}
		}
		list := strings.Join(cols, ", ")
		q := fmt.Sprintf(`INSERT OR REPLACE INTO main."%s" (%s) SELECT %s FROM src."%s"`, table, list, list, table)
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for _, q := range triggers {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for _, q := range []string{`DETACH DATABASE src`, `PRAGMA journal_mode = DELETE`, `VACUUM`} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	st, _ := os.Stat(out)
	t.Logf("wrote %s (%d bytes)", out, st.Size())
}

// fixtureUse is a use of activity by the supervisor of the fixtures.
func fixtureUse(activity int64, ext, staff string) *monitoring.Use {
	return &monitoring.Use{
		ExternalID: ext, ActivityID: activity, RecordingRef: "REC-" + ext, CallStartedAt: fixtureNow.Add(-3 * time.Hour),
		Direction: monitoring.Inbound, EmployeeStaffIDs: []string{staff}, UsedBy: "esimies@example.fi",
		Action: monitoring.Listened, Purpose: "quality", Note: "Laadunarviointi", OccurredAt: fixtureNow.Add(-2 * time.Hour),
		Source: monitoring.SourceAPI,
	}
}

// populate writes representative data through the services: the
// organisation, accounts of every role with a token and a session, units
// and employees (one moved), two activities (one active, one draft with a
// second version), recordings (one deleted), uses with and without flags
// and a correction, a read of an employee's log; with cases, a concluded
// dialogue case with its proposal, meeting, minutes and approvals.
func populate(t *testing.T, d *db.DB, cases bool) {
	t.Helper()
	ctx := context.Background()
	const hr = "hr@example.fi"
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(db.NewSettingsService(d).UpdateOrganisation(ctx, hr, monitoring.Organisation{
		Name: "Oy Esimerkki Ab", BusinessID: "1234567-1", Address: "Esimerkkikatu 1, 00100 Helsinki",
		DPOContact: "tietosuoja@example.fi", PrivacyNoticeURL: "https://example.fi/tietosuoja", Sector: monitoring.SectorPrivate,
		Headcount: 45, DefaultLanguage: monitoring.Finnish, TimeZone: "Europe/Helsinki"}))
	must(d.SetMeta(ctx, "installation_id", "fixture"))

	acc := db.NewAccountService(d)
	users := []*monitoring.User{
		{Email: "admin@example.fi", Name: "Aapo Ylläpitäjä", Roles: []monitoring.Role{monitoring.RoleAdmin}},
		{Email: hr, Name: "Henna Henkilöstö", Roles: []monitoring.Role{monitoring.RoleHR}},
		{Email: "esimies@example.fi", Name: "Sanna Åberg", Roles: []monitoring.Role{monitoring.RoleSupervisor, monitoring.RoleEmployee}, StaffID: "E2003", Language: monitoring.Swedish},
		{Email: "luottamus@example.fi", Name: "Liisa Luottamusmies", Roles: []monitoring.Role{monitoring.RoleRepresentative}},
		{Email: "dpo@example.fi", Name: "Tiina Tietosuoja", Roles: []monitoring.Role{monitoring.RoleDPO}},
		{Email: "matti@example.fi", Name: "Matti Meikäläinen", Roles: []monitoring.Role{monitoring.RoleEmployee}, StaffID: "E2001"},
	}
	for _, u := range users {
		if u.Language == "" {
			u.Language = monitoring.Finnish
		}
		u.Active, u.PasswordHash = true, "$argon2id$v=19$m=65536,t=2,p=2$Zml4dHVyZQ$Zml4dHVyZWZpeHR1cmVmaXh0dXJlZml4dHVyZQ"
		must(acc.CreateUser(ctx, "admin@example.fi", u))
	}
	must(acc.CreateToken(ctx, "admin@example.fi", &monitoring.Token{UserID: users[2].ID, UserEmail: users[2].Email, Name: "puhelinjärjestelmä",
		Scopes: []monitoring.Scope{monitoring.ScopeUsesWrite, monitoring.ScopeRecordingsWrite}, Hash: strings.Repeat("ab", 32)}))
	must(acc.CreateSession(ctx, &monitoring.Session{IDHash: strings.Repeat("cd", 32), UserID: users[1].ID, CSRFToken: "csrf",
		CreatedAt: fixtureNow, LastSeen: fixtureNow, IP: "127.0.0.1"}))

	emps := db.NewEmployeeService(d)
	for _, u := range []string{"Asiakaspalvelu", "Myynti"} {
		must(emps.CreateUnit(ctx, hr, u))
	}
	for _, e := range []*monitoring.Employee{
		{StaffID: "E2001", Name: "Matti Meikäläinen", Email: "matti@example.fi", Unit: "Asiakaspalvelu", Language: monitoring.Finnish, Active: true},
		{StaffID: "E2002", Name: "Åsa Lindqvist", Email: "asa@example.fi", Unit: "Asiakaspalvelu", Language: monitoring.Swedish, Active: true},
		{StaffID: "E2003", Name: "Sanna Åberg", Email: "esimies@example.fi", Unit: "Myynti", Language: monitoring.Swedish, Active: true},
	} {
		must(emps.CreateEmployee(ctx, hr, e))
	}
	d.Now = func() time.Time { return fixtureNow.Add(time.Hour) }
	unit := "Myynti"
	_, err := emps.UpdateEmployee(ctx, hr, "E2002", monitoring.EmployeeUpdate{Unit: &unit})
	must(err)
	d.Now = func() time.Time { return fixtureNow }

	reg := db.NewRegisterService(d)
	active := completeActivity()
	must(reg.CreateActivity(ctx, hr, active))
	must(reg.SeedStatus(ctx, active.ID, monitoring.StatusActive, fixtureNow.AddDate(0, 0, -20)))
	draft := &monitoring.Activity{Name: "Myynnin puheluiden tallennus", Method: monitoring.CallRecording, Units: []string{"Myynti"}}
	must(reg.CreateActivity(ctx, hr, draft))
	_, err = reg.UpdateActivity(ctx, hr, draft.ID, func(a *monitoring.Activity) error {
		a.Description = "Myyntipuhelut tallennetaan sopimusten todentamiseksi."
		a.RetentionDays = 365
		return nil
	})
	must(err)

	recs := db.NewRecordingService(d)
	_, err = recs.RegisterRecordings(ctx, hr, []*monitoring.Recording{
		{Ref: "REC-ext-2", CallStartedAt: fixtureNow.Add(-3 * time.Hour), Direction: monitoring.Inbound, ActivityID: active.ID, EmployeeStaffID: "E2001"},
		{Ref: "REC-deleted", CallStartedAt: fixtureNow.AddDate(0, 0, -10), Direction: monitoring.Outbound, ActivityID: active.ID, EmployeeStaffID: "E2002"},
	})
	must(err)
	_, err = recs.ConfirmDeletion(ctx, hr, "REC-deleted", fixtureNow.AddDate(0, 0, -1))
	must(err)

	uses := db.NewUseService(d)
	batch := []*monitoring.Use{
		fixtureUse(active.ID, "ext-1", "E2001"),
		fixtureUse(active.ID, "ext-2", "E2001"),
		fixtureUse(draft.ID, "ext-3", "E2003"), // activity_not_active
	}
	noPurpose := fixtureUse(active.ID, "ext-4", "E2002")
	noPurpose.Purpose, noPurpose.Action = "", monitoring.Downloaded // purpose_missing
	deleted := fixtureUse(active.ID, "", "E9999")                   // no external id, unknown employee
	deleted.RecordingRef, deleted.CallStartedAt = "REC-deleted", fixtureNow.AddDate(0, 0, -10)
	web := fixtureUse(active.ID, "", "E2001")
	web.Source, web.UsedBy, web.Action = monitoring.SourceWeb, "intruder@example.fi", monitoring.Shared
	batch = append(batch, noPurpose, deleted, web)
	rs, err := uses.RecordUses(ctx, batch)
	must(err)
	corr := fixtureUse(active.ID, "ext-5", "E2001")
	corr.Corrects, corr.Note = rs[0].Use.ID, "Korjaus: väärä tarkoitus"
	_, err = uses.RecordUses(ctx, []*monitoring.Use{corr})
	must(err)
	must(db.NewAuditService(d).Record(ctx, hr, "use_log.read", "employee", "E2001", map[string]any{"filter": "employee"}))

	if !cases {
		return
	}
	cs := db.NewCaseService(d)
	c := &cooperation.Case{
		Title: "Puheluiden tallennus", Procedure: cooperation.Dialogue, ActivityIDs: []int64{active.ID},
		Proposed:        cooperation.Proposal{Procedure: cooperation.Dialogue, Key: "at_or_above"},
		Representatives: []string{"luottamus@example.fi"}, Units: []string{"Asiakaspalvelu"},
	}
	must(cs.CreateCase(ctx, hr, c))
	meeting := fixtureNow.AddDate(0, 0, -3)
	info := &cooperation.Information{
		Subject: "Puheluiden tallennus", Purpose: "Laadunvarmistus", Methods: "Tallennus ja kuuntelu",
		FirstMeetingAt: meeting, Place: "Neuvotteluhuone 2", DeliveredAt: meeting.AddDate(0, 0, -8),
		Recipients: []string{"luottamus@example.fi"},
	}
	must(cs.AddInformation(ctx, hr, c.ID, info, nil))
	m := &cooperation.Meeting{HeldAt: meeting, Place: "Neuvotteluhuone 2", Agenda: "Tallennuksen käyttöönotto", MinutesRequested: true,
		Participants: []cooperation.Participant{{Email: hr, Attended: true}, {Email: "luottamus@example.fi", Attended: true}}}
	must(cs.AddMeeting(ctx, hr, c.ID, m))
	must(cs.WriteMinutes(ctx, hr, c.ID, m.ID, &cooperation.Minutes{MainContent: "Käytiin läpi tallennus.",
		Outcome: "Yhteisymmärrys", Dissent: []cooperation.Dissent{{By: "luottamus@example.fi", Text: "Säilytysaika liian pitkä"}}}))
	must(cs.ApproveMinutes(ctx, hr, c.ID, m.ID, &cooperation.Approval{Approve: true}))
	must(cs.ApproveMinutes(ctx, "luottamus@example.fi", c.ID, m.ID, &cooperation.Approval{Approve: true}))
	must(cs.Conclude(ctx, hr, c.ID, &cooperation.Conclusion{Text: "Tarkoitus: laatu. Menetelmä: tallennus."}, fixtureNow))
	open := &cooperation.Case{
		Title: "Myynnin tallennus", Procedure: cooperation.Dialogue, ActivityIDs: []int64{draft.ID},
		Proposed:        cooperation.Proposal{Procedure: cooperation.Dialogue, Key: "at_or_above"},
		Representatives: []string{"luottamus@example.fi"}, Units: []string{"Myynti"},
	}
	must(cs.CreateCase(ctx, hr, open))
}
