package pdf

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"vaaka/cooperation"
	"vaaka/monitoring"
)

func fixtureOrg() monitoring.Organisation {
	return monitoring.Organisation{Name: "Kääntöpöytä Oy", BusinessID: "1572860-0", Address: "Hämeenkatu 1, 33100 Tampere",
		DPOContact: "Örjan Åkerlund, tietosuoja@example.fi", PrivacyNoticeURL: "https://example.fi/tietosuoja"}
}

func fixtureActivity() *monitoring.Activity {
	return &monitoring.Activity{ID: 3, Name: "Asiakaspalvelun puhelutallennus", Description: "Saapuvat puhelut jonossa 1.",
		Method: monitoring.CallRecording, Directions: []monitoring.Direction{monitoring.Inbound},
		Purposes:    []monitoring.Purpose{{Code: "quality", Description: "Asiakaspalvelun laadun varmistaminen"}},
		LawfulBasis: monitoring.LegitimateInterests, LawfulBasisDetail: "Palvelun laadun varmistaminen ja riitojen selvittäminen.",
		DataCategories: []string{"voice", "call_metadata"}, Units: []string{"Asiakaspalvelu"},
		AuthorizedUsers: []monitoring.AuthorizedUser{{Email: "sup@example.fi", Task: "Tiiminvetäjä"}},
		RetentionDays:   90, RetentionCriteria: "Riidan selvittämiseksi pidempään.", Recipients: "Puhelinjärjestelmän toimittaja Łódź Sp. z o.o.",
		Transfers: "Ei siirtoja.", SecurityMeasures: "Pääsynhallinta ja lokitus.", Status: monitoring.StatusActive, Version: 4,
		DPIA:     monitoring.DPIA{Required: true, CompletedOn: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)},
		ReviewOn: time.Date(2027, 11, 1, 0, 0, 0, 0, time.UTC), IntroductionOn: time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)}
}

func fixtureNoticeDoc() NoticeDoc {
	n := &monitoring.Notice{ID: 7, ActivityID: 3, Version: 2, CaseID: 12, IntroductionOn: time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC),
		Purpose: "Laadun varmistaminen ja valmennus.", Methods: "Esihenkilö kuuntelee otoksen tallenteista.",
		Handled: "Käsiteltiin säilytysaika ja käyttöoikeudet.", PlainFinnish: "Puhelusi tallennetaan. SELKOMERKKI",
		IssuedAt: time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)}
	con := &cooperation.Conclusion{Text: "Tallentaminen aloitetaan 1.2.2027.", ConcludedAt: time.Date(2026, 11, 15, 10, 0, 0, 0, time.UTC)}
	return NoticeDoc{Content: monitoring.BuildNoticeContent(n, fixtureActivity(), fixtureOrg(), con),
		Procedure: cooperation.Dialogue, CaseTitle: "Puhelujen tallentaminen"}
}

// noticeHeadings are the Art 13 headings of R-NOT-2 in lang.
func noticeHeadings(tb testing.TB, lang monitoring.Language) []string {
	T := catalogT(tb, lang)
	var hs []string
	for _, k := range noticeSectionKeys {
		hs = append(hs, T("pdf.notice.h."+k))
	}
	return hs
}

// TestNoticeContent_R_NOT_1_R_NOT_2_R_NOT_3_R_NOT_5: the purpose, the
// introduction date, the methods, every Art 13 heading, the controller, the
// Ombudsman's address, the procedure held and the Act's link, in every
// language; the plain-Finnish text only in Finnish.
func TestNoticeContent_R_NOT_1_R_NOT_2_R_NOT_3_R_NOT_5(t *testing.T) {
	intro := map[monitoring.Language]string{"fi": "1.2.2027", "sv": "1.2.2027", "en": "1 Feb 2027"}
	for _, lang := range monitoring.Languages {
		o := opts(t, lang)
		o.check()
		text := noticeContent(fixtureNoticeDoc(), &o).text()
		mustContain(t, text, "Laadun varmistaminen ja valmennus.", "Esihenkilö kuuntelee otoksen", intro[lang], "Kääntöpöytä Oy",
			"1572860-0", "Örjan Åkerlund", "Palvelun laadun varmistaminen ja riitojen", "Łódź", "90", "https://tietosuoja.fi",
			"tietosuojavaltuutettu", "https://www.finlex.fi/fi/laki/ajantasa/2004/20040759", "Käsiteltiin säilytysaika", "Tiiminvetäjä",
			"Tallentaminen aloitetaan 1.2.2027.")
		mustContain(t, text, noticeHeadings(t, lang)...)
		if got := strings.Contains(text, "SELKOMERKKI"); got != (lang == monitoring.Finnish) {
			t.Errorf("%s: plain Finnish printed = %v", lang, got)
		}
	}
	// Consent as the basis: the right to withdraw it (Art 13(2)(c)); the
	// objection right only under (e) and (f).
	d := fixtureNoticeDoc()
	a := fixtureActivity()
	a.LawfulBasis = monitoring.Consent
	d.Content = monitoring.BuildNoticeContent(&monitoring.Notice{ID: 7, Version: 1}, a, fixtureOrg(), nil)
	o := opts(t, "en")
	o.check()
	text := noticeContent(d, &o).text()
	mustContain(t, text, "You may withdraw your consent", "The processing is not based on legitimate interests", "Right to data portability")
	if strings.Contains(text, "Right to object") {
		t.Error("objection listed under consent")
	}
}

