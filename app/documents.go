package app

import (
	"bytes"
	"context"
	"strings"

	"github.com/gofiber/fiber/v2"

	"vaaka/app/pdf"
	"vaaka/cooperation"
	"vaaka/monitoring"
)

// routesDocuments registers the PDF documents under /documents.
//
// The documents are linked from web pages and fetched by integrations, so
// they take both credentials: a request carrying an Authorization header is
// authenticated as an API request (bearer token, which then needs the read
// scope), any other by the browser session, through the same middleware
// functions the API and the web pages use (apiAuth, webSession). One group
// middleware picks the one; the route's guard then checks the roles. These
// routes are registered before the web routes, so the web's session
// middleware does not run a second time for them.
func (s *Server) routesDocuments(r fiber.Router) {
	g := r.Group("/documents", s.documentAuth)
	readCases := s.documentNeed(rHR, rDPO, rRep)
	g.Get("/cases/:id/proposal.pdf", readCases, s.handleProposalPDF)
	g.Get("/cases/:id/meetings/:meeting_id/minutes.pdf", readCases, s.handleMinutesPDF)

	// Wave 3 (documents_more.go). A notice: HR, the DPO, representatives
	// and the employees it was issued to; anyone else 404 (loadNotice).
	g.Get("/notices/:id.pdf", s.documentNeed(), s.handleNoticePDF)
	// The register extract (R-ROPA-1): the register's readers, token scope
	// read or register:read.
	readRegister := s.documentNeedScope(monitoring.ScopeRegisterRead, rHR, rDPO, rRep, rSup)
	g.Get("/register.pdf", readRegister, s.handleRegisterPDF)
	g.Get("/register.csv", readRegister, s.handleRegisterCSV)
	g.Get("/register.json", readRegister, s.handleRegisterJSON)
	// An employee's report (R-DSR-1): the employee themself, HR and the DPO
	// (checked by the handler, which audits reads by others, R-LOG-1).
	g.Get("/employees/:staff_id/report.pdf", s.documentNeed(), s.handleReportPDF)
	g.Get("/compliance.pdf", s.documentNeed(rHR, rDPO), s.handleCompliancePDF)
}

// documentAuth authenticates a document request by bearer token when the
// request carries an Authorization header, else by the session cookie.
func (s *Server) documentAuth(c *fiber.Ctx) error {
	if c.Get(fiber.HeaderAuthorization) != "" {
		return s.apiAuth(c)
	}
	return s.webSession(c)
}

// documentNeed guards a document: no credentials → the login page (303,
// like every page; a bad token has already been answered 401 by apiAuth);
// a role that can never read the documents → 403; a token needs the read
// scope.
func (s *Server) documentNeed(roles ...monitoring.Role) fiber.Handler {
	return s.documentNeedScope(monitoring.ScopeRead, roles...)
}

// documentNeedScope is documentNeed with another token scope.
func (s *Server) documentNeedScope(scope monitoring.Scope, roles ...monitoring.Role) fiber.Handler {
	signed := s.signedIn()
	return func(c *fiber.Ctx) error {
		p := principalOf(c)
		if p == nil {
			return signed(c) // redirects to /login?next=…
		}
		if err := allowed(p, scope, roles...); err != nil {
			return err
		}
		return c.Next()
	}
}

// documentLang is ?lang= when given (an unknown value is a 400 naming the
// field), else the reader's language.
func (s *Server) documentLang(c *fiber.Ctx) (monitoring.Language, error) {
	if q := c.Query("lang"); q != "" {
		l := monitoring.Language(q)
		if !l.Valid() {
			return "", errBadField("lang", monitoring.MsgUnknown)
		}
		return l, nil
	}
	return s.langOf(c), nil
}

