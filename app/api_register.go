package app

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"vaaka/monitoring"
)

// The register extract (LAW.md R-ROPA-1: the GDPR Art 30(1) items per
// activity with the controller and DPO contacts) and the callers'
// information of an activity (R-INF-1, R-INF-2), for the register's readers.

// apiRegisterControllerJSON is the controller and the DPO (Art 30(1)(a)).
type apiRegisterControllerJSON struct {
	Name             string `json:"name"`
	BusinessID       string `json:"business_id"`
	Address          string `json:"address"`
	DPOContact       string `json:"dpo_contact"`
	PrivacyNoticeURL string `json:"privacy_notice_url"`
}

// apiRegisterEntryJSON is one activity's Art 30(1) items.
type apiRegisterEntryJSON struct {
	ActivityID        int64                    `json:"activity_id"`
	Name              string                   `json:"name"`
	Description       string                   `json:"description"`
	Method            string                   `json:"method"`
	Status            string                   `json:"status" enum:"draft,in_cooperation,ready,active,suspended,retired"`
	Version           int                      `json:"version"`
	Directions        []string                 `json:"directions" enum:"inbound,outbound"`
	Purposes          []apiPurposeJSON         `json:"purposes" doc:"Art 30(1)(b)"`
	LawfulBasis       string                   `json:"lawful_basis" enum:",contract,legal_obligation,vital_interests,public_task,legitimate_interests,consent"`
	LawfulBasisDetail string                   `json:"lawful_basis_detail"`
	DataSubjects      []string                 `json:"data_subjects" enum:"employees,callers" doc:"Art 30(1)(c): categories of data subjects"`
	Units             []string                 `json:"units" doc:"the units whose employees are monitored"`
	DataCategories    []string                 `json:"data_categories" doc:"Art 30(1)(c): categories of personal data"`
	SpecialCategories apiSpecialCategoriesJSON `json:"special_categories"`
	Recipients        string                   `json:"recipients" doc:"Art 30(1)(d)"`
	Transfers         string                   `json:"transfers" doc:"Art 30(1)(e): third-country transfers"`
	RetentionDays     int                      `json:"retention_days" doc:"Art 30(1)(f): erasure time limit"`
	RetentionCriteria string                   `json:"retention_criteria"`
	SecurityMeasures  string                   `json:"security_measures" doc:"Art 30(1)(g)"`
	AuthorizedUsers   []apiAuthorizedUserJSON  `json:"authorized_users" doc:"R-ACC-1"`
	DPIARequired      bool                     `json:"dpia_required"`
	DPIACompletedOn   *string                  `json:"dpia_completed_on" format:"date"`
	IntroductionOn    *string                  `json:"introduction_on" format:"date"`
	ReviewOn          *string                  `json:"review_on" format:"date"`
}

// apiRegisterJSON is the register extract.
type apiRegisterJSON struct {
	Controller  apiRegisterControllerJSON `json:"controller"`
	Activities  []apiRegisterEntryJSON    `json:"activities"`
	GeneratedAt *string                   `json:"generated_at" format:"date-time"`
}

// apiCallerInformationOutJSON is what callers are told (R-INF-1, R-INF-2).
type apiCallerInformationOutJSON struct {
	ActivityID           int64                        `json:"activity_id"`
	Name                 string                       `json:"name"`
	Status               string                       `json:"status" enum:"draft,in_cooperation,ready,active,suspended,retired"`
	Directions           []string                     `json:"directions" enum:"inbound,outbound"`
	Queues               []string                     `json:"queues"`
	Announcements        []apiAnnouncementJSON        `json:"announcements" doc:"the script per covered direction and language, played before recording starts (R-INF-1)"`
	IVRPlacement         string                       `json:"ivr_placement" doc:"where in the IVR menu the announcement plays"`
	PrivacyNoticeURL     string                       `json:"privacy_notice_url" doc:"the activity's, or else the organisation's"`
	PreInformedCustomers string                       `json:"pre_informed_customers" doc:"where customers already told of recording were informed (R-INF-2)"`
	Missing              []apiMissingAnnouncementJSON `json:"missing" doc:"covered directions and languages without a script"`
}

type apiAnnouncementJSON struct {
	Direction string `json:"direction" enum:"inbound,outbound"`
	Language  string `json:"language" enum:"fi,sv,en"`
	Text      string `json:"text"`
}

type apiMissingAnnouncementJSON struct {
	Direction string `json:"direction" enum:"inbound,outbound"`
	Language  string `json:"language" enum:"fi,sv,en"`
}

