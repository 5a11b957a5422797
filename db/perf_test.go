package db_test

import (
	"context"
	"testing"

	"vaaka/monitoring"
)

// A request alone in its group runs without a savepoint: when it fails,
// the whole transaction is rolled back, nothing of it stays, and the next
// request chains after the previous head (R-LOG-1).
func TestRecordUses_LoneFailingRequest_R_LOG_1(t *testing.T) {
	f := newUseFixture(t)
	ctx := context.Background()
	first := f.record(t, f.use("lone-1", "rec-1"))[0].Use
	bad := f.use("lone-2", "rec-2")
	bad.ActivityID = f.act + 1000
	if _, err := f.uses.RecordUses(ctx, []*monitoring.Use{bad}); monitoring.ErrorCodeOf(err) != monitoring.Invalid {
		t.Fatalf("unknown activity: err = %v, want Invalid", err)
	}
	next := f.record(t, f.use("lone-3", "rec-3"))[0].Use
	if next.Seq != first.Seq+1 || next.PrevHash != first.Hash {
		t.Errorf("next use seq %d prev %s, want %d after %s", next.Seq, next.PrevHash, first.Seq+1, first.Hash)
	}
	us, _, err := f.uses.ListUses(ctx, monitoring.UseFilter{})
	if err != nil || len(us) != 2 {
		t.Fatalf("ListUses = %d uses, %v; want 2", len(us), err)
	}
	mustVerify(t, f.uses, 2)
}
