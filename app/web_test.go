package app_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"vaaka/app"
	"vaaka/monitoring"
)

func TestWebRoleHomes(t *testing.T) {
	ts := newTestServer(t)
	cases := []struct{ email, roles, staff, home string }{
		{"hr@example.fi", "hr", "", "/dashboard"},
		{"dpo@example.fi", "dpo", "", "/dashboard"},
		{"sup@example.fi", "supervisor,employee", "S1", "/uses"},
		{"rep@example.fi", "representative,employee", "R1", "/representative"},
		{"emp@example.fi", "employee", "E1", "/me"},
		{"admin@example.fi", "admin", "", "/admin/users"},
	}
	for _, c := range cases {
		t.Run(c.roles, func(t *testing.T) {
			b := loggedIn(t, ts, c.email, c.roles, c.staff)
			resp, body := b.get(t, "/")
			wantStatus(t, resp, body, http.StatusSeeOther)
			if got := resp.Header.Get("Location"); got != c.home {
				t.Fatalf("home = %q, want %q", got, c.home)
			}
			resp, body = b.get(t, c.home)
			wantStatus(t, resp, body, http.StatusOK)
			wantContains(t, body, `lang="fi"`, `href="#main"`, "ei oikeudellinen neuvo")
		})
	}
	// Anonymous visitors are sent to the login page.
	resp, body := newBrowser(ts).get(t, "/dashboard")
	wantStatus(t, resp, body, http.StatusSeeOther)
	if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, "/login") {
		t.Fatalf("Location %q", loc)
	}
}

// TestWebNavigationByRole: navigation shows only what the roles allow.
func TestWebNavigationByRole(t *testing.T) {
	ts := newTestServer(t)
	emp := loggedIn(t, ts, "emp@example.fi", "employee", "E1")
	_, body := emp.get(t, "/me")
	wantContains(t, body, `href="/me"`, "https://www.finlex.fi/fi/laki/ajantasa/2004/20040759")
	for _, no := range []string{`href="/dashboard"`, `href="/activities"`, `href="/admin/users"`, `href="/employees"`} {
		if strings.Contains(body, no) {
			t.Errorf("employee nav shows %s", no)
		}
	}
	admin := loggedIn(t, ts, "admin@example.fi", "admin", "")
	_, body = admin.get(t, "/admin/users")
	wantContains(t, body, `href="/admin/tokens"`, `href="/settings"`)
	for _, no := range []string{`href="/uses"`, `href="/dashboard"`, `href="/employees"`} {
		if strings.Contains(body, no) {
			t.Errorf("admin nav shows %s", no)
		}
	}
}

// activityForm is a complete activity as the HR form posts it.
func activityForm(name string) url.Values {
	return url.Values{
		"name": {name}, "description": {"Asiakaspalvelun puhelut tallennetaan laadun valmentamiseen."},
		"method": {"call_recording"}, "system": {"Puhelinvaihde X"},
		"directions":              {"inbound", "outbound"},
		"queues":                  {"Asiakaspalvelu\n0800 123 456"},
		"purposes[0].code":        {"quality_coaching"},
		"purposes[0].description": {"Laadun valmentaminen"},
		"purposes[1].code":        {""}, "purposes[1].description": {""},
		"purposes[2].code": {"dispute"}, "purposes[2].description": {"Riitojen selvittäminen"},
		"lawful_basis": {"legitimate_interests"}, "lawful_basis_detail": {"Oikeutettu etu: palvelun laatu."},
		"necessity.category": {"rights_and_obligations"}, "necessity.justification": {"Tarpeen työsuhteen kannalta."},
		"necessity.alternatives": {"Kuuntelu paikan päällä ei riitä."}, "necessity.proportionality": {"Otanta 2 %."},
		"data_categories": {"voice", "call_metadata"}, "data_categories_other": {"arviointilomake"},
		"special_categories.notes":  {"Terveystietoja voi tulla esiin; ne ohitetaan."},
		"business_lines_only":       {"1"},
		"authorized_users[0].email": {"sup@example.fi"}, "authorized_users[0].task": {"Tiiminvetäjä"},
		"retention_days": {"90"}, "retention_criteria": {"90 päivää puhelusta"},
		"caller_information.inbound.fi":         {"Puhelu tallennetaan laadun varmistamiseksi."},
		"caller_information.outbound.fi":        {"Puhelu tallennetaan."},
		"caller_information.ivr_placement":      {"Ennen jonoa"},
		"caller_information.privacy_notice_url": {"https://example.fi/tietosuoja"},
		"dpia.required":                         {"yes"}, "dpia.completed_on": {"2026-10-01"}, "dpia.summary": {"Riskit pienet."},
		"recipients": {"Ei luovutuksia"}, "transfers": {"Ei siirtoja"}, "security_measures": {"Pääsynhallinta"},
		"review_on": {"2027-11-01"},
	}
}

