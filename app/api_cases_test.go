package app_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// Co-operation cases through the real app and a real database (SPEC
// "Co-operation case", LAW.md R-COOP-*). The clock is testNow
// (2026-11-27 10:00 UTC); the information of the scenarios reached the
// representatives on 6.11. for a first meeting on 16.11. (10 days, R-COOP-2).

const (
	asRep2 = "rep2@example.fi" // a representative on no case of the fixture
	asHR2  = "hr2@example.fi"  // hr, never a meeting participant
)

const (
	caseDelivered    = "2026-11-06T09:00:00Z"
	caseFirstMeeting = "2026-11-16T10:00:00Z"
)

// apiCaseMust sends a request and fails unless the status is want; it
// returns the decoded answer.
func (f *apiFixture) apiCaseMust(t *testing.T, method, path, as, body string, want int) map[string]any {
	t.Helper()
	st, m, _ := f.call(t, method, path, as, body)
	if st != want {
		t.Fatalf("%s %s as %s: %d, want %d: %v", method, path, as, st, want, m)
	}
	return m
}

func apiCaseID(t *testing.T, m map[string]any, key string) int64 {
	t.Helper()
	v, ok := m[key].(float64)
	if !ok {
		t.Fatalf("no %s in %v", key, m)
	}
	return int64(v)
}

// apiCaseOrg sets the organisation's sector and regular headcount (R-COOP-1).
func (f *apiFixture) apiCaseOrg(t *testing.T, sector string, headcount int) {
	t.Helper()
	f.apiCaseMust(t, "PUT", "/api/v1/settings", asHR,
		fmt.Sprintf(`{"name":"Testi Oy","business_id":"1234567-1","sector":%q,"headcount":%d}`, sector, headcount), 200)
}

// apiCaseUsers adds a second representative and a second hr user.
func (f *apiFixture) apiCaseUsers(t *testing.T) {
	t.Helper()
	f.users[asRep2] = f.addUser(t, asRep2, "Riikka Edustaja", "representative", "")
	f.users[asHR2] = f.addUser(t, asHR2, "Hanna Henkilöstö", "hr", "")
}

// apiCaseOpen opens a case on activity as hr with rep on the staff side.
func (f *apiFixture) apiCaseOpen(t *testing.T, activity int64, procedure, extra string) int64 {
	t.Helper()
	body := fmt.Sprintf(`{"title":"Puhelujen tallennus","procedure":%q,"activity_ids":[%d],"representatives":[%q],"units":[%q]%s}`,
		procedure, activity, asRep, testUnit, extra)
	return apiCaseID(t, f.apiCaseMust(t, "POST", "/api/v1/cases", asHR, body, 201), "id")
}

func caseProposalBody(delivered, meeting, extra string) string {
	return fmt.Sprintf(`{"subject":"Puhelujen tallennus","purpose":"Palvelun laadun valmennus","methods":"Tallennus ja kuuntelu",
		"introduction_plan":"1.2.2027 alkaen","first_meeting_at":%q,"place":"Neuvotteluhuone Kivi","delivered_at":%q%s}`, meeting, delivered, extra)
}

func caseMeetingBody(heldAt string, minutes bool, participants ...string) string {
	return fmt.Sprintf(`{"held_at":%q,"place":"Kivi","participants":["%s"],"agenda":"Tallennuksen tarkoitus ja menetelmät","minutes_requested":%t}`,
		heldAt, strings.Join(participants, `","`), minutes)
}

const caseMinutesBody = `{"main_content":"Käsiteltiin tallennuksen tarkoitus.","outcome":"Yhteisymmärrys","employer_position":"Tarpeellinen",
	"staff_position":"Hyväksyttävä rajoituksin","dissent":[]}`

// apiCaseFixture is a dialogue case with information, a meeting of hr and
// rep with minutes, a comment and an initiative, as the authorization
// matrix and the row-level tests need it.
type apiCaseFixture struct {
	activity, id, meeting, comment, initiative int64
	concludable, withdrawable, hearing         int64
}

func (f *apiFixture) apiCaseSetup(t *testing.T) apiCaseFixture {
	t.Helper()
	f.apiCaseOrg(t, "private", 60)
	var x apiCaseFixture
	x.activity = f.createActivity(t)
	x.id = f.apiCaseOpen(t, x.activity, "dialogue", "")
	f.apiCaseMust(t, "POST", fmt.Sprintf("/api/v1/cases/%d/proposal", x.id), asHR, caseProposalBody(caseDelivered, caseFirstMeeting, ""), 201)
	x.meeting = apiCaseID(t, f.apiCaseMust(t, "POST", fmt.Sprintf("/api/v1/cases/%d/meetings", x.id), asHR,
		caseMeetingBody(caseFirstMeeting, true, asHR, asRep), 201), "id")
	f.apiCaseMust(t, "PUT", fmt.Sprintf("/api/v1/cases/%d/meetings/%d/minutes", x.id, x.meeting), asHR, caseMinutesBody, 200)
	x.comment = apiCaseID(t, f.apiCaseMust(t, "POST", fmt.Sprintf("/api/v1/cases/%d/comments", x.id), asRep, `{"text":"Kuka kuuntelee?"}`, 201), "id")
	x.initiative = apiCaseID(t, f.apiCaseMust(t, "POST", fmt.Sprintf("/api/v1/cases/%d/initiatives", x.id), asRep,
		`{"kind":"initiative","text":"Säilytysaika 30 päivää"}`, 201), "id")
	x.concludable = f.apiCaseOpen(t, x.activity, "dialogue", "")
	x.withdrawable = f.apiCaseOpen(t, x.activity, "dialogue", "")
	x.hearing = f.apiCaseOpen(t, x.activity, "hearing", `,"override_reason":"other","override_detail":"Kuuleminen riittää"`)
	return x
}

