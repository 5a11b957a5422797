package mail_test

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vaaka/app"
	"vaaka/app/mail"
	"vaaka/db"
	"vaaka/monitoring"
)

var testNow = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

const baseURL = "https://vaaka.example.fi"

func openDB(t *testing.T) *db.DB {
	t.Helper()
	d, err := db.Open(filepath.Join(t.TempDir(), "vaaka.db"))
	if err != nil {
		t.Fatal(err)
	}
	d.Now = func() time.Time { return testNow }
	t.Cleanup(func() { d.Close() })
	return d
}

var catalog = func() *app.Catalog {
	c, err := app.LoadCatalog()
	if err != nil {
		panic(err)
	}
	return c
}()

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func plainConfig(port int) mail.Config {
	return mail.Config{Host: "127.0.0.1", Port: port, From: "Vaaka <vaaka@example.fi>", TLS: mail.TLSNone, BaseURL: baseURL + "/"}
}

func newSender(t *testing.T, cfg mail.Config, o monitoring.OutboxService) *mail.Sender {
	t.Helper()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return mail.NewSender(cfg, o, catalog, quiet())
}

func queue(t *testing.T, o *db.OutboxService, m *monitoring.Mail) *monitoring.Mail {
	t.Helper()
	if err := o.Queue(t.Context(), m); err != nil {
		t.Fatal(err)
	}
	return m
}

func runOnce(t *testing.T, s *mail.Sender, now time.Time) mail.Result {
	t.Helper()
	res, err := s.RunOnce(t.Context(), now)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func allMail(t *testing.T, o *db.OutboxService) []*monitoring.Mail {
	t.Helper()
	items, _, err := o.ListOutbox(t.Context(), monitoring.OutboxFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return items
}

// closedPort is a port on 127.0.0.1 where nothing listens.
func closedPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return port
}

// TestSender_DeliversInRecipientLanguage: a queued notice mail arrives in
// the recipient's language with the subject, the greeting, the absolute
// link and the footer — and nothing of the notice but its name.
func TestSender_DeliversInRecipientLanguage(t *testing.T) {
	srv := startSMTP(t, nil)
	o := db.NewOutboxService(openDB(t))
	sv := queue(t, o, &monitoring.Mail{Kind: monitoring.MailNoticeIssued, To: "asa@example.fi", Language: monitoring.Swedish,
		Params: map[string]string{"name": "Åsa Ström", "activity": "Samtalsinspelning i kundtjänsten", "link": "/notices/7",
			"purpose": "HEMLIG text ur meddelandet"}, Ref: "notice:7:E1"})
	queue(t, o, &monitoring.Mail{Kind: monitoring.MailMinutesApproval, To: "liisa@example.fi", Language: monitoring.Finnish,
		Params: map[string]string{"case": "Puheluiden tallennus", "meeting": "2026-11-21", "version": "2", "link": "/cases/3#meeting-4"}})

	s := newSender(t, plainConfig(srv.Port), o)
	if res := runOnce(t, s, testNow); res.Sent != 2 || res.Failed != 0 {
		t.Fatalf("result %+v", res)
	}
	msgs := srv.Messages()
	if len(msgs) != 2 {
		t.Fatalf("%d messages arrived", len(msgs))
	}

	got := msgs[0]
	if got.From != "vaaka@example.fi" || len(got.To) != 1 || got.To[0] != "asa@example.fi" {
		t.Errorf("envelope %q → %v", got.From, got.To)
	}
	h, subject, body := got.parsed(t)
	if want := catalog.T(monitoring.Swedish, "mail.notice_issued.subject"); subject != want {
		t.Errorf("subject = %q, want %q", subject, want)
	}
	for _, want := range []string{"Hej Åsa Ström,", "Samtalsinspelning i kundtjänsten", "\n" + baseURL + "/notices/7\n", "Vaaka"} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "HEMLIG") || strings.Contains(body, "{") {
		t.Errorf("body carries more than the template:\n%s", body)
	}
	if id := h.Get("Message-ID"); !strings.HasPrefix(id, "<vaaka-outbox-") || !strings.HasSuffix(id, "@example.fi>") {
		t.Errorf("Message-ID = %q", id)
	}
	if id, want := h.Get("Message-ID"), mail.MessageID(sv, "vaaka@example.fi"); id != want {
		t.Errorf("Message-ID = %q, want %q (stable per outbox id)", id, want)
	}
	if ct := h.Get("Content-Type"); ct != "text/plain; charset=utf-8" || h.Get("Content-Transfer-Encoding") != "quoted-printable" {
		t.Errorf("content type %q, encoding %q", ct, h.Get("Content-Transfer-Encoding"))
	}
	if d, err := h.Date(); err != nil || !d.Equal(testNow) {
		t.Errorf("Date = %v %v", d, err)
	}
	if h.Get("To") != "<asa@example.fi>" || !strings.Contains(h.Get("From"), "<vaaka@example.fi>") || h.Get("Content-Language") != "sv" {
		t.Errorf("headers %v", h)
	}

	// Finnish, with ä/ö in the subject (RFC 2047 on the wire) and the date
	// written the Finnish way.
	_, subject, body = msgs[1].parsed(t)
	if subject != "Pöytäkirja odottaa tarkastustasi: Puheluiden tallennus" {
		t.Errorf("subject = %q", subject)
	}
	if !strings.Contains(msgs[1].Data, "Subject: =?utf-8?q?") {
		t.Errorf("subject not RFC 2047-encoded:\n%s", msgs[1].Data)
	}
	for _, want := range []string{"Hei,", "21.11.2026", "(versio 2)", baseURL + "/cases/3#meeting-4", "Tämän viestin lähetti Vaaka"} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}

	// Both are marked sent; a later run sends nothing.
	for _, m := range allMail(t, o) {
		if !m.SentAt.Equal(testNow) || m.Attempts != 0 {
			t.Errorf("mail %d: sent %v, attempts %d", m.ID, m.SentAt, m.Attempts)
		}
	}
	if res := runOnce(t, s, testNow.Add(time.Hour)); res != (mail.Result{}) || len(srv.Messages()) != 2 {
		t.Errorf("second run: %+v, %d messages", res, len(srv.Messages()))
	}
}

