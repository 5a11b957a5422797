package db_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"vaaka/db"
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
	_, errs := recordAtOnce(f, n, func(i int) []*monitoring.Use {
		uses := []*monitoring.Use{f.use(fmt.Sprintf("w-%d-a", i), fmt.Sprintf("rec-%d-a", i)), f.use(fmt.Sprintf("w-%d-b", i), fmt.Sprintf("rec-%d-b", i))}
		if i%3 == 1 {
			uses[1].EmployeeStaffIDs = []string{"REFUSED"}
		}
		return uses
	})
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

// recordAtOnce records the n requests uses(i) from n goroutines released
// together, so that the writer takes many of them into one group, and
// returns each request's results and error.
func recordAtOnce(f *useFixture, n int, uses func(i int) []*monitoring.Use) ([][]monitoring.UseResult, []error) {
	results, errs := make([][]monitoring.UseResult, n), make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			us := uses(i)
			<-start
			results[i], errs[i] = f.uses.RecordUses(context.Background(), us)
		}()
	}
	close(start)
	wg.Wait()
	return results, errs
}

// A group's uses are inserted together at its end; a duplicate external
// id among them (a retry of a committed use, or two requests of the group
// naming the same new one) fails that INSERT, and the group is written
// again with a savepoint per request. Every request then succeeds, each
// duplicate answers its original, and the log holds each use once
// (R-LOG-1).
func TestRecordUses_DuplicatesInAGroup_R_LOG_1(t *testing.T) {
	f := newUseFixture(t)
	old := map[string]string{} // external id -> id
	for i := range 10 {
		ext := fmt.Sprintf("old-%d", i)
		old[ext] = f.record(t, f.use(ext, "rec-old"))[0].Use.ID
	}
	const n = 60
	results, errs := recordAtOnce(f, n, func(i int) []*monitoring.Use {
		// Requests 2k and 2k+1 name the same new use.
		return []*monitoring.Use{f.use(fmt.Sprintf("old-%d", i%10), "rec-old"), f.use(fmt.Sprintf("new-%d", i/2), fmt.Sprintf("rec-%d", i/2))}
	})
	for i := 0; i < n; i += 2 {
		for _, j := range []int{i, i + 1} {
			if errs[j] != nil {
				t.Fatalf("request %d: %v", j, errs[j])
			}
			if r := results[j][0]; !r.Duplicate || r.Use.ID != old[r.Use.ExternalID] {
				t.Errorf("request %d: retry of %s answered %s (duplicate %v), want %s", j, r.Use.ExternalID, r.Use.ID, r.Duplicate, old[r.Use.ExternalID])
			}
		}
		a, b := results[i][1], results[i+1][1]
		if a.Use.ID != b.Use.ID || a.Duplicate == b.Duplicate {
			t.Errorf("new-%d: ids %s, %s, duplicate %v, %v; want one use and one duplicate of it", i/2, a.Use.ID, b.Use.ID, a.Duplicate, b.Duplicate)
		}
	}
	if got := countUseRows(t, f.d, "uses"); got != 10+n/2 {
		t.Errorf("%d uses, want %d", got, 10+n/2)
	}
	mustVerify(t, f.uses, 10+n/2)
	if err := f.d.CheckRollups(t.Context()); err != nil {
		t.Error(err)
	}
}

