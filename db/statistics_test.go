package db_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"vaaka/db"
	"vaaka/monitoring"
)

// The representatives' statistics (SPEC "Aggregates for representatives";
// R-LOG-1, data minimisation): a property test over random organisations
// and uses written through the real use writer, so that the rollups are
// the real ones, with the truth computed independently from the uses.

// statOrg is a random organisation with its uses and the truth to check
// the statistics against.
type statOrg struct {
	d     *db.DB
	uses  *db.UseService
	stats *db.StatisticsService
	acts  []int64
	// unitAt is every employee's unit timeline (known employees only).
	moves   map[string][]statMove
	written []*monitoring.Use // as stored (flags, seq)
}

type statMove struct {
	from time.Time
	unit string
}

func (o *statOrg) unitAt(staff string, t time.Time) string {
	unit := ""
	for _, m := range o.moves[staff] {
		if !m.from.After(t) {
			unit = m.unit
		}
	}
	return unit
}

// newStatOrg builds an organisation of random size and records n random
// uses over the 20 to 80 days before testNow, moving one employee to another
// unit half-way.
func newStatOrg(t *testing.T, r *rand.Rand, n int) *statOrg {
	t.Helper()
	ctx := context.Background()
	d := MustOpenDB(t)
	o := &statOrg{d: d, uses: db.NewUseService(d), stats: db.NewStatisticsService(d), moves: map[string][]statMove{}}
	reg, es := db.NewRegisterService(d), db.NewEmployeeService(d)
	created := testNow.AddDate(-1, 0, 0)
	d.Now = func() time.Time { return created }
	units := []string{"Myynti", "Tuki", "Laskutus", "Perintä", "Vakuutus"}[:1+r.IntN(4)]
	nEmp := 3 + r.IntN(28)
	var staff []string
	for i := range nEmp {
		id := fmt.Sprintf("E%02d", i)
		u := units[r.IntN(len(units))]
		if err := es.CreateEmployee(ctx, "hr@example.fi", &monitoring.Employee{StaffID: id, Name: "Työntekijä " + id,
			Unit: u, Language: monitoring.Finnish, Active: true}); err != nil {
			t.Fatal(err)
		}
		staff = append(staff, id)
		o.moves[id] = []statMove{{created, u}}
	}
	staff = append(staff, "X1", "X2") // unknown to the register: unit ""
	for i := range 1 + r.IntN(3) {
		a := useActivity(fmt.Sprintf("Tallennus %d", i))
		a.Purposes = append(a.Purposes, monitoring.Purpose{Code: "training", Description: "Perehdytys"})
		if err := reg.CreateActivity(ctx, "hr@example.fi", a); err != nil {
			t.Fatal(err)
		}
		if err := reg.SeedStatus(ctx, a.ID, monitoring.StatusActive, created.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		o.acts = append(o.acts, a.ID)
	}
	start := testNow.AddDate(0, 0, -20-r.IntN(60))
	span := testNow.Add(-time.Hour).Sub(start)
	mid := start.Add(span / 2)
	times := make([]time.Time, n)
	for i := range times {
		times[i] = start.Add(time.Duration(r.Int64N(int64(span)))).Truncate(time.Second)
	}
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	moved := false
	purposes := []string{"quality", "quality", "quality", "training", "", "marketing"}
	batch := []*monitoring.Use{}
	flush := func() {
		if len(batch) == 0 {
			return
		}
		res, err := o.uses.RecordUses(ctx, batch)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range res {
			o.written = append(o.written, x.Use)
		}
		batch = batch[:0]
	}
	for i, at := range times {
		d.Now = func() time.Time { return at.Add(time.Minute) }
		if !moved && at.After(mid) {
			flush()
			moved = true
			who := staff[r.IntN(nEmp)]
			to := units[r.IntN(len(units))]
			d.Now = func() time.Time { return mid }
			if _, err := es.UpdateEmployee(ctx, "hr@example.fi", who, monitoring.EmployeeUpdate{Unit: &to}); err != nil {
				t.Fatal(err)
			}
			o.moves[who] = append(o.moves[who], statMove{mid, to})
			d.Now = func() time.Time { return at.Add(time.Minute) }
		}
		// Skewed: a few employees take most uses.
		pick := func() string {
			return staff[min(int(r.ExpFloat64()*float64(len(staff))/(1+r.Float64()*3)), len(staff)-1)]
		}
		emps := []string{pick()}
		if r.IntN(6) == 0 {
			if e := pick(); e != emps[0] {
				emps = append(emps, e)
			}
		}
		u := &monitoring.Use{
			ExternalID: fmt.Sprintf("p-%d", i), ActivityID: o.acts[r.IntN(len(o.acts))], RecordingRef: fmt.Sprintf("rec-%d", r.IntN(n)),
			CallStartedAt: at.Add(-time.Hour), Direction: monitoring.Inbound, EmployeeStaffIDs: emps,
			UsedBy: useSupervisor, Action: monitoring.Listened, Purpose: purposes[r.IntN(len(purposes))], OccurredAt: at,
		}
		if r.IntN(8) == 0 {
			u.UsedBy = "outsider@example.fi" // unauthorized_user
		}
		batch = append(batch, u)
		if len(batch) >= 1+r.IntN(40) {
			flush()
		}
	}
	flush()
	d.Now = func() time.Time { return testNow }
	return o
}

// statTruth is one cell's true uses and employees.
type statTruth struct {
	uses  map[int64]bool
	staff map[string]bool
}

func (s *statTruth) add(seq int64, staff string) {
	if s.uses == nil {
		s.uses, s.staff = map[int64]bool{}, map[string]bool{}
	}
	s.uses[seq] = true
	s.staff[staff] = true
}

type statTruthKey struct {
	act                  int64
	purpose, unit, month string
	flag                 monitoring.Flag // "" every use
}

// truth computes the cells from the stored uses, without the rollups.
func (o *statOrg) truth(keep func(*monitoring.Use) bool) map[statTruthKey]*statTruth {
	out := map[statTruthKey]*statTruth{}
	for _, u := range o.written {
		if !keep(u) {
			continue
		}
		for _, s := range u.EmployeeStaffIDs {
			k := statTruthKey{u.ActivityID, u.Purpose, o.unitAt(s, u.OccurredAt), u.OccurredAt.UTC().Format("2006-01"), ""}
			for _, f := range append([]monitoring.Flag{""}, u.Flags...) {
				k.flag = f
				if out[k] == nil {
					out[k] = &statTruth{}
				}
				out[k].add(u.Seq, s)
			}
		}
	}
	return out
}

// checkStatistics is the property: no number is shown for a cell, a flag
// value or a month total whose true distinct employees are fewer than
// MinEmployees; every shown number equals the truth; and where a month
// total is shown, its hidden cells together concern at least MinEmployees
// employees (no small group recovered by subtraction).
func checkStatistics(t *testing.T, st *monitoring.Statistics, truth map[statTruthKey]*statTruth) {
	t.Helper()
	seen := map[statTruthKey]bool{}
	type mk struct {
		act   int64
		month string
		flag  monitoring.Flag
	}
	monthStaff := map[mk]map[string]bool{}
	for k, v := range truth {
		m := mk{k.act, k.month, k.flag}
		if monthStaff[m] == nil {
			monthStaff[m] = map[string]bool{}
		}
		for s := range v.staff {
			monthStaff[m][s] = true
		}
	}
	// Month uses: the sum over cells (a use with employees of two units
	// counts in both).
	monthSum := map[mk]int64{}
	for k, v := range truth {
		monthSum[mk{k.act, k.month, k.flag}] += int64(len(v.uses))
	}
	check := func(what string, v monitoring.StatValue, uses, staff int64) {
		t.Helper()
		if staff < monitoring.MinEmployees {
			if !v.Suppressed {
				t.Errorf("%s: %d employees but shown as %v", what, staff, v)
			}
		}
		if v.Suppressed {
			if v.Count != 0 || v.Employees != 0 {
				t.Errorf("%s: suppressed but carries numbers %d/%d", what, v.Count, v.Employees)
			}
			return
		}
		if v.Count != uses {
			t.Errorf("%s: shows %d uses, truth %d", what, v.Count, uses)
		}
		if staff >= monitoring.MinEmployees && v.Employees != 0 && v.Employees != staff && what[:4] == "cell" {
			t.Errorf("%s: shows %d employees, truth %d", what, v.Employees, staff)
		}
	}
	hiddenStaff := map[mk]map[string]bool{}
	for _, c := range st.Cells {
		k := statTruthKey{c.ActivityID, c.Purpose, c.Unit, c.Month, ""}
		tr := truth[k]
		if tr == nil {
			t.Errorf("cell %+v has no uses in truth", k)
			continue
		}
		seen[k] = true
		check(fmt.Sprintf("cell %v", k), c.Uses, int64(len(tr.uses)), int64(len(tr.staff)))
		for _, f := range c.Flags {
			fk := k
			fk.flag = f.Flag
			var uses, staff int64
			if ft := truth[fk]; ft != nil {
				uses, staff = int64(len(ft.uses)), int64(len(ft.staff))
				seen[fk] = true
			}
			if staff == 0 && !c.Uses.Suppressed {
				if f.Count != 0 {
					t.Errorf("cell %v flag %s: %v, truth none", k, f.Flag, f.StatValue)
				}
				continue
			}
			check(fmt.Sprintf("cell %v flag %s", k, f.Flag), f.StatValue, uses, staff)
		}
		for _, f := range append([]monitoring.StatFlag{{StatValue: c.Uses}}, c.Flags...) {
			if f.Suppressed {
				m := mk{c.ActivityID, c.Month, f.Flag}
				if hiddenStaff[m] == nil {
					hiddenStaff[m] = map[string]bool{}
				}
				fk := k
				fk.flag = f.Flag
				if ft := truth[fk]; ft != nil {
					for s := range ft.staff {
						hiddenStaff[m][s] = true
					}
				}
			}
		}
	}
	for k := range truth {
		if !seen[k] {
			t.Errorf("truth cell %+v missing from the statistics", k)
		}
	}
	for _, m := range st.Months {
		for _, f := range append([]monitoring.StatFlag{{StatValue: m.Uses}}, m.Flags...) {
			key := mk{m.ActivityID, m.Month, f.Flag}
			staff := int64(len(monthStaff[key]))
			if staff == 0 && f.Flag != "" {
				if f.Count != 0 {
					t.Errorf("month %v: %v, truth none", key, f.StatValue)
				}
				continue
			}
			check(fmt.Sprintf("month %v", key), f.StatValue, monthSum[key], staff)
			if !f.Suppressed && len(hiddenStaff[key]) > 0 && len(hiddenStaff[key]) < monitoring.MinEmployees {
				t.Errorf("month %v shown while its hidden cells concern only %d employees: recoverable by subtraction", key, len(hiddenStaff[key]))
			}
		}
	}
}

// TestStatistics_SuppressesCellsBelowFiveEmployees_R_LOG_1 is the property
// test of SPEC "Aggregates for representatives": over random organisations
// the statistics never show a number for fewer than five employees and
// show the true counts otherwise — also after the retention job removed
// the oldest uses (rollupRemove).
func TestStatistics_SuppressesCellsBelowFiveEmployees_R_LOG_1(t *testing.T) {
	for seed := range uint64(10) {
		t.Run(fmt.Sprintf("seed%d", seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 42))
			o := newStatOrg(t, r, 150+r.IntN(500))
			ctx := t.Context()
			if err := o.d.CheckRollups(ctx); err != nil {
				t.Fatal(err)
			}
			f := monitoring.StatisticsFilter{From: testNow.AddDate(0, -6, 0).Format("2006-01"), To: testNow.Format("2006-01")}
			st, err := o.stats.Statistics(ctx, f, testNow)
			if err != nil {
				t.Fatal(err)
			}
			all := func(*monitoring.Use) bool { return true }
			checkStatistics(t, st, o.truth(all))
			shown, hidden := 0, 0
			for _, c := range st.Cells {
				if c.Uses.Suppressed {
					hidden++
				} else {
					shown++
				}
			}
			t.Logf("%d uses, %d cells shown, %d suppressed", len(o.written), shown, hidden)

			// The retention job removes the oldest third.
			cut := o.written[len(o.written)/3].Seq
			if err := db.PurgeUsesForTest(ctx, o.d, 1, cut); err != nil {
				t.Fatal(err)
			}
			if err := o.d.CheckRollups(ctx); err != nil {
				t.Fatalf("after rollupRemove: %v", err)
			}
			st, err = o.stats.Statistics(ctx, f, testNow)
			if err != nil {
				t.Fatal(err)
			}
			checkStatistics(t, st, o.truth(func(u *monitoring.Use) bool { return u.Seq > cut }))
		})
	}
}