var activityPath = regexp.MustCompile(`^/activities/(\d+)`)

// TestWebActivityCreate: HR creates an activity through the form and sees
// its readiness checklist with rule ids (R-SEQ-1) and its history.
func TestWebActivityCreate(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	if err := ts.Deps.Employees.CreateUnit(ctx, "test", "Asiakaspalvelu"); err != nil {
		t.Fatal(err)
	}
	hr := loggedIn(t, ts, "hr@example.fi", "hr", "")
	resp, body := hr.get(t, "/activities/new")
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, `name="purposes[4].code"`, `name="authorized_users[0].email"`, `name="caller_information.outbound.sv"`,
		`name="dpia.completed_on"`, `name="units" value="Asiakaspalvelu"`, "<legend>")
	f := activityForm("Asiakaspalvelun puhelujen tallentaminen")
	f.Set("units", "Asiakaspalvelu")
	resp, body = hr.post(t, "/activities", f)
	wantStatus(t, resp, body, http.StatusSeeOther)
	m := activityPath.FindStringSubmatch(resp.Header.Get("Location"))
	if m == nil {
		t.Fatalf("Location %q", resp.Header.Get("Location"))
	}
	resp, body = hr.get(t, "/activities/"+m[1])
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, "Käyttöönoton edellytykset", "R-LAW-1", "R-NEC-1", "R-COOP-10", "R-NOT-1",
		"Ei täyty", "Täyttyy", "Muutoshistoria", "hr@example.fi", "dispute")
	a, err := ts.Deps.Register.FindActivity(ctx, mustInt(t, m[1]))
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Purposes) != 2 || a.Purposes[1].Code != "dispute" || !a.BusinessLinesOnly || a.RetentionDays != 90 ||
		len(a.DataCategories) != 3 || a.CallerInformation.Inbound[monitoring.Finnish] == "" || a.DPIA.CompletedOn.IsZero() ||
		len(a.Units) != 1 || len(a.Queues) != 2 || len(a.AuthorizedUsers) != 1 {
		t.Fatalf("stored activity = %+v", a)
	}

	// Edit through the form: the history shows the change.
	f.Set("retention_days", "60")
	resp, body = hr.post(t, "/activities/"+m[1]+"/edit", f)
	wantStatus(t, resp, body, http.StatusSeeOther)
	_, body = hr.get(t, "/activities/"+m[1])
	wantContains(t, body, "Säilytysaika (päivää)")

	// R-SEQ-1: activation is refused with the unmet rules and 409.
	resp, body = hr.post(t, "/activities/"+m[1]+"/activate", nil)
	wantStatus(t, resp, body, http.StatusConflict)
	wantContains(t, body, "R-COOP-10", "R-SEQ-1", "ei voitu ottaa käyttöön")

	// The register list shows it with its status.
	_, body = hr.get(t, "/activities")
	wantContains(t, body, "Asiakaspalvelun puhelujen tallentaminen", "Luonnos")
}

