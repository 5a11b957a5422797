// Package mail delivers the e-mail outbox over SMTP.
//
// Messages are queued by package db in the same transaction as the event
// that causes them (a notice issued, minutes written, a deadline near), so
// a message exists exactly when its event was committed. The Sender takes
// the messages that are due, renders them in the recipient's language from
// the message catalogs ("mail.<kind>.subject" / ".body"), hands them to the
// configured SMTP server and marks them sent; a failure is recorded with
// exponential back-off (1 min, 2, 4, … at most 6 h) and retried, so nothing
// is lost while the mail server is down.
//
// Delivery is at least once, not exactly once: a message is marked sent
// right after the server accepted its DATA, and a crash (or a lost
// database write) between the two would send it again on the next run.
// Every message carries a Message-ID derived from its outbox id, stable
// across retries, so that receiving systems can drop the duplicate.
//
// Without a configured SMTP host the Sender does nothing: the messages stay
// in the outbox, and HR sees them as unsent.
package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"time"

	"vaaka/monitoring"
)

// TLSMode is how the SMTP connection is protected.
type TLSMode string

// TLS modes.
const (
	TLSNone     TLSMode = "none"     // plain SMTP (a relay on the same host or network)
	TLSStartTLS TLSMode = "starttls" // plain connection upgraded with STARTTLS (required)
	TLSImplicit TLSMode = "tls"      // TLS from the first byte (port 465)
)

// Valid reports whether m is a known mode.
func (m TLSMode) Valid() bool { return m == TLSNone || m == TLSStartTLS || m == TLSImplicit }

// Config is the SMTP server and what the messages link to.
type Config struct {
	Host     string // no host: mail is kept in the outbox, not sent
	Port     int
	User     string // empty: no authentication
	Password string
	From     string // "Vaaka <vaaka@example.fi>"
	TLS      TLSMode
	// BaseURL is prefixed to the link of every message, e.g.
	// "https://vaaka.example.fi".
	BaseURL string
	// TLSConfig overrides the TLS client settings (tests trust their own
	// certificate); nil verifies the server's certificate for Host.
	TLSConfig *tls.Config
	// HelloName is sent in EHLO (default "localhost").
	HelloName string
	// Timeout bounds connecting and each message's exchange (default 30 s).
	Timeout time.Duration
}

// Enabled reports whether an SMTP server is configured.
func (c Config) Enabled() bool { return strings.TrimSpace(c.Host) != "" }

