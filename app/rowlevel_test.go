package app_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"vaaka/monitoring"
)

// Row-level denials the role matrices (authz_web_test.go, authz_api_test.go)
// do not decide: the rows belong to someone else. Every denial is checked for
// its status and for not leaking the row: the answer carries neither the
// other person's name nor the use's note nor its recording.

// rowLevelFixture is the notice seed (E1, E2 in Asiakaspalvelu, E3 in
// Myynti; the notice issued to E1 and E2) with one use of E1's call made by
// sup@example.fi and one made by sup2@example.fi.
type rowLevelFixture struct {
	ts                 *testServer
	notice             int64
	activity           int64
	useSup, useSup2    string
	secrets, secrets2  []string // what must not leak about each use
	caseID             int64
	activityName, name string
}

const (
	rowNote1 = "SALAINEN-MUISTIINPANO-YKSI"
	rowNote2 = "SALAINEN-MUISTIINPANO-KAKSI"
)

func newRowLevelFixture(t *testing.T) *rowLevelFixture {
	t.Helper()
	ts := newTestServer(t)
	ts.addUser(t, "hr@example.fi", "Hilkka Henkilöstö", "hr", "")
	a, cs := webNoticeSeed(t, ts, "hr@example.fi", false)
	n := webIssueNotice(t, ts, a)
	ts.addUser(t, "sup@example.fi", "Sari Esihenkilö", "supervisor", "")
	ts.addUser(t, "sup2@example.fi", "Pekka Toinen", "supervisor", "")
	ts.addUser(t, "emp@example.fi", "Aino Äijälä", "employee", "E1")
	ts.addUser(t, "other@example.fi", "Olli Muualla", "employee", "E3")
	ts.addUser(t, "admin@example.fi", "Aino Admin", "admin", "")
	res, err := ts.Deps.Uses.RecordUses(context.Background(), []*monitoring.Use{
		{ActivityID: a.ID, RecordingRef: "REC-RIVI-1", CallStartedAt: testNow.Add(-time.Hour), Direction: monitoring.Inbound,
			EmployeeStaffIDs: []string{"E1"}, UsedBy: "sup@example.fi", Action: monitoring.Listened, Purpose: "quality",
			Note: rowNote1, OccurredAt: testNow.Add(-time.Minute), Source: monitoring.SourceAPI},
		{ActivityID: a.ID, RecordingRef: "REC-RIVI-2", CallStartedAt: testNow.Add(-time.Hour), Direction: monitoring.Inbound,
			EmployeeStaffIDs: []string{"E1"}, UsedBy: "sup2@example.fi", Action: monitoring.Listened, Purpose: "quality",
			Note: rowNote2, OccurredAt: testNow.Add(-time.Minute), Source: monitoring.SourceAPI},
	})
	if err != nil {
		t.Fatal(err)
	}
	return &rowLevelFixture{ts: ts, notice: n.ID, activity: a.ID, caseID: cs.ID,
		useSup: res[0].Use.ID, useSup2: res[1].Use.ID, activityName: a.Name, name: "Aino Äijälä",
		secrets:  []string{rowNote1, "REC-RIVI-1", "Aino Äijälä"},
		secrets2: []string{rowNote2, "REC-RIVI-2", "Aino Äijälä", "Pekka Toinen"}}
}

// rowDenial is one request that must be refused with want.
type rowDenial struct {
	path   string
	api    bool // bearer token instead of the browser session
	want   int
	absent []string
}

func (f *rowLevelFixture) deny(t *testing.T, as string, b *browser, cases []rowDenial) {
	t.Helper()
	for _, c := range cases {
		var resp *http.Response
		var body string
		if c.api {
			resp = f.ts.do(t, "GET", c.path, as, "")
			body = readBody(t, resp)
		} else {
			resp, body = b.get(t, c.path)
		}
		if resp.StatusCode != c.want {
			t.Errorf("%s GET %s (api %v): %d, want %d\n%.400s", as, c.path, c.api, resp.StatusCode, c.want, body)
		}
		for _, s := range c.absent {
			if strings.Contains(body, s) {
				t.Errorf("%s GET %s (api %v): the denial leaks %q", as, c.path, c.api, s)
			}
		}
	}
}

// TestRowLevel_EmployeeOnAnother_R_LOG_1: an employee (E3) does not see the
// notice E1 received, its PDF, E1's report or E1's uses — and no denial
// tells what they hold.
func TestRowLevel_EmployeeOnAnother_R_LOG_1(t *testing.T) {
	f := newRowLevelFixture(t)
	b := newBrowser(f.ts)
	b.login(t, "other@example.fi")
	noticeSecrets := append([]string{webNoticeConclusion, "esihenkilö kuuntelee otoksen"}, f.secrets...)
	leak := append(append([]string{}, f.secrets...), f.secrets2...)
	f.deny(t, "other@example.fi", b, []rowDenial{
		{path: "/notices/" + itoa(f.notice), want: 404, absent: noticeSecrets},
		{path: "/documents/notices/" + itoa(f.notice) + ".pdf", want: 404, absent: noticeSecrets},
		{path: "/documents/employees/E1/report.pdf", want: 403, absent: leak},
		{path: "/uses?employee=E1", want: 403, absent: leak},
		{path: "/uses/" + f.useSup, want: 404, absent: leak},
		{path: "/uses/" + f.useSup2, want: 404, absent: leak},
		{path: "/api/v1/uses/" + f.useSup, api: true, want: 404, absent: leak},
		{path: "/api/v1/me/notices/" + itoa(f.notice), api: true, want: 404, absent: noticeSecrets},
	})
	// Their own list is empty of E1's rows.
	resp, body := b.get(t, "/me")
	wantStatus(t, resp, body, http.StatusOK)
	for _, s := range leak {
		if strings.Contains(body, s) {
			t.Errorf("/me of E3 shows %q", s)
		}
	}
	// The recipient sees the same pages (the denials above are row-level).
	e1 := newBrowser(f.ts)
	e1.login(t, "emp@example.fi")
	for _, p := range []string{"/notices/" + itoa(f.notice), "/documents/employees/E1/report.pdf", "/uses/" + f.useSup} {
		if resp, body := e1.get(t, p); resp.StatusCode != http.StatusOK {
			t.Errorf("E1 GET %s: %d\n%.300s", p, resp.StatusCode, body)
		}
	}
}