func mustInt(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestWebActivityFormErrors: a form with errors re-renders with 422, names
// the field in Finnish next to it and in the summary, and keeps the input.
func TestWebActivityFormErrors(t *testing.T) {
	ts := newTestServer(t)
	hr := loggedIn(t, ts, "hr@example.fi", "hr", "")
	f := activityForm("")
	f.Set("retention_days", "yhdeksänkymmentä")
	f.Set("authorized_users[0].email", "ei-osoite")
	resp, body := hr.post(t, "/activities", f)
	wantStatus(t, resp, body, http.StatusUnprocessableEntity)
	wantContains(t, body, "Korjaa seuraavat kohdat", "Kenttä Nimi on pakollinen.", `href="#f-name"`,
		`id="f-name-err"`, "Säilytysaika (päivää)", "yhdeksänkymmentä", "ei-osoite", "Laadun valmentaminen", `aria-invalid="true"`)
	items, _, err := ts.Deps.Register.ListActivities(context.Background(), monitoring.ActivityFilter{})
	if err != nil || len(items) != 0 {
		t.Fatalf("activities written: %d, %v", len(items), err)
	}
	// In Swedish the field is named in Swedish.
	resp, body = hr.post(t, "/activities?lang=sv", f)
	wantStatus(t, resp, body, http.StatusUnprocessableEntity)
	wantContains(t, body, "Namn")
}

// TestWebCSRF: a POST without the token, or with another session's token,
// is refused with 403 and changes nothing.
func TestWebCSRF(t *testing.T) {
	ts := newTestServer(t)
	hr := loggedIn(t, ts, "hr@example.fi", "hr", "")
	other := loggedIn(t, ts, "hr2@example.fi", "hr", "")
	f := activityForm("CSRF")
	f.Set("_csrf", "")
	resp, body := hr.post(t, "/activities", f)
	wantStatus(t, resp, body, http.StatusForbidden)
	f.Set("_csrf", other.csrf)
	resp, body = hr.post(t, "/activities", f)
	wantStatus(t, resp, body, http.StatusForbidden)
	f.Del("_csrf")
	f.Set("_csrf", hr.csrf)
	resp, body = hr.post(t, "/activities", f)
	wantStatus(t, resp, body, http.StatusSeeOther)
	items, _, _ := ts.Deps.Register.ListActivities(context.Background(), monitoring.ActivityFilter{})
	if len(items) != 1 {
		t.Fatalf("%d activities, want 1", len(items))
	}
	// The login form needs its pre-session token too.
	anon := newBrowser(ts)
	anon.get(t, "/login")
	resp, body = anon.post(t, "/login", url.Values{"_csrf": {"forged"}, "email": {"hr@example.fi"}, "password": {testPassword}})
	wantStatus(t, resp, body, http.StatusForbidden)
	// Logout without a token is refused as well.
	resp, body = hr.post(t, "/logout", url.Values{"_csrf": {""}})
	wantStatus(t, resp, body, http.StatusForbidden)
}

// TestSessionRotatedAtLogin: a new session id at login, the old one is gone.
func TestSessionRotatedAtLogin(t *testing.T) {
	ts := newTestServer(t)
	ts.addUser(t, "hr@example.fi", "HR", "hr", "")
	b := newBrowser(ts)
	b.login(t, "hr@example.fi")
	first := b.cookies["vaaka_session"]
	b.login(t, "hr@example.fi")
	second := b.cookies["vaaka_session"]
	if first == "" || first == second {
		t.Fatalf("session not rotated: %q %q", first, second)
	}
	old := newBrowser(ts)
	old.cookies["vaaka_session"] = first
	resp, body := old.get(t, "/account")
	wantStatus(t, resp, body, http.StatusSeeOther)
	if _, _, err := ts.Deps.Accounts.FindSession(context.Background(), app.HashSecret(first)); monitoring.ErrorCodeOf(err) != monitoring.NotFound {
		t.Fatalf("old session still stored: %v", err)
	}
}

// TestLogoutInvalidatesSession: the session is deleted server-side, so the
// old cookie no longer works.
func TestLogoutInvalidatesSession(t *testing.T) {
	ts := newTestServer(t)
	b := loggedIn(t, ts, "hr@example.fi", "hr", "")
	cookie := b.cookies["vaaka_session"]
	resp, body := b.post(t, "/logout", nil)
	wantStatus(t, resp, body, http.StatusSeeOther)
	replay := newBrowser(ts)
	replay.cookies["vaaka_session"] = cookie
	resp, body = replay.get(t, "/dashboard")
	wantStatus(t, resp, body, http.StatusSeeOther)
	entries, _, err := ts.Deps.Audit.ListAudit(context.Background(), monitoring.AuditFilter{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	var in, out bool
	for _, e := range entries {
		in = in || e.Action == "session.login"
		out = out || e.Action == "session.logout"
	}
	if !in || !out {
		t.Fatalf("audit lacks login/logout: %v %v", in, out)
	}
}

// TestLoginNoEnumerationAndThrottle: unknown email and wrong password get
// the same answer; after 5 failures the account is blocked (429) even with
// the right password.
func TestLoginNoEnumerationAndThrottle(t *testing.T) {
	ts := newTestServer(t)
	ts.addUser(t, "hr@example.fi", "HR", "hr", "")
	b := newBrowser(ts)
	b.get(t, "/login")
	resp1, body1 := b.post(t, "/login", url.Values{"email": {"nobody@example.fi"}, "password": {"wrong password 1"}})
	resp2, body2 := b.post(t, "/login", url.Values{"email": {"HR@example.fi"}, "password": {"wrong password 1"}})
	wantStatus(t, resp1, body1, http.StatusUnauthorized)
	wantStatus(t, resp2, body2, http.StatusUnauthorized)
	wantContains(t, body1, "Sähköpostiosoite tai salasana on väärä.")
	wantContains(t, body2, "Sähköpostiosoite tai salasana on väärä.")
	for i := 0; i < 4; i++ {
		b.post(t, "/login", url.Values{"email": {"hr@example.fi"}, "password": {"wrong"}})
	}
	resp, body := b.post(t, "/login", url.Values{"email": {"hr@example.fi"}, "password": {testPassword}})
	wantStatus(t, resp, body, http.StatusTooManyRequests)
	wantContains(t, body, "Liian monta")
	// Another account from another address still works.
	ts.addUser(t, "dpo@example.fi", "DPO", "dpo", "")
	c := newBrowser(ts)
	c.ip = "192.0.2.99"
	c.login(t, "dpo@example.fi")
	entries, _, _ := ts.Deps.Audit.ListAudit(context.Background(), monitoring.AuditFilter{Limit: 100})
	failed := 0
	for _, e := range entries {
		if e.Action == "session.login_failed" {
			failed++
		}
	}
	if failed < 6 {
		t.Fatalf("%d login failures audited, want ≥ 6", failed)
	}
}

// TestSessionIdleTimeout: a session idle longer than SessionIdle ends.
func TestSessionIdleTimeout(t *testing.T) {
	ts := newTestServer(t)
	ts.addUser(t, "hr@example.fi", "HR", "hr", "")
	clock := testNow
	deps := ts.Deps
	deps.Now = func() time.Time { return clock }
	srv, err := app.New(app.DefaultConfig(), deps)
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(&testServer{Server: srv, DB: ts.DB, Deps: deps, tokens: ts.tokens})
	b.login(t, "hr@example.fi")
	clock = clock.Add(20 * time.Minute)
	resp, body := b.get(t, "/dashboard")
	wantStatus(t, resp, body, http.StatusOK)
	clock = clock.Add(31 * time.Minute)
	resp, body = b.get(t, "/dashboard")
	wantStatus(t, resp, body, http.StatusSeeOther)
}

// seedActivity stores an activity with a purpose and an authorised user.
func seedActivity(t *testing.T, ts *testServer, name string, authorized ...string) *monitoring.Activity {
	t.Helper()
	a := &monitoring.Activity{Name: name, Method: monitoring.CallRecording, Directions: []monitoring.Direction{monitoring.Inbound},
		Purposes: []monitoring.Purpose{{Code: "quality", Description: "Laatu"}}, Units: []string{"Asiakaspalvelu"}, RetentionDays: 90}
	for _, e := range authorized {
		a.AuthorizedUsers = append(a.AuthorizedUsers, monitoring.AuthorizedUser{Email: e, Task: "Tiiminvetäjä"})
	}
	if err := ts.Deps.Register.CreateActivity(context.Background(), "test", a); err != nil {
		t.Fatal(err)
	}
	return a
}

// TestWebSupervisorRecordsUse: the supervisor's short form records a use
// and the answer shows its flags with their rule ids (R-LOG-1, R-SEQ-1).
func TestWebSupervisorRecordsUse(t *testing.T) {
	ts := newTestServer(t)
	a := seedActivity(t, ts, "Laatuvalmennus", "sup@example.fi")
	sup := loggedIn(t, ts, "sup@example.fi", "supervisor", "")
	resp, body := sup.get(t, "/uses/new")
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, `name="activity_id"`, `name="recording_ref"`, `name="call_date"`, `name="call_time"`,
		`name="direction"`, `name="employee_staff_ids"`, `name="action"`, `name="purpose"`, `name="note"`, `name="external_id"`, "Laatuvalmennus")
	ext := regexp.MustCompile(`name="external_id" value="([^"]+)"`).FindStringSubmatch(body)[1]
	form := url.Values{"external_id": {ext}, "activity_id": {itoa(a.ID)}, "recording_ref": {"REC-1"},
		"call_date": {"2026-11-26"}, "call_time": {"14.30"}, "direction": {"inbound"},
		"employee_staff_ids": {"E1, E2"}, "action": {"listened"}, "purpose": {"quality"}, "note": {"Valmennus"}}
	resp, body = sup.post(t, "/uses", form)
	wantStatus(t, resp, body, http.StatusSeeOther)
	loc := resp.Header.Get("Location")
	resp, body = sup.get(t, loc)
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, "Valvontamenettely ei ollut käytössä", "R-SEQ-1", "R-NOT-1", "REC-1", "E1, E2", "26.11.2026 14.30", "Tiiminvetäjä")
	// A double submit returns the same use and writes nothing new.
	resp2, _ := sup.post(t, "/uses", form)
	if resp2.Header.Get("Location") != loc {
		t.Fatalf("double submit: %q vs %q", resp2.Header.Get("Location"), loc)
	}
	uses, _, err := ts.Deps.Uses.ListUses(context.Background(), monitoring.UseFilter{})
	if err != nil || len(uses) != 1 || uses[0].UsedBy != "sup@example.fi" || uses[0].Source != monitoring.SourceWeb {
		t.Fatalf("uses = %+v, %v", uses, err)
	}
	// The supervisor's list shows it.
	_, body = sup.get(t, "/uses")
	wantContains(t, body, "Laatuvalmennus", "E1, E2")
	// Bad input re-renders with 422 naming the field.
	form.Set("call_date", "eilen")
	form.Set("employee_staff_ids", "")
	resp, body = sup.post(t, "/uses", form)
	wantStatus(t, resp, body, http.StatusUnprocessableEntity)
	wantContains(t, body, "Puhelun päivämäärä", "Työntekijät (henkilönumerot)", "eilen")
}

// TestWebUseLogReadAudited_R_LOG_1: HR listing one employee's uses is
// recorded in the audit trail; the employee's own view is not.
func TestWebUseLogReadAudited_R_LOG_1(t *testing.T) {
	ts := newTestServer(t)
	a := seedActivity(t, ts, "Laatu", "sup@example.fi")
	_, err := ts.Deps.Uses.RecordUses(context.Background(), []*monitoring.Use{{ActivityID: a.ID, RecordingRef: "R1",
		CallStartedAt: testNow.Add(-time.Hour), Direction: monitoring.Inbound, EmployeeStaffIDs: []string{"E1"},
		UsedBy: "sup@example.fi", Action: monitoring.Listened, Purpose: "quality", OccurredAt: testNow.Add(-time.Minute), Source: monitoring.SourceAPI}})
	if err != nil {
		t.Fatal(err)
	}
	hr := loggedIn(t, ts, "hr@example.fi", "hr", "")
	resp, body := hr.get(t, "/uses?employee=E1")
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, "E1", "Laatu")
	emp := loggedIn(t, ts, "emp@example.fi", "employee", "E1")
	resp, body = emp.get(t, "/me")
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, "Kuunneltu", "quality", "sup", "Tiiminvetäjä")
	entries, _, _ := ts.Deps.Audit.ListAudit(context.Background(), monitoring.AuditFilter{Limit: 100})
	reads := 0
	for _, e := range entries {
		if e.Action == "use_log.read" {
			reads++
			if e.Actor != "hr@example.fi" || e.EntityID != "E1" {
				t.Fatalf("audit entry %+v", e)
			}
		}
	}
	if reads != 1 {
		t.Fatalf("%d use_log.read entries, want 1", reads)
	}
}

