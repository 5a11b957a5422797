package db_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"vaaka/db"
	"vaaka/monitoring"
)

const oneDay = 24 * time.Hour

// useFixture is a database with one activity, created 60 days before
// testNow as a draft and active from 30 days before testNow, with 90 days
// of retention, purpose "quality", unit "Sales" and one authorised user;
// employee E1 works in Sales, E2 in Support.
type useFixture struct {
	d    *db.DB
	uses *db.UseService
	recs *db.RecordingService
	reg  *db.RegisterService
	act  int64
}

const (
	useSupervisor = "sup@example.fi"
	activatedAt   = 30 * oneDay // before testNow
)

func newUseFixture(tb testing.TB) *useFixture {
	tb.Helper()
	ctx := context.Background()
	d := MustOpenDB(tb)
	f := &useFixture{d: d, uses: db.NewUseService(d), recs: db.NewRecordingService(d), reg: db.NewRegisterService(d)}
	d.Now = func() time.Time { return testNow.Add(-60 * oneDay) }
	a := useActivity("Call recording, customer service")
	if err := f.reg.CreateActivity(ctx, "hr@example.fi", a); err != nil {
		tb.Fatal(err)
	}
	d.Now = func() time.Time { return testNow }
	if err := f.reg.SeedStatus(ctx, a.ID, monitoring.StatusActive, testNow.Add(-activatedAt)); err != nil {
		tb.Fatal(err)
	}
	f.act = a.ID
	es := db.NewEmployeeService(d)
	for _, e := range []*monitoring.Employee{
		{StaffID: "E1", Name: "Eeva", Unit: "Sales", Language: monitoring.Finnish, Active: true},
		{StaffID: "E2", Name: "Erik", Unit: "Support", Language: monitoring.Swedish, Active: true},
	} {
		if err := es.CreateEmployee(ctx, "hr@example.fi", e); err != nil {
			tb.Fatal(err)
		}
	}
	return f
}

// useActivity is a register entry with what the flags read (its shape is
// valid; it is not complete enough to pass the readiness gate).
func useActivity(name string) *monitoring.Activity {
	return &monitoring.Activity{
		Name: name, Method: monitoring.CallRecording,
		Directions:      []monitoring.Direction{monitoring.Inbound},
		Purposes:        []monitoring.Purpose{{Code: "quality", Description: "Quality of customer service"}},
		Units:           []string{"Sales"},
		AuthorizedUsers: []monitoring.AuthorizedUser{{Email: useSupervisor, Task: "Team lead"}},
		RetentionDays:   90,
	}
}

// use returns a compliant use: listened to a day ago, a call of two days
// ago, by the authorised useSupervisor, of E1, for "quality".
func (f *useFixture) use(ext, ref string) *monitoring.Use {
	return &monitoring.Use{
		ExternalID: ext, ActivityID: f.act, RecordingRef: ref,
		CallStartedAt: testNow.Add(-2 * oneDay), Direction: monitoring.Inbound,
		EmployeeStaffIDs: []string{"E1"}, UsedBy: useSupervisor, Action: monitoring.Listened,
		Purpose: "quality", OccurredAt: testNow.Add(-oneDay),
	}
}

func (f *useFixture) record(tb testing.TB, uses ...*monitoring.Use) []monitoring.UseResult {
	tb.Helper()
	rs, err := f.uses.RecordUses(context.Background(), uses)
	if err != nil {
		tb.Fatal(err)
	}
	if len(rs) != len(uses) {
		tb.Fatalf("got %d results for %d uses", len(rs), len(uses))
	}
	return rs
}

func countUseRows(tb testing.TB, d *db.DB, table string) int {
	tb.Helper()
	raw := rawUseDB(tb, d)
	var n int
	if err := raw.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

// rawUseDB is a second connection pool on the database file, bypassing the
// package (to count rows and to tamper).
func rawUseDB(tb testing.TB, d *db.DB) *sql.DB {
	tb.Helper()
	raw, err := sql.Open("sqlite", d.Path()+"?_pragma=busy_timeout(10000)")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { raw.Close() })
	return raw
}

