package app

import (
	"github.com/gofiber/fiber/v2"

	"vaaka/monitoring"
)

// The register of monitoring activities (SPEC "Monitoring activity"): the
// activity object of the API contract, snake_case with nested objects.

type apiPurposeJSON struct {
	Code        string `json:"code" required:"true"`
	Description string `json:"description" required:"true"`
}

type apiAuthorizedUserJSON struct {
	Email string `json:"email" required:"true"`
	Task  string `json:"task" required:"true"`
}

type apiNecessityJSON struct {
	Category        string `json:"category" enum:"rights_and_obligations,employee_benefits,special_nature_of_work"`
	Justification   string `json:"justification"`
	Alternatives    string `json:"alternatives"`
	Proportionality string `json:"proportionality"`
}

type apiSpecialCategoriesJSON struct {
	Biometric bool   `json:"biometric"`
	Notes     string `json:"notes"`
}

type apiCallerInformationJSON struct {
	Inbound              map[string]string `json:"inbound" doc:"announcement text per language (fi, sv, en)"`
	Outbound             map[string]string `json:"outbound" doc:"announcement text per language (fi, sv, en)"`
	IVRPlacement         string            `json:"ivr_placement"`
	PrivacyNoticeURL     string            `json:"privacy_notice_url"`
	PreInformedCustomers string            `json:"pre_informed_customers"`
}

type apiDpiaJSON struct {
	Required          bool    `json:"required"`
	CompletedOn       *string `json:"completed_on" format:"date"`
	Summary           string  `json:"summary"`
	ReasonNotRequired string  `json:"reason_not_required"`
	FileRef           string  `json:"file_ref"`
}

// apiReadinessJSON is one condition of the activation gate (R-SEQ-1).
type apiReadinessJSON struct {
	Rule    string `json:"rule"`
	Met     bool   `json:"met"`
	Message string `json:"message"`
	Warning bool   `json:"warning"`
}

// apiActivityJSON is a register entry as the API shows it.
type apiActivityJSON struct {
	ID                int64                    `json:"id"`
	Name              string                   `json:"name"`
	Description       string                   `json:"description"`
	Method            string                   `json:"method"`
	System            string                   `json:"system"`
	Directions        []string                 `json:"directions" enum:"inbound,outbound"`
	Queues            []string                 `json:"queues"`
	Purposes          []apiPurposeJSON         `json:"purposes"`
	LawfulBasis       string                   `json:"lawful_basis" enum:",contract,legal_obligation,vital_interests,public_task,legitimate_interests,consent"`
	LawfulBasisDetail string                   `json:"lawful_basis_detail"`
	Necessity         apiNecessityJSON         `json:"necessity"`
	DataCategories    []string                 `json:"data_categories"`
	SpecialCategories apiSpecialCategoriesJSON `json:"special_categories"`
	BusinessLinesOnly bool                     `json:"business_lines_only"`
	Units             []string                 `json:"units"`
	AuthorizedUsers   []apiAuthorizedUserJSON  `json:"authorized_users"`
	RetentionDays     int                      `json:"retention_days"`
	RetentionCriteria string                   `json:"retention_criteria"`
	RetentionReason   string                   `json:"retention_reason"`
	CallerInformation apiCallerInformationJSON `json:"caller_information"`
	DPIA              apiDpiaJSON              `json:"dpia"`
	Recipients        string                   `json:"recipients"`
	Transfers         string                   `json:"transfers"`
	SecurityMeasures  string                   `json:"security_measures"`
	ReviewOn          *string                  `json:"review_on" format:"date"`
	IntroductionOn    *string                  `json:"introduction_on" format:"date" doc:"set when the notice is issued"`
	Status            string                   `json:"status" enum:"draft,in_cooperation,ready,active,suspended,retired"`
	Version           int                      `json:"version"`
	CreatedAt         *string                  `json:"created_at" format:"date-time"`
	UpdatedAt         *string                  `json:"updated_at" format:"date-time"`
	Readiness         []apiReadinessJSON       `json:"readiness,omitempty" doc:"every condition of the activation gate (single entry answers only)"`
}

func apiLangMap(m map[monitoring.Language]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[string(k)] = v
	}
	return out
}

