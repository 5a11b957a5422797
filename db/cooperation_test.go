package db_test

import (
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"vaaka/cooperation"
	"vaaka/db"
	"vaaka/monitoring"
)

const (
	coopHR  = "hr@example.fi"
	coopRep = "luottamus@example.fi"
	coopDPO = "dpo@example.fi"
)

// coopFixture is a database with users (HR, a representative, a DPO) and
// one complete activity in draft.
type coopFixture struct {
	d     *db.DB
	cases *db.CaseService
	reg   *db.RegisterService
	act   *monitoring.Activity
}

func newCoopFixture(t *testing.T) *coopFixture {
	t.Helper()
	d := MustOpenDB(t)
	acc := db.NewAccountService(d)
	for _, u := range []*monitoring.User{
		{Email: coopHR, Name: "Henna Henkilöstö", Roles: []monitoring.Role{monitoring.RoleHR}},
		{Email: coopRep, Name: "Liisa Luottamusmies", Roles: []monitoring.Role{monitoring.RoleRepresentative}},
		{Email: coopDPO, Name: "Tiina Tietosuoja", Roles: []monitoring.Role{monitoring.RoleDPO}},
	} {
		u.Language, u.Active, u.PasswordHash = monitoring.Finnish, true, "x"
		if err := acc.CreateUser(t.Context(), "admin@example.fi", u); err != nil {
			t.Fatal(err)
		}
	}
	reg := db.NewRegisterService(d)
	return &coopFixture{d: d, cases: db.NewCaseService(d), reg: reg, act: coreCreateActivity(t, reg, completeActivity())}
}

// newCase returns a case of procedure p (proposed the same) on the
// fixture's activity with the representative.
func (f *coopFixture) newCase(t *testing.T, p cooperation.Procedure) *cooperation.Case {
	t.Helper()
	c := &cooperation.Case{
		Title: "Puheluiden tallennus", Procedure: p, ActivityIDs: []int64{f.act.ID},
		Proposed:        cooperation.Proposal{Procedure: p, Key: "at_or_above"},
		Representatives: []string{coopRep}, Units: []string{"Asiakaspalvelu"},
	}
	if err := f.cases.CreateCase(t.Context(), coopHR, c); err != nil {
		t.Fatal(err)
	}
	return c
}

func (f *coopFixture) find(t *testing.T, id int64) *cooperation.Case {
	t.Helper()
	c, err := f.cases.FindCase(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (f *coopFixture) readiness(t *testing.T, now time.Time) map[string]bool {
	t.Helper()
	rs, err := f.reg.Readiness(t.Context(), f.act.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, r := range rs {
		out[r.Rule] = r.Met
	}
	return out
}

func (f *coopFixture) activityStatus(t *testing.T) monitoring.Status {
	t.Helper()
	a, err := f.reg.FindActivity(t.Context(), f.act.ID)
	if err != nil {
		t.Fatal(err)
	}
	return a.Status
}

// information returns written information delivered days before a first
// meeting at meeting.
func information(meeting time.Time, days int) *cooperation.Information {
	return &cooperation.Information{
		Subject: "Puheluiden tallennus", Purpose: "Laadunvarmistus", Methods: "Tallennus ja kuuntelu",
		FirstMeetingAt: meeting, Place: "Neuvotteluhuone 2", DeliveredAt: meeting.AddDate(0, 0, -days),
		Recipients: []string{coopRep},
	}
}

// coopWantErr fails unless err is a *cooperation.Error with code and, when
// field is not "", the message key for field.
func coopWantErr(t *testing.T, err error, code cooperation.Code, field, key string) *cooperation.Error {
	t.Helper()
	var ce *cooperation.Error
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want a %s co-operation error", err, code)
	}
	if ce.Code != code {
		t.Fatalf("code = %s (%v), want %s", ce.Code, err, code)
	}
	if field != "" && ce.Fields[field] != key {
		t.Fatalf("fields = %v, want %s: %s", ce.Fields, field, key)
	}
	return ce
}

func coopRules(rs []cooperation.RuleResult) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Rule)
	}
	return out
}

// meetingWithMinutes adds a meeting of HR and the representative at held
// (minutes requested) and the first version of its minutes.
func (f *coopFixture) meetingWithMinutes(t *testing.T, caseID int64, held time.Time) *cooperation.Meeting {
	t.Helper()
	m := &cooperation.Meeting{HeldAt: held, Place: "Neuvotteluhuone 2", Agenda: "Tallennuksen käyttöönotto", MinutesRequested: true,
		Participants: []cooperation.Participant{{Email: coopHR, Attended: true}, {Email: "LUOTTAMUS@example.fi", Attended: true}}}
	if err := f.cases.AddMeeting(t.Context(), coopHR, caseID, m); err != nil {
		t.Fatal(err)
	}
	if err := f.cases.WriteMinutes(t.Context(), coopHR, caseID, m.ID, &cooperation.Minutes{MainContent: "Käytiin läpi tallennus.",
		Outcome: "Yhteisymmärrys", Dissent: []cooperation.Dissent{{By: coopRep, Text: "Säilytysaika liian pitkä"}}}); err != nil {
		t.Fatal(err)
	}
	return m
}

func (f *coopFixture) approve(t *testing.T, who string, caseID, meetingID int64, a cooperation.Approval) {
	t.Helper()
	if err := f.cases.ApproveMinutes(t.Context(), who, caseID, meetingID, &a); err != nil {
		t.Fatal(err)
	}
}

