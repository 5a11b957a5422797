package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"vaaka/monitoring"
)

// Rollups of the use log (migrations/0003_rollups.sql and
// 0009_statistics.sql): counts kept in the write transaction of the uses
// they count, so that the dashboard, the statistics and the charts read a
// handful of rows instead of scanning millions of uses.
//
// Invariant: use_rollup (n and employees), use_rollup_employees,
// use_week_rollup, use_flag_days and use_flag_months equal the aggregates of
// uses (with use_employees, use_flags and employee_history) that the rebuild
// queries below compute from scratch. The writer keeps it per group-commit
// transaction: a request's counts join the group's only when the request
// succeeded (a request rolled back to its savepoint leaves no count
// behind), and the group's counts are written once, just before the commit,
// in the same transaction as the uses.
//
// Deleting uses (the log retention job, R-LOG-2) must go through
// rollupRemove in the same transaction: it decrements the counts, deletes
// the use_rollup_employees rows that reach 0 (keeping use_rollup.employees
// equal to the rows of its cell) and the use_flag_months rows of the deleted
// uses, or the invariant breaks.

// monthOf and dayOf are the UTC calendar periods of a use's occurred_at,
// the same text as substr(occurred_at, 1, 7|10) of the stored time.
func monthOf(t time.Time) string { return datePrefix(t, len("2006-01")) }
func dayOf(t time.Time) string   { return datePrefix(t, len("2006-01-02")) }

// datePrefix is the first n bytes of t's stored text (timeLayout).
func datePrefix(t time.Time, n int) string {
	var buf [len(timeLayout)]byte
	b := appendTime(buf[:0], t)
	if len(b) != len(timeLayout) { // a year beyond 0–9999
		return t.UTC().Format("2006-01-02"[:n])
	}
	return string(b[:n])
}

// weekOf is the Monday (UTC) of the week of t, 'YYYY-MM-DD': the same text
// as date(substr(occurred_at, 1, 10), '-6 days', 'weekday 1').
func weekOf(t time.Time) string {
	t = t.UTC()
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return dayOf(d.AddDate(0, 0, -(int(d.Weekday())+6)%7))
}

type rollupKey struct {
	activity             int64
	purpose, unit, month string
	flag                 string
}

type flagDayKey struct{ day, flag string }

// staffKey is one employee of one use_rollup cell.
type staffKey struct {
	cell  rollupKey
	staff string
}

// weekKey is one row of use_week_rollup.
type weekKey struct {
	activity   int64
	week, flag string
}

// rollupDelta collects the counts of one request's uses.
type rollupDelta struct {
	rollup map[rollupKey]int64
	days   map[flagDayKey]int64
	staff  map[staffKey]int64
	weeks  map[weekKey]int64
	// The recordings entered, per activity and week of their deletion
	// deadline (flag ''): recording_week_rollup's 'due' rows, which the
	// trigger of 0011 leaves to the use writer.
	dueWeeks map[weekKey]int64
	weekMemo weekMemo
}

// weekMemo remembers the week of the last day asked: the uses of a request
// mostly fall on one day, and weekOf's calendar arithmetic was a tenth of
// a use's counting.
type weekMemo struct {
	year, day int // UTC year and day of the year; year 0: none yet
	week      string
}

func (m *weekMemo) of(t time.Time) string {
	t = t.UTC()
	if y, d := t.Year(), t.YearDay(); y != m.year || d != m.day || m.week == "" {
		m.year, m.day, m.week = y, d, weekOf(t)
	}
	return m.week
}

func (d *rollupDelta) reset() {
	if d.rollup == nil {
		d.rollup, d.days = map[rollupKey]int64{}, map[flagDayKey]int64{}
		d.staff, d.weeks, d.dueWeeks = map[staffKey]int64{}, map[weekKey]int64{}, map[weekKey]int64{}
		return
	}
	clear(d.rollup)
	clear(d.days)
	clear(d.staff)
	clear(d.weeks)
	clear(d.dueWeeks)
}

