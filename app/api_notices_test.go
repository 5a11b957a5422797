package app_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"vaaka/monitoring"
)

// Notices, acknowledgements, the employee's own data, access requests, the
// register extract and the callers' information through the real app and a
// real database (SPEC "Notice to employees", "Requests"; LAW.md R-NOT-*,
// R-DSR-1, R-ROPA-1, R-INF-1). The clock is testNow (2026-11-27 10:00 UTC).

const (
	asOther   = "other@example.fi"   // employee E3 in another unit: no notice
	asNoStaff = "nostaff@example.fi" // employee role, no staff id
)

// noticeUsers adds an employee of another unit and one without a staff id.
func (f *apiFixture) noticeUsers(t *testing.T) {
	t.Helper()
	f.users[asOther] = f.addUser(t, asOther, "Olli Muualla", "employee", "E3")
	f.users[asNoStaff] = f.addUser(t, asNoStaff, "Ei Henkilönumeroa", "employee", "")
	f.apiCaseMust(t, "POST", "/api/v1/employees", asHR,
		`{"staff_id":"E3","name":"Olli Muualla","email":"other@example.fi","unit":"Myynti","language":"fi"}`, 201)
}

// concludedActivity registers the complete entry and carries a dialogue case
// about it to its conclusion: information 10 days before the meeting
// (R-COOP-2), minutes approved by both sides (R-COOP-4), the employer's
// definition of purpose and methods (R-COOP-10). It returns the activity id.
func (f *apiFixture) concludedActivity(t *testing.T) int64 {
	t.Helper()
	f.apiCaseMust(t, "PUT", "/api/v1/settings", asHR, `{"name":"Testi Oy","business_id":"1234567-1","sector":"private","headcount":60,
		"address":"Testikatu 1, 00100 Helsinki","dpo_contact":"tietosuoja@example.fi","privacy_notice_url":"https://example.fi/yksityisyys"}`, 200)
	act := f.createActivity(t)
	cs := f.apiCaseOpen(t, act, "dialogue", "")
	path := fmt.Sprintf("/api/v1/cases/%d", cs)
	f.apiCaseMust(t, "POST", path+"/proposal", asHR, caseProposalBody(caseDelivered, caseFirstMeeting, ""), 201)
	m := apiCaseID(t, f.apiCaseMust(t, "POST", path+"/meetings", asHR, caseMeetingBody(caseFirstMeeting, true, asHR, asRep), 201), "id")
	mp := fmt.Sprintf("%s/meetings/%d/minutes", path, m)
	f.apiCaseMust(t, "PUT", mp, asHR, caseMinutesBody, 200)
	f.apiCaseMust(t, "POST", mp+"/approvals", asHR, `{"approve":true}`, 201)
	f.apiCaseMust(t, "POST", mp+"/approvals", asRep, `{"approve":true}`, 201)
	f.apiCaseMust(t, "POST", path+"/conclude", asHR,
		`{"conclusion":"Tarkoitus: palvelun laadun valmennus. Menetelmä: tallennus ja kuuntelu, säilytys 90 päivää.","concluded_at":"2026-11-27T09:00:00Z"}`, 200)
	return act
}