// TestAPI_Case_Dialogue_Lifecycle drives a dialogue case from opening to
// conclusion: the information at least 7 days before the meeting
// (R-COOP-2), comments and an initiative (R-COOP-5), minutes with
// approvals of both sides and a correction (R-COOP-4), and the conclusion
// that satisfies the activity's co-operation condition (R-COOP-10).
func TestAPI_Case_Dialogue_Lifecycle(t *testing.T) {
	f := newAPIFixture(t)
	f.apiCaseUsers(t)
	f.apiCaseOrg(t, "private", 60)
	act := f.createActivity(t)
	cases := "/api/v1/cases"
	f.run(t, []apiCase{
		{name: "R-COOP-1 proposal", method: "GET", path: cases + "/procedure-proposal", as: asHR, want: 200,
			contains: []string{`"procedure":"dialogue"`, `"key":"at_or_above"`, `"headcount":60`, `"configuration":true`, `"lighter":false`,
				`"thresholds":[{"from":"2022-01-01","dialogue":20,"lighter":0`, `"from":"2025-07-01","dialogue":50,"lighter":20,"lighter_to_verify":true`,
				`vähintään 50`}},
		{name: "open", method: "POST", path: cases, as: asHR,
			body: fmt.Sprintf(`{"title":"Puhelujen tallennus","procedure":"dialogue","activity_ids":[%d],"representatives":[%q],"units":[%q]}`, act, asRep, testUnit),
			want: 201, contains: []string{`"id":1`, `"status":"draft"`, `"procedure":"dialogue"`, `"proposed_procedure":"dialogue"`,
				`"proposal":{"procedure":"dialogue","reason":"`, `"to_verify":false`}},
		{name: "activity moved to in_cooperation", method: "GET", path: fmt.Sprintf("/api/v1/activities/%d", act), as: asHR, want: 200,
			contains: []string{`"status":"in_cooperation"`}},
		{name: "staff side", method: "PUT", path: cases + "/1/staff-side", as: asHR,
			body: `{"groups":[{"name":"Toimihenkilöt","all_employees":false,"units":["Asiakaspalvelu"],"representatives":[
				{"email":"rep@example.fi","name":"Lauri Luottamusmies","type":"shop_steward"},
				{"email":"rep2@example.fi","name":"Riikka Edustaja","type":"cooperation_representative","term_start":"2026-01-01","term_end":"2027-12-31"}]},
				{"name":"Työntekijät","all_employees":true,"units":["Varasto"]}]}`,
			want: 200, contains: []string{`"staff_side":[{"name":"Toimihenkilöt"`, `"type":"cooperation_representative","term_start":"2026-01-01","term_end":"2027-12-31"`, `"all_employees":true`}},
		{name: "R-COOP-3 term over two years", method: "PUT", path: cases + "/1/staff-side", as: asHR,
			body: `{"groups":[{"name":"T","representatives":[{"email":"rep@example.fi","type":"cooperation_representative","term_start":"2026-01-01","term_end":"2028-06-01"}]}]}`,
			want: 422, fields: []string{"groups[0].representatives[0].term_end"}},
		{name: "R-COOP-3 group without representatives", method: "PUT", path: cases + "/1/staff-side", as: asHR,
			body: `{"groups":[{"name":"T","all_employees":false}]}`, want: 422, fields: []string{"groups[0].representatives"}},
		{name: "R-COOP-2 information 4 days before the meeting", method: "POST", path: cases + "/1/proposal", as: asHR,
			body: caseProposalBody("2026-11-12T09:00:00Z", caseFirstMeeting, ""), want: 422,
			contains: []string{`"rules":[{"rule":"R-COOP-2","message":"`, `7 päivää`}},
		{name: "proposal missing fields", method: "POST", path: cases + "/1/proposal", as: asHR,
			body: `{"subject":"","purpose":"x","methods":"y","first_meeting_at":"huomenna"}`, want: 422,
			fields: []string{"subject", "first_meeting_at", "delivered_at"}},
		{name: "R-COOP-11 confidential without telling", method: "POST", path: cases + "/1/proposal", as: asHR,
			body: caseProposalBody(caseDelivered, caseFirstMeeting, `,"confidential":true`), want: 422, fields: []string{"confidential_told_to"}},
		{name: "proposal", method: "POST", path: cases + "/1/proposal", as: asHR,
			body: caseProposalBody(caseDelivered, caseFirstMeeting, ""), want: 201,
			contains: []string{`"version":1`, `"delivered_at":"2026-11-06T09:00:00Z"`, `"first_meeting_at":"2026-11-16T10:00:00Z"`,
				`"recipients":["rep@example.fi","rep2@example.fi"]`}},
		{name: "representative comments", method: "POST", path: cases + "/1/comments", as: asRep, body: `{"text":"Kuka tallenteita kuuntelee?"}`,
			want: 201, contains: []string{`"id":1`, `"parent_id":null`, `"information_version":1`, `"by":"rep@example.fi"`}},
		{name: "hr must answer a comment", method: "POST", path: cases + "/1/comments", as: asHR, body: `{"text":"Tiedoksi"}`,
			want: 422, fields: []string{"parent_id"}},
		{name: "hr answers", method: "POST", path: cases + "/1/comments", as: asHR, body: `{"text":"Vain laatuvalmentajat.","parent_id":1}`,
			want: 201, contains: []string{`"parent_id":1`, `"by":"hr@example.fi"`}},
		{name: "answer to an unknown comment", method: "POST", path: cases + "/1/comments", as: asRep, body: `{"text":"?","parent_id":99}`,
			want: 422, fields: []string{"parent_id"}},
		{name: "meeting", method: "POST", path: cases + "/1/meetings", as: asHR, body: caseMeetingBody(caseFirstMeeting, true, asHR, asRep),
			want: 201, contains: []string{`"id":1`, `{"email":"hr@example.fi","name":"Heikki Henkilöstö","side":"employer","attended":true}`,
				`{"email":"rep@example.fi","name":"Lauri Luottamusmies","side":"staff","attended":true}`, `"minutes_requested":true`, `"signed":false`}},
		{name: "meeting without participants", method: "POST", path: cases + "/1/meetings", as: asHR,
			body: `{"held_at":"2026-11-20T10:00:00Z","participants":[],"attended":["x@example.fi"]}`, want: 422, fields: []string{"participants", "attended[0]"}},
		{name: "next meeting planned", method: "POST", path: cases + "/1/meetings", as: asHR, body: caseMeetingBody("2026-12-02T10:00:00Z", false, asHR, asRep),
			want: 201, contains: []string{`"id":2`, `"attended":false`}},
		{name: "R-COOP-5 initiative 5 days before the next meeting is deferred", method: "POST", path: cases + "/1/initiatives", as: asRep,
			body: `{"kind":"initiative","text":"Säilytysaika 30 päiväksi"}`, want: 201,
			contains: []string{`"id":1`, `"deferred":true`, `"message":"Aloitteesi saapui alle kaksi viikkoa ennen seuraavaa kokousta (2026-12-02)`, `"accepted":null`}},
		{name: "R-COOP-5 a rejection needs reasons", method: "POST", path: cases + "/1/initiatives/1/response", as: asHR, body: `{"accepted":false}`,
			want: 422, fields: []string{"response"}},
		{name: "answer the initiative", method: "POST", path: cases + "/1/initiatives/1/response", as: asHR,
			body: `{"accepted":false,"response":"90 päivää tarvitaan reklamaatioiden käsittelyyn."}`, want: 200,
			contains: []string{`"accepted":false`, `"responded_by":"hr@example.fi"`}},
		{name: "unknown initiative", method: "POST", path: cases + "/1/initiatives/9/response", as: asHR, body: `{"accepted":true}`, want: 404},
		{name: "approve before minutes", method: "POST", path: cases + "/1/meetings/1/minutes/approvals", as: asHR, body: `{"approve":true}`, want: 409},
		{name: "minutes", method: "PUT", path: cases + "/1/meetings/1/minutes", as: asHR, body: caseMinutesBody, want: 200,
			contains: []string{`"current":{"version":1,"main_content":"Käsiteltiin tallennuksen tarkoitus."`, `"signed":false`}},
		{name: "minutes without content", method: "PUT", path: cases + "/1/meetings/1/minutes", as: asHR,
			body: `{"main_content":"","dissent":[{"by":"","text":"x"}]}`, want: 422, fields: []string{"main_content", "dissent[0].by"}},
		{name: "R-COOP-4 employer approves", method: "POST", path: cases + "/1/meetings/1/minutes/approvals", as: asHR, body: `{"approve":true}`,
			want: 201, contains: []string{`"approvals":[{"version":1,"by":"hr@example.fi","name":"Heikki Henkilöstö","side":"employer","approve":true`, `"signed":false`}},
		{name: "once per version", method: "POST", path: cases + "/1/meetings/1/minutes/approvals", as: asHR, body: `{"approve":true}`, want: 409},
		{name: "a non-participant may not approve", method: "POST", path: cases + "/1/meetings/1/minutes/approvals", as: asHR2, body: `{"approve":true}`, want: 403},
		{name: "a staff-side non-participant may not approve", method: "POST", path: cases + "/1/meetings/1/minutes/approvals", as: asRep2, body: `{"approve":true}`, want: 403},
		{name: "a correction needs a comment", method: "POST", path: cases + "/1/meetings/1/minutes/approvals", as: asRep, body: `{"approve":false}`,
			want: 422, fields: []string{"comment"}},
		{name: "staff side asks for a correction", method: "POST", path: cases + "/1/meetings/1/minutes/approvals", as: asRep,
			body: `{"approve":false,"comment":"Henkilöstön kanta puuttuu."}`, want: 201,
			contains: []string{`"side":"staff","approve":false,"comment":"Henkilöstön kanta puuttuu."`, `"signed":false`}},
		{name: "R-COOP-10 conclusion refused while the minutes are unsigned", method: "POST", path: cases + "/1/conclude", as: asHR,
			body: `{"conclusion":"x","concluded_at":"2026-11-27T09:00:00Z"}`, want: 409, contains: []string{`"rule":"R-COOP-4"`}},
		{name: "corrected minutes are version 2", method: "PUT", path: cases + "/1/meetings/1/minutes", as: asHR,
			body: `{"main_content":"Käsiteltiin tallennuksen tarkoitus.","outcome":"Yhteisymmärrys","employer_position":"Tarpeellinen","staff_position":"Hyväksyttävä, jos säilytys lyhenee","dissent":[{"by":"rep@example.fi","text":"Säilytysaika liian pitkä"}]}`,
			want: 200, contains: []string{`"current":{"version":2`, `"dissent":[{"by":"rep@example.fi","text":"Säilytysaika liian pitkä"}]`, `"signed":false`}},
		{name: "version 2 needs the employer again", method: "POST", path: cases + "/1/meetings/1/minutes/approvals", as: asRep,
			body: `{"approve":true,"dissent":"Säilytysaika liian pitkä"}`, want: 201, contains: []string{`"version":2,"by":"rep@example.fi"`, `"signed":false`}},
		{name: "both sides approved version 2: signed", method: "POST", path: cases + "/1/meetings/1/minutes/approvals", as: asHR,
			body: `{"approve":true}`, want: 201, contains: []string{`"signed":true`}},
		{name: "signed minutes are not rewritten", method: "PUT", path: cases + "/1/meetings/1/minutes", as: asHR, body: caseMinutesBody, want: 409},
		{name: "R-COOP-11 meeting confidential", method: "POST", path: cases + "/1/confidentiality", as: asHR,
			body: `{"document":"meeting:1","confidential":true,"told_to":"Osallistujat kokouksessa"}`, want: 200,
			contains: []string{`"confidentiality":[{"document":"meeting:1","confidential":true,"told_to":"Osallistujat kokouksessa"`}},
		{name: "confidentiality of an unknown document", method: "POST", path: cases + "/1/confidentiality", as: asHR,
			body: `{"document":"meeting:9","confidential":true,"told_to":"x"}`, want: 422, fields: []string{"document"}},
		{name: "conclusion in the future", method: "POST", path: cases + "/1/conclude", as: asHR,
			body: `{"conclusion":"x","concluded_at":"2027-01-01T09:00:00Z"}`, want: 422, fields: []string{"concluded_at"}},
		{name: "R-COOP-10 conclude", method: "POST", path: cases + "/1/conclude", as: asHR,
			body: `{"conclusion":"Tarkoitus: palvelun laadun valmennus. Menetelmä: tallennus ja kuuntelu, säilytys 90 päivää.","concluded_at":"2026-11-27T09:00:00Z"}`,
			want: 200, contains: []string{`"status":"concluded"`, `"conclusion":{"conclusion":"Tarkoitus: palvelun laadun valmennus.`, `"by":"hr@example.fi"`}},
		{name: "the case with its timeline", method: "GET", path: cases + "/1", as: asRep, want: 200,
			contains: []string{`"rule":"R-COOP-2","key":"information","due":"2026-11-09","status":"met","label":"`,
				`"rule":"R-COOP-4","key":"minutes","due":null,"status":"met"`, `"rule":"R-COOP-5","key":"initiative"`,
				`"versions":[{"version":1`, `"comments":[{"id":1,"parent_id":null`, `"replies":[{"id":2,"parent_id":1`,
				`"procedure_proposal":{"procedure":"dialogue","reason":"`, `vähintään 50`}},
		{name: "in English", method: "GET", path: cases + "/1?lang=en", as: asDPO, want: 200,
			contains: []string{`"label":"Written information at the latest"`, `"status_label":"Met"`, `at least 50`}},
		{name: "R-COOP-10 met on the activity", method: "GET", path: fmt.Sprintf("/api/v1/activities/%d", act), as: asHR, want: 200,
			contains: []string{`"rule":"R-COOP-10","met":true`}},
		{name: "a concluded case takes no more meetings", method: "POST", path: cases + "/1/meetings", as: asHR,
			body: caseMeetingBody("2026-12-10T10:00:00Z", false, asHR), want: 409},
		{name: "list", method: "GET", path: cases + "?status=concluded", as: asHR, want: 200,
			contains: []string{`"items":[{"id":1,"title":"Puhelujen tallennus"`, `"concluded_at":"2026-11-27T09:00:00Z"`}},
		{name: "list by activity", method: "GET", path: fmt.Sprintf("%s?activity=%d", cases, act), as: asHR, want: 200, contains: []string{`"id":1`}},
		{name: "list by another activity", method: "GET", path: cases + "?activity=999", as: asHR, want: 200, contains: []string{`"items":[]`}},
		{name: "bad status filter", method: "GET", path: cases + "?status=open", as: asHR, want: 400, fields: []string{"status"}},
	})
}