// Validate checks a configuration that is enabled and names the setting at
// fault by its environment variable.
func (c Config) Validate() error {
	if !c.Enabled() {
		return nil
	}
	var errs []error
	if c.Port < 1 || c.Port > 65535 {
		errs = append(errs, fmt.Errorf("VAAKA_SMTP_PORT: %d is not a port", c.Port))
	}
	if !c.TLS.Valid() {
		errs = append(errs, fmt.Errorf("VAAKA_SMTP_TLS: %q is not none, starttls or tls", c.TLS))
	}
	if strings.TrimSpace(c.From) == "" {
		errs = append(errs, errors.New("VAAKA_SMTP_FROM: needed when VAAKA_SMTP_HOST is set"))
	} else if _, err := mail.ParseAddress(c.From); err != nil {
		errs = append(errs, fmt.Errorf("VAAKA_SMTP_FROM: %q is not an e-mail address", c.From))
	}
	if c.User != "" && c.TLS == TLSNone && !isLoopback(c.Host) {
		errs = append(errs, errors.New("VAAKA_SMTP_USER: a password is sent only over TLS (VAAKA_SMTP_TLS=starttls or tls)"))
	}
	if err := ValidateBaseURL(c.BaseURL); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// ValidateBaseURL checks VAAKA_BASE_URL: an absolute http(s) URL without
// query or fragment (it is needed for the links of the messages).
func ValidateBaseURL(u string) error {
	if u == "" {
		return errors.New("VAAKA_BASE_URL: needed for the links in e-mail when VAAKA_SMTP_HOST is set")
	}
	if !(strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")) || strings.ContainsAny(u, "?# \t\r\n") ||
		len(strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://")) == 0 {
		return fmt.Errorf("VAAKA_BASE_URL: %q is not an http(s) URL such as https://vaaka.example.fi", u)
	}
	return nil
}

func isLoopback(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

// Catalog gives the text of a message key in a language with its {name}
// placeholders unreplaced (app.Catalog satisfies it: called without
// values, T returns the raw text).
type Catalog interface {
	T(lang monitoring.Language, key string, kv ...string) string
}

// Sender delivers due outbox messages. Run it in one goroutine; Notify may
// be called from any.
type Sender struct {
	outbox  monitoring.OutboxService
	catalog Catalog
	cfg     Config
	log     *slog.Logger
	poke    chan struct{}

	// Interval is how often Run looks for due messages (default 10 s).
	Interval time.Duration
	// Batch is the most messages one run sends (default 100).
	Batch int
	// Now is the clock (default time.Now in UTC).
	Now func() time.Time
}

// NewSender returns a sender of outbox's messages with the texts of
// catalog.
func NewSender(cfg Config, outbox monitoring.OutboxService, catalog Catalog, logger *slog.Logger) *Sender {
	if logger == nil {
		logger = slog.Default()
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.HelloName == "" {
		cfg.HelloName = "localhost"
	}
	if cfg.TLS == "" {
		cfg.TLS = TLSStartTLS
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	return &Sender{
		outbox: outbox, catalog: catalog, cfg: cfg, log: logger, poke: make(chan struct{}, 1),
		Interval: 10 * time.Second, Batch: 100, Now: func() time.Time { return time.Now().UTC() },
	}
}

// Enabled reports whether the sender has an SMTP server to send to.
func (s *Sender) Enabled() bool { return s.cfg.Enabled() }

// Notify wakes Run to look for due messages now (after queueing one). It
// never blocks.
func (s *Sender) Notify() {
	select {
	case s.poke <- struct{}{}:
	default:
	}
}

// Run sends due messages every Interval and whenever Notify is called,
// until ctx ends. Without an SMTP server it only waits for ctx.
func (s *Sender) Run(ctx context.Context) {
	if !s.Enabled() {
		s.log.Info("mail: no SMTP server configured (VAAKA_SMTP_HOST); messages stay in the outbox unsent")
		<-ctx.Done()
		return
	}
	t := time.NewTicker(s.Interval)
	defer t.Stop()
	for {
		if _, err := s.RunOnce(ctx, s.Now()); err != nil && ctx.Err() == nil {
			s.log.Error("mail: outbox", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.poke:
		}
	}
}

// Result counts what one run did.
type Result struct {
	Sent, Failed int
}

// Backoff is the wait after a message's attempts-th failure (1-based):
// 1 min, doubling, at most 6 h.
func Backoff(attempts int) time.Duration {
	const max = 6 * time.Hour
	if attempts < 1 {
		attempts = 1
	}
	if attempts > 10 {
		return max
	}
	d := time.Minute << (attempts - 1)
	if d > max {
		return max
	}
	return d
}

// RunOnce sends the messages due at now over one SMTP session and marks
// each sent or failed. When the server cannot be reached every due message
// backs off. The error is a storage error; delivery failures are recorded
// on the messages and counted in Result.
func (s *Sender) RunOnce(ctx context.Context, now time.Time) (Result, error) {
	var res Result
	if !s.Enabled() {
		return res, nil
	}
	due, err := s.outbox.Due(ctx, now, s.Batch)
	if err != nil {
		return res, err
	}
	if len(due) == 0 {
		return res, nil
	}
	from, err := mail.ParseAddress(s.cfg.From)
	if err != nil {
		return res, fmt.Errorf("mail: VAAKA_SMTP_FROM %q: %w", s.cfg.From, err)
	}
	fail := func(m *monitoring.Mail, cause error) error {
		res.Failed++
		next := now.Add(Backoff(m.Attempts + 1))
		s.log.Warn("mail: not sent", "id", m.ID, "kind", m.Kind, "attempt", m.Attempts+1, "next_attempt_at", next, "err", cause)
		return s.outbox.MarkFailed(ctx, m.ID, errorText(cause), next)
	}
	var sess *session
	defer func() {
		if sess != nil {
			sess.quit()
		}
	}()
	for i, m := range due {
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		msg, err := s.Compose(m, from, now)
		if err != nil {
			if err := fail(m, err); err != nil {
				return res, err
			}
			continue
		}
		if sess == nil {
			if sess, err = s.dial(ctx); err != nil {
				// The server is down or refuses us: every message waits.
				for _, r := range due[i:] {
					if err := fail(r, err); err != nil {
						return res, err
					}
				}
				return res, nil
			}
		}
		if err := sess.send(from.Address, msg.To, msg.Data); err != nil {
			sess.close()
			sess = nil
			if err := fail(m, err); err != nil {
				return res, err
			}
			continue
		}
		// Accepted: mark it at once (see the package comment on duplicates).
		if err := s.outbox.MarkSent(ctx, m.ID, now); err != nil {
			return res, err
		}
		res.Sent++
		s.log.Info("mail: sent", "id", m.ID, "kind", m.Kind)
	}
	return res, nil
}

// errorText is what HR sees of a failure: one line, at most 300 bytes.
func errorText(err error) string {
	t := strings.Join(strings.Fields(err.Error()), " ")
	if len(t) > 300 {
		t = t[:300]
	}
	return t
}
