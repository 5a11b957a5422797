package monitoring

import (
	"testing"
	"time"
)

// TestSuppressStatistics_PrimaryAndSecondary_R_LOG_1 (SPEC "Aggregates for
// representatives"): a cell of fewer than five employees is hidden, and so
// is its smallest shown sibling when the month total is shown, so that the
// total minus the shown cells cannot reveal the small one.
func TestSuppressStatistics_PrimaryAndSecondary_R_LOG_1(t *testing.T) {
	v := func(n, e int64) StatValue { return StatValue{Count: n, Employees: e} }
	flags := func() []StatFlag {
		out := make([]StatFlag, len(AllFlags))
		for i, f := range AllFlags {
			out[i].Flag = f
		}
		return out
	}
	s := &Statistics{
		Cells: []StatCell{
			{ActivityID: 1, Purpose: "quality", Unit: "A", Month: "2026-10", Uses: v(40, 12), Flags: flags()},
			{ActivityID: 1, Purpose: "quality", Unit: "B", Month: "2026-10", Uses: v(9, 6), Flags: flags()},
			{ActivityID: 1, Purpose: "quality", Unit: "C", Month: "2026-10", Uses: v(7, 2), Flags: flags()},
			{ActivityID: 2, Purpose: "quality", Unit: "A", Month: "2026-10", Uses: v(3, 1), Flags: flags()},
		},
		Months: []StatMonth{
			{ActivityID: 1, Month: "2026-10", Uses: v(56, 20), Flags: flags()},
			{ActivityID: 2, Month: "2026-10", Uses: v(3, 1), Flags: flags()},
		},
		Overdue: []StatOverdue{{ActivityID: 1, Recordings: v(3, 3)}, {ActivityID: 2, Recordings: v(30, 9)}},
	}
	s.Cells[0].Flags[0].StatValue = v(5, 5)
	s.Cells[1].Flags[0].StatValue = v(1, 1)
	s.Months[0].Flags[0].StatValue = v(6, 6)
	SuppressStatistics(s)
	want := []bool{false, true, true, true} // C primary, B secondary (smallest shown), activity 2 primary
	for i, c := range s.Cells {
		if c.Uses.Suppressed != want[i] {
			t.Errorf("cell %d (%s): suppressed = %v, want %v", i, c.Unit, c.Uses.Suppressed, want[i])
		}
		if c.Uses.Suppressed && (c.Uses.Count != 0 || c.Uses.Employees != 0) {
			t.Errorf("cell %d keeps its numbers", i)
		}
	}
	if s.Cells[0].Uses.Count != 40 || s.Months[0].Uses.Count != 56 || s.Months[0].Uses.Suppressed {
		t.Errorf("shown values changed: %v %v", s.Cells[0].Uses, s.Months[0].Uses)
	}
	if !s.Months[1].Uses.Suppressed {
		t.Error("a month total of one employee is shown")
	}
	// Flags: B's flag is hidden with B; then A's flag value is the only
	// shown one in the flag's month total: hidden too.
	if !s.Cells[1].Flags[0].Suppressed || !s.Cells[0].Flags[0].Suppressed {
		t.Errorf("flag values: A %v, B %v", s.Cells[0].Flags[0].StatValue, s.Cells[1].Flags[0].StatValue)
	}
	if !s.Overdue[0].Recordings.Suppressed || s.Overdue[1].Recordings.Count != 30 {
		t.Errorf("overdue = %v", s.Overdue)
	}
}

func TestNormalizeStatisticsFilter(t *testing.T) {
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	f, err := NormalizeStatisticsFilter(StatisticsFilter{}, now)
	if err != nil || f.From != "2025-12" || f.To != "2026-11" {
		t.Errorf("default = %+v, %v", f, err)
	}
	for _, bad := range []StatisticsFilter{{From: "2026-13"}, {To: "x"}, {From: "2026-05", To: "2026-04"}, {From: "2020-01", To: "2026-01"}, {ActivityID: -1}} {
		if _, err := NormalizeStatisticsFilter(bad, now); ErrorCodeOf(err) != Invalid {
			t.Errorf("%+v: err = %v", bad, err)
		}
	}
}
