package monitoring

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// Aggregated statistics for the representatives (SPEC "Aggregates for
// representatives"; R-LOG-1 and data minimisation): uses per activity,
// purpose, unit and month, flagged uses per flag and overdue deletions —
// never an individual's log. Any published number that covers fewer than
// MinEmployees employees is suppressed: the service never hands it out,
// only the mark that it was suppressed (shown as "< 5").

// MinEmployees is the smallest number of distinct employees a published
// statistic may cover. Below it a count could single out a person (a unit
// of two: "one of you had 40 calls listened to"), so the value is hidden.
// Five is the usual threshold of official statistics for small groups.
const MinEmployees = 5

// StatValue is one published number: the uses (or recordings) it counts
// and the distinct employees they concern. When Suppressed, Count and
// Employees are zero: the true values never leave the service.
type StatValue struct {
	Count      int64
	Employees  int64
	Suppressed bool
}

// StatFlag is the flagged uses of one flag in a cell.
type StatFlag struct {
	Flag Flag
	StatValue
}

// StatCell is one cell of the cube: the uses of one activity for one
// purpose in one unit in one month (UTC). A use concerning employees of
// several units counts once in each unit's cell; each employee is counted
// in the unit they belonged to when the use occurred ("" unknown). Flags
// holds every flag of AllFlags, in that order (zero when none).
type StatCell struct {
	ActivityID int64
	Purpose    string // "" when the use gave none
	Unit       string
	Month      string // YYYY-MM
	Uses       StatValue
	Flags      []StatFlag
}

// StatMonth is the total of one activity in one month: the sum of its
// cells (the uses per month per activity of the chart) and, per flag, the
// sum of the cells' flagged uses. Employees is at least the number of
// distinct employees (exact when below MinEmployees, where it matters).
type StatMonth struct {
	ActivityID int64
	Month      string
	Uses       StatValue
	Flags      []StatFlag
}

// StatOverdue is the recordings of one activity past their deletion
// deadline, not deleted and not held (R-RET-2). Recordings.Employees, the
// employees recorded, is counted up to MinEmployees only: it decides the
// suppression and is never shown.
type StatOverdue struct {
	ActivityID int64
	Recordings StatValue
}

// StatisticsFilter selects the period (months From–To inclusive, YYYY-MM)
// and optionally one activity (0: every activity).
type StatisticsFilter struct {
	From, To   string
	ActivityID int64
}

// Statistics is what a representative may see of a period.
type Statistics struct {
	From, To   string
	ActivityID int64
	Cells      []StatCell    // by activity, month, purpose, unit
	Months     []StatMonth   // by activity, month
	Overdue    []StatOverdue // by activity, at the time of the query
}

// WeekPoint is one week of a chart series: Monday (UTC) of the week.
type WeekPoint struct {
	Week time.Time
	// Uses per activity (id → count) and flagged uses per flag.
	Uses  map[int64]int64
	Total int64
	Flags map[Flag]int64
	// Deletions whose deadline fell in the week (held recordings left out)
	// and deletions confirmed in the week.
	DeletionsDue, DeletionsDone int64
}

// ChartSeries is the weekly series of the dashboard and activity charts:
// the last Weeks weeks up to and including the current one.
type ChartSeries struct {
	ActivityID int64 // 0: every activity
	Weeks      []WeekPoint
	// FewEmployees is set when the uses of the window concern fewer than
	// MinEmployees employees as far as the rollups tell (each month of the
	// window below the threshold): pages shown to readers who may not see
	// individual uses hide the series then.
	FewEmployees bool
}

// ChartWeeks is how many weeks the charts show.
const ChartWeeks = 12

// StatisticsService is implemented by package db. It reads only rollups
// (never the use log) and returns values already suppressed
// (SuppressStatistics).
type StatisticsService interface {
	Statistics(ctx context.Context, f StatisticsFilter, now time.Time) (*Statistics, error)
	// Charts returns the weekly series of activity id (0: all) for the
	// ChartWeeks weeks up to now.
	Charts(ctx context.Context, activityID int64, now time.Time) (*ChartSeries, error)
}

