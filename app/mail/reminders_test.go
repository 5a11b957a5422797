package mail_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"vaaka/app/mail"
	"vaaka/cooperation"
	"vaaka/db"
	"vaaka/monitoring"
)

// reminderFixture is a database with HR, two representatives (one Swedish)
// and a hearing case whose response time ends on respondBy.
func reminderFixture(t *testing.T, respondBy time.Time) (*db.DB, *cooperation.Case, *mail.Reminders) {
	t.Helper()
	d := openDB(t)
	acc := db.NewAccountService(d)
	for _, u := range []*monitoring.User{
		{Email: "hr@example.fi", Name: "Henna", Roles: []monitoring.Role{monitoring.RoleHR}, Language: monitoring.Finnish},
		{Email: "liisa@example.fi", Name: "Liisa Luottamusmies", Roles: []monitoring.Role{monitoring.RoleRepresentative}, Language: monitoring.Finnish},
		{Email: "asa@example.fi", Name: "Åsa Ström", Roles: []monitoring.Role{monitoring.RoleRepresentative}, Language: monitoring.Swedish},
	} {
		u.Active, u.PasswordHash = true, "x"
		if err := acc.CreateUser(t.Context(), "admin@example.fi", u); err != nil {
			t.Fatal(err)
		}
	}
	reg := db.NewRegisterService(d)
	a := &monitoring.Activity{Name: "Puheluiden tallennus", Method: monitoring.CallRecording}
	if err := reg.CreateActivity(t.Context(), "hr@example.fi", a); err != nil {
		t.Fatal(err)
	}
	cases := db.NewCaseService(d)
	c := &cooperation.Case{Title: "Tallennuksen kuuleminen", Procedure: cooperation.Hearing, ActivityIDs: []int64{a.ID},
		Proposed: cooperation.Proposal{Procedure: cooperation.Hearing, Key: "below"}, Units: []string{"Asiakaspalvelu"},
		Representatives: []string{"liisa@example.fi", "ASA@example.fi"}}
	if err := cases.CreateCase(t.Context(), "hr@example.fi", c); err != nil {
		t.Fatal(err)
	}
	h := &cooperation.HearingRecord{Invited: "Asiakaspalvelun henkilöstö", Method: "sähköposti", InvitedAt: testNow.AddDate(0, 0, -10), RespondBy: respondBy}
	if err := cases.RecordHearing(t.Context(), "hr@example.fi", c.ID, h); err != nil {
		t.Fatal(err)
	}
	r := &mail.Reminders{Cases: cases, Settings: db.NewSettingsService(d), Outbox: db.NewOutboxService(d), Logger: quiet()}
	return d, c, r
}

// TestReminders_DeadlineNearQueuedOnce: a pending case time limit due
// within three days is announced once to each representative, in their
// language, however often the job runs (R-COOP-9's response time here).
func TestReminders_DeadlineNearQueuedOnce(t *testing.T) {
	respondBy := time.Date(2026, 11, 30, 14, 0, 0, 0, time.UTC) // 30 Nov in Helsinki: 3 days after testNow
	d, c, r := reminderFixture(t, respondBy)
	o := db.NewOutboxService(d)
	notified := 0
	r.Notify = func() { notified++ }

	// Four days before: nothing yet.
	if n, err := r.RunOnce(t.Context(), testNow.AddDate(0, 0, -1)); err != nil || n != 0 {
		t.Fatalf("4 days before: %d, %v", n, err)
	}
	for range 3 {
		if _, err := r.RunOnce(t.Context(), testNow); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := r.RunOnce(t.Context(), testNow.AddDate(0, 0, 1)); err != nil {
		t.Fatal(err)
	}
	items, _, err := o.ListOutbox(t.Context(), monitoring.OutboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 || notified == 0 {
		t.Fatalf("queued %d (notified %d), want one per representative", len(items), notified)
	}
	byTo := map[string]*monitoring.Mail{}
	for _, m := range items {
		byTo[m.To] = m
	}
	id := strconv.FormatInt(c.ID, 10)
	liisa, asa := byTo["liisa@example.fi"], byTo["asa@example.fi"]
	if liisa == nil || liisa.Kind != monitoring.MailDeadlineNear || liisa.Language != monitoring.Finnish ||
		liisa.Params["due"] != "2026-11-30" || liisa.Params["deadline_key"] != "coop.deadline.hearing" ||
		liisa.Params["case"] != c.Title || liisa.Params["link"] != "/cases/"+id+"#timeline" ||
		liisa.Ref != "deadline:"+id+":R-COOP-9:2026-11-30:liisa@example.fi" || liisa.Params["name"] != "Liisa Luottamusmies" {
		t.Errorf("liisa: %+v", liisa)
	}
	if asa == nil || asa.Language != monitoring.Swedish {
		t.Errorf("åsa: %+v", asa)
	}

	// Rendered, the Swedish one names the deadline in Swedish.
	s := mail.NewSender(plainConfig(25), o, catalog, quiet())
	if _, body := s.Render(asa); !strings.Contains(body, catalog.T(monitoring.Swedish, "coop.deadline.hearing")) || !strings.Contains(body, "30.11.2026") {
		t.Errorf("body: %s", body)
	}

	// After the due date, or once the case is withdrawn, nothing more.
	cases := db.NewCaseService(d)
	if err := cases.Withdraw(t.Context(), "hr@example.fi", c.ID, "Hanke peruttiin"); err != nil {
		t.Fatal(err)
	}
	if n, err := r.RunOnce(t.Context(), testNow); err != nil || n != 0 {
		t.Fatalf("withdrawn case: %d, %v", n, err)
	}
}

// TestReminders_AccessRequestDue_R_DSR_1: an open access request due
// within a week is announced once to every active HR user; a delivered one
// is not.
func TestReminders_AccessRequestDue_R_DSR_1(t *testing.T) {
	d, _, r := reminderFixture(t, testNow.AddDate(0, 0, 20))
	requests := db.NewAccessRequestService(d)
	r.Requests, r.Accounts = requests, db.NewAccountService(d)
	due := &monitoring.AccessRequest{Kind: monitoring.RequestByCaller, Requester: "Asiakas 1", Description: "Puhelu",
		ReceivedOn: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)} // due 2 Dec
	later := &monitoring.AccessRequest{Kind: monitoring.RequestByCaller, Requester: "Asiakas 2", Description: "Puhelu",
		ReceivedOn: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)} // due 20 Dec
	for _, q := range []*monitoring.AccessRequest{due, later} {
		if err := requests.CreateAccessRequest(t.Context(), "hr@example.fi", q); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		if _, err := r.RunOnce(t.Context(), testNow); err != nil {
			t.Fatal(err)
		}
	}
	items, _, err := db.NewOutboxService(d).ListOutbox(t.Context(), monitoring.OutboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var got []*monitoring.Mail
	for _, m := range items {
		if m.Kind == monitoring.MailAccessRequestDue {
			got = append(got, m)
		}
	}
	if len(got) != 1 || got[0].To != "hr@example.fi" || got[0].Params["due"] != due.DueOn.Format("2006-01-02") ||
		got[0].Ref != "access_request:"+strconv.FormatInt(due.ID, 10)+":2026-12-02:hr@example.fi" {
		t.Fatalf("access request mail: %d %+v", len(got), got)
	}
}
