package app

import (
	"github.com/gofiber/fiber/v2"

	"vaaka/monitoring"
)

// routesAPIStats registers the JSON API routes of this area under /api/v1:
// the representatives' statistics (api_stats.go), for representatives, hr
// and the DPO (token scope read) — aggregates only, never individual rows.
func (s *Server) routesAPIStats(r fiber.Router) {
	roles := []monitoring.Role{monitoring.RoleRepresentative, monitoring.RoleHR, monitoring.RoleDPO}
	r.Get("/statistics", s.need(monitoring.ScopeRead, roles...), s.apiStatistics)
	r.Get("/statistics.csv", s.need(monitoring.ScopeRead, roles...), s.apiStatisticsCSV)
}

// routesWebStats registers the HTML routes of this area: the statistics
// page and its CSV download (web_stats.go).
func (s *Server) routesWebStats(r fiber.Router) {
	readers := s.signedIn(rRep, rHR, rDPO)
	r.Get("/statistics", readers, s.handleStatistics)
	r.Get("/statistics.csv", readers, s.handleStatisticsCSV)
}
