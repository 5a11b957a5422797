package app

import (
	"html/template"
	"net/url"

	"github.com/gofiber/fiber/v2"

	"vaaka/monitoring"
)

// The employee's home (/me): the notices issued to them (R-NOT-1), every
// use of the recordings of their own calls (R-LOG-1), their own report, the
// Act 759/2004 (R-NOT-5) and their rights, among them the access request
// (R-DSR-1). Only the signed-in user's own data is shown.

// meNotice is one of the employee's notices with their own copy.
type meNotice struct {
	N            *monitoring.Notice
	R            *monitoring.NoticeRecipient
	ActivityName string
}

// Pending reports whether the employee has not yet acknowledged it.
func (m meNotice) Pending() bool { return m.R != nil && m.R.AcknowledgedAt.IsZero() }

// meData is the employee's own page.
type meData struct {
	Rows    []useRow
	UseRows template.HTML // Rows rendered (web_me_rows.go)
	Next    int64
	NoStaff bool
	Notices []meNotice
	Pending int
	Report  string
	Org     monitoring.Organisation
}

// handleMe shows the signed-in user's notices and own use log, newest
// first, with the report and the Act 759/2004 link (R-NOT-5). Reading one's
// own log is not audited.
func (s *Server) handleMe(c *fiber.Ctx) error {
	ctx := c.UserContext()
	u := principalOf(c).User
	d := meData{NoStaff: u.StaffID == ""}
	org, err := s.Settings.Organisation(ctx)
	if err != nil {
		return err
	}
	d.Org = org
	p := s.newPage(c, "web.me.title")
	if u.StaffID != "" {
		f := monitoring.UseFilter{EmployeeStaffID: u.StaffID, Limit: 50}
		cursor, err := webCursor(c)
		if err != nil {
			return err
		}
		f.Cursor = cursor
		uses, next, err := s.Uses.ListUses(ctx, f)
		if err != nil {
			return err
		}
		if d.Rows, err = s.decorate(c, uses, true); err != nil {
			return err
		}
		d.UseRows = s.views.meUseRows(p.Lang, d.Rows)
		d.Next = next
		d.Report = "/documents/employees/" + url.PathEscape(u.StaffID) + "/report.pdf?lang=" + string(p.Lang)
		if s.Notices != nil {
			ns, _, err := s.Notices.ListNotices(ctx, monitoring.NoticeFilter{StaffID: u.StaffID, Limit: 100})
			if err != nil {
				return err
			}
			names := map[int64]string{}
			for _, n := range ns {
				r, err := s.Notices.Recipient(ctx, n.ID, u.StaffID)
				if err != nil {
					if monitoring.ErrorCodeOf(err) == monitoring.NotFound {
						continue
					}
					return err
				}
				name, ok := names[n.ActivityID]
				if !ok {
					if a, err := s.Register.FindActivity(ctx, n.ActivityID); err == nil {
						name = a.Name
					} else if monitoring.ErrorCodeOf(err) != monitoring.NotFound {
						return err
					}
					names[n.ActivityID] = name
				}
				mn := meNotice{N: n, R: r, ActivityName: name}
				if mn.Pending() {
					d.Pending++
				}
				d.Notices = append(d.Notices, mn)
			}
		}
	}
	if c.Query("done") == "acknowledged" {
		p.Flash = s.i18n.T(p.Lang, "web.notice.flash.acknowledged")
	}
	p.Data = d
	return s.render(c, fiber.StatusOK, "me", p)
}
