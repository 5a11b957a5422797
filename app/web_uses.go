package app

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"vaaka/monitoring"
)

// useRow is a use as the lists show it: with its activity's name and the
// user's name and task.
type useRow struct {
	U            *monitoring.Use
	ActivityName string
	UserName     string
	Task         string
}

// usesData is the use log list.
type usesData struct {
	Rows       []useRow
	Activities []*monitoring.Activity
	Flags      []monitoring.Flag
	Activity   int64
	Flag       string
	Employee   string
	Next       int64
	Own        bool // a supervisor sees only the uses they made
	CanRecord  bool
}

// decorate adds activity names (and, with users, the user's name and task)
// to uses; lookups are cached per request.
func (s *Server) decorate(c *fiber.Ctx, uses []*monitoring.Use, users bool) ([]useRow, error) {
	ctx := c.UserContext()
	acts := map[int64]*monitoring.Activity{}
	names := map[string]string{}
	rows := make([]useRow, 0, len(uses))
	for _, u := range uses {
		a, ok := acts[u.ActivityID]
		if !ok {
			var err error
			a, err = s.Register.FindActivity(ctx, u.ActivityID)
			if err != nil && monitoring.ErrorCodeOf(err) != monitoring.NotFound {
				return nil, err
			}
			acts[u.ActivityID] = a
		}
		r := useRow{U: u}
		if a != nil {
			r.ActivityName = a.Name
			r.Task = a.TaskOf(u.UsedBy)
		}
		if users {
			key := strings.ToLower(u.UsedBy)
			n, ok := names[key]
			if !ok {
				if usr, err := s.Accounts.FindUserByEmail(ctx, key); err == nil {
					n = usr.Name
				} else if monitoring.ErrorCodeOf(err) != monitoring.NotFound {
					return nil, err
				}
				names[key] = n
			}
			r.UserName = n
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// handleUses lists the use log: HR and the DPO see all, a supervisor only
// the uses they made. Listing one employee's uses is recorded in the audit
// trail (R-LOG-1).
func (s *Server) handleUses(c *fiber.Ctx) error {
	pr := principalOf(c)
	u := pr.User
	f := monitoring.UseFilter{Limit: 50}
	d := usesData{Flags: monitoring.AllFlags, CanRecord: u.HasAny(rSup, rHR)}
	if v := c.Query("activity"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return errBadField("activity", monitoring.MsgInvalid)
		}
		f.ActivityID, d.Activity = n, n
	}
	if v := c.Query("flag"); v != "" {
		if !monitoring.Flag(v).Valid() {
			return errBadField("flag", monitoring.MsgUnknown)
		}
		f.Flag, d.Flag = monitoring.Flag(v), v
	}
	if v := strings.TrimSpace(c.Query("employee")); v != "" {
		if !monitoring.ValidStaffID(v) {
			return errBadField("employee", monitoring.MsgInvalid)
		}
		f.EmployeeStaffID, d.Employee = v, v
	}
	cursor, err := webCursor(c)
	if err != nil {
		return err
	}
	f.Cursor = cursor
	if !u.HasAny(rHR, rDPO) {
		f.UsedBy, d.Own = u.Email, true
	}
	uses, next, err := s.Uses.ListUses(c.UserContext(), f)
	if err != nil {
		return err
	}
	if f.EmployeeStaffID != "" && f.EmployeeStaffID != u.StaffID {
		// R-LOG-1: reading an individual's use log is itself recorded.
		if err := s.Audit.Record(c.UserContext(), u.Email, "use_log.read", "employee", f.EmployeeStaffID,
			map[string]any{"via": "web", "activity": f.ActivityID, "flag": string(f.Flag), "count": len(uses)}); err != nil {
			return err
		}
	}
	if d.Rows, err = s.decorate(c, uses, false); err != nil {
		return err
	}
	if d.Activities, _, err = s.Register.ListActivities(c.UserContext(), monitoring.ActivityFilter{Limit: 1000}); err != nil {
		return err
	}
	d.Next = next
	p := s.newPage(c, "web.uses.title")
	p.Data = d
	return s.render(c, fiber.StatusOK, "uses", p)
}

// useForm is the supervisor's short form for recording a use.
type useForm struct {
	ExternalID string
	ActivityID string
	Ref        string
	CallDate   string
	CallTime   string
	Direction  string
	Employees  string
	Action     string
	Purpose    string
	Note       string
	Activities []*monitoring.Activity
	Actions    []monitoring.Action
}

func (s *Server) renderUseForm(c *fiber.Ctx, status int, f useForm, fields map[string]string) error {
	acts, _, err := s.Register.ListActivities(c.UserContext(), monitoring.ActivityFilter{Limit: 1000})
	if err != nil {
		return err
	}
	for _, a := range acts {
		if a.Status != monitoring.StatusRetired {
			f.Activities = append(f.Activities, a)
		}
	}
	f.Actions = monitoring.Actions
	p := s.newPage(c, "web.use_form.title")
	s.setErrors(p, fields, useField)
	p.Data = f
	return s.render(c, status, "use_form", p)
}

// useField maps a use's field path to the form field showing its error.
func useField(f string) string {
	f = strings.TrimPrefix(f, "[0].")
	switch {
	case f == "call_started_at", f == "occurred_at":
		return "call_date"
	case strings.HasPrefix(f, "employee_staff_ids"):
		return "employee_staff_ids"
	case f == "recording_ref":
		return "recording_ref"
	}
	return f
}

func (s *Server) handleUseNew(c *fiber.Ctx) error {
	key, _, err := NewSecret("web-")
	if err != nil {
		return err
	}
	now := s.Now().In(s.views.location())
	f := useForm{ExternalID: key, CallDate: now.Format("2006-01-02"), CallTime: now.Format("15:04"),
		Direction: string(monitoring.Inbound), Action: string(monitoring.Listened), ActivityID: c.Query("activity")}
	return s.renderUseForm(c, fiber.StatusOK, f, nil)
}

// handleUseCreate records a use from the form; the user is always the
// signed-in user. The form's hidden external id makes a double submit
// harmless (the second answer is the first use).
func (s *Server) handleUseCreate(c *fiber.Ctx) error {
	pr := principalOf(c)
	f := useForm{
		ExternalID: formVal(c, "external_id"), ActivityID: formVal(c, "activity_id"), Ref: formVal(c, "recording_ref"),
		CallDate: formVal(c, "call_date"), CallTime: formVal(c, "call_time"), Direction: formVal(c, "direction"),
		Employees: formVal(c, "employee_staff_ids"), Action: formVal(c, "action"), Purpose: formVal(c, "purpose"), Note: formVal(c, "note"),
	}
	fe := monitoring.FieldErrors{}
	if !strings.HasPrefix(f.ExternalID, "web-") || len(f.ExternalID) > 100 {
		key, _, err := NewSecret("web-")
		if err != nil {
			return err
		}
		f.ExternalID = key
	}
	u := &monitoring.Use{
		ExternalID: f.ExternalID, RecordingRef: f.Ref, Direction: monitoring.Direction(f.Direction),
		UsedBy: pr.User.Email, Action: monitoring.Action(f.Action), Purpose: f.Purpose, Note: f.Note,
		OccurredAt: s.Now(), Source: monitoring.SourceWeb,
	}
	if f.ActivityID == "" {
		fe.Add("activity_id", monitoring.MsgRequired)
	} else if n, err := strconv.ParseInt(f.ActivityID, 10, 64); err != nil || n <= 0 {
		fe.Add("activity_id", monitoring.MsgInvalid)
	} else {
		u.ActivityID = n
	}
	switch t, ok := parseLocalTime(f.CallDate, f.CallTime, s.views.location()); {
	case f.CallDate == "":
		fe.Add("call_date", monitoring.MsgRequired)
	case !ok:
		fe.Add("call_date", monitoring.MsgDate)
	default:
		u.CallStartedAt = t
	}
	for _, id := range strings.FieldsFunc(f.Employees, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t' }) {
		u.EmployeeStaffIDs = append(u.EmployeeStaffIDs, id)
	}
	if err := u.Validate(s.Now()); err != nil {
		fields, _ := webFields(err)
		for k, v := range fields {
			if k == "call_started_at" && fe["call_date"] != "" {
				continue
			}
			if k == "activity_id" && fe["activity_id"] != "" {
				continue
			}
			fe.Add(k, v)
		}
	}
	if len(fe) > 0 {
		return s.renderUseForm(c, fiber.StatusUnprocessableEntity, f, fe)
	}
	res, err := s.Uses.RecordUses(c.UserContext(), []*monitoring.Use{u})
	if err != nil {
		if fields, ok := webFields(err); ok {
			return s.renderUseForm(c, fiber.StatusUnprocessableEntity, f, fields)
		}
		return err
	}
	if len(res) == 0 || res[0].Use == nil {
		return fiber.ErrInternalServerError
	}
	return c.Redirect("/uses/"+res[0].Use.ID+"?flash=use_recorded", fiber.StatusSeeOther)
}

// parseLocalTime reads a date and a time of day (14:30 or 14.30) in loc.
func parseLocalTime(date, clock string, loc *time.Location) (time.Time, bool) {
	d, ok := webParseDate(date)
	if !ok || d.IsZero() {
		return time.Time{}, false
	}
	clock = strings.ReplaceAll(strings.TrimSpace(clock), ".", ":")
	h, m := 0, 0
	if clock != "" {
		t, err := time.Parse("15:04", clock)
		if err != nil {
			return time.Time{}, false
		}
		h, m = t.Hour(), t.Minute()
	}
	return time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, loc).UTC(), true
}

// useView is one use with its flags.
type useView struct {
	Row      useRow
	Activity *monitoring.Activity
}

// handleUse shows one use. HR and the DPO see any (the read is recorded per
// monitored employee, R-LOG-1); a supervisor the uses they made; an
// employee the uses of their own calls. Others get 404.
func (s *Server) handleUse(c *fiber.Ctx) error {
	pr := principalOf(c)
	u := pr.User
	id := c.Params("id")
	if !monitoring.ValidUUID(id) {
		return fiber.ErrNotFound
	}
	use, err := s.Uses.FindUse(c.UserContext(), id)
	if err != nil {
		return err
	}
	self := u.StaffID != "" && webContains(use.EmployeeStaffIDs, u.StaffID)
	switch {
	case u.HasAny(rHR, rDPO):
		if !self {
			for _, sid := range use.EmployeeStaffIDs {
				if err := s.Audit.Record(c.UserContext(), u.Email, "use_log.read", "employee", sid, map[string]any{"via": "web", "use": use.ID}); err != nil {
					return err
				}
			}
		}
	case u.Has(rSup) && strings.EqualFold(use.UsedBy, u.Email):
	case self:
	default:
		return fiber.ErrNotFound
	}
	rows, err := s.decorate(c, []*monitoring.Use{use}, true)
	if err != nil {
		return err
	}
	v := useView{Row: rows[0]}
	if a, err := s.Register.FindActivity(c.UserContext(), use.ActivityID); err == nil {
		v.Activity = a
	}
	p := s.newPage(c, "web.use.title")
	p.Data = v
	return s.render(c, fiber.StatusOK, "use", p)
}