func TestNoticePDF(t *testing.T) {
	for _, lang := range monitoring.Languages {
		o := opts(t, lang)
		o.DocID = NoticeID(7, 2)
		var buf bytes.Buffer
		if err := Notice(&buf, fixtureNoticeDoc(), o); err != nil {
			t.Fatal(err)
		}
		text := extract(t, buf.Bytes())
		mustContain(t, text, "Laadun varmistaminen ja valmennus.", "Esihenkilö kuuntelee otoksen", "Kääntöpöytä Oy", "VAAKA-NOTICE-7-V2",
			"https://tietosuoja.fi", "Łódź")
		mustContain(t, text, noticeHeadings(t, lang)...)
		ps := pages(text)
		if len(ps) == 0 || ps[0] != [2]string{"1", itoa(len(ps))} {
			t.Errorf("%s: page footers %v", lang, ps)
		}
	}
}

// TestRegisterContent_R_ROPA_1: the Art 30(1) items of every activity.
func TestRegisterContent_R_ROPA_1(t *testing.T) {
	doc := monitoring.RegisterExtract(fixtureOrg(), []*monitoring.Activity{fixtureActivity()})
	for _, lang := range monitoring.Languages {
		o := opts(t, lang)
		o.check()
		T := catalogT(t, lang)
		text := registerContent(doc, &o).text()
		mustContain(t, text, "Kääntöpöytä Oy", "Örjan Åkerlund", "Asiakaspalvelun laadun varmistaminen", "Asiakaspalvelu", "voice, call_metadata",
			"Łódź Sp. z o.o.", "Ei siirtoja.", "90", "Riidan selvittämiseksi", "Pääsynhallinta ja lokitus.")
		for _, k := range []string{"pdf.register.controller", "pdf.register.dpo", "pdf.register.purposes", "pdf.register.data_subjects",
			"pdf.data_categories", "pdf.register.recipients", "pdf.register.transfers", "pdf.register.erasure", "pdf.register.security",
			"pdf.register.subject.employees", "pdf.register.subject.callers"} {
			mustContain(t, text, T(k))
		}
	}
	var buf bytes.Buffer
	o := opts(t, "fi")
	o.DocID = RegisterID(o)
	if err := Register(&buf, doc, o); err != nil {
		t.Fatal(err)
	}
	mustContain(t, extract(t, buf.Bytes()), "Seloste käsittelytoimista", "Pääsynhallinta ja lokitus.", "VAAKA-REGISTER-20261127")
}

func fixtureUses(n int, staff string) []*monitoring.Use {
	var us []*monitoring.Use
	at := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		u := &monitoring.Use{ID: fmt.Sprintf("u%d", i), ActivityID: 3, RecordingRef: fmt.Sprintf("REC-%s-%04d", staff, i),
			CallStartedAt: at.Add(-time.Duration(i)*time.Hour - time.Hour), Direction: monitoring.Inbound,
			EmployeeStaffIDs: []string{staff}, UsedBy: "sup@example.fi", Action: monitoring.Listened, Purpose: "quality",
			OccurredAt: at.Add(-time.Duration(i) * time.Hour)}
		if i%3 == 1 {
			u.UsedBy, u.Flags = "other@example.fi", []monitoring.Flag{monitoring.FlagUnauthorizedUser}
		}
		us = append(us, u)
	}
	return us
}

// TestReportContent_R_DSR_1: notices with their reading and every use
// with who, task, action, purpose and flags.
func TestReportContent_R_DSR_1(t *testing.T) {
	o := opts(t, "fi")
	o.check()
	o.Names = map[string]string{"sup@example.fi": "Sanna Esimies"}
	n := &monitoring.Notice{ID: 7, Version: 2, IntroductionOn: time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC), IssuedAt: genAt}
	d := ReportDoc{Employee: monitoring.Employee{StaffID: "E1", Name: "Åsa Öberg", Unit: "Asiakaspalvelu"},
		Notices: []ReportNotice{{Notice: n, ActivityName: "Asiakaspalvelun puhelutallennus",
			Recipient: &monitoring.NoticeRecipient{ReadAt: genAt.Add(time.Hour), AcknowledgedAt: genAt.Add(2 * time.Hour)}}},
		Uses: fixtureUses(3, "E1"), Activities: map[int64]*monitoring.Activity{3: fixtureActivity()}}
	text := reportContent(d, &o).text()
	mustContain(t, text, "Åsa Öberg", "E1", "Asiakaspalvelun puhelutallennus", "27.11.2026 15.30", "27.11.2026 16.30", "REC-E1-0000",
		"REC-E1-0002", "Sanna Esimies\nTiiminvetäjä", "Kuunneltu", "Asiakaspalvelun laadun varmistaminen (quality)", "R-ACC-1", "other@example.fi")
}

