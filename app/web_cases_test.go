package app_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"vaaka/app"
	"vaaka/cooperation"
	"vaaka/monitoring"
)

// webCaseOrg gives the test organisation a regular headcount (R-COOP-1).
func webCaseOrg(t *testing.T, ts *testServer, headcount int) {
	t.Helper()
	ctx := context.Background()
	org, err := ts.Deps.Settings.Organisation(ctx)
	if err != nil {
		t.Fatal(err)
	}
	org.Name, org.BusinessID, org.Address = "Vaakalauta Oy", "1572860-0", "Hämeenkatu 1, 33100 Tampere"
	org.Sector, org.Headcount = monitoring.SectorPrivate, headcount
	if err := ts.Deps.Settings.UpdateOrganisation(ctx, "test", org); err != nil {
		t.Fatal(err)
	}
}

// webCaseSeed opens, through the CaseService, a dialogue case whose staff
// side is rep, with the written information delivered 10 days before a
// meeting (held 2 days ago) whose minutes are written and not yet signed.
func webCaseSeed(t *testing.T, ts *testServer, title, hr, rep string) (*cooperation.Case, *cooperation.Meeting) {
	t.Helper()
	ctx := context.Background()
	a := seedActivity(t, ts, title+" – menettely")
	cs := &cooperation.Case{Title: title, Procedure: cooperation.Dialogue, ActivityIDs: []int64{a.ID},
		Proposed: cooperation.Proposal{Procedure: cooperation.Dialogue, Key: "at_or_above"},
		Units:    []string{"Asiakaspalvelu"}, Representatives: []string{rep}}
	if err := ts.Deps.Cases.CreateCase(ctx, hr, cs); err != nil {
		t.Fatal(err)
	}
	meeting := testNow.Add(-2 * 24 * time.Hour)
	in := &cooperation.Information{Subject: "Asiakaspalvelun puhelujen tallentaminen", Purpose: "Laadun varmistaminen.",
		Methods: "Puhelut tallennetaan; esihenkilö kuuntelee otoksen.", FirstMeetingAt: meeting, Place: "Neuvotteluhuone Päijänne",
		DeliveredAt: meeting.Add(-10 * 24 * time.Hour), Recipients: []string{rep}}
	if err := ts.Deps.Cases.AddInformation(ctx, hr, cs.ID, in, monitoring.Helsinki); err != nil {
		t.Fatal(err)
	}
	m := &cooperation.Meeting{HeldAt: meeting, Place: "Neuvotteluhuone Päijänne", Agenda: "1. Käyttötarkoitus", MinutesRequested: true,
		Participants: []cooperation.Participant{
			{Email: hr, Name: "Hilkka Henkilöstö", Side: cooperation.EmployerSide, Attended: true},
			{Email: rep, Name: "Reijo Edustaja", Side: cooperation.StaffSide, Attended: true},
		}}
	if err := ts.Deps.Cases.AddMeeting(ctx, hr, cs.ID, m); err != nil {
		t.Fatal(err)
	}
	if err := ts.Deps.Cases.WriteMinutes(ctx, hr, cs.ID, m.ID, &cooperation.Minutes{MainContent: "Käsiteltiin tallentamisen käyttötarkoitus.",
		Outcome: "Säilytysaika 90 päivää."}); err != nil {
		t.Fatal(err)
	}
	return cs, m
}

var casePath = regexp.MustCompile(`^/cases/(\d+)`)