// TestSender_ServerDown_BacksOffThenDeliversOnce: while the mail server is
// down every attempt is recorded and the next one backs off; nothing is
// lost, and when it is back each message arrives exactly once.
func TestSender_ServerDown_BacksOffThenDeliversOnce(t *testing.T) {
	o := db.NewOutboxService(openDB(t))
	a := queue(t, o, &monitoring.Mail{Kind: monitoring.MailNoticeReminder, To: "a@example.fi", Params: map[string]string{"link": "/notices/1"}})
	b := queue(t, o, &monitoring.Mail{Kind: monitoring.MailNoticeReminder, To: "b@example.fi", Params: map[string]string{"link": "/notices/1"}})

	down := newSender(t, plainConfig(closedPort(t)), o)
	if res := runOnce(t, down, testNow); res.Failed != 2 || res.Sent != 0 {
		t.Fatalf("first run %+v", res)
	}
	check := func(attempts int, next time.Time) {
		t.Helper()
		for _, m := range allMail(t, o) {
			if m.Attempts != attempts || !m.NextAttemptAt.Equal(next) || !m.SentAt.IsZero() || m.LastError == "" {
				t.Fatalf("mail %d: attempts %d next %v sent %v error %q; want %d attempts, next %v",
					m.ID, m.Attempts, m.NextAttemptAt, m.SentAt, m.LastError, attempts, next)
			}
		}
	}
	check(1, testNow.Add(time.Minute))
	// Not due yet: nothing is tried.
	if res := runOnce(t, down, testNow.Add(30*time.Second)); res != (mail.Result{}) {
		t.Fatalf("tried before the back-off: %+v", res)
	}
	t2 := testNow.Add(time.Minute)
	runOnce(t, down, t2)
	check(2, t2.Add(2*time.Minute))
	t3 := t2.Add(2 * time.Minute)
	runOnce(t, down, t3)
	check(3, t3.Add(4*time.Minute))

	// HR sees them unsent.
	if unsent, _, _ := o.ListOutbox(t.Context(), monitoring.OutboxFilter{Unsent: true}); len(unsent) != 2 {
		t.Fatalf("unsent = %d", len(unsent))
	}

	srv := startSMTP(t, nil)
	up := newSender(t, plainConfig(srv.Port), o)
	t4 := t3.Add(4 * time.Minute)
	if res := runOnce(t, up, t4); res.Sent != 2 {
		t.Fatalf("after recovery %+v", res)
	}
	for range 3 {
		runOnce(t, up, t4.Add(24*time.Hour))
	}
	msgs := srv.Messages()
	if len(msgs) != 2 || msgs[0].To[0] != a.To || msgs[1].To[0] != b.To {
		t.Fatalf("delivered %d: %+v", len(msgs), msgs)
	}
	if unsent, _, _ := o.ListOutbox(t.Context(), monitoring.OutboxFilter{Unsent: true}); len(unsent) != 0 {
		t.Fatalf("still unsent: %d", len(unsent))
	}
}

