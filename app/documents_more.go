package app

import (
	"bytes"
	"context"
	"encoding/csv"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"vaaka/app/pdf"
	"vaaka/monitoring"
)

// The wave-3 documents: the notice to employees, the register extract (PDF,
// CSV, JSON), an employee's own report and the compliance report. Their
// routes are in routesDocuments (documents.go).

// docOptions builds the options every document shares: the language
// (?lang= or the reader's), the organisation and its zone, the clock.
func (s *Server) docOptions(c *fiber.Ctx) (pdf.Options, monitoring.Organisation, error) {
	lang, err := s.documentLang(c)
	if err != nil {
		return pdf.Options{}, monitoring.Organisation{}, err
	}
	org, err := s.Settings.Organisation(c.UserContext())
	if err != nil {
		return pdf.Options{}, monitoring.Organisation{}, err
	}
	return pdf.Options{
		Lang:        lang,
		GeneratedAt: s.Now(),
		Org:         pdf.OrgInfo{Name: org.Name, BusinessID: org.BusinessID, Address: org.Address},
		T:           func(key string, kv ...string) string { return s.i18n.T(lang, key, kv...) },
		Location:    org.Location(),
		Names:       map[string]string{},
	}, org, nil
}

// handleNoticePDF: the notice to employees (R-NOT-1, R-NOT-2, R-NOT-3,
// R-NOT-5) with the content the web page and the API show
// (monitoring.BuildNoticeContent). A recipient's download records their
// first read, as opening the page does.
func (s *Server) handleNoticePDF(c *fiber.Ctx) error {
	n, mine, err := s.loadNotice(c)
	if err != nil {
		return err
	}
	o, _, err := s.docOptions(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	nc, err := s.noticeContent(ctx, n)
	if err != nil {
		return err
	}
	d := pdf.NoticeDoc{Content: nc}
	if n.CaseID > 0 && s.Cases != nil {
		cs, err := s.Cases.FindCase(ctx, n.CaseID)
		switch {
		case err == nil:
			d.Procedure, d.CaseTitle = cs.Procedure, cs.Title
		case monitoring.ErrorCodeOf(err) != monitoring.NotFound:
			return err
		}
	}
	if mine != nil && mine.ReadAt.IsZero() {
		if err := s.Notices.MarkRead(ctx, n.ID, mine.StaffID); err != nil {
			return err
		}
	}
	o.DocID = pdf.NoticeID(n.ID, n.Version)
	var buf bytes.Buffer
	if err := pdf.Notice(&buf, d, o); err != nil {
		return err
	}
	return sendPDF(c, o.DocID, &buf)
}

// registerDocument assembles the register extract (R-ROPA-1) as the API
// does (monitoring.RegisterExtract over every activity).
func (s *Server) registerDocument(ctx context.Context) (monitoring.RegisterDocument, error) {
	as, err := s.registerActivities(ctx)
	if err != nil {
		return monitoring.RegisterDocument{}, err
	}
	org, err := s.Settings.Organisation(ctx)
	if err != nil {
		return monitoring.RegisterDocument{}, err
	}
	return monitoring.RegisterExtract(org, as), nil
}

// handleRegisterPDF: the register extract as a PDF.
func (s *Server) handleRegisterPDF(c *fiber.Ctx) error {
	o, _, err := s.docOptions(c)
	if err != nil {
		return err
	}
	doc, err := s.registerDocument(c.UserContext())
	if err != nil {
		return err
	}
	for _, e := range doc.Entries {
		for _, u := range e.AuthorizedUsers {
			s.addUserName(c.UserContext(), o.Names, u.Email)
		}
	}
	o.DocID = pdf.RegisterID(o)
	var buf bytes.Buffer
	if err := pdf.Register(&buf, doc, o); err != nil {
		return err
	}
	return sendPDF(c, o.DocID, &buf)
}

// handleRegisterCSV: the register extract as CSV the way Finnish Excel
// reads it: UTF-8 with a byte-order mark, ";" separated, one row per
// activity, every cell neutralised against formula injection
// (monitoring.CSVSafe).
func (s *Server) handleRegisterCSV(c *fiber.Ctx) error {
	doc, err := s.registerDocument(c.UserContext())
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	w.Comma = ';'
	w.UseCRLF = true
	if err := w.WriteAll(monitoring.RegisterCSV(doc)); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+s.registerFileName()+`.csv"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(buf.Bytes())
}

// handleRegisterJSON: the register extract in the API's shape
// (GET /api/v1/register), as a download.
func (s *Server) handleRegisterJSON(c *fiber.Ctx) error {
	doc, err := s.registerDocument(c.UserContext())
	if err != nil {
		return err
	}
	out := apiRegisterOut(doc)
	out.GeneratedAt = apiTimeOut(s.Now())
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+s.registerFileName()+`.json"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return apiSendJSON(c, fiber.StatusOK, out)
}

func (s *Server) registerFileName() string {
	return pdf.RegisterID(pdf.Options{GeneratedAt: s.Now(), Location: s.views.location()})
}

// handleReportPDF: an employee's report (R-DSR-1): the notices they
// received and every use of their recordings. The employee themself (their
// user's staff id), HR and the DPO may read it; a read by anyone but the
// employee is recorded in the audit trail (R-LOG-1).
func (s *Server) handleReportPDF(c *fiber.Ctx) error {
	staff := c.Params("staff_id")
	if !monitoring.ValidStaffID(staff) {
		return fiber.ErrNotFound
	}
	u := principalOf(c).User
	own := u.StaffID != "" && u.StaffID == staff
	if !own && !u.HasAny(rHR, rDPO) {
		return errForbidden
	}
	ctx := c.UserContext()
	emp, err := s.Employees.FindEmployee(ctx, staff)
	switch {
	case err == nil:
	case monitoring.ErrorCodeOf(err) == monitoring.NotFound && own:
		// A user linked to a staff id that HR has not entered: their own
		// (possibly empty) report.
		emp = &monitoring.Employee{StaffID: staff, Name: u.Name, Email: u.Email}
	default:
		return err
	}
	o, _, err := s.docOptions(c)
	if err != nil {
		return err
	}
	d := pdf.ReportDoc{Employee: *emp, Activities: map[int64]*monitoring.Activity{}}
	acts := apiActivityNames{s: s}
	// Every use of the employee's recordings, page by page.
	f := monitoring.UseFilter{EmployeeStaffID: staff, Limit: monitoring.MaxBatch}
	for {
		us, next, err := s.Uses.ListUses(ctx, f)
		if err != nil {
			return err
		}
		d.Uses = append(d.Uses, us...)
		if next == 0 || len(us) == 0 {
			break
		}
		f.Cursor = next
	}
	histories := map[int64][]monitoring.ActivityChange{}
	for _, use := range d.Uses {
		a, err := acts.get(ctx, use.ActivityID)
		if err != nil {
			return err
		}
		if a != nil && d.Activities[a.ID] == nil {
			d.Activities[a.ID] = a
			h, err := s.Register.History(ctx, a.ID)
			if err != nil && monitoring.ErrorCodeOf(err) != monitoring.NotFound {
				return err
			}
			histories[a.ID] = h
		}
		s.addUserName(ctx, o.Names, use.UsedBy)
	}
	// The task that entitled the user at the time, as /me/uses tells it.
	d.Task = func(use *monitoring.Use) string {
		a := d.Activities[use.ActivityID]
		if a == nil {
			return ""
		}
		return apiTaskAt(histories[a.ID], a, use)
	}
	if s.Notices != nil {
		nf := monitoring.NoticeFilter{StaffID: staff, Limit: monitoring.MaxBatch}
		for {
			ns, next, err := s.Notices.ListNotices(ctx, nf)
			if err != nil {
				return err
			}
			for _, n := range ns {
				rn := pdf.ReportNotice{Notice: n}
				if a, err := acts.get(ctx, n.ActivityID); err != nil {
					return err
				} else if a != nil {
					rn.ActivityName = a.Name
				}
				r, err := s.Notices.Recipient(ctx, n.ID, staff)
				if err != nil && monitoring.ErrorCodeOf(err) != monitoring.NotFound {
					return err
				}
				rn.Recipient = r
				d.Notices = append(d.Notices, rn)
			}
			if next == 0 || len(ns) == 0 {
				break
			}
			nf.Cursor = next
		}
	}
	if !own {
		// R-LOG-1: reading another person's use log is itself recorded.
		if err := s.Audit.Record(ctx, u.Email, "use_log.read", "employee", staff,
			map[string]any{"via": "report_pdf", "uses": len(d.Uses), "notices": len(d.Notices)}); err != nil {
			return err
		}
	}
	o.DocID = pdf.ReportID(staff, o)
	var buf bytes.Buffer
	if err := pdf.Report(&buf, d, o); err != nil {
		return err
	}
	return sendPDF(c, o.DocID, &buf)
}

// Caps of the compliance report's lists (the counts are complete).
const (
	complianceFlaggedCap = 200
	complianceOverdueCap = 200
	compliancePendingCap = 50
)

// complianceDate parses ?name=YYYY-MM-DD; a bad value is a 400 naming it.
func complianceDate(c *fiber.Ctx, name string, def time.Time) (time.Time, error) {
	v := c.Query(name)
	if v == "" {
		return def, nil
	}
	fe := monitoring.FieldErrors{}
	t := apiParseDateField(fe, name, v)
	if len(fe) > 0 {
		return time.Time{}, errBadField(name, monitoring.MsgDate)
	}
	return t, nil
}

// handleCompliancePDF: the compliance report for ?from=…&to=… (calendar
// dates, inclusive; default the last 30 days): readiness of every activity
// not retired (R-SEQ-1), flagged uses of the period (R-LOG-1), overdue
// deletions (R-RET-2), unacknowledged notices (R-NOT-1) and open access
// requests (R-DSR-1).
func (s *Server) handleCompliancePDF(c *fiber.Ctx) error {
	o, _, err := s.docOptions(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	now := s.Now()
	today := monitoring.Today(now, o.Location)
	to, err := complianceDate(c, "to", today)
	if err != nil {
		return err
	}
	from, err := complianceDate(c, "from", to.AddDate(0, 0, -29))
	if err != nil {
		return err
	}
	if from.After(to) {
		return errBadField("from", monitoring.MsgInvalid)
	}
	d := pdf.ComplianceDoc{From: from, To: to, Today: today, FlagCounts: map[monitoring.Flag]int64{}, ActivityNames: map[int64]string{}}

	as, err := s.registerActivities(ctx)
	if err != nil {
		return err
	}
	for _, a := range as {
		d.ActivityNames[a.ID] = a.Name
		if a.Status == monitoring.StatusRetired {
			continue
		}
		rs, err := s.Register.Readiness(ctx, a.ID, now)
		if err != nil {
			return err
		}
		d.Activities = append(d.Activities, pdf.ComplianceActivity{Activity: a, Unmet: monitoring.Unmet(rs)})
	}

	// Flagged uses whose occurred_at falls in the period (local days).
	start := localMidnight(from, o.Location)
	end := localMidnight(to.AddDate(0, 0, 1), o.Location)
	seen := map[string]bool{}
	var newest []*monitoring.Use
	for _, fl := range monitoring.AllFlags {
		f := monitoring.UseFilter{Flag: fl, From: start, To: end, Limit: monitoring.MaxBatch}
		kept := 0
		for {
			us, next, err := s.Uses.ListUses(ctx, f)
			if err != nil {
				return err
			}
			d.FlagCounts[fl] += int64(len(us))
			for _, u := range us {
				if !seen[u.ID] {
					seen[u.ID] = true
					// Newest first per flag: the newest cap of the union
					// are among the first cap of each flag.
					if kept < complianceFlaggedCap {
						newest = append(newest, u)
					}
				}
				kept++
			}
			if next == 0 || len(us) == 0 {
				break
			}
			f.Cursor = next
		}
	}
	sort.Slice(newest, func(i, j int) bool { return newest[i].Seq > newest[j].Seq })
	d.FlaggedTotal = len(seen)
	d.Flagged = newest[:min(len(newest), complianceFlaggedCap)]

	// Overdue deletions (R-RET-2), counted in full, listed up to a cap.
	rf := monitoring.RecordingFilter{Overdue: true, Limit: monitoring.MaxBatch}
	for {
		rs, next, err := s.Recordings.ListRecordings(ctx, rf, now)
		if err != nil {
			return err
		}
		d.OverdueTotal += len(rs)
		for _, r := range rs {
			if len(d.Overdue) < complianceOverdueCap {
				d.Overdue = append(d.Overdue, r)
			}
		}
		if next == "" || len(rs) == 0 {
			break
		}
		rf.Cursor = next
	}
	sort.SliceStable(d.Overdue, func(i, j int) bool { return d.Overdue[i].DeletionDue.Before(d.Overdue[j].DeletionDue) })

	if s.Notices != nil {
		if d.Notices, err = s.unacknowledgedNotices(ctx, d.ActivityNames); err != nil {
			return err
		}
	}
	if s.Requests != nil {
		qf := monitoring.AccessRequestFilter{Open: true, Limit: monitoring.MaxBatch}
		for {
			rs, next, err := s.Requests.ListAccessRequests(ctx, qf)
			if err != nil {
				return err
			}
			d.Requests = append(d.Requests, rs...)
			if next == 0 || len(rs) == 0 {
				break
			}
			qf.Cursor = next
		}
		slices.SortStableFunc(d.Requests, func(a, b *monitoring.AccessRequest) int { return a.DueOn.Compare(b.DueOn) })
	}
	for _, u := range d.Flagged {
		s.addUserName(ctx, o.Names, u.UsedBy)
	}
	o.DocID = pdf.ComplianceID(from, to)
	var buf bytes.Buffer
	if err := pdf.Compliance(&buf, d, o); err != nil {
		return err
	}
	return sendPDF(c, o.DocID, &buf)
}

// unacknowledgedNotices lists the current (not superseded) notices with
// their unacknowledged recipients (R-NOT-1), capped per notice.
func (s *Server) unacknowledgedNotices(ctx context.Context, names map[int64]string) ([]pdf.ComplianceNotice, error) {
	var out []pdf.ComplianceNotice
	nf := monitoring.NoticeFilter{Limit: monitoring.MaxBatch}
	for {
		ns, next, err := s.Notices.ListNotices(ctx, nf)
		if err != nil {
			return nil, err
		}
		for _, n := range ns {
			if n.Superseded {
				continue
			}
			cn := pdf.ComplianceNotice{Notice: n, ActivityName: firstNonEmpty(names[n.ActivityID], "#"+itoa(int(n.ActivityID)))}
			rf := monitoring.RecipientFilter{Unacknowledged: true, Limit: monitoring.MaxBatch}
			for {
				rs, cur, err := s.Notices.Recipients(ctx, n.ID, rf)
				if err != nil {
					return nil, err
				}
				cn.PendingTotal += len(rs)
				for _, r := range rs {
					if len(cn.Pending) < compliancePendingCap {
						cn.Pending = append(cn.Pending, r)
					}
				}
				if cur == "" || len(rs) == 0 {
					break
				}
				rf.Cursor = cur
			}
			if cn.PendingTotal > 0 {
				out = append(out, cn)
			}
		}
		if next == 0 || len(ns) == 0 {
			return out, nil
		}
		nf.Cursor = next
	}
}

// localMidnight is the instant the calendar day d begins in loc.
func localMidnight(d time.Time, loc *time.Location) time.Time {
	y, m, day := d.Date()
	return time.Date(y, m, day, 0, 0, 0, 0, loc)
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}
