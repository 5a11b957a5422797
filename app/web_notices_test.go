package app_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"vaaka/cooperation"
	"vaaka/monitoring"
)

// The web pages of notices, the employee's home, access requests and the
// callers' information (SPEC "Notice to employees", "Requests"; LAW.md
// R-NOT-*, R-DSR-1, R-INF-1/2, R-LOG-1), through the fiber app and a real
// database. The clock is testNow (2026-11-27 10:00 UTC).

const webNoticeConclusion = "Asiakaspalvelun saapuvat puhelut tallennetaan laadun valmentamiseen; säilytys 90 päivää."

// webNoticeSeed sets up the organisation, three employees (E1 and E2 in
// Asiakaspalvelu, E3 in Myynti) and an activity of Asiakaspalvelu whose
// dialogue case is concluded (R-COOP-10) unless open is true. The activity
// and its case are created 20 days back so that the conclusion comes after
// the activity's last material change.
func webNoticeSeed(t *testing.T, ts *testServer, hr string, open bool) (*monitoring.Activity, *cooperation.Case) {
	t.Helper()
	ctx := context.Background()
	org, err := ts.Deps.Settings.Organisation(ctx)
	if err != nil {
		t.Fatal(err)
	}
	org.Name, org.BusinessID, org.Address = "Vaakalauta Oy", "1572860-0", "Hämeenkatu 1, 33100 Tampere"
	org.DPOContact, org.PrivacyNoticeURL = "Tietosuojavastaava, tietosuoja@example.fi", "https://example.fi/tietosuoja"
	org.Sector, org.Headcount = monitoring.SectorPrivate, 64
	if err := ts.Deps.Settings.UpdateOrganisation(ctx, "test", org); err != nil {
		t.Fatal(err)
	}
	for _, e := range []monitoring.Employee{
		{StaffID: "E1", Name: "Aino Äijälä", Email: "emp@example.fi", Unit: "Asiakaspalvelu", Language: monitoring.Finnish, Active: true},
		{StaffID: "E2", Name: "Åsa Öberg", Email: "emp2@example.fi", Unit: "Asiakaspalvelu", Language: monitoring.Swedish, Active: true},
		{StaffID: "E3", Name: "Olli Muualla", Email: "other@example.fi", Unit: "Myynti", Language: monitoring.Finnish, Active: true},
	} {
		if err := ts.Deps.Employees.CreateEmployee(ctx, "test", &e); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ts.Deps.Accounts.FindUserByEmail(ctx, "rep@example.fi"); err != nil {
		ts.addUser(t, "rep@example.fi", "Reijo Edustaja", "representative", "")
	}
	return webConcludedActivity(t, ts, hr, "rep@example.fi", open)
}

// webConcludedActivity creates an activity of Asiakaspalvelu and a dialogue
// case about it with rep on the staff side, concluded (R-COOP-10) unless
// open is true. The activity and its case are created 20 days back so that
// the conclusion comes after the activity's last material change.
func webConcludedActivity(t *testing.T, ts *testServer, hr, rep string, open bool) (*monitoring.Activity, *cooperation.Case) {
	t.Helper()
	ctx := context.Background()
	back := testNow.Add(-20 * 24 * time.Hour)
	ts.DB.Now = func() time.Time { return back }
	defer func() { ts.DB.Now = func() time.Time { return testNow } }()
	a := seedActivity(t, ts, "Asiakaspalvelun puhelutallennus", "sup@example.fi")
	cs := &cooperation.Case{Title: "Puhelujen tallentaminen – vuoropuhelu", Procedure: cooperation.Dialogue, ActivityIDs: []int64{a.ID},
		Proposed: cooperation.Proposal{Procedure: cooperation.Dialogue, Key: "at_or_above"}, Units: []string{"Asiakaspalvelu"},
		Representatives: []string{rep}}
	if err := ts.Deps.Cases.CreateCase(ctx, hr, cs); err != nil {
		t.Fatal(err)
	}
	ts.DB.Now = func() time.Time { return testNow }
	if open {
		return a, cs
	}
	meeting := testNow.Add(-2 * 24 * time.Hour)
	if err := ts.Deps.Cases.AddInformation(ctx, hr, cs.ID, &cooperation.Information{Subject: "Asiakaspalvelun puhelujen tallentaminen",
		Purpose: "Laadun varmistaminen.", Methods: "Saapuvat puhelut tallennetaan; esihenkilö kuuntelee otoksen.", FirstMeetingAt: meeting,
		Place: "Neuvotteluhuone", DeliveredAt: meeting.Add(-10 * 24 * time.Hour), Recipients: []string{rep}}, monitoring.Helsinki); err != nil {
		t.Fatal(err)
	}
	m := &cooperation.Meeting{HeldAt: meeting, Place: "Neuvotteluhuone", Agenda: "1. Käyttötarkoitus",
		Participants: []cooperation.Participant{
			{Email: hr, Name: "Hilkka Henkilöstö", Side: cooperation.EmployerSide, Attended: true},
			{Email: rep, Name: "Reijo Edustaja", Side: cooperation.StaffSide, Attended: true},
		}}
	if err := ts.Deps.Cases.AddMeeting(ctx, hr, cs.ID, m); err != nil {
		t.Fatal(err)
	}
	if err := ts.Deps.Cases.Conclude(ctx, hr, cs.ID, &cooperation.Conclusion{Text: webNoticeConclusion, By: hr,
		ConcludedAt: testNow.Add(-time.Hour)}, testNow); err != nil {
		t.Fatal(err)
	}
	return a, cs
}

// webIssueNotice issues the activity's notice through the service.
func webIssueNotice(t *testing.T, ts *testServer, a *monitoring.Activity) *monitoring.Notice {
	t.Helper()
	n := &monitoring.Notice{ActivityID: a.ID, IntroductionOn: time.Date(2026, 12, 15, 0, 0, 0, 0, time.UTC)}
	if err := ts.Deps.Notices.IssueNotice(context.Background(), "hr@example.fi", n); err != nil {
		t.Fatal(err)
	}
	return n
}

var noticePath = regexp.MustCompile(`^/notices/(\d+)\?done=issued$`)

// TestWebNoticeIssue_R_NOT_1: HR issues the notice through the form,
// prefilled from the conclusion (R-COOP-10); a bad date is refused naming
// the field; the answer tells the recipients; the recipients table shows
// who has read and acknowledged, filters the ones who have not, and a
// reminder reports its count.
func TestWebNoticeIssue_R_NOT_1(t *testing.T) {
	ts := newTestServer(t)
	a, cs := webNoticeSeed(t, ts, "hr@example.fi", false)
	hr := loggedIn(t, ts, "hr@example.fi", "hr", "")
	ap := "/activities/" + itoa(a.ID)

	resp, body := hr.get(t, ap)
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, `id="notices"`, `href="`+ap+`/notices/new"`, `href="`+ap+`/callers"`, "Tiedotetta ei ole vielä annettu.")

	resp, body = hr.get(t, ap+"/notices/new")
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, "<h1>Anna tiedote työntekijöille</h1>", webNoticeConclusion, "Saapuvat puhelut tallennetaan; esihenkilö kuuntelee otoksen.",
		"Tiedote annetaan 2 työntekijälle.", `href="/cases/`+itoa(cs.ID)+`#conclusion"`, `name="introduction_on"`, `name="plain_finnish"`,
		`<label for="f-introduction_on">Käyttöönottopäivä`)

	form := url.Values{"introduction_on": {"15.13.2026"}, "purpose": {webNoticeConclusion}, "methods": {"Tallennus ja otantakuuntelu."},
		"handled": {"Käyttötarkoitus, säilytysaika ja käyttöoikeudet."}, "plain_finnish": {"Puhelusi tallennetaan. Esihenkilö voi kuunnella niitä."}}
	resp, body = hr.post(t, ap+"/notices", form)
	wantStatus(t, resp, body, http.StatusUnprocessableEntity)
	wantContains(t, body, `class="errsum"`, `href="#f-introduction_on"`, "Käyttöönottopäivä", `id="f-introduction_on-err"`, `value="15.13.2026"`)

	form.Set("introduction_on", "2026-12-15")
	resp, body = hr.post(t, ap+"/notices", form)
	wantStatus(t, resp, body, http.StatusSeeOther)
	m := noticePath.FindStringSubmatch(resp.Header.Get("Location"))
	if m == nil {
		t.Fatalf("Location %q", resp.Header.Get("Location"))
	}
	np := "/notices/" + m[1]
	resp, body = hr.get(t, resp.Header.Get("Location"))
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, "Tiedote annettiin 2 työntekijälle.", "15.12.2026", "Puhelusi tallennetaan. Esihenkilö voi kuunnella niitä.",
		`lang="fi"`, "Vaakalauta Oy", "1572860-0", "Tietosuojavastaava, tietosuoja@example.fi", "Tiiminvetäjä", "https://tietosuoja.fi",
		"https://www.finlex.fi/fi/laki/ajantasa/2004/20040759", `href="/documents/notices/`+m[1]+`.pdf?lang=fi"`,
		"Aino Äijälä", "Åsa Öberg", `action="`+np+`/remind"`, "R-NOT-2", "R-NOT-3")
	if strings.Contains(body, "Olli Muualla") {
		t.Error("an employee outside the affected units is a recipient")
	}
	if strings.Contains(body, `action="`+np+`/acknowledge"`) {
		t.Error("HR, not a recipient, is offered the acknowledgement")
	}

	// E1 acknowledges; the filter then lists only E2.
	if err := ts.Deps.Notices.Acknowledge(context.Background(), mustInt(t, m[1]), "E1"); err != nil {
		t.Fatal(err)
	}
	resp, body = hr.get(t, np+"?filter=unacknowledged")
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, "Åsa Öberg", `<option value="unacknowledged" selected>`)
	if strings.Contains(body, "Aino Äijälä") {
		t.Error("the not-acknowledged filter lists an acknowledged recipient")
	}
	resp, body = hr.get(t, np+"?filter=bogus")
	wantStatus(t, resp, body, http.StatusBadRequest)

	resp, body = hr.post(t, np+"/remind", nil)
	wantStatus(t, resp, body, http.StatusSeeOther)
	_, body = hr.get(t, resp.Header.Get("Location"))
	wantContains(t, body, "Muistutus lähetetään 1 työntekijälle")

	// The activity page lists the notice with its counts; the dashboard the
	// notice not acknowledged by everyone.
	_, body = hr.get(t, ap)
	wantContains(t, body, `href="`+np+`"`, "versio 1", `href="`+np+`?filter=unacknowledged">1</a>`)
	resp, body = hr.get(t, "/dashboard")
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, `id="unacked-notices"`, `href="`+np+`?filter=unacknowledged">Asiakaspalvelun puhelutallennus</a>`)
}

