package app_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"vaaka/monitoring"
)

// Hostile text through every layer: stored as given (read back through the
// API equal to the input), escaped on the web pages, neutralised in the
// register CSV, printed literally in the PDFs without breaking them.

const (
	escScript  = `<script>alert(1)</script>`
	escSQL     = `'; DROP TABLE uses;--`
	escFormula = `=HYPERLINK("http://x","y")`
)

// escShort is every hostile part in one value short enough for a name
// (MaxShort); it starts with the formula so that a spreadsheet would
// evaluate it.
var escShort = escFormula + " " + escScript + " " + escSQL + " \u202ekääntö 😀"

// escLong is escShort padded with one unbroken word to exactly MaxText
// characters, for free text (a use's note, the minutes).
var escLong = escShort + " " + strings.Repeat("ä", monitoring.MaxText-utf8.RuneCountInString(escShort)-1)

func jsonString(t *testing.T, s string) string {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// findKey returns the first string value of key anywhere in v.
func findKey(v any, key string) (string, bool) {
	switch x := v.(type) {
	case map[string]any:
		if s, ok := x[key].(string); ok {
			return s, true
		}
		for _, e := range x {
			if s, ok := findKey(e, key); ok {
				return s, true
			}
		}
	case []any:
		for _, e := range x {
			if s, ok := findKey(e, key); ok {
				return s, true
			}
		}
	}
	return "", false
}

// wantEscaped checks that a web page shows the hostile text escaped.
func wantEscaped(t *testing.T, path, body string, also ...string) {
	t.Helper()
	if strings.Contains(body, escScript) || strings.Contains(body, "<script>alert") {
		t.Errorf("GET %s: the script is not escaped", path)
	}
	for _, s := range append([]string{"&lt;script&gt;alert(1)&lt;/script&gt;", "DROP TABLE uses;--", "HYPERLINK", "\u202ekääntö 😀"}, also...) {
		if !strings.Contains(body, s) {
			t.Errorf("GET %s: the page lacks %q", path, s)
		}
	}
	if strings.Contains(body, "ZgotmplZ") {
		t.Errorf("GET %s: a value the escaper refused", path)
	}
}

// TestEscape_HostileText: an employee's name, a use's note, the minutes'
// main content and an activity's name.
func TestEscape_HostileText(t *testing.T) {
	if n := utf8.RuneCountInString(escLong); n != 10000 {
		t.Fatalf("escLong has %d characters", n)
	}
	f := newAPIFixture(t)
	f.apiCaseOrg(t, "private", 60)

	// The activity (names are at most MaxShort characters; a longer one is
	// refused naming the field, never a 500).
	body := strings.Replace(completeActivity, `"name": "Puhelujen tallennus asiakaspalvelussa"`, `"name": `+jsonString(t, escShort), 1)
	act := apiCaseID(t, f.apiCaseMust(t, "POST", "/api/v1/activities", asHR, body, 201), "id")
	if err := f.seedStatus(act, monitoring.StatusActive); err != nil {
		t.Fatal(err)
	}
	m := f.apiCaseMust(t, "GET", fmt.Sprintf("/api/v1/activities/%d", act), asHR, "", 200)
	if m["name"] != escShort {
		t.Errorf("activity name read back %q", m["name"])
	}
	long := strings.Replace(completeActivity, `"name": "Puhelujen tallennus asiakaspalvelussa"`, `"name": `+jsonString(t, escLong), 1)
	if st, m, _ := f.call(t, "POST", "/api/v1/activities", asHR, long); st != 422 || !hasString(problemFields(m), "name") {
		t.Errorf("10,000-character activity name: %d %v", st, problemFields(m))
	}

	// The employee.
	f.apiCaseMust(t, "POST", "/api/v1/employees", asHR,
		`{"staff_id":"X1","name":`+jsonString(t, escShort)+`,"unit":"Asiakaspalvelu","language":"fi"}`, 201)
	m = f.apiCaseMust(t, "GET", "/api/v1/employees/X1", asHR, "", 200)
	if m["name"] != escShort {
		t.Errorf("employee name read back %q", m["name"])
	}
	if st, m, _ := f.call(t, "POST", "/api/v1/employees", asHR, `{"staff_id":"X2","name":`+jsonString(t, escLong)+`,"unit":"Asiakaspalvelu"}`); st != 422 || !hasString(problemFields(m), "name") {
		t.Errorf("10,000-character employee name: %d %v", st, problemFields(m))
	}

	// The use's note: 10,000 characters with every hostile part.
	use := fmt.Sprintf(`{"external_id":"esc-1","activity_id":%d,"recording_ref":"rec-esc","call_started_at":"2026-11-20T09:00:00Z","direction":"inbound",
		"employee_staff_ids":["X1"],"action":"listened","purpose":"quality","note":%s,"occurred_at":"2026-11-26T12:00:00+02:00"}`, act, jsonString(t, escLong))
	m = f.apiCaseMust(t, "POST", "/api/v1/uses", asSup, use, 201)
	useID, _ := findKey(m, "id")
	m = f.apiCaseMust(t, "GET", "/api/v1/uses/"+useID, asHR, "", 200)
	if m["note"] != escLong {
		got, _ := m["note"].(string)
		t.Errorf("note read back with %d characters, want it equal to the input", utf8.RuneCountInString(got))
	}
	if n := f.count(t, "uses"); n != 1 {
		t.Errorf("%d uses", n)
	}

	// The minutes' main content.
	cs := f.apiCaseOpen(t, act, "dialogue", "")
	cp := fmt.Sprintf("/api/v1/cases/%d", cs)
	f.apiCaseMust(t, "POST", cp+"/proposal", asHR, caseProposalBody(caseDelivered, caseFirstMeeting, ""), 201)
	mid := apiCaseID(t, f.apiCaseMust(t, "POST", cp+"/meetings", asHR, caseMeetingBody(caseFirstMeeting, true, asHR, asRep), 201), "id")
	f.apiCaseMust(t, "PUT", fmt.Sprintf("%s/meetings/%d/minutes", cp, mid), asHR,
		`{"main_content":`+jsonString(t, escLong)+`,"outcome":"Yhteisymmärrys","employer_position":"Tarpeellinen","staff_position":"Hyväksyttävä","dissent":[]}`, 200)
	if got, _ := findKey(f.apiCaseMust(t, "GET", cp, asHR, "", 200), "main_content"); got != escLong {
		t.Errorf("main content read back with %d characters, want it equal to the input", utf8.RuneCountInString(got))
	}

	// The web pages show it escaped.
	pad := strings.Repeat("ä", 200)
	hr := newBrowser(f.testServer)
	hr.login(t, asHR)
	for path, also := range map[string][]string{
		fmt.Sprintf("/activities/%d", act): nil,
		"/activities":                      nil,
		"/employees":                       nil,
		"/uses":                            nil,
		"/uses/" + useID:                   {pad},
		fmt.Sprintf("/cases/%d", cs):       {pad},
	} {
		resp, body := hr.get(t, path)
		wantStatus(t, resp, body, 200)
		wantEscaped(t, path, body, also...)
	}

	// Pages that may not show the names still never carry the raw script.
	for _, path := range []string{"/dashboard", "/recordings", "/cases", "/audit"} {
		_, body := hr.get(t, path)
		if strings.Contains(body, escScript) {
			t.Errorf("GET %s: the script is not escaped", path)
		}
	}

	// The register CSV neutralises the formula (the name cell starts with
	// an apostrophe) and keeps the rest as given.
	raw := f.getDoc(t, "/documents/register.csv", asHR, 200)
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(raw, []byte("\ufeff"))))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[1][1] != "'"+escShort {
		t.Errorf("register CSV name cell: %q", rows)
	}
	for _, row := range rows {
		for _, cell := range row {
			if c := strings.TrimLeft(cell, " "); c != "" && strings.ContainsRune("=+-@\t\r\n", rune(c[0])) {
				t.Errorf("cell starts with a formula character: %q", cell)
			}
		}
	}

	// The PDFs print the text literally and stay valid (pdfText runs qpdf
	// --check; both tools skip the rest unless CI=true).
	for _, p := range []string{"/documents/register.pdf", "/documents/employees/X1/report.pdf",
		fmt.Sprintf("/documents/cases/%d/meetings/%d/minutes.pdf", cs, mid)} {
		text, _ := pdfText(t, f.getDoc(t, p, asHR, 200))
		for _, s := range []string{"HYPERLINK", escScript, "DROP TABLE uses;--"} {
			if !strings.Contains(text, s) {
				t.Errorf("%s: the text lacks %q", p, s)
			}
		}
	}
}
