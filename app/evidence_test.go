package app_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"vaaka/monitoring"
)

// Legal holds (R-RET-2), receipts (R-LOG-1) and the log's retention
// (R-LOG-2) through the real app and database.

// holdRecording registers a recording of activity act whose 90-day
// deletion deadline has passed at testNow.
func holdRecording(t *testing.T, f *apiFixture, act int64, ref string) {
	t.Helper()
	body := fmt.Sprintf(`{"ref":%q,"call_started_at":"2026-08-01T08:00:00Z","direction":"inbound","activity_id":%d,"employee_staff_id":"E1"}`, ref, act)
	if st, m, _ := f.call(t, "POST", "/api/v1/recordings", asHR, body); st != 201 {
		t.Fatalf("recording: %d %v", st, m)
	}
}

func overdueRefs(t *testing.T, f *apiFixture) (refs []string, dashboard float64) {
	t.Helper()
	st, m, _ := f.call(t, "GET", "/api/v1/recordings?overdue=true", asDPO, "")
	if st != 200 {
		t.Fatalf("overdue: %d %v", st, m)
	}
	for _, it := range items(m) {
		refs = append(refs, it.(map[string]any)["ref"].(string))
	}
	st, m, _ = f.call(t, "GET", "/api/v1/dashboard", asHR, "")
	if st != 200 {
		t.Fatalf("dashboard: %d %v", st, m)
	}
	return refs, m["overdue_deletions"].(float64)
}

func TestHoldsAPI_R_RET_2(t *testing.T) {
	f := newAPIFixture(t)
	act := f.createActivity(t)
	holdRecording(t, f, act, "REC-H1")
	holdRecording(t, f, act, "REC-H2")
	if refs, n := overdueRefs(t, f); strings.Join(refs, ",") != "REC-H1,REC-H2" || n != 2 {
		t.Fatalf("overdue before the hold: %v, dashboard %v", refs, n)
	}
	const path = "/api/v1/recordings/REC-H1"

	// Bad input names the field and changes nothing.
	for _, c := range []struct {
		path, body string
		want       int
		field      string
	}{
		{path + "/hold", `{}`, 422, "reason"},
		{path + "/hold", `{"reason":"   "}`, 422, "reason"},
		{path + "/hold", `{"reason":"x","until":"2027"}`, 400, "until"},
		{path + "/hold", `{"reason":7}`, 400, "reason"},
		{path + "/hold", `[`, 400, ""},
		{path + "/release", `{}`, 422, "reason"},
	} {
		st, m, _ := f.call(t, "POST", c.path, asHR, c.body)
		if st != c.want || (c.field != "" && !hasString(problemFields(m), c.field)) {
			t.Errorf("POST %s %s: %d %v, want %d naming %q", c.path, c.body, st, m, c.want, c.field)
		}
	}
	if st, m, _ := f.call(t, "POST", "/api/v1/recordings/NOPE/hold", asHR, `{"reason":"x"}`); st != 404 {
		t.Errorf("unknown ref: %d %v", st, m)
	}
	if st, m, _ := f.call(t, "POST", path+"/release", asHR, `{"reason":"x"}`); st != 409 {
		t.Errorf("release without a hold: %d %v", st, m)
	}

	st, m, _ := f.call(t, "POST", path+"/hold", asHR, `{"reason":"Riita-asia, käräjäoikeus 12/2026"}`)
	if st != 201 || m["reason"] != "Riita-asia, käräjäoikeus 12/2026" || m["set_by"] != asHR || m["active"] != true || m["released_at"] != nil {
		t.Fatalf("hold: %d %v", st, m)
	}
	if st, m, _ := f.call(t, "POST", path+"/hold", asHR, `{"reason":"again"}`); st != 409 {
		t.Errorf("second hold: %d %v", st, m)
	}
	// Held: not overdue, not counted on the dashboard, deadline suspended.
	if refs, n := overdueRefs(t, f); strings.Join(refs, ",") != "REC-H2" || n != 1 {
		t.Errorf("overdue with the hold: %v, dashboard %v", refs, n)
	}
	_, m, _ = f.call(t, "GET", "/api/v1/recordings", asHR, "")
	for _, it := range items(m) {
		r := it.(map[string]any)
		held := r["ref"] == "REC-H1"
		if r["on_hold"] != held || r["deletion_suspended"] != held || r["overdue"] != !held {
			t.Errorf("recording %v", r)
		}
	}

	if st, m, _ := f.call(t, "POST", path+"/release", asHR, `{"reason":"Asia sovittu"}`); st != 200 || m["active"] != false || m["release_reason"] != "Asia sovittu" || m["released_by"] != asHR {
		t.Errorf("release: %d %v", st, m)
	}
	if refs, n := overdueRefs(t, f); len(refs) != 2 || n != 2 {
		t.Errorf("overdue after the release: %v, dashboard %v", refs, n)
	}
	st, m, _ = f.call(t, "GET", path+"/holds", asDPO, "")
	if st != 200 || len(items(m)) != 1 || items(m)[0].(map[string]any)["reason"] != "Riita-asia, käräjäoikeus 12/2026" {
		t.Errorf("holds: %d %v", st, m)
	}
	if st, _, _ := f.call(t, "GET", "/api/v1/recordings/NOPE/holds", asDPO, ""); st != 404 {
		t.Errorf("holds of unknown: %d", st)
	}

	// Both actions are in the audit trail.
	_, m, _ = f.call(t, "GET", "/api/v1/audit?entity=recording&entity_id=REC-H1", asDPO, "")
	var actions []string
	for _, it := range items(m) {
		e := it.(map[string]any)
		if strings.HasPrefix(e["action"].(string), "hold.") && e["actor"] == asHR {
			actions = append(actions, e["action"].(string))
		}
	}
	if len(actions) != 2 || !hasString(actions, "hold.set") || !hasString(actions, "hold.released") {
		t.Errorf("audit: %v", actions)
	}
}