// TestWebNoticeRefusedBeforeConclusion_R_COOP_10: before the co-operation
// case is concluded the issue page shows the rules (R-COOP-10, R-SEQ-1)
// instead of the form, and a posted notice is refused with 409 and the
// rules; nothing is stored.
func TestWebNoticeRefusedBeforeConclusion_R_COOP_10(t *testing.T) {
	ts := newTestServer(t)
	a, _ := webNoticeSeed(t, ts, "hr@example.fi", true)
	hr := loggedIn(t, ts, "hr@example.fi", "hr", "")
	ap := "/activities/" + itoa(a.ID)
	resp, body := hr.get(t, ap+"/notices/new")
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, "R-COOP-10", "R-SEQ-1", "Tiedotetta ei voi antaa, koska seuraavat edellytykset eivät täyty")
	if strings.Contains(body, `action="`+ap+`/notices"`) {
		t.Error("the form is offered before the conclusion")
	}
	resp, body = hr.post(t, ap+"/notices", url.Values{"introduction_on": {"2026-12-15"}})
	wantStatus(t, resp, body, http.StatusConflict)
	wantContains(t, body, "R-COOP-10", "R-SEQ-1", "Tiedotetta ei voi vielä antaa.")
	ns, _, err := ts.Deps.Notices.ListNotices(context.Background(), monitoring.NoticeFilter{ActivityID: a.ID})
	if err != nil || len(ns) != 0 {
		t.Fatalf("notices after a refusal: %v, %v", ns, err)
	}
	_, body = hr.get(t, ap)
	if strings.Contains(body, `href="`+ap+`/notices/new"`) {
		t.Error("the activity page offers the issue button before the conclusion")
	}
}

