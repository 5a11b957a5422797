package app_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"vaaka/monitoring"
)

// authzRow is one API route with the status each role gets. The order of
// statuses is admin, hr, dpo, representative, supervisor, employee; a
// request without a token always gets 401.
type authzRow struct {
	method, route string // route as registered (":param")
	path, body    string // the concrete request
	header        []string
	want          [6]int
}

var authzRoles = [6]string{asAdmin, asHR, asDPO, asRep, asSup, asEmp}

// apiAuthzExtra adds the rows of a feature's routes to the matrix; a
// feature's test file appends to it in an init function, with the setup
// its rows need.
var apiAuthzExtra []func(t *testing.T, f *apiFixture) []authzRow

// TestAuthzAPI_Matrix drives every API route as every role through the
// real app and fails when a route registered under /api/v1 has no row.
func TestAuthzAPI_Matrix(t *testing.T) {
	f := newAPIFixture(t)
	active := f.activeActivity(t) // the one that gets suspended and retired
	draft := f.createActivity(t)
	_, m, _ := f.call(t, "POST", "/api/v1/uses", asSup, useBody("matrix-1"))
	useID := m["results"].([]any)[0].(map[string]any)["id"].(string)
	if st, m, _ := f.call(t, "POST", "/api/v1/recordings", asHR, `{"ref":"rec-m","call_started_at":"2026-11-01T08:00:00Z","direction":"inbound","activity_id":1}`); st != 201 {
		t.Fatalf("recording: %d %v", st, m)
	}
	_, tm, _ := f.call(t, "POST", "/api/v1/tokens", asAdmin, `{"user_email":"rep@example.fi","name":"to revoke","scopes":["read"]}`)
	tokenID := int64(tm["id"].(float64))
	empID := f.users[asEmp2].ID
	cx := f.apiCaseSetup(t) // co-operation cases (api_cases_test.go)
	cc := fmt.Sprintf("/api/v1/cases/%d", cx.id)
	cm := fmt.Sprintf("%s/meetings/%d", cc, cx.meeting)
	// Notices and access requests (api_notices_test.go).
	informed := f.concludedActivity(t)
	_, nm, _ := f.call(t, "POST", fmt.Sprintf("/api/v1/activities/%d/notices", informed), asHR, `{"introduction_on":"2026-11-27"}`)
	nn := fmt.Sprintf("/api/v1/notices/%d", int64(nm["id"].(float64)))
	_, rm, _ := f.call(t, "POST", "/api/v1/access-requests", asHR, `{"kind":"caller","requester":"Asiakas","description":"Puhelu"}`)
	rr := fmt.Sprintf("/api/v1/access-requests/%d", int64(rm["id"].(float64)))

	const (
		ok = 200
		cr = 201
		no = 403
	)
	csv := []string{"Content-Type", "text/csv"}
	rows := []authzRow{
		{method: "POST", route: "/api/v1/employees/import", path: "/api/v1/employees/import?dry_run=true", body: "staff_id;name;unit\nE1;Eero;Asiakaspalvelu\n", header: csv, want: [6]int{no, ok, no, no, no, no}},
		{method: "POST", route: "/api/v1/employees", path: "/api/v1/employees", body: `{"staff_id":"M1","name":"Matriisi","unit":"Asiakaspalvelu"}`, want: [6]int{no, cr, no, no, no, no}},
		{method: "GET", route: "/api/v1/employees", path: "/api/v1/employees", want: [6]int{no, ok, ok, no, no, no}},
		{method: "GET", route: "/api/v1/employees/:staff_id", path: "/api/v1/employees/E1", want: [6]int{no, ok, ok, no, no, no}},
		{method: "PATCH", route: "/api/v1/employees/:staff_id", path: "/api/v1/employees/M1", body: `{"name":"Matriisi Uusi"}`, want: [6]int{no, ok, no, no, no, no}},
		{method: "GET", route: "/api/v1/units", path: "/api/v1/units", want: [6]int{no, ok, ok, no, no, no}},
		{method: "POST", route: "/api/v1/units", path: "/api/v1/units", body: `{"name":"Matriisi"}`, want: [6]int{no, cr, no, no, no, no}},

		{method: "POST", route: "/api/v1/activities", path: "/api/v1/activities", body: `{"name":"Matriisi","method":"call_recording"}`, want: [6]int{no, cr, no, no, no, no}},
		{method: "GET", route: "/api/v1/activities", path: "/api/v1/activities", want: [6]int{no, ok, ok, ok, ok, no}},
		{method: "GET", route: "/api/v1/activities/:id", path: fmt.Sprintf("/api/v1/activities/%d", draft), want: [6]int{no, ok, ok, ok, ok, no}},
		{method: "PATCH", route: "/api/v1/activities/:id", path: fmt.Sprintf("/api/v1/activities/%d", draft), body: `{"system":"Uusi"}`, want: [6]int{no, ok, no, no, no, no}},
		{method: "POST", route: "/api/v1/activities/:id/activate", path: fmt.Sprintf("/api/v1/activities/%d/activate", draft), want: [6]int{no, 409, no, no, no, no}},
		{method: "POST", route: "/api/v1/activities/:id/suspend", path: fmt.Sprintf("/api/v1/activities/%d/suspend", active), want: [6]int{no, ok, no, no, no, no}},
		{method: "POST", route: "/api/v1/activities/:id/retire", path: fmt.Sprintf("/api/v1/activities/%d/retire", active), want: [6]int{no, ok, no, no, no, no}},
		{method: "GET", route: "/api/v1/activities/:id/history", path: fmt.Sprintf("/api/v1/activities/%d/history", draft), want: [6]int{no, ok, ok, ok, ok, no}},

		{method: "POST", route: "/api/v1/uses", path: "/api/v1/uses", body: useBody("matrix-2"), want: [6]int{no, cr, no, no, cr, no}},
		{method: "GET", route: "/api/v1/uses", path: "/api/v1/uses", want: [6]int{no, ok, ok, no, ok, ok}},
		{method: "GET", route: "/api/v1/uses/:id", path: "/api/v1/uses/" + useID, want: [6]int{no, ok, ok, no, ok, ok}},
		{method: "PUT", route: "/api/v1/uses/:id", path: "/api/v1/uses/" + useID, body: `{}`, want: [6]int{405, 405, 405, 405, 405, 405}},
		{method: "PATCH", route: "/api/v1/uses/:id", path: "/api/v1/uses/" + useID, body: `{}`, want: [6]int{405, 405, 405, 405, 405, 405}},
		{method: "DELETE", route: "/api/v1/uses/:id", path: "/api/v1/uses/" + useID, want: [6]int{405, 405, 405, 405, 405, 405}},

		{method: "POST", route: "/api/v1/recordings", path: "/api/v1/recordings", body: `{"ref":"rec-n","call_started_at":"2026-11-01T08:00:00Z","direction":"outbound","activity_id":1}`, want: [6]int{no, cr, no, no, cr, no}},
		{method: "GET", route: "/api/v1/recordings", path: "/api/v1/recordings", want: [6]int{no, ok, ok, no, no, no}},
		{method: "POST", route: "/api/v1/recordings/:ref/deleted", path: "/api/v1/recordings/rec-m/deleted", want: [6]int{no, ok, no, no, no, no}},

		{method: "GET", route: "/api/v1/audit/verify", path: "/api/v1/audit/verify", want: [6]int{no, no, ok, no, no, no}},
		{method: "GET", route: "/api/v1/audit", path: "/api/v1/audit", want: [6]int{no, no, ok, no, no, no}},

		{method: "GET", route: "/api/v1/settings", path: "/api/v1/settings", want: [6]int{ok, ok, ok, ok, ok, ok}},
		{method: "PUT", route: "/api/v1/settings", path: "/api/v1/settings", body: `{"name":"Matriisi Oy","business_id":"1234567-1"}`, want: [6]int{ok, ok, no, no, no, no}},

		{method: "GET", route: "/api/v1/users", path: "/api/v1/users", want: [6]int{ok, no, no, no, no, no}},
		{method: "POST", route: "/api/v1/users", path: "/api/v1/users", body: `{"email":"matrix@example.fi","name":"M","roles":["hr"],"password":"matriisi salasana"}`, want: [6]int{cr, no, no, no, no, no}},
		{method: "PATCH", route: "/api/v1/users/:id", path: fmt.Sprintf("/api/v1/users/%d", empID), body: `{"language":"sv"}`, want: [6]int{ok, no, no, no, no, no}},
		{method: "GET", route: "/api/v1/tokens", path: "/api/v1/tokens", want: [6]int{ok, no, no, no, no, no}},
		{method: "POST", route: "/api/v1/tokens", path: "/api/v1/tokens", body: `{"user_email":"sup@example.fi","name":"m","scopes":["read"]}`, want: [6]int{cr, no, no, no, no, no}},
		{method: "DELETE", route: "/api/v1/tokens/:id", path: fmt.Sprintf("/api/v1/tokens/%d", tokenID), want: [6]int{204, no, no, no, no, no}},

		{method: "GET", route: "/api/v1/cases/procedure-proposal", path: "/api/v1/cases/procedure-proposal", want: [6]int{no, ok, no, no, no, no}},
		{method: "POST", route: "/api/v1/cases", path: "/api/v1/cases", body: fmt.Sprintf(`{"title":"Matriisi","procedure":"dialogue","activity_ids":[%d]}`, cx.activity), want: [6]int{no, cr, no, no, no, no}},
		{method: "GET", route: "/api/v1/cases", path: "/api/v1/cases", want: [6]int{no, ok, ok, ok, no, no}},
		{method: "GET", route: "/api/v1/cases/:id", path: cc, want: [6]int{no, ok, ok, ok, no, no}},
		{method: "PUT", route: "/api/v1/cases/:id/staff-side", path: cc + "/staff-side", body: `{"groups":[{"name":"Toimihenkilöt","representatives":[{"email":"rep@example.fi","name":"Lauri Luottamusmies","type":"shop_steward"}]}]}`, want: [6]int{no, ok, no, no, no, no}},
		{method: "POST", route: "/api/v1/cases/:id/proposal", path: cc + "/proposal", body: caseProposalBody(caseDelivered, caseFirstMeeting, ""), want: [6]int{no, cr, no, no, no, no}},
		{method: "POST", route: "/api/v1/cases/:id/meetings", path: cc + "/meetings", body: caseMeetingBody("2026-11-20T10:00:00Z", false, asHR, asRep), want: [6]int{no, cr, no, no, no, no}},
		{method: "PUT", route: "/api/v1/cases/:id/meetings/:meeting_id/minutes", path: cm + "/minutes", body: caseMinutesBody, want: [6]int{no, ok, no, no, no, no}},
		{method: "POST", route: "/api/v1/cases/:id/meetings/:meeting_id/minutes/approvals", path: cm + "/minutes/approvals", body: `{"approve":true}`, want: [6]int{no, cr, no, cr, no, no}},
		{method: "POST", route: "/api/v1/cases/:id/conclude", path: fmt.Sprintf("/api/v1/cases/%d/conclude", cx.concludable), body: `{"conclusion":"x","concluded_at":"2026-11-27T09:00:00Z"}`, want: [6]int{no, 409, no, no, no, no}},
		{method: "POST", route: "/api/v1/cases/:id/comments", path: cc + "/comments", body: fmt.Sprintf(`{"text":"Vastaus","parent_id":%d}`, cx.comment), want: [6]int{no, cr, no, cr, no, no}},
		{method: "POST", route: "/api/v1/cases/:id/initiatives", path: cc + "/initiatives", body: `{"kind":"initiative","text":"Matriisi"}`, want: [6]int{no, no, no, cr, no, no}},
		{method: "POST", route: "/api/v1/cases/:id/initiatives/:initiative_id/response", path: fmt.Sprintf("%s/initiatives/%d/response", cc, cx.initiative), body: `{"accepted":true,"response":"Hyväksytään"}`, want: [6]int{no, ok, no, no, no, no}},
		{method: "PUT", route: "/api/v1/cases/:id/hearing", path: fmt.Sprintf("/api/v1/cases/%d/hearing", cx.hearing), body: `{"invited":"Kaikki","method":"sähköposti","invited_at":"2026-11-01T08:00:00Z","respond_by":"2026-11-15T16:00:00Z"}`, want: [6]int{no, ok, no, no, no, no}},
		{method: "POST", route: "/api/v1/cases/:id/hearing/views", path: fmt.Sprintf("/api/v1/cases/%d/hearing/views", cx.hearing), body: `{"by":"Eero","text":"Hyvä"}`, want: [6]int{no, cr, no, no, no, no}},
		{method: "POST", route: "/api/v1/cases/:id/confidentiality", path: cc + "/confidentiality", body: `{"document":"information","confidential":true,"told_to":"Edustajat"}`, want: [6]int{no, ok, no, no, no, no}},
		{method: "POST", route: "/api/v1/cases/:id/withdraw", path: fmt.Sprintf("/api/v1/cases/%d/withdraw", cx.withdrawable), body: `{"reason":"Matriisi"}`, want: [6]int{no, ok, no, no, no, no}},

		{method: "POST", route: "/api/v1/activities/:id/notices", path: fmt.Sprintf("/api/v1/activities/%d/notices", informed), body: `{"introduction_on":"2026-11-27"}`, want: [6]int{no, cr, no, no, no, no}},
		{method: "GET", route: "/api/v1/activities/:id/notices", path: fmt.Sprintf("/api/v1/activities/%d/notices", informed), want: [6]int{no, ok, ok, ok, no, no}},
		{method: "GET", route: "/api/v1/activities/:id/caller-information", path: fmt.Sprintf("/api/v1/activities/%d/caller-information", informed), want: [6]int{no, ok, ok, ok, ok, no}},
		{method: "GET", route: "/api/v1/notices/:id", path: nn, want: [6]int{no, ok, ok, ok, no, ok}},
		{method: "GET", route: "/api/v1/notices/:id/acknowledgements", path: nn + "/acknowledgements", want: [6]int{no, ok, ok, no, no, no}},
		{method: "POST", route: "/api/v1/notices/:id/remind", path: nn + "/remind", want: [6]int{no, ok, no, no, no, no}},
		{method: "POST", route: "/api/v1/notices/:id/acknowledge", path: nn + "/acknowledge", want: [6]int{no, no, no, no, no, ok}},
		{method: "GET", route: "/api/v1/me/notices", path: "/api/v1/me/notices", want: [6]int{ok, ok, ok, ok, ok, ok}},
		{method: "GET", route: "/api/v1/me/notices/:id", path: strings.Replace(nn, "/notices/", "/me/notices/", 1), want: [6]int{404, 404, 404, 404, 404, ok}},
		{method: "POST", route: "/api/v1/access-requests", path: "/api/v1/access-requests", body: `{"kind":"employee","staff_id":"E1","description":"Tallenteeni"}`, want: [6]int{no, cr, cr, no, no, no}},
		{method: "GET", route: "/api/v1/access-requests", path: "/api/v1/access-requests", want: [6]int{no, ok, ok, no, no, no}},
		{method: "GET", route: "/api/v1/access-requests/:id", path: rr, want: [6]int{no, ok, ok, no, no, no}},
		{method: "POST", route: "/api/v1/access-requests/:id/extend", path: rr + "/extend", body: `{"reason":"Laaja pyyntö"}`, want: [6]int{no, ok, 409, no, no, no}},
		{method: "POST", route: "/api/v1/access-requests/:id/deliver", path: rr + "/deliver", body: `{"what":"Täydellinen kopio"}`, want: [6]int{no, ok, 409, no, no, no}},
		{method: "GET", route: "/api/v1/register", path: "/api/v1/register", want: [6]int{no, ok, ok, ok, ok, no}},

		{method: "GET", route: "/api/v1/dashboard", path: "/api/v1/dashboard", want: [6]int{no, ok, ok, no, no, no}},
		{method: "GET", route: "/api/v1/outbox", path: "/api/v1/outbox?unsent=true", want: [6]int{no, ok, no, no, no, no}},
		{method: "GET", route: "/api/v1/me", path: "/api/v1/me", want: [6]int{ok, ok, ok, ok, ok, ok}},
		{method: "GET", route: "/api/v1/me/uses", path: "/api/v1/me/uses", want: [6]int{ok, ok, ok, ok, ok, ok}},
	}

	for _, extra := range apiAuthzExtra {
		rows = append(rows, extra(t, f)...)
	}
	covered := map[string]bool{}
	for _, row := range rows {
		covered[row.method+" "+row.route] = true
		t.Run(row.method+" "+row.route, func(t *testing.T) {
			resp := f.do(t, row.method, row.path, "", row.body, row.header...)
			if raw := readBody(t, resp); resp.StatusCode != 401 {
				t.Errorf("no token: %d, want 401: %.200s", resp.StatusCode, raw)
			}
			for i, as := range authzRoles {
				resp := f.do(t, row.method, row.path, as, row.body, row.header...)
				raw := readBody(t, resp)
				if resp.StatusCode != row.want[i] {
					t.Errorf("%s: %d, want %d: %.300s", as, resp.StatusCode, row.want[i], raw)
				}
			}
		})
	}

	var missing []string
	registered := 0
	for _, r := range f.App().GetRoutes(true) {
		if !strings.HasPrefix(r.Path, "/api/v1/") || r.Method == "HEAD" {
			continue
		}
		registered++
		if key := r.Method + " " + r.Path; !covered[key] {
			missing = append(missing, key)
		}
	}
	sort.Strings(missing)
	if registered < len(rows) {
		t.Errorf("%d API routes registered, %d rows", registered, len(rows))
	}
	if len(missing) > 0 {
		t.Errorf("API routes without a row in the authorization matrix:\n%s", strings.Join(missing, "\n"))
	}
}