// TestAPI_Notices_R_NOT_1 issues a notice after the co-operation case
// (R-SEQ-1, R-COOP-10), reads it with its Art 13 content (R-NOT-2) and
// follows who has read and acknowledged it.
func TestAPI_Notices_R_NOT_1(t *testing.T) {
	f := newAPIFixture(t)
	f.noticeUsers(t)
	// Before any conclusion the notice is refused.
	draft := f.createActivity(t)
	f.run(t, []apiCase{
		{name: "R-SEQ-1 refused before the conclusion", method: "POST", path: fmt.Sprintf("/api/v1/activities/%d/notices", draft), as: asHR,
			body: `{"introduction_on":"2026-11-27"}`, want: 409, contains: []string{`"rule":"R-COOP-10"`, `"rule":"R-SEQ-1"`}},
	})
	act := f.concludedActivity(t)
	ap := fmt.Sprintf("/api/v1/activities/%d/notices", act)
	f.run(t, []apiCase{
		{name: "introduction date required", method: "POST", path: ap, as: asHR, body: `{"purpose":"x"}`, want: 422, fields: []string{"introduction_on"}},
		{name: "bad date", method: "POST", path: ap, as: asHR, body: `{"introduction_on":"27.11.2026"}`, want: 422, fields: []string{"introduction_on"}},
		{name: "unknown field", method: "POST", path: ap, as: asHR, body: `{"introduction_on":"2026-11-27","recipients":["E1"]}`, want: 400, fields: []string{"recipients"}},
		{name: "wrong type", method: "POST", path: ap, as: asHR, body: `{"introduction_on":20261127}`, want: 400, fields: []string{"introduction_on"}},
		{name: "not JSON", method: "POST", path: ap, as: asHR, body: `{"introduction_on":`, want: 400},
		{name: "unknown activity", method: "POST", path: "/api/v1/activities/999/notices", as: asHR, body: `{"introduction_on":"2026-11-27"}`, want: 404},
		{name: "issue", method: "POST", path: ap, as: asHR, body: `{"introduction_on":"2026-11-27","handled":"Tallennuksen tarkoitus, menetelmät ja säilytysaika."}`, want: 201,
			contains: []string{`"id":1`, `"recipients":2`, `"version":1`, `"introduction_on":"2026-11-27"`, `"purpose":"Tarkoitus: palvelun laadun valmennus.`,
				`"handled":"Tallennuksen tarkoitus, menetelmät ja säilytysaika."`, `"issued_by":"hr@example.fi"`, `"superseded":false`}},
		{name: "the activity's introduction date follows", method: "GET", path: fmt.Sprintf("/api/v1/activities/%d", act), as: asHR, want: 200,
			contains: []string{`"introduction_on":"2026-11-27"`, `"rule":"R-NOT-1","met":true`}},
		{name: "list", method: "GET", path: ap, as: asDPO, want: 200, contains: []string{`"items":[{"id":1,"activity_id":`, `"recipients":2`}},
		{name: "list of an unknown activity", method: "GET", path: "/api/v1/activities/999/notices", as: asHR, want: 404},
		{name: "R-NOT-2 the content", method: "GET", path: "/api/v1/notices/1", as: asHR, want: 200,
			contains: []string{`"content":{`, `"controller":{"name":"Testi Oy","business_id":"1234567-1","address":"Testikatu 1, 00100 Helsinki"}`,
				`"dpo_contact":"tietosuoja@example.fi"`, `"privacy_notice_url":"https://example.fi/tietosuoja"`,
				`"purposes":[{"code":"quality","description":"Palvelun laadun valmennus"}]`, `"lawful_basis":"legitimate_interests"`,
				`"legitimate_interests":"Työnantajan oikeutettu etu`, `"recipients":"Ei luovutuksia"`, `"transfers":"Ei siirtoja EU:n ulkopuolelle"`,
				`"retention_days":90`, `"retention":"Tallenteita säilytetään 90 päivää`, `"right":"access"`, `"right":"objection"`,
				`"authority":"Tietosuojavaltuutettu"`, `"url":"https://tietosuoja.fi"`, `"obligation":"Sinulla ei ole`, `"automated_decision_making":"`,
				`"decision":{"text":"Tarkoitus: palvelun laadun valmennus.`, `"act_url":"https://www.finlex.fi/`, `"authorized_tasks":["Laatuvalmentaja"]`},
			absent: []string{`"right":"portability"`, `"right":"withdraw_consent"`, `"message":"apinotice.`, `"text":"apinotice.`}},
		{name: "in English", method: "GET", path: "/api/v1/notices/1?lang=en", as: asDPO, want: 200,
			contains: []string{`"authority":"Data Protection Ombudsman"`, `"lawful_basis_label":"Legitimate interests (6(1)(f))"`}},
		{name: "a representative reads it", method: "GET", path: "/api/v1/notices/1", as: asRep, want: 200},
		{name: "a supervisor may not", method: "GET", path: "/api/v1/notices/1", as: asSup, want: 403},
		{name: "an employee outside the notice", method: "GET", path: "/api/v1/notices/1", as: asOther, want: 404},
		{name: "an employee without a staff id", method: "GET", path: "/api/v1/notices/1", as: asNoStaff, want: 404},
		{name: "unknown notice", method: "GET", path: "/api/v1/notices/99", as: asHR, want: 404},
		{name: "not an id", method: "GET", path: "/api/v1/notices/abc", as: asHR, want: 404},
		{name: "nobody has read it", method: "GET", path: "/api/v1/notices/1/acknowledgements?unread=true", as: asHR, want: 200,
			contains: []string{`"staff_id":"E1","name":"Eero Työntekijä","delivered_at":"2026-11-27T10:00:00Z","read_at":null,"acknowledged_at":null`, `"staff_id":"E2"`},
			absent:   []string{`"staff_id":"E3"`}},
		{name: "a recipient reads it", method: "GET", path: "/api/v1/notices/1", as: asEmp, want: 200, contains: []string{`"controller":{"name":"Testi Oy"`}},
		{name: "the read is recorded", method: "GET", path: "/api/v1/notices/1/acknowledgements?unread=true", as: asDPO, want: 200,
			contains: []string{`"staff_id":"E2"`}, absent: []string{`"staff_id":"E1"`}},
		{name: "an employee may not see the acknowledgements", method: "GET", path: "/api/v1/notices/1/acknowledgements", as: asEmp, want: 403},
		{name: "bad filter", method: "GET", path: "/api/v1/notices/1/acknowledgements?unacknowledged=maybe", as: asHR, want: 400, fields: []string{"unacknowledged"}},
		{name: "bad cursor", method: "GET", path: "/api/v1/notices/1/acknowledgements?cursor=!!", as: asHR, want: 400, fields: []string{"cursor"}},
		{name: "acknowledgements of an unknown notice", method: "GET", path: "/api/v1/notices/99/acknowledgements", as: asHR, want: 404},
		// Only the employee it was issued to acknowledges it.
		{name: "hr without a staff id", method: "POST", path: "/api/v1/notices/1/acknowledge", as: asHR, want: 403},
		{name: "employee without a staff id", method: "POST", path: "/api/v1/notices/1/acknowledge", as: asNoStaff, want: 403},
		{name: "employee not a recipient", method: "POST", path: "/api/v1/notices/1/acknowledge", as: asOther, want: 404},
		{name: "unknown notice", method: "POST", path: "/api/v1/notices/99/acknowledge", as: asEmp, want: 404},
		{name: "acknowledge", method: "POST", path: "/api/v1/notices/1/acknowledge", as: asEmp, want: 200,
			contains: []string{`"staff_id":"E1"`, `"acknowledged_at":"2026-11-27T10:00:00Z"`}},
		{name: "acknowledging twice keeps the first", method: "POST", path: "/api/v1/notices/1/acknowledge", as: asEmp, want: 200,
			contains: []string{`"acknowledged_at":"2026-11-27T10:00:00Z"`}},
		{name: "who has not acknowledged", method: "GET", path: "/api/v1/notices/1/acknowledgements?unacknowledged=true", as: asHR, want: 200,
			contains: []string{`"staff_id":"E2","name":"Elina Työntekijä"`}, absent: []string{`"staff_id":"E1"`}},
		{name: "remind", method: "POST", path: "/api/v1/notices/1/remind", as: asHR, want: 200, contains: []string{`{"reminded":1}`}},
		{name: "the reminder is recorded", method: "GET", path: "/api/v1/notices/1/acknowledgements?unacknowledged=true", as: asHR, want: 200,
			contains: []string{`"reminded_at":"2026-11-27T10:00:00Z"`}},
		{name: "dpo may not remind", method: "POST", path: "/api/v1/notices/1/remind", as: asDPO, want: 403},
		{name: "remind of an unknown notice", method: "POST", path: "/api/v1/notices/99/remind", as: asHR, want: 404},
		// The employee's own notices.
		{name: "own notices", method: "GET", path: "/api/v1/me/notices", as: asEmp, want: 200,
			contains: []string{`"items":[{"id":1,`, `"activity_name":"Puhelujen tallennus asiakaspalvelussa"`, `"acknowledged_at":"2026-11-27T10:00:00Z"`}},
		{name: "own notices: not yet acknowledged", method: "GET", path: "/api/v1/me/notices", as: asEmp2, want: 200,
			contains: []string{`"read_at":null,"acknowledged_at":null`}},
		{name: "none for another unit", method: "GET", path: "/api/v1/me/notices", as: asOther, want: 200, contains: []string{`"items":[]`}},
		{name: "none without a staff id", method: "GET", path: "/api/v1/me/notices", as: asNoStaff, want: 200, contains: []string{`"items":[]`}},
		{name: "reading one's own marks it read", method: "GET", path: "/api/v1/me/notices/1", as: asEmp2, want: 200,
			contains: []string{`"read_at":"2026-11-27T10:00:00Z"`, `"acknowledged_at":null`, `"content":{`}},
		{name: "everyone has read it", method: "GET", path: "/api/v1/notices/1/acknowledgements?unread=true", as: asHR, want: 200, contains: []string{`"items":[]`}},
		{name: "another's notice via me", method: "GET", path: "/api/v1/me/notices/1", as: asOther, want: 404},
		{name: "unknown via me", method: "GET", path: "/api/v1/me/notices/99", as: asEmp, want: 404},
		// A second notice supersedes the first (R-NOT-4).
		{name: "reissue", method: "POST", path: ap, as: asHR, body: `{"introduction_on":"2026-12-01","purpose":"Laadun valmennus","methods":"Tallennus"}`, want: 201,
			contains: []string{`"id":2`, `"version":2`, `"purpose":"Laadun valmennus"`}},
		{name: "the first is superseded", method: "GET", path: "/api/v1/notices/1", as: asHR, want: 200, contains: []string{`"superseded":true`}},
	})
}

