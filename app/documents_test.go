package app_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"vaaka/cooperation"
	"vaaka/monitoring"
)

// docCase is a co-operation case with a delivered proposal and a meeting
// whose minutes carry a dissent and approvals, for the document tests.
type docCase struct {
	CaseID, MeetingID int64
}

// seedDocumentCase creates, through the real CaseService, a dialogue case
// in which hrEmail speaks for the employer and repEmail for the staff
// (both must be existing users); the proposal and the minutes are marked
// confidential when confidential is set (R-COOP-11).
func seedDocumentCase(t *testing.T, ts *testServer, hrEmail, repEmail string, confidential bool) docCase {
	t.Helper()
	ctx := context.Background()
	cs := ts.Deps.Cases
	org, err := ts.Deps.Settings.Organisation(ctx)
	if err != nil {
		t.Fatal(err)
	}
	org.Name, org.BusinessID, org.Address = "Kääntöpöytä Oy", "1572860-0", "Hämeenkatu 1, 33100 Tampere"
	if err := ts.Deps.Settings.UpdateOrganisation(ctx, "test", org); err != nil {
		t.Fatal(err)
	}
	a := seedActivity(t, ts, "Asiakaspalvelun puhelutallennus")
	c := &cooperation.Case{Title: "Puhelujen tallentaminen – Åland & Łódź", Procedure: cooperation.Dialogue,
		Proposed: cooperation.Proposal{Procedure: cooperation.Dialogue, Key: "at_or_above"}, ActivityIDs: []int64{a.ID},
		Units: []string{"Asiakaspalvelu"}, Representatives: []string{repEmail}}
	if err := cs.CreateCase(ctx, hrEmail, c); err != nil {
		t.Fatal(err)
	}
	conf := cooperation.Confidentiality{}
	if confidential {
		conf = cooperation.Confidentiality{Confidential: true, ToldTo: "Łukasz Nowak, Őrs Szabó", ToldAt: testNow.Add(-20 * 24 * time.Hour)}
	}
	in := &cooperation.Information{Subject: "Puhelujen tallentaminen laadunvarmistusta varten", Purpose: "Laadun varmistaminen ja perehdytys.",
		Methods: "Puhelut tallennetaan; esihenkilö kuuntelee otoksen.", IntroductionPlan: "Käyttöönotto 1.2.2027.",
		FirstMeetingAt: testNow.Add(-3 * 24 * time.Hour), Place: "Neuvotteluhuone Äkäslompolo",
		DeliveredAt: testNow.Add(-14 * 24 * time.Hour), Recipients: []string{repEmail}, Confidentiality: conf}
	if err := cs.AddInformation(ctx, hrEmail, c.ID, in, monitoring.Helsinki); err != nil {
		t.Fatal(err)
	}
	m := &cooperation.Meeting{HeldAt: testNow.Add(-3 * 24 * time.Hour), Place: "Neuvotteluhuone Åland", Agenda: "1. Käyttötarkoitus\n2. Säilytysaika",
		MinutesRequested: true, Confidentiality: conf,
		Participants: []cooperation.Participant{
			{Email: hrEmail, Name: "Päivi Äijälä", Side: cooperation.EmployerSide, Attended: true},
			{Email: repEmail, Name: "Łukasz Nowak", Side: cooperation.StaffSide, Attended: true},
			{Email: "ors@example.fi", Name: "Őrs Szabó", Side: cooperation.StaffSide, Attended: false},
		}}
	if err := cs.AddMeeting(ctx, hrEmail, c.ID, m); err != nil {
		t.Fatal(err)
	}
	if err := cs.WriteMinutes(ctx, hrEmail, c.ID, m.ID, &cooperation.Minutes{MainContent: "Luonnos."}); err != nil {
		t.Fatal(err)
	}
	if err := cs.ApproveMinutes(ctx, repEmail, c.ID, m.ID, &cooperation.Approval{Approve: false, Comment: "Säilytysaika puuttuu."}); err != nil {
		t.Fatal(err)
	}
	if err := cs.WriteMinutes(ctx, hrEmail, c.ID, m.ID, &cooperation.Minutes{MainContent: "Käsiteltiin käyttötarkoitus ja säilytysaika.",
		Outcome: "Säilytysaika 90 päivää.", EmployerPosition: "Tallentaminen on tarpeen.", StaffPosition: "Säilytysaika on liian pitkä.",
		Dissent: []cooperation.Dissent{{By: "Łukasz Nowak", Text: "Henkilöstö ei hyväksy 90 päivän säilytysaikaa."}}}); err != nil {
		t.Fatal(err)
	}
	// The approvals are given two days before the documents are generated
	// (25.11.2026 09.05 in Helsinki), so their times are told apart.
	ts.DB.Now = func() time.Time { return time.Date(2026, 11, 25, 7, 5, 0, 0, time.UTC) }
	defer func() { ts.DB.Now = func() time.Time { return testNow } }()
	if err := cs.ApproveMinutes(ctx, hrEmail, c.ID, m.ID, &cooperation.Approval{Approve: true}); err != nil {
		t.Fatal(err)
	}
	if err := cs.ApproveMinutes(ctx, repEmail, c.ID, m.ID, &cooperation.Approval{Approve: true, Dissent: "Vähemmistön kanta: 30 päivää riittää."}); err != nil {
		t.Fatal(err)
	}
	return docCase{CaseID: c.ID, MeetingID: m.ID}
}