// TestAPI_Case_ChangeNegotiations: a procedure other than the proposed one
// needs a reason (R-COOP-1); the proposal precedes the negotiations
// (R-COOP-6); the staff's written proposal is answered with reasons
// (R-COOP-7); the minutes are signed by both sides and the employer gives
// its account (R-COOP-8).
func TestAPI_Case_ChangeNegotiations(t *testing.T) {
	f := newAPIFixture(t)
	f.apiCaseOrg(t, "private", 120)
	act := f.createActivity(t)
	open := fmt.Sprintf(`{"title":"Puheanalytiikka","procedure":"change_negotiations","activity_ids":[%d],"representatives":[%q]`, act, asRep)
	cases := "/api/v1/cases"
	f.run(t, []apiCase{
		{name: "R-COOP-1 an override needs its reason", method: "POST", path: cases, as: asHR, body: open + `}`, want: 422, fields: []string{"override_reason"}},
		{name: "unknown override reason", method: "POST", path: cases, as: asHR, body: open + `,"override_reason":"whim"}`, want: 422, fields: []string{"override_reason"}},
		{name: "other needs its detail", method: "POST", path: cases, as: asHR, body: open + `,"override_reason":"other"}`, want: 422, fields: []string{"override_detail"}},
		{name: "open with substantial change", method: "POST", path: cases, as: asHR, body: open + `,"override_reason":"substantial_change"}`, want: 201,
			contains: []string{`"procedure":"change_negotiations"`, `"proposed_procedure":"dialogue"`}},
		{name: "R-COOP-6 proposal after the negotiations started", method: "POST", path: cases + "/1/proposal", as: asHR,
			body: caseProposalBody("2026-11-16T11:00:00Z", caseFirstMeeting, ""), want: 422, contains: []string{`"rule":"R-COOP-6"`}},
		{name: "R-COOP-6 proposal a day before", method: "POST", path: cases + "/1/proposal", as: asHR,
			body: caseProposalBody("2026-11-15T09:00:00Z", caseFirstMeeting, ""), want: 201, contains: []string{`"version":1`}},
		{name: "R-COOP-7 staff's written proposal", method: "POST", path: cases + "/1/initiatives", as: asRep,
			body: `{"kind":"written_proposal","text":"Analytiikka vain anonymisoituna"}`, want: 201, contains: []string{`"kind":"written_proposal"`, `"deferred":false`}},
		{name: "unknown kind", method: "POST", path: cases + "/1/initiatives", as: asRep, body: `{"kind":"wish","text":"x"}`, want: 422, fields: []string{"kind"}},
		{name: "hr makes no initiatives", method: "POST", path: cases + "/1/initiatives", as: asHR, body: `{"kind":"initiative","text":"x"}`, want: 403},
		{name: "R-COOP-7 rejected with reasons", method: "POST", path: cases + "/1/initiatives/1/response", as: asHR,
			body: `{"accepted":false,"response":"Laadun valmennus vaatii tunnistettavat puhelut."}`, want: 200, contains: []string{`"accepted":false`}},
		{name: "answered once", method: "POST", path: cases + "/1/initiatives/1/response", as: asHR, body: `{"accepted":true}`, want: 409},
		{name: "negotiation", method: "POST", path: cases + "/1/meetings", as: asHR, body: caseMeetingBody(caseFirstMeeting, true, asHR, asRep), want: 201},
		{name: "minutes", method: "PUT", path: cases + "/1/meetings/1/minutes", as: asHR, body: caseMinutesBody, want: 200},
		{name: "employer approves", method: "POST", path: cases + "/1/meetings/1/minutes/approvals", as: asHR, body: `{"approve":true}`, want: 201},
		{name: "R-COOP-8 not before the staff side signs", method: "POST", path: cases + "/1/conclude", as: asHR,
			body: `{"conclusion":"x","concluded_at":"2026-11-27T09:00:00Z"}`, want: 409, contains: []string{`"rules":[{"rule":"R-COOP-8"`}},
		{name: "staff approves", method: "POST", path: cases + "/1/meetings/1/minutes/approvals", as: asRep, body: `{"approve":true}`, want: 201,
			contains: []string{`"signed":true`}},
		{name: "conclude with the account", method: "POST", path: cases + "/1/conclude", as: asHR,
			body: `{"conclusion":"Puheanalytiikka otetaan käyttöön laadun valmennukseen.","concluded_at":"2026-11-27T09:00:00Z","account":"Päätös 27.11., käyttöönotto 1.2.2027."}`,
			want: 200, contains: []string{`"status":"concluded"`, `"account":"Päätös 27.11., käyttöönotto 1.2.2027."`,
				`"rule":"R-COOP-6","key":"proposal","due":"2026-11-16","status":"met"`, `"rule":"R-COOP-7","key":"written_proposal"`,
				`"rule":"R-COOP-8","key":"minutes","due":null,"status":"met"`, `"rule":"R-COOP-8","key":"account","due":null,"status":"met"`}},
	})
}