// concludeDialogue runs a dialogue case to its conclusion at testNow.
func (f *coopFixture) concludeDialogue(t *testing.T) *cooperation.Case {
	t.Helper()
	c := f.newCase(t, cooperation.Dialogue)
	meeting := testNow.AddDate(0, 0, -3)
	if err := f.cases.AddInformation(t.Context(), coopHR, c.ID, information(meeting, 7), nil); err != nil {
		t.Fatal(err)
	}
	m := f.meetingWithMinutes(t, c.ID, meeting)
	f.approve(t, coopHR, c.ID, m.ID, cooperation.Approval{Approve: true})
	f.approve(t, coopRep, c.ID, m.ID, cooperation.Approval{Approve: true})
	if err := f.cases.Conclude(t.Context(), coopHR, c.ID, &cooperation.Conclusion{Text: "Tarkoitus: laatu. Menetelmä: tallennus."}, testNow); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestCase_DialogueLife_R_COOP_2_R_COOP_4_R_COOP_10_R_DPIA_2 walks a
// dialogue case from opening to conclusion and the activity's readiness
// with it.
func TestCase_DialogueLife_R_COOP_2_R_COOP_4_R_COOP_10_R_DPIA_2(t *testing.T) {
	f := newCoopFixture(t)
	if r := f.readiness(t, testNow); r["R-DPIA-2"] || r["R-COOP-10"] {
		t.Fatalf("before any case: %v", r)
	}
	c := f.newCase(t, cooperation.Dialogue)
	if c.ID == 0 || c.Status != cooperation.StatusDraft || c.CreatedBy != coopHR || !c.CreatedAt.Equal(testNow) {
		t.Fatalf("created %+v", c)
	}
	if got := f.activityStatus(t); got != monitoring.StatusInCooperation {
		t.Errorf("linked draft activity is %s, want in_cooperation", got)
	}
	if r := f.readiness(t, testNow); !r["R-DPIA-2"] || r["R-COOP-10"] {
		t.Errorf("with an open case: R-DPIA-2 %v R-COOP-10 %v, want met and unmet", r["R-DPIA-2"], r["R-COOP-10"])
	}

	meeting := testNow.AddDate(0, 0, -3)
	in := information(meeting, 7) // R-COOP-2: 7 days before
	if err := f.cases.AddInformation(t.Context(), coopHR, c.ID, in, monitoring.Helsinki); err != nil {
		t.Fatal(err)
	}
	if in.Version != 1 || f.find(t, c.ID).Status != cooperation.StatusInformationDelivered {
		t.Fatalf("information v%d, case %s", in.Version, f.find(t, c.ID).Status)
	}

	m := &cooperation.Meeting{HeldAt: meeting, Place: "Neuvotteluhuone 2", MinutesRequested: true,
		Participants: []cooperation.Participant{{Email: coopHR, Attended: true}, {Email: coopRep, Attended: true}}}
	if err := f.cases.AddMeeting(t.Context(), coopHR, c.ID, m); err != nil {
		t.Fatal(err)
	}
	got := f.find(t, c.ID)
	if got.Status != cooperation.StatusInProgress {
		t.Errorf("status %s after the meeting", got.Status)
	}
	ps := got.Meetings[0].Participants
	if ps[0].Side != cooperation.EmployerSide || ps[0].Name != "Henna Henkilöstö" || ps[1].Side != cooperation.StaffSide || ps[1].Name != "Liisa Luottamusmies" {
		t.Errorf("participants %+v", ps)
	}

	// R-COOP-4: the requested minutes are not signed yet.
	err := f.cases.Conclude(t.Context(), coopHR, c.ID, &cooperation.Conclusion{Text: "Päätös"}, testNow)
	if ce := coopWantErr(t, err, cooperation.RuleRefused, "", ""); !slices.Equal(coopRules(ce.Rules), []string{"R-COOP-4"}) {
		t.Errorf("refused by %v, want R-COOP-4", coopRules(ce.Rules))
	}

	mn := &cooperation.Minutes{MainContent: "Käytiin läpi tallennus.", Outcome: "Yhteisymmärrys"}
	if err := f.cases.WriteMinutes(t.Context(), coopHR, c.ID, m.ID, mn); err != nil {
		t.Fatal(err)
	}
	f.approve(t, coopHR, c.ID, m.ID, cooperation.Approval{Approve: true})
	if f.find(t, c.ID).Meetings[0].MinutesSigned() {
		t.Fatal("signed with the employer's approval only")
	}
	f.approve(t, coopRep, c.ID, m.ID, cooperation.Approval{Approve: true, Dissent: "Säilytysaika liian pitkä"})
	got = f.find(t, c.ID)
	if !got.Meetings[0].MinutesSigned() {
		t.Fatalf("not signed: %+v", got.Meetings[0].Approvals)
	}
	if a := got.Meetings[0].Approvals[1]; a.Side != cooperation.StaffSide || a.Dissent != "Säilytysaika liian pitkä" || a.Version != 1 {
		t.Errorf("staff approval %+v", a)
	}
	// Minutes signed cannot be rewritten.
	err = f.cases.WriteMinutes(t.Context(), coopHR, c.ID, m.ID, &cooperation.Minutes{MainContent: "Muutettu"})
	coopWantErr(t, err, cooperation.Conflict, "", "")

	// The conclusion needs its text.
	err = f.cases.Conclude(t.Context(), coopHR, c.ID, &cooperation.Conclusion{Text: " "}, testNow)
	coopWantErr(t, err, cooperation.Invalid, "conclusion", monitoring.MsgRequired)
	con := &cooperation.Conclusion{Text: "Tarkoitus: laatu. Menetelmä: tallennus.", Account: "ei kuulu dialogiin"}
	if err := f.cases.Conclude(t.Context(), coopHR, c.ID, con, testNow); err != nil {
		t.Fatal(err)
	}
	got = f.find(t, c.ID)
	if got.Status != cooperation.StatusConcluded || got.Conclusion == nil || got.Conclusion.Text != con.Text ||
		!got.Conclusion.ConcludedAt.Equal(testNow) || got.Conclusion.By != coopHR || got.Conclusion.Account != "" {
		t.Errorf("concluded %+v %+v", got.Status, got.Conclusion)
	}
	r := f.readiness(t, testNow)
	if !r["R-COOP-10"] || !r["R-DPIA-2"] {
		t.Errorf("after the conclusion: R-COOP-10 %v R-DPIA-2 %v", r["R-COOP-10"], r["R-DPIA-2"])
	}
	// Everything but the notice and the introduction date: ready.
	if st := f.activityStatus(t); st != monitoring.StatusReady {
		t.Errorf("activity %s after the conclusion, want ready", st)
	}
	// A closed case takes no more meetings.
	err = f.cases.AddMeeting(t.Context(), coopHR, c.ID, &cooperation.Meeting{HeldAt: testNow, Participants: []cooperation.Participant{{Email: coopHR}}})
	coopWantErr(t, err, cooperation.Conflict, "", "")
}

// TestAddInformation_R_COOP_2: dialogue information 6 days before the
// meeting is refused, and accepted with a recorded shorter-notice agreement.
func TestAddInformation_R_COOP_2(t *testing.T) {
	f := newCoopFixture(t)
	c := f.newCase(t, cooperation.Dialogue)
	meeting := testNow.AddDate(0, 0, 6)
	in := information(meeting, 6)
	in.DeliveredAt = testNow
	err := f.cases.AddInformation(t.Context(), coopHR, c.ID, in, monitoring.Helsinki)
	ce := coopWantErr(t, err, cooperation.DeadlineBroken, "", "")
	if !slices.Equal(coopRules(ce.Rules), []string{"R-COOP-2"}) || ce.Rules[0].Key != "information_7_days" {
		t.Errorf("rules %+v", ce.Rules)
	}
	if got := f.find(t, c.ID); len(got.Information) != 0 || got.Status != cooperation.StatusDraft {
		t.Fatalf("refused information written: %d versions, %s", len(got.Information), got.Status)
	}

	in.ShorterNoticeAgreement = "Sovittu luottamusmiehen kanssa 1.11."
	if err := f.cases.AddInformation(t.Context(), coopHR, c.ID, in, monitoring.Helsinki); err != nil {
		t.Fatal(err)
	}
	got := f.find(t, c.ID)
	if len(got.Information) != 1 || got.Information[0].ShorterNoticeAgreement != in.ShorterNoticeAgreement ||
		got.Status != cooperation.StatusInformationDelivered || !slices.Equal(got.Information[0].Recipients, []string{coopRep}) {
		t.Errorf("stored %+v, status %s", got.Information, got.Status)
	}

	// Undelivered information is a draft version: no time limit yet.
	draft := information(testNow.AddDate(0, 0, 2), 0)
	draft.DeliveredAt = time.Time{}
	if err := f.cases.AddInformation(t.Context(), coopHR, c.ID, draft, nil); err != nil {
		t.Fatal(err)
	}
	if draft.Version != 2 {
		t.Errorf("version %d, want 2", draft.Version)
	}
	err = f.cases.AddInformation(t.Context(), coopHR, c.ID, &cooperation.Information{}, nil)
	coopWantErr(t, err, cooperation.Invalid, "subject", monitoring.MsgRequired)
	err = f.cases.AddInformation(t.Context(), coopHR, 999, in, nil)
	coopWantErr(t, err, cooperation.NotFound, "", "")
}

// TestChangeNegotiations_R_COOP_6_R_COOP_8: a proposal after the start is
// refused; the conclusion stores the employer's account.
func TestChangeNegotiations_R_COOP_6_R_COOP_8(t *testing.T) {
	f := newCoopFixture(t)
	c := &cooperation.Case{Title: "Puheanalytiikka", Procedure: cooperation.ChangeNegotiations, ActivityIDs: []int64{f.act.ID},
		Proposed: cooperation.Proposal{Procedure: cooperation.Dialogue, Key: "at_or_above"}, Representatives: []string{coopRep}}
	// R-COOP-1: departing from the proposal needs a reason.
	err := f.cases.CreateCase(t.Context(), coopHR, c)
	coopWantErr(t, err, cooperation.Invalid, "override_reason", monitoring.MsgRequired)
	c.Override, c.OverrideDetail = cooperation.SubstantialChange, "Työ muuttuu olennaisesti"
	if err := f.cases.CreateCase(t.Context(), coopHR, c); err != nil {
		t.Fatal(err)
	}
	start := testNow.AddDate(0, 0, -2)
	late := information(start, 0)
	late.DeliveredAt = start.Add(time.Hour)
	err = f.cases.AddInformation(t.Context(), coopHR, c.ID, late, nil)
	if ce := coopWantErr(t, err, cooperation.DeadlineBroken, "", ""); !slices.Equal(coopRules(ce.Rules), []string{"R-COOP-6"}) {
		t.Errorf("rules %v", coopRules(ce.Rules))
	}
	if err := f.cases.AddInformation(t.Context(), coopHR, c.ID, information(start, 3), nil); err != nil {
		t.Fatal(err)
	}
	m := &cooperation.Meeting{HeldAt: start, Participants: []cooperation.Participant{{Email: coopHR}, {Email: coopRep}}}
	if err := f.cases.AddMeeting(t.Context(), coopHR, c.ID, m); err != nil {
		t.Fatal(err)
	}
	con := &cooperation.Conclusion{Text: "Puheanalytiikka otetaan käyttöön.", Account: "Päätös 27.11., käyttöönotto 1.2."}
	if err := f.cases.Conclude(t.Context(), coopHR, c.ID, con, testNow); err != nil {
		t.Fatal(err)
	}
	got := f.find(t, c.ID)
	if got.Conclusion == nil || got.Conclusion.Account != con.Account || got.Override != cooperation.SubstantialChange ||
		got.OverrideDetail != c.OverrideDetail || got.Proposed.Procedure != cooperation.Dialogue {
		t.Errorf("case %+v conclusion %+v", got, got.Conclusion)
	}
	for _, d := range got.Timeline(testNow, monitoring.Helsinki) {
		if d.Key == "account" && d.Status != cooperation.Met {
			t.Errorf("account deadline %s", d.Status)
		}
	}
}

// TestHearing_R_COOP_9: the conclusion waits for the end of the time to
// respond.
func TestHearing_R_COOP_9(t *testing.T) {
	f := newCoopFixture(t)
	c := f.newCase(t, cooperation.Hearing)
	err := f.cases.Conclude(t.Context(), coopHR, c.ID, &cooperation.Conclusion{Text: "Päätös"}, testNow)
	if ce := coopWantErr(t, err, cooperation.RuleRefused, "", ""); !slices.Equal(coopRules(ce.Rules), []string{"R-COOP-9"}) {
		t.Errorf("rules %v", coopRules(ce.Rules))
	}
	err = f.cases.AddView(t.Context(), coopHR, c.ID, &cooperation.View{By: "Myynti", Text: "Ok"})
	coopWantErr(t, err, cooperation.Conflict, "", "")
	h := &cooperation.HearingRecord{Invited: "Koko henkilöstö", Method: "Sähköposti", InvitedAt: testNow.AddDate(0, 0, -5),
		RespondBy: testNow.AddDate(0, 0, 2), Views: []cooperation.View{{By: "Asiakaspalvelu", Text: "Kannatamme"}}}
	err = f.cases.RecordHearing(t.Context(), coopHR, c.ID, &cooperation.HearingRecord{Invited: "x", Method: "y", InvitedAt: testNow, RespondBy: testNow})
	coopWantErr(t, err, cooperation.Invalid, "respond_by", "invalid")
	if err := f.cases.RecordHearing(t.Context(), coopHR, c.ID, h); err != nil {
		t.Fatal(err)
	}
	if err := f.cases.AddView(t.Context(), coopHR, c.ID, &cooperation.View{By: "Myynti", Text: "Säilytysaika lyhyemmäksi"}); err != nil {
		t.Fatal(err)
	}
	got := f.find(t, c.ID)
	if got.Hearing == nil || len(got.Hearing.Views) != 2 || got.Status != cooperation.StatusInProgress || !got.Hearing.RespondBy.Equal(h.RespondBy) {
		t.Fatalf("hearing %+v status %s", got.Hearing, got.Status)
	}
	err = f.cases.Conclude(t.Context(), coopHR, c.ID, &cooperation.Conclusion{Text: "Päätös"}, testNow)
	coopWantErr(t, err, cooperation.RuleRefused, "", "")
	// Upsert: a later deadline replaces the first; the views loaded with
	// the case and passed back are not recorded twice.
	h2 := *f.find(t, c.ID).Hearing
	h2.RespondBy = testNow.AddDate(0, 0, 1)
	if err := f.cases.RecordHearing(t.Context(), coopHR, c.ID, &h2); err != nil {
		t.Fatal(err)
	}
	if got := f.find(t, c.ID); !got.Hearing.RespondBy.Equal(h2.RespondBy) || len(got.Hearing.Views) != 2 {
		t.Fatalf("after update %+v", got.Hearing)
	}
	after := testNow.AddDate(0, 0, 1)
	if err := f.cases.Conclude(t.Context(), coopHR, c.ID, &cooperation.Conclusion{Text: "Päätös"}, after); err != nil {
		t.Fatal(err)
	}
	if got := f.find(t, c.ID); got.Status != cooperation.StatusConcluded || !got.Conclusion.ConcludedAt.Equal(after) {
		t.Errorf("status %s conclusion %+v", got.Status, got.Conclusion)
	}
}

// TestConclude_Preconditions_R_COOP_10_R_COOP_4: no conclusion before the
// information and a meeting, nor while requested minutes are unsigned.
func TestConclude_Preconditions_R_COOP_10_R_COOP_4(t *testing.T) {
	f := newCoopFixture(t)
	c := f.newCase(t, cooperation.Dialogue)
	conclude := func() error {
		return f.cases.Conclude(t.Context(), coopHR, c.ID, &cooperation.Conclusion{Text: "Päätös"}, testNow)
	}
	ce := coopWantErr(t, conclude(), cooperation.RuleRefused, "", "")
	if got, want := coopRules(ce.Rules), []string{"R-COOP-2", "R-COOP-10"}; !slices.Equal(got, want) {
		t.Errorf("before anything: %v, want %v", got, want)
	}
	meeting := testNow.AddDate(0, 0, -1)
	if err := f.cases.AddInformation(t.Context(), coopHR, c.ID, information(meeting, 8), nil); err != nil {
		t.Fatal(err)
	}
	ce = coopWantErr(t, conclude(), cooperation.RuleRefused, "", "")
	if got, want := coopRules(ce.Rules), []string{"R-COOP-10"}; !slices.Equal(got, want) {
		t.Errorf("before the meeting: %v, want %v", got, want)
	}
	m := f.meetingWithMinutes(t, c.ID, meeting)
	f.approve(t, coopHR, c.ID, m.ID, cooperation.Approval{Approve: true})
	ce = coopWantErr(t, conclude(), cooperation.RuleRefused, "", "")
	if got, want := coopRules(ce.Rules), []string{"R-COOP-4"}; !slices.Equal(got, want) {
		t.Errorf("unsigned minutes: %v, want %v", got, want)
	}
	// A conclusion dated in the future is refused.
	err := f.cases.Conclude(t.Context(), coopHR, c.ID, &cooperation.Conclusion{Text: "x", ConcludedAt: testNow.Add(time.Hour)}, testNow)
	coopWantErr(t, err, cooperation.Invalid, "concluded_at", monitoring.MsgInFuture)
	if got := f.find(t, c.ID); got.Status != cooperation.StatusInProgress || got.Conclusion != nil {
		t.Errorf("after refusals %s %+v", got.Status, got.Conclusion)
	}
}

// TestMinutesCorrection_R_COOP_4: a correction request blocks the signing;
// the new version needs new approvals.
func TestMinutesCorrection_R_COOP_4(t *testing.T) {
	f := newCoopFixture(t)
	c := f.newCase(t, cooperation.Dialogue)
	meeting := testNow.AddDate(0, 0, -1)
	if err := f.cases.AddInformation(t.Context(), coopHR, c.ID, information(meeting, 7), nil); err != nil {
		t.Fatal(err)
	}
	m := f.meetingWithMinutes(t, c.ID, meeting)
	f.approve(t, coopHR, c.ID, m.ID, cooperation.Approval{Approve: true})

	err := f.cases.ApproveMinutes(t.Context(), coopRep, c.ID, m.ID, &cooperation.Approval{Approve: false})
	coopWantErr(t, err, cooperation.Invalid, "comment", monitoring.MsgRequired)
	f.approve(t, coopRep, c.ID, m.ID, cooperation.Approval{Approve: false, Comment: "Henkilöstön kanta puuttuu"})
	if f.find(t, c.ID).Meetings[0].MinutesSigned() {
		t.Fatal("signed despite a correction request")
	}

	v2 := &cooperation.Minutes{MainContent: "Käytiin läpi tallennus.", StaffPosition: "Säilytysaika lyhyemmäksi"}
	if err := f.cases.WriteMinutes(t.Context(), coopHR, c.ID, m.ID, v2); err != nil {
		t.Fatal(err)
	}
	if v2.Version != 2 {
		t.Fatalf("version %d", v2.Version)
	}
	if f.find(t, c.ID).Meetings[0].MinutesSigned() {
		t.Fatal("version 2 signed by version 1's approvals")
	}
	// An answer to an old version is a conflict.
	err = f.cases.ApproveMinutes(t.Context(), coopHR, c.ID, m.ID, &cooperation.Approval{Version: 1, Approve: true})
	coopWantErr(t, err, cooperation.Conflict, "", "")
	f.approve(t, coopHR, c.ID, m.ID, cooperation.Approval{Version: 2, Approve: true})
	f.approve(t, coopRep, c.ID, m.ID, cooperation.Approval{Approve: true})
	got := f.find(t, c.ID).Meetings[0]
	if !got.MinutesSigned() || len(got.Minutes) != 2 || len(got.Approvals) != 4 || got.Minutes[0].Dissent[0].By != coopRep {
		t.Errorf("meeting %+v", got)
	}
}

// TestApproveMinutes_Forbidden_Conflict_R_COOP_4: only participants answer,
// once per version.
func TestApproveMinutes_Forbidden_Conflict_R_COOP_4(t *testing.T) {
	f := newCoopFixture(t)
	c := f.newCase(t, cooperation.Dialogue)
	m := &cooperation.Meeting{HeldAt: testNow, Participants: []cooperation.Participant{{Email: coopHR}, {Email: coopRep}}}
	if err := f.cases.AddMeeting(t.Context(), coopHR, c.ID, m); err != nil {
		t.Fatal(err)
	}
	err := f.cases.ApproveMinutes(t.Context(), coopHR, c.ID, m.ID, &cooperation.Approval{Approve: true})
	coopWantErr(t, err, cooperation.Conflict, "", "") // no minutes yet
	if err := f.cases.WriteMinutes(t.Context(), coopHR, c.ID, m.ID, &cooperation.Minutes{MainContent: "Sisältö"}); err != nil {
		t.Fatal(err)
	}
	err = f.cases.ApproveMinutes(t.Context(), coopDPO, c.ID, m.ID, &cooperation.Approval{Approve: true})
	coopWantErr(t, err, cooperation.Forbidden, "", "")
	f.approve(t, coopRep, c.ID, m.ID, cooperation.Approval{Approve: true})
	err = f.cases.ApproveMinutes(t.Context(), "Luottamus@Example.fi", c.ID, m.ID, &cooperation.Approval{Approve: false, Comment: "x"})
	coopWantErr(t, err, cooperation.Conflict, "", "")
	err = f.cases.ApproveMinutes(t.Context(), coopRep, c.ID, 999, &cooperation.Approval{Approve: true})
	coopWantErr(t, err, cooperation.NotFound, "", "")
	err = f.cases.WriteMinutes(t.Context(), coopHR, c.ID, 999, &cooperation.Minutes{MainContent: "x"})
	coopWantErr(t, err, cooperation.NotFound, "", "")
}

// TestInitiative_R_COOP_5_R_COOP_7: an initiative less than two weeks
// before the next meeting is deferred; a rejection needs reasons.
func TestInitiative_R_COOP_5_R_COOP_7(t *testing.T) {
	f := newCoopFixture(t)
	c := f.newCase(t, cooperation.Dialogue)
	if err := f.cases.AddInformation(t.Context(), coopHR, c.ID, information(testNow.AddDate(0, 0, 10), 8), nil); err != nil {
		t.Fatal(err)
	}
	soon := &cooperation.Initiative{Text: "Tallenteiden säilytysaika 30 päivää"}
	if err := f.cases.AddInitiative(t.Context(), coopRep, c.ID, soon, nil); err != nil {
		t.Fatal(err)
	}
	if !soon.Deferred || soon.By != coopRep || !soon.ReceivedAt.Equal(testNow) || soon.Kind != cooperation.KindInitiative {
		t.Errorf("10 days before the meeting: %+v", soon)
	}
	early := &cooperation.Initiative{Text: "Aiempi aloite", ReceivedAt: testNow.AddDate(0, 0, -5)}
	if err := f.cases.AddInitiative(t.Context(), coopRep, c.ID, early, nil); err != nil {
		t.Fatal(err)
	}
	if early.Deferred {
		t.Errorf("15 days before the meeting deferred")
	}
	// A meeting held between them is the next one known.
	if err := f.cases.AddMeeting(t.Context(), coopHR, c.ID, &cooperation.Meeting{HeldAt: testNow.AddDate(0, 0, 30),
		Participants: []cooperation.Participant{{Email: coopHR}}}); err != nil {
		t.Fatal(err)
	}
	later := &cooperation.Initiative{Text: "Uusi aloite", ReceivedAt: testNow.AddDate(0, 0, 12)}
	if err := f.cases.AddInitiative(t.Context(), coopRep, c.ID, later, nil); err != nil {
		t.Fatal(err)
	}
	if later.Deferred {
		t.Errorf("18 days before the next meeting deferred")
	}

	// R-COOP-7 (and R-COOP-5): a rejection without reasons is refused.
	err := f.cases.RespondInitiative(t.Context(), coopHR, c.ID, soon.ID, false, "  ")
	coopWantErr(t, err, cooperation.Invalid, "response", monitoring.MsgRequired)
	if err := f.cases.RespondInitiative(t.Context(), coopHR, c.ID, soon.ID, false, "Lainsäädäntö edellyttää 90 päivää"); err != nil {
		t.Fatal(err)
	}
	err = f.cases.RespondInitiative(t.Context(), coopHR, c.ID, soon.ID, true, "")
	coopWantErr(t, err, cooperation.Conflict, "", "")
	if err := f.cases.RespondInitiative(t.Context(), coopHR, c.ID, early.ID, true, ""); err != nil {
		t.Fatal(err)
	}
	err = f.cases.RespondInitiative(t.Context(), coopHR, c.ID, 999, true, "")
	coopWantErr(t, err, cooperation.NotFound, "", "")
	got := f.find(t, c.ID).Initiatives
	if len(got) != 3 || got[0].Accepted == nil || *got[0].Accepted || got[0].RespondedBy != coopHR ||
		got[1].Accepted == nil || !*got[1].Accepted || got[2].Accepted != nil {
		t.Errorf("initiatives %+v %+v %+v", got[0], got[1], got[2])
	}

	// Written proposals in change negotiations: the same rule (R-COOP-7).
	cn := &cooperation.Case{Title: "Muutos", Procedure: cooperation.ChangeNegotiations, ActivityIDs: []int64{f.act.ID},
		Proposed: cooperation.Proposal{Procedure: cooperation.ChangeNegotiations}}
	if err := f.cases.CreateCase(t.Context(), coopHR, cn); err != nil {
		t.Fatal(err)
	}
	wp := &cooperation.Initiative{Kind: cooperation.KindWrittenProposal, Text: "Ehdotus"}
	if err := f.cases.AddInitiative(t.Context(), coopRep, cn.ID, wp, nil); err != nil {
		t.Fatal(err)
	}
	err = f.cases.RespondInitiative(t.Context(), coopHR, cn.ID, wp.ID, false, "")
	coopWantErr(t, err, cooperation.Invalid, "response", monitoring.MsgRequired)
	// An initiative of another case is not found in this one.
	err = f.cases.RespondInitiative(t.Context(), coopHR, cn.ID, soon.ID, true, "")
	coopWantErr(t, err, cooperation.NotFound, "", "")
	err = f.cases.AddInitiative(t.Context(), coopRep, cn.ID, &cooperation.Initiative{Kind: "petition", Text: "x"}, nil)
	coopWantErr(t, err, cooperation.Invalid, "kind", monitoring.MsgUnknown)
}

// TestMaterialChangeReopens_R_SEQ_2: a material change after the
// conclusion makes the co-operation unmet again; a later conclusion counts.
func TestMaterialChangeReopens_R_SEQ_2(t *testing.T) {
	f := newCoopFixture(t)
	f.concludeDialogue(t)
	if r := f.readiness(t, testNow); !r["R-COOP-10"] {
		t.Fatal("R-COOP-10 unmet after the conclusion")
	}
	// A change that is not material keeps it.
	f.d.Now = func() time.Time { return testNow.Add(time.Hour) }
	if _, err := f.reg.UpdateActivity(t.Context(), coopHR, f.act.ID, func(a *monitoring.Activity) error {
		a.Description = "Tarkennettu kuvaus"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if r := f.readiness(t, testNow); !r["R-COOP-10"] {
		t.Fatal("R-COOP-10 unmet after a change that is not material")
	}
	f.d.Now = func() time.Time { return testNow.Add(2 * time.Hour) }
	a, err := f.reg.UpdateActivity(t.Context(), coopHR, f.act.ID, func(a *monitoring.Activity) error {
		a.Purposes = append(a.Purposes, monitoring.Purpose{Code: "coaching", Description: "Valmennus"})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != monitoring.StatusInCooperation {
		t.Errorf("ready activity after a material change: %s", a.Status)
	}
	r := f.readiness(t, testNow.Add(2*time.Hour))
	if r["R-COOP-10"] || !r["R-DPIA-2"] {
		t.Errorf("after the material change: R-COOP-10 %v R-DPIA-2 %v, want unmet and met", r["R-COOP-10"], r["R-DPIA-2"])
	}

	// A new case concluded later satisfies it again.
	f.d.Now = func() time.Time { return testNow.Add(3 * time.Hour) }
	c := f.newCase(t, cooperation.Dialogue)
	meeting := testNow.AddDate(0, 0, -1)
	if err := f.cases.AddInformation(t.Context(), coopHR, c.ID, information(meeting, 7), nil); err != nil {
		t.Fatal(err)
	}
	if err := f.cases.AddMeeting(t.Context(), coopHR, c.ID, &cooperation.Meeting{HeldAt: meeting,
		Participants: []cooperation.Participant{{Email: coopHR}, {Email: coopRep}}}); err != nil {
		t.Fatal(err)
	}
	if err := f.cases.Conclude(t.Context(), coopHR, c.ID, &cooperation.Conclusion{Text: "Uusi päätös"}, testNow.Add(3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if r := f.readiness(t, testNow.Add(3*time.Hour)); !r["R-COOP-10"] {
		t.Error("R-COOP-10 unmet after the new conclusion")
	}
	if st := f.activityStatus(t); st != monitoring.StatusReady {
		t.Errorf("activity %s after the new conclusion", st)
	}
}

// TestCreateCase_Invalid covers the validation of a new case (R-COOP-1).
func TestCreateCase_Invalid(t *testing.T) {
	f := newCoopFixture(t)
	base := func() *cooperation.Case {
		return &cooperation.Case{Title: "Asia", Procedure: cooperation.Dialogue, ActivityIDs: []int64{f.act.ID},
			Proposed: cooperation.Proposal{Procedure: cooperation.Dialogue}}
	}
	tests := []struct {
		name       string
		change     func(c *cooperation.Case)
		field, key string
	}{
		{"no title", func(c *cooperation.Case) { c.Title = " " }, "title", monitoring.MsgRequired},
		{"long title", func(c *cooperation.Case) { c.Title = string(make([]byte, 201)) }, "title", monitoring.MsgTooLong},
		{"unknown procedure", func(c *cooperation.Case) { c.Procedure = "vote" }, "procedure", monitoring.MsgUnknown},
		{"no activities", func(c *cooperation.Case) { c.ActivityIDs = nil }, "activity_ids", monitoring.MsgRequired},
		{"unknown activity", func(c *cooperation.Case) { c.ActivityIDs = append(c.ActivityIDs, 999) }, "activity_ids[1]", monitoring.MsgNotFound},
		{"unknown representative", func(c *cooperation.Case) { c.Representatives = []string{"nobody@example.fi"} }, "representatives[0]", monitoring.MsgNotFound},
		{"override required R-COOP-1", func(c *cooperation.Case) { c.Procedure = cooperation.Hearing }, "override_reason", monitoring.MsgRequired},
		{"unknown override", func(c *cooperation.Case) { c.Override = "whim" }, "override_reason", monitoring.MsgUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base()
			tt.change(c)
			coopWantErr(t, f.cases.CreateCase(t.Context(), coopHR, c), cooperation.Invalid, tt.field, tt.key)
		})
	}
	if got := f.activityStatus(t); got != monitoring.StatusDraft {
		t.Errorf("refused cases moved the activity to %s", got)
	}
	_, err := f.cases.FindCase(t.Context(), 1)
	coopWantErr(t, err, cooperation.NotFound, "", "")
}

// TestSetStaffSide_R_COOP_3: groups with representatives or all employees;
// a co-operation representative's term at most two years.
func TestSetStaffSide_R_COOP_3(t *testing.T) {
	f := newCoopFixture(t)
	c := f.newCase(t, cooperation.Dialogue)
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	groups := []cooperation.StaffGroup{
		{Name: "Toimihenkilöt", Representatives: []cooperation.Representative{
			{Email: "yt@example.fi", Name: "Ylle Yhteistoiminta", Type: cooperation.CooperationRepresentative,
				TermStart: day(2026, 1, 1), TermEnd: day(2029, 1, 1)}}},
		{Name: "Työntekijät"},
	}
	err := f.cases.SetStaffSide(t.Context(), coopHR, c.ID, groups)
	ce := coopWantErr(t, err, cooperation.Invalid, "groups[0].representatives[0].term_end", monitoring.MsgInvalid)
	if ce.Fields["groups[1].representatives"] != monitoring.MsgRequired {
		t.Errorf("fields %v", ce.Fields)
	}
	groups[0].Representatives[0].TermEnd = day(2027, 12, 31)
	groups[0].Representatives = append(groups[0].Representatives, cooperation.Representative{Email: "tsv@example.fi", Type: cooperation.SafetyRepresentative})
	groups[1].AllEmployees, groups[1].Units = true, []string{"Asiakaspalvelu"}
	if err := f.cases.SetStaffSide(t.Context(), coopHR, c.ID, groups); err != nil {
		t.Fatal(err)
	}
	got := f.find(t, c.ID).Groups
	if len(got) != 2 || len(got[0].Representatives) != 2 || !got[0].Representatives[0].TermEnd.Equal(day(2027, 12, 31)) ||
		got[0].Representatives[0].Type != cooperation.CooperationRepresentative || !got[1].AllEmployees ||
		!slices.Equal(got[1].Units, []string{"Asiakaspalvelu"}) {
		t.Errorf("groups %+v", got)
	}
	// Replaced as a whole.
	if err := f.cases.SetStaffSide(t.Context(), coopHR, c.ID, groups[1:]); err != nil {
		t.Fatal(err)
	}
	if got := f.find(t, c.ID).Groups; len(got) != 1 || got[0].Name != "Työntekijät" {
		t.Errorf("after replacing: %+v", got)
	}
}

// TestAddMeeting_Sides: a group representative without an account is on
// the staff side with the group's name for them.
func TestAddMeeting_Sides(t *testing.T) {
	f := newCoopFixture(t)
	c := f.newCase(t, cooperation.Dialogue)
	if err := f.cases.SetStaffSide(t.Context(), coopHR, c.ID, []cooperation.StaffGroup{{Name: "Toimihenkilöt",
		Representatives: []cooperation.Representative{{Email: "tsv@example.fi", Name: "Taru Työsuojelu", Type: cooperation.SafetyRepresentative}}}}); err != nil {
		t.Fatal(err)
	}
	m := &cooperation.Meeting{HeldAt: testNow, Participants: []cooperation.Participant{
		{Email: "TSV@example.fi", Attended: true}, {Email: coopDPO}, {Email: coopDPO}, {Email: "ulkopuolinen@example.fi", Name: "Ulla Ulkopuolinen"}}}
	if err := f.cases.AddMeeting(t.Context(), coopHR, c.ID, m); err != nil {
		t.Fatal(err)
	}
	want := []cooperation.Participant{
		{Email: "TSV@example.fi", Name: "Taru Työsuojelu", Side: cooperation.StaffSide, Attended: true},
		{Email: coopDPO, Name: "Tiina Tietosuoja", Side: cooperation.EmployerSide},
		{Email: "ulkopuolinen@example.fi", Name: "Ulla Ulkopuolinen", Side: cooperation.EmployerSide},
	}
	if got := f.find(t, c.ID).Meetings[0].Participants; !slices.Equal(got, want) {
		t.Errorf("participants %+v, want %+v", got, want)
	}
	err := f.cases.AddMeeting(t.Context(), coopHR, c.ID, &cooperation.Meeting{Participants: []cooperation.Participant{{Email: "not-an-email"}}})
	ce := coopWantErr(t, err, cooperation.Invalid, "held_at", monitoring.MsgRequired)
	if ce.Fields["participants[0]"] != monitoring.MsgEmail {
		t.Errorf("fields %v", ce.Fields)
	}
}

// TestCommentsAndConfidentiality_R_COOP_11 threads comments and marks
// documents confidential with who was told.
func TestCommentsAndConfidentiality_R_COOP_11(t *testing.T) {
	f := newCoopFixture(t)
	c := f.newCase(t, cooperation.Dialogue)
	if err := f.cases.AddInformation(t.Context(), coopHR, c.ID, information(testNow.AddDate(0, 0, 8), 8), nil); err != nil {
		t.Fatal(err)
	}
	q := &cooperation.Comment{Text: "Kuka kuuntelee tallenteita?"}
	if err := f.cases.AddComment(t.Context(), coopRep, c.ID, q); err != nil {
		t.Fatal(err)
	}
	a := &cooperation.Comment{ParentID: q.ID, Text: "Vain tiiminvetäjät."}
	if err := f.cases.AddComment(t.Context(), coopHR, c.ID, a); err != nil {
		t.Fatal(err)
	}
	err := f.cases.AddComment(t.Context(), coopHR, c.ID, &cooperation.Comment{ParentID: 999, Text: "x"})
	coopWantErr(t, err, cooperation.Invalid, "parent_id", monitoring.MsgNotFound)
	got := f.find(t, c.ID).Comments
	if len(got) != 2 || got[0].By != coopRep || got[0].InformationVersion != 1 || got[1].ParentID != q.ID || got[1].By != coopHR {
		t.Errorf("comments %+v %+v", got[0], got[1])
	}

	err = f.cases.SetConfidential(t.Context(), coopHR, c.ID, "information", cooperation.Confidentiality{Confidential: true})
	coopWantErr(t, err, cooperation.Invalid, "told_to", monitoring.MsgRequired)
	if err := f.cases.SetConfidential(t.Context(), coopHR, c.ID, "information",
		cooperation.Confidentiality{Confidential: true, ToldTo: "Liisa Luottamusmies"}); err != nil {
		t.Fatal(err)
	}
	m := &cooperation.Meeting{HeldAt: testNow, Participants: []cooperation.Participant{{Email: coopHR}}}
	if err := f.cases.AddMeeting(t.Context(), coopHR, c.ID, m); err != nil {
		t.Fatal(err)
	}
	if err := f.cases.SetConfidential(t.Context(), coopHR, c.ID, "meeting:"+strconv.FormatInt(m.ID, 10),
		cooperation.Confidentiality{Confidential: true, ToldTo: "Kaikki osallistujat", ToldAt: testNow.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	err = f.cases.SetConfidential(t.Context(), coopHR, c.ID, "meeting:999", cooperation.Confidentiality{})
	coopWantErr(t, err, cooperation.NotFound, "", "")
	err = f.cases.SetConfidential(t.Context(), coopHR, c.ID, "minutes", cooperation.Confidentiality{})
	coopWantErr(t, err, cooperation.Invalid, "document", monitoring.MsgUnknown)
	cs := f.find(t, c.ID)
	if ic := cs.Information[0].Confidentiality; !ic.Confidential || ic.ToldTo != "Liisa Luottamusmies" || !ic.ToldAt.Equal(testNow) {
		t.Errorf("information confidentiality %+v", ic)
	}
	if mc := cs.Meetings[0].Confidentiality; !mc.Confidential || !mc.ToldAt.Equal(testNow.Add(-time.Hour)) {
		t.Errorf("meeting confidentiality %+v", mc)
	}
}

// TestWithdraw: a withdrawn case no longer links its activity (R-DPIA-2)
// and is closed.
func TestWithdraw(t *testing.T) {
	f := newCoopFixture(t)
	c := f.newCase(t, cooperation.Dialogue)
	coopWantErr(t, f.cases.Withdraw(t.Context(), coopHR, c.ID, ""), cooperation.Invalid, "reason", monitoring.MsgRequired)
	if err := f.cases.Withdraw(t.Context(), coopHR, c.ID, "Hanke peruttu"); err != nil {
		t.Fatal(err)
	}
	if got := f.find(t, c.ID); got.Status != cooperation.StatusWithdrawn {
		t.Errorf("status %s", got.Status)
	}
	if r := f.readiness(t, testNow); r["R-DPIA-2"] {
		t.Error("R-DPIA-2 met by a withdrawn case")
	}
	coopWantErr(t, f.cases.Withdraw(t.Context(), coopHR, c.ID, "again"), cooperation.Conflict, "", "")
	err := f.cases.AddInformation(t.Context(), coopHR, c.ID, information(testNow.AddDate(0, 0, 8), 8), nil)
	coopWantErr(t, err, cooperation.Conflict, "", "")
}

// TestCaseAudit_R_LOG_1: every mutation is in the audit trail, and the
// chain verifies.
func TestCaseAudit_R_LOG_1(t *testing.T) {
	f := newCoopFixture(t)
	c := f.concludeDialogue(t)
	audit := db.NewAuditService(f.d)
	entries, _, err := audit.ListAudit(t.Context(), monitoring.AuditFilter{Entity: "case", EntityID: strconv.FormatInt(c.ID, 10), Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for i := len(entries) - 1; i >= 0; i-- {
		actions = append(actions, entries[i].Action)
	}
	want := []string{"case.created", "case.information", "case.meeting", "case.minutes", "case.minutes_approval",
		"case.minutes_approval", "case.concluded"}
	if !slices.Equal(actions, want) {
		t.Errorf("actions %v, want %v", actions, want)
	}
	if e := entries[0]; e.Actor != coopHR || e.Detail == "" {
		t.Errorf("conclusion entry %+v", e)
	}
	acts, _, err := audit.ListAudit(t.Context(), monitoring.AuditFilter{Entity: "activity", EntityID: strconv.FormatInt(f.act.ID, 10), Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var statuses []string
	for _, e := range acts {
		if e.Action == "activity.status" {
			statuses = append(statuses, e.Detail)
		}
	}
	if len(statuses) != 2 {
		t.Errorf("activity status entries %v, want in_cooperation and ready", statuses)
	}
	rep, err := audit.VerifyAudit(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK || rep.Checked < int64(len(want)) {
		t.Errorf("chain %+v", rep)
	}
}

// TestListCases filters by status, activity and representative (the case's
// representatives and its staff groups'), newest first, with a cursor.
func TestListCases(t *testing.T) {
	f := newCoopFixture(t)
	a := f.newCase(t, cooperation.Dialogue) // coopRep among the representatives
	other := coreCreateActivity(t, f.reg, completeActivity())
	b := &cooperation.Case{Title: "B", Procedure: cooperation.Hearing, Proposed: cooperation.Proposal{Procedure: cooperation.Hearing},
		ActivityIDs: []int64{other.ID}, Groups: []cooperation.StaffGroup{{Name: "Kaikki", Representatives: []cooperation.Representative{
			{Email: coopRep, Type: cooperation.ShopSteward}}}}}
	if err := f.cases.CreateCase(t.Context(), coopHR, b); err != nil {
		t.Fatal(err)
	}
	cc := &cooperation.Case{Title: "C", Procedure: cooperation.Hearing, Proposed: cooperation.Proposal{Procedure: cooperation.Hearing},
		ActivityIDs: []int64{other.ID}}
	if err := f.cases.CreateCase(t.Context(), coopHR, cc); err != nil {
		t.Fatal(err)
	}
	ids := func(cs []*cooperation.Case) []int64 {
		var out []int64
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	tests := []struct {
		name string
		f    cooperation.CaseFilter
		want []int64
	}{
		{"all", cooperation.CaseFilter{}, []int64{cc.ID, b.ID, a.ID}},
		{"representative", cooperation.CaseFilter{Representative: "LUOTTAMUS@example.fi"}, []int64{b.ID, a.ID}},
		{"activity", cooperation.CaseFilter{ActivityID: other.ID}, []int64{cc.ID, b.ID}},
		{"status", cooperation.CaseFilter{Status: cooperation.StatusDraft, ActivityID: f.act.ID}, []int64{a.ID}},
		{"nobody", cooperation.CaseFilter{Representative: coopDPO}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, next, err := f.cases.ListCases(t.Context(), tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ids(got), tt.want) || next != 0 {
				t.Errorf("got %v next %d, want %v", ids(got), next, tt.want)
			}
		})
	}
	page, next, err := f.cases.ListCases(t.Context(), cooperation.CaseFilter{Representative: coopRep, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids(page), []int64{b.ID}) || next != b.ID {
		t.Fatalf("page 1 %v next %d", ids(page), next)
	}
	page, next, err = f.cases.ListCases(t.Context(), cooperation.CaseFilter{Representative: coopRep, Limit: 1, Cursor: next})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids(page), []int64{a.ID}) || next != 0 {
		t.Fatalf("page 2 %v next %d", ids(page), next)
	}
	if len(page[0].Representatives) != 1 || len(page[0].ActivityIDs) != 1 {
		t.Errorf("listed case not whole: %+v", page[0])
	}
	_, _, err = f.cases.ListCases(t.Context(), cooperation.CaseFilter{Status: "open"})
	coopWantErr(t, err, cooperation.Invalid, "status", monitoring.MsgUnknown)
}