func mustVerify(tb testing.TB, uses *db.UseService, want int64) {
	tb.Helper()
	r, err := uses.VerifyUses(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	if !r.OK || r.Checked != want {
		tb.Fatalf("VerifyUses = %+v, want OK with %d checked", r, want)
	}
}

// flagCase is one use and the flags it must get.
type flagCase struct {
	name   string
	change func(u *monitoring.Use)
	want   []monitoring.Flag
}

func runFlagCases(t *testing.T, f *useFixture, cases []flagCase) {
	t.Helper()
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u := f.use(fmt.Sprintf("flag-%s-%d", t.Name(), i), fmt.Sprintf("rec-%s-%d", t.Name(), i))
			c.change(u)
			res := f.record(t, u)[0].Use
			if !slices.Equal(res.Flags, c.want) {
				t.Errorf("flags = %v, want %v", res.Flags, c.want)
			}
			stored, err := f.uses.FindUse(t.Context(), res.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(stored.Flags, c.want) {
				t.Errorf("stored flags = %v, want %v", stored.Flags, c.want)
			}
		})
	}
}

func TestRecordUses_Flags_none(t *testing.T) {
	f := newUseFixture(t)
	runFlagCases(t, f, []flagCase{{"compliant", func(*monitoring.Use) {}, nil}})
}