// TestAPI_Case_Hearing: an employer below the threshold hears the staff
// (R-COOP-9); the conclusion waits until the time to respond has ended
// (R-COOP-10).
func TestAPI_Case_Hearing(t *testing.T) {
	f := newAPIFixture(t)
	f.apiCaseOrg(t, "private", 12)
	act := f.createActivity(t)
	cases := "/api/v1/cases"
	f.run(t, []apiCase{
		{name: "R-COOP-1 proposal below the threshold", method: "GET", path: cases + "/procedure-proposal", as: asHR, want: 200,
			contains: []string{`"procedure":"hearing"`, `"key":"below"`, `alle 20`}},
		{name: "open with the proposed procedure", method: "POST", path: cases, as: asHR,
			body: fmt.Sprintf(`{"title":"Kuuleminen","activity_ids":[%d],"representatives":[%q]}`, act, asRep), want: 201,
			contains: []string{`"procedure":"hearing"`, `"proposed_procedure":"hearing"`}},
		{name: "R-COOP-9 no conclusion before the hearing", method: "POST", path: cases + "/1/conclude", as: asHR,
			body: `{"conclusion":"x","concluded_at":"2026-11-27T09:00:00Z"}`, want: 409, contains: []string{`"rules":[{"rule":"R-COOP-9"`}},
		{name: "a view needs a hearing", method: "POST", path: cases + "/1/hearing/views", as: asHR, body: `{"by":"x","text":"y"}`, want: 409},
		{name: "hearing respond_by before invited_at", method: "PUT", path: cases + "/1/hearing", as: asHR,
			body: `{"invited":"Kaikki","method":"sähköposti","invited_at":"2026-11-20T08:00:00Z","respond_by":"2026-11-10T16:00:00Z"}`, want: 422, fields: []string{"respond_by"}},
		{name: "hearing still open", method: "PUT", path: cases + "/1/hearing", as: asHR,
			body: `{"invited":"Asiakaspalvelun työntekijät","method":"sähköposti ja infotilaisuus","invited_at":"2026-11-20T08:00:00Z","respond_by":"2026-12-04T16:00:00Z"}`,
			want: 200, contains: []string{`"invited":"Asiakaspalvelun työntekijät"`, `"respond_by":"2026-12-04T16:00:00Z"`, `"views":[]`}},
		{name: "R-COOP-9 not while the time to respond runs", method: "POST", path: cases + "/1/conclude", as: asHR,
			body: `{"conclusion":"x","concluded_at":"2026-11-27T09:00:00Z"}`, want: 409, contains: []string{`"rule":"R-COOP-9"`}},
		{name: "pending on the timeline", method: "GET", path: cases + "/1", as: asHR, want: 200,
			contains: []string{`"rule":"R-COOP-9","key":"hearing","due":"2026-12-04","status":"pending"`}},
		{name: "hearing ended", method: "PUT", path: cases + "/1/hearing", as: asHR,
			body: `{"invited":"Asiakaspalvelun työntekijät","method":"sähköposti","invited_at":"2026-11-06T08:00:00Z","respond_by":"2026-11-20T16:00:00Z"}`, want: 200},
		{name: "a view", method: "POST", path: cases + "/1/hearing/views", as: asHR, body: `{"by":"Eero Työntekijä","text":"Säilytysaika on liian pitkä."}`,
			want: 201, contains: []string{`"views":[{"by":"Eero Työntekijä","text":"Säilytysaika on liian pitkä.","at":"2026-11-27T10:00:00Z"}]`}},
		{name: "conclude", method: "POST", path: cases + "/1/conclude", as: asHR,
			body: `{"conclusion":"Tarkoitus ja menetelmät määritelty.","concluded_at":"2026-11-27T09:00:00Z"}`, want: 200,
			contains: []string{`"status":"concluded"`, `"rule":"R-COOP-9","key":"hearing","due":"2026-11-20","status":"met"`}},
		{name: "R-COOP-10 met on the activity", method: "GET", path: fmt.Sprintf("/api/v1/activities/%d", act), as: asDPO, want: 200,
			contains: []string{`"rule":"R-COOP-10","met":true`}},
	})
}

