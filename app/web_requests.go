package app

import (
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"vaaka/monitoring"
)

// The access request pages (R-DSR-1): HR and the DPO record an employee's
// or a caller's request for their data, see it come due (one month,
// extendable by two more with notice to the requester) and record what was
// delivered and when.

// requestDone are the notices of the request page (?done=…), translated as
// "web.request.flash.<name>".
var requestDone = []string{"created", "extended", "delivered"}

// requestDashboardDays: the dashboard lists open requests due within this
// many days, and every overdue one.
const requestDashboardDays = 7

// routesRequests registers the access request pages.
func (s *Server) routesRequests(r fiber.Router) {
	g := s.signedIn(rHR, rDPO)
	r.Get("/requests", g, s.handleRequests)
	r.Get("/requests/new", g, s.handleRequestNew)
	r.Post("/requests", g, s.handleRequestCreate)
	r.Get("/requests/:id", g, s.handleRequest)
	r.Post("/requests/:id/extend", g, s.handleRequestExtend)
	r.Post("/requests/:id/deliver", g, s.handleRequestDeliver)
}

// requestRow is a request as the lists show it, with the days left.
type requestRow struct {
	R        *monitoring.AccessRequest
	Employee string // the employee's name (employee requests)
	Days     int    // days until due; negative when overdue
	Open     bool
}

// Overdue reports whether the open request is past its due date.
func (r requestRow) Overdue() bool { return r.Open && r.Days < 0 }

// Late is how many days overdue.
func (r requestRow) Late() int { return -r.Days }

// Who names the requester.
func (r requestRow) Who() string {
	if r.R.Kind == monitoring.RequestByEmployee {
		if r.Employee != "" {
			return r.Employee + " (" + r.R.StaffID + ")"
		}
		return r.R.StaffID
	}
	return r.R.Requester
}

// requestRows adds the days left and the employees' names.
func (s *Server) requestRows(c *fiber.Ctx, rs []*monitoring.AccessRequest) ([]requestRow, error) {
	today := s.today()
	names := map[string]string{}
	out := make([]requestRow, 0, len(rs))
	for _, r := range rs {
		row := requestRow{R: r, Open: r.DeliveredOn.IsZero(), Days: int(r.DueOn.Sub(today).Hours() / 24)}
		if r.StaffID != "" {
			n, ok := names[r.StaffID]
			if !ok {
				if e, err := s.Employees.FindEmployee(c.UserContext(), r.StaffID); err == nil {
					n = e.Name
				} else if monitoring.ErrorCodeOf(err) != monitoring.NotFound {
					return nil, err
				}
				names[r.StaffID] = n
			}
			row.Employee = n
		}
		out = append(out, row)
	}
	return out, nil
}

// openRequests lists every open request, earliest due first.
func (s *Server) openRequests(c *fiber.Ctx) ([]requestRow, error) {
	var all []*monitoring.AccessRequest
	f := monitoring.AccessRequestFilter{Open: true, Limit: 1000}
	for range 20 {
		rs, next, err := s.Requests.ListAccessRequests(c.UserContext(), f)
		if err != nil {
			return nil, err
		}
		all = append(all, rs...)
		if next == 0 {
			break
		}
		f.Cursor = next
	}
	rows, err := s.requestRows(c, all)
	if err != nil {
		return nil, err
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].R.DueOn.Before(rows[j].R.DueOn) })
	return rows, nil
}

// requestsDue lists, for the dashboard, the open requests overdue or due
// within requestDashboardDays.
func (s *Server) requestsDue(c *fiber.Ctx) ([]requestRow, error) {
	if s.Requests == nil {
		return nil, nil
	}
	rows, err := s.openRequests(c)
	if err != nil {
		return nil, err
	}
	var out []requestRow
	for _, r := range rows {
		if r.Days <= requestDashboardDays {
			out = append(out, r)
		}
	}
	return out, nil
}

// requestsData is the list of access requests.
type requestsData struct {
	Open   []requestRow
	Closed []requestRow
	Next   int64
}

// handleRequests lists the open requests first (earliest due first), then
// the delivered ones, newest first.
func (s *Server) handleRequests(c *fiber.Ctx) error {
	if s.Requests == nil {
		return fiber.ErrNotFound
	}
	d := requestsData{}
	var err error
	if d.Open, err = s.openRequests(c); err != nil {
		return err
	}
	f := monitoring.AccessRequestFilter{Limit: 50}
	cursor, err := webCursor(c)
	if err != nil {
		return err
	}
	f.Cursor = cursor
	rs, next, err := s.Requests.ListAccessRequests(c.UserContext(), f)
	if err != nil {
		return err
	}
	var closed []*monitoring.AccessRequest
	for _, r := range rs {
		if !r.DeliveredOn.IsZero() {
			closed = append(closed, r)
		}
	}
	if d.Closed, err = s.requestRows(c, closed); err != nil {
		return err
	}
	d.Next = next
	p := s.newPage(c, "web.request.list.title")
	p.Data = d
	return s.render(c, fiber.StatusOK, "requests", p)
}

