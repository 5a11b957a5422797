package app_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"vaaka/db"
	"vaaka/monitoring"
)

// apiFixture is a test server with one user per role and two employees.
type apiFixture struct {
	*testServer
	users map[string]*monitoring.User // by email
}

// Emails of the fixture's users.
const (
	asAdmin = "admin@example.fi"
	asHR    = "hr@example.fi"
	asDPO   = "dpo@example.fi"
	asRep   = "rep@example.fi"
	asSup   = "sup@example.fi"
	asSup2  = "sup2@example.fi"
	asEmp   = "emp@example.fi"  // staff id E1
	asEmp2  = "emp2@example.fi" // staff id E2
)

const testUnit = "Asiakaspalvelu"

func newAPIFixture(t *testing.T) *apiFixture {
	t.Helper()
	ts := newTestServer(t)
	f := &apiFixture{testServer: ts, users: map[string]*monitoring.User{}}
	for _, u := range []struct{ email, name, roles, staff string }{
		{asAdmin, "Aino Admin", "admin", ""},
		{asHR, "Heikki Henkilöstö", "hr", ""},
		{asDPO, "Tiina Tietosuoja", "dpo", ""},
		{asRep, "Lauri Luottamusmies", "representative", ""},
		{asSup, "Sari Esihenkilö", "supervisor", ""},
		{asSup2, "Pekka Esihenkilö", "supervisor", ""},
		{asEmp, "Eero Työntekijä", "employee", "E1"},
		{asEmp2, "Elina Työntekijä", "employee", "E2"},
	} {
		f.users[u.email] = ts.addUser(t, u.email, u.name, u.roles, u.staff)
	}
	ctx := context.Background()
	for _, e := range []*monitoring.Employee{
		{StaffID: "E1", Name: "Eero Työntekijä", Email: asEmp, Unit: testUnit, Language: monitoring.Finnish, Active: true},
		{StaffID: "E2", Name: "Elina Työntekijä", Email: asEmp2, Unit: testUnit, Language: monitoring.Swedish, Active: true},
	} {
		if err := ts.Deps.Employees.CreateEmployee(ctx, "test", e); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// count returns the number of rows of table, read straight from the file.
func (ts *testServer) count(t *testing.T, table string) int {
	t.Helper()
	d, err := sql.Open("sqlite", ts.DB.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var n int
	if err := d.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// call sends a request and decodes the JSON answer into a map (nil for an
// empty body). It fails on any 5xx.
func (ts *testServer) call(t *testing.T, method, path, as, body string, header ...string) (int, map[string]any, *http.Response) {
	t.Helper()
	resp := ts.do(t, method, path, as, body, header...)
	raw := readBody(t, resp)
	if resp.StatusCode >= 500 {
		t.Fatalf("%s %s: status %d: %s", method, path, resp.StatusCode, raw)
	}
	var m map[string]any
	if strings.TrimSpace(raw) != "" {
		if err := json.Unmarshal([]byte(raw), &m); err != nil {
			t.Fatalf("%s %s: status %d, body is not a JSON object: %v: %.300s", method, path, resp.StatusCode, err, raw)
		}
	}
	return resp.StatusCode, m, resp
}

// problemFields returns the field names of a problem's errors.
func problemFields(m map[string]any) []string {
	var out []string
	es, _ := m["errors"].([]any)
	for _, e := range es {
		if em, ok := e.(map[string]any); ok {
			f, _ := em["field"].(string)
			out = append(out, f)
		}
	}
	return out
}

// problemRules returns the rule ids of a problem's rules.
func problemRules(m map[string]any) []string {
	var out []string
	rs, _ := m["rules"].([]any)
	for _, r := range rs {
		if rm, ok := r.(map[string]any); ok {
			id, _ := rm["rule"].(string)
			out = append(out, id)
		}
	}
	return out
}

func items(m map[string]any) []any {
	is, _ := m["items"].([]any)
	return is
}

func hasString(vs []string, want string) bool {
	for _, v := range vs {
		if v == want {
			return true
		}
	}
	return false
}

// completeActivity is a register entry whose own fields satisfy every
// readiness rule; only the co-operation, the notice and the introduction
// date are missing (R-SEQ-1).
const completeActivity = `{
  "name": "Puhelujen tallennus asiakaspalvelussa",
  "description": "Asiakaspalvelujonon puhelut tallennetaan laadun valmennusta varten.",
  "method": "call_recording", "system": "Contakti",
  "directions": ["inbound", "outbound"], "queues": ["asiakaspalvelu"],
  "purposes": [{"code": "quality", "description": "Palvelun laadun valmennus"}],
  "lawful_basis": "legitimate_interests",
  "lawful_basis_detail": "Työnantajan oikeutettu etu palvelun laadun varmistamiseen; tasapainotesti tehty.",
  "necessity": {"category": "rights_and_obligations", "justification": "Asiakkaille annettujen tietojen oikeellisuus.",
                "alternatives": "Muistiinpanot eivät riitä.", "proportionality": "Vain työpuhelut, 90 päivää."},
  "data_categories": ["voice", "call_metadata"],
  "special_categories": {"biometric": false, "notes": "Ei äänibiometriikkaa."},
  "business_lines_only": true,
  "units": ["Asiakaspalvelu"],
  "authorized_users": [{"email": "sup@example.fi", "task": "Laatuvalmentaja"}],
  "retention_days": 90, "retention_criteria": "90 päivää puhelusta", "retention_reason": "",
  "caller_information": {"inbound": {"fi": "Puhelu tallennetaan.", "sv": "Samtalet spelas in.", "en": "The call is recorded."},
                         "outbound": {"fi": "Puhelu tallennetaan.", "sv": "Samtalet spelas in.", "en": "The call is recorded."},
                         "ivr_placement": "Ennen jonoa", "privacy_notice_url": "https://example.fi/tietosuoja",
                         "pre_informed_customers": ""},
  "dpia": {"required": true, "completed_on": "2026-10-01", "summary": "Riskit arvioitu.", "reason_not_required": ""},
  "recipients": "Ei luovutuksia", "transfers": "Ei siirtoja EU:n ulkopuolelle", "security_measures": "Pääsynhallinta",
  "review_on": "2027-11-01"
}`

// createActivity posts completeActivity as hr and returns its id.
func (f *apiFixture) createActivity(t *testing.T) int64 {
	t.Helper()
	st, m, _ := f.call(t, "POST", "/api/v1/activities", asHR, completeActivity)
	if st != 201 {
		t.Fatalf("create activity: %d %v", st, m)
	}
	return int64(m["id"].(float64))
}

// activeActivity creates the complete entry and seeds it active.
func (f *apiFixture) activeActivity(t *testing.T) int64 {
	t.Helper()
	id := f.createActivity(t)
	if err := f.seedStatus(id, monitoring.StatusActive); err != nil {
		t.Fatal(err)
	}
	return id
}

func (f *apiFixture) seedStatus(id int64, st monitoring.Status) error {
	return f.Deps.Register.(*db.RegisterService).SeedStatus(context.Background(), id, st, testNow.Add(-24*time.Hour))
}
