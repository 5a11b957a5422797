package db

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"vaaka/monitoring"
)

// Rollups of the use log (migrations/0003_rollups.sql): counts kept in the
// write transaction of the uses they count, so that the dashboard and the
// statistics read a handful of rows instead of scanning millions of uses.
//
// Invariant: use_rollup, use_flag_days and use_flag_months equal the
// aggregates of uses (with use_employees, use_flags and employee_history)
// that the rebuild queries below compute from scratch. The writer keeps it
// per group-commit transaction: a request's counts join the group's only
// when the request succeeded (a request rolled back to its savepoint leaves
// no count behind), and the group's counts are written once, just before
// the commit, in the same transaction as the uses.
//
// Deleting uses (the retention job of a later issue) must decrement
// use_rollup and use_flag_days and delete the use_flag_months rows of the
// deleted uses in the same transaction, or the invariant breaks.

// monthOf and dayOf are the UTC calendar periods of a use's occurred_at,
// the same text as substr(occurred_at, 1, 7|10) of the stored time.
func monthOf(t time.Time) string { return t.UTC().Format("2006-01") }
func dayOf(t time.Time) string   { return t.UTC().Format("2006-01-02") }

type rollupKey struct {
	activity             int64
	purpose, unit, month string
	flag                 string
}

type flagDayKey struct{ day, flag string }

// rollupDelta collects the counts of one request's uses.
type rollupDelta struct {
	rollup map[rollupKey]int64
	days   map[flagDayKey]int64
}

func (d *rollupDelta) reset() {
	if d.rollup == nil {
		d.rollup, d.days = map[rollupKey]int64{}, map[flagDayKey]int64{}
		return
	}
	clear(d.rollup)
	clear(d.days)
}

// add counts u (flags computed) with the units of its employees at
// occurred_at.
func (d *rollupDelta) add(u *monitoring.Use, employees map[string]monitoring.EmployeeAt) {
	month := monthOf(u.OccurredAt)
	var units [4]string
	us := units[:0]
	for _, s := range u.EmployeeStaffIDs {
		unit := ""
		if e := employees[s]; e.Known {
			unit = e.Unit
		}
		if !slices.Contains(us, unit) {
			us = append(us, unit)
		}
	}
	for _, unit := range us {
		k := rollupKey{u.ActivityID, u.Purpose, unit, month, ""}
		d.rollup[k]++
		for _, f := range u.Flags {
			k.flag = string(f)
			d.rollup[k]++
		}
	}
	if len(u.Flags) > 0 {
		day := dayOf(u.OccurredAt)
		d.days[flagDayKey{day, ""}]++
		for _, f := range u.Flags {
			d.days[flagDayKey{day, string(f)}]++
		}
	}
}

// merge adds o's counts to d and empties o.
func (d *rollupDelta) merge(o *rollupDelta) {
	for k, n := range o.rollup {
		d.rollup[k] += n
	}
	for k, n := range o.days {
		d.days[k] += n
	}
	o.reset()
}

// flush writes the collected counts with the group's statements.
func (d *rollupDelta) flush(ctx context.Context, g *useGroup) error {
	for k, n := range d.rollup {
		if _, err := g.upsertRollup.ExecContext(ctx, k.activity, k.purpose, k.unit, k.month, k.flag, n); err != nil {
			return fmt.Errorf("db: use rollup: %w", err)
		}
	}
	for k, n := range d.days {
		if _, err := g.upsertFlagDay.ExecContext(ctx, k.day, k.flag, n); err != nil {
			return fmt.Errorf("db: use flag days: %w", err)
		}
	}
	d.reset()
	return nil
}

const (
	upsertRollupSQL = `INSERT INTO use_rollup (activity_id, purpose, unit, month, flag, n) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (activity_id, purpose, unit, month, flag) DO UPDATE SET n = n + excluded.n`
	upsertFlagDaySQL = `INSERT INTO use_flag_days (day, flag, n) VALUES (?, ?, ?)
		ON CONFLICT (day, flag) DO UPDATE SET n = n + excluded.n`
	insertFlagMonthSQL = `INSERT INTO use_flag_months (activity_id, flag, month, use_seq) VALUES (?, ?, ?, ?)`
)