// TestWebCaseOpen_R_COOP_1: HR opens a case through the form and sees
// Vaaka's procedure proposal with its reason; choosing another procedure
// without a reason is refused naming the field.
func TestWebCaseOpen_R_COOP_1(t *testing.T) {
	ts := newTestServer(t)
	webCaseOrg(t, ts, 64)
	a := seedActivity(t, ts, "Asiakaspalvelujonon tallentaminen")
	ts.addUser(t, "rep@example.fi", "Reijo Edustaja", "representative,employee", "R1")
	hr := loggedIn(t, ts, "hr@example.fi", "hr", "")

	resp, body := hr.get(t, "/cases/new")
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, "Vaa&#39;an ehdotus: Jatkuva vuoropuhelu", "Säännöllinen henkilöstömäärä on vähintään 50", "R-COOP-1",
		`name="activity_ids" value="`+itoa(a.ID)+`"`, `name="representatives" value="rep@example.fi"`, `name="override"`, `name="override_detail"`)

	// Another procedure without a reason: 422, the field named next to it
	// and in the summary, the input kept.
	form := url.Values{"title": {"Puhelujen tallentaminen"}, "activity_ids": {itoa(a.ID)}, "representatives": {"rep@example.fi"},
		"procedure": {"hearing"}}
	resp, body = hr.post(t, "/cases", form)
	wantStatus(t, resp, body, http.StatusUnprocessableEntity)
	wantContains(t, body, `class="errsum"`, "Kenttä Peruste poiketa ehdotuksesta on pakollinen", `href="#f-override"`,
		`id="f-override-err"`, `value="Puhelujen tallentaminen"`)

	form.Set("procedure", "dialogue")
	resp, body = hr.post(t, "/cases", form)
	wantStatus(t, resp, body, http.StatusSeeOther)
	m := casePath.FindStringSubmatch(resp.Header.Get("Location"))
	if m == nil {
		t.Fatalf("Location %q", resp.Header.Get("Location"))
	}
	resp, body = hr.get(t, resp.Header.Get("Location"))
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, "<h1>Puhelujen tallentaminen</h1>", "Yhteistoiminta-asia avattu.", "Jatkuva vuoropuhelu", "Luonnos",
		"Asiakaspalvelujonon tallentaminen", "Reijo Edustaja")
	cs, err := ts.Deps.Cases.FindCase(context.Background(), mustInt(t, m[1]))
	if err != nil {
		t.Fatal(err)
	}
	if cs.Procedure != cooperation.Dialogue || cs.Proposed.Procedure != cooperation.Dialogue || len(cs.ActivityIDs) != 1 ||
		len(cs.Representatives) != 1 || cs.Override != "" {
		t.Fatalf("stored case %+v", cs)
	}

	// Overriding with a reason and its detail is recorded (R-COOP-1).
	form.Set("procedure", "change_negotiations")
	form.Set("override", "substantial_change")
	form.Set("override_detail", "Tallentaminen muuttaa työtehtäviä olennaisesti.")
	resp, body = hr.post(t, "/cases", form)
	wantStatus(t, resp, body, http.StatusSeeOther)
	_, body = hr.get(t, resp.Header.Get("Location"))
	wantContains(t, body, "Muutosneuvottelut", "Valvonta muuttaa työtä olennaisesti", "Tallentaminen muuttaa työtehtäviä olennaisesti.")
}

// TestWebCaseProposalTooLate_R_COOP_2: written information delivered less
// than 7 days before the dialogue meeting is refused with 422, the rule and
// its text, and the agreement field offered; with an agreement recorded it
// is accepted and the deadline shows as agreed otherwise.
func TestWebCaseProposalTooLate_R_COOP_2(t *testing.T) {
	ts := newTestServer(t)
	webCaseOrg(t, ts, 64)
	cat, err := app.LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	a := seedActivity(t, ts, "Myynnin soitot")
	ts.addUser(t, "rep@example.fi", "Reijo", "representative", "")
	cs := &cooperation.Case{Title: "Myynnin soittojen tallentaminen", Procedure: cooperation.Dialogue, ActivityIDs: []int64{a.ID},
		Proposed: cooperation.Proposal{Procedure: cooperation.Dialogue, Key: "at_or_above"}, Representatives: []string{"rep@example.fi"}}
	if err := ts.Deps.Cases.CreateCase(context.Background(), "hr@example.fi", cs); err != nil {
		t.Fatal(err)
	}
	hr := loggedIn(t, ts, "hr@example.fi", "hr", "")
	path := "/cases/" + itoa(cs.ID)
	resp, body := hr.get(t, path+"/proposal/new")
	wantStatus(t, resp, body, http.StatusOK)
	if strings.Contains(body, `name="shorter_notice_agreement"`) {
		t.Error("the agreement field shows before any refusal")
	}
	form := url.Values{"subject": {"Myynnin soittojen tallentaminen"}, "purpose": {"Sopimusten todentaminen."},
		"methods": {"Lähtevät puhelut tallennetaan."}, "first_meeting_date": {"2026-12-01"}, "first_meeting_time": {"13.00"},
		"place": {"Kokoushuone"}, "delivered_date": {"2026-11-27"}, "delivered_time": {"12:00"}, "recipients": {"rep@example.fi"}}
	resp, body = hr.post(t, path+"/proposal", form)
	wantStatus(t, resp, body, http.StatusUnprocessableEntity)
	wantContains(t, body, "R-COOP-2", cat.T(monitoring.Finnish, "coop.rule.information_7_days"), `name="shorter_notice_agreement"`,
		`value="Myynnin soittojen tallentaminen"`)
	if got, _ := ts.Deps.Cases.FindCase(context.Background(), cs.ID); len(got.Information) != 0 {
		t.Fatal("refused information was stored")
	}

	form.Set("shorter_notice_agreement", "Luottamusmiehen kanssa sovittu 26.11.2026 sähköpostitse.")
	resp, body = hr.post(t, path+"/proposal", form)
	wantStatus(t, resp, body, http.StatusSeeOther)
	_, body = hr.get(t, resp.Header.Get("Location"))
	wantContains(t, body, "Kirjalliset tiedot tallennettu.", "Luottamusmiehen kanssa sovittu", "Sovittu toisin", "<svg", `role="img"`,
		`class="deadlines"`, "1.12.2026 13.00")
	if strings.Contains(body, `style="`) {
		t.Error("the case page has an inline style attribute (CSP)")
	}
}

