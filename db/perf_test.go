package db_test

import (
	"context"
	"fmt"
	"sync"
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

// Groups are written without savepoints. A request of a group that fails
// while writing (after some of its uses were written: here a trigger
// refuses its second use's employee row) makes the writer write the group
// again with a savepoint per request: the request fails alone, leaves
// nothing behind, and every other request of the group is stored, chained
// and counted in the rollups (R-LOG-1).
func TestRecordUses_FailingWhileWriting_FailsAlone_R_LOG_1(t *testing.T) {
	f := newUseFixture(t)
	raw := rawUseDB(t, f.d)
	if _, err := raw.Exec(`CREATE TRIGGER test_refuse BEFORE INSERT ON use_employees WHEN NEW.staff_id = 'REFUSED'
		BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`); err != nil {
		t.Fatal(err)
	}
	const n = 60
	var wg sync.WaitGroup
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			uses := []*monitoring.Use{f.use(fmt.Sprintf("w-%d-a", i), fmt.Sprintf("rec-%d-a", i)), f.use(fmt.Sprintf("w-%d-b", i), fmt.Sprintf("rec-%d-b", i))}
			if i%3 == 1 {
				uses[1].EmployeeStaffIDs = []string{"REFUSED"}
			}
			<-start
			_, errs[i] = f.uses.RecordUses(context.Background(), uses)
		}()
	}
	close(start)
	wg.Wait()
	good := 0
	for i, err := range errs {
		switch {
		case i%3 == 1 && err == nil:
			t.Errorf("request %d with a refused row succeeded", i)
		case i%3 != 1 && err != nil:
			t.Errorf("good request %d: %v", i, err)
		case i%3 != 1:
			good++
		}
	}
	if got := countUseRows(t, f.d, "uses"); got != 2*good {
		t.Errorf("%d uses, want %d", got, 2*good)
	}
	if got := countUseRows(t, f.d, "recordings"); got != 2*good {
		t.Errorf("%d recordings, want %d", got, 2*good)
	}
	mustVerify(t, f.uses, int64(2*good))
	if err := f.d.CheckRollups(t.Context()); err != nil {
		t.Error(err)
	}
}