// TestSender_RejectedMessageRetried: a message the server refuses (451)
// backs off alone; the next one in the run is still sent.
func TestSender_RejectedMessageRetried(t *testing.T) {
	srv := startSMTP(t, nil)
	srv.RejectData(1)
	o := db.NewOutboxService(openDB(t))
	queue(t, o, &monitoring.Mail{Kind: monitoring.MailDeadlineNear, To: "a@example.fi"})
	queue(t, o, &monitoring.Mail{Kind: monitoring.MailDeadlineNear, To: "b@example.fi"})
	queue(t, o, &monitoring.Mail{Kind: monitoring.MailDeadlineNear, To: "not an address"})
	s := newSender(t, plainConfig(srv.Port), o)
	if res := runOnce(t, s, testNow); res.Sent != 1 || res.Failed != 2 {
		t.Fatalf("result %+v", res)
	}
	items := allMail(t, o) // newest first
	if items[2].Attempts != 1 || !strings.Contains(items[2].LastError, "451") || items[1].SentAt.IsZero() ||
		items[0].Attempts != 1 || !strings.Contains(items[0].LastError, "not an e-mail address") {
		t.Fatalf("states: %+v %+v %+v", items[2], items[1], items[0])
	}
	if res := runOnce(t, s, testNow.Add(time.Minute)); res.Sent != 1 || res.Failed != 1 {
		t.Fatalf("retry %+v", res)
	}
	msgs := srv.Messages()
	if len(msgs) != 2 || msgs[0].To[0] != "b@example.fi" || msgs[1].To[0] != "a@example.fi" {
		t.Fatalf("delivered %+v", msgs)
	}
}

// TestSender_NotConfigured: without an SMTP host nothing is sent or tried;
// the mail stays unsent for HR to see.
func TestSender_NotConfigured(t *testing.T) {
	o := db.NewOutboxService(openDB(t))
	queue(t, o, &monitoring.Mail{Kind: monitoring.MailNoticeIssued, To: "a@example.fi"})
	s := mail.NewSender(mail.Config{}, o, catalog, quiet())
	if s.Enabled() {
		t.Fatal("enabled without a host")
	}
	if res := runOnce(t, s, testNow); res != (mail.Result{}) {
		t.Fatalf("result %+v", res)
	}
	items := allMail(t, o)
	if len(items) != 1 || items[0].Attempts != 0 || !items[0].SentAt.IsZero() {
		t.Fatalf("items %+v", items[0])
	}
}

// TestSender_StartTLSWithAuth: STARTTLS, then AUTH PLAIN over TLS.
func TestSender_StartTLSWithAuth(t *testing.T) {
	serverTLS, pool := testCert(t)
	srv := startSMTP(t, nil, withStartTLS(serverTLS), withAuth())
	o := db.NewOutboxService(openDB(t))
	queue(t, o, &monitoring.Mail{Kind: monitoring.MailAccessRequestDue, To: "hr@example.fi", Language: monitoring.English,
		Params: map[string]string{"due": "2026-12-01", "link": "/dashboard"}})
	cfg := plainConfig(srv.Port)
	cfg.TLS, cfg.User, cfg.Password = mail.TLSStartTLS, "vaaka", "s3cret"
	cfg.TLSConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	s := newSender(t, cfg, o)
	if res := runOnce(t, s, testNow); res.Sent != 1 {
		t.Fatalf("result %+v; %+v", res, allMail(t, o)[0])
	}
	msgs := srv.Messages()
	if len(msgs) != 1 || !msgs[0].TLS || msgs[0].AuthRaw != "\x00vaaka\x00s3cret" {
		t.Fatalf("received %+v", msgs)
	}
	_, subject, body := msgs[0].parsed(t)
	if subject != "An access request is due on 1 December 2026" || !strings.Contains(body, baseURL+"/dashboard") {
		t.Errorf("subject %q body %q", subject, body)
	}
}

// TestSender_StartTLSRequired: a server without STARTTLS gets nothing when
// STARTTLS was asked for (no silent downgrade).
func TestSender_StartTLSRequired(t *testing.T) {
	srv := startSMTP(t, nil)
	o := db.NewOutboxService(openDB(t))
	queue(t, o, &monitoring.Mail{Kind: monitoring.MailNoticeIssued, To: "a@example.fi"})
	cfg := plainConfig(srv.Port)
	cfg.TLS = mail.TLSStartTLS
	s := newSender(t, cfg, o)
	if res := runOnce(t, s, testNow); res.Failed != 1 {
		t.Fatalf("result %+v", res)
	}
	if len(srv.Messages()) != 0 || !strings.Contains(allMail(t, o)[0].LastError, "STARTTLS") {
		t.Fatalf("sent without TLS: %+v", allMail(t, o)[0])
	}
}

