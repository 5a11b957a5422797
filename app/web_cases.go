package app

import (
	"errors"
	"html/template"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"vaaka/cooperation"
	"vaaka/monitoring"
)

// The web pages of co-operation cases: HR runs a case (R-COOP-1..11), the
// representatives of the case read it, comment, submit initiatives and
// approve the minutes of the meetings they took part in, the DPO reads
// every case. Who may do what follows the table in COMMON.md (wave 2).

// casePages are the case templates; they join the pages every installation
// must have, so a missing one fails start-up.
var casePages = []string{"cases", "case", "case_new", "case_staff", "case_proposal", "case_meeting",
	"case_minutes", "case_hearing", "case_conclude", "case_confidential", "case_withdraw"}

func init() { pageNames = append(pageNames, casePages...) }

// caseDone are the notices a case page shows after a change (?done=…),
// translated as "web.case.flash.<name>".
var caseDone = []string{"saved", "comment_saved", "initiative_saved", "response_saved", "approval_saved", "staff_saved",
	"proposal_saved", "meeting_saved", "minutes_saved", "hearing_saved", "view_saved", "confidential_saved", "concluded", "withdrawn"}

// Rows the forms offer beyond the filled ones (no JavaScript needed).
const (
	caseMinGroups       = 2
	caseMinReps         = 3
	caseMinParticipants = 5
	caseMinDissent      = 2
	caseMaxRows         = 50
	// caseDashboardDays: the dashboard lists pending deadlines due within
	// this many days.
	caseDashboardDays = 14
)

// routesCases registers the case pages.
func (s *Server) routesCases(r fiber.Router) {
	hr := s.signedIn(rHR)
	read := s.signedIn(rHR, rDPO, rRep)
	r.Get("/cases", read, s.handleCases)
	r.Get("/cases/new", hr, s.handleCaseNew)
	r.Post("/cases", hr, s.handleCaseCreate)
	r.Get("/cases/:id", read, s.handleCase)
	r.Get("/cases/:id/staff-side", hr, s.handleCaseStaffForm)
	r.Post("/cases/:id/staff-side", hr, s.handleCaseStaff)
	r.Get("/cases/:id/proposal/new", hr, s.handleCaseProposalForm)
	r.Post("/cases/:id/proposal", hr, s.handleCaseProposal)
	r.Post("/cases/:id/comments", s.signedIn(rHR, rRep), s.handleCaseComment)
	r.Post("/cases/:id/initiatives", s.signedIn(rRep), s.handleCaseInitiative)
	r.Post("/cases/:id/initiatives/:iid/response", hr, s.handleCaseInitiativeResponse)
	r.Get("/cases/:id/meetings/new", hr, s.handleCaseMeetingForm)
	r.Post("/cases/:id/meetings", hr, s.handleCaseMeeting)
	r.Get("/cases/:id/meetings/:mid/minutes", hr, s.handleCaseMinutesForm)
	r.Post("/cases/:id/meetings/:mid/minutes", hr, s.handleCaseMinutes)
	r.Post("/cases/:id/meetings/:mid/approvals", s.signedIn(rHR, rRep), s.handleCaseApproval)
	r.Get("/cases/:id/hearing", hr, s.handleCaseHearingForm)
	r.Post("/cases/:id/hearing", hr, s.handleCaseHearing)
	r.Post("/cases/:id/hearing/views", hr, s.handleCaseView)
	r.Get("/cases/:id/confidentiality", hr, s.handleCaseConfidentialForm)
	r.Post("/cases/:id/confidentiality", hr, s.handleCaseConfidential)
	r.Get("/cases/:id/conclude", hr, s.handleCaseConcludeForm)
	r.Post("/cases/:id/conclude", hr, s.handleCaseConclude)
	r.Get("/cases/:id/withdraw", hr, s.handleCaseWithdrawForm)
	r.Post("/cases/:id/withdraw", hr, s.handleCaseWithdraw)
}

// ---- access ----

// caseRole is what the signed-in user is to one case.
type caseRole struct {
	HR  bool // the employer: every form
	DPO bool // reads
	Rep bool // a representative on the case's staff side
}

// caseParam reads a numeric path parameter; a malformed one is not found.
func caseParam(c *fiber.Ctx, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Params(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, fiber.ErrNotFound
	}
	return id, nil
}

// loadCase finds the case of :id and checks that the user may read it:
// HR and the DPO every case, a representative the cases where they are on
// the staff side. Anyone else gets 404 — the case's existence is not told.
func (s *Server) loadCase(c *fiber.Ctx) (*cooperation.Case, caseRole, error) {
	if s.Cases == nil {
		return nil, caseRole{}, fiber.ErrNotFound
	}
	id, err := caseParam(c, "id")
	if err != nil {
		return nil, caseRole{}, err
	}
	cs, err := s.Cases.FindCase(c.UserContext(), id)
	if err != nil {
		return nil, caseRole{}, err
	}
	u := principalOf(c).User
	r := caseRole{HR: u.Has(rHR), DPO: u.Has(rDPO), Rep: u.Has(rRep) && cs.OnStaffSide(u.Email)}
	if !r.HR && !r.DPO && !r.Rep {
		return nil, caseRole{}, fiber.ErrNotFound
	}
	return cs, r, nil
}

// caseOpen reports whether the case still takes changes.
func caseOpen(cs *cooperation.Case) bool {
	return cs.Status != cooperation.StatusConcluded && cs.Status != cooperation.StatusWithdrawn
}

func caseURL(id int64, tail string) string { return "/cases/" + strconv.FormatInt(id, 10) + tail }

// ---- errors, labels and times ----

// caseErrFields returns the field errors of an Invalid error of either
// domain package.
func caseErrFields(err error) (map[string]string, bool) {
	var ce *cooperation.Error
	if errors.As(err, &ce) && ce.Code == cooperation.Invalid && len(ce.Fields) > 0 {
		return ce.Fields, true
	}
	return webFields(err)
}

// caseErrRules returns the refusing rules of a DeadlineBroken or
// RuleRefused error and the status the page answers with.
func caseErrRules(err error) ([]cooperation.RuleResult, int, bool) {
	var ce *cooperation.Error
	if !errors.As(err, &ce) || len(ce.Rules) == 0 {
		return nil, 0, false
	}
	switch ce.Code {
	case cooperation.DeadlineBroken:
		return ce.Rules, fiber.StatusUnprocessableEntity, true
	case cooperation.RuleRefused, cooperation.Conflict:
		return ce.Rules, fiber.StatusConflict, true
	}
	return nil, 0, false
}

// caseLabel is the label of a case form field: "web.case.field.<name>"
// (indices removed), else the register's label, else the name.
func (s *Server) caseLabel(lang monitoring.Language, field string) string {
	base := strings.TrimPrefix(indexRE.ReplaceAllString(field, ""), ".")
	base = caseSuffixRE.ReplaceAllString(base, "") // "response_12" → "response"
	if key := "web.case.field." + base; s.i18n.Has(key) {
		return s.i18n.T(lang, key)
	}
	if i := strings.LastIndex(base, "."); i >= 0 {
		if key := "web.case.field." + base[i+1:]; s.i18n.Has(key) {
			return s.i18n.T(lang, key)
		}
	}
	return webLabel(s.i18n, lang, field)
}

var caseSuffixRE = regexp.MustCompile(`_\d+$`)

// caseErrors puts field errors (field → message key) on the page: next to
// the field and in the summary, each naming its field.
func (s *Server) caseErrors(p *webPage, fields map[string]string, rename func(string) string) {
	s.putErrors(p, fields, rename, func(_, name string) string { return s.caseLabel(p.Lang, name) })
}

// caseRuleRow is a refusing or checked rule with its translated text.
type caseRuleRow struct {
	Rule string
	Met  bool
	Text string
}

func (s *Server) caseRuleRows(lang monitoring.Language, rs []cooperation.RuleResult) []caseRuleRow {
	out := make([]caseRuleRow, 0, len(rs))
	for _, r := range rs {
		out = append(out, caseRuleRow{Rule: r.Rule, Met: r.Met, Text: s.i18n.T(lang, "coop.rule."+r.Key)})
	}
	return out
}

// caseLocal splits t into the date and clock values of the form inputs, in
// the organisation's time zone.
func (s *Server) caseLocal(t time.Time) (string, string) {
	if t.IsZero() {
		return "", ""
	}
	lt := t.In(s.views.location())
	return lt.Format("2006-01-02"), lt.Format("15:04")
}

// caseTime reads a date and a time of day; a blank date is zero. Errors go
// to field.
func (s *Server) caseTime(fe map[string]string, field, date, clock string, required bool) time.Time {
	if date == "" {
		if required {
			fe[field] = monitoring.MsgRequired
		}
		return time.Time{}
	}
	t, ok := parseLocalTime(date, clock, s.views.location())
	if !ok {
		fe[field] = monitoring.MsgDate
		return time.Time{}
	}
	return t
}

// caseText checks a free text field's length (cooperation.MaxText).
func caseText(fe map[string]string, field, v string, required bool) {
	switch {
	case required && v == "":
		fe[field] = monitoring.MsgRequired
	case len([]rune(v)) > cooperation.MaxText:
		fe[field] = "too_long"
	}
}

// ---- timeline ----

// caseDeadline is one statutory time limit as the pages show it.
type caseDeadline struct {
	cooperation.Deadline
	Symbol    string
	CaseID    int64
	CaseTitle string
}

// caseSymbols tell a deadline's state by a symbol beside its text, never
// by colour alone.
var caseSymbols = map[cooperation.DeadlineStatus]string{
	cooperation.Met: "✓", cooperation.Pending: "○", cooperation.Missed: "✗", cooperation.Waived: "◇",
}