// TestWebEmployeeImportDryRun: bad lines are listed by number and field in
// the user's language, and nothing is written until the file is clean.
func TestWebEmployeeImportDryRun(t *testing.T) {
	ts := newTestServer(t)
	hr := loggedIn(t, ts, "hr@example.fi", "hr", "")
	hr.get(t, "/employees/import")
	bad := "\ufeffhenkilönumero;nimi;sähköposti;yksikkö;kieli\nE1;Aino Virtanen;aino@example.fi;Asiakaspalvelu;fi\nE2;;ei-osoite;Asiakaspalvelu;fi\nE3;Erik;erik@example.fi;Myynti;de\n"
	resp, body := hr.postFile(t, "/employees/import", map[string]string{"mode": "dry_run"}, "file", "henkilot.csv", bad)
	wantStatus(t, resp, body, http.StatusUnprocessableEntity)
	wantContains(t, body, "Virheelliset rivit", "<th scope=\"row\" class=\"num\">3</th>", "<th scope=\"row\" class=\"num\">4</th>", "Nimi", "Mitään ei tallennettu")
	emps, _, err := ts.Deps.Employees.ListEmployees(context.Background(), monitoring.EmployeeFilter{})
	if err != nil || len(emps) != 0 {
		t.Fatalf("employees written on a bad file: %d %v", len(emps), err)
	}
	// A clean file: the dry run offers the Import button with the content.
	good := "staff_id,name,email,unit,language\nE1,Aino Virtanen,aino@example.fi,Asiakaspalvelu,fi\nE2,Erik Lund,erik@example.fi,Kundtjänst,sv\n"
	resp, body = hr.postFile(t, "/employees/import", map[string]string{"mode": "dry_run"}, "file", "ok.csv", good)
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, "Tiedosto on kunnossa", `name="mode" value="import"`, "Aino Virtanen")
	emps, _, _ = ts.Deps.Employees.ListEmployees(context.Background(), monitoring.EmployeeFilter{})
	if len(emps) != 0 {
		t.Fatal("dry run wrote employees")
	}
	resp, body = hr.post(t, "/employees/import", url.Values{"mode": {"import"}, "content": {good}})
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, "2 uutta")
	emps, _, _ = ts.Deps.Employees.ListEmployees(context.Background(), monitoring.EmployeeFilter{})
	if len(emps) != 2 {
		t.Fatalf("%d employees after import", len(emps))
	}
}