func (d docCase) proposalPath() string {
	return "/documents/cases/" + strconv.FormatInt(d.CaseID, 10) + "/proposal.pdf"
}

func (d docCase) minutesPath() string {
	return "/documents/cases/" + strconv.FormatInt(d.CaseID, 10) + "/meetings/" + strconv.FormatInt(d.MeetingID, 10) + "/minutes.pdf"
}

// pdfTool returns a command's path; missing tools skip the test, except on
// CI (CI=true), which installs poppler-utils and qpdf.
func pdfTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required on CI (apt-get install poppler-utils qpdf)", name)
		}
		t.Skipf("%s not installed (apt-get install poppler-utils qpdf): skipping the PDF text checks", name)
	}
	return p
}

// pdfText checks a PDF's header and structure (qpdf --check) and returns
// its text (pdftotext) and page count.
func pdfText(t *testing.T, b []byte) (string, int) {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %.40q", b)
	}
	f := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(f, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(pdfTool(t, "qpdf"), "--check", f).CombinedOutput(); err != nil {
		t.Fatalf("qpdf --check: %v\n%s", err, out)
	}
	out, err := exec.Command(pdfTool(t, "qpdf"), "--show-npages", f).Output()
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(strings.TrimSpace(string(out)))
	text, err := exec.Command(pdfTool(t, "pdftotext"), "-layout", "-enc", "UTF-8", f, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(text), n
}

var docPageRe = regexp.MustCompile(`(?:Sivu|Sida|Page) (\d+)/(\d+)`)

func getPDF(t *testing.T, b *browser, path string) ([]byte, *http.Response) {
	t.Helper()
	resp, body := b.get(t, path)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d\n%.400s", path, resp.StatusCode, body)
	}
	return []byte(body), resp
}

