package db

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"vaaka/monitoring"
)

// StatisticsService answers the representatives' statistics and the weekly
// chart series from the rollups (rollup.go, migrations/0009_statistics.sql)
// and the recordings' indexes: it never reads the use log, so its cost
// depends on the number of cells and weeks, not on the number of uses.
type StatisticsService struct {
	db *DB

	mu     sync.Mutex
	months map[string]*monthStats // read before, by month (cells)
}

var _ monitoring.StatisticsService = (*StatisticsService)(nil)

// NewStatisticsService returns the statistics of d.
func NewStatisticsService(d *DB) *StatisticsService {
	return &StatisticsService{db: d, months: map[string]*monthStats{}}
}

// The hot queries of the statistics (plan_test.go).
const (
	// A month's cells (use_rollup_month, then the rows by primary key),
	// and the versions of a period's months (migration 0012).
	statMonthCellsSQL = `SELECT activity_id, purpose, unit, flag, n, employees FROM use_rollup
		WHERE month = ? AND activity_id IN (SELECT id FROM activities) AND n > 0`
	statVersionsSQL = `SELECT month, version FROM use_rollup_versions WHERE month >= ? AND month <= ?`
	// The distinct employees of one activity × month × flag: asked only
	// when every cell of it covers fewer than MinEmployees, so the range
	// holds a few rows per cell.
	statMonthEmployeesSQL = `SELECT COUNT(DISTINCT staff_id) FROM use_rollup_employees WHERE activity_id = ? AND month = ? AND flag = ?`

	chartWeeksSQL         = `SELECT week, activity_id, flag, n FROM use_week_rollup WHERE week >= ? AND week <= ?`
	chartWeeksActivitySQL = `SELECT week, activity_id, flag, n FROM use_week_rollup WHERE week >= ? AND week <= ? AND activity_id = ?`
	// Deletions due (held recordings left out, R-RET-2) and done per week
	// (recording_week_rollup, kept by triggers).
	chartDeletionsSQL         = `SELECT week, kind, SUM(n) FROM recording_week_rollup WHERE week >= ? AND week <= ? GROUP BY week, kind`
	chartDeletionsActivitySQL = `SELECT week, kind, n FROM recording_week_rollup WHERE week >= ? AND week <= ? AND activity_id = ?`
	// The largest cell of an activity in a window of months (flag ''), and
	// the distinct employees of the window when that is below the threshold.
	chartMaxEmployeesSQL = `SELECT COALESCE(MAX(employees), 0) FROM use_rollup WHERE activity_id = ? AND month >= ? AND month <= ? AND flag = ''`
	chartEmployeesSQL    = `SELECT COUNT(DISTINCT staff_id) FROM use_rollup_employees WHERE activity_id = ? AND month >= ? AND month <= ? AND flag = ''`
)

var (
	// Per activity, its overdue recordings (one range of the covering
	// partial index of 0013) and their distinct employees counted up to
	// monitoring.MinEmployees (all that the suppression needs).
	statOverdueSQL = `SELECT a.id,
		(SELECT COUNT(*) FROM recordings r INDEXED BY recordings_overdue
			WHERE r.activity_id = a.id AND r.deletion_due < ?1 AND r.deleted_at = '' AND r.deletion_due <> '' AND r.on_hold = 0),
		(SELECT COUNT(*) FROM (SELECT DISTINCT r.employee_staff_id FROM recordings r INDEXED BY recordings_overdue
			WHERE r.activity_id = a.id AND r.deletion_due < ?1 AND r.deleted_at = '' AND r.deletion_due <> '' AND r.on_hold = 0 LIMIT ` + strconv.Itoa(monitoring.MinEmployees) + `))
		FROM activities a`
)