// TestWebCaseRepresentativeCommentsAndDissents_R_COOP_4: the
// representative finds the case in the portal, reads the proposal,
// comments, and approves the minutes with a dissent; HR approves and the
// minutes are signed, with the dissent shown.
func TestWebCaseRepresentativeCommentsAndDissents_R_COOP_4(t *testing.T) {
	ts := newTestServer(t)
	hr := loggedIn(t, ts, "hr@example.fi", "hr", "")
	rep := loggedIn(t, ts, "rep@example.fi", "representative,employee", "R1")
	cs, m := webCaseSeed(t, ts, "Asiakaspalvelun tallentaminen", "hr@example.fi", "rep@example.fi")
	path := "/cases/" + itoa(cs.ID)

	resp, body := rep.get(t, "/representative")
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, `href="`+path+`"`, "Asiakaspalvelun tallentaminen", "R-COOP-4", "Avoinna")
	resp, body = rep.get(t, path)
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, "Asiakaspalvelun puhelujen tallentaminen", "Puhelut tallennetaan; esihenkilö kuuntelee otoksen.",
		`action="`+path+`/comments#comments"`, `action="`+path+`/meetings/`+itoa(m.ID)+`/approvals"`, `href="/documents/cases/`+itoa(cs.ID)+`/proposal.pdf`)
	for _, no := range []string{path + "/proposal/new", path + "/conclude", path + "/meetings/new"} {
		if strings.Contains(body, no) {
			t.Errorf("representative sees the employer's form %s", no)
		}
	}

	// A comment; an empty one first.
	resp, body = rep.post(t, path+"/comments", url.Values{"text": {""}})
	wantStatus(t, resp, body, http.StatusUnprocessableEntity)
	wantContains(t, body, "Kenttä Kommentti tai kysymys on pakollinen", `href="#f-new_comment"`)
	resp, body = rep.post(t, path+"/comments", url.Values{"text": {"Kuka kuuntelee tallenteet ja kuinka usein?"}})
	wantStatus(t, resp, body, http.StatusSeeOther)
	_, body = rep.get(t, path)
	wantContains(t, body, "Kuka kuuntelee tallenteet ja kuinka usein?")

	// Approve with a dissent: the dissent text is required.
	mid := itoa(m.ID)
	resp, body = rep.post(t, path+"/meetings/"+mid+"/approvals", url.Values{"choice": {"dissent"}, "version": {"1"}})
	wantStatus(t, resp, body, http.StatusUnprocessableEntity)
	wantContains(t, body, "Kenttä Eriävä mielipide on pakollinen", `href="#f-dissent_`+mid+`"`)
	const dissent = "Henkilöstö pitää 30 päivän säilytysaikaa riittävänä."
	resp, body = rep.post(t, path+"/meetings/"+mid+"/approvals", url.Values{"choice": {"dissent"}, "dissent": {dissent}, "version": {"1"}})
	wantStatus(t, resp, body, http.StatusSeeOther)
	_, body = rep.get(t, path)
	wantContains(t, body, "Hyväksytty eriävin mielipitein", dissent, "Olet vastannut tähän versioon.")
	// Once per version (R-COOP-4).
	resp, body = rep.post(t, path+"/meetings/"+mid+"/approvals", url.Values{"choice": {"approve"}, "version": {"1"}})
	wantStatus(t, resp, body, http.StatusConflict)

	// HR, the employer side, approves: the minutes are signed.
	resp, body = hr.post(t, path+"/meetings/"+mid+"/approvals", url.Values{"choice": {"approve"}, "version": {"1"}})
	wantStatus(t, resp, body, http.StatusSeeOther)
	_, body = hr.get(t, path)
	wantContains(t, body, "Allekirjoitettu: molemmat osapuolet ovat hyväksyneet", dissent, "Reijo Edustaja")
	got, err := ts.Deps.Cases.FindCase(context.Background(), cs.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Meetings[0].MinutesSigned() || len(got.Comments) != 1 {
		t.Fatalf("after the answers: signed %v, comments %d", got.Meetings[0].MinutesSigned(), len(got.Comments))
	}
	var found bool
	for _, a := range got.Meetings[0].Approvals {
		if a.By == "rep@example.fi" && a.Approve && a.Dissent == dissent {
			found = true
		}
	}
	if !found {
		t.Fatalf("approvals %+v lack the representative's dissent", got.Meetings[0].Approvals)
	}

	// HR answers the comment in its thread.
	cm := got.Comments[0]
	resp, body = hr.post(t, path+"/comments", url.Values{"parent_id": {itoa(cm.ID)}, "text": {"Vain nimetyt tiiminvetäjät, otanta 2 %."}})
	wantStatus(t, resp, body, http.StatusSeeOther)
	_, body = rep.get(t, path)
	wantContains(t, body, "Vain nimetyt tiiminvetäjät, otanta 2 %.")
}