// TestAPI_Notices_Pagination pages the acknowledgements by staff id.
func TestAPI_Notices_Pagination(t *testing.T) {
	f := newAPIFixture(t)
	act := f.concludedActivity(t)
	f.apiCaseMust(t, "POST", fmt.Sprintf("/api/v1/activities/%d/notices", act), asHR, `{"introduction_on":"2026-11-27"}`, 201)
	_, m, _ := f.call(t, "GET", "/api/v1/notices/1/acknowledgements?limit=1", asHR, "")
	if len(items(m)) != 1 || m["next_cursor"] == nil {
		t.Fatalf("first page: %v", m)
	}
	_, m2, _ := f.call(t, "GET", "/api/v1/notices/1/acknowledgements?limit=1&cursor="+m["next_cursor"].(string), asHR, "")
	if len(items(m2)) != 1 || m2["next_cursor"] != nil {
		t.Fatalf("second page: %v", m2)
	}
	if items(m)[0].(map[string]any)["staff_id"] == items(m2)[0].(map[string]any)["staff_id"] {
		t.Fatal("the same recipient on both pages")
	}
}

// TestAPI_MeUses_R_ACC_1: an employee's own log shows who used each
// recording and in which task (R-ACC-1), never another employee's uses.
func TestAPI_MeUses_R_ACC_1(t *testing.T) {
	f := newAPIFixture(t)
	f.activeActivity(t)
	f.apiCaseMust(t, "POST", "/api/v1/uses", asSup, useBody("m1"), 201)
	f.apiCaseMust(t, "POST", "/api/v1/uses", asSup2, useBody("m2"), 201)
	f.apiCaseMust(t, "POST", "/api/v1/uses", asSup, useBody("m3", "employee_staff_ids", `["E2"]`), 201)
	f.run(t, []apiCase{
		{name: "own uses with names and tasks", method: "GET", path: "/api/v1/me/uses", as: asEmp, want: 200,
			contains: []string{`"external_id":"m1"`, `"used_by_name":"Sari Esihenkilö","used_by_task":"Laatuvalmentaja"`,
				`"external_id":"m2"`, `"used_by_name":"Pekka Esihenkilö","used_by_task":""`, `"activity_name":"Puhelujen tallennus asiakaspalvelussa"`,
				`"purpose_description":"Palvelun laadun valmennus"`, `"call_started_at":"2026-11-20T09:00:00Z"`},
			absent: []string{`"external_id":"m3"`}},
		{name: "another employee's own", method: "GET", path: "/api/v1/me/uses", as: asEmp2, want: 200,
			contains: []string{`"external_id":"m3"`}, absent: []string{`"external_id":"m1"`, `"external_id":"m2"`}},
		{name: "bad limit", method: "GET", path: "/api/v1/me/uses?limit=0", as: asEmp, want: 400, fields: []string{"limit"}},
	})
}

