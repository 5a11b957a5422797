package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"vaaka/app"
	"vaaka/app/mail"
	"vaaka/cooperation"
)

// Config is what serve runs with, read from flags and VAAKA_* variables
// (STYLE.md §4: no global options; Validate before use).
type Config struct {
	Addr            string        // listen address, host:port
	DB              string        // database file
	Demo            bool          // fill an empty database with the demo organisation
	SecureCookies   bool          // cookies Secure + HSTS (behind TLS)
	TrustedProxies  []string      // IPs or CIDRs allowed to set X-Forwarded-For
	BodyLimit       int           // bytes
	SessionIdle     time.Duration // idle timeout of browser sessions
	SessionAbsolute time.Duration // absolute lifetime of browser sessions
	ShutdownTimeout time.Duration // how long in-flight requests may finish
	Log             LogConfig
	// CoopThresholds are the co-operation thresholds with their effective
	// dates (R-COOP-1; LAW.md keeps them in configuration, not code).
	CoopThresholds []cooperation.Threshold
	// SMTP is the mail server for the outbox and VAAKA_BASE_URL for the
	// links; no host keeps the mail unsent in the outbox. The password
	// comes only from VAAKA_SMTP_PASSWORD, never a flag.
	SMTP mail.Config
	// LogRetentionDays is how long the use log is kept (R-LOG-2, default
	// two years); SigningKey is the private signing key file ("" : beside
	// the database).
	LogRetentionDays int
	SigningKey       string
}

// LogConfig selects the structured log's level and format.
type LogConfig struct {
	Level  string // debug, info, warn, error
	Format string // auto (JSON unless stderr is a terminal), json, text
}

// DefaultConfig returns the defaults every flag starts from.
func DefaultConfig() Config {
	d := app.DefaultConfig()
	return Config{
		Addr:             "127.0.0.1:8080",
		DB:               "vaaka.db",
		BodyLimit:        d.BodyLimit,
		SessionIdle:      d.SessionIdle,
		SessionAbsolute:  d.SessionAbsolute,
		ShutdownTimeout:  15 * time.Second,
		Log:              LogConfig{Level: "info", Format: "auto"},
		CoopThresholds:   cooperation.DefaultThresholds(),
		SMTP:             mail.Config{TLS: mail.TLSStartTLS},
		LogRetentionDays: 730,
	}
}

