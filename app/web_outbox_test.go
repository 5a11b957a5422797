package app_test

import (
	"strings"
	"testing"
	"time"

	"vaaka/app"
	"vaaka/db"
	"vaaka/monitoring"
)

// TestWebOutbox: HR sees the unsent mail with its attempts and last error,
// and the sent mail when asking for all.
func TestWebOutbox(t *testing.T) {
	ts := newTestServer(t)
	o := db.NewOutboxService(ts.DB)
	unsent := &monitoring.Mail{Kind: monitoring.MailNoticeIssued, To: "eero@example.fi", Language: monitoring.Finnish}
	sent := &monitoring.Mail{Kind: monitoring.MailDeadlineNear, To: "rep@example.fi", Language: monitoring.Swedish}
	for _, m := range []*monitoring.Mail{unsent, sent} {
		if err := o.Queue(t.Context(), m); err != nil {
			t.Fatal(err)
		}
	}
	if err := o.MarkFailed(t.Context(), unsent.ID, "connect to smtp.example.fi:587: connection refused", testNow.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := o.MarkSent(t.Context(), sent.ID, testNow); err != nil {
		t.Fatal(err)
	}
	hr := loggedIn(t, ts, "hr@example.fi", "hr", "")
	resp, body := hr.get(t, "/outbox?unsent=1")
	wantStatus(t, resp, body, 200)
	for _, s := range []string{"Lähtevät sähköpostit", "Tiedote annettu", "eero@example.fi", "Lähettämättä", "connection refused", `href="/outbox"`} {
		if !strings.Contains(body, s) {
			t.Errorf("unsent page lacks %q", s)
		}
	}
	if strings.Contains(body, "rep@example.fi") {
		t.Error("unsent page shows sent mail")
	}
	resp, body = hr.get(t, "/outbox?lang=en")
	wantStatus(t, resp, body, 200)
	for _, s := range []string{"Outgoing e-mail", "Time limit near", "rep@example.fi", "Sent ", "eero@example.fi"} {
		if !strings.Contains(body, s) {
			t.Errorf("page lacks %q", s)
		}
	}
	resp, body = hr.get(t, "/outbox?cursor=x")
	if resp.StatusCode != 400 && resp.StatusCode != 422 {
		t.Errorf("bad cursor: %d", resp.StatusCode)
	}

	// The page says whether a mail server is configured.
	cat, err := app.LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	for _, configured := range []bool{false, true} {
		cfg := app.DefaultConfig()
		cfg.MailConfigured = configured
		b := newBrowser(serverWith(t, ts, cfg, nil))
		b.login(t, "hr@example.fi")
		_, body := b.get(t, "/outbox")
		want, not := "mail.ui.not_configured", "mail.ui.configured"
		if configured {
			want, not = not, want
		}
		if !strings.Contains(body, cat.T(monitoring.Finnish, want)) || strings.Contains(body, cat.T(monitoring.Finnish, not)) {
			t.Errorf("configured %v: the page lacks %s or shows %s", configured, want, not)
		}
	}
}