// issueReceipt issues a receipt as the representative.
func issueReceipt(t *testing.T, f *apiFixture) map[string]any {
	t.Helper()
	st, m, _ := f.call(t, "POST", "/api/v1/receipts", asRep, "")
	if st != 201 {
		t.Fatalf("issue: %d %v", st, m)
	}
	return m
}

func TestReceiptsAPI_R_LOG_1(t *testing.T) {
	f := newAPIFixture(t)
	f.activeActivity(t)
	for _, ext := range []string{"r-1", "r-2", "r-3"} {
		if st, m, _ := f.call(t, "POST", "/api/v1/uses", asSup, useBody(ext)); st != 201 {
			t.Fatalf("use: %d %v", st, m)
		}
	}
	if st, p, _ := f.call(t, "POST", "/api/v1/receipts", asRep, `{"count":1}`); st != 400 || !hasString(problemFields(p), "count") {
		t.Errorf("issue with a body: %d %v", st, p)
	}
	m := issueReceipt(t, f)
	rec := m["receipt"].(map[string]any)
	if m["issued_by"] != asRep || m["auto"] != false || rec["format"] != monitoring.ReceiptFormat || rec["count"] != 3.0 || rec["chain"] != "uses" ||
		len(rec["head_hash"].(string)) != 64 || rec["signature"] == "" {
		t.Fatalf("receipt: %v", m)
	}
	id := int64(m["id"].(float64))
	st, got, _ := f.call(t, "GET", fmt.Sprintf("/api/v1/receipts/%d", id), asDPO, "")
	if st != 200 || fmt.Sprint(got) != fmt.Sprint(m) {
		t.Errorf("get: %d %v, want %v", st, got, m)
	}
	if st, _, _ := f.call(t, "GET", "/api/v1/receipts/999", asDPO, ""); st != 404 {
		t.Errorf("unknown receipt: %d", st)
	}
	issueReceipt(t, f)
	st, l, _ := f.call(t, "GET", "/api/v1/receipts?limit=1", asRep, "")
	if st != 200 || len(items(l)) != 1 || l["next_cursor"] == nil {
		t.Fatalf("list: %d %v", st, l)
	}
	st, l2, _ := f.call(t, "GET", "/api/v1/receipts?limit=1&cursor="+l["next_cursor"].(string), asRep, "")
	if st != 200 || len(items(l2)) != 1 || items(l2)[0].(map[string]any)["id"] != m["id"] || l2["next_cursor"] != nil {
		t.Errorf("page 2: %d %v", st, l2)
	}

	// The receipt file verifies; a changed one does not.
	file, _ := json.Marshal(rec)
	st, v, _ := f.call(t, "POST", "/api/v1/receipts/verify", asHR, string(file))
	if st != 200 || v["ok"] != true || v["checked"] != 3.0 || v["first_bad"] != 0.0 || v["checkpoint"] != nil {
		t.Errorf("verify: %d %v", st, v)
	}
	forged := map[string]any{}
	for k, x := range rec {
		forged[k] = x
	}
	forged["count"] = 2
	b, _ := json.Marshal(forged)
	if st, v, _ := f.call(t, "POST", "/api/v1/receipts/verify", asRep, string(b)); st != 200 || v["ok"] != false || v["reason"] != "signature" {
		t.Errorf("forged: %d %v", st, v)
	}

	// A file that is not a receipt names the field.
	for _, c := range []struct {
		change func(map[string]any)
		want   int
		field  string
	}{
		{func(r map[string]any) { delete(r, "format") }, 422, "format"},
		{func(r map[string]any) { r["format"] = "other/1" }, 422, "format"},
		{func(r map[string]any) { r["head_hash"] = "zz" }, 422, "head_hash"},
		{func(r map[string]any) { r["signature"] = "not base64!" }, 422, "signature"},
		{func(r map[string]any) { r["issued_at"] = "yesterday" }, 422, "issued_at"},
		{func(r map[string]any) { r["count"] = "many" }, 400, "count"},
		{func(r map[string]any) { r["extra"] = 1 }, 400, "extra"},
	} {
		bad := map[string]any{}
		for k, x := range rec {
			bad[k] = x
		}
		c.change(bad)
		b, _ := json.Marshal(bad)
		if st, p, _ := f.call(t, "POST", "/api/v1/receipts/verify", asDPO, string(b)); st != c.want || !hasString(problemFields(p), c.field) {
			t.Errorf("bad receipt (%s): %d %v", c.field, st, p)
		}
	}

	st, k, _ := f.call(t, "GET", "/api/v1/signing-keys", asEmp, "")
	if st != 200 || len(items(k)) != 1 || items(k)[0].(map[string]any)["id"] != rec["key_id"] || items(k)[0].(map[string]any)["current"] != true {
		t.Errorf("keys: %d %v", st, k)
	}
	st, lr, _ := f.call(t, "GET", "/api/v1/log-retention", asDPO, "")
	if st != 200 || lr["retention_days"] != 730.0 || lr["default_days"] != 730.0 || lr["checkpoints"] == nil {
		t.Errorf("log retention: %d %v", st, lr)
	}

	_, a, _ := f.call(t, "GET", "/api/v1/audit?entity=receipt", asDPO, "")
	if len(items(a)) != 2 || items(a)[0].(map[string]any)["action"] != "receipt.issued" {
		t.Errorf("audit: %v", a)
	}
}

