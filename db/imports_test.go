package db_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"vaaka/db"
	"vaaka/monitoring"
)

// importFixture is a useFixture with a saved source "Puhelin" mapping
// key;time;user;ref;action;purpose;employee (times in Helsinki local time).
type importFixture struct {
	*useFixture
	imp *db.ImportService
	src *monitoring.ImportSource
}

func newImportFixture(tb testing.TB) *importFixture {
	tb.Helper()
	f := &importFixture{useFixture: newUseFixture(tb)}
	f.imp = db.NewImportService(f.d)
	src := &monitoring.ImportSource{Name: "Puhelin", Delimiter: ";", HasHeader: true, TimeZone: "Europe/Helsinki",
		TimeLayout: "2006-01-02 15:04:05", DefaultActivityID: f.act,
		Columns: monitoring.ImportColumns{RowKey: "id", OccurredAt: "time", User: "user", RecordingRef: "ref",
			Action: "action", Purpose: "purpose", Employees: "agent", CallStartedAt: "call"},
		ActionMap: monitoring.DefaultActionMap()}
	var err error
	if f.src, err = f.imp.CreateSource(context.Background(), "hr@example.fi", src); err != nil {
		tb.Fatal(err)
	}
	return f
}

const importHeader = "id;time;user;ref;action;purpose;agent;call\n"

// importLine is one row: listened a day before testNow to a call of two
// days before (local Helsinki time, UTC+2 in November).
func importLine(id int, action, user, purpose string) string {
	return fmt.Sprintf("r%d;2026-11-26 12:00:00;%s;rec-%d;%s;%s;E1;2026-11-25 12:00:00\n", id, user, id%5000, action, purpose)
}

func (f *importFixture) importAll(tb testing.TB, data string) *monitoring.ImportRun {
	tb.Helper()
	ctx := context.Background()
	run, err := f.imp.StartImport(ctx, "hr@example.fi", f.src.ID, "log.csv", []byte(data))
	if err != nil {
		tb.Fatal(err)
	}
	if run, err = f.imp.RunImport(ctx, run.ID); err != nil {
		tb.Fatal(err)
	}
	if run.Status != monitoring.ImportFinished || run.Done != run.Total {
		tb.Fatalf("run not finished: %+v", run)
	}
	return run
}

func countUses(tb testing.TB, d *db.DB) int {
	tb.Helper()
	_, n, err := db.NewUseService(d).ListUses(context.Background(), monitoring.UseFilter{Limit: 1})
	if err != nil {
		tb.Fatal(err)
	}
	return int(n)
}

// TestImport_50k_Idempotent: a 50,000-row file imports with correct counts;
// importing it again adds nothing (R-LOG-1: one entry per real event).
func TestImport_50k_Idempotent(t *testing.T) {
	if testing.Short() {
		t.Skip("long")
	}
	f := newImportFixture(t)
	var b strings.Builder
	b.WriteString(importHeader)
	for i := range 50_000 {
		b.WriteString(importLine(i, "PLAY", useSupervisor, "quality"))
	}
	start := time.Now()
	run := f.importAll(t, b.String())
	t.Logf("50k rows in %s", time.Since(start))
	if run.Total != 50_000 || run.Created != 50_000 || run.Duplicates != 0 || run.Bad != 0 {
		t.Fatalf("first import: %+v", run.ImportCounts)
	}
	if n := countUses(t, f.d); n != 50_000 {
		t.Fatalf("uses: %d", n)
	}
	run = f.importAll(t, b.String())
	if run.Created != 0 || run.Duplicates != 50_000 {
		t.Fatalf("second import: %+v", run.ImportCounts)
	}
	if n := countUses(t, f.d); n != 50_000 {
		t.Fatalf("uses after second import: %d", n)
	}
	rep, err := db.NewAuditService(f.d).VerifyAudit(context.Background())
	if err != nil || !rep.OK {
		t.Fatalf("audit chain: %+v %v", rep, err)
	}
}

