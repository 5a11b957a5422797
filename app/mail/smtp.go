package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"strconv"
	"time"
)

// session is one SMTP connection over which a run sends its messages.
type session struct {
	conn    net.Conn
	c       *smtp.Client
	timeout time.Duration
	stop    func() bool // ends the close-on-cancel watch
}

// dial connects to the configured server, says EHLO, secures the
// connection as configured (STARTTLS is required when asked for, never
// skipped) and authenticates when a user is set.
func (s *Sender) dial(ctx context.Context) (*session, error) {
	cfg := s.cfg
	addr := net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))
	tc := cfg.TLSConfig
	if tc == nil {
		tc = &tls.Config{ServerName: cfg.Host, MinVersion: tls.VersionTLS12}
	} else {
		tc = tc.Clone()
		if tc.ServerName == "" {
			tc.ServerName = cfg.Host
		}
	}
	d := &net.Dialer{Timeout: cfg.Timeout}
	var conn net.Conn
	var err error
	if cfg.TLS == TLSImplicit {
		conn, err = (&tls.Dialer{NetDialer: d, Config: tc}).DialContext(ctx, "tcp", addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", addr, err)
	}
	ss := &session{conn: conn, timeout: cfg.Timeout}
	ss.stop = context.AfterFunc(ctx, func() { conn.Close() })
	fail := func(err error) (*session, error) {
		ss.close()
		return nil, err
	}
	ss.deadline()
	c, err := smtp.NewClient(conn, cfg.Host)
	if err != nil {
		return fail(fmt.Errorf("smtp greeting from %s: %w", addr, err))
	}
	ss.c = c
	if err := c.Hello(cfg.HelloName); err != nil {
		return fail(fmt.Errorf("smtp EHLO: %w", err))
	}
	if cfg.TLS == TLSStartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return fail(errors.New("smtp: the server does not offer STARTTLS (VAAKA_SMTP_TLS=starttls)"))
		}
		if err := c.StartTLS(tc); err != nil {
			return fail(fmt.Errorf("smtp STARTTLS: %w", err))
		}
	}
	if cfg.User != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return fail(errors.New("smtp: the server does not offer AUTH (VAAKA_SMTP_USER is set)"))
		}
		// PlainAuth itself refuses to send the password over a connection
		// that is neither TLS nor to localhost.
		if err := c.Auth(smtp.PlainAuth("", cfg.User, cfg.Password, cfg.Host)); err != nil {
			return fail(fmt.Errorf("smtp AUTH: %w", err))
		}
	}
	return ss, nil
}

func (ss *session) deadline() { _ = ss.conn.SetDeadline(time.Now().Add(ss.timeout)) }

// send transmits one message; nil means the server accepted its DATA.
func (ss *session) send(from, to string, data []byte) error {
	ss.deadline()
	if err := ss.c.Mail(from); err != nil {
		return fmt.Errorf("smtp MAIL FROM: %w", err)
	}
	if err := ss.c.Rcpt(to); err != nil {
		return fmt.Errorf("smtp RCPT TO: %w", err)
	}
	w, err := ss.c.Data()
	if err != nil {
		return fmt.Errorf("smtp DATA: %w", err)
	}
	if _, err := w.Write(data); err != nil {
		w.Close()
		return fmt.Errorf("smtp DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("smtp DATA: %w", err)
	}
	return nil
}

// quit ends the session politely.
func (ss *session) quit() {
	ss.deadline()
	if ss.c != nil {
		_ = ss.c.Quit()
	}
	ss.close()
}

func (ss *session) close() {
	ss.stop()
	if ss.c != nil {
		_ = ss.c.Close()
	} else {
		_ = ss.conn.Close()
	}
}