// ParseStatMonth parses a YYYY-MM month.
func ParseStatMonth(s string) (time.Time, bool) {
	t, err := time.Parse("2006-01", s)
	return t, err == nil && len(s) == 7
}

// NormalizeStatisticsFilter fills the default period (the last 12 months
// up to the month of now, UTC) and checks the months: field errors name
// "from" and "to". A period longer than 36 months is refused.
func NormalizeStatisticsFilter(f StatisticsFilter, now time.Time) (StatisticsFilter, error) {
	now = now.UTC()
	fe := FieldErrors{}
	cur := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	to, from := cur, cur.AddDate(0, -11, 0)
	if f.To != "" {
		t, ok := ParseStatMonth(f.To)
		if !ok {
			fe.Add("to", MsgInvalid)
		}
		to = t
	}
	if f.From != "" {
		t, ok := ParseStatMonth(f.From)
		if !ok {
			fe.Add("from", MsgInvalid)
		}
		from = t
	} else if f.To != "" {
		from = to.AddDate(0, -11, 0)
	}
	if len(fe) == 0 {
		switch {
		case to.Before(from):
			fe.Add("to", MsgInvalid)
		case from.AddDate(0, 36, 0).Before(to.AddDate(0, 1, 0)):
			fe.Add("from", MsgInvalid)
		}
	}
	if f.ActivityID < 0 {
		fe.Add("activity_id", MsgInvalid)
	}
	if err := fe.Err(); err != nil {
		return f, err
	}
	f.From, f.To = from.Format("2006-01"), to.Format("2006-01")
	return f, nil
}

// SuppressStatistics applies the suppression rule to true counts, in
// place, and zeroes every suppressed value (SPEC "Aggregates for
// representatives"):
//
//  1. Primary: a value covering fewer than MinEmployees employees is
//     suppressed — cells, flag values, month totals and overdue counts.
//     A suppressed cell's flag values are suppressed with it (they are
//     parts of it).
//  2. Secondary, against recovery by subtraction: a month total (activity ×
//     month, per measure: uses and each flag) is the sum of its cells'
//     values. When the total is shown and some of its cells are
//     suppressed, the shown cell with the smallest count (and at least
//     MinEmployees employees) is suppressed too, unless a suppressed cell
//     already covers MinEmployees employees. Then the total minus the shown
//     cells is the sum of several hidden cells that together concern at
//     least MinEmployees employees, never one small group alone.
//
// Limits (not protected): complements of flag counts against the cell's
// uses (uses without a flag) and differences between overlapping queries
// are not checked; nothing else is published as a total.
func SuppressStatistics(s *Statistics) {
	hide := func(v *StatValue) { *v = StatValue{Suppressed: true} }
	primary := func(v *StatValue) {
		if v.Employees < MinEmployees {
			v.Suppressed = true
		}
	}
	for i := range s.Cells {
		c := &s.Cells[i]
		primary(&c.Uses)
		for j := range c.Flags {
			if c.Uses.Suppressed {
				c.Flags[j].Suppressed = true
			} else if c.Flags[j].Count > 0 {
				primary(&c.Flags[j].StatValue)
			}
		}
	}
	for i := range s.Months {
		m := &s.Months[i]
		primary(&m.Uses)
		for j := range m.Flags {
			if m.Flags[j].Count > 0 || m.Uses.Suppressed {
				primary(&m.Flags[j].StatValue)
			}
		}
	}
	for i := range s.Overdue {
		primary(&s.Overdue[i].Recordings)
	}
	// Secondary suppression per month total, first on uses (which may hide
	// a whole cell and so its flags), then per flag.
	type group struct {
		act   int64
		month string
	}
	cells := map[group][]int{}
	for i, c := range s.Cells {
		g := group{c.ActivityID, c.Month}
		cells[g] = append(cells[g], i)
	}
	measure := func(i, flag int) *StatValue {
		if flag < 0 {
			return &s.Cells[i].Uses
		}
		return &s.Cells[i].Flags[flag].StatValue
	}
	secondary := func(total StatValue, idx []int, flag int) {
		if total.Suppressed {
			return
		}
		hidden, covered := false, false
		best := -1
		for _, i := range idx {
			v := measure(i, flag)
			switch {
			case v.Suppressed:
				hidden = true
				covered = covered || v.Employees >= MinEmployees
			case v.Employees >= MinEmployees && (best < 0 || v.Count < measure(best, flag).Count):
				best = i
			}
		}
		if hidden && !covered && best >= 0 {
			v := measure(best, flag)
			v.Suppressed = true
			if flag < 0 {
				for j := range s.Cells[best].Flags {
					s.Cells[best].Flags[j].Suppressed = true
				}
			}
		}
	}
	for _, m := range s.Months {
		secondary(m.Uses, cells[group{m.ActivityID, m.Month}], -1)
	}
	for _, m := range s.Months {
		for j := range m.Flags {
			secondary(m.Flags[j].StatValue, cells[group{m.ActivityID, m.Month}], j)
		}
	}
	// Nothing suppressed leaves the service.
	for i := range s.Cells {
		c := &s.Cells[i]
		if c.Uses.Suppressed {
			hide(&c.Uses)
		}
		for j := range c.Flags {
			if c.Flags[j].Suppressed {
				hide(&c.Flags[j].StatValue)
			}
		}
	}
	for i := range s.Months {
		m := &s.Months[i]
		if m.Uses.Suppressed {
			hide(&m.Uses)
		}
		for j := range m.Flags {
			if m.Flags[j].Suppressed {
				hide(&m.Flags[j].StatValue)
			}
		}
	}
	for i := range s.Overdue {
		if s.Overdue[i].Recordings.Suppressed {
			hide(&s.Overdue[i].Recordings)
		}
	}
}