func (s *Server) caseDeadlines(cs *cooperation.Case, now time.Time) []caseDeadline {
	var out []caseDeadline
	for _, d := range cs.Timeline(now, s.views.location()) {
		out = append(out, caseDeadline{Deadline: d, Symbol: caseSymbols[d.Status], CaseID: cs.ID, CaseTitle: cs.Title})
	}
	return out
}

// caseTimelineSVG draws the dated deadlines on a time axis from the case's
// opening to the last due date, with today marked. The page shows the same
// deadlines as a table (the chart's text alternative).
func (s *Server) caseTimelineSVG(lang monitoring.Language, cs *cooperation.Case, ds []caseDeadline, now time.Time) template.HTML {
	var dated []caseDeadline
	for _, d := range ds {
		if !d.Due.IsZero() {
			dated = append(dated, d)
		}
	}
	if len(dated) == 0 {
		return ""
	}
	loc := s.views.location()
	day := func(t time.Time) time.Time {
		y, m, dd := t.In(loc).Date()
		return time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
	}
	today := day(now)
	from, to := today, today
	if !cs.CreatedAt.IsZero() {
		from = day(cs.CreatedAt)
	}
	for _, d := range dated {
		if d.Due.Before(from) {
			from = d.Due
		}
		if d.Due.After(to) {
			to = d.Due
		}
	}
	if today.Before(from) {
		from = today
	}
	from, to = from.AddDate(0, 0, -1), to.AddDate(0, 0, 2)
	const (
		w, left, right, top, rowH = 760.0, 24.0, 24.0, 46.0, 36.0
	)
	h := top + rowH*float64(len(dated)) + 12
	sc := newSVGTimeScale(from, to, left, w-right)
	title := s.i18n.T(lang, "web.case.timeline.chart_title")
	desc := s.i18n.T(lang, "web.case.timeline.chart_desc", "count", itoa(len(dated)), "from", webFormatDate(lang, from.AddDate(0, 0, 1)),
		"to", webFormatDate(lang, to.AddDate(0, 0, -2)))
	ch := newSVGChart("case-timeline-"+strconv.FormatInt(cs.ID, 10), w, h, title, desc, "chart timeline")
	// Axis with day ticks.
	ch.Line(left, top-14, w-right, top-14, "axis", "#4a5360")
	for _, t := range sc.Days(8) {
		x := sc.At(t)
		ch.Line(x, top-18, x, h-8, "grid", "#d0d6dd")
		ch.Text(x, top-22, "middle", "tick", webFormatDate(lang, t))
	}
	// Today.
	xt := sc.At(today.Add(12 * time.Hour))
	ch.Line(xt, top-14, xt, h-4, "today", "#7a5200")
	if xt > w*0.85 {
		ch.Text(xt-4, h-6, "end", "today-label", s.i18n.T(lang, "web.case.timeline.today"))
	} else {
		ch.Text(xt+4, h-6, "start", "today-label", s.i18n.T(lang, "web.case.timeline.today"))
	}
	for i, d := range dated {
		y := top + rowH*float64(i) + rowH/2
		x := sc.At(d.Due.Add(12 * time.Hour))
		status := s.i18n.T(lang, "coop.deadline_status."+string(d.Status))
		label := d.Rule + " · " + webFormatDate(lang, d.Due) + " · " + status
		ch.Group("deadline deadline-"+string(d.Status), s.i18n.T(lang, "coop.deadline."+d.Key)+" – "+label)
		if !cs.CreatedAt.IsZero() {
			ch.Line(sc.At(day(cs.CreatedAt)), y, x, y, "span", "#aab4be")
		}
		shape := map[cooperation.DeadlineStatus]string{cooperation.Met: "check", cooperation.Missed: "cross", cooperation.Waived: "diamond"}[d.Status]
		ch.Marker(x, y, 7, shape, "mark")
		if x > w*0.6 {
			ch.Text(x-12, y+4, "end", "label", label)
		} else {
			ch.Text(x+12, y+4, "start", "label", label)
		}
		ch.EndGroup()
	}
	return ch.HTML()
}

// caseDeadlinesDue lists, for the dashboard, every open case's deadlines
// that are missed or pending and due within caseDashboardDays.
func (s *Server) caseDeadlinesDue(c *fiber.Ctx, now time.Time) ([]caseDeadline, error) {
	if s.Cases == nil {
		return nil, nil
	}
	loc := s.views.location()
	y, m, d := now.In(loc).Date()
	horizon := time.Date(y, m, d+caseDashboardDays, 0, 0, 0, 0, time.UTC)
	var out []caseDeadline
	f := cooperation.CaseFilter{Limit: 1000}
	for page := 0; page < 20; page++ {
		cases, next, err := s.Cases.ListCases(c.UserContext(), f)
		if err != nil {
			return nil, err
		}
		for _, cs := range cases {
			if !caseOpen(cs) {
				continue
			}
			for _, dl := range s.caseDeadlines(cs, now) {
				if dl.Status == cooperation.Missed || (dl.Status == cooperation.Pending && !dl.Due.IsZero() && !dl.Due.After(horizon)) {
					out = append(out, dl)
				}
			}
		}
		if next == 0 {
			break
		}
		f.Cursor = next
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if (a.Status == cooperation.Missed) != (b.Status == cooperation.Missed) {
			return a.Status == cooperation.Missed
		}
		if a.Due.IsZero() != b.Due.IsZero() {
			return !a.Due.IsZero()
		}
		return a.Due.Before(b.Due)
	})
	return out, nil
}

// ---- list and portal ----

// caseRow is one case of a list.
type caseRow struct {
	C       *cooperation.Case
	Next    *caseDeadline // the earliest pending dated deadline
	Missed  int
	Pending int
	Open    []caseDeadline // pending or missed, for the portal
}

func (s *Server) caseRows(cases []*cooperation.Case, now time.Time) []caseRow {
	rows := make([]caseRow, 0, len(cases))
	for _, cs := range cases {
		r := caseRow{C: cs}
		for _, d := range s.caseDeadlines(cs, now) {
			switch d.Status {
			case cooperation.Missed:
				r.Missed++
				r.Open = append(r.Open, d)
			case cooperation.Pending:
				r.Pending++
				r.Open = append(r.Open, d)
				if !d.Due.IsZero() && (r.Next == nil || d.Due.Before(r.Next.Due)) {
					dd := d
					r.Next = &dd
				}
			}
		}
		rows = append(rows, r)
	}
	return rows
}

// casesData is the list of cases.
type casesData struct {
	Rows     []caseRow
	Status   string
	Statuses []cooperation.Status
	Next     int64
	Own      bool // a representative's own cases only
}

var caseStatuses = []cooperation.Status{cooperation.StatusDraft, cooperation.StatusInformationDelivered,
	cooperation.StatusInProgress, cooperation.StatusConcluded, cooperation.StatusWithdrawn}

func (s *Server) handleCases(c *fiber.Ctx) error {
	if s.Cases == nil {
		return fiber.ErrNotFound
	}
	u := principalOf(c).User
	f := cooperation.CaseFilter{Limit: 50}
	if st := cooperation.Status(c.Query("status")); slices.Contains(caseStatuses, st) {
		f.Status = st
	}
	cursor, err := webCursor(c)
	if err != nil {
		return err
	}
	f.Cursor = cursor
	d := casesData{Status: string(f.Status), Statuses: caseStatuses}
	if !u.HasAny(rHR, rDPO) {
		f.Representative, d.Own = u.Email, true
	}
	cases, next, err := s.Cases.ListCases(c.UserContext(), f)
	if err != nil {
		return err
	}
	d.Rows, d.Next = s.caseRows(cases, s.Now()), next
	p := s.newPage(c, "web.case.list.title")
	p.Data = d
	return s.render(c, fiber.StatusOK, "cases", p)
}

// repData is the representatives' portal.
type repData struct {
	Rows     []caseRow
	Receipts []*monitoring.ReceiptRecord // the latest receipts of the use log (web_evidence.go)
}

// handleRepresentative is the representatives' portal: their open cases
// with the deadlines still open, and the register to read.
func (s *Server) handleRepresentative(c *fiber.Ctx) error {
	p := s.newPage(c, "web.rep.title")
	d := repData{}
	if s.Cases != nil {
		f := cooperation.CaseFilter{Representative: principalOf(c).User.Email, Limit: 1000}
		cases, _, err := s.Cases.ListCases(c.UserContext(), f)
		if err != nil {
			return err
		}
		var open []*cooperation.Case
		for _, cs := range cases {
			if caseOpen(cs) {
				open = append(open, cs)
			}
		}
		d.Rows = s.caseRows(open, s.Now())
	}
	var err error
	if d.Receipts, err = s.latestReceipts(c); err != nil { // web_evidence.go
		return err
	}
	p.Data = d
	return s.render(c, fiber.StatusOK, "representative", p)
}

// ---- new case ----

// caseNewForm is the form that opens a case.
type caseNewForm struct {
	Title           string
	ActivityIDs     []string
	Units           []string
	Representatives []string
	Procedure       string
	Override        string
	OverrideDetail  string

	Activities []*monitoring.Activity
	AllUnits   []string
	Reps       []*monitoring.User
	Procedures []cooperation.Procedure
	Overrides  []cooperation.OverrideReason
	Proposal   cooperation.Proposal
	Reason     string
	Org        monitoring.Organisation
}

var caseOverrides = []cooperation.OverrideReason{cooperation.LocalAgreement, cooperation.CollectiveAgreement,
	cooperation.SubstantialChange, cooperation.OtherReason}

