package app_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestE2E_DraftToActive drives an activity from its draft to active over the
// API only, in the order LAW.md R-SEQ-1 sets: the register entry complete →
// the dialogue held (R-COOP-2, R-COOP-4) → purpose and methods defined
// (R-COOP-10) → employees informed (R-NOT-1, R-NOT-2) → the introduction
// date reached. Then uses are recorded and flagged: none for an employee
// who received the notice, employee_not_notified (and employee_not_covered)
// for one outside it. The clock is testNow (Friday 27.11.2026 10:00 UTC).
func TestE2E_DraftToActive(t *testing.T) {
	ts := newTestServer(t)
	// The first administrator exists before the API does (`vaaka user add`).
	ts.addUser(t, asAdmin, "Aino Admin", "admin", "")
	must := func(method, path, as, body string, want int) map[string]any {
		t.Helper()
		st, m, _ := ts.call(t, method, path, as, body)
		if st != want {
			t.Fatalf("%s %s as %s: %d, want %d: %v", method, path, as, st, want, m)
		}
		return m
	}
	id := func(m map[string]any) int64 {
		t.Helper()
		v, ok := m["id"].(float64)
		if !ok {
			t.Fatalf("no id in %v", m)
		}
		return int64(v)
	}

	// Accounts and their tokens, by the administrator.
	const asEmp3, asEmp4 = "emp3@example.fi", "emp4@example.fi"
	for _, u := range []struct{ email, name, roles, staff, scopes string }{
		{asHR, "Heikki Henkilöstö", `"hr"`, "", `"write"`},
		{asDPO, "Tiina Tietosuoja", `"dpo"`, "", `"read"`},
		{asRep, "Lauri Luottamusmies", `"representative"`, "", `"write"`},
		{asSup, "Sari Esihenkilö", `"supervisor"`, "", `"uses:write","read"`},
		{asEmp, "Eero Työntekijä", `"employee"`, "E1", `"write"`},
		{asEmp2, "Elina Työntekijä", `"employee"`, "E2", `"write"`},
		{asEmp3, "Mikko Myyjä", `"employee"`, "E3", `"write"`},
		{asEmp4, "Irma Palaaja", `"employee"`, "E4", `"write"`},
	} {
		must("POST", "/api/v1/users", asAdmin, fmt.Sprintf(`{"email":%q,"name":%q,"roles":[%s],"staff_id":%q,"password":%q}`,
			u.email, u.name, u.roles, u.staff, testPassword), 201)
		tok := must("POST", "/api/v1/tokens", asAdmin, fmt.Sprintf(`{"user_email":%q,"name":"e2e","scopes":[%s]}`, u.email, u.scopes), 201)
		ts.tokens[u.email] = tok["token"].(string)
	}

	// The organisation, with a valid business ID (Y-tunnus check digit).
	st, m, _ := ts.call(t, "PUT", "/api/v1/settings", asAdmin, `{"name":"Testi Oy","business_id":"1234567-2"}`)
	if st != 422 || !hasString(problemFields(m), "business_id") {
		t.Fatalf("a bad check digit: %d %v", st, m)
	}
	must("PUT", "/api/v1/settings", asAdmin, `{"name":"Testi Oy","business_id":"1234567-1","address":"Testikatu 1, 00100 Helsinki",
		"dpo_contact":"tietosuoja@example.fi","privacy_notice_url":"https://example.fi/tietosuoja","sector":"private","headcount":60}`, 200)

	// Employees in two units; E4 is inactive when the notice is issued.
	for _, e := range []string{
		`{"staff_id":"E1","name":"Eero Työntekijä","email":"emp@example.fi","unit":"Asiakaspalvelu","language":"fi"}`,
		`{"staff_id":"E2","name":"Elina Työntekijä","email":"emp2@example.fi","unit":"Asiakaspalvelu","language":"sv"}`,
		`{"staff_id":"E3","name":"Mikko Myyjä","email":"emp3@example.fi","unit":"Myynti","language":"fi"}`,
		`{"staff_id":"E4","name":"Irma Palaaja","email":"emp4@example.fi","unit":"Asiakaspalvelu","language":"fi","active":false}`,
	} {
		must("POST", "/api/v1/employees", asHR, e, 201)
	}

	// The register entry, complete: only the sequence is missing.
	act := id(must("POST", "/api/v1/activities", asHR, completeActivity, 201))
	ap := fmt.Sprintf("/api/v1/activities/%d", act)
	rules := problemRules(must("POST", ap+"/activate", asHR, "", 409))
	for _, r := range []string{"R-COOP-10", "R-NOT-1", "R-SEQ-1"} {
		if !hasString(rules, r) {
			t.Fatalf("activation refused without %s: %v", r, rules)
		}
	}
	must("POST", ap+"/notices", asHR, `{"introduction_on":"2026-11-27"}`, 409) // R-SEQ-1: no notice before the procedure

	// The continuous dialogue: the information 10 days before the meeting
	// (R-COOP-2), minutes asked for, written and approved by both sides
	// (R-COOP-4), then the employer's conclusion (R-COOP-10).
	cs := id(must("POST", "/api/v1/cases", asHR, fmt.Sprintf(`{"title":"Puhelujen tallennus","procedure":"dialogue","activity_ids":[%d],
		"representatives":[%q],"units":["Asiakaspalvelu"]}`, act, asRep), 201))
	cp := fmt.Sprintf("/api/v1/cases/%d", cs)
	must("POST", cp+"/proposal", asHR, caseProposalBody("2026-11-16T09:00:00Z", "2026-11-26T10:00:00Z", ""), 201)
	must("GET", cp, asRep, "", 200) // the representative reads it
	meeting := id(must("POST", cp+"/meetings", asHR, caseMeetingBody("2026-11-26T10:00:00Z", true, asHR, asRep), 201))
	mp := fmt.Sprintf("%s/meetings/%d/minutes", cp, meeting)
	must("PUT", mp, asHR, caseMinutesBody, 200)
	must("POST", mp+"/approvals", asHR, `{"approve":true}`, 201)
	if signed := must("POST", mp+"/approvals", asRep, `{"approve":true}`, 201); signed["signed"] != true {
		t.Fatalf("minutes not signed after both sides approved: %v", signed)
	}
	must("POST", cp+"/conclude", asHR, `{"conclusion":"Tarkoitus: palvelun laadun valmennus. Menetelmä: tallennus ja kuuntelu, säilytys 90 päivää.",
		"concluded_at":"2026-11-27T09:00:00Z"}`, 200)
	rules = problemRules(must("POST", ap+"/activate", asHR, "", 409))
	if hasString(rules, "R-COOP-10") || !hasString(rules, "R-NOT-1") {
		t.Fatalf("after the conclusion the notice is what is missing: %v", rules)
	}

	// The notice, introduced today, to the active employees of the unit.
	notice := must("POST", ap+"/notices", asHR, `{"introduction_on":"2026-11-27"}`, 201)
	if notice["recipients"] != float64(2) {
		t.Fatalf("recipients %v, want E1 and E2", notice["recipients"])
	}
	np := fmt.Sprintf("/api/v1/notices/%d", id(notice))
	content := must("GET", np, asEmp2, "", 200)["content"].(map[string]any)
	if content["controller"].(map[string]any)["business_id"] != "1234567-1" || content["dpo_contact"] != "tietosuoja@example.fi" {
		t.Fatalf("notice content: %v", content)
	}
	must("POST", np+"/acknowledge", asEmp3, "", 404) // not issued to E3
	must("POST", np+"/acknowledge", asEmp, "", 200)
	acks := must("GET", np+"/acknowledgements?unacknowledged=true", asHR, "", 200)
	if is := items(acks); len(is) != 1 || is[0].(map[string]any)["staff_id"] != "E2" {
		t.Fatalf("unacknowledged: %v", acks)
	}
	if r := must("POST", np+"/remind", asHR, "", 200); r["reminded"] != float64(1) {
		t.Fatalf("remind: %v", r)
	}
	must("POST", np+"/acknowledge", asEmp2, "", 200)
	if r := must("POST", np+"/remind", asHR, "", 200); r["reminded"] != float64(0) {
		t.Fatalf("remind after everyone acknowledged: %v", r)
	}

	// Every condition holds: active.
	if a := must("POST", ap+"/activate", asHR, "", 200); a["status"] != "active" {
		t.Fatalf("activate: %v", a)
	}

	// Uses: none flagged for a notified employee; E3 is outside the affected
	// units and the notice, E4 was inactive when it was issued (and still is).
	use := func(ext, staff string) []string {
		t.Helper()
		body := fmt.Sprintf(`{"external_id":%q,"activity_id":%d,"recording_ref":"rec-%s","call_started_at":"2026-11-27T09:30:00Z",
			"direction":"inbound","employee_staff_ids":[%q],"action":"listened","purpose":"quality","occurred_at":"2026-11-27T10:01:00Z"}`,
			ext, act, ext, staff)
		r := must("POST", "/api/v1/uses", asSup, body, 201)["results"].([]any)[0].(map[string]any)
		var flags []string
		for _, f := range r["flags"].([]any) {
			flags = append(flags, f.(string))
		}
		return flags
	}
	if fl := use("e2e-1", "E1"); len(fl) != 0 {
		t.Errorf("a use concerning a notified employee is flagged %v", fl)
	}
	if fl := use("e2e-3", "E3"); !hasString(fl, "employee_not_notified") || !hasString(fl, "employee_not_covered") || len(fl) != 2 {
		t.Errorf("E3 (another unit): flags %v, want employee_not_covered and employee_not_notified", fl)
	}
	if fl := use("e2e-4", "E4"); len(fl) != 1 || fl[0] != "employee_not_notified" {
		t.Errorf("E4 (inactive at issue): flags %v, want employee_not_notified", fl)
	}
	// Back at work, E4 receives the current notice.
	must("PATCH", "/api/v1/employees/E4", asHR, `{"active":true}`, 200)
	if is := items(must("GET", "/api/v1/me/notices", asEmp4, "", 200)); len(is) != 1 {
		t.Errorf("E4's notices after returning: %v", is)
	}

	// Each employee reads only their own data.
	own := must("GET", "/api/v1/me/uses", asEmp, "", 200)
	if is := items(own); len(is) != 1 || is[0].(map[string]any)["external_id"] != "e2e-1" ||
		is[0].(map[string]any)["used_by_name"] != "Sari Esihenkilö" || is[0].(map[string]any)["used_by_task"] != "Laatuvalmentaja" {
		t.Errorf("E1's own uses: %v", own)
	}
	must("GET", "/api/v1/uses?employee=E3", asEmp, "", 403)
	if is := items(must("GET", "/api/v1/me/uses", asEmp3, "", 200)); len(is) != 1 || is[0].(map[string]any)["external_id"] != "e2e-3" {
		t.Errorf("E3's own uses: %v", is)
	}
	mine := must("GET", "/api/v1/me/notices", asEmp, "", 200)
	if is := items(mine); len(is) != 1 || is[0].(map[string]any)["acknowledged_at"] == nil {
		t.Errorf("E1's notices: %v", mine)
	}
	must("GET", "/api/v1/me/notices/"+strings.TrimPrefix(np, "/api/v1/notices/"), asEmp3, "", 404)
	must("GET", np, asEmp3, "", 404)

	// The register extract shows the activity active from its introduction.
	reg := must("GET", "/api/v1/register", asDPO, "", 200)
	if e := reg["activities"].([]any)[0].(map[string]any); e["status"] != "active" || e["introduction_on"] != "2026-11-27" {
		t.Errorf("register extract: %v", e)
	}
}