// Validate checks the configuration and names the offending setting.
func (c *Config) Validate() error {
	var errs []error
	if _, port, err := net.SplitHostPort(c.Addr); err != nil || port == "" {
		errs = append(errs, fmt.Errorf("--addr/VAAKA_ADDR: %q is not host:port", c.Addr))
	}
	if strings.TrimSpace(c.DB) == "" {
		errs = append(errs, errors.New("--db/VAAKA_DB: empty"))
	}
	for _, p := range c.TrustedProxies {
		if net.ParseIP(p) == nil {
			if _, _, err := net.ParseCIDR(p); err != nil {
				errs = append(errs, fmt.Errorf("--trusted-proxies/VAAKA_TRUSTED_PROXIES: %q is not an IP or CIDR", p))
			}
		}
	}
	if c.BodyLimit < 1024 || c.BodyLimit > 1<<30 {
		errs = append(errs, fmt.Errorf("--body-limit/VAAKA_BODY_LIMIT: %d bytes is outside 1KiB..1GiB", c.BodyLimit))
	}
	if c.SessionIdle < time.Minute {
		errs = append(errs, errors.New("--session-idle/VAAKA_SESSION_IDLE: at least 1m"))
	}
	if c.SessionAbsolute < c.SessionIdle {
		errs = append(errs, errors.New("--session-absolute/VAAKA_SESSION_ABSOLUTE: shorter than --session-idle"))
	}
	if c.ShutdownTimeout <= 0 {
		errs = append(errs, errors.New("--shutdown-timeout/VAAKA_SHUTDOWN_TIMEOUT: must be positive"))
	}
	if c.LogRetentionDays < 1 {
		errs = append(errs, errors.New("--log-retention-days/VAAKA_LOG_RETENTION_DAYS: must be at least 1"))
	}
	if err := c.Log.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := validateThresholds(c.CoopThresholds); err != nil {
		errs = append(errs, fmt.Errorf("--coop-thresholds/VAAKA_COOP_THRESHOLDS: %w", err))
	}
	if c.SMTP.Enabled() && c.SMTP.Port == 0 {
		c.SMTP.Port = defaultSMTPPort(c.SMTP.TLS)
	}
	if err := c.SMTP.Validate(); err != nil {
		errs = append(errs, err)
	} else if !c.SMTP.Enabled() && c.SMTP.BaseURL != "" {
		if err := mail.ValidateBaseURL(c.SMTP.BaseURL); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Validate checks the log settings.
func (l *LogConfig) Validate() error {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(l.Level)); err != nil {
		return fmt.Errorf("--log-level/VAAKA_LOG_LEVEL: %q is not debug, info, warn or error", l.Level)
	}
	switch l.Format {
	case "auto", "json", "text":
	default:
		return fmt.Errorf("--log-format/VAAKA_LOG_FORMAT: %q is not auto, json or text", l.Format)
	}
	return nil
}

// AppConfig is the part of the configuration that package app uses.
func (c *Config) AppConfig(demo bool) app.Config {
	return app.Config{
		SecureCookies:    c.SecureCookies,
		TrustedProxies:   c.TrustedProxies,
		BodyLimit:        c.BodyLimit,
		SessionIdle:      c.SessionIdle,
		SessionAbsolute:  c.SessionAbsolute,
		Demo:             demo,
		Version:          version,
		CoopThresholds:   c.CoopThresholds,
		LogRetentionDays: c.LogRetentionDays,
		MailConfigured:   c.SMTP.Host != "",
	}
}

// newLogger builds the structured logger: JSON to w unless w is a terminal
// (text) or the format says otherwise.
func newLogger(l LogConfig, w io.Writer) *slog.Logger {
	var lv slog.Level
	_ = lv.UnmarshalText([]byte(l.Level)) // validated
	opts := &slog.HandlerOptions{Level: lv}
	format := l.Format
	if format == "auto" {
		format = "json"
		if isTerminal(w) {
			format = "text"
		}
	}
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// binder registers flags on a FlagSet with their defaults taken from
// VAAKA_* variables, so that the order of precedence is flag > environment >
// built-in default. Bad environment values are collected and reported after
// parsing, unless the flag itself was given.
type binder struct {
	fs        *flag.FlagSet
	lookupEnv func(string) (string, bool)
	envErrs   map[string]error // flag name → error
	envOf     map[string]string
}

func (c *cli) newBinder(name, synopsis string) *binder {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	b := &binder{fs: fs, lookupEnv: c.lookupEnv, envErrs: map[string]error{}, envOf: map[string]string{}}
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: %s\n\nFlags (each also read from the environment variable shown):\n", synopsis)
		fs.PrintDefaults()
	}
	return b
}

// env returns the variable's value when set and non-empty.
func (b *binder) env(name string) (string, bool) {
	v, ok := b.lookupEnv(name)
	if !ok || strings.TrimSpace(v) == "" {
		return "", false
	}
	return strings.TrimSpace(v), true
}

func (b *binder) note(flagName, env string, err error) {
	b.envOf[flagName] = env
	if err != nil {
		b.envErrs[flagName] = fmt.Errorf("%s: %w", env, err)
	}
}

func (b *binder) String(p *string, name, env, usage string) {
	if v, ok := b.env(env); ok {
		*p = v
	}
	b.note(name, env, nil)
	b.fs.StringVar(p, name, *p, usage+" ($"+env+")")
}

func (b *binder) Bool(p *bool, name, env, usage string) {
	var err error
	if v, ok := b.env(env); ok {
		var x bool
		if x, err = strconv.ParseBool(v); err == nil {
			*p = x
		} else {
			err = fmt.Errorf("%q is not a boolean (true/false/1/0)", v)
		}
	}
	b.note(name, env, err)
	b.fs.BoolVar(p, name, *p, usage+" ($"+env+")")
}

func (b *binder) Duration(p *time.Duration, name, env, usage string) {
	var err error
	if v, ok := b.env(env); ok {
		var x time.Duration
		if x, err = time.ParseDuration(v); err == nil {
			*p = x
		} else {
			err = fmt.Errorf("%q is not a duration (e.g. 30m, 12h)", v)
		}
	}
	b.note(name, env, err)
	b.fs.DurationVar(p, name, *p, usage+" ($"+env+")")
}

// Size binds a byte size ("8MiB", "512KiB", "1048576").
func (b *binder) Size(p *int, name, env, usage string) {
	var err error
	if v, ok := b.env(env); ok {
		var x int
		if x, err = parseSize(v); err == nil {
			*p = x
		}
	}
	b.note(name, env, err)
	b.fs.Var((*sizeValue)(p), name, usage+" ($"+env+")")
}

// List binds a comma-separated list.
func (b *binder) List(p *[]string, name, env, usage string) {
	if v, ok := b.env(env); ok {
		*p = splitList(v)
	}
	b.note(name, env, nil)
	b.fs.Var((*listValue)(p), name, usage+" ($"+env+")")
}

// Parse parses args and reports the environment errors of flags not given.
func (b *binder) Parse(args []string) error {
	if err := b.fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usagef("%s: %v", b.fs.Name(), err)
	}
	if b.fs.NArg() > 0 {
		return usagef("%s: unexpected argument %q", b.fs.Name(), b.fs.Arg(0))
	}
	given := map[string]bool{}
	b.fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var errs []string
	b.fs.VisitAll(func(f *flag.Flag) {
		if err, ok := b.envErrs[f.Name]; ok && !given[f.Name] {
			errs = append(errs, err.Error())
		}
	})
	if len(errs) > 0 {
		return usagef("%s", strings.Join(errs, "; "))
	}
	return nil
}

