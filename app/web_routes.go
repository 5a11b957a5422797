package app

import (
	"io/fs"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"

	"vaaka/monitoring"
	"vaaka/templates"
)

// loadViews parses every template once at start-up; a missing webPage fails.
func loadViews(cat *Catalog) (*views, error) { return loadViewsFS(templates.FS, cat) }

// Role shorthands for the route table.
const (
	rAdmin = monitoring.RoleAdmin
	rHR    = monitoring.RoleHR
	rDPO   = monitoring.RoleDPO
	rRep   = monitoring.RoleRepresentative
	rSup   = monitoring.RoleSupervisor
	rEmp   = monitoring.RoleEmployee
)

// routesWeb registers the HTML routes. Who may do what follows the table in
// COMMON.md; the same roles decide what the navigation shows.
func (s *Server) routesWeb(r fiber.Router) {
	staticFS, err := fs.Sub(templates.FS, "static")
	if err != nil {
		panic(err) // embedded tree; cannot fail
	}
	// Static files carry ?v=<hash> in their URLs, so they may be cached long.
	r.Use("/static", filesystem.New(filesystem.Config{Root: http.FS(staticFS), MaxAge: 365 * 24 * 3600}))
	r.Use(s.webSession)

	signed := s.signedIn()
	r.Get("/", signed, s.handleHome)
	r.Get("/login", s.handleLoginForm)
	r.Post("/login", s.handleLogin)
	r.Post("/logout", signed, s.handleLogout)
	r.Post("/lang", s.handleLang)

	r.Get("/dashboard", s.signedIn(rHR, rDPO), s.handleDashboard)
	r.Get("/outbox", s.signedIn(rHR), s.handleOutbox) // unsent mail (web_outbox.go)

	readRegister := s.signedIn(rHR, rDPO, rRep, rSup)
	hr := s.signedIn(rHR)
	r.Get("/activities", readRegister, s.handleActivities)
	r.Get("/activities/new", hr, s.handleActivityNew)
	r.Post("/activities", hr, s.handleActivityCreate)
	r.Get("/activities/:id", readRegister, s.handleActivity)
	r.Get("/activities/:id/edit", hr, s.handleActivityEdit)
	r.Post("/activities/:id/edit", hr, s.handleActivityUpdate)
	r.Post("/activities/:id/activate", hr, s.handleActivityStatus(monitoring.StatusActive))
	r.Post("/activities/:id/suspend", hr, s.handleActivityStatus(monitoring.StatusSuspended))
	r.Post("/activities/:id/retire", hr, s.handleActivityStatus(monitoring.StatusRetired))

	r.Get("/uses", s.signedIn(rHR, rDPO, rSup), s.handleUses)
	r.Get("/uses/new", s.signedIn(rSup, rHR), s.handleUseNew)
	r.Post("/uses", s.signedIn(rSup, rHR), s.handleUseCreate)
	r.Get("/uses/:id", s.signedIn(rHR, rDPO, rSup, rEmp), s.handleUse)

	r.Get("/recordings", s.signedIn(rHR, rDPO), s.handleRecordings)
	r.Post("/recordings/deleted", hr, s.handleRecordingDeleted)

	hrDPO := s.signedIn(rHR, rDPO)
	r.Get("/employees", hrDPO, s.handleEmployees)
	r.Get("/employees/new", hr, s.handleEmployeeNew)
	r.Post("/employees", hr, s.handleEmployeeCreate)
	r.Get("/employees/import", hr, s.handleImportForm)
	r.Post("/employees/import", hr, s.handleImport)
	r.Get("/employees/:staff_id/edit", hr, s.handleEmployeeEdit)
	r.Post("/employees/:staff_id/edit", hr, s.handleEmployeeUpdate)
	r.Get("/units", hrDPO, s.handleUnits)
	r.Post("/units", hr, s.handleUnitCreate)

	r.Get("/settings", signed, s.handleSettings)
	r.Post("/settings", s.signedIn(rAdmin, rHR), s.handleSettingsUpdate)

	admin := s.signedIn(rAdmin)
	r.Get("/admin/users", admin, s.handleUsers)
	r.Post("/admin/users", admin, s.handleUserCreate)
	r.Get("/admin/users/:id", admin, s.handleUserEdit)
	r.Post("/admin/users/:id", admin, s.handleUserUpdate)
	r.Post("/admin/users/:id/deactivate", admin, s.handleUserDeactivate)
	r.Post("/admin/users/:id/password", admin, s.handleUserResetPassword)
	r.Get("/admin/tokens", admin, s.handleTokens)
	r.Post("/admin/tokens", admin, s.handleTokenCreate)
	r.Post("/admin/tokens/:id/revoke", admin, s.handleTokenRevoke)

	r.Get("/account", signed, s.handleAccount)
	r.Post("/account/password", signed, s.handlePasswordChange)

	r.Get("/audit", s.signedIn(rDPO), s.handleAudit)
	r.Post("/audit/verify", s.signedIn(rDPO), s.handleAuditVerify)

	r.Get("/me", signed, s.handleMe)
	r.Get("/representative", s.signedIn(rRep), s.handleRepresentative)
	s.routesCases(r)
	s.routesNotices(r)  // web_notices.go
	s.routesRequests(r) // web_requests.go
	s.routesWebEvidence(r)
	s.routesWebImports(r)
	s.routesWebStats(r)
}