// TestAPI_Case_ProcedureProposal_R_COOP_1 proposes the procedure around the
// thresholds in force on 27.11.2026 (50, with 20–49 the lighter dialogue to
// verify) and for an employer outside the Act.
func TestAPI_Case_ProcedureProposal_R_COOP_1(t *testing.T) {
	f := newAPIFixture(t)
	for _, tc := range []struct {
		sector    string
		headcount int
		contains  []string
	}{
		{"private", 19, []string{`"procedure":"hearing"`, `"key":"below"`, `"lighter":false`, `"to_verify":false`, `below 20:`}},
		{"private", 20, []string{`"procedure":"dialogue"`, `"key":"lighter_band"`, `"lighter":true`, `"to_verify":true`, `20–49`}},
		{"private", 49, []string{`"procedure":"dialogue"`, `"key":"lighter_band"`, `"lighter":true`}},
		{"private", 50, []string{`"procedure":"dialogue"`, `"key":"at_or_above"`, `"lighter":false`, `"to_verify":false`}},
		{"municipal", 5000, []string{`"procedure":"dialogue"`, `"key":"at_or_above"`}},
		{"outside_the_act", 500, []string{`"procedure":"hearing"`, `"key":"outside_the_act"`}},
	} {
		t.Run(fmt.Sprintf("%s %d", tc.sector, tc.headcount), func(t *testing.T) {
			f.apiCaseOrg(t, tc.sector, tc.headcount)
			want := append([]string{fmt.Sprintf(`"headcount":%d`, tc.headcount), `"on":"2026-11-27"`, `"configuration":true`,
				`"threshold":{"from":"2025-07-01","dialogue":50,"lighter":20,"lighter_to_verify":true}`}, tc.contains...)
			f.run(t, []apiCase{{name: "proposal", method: "GET", path: "/api/v1/cases/procedure-proposal?lang=en", as: asHR, want: 200,
				contains: append(want, `"note":"The thresholds come from Vaaka's configuration`)}})
		})
	}
	// Opening a case records the proposal; a lighter-band dialogue needs no override.
	f.apiCaseOrg(t, "private", 30)
	act := f.createActivity(t)
	f.run(t, []apiCase{
		{name: "lighter band", method: "POST", path: "/api/v1/cases", as: asHR,
			body: fmt.Sprintf(`{"title":"Kevyempi","procedure":"dialogue","activity_ids":[%d]}`, act), want: 201,
			contains: []string{`"proposal":{"procedure":"dialogue","reason":"Säännöllinen henkilöstömäärä on 20–49`, `"lighter":true,"to_verify":true`}},
		{name: "hearing instead needs a reason", method: "POST", path: "/api/v1/cases", as: asHR,
			body: fmt.Sprintf(`{"title":"Kuuleminen","procedure":"hearing","activity_ids":[%d]}`, act), want: 422, fields: []string{"override_reason"}},
	})
}

