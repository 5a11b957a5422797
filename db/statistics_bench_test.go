package db_test

import (
	"context"
	"os"
	"testing"
	"time"

	"vaaka/db"
	"vaaka/monitoring"
)

// BenchmarkStatistics measures the representatives' statistics (12 months,
// every activity and one) and the weekly charts on the small bench log, or
// on a generated database when VAAKA_STATS_DB names one (`vaaka gen --db
// FILE --uses N`; opened and migrated in place, only read).
func BenchmarkStatistics(b *testing.B) {
	ctx := context.Background()
	var (
		d   *db.DB
		act int64
		now = testNow
	)
	if path := os.Getenv("VAAKA_STATS_DB"); path != "" {
		var err error
		if d, err = db.Open(path); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { d.Close() })
		now = time.Now()
		if err := rawUseDB(b, d).QueryRowContext(ctx, `SELECT activity_id FROM use_rollup GROUP BY activity_id ORDER BY SUM(n) DESC LIMIT 1`).Scan(&act); err != nil {
			b.Fatal(err)
		}
	} else {
		f := benchLog(b)
		d, act = f.d, f.act
	}
	s := db.NewStatisticsService(d)
	b.Run("all_activities_12_months", func(b *testing.B) {
		for b.Loop() {
			st, err := s.Statistics(ctx, monitoring.StatisticsFilter{}, now)
			if err != nil || len(st.Cells) == 0 {
				b.Fatal(err)
			}
		}
	})
	b.Run("one_activity_12_months", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.Statistics(ctx, monitoring.StatisticsFilter{ActivityID: act}, now); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("charts_all", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.Charts(ctx, 0, now); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("charts_one_activity", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.Charts(ctx, act, now); err != nil {
				b.Fatal(err)
			}
		}
	})
}