// TestWebCaseInitiativeRejectionNeedsReasons_R_COOP_7: a representative's
// written proposal; HR's rejection without reasons is refused.
func TestWebCaseInitiativeRejectionNeedsReasons_R_COOP_7(t *testing.T) {
	ts := newTestServer(t)
	hr := loggedIn(t, ts, "hr@example.fi", "hr", "")
	rep := loggedIn(t, ts, "rep@example.fi", "representative", "")
	cs, _ := webCaseSeed(t, ts, "Tallentaminen", "hr@example.fi", "rep@example.fi")
	path := "/cases/" + itoa(cs.ID)
	resp, body := rep.post(t, path+"/initiatives", url.Values{"kind": {"written_proposal"}, "initiative_text": {"Säilytysaika 30 päivää."}})
	wantStatus(t, resp, body, http.StatusSeeOther)
	got, err := ts.Deps.Cases.FindCase(context.Background(), cs.ID)
	if err != nil || len(got.Initiatives) != 1 {
		t.Fatalf("initiatives %v, %v", got, err)
	}
	iid := itoa(got.Initiatives[0].ID)
	resp, body = hr.post(t, path+"/initiatives/"+iid+"/response", url.Values{"decision": {"reject"}})
	wantStatus(t, resp, body, http.StatusUnprocessableEntity)
	wantContains(t, body, "Kenttä Työnantajan vastaus ja perustelut on pakollinen", `href="#f-response_`+iid+`"`)
	resp, body = hr.post(t, path+"/initiatives/"+iid+"/response", url.Values{"decision": {"reject"}, "response": {"Reklamaatioiden selvittäminen vie 60 päivää."}})
	wantStatus(t, resp, body, http.StatusSeeOther)
	_, body = rep.get(t, path)
	wantContains(t, body, "Hylätty", "Reklamaatioiden selvittäminen vie 60 päivää.", "Henkilöstön kirjallinen ehdotus")
}

