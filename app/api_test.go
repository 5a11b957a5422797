package app_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
)

// apiCase is one API scenario: a request and what the answer must be.
type apiCase struct {
	name, method, path, as, body string
	header                       []string // name, value, ...
	want                         int
	fields                       []string // problem fields that must be named
	contains                     []string // substrings of the body
	absent                       []string // substrings the body must not have
}

// run drives the cases in order through the real app. Every error answer
// must be problem+json; no answer may be a 5xx.
func (ts *testServer) run(t *testing.T, cases []apiCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := ts.do(t, tc.method, tc.path, tc.as, tc.body, tc.header...)
			raw := readBody(t, resp)
			if resp.StatusCode != tc.want {
				t.Fatalf("%s %s: status %d, want %d: %.500s", tc.method, tc.path, resp.StatusCode, tc.want, raw)
			}
			ct := resp.Header.Get("Content-Type")
			if tc.want >= 400 && !strings.HasPrefix(ct, "application/problem+json") {
				t.Errorf("content type %q, want application/problem+json", ct)
			}
			if tc.want < 300 && tc.want != 204 && !strings.HasPrefix(ct, "application/json") {
				t.Errorf("content type %q, want application/json", ct)
			}
			for _, key := range []string{`"message":"validation.`, `"message":"readiness.`, `"title":"problem.`, `"detail":"problem.`} {
				if strings.Contains(raw, key) {
					t.Errorf("untranslated message key in %.500s", raw)
				}
			}
			for _, f := range tc.fields {
				if !strings.Contains(raw, `"field":"`+f+`"`) {
					t.Errorf("problem does not name field %q: %.500s", f, raw)
				}
			}
			for _, s := range tc.contains {
				if !strings.Contains(raw, s) {
					t.Errorf("body lacks %q: %.500s", s, raw)
				}
			}
			for _, s := range tc.absent {
				if strings.Contains(raw, s) {
					t.Errorf("body has %q: %.500s", s, raw)
				}
			}
		})
	}
}

var ctCSV = []string{"Content-Type", "text/csv; charset=utf-8"}
var ctText = []string{"Content-Type", "text/plain"}

func TestAPI_Employees(t *testing.T) {
	f := newAPIFixture(t)
	long := strings.Repeat("x", 201)
	f.run(t, []apiCase{
		{name: "create", method: "POST", path: "/api/v1/employees", as: asHR,
			body: `{"staff_id":"E3","name":"Matti Meikäläinen","email":"matti@example.fi","unit":"Myynti","language":"sv"}`,
			want: 201, contains: []string{`"staff_id":"E3"`, `"language":"sv"`, `"active":true`}},
		{name: "language defaults to fi", method: "POST", path: "/api/v1/employees", as: asHR,
			body: `{"staff_id":"E4","name":"Maija","unit":"Myynti"}`, want: 201, contains: []string{`"language":"fi"`}},
		{name: "duplicate staff id", method: "POST", path: "/api/v1/employees", as: asHR,
			body: `{"staff_id":"E1","name":"Toinen","unit":"Myynti"}`, want: 409},
	})
	before := f.count(t, "employees")
	f.run(t, []apiCase{
		{name: "missing name", method: "POST", path: "/api/v1/employees", as: asHR, body: `{"staff_id":"E5","unit":"Myynti"}`, want: 422, fields: []string{"name"}},
		{name: "bad email", method: "POST", path: "/api/v1/employees", as: asHR, body: `{"staff_id":"E5","name":"N","unit":"U","email":"not-an-email"}`, want: 422, fields: []string{"email"}},
		{name: "unknown language", method: "POST", path: "/api/v1/employees", as: asHR, body: `{"staff_id":"E5","name":"N","unit":"U","language":"de"}`, want: 422, fields: []string{"language"}},
		{name: "overlong name", method: "POST", path: "/api/v1/employees", as: asHR, body: `{"staff_id":"E5","name":"` + long + `","unit":"U"}`, want: 422, fields: []string{"name"}},
		{name: "bad staff id", method: "POST", path: "/api/v1/employees", as: asHR, body: `{"staff_id":"E 5","name":"N","unit":"U"}`, want: 422, fields: []string{"staff_id"}},
		{name: "wrong type", method: "POST", path: "/api/v1/employees", as: asHR, body: `{"staff_id":5,"name":"N","unit":"U"}`, want: 400, fields: []string{"staff_id"}},
		{name: "unknown field", method: "POST", path: "/api/v1/employees", as: asHR, body: `{"staff_id":"E5","name":"N","unit":"U","salary":1}`, want: 400, fields: []string{"salary"}},
		{name: "malformed", method: "POST", path: "/api/v1/employees", as: asHR, body: `{"staff_id":"E5",`, want: 400},
		{name: "trailing data", method: "POST", path: "/api/v1/employees", as: asHR, body: `{"staff_id":"E5","name":"N","unit":"U"} {}`, want: 400},
		{name: "not json", method: "POST", path: "/api/v1/employees", as: asHR, body: `staff_id=E5`, header: ctText, want: 415},
		{name: "empty body", method: "POST", path: "/api/v1/employees", as: asHR, want: 400},
	})
	if got := f.count(t, "employees"); got != before {
		t.Fatalf("employees %d after bad input, want %d", got, before)
	}
	f.run(t, []apiCase{
		{name: "list", method: "GET", path: "/api/v1/employees", as: asDPO, want: 200, contains: []string{`"staff_id":"E1"`, `"staff_id":"E3"`}, absent: []string{"next_cursor"}},
		{name: "list by unit", method: "GET", path: "/api/v1/employees?unit=Myynti", as: asHR, want: 200, contains: []string{`"E3"`}, absent: []string{`"E1"`}},
		{name: "list by q", method: "GET", path: "/api/v1/employees?q=Matti", as: asHR, want: 200, contains: []string{`"E3"`}, absent: []string{`"E1"`}},
		{name: "limit 1 has a cursor", method: "GET", path: "/api/v1/employees?limit=1", as: asHR, want: 200, contains: []string{`"next_cursor":"`}},
		{name: "limit 0", method: "GET", path: "/api/v1/employees?limit=0", as: asHR, want: 400, fields: []string{"limit"}},
		{name: "limit 1001", method: "GET", path: "/api/v1/employees?limit=1001", as: asHR, want: 400, fields: []string{"limit"}},
		{name: "limit text", method: "GET", path: "/api/v1/employees?limit=ten", as: asHR, want: 400, fields: []string{"limit"}},
		{name: "bad cursor", method: "GET", path: "/api/v1/employees?cursor=%21%21", as: asHR, want: 400, fields: []string{"cursor"}},
		{name: "bad active", method: "GET", path: "/api/v1/employees?active=maybe", as: asHR, want: 400, fields: []string{"active"}},
		{name: "get", method: "GET", path: "/api/v1/employees/E1", as: asHR, want: 200, contains: []string{`"name":"Eero Työntekijä"`}},
		{name: "get unknown", method: "GET", path: "/api/v1/employees/NOPE", as: asHR, want: 404},
		{name: "patch", method: "PATCH", path: "/api/v1/employees/E3", as: asHR, body: `{"unit":"Asiakaspalvelu","active":false}`, want: 200,
			contains: []string{`"unit":"Asiakaspalvelu"`, `"active":false`, `"name":"Matti Meikäläinen"`}},
		{name: "patch staff id is unknown", method: "PATCH", path: "/api/v1/employees/E3", as: asHR, body: `{"staff_id":"E9"}`, want: 400, fields: []string{"staff_id"}},
		{name: "patch bad language", method: "PATCH", path: "/api/v1/employees/E3", as: asHR, body: `{"language":"xx"}`, want: 422, fields: []string{"language"}},
		{name: "patch unknown", method: "PATCH", path: "/api/v1/employees/NOPE", as: asHR, body: `{"name":"X"}`, want: 404},
		{name: "list inactive", method: "GET", path: "/api/v1/employees?active=false", as: asHR, want: 200, contains: []string{`"E3"`}, absent: []string{`"E1"`}},
	})

	// Pagination walks every employee exactly once.
	seen := map[string]bool{}
	cursor := ""
	for range 10 {
		path := "/api/v1/employees?limit=1"
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		st, m, _ := f.call(t, "GET", path, asHR, "")
		if st != 200 {
			t.Fatalf("page: %d", st)
		}
		for _, it := range items(m) {
			id := it.(map[string]any)["staff_id"].(string)
			if seen[id] {
				t.Fatalf("%s twice", id)
			}
			seen[id] = true
		}
		cursor, _ = m["next_cursor"].(string)
		if cursor == "" {
			break
		}
	}
	if len(seen) != f.count(t, "employees") {
		t.Fatalf("pagination saw %d employees, want %d", len(seen), f.count(t, "employees"))
	}
}

