package app

import (
	"context"
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"vaaka/cooperation"
	"vaaka/monitoring"
)

// Notices to employees (SPEC "Notice to employees", LAW.md R-NOT-*): hr
// issues a notice per activity after the co-operation case was concluded
// (R-SEQ-1, R-COOP-10); it goes to every active employee of the affected
// units; each recipient's delivery, first read and acknowledgement are
// recorded. hr, dpo and representatives read every notice; an employee
// reads and acknowledges the notices issued to them (others: 404).

// routesAPINotices registers the notices, the employee's own notices,
// access requests, the register extract and the callers' information.
func (s *Server) routesAPINotices(r fiber.Router) {
	read, write := monitoring.ScopeRead, monitoring.ScopeWrite
	regRead := monitoring.ScopeRegisterRead
	hr, dpo, rep := monitoring.RoleHR, monitoring.RoleDPO, monitoring.RoleRepresentative
	supervisor, employee := monitoring.RoleSupervisor, monitoring.RoleEmployee

	r.Post("/activities/:id/notices", s.need(write, hr), s.apiNoticeIssue)
	r.Get("/activities/:id/notices", s.need(read, hr, dpo, rep), s.apiNoticeList)
	r.Get("/activities/:id/caller-information", s.need(regRead, hr, dpo, rep, supervisor), s.apiCallerInformation)
	// Row level: an employee reads only the notices issued to them.
	r.Get("/notices/:id", s.need(read, hr, dpo, rep, employee), s.apiNoticeGet)
	r.Get("/notices/:id/acknowledgements", s.need(read, hr, dpo), s.apiNoticeAcknowledgements)
	r.Post("/notices/:id/remind", s.need(write, hr), s.apiNoticeRemind)
	// Only the employee the notice was issued to acknowledges it.
	r.Post("/notices/:id/acknowledge", s.need(write), s.apiNoticeAcknowledge)

	r.Get("/me/notices", s.need(read), s.apiMeNotices)
	r.Get("/me/notices/:id", s.need(read), s.apiMeNotice)

	// Access requests (R-DSR-1): hr and dpo.
	r.Post("/access-requests", s.need(write, hr, dpo), s.apiAccessRequestCreate)
	r.Get("/access-requests", s.need(read, hr, dpo), s.apiAccessRequestList)
	r.Get("/access-requests/:id", s.need(read, hr, dpo), s.apiAccessRequestGet)
	r.Post("/access-requests/:id/extend", s.need(write, hr, dpo), s.apiAccessRequestExtend)
	r.Post("/access-requests/:id/deliver", s.need(write, hr, dpo), s.apiAccessRequestDeliver)

	// The register extract (R-ROPA-1): the register's readers.
	r.Get("/register", s.need(regRead, hr, dpo, rep, supervisor), s.apiRegister)
}

// ---- JSON shapes --------------------------------------------------------

// apiNoticeIn is the body of POST /activities/{id}/notices.
type apiNoticeIn struct {
	IntroductionOn string `json:"introduction_on" format:"date" required:"true" doc:"when the monitoring starts (R-NOT-1)"`
	Purpose        string `json:"purpose" doc:"default: the purpose the co-operation case's conclusion defined (R-COOP-10)"`
	Methods        string `json:"methods" doc:"default: the methods the conclusion defined"`
	Handled        string `json:"handled" doc:"what was handled and decided in the procedure (R-NOT-3)"`
	PlainFinnish   string `json:"plain_finnish" doc:"an optional plain-language (selkosuomi) text"`
}

// apiNoticeJSON is a notice without its assembled content.
type apiNoticeJSON struct {
	ID              int64   `json:"id"`
	ActivityID      int64   `json:"activity_id"`
	Version         int     `json:"version" doc:"the notices of the activity count 1, 2, …"`
	ActivityVersion int     `json:"activity_version" doc:"the register version the notice describes"`
	CaseID          *int64  `json:"case_id" doc:"the concluded co-operation case the notice refers to (R-NOT-3)"`
	IntroductionOn  *string `json:"introduction_on" format:"date"`
	Purpose         string  `json:"purpose"`
	Methods         string  `json:"methods"`
	Handled         string  `json:"handled"`
	PlainFinnish    string  `json:"plain_finnish"`
	IssuedAt        *string `json:"issued_at" format:"date-time"`
	IssuedBy        string  `json:"issued_by"`
	Recipients      int     `json:"recipients" doc:"how many employees it was issued to"`
	Superseded      bool    `json:"superseded" doc:"a newer notice of the activity replaced this one"`
}