// TestAPI_Case_Access: a representative reads only the cases where they
// are on the staff side (404 for others) and never edits the employer's
// records (403); supervisors, employees and admins get 403 on every case
// route; an employee without the representative role sees none.
func TestAPI_Case_Access(t *testing.T) {
	f := newAPIFixture(t)
	f.apiCaseUsers(t)
	x := f.apiCaseSetup(t)
	c := fmt.Sprintf("/api/v1/cases/%d", x.id)
	m := fmt.Sprintf("%s/meetings/%d", c, x.meeting)
	f.run(t, []apiCase{
		{name: "representative lists their cases", method: "GET", path: "/api/v1/cases", as: asRep, want: 200, contains: []string{fmt.Sprintf(`"id":%d`, x.id)}},
		{name: "another representative lists none", method: "GET", path: "/api/v1/cases", as: asRep2, want: 200, contains: []string{`"items":[]`}},
		{name: "another representative reads", method: "GET", path: c, as: asRep2, want: 404},
		{name: "another representative comments", method: "POST", path: c + "/comments", as: asRep2, body: `{"text":"x"}`, want: 404},
		{name: "another representative makes an initiative", method: "POST", path: c + "/initiatives", as: asRep2, body: `{"kind":"initiative","text":"x"}`, want: 404},
		{name: "another representative approves", method: "POST", path: m + "/minutes/approvals", as: asRep2, body: `{"approve":true}`, want: 404},
		{name: "unknown case", method: "GET", path: "/api/v1/cases/999", as: asHR, want: 404},
		{name: "not an id", method: "GET", path: "/api/v1/cases/abc", as: asHR, want: 404},
		{name: "unknown meeting", method: "PUT", path: c + "/meetings/999/minutes", as: asHR, body: caseMinutesBody, want: 404},
		{name: "representative edits the staff side", method: "PUT", path: c + "/staff-side", as: asRep, body: `{"groups":[]}`, want: 403},
		{name: "representative writes the proposal", method: "POST", path: c + "/proposal", as: asRep, body: caseProposalBody(caseDelivered, caseFirstMeeting, ""), want: 403},
		{name: "representative records a meeting", method: "POST", path: c + "/meetings", as: asRep, body: caseMeetingBody(caseFirstMeeting, false, asRep), want: 403},
		{name: "representative writes the minutes", method: "PUT", path: m + "/minutes", as: asRep, body: caseMinutesBody, want: 403},
		{name: "representative concludes", method: "POST", path: c + "/conclude", as: asRep, body: `{"conclusion":"x","concluded_at":"2026-11-27T09:00:00Z"}`, want: 403},
		{name: "representative answers an initiative", method: "POST", path: fmt.Sprintf("%s/initiatives/%d/response", c, x.initiative), as: asRep, body: `{"accepted":true}`, want: 403},
		{name: "representative withdraws", method: "POST", path: c + "/withdraw", as: asRep, body: `{"reason":"x"}`, want: 403},
		{name: "representative marks confidential", method: "POST", path: c + "/confidentiality", as: asRep, body: `{"document":"information","confidential":false}`, want: 403},
		{name: "representative asks for the proposal", method: "GET", path: "/api/v1/cases/procedure-proposal", as: asRep, want: 403},
		{name: "dpo reads", method: "GET", path: c, as: asDPO, want: 200},
		{name: "dpo comments", method: "POST", path: c + "/comments", as: asDPO, body: `{"text":"x"}`, want: 403},
		{name: "employee lists", method: "GET", path: "/api/v1/cases", as: asEmp, want: 403},
		{name: "employee reads", method: "GET", path: c, as: asEmp, want: 403},
	})
	f.addUser(t, "reader@example.fi", "Lukija", "hr", "", "read")
	f.run(t, []apiCase{
		{name: "read token reads", method: "GET", path: c, as: "reader@example.fi", want: 200},
		{name: "read token opens a case", method: "POST", path: "/api/v1/cases", as: "reader@example.fi", body: `{"title":"x"}`, want: 403},
	})
	for _, as := range []string{asSup, asEmp, asAdmin} {
		for _, r := range apiCaseRoutes(x) {
			resp := f.do(t, r[0], r[1], as, r[2])
			if raw := readBody(t, resp); resp.StatusCode != 403 {
				t.Errorf("%s %s as %s: %d, want 403: %.200s", r[0], r[1], as, resp.StatusCode, raw)
			}
		}
	}
}

