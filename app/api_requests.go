package app

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"vaaka/monitoring"
)

// Access requests (LAW.md R-DSR-1): an employee's or a caller's request for
// their data, due within one month of receipt, extendable by two more
// months with a notice to the requester; what was delivered and when. hr
// and dpo keep them.

// apiAccessRequestIn is the body of POST /access-requests.
type apiAccessRequestIn struct {
	Kind        string `json:"kind" enum:"employee,caller" required:"true"`
	StaffID     string `json:"staff_id" doc:"the employee who asked (kind employee)"`
	Requester   string `json:"requester" doc:"the caller who asked: name or reference (kind caller)"`
	Description string `json:"description" required:"true" doc:"what was asked for"`
	ReceivedOn  string `json:"received_on" format:"date" doc:"default: today"`
}

// apiAccessRequestExtendIn is the body of POST /access-requests/{id}/extend.
type apiAccessRequestExtendIn struct {
	Reason string `json:"reason" required:"true" doc:"the reasons given to the requester (GDPR Art 12(3))"`
	On     string `json:"on" format:"date" doc:"when the requester was told; default: today"`
}

// apiAccessRequestDeliverIn is the body of POST /access-requests/{id}/deliver.
type apiAccessRequestDeliverIn struct {
	What string `json:"what" required:"true" doc:"what was delivered; a recording as a complete copy or a complete transcript, never a summary"`
	On   string `json:"on" format:"date" doc:"default: today"`
}

// apiAccessRequestJSON is an access request as the API shows it.
type apiAccessRequestJSON struct {
	ID              int64   `json:"id"`
	Kind            string  `json:"kind" enum:"employee,caller"`
	StaffID         string  `json:"staff_id"`
	Requester       string  `json:"requester"`
	Description     string  `json:"description"`
	ReceivedOn      *string `json:"received_on" format:"date"`
	DueOn           *string `json:"due_on" format:"date" doc:"one month after receipt, three when extended (R-DSR-1)"`
	Extended        bool    `json:"extended"`
	ExtendedOn      *string `json:"extended_on" format:"date"`
	ExtensionReason string  `json:"extension_reason"`
	Delivered       bool    `json:"delivered"`
	DeliveredOn     *string `json:"delivered_on" format:"date"`
	DeliveredWhat   string  `json:"delivered_what"`
	Overdue         bool    `json:"overdue" doc:"not delivered and the due date has passed"`
	DaysLeft        *int    `json:"days_left" doc:"calendar days to the due date while open (negative when overdue); null when delivered"`
	CreatedBy       string  `json:"created_by"`
}

func apiAccessRequestOut(r *monitoring.AccessRequest, today time.Time) apiAccessRequestJSON {
	out := apiAccessRequestJSON{ID: r.ID, Kind: string(r.Kind), StaffID: r.StaffID, Requester: r.Requester, Description: r.Description,
		ReceivedOn: apiDateOut(r.ReceivedOn), DueOn: apiDateOut(r.DueOn), Extended: !r.ExtendedOn.IsZero(),
		ExtendedOn: apiDateOut(r.ExtendedOn), ExtensionReason: r.ExtensionReason, Delivered: !r.DeliveredOn.IsZero(),
		DeliveredOn: apiDateOut(r.DeliveredOn), DeliveredWhat: r.Delivered, CreatedBy: r.CreatedBy}
	if r.DeliveredOn.IsZero() && !r.DueOn.IsZero() {
		days := int(r.DueOn.Sub(today).Hours() / 24)
		out.DaysLeft = &days
		out.Overdue = r.DueOn.Before(today)
	}
	return out
}

// apiToday is today's date in the organisation's time zone.
func (s *Server) apiToday(c *fiber.Ctx) (time.Time, error) {
	_, loc, err := s.apiCaseOrg(c)
	if err != nil {
		return time.Time{}, err
	}
	return monitoring.Today(s.Now(), loc), nil
}

// apiDateOrToday parses an optional date field (default today); a date
// after today is Invalid (in_future).
func apiDateOrToday(fe monitoring.FieldErrors, field, v string, today time.Time) time.Time {
	if v == "" {
		return today
	}
	d := apiParseDateField(fe, field, v)
	if !d.IsZero() && d.After(today) {
		fe.Add(field, monitoring.MsgInFuture)
	}
	return d
}