func apiActivityOut(a *monitoring.Activity) apiActivityJSON {
	out := apiActivityJSON{
		ID: a.ID, Name: a.Name, Description: a.Description, Method: string(a.Method), System: a.System,
		Directions: apiStrs(a.Directions), Queues: apiNonNil(a.Queues), Purposes: make([]apiPurposeJSON, 0, len(a.Purposes)),
		LawfulBasis: string(a.LawfulBasis), LawfulBasisDetail: a.LawfulBasisDetail,
		Necessity: apiNecessityJSON{Category: string(a.Necessity.Category), Justification: a.Necessity.Justification,
			Alternatives: a.Necessity.Alternatives, Proportionality: a.Necessity.Proportionality},
		DataCategories:    apiNonNil(a.DataCategories),
		SpecialCategories: apiSpecialCategoriesJSON{Biometric: a.SpecialCategories.Biometric, Notes: a.SpecialCategories.Notes},
		BusinessLinesOnly: a.BusinessLinesOnly, Units: apiNonNil(a.Units),
		AuthorizedUsers: make([]apiAuthorizedUserJSON, 0, len(a.AuthorizedUsers)),
		RetentionDays:   a.RetentionDays, RetentionCriteria: a.RetentionCriteria, RetentionReason: a.RetentionReason,
		CallerInformation: apiCallerInformationJSON{
			Inbound: apiLangMap(a.CallerInformation.Inbound), Outbound: apiLangMap(a.CallerInformation.Outbound),
			IVRPlacement: a.CallerInformation.IVRPlacement, PrivacyNoticeURL: a.CallerInformation.PrivacyNoticeURL,
			PreInformedCustomers: a.CallerInformation.PreInformedCustomers},
		DPIA: apiDpiaJSON{Required: a.DPIA.Required, CompletedOn: apiDateOut(a.DPIA.CompletedOn), Summary: a.DPIA.Summary,
			ReasonNotRequired: a.DPIA.ReasonNotRequired, FileRef: a.DPIA.FileRef},
		Recipients: a.Recipients, Transfers: a.Transfers, SecurityMeasures: a.SecurityMeasures,
		ReviewOn: apiDateOut(a.ReviewOn), IntroductionOn: apiDateOut(a.IntroductionOn),
		Status: string(a.Status), Version: a.Version, CreatedAt: apiTimeOut(a.CreatedAt), UpdatedAt: apiTimeOut(a.UpdatedAt),
	}
	for _, p := range a.Purposes {
		out.Purposes = append(out.Purposes, apiPurposeJSON{Code: p.Code, Description: p.Description})
	}
	for _, u := range a.AuthorizedUsers {
		out.AuthorizedUsers = append(out.AuthorizedUsers, apiAuthorizedUserJSON{Email: u.Email, Task: u.Task})
	}
	return out
}

// Input DTOs: every field is a pointer so that PATCH leaves absent fields
// unchanged; POST applies the same DTO to an empty draft.

type apiNecessityIn struct {
	Category        *string `json:"category" enum:"rights_and_obligations,employee_benefits,special_nature_of_work"`
	Justification   *string `json:"justification"`
	Alternatives    *string `json:"alternatives"`
	Proportionality *string `json:"proportionality"`
}

type apiSpecialCategoriesIn struct {
	Biometric *bool   `json:"biometric"`
	Notes     *string `json:"notes"`
}

type apiCallerInformationIn struct {
	Inbound              *map[string]string `json:"inbound" doc:"announcement text per language (fi, sv, en); replaces the whole map"`
	Outbound             *map[string]string `json:"outbound" doc:"announcement text per language (fi, sv, en); replaces the whole map"`
	IVRPlacement         *string            `json:"ivr_placement"`
	PrivacyNoticeURL     *string            `json:"privacy_notice_url"`
	PreInformedCustomers *string            `json:"pre_informed_customers"`
}

type apiDpiaIn struct {
	Required          *bool   `json:"required" doc:"default true (R-DPIA-1)"`
	CompletedOn       *string `json:"completed_on" format:"date" doc:"\"\" clears"`
	Summary           *string `json:"summary"`
	ReasonNotRequired *string `json:"reason_not_required"`
	FileRef           *string `json:"file_ref"`
}