// Given reports whether the flag, or its environment variable, was set.
func (b *binder) Given(name string) bool {
	given := false
	b.fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	if given {
		return true
	}
	_, ok := b.env(b.envOf[name])
	return ok
}

type sizeValue int

func (s *sizeValue) String() string {
	if s == nil {
		return "0"
	}
	return formatSize(int(*s))
}

func (s *sizeValue) Set(v string) error {
	n, err := parseSize(v)
	if err != nil {
		return err
	}
	*s = sizeValue(n)
	return nil
}

// parseSize reads a byte count with an optional unit: B, K/KB/KiB,
// M/MB/MiB, G/GB/GiB (all binary).
func parseSize(v string) (int, error) {
	s := strings.TrimSpace(v)
	num := strings.TrimRightFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	unit := strings.ToLower(strings.TrimSpace(s[len(num):]))
	n, err := strconv.Atoi(num)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not a size (e.g. 8MiB)", v)
	}
	mult := 1
	switch unit {
	case "", "b":
	case "k", "kb", "kib":
		mult = 1 << 10
	case "m", "mb", "mib":
		mult = 1 << 20
	case "g", "gb", "gib":
		mult = 1 << 30
	default:
		return 0, fmt.Errorf("%q is not a size (e.g. 8MiB)", v)
	}
	if n > (1<<31)/mult {
		return 0, fmt.Errorf("%q is too large", v)
	}
	return n * mult, nil
}

func formatSize(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.Itoa(n>>20) + "MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.Itoa(n>>10) + "KiB"
	}
	return strconv.Itoa(n)
}

type listValue []string

func (l *listValue) String() string {
	if l == nil {
		return ""
	}
	return strings.Join(*l, ",")
}

func (l *listValue) Set(v string) error {
	*l = splitList(v)
	return nil
}

func splitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Thresholds binds the co-operation thresholds (see parseThresholds).
func (b *binder) Thresholds(p *[]cooperation.Threshold, name, env, usage string) {
	var err error
	if v, ok := b.env(env); ok {
		var ths []cooperation.Threshold
		if ths, err = parseThresholds(v); err == nil {
			*p = ths
		}
	}
	b.note(name, env, err)
	b.fs.Var((*thresholdsValue)(p), name, usage+" ($"+env+")")
}

// coopFlags binds the co-operation settings of serve.
func coopFlags(b *binder, cfg *Config) {
	b.Thresholds(&cfg.CoopThresholds, "coop-thresholds", "VAAKA_COOP_THRESHOLDS",
		"co-operation thresholds (R-COOP-1), comma-separated DATE:DIALOGUE[:LIGHTER][?]; ? marks the lighter band a default to verify")
}

// smtpFlags binds the mail settings of serve (issue "Notices": the outbox
// is sent through this server). The password is read from
// VAAKA_SMTP_PASSWORD only, so that it never shows in a process list, a
// shell history or the help text.
func smtpFlags(b *binder, c *mail.Config) {
	b.String(&c.Host, "smtp-host", "VAAKA_SMTP_HOST", "SMTP server for e-mail; none: mail is kept in the outbox, shown to HR as unsent")
	b.Int(&c.Port, "smtp-port", "VAAKA_SMTP_PORT", "SMTP port (0: 587 for starttls, 465 for tls, 25 for none)")
	b.String(&c.User, "smtp-user", "VAAKA_SMTP_USER", "SMTP user for AUTH PLAIN (the password only from $VAAKA_SMTP_PASSWORD)")
	b.String(&c.From, "smtp-from", "VAAKA_SMTP_FROM", `sender address, e.g. "Vaaka <vaaka@example.fi>"`)
	b.String((*string)(&c.TLS), "smtp-tls", "VAAKA_SMTP_TLS", "SMTP connection security: starttls, tls or none")
	b.String(&c.BaseURL, "base-url", "VAAKA_BASE_URL", "Vaaka's public URL for the links in e-mail, e.g. https://vaaka.example.fi")
	if v, ok := b.lookupEnv("VAAKA_SMTP_PASSWORD"); ok {
		c.Password = v
	}
}