func (s *Server) apiAccessRequestCreate(c *fiber.Ctx) error {
	var in apiAccessRequestIn
	if err := apiCaseDecode(c, &in); err != nil {
		return err
	}
	today, err := s.apiToday(c)
	if err != nil {
		return err
	}
	fe := monitoring.FieldErrors{}
	r := &monitoring.AccessRequest{Kind: monitoring.AccessRequestKind(in.Kind), Description: in.Description,
		ReceivedOn: apiDateOrToday(fe, "received_on", in.ReceivedOn, today), CreatedBy: principalOf(c).User.Email}
	switch r.Kind {
	case "":
		fe.Add("kind", monitoring.MsgRequired)
	case monitoring.RequestByEmployee:
		switch {
		case in.StaffID == "":
			fe.Add("staff_id", monitoring.MsgRequired)
		case !monitoring.ValidStaffID(in.StaffID):
			fe.Add("staff_id", monitoring.MsgInvalid)
		default:
			if _, err := s.Employees.FindEmployee(c.UserContext(), in.StaffID); apiIsNotFound(err) {
				fe.Add("staff_id", monitoring.MsgNotFound)
			} else if err != nil {
				return err
			}
		}
		r.StaffID = in.StaffID
		apiCaseText(fe, "requester", in.Requester, false, monitoring.MaxShort)
		r.Requester = strings.TrimSpace(in.Requester)
	case monitoring.RequestByCaller:
		apiCaseText(fe, "requester", in.Requester, true, monitoring.MaxShort)
		if in.StaffID != "" {
			fe.Add("staff_id", monitoring.MsgInvalid)
		}
		r.Requester = strings.TrimSpace(in.Requester)
	default:
		fe.Add("kind", monitoring.MsgUnknown)
	}
	apiCaseText(fe, "description", in.Description, true, monitoring.MaxText)
	if err := fe.Err(); err != nil {
		return err
	}
	// R-DSR-1: due one month after receipt (the service sets it too).
	r.DueOn = monitoring.AccessRequestDue(r.ReceivedOn, false)
	if err := s.Requests.CreateAccessRequest(c.UserContext(), r.CreatedBy, r); err != nil {
		return err
	}
	return s.apiAccessRequestSend(c, fiber.StatusCreated, r.ID, today)
}

func (s *Server) apiAccessRequestSend(c *fiber.Ctx, status int, id int64, today time.Time) error {
	r, err := s.Requests.FindAccessRequest(c.UserContext(), id)
	if err != nil {
		return err
	}
	return apiSendJSON(c, status, apiAccessRequestOut(r, today))
}

// apiAccessRequestList lists requests; ?open=true only those not delivered.
func (s *Server) apiAccessRequestList(c *fiber.Ctx) error {
	lp, err := apiParseList(c)
	if err != nil {
		return err
	}
	cur, err := lp.seqCursor()
	if err != nil {
		return err
	}
	open, err := apiQueryBool(c, "open")
	if err != nil {
		return err
	}
	f := monitoring.AccessRequestFilter{Cursor: cur, Limit: lp.Limit, Open: open != nil && *open}
	rs, next, err := s.Requests.ListAccessRequests(c.UserContext(), f)
	if err != nil {
		return err
	}
	today, err := s.apiToday(c)
	if err != nil {
		return err
	}
	out := apiPage[apiAccessRequestJSON]{Items: make([]apiAccessRequestJSON, 0, len(rs)), NextCursor: apiEncodeSeqCursor(next)}
	for _, r := range rs {
		out.Items = append(out.Items, apiAccessRequestOut(r, today))
	}
	return apiSendJSON(c, fiber.StatusOK, out)
}

func (s *Server) apiAccessRequestLoad(c *fiber.Ctx) (*monitoring.AccessRequest, time.Time, error) {
	id, err := apiPathID(c, "id")
	if err != nil {
		return nil, time.Time{}, err
	}
	r, err := s.Requests.FindAccessRequest(c.UserContext(), id)
	if err != nil {
		return nil, time.Time{}, err
	}
	today, err := s.apiToday(c)
	return r, today, err
}

func (s *Server) apiAccessRequestGet(c *fiber.Ctx) error {
	r, today, err := s.apiAccessRequestLoad(c)
	if err != nil {
		return err
	}
	return apiSendJSON(c, fiber.StatusOK, apiAccessRequestOut(r, today))
}

// apiAccessRequestExtend extends the due date by two months with the
// reasons told to the requester (R-DSR-1); 409 when already extended or
// delivered.
func (s *Server) apiAccessRequestExtend(c *fiber.Ctx) error {
	r, today, err := s.apiAccessRequestLoad(c)
	if err != nil {
		return err
	}
	var in apiAccessRequestExtendIn
	if err := apiCaseDecode(c, &in); err != nil {
		return err
	}
	fe := monitoring.FieldErrors{}
	apiCaseText(fe, "reason", in.Reason, true, monitoring.MaxText)
	on := apiDateOrToday(fe, "on", in.On, today)
	if err := fe.Err(); err != nil {
		return err
	}
	if err := s.Requests.ExtendAccessRequest(c.UserContext(), principalOf(c).User.Email, r.ID, on, in.Reason); err != nil {
		return err
	}
	return s.apiAccessRequestSend(c, fiber.StatusOK, r.ID, today)
}

// apiAccessRequestDeliver records what was delivered and when (R-DSR-1).
func (s *Server) apiAccessRequestDeliver(c *fiber.Ctx) error {
	r, today, err := s.apiAccessRequestLoad(c)
	if err != nil {
		return err
	}
	var in apiAccessRequestDeliverIn
	if err := apiCaseDecode(c, &in); err != nil {
		return err
	}
	fe := monitoring.FieldErrors{}
	apiCaseText(fe, "what", in.What, true, monitoring.MaxText)
	on := apiDateOrToday(fe, "on", in.On, today)
	if !on.IsZero() && !r.ReceivedOn.IsZero() && on.Before(r.ReceivedOn) {
		fe.Add("on", monitoring.MsgInvalid)
	}
	if err := fe.Err(); err != nil {
		return err
	}
	if err := s.Requests.DeliverAccessRequest(c.UserContext(), principalOf(c).User.Email, r.ID, on, in.What); err != nil {
		return err
	}
	return s.apiAccessRequestSend(c, fiber.StatusOK, r.ID, today)
}