// caseProposal is Vaaka's procedure proposal from the organisation's
// headcount and sector (R-COOP-1).
func (s *Server) caseProposal(c *fiber.Ctx) (cooperation.Proposal, monitoring.Organisation, error) {
	o, err := s.Settings.Organisation(c.UserContext())
	if err != nil {
		return cooperation.Proposal{}, o, err
	}
	return cooperation.ProposeProcedure(o.Sector == monitoring.SectorOutsideTheAct, o.Headcount, s.Now(), s.cfg.CoopThresholds), o, nil
}

// representativeUsers are the active users holding the representative role.
func (s *Server) representativeUsers(c *fiber.Ctx) ([]*monitoring.User, error) {
	users, err := s.Accounts.ListUsers(c.UserContext())
	if err != nil {
		return nil, err
	}
	var out []*monitoring.User
	for _, u := range users {
		if u.Active && u.Has(rRep) {
			out = append(out, u)
		}
	}
	return out, nil
}

func (s *Server) renderCaseNew(c *fiber.Ctx, status int, f caseNewForm, fields map[string]string) error {
	ctx := c.UserContext()
	prop, org, err := s.caseProposal(c)
	if err != nil {
		return err
	}
	f.Proposal, f.Org, f.Procedures, f.Overrides = prop, org, cooperation.Procedures, caseOverrides
	acts, _, err := s.Register.ListActivities(ctx, monitoring.ActivityFilter{Limit: 1000})
	if err != nil {
		return err
	}
	for _, a := range acts {
		if a.Status != monitoring.StatusRetired {
			f.Activities = append(f.Activities, a)
		}
	}
	units, err := s.Employees.ListUnits(ctx)
	if err != nil {
		return err
	}
	for _, u := range units {
		f.AllUnits = append(f.AllUnits, u.Name)
	}
	if f.Reps, err = s.representativeUsers(c); err != nil {
		return err
	}
	p := s.newPage(c, "web.case.new.title")
	f.Reason = s.apiChoiceOut(p.Lang, prop, s.Now()).Reason
	s.caseErrors(p, fields, func(f string) string {
		for _, pre := range []string{"activity_ids", "units", "representatives"} {
			if strings.HasPrefix(f, pre+"[") {
				return pre
			}
		}
		if f == "override" || f == "override_reason" {
			return "override"
		}
		return f
	})
	p.Data = f
	return s.render(c, status, "case_new", p)
}

func (s *Server) handleCaseNew(c *fiber.Ctx) error {
	f := caseNewForm{}
	if a := c.Query("activity"); a != "" {
		f.ActivityIDs = []string{a}
	}
	return s.renderCaseNew(c, fiber.StatusOK, f, nil)
}

// handleCaseCreate opens a case. The procedure defaults to Vaaka's
// proposal; choosing another needs a recorded reason and its detail
// (R-COOP-1).
func (s *Server) handleCaseCreate(c *fiber.Ctx) error {
	f := caseNewForm{
		Title: formVal(c, "title"), ActivityIDs: formList(c, "activity_ids"), Units: formList(c, "units"),
		Representatives: formList(c, "representatives"), Procedure: formVal(c, "procedure"),
		Override: formVal(c, "override"), OverrideDetail: formVal(c, "override_detail"),
	}
	prop, _, err := s.caseProposal(c)
	if err != nil {
		return err
	}
	fe := map[string]string{}
	if f.Title == "" {
		fe["title"] = monitoring.MsgRequired
	} else if len([]rune(f.Title)) > cooperation.MaxShort {
		fe["title"] = "too_long"
	}
	cs := &cooperation.Case{Title: f.Title, Proposed: prop, Units: f.Units, Representatives: f.Representatives,
		Status: cooperation.StatusDraft, CreatedBy: principalOf(c).User.Email, CreatedAt: s.Now()}
	if len(f.ActivityIDs) == 0 {
		fe["activity_ids"] = monitoring.MsgRequired
	}
	for _, v := range f.ActivityIDs {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			fe["activity_ids"] = monitoring.MsgInvalid
			continue
		}
		cs.ActivityIDs = append(cs.ActivityIDs, n)
	}
	if f.Procedure == "" {
		f.Procedure = string(prop.Procedure)
	}
	cs.Procedure = cooperation.Procedure(f.Procedure)
	if !cs.Procedure.Valid() {
		fe["procedure"] = monitoring.MsgUnknown
	} else if cs.Procedure != prop.Procedure {
		// R-COOP-1: departing from the proposal is recorded with its reason.
		cs.Override, cs.OverrideDetail = cooperation.OverrideReason(f.Override), f.OverrideDetail
		switch {
		case f.Override == "":
			fe["override"] = monitoring.MsgRequired
		case !slices.Contains(caseOverrides, cs.Override):
			fe["override"] = monitoring.MsgUnknown
		}
		caseText(fe, "override_detail", f.OverrideDetail, true)
	}
	if len(fe) > 0 {
		return s.renderCaseNew(c, fiber.StatusUnprocessableEntity, f, fe)
	}
	if err := s.Cases.CreateCase(c.UserContext(), principalOf(c).User.Email, cs); err != nil {
		if fields, ok := caseErrFields(err); ok {
			return s.renderCaseNew(c, fiber.StatusUnprocessableEntity, f, fields)
		}
		return err
	}
	return c.Redirect(caseURL(cs.ID, "?done=saved"), fiber.StatusSeeOther)
}

// ---- the case page ----

// commentThread is a comment with its answers.
type commentThread struct {
	C       *cooperation.Comment
	Answers []*cooperation.Comment
}

// minutesVersion is a version of the minutes with its answers.
type minutesVersion struct {
	M         *cooperation.Minutes
	Approvals []cooperation.Approval
	Signed    bool
}

// meetingView is a meeting as the case page shows it.
type meetingView struct {
	M         *cooperation.Meeting
	Cur       *minutesVersion
	Older     []minutesVersion // newest first
	MySide    cooperation.Side
	MyAnswer  *cooperation.Approval // the viewer's answer to the current version
	CanAnswer bool
}

// caseExtra carries a refused action back to the case page.
type caseExtra struct {
	Refused []cooperation.RuleResult
	Flash   string
	Fields  map[string]string
	In      map[string]string
}

// caseView is the case page.
type caseView struct {
	C             *cooperation.Case
	Role          caseRole
	Open          bool
	Info          *cooperation.Information
	OlderInfo     []*cooperation.Information // newest first
	Deadlines     []caseDeadline
	Chart         template.HTML
	Activities    []*monitoring.Activity
	Threads       []commentThread
	Meetings      []meetingView
	Preconditions []caseRuleRow
	Refused       []caseRuleRow
	Names         map[string]string
	In            map[string]string
	Kinds         []cooperation.InitiativeKind
	ProposalPDF   string
	Lang          string
}

// Name returns the name of a person known by email, or the email.
func (v *caseView) Name(email string) string {
	if n := v.Names[strings.ToLower(email)]; n != "" {
		return n
	}
	return email
}

// Answer tells the employer's answer to an initiative: 0 none yet, 1
// accepted, 2 rejected.
func (v *caseView) Answer(i *cooperation.Initiative) int {
	switch {
	case i.Accepted == nil:
		return 0
	case *i.Accepted:
		return 1
	}
	return 2
}

// Input returns a re-rendered form value.
func (v *caseView) Input(name string) string { return v.In[name] }

func (s *Server) handleCase(c *fiber.Ctx) error {
	cs, role, err := s.loadCase(c)
	if err != nil {
		return err
	}
	return s.renderCase(c, fiber.StatusOK, cs, role, caseExtra{})
}

