// Package app is Vaaka's web interface and JSON API on fiber v2: the
// routes, authentication, authorization per role, the problem+json errors,
// the message catalogs and the rendering of pages. It reaches storage only
// through the service interfaces of package monitoring, which cmd/vaaka
// wires to package db.
package app

import (
	"context"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/go-playground/validator/v10"
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/valyala/fasthttp"

	"vaaka/cooperation"
	"vaaka/monitoring"
)

// Config is the server's configuration, read by cmd/vaaka from flags and
// VAAKA_* variables.
type Config struct {
	// SecureCookies marks cookies Secure (set when serving behind TLS).
	SecureCookies bool
	// TrustedProxies may set X-Forwarded-For / X-Forwarded-Proto.
	TrustedProxies []string
	// BodyLimit is the largest request body in bytes (413 beyond it).
	BodyLimit int
	// SessionIdle and SessionAbsolute end browser sessions.
	SessionIdle     time.Duration
	SessionAbsolute time.Duration
	// Demo shows the demo banner.
	Demo bool
	// Version is shown in /healthz.
	Version string
	// CoopThresholds are the co-operation thresholds with their effective
	// dates (R-COOP-1); configuration because the law changes (default
	// cooperation.DefaultThresholds).
	CoopThresholds []cooperation.Threshold
	// LogRetentionDays is the retention of the use log itself (R-LOG-2).
	LogRetentionDays int
	// MailConfigured tells whether an SMTP server is set (the outbox page
	// says whether mail goes out).
	MailConfigured bool
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{BodyLimit: 8 << 20, SessionIdle: 30 * time.Minute, SessionAbsolute: 12 * time.Hour}
}

// Deps are the services the server uses, implemented by package db.
type Deps struct {
	Register   monitoring.RegisterService
	Employees  monitoring.EmployeeService
	Uses       monitoring.UseService
	Recordings monitoring.RecordingService
	Audit      monitoring.AuditService
	Accounts   monitoring.AccountService
	Settings   monitoring.SettingsService
	Dashboard  monitoring.DashboardService
	Cases      cooperation.CaseService
	Notices    monitoring.NoticeService
	Requests   monitoring.AccessRequestService
	Outbox     monitoring.OutboxService
	Evidence   monitoring.EvidenceService   // receipts, log retention (issue 5)
	Holds      monitoring.HoldService       // legal holds
	Imports    monitoring.ImportService     // telephony access-log import
	Stats      monitoring.StatisticsService // representatives' statistics
	// Ping tells whether the database answers (/healthz).
	Ping func(ctx context.Context) error
	// Now is the clock; tests freeze it.
	Now    func() time.Time
	Logger *slog.Logger
}

// Server is the HTTP application.
type Server struct {
	Deps
	cfg      Config
	app      *fiber.App
	validate *validator.Validate
	i18n     *Catalog
	views    *views
	throttle *throttle
	serving  *servingConns
}

// New builds the server: catalogs and templates are parsed once here and a
// missing page or message fails start-up.
func New(cfg Config, deps Deps) (*Server, error) {
	if deps.Now == nil {
		deps.Now = func() time.Time { return time.Now().UTC() }
	}
	if deps.Logger == nil {
		deps.Logger = slog.Default()
	}
	if cfg.BodyLimit <= 0 {
		cfg.BodyLimit = DefaultConfig().BodyLimit
	}
	if cfg.SessionIdle <= 0 {
		cfg.SessionIdle = DefaultConfig().SessionIdle
	}
	if len(cfg.CoopThresholds) == 0 {
		cfg.CoopThresholds = cooperation.DefaultThresholds()
	}
	if cfg.SessionAbsolute <= 0 {
		cfg.SessionAbsolute = DefaultConfig().SessionAbsolute
	}
	s := &Server{Deps: deps, cfg: cfg, throttle: newThrottle()}
	var err error
	if s.i18n, err = LoadCatalog(); err != nil {
		return nil, err
	}
	if s.views, err = loadViews(s.i18n); err != nil {
		return nil, err
	}
	s.validate = newValidator()
	s.app = fiber.New(fiber.Config{
		ErrorHandler:            s.handleError,
		Immutable:               true,
		BodyLimit:               cfg.BodyLimit,
		DisableStartupMessage:   true,
		ReadTimeout:             30 * time.Second,
		WriteTimeout:            60 * time.Second,
		IdleTimeout:             120 * time.Second,
		EnableTrustedProxyCheck: len(cfg.TrustedProxies) > 0,
		TrustedProxies:          cfg.TrustedProxies,
		ProxyHeader:             proxyHeader(cfg),
		RequestMethods:          append(slices.Clone(fiber.DefaultMethods), methodUnsupported),
	})
	guardMethods(s.app)
	timeRequests(s.app)
	s.serving = trackServing(s.app)
	s.app.Use(recover.New(recover.Config{EnableStackTrace: true, StackTraceHandler: s.logPanic}))
	s.app.Use(s.securityHeaders)
	s.app.Use(func(c *fiber.Ctx) error {
		if c.Method() == methodUnsupported {
			return fiber.ErrNotImplemented
		}
		return c.Next()
	})
	s.routes()
	return s, nil
}

