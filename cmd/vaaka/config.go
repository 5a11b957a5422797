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
		Addr:            "127.0.0.1:8080",
		DB:              "vaaka.db",
		BodyLimit:       d.BodyLimit,
		SessionIdle:     d.SessionIdle,
		SessionAbsolute: d.SessionAbsolute,
		ShutdownTimeout: 15 * time.Second,
		Log:             LogConfig{Level: "info", Format: "auto"},
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
	if err := c.Log.Validate(); err != nil {
		errs = append(errs, err)
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
		SecureCookies:   c.SecureCookies,
		TrustedProxies:  c.TrustedProxies,
		BodyLimit:       c.BodyLimit,
		SessionIdle:     c.SessionIdle,
		SessionAbsolute: c.SessionAbsolute,
		Demo:            demo,
		Version:         version,
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
