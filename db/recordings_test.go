package db_test

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"vaaka/db"
	"vaaka/monitoring"
)

func (f *useFixture) recording(ref string, call time.Time) *monitoring.Recording {
	return &monitoring.Recording{Ref: ref, CallStartedAt: call, Direction: monitoring.Inbound, ActivityID: f.act, EmployeeStaffID: "E1"}
}

// TestRecordings_FirstSeenInUse_R_RET_2: a use of an unknown recording
// enters it in the ledger with its deadline.
func TestRecordings_FirstSeenInUse_R_RET_2(t *testing.T) {
	f := newUseFixture(t)
	u := f.use("x", "rec-new")
	u.EmployeeStaffIDs = []string{"E2", "E1"}
	f.record(t, u)
	r, err := f.recs.FindRecording(t.Context(), "rec-new")
	if err != nil {
		t.Fatal(err)
	}
	want := monitoring.Recording{
		Ref: "rec-new", CallStartedAt: u.CallStartedAt, Direction: monitoring.Inbound, ActivityID: f.act,
		EmployeeStaffID: "E2", DeletionDue: u.CallStartedAt.Add(90 * oneDay), FirstSeenAt: testNow, Source: "use",
	}
	if !reflect.DeepEqual(*r, want) {
		t.Errorf("recording\n%+v\nwant\n%+v", *r, want)
	}
	// A second use of it leaves the ledger entry alone.
	u2 := f.use("y", "rec-new")
	u2.CallStartedAt = testNow.Add(-5 * oneDay)
	f.record(t, u2)
	r2, _ := f.recs.FindRecording(t.Context(), "rec-new")
	if !reflect.DeepEqual(r2, r) {
		t.Errorf("recording changed: %+v", r2)
	}
	if _, err := f.recs.FindRecording(t.Context(), "nope"); monitoring.ErrorCodeOf(err) != monitoring.NotFound {
		t.Errorf("unknown ref: err = %v", err)
	}
}

func TestRegisterRecordings_R_RET_2(t *testing.T) {
	f := newUseFixture(t)
	ctx := t.Context()
	call := testNow.Add(-3 * oneDay)
	rs, err := f.recs.RegisterRecordings(ctx, "int@example.fi", []*monitoring.Recording{f.recording("a", call), f.recording("a", call.Add(time.Hour)), f.recording("b", call)})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 3 || !rs[0].DeletionDue.Equal(call.Add(90*oneDay)) || rs[0].Source != "api" || !rs[0].FirstSeenAt.Equal(testNow) {
		t.Fatalf("registered %+v", rs[0])
	}
	if !reflect.DeepEqual(rs[1], rs[0]) {
		t.Errorf("repeated ref in one request: %+v, want %+v", rs[1], rs[0])
	}
	again, err := f.recs.RegisterRecordings(ctx, "int@example.fi", []*monitoring.Recording{f.recording("b", call.Add(-oneDay))})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again[0], rs[2]) {
		t.Errorf("known ref returned %+v, want unchanged %+v", again[0], rs[2])
	}
	audit, _, err := db.NewAuditService(f.d).ListAudit(ctx, monitoring.AuditFilter{Entity: "recording"})
	if err != nil {
		t.Fatal(err)
	}
	if len(audit) != 1 || audit[0].Action != "recordings.registered" || audit[0].Detail != `{"count":2}` || audit[0].Actor != "int@example.fi" {
		t.Errorf("audit = %+v", audit)
	}

	// Invalid input and unknown activities write nothing.
	bad := f.recording("c", call)
	bad.Direction = "sideways"
	_, err = f.recs.RegisterRecordings(ctx, "x@example.fi", []*monitoring.Recording{f.recording("d", call), bad})
	var me *monitoring.Error
	if !errors.As(err, &me) || !reflect.DeepEqual(me.Fields, map[string]string{"[1].direction": "unknown_value"}) {
		t.Errorf("bad direction: err = %v", err)
	}
	unknown := f.recording("e", call)
	unknown.ActivityID = 999
	_, err = f.recs.RegisterRecordings(ctx, "x@example.fi", []*monitoring.Recording{f.recording("d", call), unknown})
	if !errors.As(err, &me) || !reflect.DeepEqual(me.Fields, map[string]string{"[1].activity_id": "not_found"}) {
		t.Errorf("unknown activity: err = %v", err)
	}
	if _, err := f.recs.FindRecording(ctx, "d"); monitoring.ErrorCodeOf(err) != monitoring.NotFound {
		t.Errorf("recording d written by a failed request: %v", err)
	}
}