// apiActivityIn is the body of POST /activities and PATCH /activities/{id}.
type apiActivityIn struct {
	Name              *string                  `json:"name"`
	Description       *string                  `json:"description"`
	Method            *string                  `json:"method" doc:"call_recording, screen_recording, quality_scoring, speech_analytics, … (open list)"`
	System            *string                  `json:"system"`
	Directions        *[]string                `json:"directions" enum:"inbound,outbound"`
	Queues            *[]string                `json:"queues"`
	Purposes          *[]apiPurposeJSON        `json:"purposes"`
	LawfulBasis       *string                  `json:"lawful_basis" enum:",contract,legal_obligation,vital_interests,public_task,legitimate_interests,consent"`
	LawfulBasisDetail *string                  `json:"lawful_basis_detail"`
	Necessity         *apiNecessityIn          `json:"necessity"`
	DataCategories    *[]string                `json:"data_categories"`
	SpecialCategories *apiSpecialCategoriesIn  `json:"special_categories"`
	BusinessLinesOnly *bool                    `json:"business_lines_only"`
	Units             *[]string                `json:"units"`
	AuthorizedUsers   *[]apiAuthorizedUserJSON `json:"authorized_users"`
	RetentionDays     *int                     `json:"retention_days"`
	RetentionCriteria *string                  `json:"retention_criteria"`
	RetentionReason   *string                  `json:"retention_reason"`
	CallerInformation *apiCallerInformationIn  `json:"caller_information"`
	DPIA              *apiDpiaIn               `json:"dpia"`
	Recipients        *string                  `json:"recipients"`
	Transfers         *string                  `json:"transfers"`
	SecurityMeasures  *string                  `json:"security_measures"`
	ReviewOn          *string                  `json:"review_on" format:"date" doc:"\"\" clears"`
}

func apiSetStr(dst *string, src *string) {
	if src != nil {
		*dst = *src
	}
}

func apiLangMapIn(m map[string]string) map[monitoring.Language]string {
	out := make(map[monitoring.Language]string, len(m))
	for k, v := range m {
		out[monitoring.Language(k)] = v
	}
	return out
}

// apply copies the present fields onto a. Bad dates are collected in fe.
func (in *apiActivityIn) apply(a *monitoring.Activity, fe monitoring.FieldErrors) {
	apiSetStr(&a.Name, in.Name)
	apiSetStr(&a.Description, in.Description)
	if in.Method != nil {
		a.Method = monitoring.Method(*in.Method)
	}
	apiSetStr(&a.System, in.System)
	if in.Directions != nil {
		a.Directions = apiTyped[monitoring.Direction](*in.Directions)
	}
	if in.Queues != nil {
		a.Queues = *in.Queues
	}
	if in.Purposes != nil {
		a.Purposes = make([]monitoring.Purpose, len(*in.Purposes))
		for i, p := range *in.Purposes {
			a.Purposes[i] = monitoring.Purpose{Code: p.Code, Description: p.Description}
		}
	}
	if in.LawfulBasis != nil {
		a.LawfulBasis = monitoring.LawfulBasis(*in.LawfulBasis)
	}
	apiSetStr(&a.LawfulBasisDetail, in.LawfulBasisDetail)
	if n := in.Necessity; n != nil {
		if n.Category != nil {
			a.Necessity.Category = monitoring.NecessityCategory(*n.Category)
		}
		apiSetStr(&a.Necessity.Justification, n.Justification)
		apiSetStr(&a.Necessity.Alternatives, n.Alternatives)
		apiSetStr(&a.Necessity.Proportionality, n.Proportionality)
	}
	if in.DataCategories != nil {
		a.DataCategories = *in.DataCategories
	}
	if sc := in.SpecialCategories; sc != nil {
		if sc.Biometric != nil {
			a.SpecialCategories.Biometric = *sc.Biometric
		}
		apiSetStr(&a.SpecialCategories.Notes, sc.Notes)
	}
	if in.BusinessLinesOnly != nil {
		a.BusinessLinesOnly = *in.BusinessLinesOnly
	}
	if in.Units != nil {
		a.Units = *in.Units
	}
	if in.AuthorizedUsers != nil {
		a.AuthorizedUsers = make([]monitoring.AuthorizedUser, len(*in.AuthorizedUsers))
		for i, u := range *in.AuthorizedUsers {
			a.AuthorizedUsers[i] = monitoring.AuthorizedUser{Email: u.Email, Task: u.Task}
		}
	}
	if in.RetentionDays != nil {
		a.RetentionDays = *in.RetentionDays
	}
	apiSetStr(&a.RetentionCriteria, in.RetentionCriteria)
	apiSetStr(&a.RetentionReason, in.RetentionReason)
	if ci := in.CallerInformation; ci != nil {
		if ci.Inbound != nil {
			a.CallerInformation.Inbound = apiLangMapIn(*ci.Inbound)
		}
		if ci.Outbound != nil {
			a.CallerInformation.Outbound = apiLangMapIn(*ci.Outbound)
		}
		apiSetStr(&a.CallerInformation.IVRPlacement, ci.IVRPlacement)
		apiSetStr(&a.CallerInformation.PrivacyNoticeURL, ci.PrivacyNoticeURL)
		apiSetStr(&a.CallerInformation.PreInformedCustomers, ci.PreInformedCustomers)
	}
	if d := in.DPIA; d != nil {
		if d.Required != nil {
			a.DPIA.Required = *d.Required
		}
		if d.CompletedOn != nil {
			a.DPIA.CompletedOn = apiParseDateField(fe, "dpia.completed_on", *d.CompletedOn)
		}
		apiSetStr(&a.DPIA.Summary, d.Summary)
		apiSetStr(&a.DPIA.ReasonNotRequired, d.ReasonNotRequired)
		apiSetStr(&a.DPIA.FileRef, d.FileRef)
	}
	apiSetStr(&a.Recipients, in.Recipients)
	apiSetStr(&a.Transfers, in.Transfers)
	apiSetStr(&a.SecurityMeasures, in.SecurityMeasures)
	if in.ReviewOn != nil {
		a.ReviewOn = apiParseDateField(fe, "review_on", *in.ReviewOn)
	}
}

