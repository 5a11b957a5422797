package app_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"vaaka/cooperation"
	"vaaka/monitoring"
)

// webAuthzRow is one web route of the authorization matrix: the roles that may
// use it and the status they get; every other signed-in role gets 403 and an
// anonymous visitor is sent to /login with 303 (unless public).
type webAuthzRow struct {
	method, route string
	path          string
	allow         []string // roles; "*" any signed-in user; "public" anyone
	ok            int      // status for allowed roles; 0: any but 401/403/5xx and not to /login
	over          map[string]int
	form          url.Values
}

// webAuthzExtra adds the rows of a feature's routes to the matrix; a
// feature's test file appends to it in an init function, with the setup its
// rows need. Its browsers are signed in as <role>@example.fi.
var webAuthzExtra []func(t *testing.T, ts *testServer) []webAuthzRow

var webAuthzRoles = []string{"admin", "hr", "dpo", "representative", "supervisor", "employee", "anonymous"}

// TestWebAuthorizationMatrix checks every registered web route against the
// table in COMMON.md, for every role and anonymous. A route without a row
// fails the test.
func TestWebAuthorizationMatrix(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	staff := map[string]string{"supervisor": "S1", "employee": "E1", "representative": "R1"}
	browsers := map[string]*browser{}
	for _, r := range webAuthzRoles[:6] {
		browsers[r] = loggedIn(t, ts, r+"@example.fi", r, staff[r])
	}
	anon := newBrowser(ts)
	anon.get(t, "/login")
	browsers["anonymous"] = anon

	target := ts.addUser(t, "target@example.fi", "Target", "employee", "")
	toks, err := ts.Deps.Accounts.ListTokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var tokenID int64
	for _, tk := range toks {
		if tk.UserID == target.ID {
			tokenID = tk.ID
		}
	}
	if err := ts.Deps.Employees.CreateEmployee(ctx, "test", &monitoring.Employee{StaffID: "E1", Name: "Aino", Unit: "Asiakaspalvelu", Language: monitoring.Finnish, Active: true}); err != nil {
		t.Fatal(err)
	}
	a := seedActivity(t, ts, "Matriisi", "supervisor@example.fi")
	b := seedActivity(t, ts, "Lopetettava", "supervisor@example.fi")
	res, err := ts.Deps.Uses.RecordUses(ctx, []*monitoring.Use{{ActivityID: a.ID, RecordingRef: "REC-M", CallStartedAt: testNow.Add(-time.Hour),
		Direction: monitoring.Inbound, EmployeeStaffIDs: []string{"E1"}, UsedBy: "supervisor@example.fi", Action: monitoring.Listened,
		Purpose: "quality", OccurredAt: testNow.Add(-time.Minute), Source: monitoring.SourceAPI}})
	if err != nil {
		t.Fatal(err)
	}
	useID := res[0].Use.ID
	aid, bid, tid := itoa(a.ID), itoa(b.ID), itoa(target.ID)
	// A co-operation case whose staff side is the representative's (the
	// documents' rows); other representatives would get 404.
	doc := seedDocumentCase(t, ts, "hr@example.fi", "representative@example.fi", true)
	caseReaders := []string{"hr", "dpo", "representative"}
	// The case pages (web_cases.go) use the same case, with an unanswered
	// initiative for the response form.
	cp, cmid := "/cases/"+itoa(doc.CaseID), itoa(doc.MeetingID)
	if err := ts.Deps.Cases.AddInitiative(ctx, "representative@example.fi", doc.CaseID,
		&cooperation.Initiative{Kind: cooperation.KindInitiative, By: "representative@example.fi", Text: "Aloite", ReceivedAt: testNow}, monitoring.Helsinki); err != nil {
		t.Fatal(err)
	}
	caseGot, err := ts.Deps.Cases.FindCase(ctx, doc.CaseID)
	if err != nil || len(caseGot.Initiatives) != 1 {
		t.Fatalf("initiative: %v", err)
	}
	ciid := itoa(caseGot.Initiatives[0].ID)
	caseParticipants := []string{"hr", "representative"}
	// Notices (web_notices.go): an activity of E1's unit whose case is
	// concluded, its notice issued to E1; an access request (web_requests.go).
	na, _ := webConcludedActivity(t, ts, "hr@example.fi", "representative@example.fi", false)
	nn := webIssueNotice(t, ts, na)
	nap, np := "/activities/"+itoa(na.ID), "/notices/"+itoa(nn.ID)
	ar := &monitoring.AccessRequest{Kind: monitoring.RequestByEmployee, StaffID: "E1", Description: "Tallenteet",
		ReceivedOn: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), CreatedBy: "hr@example.fi"}
	if err := ts.Deps.Requests.CreateAccessRequest(ctx, "hr@example.fi", ar); err != nil {
		t.Fatal(err)
	}
	rp := "/requests/" + itoa(ar.ID)
	hrDPO := []string{"hr", "dpo"}
	notRecipient := map[string]int{"admin": 404, "supervisor": 404}

	all := []string{"*"}
	hr := []string{"hr"}
	rows := []webAuthzRow{
		{method: "GET", route: "/healthz", path: "/healthz", allow: []string{"public"}, ok: 200},
		{method: "GET", route: "/", path: "/", allow: all, ok: 303},
		{method: "GET", route: "/login", path: "/login", allow: []string{"public"}, ok: 303, over: map[string]int{"anonymous": 200}},
		{method: "GET", route: "/dashboard", path: "/dashboard", allow: []string{"hr", "dpo"}, ok: 200},
		{method: "GET", route: "/activities", path: "/activities", allow: []string{"hr", "dpo", "representative", "supervisor"}, ok: 200},
		{method: "GET", route: "/activities/new", path: "/activities/new", allow: hr, ok: 200},
		{method: "GET", route: "/activities/:id", path: "/activities/" + aid, allow: []string{"hr", "dpo", "representative", "supervisor"}, ok: 200},
		{method: "GET", route: "/activities/:id/edit", path: "/activities/" + aid + "/edit", allow: hr, ok: 200},
		{method: "GET", route: "/uses", path: "/uses", allow: []string{"hr", "dpo", "supervisor"}, ok: 200},
		{method: "GET", route: "/uses/new", path: "/uses/new", allow: []string{"hr", "supervisor"}, ok: 200},
		{method: "GET", route: "/uses/:id", path: "/uses/" + useID, allow: []string{"hr", "dpo", "supervisor", "employee"}, ok: 200},
		{method: "GET", route: "/recordings", path: "/recordings", allow: []string{"hr", "dpo"}, ok: 200},
		{method: "GET", route: "/employees", path: "/employees", allow: []string{"hr", "dpo"}, ok: 200},
		{method: "GET", route: "/employees/new", path: "/employees/new", allow: hr, ok: 200},
		{method: "GET", route: "/employees/import", path: "/employees/import", allow: hr, ok: 200},
		{method: "GET", route: "/employees/:staff_id/edit", path: "/employees/E1/edit", allow: hr, ok: 200},
		{method: "GET", route: "/units", path: "/units", allow: []string{"hr", "dpo"}, ok: 200},
		{method: "GET", route: "/settings", path: "/settings", allow: all, ok: 200},
		{method: "GET", route: "/admin/users", path: "/admin/users", allow: []string{"admin"}, ok: 200},
		{method: "GET", route: "/admin/users/:id", path: "/admin/users/" + tid, allow: []string{"admin"}, ok: 200},
		{method: "GET", route: "/admin/tokens", path: "/admin/tokens", allow: []string{"admin"}, ok: 200},
		{method: "GET", route: "/account", path: "/account", allow: all, ok: 200},
		{method: "GET", route: "/audit", path: "/audit", allow: []string{"dpo"}, ok: 200},
		{method: "GET", route: "/outbox", path: "/outbox?unsent=1", allow: []string{"hr"}, ok: 200},
		{method: "GET", route: "/me", path: "/me", allow: all, ok: 200},
		{method: "GET", route: "/representative", path: "/representative", allow: []string{"representative"}, ok: 200},
		{method: "GET", route: "/documents/cases/:id/proposal.pdf", path: doc.proposalPath(), allow: caseReaders, ok: 200},
		{method: "GET", route: "/documents/cases/:id/meetings/:meeting_id/minutes.pdf", path: doc.minutesPath(), allow: caseReaders, ok: 200},
		// Wave-3 documents (documents_more.go): the notice for its readers and
		// recipients (others 404), the register extract for the register's
		// readers, E1's own report (hr, dpo and E1), the compliance report.
		{method: "GET", route: "/documents/notices/:id.pdf", path: "/documents/notices/" + itoa(nn.ID) + ".pdf", allow: []string{"hr", "dpo", "representative", "employee"}, ok: 200, over: notRecipient},
		{method: "GET", route: "/documents/register.pdf", path: "/documents/register.pdf", allow: []string{"hr", "dpo", "representative", "supervisor"}, ok: 200},
		{method: "GET", route: "/documents/register.csv", path: "/documents/register.csv", allow: []string{"hr", "dpo", "representative", "supervisor"}, ok: 200},
		{method: "GET", route: "/documents/register.json", path: "/documents/register.json", allow: []string{"hr", "dpo", "representative", "supervisor"}, ok: 200},
		{method: "GET", route: "/documents/employees/:staff_id/report.pdf", path: "/documents/employees/E1/report.pdf", allow: []string{"hr", "dpo", "employee"}, ok: 200},
		{method: "GET", route: "/documents/compliance.pdf", path: "/documents/compliance.pdf?from=2026-11-01&to=2026-11-30", allow: hrDPO, ok: 200},
		{method: "GET", route: "/cases", path: "/cases", allow: caseReaders, ok: 200},
		{method: "GET", route: "/cases/new", path: "/cases/new", allow: hr, ok: 200},
		{method: "GET", route: "/cases/:id", path: cp, allow: caseReaders, ok: 200},
		{method: "GET", route: "/cases/:id/staff-side", path: cp + "/staff-side", allow: hr, ok: 200},
		{method: "GET", route: "/cases/:id/proposal/new", path: cp + "/proposal/new", allow: hr, ok: 200},
		{method: "GET", route: "/cases/:id/meetings/new", path: cp + "/meetings/new", allow: hr, ok: 200},
		{method: "GET", route: "/cases/:id/meetings/:mid/minutes", path: cp + "/meetings/" + cmid + "/minutes", allow: hr, ok: 200},
		{method: "GET", route: "/cases/:id/hearing", path: cp + "/hearing", allow: hr, ok: 200},
		{method: "GET", route: "/cases/:id/confidentiality", path: cp + "/confidentiality", allow: hr, ok: 200},
		{method: "GET", route: "/cases/:id/conclude", path: cp + "/conclude", allow: hr, ok: 200},
		{method: "GET", route: "/cases/:id/withdraw", path: cp + "/withdraw", allow: hr, ok: 200},
		{method: "GET", route: "/activities/:id/notices/new", path: nap + "/notices/new", allow: hr, ok: 200},
		{method: "GET", route: "/activities/:id/callers", path: nap + "/callers", allow: []string{"hr", "dpo", "representative", "supervisor"}, ok: 200},
		{method: "GET", route: "/notices/:id", path: np, allow: all, ok: 200, over: notRecipient},
		{method: "GET", route: "/requests", path: "/requests", allow: hrDPO, ok: 200},
		{method: "GET", route: "/requests/new", path: "/requests/new", allow: hrDPO, ok: 200},
		{method: "GET", route: "/requests/:id", path: rp, allow: hrDPO, ok: 200},

		{method: "POST", route: "/login", path: "/login", allow: []string{"public"}, ok: 422},
		{method: "POST", route: "/lang", path: "/lang", allow: []string{"public"}, ok: 400, form: url.Values{"lang": {"xx"}}},
		{method: "POST", route: "/activities", path: "/activities", allow: hr, ok: 422},
		{method: "POST", route: "/activities/:id/edit", path: "/activities/" + aid + "/edit", allow: hr, ok: 422},
		{method: "POST", route: "/activities/:id/activate", path: "/activities/" + aid + "/activate", allow: hr, ok: 409},
		{method: "POST", route: "/activities/:id/suspend", path: "/activities/" + aid + "/suspend", allow: hr, ok: 409},
		{method: "POST", route: "/activities/:id/retire", path: "/activities/" + bid + "/retire", allow: hr, ok: 303},
		{method: "POST", route: "/uses", path: "/uses", allow: []string{"hr", "supervisor"}, ok: 422},
		{method: "POST", route: "/recordings/deleted", path: "/recordings/deleted", allow: hr, ok: 400},
		{method: "POST", route: "/employees", path: "/employees", allow: hr, ok: 422},
		{method: "POST", route: "/employees/import", path: "/employees/import", allow: hr, ok: 422},
		{method: "POST", route: "/employees/:staff_id/edit", path: "/employees/E1/edit", allow: hr, ok: 422},
		{method: "POST", route: "/units", path: "/units", allow: hr, ok: 422},
		{method: "POST", route: "/settings", path: "/settings", allow: []string{"admin", "hr"}, ok: 422},
		{method: "POST", route: "/admin/users", path: "/admin/users", allow: []string{"admin"}, ok: 422},
		{method: "POST", route: "/admin/users/:id", path: "/admin/users/" + tid, allow: []string{"admin"}, ok: 422},
		{method: "POST", route: "/admin/users/:id/password", path: "/admin/users/" + tid + "/password", allow: []string{"admin"}, ok: 200},
		{method: "POST", route: "/admin/users/:id/deactivate", path: "/admin/users/" + tid + "/deactivate", allow: []string{"admin"}, ok: 303},
		{method: "POST", route: "/admin/tokens", path: "/admin/tokens", allow: []string{"admin"}, ok: 422},
		{method: "POST", route: "/admin/tokens/:id/revoke", path: "/admin/tokens/" + itoa(tokenID) + "/revoke", allow: []string{"admin"}, ok: 303},
		{method: "POST", route: "/account/password", path: "/account/password", allow: all, ok: 422},
		{method: "POST", route: "/audit/verify", path: "/audit/verify", allow: []string{"dpo"}, ok: 200},
		// Case forms: empty or bad input, so that nothing changes (422).
		{method: "POST", route: "/cases", path: "/cases", allow: hr, ok: 422},
		{method: "POST", route: "/cases/:id/staff-side", path: cp + "/staff-side", allow: hr, ok: 422,
			form: url.Values{"groups[0].name": {"Ryhmä"}, "groups[0].representatives[0].email": {"ei-osoite"}}},
		{method: "POST", route: "/cases/:id/proposal", path: cp + "/proposal", allow: hr, ok: 422},
		{method: "POST", route: "/cases/:id/comments", path: cp + "/comments", allow: caseParticipants, ok: 422, form: url.Values{"parent_id": {"1"}}},
		{method: "POST", route: "/cases/:id/initiatives", path: cp + "/initiatives", allow: []string{"representative"}, ok: 422},
		{method: "POST", route: "/cases/:id/initiatives/:iid/response", path: cp + "/initiatives/" + ciid + "/response", allow: hr, ok: 422},
		{method: "POST", route: "/cases/:id/meetings", path: cp + "/meetings", allow: hr, ok: 422},
		{method: "POST", route: "/cases/:id/meetings/:mid/minutes", path: cp + "/meetings/" + cmid + "/minutes", allow: hr, ok: 422},
		{method: "POST", route: "/cases/:id/meetings/:mid/approvals", path: cp + "/meetings/" + cmid + "/approvals", allow: caseParticipants, ok: 422},
		{method: "POST", route: "/cases/:id/hearing", path: cp + "/hearing", allow: hr, ok: 422},
		{method: "POST", route: "/cases/:id/hearing/views", path: cp + "/hearing/views", allow: hr, ok: 422},
		{method: "POST", route: "/cases/:id/confidentiality", path: cp + "/confidentiality", allow: hr, ok: 422},
		{method: "POST", route: "/cases/:id/conclude", path: cp + "/conclude", allow: hr, ok: 422},
		{method: "POST", route: "/cases/:id/withdraw", path: cp + "/withdraw", allow: hr, ok: 422},
		// Notices and requests: empty forms (422), the employee's own
		// acknowledgement and HR's reminder (303).
		{method: "POST", route: "/activities/:id/notices", path: nap + "/notices", allow: hr, ok: 422},
		{method: "POST", route: "/notices/:id/acknowledge", path: np + "/acknowledge", allow: []string{"employee"}, ok: 303},
		{method: "POST", route: "/notices/:id/remind", path: np + "/remind", allow: hr, ok: 303},
		{method: "POST", route: "/requests", path: "/requests", allow: hrDPO, ok: 422},
		{method: "POST", route: "/requests/:id/extend", path: rp + "/extend", allow: hrDPO, ok: 422},
		{method: "POST", route: "/requests/:id/deliver", path: rp + "/deliver", allow: hrDPO, ok: 422},
		{method: "POST", route: "/logout", path: "/logout", allow: all, ok: 303}, // last: ends the sessions
	}

	// The rows of features' own test files (webAuthzExtra) go before the
	// logout row, which must stay last.
	logout := rows[len(rows)-1]
	rows = rows[:len(rows)-1]
	for _, extra := range webAuthzExtra {
		rows = append(rows, extra(t, ts)...)
	}
	rows = append(rows, logout)

	// Every registered web route has a row.
	have := map[string]bool{}
	for _, r := range rows {
		have[r.method+" "+r.route] = true
	}
	seen := map[string]bool{}
	for _, r := range ts.App().GetRoutes(true) {
		if r.Method == http.MethodHead || strings.HasPrefix(r.Path, "/api/") || strings.HasPrefix(r.Path, "/static") {
			continue
		}
		key := r.Method + " " + r.Path
		if seen[key] {
			continue
		}
		seen[key] = true
		if !have[key] {
			t.Errorf("route %s has no row in the authorization matrix", key)
		}
	}
	for key := range have {
		if !seen[key] {
			t.Errorf("matrix row %s matches no registered route", key)
		}
	}

	for _, row := range rows {
		for _, role := range webAuthzRoles {
			b := browsers[role]
			var resp *http.Response
			var body string
			if row.method == http.MethodGet {
				resp, body = b.get(t, row.path)
			} else {
				form := url.Values{}
				for k, v := range row.form {
					form[k] = v
				}
				resp, body = b.post(t, row.path, form)
			}
			got := resp.StatusCode
			loc := resp.Header.Get("Location")
			if got == http.StatusOK && strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
				// Every page: one h1, a language, no unsafe values the escaper refused.
				if strings.Count(body, "<h1") != 1 || !strings.Contains(body, `<html lang="`) || strings.Contains(body, "ZgotmplZ") {
					t.Errorf("%s %s as %s: malformed page", row.method, row.path, role)
				}
			}
			allowed := slices.Contains(row.allow, "public") || slices.Contains(row.allow, role) ||
				(slices.Contains(row.allow, "*") && role != "anonymous")
			want, ok := row.over[role]
			switch {
			case ok:
			case allowed:
				want = row.ok
			case role == "anonymous":
				want = http.StatusSeeOther
				if !strings.HasPrefix(loc, "/login") {
					t.Errorf("%s %s as anonymous: Location %q, want /login", row.method, row.path, loc)
				}
			default:
				want = http.StatusForbidden
			}
			if want == 0 {
				if got == 401 || got == 403 || got >= 500 || strings.HasPrefix(loc, "/login") {
					t.Errorf("%s %s as %s: status %d (Location %q), want allowed", row.method, row.path, role, got, loc)
				}
				continue
			}
			if got != want {
				if len(body) > 600 {
					body = body[:600]
				}
				t.Errorf("%s %s as %s: status %d, want %d (Location %q)\n%s", row.method, row.path, role, got, want, loc, body)
			}
		}
	}
}