func (s *Server) renderCase(c *fiber.Ctx, status int, cs *cooperation.Case, role caseRole, x caseExtra) error {
	ctx := c.UserContext()
	now := s.Now()
	u := principalOf(c).User
	p := s.newPage(c, "")
	p.Title = cs.Title
	v := &caseView{C: cs, Role: role, Open: caseOpen(cs), Info: cs.CurrentInformation(), In: x.In,
		Kinds: []cooperation.InitiativeKind{cooperation.KindInitiative, cooperation.KindWrittenProposal},
		Names: map[string]string{}, Lang: string(p.Lang)}
	for i := len(cs.Information) - 2; i >= 0; i-- {
		v.OlderInfo = append(v.OlderInfo, cs.Information[i])
	}
	v.Deadlines = s.caseDeadlines(cs, now)
	v.Chart = s.caseTimelineSVG(p.Lang, cs, v.Deadlines, now)
	for _, id := range cs.ActivityIDs {
		a, err := s.Register.FindActivity(ctx, id)
		if err != nil {
			if monitoring.ErrorCodeOf(err) == monitoring.NotFound {
				continue
			}
			return err
		}
		v.Activities = append(v.Activities, a)
	}
	if users, err := s.Accounts.ListUsers(ctx); err == nil {
		for _, us := range users {
			v.Names[strings.ToLower(us.Email)] = us.Name
		}
	} else {
		return err
	}
	for _, g := range cs.Groups {
		for _, r := range g.Representatives {
			if r.Name != "" {
				v.Names[strings.ToLower(r.Email)] = r.Name
			}
		}
	}
	// Comments and their answers, oldest first.
	idx := map[int64]int{}
	for _, cm := range cs.Comments {
		if cm.ParentID == 0 {
			idx[cm.ID] = len(v.Threads)
			v.Threads = append(v.Threads, commentThread{C: cm})
		}
	}
	for _, cm := range cs.Comments {
		if cm.ParentID != 0 {
			if i, ok := idx[cm.ParentID]; ok {
				v.Threads[i].Answers = append(v.Threads[i].Answers, cm)
			}
		}
	}
	for _, m := range cs.Meetings {
		mv := meetingView{M: m, MySide: m.SideOf(u.Email)}
		for i := len(m.Minutes) - 1; i >= 0; i-- {
			mn := m.Minutes[i]
			ver := minutesVersion{M: mn, Signed: cooperation.Signed(mn.Version, m.Approvals)}
			for _, a := range m.Approvals {
				if a.Version == mn.Version {
					ver.Approvals = append(ver.Approvals, a)
				}
			}
			if mv.Cur == nil {
				mv.Cur = &ver
				for _, a := range ver.Approvals {
					if strings.EqualFold(a.By, u.Email) {
						aa := a
						mv.MyAnswer = &aa
					}
				}
			} else {
				mv.Older = append(mv.Older, ver)
			}
		}
		for _, pt := range m.Participants {
			if pt.Name != "" {
				v.Names[strings.ToLower(pt.Email)] = pt.Name
			}
		}
		// R-COOP-4, R-COOP-8: each participant answers each version once;
		// the DPO only reads.
		mv.CanAnswer = v.Open && mv.Cur != nil && mv.MySide != "" && mv.MyAnswer == nil && (role.HR || role.Rep) && !mv.Cur.Signed
		v.Meetings = append(v.Meetings, mv)
	}
	if cs.Conclusion == nil {
		v.Preconditions = s.caseRuleRows(p.Lang, cooperation.ConclusionPreconditions(cs.Facts(now), now))
	}
	v.Refused = s.caseRuleRows(p.Lang, x.Refused)
	if x.Flash != "" {
		p.Flash, p.FlashErr = s.i18n.T(p.Lang, x.Flash), true
	} else if d := c.Query("done"); slices.Contains(caseDone, d) {
		p.Flash = s.i18n.T(p.Lang, "web.case.flash."+d)
	}
	s.caseErrors(p, x.Fields, nil)
	p.Data = v
	return s.render(c, status, "case", p)
}

// ---- representatives' and HR's answers on the case page ----

// handleCaseComment: a representative of the case comments or asks (or
// answers in a thread); HR answers a comment.
func (s *Server) handleCaseComment(c *fiber.Ctx) error {
	cs, role, err := s.loadCase(c)
	if err != nil {
		return err
	}
	if !role.Rep && !role.HR {
		return fiber.ErrNotFound
	}
	text := formVal(c, "text")
	cm := &cooperation.Comment{By: principalOf(c).User.Email, Text: text, At: s.Now()}
	if in := cs.CurrentInformation(); in != nil {
		cm.InformationVersion = in.Version
	}
	field := "new_comment"
	if v := formVal(c, "parent_id"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return errBadField("parent_id", monitoring.MsgInvalid)
		}
		cm.ParentID = n
		field = "answer_" + v
	} else if !role.Rep {
		// HR answers comments; the comments themselves are the staff side's.
		return errForbidden
	}
	fe := map[string]string{}
	caseText(fe, field, text, true)
	if len(fe) > 0 {
		return s.renderCase(c, fiber.StatusUnprocessableEntity, cs, role, caseExtra{Fields: fe, In: map[string]string{field: text}})
	}
	if err := s.Cases.AddComment(c.UserContext(), principalOf(c).User.Email, cs.ID, cm); err != nil {
		if fields, ok := caseErrFields(err); ok {
			return s.renderCase(c, fiber.StatusUnprocessableEntity, cs, role, caseExtra{Fields: caseRekey(fields, field), In: map[string]string{field: text}})
		}
		return err
	}
	return c.Redirect(caseURL(cs.ID, "?done=comment_saved#comments"), fiber.StatusSeeOther)
}

// caseRekey moves every field error onto one form field.
func caseRekey(fields map[string]string, to string) map[string]string {
	out := map[string]string{}
	for _, v := range fields {
		out[to] = v
	}
	return out
}

// handleCaseInitiative: a representative of the case submits an initiative
// or a written proposal (R-COOP-5, R-COOP-7).
func (s *Server) handleCaseInitiative(c *fiber.Ctx) error {
	cs, role, err := s.loadCase(c)
	if err != nil {
		return err
	}
	if !role.Rep {
		return fiber.ErrNotFound
	}
	kind, text := cooperation.InitiativeKind(formVal(c, "kind")), formVal(c, "initiative_text")
	in := map[string]string{"initiative_text": text, "kind": string(kind)}
	fe := map[string]string{}
	if kind != cooperation.KindInitiative && kind != cooperation.KindWrittenProposal {
		fe["kind"] = monitoring.MsgUnknown
	}
	caseText(fe, "initiative_text", text, true)
	if len(fe) > 0 {
		return s.renderCase(c, fiber.StatusUnprocessableEntity, cs, role, caseExtra{Fields: fe, In: in})
	}
	i := &cooperation.Initiative{Kind: kind, By: principalOf(c).User.Email, Text: text, ReceivedAt: s.Now()}
	if err := s.Cases.AddInitiative(c.UserContext(), principalOf(c).User.Email, cs.ID, i, s.views.location()); err != nil {
		if fields, ok := caseErrFields(err); ok {
			return s.renderCase(c, fiber.StatusUnprocessableEntity, cs, role, caseExtra{Fields: caseRekey(fields, "initiative_text"), In: in})
		}
		return err
	}
	return c.Redirect(caseURL(cs.ID, "?done=initiative_saved#initiatives"), fiber.StatusSeeOther)
}

// handleCaseInitiativeResponse records the employer's answer; a rejection
// needs written reasons (R-COOP-5, R-COOP-7).
func (s *Server) handleCaseInitiativeResponse(c *fiber.Ctx) error {
	cs, role, err := s.loadCase(c)
	if err != nil {
		return err
	}
	iid, err := caseParam(c, "iid")
	if err != nil {
		return err
	}
	ini := cs.Initiative(iid)
	if ini == nil {
		return fiber.ErrNotFound
	}
	key := "response_" + strconv.FormatInt(iid, 10)
	dkey := "decision_" + strconv.FormatInt(iid, 10)
	decision, response := formVal(c, "decision"), formVal(c, "response")
	in := map[string]string{key: response, dkey: decision}
	fe := map[string]string{}
	if decision != "accept" && decision != "reject" {
		fe[dkey] = monitoring.MsgRequired
	}
	accepted := decision == "accept"
	if err := ini.ValidateResponse(accepted, response); err != nil {
		if fields, ok := caseErrFields(err); ok {
			for _, v := range fields {
				fe[key] = v
			}
		}
	}
	if len(fe) > 0 {
		return s.renderCase(c, fiber.StatusUnprocessableEntity, cs, role, caseExtra{Fields: fe, In: in})
	}
	if err := s.Cases.RespondInitiative(c.UserContext(), principalOf(c).User.Email, cs.ID, iid, accepted, response); err != nil {
		if fields, ok := caseErrFields(err); ok {
			return s.renderCase(c, fiber.StatusUnprocessableEntity, cs, role, caseExtra{Fields: caseRekey(fields, key), In: in})
		}
		return err
	}
	return c.Redirect(caseURL(cs.ID, "?done=response_saved#initiatives"), fiber.StatusSeeOther)
}

// handleCaseApproval: a participant of the meeting approves the current
// minutes, approves with a dissent, or asks for a correction — once per
// version (R-COOP-4, R-COOP-8).
func (s *Server) handleCaseApproval(c *fiber.Ctx) error {
	cs, role, err := s.loadCase(c)
	if err != nil {
		return err
	}
	mid, err := caseParam(c, "mid")
	if err != nil {
		return err
	}
	m := cs.Meeting(mid)
	if m == nil {
		return fiber.ErrNotFound
	}
	me := principalOf(c).User.Email
	side := m.SideOf(me)
	if side == "" || (!role.HR && !role.Rep) {
		return errForbidden
	}
	ms := strconv.FormatInt(mid, 10)
	choice, dissent, comment := formVal(c, "choice"), formVal(c, "dissent"), formVal(c, "comment")
	in := map[string]string{"choice_" + ms: choice, "dissent_" + ms: dissent, "comment_" + ms: comment}
	cur := m.CurrentMinutes()
	if cur == nil {
		return s.renderCase(c, fiber.StatusConflict, cs, role, caseExtra{Flash: "web.case.minutes.none_yet", In: in})
	}
	if v := formVal(c, "version"); v != "" && v != strconv.Itoa(cur.Version) {
		// The minutes changed while the form was open: read them again.
		return s.renderCase(c, fiber.StatusConflict, cs, role, caseExtra{Flash: "web.case.minutes.changed", In: in})
	}
	fe := map[string]string{}
	a := &cooperation.Approval{Version: cur.Version, By: me, Side: side, At: s.Now()}
	switch choice {
	case "approve":
		a.Approve = true
	case "dissent":
		a.Approve, a.Dissent = true, dissent
		caseText(fe, "dissent_"+ms, dissent, true)
	case "correction":
		a.Comment = comment
		caseText(fe, "comment_"+ms, comment, true)
	default:
		fe["choice_"+ms] = monitoring.MsgRequired
	}
	if len(fe) > 0 {
		return s.renderCase(c, fiber.StatusUnprocessableEntity, cs, role, caseExtra{Fields: fe, In: in})
	}
	if err := s.Cases.ApproveMinutes(c.UserContext(), me, cs.ID, mid, a); err != nil {
		if fields, ok := caseErrFields(err); ok {
			return s.renderCase(c, fiber.StatusUnprocessableEntity, cs, role, caseExtra{Fields: caseRekey(fields, "choice_"+ms), In: in})
		}
		switch codeOf(err) {
		case string(cooperation.Conflict):
			return s.renderCase(c, fiber.StatusConflict, cs, role, caseExtra{Flash: "web.case.minutes.already_answered", In: in})
		case string(cooperation.Forbidden):
			return errForbidden
		}
		return err
	}
	return c.Redirect(caseURL(cs.ID, "?done=approval_saved#meeting-"+ms), fiber.StatusSeeOther)
}

