package db_test

import (
	"maps"
	"slices"
	"testing"
	"time"

	"vaaka/db"
	"vaaka/monitoring"
)

func TestDashboard(t *testing.T) {
	f := newUseFixture(t)
	ctx := t.Context()
	// Activities: B is a draft (not ready, R-SEQ-1); C is active with its
	// review passed (R-REV-1); D is retired with its review passed.
	b := useActivity("B")
	c := useActivity("C")
	c.ReviewOn = monitoring.Today(testNow, nil).AddDate(0, 0, -2)
	dd := useActivity("D")
	dd.ReviewOn = c.ReviewOn
	full := completeActivity() // from register_test.go: only the co-operation, notice and introduction rules unmet
	for _, a := range []*monitoring.Activity{b, c, dd, full} {
		if err := f.reg.CreateActivity(ctx, "hr@example.fi", a); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.reg.SeedStatus(ctx, c.ID, monitoring.StatusActive, testNow.Add(-oneDay)); err != nil {
		t.Fatal(err)
	}
	if err := f.reg.SeedStatus(ctx, dd.ID, monitoring.StatusRetired, testNow.Add(-oneDay)); err != nil {
		t.Fatal(err)
	}

	// Uses: three flagged in the last 30 days, one flagged before, one clean.
	u1 := f.use("u1", "r1")
	u1.UsedBy = "other@example.fi"
	u2 := f.use("u2", "r2")
	u2.UsedBy, u2.Purpose, u2.OccurredAt = "other@example.fi", "", testNow.Add(-2*oneDay)
	u2.CallStartedAt = u2.OccurredAt
	u3 := f.use("u3", "r3")
	u3.EmployeeStaffIDs, u3.CallStartedAt, u3.OccurredAt = []string{"E2"}, testNow.Add(-11*oneDay), testNow.Add(-10*oneDay)
	u4 := f.use("u4", "r4")
	u4.Purpose, u4.CallStartedAt, u4.OccurredAt = "", testNow.Add(-41*oneDay), testNow.Add(-40*oneDay)
	clean := f.use("u5", "r5")
	rs := f.record(t, u1, u2, u3, u4, clean)
	// Recordings: two overdue, one deleted after its deadline.
	var recs []*monitoring.Recording
	for _, c := range []struct {
		ref  string
		call time.Duration
	}{{"old-95", 95 * oneDay}, {"old-100", 100 * oneDay}, {"gone", 120 * oneDay}} {
		recs = append(recs, f.recording(c.ref, testNow.Add(-c.call)))
	}
	if _, err := f.recs.RegisterRecordings(ctx, "int@example.fi", recs); err != nil {
		t.Fatal(err)
	}
	if _, err := f.recs.ConfirmDeletion(ctx, "hr@example.fi", "gone", time.Time{}); err != nil {
		t.Fatal(err)
	}

	d, err := db.NewDashboardService(f.d).Dashboard(ctx, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.NotReady) != 2 || d.NotReady[0].Activity.ID != b.ID || d.NotReady[0].Activity.Name != "B" || d.NotReady[1].Activity.ID != full.ID {
		t.Fatalf("not ready = %+v", d.NotReady)
	}
	// The register's readiness decides what is unmet (no second copy here).
	want, err := f.reg.Readiness(ctx, full.ID, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if got := d.NotReady[1].Unmet; !slices.Equal(got, monitoring.Unmet(want)) || len(got) == 0 {
		t.Errorf("unmet of the complete draft = %+v, want %+v", got, monitoring.Unmet(want))
	}
	var rules []string
	for _, r := range d.NotReady[0].Unmet {
		if r.Met || r.Warning {
			t.Errorf("listed as unmet: %+v", r)
		}
		rules = append(rules, r.Rule)
	}
	if !slices.Contains(rules, "R-LAW-1") || slices.Contains(rules, "R-ACC-1") {
		t.Errorf("unmet rules = %v", rules)
	}
	if d.FlaggedUses30d != 3 {
		t.Errorf("flagged uses = %d, want 3", d.FlaggedUses30d)
	}
	wantCounts := map[monitoring.Flag]int64{
		monitoring.FlagUnauthorizedUser: 2, monitoring.FlagPurposeMissing: 1, monitoring.FlagEmployeeNotCovered: 1,
	}
	if !maps.Equal(d.FlagCounts30d, wantCounts) {
		t.Errorf("flag counts = %v, want %v", d.FlagCounts30d, wantCounts)
	}
	var recent []string
	for _, u := range d.RecentFlagged {
		recent = append(recent, u.ID)
	}
	if want := []string{rs[0].Use.ID, rs[1].Use.ID, rs[2].Use.ID, rs[3].Use.ID}; !slices.Equal(recent, want) {
		t.Errorf("recent flagged = %v, want %v", recent, want)
	}
	if d.OverdueDeletions != 2 || len(d.Overdue) != 2 || d.Overdue[0].Ref != "old-100" || d.Overdue[1].Ref != "old-95" {
		t.Errorf("overdue %d: %+v", d.OverdueDeletions, d.Overdue)
	}
	if len(d.ReviewsDue) != 1 || d.ReviewsDue[0].ID != c.ID {
		t.Errorf("reviews due = %+v", d.ReviewsDue)
	}

	// An empty database has an empty dashboard.
	empty, err := db.NewDashboardService(MustOpenDB(t)).Dashboard(ctx, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(empty.NotReady)+len(empty.RecentFlagged)+len(empty.Overdue)+len(empty.ReviewsDue) != 0 ||
		empty.FlaggedUses30d != 0 || empty.OverdueDeletions != 0 || len(empty.FlagCounts30d) != 0 {
		t.Errorf("empty dashboard = %+v", empty)
	}
}