func TestAPI_EmployeeImport(t *testing.T) {
	f := newAPIFixture(t)
	good := "\ufeffhenkilönumero;nimi;sähköposti;yksikkö;kieli\nE1;Eero Työntekijä;emp@example.fi;Myynti;fi\nE7;Uusi Henkilö;uusi@example.fi;Myynti;sv\n"
	bad := "staff_id,name,unit\nE8,Hyvä Rivi,Myynti\nE9,Ei yksikköä,\n"
	before := f.count(t, "employees")
	f.run(t, []apiCase{
		{name: "dry run", method: "POST", path: "/api/v1/employees/import?dry_run=true", as: asHR, body: good, header: ctCSV, want: 200,
			contains: []string{`"dry_run":true`, `"rows":2`, `"created":1`, `"updated":1`, `"errors":[]`}},
		{name: "dry run with a bad row reports it", method: "POST", path: "/api/v1/employees/import?dry_run=true", as: asHR, body: bad, header: ctCSV, want: 200,
			contains: []string{`"line":3`, `"field":"unit"`}},
		{name: "bad row refuses the import", method: "POST", path: "/api/v1/employees/import", as: asHR, body: bad, header: ctCSV, want: 422,
			fields: []string{"line 3: unit"}},
		{name: "unknown column", method: "POST", path: "/api/v1/employees/import", as: asHR, body: "staff_id;name;unit;salary\nE8;N;U;1\n", header: ctCSV, want: 422,
			fields: []string{"line 1: salary"}},
		{name: "empty file", method: "POST", path: "/api/v1/employees/import", as: asHR, body: " ", header: ctCSV, want: 422},
		{name: "json is not csv", method: "POST", path: "/api/v1/employees/import", as: asHR, body: `{"a":1}`, want: 415},
		{name: "bad dry_run", method: "POST", path: "/api/v1/employees/import?dry_run=perhaps", as: asHR, body: good, header: ctCSV, want: 400, fields: []string{"dry_run"}},
	})
	if got := f.count(t, "employees"); got != before {
		t.Fatalf("employees %d after dry runs and refused imports, want %d", got, before)
	}
	f.run(t, []apiCase{
		{name: "import", method: "POST", path: "/api/v1/employees/import", as: asHR, body: good, header: ctCSV, want: 200,
			contains: []string{`"dry_run":false`, `"created":1`, `"updated":1`}},
		{name: "updated", method: "GET", path: "/api/v1/employees/E1", as: asHR, want: 200, contains: []string{`"unit":"Myynti"`}},
		{name: "created", method: "GET", path: "/api/v1/employees/E7", as: asHR, want: 200, contains: []string{`"language":"sv"`}},
	})
	if got := f.count(t, "employees"); got != before+1 {
		t.Fatalf("employees %d after import, want %d", got, before+1)
	}
}

func TestAPI_Units(t *testing.T) {
	f := newAPIFixture(t)
	f.run(t, []apiCase{
		{name: "list", method: "GET", path: "/api/v1/units", as: asHR, want: 200, contains: []string{`"name":"Asiakaspalvelu"`, `"employees":2`}},
		{name: "create", method: "POST", path: "/api/v1/units", as: asHR, body: `{"name":"Myynti"}`, want: 201, contains: []string{`"name":"Myynti"`}},
		{name: "duplicate", method: "POST", path: "/api/v1/units", as: asHR, body: `{"name":"Myynti"}`, want: 409},
		{name: "empty name", method: "POST", path: "/api/v1/units", as: asHR, body: `{"name":" "}`, want: 422, fields: []string{"name"}},
		{name: "overlong", method: "POST", path: "/api/v1/units", as: asHR, body: `{"name":"` + strings.Repeat("y", 201) + `"}`, want: 422, fields: []string{"name"}},
		{name: "listed", method: "GET", path: "/api/v1/units", as: asDPO, want: 200, contains: []string{`"name":"Myynti"`}},
	})
}