func TestConfirmDeletion_R_RET_2(t *testing.T) {
	f := newUseFixture(t)
	ctx := t.Context()
	call := testNow.Add(-3 * oneDay)
	if _, err := f.recs.RegisterRecordings(ctx, "int@example.fi", []*monitoring.Recording{f.recording("a", call)}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.recs.ConfirmDeletion(ctx, "hr@example.fi", "a", call.Add(-time.Hour)); monitoring.ErrorCodeOf(err) != monitoring.Invalid {
		t.Errorf("deleted before the call: err = %v", err)
	}
	if _, err := f.recs.ConfirmDeletion(ctx, "hr@example.fi", "a", testNow.Add(time.Hour)); monitoring.ErrorCodeOf(err) != monitoring.Invalid {
		t.Errorf("deleted in the future: err = %v", err)
	}
	r, err := f.recs.ConfirmDeletion(ctx, "hr@example.fi", "a", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if !r.DeletedAt.Equal(testNow) || r.DeletedBy != "hr@example.fi" {
		t.Errorf("deleted %s by %q", r.DeletedAt, r.DeletedBy)
	}
	if stored, _ := f.recs.FindRecording(ctx, "a"); !reflect.DeepEqual(stored, r) {
		t.Errorf("stored %+v, want %+v", stored, r)
	}
	if _, err := f.recs.ConfirmDeletion(ctx, "hr@example.fi", "a", time.Time{}); monitoring.ErrorCodeOf(err) != monitoring.Conflict {
		t.Errorf("second confirmation: err = %v", err)
	}
	if _, err := f.recs.ConfirmDeletion(ctx, "hr@example.fi", "nope", time.Time{}); monitoring.ErrorCodeOf(err) != monitoring.NotFound {
		t.Errorf("unknown ref: err = %v", err)
	}
	audit, _, err := db.NewAuditService(f.d).ListAudit(ctx, monitoring.AuditFilter{Entity: "recording", EntityID: "a"})
	if err != nil {
		t.Fatal(err)
	}
	if len(audit) != 1 || audit[0].Action != "recording.deleted" {
		t.Errorf("audit = %+v", audit)
	}
}

func TestListRecordings_Overdue_R_RET_2(t *testing.T) {
	f := newUseFixture(t)
	ctx := t.Context()
	var rs []*monitoring.Recording
	for _, c := range []struct {
		ref  string
		call time.Duration // before testNow
	}{
		{"due-5", 95 * oneDay}, {"fresh", 10 * oneDay}, {"due-10", 100 * oneDay}, {"due-10b", 100 * oneDay},
		{"deleted", 120 * oneDay}, {"due-1", 91 * oneDay}, {"due-tomorrow", 89 * oneDay},
	} {
		rs = append(rs, f.recording(c.ref, testNow.Add(-c.call)))
	}
	if _, err := f.recs.RegisterRecordings(ctx, "int@example.fi", rs); err != nil {
		t.Fatal(err)
	}
	if _, err := f.recs.ConfirmDeletion(ctx, "hr@example.fi", "deleted", time.Time{}); err != nil {
		t.Fatal(err)
	}
	walk := func(filter monitoring.RecordingFilter) []string {
		t.Helper()
		var refs []string
		for {
			page, next, err := f.recs.ListRecordings(ctx, filter, testNow)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range page {
				refs = append(refs, r.Ref)
				if filter.Overdue && !r.Overdue(testNow) {
					t.Errorf("%s listed overdue", r.Ref)
				}
			}
			if next == "" {
				return refs
			}
			filter.Cursor = next
		}
	}
	for _, limit := range []int{0, 1, 2} {
		if got, want := walk(monitoring.RecordingFilter{Overdue: true, Limit: limit}), []string{"due-10", "due-10b", "due-5", "due-1"}; !slices.Equal(got, want) {
			t.Errorf("overdue (limit %d) = %v, want %v", limit, got, want)
		}
		if got, want := walk(monitoring.RecordingFilter{Limit: limit}), []string{"fresh", "due-tomorrow", "due-1", "due-5", "due-10b", "due-10", "deleted"}; !slices.Equal(got, want) {
			t.Errorf("all (limit %d) = %v, want %v", limit, got, want)
		}
	}
	if got := walk(monitoring.RecordingFilter{ActivityID: f.act + 1}); len(got) != 0 {
		t.Errorf("other activity: %v", got)
	}
	if _, _, err := f.recs.ListRecordings(ctx, monitoring.RecordingFilter{Cursor: "garbage!"}, testNow); monitoring.ErrorCodeOf(err) != monitoring.Invalid {
		t.Errorf("bad cursor: err = %v", err)
	}
}

// The whole ledger, newest call first, is the pages of every activity
// merged: paged by cursor it gives every recording once, in the order of
// call_started_at DESC, ref DESC across activities, ties included.
func TestListRecordings_AcrossActivities(t *testing.T) {
	f := newUseFixture(t)
	ctx := t.Context()
	acts := []int64{f.act}
	for _, name := range []string{"Second activity", "Third activity"} {
		a := useActivity(name)
		if err := f.reg.CreateActivity(ctx, "hr@example.fi", a); err != nil {
			t.Fatal(err)
		}
		acts = append(acts, a.ID)
	}
	var rs []*monitoring.Recording
	var want []string
	for i := range 14 {
		// Calls an hour apart, every third pair at the same moment.
		call := testNow.Add(-time.Duration(i-i%3) * time.Hour)
		r := f.recording(fmt.Sprintf("rec-%02d", i), call)
		r.ActivityID = acts[(i*7)%len(acts)]
		rs = append(rs, r)
	}
	if _, err := f.recs.RegisterRecordings(ctx, "int@example.fi", rs); err != nil {
		t.Fatal(err)
	}
	sorted := slices.Clone(rs)
	slices.SortFunc(sorted, func(a, b *monitoring.Recording) int {
		if c := b.CallStartedAt.Compare(a.CallStartedAt); c != 0 {
			return c
		}
		return strings.Compare(b.Ref, a.Ref)
	})
	for _, r := range sorted {
		want = append(want, r.Ref)
	}
	for _, limit := range []int{1, 2, 3, 5, 50} {
		var got []string
		filter := monitoring.RecordingFilter{Limit: limit}
		for range 20 {
			page, next, err := f.recs.ListRecordings(ctx, filter, testNow)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) > limit {
				t.Fatalf("limit %d: page of %d", limit, len(page))
			}
			for _, r := range page {
				got = append(got, r.Ref)
			}
			if next == "" {
				break
			}
			filter.Cursor = next
		}
		if !slices.Equal(got, want) {
			t.Errorf("limit %d: %v\nwant %v", limit, got, want)
		}
	}
	// One activity's page is still its own range.
	page, _, err := f.recs.ListRecordings(ctx, monitoring.RecordingFilter{ActivityID: acts[1]}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range page {
		if r.ActivityID != acts[1] {
			t.Errorf("activity %d's page lists %s of activity %d", acts[1], r.Ref, r.ActivityID)
		}
	}
}

// Source "use" belongs to the use writer, which counts the deletion weeks
// of its recordings itself (migration 0011): registering one with it would
// leave it out of the charts, so it is refused and nothing is written.
func TestRegisterRecordings_RefusesSourceUse(t *testing.T) {
	f := newUseFixture(t)
	_, err := f.recs.RegisterRecordings(t.Context(), "hr@example.fi", []*monitoring.Recording{
		{Ref: "ok-first", CallStartedAt: testNow.Add(-oneDay), Direction: monitoring.Inbound, ActivityID: f.act},
		{Ref: "as-use", CallStartedAt: testNow.Add(-oneDay), Direction: monitoring.Inbound, ActivityID: f.act, Source: "use"},
	})
	if err == nil {
		t.Fatal("a recording with source use was registered")
	}
	if n := countUseRows(t, f.d, "recordings"); n != 0 {
		t.Errorf("%d recordings written", n)
	}
}
