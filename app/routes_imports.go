package app

import (
	"github.com/gofiber/fiber/v2"

	"vaaka/monitoring"
)

// routesAPIImports registers the JSON API routes of this area under /api/v1:
// telephony access-log import, hr only (R-ACC-1, R-LOG-1).
func (s *Server) routesAPIImports(r fiber.Router) {
	read, write, hr := monitoring.ScopeRead, monitoring.ScopeWrite, monitoring.RoleHR
	r.Get("/import-sources", s.need(read, hr), s.apiImportSourceList)
	r.Post("/import-sources", s.need(write, hr), s.apiImportSourceCreate)
	r.Get("/import-sources/:id", s.need(read, hr), s.apiImportSourceGet)
	r.Put("/import-sources/:id", s.need(write, hr), s.apiImportSourceUpdate)
	r.Post("/import-sources/:id/preview", s.need(write, hr), s.apiImportPreview)
	r.Post("/import-sources/:id/dry-run", s.need(write, hr), s.apiImportDryRun)
	r.Post("/import-sources/:id/imports", s.need(write, hr), s.apiImportStart)
	r.Get("/imports", s.need(read, hr), s.apiImportRunList)
	r.Get("/imports/:id", s.need(read, hr), s.apiImportRunGet)
}

// routesWebImports registers the HTML routes of this area.
func (s *Server) routesWebImports(r fiber.Router) {
	hr := s.signedIn(rHR)
	r.Get("/imports", hr, s.handleImports)
	r.Get("/imports/sources/new", hr, s.handleImportSourceNew)
	r.Post("/imports/sources", hr, s.handleImportSourceCreate)
	r.Get("/imports/sources/:id", hr, s.handleImportSource)
	r.Post("/imports/sources/:id", hr, s.handleImportSourceUpdate)
	r.Post("/imports/sources/:id/upload", hr, s.handleImportUpload)
	r.Get("/imports/runs/:id", hr, s.handleImportRun)
}