// apiRegisterOut converts the extract (monitoring.RegisterExtract).
func apiRegisterOut(doc monitoring.RegisterDocument) apiRegisterJSON {
	c := doc.Controller
	out := apiRegisterJSON{
		Controller: apiRegisterControllerJSON{Name: c.Name, BusinessID: c.BusinessID, Address: c.Address, DPOContact: c.DPOContact,
			PrivacyNoticeURL: c.PrivacyNoticeURL},
		Activities: make([]apiRegisterEntryJSON, 0, len(doc.Entries)),
	}
	for _, e := range doc.Entries {
		ej := apiRegisterEntryJSON{ActivityID: e.ActivityID, Name: e.Name, Description: e.Description, Method: string(e.Method),
			Status: string(e.Status), Version: e.Version, Directions: apiStrs(e.Directions), Purposes: make([]apiPurposeJSON, 0, len(e.Purposes)),
			LawfulBasis: string(e.LawfulBasis), LawfulBasisDetail: e.LawfulBasisDetail, DataSubjects: apiNonNil(e.DataSubjects),
			Units: apiNonNil(e.Units), DataCategories: apiNonNil(e.DataCategories),
			SpecialCategories: apiSpecialCategoriesJSON{Biometric: e.SpecialCategories.Biometric, Notes: e.SpecialCategories.Notes},
			Recipients:        e.Recipients, Transfers: e.Transfers, RetentionDays: e.RetentionDays, RetentionCriteria: e.RetentionCriteria,
			SecurityMeasures: e.SecurityMeasures, AuthorizedUsers: make([]apiAuthorizedUserJSON, 0, len(e.AuthorizedUsers)),
			DPIARequired: e.DPIARequired, DPIACompletedOn: apiDateOut(e.DPIACompletedOn), IntroductionOn: apiDateOut(e.IntroductionOn),
			ReviewOn: apiDateOut(e.ReviewOn)}
		for _, p := range e.Purposes {
			ej.Purposes = append(ej.Purposes, apiPurposeJSON{Code: p.Code, Description: p.Description})
		}
		for _, u := range e.AuthorizedUsers {
			ej.AuthorizedUsers = append(ej.AuthorizedUsers, apiAuthorizedUserJSON{Email: u.Email, Task: u.Task})
		}
		out.Activities = append(out.Activities, ej)
	}
	return out
}

// registerActivities reads every register entry, page by page, in id
// order. The register extract's documents use it too.
func (s *Server) registerActivities(ctx context.Context) ([]*monitoring.Activity, error) {
	var all []*monitoring.Activity
	var cur int64
	for {
		as, next, err := s.Register.ListActivities(ctx, monitoring.ActivityFilter{Cursor: cur, Limit: monitoring.MaxBatch})
		if err != nil {
			return nil, err
		}
		all = append(all, as...)
		if next == 0 || len(as) == 0 {
			return all, nil
		}
		cur = next
	}
}

// apiRegister answers the register extract (R-ROPA-1).
func (s *Server) apiRegister(c *fiber.Ctx) error {
	ctx := c.UserContext()
	as, err := s.registerActivities(ctx)
	if err != nil {
		return err
	}
	org, err := s.Settings.Organisation(ctx)
	if err != nil {
		return err
	}
	out := apiRegisterOut(monitoring.RegisterExtract(org, as))
	out.GeneratedAt = apiTimeOut(s.Now())
	return apiSendJSON(c, fiber.StatusOK, out)
}

// apiCallerInformation answers the announcement scripts per covered
// direction and language, where they play and where the privacy notice is
// (R-INF-1, R-INF-2).
func (s *Server) apiCallerInformation(c *fiber.Ctx) error {
	id, err := apiPathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	a, err := s.Register.FindActivity(ctx, id)
	if err != nil {
		return err
	}
	org, err := s.Settings.Organisation(ctx)
	if err != nil {
		return err
	}
	ci := a.CallerInformation
	out := apiCallerInformationOutJSON{ActivityID: a.ID, Name: a.Name, Status: string(a.Status), Directions: apiStrs(a.Directions),
		Queues: apiNonNil(a.Queues), Announcements: []apiAnnouncementJSON{}, IVRPlacement: ci.IVRPlacement,
		PrivacyNoticeURL: ci.PrivacyNoticeURL, PreInformedCustomers: ci.PreInformedCustomers, Missing: []apiMissingAnnouncementJSON{}}
	if out.PrivacyNoticeURL == "" {
		out.PrivacyNoticeURL = org.PrivacyNoticeURL
	}
	for _, d := range a.Directions {
		texts := ci.Inbound
		if d == monitoring.Outbound {
			texts = ci.Outbound
		}
		for _, l := range monitoring.Languages {
			if t := texts[l]; t != "" {
				out.Announcements = append(out.Announcements, apiAnnouncementJSON{Direction: string(d), Language: string(l), Text: t})
			} else {
				out.Missing = append(out.Missing, apiMissingAnnouncementJSON{Direction: string(d), Language: string(l)})
			}
		}
	}
	return apiSendJSON(c, fiber.StatusOK, out)
}