// TestDocumentsCasePDFs_R_COOP_4_R_COOP_8_R_COOP_11: the proposal and the
// minutes through the real app and database in fi, sv and en: headers,
// extractable text with ä/ö/å/Ł/Ő names, the dissent from the minutes and
// from an approval, the approvals with names and times, the confidentiality
// mark with who was told, page numbers and the document id.
func TestDocumentsCasePDFs_R_COOP_4_R_COOP_8_R_COOP_11(t *testing.T) {
	ts := newTestServer(t)
	hr := loggedIn(t, ts, "hr@example.fi", "hr", "")
	ts.addUser(t, "lukasz@example.fi", "Łukasz Nowak", "representative", "")
	d := seedDocumentCase(t, ts, "hr@example.fi", "lukasz@example.fi", true)

	type langWant struct {
		title, minutes, mark, approved, correction, when, gen, page string
	}
	wants := map[string]langWant{
		"fi": {"Kirjalliset tiedot", "Pöytäkirja", "LUOTTAMUKSELLINEN", "Hyväksytty", "Korjausta pyydetty", "25.11.2026 09.05", "27.11.2026 12.00", "Sivu 1/"},
		"sv": {"Skriftlig information", "Protokoll", "KONFIDENTIELL", "Godkänt", "Rättelse begärd", "25.11.2026 09:05", "27.11.2026 12:00", "Sida 1/"},
		"en": {"Written information", "Minutes", "CONFIDENTIAL", "Approved", "Correction requested", "25 Nov 2026 09:05", "27 Nov 2026 12:00", "Page 1/"},
	}
	for lang, w := range wants {
		body, resp := getPDF(t, hr, d.proposalPath()+"?lang="+lang)
		if ct := resp.Header.Get("Content-Type"); ct != "application/pdf" {
			t.Errorf("Content-Type %q", ct)
		}
		if cd := resp.Header.Get("Content-Disposition"); cd != `inline; filename="VAAKA-CASE-`+strconv.FormatInt(d.CaseID, 10)+`-P1.pdf"` {
			t.Errorf("Content-Disposition %q", cd)
		}
		if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control %q", cc)
		}
		text, n := pdfText(t, body)
		if n < 1 {
			t.Errorf("%s proposal: %d pages", lang, n)
		}
		wantContains(t, text, w.title, w.mark, "Łukasz Nowak, Őrs Szabó", "Neuvotteluhuone Äkäslompolo",
			"Asiakaspalvelun puhelutallennus", "Kääntöpöytä Oy", "Łukasz Nowak (lukasz@example.fi)", w.page,
			"VAAKA-CASE-"+strconv.FormatInt(d.CaseID, 10)+"-P1", w.gen)

		body, resp = getPDF(t, hr, d.minutesPath()+"?lang="+lang)
		docID := "VAAKA-CASE-" + strconv.FormatInt(d.CaseID, 10) + "-M" + strconv.FormatInt(d.MeetingID, 10) + "-V2"
		if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, docID+".pdf") {
			t.Errorf("Content-Disposition %q", cd)
		}
		text, n = pdfText(t, body)
		wantContains(t, text, w.minutes, w.mark, "Päivi Äijälä", "Łukasz Nowak", "Őrs Szabó", "Neuvotteluhuone Åland",
			"Henkilöstö ei hyväksy 90 päivän säilytysaikaa.", "Vähemmistön kanta: 30 päivää riittää.",
			"Säilytysaika puuttuu.", w.approved, w.correction, w.when, w.gen, docID)
		ps := docPageRe.FindAllStringSubmatch(text, -1)
		if n < 1 || len(ps) != n {
			t.Errorf("%s minutes: %d pages, footers %v", lang, n, ps)
		}
		for i, p := range ps {
			if p[1] != strconv.Itoa(i+1) || p[2] != strconv.Itoa(n) {
				t.Errorf("%s minutes: footer %s/%s on page %d of %d", lang, p[1], p[2], i+1, n)
			}
		}
	}
}

