package app

import (
	"github.com/gofiber/fiber/v2"

	"vaaka/monitoring"
)

// routesAPIEvidence registers the JSON API routes of this area under /api/v1
// (api_evidence.go): legal holds (R-RET-2), chain receipts (R-LOG-1), the
// signing keys and the log's retention (R-LOG-2).
func (s *Server) routesAPIEvidence(r fiber.Router) {
	read, recWrite := monitoring.ScopeRead, monitoring.ScopeRecordingsWrite
	hr, dpo, rep := monitoring.RoleHR, monitoring.RoleDPO, monitoring.RoleRepresentative

	r.Post("/recordings/:ref/hold", s.need(recWrite, hr), s.apiHoldSet)
	r.Post("/recordings/:ref/release", s.need(recWrite, hr), s.apiHoldRelease)
	r.Get("/recordings/:ref/holds", s.need(read, hr, dpo), s.apiHoldList)

	r.Post("/receipts/verify", s.need(read, rep, dpo, hr), s.apiReceiptVerify)
	r.Post("/receipts", s.need(read, rep, dpo), s.apiReceiptIssue)
	r.Get("/receipts", s.need(read, rep, dpo), s.apiReceiptList)
	r.Get("/receipts/:id", s.need(read, rep, dpo), s.apiReceiptGet)
	r.Get("/signing-keys", s.need(read), s.apiSigningKeys)
	r.Get("/log-retention", s.need(read, dpo), s.apiLogRetention)
}

// routesWebEvidence registers the HTML routes of this area
// (web_evidence.go).
func (s *Server) routesWebEvidence(r fiber.Router) {
	hr := s.signedIn(rHR)
	r.Post("/recordings/hold", hr, s.handleHoldSet)
	r.Post("/recordings/release", hr, s.handleHoldRelease)

	repDPO := s.signedIn(rRep, rDPO)
	verifiers := s.signedIn(rRep, rDPO, rHR)
	r.Get("/receipts", repDPO, s.handleReceipts)
	r.Post("/receipts", repDPO, s.handleReceiptIssue)
	r.Get("/receipts/verify", verifiers, s.handleReceiptVerifyForm)
	r.Post("/receipts/verify", verifiers, s.handleReceiptVerify)
	r.Get("/receipts/:id.json", repDPO, s.handleReceiptJSON)
	r.Get("/receipts/:id.pdf", repDPO, s.handleReceiptPDF)
	r.Get("/log-retention", s.signedIn(rDPO), s.handleLogRetention)
}