// The writer carries what it read of the state (activities, unit
// histories, notices) from group to group. A change committed in between,
// by this process or by another one on the same file, must be seen by the
// next use: the rollups, rebuilt from the uses and the history at
// occurred_at, tell a stale unit (R-LOG-1, the rollups' invariant).
func TestRecordUses_CarriedState_SeesChanges(t *testing.T) {
	f := newUseFixture(t)
	ctx := t.Context()
	at := func(ext string, t time.Time) *monitoring.Use {
		u := f.use(ext, "rec-"+ext)
		u.OccurredAt = t
		return u
	}
	f.record(t, at("c-1", testNow.Add(-time.Minute)))
	// A change through the application (this process).
	unit := "Support"
	if _, err := db.NewEmployeeService(f.d).UpdateEmployee(ctx, "hr@example.fi", "E1", monitoring.EmployeeUpdate{Unit: &unit}); err != nil {
		t.Fatal(err)
	}
	f.record(t, at("c-2", testNow)) // the change is in force from testNow
	if err := f.d.CheckRollups(ctx); err != nil {
		t.Fatalf("after a change in this process: %v", err)
	}
	// A change by another connection (another process on the file).
	f.d.Now = func() time.Time { return testNow.Add(time.Hour) }
	raw := rawUseDB(t, f.d)
	if _, err := raw.Exec(`INSERT INTO employee_history (staff_id, valid_from, unit, active) VALUES ('E1', ?, 'Sales', 1)`,
		testNow.Add(10*time.Minute).Format("2006-01-02T15:04:05.000000000Z")); err != nil {
		t.Fatal(err)
	}
	f.record(t, at("c-3", testNow.Add(20*time.Minute)))
	if err := f.d.CheckRollups(ctx); err != nil {
		t.Fatalf("after a change by another connection: %v", err)
	}
	// And the suspension of the activity (flags from the state at occurred_at).
	if err := f.reg.SeedStatus(ctx, f.act, monitoring.StatusSuspended, testNow.Add(30*time.Minute)); err != nil {
		t.Fatal(err)
	}
	got := f.record(t, at("c-4", testNow.Add(40*time.Minute)))[0].Use
	if !slices.Contains(got.Flags, monitoring.FlagActivityNotActive) {
		t.Errorf("use after suspension flags %v, want %s", got.Flags, monitoring.FlagActivityNotActive)
	}
	mustVerify(t, f.uses, 4)
}

// TestRecordUses_PreparesOnlyInFirstGroups: a group runs every query on a
// statement the writer prepared once on its pool, the head of the log
// included; only the first groups of each shape prepare on their
// transaction (issue "Performance": a prepare per group was a lone
// request's largest fixed cost after the commit).
func TestRecordUses_PreparesOnlyInFirstGroups(t *testing.T) {
	f := newUseFixture(t)
	round := func(r int) {
		known := f.use(fmt.Sprintf("p-%d-a", r), fmt.Sprintf("rec-p-%d", r))
		f.record(t, known)
		again := f.use(fmt.Sprintf("p-%d-b", r), known.RecordingRef)
		again.EmployeeStaffIDs = []string{"E1", "E2"}
		again.Action = monitoring.Evaluated
		f.record(t, again, f.use(fmt.Sprintf("p-%d-c", r), fmt.Sprintf("rec-p-%d-c", r)))
	}
	round(0)
	warm := db.WriterPreparesForTest(f.d)
	if warm == 0 {
		t.Fatal("the first groups prepared nothing: the counter does not count")
	}
	for r := 1; r <= 3; r++ {
		round(r)
	}
	if got := db.WriterPreparesForTest(f.d); got != warm {
		t.Errorf("later groups of the same shapes prepared %d statements on their transactions, want 0", got-warm)
	}
	mustVerify(t, f.uses, 12)
}

// The checkpointer copies the WAL into the database beside the writer:
// here fifty commits, far fewer pages than the write connection's own
// checkpoint waits for (1 000), reach the database file within moments.
func TestCheckpointer_CopiesTheWALBesideTheWriter(t *testing.T) {
	f := newUseFixture(t)
	time.Sleep(300 * time.Millisecond) // the fixture's own writes are copied
	before := fileSize(t, f.d.Path())
	for i := range 50 {
		u := f.use(fmt.Sprintf("wal-%d", i), fmt.Sprintf("rec-wal-%d", i))
		u.Note = strings.Repeat("x", 1000) // a page of uses every few commits
		f.record(t, u)
	}
	waitForGrowth(t, f.d.Path(), before, "50 commits: nothing was checkpointed")
	mustVerify(t, f.uses, 50)
}