// Statistics returns the suppressed statistics of f's period (default: the
// last 12 months up to now's month) and the overdue deletions at now.
func (s *StatisticsService) Statistics(ctx context.Context, f monitoring.StatisticsFilter, now time.Time) (*monitoring.Statistics, error) {
	f, err := monitoring.NormalizeStatisticsFilter(f, now)
	if err != nil {
		return nil, err
	}
	st, err := s.trueStatistics(ctx, f, now)
	if err != nil {
		return nil, err
	}
	monitoring.SuppressStatistics(st)
	return st, nil
}

// trueStatistics reads the true counts (before suppression). The overdue
// recordings are counted on a second read connection while the cells are
// read, since neither waits for the other. The cells are read in one
// snapshot; the overdue counts, which come from another table, in their
// own.
func (s *StatisticsService) trueStatistics(ctx context.Context, f monitoring.StatisticsFilter, now time.Time) (*monitoring.Statistics, error) {
	type overdue struct {
		list []monitoring.StatOverdue
		err  error
	}
	od := make(chan overdue, 1)
	go func() {
		list, err := s.overdue(ctx, f.ActivityID, now)
		od <- overdue{list, err}
	}()
	// The cells' connection is released before waiting for the overdue
	// counts, so that no request holds one connection while waiting for
	// another (which could exhaust the pool).
	st, err := s.cells(ctx, f)
	o := <-od
	if err != nil {
		return nil, err
	}
	if o.err != nil {
		return nil, o.err
	}
	st.Overdue = o.list
	monitoring.SortStatistics(st)
	return st, nil
}

// monthStats are the true statistics of one month, every activity: its
// cells and its activity totals, as read at version (use_rollup_versions).
type monthStats struct {
	version int64
	cells   []monitoring.StatCell
	months  []monitoring.StatMonth
}

// maxCachedMonths bounds the months a StatisticsService keeps.
const maxCachedMonths = 240

// cells reads f's cells and months with their employees, in one snapshot.
// A month read before is taken from memory while its version is the one
// it was read at (migration 0012: every transaction that changes a month's
// rollups bumps it), so that a period of closed months costs a few rows;
// a month that changed since is read again.
func (s *StatisticsService) cells(ctx context.Context, f monitoring.StatisticsFilter) (*monitoring.Statistics, error) {
	tx, err := s.db.read.BeginTx(ctx, nil) // one snapshot for every query
	if err != nil {
		return nil, fmt.Errorf("db: statistics: %w", err)
	}
	defer tx.Rollback()
	versions := map[string]int64{}
	rows, err := tx.QueryContext(ctx, statVersionsSQL, f.From, f.To)
	if err != nil {
		return nil, fmt.Errorf("db: statistics versions: %w", err)
	}
	for rows.Next() {
		var (
			month string
			v     int64
		)
		if err := rows.Scan(&month, &v); err != nil {
			rows.Close()
			return nil, fmt.Errorf("db: statistics versions: %w", err)
		}
		versions[month] = v
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, fmt.Errorf("db: statistics versions: %w", err)
	}
	st := &monitoring.Statistics{From: f.From, To: f.To, ActivityID: f.ActivityID}
	for _, month := range monitoring.StatMonths(f) {
		version := versions[month] // 0: the month has no rollup rows
		s.mu.Lock()
		ms := s.months[month]
		s.mu.Unlock()
		if ms == nil || ms.version != version {
			if ms, err = s.readMonth(ctx, tx, month, version); err != nil {
				return nil, err
			}
			s.mu.Lock()
			if len(s.months) >= maxCachedMonths {
				clear(s.months)
			}
			s.months[month] = ms
			s.mu.Unlock()
		}
		// Copies: the caller suppresses in place.
		for _, c := range ms.cells {
			if f.ActivityID == 0 || c.ActivityID == f.ActivityID {
				c.Flags = slices.Clone(c.Flags)
				st.Cells = append(st.Cells, c)
			}
		}
		for _, m := range ms.months {
			if f.ActivityID == 0 || m.ActivityID == f.ActivityID {
				m.Flags = slices.Clone(m.Flags)
				st.Months = append(st.Months, m)
			}
		}
	}
	return st, nil
}

