package main

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"vaaka/app"
	"vaaka/db"
	"vaaka/monitoring"
)

// demoNoticeOf returns the demo's notice of the queue recordings.
func demoNoticeOf(t *testing.T, d *db.DB) *monitoring.Notice {
	t.Helper()
	id := demoActivityID(t, d, "Asiakaspalvelujonon puhelujen tallentaminen laadun varmistamiseksi")
	ns, _, err := db.NewNoticeService(d).ListNotices(context.Background(), monitoring.NoticeFilter{ActivityID: id, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(ns) != 1 {
		t.Fatalf("the active demo activity has %d notices, want 1", len(ns))
	}
	return ns[0]
}

// TestDemoNotices: the demo's active activity has its notice, issued before
// the activation date to the employees of Asiakaspalvelu and Tekninen tuki
// (R-NOT-1, R-SEQ-1), acknowledged by most and not by a few (the demo
// employee among them); there is an access request coming due and one
// answered (R-DSR-1).
func TestDemoNotices(t *testing.T) {
	d, _ := openDemoCopy(t)
	ctx := context.Background()
	n := demoNoticeOf(t, d)
	if n.Recipients != 25 {
		t.Errorf("the notice went to %d employees, want 25 (Asiakaspalvelu and Tekninen tuki)", n.Recipients)
	}
	a, err := db.NewRegisterService(d).FindActivity(ctx, n.ActivityID)
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != monitoring.StatusActive || !n.IssuedAt.Before(n.IntroductionOn) {
		t.Errorf("activity %s, notice issued %s for introduction %s", a.Status, n.IssuedAt, n.IntroductionOn)
	}
	notices := db.NewNoticeService(d)
	open, _, err := notices.Recipients(ctx, n.ID, monitoring.RecipientFilter{Unacknowledged: true, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var pending []string
	for _, r := range open {
		pending = append(pending, r.StaffID)
	}
	if len(pending) != len(demoNotAcknowledged) || !containsString(pending, "E1005") {
		t.Errorf("not acknowledged: %v, want %v", pending, demoNotAcknowledged)
	}
	if r, err := notices.Recipient(ctx, n.ID, "E1005"); err != nil || !r.ReadAt.IsZero() {
		t.Errorf("the demo employee's copy: %+v, %v (want unread)", r, err)
	}
	reqs, _, err := db.NewAccessRequestService(d).ListAccessRequests(ctx, monitoring.AccessRequestFilter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	today := monitoring.Today(testNow, monitoring.Helsinki)
	var dueSoon, delivered int
	for _, r := range reqs {
		switch {
		case !r.DeliveredOn.IsZero():
			delivered++
		case !r.DueOn.Before(today) && r.DueOn.Sub(today).Hours() <= 7*24:
			dueSoon++
		}
	}
	if dueSoon != 1 || delivered != 1 {
		t.Errorf("access requests: %d due within a week, %d delivered; want 1 and 1", dueSoon, delivered)
	}
	uses, _, err := db.NewUseService(d).ListUses(ctx, monitoring.UseFilter{ActivityID: n.ActivityID, Flag: monitoring.FlagEmployeeNotNotified, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("uses of the active activity flagged %s: %d", monitoring.FlagEmployeeNotNotified, len(uses))
}

// TestBrowser_EmployeeAcknowledgesNotice: an employee signs in, lands on
// their own page, reads and acknowledges the notice issued to them
// (R-NOT-1), opens their own log (R-LOG-1) and downloads their report.
func TestBrowser_EmployeeAcknowledgesNotice(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	srv := startBrowserServer(t)
	cat, err := app.LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	n := demoNoticeOf(t, srv.DB)
	np := "/notices/" + itoaID(n.ID)
	b := newBrowser(t)
	signIn(t, b, srv.URL, demoEmployee)
	if p := path(t, b); p != "/me" {
		t.Errorf("the employee landed on %s, want /me", p)
	}

	// The notice is listed as unread and not acknowledged.
	pendingCount := read(t, b, "pending notices", chromedp.Evaluate[int](`document.querySelectorAll("li.my-notice.notice-pending.notice-unread").length`))
	if pendingCount != 1 {
		t.Errorf("%d unread notices highlighted, want 1", pendingCount)
	}
	step(t, b, "open the notice",
		chromedp.Click(chromedp.CSS(`li.my-notice h3 a[href="`+np+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`article.notice-doc`)),
	)
	if p := path(t, b); p != np {
		t.Errorf("at %s, want %s", p, np)
	}
	doc := read(t, b, "notice text", chromedp.Text(chromedp.CSS(`article.notice-doc`)))
	for _, want := range []string{"Esimerkki Oy", "90", "Puhelusi asiakaspalvelussa", "tietosuoja.fi"} {
		if !strings.Contains(doc, want) {
			t.Errorf("the notice lacks %q:\n%s", want, clip(doc, 1500))
		}
	}
	if r, err := db.NewNoticeService(srv.DB).Recipient(context.Background(), n.ID, "E1005"); err != nil || r.ReadAt.IsZero() {
		t.Errorf("opening did not record the read: %+v, %v", r, err)
	}

	step(t, b, "acknowledge",
		chromedp.Click(chromedp.CSS(`form[action="`+np+`/acknowledge"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	)
	flash := read(t, b, "flash", chromedp.Text(chromedp.CSS(`.flash`)))
	if want := cat.T(monitoring.Finnish, "web.notice.flash.acknowledged"); !strings.Contains(flash, want) {
		t.Errorf("flash %q, want %q", flash, want)
	}
	if r, err := db.NewNoticeService(srv.DB).Recipient(context.Background(), n.ID, "E1005"); err != nil || r.AcknowledgedAt.IsZero() {
		t.Errorf("the acknowledgement was not stored: %+v, %v", r, err)
	}
	left := read(t, b, "acknowledge forms left", chromedp.Evaluate[int](`document.querySelectorAll('form[action$="/acknowledge"]').length`))
	if left != 0 {
		t.Errorf("the acknowledge button still shows (%d)", left)
	}

	// Back home: the notice is acknowledged; the own log lists the uses of
	// the employee's calls with who used them.
	step(t, b, "open the own page",
		chromedp.Navigate(srv.URL+"/me"),
		chromedp.WaitVisible(chromedp.CSS(`#my-uses`)),
	)
	pendingCount = read(t, b, "pending notices after", chromedp.Evaluate[int](`document.querySelectorAll("li.my-notice.notice-pending").length`))
	if pendingCount != 0 {
		t.Errorf("%d notices still pending after acknowledging", pendingCount)
	}
	uses, _, err := db.NewUseService(srv.DB).ListUses(context.Background(), monitoring.UseFilter{EmployeeStaffID: "E1005", Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	rows := read(t, b, "own uses", chromedp.Evaluate[int](`document.querySelectorAll("table.my-uses tbody tr").length`))
	if rows != len(uses) {
		t.Errorf("the own log shows %d uses, the log has %d of E1005 on its first page", rows, len(uses))
	}
	if len(uses) > 0 {
		table := read(t, b, "own uses text", chromedp.Text(chromedp.CSS(`table.my-uses`)))
		if !strings.Contains(table, uses[0].RecordingRef) {
			t.Errorf("the own log lacks the newest recording %s", uses[0].RecordingRef)
		}
	}

	// The report: the link answers with a PDF.
	href := read(t, b, "report link", chromedp.Evaluate[string](`document.querySelector("#my-report-link").getAttribute("href")`))
	if !strings.HasPrefix(href, "/documents/employees/E1005/report.pdf") {
		t.Fatalf("report link %q", href)
	}
	got := read(t, b, "download the report", chromedp.Evaluate[string](
		`fetch(document.querySelector("#my-report-link").href).then(async r => r.status + " " + r.headers.get("content-type") + " " + (await r.text()).slice(0, 5))`,
		chromedp.EvalAwaitPromise))
	if !strings.HasPrefix(got, "200 application/pdf") || !strings.HasSuffix(got, "%PDF-") {
		t.Errorf("the report answers %q, want 200 application/pdf", got)
	}
}