// documentOptions builds the options common to the case documents: the
// language, the organisation and its zone, names of the people of the case,
// and the names of the activities concerned.
func (s *Server) documentOptions(c *fiber.Ctx, cs *cooperation.Case) (pdf.Options, error) {
	ctx := c.UserContext()
	lang, err := s.documentLang(c)
	if err != nil {
		return pdf.Options{}, err
	}
	org, err := s.Settings.Organisation(ctx)
	if err != nil {
		return pdf.Options{}, err
	}
	o := pdf.Options{
		Lang:        lang,
		GeneratedAt: s.Now(),
		Org:         pdf.OrgInfo{Name: org.Name, BusinessID: org.BusinessID, Address: org.Address},
		T:           func(key string, kv ...string) string { return s.i18n.T(lang, key, kv...) },
		Location:    org.Location(),
		Names:       documentNames(cs),
	}
	for _, id := range cs.ActivityIDs {
		a, err := s.Register.FindActivity(ctx, id)
		if err != nil {
			if monitoring.ErrorCodeOf(err) == monitoring.NotFound {
				continue
			}
			return pdf.Options{}, err
		}
		o.Activities = append(o.Activities, a.Name)
	}
	return o, nil
}

// documentNames maps the emails of the case's people to their names: the
// staff groups' representatives and the meetings' participants.
func documentNames(cs *cooperation.Case) map[string]string {
	names := map[string]string{}
	for _, g := range cs.Groups {
		for _, r := range g.Representatives {
			if r.Name != "" {
				names[strings.ToLower(r.Email)] = r.Name
			}
		}
	}
	for _, m := range cs.Meetings {
		for _, p := range m.Participants {
			if p.Name != "" {
				names[strings.ToLower(p.Email)] = p.Name
			}
		}
	}
	return names
}

// addUserName adds the name of a user (e.g. the author) when it is known.
func (s *Server) addUserName(ctx context.Context, names map[string]string, email string) {
	k := strings.ToLower(email)
	if email == "" || names[k] != "" {
		return
	}
	if u, err := s.Accounts.FindUserByEmail(ctx, k); err == nil && u.Name != "" {
		names[k] = u.Name
	}
}

// sendPDF answers a rendered document: inline, with a filename from the
// document id, never cached.
func sendPDF(c *fiber.Ctx, docID string, buf *bytes.Buffer) error {
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, `inline; filename="`+docID+`.pdf"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(buf.Bytes())
}

// handleProposalPDF: the current written information / negotiation
// proposal / hearing invitation of a case (R-COOP-2, R-COOP-6, R-COOP-9).
func (s *Server) handleProposalPDF(c *fiber.Ctx) error {
	cs, _, err := s.loadCase(c)
	if err != nil {
		return err
	}
	in := cs.CurrentInformation()
	if in == nil {
		return fiber.ErrNotFound
	}
	o, err := s.documentOptions(c, cs)
	if err != nil {
		return err
	}
	s.addUserName(c.UserContext(), o.Names, in.CreatedBy)
	o.DocID = pdf.ProposalID(cs.ID, in.Version)
	var buf bytes.Buffer
	if err := pdf.Proposal(&buf, cs, in, o); err != nil {
		return err
	}
	return sendPDF(c, o.DocID, &buf)
}

// handleMinutesPDF: the current minutes of a meeting with their approvals
// and dissent (R-COOP-4, R-COOP-8, R-COOP-11).
func (s *Server) handleMinutesPDF(c *fiber.Ctx) error {
	cs, _, err := s.loadCase(c)
	if err != nil {
		return err
	}
	mid, err := caseParam(c, "meeting_id")
	if err != nil {
		return err
	}
	m := cs.Meeting(mid)
	if m == nil || m.CurrentMinutes() == nil {
		return fiber.ErrNotFound
	}
	o, err := s.documentOptions(c, cs)
	if err != nil {
		return err
	}
	s.addUserName(c.UserContext(), o.Names, m.CurrentMinutes().WrittenBy)
	o.DocID = pdf.MinutesID(cs.ID, m.ID, m.CurrentMinutes().Version)
	var buf bytes.Buffer
	if err := pdf.Minutes(&buf, cs, m, o); err != nil {
		return err
	}
	return sendPDF(c, o.DocID, &buf)
}
