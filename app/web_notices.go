package app

import (
	"context"
	"errors"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"vaaka/cooperation"
	"vaaka/monitoring"
)

// The web pages of notices to employees (R-NOT-1..5): HR issues a notice
// for an activity once its co-operation case is concluded (R-COOP-10,
// R-SEQ-1), follows who has read and acknowledged it and sends reminders;
// the employees it was issued to read and acknowledge it; HR, the DPO and
// representatives read it. The callers' information page (R-INF-1/2) is
// here too. Who may do what follows COMMON.md (wave 3).

// noticePages are the templates of this file and of web_requests.go; they
// join the pages every installation must have.
var noticePages = []string{"notice_new", "notice", "caller_information", "requests", "request_new", "request"}

func init() { pageNames = append(pageNames, noticePages...) }

// noticeDone are the notices a notice page shows after a change (?done=…),
// translated as "web.notice.flash.<name>".
var noticeDone = []string{"issued", "acknowledged", "reminded"}

// noticeRecipientPage is how many recipients the notice page lists at once.
const noticeRecipientPage = 200

// routesNotices registers the notice pages, the employee's home and the
// callers' information page.
func (s *Server) routesNotices(r fiber.Router) {
	hr := s.signedIn(rHR)
	r.Get("/activities/:id/notices/new", hr, s.handleNoticeNew)
	r.Post("/activities/:id/notices", hr, s.handleNoticeIssue)
	r.Get("/activities/:id/callers", s.signedIn(rHR, rDPO, rRep, rSup), s.handleCallerInformation)
	// Reading: HR, the DPO, representatives and the employees it was issued
	// to; anyone else gets 404 (the notice's existence is not told).
	r.Get("/notices/:id", s.signedIn(), s.handleNotice)
	r.Post("/notices/:id/acknowledge", s.signedIn(rEmp), s.handleNoticeAcknowledge)
	r.Post("/notices/:id/remind", hr, s.handleNoticeRemind)
}

// ---- helpers shared by the notice and request pages ----

// formErrors puts field errors (field → message key) on the page, each
// naming its field: the label is "<prefix><field>" when the catalog has it,
// else the register's label.
func (s *Server) formErrors(p *webPage, fields map[string]string, prefix string, rename func(string) string) {
	s.putErrors(p, fields, rename, func(_, name string) string {
		if key := prefix + name; s.i18n.Has(key) {
			return s.i18n.T(p.Lang, key)
		}
		return webLabel(s.i18n, p.Lang, name)
	})
}

// noticeRule is a refusing rule with its text.
type noticeRule struct {
	Rule string
	Text string
}

// ruleRows translates refusing rules: a key with a dot that the catalog
// has is used as such, else "readiness.<key>" (as errors.go does), else
// "web.notice.rule.<key>".
func (s *Server) ruleRows(lang monitoring.Language, rs []monitoring.Readiness) []noticeRule {
	out := make([]noticeRule, 0, len(rs))
	for _, r := range rs {
		key := r.Key
		switch {
		case strings.Contains(key, ".") && s.i18n.Has(key):
		case s.i18n.Has("readiness." + key):
			key = "readiness." + key
		case s.i18n.Has("web.notice.rule." + key):
			key = "web.notice.rule." + key
		case s.i18n.Has("coop.rule." + key):
			key = "coop.rule." + key
		default:
			key = "web.notice.rule.other"
		}
		out = append(out, noticeRule{Rule: r.Rule, Text: s.i18n.T(lang, key)})
	}
	return out
}

// today is the organisation's calendar date.
func (s *Server) today() time.Time { return monitoring.Today(s.Now(), s.views.location()) }

// idParam reads a numeric path parameter; a malformed one is not found.
func idParam(c *fiber.Ctx, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Params(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, fiber.ErrNotFound
	}
	return id, nil
}

// ---- issuing (HR) ----

