package app

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"vaaka/monitoring"
)

// knownDataCategories are offered as checkboxes on the activity form; any
// other category is typed one per line.
var knownDataCategories = []string{"voice", "call_metadata", "transcript", "evaluation", "customer_details"}

// webMinRows is how many purpose and authorised-user rows the form offers
// beyond the filled ones (no JavaScript needed to add rows).
const webMinRows = 5

// activityForm is the activity form's data: the activity as entered and the
// raw text of the fields that are parsed (numbers, dates).
type activityForm struct {
	ID              int64
	A               *monitoring.Activity
	RetentionDays   string
	ReviewOn        string
	DPIACompletedOn string
	Purposes        []monitoring.Purpose
	Users           []monitoring.AuthorizedUser
	Units           []string
	DataCategories  []string
	DataOther       string
	Queues          string
	Methods         []string
	LawfulBases     []monitoring.LawfulBasis
	Necessity       []monitoring.NecessityCategory
	Langs           []monitoring.Language
}

func (s *Server) activityFormData(c *fiber.Ctx, id int64, a *monitoring.Activity) (*activityForm, error) {
	f := &activityForm{ID: id, A: a, LawfulBases: monitoring.LawfulBases, Necessity: monitoring.NecessityCategories,
		Langs: monitoring.Languages, DataCategories: knownDataCategories}
	if a.RetentionDays > 0 {
		f.RetentionDays = strconv.Itoa(a.RetentionDays)
	}
	f.ReviewOn = webISODate(a.ReviewOn)
	f.DPIACompletedOn = webISODate(a.DPIA.CompletedOn)
	f.Purposes = append(slices.Clone(a.Purposes), make([]monitoring.Purpose, webMinRows)...)[:max(webMinRows, len(a.Purposes)+2)]
	f.Users = append(slices.Clone(a.AuthorizedUsers), make([]monitoring.AuthorizedUser, webMinRows)...)[:max(webMinRows, len(a.AuthorizedUsers)+2)]
	for _, m := range monitoring.KnownMethods {
		f.Methods = append(f.Methods, string(m))
	}
	if a.Method != "" && !slices.Contains(f.Methods, string(a.Method)) {
		f.Methods = append(f.Methods, string(a.Method))
	}
	units, err := s.Employees.ListUnits(c.UserContext())
	if err != nil {
		return nil, err
	}
	for _, u := range units {
		f.Units = append(f.Units, u.Name)
	}
	for _, u := range a.Units {
		if !slices.Contains(f.Units, u) {
			f.Units = append(f.Units, u)
		}
	}
	var other []string
	for _, d := range a.DataCategories {
		if !slices.Contains(knownDataCategories, d) {
			other = append(other, d)
		}
	}
	f.DataOther = strings.Join(other, "\n")
	f.Queues = strings.Join(a.Queues, "\n")
	return f, nil
}

func webISODate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02")
}