// apiDecodeActivity decodes an activity body strictly.
func apiDecodeActivity(c *fiber.Ctx) (*apiActivityIn, error) {
	b, err := apiJsonBody(c)
	if err != nil {
		return nil, err
	}
	var in apiActivityIn
	if err := apiDecodeStrict(b, &in, ""); err != nil {
		return nil, err
	}
	return &in, nil
}

// apiApplyChecked applies in to a and validates the result, so that a bad date
// and a bad enum are reported together.
func apiApplyChecked(in *apiActivityIn, a *monitoring.Activity, fe monitoring.FieldErrors) error {
	in.apply(a, fe)
	if len(fe) == 0 {
		return nil
	}
	apiMergeInvalid(fe, a.Validate())
	return fe.Err()
}

// apiWithReadiness answers the activity with its readiness checklist.
func (s *Server) apiWithReadiness(c *fiber.Ctx, a *monitoring.Activity) (apiActivityJSON, error) {
	out := apiActivityOut(a)
	rs, err := s.Register.Readiness(c.UserContext(), a.ID, s.Now())
	if err != nil {
		return out, err
	}
	out.Readiness = s.apiReadinessOut(c, rs)
	return out, nil
}

func (s *Server) apiReadinessOut(c *fiber.Ctx, rs []monitoring.Readiness) []apiReadinessJSON {
	lang := s.langOf(c)
	out := make([]apiReadinessJSON, 0, len(rs))
	for _, r := range rs {
		out = append(out, apiReadinessJSON{Rule: r.Rule, Met: r.Met, Warning: r.Warning, Message: s.i18n.T(lang, "readiness."+r.Key)})
	}
	return out
}

func (s *Server) apiActivityCreate(c *fiber.Ctx) error {
	in, err := apiDecodeActivity(c)
	if err != nil {
		return err
	}
	// R-DPIA-1: a DPIA is required unless the entry says otherwise.
	a := &monitoring.Activity{DPIA: monitoring.DPIA{Required: true}}
	fe := monitoring.FieldErrors{}
	if in.Method == nil {
		fe.Add("method", monitoring.MsgRequired)
	}
	if err := apiApplyChecked(in, a, fe); err != nil {
		return err
	}
	p := principalOf(c)
	if err := s.Register.CreateActivity(c.UserContext(), p.User.Email, a); err != nil {
		return err
	}
	out, err := s.apiWithReadiness(c, a)
	if err != nil {
		return err
	}
	return apiSendJSON(c, fiber.StatusCreated, out)
}