// TestWebEmployeeAcknowledgesNotice_R_NOT_1: the employee sees only their
// own notices on /me, unread highlighted; opening records the read, the
// button acknowledges; another employee cannot open or acknowledge it.
func TestWebEmployeeAcknowledgesNotice_R_NOT_1(t *testing.T) {
	ts := newTestServer(t)
	a, _ := webNoticeSeed(t, ts, "hr@example.fi", false)
	n := webIssueNotice(t, ts, a)
	np := "/notices/" + itoa(n.ID)
	emp := loggedIn(t, ts, "emp@example.fi", "employee", "E1")
	other := loggedIn(t, ts, "other@example.fi", "employee", "E3")

	resp, body := emp.get(t, "/me")
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, `id="my-notices"`, "notice-unread", "notice-pending", "Lukematta", `href="`+np+`"`,
		"Sinulla on 1 kuittaamatonta tiedotetta", `action="`+np+`/acknowledge"`, `href="/documents/notices/`+itoa(n.ID)+`.pdf?lang=fi"`)
	resp, body = other.get(t, "/me")
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, "Sinulle ei ole annettu tiedotteita valvonnasta.")
	if strings.Contains(body, np) {
		t.Error("another employee's home lists the notice")
	}

	// Opening records the first read.
	resp, body = emp.get(t, np)
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, "Lue tiedote ja kuittaa se luetuksi.", "Olen lukenut tiedotteen – kuittaa luetuksi", webNoticeConclusion)
	if strings.Contains(body, `id="recipients"`) || strings.Contains(body, "Åsa Öberg") {
		t.Error("an employee sees the recipients")
	}
	r, err := ts.Deps.Notices.Recipient(context.Background(), n.ID, "E1")
	if err != nil || r.ReadAt.IsZero() || !r.AcknowledgedAt.IsZero() {
		t.Fatalf("after opening: %+v, %v", r, err)
	}

	// In Swedish and English too.
	for lang, want := range map[string]string{"sv": "Jag har läst meddelandet – kvittera som läst", "en": "I have read the notice – acknowledge as read"} {
		resp, _ = emp.post(t, "/lang", url.Values{"lang": {lang}, "next": {np}})
		wantStatus(t, resp, "", http.StatusSeeOther)
		resp, body = emp.get(t, np)
		wantStatus(t, resp, body, http.StatusOK)
		wantContains(t, body, `<html lang="`+lang+`"`, want)
		resp, body = emp.get(t, "/me")
		wantStatus(t, resp, body, http.StatusOK)
	}
	emp.post(t, "/lang", url.Values{"lang": {"fi"}})

	// Someone else's notice: not found, to read and to acknowledge.
	resp, body = other.get(t, np)
	wantStatus(t, resp, body, http.StatusNotFound)
	resp, body = other.post(t, np+"/acknowledge", nil)
	wantStatus(t, resp, body, http.StatusNotFound)
	resp, body = emp.post(t, "/notices/999999/acknowledge", nil)
	wantStatus(t, resp, body, http.StatusNotFound)
	if r, _ := ts.Deps.Notices.Recipient(context.Background(), n.ID, "E3"); r != nil {
		t.Fatal("E3 became a recipient")
	}

	// Acknowledging from the home page returns there.
	resp, body = emp.post(t, np+"/acknowledge", url.Values{"next": {"me"}})
	wantStatus(t, resp, body, http.StatusSeeOther)
	if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, "/me?done=acknowledged") {
		t.Fatalf("Location %q", loc)
	}
	_, body = emp.get(t, "/me?done=acknowledged")
	wantContains(t, body, "Kiitos – tiedote on kuitattu luetuksi.", "Kuittasit tiedotteen luetuksi 27.11.2026 12.00.")
	if strings.Contains(body, `action="`+np+`/acknowledge"`) {
		t.Error("the acknowledge button shows after acknowledging")
	}
	r, err = ts.Deps.Notices.Recipient(context.Background(), n.ID, "E1")
	if err != nil || r.AcknowledgedAt.IsZero() {
		t.Fatalf("after acknowledging: %+v, %v", r, err)
	}
	// Twice is harmless: the first acknowledgement stays.
	resp, _ = emp.post(t, np+"/acknowledge", nil)
	wantStatus(t, resp, "", http.StatusSeeOther)

	// The PDF links of the home page answer with PDFs (documents.go).
	for _, link := range []string{"/documents/notices/" + itoa(n.ID) + ".pdf?lang=fi", "/documents/employees/E1/report.pdf?lang=fi"} {
		resp, body = emp.get(t, link)
		wantStatus(t, resp, body, http.StatusOK)
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/pdf") || !strings.HasPrefix(body, "%PDF-") {
			t.Errorf("%s: Content-Type %q, body %.20q", link, ct, body)
		}
	}
}

