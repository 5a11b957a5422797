package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"vaaka/monitoring"
)

// Telephony access-log import over the API and the web (R-ACC-1, R-LOG-1).

func importSourceJSON(name string, activity int64) string {
	return fmt.Sprintf(`{"name":%q,"delimiter":";","time_zone":"Europe/Helsinki","time_layout":"2006-01-02 15:04:05",
  "default_activity_id":%d,
  "columns":{"row_key":"id","occurred_at":"time","user":"user","recording_ref":"ref","action":"action","purpose":"purpose","employee_staff_ids":"agent","call_started_at":"call","direction":"dir"},
  "action_map":{"PLAY":"listened","DOWNLOAD":"downloaded","DELETE":"delete"}}`, name, activity)
}

const importCSV = "id;time;user;ref;action;purpose;agent;call;dir\n" +
	"r1;2026-11-26 12:00:00;sup@example.fi;rec-1;PLAY;quality;E1;2026-11-25 12:00:00;in\n" +
	"r2;2026-11-26 12:05:00;outsider@example.fi;rec-1;PLAY;;E1;2026-11-25 12:00:00;in\n" +
	"r3;2026-11-26 13:00:00;sup@example.fi;rec-2;DOWNLOAD;quality;E1;2026-11-25 13:00:00;in\n"

const importBadCSV = importCSV +
	"r4;yesterday;sup@example.fi;rec-3;PLAY;;E1;2026-11-25 13:00:00;in\n" +
	"r5;2026-11-26 13:00:00;sup@example.fi;rec-3;REWIND;;E1;2026-11-25 13:00:00;in\n"

// importSource saves a source directly (for the matrices).
func importSource(t *testing.T, ts *testServer, name string) int64 {
	t.Helper()
	src, err := ts.Deps.Imports.CreateSource(context.Background(), "hr@example.fi", &monitoring.ImportSource{
		Name: name, Delimiter: ";", HasHeader: true, TimeLayout: "2006-01-02 15:04:05",
		Columns: monitoring.ImportColumns{RowKey: "id", OccurredAt: "time", User: "user", RecordingRef: "ref", Action: "action",
			Purpose: "purpose", Employees: "agent", CallStartedAt: "call", Direction: "dir"},
		ActionMap: monitoring.DefaultActionMap()})
	if err != nil {
		t.Fatal(err)
	}
	return src.ID
}