// apiCaseRoutes is one request per case route: method, path, body.
func apiCaseRoutes(x apiCaseFixture) [][3]string {
	c := fmt.Sprintf("/api/v1/cases/%d", x.id)
	m := fmt.Sprintf("%s/meetings/%d", c, x.meeting)
	return [][3]string{
		{"GET", "/api/v1/cases/procedure-proposal", ""},
		{"POST", "/api/v1/cases", fmt.Sprintf(`{"title":"x","activity_ids":[%d]}`, x.activity)},
		{"GET", "/api/v1/cases", ""},
		{"GET", c, ""},
		{"PUT", c + "/staff-side", `{"groups":[]}`},
		{"POST", c + "/proposal", caseProposalBody(caseDelivered, caseFirstMeeting, "")},
		{"POST", c + "/meetings", caseMeetingBody(caseFirstMeeting, false, asHR)},
		{"PUT", m + "/minutes", caseMinutesBody},
		{"POST", m + "/minutes/approvals", `{"approve":true}`},
		{"POST", c + "/conclude", `{"conclusion":"x","concluded_at":"2026-11-27T09:00:00Z"}`},
		{"POST", c + "/comments", `{"text":"x"}`},
		{"POST", c + "/initiatives", `{"kind":"initiative","text":"x"}`},
		{"POST", fmt.Sprintf("%s/initiatives/%d/response", c, x.initiative), `{"accepted":true}`},
		{"PUT", c + "/hearing", `{"invited":"x","method":"y","invited_at":"2026-11-01T08:00:00Z","respond_by":"2026-11-10T08:00:00Z"}`},
		{"POST", c + "/hearing/views", `{"by":"x","text":"y"}`},
		{"POST", c + "/confidentiality", `{"document":"information","confidential":false}`},
		{"POST", c + "/withdraw", `{"reason":"x"}`},
	}
}

