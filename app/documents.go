package app

import "github.com/gofiber/fiber/v2"

// routesDocuments registers the PDF documents under /documents.
func (s *Server) routesDocuments(r fiber.Router) {}
