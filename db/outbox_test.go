package db_test

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"vaaka/cooperation"
	"vaaka/db"
	"vaaka/monitoring"
)

func queue(t *testing.T, o *db.OutboxService, m *monitoring.Mail) {
	t.Helper()
	if err := o.Queue(t.Context(), m); err != nil {
		t.Fatal(err)
	}
}

func TestOutbox_QueueDueAndList(t *testing.T) {
	d := MustOpenDB(t)
	o := db.NewOutboxService(d)
	m := &monitoring.Mail{Kind: monitoring.MailNoticeIssued, To: " anna@example.fi ", Language: monitoring.Swedish,
		Params: map[string]string{"link": "/me/notices/1", "name": "Åsa"}, Ref: "notice:1:E1"}
	queue(t, o, m)
	if m.ID == 0 || m.To != "anna@example.fi" || !m.CreatedAt.Equal(testNow) {
		t.Fatalf("queued %+v", m)
	}
	queue(t, o, &monitoring.Mail{Kind: monitoring.MailNoticeIssued, To: "b@example.fi"}) // no ref, no language

	due, err := o.Due(t.Context(), testNow, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(due) != 2 || due[0].ID != m.ID {
		t.Fatalf("due = %v", due)
	}
	got := due[0]
	if got.Kind != monitoring.MailNoticeIssued || got.Language != monitoring.Swedish || got.Params["name"] != "Åsa" ||
		got.Params["link"] != "/me/notices/1" || got.Ref != "notice:1:E1" || got.Attempts != 0 || !got.NextAttemptAt.Equal(testNow) {
		t.Errorf("due[0] = %+v", got)
	}
	if due[1].Language != monitoring.Finnish || due[1].Params != nil {
		t.Errorf("due[1] = %+v", due[1])
	}
	// Not due before it was queued.
	if due, _ := o.Due(t.Context(), testNow.Add(-time.Second), 10); len(due) != 0 {
		t.Errorf("due before queueing: %v", due)
	}

	items, next, err := o.ListOutbox(t.Context(), monitoring.OutboxFilter{Limit: 1})
	if err != nil || len(items) != 1 || next == 0 || items[0].ID != due[1].ID {
		t.Fatalf("page 1 = %v %d %v", items, next, err)
	}
	items, next, err = o.ListOutbox(t.Context(), monitoring.OutboxFilter{Limit: 1, Cursor: next})
	if err != nil || len(items) != 1 || next != 0 || items[0].ID != m.ID {
		t.Fatalf("page 2 = %v %d %v", items, next, err)
	}
}

func TestOutbox_SameRefQueuedOnce(t *testing.T) {
	d := MustOpenDB(t)
	o := db.NewOutboxService(d)
	for range 3 {
		queue(t, o, &monitoring.Mail{Kind: monitoring.MailDeadlineNear, To: "r@example.fi", Ref: "deadline:1:R-COOP-2:2026-12-01:r@example.fi"})
	}
	items, _, err := o.ListOutbox(t.Context(), monitoring.OutboxFilter{})
	if err != nil || len(items) != 1 {
		t.Fatalf("items = %v, %v", items, err)
	}
}

func TestOutbox_MarkFailedAndSent(t *testing.T) {
	d := MustOpenDB(t)
	o := db.NewOutboxService(d)
	m := &monitoring.Mail{Kind: monitoring.MailMinutesApproval, To: "r@example.fi"}
	queue(t, o, m)

	next := testNow.Add(time.Minute)
	if err := o.MarkFailed(t.Context(), m.ID, "dial tcp: connection refused", next); err != nil {
		t.Fatal(err)
	}
	if due, _ := o.Due(t.Context(), testNow, 10); len(due) != 0 {
		t.Fatalf("due before back-off: %v", due)
	}
	due, err := o.Due(t.Context(), next, 10)
	if err != nil || len(due) != 1 || due[0].Attempts != 1 || due[0].LastError != "dial tcp: connection refused" {
		t.Fatalf("due after back-off = %v %v", due, err)
	}

	sentAt := next.Add(time.Second)
	if err := o.MarkSent(t.Context(), m.ID, sentAt); err != nil {
		t.Fatal(err)
	}
	if err := o.MarkSent(t.Context(), m.ID, sentAt.Add(time.Hour)); err != nil { // idempotent
		t.Fatal(err)
	}
	if err := o.MarkFailed(t.Context(), m.ID, "late", next); err != nil { // a sent message stays sent
		t.Fatal(err)
	}
	if due, _ := o.Due(t.Context(), sentAt.Add(48*time.Hour), 10); len(due) != 0 {
		t.Fatalf("sent message still due: %v", due)
	}
	items, _, _ := o.ListOutbox(t.Context(), monitoring.OutboxFilter{})
	if len(items) != 1 || !items[0].SentAt.Equal(sentAt) || items[0].Attempts != 1 {
		t.Fatalf("after sent: %+v", items[0])
	}
	if unsent, _, _ := o.ListOutbox(t.Context(), monitoring.OutboxFilter{Unsent: true}); len(unsent) != 0 {
		t.Fatalf("unsent = %v", unsent)
	}

	var me *monitoring.Error
	if err := o.MarkSent(t.Context(), 999, sentAt); !errors.As(err, &me) || me.Code != monitoring.NotFound {
		t.Errorf("MarkSent(999) = %v", err)
	}
}

func TestOutbox_LanguageAndNameLookedUp(t *testing.T) {
	f := newCoopFixture(t)
	acc := db.NewAccountService(f.d)
	u := &monitoring.User{Email: "asa@example.fi", Name: "Åsa Ström", Roles: []monitoring.Role{monitoring.RoleHR},
		Language: monitoring.Swedish, Active: true, PasswordHash: "x"}
	if err := acc.CreateUser(t.Context(), "admin@example.fi", u); err != nil {
		t.Fatal(err)
	}
	o := db.NewOutboxService(f.d)
	queue(t, o, &monitoring.Mail{Kind: monitoring.MailDeadlineNear, To: "ASA@example.fi"})
	queue(t, o, &monitoring.Mail{Kind: monitoring.MailDeadlineNear, To: "asa@example.fi", Language: monitoring.English,
		Params: map[string]string{"name": "Å."}})
	queue(t, o, &monitoring.Mail{Kind: monitoring.MailDeadlineNear, To: "nobody@example.fi"})
	items, _, err := o.ListOutbox(t.Context(), monitoring.OutboxFilter{})
	if err != nil || len(items) != 3 {
		t.Fatal(items, err)
	}
	// Newest first.
	if got := items[2]; got.Language != monitoring.Swedish || got.Params["name"] != "Åsa Ström" {
		t.Errorf("looked up: %+v", got)
	}
	if got := items[1]; got.Language != monitoring.English || got.Params["name"] != "Å." {
		t.Errorf("given: %+v", got)
	}
	if got := items[0]; got.Language != monitoring.Finnish || got.Params["name"] != "" {
		t.Errorf("unknown: %+v", got)
	}
}

// TestWriteMinutes_QueuesApprovalMail_R_COOP_4: every participant but the
// writer is asked, in their language, to approve each new version, in the
// same transaction as the minutes.
func TestWriteMinutes_QueuesApprovalMail_R_COOP_4(t *testing.T) {
	f := newCoopFixture(t)
	acc := db.NewAccountService(f.d)
	if err := acc.CreateUser(t.Context(), "admin@example.fi", &monitoring.User{Email: "asa@example.fi", Name: "Åsa Ström",
		Roles: []monitoring.Role{monitoring.RoleHR}, Language: monitoring.Swedish, Active: true, PasswordHash: "x"}); err != nil {
		t.Fatal(err)
	}
	c := f.newCase(t, cooperation.Dialogue)
	held := time.Date(2026, 11, 20, 22, 30, 0, 0, time.UTC) // 21 Nov in Helsinki
	m := &cooperation.Meeting{HeldAt: held, Place: "Neuvotteluhuone 2", Agenda: "Tallennus", MinutesRequested: true,
		Participants: []cooperation.Participant{{Email: coopHR, Attended: true}, {Email: coopRep, Attended: true}, {Email: "asa@example.fi", Attended: true}}}
	if err := f.cases.AddMeeting(t.Context(), coopHR, c.ID, m); err != nil {
		t.Fatal(err)
	}
	write := func() {
		t.Helper()
		if err := f.cases.WriteMinutes(t.Context(), coopHR, c.ID, m.ID, &cooperation.Minutes{MainContent: "Käytiin läpi.", Outcome: "Sovittiin"}); err != nil {
			t.Fatal(err)
		}
	}
	write()
	o := db.NewOutboxService(f.d)
	items, _, err := o.ListOutbox(t.Context(), monitoring.OutboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]*monitoring.Mail{}
	for _, it := range items {
		got[it.To] = it
	}
	if len(items) != 2 || got[coopHR] != nil {
		t.Fatalf("queued %d: %v (the writer is not asked)", len(items), got)
	}
	rep, asa := got[coopRep], got["asa@example.fi"]
	if rep == nil || rep.Kind != monitoring.MailMinutesApproval || rep.Language != monitoring.Finnish ||
		rep.Params["name"] != "Liisa Luottamusmies" || rep.Params["case"] != "Puheluiden tallennus" ||
		rep.Params["meeting"] != "2026-11-21" || rep.Params["version"] != "1" || rep.Params["link"] != "/cases/"+strconv.FormatInt(c.ID, 10)+"#meeting-"+strconv.FormatInt(m.ID, 10) ||
		rep.Ref != "minutes:"+strconv.FormatInt(m.ID, 10)+":1:"+coopRep {
		t.Errorf("representative's mail: %+v", rep)
	}
	if asa == nil || asa.Language != monitoring.Swedish {
		t.Errorf("Swedish participant's mail: %+v", asa)
	}

	// The representative answers; a new version asks everyone again.
	f.approve(t, coopRep, c.ID, m.ID, cooperation.Approval{Approve: false, Comment: "Korjaa päivämäärä"})
	write()
	items, _, _ = o.ListOutbox(t.Context(), monitoring.OutboxFilter{})
	if len(items) != 4 || items[0].Params["version"] != "2" || items[1].Params["version"] != "2" {
		t.Fatalf("after version 2: %d messages", len(items))
	}

	// A failed write queues nothing (same transaction).
	f.approve(t, coopRep, c.ID, m.ID, cooperation.Approval{Approve: true})
	f.approve(t, "asa@example.fi", c.ID, m.ID, cooperation.Approval{Approve: true})
	f.approve(t, coopHR, c.ID, m.ID, cooperation.Approval{Approve: true})
	if err := f.cases.WriteMinutes(t.Context(), coopHR, c.ID, m.ID, &cooperation.Minutes{MainContent: "x", Outcome: "y"}); err == nil {
		t.Fatal("rewrote signed minutes")
	}
	if items, _, _ = o.ListOutbox(t.Context(), monitoring.OutboxFilter{}); len(items) != 4 {
		t.Fatalf("a refused write queued mail: %d", len(items))
	}
}

// TestOutbox_OnMailQueued: the sender is woken after a commit that queued
// mail, not after one that did not, and not when the queueing failed.
func TestOutbox_OnMailQueued(t *testing.T) {
	d := MustOpenDB(t)
	var woken int
	d.OnMailQueued(func() { woken++ })
	o := db.NewOutboxService(d)
	queue(t, o, &monitoring.Mail{Kind: monitoring.MailNoticeIssued, To: "anna@example.fi", Language: monitoring.Finnish,
		Params: map[string]string{"name": "Anna"}})
	if woken != 1 {
		t.Fatalf("woken %d times after queueing, want 1", woken)
	}
	if err := db.NewEmployeeService(d).CreateUnit(t.Context(), "hr@example.fi", "Myynti"); err != nil {
		t.Fatal(err)
	}
	if err := o.Queue(t.Context(), &monitoring.Mail{Kind: monitoring.MailNoticeIssued, To: " "}); err == nil {
		t.Fatal("a mail without a recipient was queued")
	}
	if woken != 1 {
		t.Errorf("woken %d times, want 1 (a commit without mail and a failed queueing wake nobody)", woken)
	}
}
