package db_test

import (
	"database/sql"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"vaaka/cooperation"
	"vaaka/db"
	"vaaka/monitoring"
)

// noticeFixture is a coopFixture (a complete activity affecting
// "Asiakaspalvelu") with notices and employees: E1 (fi), E2 (sv) and E5
// (en, no e-mail) active in the unit, E3 inactive in it, E4 in another unit.
type noticeFixture struct {
	*coopFixture
	notices *db.NoticeService
	emps    *db.EmployeeService
	raw     *sql.DB
}

func newNoticeFixture(t *testing.T) *noticeFixture {
	t.Helper()
	f := &noticeFixture{coopFixture: newCoopFixture(t)}
	f.notices, f.emps = db.NewNoticeService(f.d), db.NewEmployeeService(f.d)
	f.raw = rawUseDB(t, f.d)
	for _, e := range []*monitoring.Employee{
		noticeEmployee("E1", "Anna Aalto", "Asiakaspalvelu", monitoring.Finnish, true),
		noticeEmployee("E2", "Björn Berg", "Asiakaspalvelu", monitoring.Swedish, true),
		noticeEmployee("E3", "Cecilia Croft", "Asiakaspalvelu", monitoring.Finnish, false),
		noticeEmployee("E4", "Daniel Dahl", "Myynti", monitoring.Finnish, true),
		noticeEmployee("E5", "Eve Evans", "Asiakaspalvelu", monitoring.English, true),
	} {
		if e.StaffID == "E5" {
			e.Email = ""
		}
		if err := f.emps.CreateEmployee(t.Context(), coopHR, e); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func noticeEmployee(id, name, unit string, lang monitoring.Language, active bool) *monitoring.Employee {
	return &monitoring.Employee{StaffID: id, Name: name, Email: strings.ToLower(id) + "@example.fi", Unit: unit,
		Language: lang, Active: active}
}

// at sets the fixture's clock.
func (f *noticeFixture) at(t time.Time) { f.d.Now = func() time.Time { return t } }

func (f *noticeFixture) issue(t *testing.T, intro time.Time) *monitoring.Notice {
	t.Helper()
	n := &monitoring.Notice{ActivityID: f.act.ID, IntroductionOn: intro}
	if err := f.notices.IssueNotice(t.Context(), coopHR, n); err != nil {
		t.Fatal(err)
	}
	return n
}

func (f *noticeFixture) recipients(t *testing.T, id int64, filter monitoring.RecipientFilter) map[string]*monitoring.NoticeRecipient {
	t.Helper()
	rs, next, err := f.notices.Recipients(t.Context(), id, filter)
	if err != nil || next != "" {
		t.Fatalf("recipients: %v (next %q)", err, next)
	}
	out := map[string]*monitoring.NoticeRecipient{}
	for _, r := range rs {
		out[r.StaffID] = r
	}
	return out
}

// outbox lists the queued mails of kind as "to|language|ref".
func (f *noticeFixture) outbox(t *testing.T, kind monitoring.MailKind) []string {
	t.Helper()
	rows, err := f.raw.Query(`SELECT recipient, language, ref FROM outbox WHERE kind = ? ORDER BY id`, string(kind))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var to, lang, ref string
		if err := rows.Scan(&to, &lang, &ref); err != nil {
			t.Fatal(err)
		}
		out = append(out, to+"|"+lang+"|"+ref)
	}
	return out
}

// auditActions lists the audit trail's actions on entity, oldest first.
func auditActions(t *testing.T, d *db.DB, entity string) []string {
	t.Helper()
	entries, _, err := db.NewAuditService(d).ListAudit(t.Context(), monitoring.AuditFilter{Entity: entity, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Action)
	}
	slices.Reverse(out)
	return out
}

func mustVerifyAudit(t *testing.T, d *db.DB) {
	t.Helper()
	r, err := db.NewAuditService(d).VerifyAudit(t.Context())
	if err != nil || !r.OK {
		t.Fatalf("audit chain: %+v %v", r, err)
	}
}

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestIssueNotice_R_SEQ_1_R_COOP_10_Refused: no notice before the
// co-operation procedure is concluded (759/2004 §21(2)).
func TestIssueNotice_R_SEQ_1_R_COOP_10_Refused(t *testing.T) {
	f := newNoticeFixture(t)
	intro := day("2026-12-01")
	err := f.notices.IssueNotice(t.Context(), coopHR, &monitoring.Notice{ActivityID: 999, IntroductionOn: intro})
	coreWantErr(t, err, monitoring.NotFound, "", "")

	wantRefused := func(what string) {
		t.Helper()
		err := f.notices.IssueNotice(t.Context(), coopHR, &monitoring.Notice{ActivityID: f.act.ID, IntroductionOn: intro})
		me := coreWantErr(t, err, monitoring.RuleRefused, "", "")
		if got := ruleIDs(me.Rules); !slices.Equal(got, []string{"R-COOP-10", "R-SEQ-1"}) {
			t.Errorf("%s: refused by %v", what, got)
		}
		for _, r := range me.Rules {
			if r.Met || r.Key != "cooperation.unmet" {
				t.Errorf("%s: rule %+v", what, r)
			}
		}
	}
	wantRefused("no case")
	f.newCase(t, cooperation.Dialogue)
	wantRefused("open case")

	// Concluded: the introduction date is required.
	f.concludeDialogue(t)
	err = f.notices.IssueNotice(t.Context(), coopHR, &monitoring.Notice{ActivityID: f.act.ID})
	coreWantErr(t, err, monitoring.Invalid, "introduction_on", monitoring.MsgRequired)

	// The refusals wrote nothing.
	ns, _, err := f.notices.ListNotices(t.Context(), monitoring.NoticeFilter{ActivityID: f.act.ID})
	if err != nil || len(ns) != 0 {
		t.Fatalf("notices after refusals: %v %v", ns, err)
	}
	if got := auditActions(t, f.d, "notice"); len(got) != 0 {
		t.Errorf("audited %v", got)
	}
}

// TestIssueNotice_R_NOT_1_Recipients: issued to every active employee of
// the affected units, each in their language, with an e-mail (a link) to
// those with an address; the activity gets its introduction date.
func TestIssueNotice_R_NOT_1_Recipients(t *testing.T) {
	f := newNoticeFixture(t)
	c := f.concludeDialogue(t)
	if r := f.readiness(t, testNow); r["R-NOT-1"] {
		t.Fatal("R-NOT-1 met before any notice")
	}
	before, _ := f.reg.FindActivity(t.Context(), f.act.ID)
	f.at(testNow.Add(time.Hour))
	n := f.issue(t, day("2026-12-01"))

	const conclusion = "Tarkoitus: laatu. Menetelmä: tallennus."
	if n.ID == 0 || n.Version != 1 || n.Recipients != 3 || n.CaseID != c.ID || n.Superseded ||
		n.IssuedBy != coopHR || !n.IssuedAt.Equal(testNow.Add(time.Hour)) {
		t.Errorf("issued %+v", n)
	}
	// R-COOP-10, R-NOT-3: the defaults come from the conclusion.
	if n.Purpose != conclusion || n.Methods != conclusion || n.Handled != "Puheluiden tallennus: "+conclusion {
		t.Errorf("defaults: purpose %q methods %q handled %q", n.Purpose, n.Methods, n.Handled)
	}
	found, err := f.notices.FindNotice(t.Context(), n.ID)
	if err != nil {
		t.Fatal(err)
	}
	if *found != *n {
		t.Errorf("found %+v\nwant  %+v", found, n)
	}

	rs := f.recipients(t, n.ID, monitoring.RecipientFilter{})
	want := map[string]monitoring.Language{"E1": monitoring.Finnish, "E2": monitoring.Swedish, "E5": monitoring.English}
	if len(rs) != len(want) {
		t.Fatalf("recipients %v, want E1, E2, E5 (not the inactive E3, not E4 of another unit)", rs)
	}
	for id, lang := range want {
		r := rs[id]
		if r == nil || r.Language != lang || !r.DeliveredAt.Equal(testNow.Add(time.Hour)) || !r.ReadAt.IsZero() || !r.AcknowledgedAt.IsZero() {
			t.Errorf("%s: %+v", id, r)
		}
	}
	if rs["E2"].Name != "Björn Berg" || rs["E2"].Email != "e2@example.fi" {
		t.Errorf("E2: %+v", rs["E2"])
	}
	// E-mails to those with an address, in their language, by ref.
	id := rs["E1"].NoticeID
	wantMail := []string{"e1@example.fi|fi|notice:" + itoa(id) + ":E1", "e2@example.fi|sv|notice:" + itoa(id) + ":E2"}
	if got := f.outbox(t, monitoring.MailNoticeIssued); !slices.Equal(got, wantMail) {
		t.Errorf("outbox %v, want %v", got, wantMail)
	}
	mails, _, err := db.NewOutboxService(f.d).ListOutbox(t.Context(), monitoring.OutboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var p map[string]string
	for _, m := range mails {
		if m.Ref == "notice:"+itoa(n.ID)+":E1" {
			p = m.Params
		}
	}
	if p["name"] != "Anna Aalto" || p["activity"] != f.act.Name || p["notice_id"] != itoa(n.ID) || p["link"] != "/me/notices/"+itoa(n.ID) {
		t.Errorf("params %v", p)
	}

	// The activity's introduction date: a new version, not material.
	a, err := f.reg.FindActivity(t.Context(), f.act.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !a.IntroductionOn.Equal(day("2026-12-01")) || a.Version != before.Version+1 || a.Status != before.Status || n.ActivityVersion != a.Version {
		t.Errorf("activity v%d %s intro %s (before v%d %s), notice describes v%d", a.Version, a.Status, a.IntroductionOn, before.Version, before.Status, n.ActivityVersion)
	}
	if r := f.readiness(t, testNow.Add(time.Hour)); !r["R-NOT-1"] || !r["R-COOP-10"] {
		t.Errorf("after the notice: %v", r)
	}

	// My notices.
	for staff, wantN := range map[string]int{"E1": 1, "E3": 0, "E4": 0} {
		ns, _, err := f.notices.ListNotices(t.Context(), monitoring.NoticeFilter{StaffID: staff})
		if err != nil || len(ns) != wantN {
			t.Errorf("notices of %s: %v %v", staff, ns, err)
		}
	}
	if _, err := f.notices.Recipient(t.Context(), n.ID, "E4"); monitoring.ErrorCodeOf(err) != monitoring.NotFound {
		t.Errorf("E4's copy: %v", err)
	}
	_, _, err = f.notices.Recipients(t.Context(), 999, monitoring.RecipientFilter{})
	coreWantErr(t, err, monitoring.NotFound, "", "")
	if got := auditActions(t, f.d, "notice"); !slices.Equal(got, []string{"notice.issued"}) {
		t.Errorf("audit %v", got)
	}
	mustVerifyAudit(t, f.d)
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// TestIssueNotice_R_NOT_1_LaterJoiner: an employee who joins an affected
// unit, moves into one or comes back receives the current notice.
func TestIssueNotice_R_NOT_1_LaterJoiner(t *testing.T) {
	f := newNoticeFixture(t)
	f.concludeDialogue(t)
	n := f.issue(t, day("2026-12-01"))
	f.at(testNow.Add(time.Hour))
	ctx := t.Context()
	if err := f.emps.CreateEmployee(ctx, coopHR, noticeEmployee("E6", "Fanni Forsman", "Asiakaspalvelu", monitoring.Swedish, true)); err != nil {
		t.Fatal(err)
	}
	if err := f.emps.CreateEmployee(ctx, coopHR, noticeEmployee("E7", "Gustav Grön", "Myynti", monitoring.Finnish, true)); err != nil {
		t.Fatal(err)
	}
	if err := f.emps.CreateEmployee(ctx, coopHR, noticeEmployee("E8", "Hanna Holm", "Asiakaspalvelu", monitoring.Finnish, false)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.emps.UpdateEmployee(ctx, coopHR, "E4", monitoring.EmployeeUpdate{Unit: corePtr("Asiakaspalvelu")}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.emps.UpdateEmployee(ctx, coopHR, "E3", monitoring.EmployeeUpdate{Active: corePtr(true)}); err != nil {
		t.Fatal(err)
	}
	// A move out and back in does not deliver twice.
	if _, err := f.emps.UpdateEmployee(ctx, coopHR, "E1", monitoring.EmployeeUpdate{Unit: corePtr("Myynti")}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.emps.UpdateEmployee(ctx, coopHR, "E1", monitoring.EmployeeUpdate{Unit: corePtr("Asiakaspalvelu")}); err != nil {
		t.Fatal(err)
	}
	// The import delivers too.
	if _, err := f.emps.ImportEmployees(ctx, coopHR, []*monitoring.Employee{
		noticeEmployee("E9", "Iida Ikonen", "Asiakaspalvelu", monitoring.Finnish, true),
	}); err != nil {
		t.Fatal(err)
	}

	rs := f.recipients(t, n.ID, monitoring.RecipientFilter{})
	var ids []string
	for id := range rs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	if want := []string{"E1", "E2", "E3", "E4", "E5", "E6", "E9"}; !slices.Equal(ids, want) {
		t.Errorf("recipients %v, want %v", ids, want)
	}
	if r := rs["E6"]; r.Language != monitoring.Swedish || !r.DeliveredAt.Equal(testNow.Add(time.Hour)) {
		t.Errorf("E6: %+v", r)
	}
	got, err := f.notices.FindNotice(ctx, n.ID)
	if err != nil || got.Recipients != 7 {
		t.Errorf("recipient count %d %v", got.Recipients, err)
	}
	if mails := f.outbox(t, monitoring.MailNoticeIssued); len(mails) != 6 || !strings.HasPrefix(mails[2], "e6@example.fi|sv|") {
		t.Errorf("mails %v", mails)
	}
	if got := auditActions(t, f.d, "notice"); len(got) != 5 || got[1] != "notice.delivered" {
		t.Errorf("audit %v", got)
	}
	mustVerifyAudit(t, f.d)
}

// TestIssueNotice_R_NOT_4_R_SEQ_2_NewVersion: a material change after the
// notice needs a new procedure and a new notice, which supersedes the old.
func TestIssueNotice_R_NOT_4_R_SEQ_2_NewVersion(t *testing.T) {
	f := newNoticeFixture(t)
	f.concludeDialogue(t)
	n1 := f.issue(t, day("2026-12-01"))

	// A change that is not material keeps the notice.
	f.at(testNow.Add(time.Hour))
	if _, err := f.reg.UpdateActivity(t.Context(), coopHR, f.act.ID, func(a *monitoring.Activity) error {
		a.Description = "Tarkennettu kuvaus"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if r := f.readiness(t, testNow.Add(time.Hour)); !r["R-NOT-1"] {
		t.Fatal("R-NOT-1 unmet after a change that is not material")
	}
	// R-NOT-4: a new purpose.
	f.at(testNow.Add(2 * time.Hour))
	if _, err := f.reg.UpdateActivity(t.Context(), coopHR, f.act.ID, func(a *monitoring.Activity) error {
		a.Purposes = append(a.Purposes, monitoring.Purpose{Code: "coaching", Description: "Valmennus"})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if r := f.readiness(t, testNow.Add(2*time.Hour)); r["R-NOT-1"] || r["R-COOP-10"] {
		t.Errorf("after the material change: %v", r)
	}
	// The old conclusion does not count: refused until a new one.
	err := f.notices.IssueNotice(t.Context(), coopHR, &monitoring.Notice{ActivityID: f.act.ID, IntroductionOn: day("2026-12-01")})
	coreWantErr(t, err, monitoring.RuleRefused, "", "")

	f.at(testNow.Add(3 * time.Hour))
	c := f.newCase(t, cooperation.Hearing)
	if err := f.cases.RecordHearing(t.Context(), coopHR, c.ID, &cooperation.HearingRecord{Invited: "Koko henkilöstö",
		Method: "Sähköposti", InvitedAt: testNow.AddDate(0, 0, -20), RespondBy: testNow.AddDate(0, 0, -6)}); err != nil {
		t.Fatal(err)
	}
	if err := f.cases.Conclude(t.Context(), coopHR, c.ID, &cooperation.Conclusion{Text: "Uusi päätös\n\nLisätietoja"}, testNow.Add(3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	f.at(testNow.Add(4 * time.Hour))
	n2 := f.issue(t, day("2026-12-15"))
	if n2.Version != 2 || n2.CaseID != c.ID || n2.Handled != "Puheluiden tallennus: Uusi päätös" {
		t.Errorf("second notice %+v", n2)
	}
	old, err := f.notices.FindNotice(t.Context(), n1.ID)
	if err != nil || !old.Superseded {
		t.Errorf("first notice after the second: %+v %v", old, err)
	}
	if r := f.readiness(t, testNow.Add(4*time.Hour)); !r["R-NOT-1"] {
		t.Error("R-NOT-1 unmet after the new notice")
	}
	ns, next, err := f.notices.ListNotices(t.Context(), monitoring.NoticeFilter{ActivityID: f.act.ID, Limit: 1})
	if err != nil || len(ns) != 1 || ns[0].ID != n2.ID || next != n2.ID {
		t.Fatalf("page 1: %v %d %v", ns, next, err)
	}
	ns, next, err = f.notices.ListNotices(t.Context(), monitoring.NoticeFilter{ActivityID: f.act.ID, Limit: 1, Cursor: next})
	if err != nil || len(ns) != 1 || ns[0].ID != n1.ID || next != 0 {
		t.Fatalf("page 2: %v %d %v", ns, next, err)
	}
	// A later joiner gets the current notice only.
	if err := f.emps.CreateEmployee(t.Context(), coopHR, noticeEmployee("E6", "Fanni Forsman", "Asiakaspalvelu", monitoring.Finnish, true)); err != nil {
		t.Fatal(err)
	}
	if ns, _, _ := f.notices.ListNotices(t.Context(), monitoring.NoticeFilter{StaffID: "E6"}); len(ns) != 1 || ns[0].ID != n2.ID {
		t.Errorf("E6's notices %v", ns)
	}
	mustVerifyAudit(t, f.d)
}

// TestNotice_ReadAcknowledge_R_NOT_1: the first read and the first
// acknowledgement stay; only recipients can.
func TestNotice_ReadAcknowledge_R_NOT_1(t *testing.T) {
	f := newNoticeFixture(t)
	f.concludeDialogue(t)
	n := f.issue(t, day("2026-12-01"))
	ctx := t.Context()
	t1, t2 := testNow.Add(time.Hour), testNow.Add(2*time.Hour)

	f.at(t1)
	if err := f.notices.MarkRead(ctx, n.ID, "E1"); err != nil {
		t.Fatal(err)
	}
	f.at(t2)
	if err := f.notices.MarkRead(ctx, n.ID, "E1"); err != nil {
		t.Fatal(err)
	}
	if err := f.notices.Acknowledge(ctx, n.ID, "E1"); err != nil {
		t.Fatal(err)
	}
	if err := f.notices.Acknowledge(ctx, n.ID, "E2"); err != nil { // never opened
		t.Fatal(err)
	}
	f.at(testNow.Add(3 * time.Hour))
	if err := f.notices.Acknowledge(ctx, n.ID, "E2"); err != nil {
		t.Fatal(err)
	}
	r1, err := f.notices.Recipient(ctx, n.ID, "E1")
	if err != nil || !r1.ReadAt.Equal(t1) || !r1.AcknowledgedAt.Equal(t2) {
		t.Errorf("E1: %+v %v", r1, err)
	}
	r2, err := f.notices.Recipient(ctx, n.ID, "E2")
	if err != nil || !r2.ReadAt.Equal(t2) || !r2.AcknowledgedAt.Equal(t2) {
		t.Errorf("E2: %+v %v", r2, err)
	}
	for _, c := range []struct {
		id    int64
		staff string
	}{{n.ID, "E4"}, {n.ID, "E3"}, {999, "E1"}} {
		if err := f.notices.Acknowledge(ctx, c.id, c.staff); monitoring.ErrorCodeOf(err) != monitoring.NotFound {
			t.Errorf("acknowledge %d by %s: %v", c.id, c.staff, err)
		}
		if err := f.notices.MarkRead(ctx, c.id, c.staff); monitoring.ErrorCodeOf(err) != monitoring.NotFound {
			t.Errorf("read %d by %s: %v", c.id, c.staff, err)
		}
	}
	// HR's view: who has not acknowledged, who has not read.
	if rs := f.recipients(t, n.ID, monitoring.RecipientFilter{Unacknowledged: true}); len(rs) != 1 || rs["E5"] == nil {
		t.Errorf("unacknowledged %v", rs)
	}
	if rs := f.recipients(t, n.ID, monitoring.RecipientFilter{Unread: true}); len(rs) != 1 || rs["E5"] == nil {
		t.Errorf("unread %v", rs)
	}
	page, next, err := f.notices.Recipients(ctx, n.ID, monitoring.RecipientFilter{Limit: 2})
	if err != nil || len(page) != 2 || next != "E2" {
		t.Fatalf("page 1: %v %q %v", page, next, err)
	}
	page, next, err = f.notices.Recipients(ctx, n.ID, monitoring.RecipientFilter{Limit: 2, Cursor: next})
	if err != nil || len(page) != 1 || page[0].StaffID != "E5" || next != "" {
		t.Fatalf("page 2: %v %q %v", page, next, err)
	}
	want := []string{"notice.issued", "notice.read", "notice.acknowledged", "notice.acknowledged"}
	if got := auditActions(t, f.d, "notice"); !slices.Equal(got, want) {
		t.Errorf("audit %v, want %v", got, want)
	}
	mustVerifyAudit(t, f.d)
}

// TestNotice_Remind_R_NOT_1: reminders go to those who have not
// acknowledged and have an address, once a day.
func TestNotice_Remind_R_NOT_1(t *testing.T) {
	f := newNoticeFixture(t)
	f.concludeDialogue(t)
	n := f.issue(t, day("2026-12-01"))
	ctx := t.Context()
	if err := f.notices.Acknowledge(ctx, n.ID, "E1"); err != nil {
		t.Fatal(err)
	}
	f.at(testNow.Add(time.Hour))
	count, err := f.notices.Remind(ctx, coopHR, n.ID)
	if err != nil || count != 1 {
		t.Fatalf("Remind = %d %v, want 1 (E2; E5 has no address)", count, err)
	}
	ref := "notice:" + itoa(n.ID) + ":E2:reminder:2026-11-27"
	if got := f.outbox(t, monitoring.MailNoticeReminder); !slices.Equal(got, []string{"e2@example.fi|sv|" + ref}) {
		t.Errorf("reminders %v", got)
	}
	if r, _ := f.notices.Recipient(ctx, n.ID, "E2"); !r.RemindedAt.Equal(testNow.Add(time.Hour)) {
		t.Errorf("E2 reminded at %s", r.RemindedAt)
	}
	if r, _ := f.notices.Recipient(ctx, n.ID, "E1"); !r.RemindedAt.IsZero() {
		t.Errorf("E1 reminded at %s", r.RemindedAt)
	}
	// Again the same day: nothing more.
	if count, err := f.notices.Remind(ctx, coopHR, n.ID); err != nil || count != 0 {
		t.Errorf("second Remind = %d %v", count, err)
	}
	// The next day.
	f.at(testNow.Add(24 * time.Hour))
	if count, err := f.notices.Remind(ctx, coopHR, n.ID); err != nil || count != 1 {
		t.Errorf("next day Remind = %d %v", count, err)
	}
	if got := f.outbox(t, monitoring.MailNoticeReminder); len(got) != 2 {
		t.Errorf("reminders %v", got)
	}
	if _, err := f.notices.Remind(ctx, coopHR, 999); monitoring.ErrorCodeOf(err) != monitoring.NotFound {
		t.Errorf("Remind of no notice: %v", err)
	}
	want := []string{"notice.issued", "notice.acknowledged", "notice.reminded", "notice.reminded", "notice.reminded"}
	if got := auditActions(t, f.d, "notice"); !slices.Equal(got, want) {
		t.Errorf("audit %v, want %v", got, want)
	}
	mustVerifyAudit(t, f.d)
}

// TestActivate_R_SEQ_1_FullPath: complete entry → concluded case (ready)
// → notice → introduction date → active.
func TestActivate_R_SEQ_1_FullPath(t *testing.T) {
	f := newNoticeFixture(t)
	f.concludeDialogue(t)
	if st := f.activityStatus(t); st != monitoring.StatusReady {
		t.Fatalf("after the conclusion: %s", st)
	}
	_, err := f.reg.SetStatus(t.Context(), coopHR, f.act.ID, monitoring.StatusActive, testNow)
	if me := coreWantErr(t, err, monitoring.RuleRefused, "", ""); !slices.Equal(ruleIDs(me.Rules), []string{"R-NOT-1", "R-SEQ-1"}) {
		t.Errorf("before the notice: refused by %v", ruleIDs(me.Rules))
	}
	// The introduction date tomorrow: everything but R-SEQ-1.
	f.at(testNow.Add(time.Minute))
	f.issue(t, day("2026-11-28"))
	_, err = f.reg.SetStatus(t.Context(), coopHR, f.act.ID, monitoring.StatusActive, testNow.Add(time.Minute))
	if me := coreWantErr(t, err, monitoring.RuleRefused, "", ""); !slices.Equal(ruleIDs(me.Rules), []string{"R-SEQ-1"}) {
		t.Errorf("introduction tomorrow: refused by %v", ruleIDs(me.Rules))
	}
	// Today (Europe/Helsinki).
	f.at(testNow.Add(2 * time.Minute))
	f.issue(t, day("2026-11-27"))
	a, err := f.reg.SetStatus(t.Context(), coopHR, f.act.ID, monitoring.StatusActive, testNow.Add(2*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != monitoring.StatusActive || !a.IntroductionOn.Equal(day("2026-11-27")) {
		t.Errorf("activated %s intro %s", a.Status, a.IntroductionOn)
	}
	mustVerifyAudit(t, f.d)
}

// TestSetStatus_Ready_R_NOT_1_R_SEQ_1: ready needs the register entry and
// the concluded procedure, not the notice — as Conclude decides it.
func TestSetStatus_Ready_R_NOT_1_R_SEQ_1(t *testing.T) {
	f := newNoticeFixture(t)
	f.concludeDialogue(t)
	if _, err := f.reg.SetStatus(t.Context(), coopHR, f.act.ID, monitoring.StatusInCooperation, testNow); err != nil {
		t.Fatal(err)
	}
	a, err := f.reg.SetStatus(t.Context(), coopHR, f.act.ID, monitoring.StatusReady, testNow)
	if err != nil || a.Status != monitoring.StatusReady {
		t.Fatalf("ready: %v %v", a, err)
	}
}

// TestRecordUses_employee_not_notified_R_NOT_1: a use of an employee
// outside the notice is flagged; of a recipient after delivery it is not.
func TestRecordUses_employee_not_notified_R_NOT_1(t *testing.T) {
	f := newNoticeFixture(t)
	uses := db.NewUseService(f.d)
	use := func(ext, staff string, occurred time.Time) []monitoring.Flag {
		t.Helper()
		rs, err := uses.RecordUses(t.Context(), []*monitoring.Use{{
			ExternalID: ext, ActivityID: f.act.ID, RecordingRef: "rec-" + ext, CallStartedAt: occurred.Add(-time.Hour),
			Direction: monitoring.Inbound, EmployeeStaffIDs: []string{staff}, UsedBy: "esimies@example.fi",
			Action: monitoring.Listened, Purpose: "quality", OccurredAt: occurred,
		}})
		if err != nil {
			t.Fatal(err)
		}
		return rs[0].Use.Flags
	}
	notNotified := func(fs []monitoring.Flag) bool { return slices.Contains(fs, monitoring.FlagEmployeeNotNotified) }
	// Without any notice of the activity the flag is not computed.
	if fs := use("u0", "E1", testNow.Add(-time.Hour)); notNotified(fs) {
		t.Errorf("before any notice: %v", fs)
	}
	f.concludeDialogue(t)
	f.at(testNow.Add(time.Hour))
	f.issue(t, day("2026-11-27"))
	f.at(testNow.Add(2 * time.Hour))
	for _, c := range []struct {
		ext, staff string
		occurred   time.Time
		want       bool
	}{
		{"u1", "E1", testNow.Add(90 * time.Minute), false}, // recipient, after delivery
		{"u2", "E1", testNow.Add(time.Hour), false},        // at delivery
		{"u3", "E1", testNow.Add(30 * time.Minute), true},  // before delivery
		{"u4", "E4", testNow.Add(90 * time.Minute), true},  // other unit: not a recipient
		{"u5", "E3", testNow.Add(90 * time.Minute), true},  // inactive: not a recipient
		{"u6", "X9", testNow.Add(90 * time.Minute), true},  // unknown
	} {
		if got := notNotified(use(c.ext, c.staff, c.occurred)); got != c.want {
			t.Errorf("%s of %s: employee_not_notified %v, want %v", c.ext, c.staff, got, c.want)
		}
	}
	// Two employees: flagged when one was not notified.
	rs, err := uses.RecordUses(t.Context(), []*monitoring.Use{{
		ExternalID: "u7", ActivityID: f.act.ID, RecordingRef: "rec-u7", CallStartedAt: testNow, Direction: monitoring.Inbound,
		EmployeeStaffIDs: []string{"E1", "E4"}, UsedBy: "esimies@example.fi", Action: monitoring.Listened, Purpose: "quality",
		OccurredAt: testNow.Add(90 * time.Minute),
	}})
	if err != nil || !notNotified(rs[0].Use.Flags) {
		t.Errorf("E1 and E4: %v %v", rs, err)
	}
	mustVerify(t, uses, 8)
}

// TestIssueNotice_RetiredRefused: a retired activity is no longer in use, so
// no notice of it is issued.
func TestIssueNotice_RetiredRefused(t *testing.T) {
	f := newNoticeFixture(t)
	f.newCase(t, cooperation.Dialogue)
	f.concludeDialogue(t)
	if _, err := db.NewRegisterService(f.d).SetStatus(t.Context(), coopHR, f.act.ID, monitoring.StatusRetired, f.d.Now()); err != nil {
		t.Fatal(err)
	}
	err := f.notices.IssueNotice(t.Context(), coopHR, &monitoring.Notice{ActivityID: f.act.ID, IntroductionOn: day("2026-12-01")})
	coreWantErr(t, err, monitoring.Conflict, "activity_id", "invalid_transition")
}
