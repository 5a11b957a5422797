package app

import (
	"crypto/subtle"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"vaaka/monitoring"
)

// Browser sessions live server-side (AccountService); the cookie holds only
// a random secret whose SHA-256 is the stored id. Forms carry a CSRF token:
// the session's own token once signed in, before that a double-submit
// cookie.
const (
	sessionCookie = "vaaka_session"
	csrfCookie    = "vaaka_csrf"
	langCookie    = "lang"
	csrfField     = "_csrf"
	anonCSRFKey   = "vaaka.anon_csrf"
	touchEvery    = time.Minute
)

// webSession loads the session of a web request, enforces the idle and
// absolute timeouts, sets the Principal, and checks the CSRF token of every
// POST. API, health and static paths pass through untouched.
func (s *Server) webSession(c *fiber.Ctx) error {
	p := c.Path()
	if isAPIPath(p) || p == "/healthz" || strings.HasPrefix(p, "/static/") {
		return c.Next()
	}
	if secret := c.Cookies(sessionCookie); secret != "" {
		hash := HashSecret(secret)
		sess, user, err := s.Accounts.FindSession(c.UserContext(), hash)
		switch {
		case err == nil:
			now := s.Now()
			if now.Sub(sess.LastSeen) > s.cfg.SessionIdle || now.Sub(sess.CreatedAt) > s.cfg.SessionAbsolute || !user.Active {
				if err := s.Accounts.DeleteSession(c.UserContext(), hash); err != nil && monitoring.ErrorCodeOf(err) != monitoring.NotFound {
					s.Logger.Warn("delete expired session", "err", err)
				}
				s.clearCookie(c, sessionCookie)
				break
			}
			if now.Sub(sess.LastSeen) >= touchEvery {
				if err := s.Accounts.TouchSession(c.UserContext(), hash, now); err != nil {
					s.Logger.Warn("touch session", "err", err)
				} else {
					sess.LastSeen = now
				}
			}
			setPrincipal(c, &Principal{User: user, Session: sess})
		case monitoring.ErrorCodeOf(err) == monitoring.NotFound:
			s.clearCookie(c, sessionCookie)
		default:
			return err
		}
	}
	if principalOf(c) == nil {
		// An anonymous visitor may pick the language with ?lang=; remember it.
		if l := monitoring.Language(c.Query("lang")); l.Valid() && c.Cookies(langCookie) != string(l) {
			s.setCookie(c, langCookie, string(l), 365*24*time.Hour)
		}
	}
	if c.Method() == fiber.MethodPost && !s.csrfOK(c) {
		return errForbidden
	}
	return c.Next()
}

// csrfOK compares the form's token with the session's (signed in) or the
// double-submit cookie (anonymous), in constant time.
func (s *Server) csrfOK(c *fiber.Ctx) bool {
	got := c.FormValue(csrfField)
	if got == "" {
		got = c.Get("X-CSRF-Token")
	}
	var want string
	if p := principalOf(c); p != nil && p.Session != nil {
		want = p.Session.CSRFToken
	} else {
		want = c.Cookies(csrfCookie)
	}
	return want != "" && got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// anonCSRF returns the double-submit token of an anonymous visitor, setting
// the cookie when it is missing.
func (s *Server) anonCSRF(c *fiber.Ctx) string {
	if v, ok := c.Locals(anonCSRFKey).(string); ok {
		return v
	}
	tok := c.Cookies(csrfCookie)
	if len(tok) < 32 || len(tok) > 100 {
		secret, _, err := NewSecret("")
		if err != nil {
			s.Logger.Error("csrf secret", "err", err)
			return ""
		}
		tok = secret
		s.setCookie(c, csrfCookie, tok, 0)
	}
	c.Locals(anonCSRFKey, tok)
	return tok
}

func (s *Server) setCookie(c *fiber.Ctx, name, value string, maxAge time.Duration) {
	c.Cookie(&fiber.Cookie{
		Name: name, Value: value, Path: "/", HTTPOnly: true, Secure: s.cfg.SecureCookies,
		SameSite: fiber.CookieSameSiteLaxMode, MaxAge: int(maxAge / time.Second),
	})
}

func (s *Server) clearCookie(c *fiber.Ctx, name string) {
	c.Cookie(&fiber.Cookie{
		Name: name, Value: "", Path: "/", HTTPOnly: true, Secure: s.cfg.SecureCookies,
		SameSite: fiber.CookieSameSiteLaxMode, MaxAge: -1, Expires: time.Unix(1, 0),
	})
}

// signedIn guards a page: anonymous visitors are sent to the login webPage
// (303), users without one of roles (none: any signed-in user) get 403.
func (s *Server) signedIn(roles ...monitoring.Role) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p := principalOf(c)
		if p == nil || p.Session == nil {
			target := "/login"
			if c.Method() == fiber.MethodGet && c.Path() != "/" {
				target += "?next=" + url.QueryEscape(c.OriginalURL())
			}
			return c.Redirect(target, fiber.StatusSeeOther)
		}
		if len(roles) > 0 && !p.User.HasAny(roles...) {
			return errForbidden
		}
		return c.Next()
	}
}

