package app

import (
	"encoding/json"

	"github.com/gofiber/fiber/v2"
)

// routes registers every route. The API routes live in api_routes.go, the
// web routes in web_routes.go.
func (s *Server) routes() {
	s.app.Get("/healthz", s.handleHealthz)
	s.app.Get("/api/openapi.json", s.handleOpenAPI)
	api := s.app.Group("/api/v1", s.apiAuth)
	s.routesAPI(api)
	s.routesDocuments(s.app)
	s.routesWeb(s.app)
	// Anything else is a 404 in the right dialect (problem+json under /api/).
	s.app.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })
}

func (s *Server) handleHealthz(c *fiber.Ctx) error {
	if err := s.Ping(c.UserContext()); err != nil {
		s.Logger.Error("healthz", "err", err)
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "unavailable"})
	}
	return c.JSON(fiber.Map{"status": "ok", "version": s.cfg.Version})
}

func (s *Server) handleOpenAPI(c *fiber.Ctx) error {
	c.Set("Cache-Control", "no-cache")
	b, err := json.Marshal(openAPIDocument())
	if err != nil {
		return err
	}
	c.Type("json")
	return c.Send(b)
}
