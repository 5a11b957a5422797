package app_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"vaaka/monitoring"
)

// The representatives' statistics over the API and the web (SPEC
// "Aggregates for representatives", R-LOG-1): suppression of cells of
// fewer than five employees, the CSV, the roles and the charts.

// seedStatistics records uses of activity act: unit "Iso A" has six
// employees (12 uses), "Iso B" five (5 uses), "Pieni" two (3 uses). So in
// the month's group "Pieni" is suppressed (primary) and "Iso B", the
// smallest shown sibling, too (secondary); "Iso A" is shown: 12 uses, 6
// employees.
func seedStatistics(t *testing.T, ts *testServer, act int64) {
	t.Helper()
	ctx := context.Background()
	var uses []*monitoring.Use
	n := 0
	add := func(unit string, staff, count int) {
		for i := range staff {
			id := fmt.Sprintf("%s-%d", strings.ReplaceAll(unit, " ", ""), i)
			if err := ts.Deps.Employees.CreateEmployee(ctx, "test", &monitoring.Employee{StaffID: id, Name: "Työntekijä " + id,
				Unit: unit, Language: monitoring.Finnish, Active: true}); err != nil {
				t.Fatal(err)
			}
		}
		for i := range count {
			n++
			at := testNow.Add(-time.Duration(n) * time.Hour)
			uses = append(uses, &monitoring.Use{ExternalID: fmt.Sprintf("st-%d", n), ActivityID: act, RecordingRef: fmt.Sprintf("rec-st-%d", n),
				CallStartedAt: at.Add(-time.Hour), Direction: monitoring.Inbound,
				EmployeeStaffIDs: []string{fmt.Sprintf("%s-%d", strings.ReplaceAll(unit, " ", ""), i%staff)},
				UsedBy:           asSup, Action: monitoring.Listened, Purpose: "quality", OccurredAt: at})
		}
	}
	add("Iso A", 6, 12)
	add("Iso B", 5, 5)
	add("Pieni", 2, 3)
	if _, err := ts.Deps.Uses.RecordUses(ctx, uses); err != nil {
		t.Fatal(err)
	}
}

func TestAPIStatistics_SuppressesBelowFive_R_LOG_1(t *testing.T) {
	f := newAPIFixture(t)
	act := f.activeActivity(t)
	seedStatistics(t, f.testServer, act)

	st, m, _ := f.call(t, "GET", "/api/v1/statistics", asRep, "")
	if st != 200 {
		t.Fatalf("GET statistics: %d %v", st, m)
	}
	if m["from"] != "2025-12" || m["to"] != "2026-11" || m["min_employees"] != float64(5) {
		t.Errorf("period = %v–%v, min %v", m["from"], m["to"], m["min_employees"])
	}
	cells, _ := m["cells"].([]any)
	got := map[string]map[string]any{}
	for _, c := range cells {
		cm := c.(map[string]any)
		got[cm["unit"].(string)] = cm
	}
	if a := got["Iso A"]; a == nil || a["suppressed"] != false || a["uses"] != float64(12) || a["employees"] != float64(6) {
		t.Errorf("Iso A = %v, want 12 uses of 6 employees", a)
	}
	for _, unit := range []string{"Iso B", "Pieni"} {
		c := got[unit]
		if c == nil || c["suppressed"] != true {
			t.Errorf("%s = %v, want suppressed", unit, c)
			continue
		}
		if _, ok := c["uses"]; ok {
			t.Errorf("%s: a suppressed cell carries uses: %v", unit, c)
		}
		if _, ok := c["employees"]; ok {
			t.Errorf("%s: a suppressed cell carries employees: %v", unit, c)
		}
	}
	months, _ := m["months"].([]any)
	if len(months) != 1 || months[0].(map[string]any)["uses"] != float64(20) {
		t.Errorf("months = %v, want one total of 20", months)
	}

	// One activity; an unknown one is 404; bad months name the field.
	if st, m, _ := f.call(t, "GET", fmt.Sprintf("/api/v1/statistics?activity_id=%d&from=2026-11&to=2026-11", act), asHR, ""); st != 200 || len(m["cells"].([]any)) != 3 {
		t.Errorf("one activity: %d %v", st, m)
	}
	if st, _, _ := f.call(t, "GET", "/api/v1/statistics?activity_id=999", asDPO, ""); st != 404 {
		t.Errorf("unknown activity: %d, want 404", st)
	}
	for _, q := range []string{"from=2026-13", "to=x", "from=2026-10&to=2026-01", "activity_id=x"} {
		st, m, _ := f.call(t, "GET", "/api/v1/statistics?"+q, asRep, "")
		if st != 400 || len(problemFields(m)) == 0 {
			t.Errorf("%s: %d %v, want 400 naming the field", q, st, m)
		}
	}

	// CSV: suppressed as "< 5", the shown cell's numbers.
	resp := f.do(t, "GET", "/api/v1/statistics.csv", asRep, "")
	body := readBody(t, resp)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("CSV: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if !strings.Contains(body, "Iso A;2026-11") && !strings.Contains(body, ";2026-11;quality;Iso A;12;6;") {
		t.Errorf("CSV lacks the shown cell:\n%s", body)
	}
	if strings.Count(body, "< 5") < 4 || !strings.Contains(body, ";quality;Pieni;< 5;< 5;") {
		t.Errorf("CSV lacks the suppressed cells:\n%s", body)
	}
	if !strings.Contains(body, "activity_id;activity;month;purpose;unit;uses;employees;flag_") {
		t.Errorf("CSV header:\n%.200s", body)
	}
}

