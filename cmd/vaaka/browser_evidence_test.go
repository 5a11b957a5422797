package main

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"vaaka/app"
	"vaaka/db"
	"vaaka/monitoring"
)

// TestBrowser_RepresentativeHoldsReceipt: a shop steward takes a signed
// receipt of the use log in the browser, downloads its JSON file and later
// checks the file with the upload form (R-LOG-1); after an entry of the log
// is changed in the database file, the same file no longer checks out and
// the page names the entry.
func TestBrowser_RepresentativeHoldsReceipt(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	srv := startBrowserServer(t)
	cat, err := app.LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t)
	signIn(t, b, srv.URL, demoRep)

	step(t, b, "open the receipts",
		chromedp.Navigate(srv.URL+"/receipts"),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/receipts"] button[type="submit"]`)),
	)
	before := read(t, b, "receipts listed", chromedp.Evaluate[int](`document.querySelectorAll('a[href$=".json"]').length`))
	step(t, b, "issue a receipt",
		chromedp.Click(chromedp.CSS(`form[action="/receipts"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	)
	if flash := read(t, b, "flash", chromedp.Text(chromedp.CSS(`.flash`))); !strings.Contains(flash, cat.T(monitoring.Finnish, "web.flash.receipt_issued")) {
		t.Errorf("flash %q", flash)
	}
	after := read(t, b, "receipts listed after", chromedp.Evaluate[int](`document.querySelectorAll('a[href$=".json"]').length`))
	if after != before+1 {
		t.Errorf("%d receipts listed, want %d", after, before+1)
	}
	// The newest receipt's file, as the browser downloads it.
	file := read(t, b, "download the newest receipt", chromedp.Evaluate[string](
		`fetch(document.querySelector('a[href$=".json"]').href).then(r => r.text())`, chromedp.EvalAwaitPromise))
	r, err := monitoring.ParseReceipt([]byte(file))
	if err != nil {
		t.Fatalf("the downloaded receipt does not parse: %v\n%s", err, clip(file, 600))
	}
	saved := filepath.Join(t.TempDir(), "kuitti.json")
	if err := os.WriteFile(saved, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}

	check := func(what string) string {
		step(t, b, what,
			chromedp.Navigate(srv.URL+"/receipts/verify"),
			chromedp.WaitVisible(chromedp.CSS(`form[action="/receipts/verify"] input[type="file"]`)),
			chromedp.SetUploadFiles(chromedp.CSS(`form[action="/receipts/verify"] input[type="file"]`), []string{saved}),
			chromedp.Click(chromedp.CSS(`form[action="/receipts/verify"] button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#verify-result`)),
		)
		return read(t, b, what+": result", chromedp.Text(chromedp.CSS(`section[aria-labelledby="verify-result"]`)))
	}
	ok := check("check the receipt")
	if want := cat.T(monitoring.Finnish, "web.evidence.verify.ok", "count", strconv.FormatInt(r.Count, 10)); !strings.Contains(ok, want) {
		t.Errorf("untouched log: %q, want %q", clip(ok, 400), want)
	}

	// An attacker with the database file changes an entry before the
	// receipt's head (the guard triggers dropped first).
	victim := r.Count / 2
	if victim < 1 {
		victim = 1
	}
	rawExec(t, srv.DB.Path(), `DROP TRIGGER uses_no_update`,
		`UPDATE uses SET note = 'muutettu' WHERE seq = `+strconv.FormatInt(victim, 10))
	bad := check("check the receipt after tampering")
	if want := cat.T(monitoring.Finnish, "web.evidence.verify.reason.chain", "entry", strconv.FormatInt(victim, 10)); !strings.Contains(bad, want) {
		t.Errorf("tampered log: %q, want %q", clip(bad, 400), want)
	}
}

// TestBrowser_HRSetsLegalHold: HR puts an overdue recording on legal hold
// with a reason (R-RET-2); it leaves the overdue list, its deadline shows as
// suspended, and the hold is in the audit trail.
func TestBrowser_HRSetsLegalHold(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	srv := startBrowserServer(t)
	b := newBrowser(t)
	signIn(t, b, srv.URL, demoHR)
	step(t, b, "open the overdue recordings",
		chromedp.Navigate(srv.URL+"/recordings?overdue=1"),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/recordings/hold"]`)),
	)
	overdue := read(t, b, "overdue before", chromedp.Evaluate[int](`document.querySelectorAll('form[action="/recordings/hold"]').length`))
	step(t, b, "open the first hold form",
		chromedp.Click(chromedp.CSS(`td details summary`)),
	)
	ref := read(t, b, "first overdue recording", chromedp.Evaluate[string](`(() => {
		const f = document.querySelector('form[action="/recordings/hold"]');
		f.id = "hold-under-test";
		return f.querySelector('input[name="ref"]').value })()`))
	step(t, b, "set the hold",
		chromedp.SendKeys(chromedp.CSS(`#hold-under-test textarea[name="reason"]`), "Riita-asia: työntekijän valitus käsittelyssä"),
		chromedp.Click(chromedp.CSS(`#hold-under-test button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	)
	rec, err := db.NewRecordingService(srv.DB).FindRecording(context.Background(), ref)
	if err != nil || !rec.OnHold {
		t.Fatalf("recording %s after the hold: %+v, %v", ref, rec, err)
	}
	step(t, b, "the overdue list again",
		chromedp.Navigate(srv.URL+"/recordings?overdue=1"),
		chromedp.WaitVisible(chromedp.CSS(`h1`)),
	)
	if left := read(t, b, "overdue after", chromedp.Evaluate[int](`document.querySelectorAll('form[action="/recordings/hold"]').length`)); left != overdue-1 {
		t.Errorf("%d overdue recordings with a hold form, want %d", left, overdue-1)
	}
	audit, _, err := db.NewAuditService(srv.DB).ListAudit(context.Background(), monitoring.AuditFilter{Limit: 5})
	if err != nil || len(audit) == 0 || audit[0].Action != "hold.set" || !strings.Contains(audit[0].Detail, "Riita-asia") {
		t.Errorf("newest audit entry: %+v, %v", audit, err)
	}
}