// TestWebLanguageSwitch: the choice is stored on the signed-in user.
func TestWebLanguageSwitch(t *testing.T) {
	ts := newTestServer(t)
	hr := loggedIn(t, ts, "hr@example.fi", "hr", "")
	resp, body := hr.post(t, "/lang", url.Values{"lang": {"sv"}, "next": {"/activities"}})
	wantStatus(t, resp, body, http.StatusSeeOther)
	if resp.Header.Get("Location") != "/activities" {
		t.Fatalf("Location %q", resp.Header.Get("Location"))
	}
	_, body = hr.get(t, "/activities")
	wantContains(t, body, `lang="sv"`, "Register över övervakningsåtgärder", "inte juridisk rådgivning")
	u, err := ts.Deps.Accounts.FindUserByEmail(context.Background(), "hr@example.fi")
	if err != nil || u.Language != monitoring.Swedish {
		t.Fatalf("language not stored: %v %v", u, err)
	}
	// Anonymous: ?lang= is remembered in a cookie.
	anon := newBrowser(ts)
	_, body = anon.get(t, "/login?lang=en")
	wantContains(t, body, `lang="en"`, "not legal advice")
	_, body = anon.get(t, "/login")
	wantContains(t, body, `lang="en"`)
}

// TestWebStaticCaching: static files carry a long Cache-Control, pages none.
func TestWebStaticCaching(t *testing.T) {
	ts := newTestServer(t)
	b := newBrowser(ts)
	resp, body := b.get(t, "/login")
	m := regexp.MustCompile(`href="(/static/app\.css\?v=[0-9a-f]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no stylesheet link")
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Fatalf("page Cache-Control %q", cc)
	}
	resp, body = b.get(t, m[1])
	wantStatus(t, resp, body, http.StatusOK)
	if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age=31536000") {
		t.Fatalf("static Cache-Control %q", cc)
	}
}

// TestWebDates: dates and times as Finns write them, in Helsinki time.
func TestWebDates(t *testing.T) {
	ts := newTestServer(t)
	a := seedActivity(t, ts, "Päivät", "sup@example.fi")
	if _, err := ts.Deps.Register.UpdateActivity(context.Background(), "test", a.ID, func(x *monitoring.Activity) error {
		x.ReviewOn = time.Date(2027, 11, 27, 0, 0, 0, 0, time.UTC)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	hr := loggedIn(t, ts, "hr@example.fi", "hr", "")
	_, body := hr.get(t, "/activities")
	wantContains(t, body, "27.11.2027")
	_, body = hr.get(t, "/activities?lang=en")
	wantContains(t, body, "27 Nov 2027")
	// testNow is 10:00 UTC = 12.00 in Helsinki.
	_, body = hr.get(t, "/activities/"+itoa(a.ID))
	wantContains(t, body, "27.11.2026 12.00")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