// TestAPIStatistics_CSVInjection: units (and activity names, purposes)
// that a spreadsheet would evaluate are neutralised (monitoring.CSVSafe).
func TestAPIStatistics_CSVInjection(t *testing.T) {
	f := newAPIFixture(t)
	act := f.activeActivity(t)
	ctx := context.Background()
	var uses []*monitoring.Use
	for i := range 6 {
		id := fmt.Sprintf("X%d", i)
		if err := f.Deps.Employees.CreateEmployee(ctx, "test", &monitoring.Employee{StaffID: id, Name: "N " + id,
			Unit: "=HYPERLINK(\"x\")", Language: monitoring.Finnish, Active: true}); err != nil {
			t.Fatal(err)
		}
		at := testNow.Add(-time.Duration(i+1) * time.Hour)
		uses = append(uses, &monitoring.Use{ExternalID: "inj-" + id, ActivityID: act, RecordingRef: "rec-inj-" + id, CallStartedAt: at.Add(-time.Hour),
			Direction: monitoring.Inbound, EmployeeStaffIDs: []string{id}, UsedBy: asSup, Action: monitoring.Listened, Purpose: "quality", OccurredAt: at})
	}
	if _, err := f.Deps.Uses.RecordUses(ctx, uses); err != nil {
		t.Fatal(err)
	}
	resp := f.do(t, "GET", "/api/v1/statistics.csv", asDPO, "")
	body := readBody(t, resp)
	if !strings.Contains(body, `'=HYPERLINK`) || strings.Contains(body, `;=HYPERLINK`) || strings.Contains(body, `;"=HYPERLINK`) {
		t.Errorf("CSV not neutralised:\n%s", body)
	}
}