// TestAPI_AccessRequests_R_DSR_1: a request is due one month after receipt,
// three with an extension; a delivery closes it.
func TestAPI_AccessRequests_R_DSR_1(t *testing.T) {
	f := newAPIFixture(t)
	f.run(t, []apiCase{
		{name: "employee request", method: "POST", path: "/api/v1/access-requests", as: asHR,
			body: `{"kind":"employee","staff_id":"E1","description":"Kaikki puheluni tallenteet","received_on":"2026-11-20"}`, want: 201,
			contains: []string{`"id":1`, `"kind":"employee"`, `"staff_id":"E1"`, `"received_on":"2026-11-20"`, `"due_on":"2026-12-20"`,
				`"extended":false`, `"delivered":false`, `"overdue":false`, `"days_left":23`, `"created_by":"hr@example.fi"`}},
		{name: "caller request, received today", method: "POST", path: "/api/v1/access-requests", as: asDPO,
			body: `{"kind":"caller","requester":"Asiakas 0401234567","description":"Puhelu 20.11."}`, want: 201,
			contains: []string{`"id":2`, `"requester":"Asiakas 0401234567"`, `"received_on":"2026-11-27"`, `"due_on":"2026-12-27"`}},
		{name: "an old request is overdue", method: "POST", path: "/api/v1/access-requests", as: asHR,
			body: `{"kind":"caller","requester":"X","description":"Y","received_on":"2026-09-01"}`, want: 201,
			contains: []string{`"due_on":"2026-10-01"`, `"overdue":true`}},
		{name: "missing fields", method: "POST", path: "/api/v1/access-requests", as: asHR, body: `{"kind":"employee"}`, want: 422,
			fields: []string{"staff_id", "description"}},
		{name: "caller without requester", method: "POST", path: "/api/v1/access-requests", as: asHR, body: `{"kind":"caller","description":"x"}`, want: 422,
			fields: []string{"requester"}},
		{name: "unknown employee", method: "POST", path: "/api/v1/access-requests", as: asHR, body: `{"kind":"employee","staff_id":"E9","description":"x"}`, want: 422,
			fields: []string{"staff_id"}},
		{name: "unknown kind and a bad date", method: "POST", path: "/api/v1/access-requests", as: asHR,
			body: `{"kind":"supplier","description":"x","received_on":"eilen"}`, want: 422, fields: []string{"kind", "received_on"}},
		{name: "received in the future", method: "POST", path: "/api/v1/access-requests", as: asHR,
			body: `{"kind":"caller","requester":"X","description":"x","received_on":"2027-01-01"}`, want: 422, fields: []string{"received_on"}},
		{name: "unknown field", method: "POST", path: "/api/v1/access-requests", as: asHR, body: `{"kind":"caller","due_on":"2027-01-01"}`, want: 400, fields: []string{"due_on"}},
		{name: "open ones", method: "GET", path: "/api/v1/access-requests?open=true", as: asDPO, want: 200, contains: []string{`"id":1`, `"id":2`}},
		{name: "one", method: "GET", path: "/api/v1/access-requests/1", as: asHR, want: 200, contains: []string{`"description":"Kaikki puheluni tallenteet"`}},
		{name: "unknown one", method: "GET", path: "/api/v1/access-requests/99", as: asHR, want: 404},
		{name: "an extension needs reasons", method: "POST", path: "/api/v1/access-requests/1/extend", as: asHR, body: `{}`, want: 422, fields: []string{"reason"}},
		{name: "extend", method: "POST", path: "/api/v1/access-requests/1/extend", as: asHR,
			body: `{"reason":"Tallenteita on paljon; pyytäjälle kerrottu 25.11.","on":"2026-11-25"}`, want: 200,
			contains: []string{`"extended":true`, `"extended_on":"2026-11-25"`, `"due_on":"2027-02-20"`, `"extension_reason":"Tallenteita on paljon`}},
		{name: "extend twice", method: "POST", path: "/api/v1/access-requests/1/extend", as: asHR, body: `{"reason":"x"}`, want: 409},
		{name: "a delivery says what", method: "POST", path: "/api/v1/access-requests/1/deliver", as: asHR, body: `{"what":""}`, want: 422, fields: []string{"what"}},
		{name: "deliver", method: "POST", path: "/api/v1/access-requests/1/deliver", as: asDPO,
			body: `{"what":"Täydelliset kopiot 12 tallenteesta"}`, want: 200,
			contains: []string{`"delivered":true`, `"delivered_on":"2026-11-27"`, `"delivered_what":"Täydelliset kopiot 12 tallenteesta"`, `"days_left":null`, `"overdue":false`}},
		{name: "no longer open", method: "GET", path: "/api/v1/access-requests?open=true", as: asHR, want: 200,
			contains: []string{`"id":2`}, absent: []string{`"id":1,`}},
		{name: "extend after delivery", method: "POST", path: "/api/v1/access-requests/1/extend", as: asHR, body: `{"reason":"x"}`, want: 409},
		{name: "representatives may not", method: "GET", path: "/api/v1/access-requests", as: asRep, want: 403},
		{name: "employees may not", method: "POST", path: "/api/v1/access-requests", as: asEmp, body: `{"kind":"employee","staff_id":"E1","description":"x"}`, want: 403},
	})
}