// safeNext accepts only a local path as a redirect target.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") ||
		strings.ContainsAny(next, "\r\n") || strings.HasPrefix(next, "/login") {
		return ""
	}
	return next
}

// loginData is the login page's own data.
type loginData struct {
	Email string
	Next  string
	Error string
}

func (s *Server) handleLoginForm(c *fiber.Ctx) error {
	if p := principalOf(c); p != nil {
		return c.Redirect("/", fiber.StatusSeeOther)
	}
	p := s.newPage(c, "web.login.title")
	p.Data = loginData{Next: safeNext(c.Query("next"))}
	return s.render(c, fiber.StatusOK, "login", p)
}

func (s *Server) renderLogin(c *fiber.Ctx, status int, d loginData, msgKey string, fields map[string]string) error {
	p := s.newPage(c, "web.login.title")
	if msgKey != "" {
		d.Error = s.i18n.T(p.Lang, msgKey)
	}
	s.setErrors(p, fields, nil)
	p.Data = d
	return s.render(c, status, "login", p)
}

// handleLogin signs a user in. Unknown email and wrong password get the
// same answer in about the same time (the dummy hash is checked); attempts
// are throttled per account and per address; a new session id is issued.
func (s *Server) handleLogin(c *fiber.Ctx) error {
	ctx := c.UserContext()
	email := strings.TrimSpace(c.FormValue("email"))
	password := c.FormValue("password")
	lower := strings.ToLower(email)
	d := loginData{Email: email, Next: safeNext(c.FormValue("next"))}
	now := s.Now()
	acctKey, ipKey := "acct:"+lower, "ip:"+c.IP()
	if s.throttle.blocked(acctKey, throttleMaxFailures, now) || s.throttle.blocked(ipKey, throttleMaxIPFail, now) {
		c.Set(fiber.HeaderRetryAfter, "900")
		return s.renderLogin(c, fiber.StatusTooManyRequests, d, "web.login.throttled", nil)
	}
	if email == "" || password == "" {
		fields := map[string]string{}
		if email == "" {
			fields["email"] = monitoring.MsgRequired
		}
		if password == "" {
			fields["password"] = monitoring.MsgRequired
		}
		return s.renderLogin(c, fiber.StatusUnprocessableEntity, d, "", fields)
	}
	user, err := s.Accounts.FindUserByEmail(ctx, lower)
	if err != nil && monitoring.ErrorCodeOf(err) != monitoring.NotFound {
		return err
	}
	hash := dummyHash()
	if err == nil {
		hash = user.PasswordHash
	}
	ok := CheckPassword(hash, password) && err == nil && user.Active
	if !ok {
		s.throttle.fail(acctKey, now)
		s.throttle.fail(ipKey, now)
		if err := s.Audit.Record(ctx, "anonymous", "session.login_failed", "user", lower, map[string]any{"email": lower, "ip": c.IP()}); err != nil {
			s.Logger.Warn("audit login failure", "err", err)
		}
		return s.renderLogin(c, fiber.StatusUnauthorized, d, "web.login.failed", nil)
	}
	s.throttle.reset(acctKey)
	// Rotation: whatever session the browser had is ended; a new id is issued.
	if old := c.Cookies(sessionCookie); old != "" {
		if err := s.Accounts.DeleteSession(ctx, HashSecret(old)); err != nil && monitoring.ErrorCodeOf(err) != monitoring.NotFound {
			s.Logger.Warn("delete old session", "err", err)
		}
	}
	secret, idHash, err := NewSecret("")
	if err != nil {
		return err
	}
	csrf, _, err := NewSecret("")
	if err != nil {
		return err
	}
	sess := &monitoring.Session{IDHash: idHash, UserID: user.ID, CSRFToken: csrf, CreatedAt: now, LastSeen: now, IP: c.IP()}
	if err := s.Accounts.CreateSession(ctx, sess); err != nil {
		return err
	}
	if err := s.Accounts.DeleteSessionsBefore(ctx, now.Add(-s.cfg.SessionIdle), now.Add(-s.cfg.SessionAbsolute)); err != nil {
		s.Logger.Warn("expire sessions", "err", err)
	}
	if err := s.Audit.Record(ctx, user.Email, "session.login", "user", itoa(int(user.ID)), map[string]any{"ip": c.IP()}); err != nil {
		s.Logger.Warn("audit login", "err", err)
	}
	s.setCookie(c, sessionCookie, secret, 0)
	next := d.Next
	if next == "" {
		next = "/"
	}
	return c.Redirect(next, fiber.StatusSeeOther)
}

