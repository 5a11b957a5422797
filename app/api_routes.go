package app

import "github.com/gofiber/fiber/v2"

// routesAPI registers the JSON API under /api/v1.
func (s *Server) routesAPI(r fiber.Router) {}