// requestForm is the new request form.
type requestForm struct {
	F     map[string]string
	Kinds []monitoring.AccessRequestKind
	Due   time.Time
}

// Val returns a field value.
func (f *requestForm) Val(name string) string { return f.F[name] }

var requestKinds = []monitoring.AccessRequestKind{monitoring.RequestByEmployee, monitoring.RequestByCaller}

func (s *Server) renderRequestNew(c *fiber.Ctx, status int, f map[string]string, fields map[string]string) error {
	p := s.newPage(c, "web.request.new.title")
	s.formErrors(p, fields, "web.request.field.", nil)
	d := &requestForm{F: f, Kinds: requestKinds, Due: monitoring.AccessRequestDue(s.today(), false)}
	p.Data = d
	return s.render(c, status, "request_new", p)
}

func (s *Server) handleRequestNew(c *fiber.Ctx) error {
	if s.Requests == nil {
		return fiber.ErrNotFound
	}
	f := map[string]string{"kind": string(monitoring.RequestByEmployee), "received_on": webISODate(s.today())}
	if v := c.Query("staff_id"); monitoring.ValidStaffID(v) {
		f["staff_id"] = v
	}
	return s.renderRequestNew(c, fiber.StatusOK, f, nil)
}

// handleRequestCreate records a request with its due date (received + one
// month, R-DSR-1). An employee's request names an existing employee; a
// caller's names the caller or a reference.
func (s *Server) handleRequestCreate(c *fiber.Ctx) error {
	if s.Requests == nil {
		return fiber.ErrNotFound
	}
	f := formValues(c)
	fe := monitoring.FieldErrors{}
	r := &monitoring.AccessRequest{Kind: monitoring.AccessRequestKind(f["kind"]), Description: f["description"],
		CreatedBy: principalOf(c).User.Email}
	switch r.Kind {
	case monitoring.RequestByEmployee:
		r.StaffID = f["staff_id"]
		switch {
		case r.StaffID == "":
			fe.Add("staff_id", monitoring.MsgRequired)
		case !monitoring.ValidStaffID(r.StaffID):
			fe.Add("staff_id", monitoring.MsgInvalid)
		default:
			if _, err := s.Employees.FindEmployee(c.UserContext(), r.StaffID); err != nil {
				if monitoring.ErrorCodeOf(err) != monitoring.NotFound {
					return err
				}
				fe.Add("staff_id", monitoring.MsgNotFound)
			}
		}
	case monitoring.RequestByCaller:
		r.Requester = f["requester"]
		if r.Requester == "" {
			fe.Add("requester", monitoring.MsgRequired)
		} else if len([]rune(r.Requester)) > monitoring.MaxShort {
			fe.Add("requester", monitoring.MsgTooLong)
		}
	case "":
		fe.Add("kind", monitoring.MsgRequired)
	default:
		fe.Add("kind", monitoring.MsgUnknown)
	}
	if r.Description == "" {
		fe.Add("description", monitoring.MsgRequired)
	} else if len([]rune(r.Description)) > monitoring.MaxText {
		fe.Add("description", monitoring.MsgTooLong)
	}
	switch d, ok := webParseDate(f["received_on"]); {
	case f["received_on"] == "":
		fe.Add("received_on", monitoring.MsgRequired)
	case !ok:
		fe.Add("received_on", monitoring.MsgDate)
	case d.After(s.today()):
		fe.Add("received_on", monitoring.MsgInFuture)
	default:
		r.ReceivedOn = d
		r.DueOn = monitoring.AccessRequestDue(d, false)
	}
	if len(fe) > 0 {
		return s.renderRequestNew(c, fiber.StatusUnprocessableEntity, f, fe)
	}
	if err := s.Requests.CreateAccessRequest(c.UserContext(), principalOf(c).User.Email, r); err != nil {
		if fields, ok := webFields(err); ok {
			return s.renderRequestNew(c, fiber.StatusUnprocessableEntity, f, fields)
		}
		return err
	}
	return c.Redirect("/requests/"+strconv.FormatInt(r.ID, 10)+"?done=created", fiber.StatusSeeOther)
}

// requestView is one request with its forms.
type requestView struct {
	Row      requestRow
	F        map[string]string
	Extended time.Time // the due date an extension would give
}

// Val returns a field value.
func (v *requestView) Val(name string) string { return v.F[name] }

func (s *Server) loadRequest(c *fiber.Ctx) (*monitoring.AccessRequest, error) {
	if s.Requests == nil {
		return nil, fiber.ErrNotFound
	}
	id, err := idParam(c, "id")
	if err != nil {
		return nil, err
	}
	return s.Requests.FindAccessRequest(c.UserContext(), id)
}