// concludedCase returns the newest concluded co-operation case concerning
// the activity, or nil.
func (s *Server) concludedCase(ctx context.Context, activityID int64) (*cooperation.Case, error) {
	if s.Cases == nil {
		return nil, nil
	}
	cases, _, err := s.Cases.ListCases(ctx, cooperation.CaseFilter{ActivityID: activityID, Status: cooperation.StatusConcluded, Limit: 1000})
	if err != nil {
		return nil, err
	}
	var best *cooperation.Case
	for _, cs := range cases {
		if cs.Conclusion == nil || !slices.Contains(cs.ActivityIDs, activityID) {
			continue
		}
		if best == nil || cs.Conclusion.ConcludedAt.After(best.Conclusion.ConcludedAt) {
			best = cs
		}
	}
	return best, nil
}

// noticeRefusal is the refusal shown before the case is concluded
// (R-COOP-10, R-SEQ-1), the same rules the service refuses with.
var noticeRefusal = []monitoring.Readiness{
	{Rule: "R-COOP-10", Key: "cooperation.unmet"},
	{Rule: "R-SEQ-1", Key: "sequence"},
}

// cooperationConcluded reports whether the readiness gate counts the
// activity's co-operation as concluded after its last material change
// (R-COOP-10) — the same fact the notice service checks.
func (s *Server) cooperationConcluded(ctx context.Context, id int64) (bool, error) {
	rs, err := s.Register.Readiness(ctx, id, s.Now())
	if err != nil {
		return false, err
	}
	for _, r := range rs {
		if r.Rule == "R-COOP-10" && strings.HasPrefix(r.Key, "cooperation") {
			return r.Met, nil
		}
	}
	return false, nil
}

// noticeForm is the issue form.
type noticeForm struct {
	A         *monitoring.Activity
	Case      *cooperation.Case
	F         map[string]string
	Refused   []noticeRule
	Units     []monitoring.Unit // the affected units with their active employees
	Reach     int               // active employees of the affected units
	Previous  []*monitoring.Notice
	Conflict  bool // refused: the form is not offered
	NoticeMax int
}

// Val returns a field value.
func (f *noticeForm) Val(name string) string { return f.F[name] }

func (s *Server) loadActivity(c *fiber.Ctx) (*monitoring.Activity, error) {
	id, err := webActivityID(c)
	if err != nil {
		return nil, err
	}
	return s.Register.FindActivity(c.UserContext(), id)
}

func (s *Server) renderNoticeNew(c *fiber.Ctx, status int, a *monitoring.Activity, cs *cooperation.Case, f map[string]string,
	refused []monitoring.Readiness, fields map[string]string) error {
	ctx := c.UserContext()
	p := s.newPage(c, "web.notice.new.title")
	d := &noticeForm{A: a, Case: cs, F: f, Refused: s.ruleRows(p.Lang, refused), Conflict: cs == nil}
	if d.F == nil {
		d.F = map[string]string{}
	}
	units, err := s.Employees.ListUnits(ctx)
	if err != nil {
		return err
	}
	for _, u := range units {
		if a.Covers(u.Name) {
			d.Units = append(d.Units, u)
			d.Reach += u.Employees
		}
	}
	if s.Notices != nil {
		if d.Previous, _, err = s.Notices.ListNotices(ctx, monitoring.NoticeFilter{ActivityID: a.ID, Limit: 100}); err != nil {
			return err
		}
	}
	s.formErrors(p, fields, "web.notice.field.", nil)
	if len(refused) > 0 {
		p.Flash, p.FlashErr = s.i18n.T(p.Lang, "web.notice.new.refused"), true
	}
	p.Data = d
	return s.render(c, status, "notice_new", p)
}