// TestWebCaseAccess: employees and supervisors get 403 for every case
// page; a representative of another case 404; the DPO reads without forms.
func TestWebCaseAccess(t *testing.T) {
	ts := newTestServer(t)
	emp := loggedIn(t, ts, "emp@example.fi", "employee", "E1")
	sup := loggedIn(t, ts, "sup@example.fi", "supervisor,employee", "S1")
	other := loggedIn(t, ts, "other@example.fi", "representative", "")
	dpo := loggedIn(t, ts, "dpo@example.fi", "dpo", "")
	ts.addUser(t, "rep@example.fi", "Reijo", "representative", "")
	cs, m := webCaseSeed(t, ts, "Salainen asia", "hr@example.fi", "rep@example.fi")
	path := "/cases/" + itoa(cs.ID)
	for _, b := range []*browser{emp, sup} {
		for _, p := range []string{"/cases", path, path + "/conclude"} {
			resp, body := b.get(t, p)
			wantStatus(t, resp, body, http.StatusForbidden)
		}
		resp, body := b.post(t, path+"/comments", url.Values{"text": {"x"}})
		wantStatus(t, resp, body, http.StatusForbidden)
	}
	resp, body := other.get(t, path)
	wantStatus(t, resp, body, http.StatusNotFound)
	if strings.Contains(body, "Salainen asia") {
		t.Error("404 page tells the case's title")
	}
	resp, body = other.post(t, path+"/meetings/"+itoa(m.ID)+"/approvals", url.Values{"choice": {"approve"}})
	wantStatus(t, resp, body, http.StatusNotFound)
	resp, body = other.get(t, "/cases")
	wantStatus(t, resp, body, http.StatusOK)
	if strings.Contains(body, "Salainen asia") {
		t.Error("another representative's case list shows the case")
	}
	resp, body = dpo.get(t, path)
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, "Salainen asia", "Käsiteltiin tallentamisen käyttötarkoitus.")
	if strings.Contains(body, `method="post" action="/cases/`) {
		t.Error("the DPO sees a case form")
	}
	resp, body = dpo.post(t, path+"/conclude", url.Values{"conclusion": {"x"}})
	wantStatus(t, resp, body, http.StatusForbidden)
	resp, body = newBrowser(ts).get(t, path)
	wantStatus(t, resp, body, http.StatusSeeOther)
}

// TestWebCaseConcludeRefused_R_COOP_10: concluding before the information
// was delivered and a meeting held is refused with 409 and the unmet rules;
// with the procedure done it is accepted.
func TestWebCaseConcludeRefused_R_COOP_10(t *testing.T) {
	ts := newTestServer(t)
	cat, err := app.LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	hr := loggedIn(t, ts, "hr@example.fi", "hr", "")
	rep := loggedIn(t, ts, "rep@example.fi", "representative", "")
	a := seedActivity(t, ts, "Tekninen tuki")
	cs := &cooperation.Case{Title: "Kesken", Procedure: cooperation.Dialogue, ActivityIDs: []int64{a.ID},
		Proposed: cooperation.Proposal{Procedure: cooperation.Dialogue, Key: "at_or_above"}, Representatives: []string{"rep@example.fi"}}
	if err := ts.Deps.Cases.CreateCase(context.Background(), "hr@example.fi", cs); err != nil {
		t.Fatal(err)
	}
	path := "/cases/" + itoa(cs.ID)
	form := url.Values{"conclusion": {"Puhelut tallennetaan laadun varmistamiseksi."}, "concluded_date": {"2026-11-27"}, "concluded_time": {"12.00"}}
	resp, body := hr.post(t, path+"/conclude", form)
	wantStatus(t, resp, body, http.StatusConflict)
	wantContains(t, body, "R-COOP-2", "R-COOP-10", cat.T(monitoring.Finnish, "coop.rule.information_delivered"),
		cat.T(monitoring.Finnish, "coop.rule.meeting_held"), "Puhelut tallennetaan laadun varmistamiseksi.")

	// The full case: minutes signed by both sides, then concluded.
	done, m := webCaseSeed(t, ts, "Valmis", "hr@example.fi", "rep@example.fi")
	dpath := "/cases/" + itoa(done.ID)
	resp, body = hr.post(t, dpath+"/conclude", form)
	wantStatus(t, resp, body, http.StatusConflict)
	wantContains(t, body, "R-COOP-4", cat.T(monitoring.Finnish, "coop.rule.minutes_signed"))
	for _, b := range []*browser{hr, rep} {
		resp, body = b.post(t, dpath+"/meetings/"+itoa(m.ID)+"/approvals", url.Values{"choice": {"approve"}, "version": {"1"}})
		wantStatus(t, resp, body, http.StatusSeeOther)
	}
	resp, body = hr.post(t, dpath+"/conclude", form)
	wantStatus(t, resp, body, http.StatusSeeOther)
	_, body = rep.get(t, dpath)
	wantContains(t, body, "Päätetty", "Puhelut tallennetaan laadun varmistamiseksi.", "R-COOP-10")
	if strings.Contains(body, `action="`+dpath+`/comments`) {
		t.Error("a concluded case still offers the comment form")
	}
}