func (s *Server) renderRequest(c *fiber.Ctx, status int, r *monitoring.AccessRequest, f map[string]string, fields map[string]string, flashKey string) error {
	rows, err := s.requestRows(c, []*monitoring.AccessRequest{r})
	if err != nil {
		return err
	}
	if f == nil {
		f = map[string]string{}
	}
	if f["delivered_on"] == "" {
		f["delivered_on"] = webISODate(s.today())
	}
	p := s.newPage(c, "web.request.title")
	s.formErrors(p, fields, "web.request.field.", nil)
	if flashKey != "" {
		p.Flash, p.FlashErr = s.i18n.T(p.Lang, flashKey), true
	} else if d := c.Query("done"); slices.Contains(requestDone, d) {
		p.Flash = s.i18n.T(p.Lang, "web.request.flash."+d)
	}
	p.Data = &requestView{Row: rows[0], F: f, Extended: monitoring.AccessRequestDue(r.ReceivedOn, true)}
	return s.render(c, status, "request", p)
}

func (s *Server) handleRequest(c *fiber.Ctx) error {
	r, err := s.loadRequest(c)
	if err != nil {
		return err
	}
	return s.renderRequest(c, fiber.StatusOK, r, nil, nil, "")
}

// handleRequestExtend extends the due date by two months; the reason told
// to the requester is required (R-DSR-1).
func (s *Server) handleRequestExtend(c *fiber.Ctx) error {
	r, err := s.loadRequest(c)
	if err != nil {
		return err
	}
	f := formValues(c)
	fe := monitoring.FieldErrors{}
	switch reason := f["extension_reason"]; {
	case reason == "":
		fe.Add("extension_reason", monitoring.MsgRequired)
	case len([]rune(reason)) > monitoring.MaxText:
		fe.Add("extension_reason", monitoring.MsgTooLong)
	}
	if len(fe) > 0 {
		return s.renderRequest(c, fiber.StatusUnprocessableEntity, r, f, fe, "")
	}
	if !r.ExtendedOn.IsZero() || !r.DeliveredOn.IsZero() {
		return s.renderRequest(c, fiber.StatusConflict, r, f, nil, "web.request.extend.conflict")
	}
	if err := s.Requests.ExtendAccessRequest(c.UserContext(), principalOf(c).User.Email, r.ID, s.today(), f["extension_reason"]); err != nil {
		if fields, ok := webFields(err); ok {
			return s.renderRequest(c, fiber.StatusUnprocessableEntity, r, f, fieldsTo(fields, "extension_reason"), "")
		}
		if monitoring.ErrorCodeOf(err) == monitoring.Conflict {
			return s.renderRequest(c, fiber.StatusConflict, r, f, nil, "web.request.extend.conflict")
		}
		return err
	}
	return c.Redirect("/requests/"+strconv.FormatInt(r.ID, 10)+"?done=extended", fiber.StatusSeeOther)
}

// handleRequestDeliver records what was delivered and when. A requested
// recording is given as a complete copy or a complete transcript, never a
// summary (R-DSR-1); the form says so.
func (s *Server) handleRequestDeliver(c *fiber.Ctx) error {
	r, err := s.loadRequest(c)
	if err != nil {
		return err
	}
	f := formValues(c)
	fe := monitoring.FieldErrors{}
	switch what := f["delivered"]; {
	case what == "":
		fe.Add("delivered", monitoring.MsgRequired)
	case len([]rune(what)) > monitoring.MaxText:
		fe.Add("delivered", monitoring.MsgTooLong)
	}
	var on time.Time
	switch d, ok := webParseDate(f["delivered_on"]); {
	case f["delivered_on"] == "":
		fe.Add("delivered_on", monitoring.MsgRequired)
	case !ok:
		fe.Add("delivered_on", monitoring.MsgDate)
	case d.After(s.today()):
		fe.Add("delivered_on", monitoring.MsgInFuture)
	case d.Before(r.ReceivedOn):
		fe.Add("delivered_on", "web.request.before_received")
	default:
		on = d
	}
	if len(fe) > 0 {
		return s.renderRequest(c, fiber.StatusUnprocessableEntity, r, f, fe, "")
	}
	if !r.DeliveredOn.IsZero() {
		return s.renderRequest(c, fiber.StatusConflict, r, f, nil, "web.request.deliver.conflict")
	}
	if err := s.Requests.DeliverAccessRequest(c.UserContext(), principalOf(c).User.Email, r.ID, on, f["delivered"]); err != nil {
		if fields, ok := webFields(err); ok {
			return s.renderRequest(c, fiber.StatusUnprocessableEntity, r, f, fieldsTo(fields, "delivered"), "")
		}
		if monitoring.ErrorCodeOf(err) == monitoring.Conflict {
			return s.renderRequest(c, fiber.StatusConflict, r, f, nil, "web.request.deliver.conflict")
		}
		return err
	}
	return c.Redirect("/requests/"+strconv.FormatInt(r.ID, 10)+"?done=delivered", fiber.StatusSeeOther)
}

// fieldsTo keeps the field errors of a form's own fields and moves any
// other onto field.
func fieldsTo(fields map[string]string, field string) map[string]string {
	out := map[string]string{}
	for k, v := range fields {
		switch k {
		case "delivered", "delivered_on", "extension_reason", "description", "received_on":
			out[k] = v
		default:
			out[field] = v
		}
	}
	return out
}
