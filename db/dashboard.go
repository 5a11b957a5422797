package db

import (
	"context"
	"fmt"
	"time"

	"vaaka/monitoring"
)

// DashboardService computes the HR compliance dashboard from the read pool.
type DashboardService struct {
	db *DB
}

var _ monitoring.DashboardService = (*DashboardService)(nil)

// NewDashboardService returns the dashboard of d.
func NewDashboardService(d *DB) *DashboardService { return &DashboardService{db: d} }

// dashboardListLen is how many flagged uses and overdue recordings the
// dashboard shows.
const dashboardListLen = 10

// flagWindow is the period of the dashboard's flag counts.
const flagWindow = 30 * 24 * time.Hour

// Dashboard computes the dashboard at now: activities not yet active and the
// readiness rules they miss (R-SEQ-1), flagged uses of the last 30 days,
// overdue deletions (R-RET-2) and reviews due (R-REV-1).
func (s *DashboardService) Dashboard(ctx context.Context, now time.Time) (*monitoring.Dashboard, error) {
	now = now.UTC()
	d := &monitoring.Dashboard{FlagCounts30d: map[monitoring.Flag]int64{}}
	org, err := loadOrganisation(ctx, s.db.read)
	if err != nil {
		return nil, err
	}
	if err := s.notReady(ctx, d, now); err != nil {
		return nil, err
	}
	if err := s.flagged(ctx, d, now); err != nil {
		return nil, err
	}
	if err := s.overdue(ctx, d, now); err != nil {
		return nil, err
	}
	today := monitoring.Today(now, org.Location())
	d.ReviewsDue, err = s.activities(ctx, `SELECT id, status, version, data, created_at, updated_at FROM activities
		WHERE status <> 'retired' AND review_on <> '' AND review_on < ? ORDER BY review_on, id`, formatDate(today))
	if err != nil {
		return nil, err
	}
	return d, nil
}

// notReady lists the activities neither active nor retired with the
// blocking rules of the gate they do not meet, evaluated by the register's
// own readiness (no second copy of the rules).
func (s *DashboardService) notReady(ctx context.Context, d *monitoring.Dashboard, now time.Time) error {
	as, err := s.activities(ctx, `SELECT id, status, version, data, created_at, updated_at FROM activities
		WHERE status NOT IN ('active', 'retired') ORDER BY id`)
	if err != nil {
		return err
	}
	for _, a := range as {
		rc, err := readinessContext(ctx, s.db.read, a.ID)
		if err != nil {
			return err
		}
		d.NotReady = append(d.NotReady, monitoring.ActivityReadiness{
			Activity: a,
			Unmet:    monitoring.Unmet(monitoring.CheckReadiness(a, rc, now)),
		})
	}
	return nil
}

func (s *DashboardService) activities(ctx context.Context, query string, args ...any) ([]*monitoring.Activity, error) {
	rows, err := s.db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("db: dashboard activities: %w", err)
	}
	defer rows.Close()
	var out []*monitoring.Activity
	for rows.Next() {
		a, _, err := scanActivityRow(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: dashboard activities: %w", err)
	}
	return out, nil
}

// dashboardFirstDaySQL counts the flagged uses of the window's first,
// partial day per flag mask, from the covering index uses_flagged
// (migration 0014) alone.
const dashboardFirstDaySQL = `SELECT flags, COUNT(*) FROM uses WHERE flags <> 0 AND occurred_at >= ? AND occurred_at < ? GROUP BY flags`

// flagged counts the flagged uses of the last 30 days by flag and lists the
// newest flagged. The counts come from the daily rollup (rollup.go) for the
// whole days of the window and from the flag masks of the uses of its first,
// partial day (one day of flagged uses at most, on the partial index
// uses_flagged): the dashboard never scans the use log.
func (s *DashboardService) flagged(ctx context.Context, d *monitoring.Dashboard, now time.Time) error {
	start := now.Add(-flagWindow)
	firstDay := dayOf(start)
	nextDay := formatTime(time.Date(start.Year(), start.Month(), start.Day()+1, 0, 0, 0, 0, time.UTC))
	rows, err := s.db.read.QueryContext(ctx, `SELECT flag, SUM(n) FROM use_flag_days WHERE day > ? GROUP BY flag`, firstDay)
	if err != nil {
		return fmt.Errorf("db: dashboard flags: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var flag string
		var n int64
		if err := rows.Scan(&flag, &n); err != nil {
			return fmt.Errorf("db: dashboard flags: %w", err)
		}
		if flag == "" {
			d.FlaggedUses30d += n
		} else if n != 0 {
			d.FlagCounts30d[monitoring.Flag(flag)] += n
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("db: dashboard flags: %w", err)
	}
	rows, err = s.db.read.QueryContext(ctx, dashboardFirstDaySQL, formatTime(start), nextDay)
	if err != nil {
		return fmt.Errorf("db: dashboard flags: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var m, n int64
		if err := rows.Scan(&m, &n); err != nil {
			return fmt.Errorf("db: dashboard flags: %w", err)
		}
		d.FlaggedUses30d += n
		for i, f := range monitoring.AllFlags {
			if m&(1<<i) != 0 {
				d.FlagCounts30d[f] += n
			}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("db: dashboard flags: %w", err)
	}
	rows, err = s.db.read.QueryContext(ctx, `SELECT `+useColumns+` FROM uses WHERE flags <> 0
		ORDER BY occurred_at DESC, seq DESC LIMIT ?`, dashboardListLen)
	if err != nil {
		return fmt.Errorf("db: dashboard flagged uses: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		u, err := scanUse(rows)
		if err != nil {
			return fmt.Errorf("db: dashboard flagged uses: %w", err)
		}
		d.RecentFlagged = append(d.RecentFlagged, u)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("db: dashboard flagged uses: %w", err)
	}
	return nil
}

// dashboardOverdueSQL counts the overdue recordings activity by activity,
// each one range of recordings_overdue (migration 0013).
const dashboardOverdueSQL = `SELECT COALESCE(SUM((SELECT COUNT(*) FROM recordings r INDEXED BY recordings_overdue
	WHERE r.activity_id = a.id AND r.deletion_due < ?1 AND r.deleted_at = '' AND r.deletion_due <> '' AND r.on_hold = 0)), 0)
	FROM activities a`

// overdue counts and lists the recordings past their deletion deadline and
// not deleted (R-RET-2), oldest deadline first.
func (s *DashboardService) overdue(ctx context.Context, d *monitoring.Dashboard, now time.Time) error {
	const where = ` FROM recordings WHERE deleted_at = '' AND deletion_due <> '' AND deletion_due < ? AND on_hold = 0` // held: not overdue (R-RET-2)
	at := formatTime(now)
	if err := s.db.read.QueryRowContext(ctx, dashboardOverdueSQL, at).Scan(&d.OverdueDeletions); err != nil {
		return fmt.Errorf("db: dashboard overdue: %w", err)
	}
	var err error
	d.Overdue, err = queryRecordings(ctx, s.db.read, `SELECT `+recordingColumns+where+` ORDER BY deletion_due, ref LIMIT ?`,
		at, dashboardListLen)
	return err
}