// TestWebCaseHRForms: the HR sub-forms render, refuse bad input with 422
// naming the field, and store good input.
func TestWebCaseHRForms(t *testing.T) {
	ts := newTestServer(t)
	hr := loggedIn(t, ts, "hr@example.fi", "hr", "")
	ts.addUser(t, "rep@example.fi", "Reijo", "representative", "")
	cs, m := webCaseSeed(t, ts, "Lomakkeet", "hr@example.fi", "rep@example.fi")
	path := "/cases/" + itoa(cs.ID)
	for _, p := range []string{"/staff-side", "/proposal/new", "/meetings/new", "/meetings/" + itoa(m.ID) + "/minutes", "/hearing",
		"/confidentiality", "/conclude", "/withdraw"} {
		resp, body := hr.get(t, path+p)
		wantStatus(t, resp, body, http.StatusOK)
		wantContains(t, body, `name="_csrf"`, "<label")
	}

	// Staff side: a co-operation representative's term over two years (R-COOP-3).
	staff := url.Values{"groups[0].name": {"Toimihenkilöt"}, "groups[0].units": {"Asiakaspalvelu, Myynti"},
		"groups[0].representatives[0].email": {"rep@example.fi"}, "groups[0].representatives[0].name": {"Reijo"},
		"groups[0].representatives[0].type":       {"cooperation_representative"},
		"groups[0].representatives[0].term_start": {"2026-01-01"}, "groups[0].representatives[0].term_end": {"2029-01-01"},
		"groups[1].name": {"Kaikki muut"}, "groups[1].all_employees": {"1"}}
	resp, body := hr.post(t, path+"/staff-side", staff)
	wantStatus(t, resp, body, http.StatusUnprocessableEntity)
	wantContains(t, body, "R-COOP-3", `id="f-groups-0-representatives-0-term_end-err"`)
	staff.Set("groups[0].representatives[0].term_end", "2027-12-31")
	resp, body = hr.post(t, path+"/staff-side", staff)
	wantStatus(t, resp, body, http.StatusSeeOther)
	_, body = hr.get(t, path)
	wantContains(t, body, "Toimihenkilöt", "Yhteistoimintaedustaja", "Kaikki muut")

	// A meeting with a bad participant row.
	meet := url.Values{"held_date": {"2026-12-10"}, "held_time": {"9.30"}, "place": {"Kokoushuone"}, "minutes_requested": {"1"},
		"participants[0].email": {"hr@example.fi"}, "participants[0].side": {"employer"}, "participants[0].attended": {"1"},
		"participants[1].email": {"ei-osoite"}, "participants[1].side": {"staff"}}
	resp, body = hr.post(t, path+"/meetings", meet)
	wantStatus(t, resp, body, http.StatusUnprocessableEntity)
	wantContains(t, body, `href="#f-participants-1-email"`)
	meet.Set("participants[1].email", "rep@example.fi")
	resp, body = hr.post(t, path+"/meetings", meet)
	wantStatus(t, resp, body, http.StatusSeeOther)

	// Minutes: main content required; a dissent row needs both parts.
	resp, body = hr.post(t, path+"/meetings/"+itoa(m.ID)+"/minutes", url.Values{"dissent[0].by": {"Reijo"}})
	wantStatus(t, resp, body, http.StatusUnprocessableEntity)
	wantContains(t, body, `href="#f-main_content"`)
	resp, body = hr.post(t, path+"/meetings/"+itoa(m.ID)+"/minutes", url.Values{"main_content": {"Korjattu versio."},
		"dissent[0].by": {"Reijo"}, "dissent[0].text": {"Säilytysaika on liian pitkä."}})
	wantStatus(t, resp, body, http.StatusSeeOther)
	_, body = hr.get(t, path)
	wantContains(t, body, "Pöytäkirja, versio 2", "Säilytysaika on liian pitkä.", "Aiemmat versiot (1)")

	// Confidentiality needs who was told (R-COOP-11).
	resp, body = hr.post(t, path+"/confidentiality", url.Values{"document": {"information"}, "confidential": {"1"}, "told_date": {"2026-11-27"}})
	wantStatus(t, resp, body, http.StatusUnprocessableEntity)
	wantContains(t, body, `href="#f-told_to"`)
	resp, body = hr.post(t, path+"/confidentiality", url.Values{"document": {"information"}, "confidential": {"1"},
		"told_to": {"Reijo Edustaja"}, "told_date": {"2026-11-27"}, "told_time": {"10.00"}})
	wantStatus(t, resp, body, http.StatusSeeOther)
	_, body = hr.get(t, path)
	wantContains(t, body, "Luottamuksellinen", "R-COOP-11")

	// Withdrawal needs a reason.
	resp, body = hr.post(t, path+"/withdraw", nil)
	wantStatus(t, resp, body, http.StatusUnprocessableEntity)
	resp, body = hr.post(t, path+"/withdraw", url.Values{"reason": {"Hanke peruttiin."}})
	wantStatus(t, resp, body, http.StatusSeeOther)
	_, body = hr.get(t, "/cases?status=withdrawn")
	wantContains(t, body, "Lomakkeet", "Peruttu")
}