// codeOf returns the code of a domain error, "" for others.
func codeOf(err error) string {
	var ce codedError
	if errors.As(err, &ce) {
		return ce.ErrorCode()
	}
	return ""
}

// ---- HR forms on their own pages ----

// caseFormPage is the data of every case sub-form.
type caseFormPage struct {
	C       *cooperation.Case
	F       map[string]string // field values
	Refused []caseRuleRow
	Extra   any
}

// Val returns a field value.
func (f *caseFormPage) Val(name string) string { return f.F[name] }

// Checked reports whether a checkbox value is set.
func (f *caseFormPage) Checked(name string) bool { return f.F[name] != "" }

func (s *Server) renderCaseForm(c *fiber.Ctx, status int, page, titleKey string, d *caseFormPage, fields map[string]string, flashKey string) error {
	p := s.newPage(c, titleKey)
	s.caseErrors(p, fields, nil)
	if flashKey != "" {
		p.Flash, p.FlashErr = s.i18n.T(p.Lang, flashKey), true
	}
	if d.F == nil {
		d.F = map[string]string{}
	}
	p.Data = d
	return s.render(c, status, page, p)
}

// loadCaseHR loads the case for an HR form; a closed case takes no more
// changes (409 on the case page).
func (s *Server) loadCaseHR(c *fiber.Ctx) (*cooperation.Case, caseRole, error) {
	cs, role, err := s.loadCase(c)
	if err != nil {
		return nil, role, err
	}
	if !role.HR {
		return nil, role, errForbidden
	}
	return cs, role, nil
}

func (s *Server) caseClosed(c *fiber.Ctx, cs *cooperation.Case, role caseRole) error {
	return s.renderCase(c, fiber.StatusConflict, cs, role, caseExtra{Flash: "web.case.closed"})
}

// formValues copies the posted form fields (without the CSRF token).
func formValues(c *fiber.Ctx) map[string]string {
	out := map[string]string{}
	c.Request().PostArgs().VisitAll(func(k, v []byte) {
		key := string(k)
		if key == csrfField {
			return
		}
		out[key] = strings.TrimSpace(string(v))
	})
	return out
}

// -- staff side (R-COOP-3) --

// staffSideExtra is the staff side form's shape.
type staffSideExtra struct {
	Groups   []int
	Reps     []int
	Types    []cooperation.RepresentativeType
	RepUsers []*monitoring.User
}

func (s *Server) renderStaffSide(c *fiber.Ctx, status int, cs *cooperation.Case, f map[string]string, groups, reps int, fields map[string]string) error {
	users, err := s.representativeUsers(c)
	if err != nil {
		return err
	}
	x := staffSideExtra{Types: cooperation.RepresentativeTypes, RepUsers: users}
	for i := 0; i < groups; i++ {
		x.Groups = append(x.Groups, i)
	}
	for j := 0; j < reps; j++ {
		x.Reps = append(x.Reps, j)
	}
	return s.renderCaseForm(c, status, "case_staff", "web.case.staff.title", &caseFormPage{C: cs, F: f, Extra: x}, fields, "")
}

func staffKey(i int, field string) string { return "groups[" + itoa(i) + "]." + field }
func repKey(i, j int, field string) string {
	return "groups[" + itoa(i) + "].representatives[" + itoa(j) + "]." + field
}

func (s *Server) handleCaseStaffForm(c *fiber.Ctx) error {
	cs, _, err := s.loadCaseHR(c)
	if err != nil {
		return err
	}
	f := map[string]string{}
	reps := 0
	for i, g := range cs.Groups {
		f[staffKey(i, "name")] = g.Name
		f[staffKey(i, "units")] = strings.Join(g.Units, ", ")
		if g.AllEmployees {
			f[staffKey(i, "all_employees")] = "1"
		}
		for j, r := range g.Representatives {
			f[repKey(i, j, "email")], f[repKey(i, j, "name")], f[repKey(i, j, "type")] = r.Email, r.Name, string(r.Type)
			f[repKey(i, j, "term_start")], f[repKey(i, j, "term_end")] = webISODate(r.TermStart), webISODate(r.TermEnd)
		}
		reps = max(reps, len(g.Representatives))
	}
	if len(cs.Groups) == 0 {
		// A start: one group with the case's representatives.
		for j, e := range cs.Representatives {
			f[repKey(0, j, "email")], f[repKey(0, j, "type")] = e, string(cooperation.ShopSteward)
		}
		reps = len(cs.Representatives)
	}
	return s.renderStaffSide(c, fiber.StatusOK, cs, f, max(caseMinGroups, len(cs.Groups)+1), max(caseMinReps, reps+1), nil)
}

// handleCaseStaff replaces the staff side: groups with their
// representatives, or all employees of a group together (R-COOP-3).
func (s *Server) handleCaseStaff(c *fiber.Ctx) error {
	cs, role, err := s.loadCaseHR(c)
	if err != nil {
		return err
	}
	if !caseOpen(cs) {
		return s.caseClosed(c, cs, role)
	}
	raw := formValues(c)
	fe := map[string]string{}
	var groups []cooperation.StaffGroup
	f := map[string]string{} // compacted, as re-rendered
	maxReps := 0
	for i := 0; i < caseMaxRows; i++ {
		g := cooperation.StaffGroup{Name: raw[staffKey(i, "name")], AllEmployees: raw[staffKey(i, "all_employees")] != ""}
		for _, u := range strings.FieldsFunc(raw[staffKey(i, "units")], func(r rune) bool { return r == ',' || r == '\n' || r == ';' }) {
			if u = strings.TrimSpace(u); u != "" {
				g.Units = append(g.Units, u)
			}
		}
		gi := len(groups)
		var rawReps [][5]string
		for j := 0; j < caseMaxRows; j++ {
			vals := [5]string{raw[repKey(i, j, "email")], raw[repKey(i, j, "name")], raw[repKey(i, j, "type")], raw[repKey(i, j, "term_start")], raw[repKey(i, j, "term_end")]}
			if vals[0] == "" && vals[1] == "" && vals[3] == "" && vals[4] == "" {
				continue
			}
			rawReps = append(rawReps, vals)
		}
		if g.Name == "" && len(rawReps) == 0 && len(g.Units) == 0 {
			continue
		}
		f[staffKey(gi, "name")], f[staffKey(gi, "units")] = g.Name, raw[staffKey(i, "units")]
		if g.AllEmployees {
			f[staffKey(gi, "all_employees")] = "1"
		}
		if g.Name == "" {
			fe[staffKey(gi, "name")] = monitoring.MsgRequired
		}
		for j, vals := range rawReps {
			names := []string{"email", "name", "type", "term_start", "term_end"}
			for k, n := range names {
				f[repKey(gi, j, n)] = vals[k]
			}
			r := cooperation.Representative{Email: vals[0], Name: vals[1], Type: cooperation.RepresentativeType(vals[2])}
			if r.Email == "" {
				fe[repKey(gi, j, "email")] = monitoring.MsgRequired
			} else if !monitoring.ValidEmail(r.Email) {
				fe[repKey(gi, j, "email")] = monitoring.MsgEmail
			}
			if !r.Type.Valid() {
				fe[repKey(gi, j, "type")] = monitoring.MsgUnknown
			}
			var ok bool
			if r.TermStart, ok = webParseDate(vals[3]); !ok {
				fe[repKey(gi, j, "term_start")] = monitoring.MsgDate
			}
			if r.TermEnd, ok = webParseDate(vals[4]); !ok {
				fe[repKey(gi, j, "term_end")] = monitoring.MsgDate
			}
			// R-COOP-3: a co-operation representative's term is at most two years.
			if r.Type == cooperation.CooperationRepresentative && !r.ValidTerm() && fe[repKey(gi, j, "term_end")] == "" {
				fe[repKey(gi, j, "term_end")] = "web.case.err.term"
			}
			g.Representatives = append(g.Representatives, r)
		}
		maxReps = max(maxReps, len(rawReps))
		groups = append(groups, g)
	}
	if len(fe) > 0 {
		return s.renderStaffSide(c, fiber.StatusUnprocessableEntity, cs, f, max(caseMinGroups, len(groups)+1), max(caseMinReps, maxReps+1), fe)
	}
	if err := s.Cases.SetStaffSide(c.UserContext(), principalOf(c).User.Email, cs.ID, groups); err != nil {
		if fields, ok := caseErrFields(err); ok {
			return s.renderStaffSide(c, fiber.StatusUnprocessableEntity, cs, f, max(caseMinGroups, len(groups)+1), max(caseMinReps, maxReps+1), fields)
		}
		return err
	}
	return c.Redirect(caseURL(cs.ID, "?done=staff_saved#staff"), fiber.StatusSeeOther)
}

// -- written information / proposal (R-COOP-2, R-COOP-6) --

// proposalExtra tells the proposal form whether to offer the shorter
// notice agreement (after an R-COOP-2 refusal, or when one is recorded).
type proposalExtra struct {
	ShowAgreement bool
}