// formList returns the values of a repeated form field (checkboxes).
func formList(c *fiber.Ctx, name string) []string {
	var out []string
	for _, b := range c.Request().PostArgs().PeekMulti(name) {
		if v := strings.TrimSpace(string(b)); v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// formLines splits a textarea into trimmed, non-empty lines.
func formLines(c *fiber.Ctx, name string) []string {
	var out []string
	for _, l := range strings.Split(c.FormValue(name), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func formVal(c *fiber.Ctx, name string) string { return strings.TrimSpace(c.FormValue(name)) }

// webParseDate reads a YYYY-MM-DD date (also 27.11.2026) as midnight UTC.
func webParseDate(v string) (time.Time, bool) {
	if v == "" {
		return time.Time{}, true
	}
	if t, err := time.Parse("2006-01-02", v); err == nil {
		return t, true
	}
	if t, err := time.Parse("2.1.2006", v); err == nil {
		return t, true
	}
	return time.Time{}, false
}

// parseActivityForm reads every field of the activity form.
func parseActivityForm(c *fiber.Ctx) (*monitoring.Activity, *activityForm, monitoring.FieldErrors) {
	fe := monitoring.FieldErrors{}
	a := &monitoring.Activity{
		Name: formVal(c, "name"), Description: formVal(c, "description"), Method: monitoring.Method(formVal(c, "method")),
		System: formVal(c, "system"), LawfulBasis: monitoring.LawfulBasis(formVal(c, "lawful_basis")),
		LawfulBasisDetail: formVal(c, "lawful_basis_detail"),
		Necessity: monitoring.Necessity{
			Category:        monitoring.NecessityCategory(formVal(c, "necessity.category")),
			Justification:   formVal(c, "necessity.justification"),
			Alternatives:    formVal(c, "necessity.alternatives"),
			Proportionality: formVal(c, "necessity.proportionality"),
		},
		SpecialCategories: monitoring.SpecialCategories{Biometric: formVal(c, "special_categories.biometric") != "", Notes: formVal(c, "special_categories.notes")},
		BusinessLinesOnly: formVal(c, "business_lines_only") != "",
		Units:             formList(c, "units"),
		Queues:            formLines(c, "queues"),
		RetentionCriteria: formVal(c, "retention_criteria"),
		RetentionReason:   formVal(c, "retention_reason"),
		CallerInformation: monitoring.CallerInformation{
			Inbound: map[monitoring.Language]string{}, Outbound: map[monitoring.Language]string{},
			IVRPlacement:         formVal(c, "caller_information.ivr_placement"),
			PrivacyNoticeURL:     formVal(c, "caller_information.privacy_notice_url"),
			PreInformedCustomers: formVal(c, "caller_information.pre_informed_customers"),
		},
		DPIA: monitoring.DPIA{
			Required: formVal(c, "dpia.required") != "no", Summary: formVal(c, "dpia.summary"),
			ReasonNotRequired: formVal(c, "dpia.reason_not_required"), FileRef: formVal(c, "dpia.file_ref"),
		},
		Recipients: formVal(c, "recipients"), Transfers: formVal(c, "transfers"), SecurityMeasures: formVal(c, "security_measures"),
	}
	for _, d := range formList(c, "directions") {
		a.Directions = append(a.Directions, monitoring.Direction(d))
	}
	a.DataCategories = formList(c, "data_categories")
	for _, d := range formLines(c, "data_categories_other") {
		if !slices.Contains(a.DataCategories, d) {
			a.DataCategories = append(a.DataCategories, d)
		}
	}
	for i := 0; i < monitoring.MaxList+webMinRows; i++ {
		code, desc := formVal(c, webIdx("purposes", i, "code")), formVal(c, webIdx("purposes", i, "description"))
		if code != "" || desc != "" {
			a.Purposes = append(a.Purposes, monitoring.Purpose{Code: code, Description: desc})
		}
		email, task := formVal(c, webIdx("authorized_users", i, "email")), formVal(c, webIdx("authorized_users", i, "task"))
		if email != "" || task != "" {
			a.AuthorizedUsers = append(a.AuthorizedUsers, monitoring.AuthorizedUser{Email: email, Task: task})
		}
	}
	for _, l := range monitoring.Languages {
		if v := formVal(c, "caller_information.inbound."+string(l)); v != "" {
			a.CallerInformation.Inbound[l] = v
		}
		if v := formVal(c, "caller_information.outbound."+string(l)); v != "" {
			a.CallerInformation.Outbound[l] = v
		}
	}
	raw := &activityForm{RetentionDays: formVal(c, "retention_days"), ReviewOn: formVal(c, "review_on"), DPIACompletedOn: formVal(c, "dpia.completed_on")}
	if raw.RetentionDays != "" {
		n, err := strconv.Atoi(raw.RetentionDays)
		if err != nil {
			fe.Add("retention_days", monitoring.MsgInvalid)
		} else {
			a.RetentionDays = n
		}
	}
	var ok bool
	if a.ReviewOn, ok = webParseDate(raw.ReviewOn); !ok {
		fe.Add("review_on", monitoring.MsgDate)
	}
	if a.DPIA.CompletedOn, ok = webParseDate(raw.DPIACompletedOn); !ok {
		fe.Add("dpia.completed_on", monitoring.MsgDate)
	}
	return a, raw, fe
}

func webIdx(name string, i int, field string) string {
	return name + "[" + strconv.Itoa(i) + "]." + field
}

// activityField maps a domain field path to the form field that shows its
// error (checkbox groups and line lists have one field).
func activityField(f string) string {
	for _, p := range []string{"directions", "units", "data_categories", "queues"} {
		if strings.HasPrefix(f, p+"[") {
			return p
		}
	}
	return f
}

// applyActivity copies the register fields of src into dst (not the
// status, version, introduction date or times).
func applyActivity(dst, src *monitoring.Activity) {
	keep := *dst
	*dst = *src
	dst.ID, dst.Status, dst.Version, dst.IntroductionOn = keep.ID, keep.Status, keep.Version, keep.IntroductionOn
	dst.CreatedAt, dst.UpdatedAt = keep.CreatedAt, keep.UpdatedAt
}

func (s *Server) renderActivityForm(c *fiber.Ctx, status int, id int64, a *monitoring.Activity, raw *activityForm, fields map[string]string) error {
	f, err := s.activityFormData(c, id, a)
	if err != nil {
		return err
	}
	if raw != nil {
		f.RetentionDays, f.ReviewOn, f.DPIACompletedOn = raw.RetentionDays, raw.ReviewOn, raw.DPIACompletedOn
	}
	title := "web.activity.new_title"
	if id != 0 {
		title = "web.activity.edit_title"
	}
	p := s.newPage(c, title)
	s.setErrors(p, fields, activityField)
	p.Data = f
	return s.render(c, status, "activity_form", p)
}

func (s *Server) handleActivityNew(c *fiber.Ctx) error {
	a := &monitoring.Activity{Method: monitoring.CallRecording, DPIA: monitoring.DPIA{Required: true},
		Directions: []monitoring.Direction{monitoring.Inbound}}
	return s.renderActivityForm(c, fiber.StatusOK, 0, a, nil, nil)
}

func (s *Server) handleActivityCreate(c *fiber.Ctx) error {
	a, raw, fe := parseActivityForm(c)
	if len(fe) > 0 {
		if err := a.Validate(); err != nil {
			f, _ := webFields(err)
			for k, v := range f {
				fe.Add(k, v)
			}
		}
		return s.renderActivityForm(c, fiber.StatusUnprocessableEntity, 0, a, raw, fe)
	}
	if err := s.Register.CreateActivity(c.UserContext(), principalOf(c).User.Email, a); err != nil {
		if fields, ok := webFields(err); ok {
			return s.renderActivityForm(c, fiber.StatusUnprocessableEntity, 0, a, raw, fields)
		}
		return err
	}
	return c.Redirect("/activities/"+strconv.FormatInt(a.ID, 10)+"?flash=activity_saved", fiber.StatusSeeOther)
}

// activityID reads :id; a malformed id is simply not found.
func webActivityID(c *fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, fiber.ErrNotFound
	}
	return id, nil
}

func (s *Server) handleActivityEdit(c *fiber.Ctx) error {
	id, err := webActivityID(c)
	if err != nil {
		return err
	}
	a, err := s.Register.FindActivity(c.UserContext(), id)
	if err != nil {
		return err
	}
	return s.renderActivityForm(c, fiber.StatusOK, id, a, nil, nil)
}

func (s *Server) handleActivityUpdate(c *fiber.Ctx) error {
	id, err := webActivityID(c)
	if err != nil {
		return err
	}
	a, raw, fe := parseActivityForm(c)
	if len(fe) > 0 {
		if err := a.Validate(); err != nil {
			f, _ := webFields(err)
			for k, v := range f {
				fe.Add(k, v)
			}
		}
		return s.renderActivityForm(c, fiber.StatusUnprocessableEntity, id, a, raw, fe)
	}
	_, err = s.Register.UpdateActivity(c.UserContext(), principalOf(c).User.Email, id, func(cur *monitoring.Activity) error {
		applyActivity(cur, a)
		return nil
	})
	if err != nil {
		if fields, ok := webFields(err); ok {
			return s.renderActivityForm(c, fiber.StatusUnprocessableEntity, id, a, raw, fields)
		}
		return err
	}
	return c.Redirect("/activities/"+strconv.FormatInt(id, 10)+"?flash=activity_saved", fiber.StatusSeeOther)
}

// activitiesData is the register list.
type activitiesData struct {
	Items    []*monitoring.Activity
	Status   string
	Statuses []monitoring.Status
	Next     int64
}

func (s *Server) handleActivities(c *fiber.Ctx) error {
	f := monitoring.ActivityFilter{Limit: 50}
	st := monitoring.Status(c.Query("status"))
	if st.Valid() {
		f.Status = st
	}
	cursor, err := webCursor(c)
	if err != nil {
		return err
	}
	f.Cursor = cursor
	items, next, err := s.Register.ListActivities(c.UserContext(), f)
	if err != nil {
		return err
	}
	p := s.newPage(c, "web.activities.title")
	p.Data = activitiesData{Items: items, Status: string(f.Status), Statuses: monitoring.Statuses, Next: next}
	return s.render(c, fiber.StatusOK, "activities", p)
}

// activityView is the register entry page.
type activityView struct {
	A         *monitoring.Activity
	Readiness []monitoring.Readiness
	Blocking  int // unmet blocking rules
	Refused   []monitoring.Readiness
	History   []monitoring.ActivityChange
	Message   string
	Langs     []monitoring.Language
	Notices   activityNotices // web_notices.go
	Charts    *weeklyCharts   // web_stats.go
}

func (s *Server) renderActivity(c *fiber.Ctx, status int, id int64, refused []monitoring.Readiness, msgKey string) error {
	ctx := c.UserContext()
	a, err := s.Register.FindActivity(ctx, id)
	if err != nil {
		return err
	}
	rs, err := s.Register.Readiness(ctx, id, s.Now())
	if err != nil {
		return err
	}
	hist, err := s.Register.History(ctx, id)
	if err != nil {
		return err
	}
	slices.Reverse(hist) // newest first
	p := s.newPage(c, "")
	p.Title = a.Name
	v := activityView{A: a, Readiness: rs, Blocking: len(monitoring.Unmet(rs)), Refused: refused, History: hist, Langs: monitoring.Languages}
	if msgKey != "" {
		p.Flash, p.FlashErr = s.i18n.T(p.Lang, msgKey), true
	}
	if v.Notices, err = s.activityNoticesOf(c, a); err != nil {
		return err
	}
	if v.Charts, err = s.weeklyChartsOf(c, p.Lang, a.ID, !p.Can("hr", "dpo")); err != nil {
		return err
	}
	p.Data = v
	return s.render(c, status, "activity", p)
}

func (s *Server) handleActivity(c *fiber.Ctx) error {
	id, err := webActivityID(c)
	if err != nil {
		return err
	}
	return s.renderActivity(c, fiber.StatusOK, id, nil, "")
}

// handleActivityStatus activates, suspends or retires. A refused activation
// re-renders the entry with the unmet rules and 409 (R-SEQ-1).
func (s *Server) handleActivityStatus(to monitoring.Status) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := webActivityID(c)
		if err != nil {
			return err
		}
		_, err = s.Register.SetStatus(c.UserContext(), principalOf(c).User.Email, id, to, s.Now())
		if err != nil {
			var de *monitoring.Error
			if errors.As(err, &de) {
				switch de.Code {
				case monitoring.RuleRefused:
					return s.renderActivity(c, fiber.StatusConflict, id, de.Rules, "web.activity.activation_refused")
				case monitoring.Invalid, monitoring.Conflict:
					return s.renderActivity(c, fiber.StatusConflict, id, nil, "web.activity.transition_refused")
				}
			}
			return err
		}
		return c.Redirect("/activities/"+strconv.FormatInt(id, 10)+"?flash=status_"+string(to), fiber.StatusSeeOther)
	}
}