// TestWebMeOwnUses_R_LOG_1: /me lists only the signed-in employee's uses,
// with the user's name and task, what was done and why, the flags with
// their rule ids, the report link and the Act 759/2004 (R-NOT-5).
func TestWebMeOwnUses_R_LOG_1(t *testing.T) {
	ts := newTestServer(t)
	a := seedActivity(t, ts, "Laatuvalmennus", "sup@example.fi")
	ts.addUser(t, "sup@example.fi", "Sari Esihenkilö", "supervisor", "")
	ctx := context.Background()
	for i, sid := range []string{"E1", "E2", "E1"} {
		purpose := "quality"
		if i == 2 {
			purpose = ""
		}
		if _, err := ts.Deps.Uses.RecordUses(ctx, []*monitoring.Use{{ActivityID: a.ID, RecordingRef: "REC-" + sid + "-" + itoa(int64(i)),
			CallStartedAt: testNow.Add(-3 * time.Hour), Direction: monitoring.Inbound, EmployeeStaffIDs: []string{sid},
			UsedBy: "sup@example.fi", Action: monitoring.Evaluated, Purpose: purpose, OccurredAt: testNow.Add(-time.Duration(60-i) * time.Minute),
			Source: monitoring.SourceAPI}}); err != nil {
			t.Fatal(err)
		}
	}
	emp := loggedIn(t, ts, "emp@example.fi", "employee", "E1")
	resp, body := emp.get(t, "/me")
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, "REC-E1-0", "REC-E1-2", "Sari Esihenkilö", "Tiiminvetäjä", "Arvioitu", "quality", "Laatuvalmennus",
		"Käyttötarkoitus puuttuu", "R-PUR-1", `href="/documents/employees/E1/report.pdf?lang=fi"`,
		"https://www.finlex.fi/fi/laki/ajantasa/2004/20040759", "R-NOT-5", "R-DSR-1", "kokonaisena kopiona")
	if strings.Contains(body, "REC-E2") {
		t.Error("/me shows another employee's use")
	}
	// Newest first.
	if strings.Index(body, "REC-E1-2") > strings.Index(body, "REC-E1-0") {
		t.Error("/me is not newest first")
	}
	// Own reads are not audited (R-LOG-1 applies to others' reads).
	entries, _, _ := ts.Deps.Audit.ListAudit(ctx, monitoring.AuditFilter{Limit: 100})
	for _, e := range entries {
		if e.Action == "use_log.read" {
			t.Fatalf("own read audited: %+v", e)
		}
	}
	// A user without a staff id sees the explanation.
	nostaff := loggedIn(t, ts, "nostaff@example.fi", "employee", "")
	_, body = nostaff.get(t, "/me")
	wantContains(t, body, "Käyttäjätiliisi ei ole liitetty henkilönumeroa")
}

