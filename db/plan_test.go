package db

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"vaaka/monitoring"
)

// The query-plan test: every hot query must read through an index (or the
// rowid order with a LIMIT), never scan a table, and a list page must not
// sort its matches (a sort reads every match before the first row). It runs
// EXPLAIN QUERY PLAN on an empty, migrated database: SQLite's planner
// chooses without statistics here, as it does in production (no ANALYZE).

// planCase is one hot query; ordered allows "SCAN <table>" in rowid order
// (only for queries that stop after a LIMIT in that order); ties allows
// sorting the last term of the ORDER BY among rows equal in the terms
// before it, which the index orders (only where those are times, so that
// ties are few: SQLite sorts one run of equal times at a time and stops
// after the LIMIT).
type planCase struct {
	name    string
	query   string
	args    []any
	ordered bool
	ties    bool
	// covering: the query must read its index alone (a day of rows, one
	// table lookup each, is too many).
	covering bool
}

func hotQueries() []planCase {
	month := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	list := func(name string, f monitoring.UseFilter, ordered bool) planCase {
		q, args := listUsesQuery(f)
		return planCase{name: "ListUses " + name, query: q, args: args, ordered: ordered}
	}
	cases := []planCase{
		list("employee (own uses)", monitoring.UseFilter{EmployeeStaffID: "E1"}, false),
		list("employee, next page", monitoring.UseFilter{EmployeeStaffID: "E1", Cursor: 1000}, false),
		list("employee and flag", monitoring.UseFilter{EmployeeStaffID: "E1", Flag: monitoring.FlagPurposeMissing}, false),
		list("supervisor (used_by)", monitoring.UseFilter{UsedBy: "sup@example.fi", Cursor: 1000}, false),
		list("activity", monitoring.UseFilter{ActivityID: 3, Cursor: 1000}, false),
		list("flag", monitoring.UseFilter{Flag: monitoring.FlagUnauthorizedUser, Cursor: 1000}, false),
		list("activity and flag", monitoring.UseFilter{ActivityID: 3, Flag: monitoring.FlagUnauthorizedUser, Cursor: 1000}, false),
		list("activity, flag and month", monitoring.UseFilter{ActivityID: 3, Flag: monitoring.FlagUnauthorizedUser,
			From: month, To: month.AddDate(0, 1, 0), Cursor: 1000}, false),
		list("everything, newest first", monitoring.UseFilter{Cursor: 1000}, true),
		{name: "FindUse", query: `SELECT ` + useColumns + ` FROM uses WHERE id = ?`, args: []any{"x"}},
		{name: "dashboard flag days", query: `SELECT flag, SUM(n) FROM use_flag_days WHERE day > ? GROUP BY flag`, args: []any{"2026-10-28"}},
		{name: "dashboard first day", query: dashboardFirstDaySQL, covering: true,
			args: []any{formatTime(now.AddDate(0, 0, -30)), formatTime(now.AddDate(0, 0, -29))}},
		{name: "dashboard recent flagged", query: `SELECT ` + useColumns + ` FROM uses WHERE flags <> 0
		ORDER BY occurred_at DESC, seq DESC LIMIT ?`, args: []any{10}},
		{name: "dashboard overdue count", query: dashboardOverdueSQL, args: []any{formatTime(now)}},
		{name: "dashboard overdue list", query: `SELECT ` + recordingColumns + ` FROM recordings WHERE deleted_at = '' AND deletion_due <> '' AND deletion_due < ?
			ORDER BY deletion_due, ref LIMIT ?`, args: []any{formatTime(now), 10}},
		{name: "rollup by activity and month", query: `SELECT purpose, unit, flag, n FROM use_rollup WHERE activity_id = ? AND month = ?`,
			args: []any{3, "2025-03"}},
		{name: "token by hash", query: `SELECT ` + tokenColumns + ` FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = ?`, args: []any{"h"}},
		{name: "session by id", query: `SELECT id_hash, user_id, csrf_token, created_at, last_seen, ip FROM sessions WHERE id_hash = ?`, args: []any{"h"}},
		{name: "use log head", query: `SELECT seq, hash FROM uses ORDER BY seq DESC LIMIT 1`, ordered: true},
		{name: "audit head", query: `SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1`, ordered: true},
	}
	// The pages of the recordings ledger (ListRecordings): each one range
	// from the cursor; the whole ledger is one such page per activity.
	cursor := encodeRecordingCursor(formatTime(now), "REC-1")
	for _, f := range []struct {
		name string
		f    monitoring.RecordingFilter
	}{
		{"an activity's newest calls", monitoring.RecordingFilter{ActivityID: 3}},
		{"an activity's newest calls, next page", monitoring.RecordingFilter{ActivityID: 3, Cursor: cursor}},
		{"overdue", monitoring.RecordingFilter{Overdue: true, Cursor: cursor}},
		{"an activity's overdue", monitoring.RecordingFilter{Overdue: true, ActivityID: 3, Cursor: cursor}},
	} {
		q, args, err := recordingsPageQuery(f.f, now, 50)
		if err != nil {
			panic(err)
		}
		cases = append(cases, planCase{name: "recordings ledger, " + f.name, query: q, args: args, ties: true})
	}
	// The representatives' statistics and the charts (statistics.go) and
	// the writer's rollups of 0009 (rollup.go).
	for _, c := range []planCase{
		{name: "recordings of a request", query: lookupRecordingsSQL(2), args: []any{"REC-1", "REC-2"}},
		{name: "statistics month cells", query: statMonthCellsSQL, args: []any{"2026-11"}},
		{name: "statistics month versions", query: statVersionsSQL, args: []any{"2025-12", "2026-11"}},
		{name: "statistics month employees", query: statMonthEmployeesSQL, args: []any{3, "2026-11", ""}},
		{name: "statistics overdue", query: statOverdueSQL, args: []any{formatTime(now)}},
		{name: "charts weeks", query: chartWeeksSQL, args: []any{"2026-09-07", "2026-11-23"}},
		{name: "charts weeks of an activity", query: chartWeeksActivitySQL, args: []any{"2026-09-07", "2026-11-23", 3}},
		{name: "charts deletions", query: chartDeletionsSQL, args: []any{"2026-09-07", "2026-11-23"}},
		{name: "charts deletions of an activity", query: chartDeletionsActivitySQL, args: []any{"2026-09-07", "2026-11-23", 3}},
		{name: "charts largest cell", query: chartMaxEmployeesSQL, args: []any{3, "2026-09", "2026-11"}},
		{name: "charts employees", query: chartEmployeesSQL, args: []any{3, "2026-09", "2026-11"}},
		{name: "writer rollup employees", query: upsertRollupEmployeesSQL(1), args: make([]any, 7)},
		{name: "writer week rollup", query: upsertWeekSQL, args: make([]any, 4)},
	} {
		cases = append(cases, c)
	}
	for i, q := range useStmtSQL {
		cases = append(cases, planCase{name: "writer statement " + string(rune('a'+i)), query: q, args: make([]any, strings.Count(q, "?"))})
	}
	return cases
}