// TestImport_DryRunWritesNothing: a file with bad rows names every bad line
// and writes nothing.
func TestImport_DryRunWritesNothing(t *testing.T) {
	f := newImportFixture(t)
	ctx := context.Background()
	data := importHeader +
		importLine(1, "PLAY", useSupervisor, "quality") + // line 2
		"r2;yesterday;sup@example.fi;rec-2;PLAY;quality;E1;2026-11-25 12:00:00\n" + // 3: time
		importLine(3, "REWIND", useSupervisor, "") + // 4: action
		"r4;2026-11-26 12:00:00;not-an-email;rec-4;PLAY;;E1;2026-11-25 12:00:00\n" + // 5: user
		"r5;2026-11-26 12:00:00\n" + // 6: field count
		"r6;2026-11-26 12:00:00;sup@example.fi;rec-6;PLAY;;E\xff1;2026-11-25 12:00:00\n" + // 7: encoding
		importLine(7, "DOWNLOAD", useSupervisor, "") // 8: fine
	rep, err := f.imp.DryRun(ctx, f.src.ID, []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	var lines []int
	for _, le := range rep.Errors {
		lines = append(lines, le.Line)
	}
	if !slices.Equal(lines, []int{3, 4, 5, 6, 7}) || rep.Created != 2 || rep.Bad != 5 || rep.Total != 7 {
		t.Fatalf("dry run: %+v errors %+v", rep.ImportCounts, rep.Errors)
	}
	if rep.Errors[0].Field != "occurred_at" || rep.Errors[1].Field != "action" || rep.Errors[2].Field != "user" {
		t.Fatalf("fields: %+v", rep.Errors)
	}
	if n := countUses(t, f.d); n != 0 {
		t.Fatalf("dry run wrote %d uses", n)
	}
	runs, _, _ := f.imp.ListRuns(ctx, monitoring.ImportRunFilter{Limit: 10})
	if len(runs) != 0 {
		t.Fatalf("dry run stored runs: %d", len(runs))
	}
	// The real import records the good rows and every bad row by line.
	run := f.importAll(t, data)
	if run.Created != 2 || run.Bad != 5 || len(run.Errors) != 5 {
		t.Fatalf("import: %+v %+v", run.ImportCounts, run.Errors)
	}
}

// TestImport_Flags_R_PUR_1_R_ACC_1: imported uses without a purpose are
// flagged purpose_missing, listeners not authorised unauthorized_user.
func TestImport_Flags_R_PUR_1_R_ACC_1(t *testing.T) {
	f := newImportFixture(t)
	ctx := context.Background()
	f.importAll(t, importHeader+importLine(1, "PLAY", useSupervisor, "")+importLine(2, "DOWNLOAD", "stranger@example.fi", "quality"))
	for flag, want := range map[monitoring.Flag]int{monitoring.FlagPurposeMissing: 1, monitoring.FlagUnauthorizedUser: 1} {
		us, _, err := f.uses.ListUses(ctx, monitoring.UseFilter{Flag: flag})
		if err != nil {
			t.Fatal(err)
		}
		if len(us) != want {
			t.Fatalf("%s: %d uses", flag, len(us))
		}
		if us[0].Source != monitoring.SourceImport || !strings.HasPrefix(us[0].ExternalID, "Puhelin:r") {
			t.Fatalf("use: %+v", us[0])
		}
	}
	us, _, _ := f.uses.ListUses(ctx, monitoring.UseFilter{Flag: monitoring.FlagUnauthorizedUser})
	if us[0].Action != monitoring.Downloaded || us[0].UsedBy != "stranger@example.fi" {
		t.Fatalf("use: %+v", us[0])
	}
	// Times are read in the source's zone: 12:00 Helsinki is 10:00 UTC.
	if got := us[0].OccurredAt; !got.Equal(time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)) {
		t.Fatalf("occurred_at %s", got)
	}
}