// apiNoticeDetailJSON is a notice with its content.
type apiNoticeDetailJSON struct {
	apiNoticeJSON
	Content apiNoticeContentJSON `json:"content" doc:"what the notice says: R-NOT-1, R-NOT-3 and the GDPR Art 13 items (R-NOT-2)"`
}

type apiControllerJSON struct {
	Name       string `json:"name"`
	BusinessID string `json:"business_id"`
	Address    string `json:"address"`
}

type apiNoticeDecisionJSON struct {
	Text        string  `json:"text"`
	ConcludedAt *string `json:"concluded_at" format:"date-time"`
}

type apiRightJSON struct {
	Right string `json:"right" enum:"access,rectification,erasure,restriction,objection,portability,withdraw_consent"`
	Text  string `json:"text"`
}

type apiComplaintJSON struct {
	Authority string `json:"authority"`
	Text      string `json:"text"`
	URL       string `json:"url"`
}

// apiNoticeContentJSON is the assembled content of a notice, in the
// caller's language (monitoring.BuildNoticeContent).
type apiNoticeContentJSON struct {
	ActivityName        string                 `json:"activity_name"`
	Description         string                 `json:"description"`
	Method              string                 `json:"method"`
	Directions          []string               `json:"directions" enum:"inbound,outbound"`
	IntroductionOn      *string                `json:"introduction_on" format:"date"`
	Purpose             string                 `json:"purpose" doc:"R-NOT-1"`
	Methods             string                 `json:"methods" doc:"R-NOT-1"`
	Handled             string                 `json:"handled" doc:"R-NOT-3"`
	PlainFinnish        string                 `json:"plain_finnish"`
	Decision            *apiNoticeDecisionJSON `json:"decision" doc:"the co-operation case's conclusion (R-COOP-10); null when none"`
	Controller          apiControllerJSON      `json:"controller" doc:"Art 13(1)(a)"`
	DPOContact          string                 `json:"dpo_contact" doc:"Art 13(1)(b)"`
	PrivacyNoticeURL    string                 `json:"privacy_notice_url"`
	Purposes            []apiPurposeJSON       `json:"purposes" doc:"Art 13(1)(c)"`
	LawfulBasis         string                 `json:"lawful_basis" enum:",contract,legal_obligation,vital_interests,public_task,legitimate_interests,consent"`
	LawfulBasisLabel    string                 `json:"lawful_basis_label"`
	LawfulBasisDetail   string                 `json:"lawful_basis_detail"`
	LegitimateInterests string                 `json:"legitimate_interests" doc:"Art 13(1)(d): the interests pursued; empty unless the basis is legitimate_interests"`
	DataCategories      []string               `json:"data_categories"`
	Recipients          string                 `json:"recipients" doc:"Art 13(1)(e)"`
	Transfers           string                 `json:"transfers" doc:"Art 13(1)(f)"`
	RetentionDays       int                    `json:"retention_days" doc:"Art 13(2)(a)"`
	RetentionCriteria   string                 `json:"retention_criteria"`
	Retention           string                 `json:"retention" doc:"the retention period as a sentence"`
	AuthorizedTasks     []string               `json:"authorized_tasks" doc:"the tasks that entitle someone to use the recordings (R-ACC-1)"`
	Rights              []apiRightJSON         `json:"rights" doc:"Art 13(2)(b)–(c)"`
	Complaint           apiComplaintJSON       `json:"complaint" doc:"Art 13(2)(d): the Data Protection Ombudsman"`
	Obligation          string                 `json:"obligation" doc:"Art 13(2)(e)"`
	AutomatedDecisions  string                 `json:"automated_decision_making" doc:"Art 13(2)(f)"`
	ActURL              string                 `json:"act_url" doc:"Act 759/2004, kept available to employees (R-NOT-5)"`
	Disclaimer          string                 `json:"disclaimer"`
}

// apiRecipientJSON is one employee's copy of a notice.
type apiRecipientJSON struct {
	StaffID        string  `json:"staff_id"`
	Name           string  `json:"name"`
	DeliveredAt    *string `json:"delivered_at" format:"date-time"`
	ReadAt         *string `json:"read_at" format:"date-time" doc:"the first read"`
	AcknowledgedAt *string `json:"acknowledged_at" format:"date-time"`
	RemindedAt     *string `json:"reminded_at" format:"date-time" doc:"the last reminder"`
}

// apiRemindJSON is the answer of POST /notices/{id}/remind.
type apiRemindJSON struct {
	Reminded int `json:"reminded" doc:"the recipients who had not acknowledged and were sent a reminder"`
}

