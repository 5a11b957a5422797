package db_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"vaaka/db"
	"vaaka/monitoring"
)

// recordVariedUses writes uses over several months and days with every kind
// of flag, several employees (one unknown), duplicates and a bad request
// among good ones, so that every rollup key shape occurs.
func recordVariedUses(t *testing.T, f *useFixture) {
	t.Helper()
	ctx := context.Background()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10 {
				n := g*10 + i
				u := f.use(fmt.Sprintf("v-%d", n), fmt.Sprintf("rec-v-%d", n%7))
				u.OccurredAt = testNow.Add(-time.Duration(n*97) * time.Hour) // ~4 days apart, 5 months
				u.CallStartedAt = u.OccurredAt.Add(-time.Hour)
				switch n % 5 {
				case 1:
					u.Purpose = ""
				case 2:
					u.EmployeeStaffIDs = []string{"E1", "E2", "E9"} // E9 is unknown: unit ''
				case 3:
					u.UsedBy = "other@example.fi"
					u.Purpose = "marketing"
				}
				uses := []*monitoring.Use{u}
				if n%6 == 0 {
					// Same external id again: a duplicate, counted once.
					d := *u
					uses = append(uses, &d)
				}
				if _, err := f.uses.RecordUses(ctx, uses); err != nil {
					t.Error(err)
				}
				if n%8 == 0 {
					// A request that fails on a reference writes no counts.
					bad := f.use(fmt.Sprintf("bad-%d", n), "rec-bad")
					bad.ActivityID = f.act + 1000
					if _, err := f.uses.RecordUses(ctx, []*monitoring.Use{bad}); monitoring.ErrorCodeOf(err) != monitoring.Invalid {
						t.Errorf("bad request: err = %v", err)
					}
				}
			}
		}()
	}
	wg.Wait()
}

// TestRollups_IncrementalEqualsRebuild_R_LOG_1: the rollups kept by the
// writer equal the aggregates recomputed from the use log.
func TestRollups_IncrementalEqualsRebuild_R_LOG_1(t *testing.T) {
	f := newUseFixture(t)
	recordVariedUses(t, f)
	if err := f.d.CheckRollups(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := countUseRows(t, f.d, "use_rollup"); n < 20 {
		t.Errorf("use_rollup has %d rows; the data should give more keys", n)
	}
	// A changed count is found.
	raw := rawUseDB(t, f.d)
	if _, err := raw.Exec(`UPDATE use_rollup SET n = n + 1 WHERE (activity_id, purpose, unit, month, flag) =
		(SELECT activity_id, purpose, unit, month, flag FROM use_rollup ORDER BY 1, 2, 3, 4, 5 LIMIT 1)`); err != nil {
		t.Fatal(err)
	}
	if err := f.d.CheckRollups(t.Context()); err == nil {
		t.Error("CheckRollups after a changed count: no error")
	}
}

// TestRollups_MigrationBackfill: migrations 0003 and 0009 on a database
// that already holds uses fill the rollups with what the writer would have
// kept.
func TestRollups_MigrationBackfill(t *testing.T) {
	f := newUseFixture(t)
	recordVariedUses(t, f)
	raw := rawUseDB(t, f.d)
	var before int
	if err := raw.QueryRow(`SELECT SUM(n) FROM use_rollup`).Scan(&before); err != nil {
		t.Fatal(err)
	}
	// Back to the schema before 0003.
	for _, q := range []string{
		`DROP TABLE use_rollup`, `DROP TABLE use_flag_days`, `DROP TABLE use_flag_months`,
		`DROP INDEX activity_versions_at`, `CREATE INDEX activity_versions_time ON activity_versions(activity_id, valid_from)`,
		`DROP INDEX recordings_due_ref`, `CREATE INDEX recordings_due ON recordings(deletion_due) WHERE deleted_at = '' AND deletion_due <> ''`,
		`DELETE FROM schema_migrations WHERE name LIKE '%0003_rollups.sql'`,
		// and before 0009 (its tables are backfilled from the uses too).
		`DROP TABLE use_rollup_employees`, `DROP TABLE use_week_rollup`,
		`DROP TABLE recording_week_rollup`, `DROP TRIGGER recordings_week_insert`,
		`DROP TRIGGER recordings_week_delete`, `DROP TRIGGER recordings_week_update`, `DROP INDEX recordings_overdue`,
		`DELETE FROM schema_migrations WHERE name LIKE '%0009_statistics.sql'`,
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := f.d.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	var after int
	if err := raw.QueryRow(`SELECT SUM(n) FROM use_rollup`).Scan(&after); err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Errorf("backfilled use_rollup total %d, incremental %d", after, before)
	}
	if err := f.d.CheckRollups(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// TestDashboard_WindowEdge: the 30-day window is exact to the instant: the
// whole days come from the daily rollup, the first partial day from the
// uses themselves.
func TestDashboard_WindowEdge(t *testing.T) {
	f := newUseFixture(t)
	start := testNow.Add(-30 * oneDay)
	var uses []*monitoring.Use
	for i, at := range []time.Time{
		start.Add(-time.Minute),            // just outside
		start,                              // first instant inside
		start.Add(time.Minute),             // same day, inside
		start.Truncate(oneDay).Add(oneDay), // next UTC day
		testNow.Add(-time.Hour),            // today
	} {
		u := f.use(fmt.Sprintf("edge-%d", i), fmt.Sprintf("rec-edge-%d", i))
		u.Purpose = "" // purpose_missing
		u.OccurredAt, u.CallStartedAt = at, at.Add(-time.Hour)
		uses = append(uses, u)
	}
	f.record(t, uses...)
	d, err := db.NewDashboardService(f.d).Dashboard(t.Context(), testNow)
	if err != nil {
		t.Fatal(err)
	}
	if d.FlaggedUses30d != 4 || d.FlagCounts30d[monitoring.FlagPurposeMissing] != 4 {
		t.Errorf("flagged = %d, counts = %v; want 4 purpose_missing", d.FlaggedUses30d, d.FlagCounts30d)
	}
}

// TestListUses_ActivityFlagMonth: the month path (use_flag_months) pages
// the same uses as filtering the whole log.
func TestListUses_ActivityFlagMonth(t *testing.T) {
	f := newUseFixture(t)
	recordVariedUses(t, f)
	ctx := t.Context()
	all, _, err := f.uses.ListUses(ctx, monitoring.UseFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	from := time.Date(testNow.Year(), testNow.Month()-2, 1, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(0, 1, 0)
	var want []string
	for _, u := range all {
		if u.ActivityID == f.act && !u.OccurredAt.Before(from) && u.OccurredAt.Before(to) && slices.Contains(u.Flags, monitoring.FlagUnauthorizedUser) {
			want = append(want, u.ID)
		}
	}
	if len(want) < 2 {
		t.Fatalf("only %d uses in the month; the data should give more", len(want))
	}
	var got []string
	var cursor int64
	for {
		us, next, err := f.uses.ListUses(ctx, monitoring.UseFilter{ActivityID: f.act, Flag: monitoring.FlagUnauthorizedUser,
			From: from, To: to, Cursor: cursor, Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range us {
			got = append(got, u.ID)
		}
		if next == 0 {
			break
		}
		cursor = next
	}
	if !slices.Equal(got, want) {
		t.Errorf("month pages = %v, want %v", got, want)
	}
}