// SortStatistics orders the cells by activity, month, purpose, unit and the
// month totals by activity and month.
func SortStatistics(s *Statistics) {
	slices.SortFunc(s.Cells, func(a, b StatCell) int {
		if a.ActivityID != b.ActivityID {
			return cmpInt(a.ActivityID, b.ActivityID)
		}
		for _, p := range [][2]string{{a.Month, b.Month}, {a.Purpose, b.Purpose}, {a.Unit, b.Unit}} {
			if p[0] != p[1] {
				if p[0] < p[1] {
					return -1
				}
				return 1
			}
		}
		return 0
	})
	slices.SortFunc(s.Months, func(a, b StatMonth) int {
		if a.ActivityID != b.ActivityID {
			return cmpInt(a.ActivityID, b.ActivityID)
		}
		if a.Month < b.Month {
			return -1
		}
		if a.Month > b.Month {
			return 1
		}
		return 0
	})
}

func cmpInt(a, b int64) int {
	if a < b {
		return -1
	}
	if a > b {
		return 1
	}
	return 0
}

// StatMonths lists the months From–To of f (normalised).
func StatMonths(f StatisticsFilter) []string {
	from, ok1 := ParseStatMonth(f.From)
	to, ok2 := ParseStatMonth(f.To)
	if !ok1 || !ok2 {
		return nil
	}
	var out []string
	for m := from; !m.After(to); m = m.AddDate(0, 1, 0) {
		out = append(out, m.Format("2006-01"))
	}
	return out
}

// WeekStart is the Monday (UTC) of the week of t.
func WeekStart(t time.Time) time.Time {
	t = t.UTC()
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return d.AddDate(0, 0, -(int(d.Weekday())+6)%7)
}

// String is for test failures.
func (v StatValue) String() string {
	if v.Suppressed {
		return fmt.Sprintf("< %d", MinEmployees)
	}
	return fmt.Sprintf("%d (%d employees)", v.Count, v.Employees)
}
