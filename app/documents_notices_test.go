package app_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"vaaka/app"
	"vaaka/monitoring"
)

// The wave-3 documents through the real app and database: the notice, the
// register extract (PDF, CSV, JSON), an employee's report and the
// compliance report, with who may read them.

// getDoc fetches path with as's bearer token and checks the status.
func (f *apiFixture) getDoc(t *testing.T, path, as string, want int) []byte {
	t.Helper()
	resp := f.do(t, "GET", path, as, "")
	body := readBody(t, resp)
	if resp.StatusCode != want {
		t.Fatalf("GET %s as %s: %d, want %d\n%.400s", path, as, resp.StatusCode, want, body)
	}
	if want == 200 && strings.HasSuffix(strings.SplitN(path, "?", 2)[0], ".pdf") {
		if ct := resp.Header.Get("Content-Type"); ct != "application/pdf" {
			t.Fatalf("GET %s: Content-Type %q", path, ct)
		}
	}
	return []byte(body)
}

// issueNotice issues the notice of a concluded activity (notice id 1).
func (f *apiFixture) issueNotice(t *testing.T) int64 {
	t.Helper()
	act := f.concludedActivity(t)
	f.apiCaseMust(t, "POST", fmt.Sprintf("/api/v1/activities/%d/notices", act), asHR,
		`{"introduction_on":"2026-12-14","methods":"Puhelut tallennetaan; valmentaja kuuntelee otoksen.","handled":"Käsiteltiin säilytysaika ja käyttöoikeudet.",
		  "plain_finnish":"Puhelusi tallennetaan. SELKOMERKKI"}`, 201)
	return act
}

// TestDocumentsNoticePDF_R_NOT_1_R_NOT_2_R_NOT_3_R_NOT_5: the notice in fi,
// sv and en carries the purpose, the introduction date, the methods, every
// Art 13 heading and the controller; the plain Finnish only in Finnish.
func TestDocumentsNoticePDF_R_NOT_1_R_NOT_2_R_NOT_3_R_NOT_5(t *testing.T) {
	f := newAPIFixture(t)
	f.noticeUsers(t)
	f.issueNotice(t)
	cat, err := app.LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	intro := map[monitoring.Language]string{"fi": "14.12.2026", "sv": "14.12.2026", "en": "14 Dec 2026"}
	for _, lang := range monitoring.Languages {
		text, n := pdfText(t, f.getDoc(t, "/documents/notices/1.pdf?lang="+string(lang), asHR, 200))
		wantContains(t, text, "Tarkoitus: palvelun laadun valmennus.", intro[lang], "valmentaja kuuntelee otoksen", "Testi Oy", "1234567-1",
			"Käsiteltiin säilytysaika", "https://tietosuoja.fi", "20040759", "VAAKA-NOTICE-1-V1", cat.T(lang, "pdf.notice.title"))
		for _, k := range []string{"controller", "dpo", "purposes", "legitimate_interests", "recipients", "transfers", "retention",
			"rights", "consent", "complaint", "obligation", "automated"} {
			wantContains(t, text, cat.T(lang, "pdf.notice.h."+k))
		}
		if got := strings.Contains(text, "SELKOMERKKI"); got != (lang == monitoring.Finnish) {
			t.Errorf("%s: plain Finnish printed = %v", lang, got)
		}
		if m := docPageRe.FindAllStringSubmatch(text, -1); len(m) != n {
			t.Errorf("%s: %d pages, footers %v", lang, n, m)
		}
	}
	// Who may read it: HR, the DPO, representatives and its recipients;
	// anyone else 404 (its existence is not revealed).
	for as, want := range map[string]int{asHR: 200, asDPO: 200, asRep: 200, asEmp: 200, asEmp2: 200,
		asOther: 404, asNoStaff: 404, asSup: 404, asAdmin: 404} {
		f.getDoc(t, "/documents/notices/1.pdf", as, want)
	}
	for _, p := range []string{"/documents/notices/99.pdf", "/documents/notices/abc.pdf"} {
		f.getDoc(t, p, asHR, 404)
	}
	f.getDoc(t, "/documents/notices/1.pdf?lang=de", asHR, 400)
	// A recipient's download records the first read.
	r, err := f.Deps.Notices.Recipient(context.Background(), 1, "E1")
	if err != nil || r.ReadAt.IsZero() {
		t.Fatalf("read not recorded: %+v %v", r, err)
	}
}