// TestRollups_RemoveRange_Invariant_R_LOG_2: taking a range out of the
// middle of the log keeps every rollup equal to its rebuild, including
// the per-employee and weekly ones of 0009.
func TestRollups_RemoveRange_Invariant_R_LOG_2(t *testing.T) {
	f := newUseFixture(t)
	recordVariedUses(t, f)
	ctx := t.Context()
	before := countUseRows(t, f.d, "use_rollup_employees")
	if before == 0 || countUseRows(t, f.d, "use_week_rollup") == 0 {
		t.Fatal("0009 rollups empty")
	}
	if err := db.PurgeUsesForTest(ctx, f.d, 5, 20); err != nil {
		t.Fatal(err)
	}
	if err := f.d.CheckRollups(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.PurgeUsesForTest(ctx, f.d, 1, 1<<40); err != nil {
		t.Fatal(err)
	}
	if err := f.d.CheckRollups(ctx); err != nil {
		t.Fatal(err)
	}
	if n := countUseRows(t, f.d, "use_rollup_employees"); n != 0 {
		t.Errorf("%d employee rows left after removing every use", n)
	}
	// A changed employee row is found.
	recordVariedUses(t, f)
	raw := rawUseDB(t, f.d)
	if _, err := raw.Exec(`UPDATE use_rollup SET employees = employees + 1 WHERE (activity_id, purpose, unit, month, flag) =
		(SELECT activity_id, purpose, unit, month, flag FROM use_rollup WHERE n > 0 ORDER BY 1, 2, 3, 4, 5 LIMIT 1)`); err != nil {
		t.Fatal(err)
	}
	if err := f.d.CheckRollups(ctx); err == nil {
		t.Error("CheckRollups after a changed employees count: no error")
	}
}

// TestStatistics_Charts: the weekly series counts the uses per activity
// and flag of the last 12 weeks and the deletions due and done.
func TestStatistics_Charts(t *testing.T) {
	f := newUseFixture(t)
	recordVariedUses(t, f)
	ctx := t.Context()
	cs, err := db.NewStatisticsService(f.d).Charts(ctx, 0, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs.Weeks) != monitoring.ChartWeeks || cs.Weeks[len(cs.Weeks)-1].Week != monitoring.WeekStart(testNow) {
		t.Fatalf("weeks = %d, last %v", len(cs.Weeks), cs.Weeks[len(cs.Weeks)-1].Week)
	}
	all, _, err := f.uses.ListUses(ctx, monitoring.UseFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	want, wantFlags := int64(0), int64(0)
	first := cs.Weeks[0].Week
	for _, u := range all {
		if !u.OccurredAt.Before(first) {
			want++
			if slices.Contains(u.Flags, monitoring.FlagPurposeMissing) {
				wantFlags++
			}
		}
	}
	var got, gotFlags int64
	for _, w := range cs.Weeks {
		got += w.Total
		gotFlags += w.Flags[monitoring.FlagPurposeMissing]
	}
	if got != want || gotFlags != wantFlags || want == 0 {
		t.Errorf("chart uses = %d (purpose_missing %d), want %d (%d)", got, gotFlags, want, wantFlags)
	}
	// Deletions: confirmed, held and released recordings keep the
	// trigger-kept weekly rollup equal to its rebuild.
	if _, err := f.recs.ConfirmDeletion(ctx, "hr@example.fi", "rec-v-1", testNow.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	holds := db.NewHoldService(f.d)
	if _, err := holds.SetHold(ctx, "hr@example.fi", "rec-v-2", "Riita-asia"); err != nil {
		t.Fatal(err)
	}
	if _, err := holds.SetHold(ctx, "hr@example.fi", "rec-v-3", "Riita-asia"); err != nil {
		t.Fatal(err)
	}
	if _, err := holds.ReleaseHold(ctx, "hr@example.fi", "rec-v-3", "Ratkaistu"); err != nil {
		t.Fatal(err)
	}
	if err := f.d.CheckRollups(ctx); err != nil {
		t.Fatal(err)
	}
	cs, err = db.NewStatisticsService(f.d).Charts(ctx, 0, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if last := cs.Weeks[len(cs.Weeks)-1]; last.DeletionsDone != 1 {
		t.Errorf("deletions done this week = %d, want 1", last.DeletionsDone)
	}
	one, err := db.NewStatisticsService(f.d).Charts(ctx, f.act, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if one.FewEmployees != true { // E1, E2 and E9 only
		t.Error("an activity of three employees: FewEmployees = false")
	}
}

// TestStatistics_ConcurrentReaders: the statistics read on two connections
// at once (cells and overdue). Many more concurrent readers than the read
// pool has connections all get the same answer, and none waits for a
// connection while holding another (a pool deadlock would end in the
// deadline).
func TestStatistics_ConcurrentReaders(t *testing.T) {
	o := newStatOrg(t, rand.New(rand.NewPCG(7, 42)), 300)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	f := monitoring.StatisticsFilter{From: testNow.AddDate(0, -6, 0).Format("2006-01"), To: testNow.Format("2006-01")}
	want, err := o.stats.Statistics(ctx, f, testNow)
	if err != nil {
		t.Fatal(err)
	}
	const readers = 32
	errs := make(chan error, readers)
	for range readers {
		go func() {
			st, err := o.stats.Statistics(ctx, f, testNow)
			if err == nil && !reflect.DeepEqual(st, want) {
				err = fmt.Errorf("a concurrent reader got other statistics")
			}
			errs <- err
		}()
	}
	for range readers {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

// The statistics keep the months they have read while each month's
// version (migration 0012) stands. A month that gains uses, months that
// lose uses to the retention job, and months changed through another
// handle on the file (as another process, `vaaka purge-log` or a second
// server, would) are read again: every answer equals the truth.
func TestStatistics_MonthsReadAgainWhenChanged(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 42))
	o := newStatOrg(t, r, 400)
	ctx := t.Context()
	o.d.Now = func() time.Time { return testNow }
	f := monitoring.StatisticsFilter{From: testNow.AddDate(0, -6, 0).Format("2006-01"), To: testNow.Format("2006-01")}
	keep := func(*monitoring.Use) bool { return true }
	check := func(step string) {
		t.Helper()
		for range 2 { // read, then served from memory
			st, err := o.stats.Statistics(ctx, f, testNow)
			if err != nil {
				t.Fatalf("%s: %v", step, err)
			}
			if t.Run(step, func(t *testing.T) { checkStatistics(t, st, o.truth(keep)) }); t.Failed() {
				t.FailNow()
			}
		}
	}
	// more records uses like random ones already written (same activity,
	// purpose, employees and month) through uses.
	more := func(uses *db.UseService, n int, tag string) {
		t.Helper()
		var batch []*monitoring.Use
		for i := range n {
			w := o.written[r.IntN(len(o.written))]
			batch = append(batch, &monitoring.Use{ExternalID: fmt.Sprintf("%s-%d", tag, i), ActivityID: w.ActivityID,
				RecordingRef: fmt.Sprintf("%s-rec-%d", tag, i), CallStartedAt: w.CallStartedAt, Direction: w.Direction,
				EmployeeStaffIDs: w.EmployeeStaffIDs, UsedBy: w.UsedBy, Action: w.Action, Purpose: w.Purpose, OccurredAt: w.OccurredAt})
		}
		res, err := uses.RecordUses(ctx, batch)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range res {
			o.written = append(o.written, x.Use)
		}
	}
	check("first read")
	more(o.uses, 40, "more")
	check("after new uses")
	cut := o.written[len(o.written)/3].Seq
	if err := db.PurgeUsesForTest(ctx, o.d, 1, cut); err != nil {
		t.Fatal(err)
	}
	keep = func(u *monitoring.Use) bool { return u.Seq > cut }
	check("after the retention job")
	other, err := db.Open(o.d.Path())
	if err != nil {
		t.Fatal(err)
	}
	other.Now = o.d.Now
	more(db.NewUseService(other), 30, "other")
	if err := other.Close(); err != nil {
		t.Fatal(err)
	}
	check("after another handle wrote")
}

// The overdue deletions of the statistics and the dashboard (R-RET-2): per
// activity the recordings past their deadline, neither deleted nor held,
// and whether they concern at least five employees (fewer: suppressed).
func TestStatistics_OverdueDeletions_R_RET_2(t *testing.T) {
	f := newUseFixture(t)
	ctx := t.Context()
	reg := db.NewRegisterService(f.d)
	f.d.Now = func() time.Time { return testNow.Add(-60 * oneDay) }
	b, none := useActivity("Toinen tallennus"), useActivity("Ei erääntyneitä")
	for _, a := range []*monitoring.Activity{b, none} {
		if err := reg.CreateActivity(ctx, "hr@example.fi", a); err != nil {
			t.Fatal(err)
		}
	}
	f.d.Now = func() time.Time { return testNow }
	rec := func(ref string, act int64, staff string, daysAgo int) *monitoring.Recording {
		return &monitoring.Recording{Ref: ref, CallStartedAt: testNow.Add(-time.Duration(daysAgo) * oneDay),
			Direction: monitoring.Inbound, ActivityID: act, EmployeeStaffID: staff}
	}
	var rs []*monitoring.Recording
	for i := range 7 { // activity 1: seven overdue, six employees
		rs = append(rs, rec(fmt.Sprintf("a-%d", i), f.act, fmt.Sprintf("S%d", min(i, 5)), 95+i))
	}
	rs = append(rs, rec("a-held", f.act, "S9", 120), rec("a-deleted", f.act, "S9", 120), rec("a-young", f.act, "S9", 10))
	for i := range 3 { // activity 2: three overdue, two employees
		rs = append(rs, rec(fmt.Sprintf("b-%d", i), b.ID, fmt.Sprintf("S%d", i%2), 100))
	}
	if _, err := f.recs.RegisterRecordings(ctx, "hr@example.fi", rs); err != nil {
		t.Fatal(err)
	}
	if _, err := f.recs.ConfirmDeletion(ctx, "hr@example.fi", "a-deleted", testNow.Add(-oneDay)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.NewHoldService(f.d).SetHold(ctx, "hr@example.fi", "a-held", "Riita-asia"); err != nil {
		t.Fatal(err)
	}
	st, err := db.NewStatisticsService(f.d).Statistics(ctx, monitoring.StatisticsFilter{}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]monitoring.StatValue{}
	for _, o := range st.Overdue {
		got[o.ActivityID] = o.Recordings
	}
	if v := got[f.act]; v.Suppressed || v.Count != 7 {
		t.Errorf("activity %d: %+v, want 7 recordings shown", f.act, v)
	}
	if v := got[b.ID]; !v.Suppressed || v.Count != 0 {
		t.Errorf("activity %d: %+v, want suppressed (two employees)", b.ID, v)
	}
	if v, ok := got[none.ID]; ok || len(st.Overdue) != 2 {
		t.Errorf("activity %d without overdue recordings listed (%+v); %d activities listed, want 2", none.ID, v, len(st.Overdue))
	}
	d, err := db.NewDashboardService(f.d).Dashboard(ctx, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if d.OverdueDeletions != 10 {
		t.Errorf("dashboard: %d overdue, want 10", d.OverdueDeletions)
	}
}