// TestReceiptsWeb_R_LOG_1: the representative issues a receipt in the
// browser, downloads it as JSON (exactly the API's receipt) and as a
// one-page PDF, sees it in the portal, and verifies the file by upload.
func TestReceiptsWeb_R_LOG_1(t *testing.T) {
	f := newAPIFixture(t)
	rep := loggedIn(t, f.testServer, "representative@example.fi", "representative", "")
	resp, body := rep.get(t, "/receipts")
	wantStatus(t, resp, body, 200)
	resp, body = rep.post(t, "/receipts", nil)
	wantStatus(t, resp, body, 400)
	resp, body = rep.post(t, "/receipts", url.Values{"issue": {"1"}})
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "flash=receipt_issued") {
		t.Fatalf("issue: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, body = rep.get(t, "/receipts?flash=receipt_issued")
	wantStatus(t, resp, body, 200)
	wantContains(t, body, "Kuitti annettu", `href="/receipts/1.json"`, `href="/receipts/1.pdf"`, "representative@example.fi")

	_, api, _ := f.call(t, "GET", "/api/v1/receipts/1", asRep, "")
	resp, file := rep.get(t, "/receipts/1.json")
	wantStatus(t, resp, file, 200)
	if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, ".json") {
		t.Errorf("Content-Disposition %q", cd)
	}
	var fromFile map[string]any
	if err := json.Unmarshal([]byte(file), &fromFile); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(fromFile) != fmt.Sprint(api["receipt"]) {
		t.Errorf("file %v\nAPI  %v", fromFile, api["receipt"])
	}

	pdfBytes, presp := getPDF(t, rep, "/receipts/1.pdf?lang=en")
	if ct := presp.Header.Get("Content-Type"); ct != "application/pdf" {
		t.Errorf("Content-Type %q", ct)
	}
	text, pages := pdfText(t, pdfBytes)
	flat := strings.Join(strings.Fields(text), " ")
	if pages != 1 {
		t.Errorf("%d pages", pages)
	}
	for _, want := range []string{"Receipt of the use log", fromFile["head_hash"].(string)[:32], fromFile["installation_id"].(string),
		"VAAKA-RECEIPT-1", "Page 1/1", "vaaka verify --receipt", "/receipts/verify", `"format": "vaaka-receipt/1"`} {
		if !strings.Contains(flat, want) && !strings.Contains(text, want) {
			t.Errorf("PDF lacks %q:\n%s", want, text)
		}
	}
	if !regexp.MustCompile(`generated|Document`).MatchString(text) {
		t.Errorf("PDF footer:\n%s", text)
	}

	// The portal lists the latest receipts.
	resp, body = rep.get(t, "/representative")
	wantStatus(t, resp, body, 200)
	wantContains(t, body, `href="/receipts/1.json"`, `href="/receipts"`)

	// Verification by upload: OK in plain words; a bad file names the field.
	hr := loggedIn(t, f.testServer, "hr2@example.fi", "hr", "")
	hr.get(t, "/receipts/verify")
	resp, body = hr.postFile(t, "/receipts/verify", nil, "file", "kuitti.json", file)
	wantStatus(t, resp, body, 200)
	wantContains(t, body, "Kuitti on kunnossa")
	var bad map[string]any
	json.Unmarshal([]byte(file), &bad)
	bad["count"] = 5
	b, _ := json.Marshal(bad)
	resp, body = hr.postFile(t, "/receipts/verify", nil, "file", "kuitti.json", string(b))
	wantStatus(t, resp, body, 200)
	wantContains(t, body, "Allekirjoitus ei täsmää")
	delete(bad, "head_hash")
	b, _ = json.Marshal(bad)
	resp, body = hr.postFile(t, "/receipts/verify", nil, "file", "kuitti.json", string(b))
	wantStatus(t, resp, body, 422)
	wantContains(t, body, "kenttä head_hash", `aria-invalid="true"`)
	resp, body = hr.post(t, "/receipts/verify", url.Values{})
	wantStatus(t, resp, body, 422)

	// The DPO's page on the log's retention (R-LOG-2).
	dpo := loggedIn(t, f.testServer, "dpo2@example.fi", "dpo", "")
	resp, body = dpo.get(t, "/log-retention")
	wantStatus(t, resp, body, 200)
	wantContains(t, body, "730 päivää", "määritettävissä", "R-LOG-2")
}