// TestDocumentsRegister_R_ROPA_1: the extract as PDF (the Art 30(1)
// items), CSV (BOM, ";", formula injection neutralised) and JSON, for the
// register's readers.
func TestDocumentsRegister_R_ROPA_1(t *testing.T) {
	f := newAPIFixture(t)
	f.createActivity(t)
	evil := `=HYPERLINK("http://evil.example","klikkaa")`
	seedActivity(t, f.testServer, evil)
	f.addUser(t, "reg@example.fi", "Register Reader", "supervisor", "", monitoring.ScopeRegisterRead)
	f.addUser(t, "ingest@example.fi", "Ingest", "supervisor", "", monitoring.ScopeUsesWrite)
	cat, err := app.LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range monitoring.Languages {
		text, _ := pdfText(t, f.getDoc(t, "/documents/register.pdf?lang="+string(lang), asRep, 200))
		wantContains(t, text, "Puhelujen tallennus asiakaspalvelussa", "Palvelun laadun valmennus", "voice, call_metadata", "Ei luovutuksia",
			"Ei siirtoja EU:n ulkopuolelle", "Pääsynhallinta", "90", "Asiakaspalvelu", "VAAKA-REGISTER-20261127")
		for _, k := range []string{"pdf.register.controller", "pdf.register.dpo", "pdf.register.purposes", "pdf.register.data_subjects",
			"pdf.data_categories", "pdf.register.recipients", "pdf.register.transfers", "pdf.register.erasure", "pdf.register.security"} {
			wantContains(t, text, cat.T(lang, k))
		}
	}

	body := f.getDoc(t, "/documents/register.csv", asSup, 200)
	if !bytes.HasPrefix(body, []byte("\ufeff")) {
		t.Fatalf("no BOM: %.20q", body)
	}
	r := csv.NewReader(bytes.NewReader(body[3:]))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0][1] != "name" {
		t.Fatalf("rows %v", rows)
	}
	if rows[2][1] != "'"+evil {
		t.Errorf("formula not neutralised: %q", rows[2][1])
	}
	for _, row := range rows {
		for _, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("cell starts with a formula character: %q", cell)
			}
		}
	}
	resp := f.do(t, "GET", "/documents/register.csv", asHR, "")
	if ct, cd := resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"); ct != "text/csv; charset=utf-8" || !strings.Contains(cd, ".csv") {
		t.Errorf("headers %q %q", ct, cd)
	}
	wantContains(t, string(f.getDoc(t, "/documents/register.json", asDPO, 200)), `"activities":[`, `"security_measures":"Pääsynhallinta"`,
		`"controller":{`, `"generated_at":"2026-11-27T10:00:00Z"`)

	for _, p := range []string{"/documents/register.pdf", "/documents/register.csv", "/documents/register.json"} {
		for as, want := range map[string]int{asHR: 200, asDPO: 200, asRep: 200, asSup: 200, "reg@example.fi": 200,
			asEmp: 403, asAdmin: 403, "ingest@example.fi": 403} {
			f.getDoc(t, p, as, want)
		}
	}
}

// recordFor records n uses of recordings of staff's calls (refs
// "REC-<staff>-0000"…), the last every 5th by someone not authorised.
func (f *apiFixture) recordFor(t *testing.T, act int64, staff string, n int) {
	t.Helper()
	for from := 0; from < n; from += monitoring.MaxBatch {
		var us []*monitoring.Use
		for i := from; i < min(n, from+monitoring.MaxBatch); i++ {
			// After the activity was registered (testNow), within the
			// allowed clock skew.
			at := testNow.Add(time.Duration(i) * 200 * time.Millisecond)
			u := &monitoring.Use{ExternalID: fmt.Sprintf("%s-%d", staff, i), ActivityID: act, RecordingRef: fmt.Sprintf("REC-%s-%04d", staff, i),
				CallStartedAt: at.Add(-time.Hour), Direction: monitoring.Inbound, EmployeeStaffIDs: []string{staff}, UsedBy: asSup,
				Action: monitoring.Listened, Purpose: "quality", OccurredAt: at, Source: monitoring.SourceAPI}
			if i%5 == 4 {
				u.UsedBy = asSup2
			}
			us = append(us, u)
		}
		if _, err := f.Deps.Uses.RecordUses(context.Background(), us); err != nil {
			t.Fatal(err)
		}
	}
}