// ---- output -------------------------------------------------------------

func apiNoticeOut(n *monitoring.Notice) apiNoticeJSON {
	out := apiNoticeJSON{ID: n.ID, ActivityID: n.ActivityID, Version: n.Version, ActivityVersion: n.ActivityVersion,
		IntroductionOn: apiDateOut(n.IntroductionOn), Purpose: n.Purpose, Methods: n.Methods, Handled: n.Handled,
		PlainFinnish: n.PlainFinnish, IssuedAt: apiTimeOut(n.IssuedAt), IssuedBy: n.IssuedBy, Recipients: n.Recipients,
		Superseded: n.Superseded}
	if n.CaseID > 0 {
		id := n.CaseID
		out.CaseID = &id
	}
	return out
}

func apiRecipientOut(r *monitoring.NoticeRecipient) apiRecipientJSON {
	return apiRecipientJSON{StaffID: r.StaffID, Name: r.Name, DeliveredAt: apiTimeOut(r.DeliveredAt), ReadAt: apiTimeOut(r.ReadAt),
		AcknowledgedAt: apiTimeOut(r.AcknowledgedAt), RemindedAt: apiTimeOut(r.RemindedAt)}
}

// noticeContent loads what a notice's content is assembled from (the
// activity, the organisation and the conclusion of its case) and assembles
// it with monitoring.BuildNoticeContent. The web page and the PDF use it too.
func (s *Server) noticeContent(ctx context.Context, n *monitoring.Notice) (monitoring.NoticeContent, error) {
	a, err := s.Register.FindActivity(ctx, n.ActivityID)
	if err != nil {
		return monitoring.NoticeContent{}, err
	}
	org, err := s.Settings.Organisation(ctx)
	if err != nil {
		return monitoring.NoticeContent{}, err
	}
	var con *cooperation.Conclusion
	if n.CaseID > 0 && s.Cases != nil {
		cs, err := s.Cases.FindCase(ctx, n.CaseID)
		switch {
		case err == nil:
			con = cs.Conclusion
		case apiIsNotFound(err):
		default:
			return monitoring.NoticeContent{}, err
		}
	}
	return monitoring.BuildNoticeContent(n, a, org, con), nil
}

// apiNoticeContentOut translates the content into lang.
func (s *Server) apiNoticeContentOut(lang monitoring.Language, nc monitoring.NoticeContent) apiNoticeContentJSON {
	t := func(key string, kv ...string) string { return s.i18n.T(lang, key, kv...) }
	out := apiNoticeContentJSON{ActivityName: nc.ActivityName, Description: nc.Description, Method: string(nc.Method),
		Directions: apiStrs(nc.Directions), IntroductionOn: apiDateOut(nc.IntroductionOn), Purpose: nc.Purpose, Methods: nc.Methods,
		Handled: nc.Handled, PlainFinnish: nc.PlainFinnish,
		Controller:       apiControllerJSON{Name: nc.Controller.Name, BusinessID: nc.Controller.BusinessID, Address: nc.Controller.Address},
		DPOContact:       nc.DPOContact,
		PrivacyNoticeURL: nc.PrivacyNoticeURL, Purposes: make([]apiPurposeJSON, 0, len(nc.Purposes)),
		LawfulBasis: string(nc.LawfulBasis), LawfulBasisDetail: nc.LawfulBasisDetail, LegitimateInterests: nc.LegitimateInterests,
		DataCategories: apiNonNil(nc.DataCategories), Recipients: nc.Recipients, Transfers: nc.Transfers,
		RetentionDays: nc.RetentionDays, RetentionCriteria: nc.RetentionCriteria, AuthorizedTasks: apiNonNil(nc.AuthorizedTasks),
		Rights: make([]apiRightJSON, 0, len(nc.Rights)),
		Complaint: apiComplaintJSON{Authority: t("apinotice.complaint.authority"), Text: t("apinotice.complaint.text", "url", nc.ComplaintURL),
			URL: nc.ComplaintURL},
		Obligation: t("apinotice." + nc.ObligationKey), AutomatedDecisions: t("apinotice." + nc.AutomatedKey),
		ActURL: nc.ActURL, Disclaimer: t("apinotice.disclaimer"),
	}
	if nc.LawfulBasis != "" {
		out.LawfulBasisLabel = t("web.lawful_basis." + string(nc.LawfulBasis))
	}
	if nc.Decision != "" || !nc.DecidedAt.IsZero() {
		out.Decision = &apiNoticeDecisionJSON{Text: nc.Decision, ConcludedAt: apiTimeOut(nc.DecidedAt)}
	}
	for _, p := range nc.Purposes {
		out.Purposes = append(out.Purposes, apiPurposeJSON{Code: p.Code, Description: p.Description})
	}
	switch {
	case nc.RetentionDays > 0 && strings.TrimSpace(nc.RetentionCriteria) != "":
		out.Retention = t("apinotice.retention.days_criteria", "days", itoa(nc.RetentionDays), "criteria", nc.RetentionCriteria)
	case nc.RetentionDays > 0:
		out.Retention = t("apinotice.retention.days", "days", itoa(nc.RetentionDays))
	default:
		out.Retention = t("apinotice.retention.criteria", "criteria", nc.RetentionCriteria)
	}
	for _, r := range nc.Rights {
		out.Rights = append(out.Rights, apiRightJSON{Right: r, Text: t("apinotice.right." + r)})
	}
	return out
}

