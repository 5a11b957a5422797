package db_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"vaaka/db"
	"vaaka/monitoring"
)

// TestHolds_R_RET_2: a held recording is not overdue (ledger list and the
// dashboard's count), the hold is released with a reason, both audited.
func TestHolds_R_RET_2(t *testing.T) {
	f := newUseFixture(t)
	ctx := t.Context()
	holds := db.NewHoldService(f.d)
	call := testNow.Add(-100 * oneDay) // 90-day retention: overdue
	if _, err := f.recs.RegisterRecordings(ctx, "int@example.fi", []*monitoring.Recording{f.recording("old-1", call), f.recording("old-2", call.Add(oneDay))}); err != nil {
		t.Fatal(err)
	}
	overdue := func() []string {
		t.Helper()
		rs, _, err := f.recs.ListRecordings(ctx, monitoring.RecordingFilter{Overdue: true}, testNow)
		if err != nil {
			t.Fatal(err)
		}
		var refs []string
		for _, r := range rs {
			refs = append(refs, r.Ref)
		}
		dash, err := db.NewDashboardService(f.d).Dashboard(ctx, testNow)
		if err != nil {
			t.Fatal(err)
		}
		if dash.OverdueDeletions != int64(len(refs)) || len(dash.Overdue) != len(refs) {
			t.Errorf("dashboard overdue %d %d, list %v", dash.OverdueDeletions, len(dash.Overdue), refs)
		}
		return refs
	}
	if got := overdue(); strings.Join(got, ",") != "old-1,old-2" {
		t.Fatalf("overdue before hold = %v", got)
	}

	// Bad input.
	if _, err := holds.SetHold(ctx, "hr@example.fi", "old-1", "  "); monitoring.ErrorCodeOf(err) != monitoring.Invalid || !hasField(err, "reason") {
		t.Errorf("blank reason: %v", err)
	}
	if _, err := holds.SetHold(ctx, "hr@example.fi", "nope", "x"); monitoring.ErrorCodeOf(err) != monitoring.NotFound {
		t.Errorf("unknown ref: %v", err)
	}
	if _, err := holds.ReleaseHold(ctx, "hr@example.fi", "old-1", "x"); monitoring.ErrorCodeOf(err) != monitoring.Conflict {
		t.Errorf("release without hold: %v", err)
	}

	h, err := holds.SetHold(ctx, "hr@example.fi", "old-1", " Riita-asia 12/2026 ")
	if err != nil {
		t.Fatal(err)
	}
	if h.ID == 0 || h.Reason != "Riita-asia 12/2026" || h.SetBy != "hr@example.fi" || !h.SetAt.Equal(testNow) || !h.Active() {
		t.Errorf("hold = %+v", h)
	}
	if _, err := holds.SetHold(ctx, "hr@example.fi", "old-1", "again"); monitoring.ErrorCodeOf(err) != monitoring.Conflict {
		t.Errorf("second hold: %v", err)
	}
	if got := overdue(); strings.Join(got, ",") != "old-2" {
		t.Errorf("overdue with hold = %v", got)
	}
	r, err := f.recs.FindRecording(ctx, "old-1")
	if err != nil {
		t.Fatal(err)
	}
	if !r.OnHold || r.Overdue(testNow) {
		t.Errorf("held recording: on_hold %v overdue %v", r.OnHold, r.Overdue(testNow))
	}
	active, err := holds.ActiveHolds(ctx, []string{"old-1", "old-2", "nope"})
	if err != nil {
		t.Fatal(err)
	}
	if len(active) != 1 || active["old-1"] == nil || active["old-1"].ID != h.ID {
		t.Errorf("active holds = %+v", active)
	}

	rel, err := holds.ReleaseHold(ctx, "dpo@example.fi", "old-1", "Asia ratkaistu")
	if err != nil {
		t.Fatal(err)
	}
	if rel.Active() || rel.ReleasedBy != "dpo@example.fi" || rel.ReleaseReason != "Asia ratkaistu" || rel.Reason != h.Reason {
		t.Errorf("released = %+v", rel)
	}
	if got := overdue(); strings.Join(got, ",") != "old-1,old-2" {
		t.Errorf("overdue after release = %v", got)
	}
	if _, err := holds.SetHold(ctx, "hr@example.fi", "old-1", "Uusi riita"); err != nil {
		t.Errorf("hold after release: %v", err)
	}
	list, err := holds.ListHolds(ctx, "old-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || !list[0].Active() || list[1].Active() || list[1].ReleaseReason != "Asia ratkaistu" {
		t.Errorf("holds = %+v", list)
	}
	if _, err := holds.ListHolds(ctx, "nope"); monitoring.ErrorCodeOf(err) != monitoring.NotFound {
		t.Errorf("list unknown: %v", err)
	}

	audit, _, err := db.NewAuditService(f.d).ListAudit(ctx, monitoring.AuditFilter{Entity: "recording", EntityID: "old-1"})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range audit {
		actions = append(actions, e.Action)
	}
	slices.Sort(actions)
	if strings.Join(actions, ",") != "hold.released,hold.set,hold.set" {
		t.Errorf("audit actions = %v", actions)
	}

	// A deleted recording cannot be put on hold.
	if _, err := f.recs.ConfirmDeletion(ctx, "hr@example.fi", "old-2", testNow); err != nil {
		t.Fatal(err)
	}
	if _, err := holds.SetHold(ctx, "hr@example.fi", "old-2", "x"); monitoring.ErrorCodeOf(err) != monitoring.Conflict {
		t.Errorf("hold on deleted: %v", err)
	}
}

func hasField(err error, field string) bool {
	var e *monitoring.Error
	if !errors.As(err, &e) {
		return false
	}
	_, ok := e.Fields[field]
	return ok
}