func TestAPI_Activities(t *testing.T) {
	f := newAPIFixture(t)
	f.run(t, []apiCase{
		{name: "create", method: "POST", path: "/api/v1/activities", as: asHR, body: completeActivity, want: 201,
			contains: []string{`"id":1`, `"status":"draft"`, `"version":1`, `"readiness":[`, `"rule":"R-LAW-1","met":true`,
				`"completed_on":"2026-10-01"`, `"inbound":{"en":"The call is recorded."`, `"created_at":"2026-11-27T10:00:00Z"`}},
		{name: "R-DPIA-1 dpia required by default", method: "POST", path: "/api/v1/activities", as: asHR,
			body: `{"name":"Luonnos","method":"call_recording"}`, want: 201, contains: []string{`"dpia":{"required":true`, `"status":"draft"`}},
		{name: "dpia not required when said", method: "POST", path: "/api/v1/activities", as: asHR,
			body: `{"name":"Luonnos 2","method":"screen_recording","dpia":{"required":false,"reason_not_required":"Ei järjestelmällistä"}}`, want: 201,
			contains: []string{`"dpia":{"required":false`}},
	})
	before := f.count(t, "activities")
	f.run(t, []apiCase{
		{name: "bad date", method: "POST", path: "/api/v1/activities", as: asHR, body: `{"name":"X","method":"call_recording","dpia":{"completed_on":"2026-13-01"}}`, want: 422, fields: []string{"dpia.completed_on"}},
		{name: "finnish date", method: "POST", path: "/api/v1/activities", as: asHR, body: `{"name":"X","method":"call_recording","review_on":"1.11.2027"}`, want: 422, fields: []string{"review_on"}},
		{name: "bad date and bad enum together", method: "POST", path: "/api/v1/activities", as: asHR, body: `{"name":"X","method":"call_recording","review_on":"2027-02-30","lawful_basis":"whim"}`, want: 422, fields: []string{"review_on", "lawful_basis"}},
		{name: "unknown lawful basis", method: "POST", path: "/api/v1/activities", as: asHR, body: `{"name":"X","method":"call_recording","lawful_basis":"whim"}`, want: 422, fields: []string{"lawful_basis"}},
		{name: "unknown necessity category", method: "POST", path: "/api/v1/activities", as: asHR, body: `{"name":"X","method":"call_recording","necessity":{"category":"because"}}`, want: 422, fields: []string{"necessity.category"}},
		{name: "unknown direction", method: "POST", path: "/api/v1/activities", as: asHR, body: `{"name":"X","method":"call_recording","directions":["sideways"]}`, want: 422, fields: []string{"directions[0]"}},
		{name: "bad method", method: "POST", path: "/api/v1/activities", as: asHR, body: `{"name":"X","method":"Call Recording"}`, want: 422, fields: []string{"method"}},
		{name: "missing method", method: "POST", path: "/api/v1/activities", as: asHR, body: `{"name":"X"}`, want: 422, fields: []string{"method"}},
		{name: "missing name", method: "POST", path: "/api/v1/activities", as: asHR, body: `{"method":"call_recording"}`, want: 422, fields: []string{"name"}},
		{name: "overlong description", method: "POST", path: "/api/v1/activities", as: asHR, body: `{"name":"X","method":"call_recording","description":"` + strings.Repeat("d", 10001) + `"}`, want: 422, fields: []string{"description"}},
		{name: "R-PUR-2 misuse purpose with metadata", method: "POST", path: "/api/v1/activities", as: asHR, body: `{"name":"X","method":"call_recording","data_categories":["call_metadata"],"purposes":[{"code":"misuse_investigation","description":"x"}]}`, want: 422, fields: []string{"purposes[0].code"}},
		{name: "wrong type number", method: "POST", path: "/api/v1/activities", as: asHR, body: `{"name":"X","method":"call_recording","retention_days":"90"}`, want: 400, fields: []string{"retention_days"}},
		{name: "wrong type fraction", method: "POST", path: "/api/v1/activities", as: asHR, body: `{"name":"X","method":"call_recording","retention_days":90.5}`, want: 400, fields: []string{"retention_days"}},
		{name: "wrong type nested", method: "POST", path: "/api/v1/activities", as: asHR, body: `{"name":"X","method":"call_recording","dpia":{"required":"yes"}}`, want: 400, fields: []string{"dpia.required"}},
		{name: "wrong type list", method: "POST", path: "/api/v1/activities", as: asHR, body: `{"name":"X","method":"call_recording","purposes":{"code":"q"}}`, want: 400, fields: []string{"purposes"}},
		{name: "status is not writable", method: "POST", path: "/api/v1/activities", as: asHR, body: `{"name":"X","method":"call_recording","status":"active"}`, want: 400, fields: []string{"status"}},
		{name: "unknown nested field", method: "POST", path: "/api/v1/activities", as: asHR, body: `{"name":"X","method":"call_recording","necessity":{"why":"x"}}`, want: 400, fields: []string{"why"}},
		{name: "malformed", method: "POST", path: "/api/v1/activities", as: asHR, body: `{"name":"X",,}`, want: 400},
		{name: "not json", method: "POST", path: "/api/v1/activities", as: asHR, body: `<activity/>`, header: []string{"Content-Type", "application/xml"}, want: 415},
		{name: "array", method: "POST", path: "/api/v1/activities", as: asHR, body: `[]`, want: 400},
	})
	if got := f.count(t, "activities"); got != before {
		t.Fatalf("activities %d after bad input, want %d", got, before)
	}
	f.run(t, []apiCase{
		{name: "get", method: "GET", path: "/api/v1/activities/1", as: asRep, want: 200,
			contains: []string{`"status":"draft"`, `"rule":"R-NEC-1","met":true`, `"rule":"R-COOP-10","met":false`, `"message":"`}},
		{name: "get in english", method: "GET", path: "/api/v1/activities/1?lang=en", as: asSup, want: 200, contains: []string{`"rule":"R-LAW-1","met":true,"message":"`}},
		{name: "get unknown", method: "GET", path: "/api/v1/activities/999", as: asHR, want: 404},
		{name: "get non-numeric", method: "GET", path: "/api/v1/activities/abc", as: asHR, want: 404},
		{name: "list", method: "GET", path: "/api/v1/activities", as: asDPO, want: 200, contains: []string{`"id":1`, `"id":2`, `"id":3`}},
		{name: "list by status", method: "GET", path: "/api/v1/activities?status=active", as: asDPO, want: 200, contains: []string{`"items":[]`}},
		{name: "list bad status", method: "GET", path: "/api/v1/activities?status=busy", as: asDPO, want: 400, fields: []string{"status"}},
		{name: "list paged", method: "GET", path: "/api/v1/activities?limit=2", as: asDPO, want: 200, contains: []string{`"next_cursor":"`}},
		{name: "patch one field", method: "PATCH", path: "/api/v1/activities/1", as: asHR, body: `{"name":"Uusi nimi"}`, want: 200,
			contains: []string{`"name":"Uusi nimi"`, `"version":2`, `"code":"quality"`, `"retention_days":90`, `"justification":"Asiakkaille annettujen tietojen oikeellisuus."`}},
		{name: "patch nested subset", method: "PATCH", path: "/api/v1/activities/1", as: asHR, body: `{"necessity":{"proportionality":"Uusi arvio"}}`, want: 200,
			contains: []string{`"proportionality":"Uusi arvio"`, `"justification":"Asiakkaille annettujen tietojen oikeellisuus."`, `"category":"rights_and_obligations"`}},
		{name: "patch clears a date", method: "PATCH", path: "/api/v1/activities/1", as: asHR, body: `{"review_on":""}`, want: 200, contains: []string{`"review_on":null`}},
		{name: "patch sets it again", method: "PATCH", path: "/api/v1/activities/1", as: asHR, body: `{"review_on":"2027-11-01"}`, want: 200, contains: []string{`"review_on":"2027-11-01"`, `"version":5`}},
		{name: "patch bad date", method: "PATCH", path: "/api/v1/activities/1", as: asHR, body: `{"review_on":"tomorrow"}`, want: 422, fields: []string{"review_on"}},
		{name: "patch bad enum", method: "PATCH", path: "/api/v1/activities/1", as: asHR, body: `{"lawful_basis":"whim"}`, want: 422, fields: []string{"lawful_basis"}},
		{name: "patch unknown field", method: "PATCH", path: "/api/v1/activities/1", as: asHR, body: `{"id":7}`, want: 400, fields: []string{"id"}},
		{name: "patch unknown id", method: "PATCH", path: "/api/v1/activities/999", as: asHR, body: `{"name":"X"}`, want: 404},
		{name: "version unchanged by refused patches", method: "GET", path: "/api/v1/activities/1", as: asHR, want: 200, contains: []string{`"version":5`}},
		{name: "history", method: "GET", path: "/api/v1/activities/1/history", as: asSup, want: 200,
			contains: []string{`"version":1`, `"version":5`, `"actor":"hr@example.fi"`, `{"field":"name","old":"Puhelujen tallennus asiakaspalvelussa","new":"Uusi nimi"}`}},
		{name: "history unknown", method: "GET", path: "/api/v1/activities/999/history", as: asHR, want: 404},
		{name: "suspend a draft", method: "POST", path: "/api/v1/activities/1/suspend", as: asHR, want: 422, fields: []string{"status"}},
		{name: "activate unknown", method: "POST", path: "/api/v1/activities/999/activate", as: asHR, want: 404},
		{name: "retire", method: "POST", path: "/api/v1/activities/2/retire", as: asHR, want: 200, contains: []string{`"status":"retired"`}},
		{name: "retire twice", method: "POST", path: "/api/v1/activities/2/retire", as: asHR, want: 422},
	})
}

