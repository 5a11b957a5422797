package app

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"vaaka/monitoring"
)

// Principal is who is making a request: a user, through either a browser
// session or an API token (then limited to the token's scopes).
type Principal struct {
	User    *monitoring.User
	Token   *monitoring.Token   // nil for a session
	Session *monitoring.Session // nil for a token
}

const principalKey = "vaaka.principal"

func principalOf(c *fiber.Ctx) *Principal {
	p, _ := c.Locals(principalKey).(*Principal)
	return p
}

func setPrincipal(c *fiber.Ctx, p *Principal) { c.Locals(principalKey, p) }

// errUnauthorized answers 401 (no or bad credentials).
var errUnauthorized = fiber.NewError(fiber.StatusUnauthorized, "unauthorized")

// errForbidden answers 403 (authenticated, but not allowed).
var errForbidden = fiber.NewError(fiber.StatusForbidden, "forbidden")

// apiAuth authenticates API requests by bearer token. Only the token's
// SHA-256 is stored and looked up.
func (s *Server) apiAuth(c *fiber.Ctx) error {
	h := c.Get(fiber.HeaderAuthorization)
	secret, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || secret == "" {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="vaaka"`)
		return errUnauthorized
	}
	tok, user, err := s.Accounts.FindTokenByHash(c.UserContext(), HashSecret(strings.TrimSpace(secret)))
	if err != nil {
		if monitoring.ErrorCodeOf(err) == monitoring.NotFound {
			c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="vaaka", error="invalid_token"`)
			return errUnauthorized
		}
		return err
	}
	now := s.Now()
	if tok.LastUsedAt.IsZero() || now.Sub(tok.LastUsedAt) > 60e9 {
		if err := s.Accounts.TouchToken(c.UserContext(), tok.ID, now); err != nil {
			s.Logger.Warn("touch token", "err", err)
		}
	}
	setPrincipal(c, &Principal{User: user, Token: tok})
	return c.Next()
}

// need allows the request when the principal holds one of roles (none
// listed: any signed-in user) and, for a token, the scope.
func (s *Server) need(scope monitoring.Scope, roles ...monitoring.Role) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p := principalOf(c)
		if p == nil {
			return errUnauthorized
		}
		if err := allowed(p, scope, roles...); err != nil {
			return err
		}
		return c.Next()
	}
}

// allowed checks roles and token scope.
func allowed(p *Principal, scope monitoring.Scope, roles ...monitoring.Role) error {
	if len(roles) > 0 && !p.User.HasAny(roles...) {
		return errForbidden
	}
	if p.Token != nil && scope != "" && !p.Token.Allows(scope) {
		return errForbidden
	}
	return nil
}

// isForbidden reports whether err is a 403.
func isForbidden(err error) bool {
	var fe *fiber.Error
	return errors.As(err, &fe) && fe.Code == fiber.StatusForbidden
}