// handleNoticeNew shows the issue form, prefilled from the conclusion of the
// co-operation case: the employer's definition of the purpose and the
// methods (R-COOP-10), and its account of what was decided (R-NOT-3).
// Before the case is concluded it shows the refusing rules instead.
func (s *Server) handleNoticeNew(c *fiber.Ctx) error {
	if s.Notices == nil {
		return fiber.ErrNotFound
	}
	a, err := s.loadActivity(c)
	if err != nil {
		return err
	}
	cs, err := s.concludedCase(c.UserContext(), a.ID)
	if err != nil {
		return err
	}
	ok, err := s.cooperationConcluded(c.UserContext(), a.ID)
	if err != nil {
		return err
	}
	if cs == nil || !ok {
		return s.renderNoticeNew(c, fiber.StatusOK, a, nil, nil, noticeRefusal, nil)
	}
	f := map[string]string{"introduction_on": webISODate(a.IntroductionOn), "purpose": cs.Conclusion.Text, "handled": cs.Conclusion.Account}
	if in := cs.CurrentInformation(); in != nil {
		f["methods"] = in.Methods
		if f["handled"] == "" {
			f["handled"] = in.Subject
		}
	}
	return s.renderNoticeNew(c, fiber.StatusOK, a, cs, f, nil, nil)
}