// TestAuthzAPI_RowLevel checks the rules a role alone does not decide.
func TestAuthzAPI_RowLevel(t *testing.T) {
	f := newAPIFixture(t)
	f.activeActivity(t)
	ids := map[string]string{}
	for _, c := range []struct{ as, ext, staff string }{{asSup, "a", "E1"}, {asSup, "b", "E2"}, {asSup2, "c", "E2"}} {
		_, m, _ := f.call(t, "POST", "/api/v1/uses", c.as, useBody(c.ext, "employee_staff_ids", `["`+c.staff+`"]`))
		ids[c.ext] = m["results"].([]any)[0].(map[string]any)["id"].(string)
	}
	f.addUser(t, "integration@example.fi", "Puhelinjärjestelmä", "supervisor,hr", "", monitoring.ScopeUsesWrite)
	f.addUser(t, "reader@example.fi", "Lukija", "hr", "", monitoring.ScopeRead)
	f.addUser(t, "register@example.fi", "Rekisteri", "hr,dpo", "", monitoring.ScopeRegisterRead)
	f.addUser(t, "both@example.fi", "Esihenkilö ja työntekijä", "supervisor,employee", "E2")
	f.addUser(t, "nostaff@example.fi", "Ei henkilönumeroa", "employee", "")

	f.run(t, []apiCase{
		// An employee sees only the uses of their own calls.
		{name: "employee asks for another's log", method: "GET", path: "/api/v1/uses?employee=E2", as: asEmp, want: 403},
		{name: "employee asks by used_by", method: "GET", path: "/api/v1/uses?used_by=sup@example.fi", as: asEmp, want: 403},
		{name: "employee reads another's use", method: "GET", path: "/api/v1/uses/" + ids["b"], as: asEmp, want: 404},
		{name: "employee list is forced to own", method: "GET", path: "/api/v1/uses", as: asEmp, want: 200, contains: []string{`"external_id":"a"`}, absent: []string{`"external_id":"b"`, `"external_id":"c"`}},
		{name: "employee without staff id has none", method: "GET", path: "/api/v1/uses", as: "nostaff@example.fi", want: 200, contains: []string{`"items":[]`}},
		{name: "employee without staff id asks for one", method: "GET", path: "/api/v1/uses?employee=E1", as: "nostaff@example.fi", want: 403},
		// A supervisor sees only the uses they made.
		{name: "supervisor asks for another supervisor's uses", method: "GET", path: "/api/v1/uses?used_by=sup2@example.fi", as: asSup, want: 403},
		{name: "supervisor reads another supervisor's use", method: "GET", path: "/api/v1/uses/" + ids["c"], as: asSup, want: 404},
		{name: "supervisor list is forced to own", method: "GET", path: "/api/v1/uses?employee=E2", as: asSup, want: 200, contains: []string{`"external_id":"b"`}, absent: []string{`"external_id":"c"`}},
		{name: "supervisor and employee: own calls", method: "GET", path: "/api/v1/uses?employee=E2", as: "both@example.fi", want: 200, contains: []string{`"external_id":"b"`, `"external_id":"c"`}},
		{name: "supervisor and employee: others' calls are their own uses only", method: "GET", path: "/api/v1/uses?employee=E1", as: "both@example.fi", want: 200, contains: []string{`"items":[]`}},
		// Admins manage accounts, not people's data.
		{name: "admin uses", method: "GET", path: "/api/v1/uses", as: asAdmin, want: 403},
		{name: "admin one use", method: "GET", path: "/api/v1/uses/" + ids["a"], as: asAdmin, want: 403},
		{name: "admin employees", method: "GET", path: "/api/v1/employees", as: asAdmin, want: 403},
		{name: "admin register", method: "GET", path: "/api/v1/activities", as: asAdmin, want: 403},
		{name: "admin recordings", method: "GET", path: "/api/v1/recordings", as: asAdmin, want: 403},
		{name: "admin audit", method: "GET", path: "/api/v1/audit/verify", as: asAdmin, want: 403},
		// Representatives read the register, never an individual's log.
		{name: "representative uses", method: "GET", path: "/api/v1/uses?employee=E1", as: asRep, want: 403},
		// Supervisors record uses but do not write the register.
		{name: "supervisor creates an activity", method: "POST", path: "/api/v1/activities", as: asSup, body: `{"name":"X","method":"call_recording"}`, want: 403},
		{name: "supervisor activates", method: "POST", path: "/api/v1/activities/1/activate", as: asSup, want: 403},
		{name: "supervisor confirms deletion", method: "POST", path: "/api/v1/recordings/rec-a/deleted", as: asSup, want: 403},
		// Tokens are limited to their scopes.
		{name: "uses:write token reads the register", method: "GET", path: "/api/v1/activities", as: "integration@example.fi", want: 403},
		{name: "uses:write token lists uses", method: "GET", path: "/api/v1/uses", as: "integration@example.fi", want: 403},
		{name: "uses:write token records", method: "POST", path: "/api/v1/uses", as: "integration@example.fi", body: useBody("scoped"), want: 201},
		{name: "uses:write token registers recordings", method: "POST", path: "/api/v1/recordings", as: "integration@example.fi", body: `{"ref":"x","call_started_at":"2026-11-01T08:00:00Z","direction":"inbound","activity_id":1}`, want: 403},
		{name: "read token records", method: "POST", path: "/api/v1/uses", as: "reader@example.fi", body: useBody("scoped2"), want: 403},
		{name: "read token writes the register", method: "POST", path: "/api/v1/activities", as: "reader@example.fi", body: `{"name":"X","method":"call_recording"}`, want: 403},
		{name: "read token reads", method: "GET", path: "/api/v1/employees", as: "reader@example.fi", want: 200},
		{name: "register:read token reads the register", method: "GET", path: "/api/v1/activities/1", as: "register@example.fi", want: 200},
		{name: "register:read token reads employees", method: "GET", path: "/api/v1/employees", as: "register@example.fi", want: 403},
		{name: "register:read token reads the audit", method: "GET", path: "/api/v1/audit", as: "register@example.fi", want: 403},
	})
}