// TestAPI_Register_R_ROPA_1: the extract carries the Art 30(1) items of
// every activity and the controller and DPO contacts.
func TestAPI_Register_R_ROPA_1(t *testing.T) {
	f := newAPIFixture(t)
	f.apiCaseMust(t, "PUT", "/api/v1/settings", asHR, `{"name":"Testi Oy","business_id":"1234567-1","dpo_contact":"tietosuoja@example.fi"}`, 200)
	f.createActivity(t)
	f.apiCaseMust(t, "POST", "/api/v1/activities", asHR, `{"name":"=HYPERLINK(\"x\")","method":"screen_recording"}`, 201)
	f.run(t, []apiCase{
		{name: "extract", method: "GET", path: "/api/v1/register", as: asRep, want: 200,
			contains: []string{`"controller":{"name":"Testi Oy","business_id":"1234567-1","address":"","dpo_contact":"tietosuoja@example.fi"`,
				`"activities":[{"activity_id":1,"name":"Puhelujen tallennus asiakaspalvelussa"`, `"purposes":[{"code":"quality"`,
				`"data_subjects":["employees","callers"]`, `"data_categories":["voice","call_metadata"]`, `"recipients":"Ei luovutuksia"`,
				`"transfers":"Ei siirtoja EU:n ulkopuolelle"`, `"retention_days":90`, `"security_measures":"Pääsynhallinta"`,
				`"activity_id":2`, `"generated_at":"2026-11-27T10:00:00Z"`}},
		{name: "a supervisor reads it", method: "GET", path: "/api/v1/register", as: asSup, want: 200},
		{name: "an employee may not", method: "GET", path: "/api/v1/register", as: asEmp, want: 403},
		{name: "caller information", method: "GET", path: "/api/v1/activities/1/caller-information", as: asSup, want: 200,
			contains: []string{`"directions":["inbound","outbound"]`, `{"direction":"inbound","language":"fi","text":"Puhelu tallennetaan."}`,
				`{"direction":"outbound","language":"en","text":"The call is recorded."}`, `"ivr_placement":"Ennen jonoa"`,
				`"privacy_notice_url":"https://example.fi/tietosuoja"`, `"missing":[]`}},
		{name: "caller information of an unknown activity", method: "GET", path: "/api/v1/activities/99/caller-information", as: asHR, want: 404},
		{name: "caller information: employees may not", method: "GET", path: "/api/v1/activities/1/caller-information", as: asEmp, want: 403},
	})
	// The CSV rows neutralise formula injection.
	act, err := f.Deps.Register.FindActivity(t.Context(), 2)
	if err != nil {
		t.Fatal(err)
	}
	rows := monitoring.RegisterCSV(monitoring.RegisterExtract(monitoring.Organisation{Name: "+Testi"}, []*monitoring.Activity{act}))
	if len(rows) != 2 || rows[1][1] != `'=HYPERLINK("x")` || !strings.HasPrefix(rows[1][len(rows[1])-4], "'+") {
		t.Fatalf("csv rows: %q", rows)
	}
}