// handleNoticeIssue issues the notice to every active employee of the
// affected units (R-NOT-1, R-NOT-2); the service refuses it while the case
// is not concluded (409 with the rules, R-COOP-10, R-SEQ-1).
func (s *Server) handleNoticeIssue(c *fiber.Ctx) error {
	if s.Notices == nil {
		return fiber.ErrNotFound
	}
	a, err := s.loadActivity(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	cs, err := s.concludedCase(ctx, a.ID)
	if err != nil {
		return err
	}
	f := formValues(c)
	fe := monitoring.FieldErrors{}
	n := &monitoring.Notice{ActivityID: a.ID, Purpose: f["purpose"], Methods: f["methods"], Handled: f["handled"],
		PlainFinnish: f["plain_finnish"], IssuedBy: principalOf(c).User.Email, IssuedAt: s.Now()}
	if cs != nil {
		n.CaseID = cs.ID
	}
	if d, ok := webParseDate(f["introduction_on"]); !ok {
		fe.Add("introduction_on", monitoring.MsgDate)
	} else {
		n.IntroductionOn = d
	}
	if err := n.Validate(s.today()); err != nil {
		if fields, ok := webFields(err); ok {
			for k, v := range fields {
				fe.Add(k, v)
			}
		}
	}
	if len(fe) > 0 {
		return s.renderNoticeNew(c, fiber.StatusUnprocessableEntity, a, cs, f, nil, fe)
	}
	if err := s.Notices.IssueNotice(ctx, principalOf(c).User.Email, n); err != nil {
		var de *monitoring.Error
		if errors.As(err, &de) {
			switch {
			case de.Code == monitoring.RuleRefused || (de.Code == monitoring.Conflict && len(de.Rules) > 0):
				return s.renderNoticeNew(c, fiber.StatusConflict, a, nil, f, de.Rules, nil)
			case de.Code == monitoring.Invalid && len(de.Fields) > 0:
				return s.renderNoticeNew(c, fiber.StatusUnprocessableEntity, a, cs, f, nil, de.Fields)
			}
		}
		if codeOf(err) == string(cooperation.RuleRefused) {
			return s.renderNoticeNew(c, fiber.StatusConflict, a, nil, f, noticeRefusal, nil)
		}
		return err
	}
	return c.Redirect("/notices/"+strconv.FormatInt(n.ID, 10)+"?done=issued", fiber.StatusSeeOther)
}

// ---- reading, acknowledging, reminding ----

// noticeView is the notice page: the notice as the employee sees it and,
// for HR and the DPO, its recipients.
type noticeView struct {
	N        *monitoring.Notice
	A        *monitoring.Activity
	C        monitoring.NoticeContent
	Mine     *monitoring.NoticeRecipient // the viewer's own copy
	Staff    bool                        // HR or the DPO: the recipients table
	CanIssue bool
	Rows     []*monitoring.NoticeRecipient
	Next     string
	Filter   string
	Total    int
	Read     int
	Acked    int
	Unacked  int
	PDF      string
	Lang     string
}

// loadNotice finds the notice of :id and decides what the viewer may do:
// HR, the DPO and representatives read every notice, an employee only the
// notices issued to them; anyone else gets 404. The viewer's own copy is
// returned when they are a recipient.
func (s *Server) loadNotice(c *fiber.Ctx) (*monitoring.Notice, *monitoring.NoticeRecipient, error) {
	if s.Notices == nil {
		return nil, nil, fiber.ErrNotFound
	}
	id, err := idParam(c, "id")
	if err != nil {
		return nil, nil, err
	}
	ctx := c.UserContext()
	n, err := s.Notices.FindNotice(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	u := principalOf(c).User
	var mine *monitoring.NoticeRecipient
	if u.StaffID != "" {
		r, err := s.Notices.Recipient(ctx, id, u.StaffID)
		switch {
		case err == nil:
			mine = r
		case monitoring.ErrorCodeOf(err) != monitoring.NotFound:
			return nil, nil, err
		}
	}
	if mine == nil && !u.HasAny(rHR, rDPO, rRep) {
		return nil, nil, fiber.ErrNotFound
	}
	return n, mine, nil
}

func (s *Server) handleNotice(c *fiber.Ctx) error {
	n, mine, err := s.loadNotice(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	u := principalOf(c).User
	// Opening one's own notice records the first read.
	if mine != nil && mine.ReadAt.IsZero() {
		if err := s.Notices.MarkRead(ctx, n.ID, mine.StaffID); err != nil {
			return err
		}
		mine.ReadAt = s.Now()
	}
	a, err := s.Register.FindActivity(ctx, n.ActivityID)
	if err != nil {
		return err
	}
	// The content is the one the API and the PDF give (api_notices.go,
	// monitoring.BuildNoticeContent).
	nc, err := s.noticeContent(ctx, n)
	if err != nil {
		return err
	}
	p := s.newPage(c, "web.notice.title")
	v := &noticeView{N: n, A: a, C: nc, Mine: mine, Staff: u.HasAny(rHR, rDPO),
		CanIssue: u.Has(rHR), Lang: string(p.Lang),
		PDF: "/documents/notices/" + strconv.FormatInt(n.ID, 10) + ".pdf?lang=" + string(p.Lang)}
	if v.Staff {
		v.Filter = c.Query("filter")
		if v.Filter != "" && v.Filter != "unacknowledged" && v.Filter != "unread" {
			return errBadField("filter", monitoring.MsgUnknown)
		}
		if v.Total, v.Read, v.Acked, err = s.noticeCounts(ctx, n.ID); err != nil {
			return err
		}
		v.Unacked = v.Total - v.Acked
		f := monitoring.RecipientFilter{Unacknowledged: v.Filter == "unacknowledged", Unread: v.Filter == "unread",
			Cursor: c.Query("cursor"), Limit: noticeRecipientPage}
		if len(f.Cursor) > 100 {
			return errBadField("cursor", "cursor")
		}
		if v.Rows, v.Next, err = s.Notices.Recipients(ctx, n.ID, f); err != nil {
			return err
		}
	}
	if d := c.Query("done"); slices.Contains(noticeDone, d) {
		switch d {
		case "issued":
			p.Flash = s.i18n.T(p.Lang, "web.notice.flash.issued", "count", itoa(n.Recipients))
		case "reminded":
			sent, _ := strconv.Atoi(c.Query("sent"))
			p.Flash = s.i18n.T(p.Lang, "web.notice.flash.reminded", "count", itoa(max(sent, 0)))
		default:
			p.Flash = s.i18n.T(p.Lang, "web.notice.flash."+d)
		}
	}
	p.Data = v
	return s.render(c, fiber.StatusOK, "notice", p)
}

// noticeCounts counts the recipients of a notice: all, read and
// acknowledged.
func (s *Server) noticeCounts(ctx context.Context, id int64) (total, read, acked int, err error) {
	f := monitoring.RecipientFilter{Limit: 1000}
	for range 1000 {
		rs, next, err := s.Notices.Recipients(ctx, id, f)
		if err != nil {
			return 0, 0, 0, err
		}
		for _, r := range rs {
			total++
			if !r.ReadAt.IsZero() {
				read++
			}
			if !r.AcknowledgedAt.IsZero() {
				acked++
			}
		}
		if next == "" || len(rs) == 0 {
			break
		}
		f.Cursor = next
	}
	return total, read, acked, nil
}

// handleNoticeAcknowledge records the signed-in employee's acknowledgement
// of a notice issued to them ("kuittaa luetuksi"); another's notice, or one
// not issued to them, is not found.
func (s *Server) handleNoticeAcknowledge(c *fiber.Ctx) error {
	if s.Notices == nil {
		return fiber.ErrNotFound
	}
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	u := principalOf(c).User
	if u.StaffID == "" {
		return fiber.ErrNotFound
	}
	ctx := c.UserContext()
	r, err := s.Notices.Recipient(ctx, id, u.StaffID)
	if err != nil {
		return err
	}
	if r.ReadAt.IsZero() {
		if err := s.Notices.MarkRead(ctx, id, u.StaffID); err != nil {
			return err
		}
	}
	if err := s.Notices.Acknowledge(ctx, id, u.StaffID); err != nil {
		return err
	}
	if formVal(c, "next") == "me" {
		return c.Redirect("/me?done=acknowledged#my-notices", fiber.StatusSeeOther)
	}
	return c.Redirect("/notices/"+strconv.FormatInt(id, 10)+"?done=acknowledged", fiber.StatusSeeOther)
}

// handleNoticeRemind queues a reminder to every recipient who has not
// acknowledged and tells how many.
func (s *Server) handleNoticeRemind(c *fiber.Ctx) error {
	if s.Notices == nil {
		return fiber.ErrNotFound
	}
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	n, err := s.Notices.Remind(c.UserContext(), principalOf(c).User.Email, id)
	if err != nil {
		return err
	}
	return c.Redirect("/notices/"+strconv.FormatInt(id, 10)+"?done=reminded&sent="+itoa(n)+"&filter=unacknowledged", fiber.StatusSeeOther)
}

// ---- the activity page's notices section and the dashboard ----

// activityNotice is a notice of an activity with its counts.
type activityNotice struct {
	N       *monitoring.Notice
	Total   int
	Acked   int
	Unacked int
	Name    string // the activity's name (dashboard)
}

// activityNotices is the notices section of the activity page.
type activityNotices struct {
	Enabled  bool
	Items    []activityNotice
	CanIssue bool // HR and the case is concluded (R-COOP-10)
}

// activityNoticesOf lists the notices of activity a with their counts and
// tells whether HR may issue a new one.
func (s *Server) activityNoticesOf(c *fiber.Ctx, a *monitoring.Activity) (activityNotices, error) {
	var out activityNotices
	if s.Notices == nil {
		return out, nil
	}
	ctx := c.UserContext()
	out.Enabled = true
	ns, _, err := s.Notices.ListNotices(ctx, monitoring.NoticeFilter{ActivityID: a.ID, Limit: 100})
	if err != nil {
		return out, err
	}
	u := principalOf(c).User
	for _, n := range ns {
		it := activityNotice{N: n, Total: n.Recipients}
		if u.HasAny(rHR, rDPO) {
			total, _, acked, err := s.noticeCounts(ctx, n.ID)
			if err != nil {
				return out, err
			}
			it.Total, it.Acked, it.Unacked = total, acked, total-acked
		}
		out.Items = append(out.Items, it)
	}
	if u.Has(rHR) {
		if out.CanIssue, err = s.cooperationConcluded(ctx, a.ID); err != nil {
			return out, err
		}
	}
	return out, nil
}

// dashboardNotices lists, for the dashboard, the current notices some of
// whose recipients have not acknowledged them.
func (s *Server) dashboardNotices(c *fiber.Ctx) ([]activityNotice, error) {
	if s.Notices == nil {
		return nil, nil
	}
	ctx := c.UserContext()
	names := map[int64]string{}
	var out []activityNotice
	f := monitoring.NoticeFilter{Limit: 1000}
	for range 20 {
		ns, next, err := s.Notices.ListNotices(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, n := range ns {
			if n.Superseded {
				continue
			}
			total, _, acked, err := s.noticeCounts(ctx, n.ID)
			if err != nil {
				return nil, err
			}
			if total == acked {
				continue
			}
			name, ok := names[n.ActivityID]
			if !ok {
				if a, err := s.Register.FindActivity(ctx, n.ActivityID); err == nil {
					name = a.Name
				} else if monitoring.ErrorCodeOf(err) != monitoring.NotFound {
					return nil, err
				}
				names[n.ActivityID] = name
			}
			out = append(out, activityNotice{N: n, Total: total, Acked: acked, Unacked: total - acked, Name: name})
		}
		if next == 0 {
			break
		}
		f.Cursor = next
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].N.IntroductionOn.Before(out[j].N.IntroductionOn) })
	return out, nil
}

// ---- callers' information (R-INF-1, R-INF-2) ----

// callerDirection is one covered call direction with its announcement per
// language.
type callerDirection struct {
	Direction monitoring.Direction
	Texts     []callerText
}

type callerText struct {
	Lang monitoring.Language
	Text string
}

// callerView is the printable callers' information page.
type callerView struct {
	A          *monitoring.Activity
	Org        monitoring.Organisation
	Directions []callerDirection
	PrivacyURL string
	OrgURL     bool // the organisation's privacy notice URL stands in
	Printed    time.Time
}

// handleCallerInformation is one printable page per activity: what callers
// are told before recording starts, per direction and language, where in
// the IVR it plays, where the privacy notice is, and which customers were
// informed beforehand.
func (s *Server) handleCallerInformation(c *fiber.Ctx) error {
	a, err := s.loadActivity(c)
	if err != nil {
		return err
	}
	org, err := s.Settings.Organisation(c.UserContext())
	if err != nil {
		return err
	}
	v := &callerView{A: a, Org: org, PrivacyURL: a.CallerInformation.PrivacyNoticeURL, Printed: s.Now()}
	if v.PrivacyURL == "" && org.PrivacyNoticeURL != "" {
		v.PrivacyURL, v.OrgURL = org.PrivacyNoticeURL, true
	}
	for _, d := range a.Directions {
		texts := a.CallerInformation.Inbound
		if d == monitoring.Outbound {
			texts = a.CallerInformation.Outbound
		}
		cd := callerDirection{Direction: d}
		for _, l := range monitoring.Languages {
			cd.Texts = append(cd.Texts, callerText{Lang: l, Text: texts[l]})
		}
		v.Directions = append(v.Directions, cd)
	}
	p := s.newPage(c, "")
	p.Title = s.i18n.T(p.Lang, "web.notice.callers.title", "name", a.Name)
	p.Data = v
	return s.render(c, fiber.StatusOK, "caller_information", p)
}

// NoticeWebKeys lists the catalog keys the notice, request and home pages
// build at run time; the catalog test checks each exists in every
// language.
func NoticeWebKeys() []string {
	var keys []string
	for _, d := range noticeDone {
		keys = append(keys, "web.notice.flash."+d)
	}
	for _, d := range requestDone {
		keys = append(keys, "web.request.flash."+d)
	}
	for _, k := range []monitoring.AccessRequestKind{monitoring.RequestByEmployee, monitoring.RequestByCaller} {
		keys = append(keys, "web.request.kind."+string(k))
	}
	keys = append(keys, "readiness.cooperation.unmet", "web.notice.rule.sequence", "web.notice.rule.other")
	return keys
}