func (s *Server) renderProposal(c *fiber.Ctx, status int, cs *cooperation.Case, f map[string]string, refused []cooperation.RuleResult, fields map[string]string) error {
	p := s.newPage(c, "web.case.proposal.title")
	d := &caseFormPage{C: cs, F: f, Refused: s.caseRuleRows(p.Lang, refused),
		Extra: proposalExtra{ShowAgreement: f["shorter_notice_agreement"] != "" || slices.ContainsFunc(refused, func(r cooperation.RuleResult) bool { return r.Rule == "R-COOP-2" })}}
	s.caseErrors(p, fields, proposalField)
	if len(refused) > 0 {
		p.Flash, p.FlashErr = s.i18n.T(p.Lang, "web.case.proposal.refused"), true
	}
	p.Data = d
	return s.render(c, status, "case_proposal", p)
}

func proposalField(f string) string {
	switch {
	case f == "first_meeting_at":
		return "first_meeting_date"
	case f == "delivered_at":
		return "delivered_date"
	case strings.HasPrefix(f, "recipients"):
		return "recipients"
	}
	return f
}

func (s *Server) handleCaseProposalForm(c *fiber.Ctx) error {
	cs, _, err := s.loadCaseHR(c)
	if err != nil {
		return err
	}
	f := map[string]string{}
	f["delivered_date"], f["delivered_time"] = s.caseLocal(s.Now())
	f["recipients"] = strings.Join(cs.Representatives, "\n")
	if in := cs.CurrentInformation(); in != nil {
		f["subject"], f["purpose"], f["methods"], f["introduction_plan"] = in.Subject, in.Purpose, in.Methods, in.IntroductionPlan
		f["groups_affected"], f["information_given"], f["place"] = in.GroupsAffected, in.InformationGiven, in.Place
		f["first_meeting_date"], f["first_meeting_time"] = s.caseLocal(in.FirstMeetingAt)
		f["recipients"], f["shorter_notice_agreement"] = strings.Join(in.Recipients, "\n"), in.ShorterNoticeAgreement
	} else if len(cs.Representatives) > 0 || cs.Title != "" {
		f["subject"] = cs.Title
	}
	return s.renderProposal(c, fiber.StatusOK, cs, f, nil, nil)
}

// handleCaseProposal stores a new version of the written information. For
// dialogue it must reach the representatives at least 7 days before the
// meeting unless a shorter notice was agreed (R-COOP-2): a refusal answers
// 422 with the rule and offers the agreement field.
func (s *Server) handleCaseProposal(c *fiber.Ctx) error {
	cs, role, err := s.loadCaseHR(c)
	if err != nil {
		return err
	}
	if !caseOpen(cs) {
		return s.caseClosed(c, cs, role)
	}
	f := formValues(c)
	fe := map[string]string{}
	in := &cooperation.Information{
		Subject: f["subject"], Purpose: f["purpose"], Methods: f["methods"], IntroductionPlan: f["introduction_plan"],
		GroupsAffected: f["groups_affected"], InformationGiven: f["information_given"], Place: f["place"],
		ShorterNoticeAgreement: f["shorter_notice_agreement"], Recipients: formLines(c, "recipients"),
		CreatedBy: principalOf(c).User.Email, CreatedAt: s.Now(),
	}
	in.FirstMeetingAt = s.caseTime(fe, "first_meeting_date", f["first_meeting_date"], f["first_meeting_time"], true)
	in.DeliveredAt = s.caseTime(fe, "delivered_date", f["delivered_date"], f["delivered_time"], false)
	if err := in.Validate(); err != nil {
		if fields, ok := caseErrFields(err); ok {
			for k, v := range fields {
				if _, dup := fe[proposalField(k)]; !dup {
					fe[proposalField(k)] = v
				}
			}
		}
	}
	for _, r := range in.Recipients {
		if !monitoring.ValidEmail(r) {
			fe["recipients"] = monitoring.MsgEmail
		}
	}
	if len(fe) > 0 {
		return s.renderProposal(c, fiber.StatusUnprocessableEntity, cs, f, nil, fe)
	}
	if rules := cooperation.CheckInformationTiming(cs.Procedure, in, s.views.location()); len(rules) > 0 {
		return s.renderProposal(c, fiber.StatusUnprocessableEntity, cs, f, rules, nil)
	}
	if err := s.Cases.AddInformation(c.UserContext(), principalOf(c).User.Email, cs.ID, in, s.views.location()); err != nil {
		if rules, _, ok := caseErrRules(err); ok {
			return s.renderProposal(c, fiber.StatusUnprocessableEntity, cs, f, rules, nil)
		}
		if fields, ok := caseErrFields(err); ok {
			return s.renderProposal(c, fiber.StatusUnprocessableEntity, cs, f, nil, fields)
		}
		if codeOf(err) == string(cooperation.Conflict) {
			return s.caseClosed(c, cs, role)
		}
		return err
	}
	return c.Redirect(caseURL(cs.ID, "?done=proposal_saved#information"), fiber.StatusSeeOther)
}

// -- meetings (R-COOP-4) --

type meetingExtra struct {
	Rows  []int
	Sides []cooperation.Side
}

func (s *Server) renderMeeting(c *fiber.Ctx, status int, cs *cooperation.Case, f map[string]string, rows int, fields map[string]string) error {
	x := meetingExtra{Sides: []cooperation.Side{cooperation.EmployerSide, cooperation.StaffSide}}
	for i := 0; i < rows; i++ {
		x.Rows = append(x.Rows, i)
	}
	rename := func(k string) string {
		switch {
		case k == "held_at":
			return "held_date"
		case k == "participants":
			return "participants[0].email"
		}
		return k
	}
	p := s.newPage(c, "web.case.meeting.title")
	s.caseErrors(p, fields, rename)
	p.Data = &caseFormPage{C: cs, F: f, Extra: x}
	return s.render(c, status, "case_meeting", p)
}

func partKey(i int, field string) string { return "participants[" + itoa(i) + "]." + field }

func (s *Server) handleCaseMeetingForm(c *fiber.Ctx) error {
	cs, _, err := s.loadCaseHR(c)
	if err != nil {
		return err
	}
	u := principalOf(c).User
	f := map[string]string{"minutes_requested": "1"}
	at := s.Now()
	if in := cs.CurrentInformation(); in != nil && !in.FirstMeetingAt.IsZero() && len(cs.Meetings) == 0 {
		at = in.FirstMeetingAt
		f["place"] = in.Place
	}
	f["held_date"], f["held_time"] = s.caseLocal(at)
	f[partKey(0, "email")], f[partKey(0, "name")], f[partKey(0, "side")], f[partKey(0, "attended")] = u.Email, u.Name, string(cooperation.EmployerSide), "1"
	n := 1
	seen := map[string]bool{strings.ToLower(u.Email): true}
	add := func(email, name string) {
		if seen[strings.ToLower(email)] {
			return
		}
		seen[strings.ToLower(email)] = true
		f[partKey(n, "email")], f[partKey(n, "name")], f[partKey(n, "side")], f[partKey(n, "attended")] = email, name, string(cooperation.StaffSide), "1"
		n++
	}
	for _, g := range cs.Groups {
		for _, r := range g.Representatives {
			add(r.Email, r.Name)
		}
	}
	for _, e := range cs.Representatives {
		add(e, "")
	}
	return s.renderMeeting(c, fiber.StatusOK, cs, f, max(caseMinParticipants, n+2), nil)
}

// handleCaseMeeting records a meeting with its participants and whether
// the staff side asked for minutes (R-COOP-4).
func (s *Server) handleCaseMeeting(c *fiber.Ctx) error {
	cs, role, err := s.loadCaseHR(c)
	if err != nil {
		return err
	}
	if !caseOpen(cs) {
		return s.caseClosed(c, cs, role)
	}
	raw := formValues(c)
	fe := map[string]string{}
	m := &cooperation.Meeting{Place: raw["place"], Agenda: raw["agenda"], MinutesRequested: raw["minutes_requested"] != ""}
	m.HeldAt = s.caseTime(fe, "held_date", raw["held_date"], raw["held_time"], true)
	caseText(fe, "agenda", m.Agenda, false)
	caseText(fe, "place", m.Place, false)
	f := map[string]string{"place": m.Place, "agenda": m.Agenda, "held_date": raw["held_date"], "held_time": raw["held_time"]}
	if m.MinutesRequested {
		f["minutes_requested"] = "1"
	}
	for i := 0; i < caseMaxRows; i++ {
		p := cooperation.Participant{Email: raw[partKey(i, "email")], Name: raw[partKey(i, "name")],
			Side: cooperation.Side(raw[partKey(i, "side")]), Attended: raw[partKey(i, "attended")] != ""}
		if p.Email == "" && p.Name == "" {
			continue
		}
		k := len(m.Participants)
		f[partKey(k, "email")], f[partKey(k, "name")], f[partKey(k, "side")] = p.Email, p.Name, string(p.Side)
		if p.Attended {
			f[partKey(k, "attended")] = "1"
		}
		if !monitoring.ValidEmail(p.Email) {
			fe[partKey(k, "email")] = monitoring.MsgEmail
		}
		if p.Side != cooperation.EmployerSide && p.Side != cooperation.StaffSide {
			fe[partKey(k, "side")] = monitoring.MsgUnknown
		}
		m.Participants = append(m.Participants, p)
	}
	if len(m.Participants) == 0 {
		fe[partKey(0, "email")] = monitoring.MsgRequired
	}
	rows := max(caseMinParticipants, len(m.Participants)+2)
	if len(fe) > 0 {
		return s.renderMeeting(c, fiber.StatusUnprocessableEntity, cs, f, rows, fe)
	}
	if err := s.Cases.AddMeeting(c.UserContext(), principalOf(c).User.Email, cs.ID, m); err != nil {
		if fields, ok := caseErrFields(err); ok {
			return s.renderMeeting(c, fiber.StatusUnprocessableEntity, cs, f, rows, fields)
		}
		if codeOf(err) == string(cooperation.Conflict) {
			return s.caseClosed(c, cs, role)
		}
		return err
	}
	return c.Redirect(caseURL(cs.ID, "?done=meeting_saved#meeting-"+strconv.FormatInt(m.ID, 10)), fiber.StatusSeeOther)
}