// TestImport_Deletions_R_RET_2: delete rows confirm deletions in the
// ledger; a second confirmation counts as a duplicate; a later listen is
// flagged recording_deleted; an unknown recording is a bad row.
func TestImport_Deletions_R_RET_2(t *testing.T) {
	f := newImportFixture(t)
	ctx := context.Background()
	data := importHeader + importLine(1, "PLAY", useSupervisor, "quality") +
		"d1;2026-11-26 13:00:00;;rec-1;DELETE;;;\n" +
		"p2;2026-11-26 14:00:00;sup@example.fi;rec-1;PLAY;quality;;\n" +
		"d2;2026-11-26 15:00:00;;rec-1;DELETE;;;\n" +
		"d3;2026-11-26 15:00:00;;nowhere;DELETE;;;\n"
	rep, err := f.imp.DryRun(ctx, f.src.ID, []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Created != 2 || rep.Deletions != 1 || rep.Duplicates != 1 || rep.Bad != 1 || rep.Errors[0].Line != 6 {
		t.Fatalf("dry run: %+v %+v", rep.ImportCounts, rep.Errors)
	}
	run := f.importAll(t, data)
	if run.Created != 2 || run.Deletions != 1 || run.Duplicates != 1 || run.Bad != 1 || run.Errors[0].Field != "recording_ref" {
		t.Fatalf("import: %+v %+v", run.ImportCounts, run.Errors)
	}
	r, err := f.recs.FindRecording(ctx, "rec-1")
	if err != nil || !r.DeletedAt.Equal(time.Date(2026, 11, 26, 11, 0, 0, 0, time.UTC)) {
		t.Fatalf("recording: %+v %v", r, err)
	}
	us, _, _ := f.uses.ListUses(ctx, monitoring.UseFilter{Flag: monitoring.FlagRecordingDeleted})
	if len(us) != 1 || us[0].ExternalID != "Puhelin:p2" {
		t.Fatalf("recording_deleted: %+v", us)
	}
	run = f.importAll(t, data)
	if run.Created != 0 || run.Deletions != 0 || run.Duplicates != 4 {
		t.Fatalf("again: %+v", run.ImportCounts)
	}
}

// TestImport_Resume: a run interrupted after some chunks (its progress
// rolled back as if the process died after the uses' commit) completes
// without duplicates.
func TestImport_Resume(t *testing.T) {
	f := newImportFixture(t)
	ctx := context.Background()
	var b strings.Builder
	b.WriteString(importHeader)
	for i := range 2500 {
		b.WriteString(importLine(i, "PLAY", useSupervisor, "quality"))
	}
	run, err := f.imp.StartImport(ctx, "hr@example.fi", f.src.ID, "log.csv", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	// Uses of the first 1500 rows are written as a crashed run would have.
	var first []*monitoring.Use
	for i := range 1500 {
		first = append(first, &monitoring.Use{ExternalID: fmt.Sprintf("Puhelin:r%d", i), ActivityID: f.act,
			RecordingRef: fmt.Sprintf("rec-%d", i), CallStartedAt: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC),
			Direction: monitoring.Inbound, EmployeeStaffIDs: []string{"E1"}, UsedBy: useSupervisor, Action: monitoring.Listened,
			Purpose: "quality", OccurredAt: time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC), Source: monitoring.SourceImport})
	}
	f.record(t, first[:1000]...)
	f.record(t, first[1000:]...)
	ids, err := f.imp.ResumeImports(ctx)
	if err != nil || len(ids) != 1 {
		t.Fatalf("resume: %v %v", ids, err)
	}
	run, err = f.imp.FindRun(ctx, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	if run.Status != monitoring.ImportFinished || run.Created != 1000 || run.Duplicates != 1500 {
		t.Fatalf("run: %+v", run.ImportCounts)
	}
	if n := countUses(t, f.d); n != 2500 {
		t.Fatalf("uses: %d", n)
	}
}

func TestImportSource_Validation(t *testing.T) {
	f := newImportFixture(t)
	ctx := context.Background()
	_, err := f.imp.CreateSource(ctx, "hr@example.fi", &monitoring.ImportSource{Name: "puhelin", ActionMap: monitoring.DefaultActionMap(),
		HasHeader: true, Columns: monitoring.ImportColumns{OccurredAt: "a", User: "b", RecordingRef: "c", Action: "d"}})
	if monitoring.ErrorCodeOf(err) != monitoring.Conflict {
		t.Fatalf("duplicate name: %v", err)
	}
	_, err = f.imp.CreateSource(ctx, "hr@example.fi", &monitoring.ImportSource{Name: "Toinen", TimeZone: "Mars/Olympus",
		DefaultActivityID: 999, ActionMap: map[string]string{"X": "eaten"}})
	var me *monitoring.Error
	if !errorsAs(err, &me) {
		t.Fatalf("want invalid: %v", err)
	}
	for _, k := range []string{"time_zone", "columns.occurred_at", "action_map"} {
		if me.Fields[k] == "" {
			t.Errorf("no error for %s: %v", k, me.Fields)
		}
	}
	src, err := f.imp.FindSourceByName(ctx, "PUHELIN")
	if err != nil || src.ID != f.src.ID || src.Columns.Employees != "agent" {
		t.Fatalf("find: %+v %v", src, err)
	}
	src.TimeZone = "Europe/Stockholm"
	if _, err := f.imp.UpdateSource(ctx, "hr@example.fi", src); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.imp.FindSource(ctx, src.ID); got.TimeZone != "Europe/Stockholm" {
		t.Fatalf("update: %+v", got)
	}
}

func errorsAs(err error, target **monitoring.Error) bool {
	return errors.As(err, target) && (*target).Code == monitoring.Invalid
}

// TestImport_RunsPaged: the runs list pages newest first by cursor.
func TestImport_RunsPaged(t *testing.T) {
	f := newImportFixture(t)
	var ids []int64
	for i := range 3 {
		run, err := f.imp.StartImport(t.Context(), "hr@example.fi", f.src.ID, fmt.Sprintf("log-%d.csv", i), []byte(importHeader+importLine(i, "PLAY", useSupervisor, "quality")))
		if err != nil {
			t.Fatal(err)
		}
		ids = append([]int64{run.ID}, ids...) // newest first
	}
	var got []int64
	var cursor int64
	for page := 0; page < 5; page++ {
		runs, next, err := f.imp.ListRuns(t.Context(), monitoring.ImportRunFilter{Cursor: cursor, Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range runs {
			got = append(got, r.ID)
		}
		if cursor = next; cursor == 0 {
			break
		}
	}
	if !slices.Equal(got, ids) {
		t.Errorf("paged runs %v, want %v", got, ids)
	}
}