// readMonth reads the true statistics of month, every activity, in tx.
func (s *StatisticsService) readMonth(ctx context.Context, tx *sql.Tx, month string, version int64) (*monthStats, error) {
	flagIndex := make(map[string]int, len(monitoring.AllFlags))
	for i, fl := range monitoring.AllFlags {
		flagIndex[string(fl)] = i
	}
	newFlags := func() []monitoring.StatFlag {
		out := make([]monitoring.StatFlag, len(monitoring.AllFlags))
		for i, fl := range monitoring.AllFlags {
			out[i].Flag = fl
		}
		return out
	}
	type cellKey struct {
		act                  int64
		purpose, unit, month string
	}
	type monthKey struct {
		act   int64
		month string
	}
	st := &monthStats{version: version}
	cells := map[cellKey]int{}
	months := map[monthKey]int{}
	var sums [][]int64 // per month: the sum of its cells' employees, [0] uses, [1+i] flag i
	rows, err := tx.QueryContext(ctx, statMonthCellsSQL, month)
	if err != nil {
		return nil, fmt.Errorf("db: statistics: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			k         cellKey
			flag      string
			n, people int64
		)
		k.month = month
		if err := rows.Scan(&k.act, &k.purpose, &k.unit, &flag, &n, &people); err != nil {
			return nil, fmt.Errorf("db: statistics: %w", err)
		}
		fi, known := flagIndex[flag]
		if flag == "" {
			fi = -1
		} else if !known {
			continue
		}
		ci, ok := cells[k]
		if !ok {
			ci = len(st.cells)
			cells[k] = ci
			st.cells = append(st.cells, monitoring.StatCell{ActivityID: k.act, Purpose: k.purpose, Unit: k.unit, Month: k.month, Flags: newFlags()})
		}
		mk := monthKey{k.act, k.month}
		mi, ok := months[mk]
		if !ok {
			mi = len(st.months)
			months[mk] = mi
			st.months = append(st.months, monitoring.StatMonth{ActivityID: k.act, Month: k.month, Flags: newFlags()})
		}
		cv, mv := &st.cells[ci].Uses, &st.months[mi].Uses
		if flag != "" {
			cv, mv = &st.cells[ci].Flags[fi].StatValue, &st.months[mi].Flags[fi].StatValue
		}
		cv.Count, cv.Employees = n, people
		// A month's employees: at least its largest cell's and at most the
		// sum of its cells' (the exact number is asked below only where
		// these bounds do not decide).
		mv.Count += n
		mv.Employees = max(mv.Employees, people)
		for len(sums) <= mi {
			sums = append(sums, make([]int64, 1+len(monitoring.AllFlags)))
		}
		sums[mi][fi+1] += people
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: statistics: %w", err)
	}
	rows.Close()
	exact := func(act int64, month, flag string, v *monitoring.StatValue, sum int64) error {
		if v.Count == 0 || v.Employees >= monitoring.MinEmployees || sum < monitoring.MinEmployees {
			return nil // decided by the bounds: max ≥ 5, or sum < 5 (then sum is an upper bound, below 5 either way)
		}
		if err := tx.QueryRowContext(ctx, statMonthEmployeesSQL, act, month, flag).Scan(&v.Employees); err != nil {
			return fmt.Errorf("db: statistics: %w", err)
		}
		return nil
	}
	for i := range st.months {
		m := &st.months[i]
		if err := exact(m.ActivityID, m.Month, "", &m.Uses, sums[i][0]); err != nil {
			return nil, err
		}
		for j := range m.Flags {
			if err := exact(m.ActivityID, m.Month, string(m.Flags[j].Flag), &m.Flags[j].StatValue, sums[i][j+1]); err != nil {
				return nil, err
			}
		}
	}
	return st, nil
}