// A batch of uses is checkpointed at once, beside the writer, rather than
// at the checkpointer's pace for small commits (here an hour), so that the
// write connection's own checkpoint, which the writer waits for, seldom
// has pages left to copy.
func TestCheckpointer_CopiesABatchAtOnce(t *testing.T) {
	t.Cleanup(db.SetCheckpointPaceForTest(time.Hour)) // after the fixture's close
	f := newUseFixture(t)
	before := fileSize(t, f.d.Path())
	uses := make([]*monitoring.Use, 1000)
	for i := range uses {
		uses[i] = f.use(fmt.Sprintf("batch-%d", i), fmt.Sprintf("rec-batch-%d", i))
	}
	if _, err := f.uses.RecordUses(t.Context(), uses); err != nil {
		t.Fatal(err)
	}
	waitForGrowth(t, f.d.Path(), before, "a batch of 1 000 uses: the checkpointer waited")
	mustVerify(t, f.uses, 1000)
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

// waitForGrowth fails unless the file at path grows beyond before within
// 5 s (a checkpoint copied pages into it).
func waitForGrowth(t *testing.T, path string, before int64, after string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for fileSize(t, path) <= before {
		if time.Now().After(deadline) {
			t.Fatalf("the database file is still %d bytes 5 s after %s", before, after)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// The writer looks the recordings of a request up in chunks and inserts
// the rows beside its uses (recordings, employees, flags, flag months) with
// multi-row statements at the end of the group (use_rows.go). Requests of
// odd sizes, naming new recordings several times (within a request and
// across the requests of a group), stored recordings and a deleted one,
// leave exactly the rows one statement per row left: each recording once,
// recording_deleted where it applies, every rollup equal to its rebuild
// (R-RET-2, R-LOG-1).
func TestRecordUses_RowsWrittenInChunks_R_RET_2(t *testing.T) {
	f := newUseFixture(t)
	ctx := t.Context()
	if _, err := f.recs.RegisterRecordings(ctx, "hr@example.fi", []*monitoring.Recording{
		{Ref: "stored-live", CallStartedAt: testNow.Add(-10 * oneDay), Direction: monitoring.Inbound, ActivityID: f.act},
		{Ref: "stored-deleted", CallStartedAt: testNow.Add(-10 * oneDay), Direction: monitoring.Inbound, ActivityID: f.act},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.recs.ConfirmDeletion(ctx, "hr@example.fi", "stored-deleted", testNow.Add(-3*oneDay)); err != nil {
		t.Fatal(err)
	}
	sizes := []int{1, 2, 63, 64, 65, 129, 300, 517}
	var wg sync.WaitGroup
	errs := make([]error, len(sizes))
	results := make([][]monitoring.UseResult, len(sizes))
	employees := 0
	start := make(chan struct{})
	for r, n := range sizes {
		uses := make([]*monitoring.Use, n)
		for i := range uses {
			// New recordings named twice in a request and by the next
			// request too; every 7th use a stored one.
			ref := fmt.Sprintf("new-%d-%d", r, i/2)
			switch {
			case i%7 == 3:
				ref = "stored-live"
			case i%7 == 5:
				ref = "stored-deleted"
			case i%5 == 4 && r > 0:
				ref = fmt.Sprintf("new-%d-%d", r-1, i/2)
			}
			u := f.use(fmt.Sprintf("chunk-%d-%d", r, i), ref)
			if ref == "stored-deleted" || ref == "stored-live" {
				u.CallStartedAt = testNow.Add(-10 * oneDay)
			}
			if i%3 == 0 {
				u.EmployeeStaffIDs = []string{"E1", "E2"}
			}
			if i%4 == 0 {
				u.Purpose = "" // purpose_missing: a flag row and a flag month row
			}
			employees += len(u.EmployeeStaffIDs)
			uses[i] = u
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			results[r], errs[r] = f.uses.RecordUses(ctx, uses)
		}()
	}
	close(start)
	wg.Wait()
	total, flags := 0, 0
	refs := map[string]bool{"stored-live": true, "stored-deleted": true}
	for r, err := range errs {
		if err != nil {
			t.Fatalf("request %d: %v", r, err)
		}
		for _, res := range results[r] {
			u := res.Use
			total++
			refs[u.RecordingRef] = true
			flags += len(u.Flags)
			if deleted := slices.Contains(u.Flags, monitoring.FlagRecordingDeleted); deleted != (u.RecordingRef == "stored-deleted") {
				t.Errorf("%s on %s: flags %v", u.ExternalID, u.RecordingRef, u.Flags)
			}
		}
	}
	for table, want := range map[string]int{"uses": total, "recordings": len(refs), "use_employees": employees,
		"use_flags": flags, "use_flag_months": flags} {
		if got := countUseRows(t, f.d, table); got != want {
			t.Errorf("%s: %d rows, want %d", table, got, want)
		}
	}
	mustVerify(t, f.uses, int64(total))
	if err := f.d.CheckRollups(ctx); err != nil {
		t.Error(err)
	}
}