func (s *Server) apiNoticeDetail(c *fiber.Ctx, n *monitoring.Notice) (apiNoticeDetailJSON, error) {
	nc, err := s.noticeContent(c.UserContext(), n)
	if err != nil {
		return apiNoticeDetailJSON{}, err
	}
	return apiNoticeDetailJSON{apiNoticeJSON: apiNoticeOut(n), Content: s.apiNoticeContentOut(s.langOf(c), nc)}, nil
}

// ---- access -------------------------------------------------------------

// apiNoticeReader reports whether u reads every notice (hr, dpo,
// representatives); anyone else reads only their own.
func apiNoticeReader(u *monitoring.User) bool {
	return u.HasAny(monitoring.RoleHR, monitoring.RoleDPO, monitoring.RoleRepresentative)
}

// apiNoticeLoad loads the notice of the path's :id.
func (s *Server) apiNoticeLoad(c *fiber.Ctx) (*monitoring.Notice, error) {
	id, err := apiPathID(c, "id")
	if err != nil {
		return nil, err
	}
	return s.Notices.FindNotice(c.UserContext(), id)
}

// apiOwnRecipient returns the principal's own copy of notice id: 404 when
// the principal has no staff id or the notice was not issued to them.
func (s *Server) apiOwnRecipient(c *fiber.Ctx, id int64) (*monitoring.NoticeRecipient, error) {
	staff := principalOf(c).User.StaffID
	if staff == "" {
		return nil, apiErrNotFound
	}
	r, err := s.Notices.Recipient(c.UserContext(), id, staff)
	if apiIsNotFound(err) {
		return nil, apiErrNotFound
	}
	return r, err
}

// apiIsNotFound reports whether err is a domain NotFound of any package.
func apiIsNotFound(err error) bool {
	var ce codedError
	return errors.As(err, &ce) && ce.ErrorCode() == string(monitoring.NotFound)
}

// ---- handlers -----------------------------------------------------------

// apiNoticeIssue issues the notice of an activity to every active employee
// of its affected units (R-NOT-1, R-NOT-2); refused with 409 and the rules
// while the co-operation case is not concluded (R-SEQ-1, R-COOP-10).
func (s *Server) apiNoticeIssue(c *fiber.Ctx) error {
	id, err := apiPathID(c, "id")
	if err != nil {
		return err
	}
	var in apiNoticeIn
	if err := apiCaseDecode(c, &in); err != nil {
		return err
	}
	if _, err := s.Register.FindActivity(c.UserContext(), id); err != nil {
		return err
	}
	fe := monitoring.FieldErrors{}
	p := principalOf(c)
	n := &monitoring.Notice{ActivityID: id, IntroductionOn: apiParseDateField(fe, "introduction_on", in.IntroductionOn),
		Purpose: in.Purpose, Methods: in.Methods, Handled: in.Handled, PlainFinnish: in.PlainFinnish,
		IssuedBy: p.User.Email, IssuedAt: s.Now()}
	if _, bad := fe["introduction_on"]; !bad {
		_, loc, err := s.apiCaseOrg(c)
		if err != nil {
			return err
		}
		apiMergeInvalid(fe, n.Validate(monitoring.Today(s.Now(), loc)))
	}
	if err := fe.Err(); err != nil {
		return err
	}
	if err := s.Notices.IssueNotice(c.UserContext(), p.User.Email, n); err != nil {
		return err
	}
	stored, err := s.Notices.FindNotice(c.UserContext(), n.ID)
	if err != nil {
		return err
	}
	return apiSendJSON(c, fiber.StatusCreated, apiNoticeOut(stored))
}

