package pdf

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jung-kurt/gofpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"

	"vaaka/cooperation"
	"vaaka/monitoring"
	"vaaka/templates"
)

// genAt is the fixed generation time of every test document.
var genAt = time.Date(2026, 11, 27, 12, 30, 0, 0, time.UTC) // 14.30 in Helsinki

// catalogT translates with the real embedded catalogs (the same files app
// loads), so the tests see the texts users see.
func catalogT(tb testing.TB, lang monitoring.Language) func(string, ...string) string {
	tb.Helper()
	m := map[string]string{}
	files, err := fs.Glob(templates.FS, path.Join("locales", string(lang), "*.json"))
	if err != nil || len(files) == 0 {
		tb.Fatalf("catalogs: %v", err)
	}
	for _, f := range files {
		b, err := fs.ReadFile(templates.FS, f)
		if err != nil {
			tb.Fatal(err)
		}
		if err := json.Unmarshal(b, &m); err != nil {
			tb.Fatal(err)
		}
	}
	return func(key string, kv ...string) string {
		s, ok := m[key]
		if !ok {
			tb.Errorf("missing catalog key %s:%s", lang, key)
			return key
		}
		for i := 0; i+1 < len(kv); i += 2 {
			s = strings.ReplaceAll(s, "{"+kv[i]+"}", kv[i+1])
		}
		return s
	}
}

func opts(tb testing.TB, lang monitoring.Language) Options {
	return Options{Lang: lang, GeneratedAt: genAt, DocID: "VAAKA-CASE-12-M4-V2", T: catalogT(tb, lang),
		Org:        OrgInfo{Name: "Kääntöpöytä Oy", BusinessID: "1234567-8", Address: "Hämeenkatu 1, 33100 Tampere"},
		Activities: []string{"Asiakaspalvelun puhelutallennus"}}
}

var helsinki = monitoring.Helsinki

func fixtureCase() *cooperation.Case {
	return &cooperation.Case{ID: 12, Title: "Puhelujen tallentaminen asiakaspalvelussa", Procedure: cooperation.Dialogue,
		Units: []string{"Asiakaspalvelu"}, Representatives: []string{"lukasz@example.fi"}, Status: cooperation.StatusInProgress}
}

func fixtureInformation() *cooperation.Information {
	return &cooperation.Information{Version: 3, Subject: "Puhelujen tallentaminen laadunvarmistusta varten",
		Purpose: "Asiakaspalvelun laadun varmistaminen ja koulutus.", Methods: "Puhelut tallennetaan; esihenkilö kuuntelee otoksen.",
		IntroductionPlan: "Käyttöönotto 1.2.2027.", GroupsAffected: "Asiakaspalvelun työntekijät", InformationGiven: "Järjestelmän kuvaus, säilytysaika 90 päivää.",
		FirstMeetingAt: time.Date(2026, 12, 10, 12, 30, 0, 0, time.UTC), Place: "Neuvotteluhuone Äkäslompolo",
		DeliveredAt: time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC), Recipients: []string{"lukasz@example.fi"},
		ShorterNoticeAgreement: "Sovittu luottamusmiehen kanssa 25.11.2026.", CreatedBy: "hr@example.fi"}
}