// auditReads counts use_log.read entries about staff by actor.
func (f *apiFixture) auditReads(t *testing.T, staff, actor string) int {
	t.Helper()
	es, _, err := f.Deps.Audit.ListAudit(context.Background(), monitoring.AuditFilter{Entity: "employee", EntityID: staff, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range es {
		if e.Action == "use_log.read" && e.Actor == actor {
			n++
		}
	}
	return n
}

// TestDocumentsEmployeeReport_R_DSR_1_R_LOG_1: the report lists the
// notices and every use of the employee's recordings — more than one page
// of the use log — and no one else's; the employee reads their own, HR and
// the DPO anyone's (audited), nobody else.
func TestDocumentsEmployeeReport_R_DSR_1_R_LOG_1(t *testing.T) {
	f := newAPIFixture(t)
	act := f.issueNotice(t)
	f.apiCaseMust(t, "POST", "/api/v1/notices/1/acknowledge", asEmp, "", 200)
	f.recordFor(t, act, "E1", monitoring.MaxBatch+50)
	f.recordFor(t, act, "E2", 3)

	text, n := pdfText(t, f.getDoc(t, "/documents/employees/E1/report.pdf?lang=en", asEmp, 200))
	wantContains(t, text, "Eero Työntekijä", "REC-E1-0000", "REC-E1-0999", "REC-E1-1049", "Sari Esihenkilö", "Laatuvalmentaja",
		"Puhelujen tallennus", "Listened", "(quality)", "R-ACC-1", "VAAKA-REPORT-E1-20261127")
	if strings.Contains(text, "REC-E2-") {
		t.Error("another employee's uses in the report")
	}
	if m := docPageRe.FindAllStringSubmatch(text, -1); n < 10 || len(m) != n {
		t.Errorf("%d pages, %d footers", n, len(m))
	}
	if got := f.auditReads(t, "E1", asEmp); got != 0 {
		t.Errorf("own read audited %d times", got)
	}

	text, _ = pdfText(t, f.getDoc(t, "/documents/employees/E2/report.pdf", asHR, 200))
	wantContains(t, text, "Elina Työntekijä", "REC-E2-0000", "REC-E2-0002")
	if strings.Contains(text, "REC-E1-") {
		t.Error("another employee's uses in the report")
	}
	if got := f.auditReads(t, "E2", asHR); got != 1 {
		t.Errorf("hr's read audited %d times, want 1 (R-LOG-1)", got)
	}
	f.getDoc(t, "/documents/employees/E2/report.pdf", asDPO, 200)
	if got := f.auditReads(t, "E2", asDPO); got != 1 {
		t.Errorf("dpo's read audited %d times, want 1", got)
	}
	for as, want := range map[string]int{asEmp2: 403, asSup: 403, asRep: 403, asAdmin: 403} {
		f.getDoc(t, "/documents/employees/E1/report.pdf", as, want)
	}
	f.getDoc(t, "/documents/employees/E404/report.pdf", asHR, 404)
	f.getDoc(t, "/documents/employees/E1/report.pdf?lang=x", asEmp, 400)
}

// TestDocumentsCompliance: readiness with rule ids, flagged uses, overdue
// deletions, unacknowledged notices and access requests of a period; bad
// dates are 400 naming the parameter.
func TestDocumentsCompliance(t *testing.T) {
	f := newAPIFixture(t)
	act := f.issueNotice(t)
	f.createActivity(t) // a draft: unmet rules
	f.recordFor(t, act, "E1", 5)
	ctx := context.Background()
	old := testNow.AddDate(0, 0, -200)
	if _, err := f.Deps.Recordings.RegisterRecordings(ctx, "test", []*monitoring.Recording{{Ref: "REC-VANHA-1", CallStartedAt: old,
		Direction: monitoring.Inbound, ActivityID: act, EmployeeStaffID: "E1"}}); err != nil {
		t.Fatal(err)
	}
	if err := f.Deps.Requests.CreateAccessRequest(ctx, asHR, &monitoring.AccessRequest{Kind: monitoring.RequestByCaller,
		Requester: "Matti Meikäläinen", Description: "Tallenne", ReceivedOn: time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	text, _ := pdfText(t, f.getDoc(t, "/documents/compliance.pdf?from=2026-11-01&to=2026-11-30", asHR, 200))
	wantContains(t, text, "Vaatimustenmukaisuusraportti", "1.11.2026 – 30.11.2026", "R-COOP-10", "Puhelujen tallennus",
		"REC-E1-0004", "R-ACC-1", "REC-VANHA-1", "Elina Työntekijä (E2)", "Matti Meikäläinen", "Myöhässä", "VAAKA-COMPLIANCE-20261101-20261130")
	f.getDoc(t, "/documents/compliance.pdf", asDPO, 200)
	for as, want := range map[string]int{asRep: 403, asSup: 403, asEmp: 403, asAdmin: 403} {
		f.getDoc(t, "/documents/compliance.pdf", as, want)
	}
	for q, field := range map[string]string{"from=2026-13-01": "from", "to=30.11.2026": "to", "from=2026-12-01&to=2026-11-01": "from"} {
		resp := f.do(t, "GET", "/documents/compliance.pdf?"+q, asHR, "")
		body := readBody(t, resp)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Kentän "+field+" ") {
			t.Errorf("%s: %d %.300s", q, resp.StatusCode, body)
		}
	}
}
