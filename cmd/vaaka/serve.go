package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"sync"
	"syscall"
	"time"

	"vaaka/app/pdf"
)

// serveFlags returns serve's flag set (for help).
func (c *cli) serveFlags() (*flag.FlagSet, *Config) {
	sb := c.serveBinder()
	return sb.fs, sb.cfg
}

// serveBinding is serve's flag set bound to a Config.
type serveBinding struct {
	*binder
	cfg *Config
}

func (c *cli) serveBinder() *serveBinding {
	cfg := DefaultConfig()
	b := c.newBinder("serve", "vaaka serve [--addr 127.0.0.1:8080] [--db vaaka.db] [--demo] [flags]")
	b.String(&cfg.Addr, "addr", "VAAKA_ADDR", "listen address host:port (port 0: any free port)")
	b.String(&cfg.DB, "db", "VAAKA_DB", "SQLite database file, created when missing")
	b.Bool(&cfg.Demo, "demo", "VAAKA_DEMO", "fill an empty database with the demo organisation and print its logins")
	b.Bool(&cfg.SecureCookies, "secure-cookies", "VAAKA_SECURE_COOKIES", "mark cookies Secure and send HSTS (set when served over HTTPS)")
	b.List(&cfg.TrustedProxies, "trusted-proxies", "VAAKA_TRUSTED_PROXIES", "comma-separated IPs/CIDRs of reverse proxies trusted for X-Forwarded-For")
	b.Size(&cfg.BodyLimit, "body-limit", "VAAKA_BODY_LIMIT", "largest request body, e.g. 8MiB (413 beyond)")
	b.Duration(&cfg.SessionIdle, "session-idle", "VAAKA_SESSION_IDLE", "browser sessions end after this much inactivity")
	b.Duration(&cfg.SessionAbsolute, "session-absolute", "VAAKA_SESSION_ABSOLUTE", "browser sessions end this long after sign-in")
	b.Duration(&cfg.ShutdownTimeout, "shutdown-timeout", "VAAKA_SHUTDOWN_TIMEOUT", "on SIGTERM/SIGINT, how long in-flight requests may finish")
	coopFlags(b, &cfg)
	retentionFlag(b, &cfg.LogRetentionDays)
	signingKeyFlag(b, &cfg.SigningKey)
	smtpFlags(b, &cfg.SMTP)
	logFlags(b, &cfg.Log)
	return &serveBinding{binder: b, cfg: &cfg}
}

// logFlags binds the log settings shared by every command.
func logFlags(b *binder, l *LogConfig) {
	b.String(&l.Level, "log-level", "VAAKA_LOG_LEVEL", "log level: debug, info, warn, error")
	b.String(&l.Format, "log-format", "VAAKA_LOG_FORMAT", "log format: auto (JSON unless stderr is a terminal), json, text")
}

