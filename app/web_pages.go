package app

import (
	"github.com/gofiber/fiber/v2"

	"vaaka/monitoring"
)

// flagCount is one row of the dashboard's flag table.
type flagCount struct {
	Flag  monitoring.Flag
	Rule  string
	Count int64
}

// dashboardData is the HR/DPO compliance dashboard.
type dashboardData struct {
	D     *monitoring.Dashboard
	Flags []flagCount
	// Deadlines are the open co-operation cases' deadlines missed or due
	// within two weeks (web_cases.go).
	Deadlines []caseDeadline
	// Notices are the current notices not acknowledged by every recipient,
	// Requests the open access requests overdue or due within a week
	// (web_notices.go, web_requests.go).
	Notices  []activityNotice
	Requests []requestRow
	Charts   *weeklyCharts // web_stats.go
}

func (s *Server) handleDashboard(c *fiber.Ctx) error {
	d, err := s.Dashboard.Dashboard(c.UserContext(), s.Now())
	if err != nil {
		return err
	}
	v := dashboardData{D: d}
	if v.Deadlines, err = s.caseDeadlinesDue(c, s.Now()); err != nil {
		return err
	}
	if v.Notices, err = s.dashboardNotices(c); err != nil {
		return err
	}
	if v.Requests, err = s.requestsDue(c); err != nil {
		return err
	}
	if v.Charts, err = s.weeklyChartsOf(c, s.langOf(c), 0, false); err != nil {
		return err
	}
	for _, f := range monitoring.AllFlags {
		if n := d.FlagCounts30d[f]; n > 0 {
			v.Flags = append(v.Flags, flagCount{Flag: f, Rule: monitoring.FlagRules[f], Count: n})
		}
	}
	p := s.newPage(c, "web.dashboard.title")
	p.Data = v
	return s.render(c, fiber.StatusOK, "dashboard", p)
}

// auditData is the DPO's audit page.
type auditData struct {
	Entries  []*monitoring.AuditEntry
	Next     int64
	Verified bool
	Uses     monitoring.ChainReport
	Audit    monitoring.ChainReport
}

func (s *Server) renderAudit(c *fiber.Ctx, d auditData) error {
	cursor, err := webCursor(c)
	if err != nil {
		return err
	}
	f := monitoring.AuditFilter{Cursor: cursor, Limit: 50}
	if d.Entries, d.Next, err = s.Audit.ListAudit(c.UserContext(), f); err != nil {
		return err
	}
	p := s.newPage(c, "web.audit.title")
	p.Data = d
	return s.render(c, fiber.StatusOK, "audit", p)
}

func (s *Server) handleAudit(c *fiber.Ctx) error { return s.renderAudit(c, auditData{}) }

// handleAuditVerify walks both hash chains and shows the result.
func (s *Server) handleAuditVerify(c *fiber.Ctx) error {
	uses, err := s.Uses.VerifyUses(c.UserContext())
	if err != nil {
		return err
	}
	audit, err := s.Audit.VerifyAudit(c.UserContext())
	if err != nil {
		return err
	}
	return s.renderAudit(c, auditData{Verified: true, Uses: uses, Audit: audit})
}

// handleMe (the employee's home) is in web_me.go.

// handleRepresentative (the representatives' portal) is in web_cases.go.