// TestSender_ImplicitTLS: TLS from the first byte (port 465 style), with
// the server's certificate verified.
func TestSender_ImplicitTLS(t *testing.T) {
	serverTLS, pool := testCert(t)
	srv := startSMTP(t, serverTLS)
	o := db.NewOutboxService(openDB(t))
	queue(t, o, &monitoring.Mail{Kind: monitoring.MailNoticeIssued, To: "a@example.fi"})
	cfg := plainConfig(srv.Port)
	cfg.TLS = mail.TLSImplicit

	// An untrusted certificate is refused.
	cfg.TLSConfig = &tls.Config{RootCAs: x509.NewCertPool()}
	if res := runOnce(t, newSender(t, cfg, o), testNow); res.Failed != 1 || len(srv.Messages()) != 0 {
		t.Fatalf("untrusted: %+v", res)
	}
	cfg.TLSConfig = &tls.Config{RootCAs: pool}
	if res := runOnce(t, newSender(t, cfg, o), testNow.Add(time.Minute)); res.Sent != 1 {
		t.Fatalf("trusted: %+v %+v", res, allMail(t, o)[0])
	}
	if msgs := srv.Messages(); len(msgs) != 1 || !msgs[0].TLS {
		t.Fatalf("received %+v", msgs)
	}
}

func TestBackoff(t *testing.T) {
	for _, c := range []struct {
		attempts int
		want     time.Duration
	}{{0, time.Minute}, {1, time.Minute}, {2, 2 * time.Minute}, {3, 4 * time.Minute}, {9, 256 * time.Minute},
		{10, 6 * time.Hour}, {11, 6 * time.Hour}, {1000, 6 * time.Hour}} {
		if got := mail.Backoff(c.attempts); got != c.want {
			t.Errorf("Backoff(%d) = %v, want %v", c.attempts, got, c.want)
		}
	}
}

// TestRender_EveryKindEveryLanguage: each kind has a subject and a body in
// fi, sv and en with the link, a greeting and the footer, and no
// placeholder is left over even when a parameter is missing.
func TestRender_EveryKindEveryLanguage(t *testing.T) {
	s := mail.NewSender(plainConfig(25), nil, catalog, quiet())
	kinds := []monitoring.MailKind{monitoring.MailNoticeIssued, monitoring.MailNoticeReminder, monitoring.MailMinutesApproval,
		monitoring.MailDeadlineNear, monitoring.MailAccessRequestDue}
	for _, k := range kinds {
		for _, l := range monitoring.Languages {
			m := &monitoring.Mail{ID: 1, Kind: k, To: "x@example.fi", Language: l,
				Params: map[string]string{"name": "Anna", "activity": "A", "case": "C", "meeting": "2026-11-21", "version": "1",
					"deadline_key": "coop.deadline.information", "due": "2026-12-01", "link": "/x"}}
			subject, body := s.Render(m)
			if subject == "" || strings.HasPrefix(subject, "mail.") || strings.ContainsAny(subject, "{}\n") {
				t.Errorf("%s/%s: subject %q", k, l, subject)
			}
			if !strings.Contains(body, baseURL+"/x") || !strings.Contains(body, "Anna") || !strings.Contains(body, "Vaaka") ||
				strings.Contains(body, "mail.") || strings.ContainsAny(body, "{}") {
				t.Errorf("%s/%s: body %q", k, l, body)
			}
			if k == monitoring.MailDeadlineNear && !strings.Contains(body, catalog.T(l, "coop.deadline.information")) {
				t.Errorf("%s/%s: deadline not translated: %q", k, l, body)
			}
			m.Params = nil
			subject, body = s.Render(m)
			if strings.ContainsAny(subject+body, "{}") || !strings.Contains(body, baseURL+"/\n") {
				t.Errorf("%s/%s without params: %q / %q", k, l, subject, body)
			}
		}
	}
}

func TestConfigValidate(t *testing.T) {
	ok := plainConfig(25)
	if err := (mail.Config{}).Validate(); err != nil {
		t.Errorf("disabled: %v", err)
	}
	if err := ok.Validate(); err != nil {
		t.Errorf("ok: %v", err)
	}
	for name, c := range map[string]func(*mail.Config){
		"VAAKA_SMTP_PORT": func(c *mail.Config) { c.Port = 0 },
		"VAAKA_SMTP_TLS":  func(c *mail.Config) { c.TLS = "ssl" },
		"VAAKA_SMTP_FROM": func(c *mail.Config) { c.From = "not an address" },
		"VAAKA_BASE_URL":  func(c *mail.Config) { c.BaseURL = "vaaka.example.fi" },
		"VAAKA_SMTP_USER": func(c *mail.Config) { c.Host, c.User = "smtp.example.fi", "u" },
	} {
		cfg := ok
		c(&cfg)
		if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