// TestCSVSafe: cells that a spreadsheet would evaluate get an apostrophe.
func TestCSVSafe(t *testing.T) {
	for in, want := range map[string]string{"=1+1": "'=1+1", "+358": "'+358", "-2": "'-2", "@SUM(A1)": "'@SUM(A1)",
		"\tx": "'\tx", "\rx": "'\rx", "Eero": "Eero", "": "", "a=b": "a=b",
		"  =HYPERLINK(\"http://x\")": "'  =HYPERLINK(\"http://x\")", "   ": "   "} {
		if got := monitoring.CSVSafe(in); got != want {
			t.Errorf("CSVSafe(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestNoticeRights_R_NOT_2: the rights follow the lawful basis.
func TestNoticeRights_R_NOT_2(t *testing.T) {
	has := func(basis monitoring.LawfulBasis, right string) bool {
		return hasString(monitoring.NoticeRights(basis), right)
	}
	if !has(monitoring.LegitimateInterests, "objection") || has(monitoring.LegitimateInterests, "portability") {
		t.Error("legitimate interests: objection, no portability")
	}
	if !has(monitoring.Contract, "portability") || has(monitoring.Contract, "objection") {
		t.Error("contract: portability, no objection")
	}
	if !has(monitoring.Consent, "withdraw_consent") || has(monitoring.LegalObligation, "withdraw_consent") {
		t.Error("withdrawal of consent only on consent")
	}
	for _, b := range monitoring.LawfulBases {
		if !has(b, "access") || !has(b, "rectification") {
			t.Errorf("%s lacks access or rectification", b)
		}
	}
}

// TestOpenAPI_NoticeSchemas: the contract fields of notices, access
// requests, the register extract and the employee's own data are in the
// document, and inputs refuse unknown fields.
func TestOpenAPI_NoticeSchemas(t *testing.T) {
	ts := newTestServer(t)
	raw := readBody(t, ts.do(t, "GET", "/api/openapi.json", "", ""))
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties           map[string]any `json:"properties"`
				AdditionalProperties *bool          `json:"additionalProperties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		t.Fatal(err)
	}
	for name, fields := range map[string][]string{
		"NoticeInput":               {"introduction_on", "purpose", "methods", "handled", "plain_finnish"},
		"Notice":                    {"id", "recipients", "version", "introduction_on", "superseded"},
		"NoticeDetail":              {"id", "content"},
		"NoticeContent":             {"controller", "dpo_contact", "purposes", "lawful_basis", "legitimate_interests", "recipients", "transfers", "retention", "rights", "complaint", "obligation", "automated_decision_making"},
		"Recipient":                 {"staff_id", "name", "delivered_at", "read_at", "acknowledged_at", "reminded_at"},
		"Remind":                    {"reminded"},
		"MyNotice":                  {"id", "activity_name", "read_at", "acknowledged_at"},
		"MyUse":                     {"id", "used_by", "used_by_name", "used_by_task", "call_started_at"},
		"AccessRequestInput":        {"kind", "staff_id", "requester", "description", "received_on"},
		"AccessRequestExtendInput":  {"reason", "on"},
		"AccessRequestDeliverInput": {"what", "on"},
		"AccessRequest":             {"id", "kind", "received_on", "due_on", "extended", "delivered", "overdue"},
		"Register":                  {"controller", "activities"},
		"RegisterEntry":             {"purposes", "data_subjects", "data_categories", "recipients", "transfers", "retention_days", "security_measures"},
		"CallerInformationOut":      {"announcements", "ivr_placement", "privacy_notice_url", "missing"},
	} {
		s, ok := doc.Components.Schemas[name]
		if !ok {
			t.Errorf("no schema %s", name)
			continue
		}
		for _, f := range fields {
			if s.Properties[f] == nil {
				t.Errorf("%s lacks %s", name, f)
			}
		}
		if strings.HasSuffix(name, "Input") && (s.AdditionalProperties == nil || *s.AdditionalProperties) {
			t.Errorf("%s allows additional properties", name)
		}
	}
}

// TestAPI_Notices_BadInput: malformed bodies and parameters get a 4xx
// naming the field, never a 500, and write nothing.
func TestAPI_Notices_BadInput(t *testing.T) {
	f := newAPIFixture(t)
	act := f.concludedActivity(t)
	ap := fmt.Sprintf("/api/v1/activities/%d/notices", act)
	long := strings.Repeat("x", monitoring.MaxText+1)
	f.run(t, []apiCase{
		{name: "empty body", method: "POST", path: ap, as: asHR, want: 400},
		{name: "not JSON content", method: "POST", path: ap, as: asHR, body: `{"introduction_on":"2026-11-27"}`, header: ctText, want: 415},
		{name: "an array", method: "POST", path: ap, as: asHR, body: `[]`, want: 400},
		{name: "trailing data", method: "POST", path: ap, as: asHR, body: `{"introduction_on":"2026-11-27"} {}`, want: 400},
		{name: "overlong purpose", method: "POST", path: ap, as: asHR, body: `{"introduction_on":"2026-11-27","purpose":"` + long + `"}`, want: 422, fields: []string{"purpose"}},
		{name: "bad activity id", method: "POST", path: "/api/v1/activities/x/notices", as: asHR, body: `{"introduction_on":"2026-11-27"}`, want: 404},
		{name: "bad list limit", method: "GET", path: ap + "?limit=5000", as: asHR, want: 400, fields: []string{"limit"}},
		{name: "bad list cursor", method: "GET", path: ap + "?cursor=eA", as: asHR, want: 400, fields: []string{"cursor"}},
		{name: "overlong access request", method: "POST", path: "/api/v1/access-requests", as: asHR,
			body: `{"kind":"caller","requester":"X","description":"` + long + `"}`, want: 422, fields: []string{"description"}},
		{name: "access request id not a number", method: "GET", path: "/api/v1/access-requests/abc", as: asHR, want: 404},
		{name: "extend an unknown request", method: "POST", path: "/api/v1/access-requests/9/extend", as: asHR, body: `{"reason":"x"}`, want: 404},
		{name: "bad open filter", method: "GET", path: "/api/v1/access-requests?open=kyllä", as: asHR, want: 400, fields: []string{"open"}},
		{name: "me notices bad cursor", method: "GET", path: "/api/v1/me/notices?cursor=%%%", as: asEmp, want: 400, fields: []string{"cursor"}},
	})
	if n := f.count(t, "notices"); n != 0 {
		t.Fatalf("%d notices written by bad requests", n)
	}
}