// overdue counts the recordings past their deletion deadline at now and
// the employees they concern, per activity (activityID 0: every activity).
func (s *StatisticsService) overdue(ctx context.Context, activityID int64, now time.Time) ([]monitoring.StatOverdue, error) {
	rows, err := s.db.read.QueryContext(ctx, statOverdueSQL, formatTime(now))
	if err != nil {
		return nil, fmt.Errorf("db: statistics overdue: %w", err)
	}
	defer rows.Close()
	var list []monitoring.StatOverdue
	for rows.Next() {
		var o monitoring.StatOverdue
		if err := rows.Scan(&o.ActivityID, &o.Recordings.Count, &o.Recordings.Employees); err != nil {
			return nil, fmt.Errorf("db: statistics overdue: %w", err)
		}
		if o.Recordings.Count > 0 && (activityID == 0 || o.ActivityID == activityID) {
			list = append(list, o)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: statistics overdue: %w", err)
	}
	return list, nil
}

// Charts returns the weekly series of the ChartWeeks weeks up to now's
// week, for activityID (0: every activity).
func (s *StatisticsService) Charts(ctx context.Context, activityID int64, now time.Time) (*monitoring.ChartSeries, error) {
	if activityID < 0 {
		return nil, monitoring.FieldErrors{"activity_id": monitoring.MsgInvalid}.Err()
	}
	tx, err := s.db.read.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("db: charts: %w", err)
	}
	defer tx.Rollback()
	first := monitoring.WeekStart(now).AddDate(0, 0, -7*(monitoring.ChartWeeks-1))
	cs := &monitoring.ChartSeries{ActivityID: activityID, Weeks: make([]monitoring.WeekPoint, monitoring.ChartWeeks)}
	index := map[string]int{}
	for i := range cs.Weeks {
		w := first.AddDate(0, 0, 7*i)
		cs.Weeks[i] = monitoring.WeekPoint{Week: w, Uses: map[int64]int64{}, Flags: map[monitoring.Flag]int64{}}
		index[w.Format("2006-01-02")] = i
	}
	last := cs.Weeks[len(cs.Weeks)-1].Week.Format("2006-01-02")
	q, args := chartWeeksSQL, []any{first.Format("2006-01-02"), last}
	if activityID != 0 {
		q, args = chartWeeksActivitySQL, append(args, activityID)
	}
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("db: charts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			week, flag string
			act, n     int64
		)
		if err := rows.Scan(&week, &act, &flag, &n); err != nil {
			return nil, fmt.Errorf("db: charts: %w", err)
		}
		i, ok := index[week]
		if !ok || n == 0 {
			continue
		}
		p := &cs.Weeks[i]
		if flag == "" {
			p.Uses[act] += n
			p.Total += n
		} else if monitoring.Flag(flag).Valid() {
			p.Flags[monitoring.Flag(flag)] += n
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: charts: %w", err)
	}
	rows.Close()
	q, args = chartDeletionsSQL, []any{first.Format("2006-01-02"), last}
	if activityID != 0 {
		q, args = chartDeletionsActivitySQL, append(args, activityID)
	}
	rows, err = tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("db: charts deletions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			week, kind string
			n          int64
		)
		if err := rows.Scan(&week, &kind, &n); err != nil {
			return nil, fmt.Errorf("db: charts deletions: %w", err)
		}
		if i, ok := index[week]; ok {
			switch kind {
			case "due":
				cs.Weeks[i].DeletionsDue += n
			case "done":
				cs.Weeks[i].DeletionsDone += n
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: charts deletions: %w", err)
	}
	rows.Close()
	if activityID != 0 {
		fromM, toM := monthOf(first), monthOf(now)
		var most int64
		if err := tx.QueryRowContext(ctx, chartMaxEmployeesSQL, activityID, fromM, toM).Scan(&most); err != nil {
			return nil, fmt.Errorf("db: charts employees: %w", err)
		}
		if most < monitoring.MinEmployees {
			if err := tx.QueryRowContext(ctx, chartEmployeesSQL, activityID, fromM, toM).Scan(&most); err != nil {
				return nil, fmt.Errorf("db: charts employees: %w", err)
			}
			cs.FewEmployees = most > 0 && most < monitoring.MinEmployees
		}
	}
	return cs, nil
}
