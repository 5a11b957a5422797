package app

import (
	"github.com/gofiber/fiber/v2"

	"vaaka/monitoring"
)

// routesAPI registers the JSON API under /api/v1 (r already authenticates
// the bearer token). Roles and token scopes follow the table of who may do
// what; row-level rules (whose uses) are in the handlers. Every route here
// is in the OpenAPI document and the authorization matrix test.
func (s *Server) routesAPI(r fiber.Router) {
	read, write := monitoring.ScopeRead, monitoring.ScopeWrite
	regRead := monitoring.ScopeRegisterRead
	admin, hr, dpo, rep := monitoring.RoleAdmin, monitoring.RoleHR, monitoring.RoleDPO, monitoring.RoleRepresentative
	supervisor, employee := monitoring.RoleSupervisor, monitoring.RoleEmployee

	// Employees and units: hr and dpo read, hr writes.
	r.Post("/employees/import", s.need(write, hr), s.apiEmployeeImport)
	r.Post("/employees", s.need(write, hr), s.apiEmployeeCreate)
	r.Get("/employees", s.need(read, hr, dpo), s.apiEmployeeList)
	r.Get("/employees/:staff_id", s.need(read, hr, dpo), s.apiEmployeeGet)
	r.Patch("/employees/:staff_id", s.need(write, hr), s.apiEmployeeUpdate)
	r.Get("/units", s.need(read, hr, dpo), s.apiUnitList)
	r.Post("/units", s.need(write, hr), s.apiUnitCreate)

	// The register: read by hr, dpo, representatives and supervisors;
	// written and moved through its statuses by hr.
	r.Post("/activities", s.need(write, hr), s.apiActivityCreate)
	r.Get("/activities", s.need(regRead, hr, dpo, rep, supervisor), s.apiActivityList)
	r.Get("/activities/:id", s.need(regRead, hr, dpo, rep, supervisor), s.apiActivityGet)
	r.Patch("/activities/:id", s.need(write, hr), s.apiActivityUpdate)
	r.Post("/activities/:id/activate", s.need(write, hr), s.apiActivityStatus(monitoring.StatusActive))
	r.Post("/activities/:id/suspend", s.need(write, hr), s.apiActivityStatus(monitoring.StatusSuspended))
	r.Post("/activities/:id/retire", s.need(write, hr), s.apiActivityStatus(monitoring.StatusRetired))
	r.Get("/activities/:id/history", s.need(regRead, hr, dpo, rep, supervisor), s.apiActivityHistory)

	// The use log (R-LOG-1): recorded by supervisors, hr and integrations;
	// read with row-level rules; never changed.
	r.Post("/uses", s.need(monitoring.ScopeUsesWrite, supervisor, hr), s.apiUseCreate)
	r.Get("/uses", s.need(read, hr, dpo, supervisor, employee), s.apiUseList)
	r.Get("/uses/:id", s.need(read, hr, dpo, supervisor, employee), s.apiUseGet)
	r.Put("/uses/:id", s.apiUseImmutable)
	r.Patch("/uses/:id", s.apiUseImmutable)
	r.Delete("/uses/:id", s.apiUseImmutable)

	// The retention ledger (R-RET-2).
	r.Post("/recordings", s.need(monitoring.ScopeRecordingsWrite, hr, supervisor), s.apiRecordingCreate)
	r.Get("/recordings", s.need(read, hr, dpo), s.apiRecordingList)
	r.Post("/recordings/:ref/deleted", s.need(monitoring.ScopeRecordingsWrite, hr), s.apiRecordingDeleted)

	// The audit trail and the chains: the DPO.
	r.Get("/audit/verify", s.need(read, dpo), s.apiAuditVerify)
	r.Get("/audit", s.need(read, dpo), s.apiAuditList)

	// Organisation settings: everyone reads, admin and hr write.
	r.Get("/settings", s.need(read), s.apiSettingsGet)
	r.Put("/settings", s.need(write, admin, hr), s.apiSettingsPut)

	// Accounts: the admin.
	r.Get("/users", s.need(read, admin), s.apiUserList)
	r.Post("/users", s.need(write, admin), s.apiUserCreate)
	r.Patch("/users/:id", s.need(write, admin), s.apiUserUpdate)
	r.Get("/tokens", s.need(read, admin), s.apiTokenList)
	r.Post("/tokens", s.need(write, admin), s.apiTokenCreate)
	r.Delete("/tokens/:id", s.need(write, admin), s.apiTokenRevoke)

	r.Get("/dashboard", s.need(read, hr, dpo), s.apiDashboard)
	r.Get("/outbox", s.need(read, hr), s.apiOutboxList) // unsent mail (api_outbox.go)

	// Co-operation cases (api_cases.go).
	s.routesAPICases(r)

	// Notices, the employee's own notices, access requests, the register
	// extract and the callers' information (api_notices.go).
	s.routesAPINotices(r)

	// Evidence (issue 5): receipts, holds and log retention
	// (routes_evidence.go), the telephony import (routes_imports.go), the
	// representatives' statistics (routes_stats.go).
	s.routesAPIEvidence(r)
	s.routesAPIImports(r)
	s.routesAPIStats(r)

	// The principal's own data.
	r.Get("/me", s.need(""), s.apiMe)
	r.Get("/me/uses", s.need(read), s.apiMeUses)
}