// waitRun polls a background run until it is finished.
func waitRun(t *testing.T, ts *testServer, id int64) *monitoring.ImportRun {
	t.Helper()
	for range 500 {
		run, err := ts.Deps.Imports.FindRun(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if run.Status == monitoring.ImportFinished {
			return run
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("run %d did not finish", id)
	return nil
}

func init() {
	apiAuthzExtra = append(apiAuthzExtra, func(t *testing.T, f *apiFixture) []authzRow {
		id := importSource(t, f.testServer, "Matriisi")
		run, err := f.Deps.Imports.StartImport(context.Background(), asHR, id, "m.csv", []byte(importCSV))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Deps.Imports.RunImport(context.Background(), run.ID); err != nil {
			t.Fatal(err)
		}
		src := fmt.Sprintf("/api/v1/import-sources/%d", id)
		csv := []string{"Content-Type", "text/csv"}
		const ok, no = 200, 403
		hrOnly := func(st int) [6]int { return [6]int{no, st, no, no, no, no} }
		return []authzRow{
			{method: "GET", route: "/api/v1/import-sources", path: "/api/v1/import-sources", want: hrOnly(ok)},
			{method: "POST", route: "/api/v1/import-sources", path: "/api/v1/import-sources", body: importSourceJSON("Matriisi 2", 0), want: hrOnly(201)},
			{method: "GET", route: "/api/v1/import-sources/:id", path: src, want: hrOnly(ok)},
			{method: "PUT", route: "/api/v1/import-sources/:id", path: src, body: importSourceJSON("Matriisi", 0), want: hrOnly(ok)},
			{method: "POST", route: "/api/v1/import-sources/:id/preview", path: src + "/preview", body: importCSV, header: csv, want: hrOnly(ok)},
			{method: "POST", route: "/api/v1/import-sources/:id/dry-run", path: src + "/dry-run", body: importCSV, header: csv, want: hrOnly(ok)},
			{method: "POST", route: "/api/v1/import-sources/:id/imports", path: src + "/imports", body: importCSV, header: csv, want: hrOnly(202)},
			{method: "GET", route: "/api/v1/imports", path: "/api/v1/imports", want: hrOnly(ok)},
			{method: "GET", route: "/api/v1/imports/:id", path: fmt.Sprintf("/api/v1/imports/%d", run.ID), want: hrOnly(ok)},
		}
	})
	webAuthzExtra = append(webAuthzExtra, func(t *testing.T, ts *testServer) []webAuthzRow {
		id := importSource(t, ts, "Verkkomatriisi")
		run, err := ts.Deps.Imports.StartImport(context.Background(), "hr@example.fi", id, "m.csv", []byte(importCSV))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ts.Deps.Imports.RunImport(context.Background(), run.ID); err != nil {
			t.Fatal(err)
		}
		hr := []string{"hr"}
		src := fmt.Sprintf("/imports/sources/%d", id)
		return []webAuthzRow{
			{method: "GET", route: "/imports", path: "/imports", allow: hr, ok: 200},
			{method: "GET", route: "/imports/sources/new", path: "/imports/sources/new", allow: hr, ok: 200},
			{method: "POST", route: "/imports/sources", path: "/imports/sources", allow: hr, ok: 422},
			{method: "GET", route: "/imports/sources/:id", path: src, allow: hr, ok: 200},
			{method: "POST", route: "/imports/sources/:id", path: src, allow: hr, ok: 422},
			{method: "POST", route: "/imports/sources/:id/upload", path: src + "/upload", allow: hr, ok: 422},
			{method: "GET", route: "/imports/runs/:id", path: fmt.Sprintf("/imports/runs/%d", run.ID), allow: hr, ok: 200},
		}
	})
}

// TestAPI_Import_R_ACC_1: a source is saved, a file previewed and checked
// (bad rows named by line, nothing written), imported in the background
// with flags purpose_missing and unauthorized_user, and imported again
// without adding anything.
func TestAPI_Import_R_ACC_1(t *testing.T) {
	f := newAPIFixture(t)
	act := f.activeActivity(t)
	csv := []string{"Content-Type", "text/csv"}
	st, m, _ := f.call(t, "POST", "/api/v1/import-sources", asHR, importSourceJSON("Puhelin", act))
	if st != 201 {
		t.Fatalf("create: %d %v", st, m)
	}
	src := fmt.Sprintf("/api/v1/import-sources/%d", int64(m["id"].(float64)))

	st, m, _ = f.call(t, "POST", src+"/preview?rows=2", asHR, importCSV, csv...)
	if st != 200 || len(m["rows"].([]any)) != 2 || m["header"].([]any)[1] != "time" {
		t.Fatalf("preview: %d %v", st, m)
	}
	uses := f.count(t, "uses")
	st, m, _ = f.call(t, "POST", src+"/dry-run", asHR, importBadCSV, csv...)
	if st != 200 || m["bad"].(float64) != 2 || m["created"].(float64) != 3 {
		t.Fatalf("dry run: %d %v", st, m)
	}
	errs := m["errors"].([]any)
	if e := errs[0].(map[string]any); e["line"].(float64) != 5 || e["field"] != "occurred_at" || e["message"] == "" {
		t.Fatalf("dry run errors: %v", errs)
	}
	if errs[1].(map[string]any)["line"].(float64) != 6 {
		t.Fatalf("dry run errors: %v", errs)
	}
	if f.count(t, "uses") != uses {
		t.Fatal("the dry run wrote uses")
	}

	st, m, resp := f.call(t, "POST", src+"/imports?file_name=loki.csv", asHR, importCSV, csv...)
	if st != 202 || m["status"] != "running" || !strings.HasPrefix(resp.Header.Get("Location"), "/api/v1/imports/") {
		t.Fatalf("start: %d %v", st, m)
	}
	runID := int64(m["id"].(float64))
	waitRun(t, f.testServer, runID)
	st, m, _ = f.call(t, "GET", fmt.Sprintf("/api/v1/imports/%d", runID), asHR, "")
	if st != 200 || m["created"].(float64) != 3 || m["status"] != "finished" || m["file_name"] != "loki.csv" {
		t.Fatalf("run: %d %v", st, m)
	}
	for flag, want := range map[string]int{"purpose_missing": 1, "unauthorized_user": 1} {
		_, lm, _ := f.call(t, "GET", "/api/v1/uses?flag="+flag+"&activity="+fmt.Sprint(act), asHR, "")
		if n := len(lm["items"].([]any)); n != want {
			t.Errorf("%s: %d uses, want %d", flag, n, want)
		}
	}
	_, m, _ = f.call(t, "POST", src+"/imports", asHR, importCSV, csv...)
	run := waitRun(t, f.testServer, int64(m["id"].(float64)))
	if run.Created != 0 || run.Duplicates != 3 {
		t.Fatalf("again: %+v", run.ImportCounts)
	}
	_, lm, _ := f.call(t, "GET", "/api/v1/imports", asHR, "")
	if len(lm["items"].([]any)) != 2 {
		t.Fatalf("runs: %v", lm)
	}
}

// TestAPI_Import_BadInput: errors name the field; never a 500.
func TestAPI_Import_BadInput(t *testing.T) {
	f := newAPIFixture(t)
	csv := []string{"Content-Type", "text/csv"}
	id := importSource(t, f.testServer, "Puhelin")
	src := fmt.Sprintf("/api/v1/import-sources/%d", id)
	for _, c := range []struct {
		name, method, path, body string
		header                   []string
		want                     int
		field                    string
	}{
		{"missing columns", "POST", "/api/v1/import-sources", `{"name":"X","columns":{},"action_map":{"PLAY":"listened"}}`, nil, 422, "columns.occurred_at"},
		{"bad zone", "POST", "/api/v1/import-sources", strings.Replace(importSourceJSON("Y", 0), "Europe/Helsinki", "Mars/Base", 1), nil, 422, "time_zone"},
		{"unknown default activity", "POST", "/api/v1/import-sources", importSourceJSON("Z", 999), nil, 422, "default_activity_id"},
		{"duplicate name", "POST", "/api/v1/import-sources", importSourceJSON("puhelin", 0), nil, 409, "name"},
		{"unknown field", "POST", "/api/v1/import-sources", `{"name":"X","colour":"red"}`, nil, 400, "colour"},
		{"json is not csv", "POST", src + "/dry-run", `{"a":1}`, nil, 415, ""},
		{"empty file", "POST", src + "/imports", " ", csv, 422, "file"},
		{"header lacks a column", "POST", src + "/imports", "id;time\nr1;2026-11-26 12:00:00\n", csv, 422, "columns.user"},
		{"bad rows", "POST", src + "/preview?rows=0", importCSV, csv, 422, "rows"},
		{"unknown source", "GET", "/api/v1/import-sources/999", "", nil, 404, ""},
		{"unknown run", "GET", "/api/v1/imports/999", "", nil, 404, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			st, m, _ := f.call(t, c.method, c.path, asHR, c.body, c.header...)
			if st != c.want {
				t.Fatalf("%d, want %d: %v", st, c.want, m)
			}
			if c.field != "" && !strings.Contains(fmt.Sprint(m["errors"]), c.field) {
				t.Fatalf("no error for %s: %v", c.field, m)
			}
		})
	}
}

// TestWebImport: the source form reads the columns from a sample, saves the
// mapping; a dry run lists the bad lines; the import runs and its page
// shows the counts.
func TestWebImport(t *testing.T) {
	ts := newTestServer(t)
	hr := loggedIn(t, ts, "hr@example.fi", "hr", "")
	act := &monitoring.Activity{Name: "Puhelutallennus", Method: monitoring.CallRecording, Directions: []monitoring.Direction{monitoring.Inbound},
		Purposes: []monitoring.Purpose{{Code: "quality", Description: "Laatu"}}, Units: []string{"Asiakaspalvelu"}, RetentionDays: 90}
	if err := ts.Deps.Register.CreateActivity(context.Background(), "hr@example.fi", act); err != nil {
		t.Fatal(err)
	}
	resp, body := hr.postFile(t, "/imports/sources", map[string]string{"mode": "sample", "name": "Puhelin", "delimiter": "semicolon",
		"has_header": "1", "time_zone": "Europe/Helsinki", "time_layout": "iso"}, "sample", "s.csv", importCSV)
	wantStatus(t, resp, body, http.StatusOK)
	if !strings.Contains(body, `<option value="purpose">purpose</option>`) {
		t.Fatalf("no column choices:\n%s", body)
	}
	form := url.Values{"mode": {"save"}, "name": {"Puhelin"}, "delimiter": {"semicolon"}, "has_header": {"1"},
		"time_zone": {"Europe/Helsinki"}, "time_layout": {"iso"}, "action_map": {"PLAY=listened\nDOWNLOAD=downloaded\nDELETE=delete"},
		"col.row_key": {"id"}, "col.occurred_at": {"time"}, "col.user": {"user"}, "col.recording_ref": {"ref"}, "col.action": {"action"},
		"col.purpose": {"purpose"}, "col.employee_staff_ids": {"agent"}, "col.call_started_at": {"call"},
		"default_activity_id": {fmt.Sprint(act.ID)}}
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Del("col.user")
	resp, body = hr.post(t, "/imports/sources", bad)
	wantStatus(t, resp, body, http.StatusUnprocessableEntity)
	if !strings.Contains(body, `id="f-col-user-err"`) {
		t.Fatalf("no error at the user column:\n%s", body)
	}
	resp, body = hr.post(t, "/imports/sources", form)
	wantStatus(t, resp, body, http.StatusSeeOther)
	loc := resp.Header.Get("Location")
	srcPath := strings.Split(loc, "?")[0]
	resp, body = hr.get(t, loc)
	wantStatus(t, resp, body, http.StatusOK)

	resp, body = hr.postFile(t, srcPath+"/upload", map[string]string{"mode": "dry_run"}, "file", "loki.csv", importBadCSV)
	wantStatus(t, resp, body, http.StatusOK)
	if !strings.Contains(body, `<th scope="row" class="num">5</th>`) || !strings.Contains(body, `<th scope="row" class="num">6</th>`) {
		t.Fatalf("bad lines not listed:\n%s", body)
	}
	if n := ts.count(t, "uses"); n != 0 {
		t.Fatalf("dry run wrote %d uses", n)
	}
	resp, body = hr.post(t, srcPath+"/upload", url.Values{"mode": {"import"}, "content": {importBadCSV}, "file_name": {"loki.csv"}})
	wantStatus(t, resp, body, http.StatusSeeOther)
	runPath := resp.Header.Get("Location")
	var id int64
	fmt.Sscanf(runPath, "/imports/runs/%d", &id)
	run := waitRun(t, ts, id)
	if run.Bad != 2 || run.Done != 5 || run.Created != 3 {
		t.Fatalf("run: %+v", run.ImportCounts)
	}
	resp, body = hr.get(t, runPath)
	wantStatus(t, resp, body, http.StatusOK)
	if resp.Header.Get("Refresh") != "" || !strings.Contains(body, "loki.csv") || !strings.Contains(body, `<th scope="row" class="num">5</th>`) {
		t.Fatalf("run page:\n%s", body)
	}
	resp, body = hr.get(t, "/imports")
	wantStatus(t, resp, body, http.StatusOK)
	if !strings.Contains(body, "Puhelin") {
		t.Fatalf("list:\n%s", body)
	}
}
