package main

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"vaaka/db"
	"vaaka/monitoring"
)

// testNow is the frozen clock of this package's tests.
var testNow = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// mustOpenDB opens a migrated database file in a temp dir with a frozen
// clock and closes it when the test ends.
func mustOpenDB(tb testing.TB) (*db.DB, string) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "vaaka.db")
	d, err := db.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	d.Now = func() time.Time { return testNow }
	tb.Cleanup(func() { d.Close() })
	return d, path
}

var (
	demoOnce sync.Once
	demoFile string
	demoErr  error
)

// demoTemplate seeds the demo organisation once per test process (at the
// frozen clock) into a file that tests copy with a backup.
func demoTemplate(tb testing.TB) string {
	tb.Helper()
	demoOnce.Do(func() {
		dir, err := tempDirOutsideTest()
		if err != nil {
			demoErr = err
			return
		}
		demoFile = filepath.Join(dir, "demo.db")
		d, err := db.Open(demoFile)
		if err != nil {
			demoErr = err
			return
		}
		defer d.Close()
		d.Now = func() time.Time { return testNow }
		_, demoErr = seedDemoIfEmpty(context.Background(), d, discardLogger())
	})
	if demoErr != nil {
		tb.Fatalf("seed demo: %v", demoErr)
	}
	return demoFile
}

// openDemoCopy opens a private copy of the seeded demo database.
func openDemoCopy(tb testing.TB) (*db.DB, string) {
	tb.Helper()
	src, err := db.Open(demoTemplate(tb))
	if err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(tb.TempDir(), "vaaka.db")
	if err := src.Backup(context.Background(), path); err != nil {
		tb.Fatal(err)
	}
	src.Close()
	d, err := db.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { d.Close() })
	return d, path
}

func TestDemoBusinessID(t *testing.T) {
	if id := demoBusinessID(); !monitoring.ValidBusinessID(id) {
		t.Fatalf("demo business id %s does not validate", id)
	}
}

// TestDemo checks the demo organisation: every status, flagged uses of each
// kind, a ledger with confirmed and overdue deletions, and both chains
// intact (R-LOG-1).
func TestDemo(t *testing.T) {
	d, _ := openDemoCopy(t)
	d.Now = func() time.Time { return testNow }
	ctx := context.Background()

	if v, err := d.Meta(ctx, metaDemo); err != nil || v != "1" {
		t.Fatalf("meta demo = %q, %v; want 1", v, err)
	}
	org, err := db.NewSettingsService(d).Organisation(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if org.Name != demoOrgName || org.Headcount != 64 || !monitoring.ValidBusinessID(org.BusinessID) {
		t.Errorf("organisation = %+v", org)
	}

	acts, _, err := db.NewRegisterService(d).ListActivities(ctx, monitoring.ActivityFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	statuses := map[monitoring.Status]int{}
	for _, a := range acts {
		statuses[a.Status]++
	}
	for _, s := range monitoring.Statuses {
		if statuses[s] == 0 {
			t.Errorf("no activity in status %s (have %v)", s, statuses)
		}
	}

	emps, _, err := db.NewEmployeeService(d).ListEmployees(ctx, monitoring.EmployeeFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(emps) < 35 {
		t.Errorf("%d employees, want about 40", len(emps))
	}
	users, err := db.NewAccountService(d).ListUsers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != len(demoUsers) {
		t.Errorf("%d users, want %d", len(users), len(demoUsers))
	}

	uses := db.NewUseService(d)
	all, err := countUses(ctx, uses, monitoring.UseFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if all < 200 || all > 600 {
		t.Errorf("%d uses, want a few hundred", all)
	}
	for _, f := range []monitoring.Flag{
		monitoring.FlagActivityNotActive, monitoring.FlagUnauthorizedUser, monitoring.FlagPurposeNotRegistered,
		monitoring.FlagPurposeMissing, monitoring.FlagEmployeeNotCovered, monitoring.FlagRetentionExceeded,
		monitoring.FlagRecordingDeleted,
	} {
		n, err := countUses(ctx, uses, monitoring.UseFilter{Flag: f})
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 || n > 10 {
			t.Errorf("flag %s on %d uses, want a few", f, n)
		}
	}
	own, err := countUses(ctx, uses, monitoring.UseFilter{EmployeeStaffID: "E1005"})
	if err != nil {
		t.Fatal(err)
	}
	if own == 0 {
		t.Error("the demo employee has no uses of their own")
	}

	recs := db.NewRecordingService(d)
	overdue, _, err := recs.ListRecordings(ctx, monitoring.RecordingFilter{Overdue: true, Limit: 100}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(overdue) == 0 || len(overdue) > 10 {
		t.Errorf("%d overdue recordings, want a few", len(overdue))
	}

	for _, verify := range []func(context.Context) (monitoring.ChainReport, error){uses.VerifyUses, db.NewAuditService(d).VerifyAudit} {
		r, err := verify(ctx)
		if err != nil || !r.OK || r.Checked == 0 {
			t.Errorf("%s chain: %+v, %v", r.Chain, r, err)
		}
	}

	// A database with data is left alone.
	seeded, err := seedDemoIfEmpty(ctx, d, discardLogger())
	if err != nil || seeded {
		t.Errorf("second seed = %v, %v; want false, nil", seeded, err)
	}
}

func countUses(ctx context.Context, s *db.UseService, f monitoring.UseFilter) (int, error) {
	n := 0
	f.Limit = 1000
	for {
		page, next, err := s.ListUses(ctx, f)
		if err != nil {
			return 0, err
		}
		n += len(page)
		if next == 0 {
			return n, nil
		}
		f.Cursor = next
	}
}