func fixtureMeeting() *cooperation.Meeting {
	at := time.Date(2026, 12, 10, 12, 30, 0, 0, time.UTC)
	return &cooperation.Meeting{ID: 4, HeldAt: at, Place: "Neuvotteluhuone Åland", Agenda: "1. Tallentamisen käyttötarkoitus\n2. Säilytysaika",
		MinutesRequested: true,
		Participants: []cooperation.Participant{
			{Email: "hr@example.fi", Name: "Päivi Äijälä", Side: cooperation.EmployerSide, Attended: true},
			{Email: "lukasz@example.fi", Name: "Łukasz Nowak", Side: cooperation.StaffSide, Attended: true},
			{Email: "ors@example.fi", Name: "Őrs Szabó", Side: cooperation.StaffSide, Attended: false},
		},
		Minutes: []*cooperation.Minutes{
			{Version: 1, MainContent: "Luonnos.", WrittenBy: "hr@example.fi", WrittenAt: at.Add(24 * time.Hour)},
			{Version: 2, MainContent: "Käsiteltiin tallentamisen käyttötarkoitus ja säilytysaika.", Outcome: "Säilytysaika 90 päivää.",
				EmployerPosition: "Tallentaminen on tarpeen laadun varmistamiseksi.", StaffPosition: "Säilytysaika on liian pitkä.",
				Dissent:   []cooperation.Dissent{{By: "lukasz@example.fi", Text: "Henkilöstö ei hyväksy 90 päivän säilytysaikaa."}},
				WrittenBy: "hr@example.fi", WrittenAt: at.Add(48 * time.Hour)},
		},
		Approvals: []cooperation.Approval{
			{Version: 1, By: "lukasz@example.fi", Side: cooperation.StaffSide, Approve: false, Comment: "Säilytysaika puuttuu.", At: at.Add(30 * time.Hour)},
			{Version: 2, By: "hr@example.fi", Side: cooperation.EmployerSide, Approve: true, At: time.Date(2026, 12, 13, 7, 5, 0, 0, time.UTC)},
			{Version: 2, By: "lukasz@example.fi", Side: cooperation.StaffSide, Approve: true, Dissent: "Vähemmistön kanta: 30 päivää riittää.", At: time.Date(2026, 12, 13, 8, 15, 0, 0, time.UTC)},
		},
		Confidentiality: cooperation.Confidentiality{Confidential: true, ToldTo: "Łukasz Nowak", ToldAt: at},
	}
}

func mustContain(t *testing.T, text string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("text lacks %q\n--- text ---\n%s", w, text)
		}
	}
}