// handleLogout ends the session server-side.
func (s *Server) handleLogout(c *fiber.Ctx) error {
	p := principalOf(c)
	if err := s.Accounts.DeleteSession(c.UserContext(), p.Session.IDHash); err != nil && monitoring.ErrorCodeOf(err) != monitoring.NotFound {
		return err
	}
	if err := s.Audit.Record(c.UserContext(), p.User.Email, "session.logout", "user", itoa(int(p.User.ID)), nil); err != nil {
		s.Logger.Warn("audit logout", "err", err)
	}
	s.clearCookie(c, sessionCookie)
	return c.Redirect("/login?flash=logged_out", fiber.StatusSeeOther)
}

// handleLang switches the language: stored on the user when signed in,
// in a cookie otherwise.
func (s *Server) handleLang(c *fiber.Ctx) error {
	l := monitoring.Language(c.FormValue("lang"))
	if !l.Valid() {
		return errBadField("lang", monitoring.MsgUnknown)
	}
	if p := principalOf(c); p != nil {
		if _, err := s.Accounts.UpdateUser(c.UserContext(), p.User.Email, p.User.ID, monitoring.UserUpdate{Language: &l}, ""); err != nil {
			return err
		}
	}
	s.setCookie(c, langCookie, string(l), 365*24*time.Hour)
	next := safeNext(c.FormValue("next"))
	if next == "" {
		next = "/"
	}
	// Drop a ?lang= the webPage may carry, or it would override the choice.
	if u, err := url.Parse(next); err == nil {
		q := u.Query()
		if q.Has("lang") {
			q.Del("lang")
			u.RawQuery = q.Encode()
			next = u.String()
		}
	}
	return c.Redirect(next, fiber.StatusSeeOther)
}

// roleHome is where each role lands.
func roleHome(u *monitoring.User) string {
	switch {
	case u.HasAny(monitoring.RoleHR, monitoring.RoleDPO):
		return "/dashboard"
	case u.Has(monitoring.RoleSupervisor):
		return "/uses"
	case u.Has(monitoring.RoleRepresentative):
		return "/representative"
	case u.Has(monitoring.RoleEmployee):
		return "/me"
	case u.Has(monitoring.RoleAdmin):
		return "/admin/users"
	}
	return "/account"
}

func (s *Server) handleHome(c *fiber.Ctx) error {
	return c.Redirect(roleHome(principalOf(c).User), fiber.StatusSeeOther)
}