// addRecording counts a recording entered for activity, due for deletion
// at due (zero: never).
func (d *rollupDelta) addRecording(activity int64, due time.Time) {
	if !due.IsZero() {
		d.dueWeeks[weekKey{activity, weekOf(due), ""}]++
	}
}

// add counts u (flags computed) with the units of its employees at
// occurred_at.
func (d *rollupDelta) add(u *monitoring.Use, employees map[string]monitoring.EmployeeAt) {
	month := monthOf(u.OccurredAt)
	var units [4]string
	us := units[:0]
	for i, s := range u.EmployeeStaffIDs {
		unit := ""
		if e := employees[s]; e.Known {
			unit = e.Unit
		}
		if !slices.Contains(us, unit) {
			us = append(us, unit)
		}
		if slices.Contains(u.EmployeeStaffIDs[:i], s) {
			continue // named twice: one employee (use_employees keeps one row)
		}
		k := staffKey{rollupKey{u.ActivityID, u.Purpose, unit, month, ""}, s}
		d.staff[k]++
		for _, f := range u.Flags {
			k.cell.flag = string(f)
			d.staff[k]++
		}
	}
	week := d.weekMemo.of(u.OccurredAt)
	d.weeks[weekKey{u.ActivityID, week, ""}]++
	for _, f := range u.Flags {
		d.weeks[weekKey{u.ActivityID, week, string(f)}]++
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
	for k, n := range o.staff {
		d.staff[k] += n
	}
	for k, n := range o.weeks {
		d.weeks[k] += n
	}
	for k, n := range o.dueWeeks {
		d.dueWeeks[k] += n
	}
	o.reset()
}

// flush writes the collected counts with the group's statements (those of
// 0009 through the group's statement cache: prepared once per writer).
// The employees of each cell first: an upsert that returns exactly the
// added count created the row, i.e. the employee is new in the cell.
func (d *rollupDelta) flush(ctx context.Context, g *useGroup) error {
	if err := bumpMonths(ctx, g.stmts, d.rollup); err != nil {
		return err
	}
	newStaff, err := d.flushStaff(ctx, g.stmts)
	if err != nil {
		return err
	}
	for k, n := range d.rollup {
		if _, err := g.upsertRollup.ExecContext(ctx, k.activity, k.purpose, k.unit, k.month, k.flag, n, newStaff[k]); err != nil {
			return fmt.Errorf("db: use rollup: %w", err)
		}
	}
	for k, n := range d.weeks {
		if _, err := g.stmts.ExecContext(ctx, upsertWeekSQL, k.week, k.activity, k.flag, n); err != nil {
			return fmt.Errorf("db: use week rollup: %w", err)
		}
	}
	for k, n := range d.days {
		if _, err := g.upsertFlagDay.ExecContext(ctx, k.day, k.flag, n); err != nil {
			return fmt.Errorf("db: use flag days: %w", err)
		}
	}
	for k, n := range d.dueWeeks {
		if _, err := g.stmts.ExecContext(ctx, upsertDueWeekSQL, k.week, k.activity, n); err != nil {
			return fmt.Errorf("db: recording week rollup: %w", err)
		}
	}
	d.reset()
	return nil
}

// flushStaff upserts the collected employees of each cell, many rows per
// statement (in the chunks insertRows writes), and returns how many
// employees each cell gained: a row whose count after the upsert is
// exactly the count added was created, i.e. the employee is new in the
// cell.
func (d *rollupDelta) flushStaff(ctx context.Context, q *stmtCache) (map[rollupKey]int64, error) {
	t := rollupEmployeeRows
	vals := make([]any, 0, t.cols*len(d.staff))
	for k, n := range d.staff {
		vals = append(vals, k.cell.activity, k.cell.month, k.cell.flag, k.cell.purpose, k.cell.unit, k.staff, n)
	}
	newStaff := make(map[rollupKey]int64, len(d.rollup))
	err := t.chunks(vals, func(n int, vals []any) error {
		rows, err := q.QueryContext(ctx, upsertRollupEmployeesSQL(n), vals...)
		if err != nil {
			return fmt.Errorf("db: use rollup employees: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var (
				k     staffKey
				total int64
			)
			if err := rows.Scan(&k.cell.activity, &k.cell.month, &k.cell.flag, &k.cell.purpose, &k.cell.unit, &k.staff, &total); err != nil {
				return fmt.Errorf("db: use rollup employees: %w", err)
			}
			if total == d.staff[k] {
				newStaff[k.cell]++
			}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("db: use rollup employees: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return newStaff, nil
}

// bumpMonths advances the version of every month of cells (migration 0012)
// in the transaction that changes their rows: every change of use_rollup
// and use_rollup_employees goes through flush or rollupRemove, and so here
// (TestStatistics_MonthsReadAgainWhenChanged).
func bumpMonths(ctx context.Context, q interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, cells map[rollupKey]int64) error {
	var done [4]string
	months := done[:0]
	for k := range cells {
		if slices.Contains(months, k.month) {
			continue
		}
		months = append(months, k.month)
		if _, err := q.ExecContext(ctx, bumpMonthSQL, k.month); err != nil {
			return fmt.Errorf("db: rollup version: %w", err)
		}
	}
	return nil
}

// rollupEmployeeRows upserts rows of use_rollup_employees, answering each
// row's key and count after the upsert.
var rollupEmployeeRows = rowTable{name: "use rollup employee", cols: 7, maxRows: 64,
	insert: `INSERT INTO use_rollup_employees (activity_id, month, flag, purpose, unit, staff_id, n) VALUES `,
	row:    `(?,?,?,?,?,?,?)`}

// upsertRollupEmployeesSQL upserts n rows of use_rollup_employees.
func upsertRollupEmployeesSQL(n int) string {
	return rollupEmployeeRows.query(n) + ` ON CONFLICT (activity_id, month, flag, purpose, unit, staff_id) DO UPDATE SET n = n + excluded.n
		RETURNING activity_id, month, flag, purpose, unit, staff_id, n`
}

const (
	bumpMonthSQL = `INSERT INTO use_rollup_versions (month, version) VALUES (?, 1)
		ON CONFLICT (month) DO UPDATE SET version = version + 1`
	upsertRollupSQL = `INSERT INTO use_rollup (activity_id, purpose, unit, month, flag, n, employees) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (activity_id, purpose, unit, month, flag) DO UPDATE SET n = n + excluded.n, employees = employees + excluded.employees`
	upsertWeekSQL = `INSERT INTO use_week_rollup (week, activity_id, flag, n) VALUES (?, ?, ?, ?)
		ON CONFLICT (week, activity_id, flag) DO UPDATE SET n = n + excluded.n`
	upsertFlagDaySQL = `INSERT INTO use_flag_days (day, flag, n) VALUES (?, ?, ?)
		ON CONFLICT (day, flag) DO UPDATE SET n = n + excluded.n`
	upsertDueWeekSQL = `INSERT INTO recording_week_rollup (week, activity_id, kind, n) VALUES (?, ?, 'due', ?)
		ON CONFLICT (week, activity_id, kind) DO UPDATE SET n = n + excluded.n`
)

// The rebuild queries compute each rollup from scratch, in the column order
// of its table and sorted by its key.
const (
	// useCellsSQL is every (use, cell, employee): a use counts once per
	// unit of its employees, each employee once per cell.
	useCellsSQL = `SELECT u.seq, u.activity_id, u.purpose, substr(u.occurred_at, 1, 7) AS month, fl.flag, e.staff_id,
		COALESCE((SELECT h.unit FROM employee_history h WHERE h.staff_id = e.staff_id AND h.valid_from <= u.occurred_at
			ORDER BY h.valid_from DESC LIMIT 1), '') AS unit
	FROM uses u
	JOIN use_employees e ON e.use_seq = u.seq
	JOIN (SELECT use_seq, flag FROM use_flags UNION ALL SELECT seq, '' FROM uses) fl ON fl.use_seq = u.seq`
	rebuildRollupSQL = `SELECT activity_id, purpose, unit, month, flag, COUNT(DISTINCT seq), COUNT(DISTINCT staff_id) FROM (` + useCellsSQL + `
) GROUP BY activity_id, purpose, unit, month, flag ORDER BY activity_id, purpose, unit, month, flag`
	storedRollupSQL = `SELECT activity_id, purpose, unit, month, flag, n, employees FROM use_rollup
	WHERE n <> 0 OR employees <> 0 ORDER BY activity_id, purpose, unit, month, flag`

	rebuildRollupEmployeesSQL = `SELECT activity_id, month, flag, purpose, unit, staff_id, COUNT(*) FROM (` + useCellsSQL + `
) GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6`
	storedRollupEmployeesSQL = `SELECT activity_id, month, flag, purpose, unit, staff_id, n FROM use_rollup_employees ORDER BY 1, 2, 3, 4, 5, 6`

	rebuildWeeksSQL = `SELECT date(substr(u.occurred_at, 1, 10), '-6 days', 'weekday 1'), u.activity_id, fl.flag, COUNT(*)
	FROM uses u JOIN (SELECT use_seq, flag FROM use_flags UNION ALL SELECT seq, '' FROM uses) fl ON fl.use_seq = u.seq
	GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`
	storedWeeksSQL = `SELECT week, activity_id, flag, n FROM use_week_rollup WHERE n <> 0 ORDER BY 1, 2, 3`

	// recording_week_rollup is kept by the triggers of 0009, not here.
	rebuildRecordingWeeksSQL = `SELECT week, activity_id, kind, COUNT(*) FROM (
	SELECT date(substr(deletion_due, 1, 10), '-6 days', 'weekday 1') AS week, activity_id, 'due' AS kind
	FROM recordings WHERE deletion_due <> '' AND on_hold = 0
	UNION ALL
	SELECT date(substr(deleted_at, 1, 10), '-6 days', 'weekday 1'), activity_id, 'done' FROM recordings WHERE deleted_at <> ''
) GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`
	storedRecordingWeeksSQL = `SELECT week, activity_id, kind, n FROM recording_week_rollup WHERE n <> 0 ORDER BY 1, 2, 3`

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
		{"use_rollup_employees", rebuildRollupEmployeesSQL, storedRollupEmployeesSQL},
		{"use_week_rollup", rebuildWeeksSQL, storedWeeksSQL},
		{"recording_week_rollup", rebuildRecordingWeeksSQL, storedRecordingWeeksSQL},
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

// rollupRemove takes the uses with seq in [from, to] out of every rollup in
// tx: it decrements use_rollup, use_rollup_employees, use_week_rollup and
// use_flag_days by exactly what the writer added for them (units from the
// current employee_history, as the rebuild queries compute them), deletes
// the use_rollup_employees rows that reach 0 (an employee gone from a cell
// decrements its employees) and deletes their use_flag_months rows. The log
// retention job (R-LOG-2) calls it in the transaction that deletes the
// uses, so the rollup invariant holds after every commit.
func rollupRemove(ctx context.Context, tx *Tx, from, to int64) error {
	rows, err := tx.QueryContext(ctx, `SELECT u.seq, u.activity_id, u.purpose, u.occurred_at, u.flags, e.staff_id,
		COALESCE((SELECT h.unit FROM employee_history h WHERE h.staff_id = e.staff_id AND h.valid_from <= u.occurred_at
			ORDER BY h.valid_from DESC LIMIT 1), '') AS unit,
		EXISTS (SELECT 1 FROM employee_history h WHERE h.staff_id = e.staff_id AND h.valid_from <= u.occurred_at)
		FROM uses u JOIN use_employees e ON e.use_seq = u.seq
		WHERE u.seq BETWEEN ? AND ? ORDER BY u.seq`, from, to)
	if err != nil {
		return fmt.Errorf("db: rollup remove: %w", err)
	}
	var d rollupDelta
	d.reset()
	var (
		cur       *monitoring.Use
		employees = map[string]monitoring.EmployeeAt{}
	)
	type flagMonth struct {
		activity    int64
		flag, month string
		seq         int64
	}
	var flagMonths []flagMonth
	done := func() {
		if cur == nil {
			return
		}
		d.add(cur, employees)
		for _, f := range cur.Flags {
			flagMonths = append(flagMonths, flagMonth{cur.ActivityID, string(f), monthOf(cur.OccurredAt), cur.Seq})
		}
	}
	for rows.Next() {
		var (
			seq, activity, mask int64
			purpose, occurred   string
			staff, unit         string
			known               bool
		)
		if err := rows.Scan(&seq, &activity, &purpose, &occurred, &mask, &staff, &unit, &known); err != nil {
			rows.Close()
			return fmt.Errorf("db: rollup remove: %w", err)
		}
		if cur == nil || cur.Seq != seq {
			done()
			at, err := parseTime(occurred)
			if err != nil {
				rows.Close()
				return fmt.Errorf("db: rollup remove: use %d: %w", seq, err)
			}
			cur = &monitoring.Use{Seq: seq, ActivityID: activity, Purpose: purpose, OccurredAt: at, Flags: monitoring.FlagsOf(mask)}
			clear(employees)
		}
		cur.EmployeeStaffIDs = append(cur.EmployeeStaffIDs, staff)
		employees[staff] = monitoring.EmployeeAt{Known: known, Unit: unit}
	}
	done()
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("db: rollup remove: %w", err)
	}
	if err := bumpMonths(ctx, tx, d.rollup); err != nil {
		return err
	}
	gone := make(map[rollupKey]int64, len(d.rollup))
	for k, n := range d.staff {
		var left int64
		if err := tx.QueryRowContext(ctx, `UPDATE use_rollup_employees SET n = n - ? WHERE activity_id = ? AND month = ? AND flag = ?
			AND purpose = ? AND unit = ? AND staff_id = ? RETURNING n`,
			n, k.cell.activity, k.cell.month, k.cell.flag, k.cell.purpose, k.cell.unit, k.staff).Scan(&left); errors.Is(err, sql.ErrNoRows) {
			continue // no row: nothing to take out (CheckRollups reports the difference)
		} else if err != nil {
			return fmt.Errorf("db: rollup remove: employees: %w", err)
		}
		if left == 0 {
			if _, err := tx.ExecContext(ctx, `DELETE FROM use_rollup_employees WHERE activity_id = ? AND month = ? AND flag = ?
				AND purpose = ? AND unit = ? AND staff_id = ?`,
				k.cell.activity, k.cell.month, k.cell.flag, k.cell.purpose, k.cell.unit, k.staff); err != nil {
				return fmt.Errorf("db: rollup remove: %w", err)
			}
			gone[k.cell]++
		}
	}
	for k, n := range d.rollup {
		if _, err := tx.ExecContext(ctx, `UPDATE use_rollup SET n = n - ?, employees = employees - ? WHERE activity_id = ? AND purpose = ? AND unit = ? AND month = ? AND flag = ?`,
			n, gone[k], k.activity, k.purpose, k.unit, k.month, k.flag); err != nil {
			return fmt.Errorf("db: rollup remove: %w", err)
		}
	}
	for k, n := range d.weeks {
		if _, err := tx.ExecContext(ctx, `UPDATE use_week_rollup SET n = n - ? WHERE week = ? AND activity_id = ? AND flag = ?`,
			n, k.week, k.activity, k.flag); err != nil {
			return fmt.Errorf("db: rollup remove: %w", err)
		}
	}
	for k, n := range d.days {
		if _, err := tx.ExecContext(ctx, `UPDATE use_flag_days SET n = n - ? WHERE day = ? AND flag = ?`, n, k.day, k.flag); err != nil {
			return fmt.Errorf("db: rollup remove: %w", err)
		}
	}
	for _, k := range flagMonths { // by primary key: no scan
		if _, err := tx.ExecContext(ctx, `DELETE FROM use_flag_months WHERE activity_id = ? AND flag = ? AND month = ? AND use_seq = ?`,
			k.activity, k.flag, k.month, k.seq); err != nil {
			return fmt.Errorf("db: rollup remove: %w", err)
		}
	}
	return nil
}