func TestFormat(t *testing.T) {
	at := time.Date(2026, 11, 27, 12, 30, 0, 0, time.UTC)
	for lang, want := range map[monitoring.Language]string{"fi": "27.11.2026 14.30", "sv": "27.11.2026 14:30", "en": "27 Nov 2026 14:30"} {
		o := Options{Lang: lang, Location: helsinki}
		if got := o.dateTime(at); got != want {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
	}
	if ProposalID(12, 3) != "VAAKA-CASE-12-P3" || MinutesID(12, 4, 2) != "VAAKA-CASE-12-M4-V2" {
		t.Errorf("ids: %s %s", ProposalID(12, 3), MinutesID(12, 4, 2))
	}
}

func TestClean(t *testing.T) {
	cases := map[string]string{
		"Äijälä Łukasz Őrs å": "Äijälä Łukasz Őrs å",
		"a\r\nb\tc":           "a\nb c",
		"emoji 😀 end":         "emoji ? end",
		"Pa\u0308ivi":         "Päivi", // combining diaeresis → NFC
		"nul\x00x":            "nul x",
	}
	for in, want := range cases {
		if got := clean(in); got != want {
			t.Errorf("clean(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestProposalContent_R_COOP_2 checks the titles per procedure (GLOSSARY),
// the fields, and the shorter-notice agreement in every language.
func TestProposalContent_R_COOP_2(t *testing.T) {
	titles := map[monitoring.Language]map[cooperation.Procedure]string{
		"fi": {cooperation.Dialogue: "Kirjalliset tiedot", cooperation.ChangeNegotiations: "Neuvotteluesitys", cooperation.Hearing: "Kuulemiskutsu"},
		"sv": {cooperation.Dialogue: "Skriftlig information", cooperation.ChangeNegotiations: "Förhandlingsframställning", cooperation.Hearing: "Kallelse till hörande"},
		"en": {cooperation.Dialogue: "Written information", cooperation.ChangeNegotiations: "Negotiation proposal", cooperation.Hearing: "Invitation to be heard"},
	}
	for lang, byProc := range titles {
		for proc, title := range byProc {
			c := fixtureCase()
			c.Procedure = proc
			o := opts(t, lang)
			o.Location = helsinki
			o.Names = map[string]string{"lukasz@example.fi": "Łukasz Nowak"}
			d := proposalContent(c, fixtureInformation(), &o)
			if d.Title != title {
				t.Errorf("%s %s: title %q, want %q", lang, proc, d.Title, title)
			}
			text := d.text()
			mustContain(t, text, title, "Puhelujen tallentaminen laadunvarmistusta varten", "Asiakaspalvelun laadun varmistaminen",
				"esihenkilö kuuntelee", "Käyttöönotto 1.2.2027.", "Neuvotteluhuone Äkäslompolo", "Łukasz Nowak (lukasz@example.fi)",
				"Asiakaspalvelun puhelutallennus", "Sovittu luottamusmiehen kanssa", "3")
			first := map[monitoring.Language]string{"fi": "10.12.2026 14.30", "sv": "10.12.2026 14:30", "en": "10 Dec 2026 14:30"}[lang]
			mustContain(t, text, first)
			if d.Confidential != "" {
				t.Errorf("not marked, but %q", d.Confidential)
			}
		}
	}
}

// TestConfidentialMark_R_COOP_11: the mark and who was told when.
func TestConfidentialMark_R_COOP_11(t *testing.T) {
	for lang, mark := range map[monitoring.Language]string{"fi": "LUOTTAMUKSELLINEN", "sv": "KONFIDENTIELL", "en": "CONFIDENTIAL"} {
		o := opts(t, lang)
		o.Location = helsinki
		in := fixtureInformation()
		in.Confidentiality = cooperation.Confidentiality{Confidential: true, ToldTo: "Łukasz Nowak", ToldAt: genAt}
		d := proposalContent(fixtureCase(), in, &o)
		if d.Confidential != mark || !strings.Contains(d.ConfidentialTold, "Łukasz Nowak") || !strings.Contains(d.ConfidentialTold, "27") {
			t.Errorf("%s: mark %q told %q", lang, d.Confidential, d.ConfidentialTold)
		}
		in.Confidentiality.ToldTo = ""
		if d := proposalContent(fixtureCase(), in, &o); d.ConfidentialTold == "" {
			t.Errorf("%s: a mark without announcement must say so", lang)
		}
	}
}

// TestMinutesContent_R_COOP_4_R_COOP_8: time, participants with side and
// attendance, content, positions, outcome, dissent from the minutes and from
// approvals, approvals with names and times, signed state, signatures.
func TestMinutesContent_R_COOP_4_R_COOP_8(t *testing.T) {
	o := opts(t, monitoring.Finnish)
	o.Location = helsinki
	m := fixtureMeeting()
	d := minutesContent(fixtureCase(), m, &o)
	text := d.text()
	mustContain(t, text, "Pöytäkirja", "10.12.2026 14.30", "Neuvotteluhuone Åland", "Päivi Äijälä", "Łukasz Nowak", "Őrs Szabó",
		"Työnantaja", "Henkilöstö", "Läsnä", "Poissa", "1. Tallentamisen käyttötarkoitus", "Käsiteltiin tallentamisen",
		"Tallentaminen on tarpeen", "Säilytysaika on liian pitkä.", "Säilytysaika 90 päivää.",
		"Łukasz Nowak: Henkilöstö ei hyväksy 90 päivän säilytysaikaa.", "Łukasz Nowak: Vähemmistön kanta: 30 päivää riittää.",
		"Korjausta pyydetty", "Säilytysaika puuttuu.", "Hyväksytty", "13.12.2026 09.05", "13.12.2026 10.15",
		"Tarkastettu ja allekirjoitettu", "Työnantajan puolesta", "Henkilöstön puolesta", "LUOTTAMUKSELLINEN")
	if !m.MinutesSigned() {
		t.Fatal("fixture should be signed")
	}
	// The signature block lists those who attended, by side.
	for _, bl := range d.Blocks {
		if bl.Kind == kSignatures {
			if len(bl.Left) != 1 || bl.Left[0] != "Päivi Äijälä" || len(bl.Right) != 1 || bl.Right[0] != "Łukasz Nowak" {
				t.Errorf("signers %v / %v", bl.Left, bl.Right)
			}
		}
	}
	// Unsigned: a correction request on the current version.
	m.Approvals = append(m.Approvals[:1], cooperation.Approval{Version: 2, By: "hr@example.fi", Side: cooperation.EmployerSide, Approve: true, At: genAt})
	mustContain(t, minutesContent(fixtureCase(), m, &o).text(), "Ei vielä tarkastettu ja allekirjoitettu")
}

func TestMinutesNoMinutes(t *testing.T) {
	m := fixtureMeeting()
	m.Minutes = nil
	if err := Minutes(&bytes.Buffer{}, fixtureCase(), m, opts(t, "fi")); err != ErrNoMinutes {
		t.Fatalf("err %v", err)
	}
	if err := Proposal(&bytes.Buffer{}, fixtureCase(), nil, opts(t, "fi")); err != ErrNoInformation {
		t.Fatalf("err %v", err)
	}
	if err := Proposal(&bytes.Buffer{}, fixtureCase(), fixtureInformation(), Options{}); err == nil {
		t.Fatal("Options without T must fail")
	}
}

// tool returns the path of a command-line tool, skipping the test when it
// is missing (failing on CI, which installs poppler-utils and qpdf).
func tool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required on CI (poppler-utils, qpdf)", name)
		}
		t.Skipf("%s not installed (apt-get install poppler-utils qpdf); skipping the PDF extraction check", name)
	}
	return p
}

// extract checks the PDF with qpdf and returns pdftotext's text.
func extract(t *testing.T, pdf []byte) string {
	t.Helper()
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", pdf[:min(len(pdf), 20)])
	}
	dir := t.TempDir()
	f := path.Join(dir, "doc.pdf")
	if err := os.WriteFile(f, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(tool(t, "qpdf"), "--check", f).CombinedOutput(); err != nil {
		t.Fatalf("qpdf --check: %v\n%s", err, out)
	}
	out, err := exec.Command(tool(t, "pdftotext"), "-layout", "-enc", "UTF-8", f, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

var pageRe = regexp.MustCompile(`(?:Sivu|Sida|Page) (\d+)/(\d+)`)

// pages returns the "n/N" footers found, in order.
func pages(text string) [][2]string {
	var out [][2]string
	for _, m := range pageRe.FindAllStringSubmatch(text, -1) {
		out = append(out, [2]string{m[1], m[2]})
	}
	return out
}

func TestMinutesPDF(t *testing.T) {
	for _, lang := range monitoring.Languages {
		var buf bytes.Buffer
		if err := Minutes(&buf, fixtureCase(), fixtureMeeting(), opts(t, lang)); err != nil {
			t.Fatal(err)
		}
		text := extract(t, buf.Bytes())
		mustContain(t, text, "Päivi Äijälä", "Łukasz Nowak", "Őrs Szabó", "Neuvotteluhuone Åland", "Henkilöstö ei hyväksy 90 päivän säilytysaikaa.",
			"VAAKA-CASE-12-M4-V2", "Kääntöpöytä Oy", "1234567-8")
		mark := map[monitoring.Language]string{"fi": "LUOTTAMUKSELLINEN", "sv": "KONFIDENTIELL", "en": "CONFIDENTIAL"}[lang]
		gen := map[monitoring.Language]string{"fi": "27.11.2026 14.30", "sv": "27.11.2026 14:30", "en": "27 Nov 2026 14:30"}[lang]
		mustContain(t, text, mark, gen)
		ps := pages(text)
		if len(ps) == 0 || ps[0] != [2]string{"1", itoa(len(ps))} {
			t.Errorf("%s: page footers %v", lang, ps)
		}
	}
}

// TestLongMinutesPages: a long text spans several pages, each numbered n/N.
func TestLongMinutesPages(t *testing.T) {
	m := fixtureMeeting()
	cur := m.CurrentMinutes()
	var long strings.Builder
	for i := 0; i < 180; i++ {
		long.WriteString("Kohta ")
		long.WriteString(itoa(i + 1))
		long.WriteString(": keskusteltiin tallenteiden säilytysajasta, käyttöoikeuksista ja Łukasz Nowakin ehdotuksesta. ")
		if i%6 == 5 {
			long.WriteString("\n\n")
		}
	}
	cur.MainContent = long.String() + "LOPPU-MERKKI"
	for i := 0; i < 40; i++ {
		m.Approvals = append(m.Approvals, cooperation.Approval{Version: 1, By: "ors@example.fi", Side: cooperation.StaffSide,
			Comment: strings.Repeat("Pitkä kommentti korjauksesta. ", 6+i%5), At: genAt})
	}
	var buf bytes.Buffer
	if err := Minutes(&buf, fixtureCase(), m, opts(t, monitoring.Swedish)); err != nil {
		t.Fatal(err)
	}
	text := extract(t, buf.Bytes())
	ps := pages(text)
	if len(ps) < 3 {
		t.Fatalf("want several pages, got footers %v", ps)
	}
	for i, p := range ps {
		if p[0] != itoa(i+1) || p[1] != itoa(len(ps)) {
			t.Errorf("page %d footer %s/%s, want %d/%d", i+1, p[0], p[1], i+1, len(ps))
		}
	}
	mustContain(t, text, "LOPPU-MERKKI", "Kohta 180:", "Underskrifter")
	if n := strings.Count(text, "\f"); n+1 < len(ps) {
		t.Errorf("form feeds %d for %d pages", n, len(ps))
	}
}

func TestProposalPDF(t *testing.T) {
	for _, lang := range monitoring.Languages {
		o := opts(t, lang)
		o.DocID = ProposalID(12, 3)
		o.Names = map[string]string{"lukasz@example.fi": "Łukasz Nowak"}
		in := fixtureInformation()
		in.Confidentiality = cooperation.Confidentiality{Confidential: true, ToldTo: "Őrs Szabó", ToldAt: genAt}
		var buf bytes.Buffer
		if err := Proposal(&buf, fixtureCase(), in, o); err != nil {
			t.Fatal(err)
		}
		text := extract(t, buf.Bytes())
		title := map[monitoring.Language]string{"fi": "Kirjalliset tiedot", "sv": "Skriftlig information", "en": "Written information"}[lang]
		mark := map[monitoring.Language]string{"fi": "LUOTTAMUKSELLINEN", "sv": "KONFIDENTIELL", "en": "CONFIDENTIAL"}[lang]
		mustContain(t, text, title, mark, "Őrs Szabó", "Łukasz Nowak", "Neuvotteluhuone Äkäslompolo", "VAAKA-CASE-12-P3")
	}
}

// TestReproducible: a fixed GeneratedAt gives byte-identical documents.
func TestReproducible(t *testing.T) {
	var a, b bytes.Buffer
	if err := Minutes(&a, fixtureCase(), fixtureMeeting(), opts(t, "fi")); err != nil {
		t.Fatal(err)
	}
	if err := Minutes(&b, fixtureCase(), fixtureMeeting(), opts(t, "fi")); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("two renderings differ")
	}
}

func BenchmarkMinutesPDF(b *testing.B) {
	c, m, o := fixtureCase(), fixtureMeeting(), opts(b, monitoring.Finnish)
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := Minutes(&buf, c, m, o); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "bytes/doc")
}

func BenchmarkProposalPDF(b *testing.B) {
	c, in, o := fixtureCase(), fixtureInformation(), opts(b, monitoring.Finnish)
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := Proposal(&buf, c, in, o); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFontSetup measures what gofpdf costs per document for the two
// embedded fonts (it parses the TTF and hashes the metrics on every
// AddUTF8FontFromBytes; its font table is private, so a parsed font cannot
// be shared between documents).
func BenchmarkFontSetup(b *testing.B) {
	for b.Loop() {
		f := gofpdf.New("P", "mm", "A4", "")
		f.AliasNbPages("{nb}")
		f.AddUTF8FontFromBytes(family, "", goregular.TTF)
		f.AddUTF8FontFromBytes(family, "B", gobold.TTF)
		if f.Err() {
			b.Fatal(f.Error())
		}
	}
}
