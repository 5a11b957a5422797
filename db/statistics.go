package db

import (
	"context"
	"fmt"
	"time"

	"vaaka/monitoring"
)

// StatisticsService answers the representatives' statistics and the weekly
// chart series from the rollups (rollup.go, migrations/0009_statistics.sql)
// and the recordings' indexes: it never reads the use log, so its cost
// depends on the number of cells and weeks, not on the number of uses.
type StatisticsService struct {
	db *DB
}

var _ monitoring.StatisticsService = (*StatisticsService)(nil)

// NewStatisticsService returns the statistics of d.
func NewStatisticsService(d *DB) *StatisticsService { return &StatisticsService{db: d} }

// The hot queries of the statistics (plan_test.go).
const (
	statCellsSQL = `SELECT activity_id, purpose, unit, month, flag, n, employees FROM use_rollup
		WHERE activity_id IN (SELECT id FROM activities) AND month >= ? AND month <= ? AND n > 0`
	statCellsActivitySQL = `SELECT activity_id, purpose, unit, month, flag, n, employees FROM use_rollup
		WHERE activity_id = ? AND month >= ? AND month <= ? AND n > 0`
	// The distinct employees of one activity × month × flag: asked only
	// when every cell of it covers fewer than MinEmployees, so the range
	// holds a few rows per cell.
	statMonthEmployeesSQL = `SELECT COUNT(DISTINCT staff_id) FROM use_rollup_employees WHERE activity_id = ? AND month = ? AND flag = ?`
	// The overdue recordings only (a range of the covering partial index
	// of 0009), not every recording in activity order.
	statOverdueSQL = `SELECT activity_id, COUNT(*), COUNT(DISTINCT employee_staff_id) FROM recordings INDEXED BY recordings_overdue_stats
		WHERE deleted_at = '' AND deletion_due <> '' AND on_hold = 0 AND deletion_due < ? GROUP BY activity_id`
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
// read, since neither waits for the other (about half of the time each at
// 10M uses). The cells are read in one snapshot; the overdue counts, which
// come from another table, in their own.
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

// cells reads f's cells and months with their employees, in one snapshot.
func (s *StatisticsService) cells(ctx context.Context, f monitoring.StatisticsFilter) (*monitoring.Statistics, error) {
	tx, err := s.db.read.BeginTx(ctx, nil) // one snapshot for every query
	if err != nil {
		return nil, fmt.Errorf("db: statistics: %w", err)
	}
	defer tx.Rollback()
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
	st := &monitoring.Statistics{From: f.From, To: f.To, ActivityID: f.ActivityID}
	cells := map[cellKey]int{}
	months := map[monthKey]int{}
	var sums [][]int64 // per month: the sum of its cells' employees, [0] uses, [1+i] flag i
	q, args := statCellsSQL, []any{f.From, f.To}
	if f.ActivityID != 0 {
		q, args = statCellsActivitySQL, []any{f.ActivityID, f.From, f.To}
	}
	rows, err := tx.QueryContext(ctx, q, args...)
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
		if err := rows.Scan(&k.act, &k.purpose, &k.unit, &k.month, &flag, &n, &people); err != nil {
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
			ci = len(st.Cells)
			cells[k] = ci
			st.Cells = append(st.Cells, monitoring.StatCell{ActivityID: k.act, Purpose: k.purpose, Unit: k.unit, Month: k.month, Flags: newFlags()})
		}
		mk := monthKey{k.act, k.month}
		mi, ok := months[mk]
		if !ok {
			mi = len(st.Months)
			months[mk] = mi
			st.Months = append(st.Months, monitoring.StatMonth{ActivityID: k.act, Month: k.month, Flags: newFlags()})
		}
		cv, mv := &st.Cells[ci].Uses, &st.Months[mi].Uses
		if flag != "" {
			cv, mv = &st.Cells[ci].Flags[fi].StatValue, &st.Months[mi].Flags[fi].StatValue
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
	for i := range st.Months {
		m := &st.Months[i]
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
		if activityID == 0 || o.ActivityID == activityID {
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