func (s *Server) apiActivityList(c *fiber.Ctx) error {
	lp, err := apiParseList(c)
	if err != nil {
		return err
	}
	cur, err := lp.seqCursor()
	if err != nil {
		return err
	}
	st := monitoring.Status(c.Query("status"))
	if st != "" && !st.Valid() {
		return errBadField("status", monitoring.MsgUnknown)
	}
	as, next, err := s.Register.ListActivities(c.UserContext(), monitoring.ActivityFilter{Status: st, Cursor: cur, Limit: lp.Limit})
	if err != nil {
		return err
	}
	return apiSendJSON(c, fiber.StatusOK, apiPage[apiActivityJSON]{Items: apiMap(as, apiActivityOut), NextCursor: apiEncodeSeqCursor(next)})
}

func (s *Server) apiActivityGet(c *fiber.Ctx) error {
	id, err := apiPathID(c, "id")
	if err != nil {
		return err
	}
	a, err := s.Register.FindActivity(c.UserContext(), id)
	if err != nil {
		return err
	}
	out, err := s.apiWithReadiness(c, a)
	if err != nil {
		return err
	}
	return apiSendJSON(c, fiber.StatusOK, out)
}

func (s *Server) apiActivityUpdate(c *fiber.Ctx) error {
	id, err := apiPathID(c, "id")
	if err != nil {
		return err
	}
	in, err := apiDecodeActivity(c)
	if err != nil {
		return err
	}
	p := principalOf(c)
	a, err := s.Register.UpdateActivity(c.UserContext(), p.User.Email, id, func(a *monitoring.Activity) error {
		return apiApplyChecked(in, a, monitoring.FieldErrors{})
	})
	if err != nil {
		return err
	}
	out, err := s.apiWithReadiness(c, a)
	if err != nil {
		return err
	}
	return apiSendJSON(c, fiber.StatusOK, out)
}

// apiActivityStatus moves an activity to status to. Activation is refused
// by the service with the unmet rules (R-SEQ-1), which the central error
// handler answers as 409 with "rules".
func (s *Server) apiActivityStatus(to monitoring.Status) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := apiPathID(c, "id")
		if err != nil {
			return err
		}
		p := principalOf(c)
		a, err := s.Register.SetStatus(c.UserContext(), p.User.Email, id, to, s.Now())
		if err != nil {
			return err
		}
		out, err := s.apiWithReadiness(c, a)
		if err != nil {
			return err
		}
		return apiSendJSON(c, fiber.StatusOK, out)
	}
}

// apiActivityChangeJSON is one entry of an activity's history.
type apiActivityChangeJSON struct {
	Version int                  `json:"version"`
	At      *string              `json:"at" format:"date-time"`
	Actor   string               `json:"actor"`
	Status  string               `json:"status"`
	Changes []apiFieldChangeJSON `json:"changes"`
}

type apiFieldChangeJSON struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

func (s *Server) apiActivityHistory(c *fiber.Ctx) error {
	id, err := apiPathID(c, "id")
	if err != nil {
		return err
	}
	if _, err := s.Register.FindActivity(c.UserContext(), id); err != nil {
		return err
	}
	hs, err := s.Register.History(c.UserContext(), id)
	if err != nil {
		return err
	}
	out := apiPage[apiActivityChangeJSON]{Items: make([]apiActivityChangeJSON, 0, len(hs))}
	for _, h := range hs {
		ch := apiActivityChangeJSON{Version: h.Version, At: apiTimeOut(h.At), Actor: h.Actor, Status: string(h.Status),
			Changes: make([]apiFieldChangeJSON, 0, len(h.Changes))}
		for _, fc := range h.Changes {
			ch.Changes = append(ch.Changes, apiFieldChangeJSON{Field: fc.Field, Old: fc.Old, New: fc.New})
		}
		out.Items = append(out.Items, ch)
	}
	return apiSendJSON(c, fiber.StatusOK, out)
}