func TestReportPDFManyUses(t *testing.T) {
	o := opts(t, "sv")
	o.DocID = ReportID("E1", o)
	d := ReportDoc{Employee: monitoring.Employee{StaffID: "E1", Name: "Åsa Öberg", Unit: "Asiakaspalvelu"},
		Uses: fixtureUses(400, "E1"), Activities: map[int64]*monitoring.Activity{3: fixtureActivity()}}
	var buf bytes.Buffer
	if err := Report(&buf, d, o); err != nil {
		t.Fatal(err)
	}
	text := extract(t, buf.Bytes())
	mustContain(t, text, "Åsa Öberg", "REC-E1-0000", "REC-E1-0399", "VAAKA-REPORT-E1-20261127")
	ps := pages(text)
	if len(ps) < 5 {
		t.Fatalf("pages %v", ps)
	}
	for i, p := range ps {
		if p[0] != itoa(i+1) || p[1] != itoa(len(ps)) {
			t.Errorf("footer %v on page %d", p, i+1)
		}
	}
}

func TestCompliancePDF(t *testing.T) {
	from, to := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	today := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	a := fixtureActivity()
	a.Status = monitoring.StatusDraft
	uses := fixtureUses(6, "E1")
	d := ComplianceDoc{From: from, To: to, Today: today,
		Activities: []ComplianceActivity{{Activity: a, Unmet: []monitoring.Readiness{{Rule: "R-COOP-10", Key: "cooperation.unmet"}}}},
		FlagCounts: map[monitoring.Flag]int64{monitoring.FlagUnauthorizedUser: 2}, Flagged: []*monitoring.Use{uses[1]}, FlaggedTotal: 2,
		Overdue: []*monitoring.Recording{{Ref: "REC-OLD-1", ActivityID: 3, CallStartedAt: from, DeletionDue: from.Add(time.Hour)}}, OverdueTotal: 1,
		Notices: []ComplianceNotice{{Notice: &monitoring.Notice{Version: 1, IssuedAt: genAt}, ActivityName: a.Name,
			Pending: []*monitoring.NoticeRecipient{{StaffID: "E2", Name: "Őrs Szabó"}}, PendingTotal: 3}},
		Requests: []*monitoring.AccessRequest{
			{ID: 1, Kind: monitoring.RequestByEmployee, StaffID: "E1", ReceivedOn: from, DueOn: today.AddDate(0, 0, -1)},
			{ID: 2, Kind: monitoring.RequestByCaller, Requester: "Matti Meikäläinen", ReceivedOn: today, DueOn: today.AddDate(0, 0, 3)},
			{ID: 3, Kind: monitoring.RequestByCaller, Requester: "Anna", ReceivedOn: today, DueOn: today.AddDate(0, 1, 0)},
		},
		ActivityNames: map[int64]string{3: a.Name}}
	o := opts(t, "fi")
	o.DocID = ComplianceID(from, to)
	o.check()
	text := complianceContent(d, &o).text()
	mustContain(t, text, "1.11.2026 – 30.11.2026", "R-COOP-10", "Asiakaspalvelun puhelutallennus", "R-ACC-1", "REC-E1-0001", "REC-OLD-1",
		"Őrs Szabó (E2) ja 2 muuta", "avoinna 3, erääntymässä 1, myöhässä 1", "Matti Meikäläinen", "Myöhässä", "Erääntymässä")
	var buf bytes.Buffer
	if err := Compliance(&buf, d, o); err != nil {
		t.Fatal(err)
	}
	mustContain(t, extract(t, buf.Bytes()), "Vaatimustenmukaisuusraportti", "VAAKA-COMPLIANCE-20261101-20261130", "REC-OLD-1")
}

func BenchmarkNoticePDF(b *testing.B) {
	d, o := fixtureNoticeDoc(), opts(b, monitoring.Finnish)
	o.DocID = NoticeID(7, 2)
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := Notice(&buf, d, o); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "bytes/doc")
}

func BenchmarkReportPDF1000(b *testing.B) {
	o := opts(b, monitoring.Finnish)
	d := ReportDoc{Employee: monitoring.Employee{StaffID: "E1", Name: "Åsa Öberg"}, Uses: fixtureUses(1000, "E1"),
		Activities: map[int64]*monitoring.Activity{3: fixtureActivity()}}
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := Report(&buf, d, o); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "bytes/doc")
}
