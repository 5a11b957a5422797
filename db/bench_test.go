package db_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"vaaka/db"
	"vaaka/monitoring"
)

// Benchmarks of the read hot paths on a small log (issue "Performance"; the
// figures at scale come from cmd/vaakabench on a generated database, see
// docs/PERFORMANCE.md). The writer's benchmarks are BenchmarkRecordUses in
// uses_test.go.

const benchUses = 5000

// benchLog is a fixture with benchUses uses over 60 days, every fifth
// flagged, E1 monitored in all of them.
func benchLog(b *testing.B) *useFixture {
	b.Helper()
	f := newUseFixture(b)
	ctx := context.Background()
	for i := 0; i < benchUses; i += monitoring.MaxBatch {
		uses := make([]*monitoring.Use, 0, monitoring.MaxBatch)
		for j := i; j < i+monitoring.MaxBatch && j < benchUses; j++ {
			u := f.use(fmt.Sprintf("bench-%d", j), fmt.Sprintf("rec-bench-%d", j))
			u.OccurredAt = testNow.Add(-time.Duration(benchUses-j) * 17 * time.Minute)
			u.CallStartedAt = u.OccurredAt.Add(-time.Hour)
			if j%5 == 0 {
				u.UsedBy = "other@example.fi"
			}
			uses = append(uses, u)
		}
		if _, err := f.uses.RecordUses(ctx, uses); err != nil {
			b.Fatal(err)
		}
	}
	return f
}

func BenchmarkReadPaths(b *testing.B) {
	f := benchLog(b)
	ctx := context.Background()
	month := time.Date(testNow.Year(), testNow.Month()-1, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name string
		f    monitoring.UseFilter
	}{
		{"own_uses_newest50", monitoring.UseFilter{EmployeeStaffID: "E1", Limit: 50}},
		{"activity_flag_month", monitoring.UseFilter{ActivityID: f.act, Flag: monitoring.FlagUnauthorizedUser, From: month, To: month.AddDate(0, 1, 0), Limit: 50}},
		{"supervisor_newest50", monitoring.UseFilter{UsedBy: useSupervisor, Limit: 50}},
	} {
		b.Run("ListUses_"+c.name, func(b *testing.B) {
			for b.Loop() {
				us, _, err := f.uses.ListUses(ctx, c.f)
				if err != nil || len(us) == 0 {
					b.Fatal(len(us), err)
				}
			}
		})
	}
	b.Run("Dashboard", func(b *testing.B) {
		ds := db.NewDashboardService(f.d)
		for b.Loop() {
			if _, err := ds.Dashboard(ctx, testNow); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("VerifyUses", func(b *testing.B) {
		for b.Loop() {
			if r, err := f.uses.VerifyUses(ctx); err != nil || !r.OK {
				b.Fatal(r, err)
			}
		}
		b.ReportMetric(float64(b.N*benchUses)/b.Elapsed().Seconds(), "uses/s")
	})
}