func TestQueryPlans_HotQueriesUseIndexes(t *testing.T) {
	d, err := Open(filepath.Join(t.TempDir(), "plan.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx := context.Background()
	for _, c := range hotQueries() {
		t.Run(c.name, func(t *testing.T) {
			plan, err := explain(ctx, d, c.query, c.args)
			if err != nil {
				t.Fatalf("%v\n%s", err, c.query)
			}
			if msg := badPlan(plan, c.ordered, c.ties); msg != "" {
				t.Errorf("%s\nquery: %s\nplan:\n  %s", msg, c.query, strings.Join(plan, "\n  "))
			}
			if c.covering && !slices.ContainsFunc(plan, func(l string) bool { return strings.Contains(l, "USING COVERING INDEX") }) {
				t.Errorf("reads the table beside its index\nquery: %s\nplan:\n  %s", c.query, strings.Join(plan, "\n  "))
			}
		})
	}
}

// badPlan returns why plan is not acceptable for a hot query, "" if it is.
func badPlan(plan []string, ordered, ties bool) string {
	for _, line := range plan {
		switch {
		case strings.Contains(line, "USE TEMP B-TREE FOR ORDER BY"):
			return "sorts its matches"
		case strings.Contains(line, "USE TEMP B-TREE FOR LAST TERM"), strings.Contains(line, "USE TEMP B-TREE FOR RIGHT PART"):
			if !ties {
				return "sorts its matches by their last key"
			}
		case strings.HasPrefix(line, "SCAN (subquery-"):
			// The rows a subquery produced (its own plan lines are checked
			// like every other), not a table.
		case strings.HasPrefix(line, "SCAN ") && !strings.Contains(line, " USING "):
			// A rowid-order scan of a real table, allowed only when asked.
			if !ordered || strings.Contains(line, "CONSTANT ROW") {
				return "full table scan: " + line
			}
		}
	}
	return ""
}

// explain returns the detail lines of EXPLAIN QUERY PLAN.
func explain(ctx context.Context, d *DB, query string, args []any) ([]string, error) {
	// Statements that write (the writer's INSERTs) are explained on the
	// write pool; nothing runs.
	rows, err := d.write.QueryContext(ctx, `EXPLAIN QUERY PLAN `+query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			return nil, err
		}
		plan = append(plan, detail)
	}
	return plan, rows.Err()
}

func TestBadPlan(t *testing.T) {
	const lastTerm = "USE TEMP B-TREE FOR LAST TERM OF ORDER BY"
	for _, c := range []struct {
		plan          []string
		ordered, ties bool
		bad           bool
	}{
		{[]string{"SEARCH u USING INDEX uses_activity (activity_id=? AND rowid<?)"}, false, false, false},
		{[]string{"SCAN u"}, false, false, true},
		{[]string{"SCAN u"}, true, false, false},
		{[]string{"SCAN uses USING INDEX uses_flagged"}, false, false, false},
		{[]string{"SEARCH e USING PRIMARY KEY (staff_id=?)", "USE TEMP B-TREE FOR ORDER BY"}, false, false, true},
		{[]string{"SEARCH e USING PRIMARY KEY (staff_id=?)", "USE TEMP B-TREE FOR ORDER BY"}, false, true, true},
		{[]string{"SEARCH r USING INDEX recordings_activity (activity_id=?)", lastTerm}, false, false, true},
		{[]string{"SEARCH r USING INDEX recordings_activity (activity_id=?)", lastTerm}, false, true, false},
		{[]string{"SEARCH r USING INDEX recordings_activity (activity_id=?)", "USE TEMP B-TREE FOR RIGHT PART OF ORDER BY"}, false, false, true},
		{[]string{"SCAN r", lastTerm}, false, true, true},
		{[]string{"CO-ROUTINE (subquery-2)", "SEARCH r USING INDEX recordings_overdue (activity_id=?)", "SCAN (subquery-2)"}, false, false, false},
		{[]string{"CO-ROUTINE (subquery-2)", "SCAN r", "SCAN (subquery-2)"}, false, false, true},
	} {
		if got := badPlan(c.plan, c.ordered, c.ties) != ""; got != c.bad {
			t.Errorf("badPlan(%v, %v, %v) bad = %v, want %v", c.plan, c.ordered, c.ties, got, c.bad)
		}
	}
}
