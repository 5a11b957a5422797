package main

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"vaaka/app"
	"vaaka/cooperation"
	"vaaka/db"
	"vaaka/monitoring"
)

// TestBrowser_RepresentativeCommentsAndDissents: a representative reads a
// proposal, comments, and approves the minutes with a dissent (R-COOP-2,
// R-COOP-4). The case — information delivered 9 days before the meeting, a
// meeting with minutes requested and written — is set up through the
// CaseService on a copy of the demo data; the representative then works
// only through the browser.
func TestBrowser_RepresentativeCommentsAndDissents(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	srv := startBrowserServer(t)
	cat, err := app.LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cases := db.NewCaseService(srv.DB)
	const (
		title   = "Tallenteiden tekstitys – vuoropuhelu"
		subject = "Tallenteiden automaattinen tekstitys laadunvarmistuksessa"
	)
	activityID := demoActivityID(t, srv.DB, "Asiakaspalvelujonon puhelujen tallentaminen laadun varmistamiseksi")
	cs := &cooperation.Case{Title: title, Procedure: cooperation.Dialogue, ActivityIDs: []int64{activityID},
		Proposed: cooperation.Proposal{Procedure: cooperation.Dialogue, Key: "at_or_above"},
		Units:    []string{"Asiakaspalvelu"}, Representatives: []string{demoRep}}
	if err := cases.CreateCase(ctx, demoHR, cs); err != nil {
		t.Fatal(err)
	}
	meeting := testNow.Add(-24 * time.Hour)
	if err := cases.AddInformation(ctx, demoHR, cs.ID, &cooperation.Information{Subject: subject,
		Purpose: "Laadun varmistaminen: tekstitetystä puhelusta esihenkilö löytää valmennuskohdat nopeammin.",
		Methods: "Tallenteet tekstitetään puhelinjärjestelmässä; tekstit poistetaan tallenteen mukana.", FirstMeetingAt: meeting,
		Place: "Neuvotteluhuone Saimaa", DeliveredAt: meeting.Add(-9 * 24 * time.Hour), Recipients: []string{demoRep}}, monitoring.Helsinki); err != nil {
		t.Fatal(err)
	}
	m := &cooperation.Meeting{HeldAt: meeting, Place: "Neuvotteluhuone Saimaa", MinutesRequested: true, Agenda: "1. Tekstitys",
		Participants: []cooperation.Participant{
			{Email: demoHR, Name: "Hanna Heikkinen", Side: cooperation.EmployerSide, Attended: true},
			{Email: demoRep, Name: "Riikka Rantanen", Side: cooperation.StaffSide, Attended: true},
		}}
	if err := cases.AddMeeting(ctx, demoHR, cs.ID, m); err != nil {
		t.Fatal(err)
	}
	if err := cases.WriteMinutes(ctx, demoHR, cs.ID, m.ID, &cooperation.Minutes{MainContent: "Käsiteltiin tekstityksen käyttötarkoitus ja tekstien säilytys.",
		Outcome: "Tekstitys otetaan käyttöön pilottina."}); err != nil {
		t.Fatal(err)
	}

	b := newBrowser(t)
	signIn(t, b, srv.URL, demoRep)
	if p := path(t, b); p != "/representative" {
		t.Errorf("the representative landed on %s, want /representative", p)
	}
	// The portal lists the case; open it from there.
	step(t, b, "open the case from the portal",
		chromedp.WaitVisible(chromedp.CSS(`#rep-cases`)),
		chromedp.Click(chromedp.CSS(`main section h3 a[href="/cases/`+itoaID(cs.ID)+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#information`)),
	)
	if h1 := read(t, b, "heading", chromedp.Text(chromedp.CSS(`main h1`))); h1 != title {
		t.Errorf("heading %q, want %q", h1, title)
	}
	info := read(t, b, "proposal", chromedp.Text(chromedp.CSS(`#information + p + dl.props, #information ~ dl.props`)))
	if !strings.Contains(info, subject) || !strings.Contains(info, "tekstit poistetaan tallenteen mukana") {
		t.Errorf("the proposal reads %q", clip(info, 500))
	}
	timeline := read(t, b, "timeline", chromedp.Text(chromedp.CSS(`table.deadlines`)))
	if !strings.Contains(timeline, "R-COOP-2") || !strings.Contains(timeline, cat.T(monitoring.Finnish, "coop.deadline_status.met")) {
		t.Errorf("timeline %q lacks R-COOP-2 met", timeline)
	}

	const comment = "Tallennetaanko tekstit erikseen, ja kuka niitä voi hakea?"
	step(t, b, "post a comment",
		chromedp.SetValue(chromedp.CSS(`#comment-form textarea[name="text"]`), comment),
		chromedp.Click(chromedp.CSS(`#comment-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	)
	comments := read(t, b, "comments", chromedp.Text(chromedp.CSS(`ol.thread`)))
	if !strings.Contains(comments, comment) {
		t.Errorf("comments %q lack the new comment", comments)
	}

	const dissent = "Henkilöstö edellyttää, että tekstit poistetaan 30 päivässä."
	form := `form[action$="/meetings/` + itoaID(m.ID) + `/approvals"]`
	step(t, b, "approve the minutes with a dissent",
		chromedp.Click(chromedp.CSS(form+` input[name="choice"][value="dissent"]`)),
		chromedp.SetValue(chromedp.CSS(form+` textarea[name="dissent"]`), dissent),
		chromedp.Click(chromedp.CSS(form+` button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`table.approvals`)),
	)
	approvals := read(t, b, "approvals", chromedp.Text(chromedp.CSS(`#meeting-`+itoaID(m.ID)+` table.approvals`)))
	for _, want := range []string{"Riikka Rantanen", cat.T(monitoring.Finnish, "web.case.approvals.approved_dissent"), dissent} {
		if !strings.Contains(approvals, want) {
			t.Errorf("approvals %q lack %q", approvals, want)
		}
	}
	forms := read(t, b, "answer forms left", chromedp.Evaluate[int](`document.querySelectorAll('`+form+`').length`))
	if forms != 0 {
		t.Errorf("the approval form still shows after answering (%d)", forms)
	}

	// Stored as answered: the representative's approval with the dissent.
	got, err := cases.FindCase(ctx, cs.ID)
	if err != nil {
		t.Fatal(err)
	}
	ok := false
	for _, a := range got.Meetings[0].Approvals {
		if a.By == demoRep && a.Approve && a.Dissent == dissent && a.Side == cooperation.StaffSide {
			ok = true
		}
	}
	if !ok || len(got.Comments) != 1 || got.Comments[0].Text != comment {
		t.Fatalf("stored approvals %+v, comments %+v", got.Meetings[0].Approvals, got.Comments)
	}
}

// TestDemoCases: the demo holds a concluded dialogue (information 10 days
// before the meeting, minutes signed by both sides with a dissent) and an
// open dialogue with a pending deadline and an initiative.
func TestDemoCases(t *testing.T) {
	d, _ := openDemoCopy(t)
	d.Now = func() time.Time { return testNow }
	cases, _, err := db.NewCaseService(d).ListCases(context.Background(), cooperation.CaseFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	byTitle := map[string]*cooperation.Case{}
	for _, c := range cases {
		byTitle[c.Title] = c
	}
	done, open := byTitle[demoCaseConcluded], byTitle[demoCaseOpen]
	if done == nil || open == nil {
		t.Fatalf("demo cases %v", byTitle)
	}
	if done.Status != cooperation.StatusConcluded || done.Conclusion == nil || len(done.Meetings) != 1 || !done.Meetings[0].MinutesSigned() {
		t.Errorf("concluded case %+v", done)
	}
	in := done.CurrentInformation()
	if in == nil || cooperation.CalendarDays(in.DeliveredAt, in.FirstMeetingAt, monitoring.Helsinki) != 10 {
		t.Errorf("information of the concluded case %+v", in)
	}
	dissents := 0
	for _, a := range done.Meetings[0].Approvals {
		if a.Dissent != "" {
			dissents++
		}
	}
	if dissents != 1 {
		t.Errorf("approvals %+v: want one dissent", done.Meetings[0].Approvals)
	}
	pending := false
	for _, dl := range open.Timeline(testNow, monitoring.Helsinki) {
		if dl.Rule == "R-COOP-2" && dl.Status == cooperation.Pending {
			pending = true
		}
	}
	if !pending || len(open.Initiatives) != 1 || open.Status == cooperation.StatusConcluded {
		t.Errorf("open case %+v: want a pending R-COOP-2 and one initiative", open)
	}
}

func itoaID(n int64) string { return strconv.FormatInt(n, 10) }