// TestRowLevel_RepresentativeOnLog_R_LOG_1: a representative reads the
// register, never an individual's use log, on the web or the API.
func TestRowLevel_RepresentativeOnLog_R_LOG_1(t *testing.T) {
	f := newRowLevelFixture(t)
	b := newBrowser(f.ts)
	b.login(t, "rep@example.fi")
	leak := append(append([]string{}, f.secrets...), f.secrets2...)
	f.deny(t, "rep@example.fi", b, []rowDenial{
		{path: "/uses", want: 403, absent: leak},
		{path: "/uses?employee=E1", want: 403, absent: leak},
		{path: "/uses/" + f.useSup, want: 403, absent: leak},
		{path: "/documents/employees/E1/report.pdf", want: 403, absent: leak},
		{path: "/api/v1/uses?employee=E1", api: true, want: 403, absent: leak},
		{path: "/api/v1/uses/" + f.useSup, api: true, want: 403, absent: leak},
	})
	// Refused reads are not audited as reads of the log.
	es, _, err := f.ts.Deps.Audit.ListAudit(context.Background(), monitoring.AuditFilter{Entity: "employee", EntityID: "E1", Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if e.Action == "use_log.read" && e.Actor == "rep@example.fi" {
			t.Errorf("a refused read was audited as a read: %+v", e)
		}
	}
}

// TestRowLevel_SupervisorOnAnothersUses: a supervisor sees only the uses
// they made; another supervisor's use is 404 on the web and the API, a
// list filtered by the other supervisor is 403 on the API and shows only
// their own on the web.
func TestRowLevel_SupervisorOnAnothersUses(t *testing.T) {
	f := newRowLevelFixture(t)
	b := newBrowser(f.ts)
	b.login(t, "sup@example.fi")
	f.deny(t, "sup@example.fi", b, []rowDenial{
		{path: "/uses/" + f.useSup2, want: 404, absent: f.secrets2},
		{path: "/api/v1/uses/" + f.useSup2, api: true, want: 404, absent: f.secrets2},
		{path: "/api/v1/uses?used_by=sup2@example.fi", api: true, want: 403, absent: f.secrets2},
	})
	// The web list has no used_by filter: it is forced to the signed-in
	// supervisor whatever the query says.
	for _, p := range []string{"/uses", "/uses?used_by=sup2@example.fi", "/uses?employee=E1"} {
		resp, body := b.get(t, p)
		wantStatus(t, resp, body, http.StatusOK)
		wantContains(t, body, "/uses/"+f.useSup)
		for _, s := range []string{"REC-RIVI-2", f.useSup2} {
			if strings.Contains(body, s) {
				t.Errorf("GET %s as sup: another supervisor's use shown (%q)", p, s)
			}
		}
	}
	// Their own use opens.
	resp, body := b.get(t, "/uses/"+f.useSup)
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, rowNote1)
}

// TestRowLevel_AdminOnMonitoringData: the administrator manages accounts,
// not people's data: every monitoring page and document is refused (403,
// or 404 where the row's existence is not revealed) without its content.
func TestRowLevel_AdminOnMonitoringData(t *testing.T) {
	f := newRowLevelFixture(t)
	b := newBrowser(f.ts)
	b.login(t, "admin@example.fi")
	leak := append(append([]string{webNoticeConclusion, f.activityName, "Åsa Öberg", "Olli Muualla"}, f.secrets...), f.secrets2...)
	f.deny(t, "admin@example.fi", b, []rowDenial{
		{path: "/uses", want: 403, absent: leak},
		{path: "/uses?employee=E1", want: 403, absent: leak},
		{path: "/uses/" + f.useSup, want: 403, absent: leak},
		{path: "/activities", want: 403, absent: leak},
		{path: "/activities/" + itoa(f.activity), want: 403, absent: leak},
		{path: "/dashboard", want: 403, absent: leak},
		{path: "/cases", want: 403, absent: leak},
		{path: "/cases/" + itoa(f.caseID), want: 403, absent: leak},
		{path: "/employees", want: 403, absent: leak},
		{path: "/recordings", want: 403, absent: leak},
		{path: "/notices/" + itoa(f.notice), want: 404, absent: leak},
		{path: "/documents/notices/" + itoa(f.notice) + ".pdf", want: 404, absent: leak},
		{path: "/documents/employees/E1/report.pdf", want: 403, absent: leak},
		{path: "/documents/register.pdf", want: 403, absent: leak},
		{path: "/documents/register.csv", want: 403, absent: leak},
		{path: "/documents/register.json", want: 403, absent: leak},
		{path: "/documents/compliance.pdf", want: 403, absent: leak},
	})
	// The admin's own pages do not show the monitoring data either.
	for _, p := range []string{"/me", "/admin/users"} {
		resp, body := b.get(t, p)
		wantStatus(t, resp, body, http.StatusOK)
		for _, s := range []string{rowNote1, rowNote2, "REC-RIVI-1", webNoticeConclusion} {
			if strings.Contains(body, s) {
				t.Errorf("GET %s as admin shows %q", p, s)
			}
		}
	}
}