func TestRecordUses_Flags_activity_not_active_R_SEQ_1(t *testing.T) {
	f := newUseFixture(t)
	runFlagCases(t, f, []flagCase{
		{"before activation (draft then)", func(u *monitoring.Use) {
			u.CallStartedAt, u.OccurredAt = testNow.Add(-46*oneDay), testNow.Add(-45*oneDay)
		}, []monitoring.Flag{monitoring.FlagActivityNotActive}},
		{"before the activity existed", func(u *monitoring.Use) {
			u.CallStartedAt, u.OccurredAt = testNow.Add(-71*oneDay), testNow.Add(-70*oneDay)
		}, []monitoring.Flag{monitoring.FlagActivityNotActive, monitoring.FlagUnauthorizedUser,
			monitoring.FlagPurposeNotRegistered, monitoring.FlagEmployeeNotCovered}},
		{"just after activation", func(u *monitoring.Use) {
			u.CallStartedAt, u.OccurredAt = testNow.Add(-activatedAt), testNow.Add(-activatedAt)
		}, nil},
	})
	// Suspended from now on: later uses are flagged, earlier ones keep
	// their flags (computed from the state at occurred_at).
	if err := f.reg.SeedStatus(t.Context(), f.act, monitoring.StatusSuspended, testNow.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	runFlagCases(t, f, []flagCase{
		{"after suspension", func(u *monitoring.Use) { u.OccurredAt = testNow }, []monitoring.Flag{monitoring.FlagActivityNotActive}},
		{"before suspension", func(u *monitoring.Use) {}, nil},
	})
}

func TestRecordUses_Flags_unauthorized_user_R_ACC_1(t *testing.T) {
	f := newUseFixture(t)
	runFlagCases(t, f, []flagCase{
		{"other user", func(u *monitoring.Use) { u.UsedBy = "someone@example.fi" }, []monitoring.Flag{monitoring.FlagUnauthorizedUser}},
		{"authorised, other case", func(u *monitoring.Use) { u.UsedBy = "SUP@example.fi" }, nil},
	})
}

func TestRecordUses_Flags_purpose_not_registered_R_PUR_1(t *testing.T) {
	f := newUseFixture(t)
	runFlagCases(t, f, []flagCase{
		{"unregistered purpose", func(u *monitoring.Use) { u.Purpose = "marketing" }, []monitoring.Flag{monitoring.FlagPurposeNotRegistered}},
	})
}

func TestRecordUses_Flags_purpose_missing_R_PUR_1(t *testing.T) {
	f := newUseFixture(t)
	runFlagCases(t, f, []flagCase{
		{"no purpose", func(u *monitoring.Use) { u.Purpose = "" }, []monitoring.Flag{monitoring.FlagPurposeMissing}},
	})
}

func TestRecordUses_Flags_employee_not_covered_R_NOT_1(t *testing.T) {
	f := newUseFixture(t)
	runFlagCases(t, f, []flagCase{
		{"employee of another unit", func(u *monitoring.Use) { u.EmployeeStaffIDs = []string{"E2"} },
			[]monitoring.Flag{monitoring.FlagEmployeeNotCovered}},
		{"one of two outside", func(u *monitoring.Use) { u.EmployeeStaffIDs = []string{"E1", "E2"} },
			[]monitoring.Flag{monitoring.FlagEmployeeNotCovered}},
		{"unknown employee", func(u *monitoring.Use) { u.EmployeeStaffIDs = []string{"X9"} },
			[]monitoring.Flag{monitoring.FlagEmployeeNotCovered}},
		{"same employee twice", func(u *monitoring.Use) { u.EmployeeStaffIDs = []string{"E1", "E1"} }, nil},
	})
}

func TestRecordUses_Flags_retention_exceeded_R_RET_2(t *testing.T) {
	f := newUseFixture(t)
	runFlagCases(t, f, []flagCase{
		{"after call + 90 days", func(u *monitoring.Use) { u.CallStartedAt = u.OccurredAt.Add(-90*oneDay - time.Second) },
			[]monitoring.Flag{monitoring.FlagRetentionExceeded}},
		{"on the deadline", func(u *monitoring.Use) { u.CallStartedAt = u.OccurredAt.Add(-90 * oneDay) }, nil},
	})
}

func TestRecordUses_Flags_recording_deleted_R_RET_2(t *testing.T) {
	f := newUseFixture(t)
	ctx := t.Context()
	_, err := f.recs.RegisterRecordings(ctx, "hr@example.fi", []*monitoring.Recording{{
		Ref: "rec-deleted", CallStartedAt: testNow.Add(-10 * oneDay), Direction: monitoring.Inbound, ActivityID: f.act,
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.recs.ConfirmDeletion(ctx, "hr@example.fi", "rec-deleted", testNow.Add(-3*oneDay)); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name     string
		occurred time.Time
		want     []monitoring.Flag
	}{
		{"after deletion", testNow.Add(-oneDay), []monitoring.Flag{monitoring.FlagRecordingDeleted}},
		{"at deletion", testNow.Add(-3 * oneDay), []monitoring.Flag{monitoring.FlagRecordingDeleted}},
		{"before deletion", testNow.Add(-5 * oneDay), nil},
	} {
		u := f.use("", "rec-deleted")
		u.CallStartedAt, u.OccurredAt = testNow.Add(-10*oneDay), c.occurred
		if got := f.record(t, u)[0].Use.Flags; !slices.Equal(got, c.want) {
			t.Errorf("%s: flags = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestRecordUses_Invalid(t *testing.T) {
	f := newUseFixture(t)
	uses := []*monitoring.Use{f.use("a", "r"), f.use("b", "r"), f.use("c", "r"), f.use("d", "r")}
	uses[3].Purpose = "Not An Ident!"
	uses[1].Direction = "sideways"
	uses[2].Source = "fax"
	_, err := f.uses.RecordUses(t.Context(), uses)
	var me *monitoring.Error
	if !errors.As(err, &me) || me.Code != monitoring.Invalid {
		t.Fatalf("err = %v, want invalid", err)
	}
	want := map[string]string{"[3].purpose": "invalid", "[1].direction": "unknown_value", "[2].source": "unknown_value"}
	if !reflect.DeepEqual(me.Fields, want) {
		t.Errorf("fields = %v, want %v", me.Fields, want)
	}
	if n := countUseRows(t, f.d, "uses"); n != 0 {
		t.Errorf("%d uses written", n)
	}
	// Too many in one request.
	many := make([]*monitoring.Use, monitoring.MaxBatch+1)
	for i := range many {
		many[i] = f.use("", "r")
	}
	if _, err := f.uses.RecordUses(t.Context(), many); monitoring.ErrorCodeOf(err) != monitoring.Invalid {
		t.Errorf("batch of %d: err = %v", len(many), err)
	}
}

func TestRecordUses_UnknownActivity_WritesNothingOfRequest(t *testing.T) {
	f := newUseFixture(t)
	good, bad, corr := f.use("g", "rec-g"), f.use("b", "rec-b"), f.use("c", "rec-c")
	bad.ActivityID = 9999
	corr.Corrects = "01890a5d-ac96-774b-bcce-b302099a8057"
	_, err := f.uses.RecordUses(t.Context(), []*monitoring.Use{good, bad, corr})
	var me *monitoring.Error
	if !errors.As(err, &me) || me.Code != monitoring.Invalid {
		t.Fatalf("err = %v, want invalid", err)
	}
	want := map[string]string{"[1].activity_id": "not_found", "[2].corrects": "not_found"}
	if !reflect.DeepEqual(me.Fields, want) {
		t.Errorf("fields = %v, want %v", me.Fields, want)
	}
	for _, table := range []string{"uses", "use_employees", "use_flags", "recordings"} {
		if n := countUseRows(t, f.d, table); n != 0 {
			t.Errorf("%d rows in %s", n, table)
		}
	}
	// The writer goes on: a good request and a correction of it succeed.
	r := f.record(t, good)
	corr.Corrects = r[0].Use.ID
	if c := f.record(t, corr); c[0].Use.Corrects != r[0].Use.ID {
		t.Errorf("corrects = %q", c[0].Use.Corrects)
	}
	mustVerify(t, f.uses, 2)
}

func TestRecordUses_Idempotent_R_LOG_1(t *testing.T) {
	f := newUseFixture(t)
	first := f.record(t, f.use("ext-1", "rec-1"))[0]
	if first.Duplicate {
		t.Fatal("first use marked duplicate")
	}
	again := f.use("ext-1", "rec-1")
	again.Note = "a retry with another note"
	second := f.record(t, again)[0]
	if !second.Duplicate || second.Use.ID != first.Use.ID || second.Use.Note != "" || second.Use.Seq != first.Use.Seq {
		t.Errorf("second = %+v (dup %v), want the original %s", second.Use, second.Duplicate, first.Use.ID)
	}
	// Twice within one batch, and once more from another source.
	web := f.use("ext-2", "rec-1")
	web.Source = monitoring.SourceWeb
	rs := f.record(t, f.use("ext-2", "rec-1"), f.use("ext-2", "rec-1"), web, f.use("", "rec-1"), f.use("", "rec-1"))
	if rs[0].Duplicate || !rs[1].Duplicate || rs[1].Use.ID != rs[0].Use.ID {
		t.Errorf("batch duplicates: %v/%s, %v/%s", rs[0].Duplicate, rs[0].Use.ID, rs[1].Duplicate, rs[1].Use.ID)
	}
	if rs[2].Duplicate || rs[2].Use.ID == rs[0].Use.ID {
		t.Error("same external id from another source is a new use")
	}
	if rs[3].Duplicate || rs[4].Duplicate || rs[3].Use.ID == rs[4].Use.ID {
		t.Error("uses without external id are never duplicates")
	}
	if n := countUseRows(t, f.d, "uses"); n != 5 {
		t.Errorf("%d uses stored, want 5", n)
	}
	mustVerify(t, f.uses, 5)
}

// TestUseLog_RoundTrip_R_LOG_1: a use read back is exactly the use written,
// so its chain fields (times included) hash the same.
func TestUseLog_RoundTrip_R_LOG_1(t *testing.T) {
	f := newUseFixture(t)
	hki := time.FixedZone("EET", 2*3600)
	u := f.use("round-trip", "rec-rt")
	u.CallStartedAt = time.Date(2026, 11, 20, 9, 15, 7, 123456789, hki)
	u.OccurredAt = time.Date(2026, 11, 26, 23, 59, 59, 100000000, hki)
	u.EmployeeStaffIDs = []string{"E1", "E2", "Z-7"}
	u.Note = "Kuunneltu: ääni, \"lainaus\" ja\nrivinvaihto"
	u.Purpose = ""
	caller := *u
	got := f.record(t, u)[0].Use
	if !reflect.DeepEqual(*u, caller) {
		t.Error("RecordUses modified the caller's use")
	}
	stored, err := f.uses.FindUse(t.Context(), got.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(stored, got) {
		t.Errorf("stored\n%+v\nwant\n%+v", stored, got)
	}
	if !slices.Equal(stored.ChainFields(), got.ChainFields()) {
		t.Errorf("chain fields differ:\n%q\n%q", stored.ChainFields(), got.ChainFields())
	}
	if got.Seq != 1 || got.PrevHash != monitoring.GenesisHash || !got.RecordedAt.Equal(testNow) || got.Source != monitoring.SourceAPI {
		t.Errorf("seq %d prev %s recorded %s source %s", got.Seq, got.PrevHash, got.RecordedAt, got.Source)
	}
	if !monitoring.ValidUUID(got.ID) {
		t.Errorf("id %q is not a UUID", got.ID)
	}
	if _, err := f.uses.FindUse(t.Context(), "01890a5d-ac96-774b-bcce-b302099a8057"); monitoring.ErrorCodeOf(err) != monitoring.NotFound {
		t.Errorf("unknown id: err = %v", err)
	}
	if _, err := f.uses.FindUse(t.Context(), "x' OR 1=1"); monitoring.ErrorCodeOf(err) != monitoring.NotFound {
		t.Errorf("bad id: err = %v", err)
	}
	mustVerify(t, f.uses, 1)
}

func TestListUses(t *testing.T) {
	f := newUseFixture(t)
	ctx := t.Context()
	var want []string // ids, oldest first
	for i := range 12 {
		u := f.use("", fmt.Sprintf("rec-%d", i))
		u.OccurredAt = testNow.Add(-time.Duration(12-i) * time.Hour)
		if i%3 == 0 {
			u.EmployeeStaffIDs = []string{"E1", "E2"} // employee_not_covered
		}
		if i%4 == 0 {
			u.UsedBy = "other@example.fi" // unauthorized_user
		}
		want = append(want, f.record(t, u)[0].Use.ID)
	}
	slices.Reverse(want)
	ids := func(us []*monitoring.Use) []string {
		var out []string
		for _, u := range us {
			out = append(out, u.ID)
		}
		return out
	}
	// Pages of 5, newest first.
	var got []string
	var cursor int64
	for page := 0; ; page++ {
		us, next, err := f.uses.ListUses(ctx, monitoring.UseFilter{Limit: 5, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ids(us)...)
		if next == 0 {
			if page != 2 || len(us) != 2 {
				t.Errorf("last page %d has %d uses", page, len(us))
			}
			break
		}
		cursor = next
	}
	if !slices.Equal(got, want) {
		t.Errorf("pages = %v, want %v", got, want)
	}
	for _, c := range []struct {
		name string
		f    monitoring.UseFilter
		want []int // indexes in want (newest first)
	}{
		{"employee E2", monitoring.UseFilter{EmployeeStaffID: "E2"}, []int{2, 5, 8, 11}},
		{"flag unauthorized", monitoring.UseFilter{Flag: monitoring.FlagUnauthorizedUser}, []int{3, 7, 11}},
		{"used by", monitoring.UseFilter{UsedBy: "other@example.fi"}, []int{3, 7, 11}},
		{"employee and flag", monitoring.UseFilter{EmployeeStaffID: "E2", Flag: monitoring.FlagUnauthorizedUser}, []int{11}},
		{"activity", monitoring.UseFilter{ActivityID: f.act, Limit: 2}, []int{0, 1}},
		{"other activity", monitoring.UseFilter{ActivityID: f.act + 1}, nil},
		{"from to", monitoring.UseFilter{From: testNow.Add(-4 * time.Hour), To: testNow.Add(-2 * time.Hour)}, []int{2, 3}},
	} {
		us, _, err := f.uses.ListUses(ctx, c.f)
		if err != nil {
			t.Fatal(err)
		}
		var w []string
		for _, i := range c.want {
			w = append(w, want[i])
		}
		if g := ids(us); !slices.Equal(g, w) {
			t.Errorf("%s: got %v, want %v", c.name, g, w)
		}
	}
	if _, _, err := f.uses.ListUses(ctx, monitoring.UseFilter{Flag: "bogus"}); monitoring.ErrorCodeOf(err) != monitoring.Invalid {
		t.Errorf("bogus flag: err = %v", err)
	}
}

// TestUseLog_Concurrent_R_LOG_1: many writers at once all succeed (no
// SQLITE_BUSY), nothing is lost and the chain verifies.
func TestUseLog_Concurrent_R_LOG_1(t *testing.T) {
	f := newUseFixture(t)
	const goroutines, calls = 32, 30
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		total int
		ids   = map[string]bool{}
		errs  []error
	)
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rnd := rand.New(rand.NewPCG(uint64(g), 1))
			for c := range calls {
				n := 1 + rnd.IntN(5)
				uses := make([]*monitoring.Use, n)
				for i := range uses {
					uses[i] = f.use(fmt.Sprintf("g%d-c%d-u%d", g, c, i), fmt.Sprintf("rec-%d", rnd.IntN(50)))
				}
				rs, err := f.uses.RecordUses(context.Background(), uses)
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				}
				total += n
				for _, r := range rs {
					ids[r.Use.ID] = true
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("%d errors, first: %v", len(errs), errs[0])
	}
	if n := countUseRows(t, f.d, "uses"); n != total || len(ids) != total {
		t.Errorf("%d uses stored, %d distinct ids answered, want %d", n, len(ids), total)
	}
	mustVerify(t, f.uses, int64(total))
}

// TestRecordUses_BadRequestsAmongGood: requests committed in the same
// groups as failing ones are unaffected.
func TestRecordUses_BadRequestsAmongGood_R_LOG_1(t *testing.T) {
	f := newUseFixture(t)
	const n = 40
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			uses := []*monitoring.Use{f.use("", fmt.Sprintf("rec-%d", i)), f.use("", fmt.Sprintf("rec-%d", i))}
			if i%2 == 1 {
				uses[1].ActivityID = 424242
			}
			_, errs[i] = f.uses.RecordUses(context.Background(), uses)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if i%2 == 0 && err != nil {
			t.Errorf("good request %d: %v", i, err)
		}
		if i%2 == 1 {
			var me *monitoring.Error
			if !errors.As(err, &me) || me.Fields["[1].activity_id"] != monitoring.MsgNotFound {
				t.Errorf("bad request %d: err = %v", i, err)
			}
		}
	}
	if got := countUseRows(t, f.d, "uses"); got != n {
		t.Errorf("%d uses, want %d", got, n)
	}
	if got := countUseRows(t, f.d, "recordings"); got != n/2 {
		t.Errorf("%d recordings, want %d", got, n/2)
	}
	mustVerify(t, f.uses, n)
}

// TestRecordUses_CancelledCallers: a caller that gives up does not lose or
// corrupt anything; a retry with the same external ids completes the log.
func TestRecordUses_CancelledCallers_R_LOG_1(t *testing.T) {
	f := newUseFixture(t)
	if _, err := f.uses.RecordUses(cancelledContext(), []*monitoring.Use{f.use("never", "r")}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: err = %v", err)
	}
	const n = 40
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i == n/2 {
				cancel()
			}
			f.uses.RecordUses(ctx, []*monitoring.Use{f.use(fmt.Sprintf("c-%d", i), "r")})
		}()
	}
	wg.Wait()
	for i := range n {
		f.record(t, f.use(fmt.Sprintf("c-%d", i), "r"))
	}
	if got := countUseRows(t, f.d, "uses"); got != n {
		t.Errorf("%d uses, want %d", got, n)
	}
	mustVerify(t, f.uses, n)
}

func cancelledContext() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

// TestUseWriter_StopCommitsQueued: closing the database while writers are
// busy commits every request it answered; afterwards RecordUses fails.
func TestUseWriter_StopCommitsQueued_R_LOG_1(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "vaaka.db")
	d, err := db.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	d.Now = func() time.Time { return testNow }
	reg := db.NewRegisterService(d)
	a := useActivity("Stop test")
	if err := reg.CreateActivity(ctx, "hr@example.fi", a); err != nil {
		t.Fatal(err)
	}
	f := &useFixture{d: d, uses: db.NewUseService(d), act: a.ID}
	f.record(t, f.use("warm-up", "r"))
	const n = 64
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		answered []string
		started  = make(chan struct{}, n)
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			started <- struct{}{}
			rs, err := f.uses.RecordUses(ctx, []*monitoring.Use{f.use(fmt.Sprintf("s-%d", i), "r"), f.use("", "r")})
			if err == nil {
				mu.Lock()
				for _, r := range rs {
					answered = append(answered, r.Use.ID)
				}
				mu.Unlock()
			}
		}()
	}
	for range n / 2 {
		<-started
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if _, err := f.uses.RecordUses(ctx, []*monitoring.Use{f.use("late", "r")}); err == nil {
		t.Error("RecordUses after Close succeeded")
	}

	d, err = db.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	uses := db.NewUseService(d)
	for _, id := range answered {
		if _, err := uses.FindUse(ctx, id); err != nil {
			t.Errorf("answered use %s: %v", id, err)
		}
	}
	r, err := uses.VerifyUses(ctx)
	if err != nil || !r.OK || r.Checked != int64(len(answered)+1) {
		t.Errorf("VerifyUses = %+v, %v; answered %d", r, err, len(answered))
	}
	t.Logf("%d of %d requests answered before close", len(answered)/2, n)
}

// TestUseLog_Tampering_R_LOG_1: the chain detects a changed, a removed and
// two swapped rows, and a row rewritten in a non-canonical form.
func TestUseLog_Tampering_R_LOG_1(t *testing.T) {
	for _, c := range []struct {
		name     string
		tamper   []string
		firstBad int64
		reason   string
	}{
		{"changed note", []string{`UPDATE uses SET note = 'nothing to see' WHERE seq = 3`}, 3, "hash"},
		{"changed flags", []string{`UPDATE uses SET flags = 0 WHERE seq = 4`}, 4, "hash"},
		{"removed row", []string{`DELETE FROM uses WHERE seq = 3`}, 4, "gap"},
		{"removed last rows", []string{`DELETE FROM uses WHERE seq >= 4`}, 0, ""}, // truncation: see below
		{"swapped rows", []string{
			`CREATE TEMP TABLE t AS SELECT * FROM uses WHERE seq IN (2, 4)`,
			`DELETE FROM uses WHERE seq IN (2, 4)`,
			`INSERT INTO uses SELECT 6 - seq, id, source, external_id, activity_id, recording_ref, call_started_at, direction,
				employee_staff_ids, used_by, action, purpose, note, occurred_at, recorded_at, corrects, flags, prev_hash, hash FROM t`,
		}, 2, "prev_hash"},
		{"non-canonical time", []string{`UPDATE uses SET occurred_at = replace(occurred_at, '.000000000Z', 'Z') WHERE seq = 2`}, 2, "hash"},
		{"unknown flag bit", []string{`UPDATE uses SET flags = flags | 1024 WHERE seq = 5`}, 5, "hash"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newUseFixture(t)
			for i := range 5 {
				u := f.use(fmt.Sprintf("t-%d", i), "rec")
				u.Note = fmt.Sprintf("note %d", i)
				if i == 3 {
					u.UsedBy = "other@example.fi" // flagged
				}
				f.record(t, u)
			}
			mustVerify(t, f.uses, 5)
			raw := rawUseDB(t, f.d)
			raw.SetMaxOpenConns(1) // the temp table lives on one connection
			for _, q := range append([]string{`DROP TRIGGER uses_no_update`, `DROP TRIGGER uses_no_delete`}, c.tamper...) {
				if _, err := raw.Exec(q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			r, err := f.uses.VerifyUses(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if c.firstBad == 0 {
				// Removing the newest entries leaves a valid shorter chain:
				// only the count (or an external receipt) reveals it.
				if !r.OK || r.Checked != 3 {
					t.Errorf("report = %+v", r)
				}
				return
			}
			if r.OK || r.FirstBad != c.firstBad || r.Reason != c.reason {
				t.Errorf("report = %+v, want first bad %d (%s)", r, c.firstBad, c.reason)
			}
		})
	}
}

// TestUseLog_AppendOnly_R_LOG_1: the triggers refuse changes to the log.
func TestUseLog_AppendOnly_R_LOG_1(t *testing.T) {
	f := newUseFixture(t)
	u := f.use("a", "rec")
	u.Purpose = "" // a flag row too
	f.record(t, u)
	raw := rawUseDB(t, f.d)
	for _, q := range []string{
		`UPDATE uses SET note = 'x'`, `DELETE FROM uses`,
		`UPDATE use_employees SET staff_id = 'E2'`, `DELETE FROM use_employees`,
		`DELETE FROM use_flags`, `UPDATE use_flags SET flag = 'x'`,
	} {
		_, err := raw.Exec(q)
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: err = %v, want append-only", q, err)
		}
	}
	mustVerify(t, f.uses, 1)
}

func BenchmarkRecordUses(b *testing.B) {
	b.Run("single", func(b *testing.B) {
		f := newUseFixture(b)
		ctx := context.Background()
		i := 0
		for b.Loop() {
			i++
			if _, err := f.uses.RecordUses(ctx, []*monitoring.Use{f.use(fmt.Sprintf("b-%d", i), fmt.Sprintf("rec-%d", i%100))}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("single_parallel", func(b *testing.B) {
		f := newUseFixture(b)
		var mu sync.Mutex
		i := 0
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				mu.Lock()
				i++
				ext := fmt.Sprintf("p-%d", i)
				mu.Unlock()
				if _, err := f.uses.RecordUses(context.Background(), []*monitoring.Use{f.use(ext, "rec")}); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	b.Run("batch1000", func(b *testing.B) {
		f := newUseFixture(b)
		ctx := context.Background()
		i := 0
		for b.Loop() {
			uses := make([]*monitoring.Use, 1000)
			for j := range uses {
				i++
				uses[j] = f.use(fmt.Sprintf("b-%d", i), fmt.Sprintf("rec-%d", i%100))
			}
			if _, err := f.uses.RecordUses(ctx, uses); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "uses/s")
	})
}