// -- minutes (R-COOP-4, R-COOP-8) --

type minutesExtra struct {
	M       *cooperation.Meeting
	Dissent []int
	Version int // the version this form replaces, 0 for the first
}

func dissentKey(i int, field string) string { return "dissent[" + itoa(i) + "]." + field }

func (s *Server) findMeeting(c *fiber.Ctx, cs *cooperation.Case) (*cooperation.Meeting, error) {
	mid, err := caseParam(c, "mid")
	if err != nil {
		return nil, err
	}
	if m := cs.Meeting(mid); m != nil {
		return m, nil
	}
	return nil, fiber.ErrNotFound
}

func (s *Server) renderMinutes(c *fiber.Ctx, status int, cs *cooperation.Case, m *cooperation.Meeting, f map[string]string, rows int, fields map[string]string, flash string) error {
	x := minutesExtra{M: m}
	if cur := m.CurrentMinutes(); cur != nil {
		x.Version = cur.Version
	}
	for i := 0; i < rows; i++ {
		x.Dissent = append(x.Dissent, i)
	}
	return s.renderCaseForm(c, status, "case_minutes", "web.case.minutes.title", &caseFormPage{C: cs, F: f, Extra: x}, fields, flash)
}

func (s *Server) handleCaseMinutesForm(c *fiber.Ctx) error {
	cs, _, err := s.loadCaseHR(c)
	if err != nil {
		return err
	}
	m, err := s.findMeeting(c, cs)
	if err != nil {
		return err
	}
	f := map[string]string{}
	n := 0
	if cur := m.CurrentMinutes(); cur != nil {
		f["main_content"], f["outcome"], f["employer_position"], f["staff_position"] = cur.MainContent, cur.Outcome, cur.EmployerPosition, cur.StaffPosition
		for i, d := range cur.Dissent {
			f[dissentKey(i, "by")], f[dissentKey(i, "text")] = d.By, d.Text
		}
		n = len(cur.Dissent)
	}
	return s.renderMinutes(c, fiber.StatusOK, cs, m, f, max(caseMinDissent, n+1), nil, "")
}

// handleCaseMinutes writes a new version of the minutes: the main content,
// the outcome, each party's position and the dissenting opinions.
func (s *Server) handleCaseMinutes(c *fiber.Ctx) error {
	cs, role, err := s.loadCaseHR(c)
	if err != nil {
		return err
	}
	m, err := s.findMeeting(c, cs)
	if err != nil {
		return err
	}
	if !caseOpen(cs) {
		return s.caseClosed(c, cs, role)
	}
	raw := formValues(c)
	mn := &cooperation.Minutes{MainContent: raw["main_content"], Outcome: raw["outcome"], EmployerPosition: raw["employer_position"],
		StaffPosition: raw["staff_position"], WrittenBy: principalOf(c).User.Email, WrittenAt: s.Now()}
	f := map[string]string{"main_content": mn.MainContent, "outcome": mn.Outcome, "employer_position": mn.EmployerPosition, "staff_position": mn.StaffPosition}
	for i := 0; i < caseMaxRows; i++ {
		d := cooperation.Dissent{By: raw[dissentKey(i, "by")], Text: raw[dissentKey(i, "text")]}
		if d.By == "" && d.Text == "" {
			continue
		}
		k := len(mn.Dissent)
		f[dissentKey(k, "by")], f[dissentKey(k, "text")] = d.By, d.Text
		mn.Dissent = append(mn.Dissent, d)
	}
	rows := max(caseMinDissent, len(mn.Dissent)+1)
	if err := mn.Validate(); err != nil {
		fields, _ := caseErrFields(err)
		return s.renderMinutes(c, fiber.StatusUnprocessableEntity, cs, m, f, rows, fields, "")
	}
	if err := s.Cases.WriteMinutes(c.UserContext(), principalOf(c).User.Email, cs.ID, m.ID, mn); err != nil {
		if fields, ok := caseErrFields(err); ok {
			return s.renderMinutes(c, fiber.StatusUnprocessableEntity, cs, m, f, rows, fields, "")
		}
		if codeOf(err) == string(cooperation.Conflict) {
			return s.renderMinutes(c, fiber.StatusConflict, cs, m, f, rows, nil, "web.case.minutes.signed_no_change")
		}
		return err
	}
	return c.Redirect(caseURL(cs.ID, "?done=minutes_saved#meeting-"+strconv.FormatInt(m.ID, 10)), fiber.StatusSeeOther)
}

// -- hearing (R-COOP-9) --

func (s *Server) renderHearing(c *fiber.Ctx, status int, cs *cooperation.Case, f map[string]string, fields map[string]string) error {
	rename := func(k string) string {
		switch k {
		case "invited_at":
			return "invited_date"
		case "respond_by":
			return "respond_by_date"
		case "at":
			return "view_date"
		}
		return k
	}
	p := s.newPage(c, "web.case.hearing.title")
	s.caseErrors(p, fields, rename)
	p.Data = &caseFormPage{C: cs, F: f}
	return s.render(c, status, "case_hearing", p)
}

func (s *Server) handleCaseHearingForm(c *fiber.Ctx) error {
	cs, _, err := s.loadCaseHR(c)
	if err != nil {
		return err
	}
	f := map[string]string{}
	f["view_date"], f["view_time"] = s.caseLocal(s.Now())
	if h := cs.Hearing; h != nil {
		f["invited"], f["method"] = h.Invited, h.Method
		f["invited_date"], f["invited_time"] = s.caseLocal(h.InvitedAt)
		f["respond_by_date"], f["respond_by_time"] = s.caseLocal(h.RespondBy)
	} else {
		f["invited_date"], f["invited_time"] = s.caseLocal(s.Now())
	}
	return s.renderHearing(c, fiber.StatusOK, cs, f, nil)
}

// handleCaseHearing records who was invited to be heard, how, when, and
// the time given (R-COOP-9).
func (s *Server) handleCaseHearing(c *fiber.Ctx) error {
	cs, role, err := s.loadCaseHR(c)
	if err != nil {
		return err
	}
	if !caseOpen(cs) {
		return s.caseClosed(c, cs, role)
	}
	f := formValues(c)
	fe := map[string]string{}
	h := &cooperation.HearingRecord{Invited: f["invited"], Method: f["method"]}
	if cs.Hearing != nil {
		h.Views = cs.Hearing.Views
	}
	h.InvitedAt = s.caseTime(fe, "invited_date", f["invited_date"], f["invited_time"], true)
	h.RespondBy = s.caseTime(fe, "respond_by_date", f["respond_by_date"], f["respond_by_time"], true)
	if err := h.Validate(); err != nil {
		if fields, ok := caseErrFields(err); ok {
			for k, v := range fields {
				if k == "invited_at" || k == "respond_by" {
					k = map[string]string{"invited_at": "invited_date", "respond_by": "respond_by_date"}[k]
				}
				if _, dup := fe[k]; !dup {
					fe[k] = v
				}
			}
		}
	}
	if len(fe) > 0 {
		return s.renderHearing(c, fiber.StatusUnprocessableEntity, cs, f, fe)
	}
	if err := s.Cases.RecordHearing(c.UserContext(), principalOf(c).User.Email, cs.ID, h); err != nil {
		if fields, ok := caseErrFields(err); ok {
			return s.renderHearing(c, fiber.StatusUnprocessableEntity, cs, f, fields)
		}
		return err
	}
	return c.Redirect(caseURL(cs.ID, "?done=hearing_saved#hearing"), fiber.StatusSeeOther)
}

// handleCaseView records a view received in the hearing.
func (s *Server) handleCaseView(c *fiber.Ctx) error {
	cs, role, err := s.loadCaseHR(c)
	if err != nil {
		return err
	}
	if !caseOpen(cs) {
		return s.caseClosed(c, cs, role)
	}
	f := formValues(c)
	fe := map[string]string{}
	v := &cooperation.View{By: f["view_by"], Text: f["view_text"]}
	v.At = s.caseTime(fe, "view_date", f["view_date"], f["view_time"], true)
	caseText(fe, "view_by", v.By, true)
	caseText(fe, "view_text", v.Text, true)
	if cs.Hearing == nil {
		fe["invited"] = monitoring.MsgRequired
	}
	if len(fe) > 0 {
		g := map[string]string{}
		if h := cs.Hearing; h != nil {
			g["invited"], g["method"] = h.Invited, h.Method
			g["invited_date"], g["invited_time"] = s.caseLocal(h.InvitedAt)
			g["respond_by_date"], g["respond_by_time"] = s.caseLocal(h.RespondBy)
		}
		for _, k := range []string{"view_by", "view_text", "view_date", "view_time"} {
			g[k] = f[k]
		}
		return s.renderHearing(c, fiber.StatusUnprocessableEntity, cs, g, fe)
	}
	if err := s.Cases.AddView(c.UserContext(), principalOf(c).User.Email, cs.ID, v); err != nil {
		if fields, ok := caseErrFields(err); ok {
			return s.renderHearing(c, fiber.StatusUnprocessableEntity, cs, f, caseRekey(fields, "view_text"))
		}
		return err
	}
	return c.Redirect(caseURL(cs.ID, "?done=view_saved#hearing"), fiber.StatusSeeOther)
}