// The rebuild queries compute each rollup from scratch, in the column order
// of its table and sorted by its key.
const (
	rebuildRollupSQL = `SELECT activity_id, purpose, unit, month, flag, COUNT(*) FROM (
	SELECT DISTINCT u.seq, u.activity_id, u.purpose, substr(u.occurred_at, 1, 7) AS month, fl.flag,
		COALESCE((SELECT h.unit FROM employee_history h WHERE h.staff_id = e.staff_id AND h.valid_from <= u.occurred_at
			ORDER BY h.valid_from DESC LIMIT 1), '') AS unit
	FROM uses u
	JOIN use_employees e ON e.use_seq = u.seq
	JOIN (SELECT use_seq, flag FROM use_flags UNION ALL SELECT seq, '' FROM uses) fl ON fl.use_seq = u.seq
) GROUP BY activity_id, purpose, unit, month, flag ORDER BY activity_id, purpose, unit, month, flag`
	storedRollupSQL = `SELECT activity_id, purpose, unit, month, flag, n FROM use_rollup
	WHERE n <> 0 ORDER BY activity_id, purpose, unit, month, flag`

	rebuildFlagDaysSQL = `SELECT day, flag, COUNT(*) FROM (
	SELECT substr(u.occurred_at, 1, 10) AS day, f.flag AS flag FROM use_flags f JOIN uses u ON u.seq = f.use_seq
	UNION ALL
	SELECT substr(occurred_at, 1, 10), '' FROM uses WHERE flags <> 0
) GROUP BY day, flag ORDER BY day, flag`
	storedFlagDaysSQL = `SELECT day, flag, n FROM use_flag_days WHERE n <> 0 ORDER BY day, flag`

	rebuildFlagMonthsSQL = `SELECT f.activity_id, f.flag, substr(u.occurred_at, 1, 7), f.use_seq
	FROM use_flags f JOIN uses u ON u.seq = f.use_seq ORDER BY 1, 2, 3, 4`
	storedFlagMonthsSQL = `SELECT activity_id, flag, month, use_seq FROM use_flag_months ORDER BY 1, 2, 3, 4`
)

// CheckRollups recomputes every rollup from the uses and compares it with
// the stored one, row by row with constant memory. It returns nil when they
// agree and an error naming the first difference otherwise. It reads every
// use: a maintenance and test tool, never on a request path.
func (db *DB) CheckRollups(ctx context.Context) error {
	for _, c := range []struct{ name, rebuilt, stored string }{
		{"use_rollup", rebuildRollupSQL, storedRollupSQL},
		{"use_flag_days", rebuildFlagDaysSQL, storedFlagDaysSQL},
		{"use_flag_months", rebuildFlagMonthsSQL, storedFlagMonthsSQL},
	} {
		if err := db.compareRows(ctx, c.name, c.rebuilt, c.stored); err != nil {
			return err
		}
	}
	return nil
}

func (db *DB) compareRows(ctx context.Context, name, rebuilt, stored string) error {
	// One read transaction for both queries: the same snapshot.
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("db: check %s: %w", name, err)
	}
	defer tx.Rollback()
	a, err := tx.QueryContext(ctx, rebuilt)
	if err != nil {
		return fmt.Errorf("db: check %s: %w", name, err)
	}
	defer a.Close()
	b, err := tx.QueryContext(ctx, stored)
	if err != nil {
		return fmt.Errorf("db: check %s: %w", name, err)
	}
	defer b.Close()
	cols, err := a.Columns()
	if err != nil {
		return err
	}
	row := func(r *sql.Rows) ([]string, error) {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := r.Scan(ptrs...); err != nil {
			return nil, err
		}
		out := make([]string, len(cols))
		for i, v := range vals {
			out[i] = v.String
		}
		return out, nil
	}
	for n := 1; ; n++ {
		na, nb := a.Next(), b.Next()
		if !na && !nb {
			break
		}
		if na != nb {
			return fmt.Errorf("db: %s differs from its rebuild at row %d: rebuilt has a row: %v, stored has a row: %v", name, n, na, nb)
		}
		ra, err := row(a)
		if err != nil {
			return err
		}
		rb, err := row(b)
		if err != nil {
			return err
		}
		if !slices.Equal(ra, rb) {
			return fmt.Errorf("db: %s differs from its rebuild at row %d: rebuilt %v, stored %v", name, n, ra, rb)
		}
	}
	return errorsJoin(a.Err(), b.Err())
}

func errorsJoin(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