// TestAPI_Case_BadInput: malformed bodies are 400 naming the field, bad
// values 422, never a 500 and nothing written.
func TestAPI_Case_BadInput(t *testing.T) {
	f := newAPIFixture(t)
	f.apiCaseOrg(t, "private", 60)
	act := f.createActivity(t)
	id := f.apiCaseOpen(t, act, "dialogue", "")
	c := fmt.Sprintf("/api/v1/cases/%d", id)
	f.run(t, []apiCase{
		{name: "malformed", method: "POST", path: "/api/v1/cases", as: asHR, body: `{"title":`, want: 400},
		{name: "unknown field", method: "POST", path: "/api/v1/cases", as: asHR, body: `{"title":"x","boss":"y"}`, want: 400, fields: []string{"boss"}},
		{name: "wrong type", method: "POST", path: "/api/v1/cases", as: asHR, body: `{"title":"x","activity_ids":"1"}`, want: 400, fields: []string{"activity_ids"}},
		{name: "not JSON", method: "POST", path: "/api/v1/cases", as: asHR, body: `title=x`, header: []string{"Content-Type", "text/plain"}, want: 415},
		{name: "missing title and activities", method: "POST", path: "/api/v1/cases", as: asHR, body: `{"procedure":"consultation","representatives":["not-an-email"]}`,
			want: 422, fields: []string{"title", "procedure", "representatives[0]"}},
		{name: "unknown activity and user", method: "POST", path: "/api/v1/cases", as: asHR,
			body: `{"title":"x","activity_ids":[999],"representatives":["nobody@example.fi"]}`, want: 422, fields: []string{"activity_ids[0]", "representatives[0]"}},
		{name: "limit", method: "GET", path: "/api/v1/cases?limit=0", as: asHR, want: 400, fields: []string{"limit"}},
		{name: "cursor", method: "GET", path: "/api/v1/cases?cursor=!!", as: asHR, want: 400, fields: []string{"cursor"}},
		{name: "activity filter", method: "GET", path: "/api/v1/cases?activity=x", as: asHR, want: 400, fields: []string{"activity"}},
		{name: "bad times", method: "POST", path: c + "/proposal", as: asHR, body: caseProposalBody("yesterday", "2026-13-01T00:00:00Z", ""), want: 422,
			fields: []string{"delivered_at", "first_meeting_at"}},
		{name: "approval of an unknown meeting", method: "POST", path: c + "/meetings/1/minutes/approvals", as: asHR, body: `{}`, want: 404},
		{name: "bad representative type", method: "PUT", path: c + "/staff-side", as: asHR,
			body: `{"groups":[{"name":"T","representatives":[{"email":"x","type":"boss"}]}]}`, want: 422,
			fields: []string{"groups[0].representatives[0].email", "groups[0].representatives[0].type"}},
		{name: "bad confidentiality document", method: "POST", path: c + "/confidentiality", as: asHR, body: `{"document":"minutes","confidential":true}`,
			want: 422, fields: []string{"document", "told_to"}},
		{name: "withdraw without reason", method: "POST", path: c + "/withdraw", as: asHR, body: `{"reason":" "}`, want: 422, fields: []string{"reason"}},
		{name: "withdraw", method: "POST", path: c + "/withdraw", as: asHR, body: `{"reason":"Hanke peruttu"}`, want: 200, contains: []string{`"status":"withdrawn"`}},
		{name: "a withdrawn case takes no proposal", method: "POST", path: c + "/proposal", as: asHR, body: caseProposalBody(caseDelivered, caseFirstMeeting, ""), want: 409},
	})
	if n := f.count(t, "cases"); n != 1 {
		t.Errorf("%d cases written, want 1", n)
	}
}

// TestAPI_Case_Pagination: lists are newest first with an opaque cursor.
func TestAPI_Case_Pagination(t *testing.T) {
	f := newAPIFixture(t)
	f.apiCaseOrg(t, "private", 60)
	act := f.createActivity(t)
	for i := 0; i < 3; i++ {
		f.apiCaseOpen(t, act, "dialogue", "")
	}
	m := f.apiCaseMust(t, "GET", "/api/v1/cases?limit=2", asHR, "", 200)
	if len(items(m)) != 2 || m["next_cursor"] == nil {
		t.Fatalf("first page: %v", m)
	}
	if id := items(m)[0].(map[string]any)["id"].(float64); id != 3 {
		t.Errorf("first item %v, want the newest (3)", id)
	}
	m = f.apiCaseMust(t, "GET", "/api/v1/cases?limit=2&cursor="+m["next_cursor"].(string), asHR, "", 200)
	if len(items(m)) != 1 || m["next_cursor"] != nil {
		t.Fatalf("last page: %v", m)
	}
}

// TestOpenAPI_CaseSchemas: the case contract's fields are in the OpenAPI
// document, and the inputs refuse unknown fields.
func TestOpenAPI_CaseSchemas(t *testing.T) {
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
		"CaseInput":            {"title", "procedure", "activity_ids", "representatives", "units", "override_reason", "override_detail"},
		"CaseCreated":          {"id", "status", "procedure", "proposed_procedure", "proposal"},
		"ProcedureChoice":      {"procedure", "reason", "lighter", "to_verify"},
		"ProcedureProposal":    {"procedure", "reason", "thresholds", "configuration", "headcount"},
		"InformationInput":     {"subject", "purpose", "methods", "introduction_plan", "first_meeting_at", "place", "delivered_at", "shorter_notice_agreement", "confidential"},
		"MeetingInput":         {"held_at", "place", "participants", "agenda", "minutes_requested", "attended"},
		"MinutesInput":         {"main_content", "outcome", "employer_position", "staff_position", "dissent"},
		"ApprovalInput":        {"approve", "comment", "dissent"},
		"ConcludeInput":        {"conclusion", "concluded_at", "account"},
		"Case":                 {"id", "status", "proposal", "meetings", "initiatives", "comments", "hearing", "conclusion", "confidentiality", "deadlines"},
		"Deadline":             {"rule", "due", "status", "label"},
		"Approval":             {"by", "name", "side", "approve", "comment", "dissent", "at"},
		"StaffSideInput":       {"groups"},
		"ConfidentialityInput": {"document", "confidential", "told_to"},
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