// -- confidentiality (R-COOP-11) --

// confidentialExtra lists the documents that may be marked.
type confidentialExtra struct {
	Docs []webOption
}

func (s *Server) renderConfidential(c *fiber.Ctx, status int, cs *cooperation.Case, f map[string]string, fields map[string]string) error {
	p := s.newPage(c, "web.case.confidential.title")
	x := confidentialExtra{}
	if in := cs.CurrentInformation(); in != nil {
		x.Docs = append(x.Docs, webOption{Value: "information", Label: s.i18n.T(p.Lang, "web.case.information.heading") + " (" + itoa(in.Version) + ")"})
	}
	for _, m := range cs.Meetings {
		lt := m.HeldAt.In(s.views.location())
		x.Docs = append(x.Docs, webOption{Value: "meeting:" + strconv.FormatInt(m.ID, 10),
			Label: s.i18n.T(p.Lang, "web.case.meeting.heading") + " " + webFormatDate(p.Lang, lt) + " " + webFormatClock(p.Lang, lt)})
	}
	rename := func(k string) string {
		switch k {
		case "told_at":
			return "told_date"
		}
		return k
	}
	s.caseErrors(p, fields, rename)
	p.Data = &caseFormPage{C: cs, F: f, Extra: x}
	return s.render(c, status, "case_confidential", p)
}

func (s *Server) handleCaseConfidentialForm(c *fiber.Ctx) error {
	cs, _, err := s.loadCaseHR(c)
	if err != nil {
		return err
	}
	f := map[string]string{"confidential": "1", "document": c.Query("document")}
	f["told_date"], f["told_time"] = s.caseLocal(s.Now())
	return s.renderConfidential(c, fiber.StatusOK, cs, f, nil)
}

// handleCaseConfidential marks a document confidential and records who was
// told: the mark binds only when announced (R-COOP-11).
func (s *Server) handleCaseConfidential(c *fiber.Ctx) error {
	cs, role, err := s.loadCaseHR(c)
	if err != nil {
		return err
	}
	if !caseOpen(cs) {
		return s.caseClosed(c, cs, role)
	}
	f := formValues(c)
	fe := map[string]string{}
	doc := f["document"]
	known := doc == "information" && cs.CurrentInformation() != nil
	for _, m := range cs.Meetings {
		if doc == "meeting:"+strconv.FormatInt(m.ID, 10) {
			known = true
		}
	}
	if doc == "" {
		fe["document"] = monitoring.MsgRequired
	} else if !known {
		fe["document"] = monitoring.MsgUnknown
	}
	conf := cooperation.Confidentiality{Confidential: f["confidential"] != "", ToldTo: f["told_to"]}
	if conf.Confidential {
		caseText(fe, "told_to", conf.ToldTo, true)
		conf.ToldAt = s.caseTime(fe, "told_date", f["told_date"], f["told_time"], true)
	}
	if len(fe) > 0 {
		return s.renderConfidential(c, fiber.StatusUnprocessableEntity, cs, f, fe)
	}
	if err := s.Cases.SetConfidential(c.UserContext(), principalOf(c).User.Email, cs.ID, doc, conf); err != nil {
		if fields, ok := caseErrFields(err); ok {
			return s.renderConfidential(c, fiber.StatusUnprocessableEntity, cs, f, fields)
		}
		return err
	}
	return c.Redirect(caseURL(cs.ID, "?done=confidential_saved"), fiber.StatusSeeOther)
}

// -- conclusion (R-COOP-10, R-COOP-8) --

// concludeExtra shows the preconditions on the conclusion form.
type concludeExtra struct {
	Preconditions []caseRuleRow
}

func (s *Server) renderConclude(c *fiber.Ctx, status int, cs *cooperation.Case, f map[string]string, refused []cooperation.RuleResult, fields map[string]string) error {
	p := s.newPage(c, "web.case.conclude.title")
	x := concludeExtra{Preconditions: s.caseRuleRows(p.Lang, cooperation.ConclusionPreconditions(cs.Facts(s.Now()), s.Now()))}
	s.caseErrors(p, fields, func(k string) string {
		if k == "concluded_at" {
			return "concluded_date"
		}
		if k == "text" {
			return "conclusion"
		}
		return k
	})
	if len(refused) > 0 {
		p.Flash, p.FlashErr = s.i18n.T(p.Lang, "web.case.conclude.refused"), true
	}
	p.Data = &caseFormPage{C: cs, F: f, Refused: s.caseRuleRows(p.Lang, refused), Extra: x}
	return s.render(c, status, "case_conclude", p)
}

func (s *Server) handleCaseConcludeForm(c *fiber.Ctx) error {
	cs, _, err := s.loadCaseHR(c)
	if err != nil {
		return err
	}
	f := map[string]string{}
	f["concluded_date"], f["concluded_time"] = s.caseLocal(s.Now())
	return s.renderConclude(c, fiber.StatusOK, cs, f, nil, nil)
}

// handleCaseConclude records the employer's definition of the purpose and
// methods after the procedure (R-COOP-10); before the procedure was carried
// out it is refused with 409 and the unmet rules.
func (s *Server) handleCaseConclude(c *fiber.Ctx) error {
	cs, role, err := s.loadCaseHR(c)
	if err != nil {
		return err
	}
	if !caseOpen(cs) {
		return s.caseClosed(c, cs, role)
	}
	f := formValues(c)
	fe := map[string]string{}
	con := &cooperation.Conclusion{Text: f["conclusion"], Account: f["account"], By: principalOf(c).User.Email}
	caseText(fe, "conclusion", con.Text, true)
	caseText(fe, "account", con.Account, false)
	con.ConcludedAt = s.caseTime(fe, "concluded_date", f["concluded_date"], f["concluded_time"], true)
	if len(fe) > 0 {
		return s.renderConclude(c, fiber.StatusUnprocessableEntity, cs, f, nil, fe)
	}
	now := s.Now()
	if unmet := cooperation.UnmetRules(cooperation.ConclusionPreconditions(cs.Facts(now), now)); len(unmet) > 0 {
		return s.renderConclude(c, fiber.StatusConflict, cs, f, unmet, nil)
	}
	if err := s.Cases.Conclude(c.UserContext(), principalOf(c).User.Email, cs.ID, con, now); err != nil {
		if rules, st, ok := caseErrRules(err); ok {
			return s.renderConclude(c, st, cs, f, rules, nil)
		}
		if fields, ok := caseErrFields(err); ok {
			return s.renderConclude(c, fiber.StatusUnprocessableEntity, cs, f, nil, fields)
		}
		if codeOf(err) == string(cooperation.Conflict) {
			return s.caseClosed(c, cs, role)
		}
		return err
	}
	return c.Redirect(caseURL(cs.ID, "?done=concluded#conclusion"), fiber.StatusSeeOther)
}

// -- withdrawal --

func (s *Server) handleCaseWithdrawForm(c *fiber.Ctx) error {
	cs, _, err := s.loadCaseHR(c)
	if err != nil {
		return err
	}
	return s.renderCaseForm(c, fiber.StatusOK, "case_withdraw", "web.case.withdraw.title", &caseFormPage{C: cs}, nil, "")
}

// handleCaseWithdraw ends a case without a conclusion; the reason is
// recorded.
func (s *Server) handleCaseWithdraw(c *fiber.Ctx) error {
	cs, role, err := s.loadCaseHR(c)
	if err != nil {
		return err
	}
	if !caseOpen(cs) {
		return s.caseClosed(c, cs, role)
	}
	f := formValues(c)
	fe := map[string]string{}
	caseText(fe, "reason", f["reason"], true)
	if len(fe) > 0 {
		return s.renderCaseForm(c, fiber.StatusUnprocessableEntity, "case_withdraw", "web.case.withdraw.title", &caseFormPage{C: cs, F: f}, fe, "")
	}
	if err := s.Cases.Withdraw(c.UserContext(), principalOf(c).User.Email, cs.ID, f["reason"]); err != nil {
		if fields, ok := caseErrFields(err); ok {
			return s.renderCaseForm(c, fiber.StatusUnprocessableEntity, "case_withdraw", "web.case.withdraw.title", &caseFormPage{C: cs, F: f}, caseRekey(fields, "reason"), "")
		}
		if codeOf(err) == string(cooperation.Conflict) {
			return s.caseClosed(c, cs, role)
		}
		return err
	}
	return c.Redirect(caseURL(cs.ID, "?done=withdrawn"), fiber.StatusSeeOther)
}

// CaseWebKeys lists the catalog keys the case pages build at run time
// (enumerations translated with tk, and the ?done= notices); the catalog
// test checks each exists in every language.
func CaseWebKeys() []string {
	var keys []string
	for _, st := range caseStatuses {
		keys = append(keys, "coop.status."+string(st))
	}
	for _, p := range cooperation.Procedures {
		keys = append(keys, "coop.procedure."+string(p))
	}
	for _, o := range caseOverrides {
		keys = append(keys, "coop.override."+string(o))
	}
	for _, t := range cooperation.RepresentativeTypes {
		keys = append(keys, "coop.reptype."+string(t))
	}
	for _, st := range []cooperation.DeadlineStatus{cooperation.Met, cooperation.Pending, cooperation.Missed, cooperation.Waived} {
		keys = append(keys, "coop.deadline_status."+string(st))
	}
	keys = append(keys, "coop.side.employer", "coop.side.staff", "coop.kind.initiative", "coop.kind.written_proposal")
	for _, d := range caseDone {
		keys = append(keys, "web.case.flash."+d)
	}
	return keys
}