// TestAPI_Activate_R_SEQ_1: a complete register entry is still refused
// activation with 409 naming the co-operation, the notice and the
// introduction date; the entry's own rules are met.
func TestAPI_Activate_R_SEQ_1(t *testing.T) {
	f := newAPIFixture(t)
	id := f.createActivity(t)
	st, m, _ := f.call(t, "POST", fmt.Sprintf("/api/v1/activities/%d/activate", id), asHR, "")
	if st != 409 {
		t.Fatalf("activate: %d %v", st, m)
	}
	rules := problemRules(m)
	for _, want := range []string{"R-COOP-10", "R-NOT-1", "R-SEQ-1"} {
		if !hasString(rules, want) {
			t.Errorf("rules %v lack %s", rules, want)
		}
	}
	for _, met := range []string{"R-LAW-1", "R-NEC-1", "R-NEC-2", "R-PUR-1", "R-ACC-1", "R-RET-1", "R-INF-1", "R-DPIA-1", "R-REV-1"} {
		if hasString(rules, met) {
			t.Errorf("rules %v name %s, which the entry meets", rules, met)
		}
	}
	for _, r := range m["rules"].([]any) {
		if msg, _ := r.(map[string]any)["message"].(string); msg == "" || strings.HasPrefix(msg, "readiness.") {
			t.Errorf("untranslated rule message %q", msg)
		}
	}
	// Refused: still a draft.
	_, m, _ = f.call(t, "GET", fmt.Sprintf("/api/v1/activities/%d", id), asHR, "")
	if m["status"] != "draft" {
		t.Fatalf("status %v after refused activation", m["status"])
	}
	// Active → suspend → activate is refused the same way → retire.
	if err := f.seedStatus(id, "active"); err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/api/v1/activities/%d/", id)
	f.run(t, []apiCase{
		{name: "suspend", method: "POST", path: path + "suspend", as: asHR, want: 200, contains: []string{`"status":"suspended"`}},
		{name: "reactivate refused", method: "POST", path: path + "activate", as: asHR, want: 409, contains: []string{`"rule":"R-COOP-10"`}},
		{name: "retire", method: "POST", path: path + "retire", as: asHR, want: 200, contains: []string{`"status":"retired"`}},
	})
}