// TestHoldsWeb_R_RET_2: HR sets and releases a hold on the recordings
// page; a missing reason is shown next to the form.
func TestHoldsWeb_R_RET_2(t *testing.T) {
	f := newAPIFixture(t)
	act := f.createActivity(t)
	holdRecording(t, f, act, "REC-W1")
	hr := loggedIn(t, f.testServer, "hr2@example.fi", "hr", "")
	resp, body := hr.get(t, "/recordings?overdue=1")
	wantStatus(t, resp, body, 200)
	wantContains(t, body, "REC-W1", `action="/recordings/hold"`)

	resp, body = hr.post(t, "/recordings/hold", url.Values{"ref": {"REC-W1"}, "reason": {""}, "overdue": {"1"}})
	wantStatus(t, resp, body, 422)
	wantContains(t, body, `id="f-hold_reason_REC-W1"`, `aria-invalid="true"`, "Säilytysmääräyksen peruste", "errsum")

	resp, _ = hr.post(t, "/recordings/hold", url.Values{"ref": {"REC-W1"}, "reason": {"Vahingonkorvausvaatimus"}, "overdue": {"1"}})
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "flash=hold_set") {
		t.Fatalf("hold: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, body = hr.get(t, "/recordings?overdue=1")
	wantStatus(t, resp, body, 200)
	if strings.Contains(body, "REC-W1") {
		t.Errorf("held recording on the overdue list")
	}
	resp, body = hr.get(t, "/recordings")
	wantContains(t, body, "Poistoaika keskeytetty", "Vahingonkorvausvaatimus", "hr2@example.fi", `action="/recordings/release"`)
	resp, body = hr.get(t, "/dashboard")
	wantStatus(t, resp, body, 200)

	resp, body = hr.post(t, "/recordings/release", url.Values{"ref": {"REC-W1"}})
	wantStatus(t, resp, body, 422)
	resp, _ = hr.post(t, "/recordings/release", url.Values{"ref": {"REC-W1"}, "reason": {"Vaatimus peruttu"}})
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "flash=hold_released") {
		t.Fatalf("release: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, _ = hr.post(t, "/recordings/release", url.Values{"ref": {"REC-W1"}, "reason": {"Uudelleen"}})
	if !strings.Contains(resp.Header.Get("Location"), "flash=hold_not_held") {
		t.Errorf("second release: %s", resp.Header.Get("Location"))
	}
}

func init() {
	apiAuthzExtra = append(apiAuthzExtra, func(t *testing.T, f *apiFixture) []authzRow {
		act := f.createActivity(t)
		holdRecording(t, f, act, "REC-AZ1")
		holdRecording(t, f, act, "REC-AZ2")
		if st, m, _ := f.call(t, "POST", "/api/v1/recordings/REC-AZ2/hold", asHR, `{"reason":"Matriisi"}`); st != 201 {
			t.Fatalf("hold: %d %v", st, m)
		}
		m := issueReceipt(t, f)
		file, _ := json.Marshal(m["receipt"])
		rp := fmt.Sprintf("/api/v1/receipts/%d", int64(m["id"].(float64)))
		const ok, cr, no = 200, 201, 403
		return []authzRow{
			{method: "POST", route: "/api/v1/recordings/:ref/hold", path: "/api/v1/recordings/REC-AZ1/hold", body: `{"reason":"Matriisi"}`, want: [6]int{no, cr, no, no, no, no}},
			{method: "POST", route: "/api/v1/recordings/:ref/release", path: "/api/v1/recordings/REC-AZ2/release", body: `{"reason":"Matriisi"}`, want: [6]int{no, ok, no, no, no, no}},
			{method: "GET", route: "/api/v1/recordings/:ref/holds", path: "/api/v1/recordings/REC-AZ2/holds", want: [6]int{no, ok, ok, no, no, no}},
			{method: "POST", route: "/api/v1/receipts", path: "/api/v1/receipts", want: [6]int{no, no, cr, cr, no, no}},
			{method: "GET", route: "/api/v1/receipts", path: "/api/v1/receipts", want: [6]int{no, no, ok, ok, no, no}},
			{method: "GET", route: "/api/v1/receipts/:id", path: rp, want: [6]int{no, no, ok, ok, no, no}},
			{method: "POST", route: "/api/v1/receipts/verify", path: "/api/v1/receipts/verify", body: string(file), want: [6]int{no, ok, ok, ok, no, no}},
			{method: "GET", route: "/api/v1/signing-keys", path: "/api/v1/signing-keys", want: [6]int{ok, ok, ok, ok, ok, ok}},
			{method: "GET", route: "/api/v1/log-retention", path: "/api/v1/log-retention", want: [6]int{no, no, ok, no, no, no}},
		}
	})
	webAuthzExtra = append(webAuthzExtra, func(t *testing.T, ts *testServer) []webAuthzRow {
		rec, err := ts.Deps.Evidence.IssueReceipt(t.Context(), "dpo@example.fi", false)
		if err != nil {
			t.Fatal(err)
		}
		id := fmt.Sprint(rec.ID)
		repDPO := []string{"representative", "dpo"}
		verifiers := []string{"representative", "dpo", "hr"}
		return []webAuthzRow{
			{method: "GET", route: "/receipts", path: "/receipts", allow: repDPO, ok: 200},
			{method: "GET", route: "/receipts/verify", path: "/receipts/verify", allow: verifiers, ok: 200},
			{method: "GET", route: "/receipts/:id.json", path: "/receipts/" + id + ".json", allow: repDPO, ok: 200},
			{method: "GET", route: "/receipts/:id.pdf", path: "/receipts/" + id + ".pdf", allow: repDPO, ok: 200},
			{method: "GET", route: "/log-retention", path: "/log-retention", allow: []string{"dpo"}, ok: 200},
			{method: "POST", route: "/receipts", path: "/receipts", allow: repDPO, ok: 303, form: url.Values{"issue": {"1"}}},
			{method: "POST", route: "/receipts/verify", path: "/receipts/verify", allow: verifiers, ok: 422},
			// Empty forms: nothing changes (no ref: 400).
			{method: "POST", route: "/recordings/hold", path: "/recordings/hold", allow: []string{"hr"}, ok: 400},
			{method: "POST", route: "/recordings/release", path: "/recordings/release", allow: []string{"hr"}, ok: 400},
		}
	})
}

// TestReceiptsCheckpoint_R_LOG_2: after the retention job removed the
// receipt's entries, the receipt still verifies against the checkpoint;
// the API names it, the verify page says so in plain words with its date,
// and the DPO's page lists it.
func TestReceiptsCheckpoint_R_LOG_2(t *testing.T) {
	f := newAPIFixture(t)
	f.activeActivity(t)
	use := func(ext string) {
		if st, m, _ := f.call(t, "POST", "/api/v1/uses", asSup, useBody(ext)); st != 201 {
			t.Fatalf("use: %d %v", st, m)
		}
	}
	use("c-1")
	use("c-2")
	rec := issueReceipt(t, f)["receipt"]
	use("c-3")
	use("c-4")
	res, err := f.Deps.Evidence.PurgeLog(t.Context(), time.Now().Add(48*time.Hour))
	if err != nil || res.Checkpoint == nil || res.Removed != 3 {
		t.Fatalf("purge: %+v, %v", res, err)
	}
	file, _ := json.Marshal(rec)
	st, v, _ := f.call(t, "POST", "/api/v1/receipts/verify", asDPO, string(file))
	cp, _ := v["checkpoint"].(map[string]any)
	if st != 200 || v["ok"] != true || cp == nil || cp["through_seq"] != 3.0 || cp["removed"] != 3.0 {
		t.Fatalf("verify after purge: %d %v", st, v)
	}
	_, lr, _ := f.call(t, "GET", "/api/v1/log-retention", asDPO, "")
	if cps, _ := lr["checkpoints"].([]any); len(cps) != 1 {
		t.Errorf("log retention: %v", lr)
	}

	dpo := loggedIn(t, f.testServer, "dpo2@example.fi", "dpo", "")
	dpo.get(t, "/receipts/verify")
	resp, body := dpo.postFile(t, "/receipts/verify", nil, "file", "kuitti.json", string(file))
	wantStatus(t, resp, body, 200)
	wantContains(t, body, "Kuitti on kunnossa", "tarkistuspiste (merkinnät 1–3)")
	resp, body = dpo.get(t, "/log-retention")
	wantStatus(t, resp, body, 200)
	if strings.Contains(body, "Merkintöjä ei ole vielä poistettu") || !strings.Contains(body, `<td class="num">3</td>`) {
		t.Errorf("log retention page lacks the checkpoint:\n%.3000s", body)
	}
}