// navDefs is the main navigation; each link shows only to the roles that
// may open it (no roles: everyone signed in).
var navDefs = []struct {
	href, key string
	roles     []monitoring.Role
}{
	{"/dashboard", "web.nav.dashboard", []monitoring.Role{rHR, rDPO}},
	{"/activities", "web.nav.activities", []monitoring.Role{rHR, rDPO, rRep, rSup}},
	{"/uses", "web.nav.uses", []monitoring.Role{rHR, rDPO, rSup}},
	{"/recordings", "web.nav.recordings", []monitoring.Role{rHR, rDPO}},
	{"/imports", "web.imports.title", []monitoring.Role{rHR}},
	{"/statistics", "stats.nav", []monitoring.Role{rRep, rHR, rDPO}},
	{"/receipts", "web.evidence.nav.receipts", []monitoring.Role{rRep, rDPO}},
	{"/receipts/verify", "web.evidence.verify.title", []monitoring.Role{rHR}},
	{"/employees", "web.nav.employees", []monitoring.Role{rHR, rDPO}},
	{"/units", "web.nav.units", []monitoring.Role{rHR, rDPO}},
	{"/cases", "web.case.nav", []monitoring.Role{rHR, rDPO, rRep}},
	{"/requests", "web.request.nav", []monitoring.Role{rHR, rDPO}},
	{"/audit", "web.nav.audit", []monitoring.Role{rDPO}},
	{"/log-retention", "web.evidence.nav.log_retention", []monitoring.Role{rDPO}},
	{"/outbox", "mail.ui.nav", []monitoring.Role{rHR}},
	{"/representative", "web.nav.representative", []monitoring.Role{rRep}},
	{"/me", "web.nav.me", []monitoring.Role{rEmp}},
	{"/settings", "web.nav.settings", []monitoring.Role{rAdmin, rHR}},
	{"/admin/users", "web.nav.users", []monitoring.Role{rAdmin}},
	{"/admin/tokens", "web.nav.tokens", []monitoring.Role{rAdmin}},
	{"/account", "web.nav.account", nil},
}

func (s *Server) navFor(c *fiber.Ctx, u *monitoring.User, lang monitoring.Language) []navItem {
	path := c.Path()
	var out []navItem
	for _, n := range navDefs {
		if len(n.roles) > 0 && !u.HasAny(n.roles...) {
			continue
		}
		out = append(out, navItem{Href: n.href, Label: s.i18n.T(lang, n.key),
			Active: path == n.href || strings.HasPrefix(path, n.href+"/")})
	}
	return out
}

// errorData is the error page's own data.
type errorData struct {
	Status int
	Detail string
	Rules  []RuleError
}

// renderError renders the HTML error page.
func (s *Server) renderError(c *fiber.Ctx, p Problem) error {
	pg := s.newPage(c, "")
	pg.Title = p.Title
	detail := p.Detail
	if detail == "" {
		key := "web.error.detail_" + itoa(p.Status)
		if s.i18n.Has(key) {
			detail = s.i18n.T(pg.Lang, key)
		}
	}
	pg.Data = errorData{Status: p.Status, Detail: detail, Rules: p.Rules}
	return s.render(c, p.Status, "error", pg)
}
