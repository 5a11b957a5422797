package main

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"vaaka/app/mail"
)

func parseServe(t *testing.T, env map[string]string, args ...string) (*Config, error) {
	t.Helper()
	c := &cli{stderr: io.Discard, lookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }}
	sb := c.serveBinder()
	if err := sb.Parse(args); err != nil {
		return nil, err
	}
	return sb.cfg, sb.cfg.Validate()
}

// TestConfig_SMTP: the mail settings come from VAAKA_SMTP_* and
// VAAKA_BASE_URL (flags win), the password only from the environment.
func TestConfig_SMTP(t *testing.T) {
	cfg, err := parseServe(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.SMTP.Enabled() {
		t.Errorf("enabled by default: %+v", cfg.SMTP)
	}
	env := map[string]string{
		"VAAKA_SMTP_HOST": "smtp.example.fi", "VAAKA_SMTP_USER": "vaaka", "VAAKA_SMTP_PASSWORD": "s3cret pass",
		"VAAKA_SMTP_FROM": "Vaaka <vaaka@example.fi>", "VAAKA_BASE_URL": "https://vaaka.example.fi",
	}
	cfg, err = parseServe(t, env)
	if err != nil {
		t.Fatal(err)
	}
	want := mail.Config{Host: "smtp.example.fi", Port: 587, User: "vaaka", Password: "s3cret pass", From: "Vaaka <vaaka@example.fi>",
		TLS: mail.TLSStartTLS, BaseURL: "https://vaaka.example.fi"}
	if cfg.SMTP != want {
		t.Errorf("got %+v\nwant %+v", cfg.SMTP, want)
	}
	env["VAAKA_SMTP_TLS"] = "tls"
	if cfg, err = parseServe(t, env); err != nil || cfg.SMTP.Port != 465 {
		t.Errorf("tls: port %d, %v", cfg.SMTP.Port, err)
	}
	if cfg, err = parseServe(t, env, "--smtp-port", "2525", "--smtp-host", "mail.example.fi"); err != nil ||
		cfg.SMTP.Port != 2525 || cfg.SMTP.Host != "mail.example.fi" {
		t.Errorf("flags: %+v, %v", cfg.SMTP, err)
	}

	// No password flag: a password never sits in a process list.
	if _, err := parseServe(t, env, "--smtp-password", "x"); err == nil {
		t.Error("--smtp-password accepted")
	}
	// Bad values name their variable.
	for k, v := range map[string]string{"VAAKA_SMTP_PORT": "abc", "VAAKA_SMTP_TLS": "ssl", "VAAKA_SMTP_FROM": "vaaka",
		"VAAKA_BASE_URL": "vaaka.example.fi"} {
		bad := map[string]string{}
		for k, v := range env {
			bad[k] = v
		}
		bad[k] = v
		if _, err := parseServe(t, bad); err == nil || !strings.Contains(err.Error(), k) {
			t.Errorf("%s=%s: %v", k, v, err)
		}
	}
	// A host needs a sender and the base URL for the links.
	if _, err := parseServe(t, map[string]string{"VAAKA_SMTP_HOST": "smtp.example.fi"}); err == nil ||
		!strings.Contains(err.Error(), "VAAKA_SMTP_FROM") || !strings.Contains(err.Error(), "VAAKA_BASE_URL") {
		t.Errorf("host alone: %v", err)
	}

	// The help text names the variables and never shows the password.
	var help bytes.Buffer
	c := &cli{stderr: &help, lookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }}
	sb := c.serveBinder()
	sb.fs.SetOutput(&help)
	sb.fs.Usage()
	for _, s := range []string{"VAAKA_SMTP_HOST", "VAAKA_SMTP_PORT", "VAAKA_SMTP_USER", "VAAKA_SMTP_PASSWORD", "VAAKA_SMTP_FROM", "VAAKA_SMTP_TLS", "VAAKA_BASE_URL"} {
		if !strings.Contains(help.String(), s) {
			t.Errorf("help lacks %s", s)
		}
	}
	if strings.Contains(help.String(), "s3cret") {
		t.Errorf("help shows the password:\n%s", help.String())
	}
}
