package app

import (
	"github.com/gofiber/fiber/v2"
)

// views holds the parsed templates (placeholder until the web UI lands).
type views struct{}

func loadViews(_ *Catalog) (*views, error) { return &views{}, nil }

// routesWeb registers the HTML routes.
func (s *Server) routesWeb(r fiber.Router) {}

// renderError renders the HTML error page.
func (s *Server) renderError(c *fiber.Ctx, p Problem) error {
	c.Status(p.Status)
	return c.SendString(p.Title)
}