// TestWebAccessRequests_R_DSR_1: HR records an employee's and a caller's
// access request (errors naming the field), sees them open first with the
// due date and the days left, extends one by two months with a reason and
// records the delivery with the complete-copy note; the dashboard shows the
// request coming due.
func TestWebAccessRequests_R_DSR_1(t *testing.T) {
	ts := newTestServer(t)
	webNoticeSeed(t, ts, "hr@example.fi", true)
	hr := loggedIn(t, ts, "hr@example.fi", "hr", "")
	dpo := loggedIn(t, ts, "dpo@example.fi", "dpo", "")

	resp, body := hr.get(t, "/requests/new")
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, `name="kind"`, `value="employee" checked`, `name="staff_id"`, `name="requester"`, `name="description"`,
		`value="2026-11-27"`, "27.12.2026")

	// An unknown employee and no description: 422 naming the fields.
	resp, body = hr.post(t, "/requests", url.Values{"kind": {"employee"}, "staff_id": {"E99"}, "received_on": {"2026-11-27"}})
	wantStatus(t, resp, body, http.StatusUnprocessableEntity)
	wantContains(t, body, `href="#f-staff_id"`, "Työntekijän henkilönumero", `href="#f-description"`, "Mitä pyydetään", `value="E99"`)
	resp, body = hr.post(t, "/requests", url.Values{"kind": {"caller"}, "description": {"x"}, "received_on": {"2026-12-01"}})
	wantStatus(t, resp, body, http.StatusUnprocessableEntity)
	wantContains(t, body, `href="#f-requester"`, `href="#f-received_on"`)

	resp, body = hr.post(t, "/requests", url.Values{"kind": {"employee"}, "staff_id": {"E1"}, "received_on": {"2026-11-27"},
		"description": {"Kaikki tallenteet, joita on käytetty minun valvontaani."}})
	wantStatus(t, resp, body, http.StatusSeeOther)
	empReq := resp.Header.Get("Location")
	_, body = hr.get(t, empReq)
	wantContains(t, body, "Tarkastuspyyntö kirjattiin.", "Aino Äijälä (E1)", "27.12.2026", "erääntyy 30 päivän kuluttua",
		"kokonaisena kopiona tai täydellisenä tekstinä", "R-DSR-1", `href="/documents/employees/E1/report.pdf?lang=fi"`)

	resp, body = hr.post(t, "/requests", url.Values{"kind": {"caller"}, "requester": {"Asiakas 12345 (Matti Meikäläinen)"},
		"received_on": {"2026-10-30"}, "description": {"Puhelu 28.10.2026 asiakaspalveluun."}})
	wantStatus(t, resp, body, http.StatusSeeOther)
	callerReq := resp.Header.Get("Location")
	callerPath := strings.SplitN(callerReq, "?", 2)[0]

	resp, body = dpo.get(t, "/requests")
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, "Asiakas 12345 (Matti Meikäläinen)", "erääntyy 3 päivän kuluttua", "30.11.2026", "Aino Äijälä (E1)")
	if strings.Index(body, "Matti Meikäläinen") > strings.Index(body, "Aino Äijälä") {
		t.Error("open requests are not listed earliest due first")
	}
	resp, body = hr.get(t, "/dashboard")
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, `id="requests-due"`, `href="`+callerPath+`">Asiakas 12345 (Matti Meikäläinen)</a>`)
	if strings.Contains(body, "Aino Äijälä (E1)") {
		t.Error("the dashboard lists a request due in 30 days")
	}

	// Extension: the reason is required; then due + 2 months.
	resp, body = hr.post(t, callerPath+"/extend", url.Values{"extension_reason": {""}})
	wantStatus(t, resp, body, http.StatusUnprocessableEntity)
	wantContains(t, body, `href="#f-extension_reason"`, "Jatkon syy")
	resp, body = hr.post(t, callerPath+"/extend", url.Values{"extension_reason": {"Tallenteita on useasta järjestelmästä; pyytäjälle kerrottu 2.11.2026."}})
	wantStatus(t, resp, body, http.StatusSeeOther)
	_, body = hr.get(t, resp.Header.Get("Location"))
	wantContains(t, body, "Määräaikaa jatkettiin kahdella kuukaudella.", "30.1.2027", "Tallenteita on useasta järjestelmästä")
	if strings.Contains(body, `action="`+callerPath+`/extend"`) {
		t.Error("the extension form shows after extending")
	}

	// Delivery: what and when, not in the future.
	resp, body = hr.post(t, callerPath+"/deliver", url.Values{"delivered": {"Tallenne kokonaisena kopiona."}, "delivered_on": {"2026-12-24"}})
	wantStatus(t, resp, body, http.StatusUnprocessableEntity)
	wantContains(t, body, `href="#f-delivered_on"`, "Vastauspäivä")
	resp, body = hr.post(t, callerPath+"/deliver", url.Values{"delivered": {"Tallenne KC-1 kokonaisena kopiona suojatulla linkillä."}, "delivered_on": {"2026-11-26"}})
	wantStatus(t, resp, body, http.StatusSeeOther)
	_, body = hr.get(t, resp.Header.Get("Location"))
	wantContains(t, body, "Vastaus kirjattiin.", "vastattu 26.11.2026", "Tallenne KC-1 kokonaisena kopiona suojatulla linkillä.")
	if strings.Contains(body, `action="`+callerPath+`/deliver"`) {
		t.Error("the delivery form shows after delivering")
	}
	_, body = hr.get(t, "/dashboard")
	if strings.Contains(body, "Matti Meikäläinen") {
		t.Error("the dashboard lists a delivered request")
	}
	_, body = hr.get(t, "/requests")
	wantContains(t, body, `id="closed-requests"`, "vastattu 26.11.2026")
	resp, body = hr.get(t, "/requests/999999")
	wantStatus(t, resp, body, http.StatusNotFound)
	resp, body = hr.get(t, "/requests/abc")
	wantStatus(t, resp, body, http.StatusNotFound)
}