// methodUnsupported stands in for every request method fiber does not
// know (PROPFIND, BREW, …), so that such requests pass through the
// middleware like any other and get the security headers and a problem
// body (501) instead of fiber's bare "Invalid http method".
const methodUnsupported = "X-VAAKA-UNSUPPORTED"

// guardMethods rewrites unknown request methods to methodUnsupported
// before fiber sees them.
func guardMethods(app *fiber.App) {
	srv := app.Server()
	next := srv.Handler
	srv.Handler = func(ctx *fasthttp.RequestCtx) {
		switch string(ctx.Method()) { // no allocation
		case fiber.MethodGet, fiber.MethodHead, fiber.MethodPost, fiber.MethodPut, fiber.MethodDelete,
			fiber.MethodConnect, fiber.MethodOptions, fiber.MethodTrace, fiber.MethodPatch:
		default:
			ctx.Request.Header.SetMethod(methodUnsupported)
		}
		next(ctx)
	}
}

// timeRequests sets Server-Timing (app;dur=milliseconds) on every answer:
// the time from the parsed request to the answer being ready, routing,
// middleware, handler and error handler included, the network not. It is
// the "server time" of the benchmark (issue "Performance"), and browsers
// show it in their developer tools. It tells a client no more than the
// round trip it measures itself.
func timeRequests(app *fiber.App) {
	srv := app.Server()
	next := srv.Handler
	srv.Handler = func(ctx *fasthttp.RequestCtx) {
		start := time.Now()
		next(ctx)
		var buf [32]byte
		v := strconv.AppendFloat(append(buf[:0], "app;dur="...), float64(time.Since(start).Nanoseconds())/1e6, 'f', 3, 64)
		ctx.Response.Header.SetBytesV("Server-Timing", v)
	}
}

func proxyHeader(cfg Config) string {
	if len(cfg.TrustedProxies) > 0 {
		return fiber.HeaderXForwardedFor
	}
	return ""
}

// App returns the fiber application (tests drive it with App().Test).
func (s *Server) App() *fiber.App { return s.app }

// Listen serves on addr until Shutdown.
func (s *Server) Listen(addr string) error { return s.app.Listen(addr) }

// Shutdown stops accepting connections and waits for in-flight requests
// until ctx ends. fasthttp waits for every open connection, even one that
// has sent no request yet (a client's connection opened ahead, a browser's
// preconnect), until its read timeout; so when ctx ends and no request is
// being answered, what is left only reads, and the shutdown is clean.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.app.ShutdownWithContext(ctx)
	if err != nil && ctx.Err() != nil && s.serving.count() == 0 {
		return nil
	}
	return err
}

// servingConns are the connections whose request reached the handler and
// whose answer is not yet written: marked when the handler starts, cleared
// when fasthttp reports the connection idle (the answer written) or closed.
type servingConns struct {
	mu    sync.Mutex
	conns map[net.Conn]struct{}
}

func (t *servingConns) count() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.conns)
}

// trackServing wraps app's handler and connection-state hook to keep the
// set of connections being served.
func trackServing(app *fiber.App) *servingConns {
	t := &servingConns{conns: map[net.Conn]struct{}{}}
	srv := app.Server()
	next := srv.Handler
	srv.Handler = func(ctx *fasthttp.RequestCtx) {
		t.mu.Lock()
		t.conns[ctx.Conn()] = struct{}{}
		t.mu.Unlock()
		next(ctx)
	}
	hook := srv.ConnState
	srv.ConnState = func(c net.Conn, state fasthttp.ConnState) {
		if state == fasthttp.StateIdle || state == fasthttp.StateClosed || state == fasthttp.StateHijacked {
			t.mu.Lock()
			delete(t.conns, c)
			t.mu.Unlock()
		}
		if hook != nil {
			hook(c, state)
		}
	}
	return t
}

func (s *Server) logPanic(c *fiber.Ctx, e any) {
	s.Logger.Error("panic", "path", c.Path(), "method", c.Method(), "panic", e)
}

// securityHeaders sets the headers every answer carries: a strict CSP
// without inline script or style, no framing, no sniffing, no referrer, and
// no caching of pages that may hold personal data.
func (s *Server) securityHeaders(c *fiber.Ctx) error {
	s.setSecurityHeaders(c)
	err := c.Next()
	if len(c.Response().Header.Peek("Cache-Control")) == 0 {
		c.Response().Header.Set("Cache-Control", "no-store")
	}
	return err
}

// setSecurityHeaders sets the headers of securityHeaders. The error handler
// calls it too: fasthttp answers some requests (a body over the limit)
// through it without running any middleware.
func (s *Server) setSecurityHeaders(c *fiber.Ctx) {
	h := &c.Response().Header
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	if s.cfg.SecureCookies {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
}