// TestWebCaseHearing_R_COOP_9: a hearing case records the invitation and a
// view; the timeline shows the hearing's end.
func TestWebCaseHearing_R_COOP_9(t *testing.T) {
	ts := newTestServer(t)
	hr := loggedIn(t, ts, "hr@example.fi", "hr", "")
	a := seedActivity(t, ts, "Pienen yrityksen tallentaminen")
	cs := &cooperation.Case{Title: "Kuuleminen", Procedure: cooperation.Hearing, ActivityIDs: []int64{a.ID},
		Proposed: cooperation.Proposal{Procedure: cooperation.Hearing, Key: "below"}}
	if err := ts.Deps.Cases.CreateCase(context.Background(), "hr@example.fi", cs); err != nil {
		t.Fatal(err)
	}
	path := "/cases/" + itoa(cs.ID)
	resp, body := hr.post(t, path+"/hearing", url.Values{"invited": {"Koko henkilöstö"}, "method": {"Sähköposti"},
		"invited_date": {"2026-11-20"}, "respond_by_date": {"2026-11-10"}})
	wantStatus(t, resp, body, http.StatusUnprocessableEntity)
	wantContains(t, body, `href="#f-respond_by_date"`)
	resp, body = hr.post(t, path+"/hearing", url.Values{"invited": {"Koko henkilöstö"}, "method": {"Sähköposti"},
		"invited_date": {"2026-11-20"}, "invited_time": {"9.00"}, "respond_by_date": {"2026-12-04"}, "respond_by_time": {"16.00"}})
	wantStatus(t, resp, body, http.StatusSeeOther)
	resp, body = hr.post(t, path+"/hearing/views", url.Values{"view_by": {"Aino"}, "view_text": {"Säilytysaika lyhyemmäksi."}, "view_date": {"2026-11-25"}})
	wantStatus(t, resp, body, http.StatusSeeOther)
	_, body = hr.get(t, path)
	wantContains(t, body, "Koko henkilöstö", "Säilytysaika lyhyemmäksi.", "R-COOP-9", "4.12.2026")

	// The dashboard lists the hearing's end as coming within two weeks.
	resp, body = hr.get(t, "/dashboard")
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, `id="case-deadlines"`, `href="`+path+`#timeline"`, "R-COOP-9", "Avoinna")
}

// TestWebCaseTimelineLanguages: the timeline reads in every language with
// the symbols and the status words (not colour alone).
func TestWebCaseTimelineLanguages(t *testing.T) {
	ts := newTestServer(t)
	hr := loggedIn(t, ts, "hr@example.fi", "hr", "")
	ts.addUser(t, "rep@example.fi", "Reijo", "representative", "")
	cs, _ := webCaseSeed(t, ts, "Kielet", "hr@example.fi", "rep@example.fi")
	for lang, want := range map[string][]string{
		"fi": {"Täyttynyt", "✓", "Määräajat", "Asian aikajana"},
		"sv": {"Uppfylld", "Tidsfrister", "Ärendets tidslinje"},
		"en": {"Met", "Deadlines", "Case timeline", "Nov 2026"},
	} {
		resp, body := hr.get(t, "/cases/"+itoa(cs.ID)+"?lang="+lang)
		wantStatus(t, resp, body, http.StatusOK)
		wantContains(t, body, want...)
		wantContains(t, body, "R-COOP-2", `aria-labelledby="case-timeline-`)
	}
}

// TestCaseWebKeys: the keys the case pages build at run time exist in
// every language.
func TestCaseWebKeys(t *testing.T) {
	cat, err := app.LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range app.CaseWebKeys() {
		for _, l := range monitoring.Languages {
			if got := cat.T(l, k); got == k || strings.TrimSpace(got) == "" {
				t.Errorf("%s: %s has no text", l, k)
			}
		}
	}
}