// serve runs the web application until SIGINT/SIGTERM (or the cli's context
// ends): it stops accepting connections, lets in-flight requests finish
// within the shutdown timeout, then closes the database, which commits what
// the use writer still has queued.
func (c *cli) serve(args []string) error {
	sb := c.serveBinder()
	if err := sb.Parse(args); err != nil {
		return err
	}
	cfg := sb.cfg
	if err := cfg.Validate(); err != nil {
		return &usageError{err.Error()}
	}
	logger := newLogger(cfg.Log, c.stderr)
	ctx, stop := signal.NotifyContext(c.ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The garbage collector runs half as often as Go's default: the live
	// heap is small (about 30 MB, most of it the page templates), so the
	// heap stays far below the memory target (docs/PERFORMANCE.md), and
	// each collection slows the requests that run beside it.
	gcPercent(200)
	d, err := openDB(cfg.DB)
	if err != nil {
		return err
	}
	closed := false
	defer func() {
		if !closed {
			d.Close()
		}
	}()
	d.SetSigningKeyFile(cfg.SigningKey)

	if cfg.Demo {
		seeded, err := seedDemoIfEmpty(ctx, d, logger)
		if err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		demo, err := isDemo(ctx, d)
		if err != nil {
			return err
		}
		switch {
		case demo:
			if seeded {
				fmt.Fprintf(c.stdout, "Filled %s with the demo organisation %q.\n", cfg.DB, demoOrgName)
			}
			printDemoLogins(c.stdout)
		default:
			fmt.Fprintf(c.stdout, "%s already holds data: the demo organisation was not loaded.\n", cfg.DB)
		}
	}

	srv, err := newServer(ctx, d, *cfg, logger)
	if err != nil {
		return err
	}
	// The outbox sender and the reminders job run beside the server and
	// stop before the database closes (defers run last-in first-out).
	sender, reminders, err := newMail(d, *cfg, logger)
	if err != nil {
		return err
	}
	d.OnMailQueued(sender.Notify) // mail goes out right after the commit that queued it
	mailCtx, stopMail := context.WithCancel(ctx)
	var mailWG sync.WaitGroup
	stopMailAndWait := func() { stopMail(); mailWG.Wait() }
	defer stopMailAndWait()
	mailWG.Add(2)
	go func() { defer mailWG.Done(); sender.Run(mailCtx) }()
	go func() { defer mailWG.Done(); reminders.Run(mailCtx) }()
	stopEvidence := startEvidenceJobs(ctx, d, *cfg, logger) // log retention, weekly receipts
	defer stopEvidence()
	go resumeImports(ctx, d, logger) // access-log imports cut short by a crash (import.go)
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	url := "http://" + displayAddr(ln.Addr())
	fmt.Fprintf(c.stdout, "Vaaka %s is listening on %s (database %s). Stop with Ctrl-C.\n", version, url, cfg.DB)
	logger.Info("listening", "url", url, "db", cfg.DB, "version", version)
	if c.onListen != nil {
		c.onListen(ln.Addr().String())
	}

	errc := make(chan error, 1)
	go func() { errc <- srv.App().Listener(ln) }()
	// Prepare the PDF fonts in the background: start-up does not wait for
	// them, and the first document does not pay for them.
	go func() {
		if err := pdf.Warm(); err != nil {
			logger.Error("pdf fonts", "err", err)
		}
	}()

	select {
	case err := <-errc:
		// The listener failed on its own: nothing to drain.
		if err != nil {
			return fmt.Errorf("serve: %w", err)
		}
		return nil
	case <-ctx.Done():
	}
	stop() // a second signal kills the process the default way
	logger.Info("shutting down", "timeout", cfg.ShutdownTimeout.String())
	shutdownStart := time.Now()
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	shutdownErr := srv.Shutdown(sctx)
	if shutdownErr != nil {
		// Some request did not finish in time: say which goroutines were
		// still busy, for the operator (and the fault tests).
		var dump strings.Builder
		pprof.Lookup("goroutine").WriteTo(&dump, 1)
		logger.Error("shutdown: requests still running", "goroutines", dump.String())
	}
	if err := <-errc; err != nil && shutdownErr == nil {
		shutdownErr = err
	}
	stopMailAndWait()
	stopEvidence()
	closed = true
	closeErr := d.Close()
	if err := errors.Join(shutdownErr, closeErr); err != nil {
		logger.Error("shutdown", "err", err)
		return fmt.Errorf("shutdown: %w", err)
	}
	logger.Info("stopped", "took", time.Since(shutdownStart).Round(time.Millisecond).String())
	return nil
}

// displayAddr shows an unspecified listen address as 127.0.0.1 so that the
// printed URL can be opened.
func displayAddr(a net.Addr) string {
	ta, ok := a.(*net.TCPAddr)
	if !ok {
		return a.String()
	}
	if ta.IP == nil || ta.IP.IsUnspecified() {
		return net.JoinHostPort("127.0.0.1", fmt.Sprint(ta.Port))
	}
	return ta.String()
}

// gcPercent sets the garbage collector's target to percent unless GOGC in
// the environment decides.
func gcPercent(percent int) {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(percent)
	}
}