// TestDocumentsUserLanguageAndLongMinutes: without ?lang= the reader's
// language; a long minutes text spans several pages numbered n/N; not
// marked → no confidentiality mark.
func TestDocumentsUserLanguageAndLongMinutes(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	hrUser := ts.addUser(t, "hr@example.fi", "Päivi Äijälä", "hr", "")
	sv := monitoring.Swedish
	if _, err := ts.Deps.Accounts.UpdateUser(ctx, "test", hrUser.ID, monitoring.UserUpdate{Language: &sv}, ""); err != nil {
		t.Fatal(err)
	}
	hr := newBrowser(ts)
	hr.login(t, "hr@example.fi")
	ts.addUser(t, "lukasz@example.fi", "Łukasz Nowak", "representative", "")
	d := seedDocumentCase(t, ts, "hr@example.fi", "lukasz@example.fi", false)
	var long strings.Builder
	for i := 1; i <= 200; i++ {
		long.WriteString("Punkt " + strconv.Itoa(i) + ": diskussion om lagringstid, behörighet och Łukasz förslag. ")
		if i%5 == 0 {
			long.WriteString("\n\n")
		}
	}
	long.WriteString("SLUTMARKERING")
	m := &cooperation.Meeting{HeldAt: testNow.Add(-time.Hour), Place: "Möte", Participants: []cooperation.Participant{
		{Email: "hr@example.fi", Name: "Päivi Äijälä", Side: cooperation.EmployerSide, Attended: true},
		{Email: "lukasz@example.fi", Name: "Łukasz Nowak", Side: cooperation.StaffSide, Attended: true}}}
	if err := ts.Deps.Cases.AddMeeting(ctx, "hr@example.fi", d.CaseID, m); err != nil {
		t.Fatal(err)
	}
	if err := ts.Deps.Cases.WriteMinutes(ctx, "hr@example.fi", d.CaseID, m.ID, &cooperation.Minutes{MainContent: long.String()}); err != nil {
		t.Fatal(err)
	}
	d.MeetingID = m.ID
	body, _ := getPDF(t, hr, d.minutesPath())
	text, n := pdfText(t, body)
	wantContains(t, text, "Protokoll", "SLUTMARKERING", "Punkt 200:", "Ännu inte justerat och undertecknat", "Underskrifter")
	if strings.Contains(text, "KONFIDENTIELL") {
		t.Error("unmarked minutes carry the confidentiality mark")
	}
	if n < 3 {
		t.Fatalf("long minutes: %d pages", n)
	}
	ps := docPageRe.FindAllStringSubmatch(text, -1)
	if len(ps) != n {
		t.Fatalf("footers %v for %d pages", ps, n)
	}
	for i, p := range ps {
		if p[1] != strconv.Itoa(i+1) || p[2] != strconv.Itoa(n) {
			t.Errorf("footer %s/%s on page %d of %d", p[1], p[2], i+1, n)
		}
	}
}

// TestDocumentsAccess: who may read the case documents (COMMON.md wave 2),
// by session and by bearer token.
func TestDocumentsAccess(t *testing.T) {
	ts := newTestServer(t)
	hr := loggedIn(t, ts, "hr@example.fi", "hr", "")
	ts.addUser(t, "lukasz@example.fi", "Łukasz Nowak", "representative", "")
	d := seedDocumentCase(t, ts, "hr@example.fi", "lukasz@example.fi", false)
	ts.addUser(t, "dpo@example.fi", "Dpo", "dpo", "")
	ts.addUser(t, "rep2@example.fi", "Other Rep", "representative", "")
	ts.addUser(t, "sup@example.fi", "Sup", "supervisor", "")
	ts.addUser(t, "reader@example.fi", "Reader", "dpo", "", monitoring.ScopeUsesWrite)
	id := strconv.FormatInt(d.CaseID, 10)
	mid := strconv.FormatInt(d.MeetingID, 10)

	for _, p := range []string{d.proposalPath(), d.minutesPath()} {
		for as, want := range map[string]int{"hr@example.fi": 200, "dpo@example.fi": 200, "lukasz@example.fi": 200,
			"rep2@example.fi": 404, "sup@example.fi": 403, "reader@example.fi": 403} {
			resp := ts.do(t, "GET", p, as, "")
			body := readBody(t, resp)
			if resp.StatusCode != want {
				t.Errorf("GET %s as %s (token): %d, want %d\n%.300s", p, as, resp.StatusCode, want, body)
			}
			if want == 200 && !strings.HasPrefix(body, "%PDF-") {
				t.Errorf("GET %s as %s: not a PDF", p, as)
			}
		}
		// A bad token is 401; no credentials at all go to the login page.
		resp := ts.do(t, "GET", p, "", "", "Authorization", "Bearer nope")
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("bad token: %d", resp.StatusCode)
		}
		resp = ts.do(t, "GET", p, "", "")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
			t.Errorf("anonymous: %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	for _, p := range []string{
		"/documents/cases/999/proposal.pdf", "/documents/cases/x/proposal.pdf",
		"/documents/cases/" + id + "/meetings/999/minutes.pdf", "/documents/cases/" + id + "/meetings/y/minutes.pdf",
	} {
		if resp, body := hr.get(t, p); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d\n%.300s", p, resp.StatusCode, body)
		}
	}
	if resp, body := hr.get(t, "/documents/cases/"+id+"/meetings/"+mid+"/minutes.pdf?lang=xx"); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "lang") {
		t.Errorf("bad lang: %d\n%.300s", resp.StatusCode, body)
	}
}