func TestWebStatistics_PageAndCharts(t *testing.T) {
	f := newAPIFixture(t)
	act := f.activeActivity(t)
	seedStatistics(t, f.testServer, act)

	rep := newBrowser(f.testServer)
	rep.login(t, asRep)
	resp, body := rep.get(t, "/statistics")
	if resp.StatusCode != 200 {
		t.Fatalf("/statistics: %d", resp.StatusCode)
	}
	for _, want := range []string{"<svg", `<title id="st-months-title">`, `<desc id="st-months-desc">`, `<title id="st-flags-title">`,
		"&lt; 5", "Iso A", "/statistics.csv?from=2025-12", "<table"} {
		if !strings.Contains(body, want) {
			t.Errorf("/statistics lacks %q", want)
		}
	}
	if strings.Contains(body, "style=") || strings.Contains(body, "<script") {
		t.Error("/statistics has inline style or script (CSP)")
	}
	resp, body = rep.get(t, "/statistics.csv?"+url.Values{"from": {"2026-11"}}.Encode())
	if resp.StatusCode != 200 || !strings.Contains(body, "Valvontamenettely") || !strings.Contains(body, "< 5") {
		t.Errorf("/statistics.csv: %d\n%.300s", resp.StatusCode, body)
	}
	resp, _ = rep.get(t, "/statistics?from=2026-13")
	if resp.StatusCode != 400 {
		t.Errorf("bad month: %d, want 400", resp.StatusCode)
	}

	// The activity page: the representative sees the weekly charts
	// (13 employees use it), with the text alternative.
	resp, body = rep.get(t, fmt.Sprintf("/activities/%d", act))
	wk := fmt.Sprintf("wk%d", act)
	for _, want := range []string{`<title id="` + wk + `-uses-title">`, `<desc id="` + wk + `-del-desc">`, `<title id="` + wk + `-flags-title">`, "<details"} {
		if !strings.Contains(body, want) {
			t.Errorf("activity page lacks %q (status %d)", want, resp.StatusCode)
		}
	}

	// The HR dashboard: the charts of every activity.
	hr := newBrowser(f.testServer)
	hr.login(t, asHR)
	resp, body = hr.get(t, "/dashboard")
	for _, want := range []string{`<title id="wk0-uses-title">`, `<desc id="wk0-uses-desc">`, `<title id="wk0-del-title">`, "<details"} {
		if !strings.Contains(body, want) {
			t.Errorf("dashboard lacks %q (status %d)", want, resp.StatusCode)
		}
	}
}

// TestWebActivity_ChartsHiddenForFewEmployees: a representative does not
// see the weekly uses of an activity that concerns fewer than five
// employees; HR does.
func TestWebActivity_ChartsHiddenForFewEmployees(t *testing.T) {
	f := newAPIFixture(t)
	act := f.activeActivity(t)
	if st, m, _ := f.call(t, "POST", "/api/v1/uses", asSup, useBody("few-1", "activity_id", fmt.Sprint(act))); st != 201 {
		t.Fatalf("use: %d %v", st, m)
	}
	wk := fmt.Sprintf("wk%d", act)
	rep := newBrowser(f.testServer)
	rep.login(t, asRep)
	_, body := rep.get(t, fmt.Sprintf("/activities/%d", act))
	if strings.Contains(body, `<title id="`+wk+`-uses-title">`) || !strings.Contains(body, `<title id="`+wk+`-del-title">`) {
		t.Error("representative: the uses chart of one employee is shown, or the deletions chart is missing")
	}
	hr := newBrowser(f.testServer)
	hr.login(t, asHR)
	_, body = hr.get(t, fmt.Sprintf("/activities/%d", act))
	if !strings.Contains(body, `<title id="`+wk+`-uses-title">`) {
		t.Error("hr: the uses chart is missing")
	}
}

func init() {
	apiAuthzExtra = append(apiAuthzExtra, func(t *testing.T, f *apiFixture) []authzRow {
		const ok, no = 200, 403
		roles := [6]int{no, ok, ok, ok, no, no} // admin, hr, dpo, representative, supervisor, employee
		return []authzRow{
			{method: "GET", route: "/api/v1/statistics", path: "/api/v1/statistics", want: roles},
			{method: "GET", route: "/api/v1/statistics.csv", path: "/api/v1/statistics.csv", want: roles},
		}
	})
	webAuthzExtra = append(webAuthzExtra, func(t *testing.T, ts *testServer) []webAuthzRow {
		readers := []string{"hr", "dpo", "representative"}
		return []webAuthzRow{
			{method: "GET", route: "/statistics", path: "/statistics", allow: readers, ok: 200},
			{method: "GET", route: "/statistics.csv", path: "/statistics.csv", allow: readers, ok: 200},
		}
	})
}