func defaultSMTPPort(m mail.TLSMode) int {
	switch m {
	case mail.TLSImplicit:
		return 465
	case mail.TLSNone:
		return 25
	}
	return 587
}

// Int binds a whole number.
func (b *binder) Int(p *int, name, env, usage string) {
	var err error
	if v, ok := b.env(env); ok {
		var x int
		if x, err = strconv.Atoi(v); err == nil {
			*p = x
		} else {
			err = fmt.Errorf("%q is not a whole number", v)
		}
	}
	b.note(name, env, err)
	b.fs.IntVar(p, name, *p, usage+" ($"+env+")")
}

type thresholdsValue []cooperation.Threshold

func (v *thresholdsValue) String() string {
	if v == nil {
		return ""
	}
	return formatThresholds(*v)
}

func (v *thresholdsValue) Set(s string) error {
	ths, err := parseThresholds(s)
	if err != nil {
		return err
	}
	*v = ths
	return nil
}

// parseThresholds reads the co-operation thresholds (R-COOP-1) as
// comma-separated entries DATE:DIALOGUE[:LIGHTER][?], e.g.
// "2022-01-01:20,2025-07-01:50:20?": from DATE (YYYY-MM-DD) a regular
// headcount of at least DIALOGUE gets the continuous dialogue and one of at
// least LIGHTER (below DIALOGUE) the lighter dialogue; a trailing ? marks the
// lighter band as a default to verify. Dates must increase.
func parseThresholds(s string) ([]cooperation.Threshold, error) {
	var out []cooperation.Threshold
	for i, entry := range strings.Split(s, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			return nil, fmt.Errorf("entry %d is empty (format DATE:DIALOGUE[:LIGHTER][?], e.g. 2025-07-01:50:20?)", i+1)
		}
		th, err := parseThreshold(entry)
		if err != nil {
			return nil, fmt.Errorf("entry %d %q: %w (format DATE:DIALOGUE[:LIGHTER][?], e.g. 2025-07-01:50:20?)", i+1, entry, err)
		}
		out = append(out, th)
	}
	if err := validateThresholds(out); err != nil {
		return nil, err
	}
	return out, nil
}

func parseThreshold(entry string) (cooperation.Threshold, error) {
	var th cooperation.Threshold
	body, verify := strings.CutSuffix(entry, "?")
	parts := strings.Split(body, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return th, errors.New("needs a date and one or two headcounts")
	}
	from, err := time.Parse("2006-01-02", strings.TrimSpace(parts[0]))
	if err != nil {
		return th, fmt.Errorf("%q is not a date YYYY-MM-DD", parts[0])
	}
	th.From = from
	if th.Dialogue, err = strconv.Atoi(strings.TrimSpace(parts[1])); err != nil || th.Dialogue < 1 {
		return th, fmt.Errorf("dialogue threshold %q is not a positive whole number", parts[1])
	}
	if len(parts) == 3 {
		if th.Lighter, err = strconv.Atoi(strings.TrimSpace(parts[2])); err != nil || th.Lighter < 1 {
			return th, fmt.Errorf("lighter threshold %q is not a positive whole number", parts[2])
		}
		if th.Lighter >= th.Dialogue {
			return th, fmt.Errorf("lighter threshold %d is not below the dialogue threshold %d", th.Lighter, th.Dialogue)
		}
	}
	if verify {
		if th.Lighter == 0 {
			return th, errors.New("? marks a lighter band to verify, but there is none")
		}
		th.LighterToVerify = true
	}
	return th, nil
}

// validateThresholds checks thresholds however they were given: at least
// one, dates strictly increasing, 0 < lighter < dialogue.
func validateThresholds(ths []cooperation.Threshold) error {
	if len(ths) == 0 {
		return errors.New("at least one threshold is needed")
	}
	for i, th := range ths {
		if th.Dialogue < 1 || th.Lighter < 0 || (th.Lighter > 0 && th.Lighter >= th.Dialogue) {
			return fmt.Errorf("threshold from %s: needs 0 < lighter < dialogue", th.From.Format("2006-01-02"))
		}
		if i > 0 && !th.From.After(ths[i-1].From) {
			return fmt.Errorf("dates must increase: %s after %s", th.From.Format("2006-01-02"), ths[i-1].From.Format("2006-01-02"))
		}
	}
	return nil
}

// formatThresholds writes thresholds in the form parseThresholds reads.
func formatThresholds(ths []cooperation.Threshold) string {
	parts := make([]string, 0, len(ths))
	for _, th := range ths {
		p := th.From.Format("2006-01-02") + ":" + strconv.Itoa(th.Dialogue)
		if th.Lighter > 0 {
			p += ":" + strconv.Itoa(th.Lighter)
			if th.LighterToVerify {
				p += "?"
			}
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, ",")
}