// useBody returns a valid use for the active activity 1.
func useBody(ext string, extra ...string) string {
	fields := map[string]string{
		"external_id": `"` + ext + `"`, "activity_id": "1", "recording_ref": `"rec-` + ext + `"`,
		"call_started_at": `"2026-11-20T09:00:00Z"`, "direction": `"inbound"`, "employee_staff_ids": `["E1"]`,
		"action": `"listened"`, "purpose": `"quality"`, "occurred_at": `"2026-11-26T12:00:00+02:00"`,
	}
	for i := 0; i+1 < len(extra); i += 2 {
		if extra[i+1] == "" {
			delete(fields, extra[i])
		} else {
			fields[extra[i]] = extra[i+1]
		}
	}
	var parts []string
	for _, k := range []string{"external_id", "activity_id", "recording_ref", "call_started_at", "direction", "employee_staff_ids", "used_by", "action", "purpose", "note", "occurred_at", "corrects", "bogus"} {
		if v, ok := fields[k]; ok {
			parts = append(parts, `"`+k+`":`+v)
		}
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func batch(uses ...string) string { return `{"uses":[` + strings.Join(uses, ",") + `]}` }

func TestAPI_UsesIngest(t *testing.T) {
	f := newAPIFixture(t)
	f.activeActivity(t)
	f.run(t, []apiCase{
		{name: "one use", method: "POST", path: "/api/v1/uses", as: asSup, body: useBody("u1"), want: 201,
			contains: []string{`"results":[{"id":"`, `"external_id":"u1"`, `"flags":[`, `"duplicate":false`}},
		{name: "R-LOG-1 repeat is a duplicate", method: "POST", path: "/api/v1/uses", as: asSup, body: useBody("u1"), want: 201,
			contains: []string{`"external_id":"u1"`, `"duplicate":true`}},
		{name: "batch", method: "POST", path: "/api/v1/uses", as: asHR,
			body: batch(useBody("b1"), useBody("b2", "purpose", ""), useBody("b3", "used_by", `"sup2@example.fi"`)), want: 201,
			contains: []string{`"external_id":"b1"`, `"external_id":"b2"`, `"external_id":"b3"`, `"purpose_missing"`, `"unauthorized_user"`}},
		{name: "clean use has no flags", method: "POST", path: "/api/v1/uses", as: asSup, body: useBody("clean", "employee_staff_ids", `["E1","E2"]`), want: 201},
	})
	if n := f.count(t, "uses"); n != 5 {
		t.Fatalf("uses %d, want 5", n)
	}
	// The first use defaulted used_by to the token's user.
	_, m, _ := f.call(t, "GET", "/api/v1/uses?limit=1000", asHR, "")
	usedBy := map[string]string{}
	for _, it := range items(m) {
		u := it.(map[string]any)
		usedBy[u["external_id"].(string)] = u["used_by"].(string)
		if u["source"] != "api" {
			t.Errorf("source %v", u["source"])
		}
	}
	if usedBy["u1"] != asSup || usedBy["b1"] != asHR || usedBy["b3"] != asSup2 {
		t.Fatalf("used_by %v", usedBy)
	}

	before := f.count(t, "uses")
	auditBefore := f.count(t, "audit")
	over := make([]string, 1001)
	for i := range over {
		over[i] = useBody(fmt.Sprintf("o%d", i))
	}
	f.run(t, []apiCase{
		{name: "malformed", method: "POST", path: "/api/v1/uses", as: asSup, body: `{"activity_id":1,`, want: 400},
		{name: "array", method: "POST", path: "/api/v1/uses", as: asSup, body: `[` + useBody("a") + `]`, want: 400, fields: []string{"body"}},
		{name: "scalar", method: "POST", path: "/api/v1/uses", as: asSup, body: `42`, want: 400},
		{name: "empty body", method: "POST", path: "/api/v1/uses", as: asSup, want: 400},
		{name: "not json", method: "POST", path: "/api/v1/uses", as: asSup, body: useBody("x1"), header: ctText, want: 415},
		{name: "form", method: "POST", path: "/api/v1/uses", as: asSup, body: "a=b", header: []string{"Content-Type", "application/x-www-form-urlencoded"}, want: 415},
		{name: "wrong type", method: "POST", path: "/api/v1/uses", as: asSup, body: useBody("x2", "activity_id", `"1"`), want: 400, fields: []string{"activity_id"}},
		{name: "wrong type list", method: "POST", path: "/api/v1/uses", as: asSup, body: useBody("x3", "employee_staff_ids", `"E1"`), want: 400, fields: []string{"employee_staff_ids"}},
		{name: "wrong type in batch", method: "POST", path: "/api/v1/uses", as: asSup, body: batch(useBody("x4"), useBody("x5", "activity_id", "true")), want: 400, fields: []string{"uses[1].activity_id"}},
		{name: "unknown field", method: "POST", path: "/api/v1/uses", as: asSup, body: useBody("x6", "bogus", "1"), want: 400, fields: []string{"bogus"}},
		{name: "unknown field in batch", method: "POST", path: "/api/v1/uses", as: asSup, body: batch(useBody("x7", "bogus", "1")), want: 400, fields: []string{"uses[0].bogus"}},
		{name: "unknown top-level field beside uses", method: "POST", path: "/api/v1/uses", as: asSup, body: `{"uses":[` + useBody("x8") + `],"extra":1}`, want: 400, fields: []string{"extra"}},
		{name: "uses not a list", method: "POST", path: "/api/v1/uses", as: asSup, body: `{"uses":{}}`, want: 400, fields: []string{"uses"}},
		{name: "empty batch", method: "POST", path: "/api/v1/uses", as: asSup, body: `{"uses":[]}`, want: 422, fields: []string{"uses"}},
		{name: "oversize batch", method: "POST", path: "/api/v1/uses", as: asSup, body: batch(over...), want: 422, fields: []string{"uses"}},
		{name: "overlong note", method: "POST", path: "/api/v1/uses", as: asSup, body: useBody("x9", "note", `"`+strings.Repeat("n", 10001)+`"`), want: 422, fields: []string{"note"}},
		{name: "overlong external id", method: "POST", path: "/api/v1/uses", as: asSup, body: useBody(strings.Repeat("e", 201)), want: 422, fields: []string{"external_id"}},
		{name: "bad date", method: "POST", path: "/api/v1/uses", as: asSup, body: useBody("x10", "call_started_at", `"yesterday"`), want: 422, fields: []string{"call_started_at"}},
		{name: "date without time", method: "POST", path: "/api/v1/uses", as: asSup, body: useBody("x11", "occurred_at", `"2026-11-26"`), want: 422, fields: []string{"occurred_at"}},
		{name: "bad date in batch", method: "POST", path: "/api/v1/uses", as: asSup, body: batch(useBody("x12"), useBody("x13"), useBody("x14", "occurred_at", `"26.11.2026 12:00"`)), want: 422, fields: []string{"uses[2].occurred_at"}},
		{name: "unknown direction", method: "POST", path: "/api/v1/uses", as: asSup, body: useBody("x15", "direction", `"sideways"`), want: 422, fields: []string{"direction"}},
		{name: "unknown action", method: "POST", path: "/api/v1/uses", as: asSup, body: useBody("x16", "action", `"deleted"`), want: 422, fields: []string{"action"}},
		{name: "future", method: "POST", path: "/api/v1/uses", as: asSup, body: useBody("x17", "occurred_at", `"2027-01-01T00:00:00Z"`), want: 422, fields: []string{"occurred_at"}},
		{name: "before the call", method: "POST", path: "/api/v1/uses", as: asSup, body: useBody("x18", "occurred_at", `"2026-11-19T00:00:00Z"`), want: 422, fields: []string{"occurred_at"}},
		{name: "missing fields", method: "POST", path: "/api/v1/uses", as: asSup, body: `{}`, want: 422, fields: []string{"activity_id", "recording_ref", "call_started_at", "direction", "employee_staff_ids", "action", "occurred_at"}},
		{name: "bad staff id", method: "POST", path: "/api/v1/uses", as: asSup, body: useBody("x19", "employee_staff_ids", `["E 1"]`), want: 422, fields: []string{"employee_staff_ids[0]"}},
		{name: "bad used_by", method: "POST", path: "/api/v1/uses", as: asSup, body: useBody("x20", "used_by", `"nobody"`), want: 422, fields: []string{"used_by"}},
		{name: "bad corrects", method: "POST", path: "/api/v1/uses", as: asSup, body: useBody("x21", "corrects", `"not-a-uuid"`), want: 422, fields: []string{"corrects"}},
		{name: "a bad use refuses the whole batch", method: "POST", path: "/api/v1/uses", as: asSup,
			body: batch(useBody("y1"), useBody("y2"), useBody("y3", "direction", `"up"`), useBody("y4", "action", `"ate"`)), want: 422, fields: []string{"uses[2].direction", "uses[3].action"}},
		{name: "null fields", method: "POST", path: "/api/v1/uses", as: asSup, body: `{"uses":null}`, want: 422, fields: []string{"uses"}},
	})
	if got := f.count(t, "uses"); got != before {
		t.Fatalf("uses %d after refused requests, want %d (nothing written on error)", got, before)
	}
	if got := f.count(t, "audit"); got != auditBefore {
		t.Fatalf("audit %d after refused requests, want %d", got, auditBefore)
	}

	// A correction references the original (R-LOG-1: append-only).
	orig := items(m)[0].(map[string]any)["id"].(string)
	f.run(t, []apiCase{
		{name: "correction", method: "POST", path: "/api/v1/uses", as: asSup, body: useBody("fix1", "corrects", `"`+orig+`"`, "note", `"väärä työntekijä"`), want: 201},
	})
}

func TestAPI_UsesAppendOnly(t *testing.T) {
	f := newAPIFixture(t)
	f.activeActivity(t)
	_, m, _ := f.call(t, "POST", "/api/v1/uses", asSup, useBody("u1"))
	id := m["results"].([]any)[0].(map[string]any)["id"].(string)
	for _, method := range []string{"PUT", "PATCH", "DELETE"} {
		resp := f.do(t, method, "/api/v1/uses/"+id, asHR, `{"note":"x"}`)
		raw := readBody(t, resp)
		if resp.StatusCode != 405 || resp.Header.Get("Allow") != "GET" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
			t.Errorf("%s: %d Allow=%q %s", method, resp.StatusCode, resp.Header.Get("Allow"), raw)
		}
	}
	if n := f.count(t, "uses"); n != 1 {
		t.Fatalf("uses %d", n)
	}
	f.run(t, []apiCase{{name: "unchanged", method: "GET", path: "/api/v1/uses/" + id, as: asHR, want: 200, contains: []string{`"note":""`}}})
}

func TestAPI_UsesRead(t *testing.T) {
	f := newAPIFixture(t)
	f.activeActivity(t)
	for _, c := range []struct{ as, body string }{
		{asSup, useBody("s1")},
		{asSup, useBody("s2", "employee_staff_ids", `["E2"]`, "purpose", "")},
		{asSup2, useBody("t1", "employee_staff_ids", `["E2"]`)},
	} {
		if st, m, _ := f.call(t, "POST", "/api/v1/uses", c.as, c.body); st != 201 {
			t.Fatalf("ingest: %d %v", st, m)
		}
	}
	_, m, _ := f.call(t, "GET", "/api/v1/uses", asHR, "")
	ids := map[string]string{}
	for _, it := range items(m) {
		u := it.(map[string]any)
		ids[u["external_id"].(string)] = u["id"].(string)
	}
	audit := f.count(t, "audit")
	f.run(t, []apiCase{
		{name: "hr sees all", method: "GET", path: "/api/v1/uses", as: asHR, want: 200, contains: []string{`"s1"`, `"s2"`, `"t1"`}},
		{name: "newest first", method: "GET", path: "/api/v1/uses?limit=1", as: asDPO, want: 200, contains: []string{`"t1"`, `"next_cursor"`}},
		{name: "by employee", method: "GET", path: "/api/v1/uses?employee=E2", as: asDPO, want: 200, contains: []string{`"s2"`, `"t1"`}, absent: []string{`"s1"`}},
		{name: "by flag", method: "GET", path: "/api/v1/uses?flag=purpose_missing", as: asHR, want: 200, contains: []string{`"s2"`}, absent: []string{`"s1"`, `"t1"`}},
		{name: "by used_by", method: "GET", path: "/api/v1/uses?used_by=sup2@example.fi", as: asHR, want: 200, contains: []string{`"t1"`}, absent: []string{`"s1"`}},
		{name: "by activity", method: "GET", path: "/api/v1/uses?activity=1", as: asHR, want: 200, contains: []string{`"s1"`}},
		{name: "by other activity", method: "GET", path: "/api/v1/uses?activity=2", as: asHR, want: 200, contains: []string{`"items":[]`}},
		{name: "by time", method: "GET", path: "/api/v1/uses?from=2026-11-26T00:00:00Z&to=2026-11-27T00:00:00Z", as: asHR, want: 200, contains: []string{`"s1"`}},
		{name: "time window before", method: "GET", path: "/api/v1/uses?to=2026-11-01T00:00:00Z", as: asHR, want: 200, contains: []string{`"items":[]`}},
		{name: "bad flag", method: "GET", path: "/api/v1/uses?flag=naughty", as: asHR, want: 400, fields: []string{"flag"}},
		{name: "bad from", method: "GET", path: "/api/v1/uses?from=yesterday", as: asHR, want: 400, fields: []string{"from"}},
		{name: "bad activity", method: "GET", path: "/api/v1/uses?activity=one", as: asHR, want: 400, fields: []string{"activity"}},
		{name: "bad cursor", method: "GET", path: "/api/v1/uses?cursor=eHl6", as: asHR, want: 400, fields: []string{"cursor"}},
		{name: "bad limit", method: "GET", path: "/api/v1/uses?limit=-1", as: asHR, want: 400, fields: []string{"limit"}},
		{name: "supervisor sees own", method: "GET", path: "/api/v1/uses", as: asSup, want: 200, contains: []string{`"s1"`, `"s2"`}, absent: []string{`"t1"`}},
		{name: "supervisor by employee sees own", method: "GET", path: "/api/v1/uses?employee=E2", as: asSup, want: 200, contains: []string{`"s2"`}, absent: []string{`"t1"`}},
		{name: "employee sees own calls", method: "GET", path: "/api/v1/uses", as: asEmp2, want: 200, contains: []string{`"s2"`, `"t1"`}, absent: []string{`"s1"`}},
		{name: "employee own filter", method: "GET", path: "/api/v1/uses?employee=E2", as: asEmp2, want: 200, contains: []string{`"t1"`}},
		{name: "one", method: "GET", path: "/api/v1/uses/" + ids["s1"], as: asDPO, want: 200, contains: []string{`"external_id":"s1"`, `"employee_staff_ids":["E1"]`, `"hash":"`}},
		{name: "one of own call", method: "GET", path: "/api/v1/uses/" + ids["s1"], as: asEmp, want: 200},
		{name: "unknown", method: "GET", path: "/api/v1/uses/01900000-0000-7000-8000-000000000000", as: asHR, want: 404},
		{name: "not a uuid", method: "GET", path: "/api/v1/uses/42", as: asHR, want: 404},
		{name: "me/uses", method: "GET", path: "/api/v1/me/uses", as: asEmp, want: 200, contains: []string{`"s1"`}, absent: []string{`"s2"`, `"t1"`}},
		{name: "me/uses without staff id", method: "GET", path: "/api/v1/me/uses", as: asHR, want: 200, contains: []string{`"items":[]`}},
		{name: "me/uses bad limit", method: "GET", path: "/api/v1/me/uses?limit=5000", as: asEmp, want: 400, fields: []string{"limit"}},
	})

	// R-LOG-1: reads of another person's log are audited (by employee: dpo,
	// supervisor; a single use: dpo), the employee's own reads are not.
	wantAudit := audit + 3 // ?employee=E2 by dpo, by sup; /uses/{s1} by dpo
	if got := f.count(t, "audit"); got != wantAudit {
		t.Fatalf("audit entries %d, want %d", got, wantAudit)
	}
	_, am, _ := f.call(t, "GET", "/api/v1/audit?entity=employee&entity_id=E2", asDPO, "")
	found := false
	for _, it := range items(am) {
		e := it.(map[string]any)
		if e["action"] == "use_log.read" && e["actor"] == asDPO {
			found = true
			if d, _ := e["detail"].(map[string]any); d == nil || d["filter"] == nil {
				t.Errorf("detail %v lacks the filter", e["detail"])
			}
		}
	}
	if !found {
		t.Fatalf("no use_log.read entry for dpo in %v", am)
	}

	// Pagination walks every use once.
	seen := map[string]bool{}
	cursor := ""
	for range 10 {
		path := "/api/v1/uses?limit=2"
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		_, pm, _ := f.call(t, "GET", path, asHR, "")
		for _, it := range items(pm) {
			id := it.(map[string]any)["id"].(string)
			if seen[id] {
				t.Fatalf("%s twice", id)
			}
			seen[id] = true
		}
		if cursor, _ = pm["next_cursor"].(string); cursor == "" {
			break
		}
	}
	if len(seen) != 3 {
		t.Fatalf("pages saw %d uses, want 3", len(seen))
	}
}

func TestAPI_Recordings(t *testing.T) {
	f := newAPIFixture(t)
	f.activeActivity(t)
	rec := func(ref string, extra ...string) string {
		fs := map[string]string{"ref": `"` + ref + `"`, "call_started_at": `"2026-08-01T08:00:00Z"`, "direction": `"inbound"`, "activity_id": "1", "employee_staff_id": `"E1"`}
		for i := 0; i+1 < len(extra); i += 2 {
			fs[extra[i]] = extra[i+1]
		}
		var ps []string
		for _, k := range []string{"ref", "call_started_at", "direction", "activity_id", "employee_staff_id", "extra"} {
			if v, ok := fs[k]; ok {
				ps = append(ps, `"`+k+`":`+v)
			}
		}
		return "{" + strings.Join(ps, ",") + "}"
	}
	f.run(t, []apiCase{
		{name: "one", method: "POST", path: "/api/v1/recordings", as: asSup, body: rec("r1"), want: 201,
			contains: []string{`"items":[{"ref":"r1"`, `"deletion_due":"2026-10-30T08:00:00Z"`, `"overdue":true`, `"deleted_at":null`}},
		{name: "batch", method: "POST", path: "/api/v1/recordings", as: asHR, body: `{"recordings":[` + rec("r2", "call_started_at", `"2026-11-25T08:00:00Z"`) + `,` + rec("r3") + `]}`, want: 201,
			contains: []string{`"ref":"r2"`, `"ref":"r3"`}},
		{name: "known ref unchanged", method: "POST", path: "/api/v1/recordings", as: asHR, body: rec("r1", "direction", `"outbound"`), want: 201, contains: []string{`"direction":"inbound"`}},
	})
	before := f.count(t, "recordings")
	f.run(t, []apiCase{
		{name: "bad direction", method: "POST", path: "/api/v1/recordings", as: asHR, body: rec("r9", "direction", `"up"`), want: 422, fields: []string{"direction"}},
		{name: "bad time in batch", method: "POST", path: "/api/v1/recordings", as: asHR, body: `{"recordings":[` + rec("r9") + `,` + rec("r10", "call_started_at", `"eilen"`) + `]}`, want: 422, fields: []string{"recordings[1].call_started_at"}},
		{name: "invalid in batch", method: "POST", path: "/api/v1/recordings", as: asHR, body: `{"recordings":[` + rec("r9") + `,` + rec("r10", "activity_id", "0") + `]}`, want: 422, fields: []string{"recordings[1].activity_id"}},
		{name: "unknown field", method: "POST", path: "/api/v1/recordings", as: asHR, body: rec("r9", "extra", "1"), want: 400, fields: []string{"extra"}},
		{name: "wrong type", method: "POST", path: "/api/v1/recordings", as: asHR, body: rec("r9", "activity_id", `"1"`), want: 400, fields: []string{"activity_id"}},
		{name: "empty batch", method: "POST", path: "/api/v1/recordings", as: asHR, body: `{"recordings":[]}`, want: 422, fields: []string{"recordings"}},
		{name: "not json", method: "POST", path: "/api/v1/recordings", as: asHR, body: rec("r9"), header: ctText, want: 415},
	})
	if got := f.count(t, "recordings"); got != before {
		t.Fatalf("recordings %d after bad input, want %d", got, before)
	}
	f.run(t, []apiCase{
		{name: "list", method: "GET", path: "/api/v1/recordings", as: asDPO, want: 200, contains: []string{`"r1"`, `"r2"`, `"r3"`}},
		{name: "overdue", method: "GET", path: "/api/v1/recordings?overdue=true", as: asHR, want: 200, contains: []string{`"r1"`}, absent: []string{`"r2"`}},
		{name: "by activity", method: "GET", path: "/api/v1/recordings?activity=2", as: asHR, want: 200, contains: []string{`"items":[]`}},
		{name: "bad overdue", method: "GET", path: "/api/v1/recordings?overdue=often", as: asHR, want: 400, fields: []string{"overdue"}},
		{name: "paged", method: "GET", path: "/api/v1/recordings?limit=1", as: asHR, want: 200, contains: []string{`"next_cursor"`}},
		{name: "confirm deletion", method: "POST", path: "/api/v1/recordings/r1/deleted", as: asHR, want: 200, contains: []string{`"deleted_at":"2026-11-27T10:00:00Z"`, `"deleted_by":"hr@example.fi"`, `"overdue":false`}},
		{name: "again", method: "POST", path: "/api/v1/recordings/r1/deleted", as: asHR, want: 409},
		{name: "with time", method: "POST", path: "/api/v1/recordings/r3/deleted", as: asHR, body: `{"deleted_at":"2026-11-01T12:00:00Z"}`, want: 200, contains: []string{`"deleted_at":"2026-11-01T12:00:00Z"`}},
		{name: "future time", method: "POST", path: "/api/v1/recordings/r2/deleted", as: asHR, body: `{"deleted_at":"2027-11-01T12:00:00Z"}`, want: 422, fields: []string{"deleted_at"}},
		{name: "bad time", method: "POST", path: "/api/v1/recordings/r2/deleted", as: asHR, body: `{"deleted_at":"nyt"}`, want: 422, fields: []string{"deleted_at"}},
		{name: "unknown field", method: "POST", path: "/api/v1/recordings/r2/deleted", as: asHR, body: `{"when":"x"}`, want: 400, fields: []string{"when"}},
		{name: "unknown ref", method: "POST", path: "/api/v1/recordings/nope/deleted", as: asHR, want: 404},
		{name: "use after deletion is flagged", method: "POST", path: "/api/v1/uses", as: asSup,
			body: useBody("late", "recording_ref", `"r1"`, "call_started_at", `"2026-08-01T08:00:00Z"`, "occurred_at", `"2026-11-27T10:04:00Z"`), want: 201,
			contains: []string{`"recording_deleted"`, `"retention_exceeded"`}},
	})
}

func TestAPI_Audit(t *testing.T) {
	f := newAPIFixture(t)
	f.activeActivity(t)
	f.call(t, "POST", "/api/v1/uses", asSup, batch(useBody("a1"), useBody("a2")))
	f.run(t, []apiCase{
		{name: "verify", method: "GET", path: "/api/v1/audit/verify", as: asDPO, want: 200,
			contains: []string{`"ok":true`, `"first_bad":0`, `"chain":"uses","ok":true,"checked":2`, `"chain":"audit","ok":true`}},
		{name: "list", method: "GET", path: "/api/v1/audit?limit=3", as: asDPO, want: 200, contains: []string{`"seq":`, `"action":"`, `"next_cursor":"`}},
		{name: "by entity", method: "GET", path: "/api/v1/audit?entity=activity&entity_id=1", as: asDPO, want: 200, contains: []string{`"action":"activity.created"`}},
		{name: "bad cursor", method: "GET", path: "/api/v1/audit?cursor=AAAA", as: asDPO, want: 400, fields: []string{"cursor"}},
	})
}

func TestAPI_Settings(t *testing.T) {
	f := newAPIFixture(t)
	f.run(t, []apiCase{
		{name: "read by anyone", method: "GET", path: "/api/v1/settings", as: asEmp, want: 200, contains: []string{`"time_zone":"Europe/Helsinki"`, `"default_language":"fi"`}},
		{name: "update", method: "PUT", path: "/api/v1/settings", as: asHR,
			body: `{"name":"Esimerkki Oy","business_id":"1234567-1","headcount":45,"sector":"private","privacy_notice_url":"https://example.fi/tietosuoja"}`, want: 200,
			contains: []string{`"name":"Esimerkki Oy"`, `"business_id":"1234567-1"`, `"headcount":45`}},
		{name: "partial keeps the rest", method: "PUT", path: "/api/v1/settings", as: asAdmin, body: `{"address":"Katu 1, Helsinki"}`, want: 200,
			contains: []string{`"name":"Esimerkki Oy"`, `"address":"Katu 1, Helsinki"`}},
		{name: "bad business id", method: "PUT", path: "/api/v1/settings", as: asHR, body: `{"business_id":"1234567-8"}`, want: 422, fields: []string{"business_id"}},
		{name: "bad zone", method: "PUT", path: "/api/v1/settings", as: asHR, body: `{"time_zone":"Mars/Olympus"}`, want: 422, fields: []string{"time_zone"}},
		{name: "bad sector", method: "PUT", path: "/api/v1/settings", as: asHR, body: `{"sector":"pirate"}`, want: 422, fields: []string{"sector"}},
		{name: "wrong type", method: "PUT", path: "/api/v1/settings", as: asHR, body: `{"headcount":"many"}`, want: 400, fields: []string{"headcount"}},
		{name: "unknown field", method: "PUT", path: "/api/v1/settings", as: asHR, body: `{"ceo":"x"}`, want: 400, fields: []string{"ceo"}},
		{name: "unchanged", method: "GET", path: "/api/v1/settings", as: asHR, want: 200, contains: []string{`"business_id":"1234567-1"`, `"sector":"private"`}},
	})
}

func TestAPI_UsersAndTokens(t *testing.T) {
	f := newAPIFixture(t)
	empID := f.users[asEmp].ID
	f.run(t, []apiCase{
		{name: "list users", method: "GET", path: "/api/v1/users", as: asAdmin, want: 200, contains: []string{`"email":"hr@example.fi"`}, absent: []string{"password", "argon2"}},
		{name: "create user", method: "POST", path: "/api/v1/users", as: asAdmin,
			body: `{"email":"uusi@example.fi","name":"Uusi Käyttäjä","roles":["supervisor","employee"],"staff_id":"E2","language":"sv","password":"pitkä salasana 123"}`, want: 201,
			contains: []string{`"email":"uusi@example.fi"`, `"roles":["supervisor","employee"]`, `"active":true`}, absent: []string{"salasana"}},
		{name: "duplicate user", method: "POST", path: "/api/v1/users", as: asAdmin, body: `{"email":"uusi@example.fi","name":"X","roles":["hr"],"password":"pitkä salasana 123"}`, want: 409},
		{name: "short password", method: "POST", path: "/api/v1/users", as: asAdmin, body: `{"email":"u2@example.fi","name":"X","roles":["hr"],"password":"lyhyt"}`, want: 422, fields: []string{"password"}},
		{name: "bad role", method: "POST", path: "/api/v1/users", as: asAdmin, body: `{"email":"u2@example.fi","name":"X","roles":["boss"],"password":"pitkä salasana 123"}`, want: 422, fields: []string{"roles[0]"}},
		{name: "no roles", method: "POST", path: "/api/v1/users", as: asAdmin, body: `{"email":"u2@example.fi","name":"X","roles":[],"password":"pitkä salasana 123"}`, want: 422, fields: []string{"roles"}},
		{name: "bad email", method: "POST", path: "/api/v1/users", as: asAdmin, body: `{"email":"u2","name":"X","roles":["hr"],"password":"pitkä salasana 123"}`, want: 422, fields: []string{"email"}},
		{name: "roles wrong type", method: "POST", path: "/api/v1/users", as: asAdmin, body: `{"email":"u2@example.fi","name":"X","roles":"hr","password":"pitkä salasana 123"}`, want: 400, fields: []string{"roles"}},
		{name: "patch user", method: "PATCH", path: fmt.Sprintf("/api/v1/users/%d", empID), as: asAdmin, body: `{"name":"Eero Uusi","language":"en"}`, want: 200,
			contains: []string{`"name":"Eero Uusi"`, `"language":"en"`, `"staff_id":"E1"`}},
		{name: "patch short password", method: "PATCH", path: fmt.Sprintf("/api/v1/users/%d", empID), as: asAdmin, body: `{"password":"x"}`, want: 422, fields: []string{"password"}},
		{name: "patch bad role", method: "PATCH", path: fmt.Sprintf("/api/v1/users/%d", empID), as: asAdmin, body: `{"roles":["root"]}`, want: 422, fields: []string{"roles[0]"}},
		{name: "patch unknown", method: "PATCH", path: "/api/v1/users/9999", as: asAdmin, body: `{"name":"X"}`, want: 404},
		{name: "list tokens", method: "GET", path: "/api/v1/tokens", as: asAdmin, want: 200, contains: []string{`"user_email":"sup@example.fi"`}, absent: []string{`"hash"`, `"token"`}},
		{name: "token for unknown user", method: "POST", path: "/api/v1/tokens", as: asAdmin, body: `{"user_email":"ghost@example.fi","name":"x","scopes":["read"]}`, want: 422, fields: []string{"user_email"}},
		{name: "token bad scope", method: "POST", path: "/api/v1/tokens", as: asAdmin, body: `{"user_email":"sup@example.fi","name":"x","scopes":["root"]}`, want: 422, fields: []string{"scopes[0]"}},
		{name: "token no scopes", method: "POST", path: "/api/v1/tokens", as: asAdmin, body: `{"user_email":"sup@example.fi","name":"x","scopes":[]}`, want: 422, fields: []string{"scopes"}},
		{name: "revoke unknown", method: "DELETE", path: "/api/v1/tokens/9999", as: asAdmin, want: 404},
	})

	// A created token works once and is shown once; revoked, it is 401.
	st, m, _ := f.call(t, "POST", "/api/v1/tokens", asAdmin, `{"user_email":"sup@example.fi","name":"puhelinjärjestelmä","scopes":["uses:write"]}`)
	if st != 201 {
		t.Fatalf("create token: %d %v", st, m)
	}
	secret, _ := m["token"].(string)
	if !strings.HasPrefix(secret, "vaaka_") || m["id"] == nil || m["name"] != "puhelinjärjestelmä" {
		t.Fatalf("token answer %v", m)
	}
	f.tokens["integration"] = secret
	f.run(t, []apiCase{
		{name: "token acts as its user", method: "GET", path: "/api/v1/me", as: "integration", want: 200, contains: []string{`"email":"sup@example.fi"`, `"scopes":["uses:write"]`}},
		{name: "limited to its scopes", method: "GET", path: "/api/v1/activities", as: "integration", want: 403},
		{name: "revoke", method: "DELETE", path: fmt.Sprintf("/api/v1/tokens/%d", int64(m["id"].(float64))), as: asAdmin, want: 204},
		{name: "revoked", method: "GET", path: "/api/v1/me", as: "integration", want: 401},
	})
}

func TestAPI_MeAndDashboard(t *testing.T) {
	f := newAPIFixture(t)
	f.createActivity(t)
	f.run(t, []apiCase{
		{name: "me", method: "GET", path: "/api/v1/me", as: asEmp, want: 200,
			contains: []string{`"email":"emp@example.fi"`, `"name":"Eero Työntekijä"`, `"roles":["employee"]`, `"staff_id":"E1"`, `"language":"fi"`}},
		{name: "dashboard", method: "GET", path: "/api/v1/dashboard", as: asHR, want: 200,
			contains: []string{`"not_ready":[{"activity":{"id":1`, `"rule":"R-COOP-10"`, `"flagged_uses_30d":0`, `"overdue":[]`}},
		{name: "no token", method: "GET", path: "/api/v1/me", want: 401},
		{name: "bad token", method: "GET", path: "/api/v1/me", header: []string{"Authorization", "Bearer vaaka_nope"}, want: 401},
		{name: "unknown api path", method: "GET", path: "/api/v1/nothing-here", as: asHR, want: 404},
	})
	resp := f.do(t, "GET", "/api/v1/me", "", "")
	readBody(t, resp)
	if !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
		t.Errorf("401 without WWW-Authenticate: %v", resp.Header)
	}
}

// TestAPI_BodyLimit: a body over the limit is a 413 problem. It is served
// over a real socket (App.Test reports fasthttp's own error instead of the
// answer); the request announces a 9 MiB body, which the server refuses
// before reading it.
func TestAPI_BodyLimit(t *testing.T) {
	f := newAPIFixture(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go f.App().Listener(ln)
	t.Cleanup(func() { f.App().Shutdown() })
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/v1/uses HTTP/1.1\r\nHost: vaaka\r\nContent-Type: application/json\r\n"+
		"Authorization: Bearer %s\r\nContent-Length: %d\r\n\r\n", f.tokens[asSup], 9<<20)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	raw := readBody(t, resp)
	if resp.StatusCode != 413 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") || !strings.Contains(raw, `"status":413`) {
		t.Fatalf("status %d %q: %.300s", resp.StatusCode, resp.Header.Get("Content-Type"), raw)
	}
	if n := f.count(t, "uses"); n != 0 {
		t.Fatalf("uses %d", n)
	}
}