// TestWebCallerInformation_R_INF_1: one printable page per activity with
// the announcement per covered direction and language (a missing one
// marked with R-INF-1), where it plays, the privacy notice and the
// customers informed beforehand (R-INF-2); English and Swedish too.
func TestWebCallerInformation_R_INF_1(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	a := seedActivity(t, ts, "Myynnin soitot")
	if _, err := ts.Deps.Register.UpdateActivity(ctx, "test", a.ID, func(x *monitoring.Activity) error {
		x.Directions = []monitoring.Direction{monitoring.Inbound, monitoring.Outbound}
		x.CallerInformation = monitoring.CallerInformation{
			Inbound:              map[monitoring.Language]string{monitoring.Finnish: "Puhelut tallennetaan laadun varmistamiseksi.", monitoring.Swedish: "Samtalen spelas in."},
			Outbound:             map[monitoring.Language]string{monitoring.Finnish: "Hei, soitan Vaakalauta Oy:stä. Puhelu tallennetaan."},
			IVRPlacement:         "Heti puhelun alussa ennen valikkoa.",
			PrivacyNoticeURL:     "https://example.fi/tietosuoja",
			PreInformedCustomers: "Yritysasiakkaille kerrotaan puitesopimuksessa.",
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	rep := loggedIn(t, ts, "rep@example.fi", "representative", "")
	p := "/activities/" + itoa(a.ID) + "/callers"
	resp, body := rep.get(t, p)
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, "<h1>Soittajille kerrottavat tiedot – Myynnin soitot</h1>", `id="dir-inbound"`, `id="dir-outbound"`,
		`<blockquote lang="fi">Puhelut tallennetaan laadun varmistamiseksi.</blockquote>`, `<blockquote lang="sv">Samtalen spelas in.</blockquote>`,
		"Hei, soitan Vaakalauta Oy:stä. Puhelu tallennetaan.", "Tiedote puuttuu tältä kieleltä.", "R-INF-1", "R-INF-2",
		"Heti puhelun alussa ennen valikkoa.", `href="https://example.fi/tietosuoja"`, "Yritysasiakkaille kerrotaan puitesopimuksessa.")
	if n := strings.Count(body, "Tiedote puuttuu tältä kieleltä."); n != 3 {
		t.Errorf("%d missing announcements marked, want 3 (inbound en, outbound sv and en)", n)
	}
	en := loggedIn(t, ts, "sup@example.fi", "supervisor", "")
	resp, body = en.get(t, p+"?lang=en")
	wantStatus(t, resp, body, http.StatusOK)
	resp, body = en.get(t, "/activities/999999/callers")
	wantStatus(t, resp, body, http.StatusNotFound)
	// The stylesheet carries the print rules.
	resp, css := en.get(t, "/static/app.css")
	wantStatus(t, resp, css, http.StatusOK)
	wantContains(t, css, "@media print", ".callers blockquote")
}