// apiNoticeList lists the notices of an activity, newest first.
func (s *Server) apiNoticeList(c *fiber.Ctx) error {
	id, err := apiPathID(c, "id")
	if err != nil {
		return err
	}
	lp, err := apiParseList(c)
	if err != nil {
		return err
	}
	cur, err := lp.seqCursor()
	if err != nil {
		return err
	}
	if _, err := s.Register.FindActivity(c.UserContext(), id); err != nil {
		return err
	}
	ns, next, err := s.Notices.ListNotices(c.UserContext(), monitoring.NoticeFilter{ActivityID: id, Cursor: cur, Limit: lp.Limit})
	if err != nil {
		return err
	}
	return apiSendJSON(c, fiber.StatusOK, apiPage[apiNoticeJSON]{Items: apiMap(ns, apiNoticeOut), NextCursor: apiEncodeSeqCursor(next)})
}

// apiNoticeGet answers a notice with its content: hr, dpo and
// representatives any notice, an employee only one issued to them (404
// otherwise; their read is recorded).
func (s *Server) apiNoticeGet(c *fiber.Ctx) error {
	n, err := s.apiNoticeLoad(c)
	if err != nil {
		return err
	}
	u := principalOf(c).User
	if !apiNoticeReader(u) {
		if _, err := s.apiOwnRecipient(c, n.ID); err != nil {
			return err
		}
		if err := s.Notices.MarkRead(c.UserContext(), n.ID, u.StaffID); err != nil {
			return err
		}
	}
	out, err := s.apiNoticeDetail(c, n)
	if err != nil {
		return err
	}
	return apiSendJSON(c, fiber.StatusOK, out)
}

// apiNoticeAcknowledgements lists the recipients with their delivery, read
// and acknowledgement; ?unacknowledged=true and ?unread=true show who has
// not (R-NOT-1).
func (s *Server) apiNoticeAcknowledgements(c *fiber.Ctx) error {
	n, err := s.apiNoticeLoad(c)
	if err != nil {
		return err
	}
	lp, err := apiParseList(c)
	if err != nil {
		return err
	}
	f := monitoring.RecipientFilter{Cursor: lp.Cursor, Limit: lp.Limit}
	if lp.Cursor != "" && !monitoring.ValidStaffID(lp.Cursor) {
		return errBadField("cursor", apiKeyCursor)
	}
	for name, dst := range map[string]*bool{"unacknowledged": &f.Unacknowledged, "unread": &f.Unread} {
		b, err := apiQueryBool(c, name)
		if err != nil {
			return err
		}
		if b != nil {
			*dst = *b
		}
	}
	rs, next, err := s.Notices.Recipients(c.UserContext(), n.ID, f)
	if err != nil {
		return err
	}
	return apiSendJSON(c, fiber.StatusOK, apiPage[apiRecipientJSON]{Items: apiMap(rs, apiRecipientOut), NextCursor: apiEncodeCursor(next)})
}

// apiNoticeRemind queues a reminder to every recipient who has not
// acknowledged and answers how many.
func (s *Server) apiNoticeRemind(c *fiber.Ctx) error {
	n, err := s.apiNoticeLoad(c)
	if err != nil {
		return err
	}
	k, err := s.Notices.Remind(c.UserContext(), principalOf(c).User.Email, n.ID)
	if err != nil {
		return err
	}
	return apiSendJSON(c, fiber.StatusOK, apiRemindJSON{Reminded: k})
}

// apiNoticeAcknowledge records the principal's acknowledgement of a notice
// issued to them: 403 for a user without a staff id, 404 when the notice
// was not issued to them.
func (s *Server) apiNoticeAcknowledge(c *fiber.Ctx) error {
	id, err := apiPathID(c, "id")
	if err != nil {
		return err
	}
	u := principalOf(c).User
	if u.StaffID == "" {
		return errForbidden
	}
	if _, err := s.apiOwnRecipient(c, id); err != nil {
		return err
	}
	ctx := c.UserContext()
	// Acknowledging implies having read it.
	if err := s.Notices.MarkRead(ctx, id, u.StaffID); err != nil {
		return err
	}
	if err := s.Notices.Acknowledge(ctx, id, u.StaffID); err != nil {
		return err
	}
	r, err := s.apiOwnRecipient(c, id)
	if err != nil {
		return err
	}
	return apiSendJSON(c, fiber.StatusOK, apiRecipientOut(r))
}
