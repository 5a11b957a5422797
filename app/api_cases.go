package app

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"vaaka/cooperation"
	"vaaka/monitoring"
)

// Co-operation cases (SPEC "Co-operation case", LAW.md R-COOP-*): how the
// employer handles the monitoring with the staff before deciding. hr runs
// the case; dpo reads every case; a representative reads the cases where
// they are on the staff side, comments, submits initiatives and approves
// the minutes of the meetings they took part in. Every other role gets 403
// for the routes, and a case the principal may not see is a 404.

// Message keys of this file (templates/locales/*/api_cases.json).
const (
	apiCaseKeyDeferred     = "apicase.initiative_deferred"
	apiCaseKeyDeferredNext = "apicase.initiative_deferred_no_meeting"
	apiCaseKeyConfigNote   = "apicase.thresholds_configuration"
)

// ---- JSON shapes --------------------------------------------------------

// apiProcedureChoiceJSON is the procedure Vaaka proposes and why (R-COOP-1).
type apiProcedureChoiceJSON struct {
	Procedure string `json:"procedure" enum:"dialogue,change_negotiations,hearing"`
	Reason    string `json:"reason" doc:"why, in the caller's language, with the threshold in force"`
	Lighter   bool   `json:"lighter" doc:"the lighter dialogue regime of the band below the general threshold"`
	ToVerify  bool   `json:"to_verify" doc:"the proposal rests on a default that LAW.md marks to verify"`
}

// apiThresholdJSON is one configured co-operation threshold.
type apiThresholdJSON struct {
	From            *string `json:"from" format:"date" doc:"in force from this date"`
	Dialogue        int     `json:"dialogue" doc:"a regular headcount at or above it gets the continuous dialogue"`
	Lighter         int     `json:"lighter" doc:"at or above it (below dialogue) the lighter dialogue; 0 for none"`
	LighterToVerify bool    `json:"lighter_to_verify"`
}

// apiProcedureProposalJSON is the answer of GET /cases/procedure-proposal.
type apiProcedureProposalJSON struct {
	apiProcedureChoiceJSON
	Key           string             `json:"key" enum:"at_or_above,lighter_band,below,outside_the_act,no_threshold"`
	On            *string            `json:"on" format:"date" doc:"the date the proposal is for (today in the organisation's time zone)"`
	Sector        string             `json:"sector" enum:"private,municipal,state,church,outside_the_act"`
	Headcount     int                `json:"headcount" doc:"the organisation's regular headcount (settings)"`
	Threshold     *apiThresholdJSON  `json:"threshold" doc:"the threshold in force on that date; null when none applies"`
	Thresholds    []apiThresholdJSON `json:"thresholds" doc:"every configured threshold (--coop-thresholds)"`
	Configuration bool               `json:"configuration" doc:"always true: the thresholds are configuration, not law in code"`
	Note          string             `json:"note"`
}

// apiCaseIn is the body of POST /cases.
type apiCaseIn struct {
	Title           string   `json:"title" required:"true"`
	Procedure       string   `json:"procedure" enum:"dialogue,change_negotiations,hearing" doc:"default: the proposed procedure"`
	ActivityIDs     []int64  `json:"activity_ids" doc:"the register entries the case concerns"`
	Representatives []string `json:"representatives" doc:"emails of the staff side's users who take part"`
	Units           []string `json:"units"`
	OverrideReason  string   `json:"override_reason" enum:"local_agreement,collective_agreement,substantial_change,other" doc:"required when procedure differs from the proposed one (R-COOP-1)"`
	OverrideDetail  string   `json:"override_detail" doc:"required with override_reason other"`
}

// apiCaseCreatedJSON is the answer of POST /cases.
type apiCaseCreatedJSON struct {
	ID                int64                  `json:"id"`
	Status            string                 `json:"status" enum:"draft,information_delivered,in_progress,concluded,withdrawn"`
	Procedure         string                 `json:"procedure" enum:"dialogue,change_negotiations,hearing"`
	ProposedProcedure string                 `json:"proposed_procedure" enum:"dialogue,change_negotiations,hearing"`
	Proposal          apiProcedureChoiceJSON `json:"proposal" doc:"the procedure Vaaka proposed from the headcount (R-COOP-1)"`
}

// apiCaseSummaryJSON is a case in a list.
type apiCaseSummaryJSON struct {
	ID                int64    `json:"id"`
	Title             string   `json:"title"`
	Procedure         string   `json:"procedure" enum:"dialogue,change_negotiations,hearing"`
	ProposedProcedure string   `json:"proposed_procedure" enum:"dialogue,change_negotiations,hearing"`
	Status            string   `json:"status" enum:"draft,information_delivered,in_progress,concluded,withdrawn"`
	ActivityIDs       []int64  `json:"activity_ids"`
	Units             []string `json:"units"`
	Representatives   []string `json:"representatives"`
	CreatedBy         string   `json:"created_by"`
	CreatedAt         *string  `json:"created_at" format:"date-time"`
	ConcludedAt       *string  `json:"concluded_at" format:"date-time"`
}

type apiRepresentativeJSON struct {
	Email     string  `json:"email"`
	Name      string  `json:"name"`
	Type      string  `json:"type" enum:"shop_steward,elected_representative,safety_representative,cooperation_representative"`
	TermStart *string `json:"term_start" format:"date" doc:"co-operation representatives: the term (at most 2 years, R-COOP-3)"`
	TermEnd   *string `json:"term_end" format:"date"`
}

// apiStaffGroupJSON is a staff group of the staff side (R-COOP-3).
type apiStaffGroupJSON struct {
	Name            string                  `json:"name"`
	AllEmployees    bool                    `json:"all_employees" doc:"the group has no representative: all its employees take part together"`
	Units           []string                `json:"units"`
	Representatives []apiRepresentativeJSON `json:"representatives"`
}

// apiConfidentialityJSON is a confidentiality mark (R-COOP-11).
type apiConfidentialityJSON struct {
	Document     string  `json:"document" doc:"information, or meeting:<id>"`
	Confidential bool    `json:"confidential"`
	ToldTo       string  `json:"told_to" doc:"who was told (the mark binds only when announced)"`
	ToldAt       *string `json:"told_at" format:"date-time"`
}

// apiInformationJSON is a version of the written information / proposal.
type apiInformationJSON struct {
	Version                int      `json:"version"`
	Subject                string   `json:"subject"`
	Purpose                string   `json:"purpose"`
	Methods                string   `json:"methods"`
	IntroductionPlan       string   `json:"introduction_plan"`
	GroupsAffected         string   `json:"groups_affected"`
	InformationGiven       string   `json:"information_given"`
	FirstMeetingAt         *string  `json:"first_meeting_at" format:"date-time"`
	Place                  string   `json:"place"`
	DeliveredAt            *string  `json:"delivered_at" format:"date-time"`
	Recipients             []string `json:"recipients"`
	ShorterNoticeAgreement string   `json:"shorter_notice_agreement" doc:"the agreement on a notice shorter than 7 days (R-COOP-2)"`
	Confidential           bool     `json:"confidential"`
	ConfidentialToldTo     string   `json:"confidential_told_to"`
	ConfidentialToldAt     *string  `json:"confidential_told_at" format:"date-time"`
	CreatedBy              string   `json:"created_by"`
	CreatedAt              *string  `json:"created_at" format:"date-time"`
}

// apiInformationVersionsJSON is the written information: the current
// version and every version, oldest first.
type apiInformationVersionsJSON struct {
	Current  *apiInformationJSON  `json:"current" doc:"null before the first version"`
	Versions []apiInformationJSON `json:"versions"`
}

// apiInformationIn is the body of POST /cases/{id}/proposal.
type apiInformationIn struct {
	Subject                string    `json:"subject" required:"true"`
	Purpose                string    `json:"purpose" required:"true"`
	Methods                string    `json:"methods" required:"true"`
	IntroductionPlan       string    `json:"introduction_plan"`
	GroupsAffected         string    `json:"groups_affected"`
	InformationGiven       string    `json:"information_given"`
	FirstMeetingAt         string    `json:"first_meeting_at" format:"date-time" required:"true"`
	Place                  string    `json:"place"`
	DeliveredAt            string    `json:"delivered_at" format:"date-time" required:"true" doc:"when it reached the representatives"`
	Recipients             *[]string `json:"recipients" doc:"default: the staff side's representatives"`
	ShorterNoticeAgreement string    `json:"shorter_notice_agreement" doc:"an agreed shorter notice than 7 days (R-COOP-2)"`
	Confidential           bool      `json:"confidential" doc:"R-COOP-11; needs confidential_told_to"`
	ConfidentialToldTo     string    `json:"confidential_told_to"`
}

type apiParticipantJSON struct {
	Email    string `json:"email"`
	Name     string `json:"name"`
	Side     string `json:"side" enum:"employer,staff"`
	Attended bool   `json:"attended"`
}

type apiDissentJSON struct {
	By   string `json:"by" required:"true"`
	Text string `json:"text" required:"true"`
}

// apiMinutesJSON is a version of a meeting's minutes.
type apiMinutesJSON struct {
	Version          int              `json:"version"`
	MainContent      string           `json:"main_content"`
	Outcome          string           `json:"outcome"`
	EmployerPosition string           `json:"employer_position"`
	StaffPosition    string           `json:"staff_position"`
	Dissent          []apiDissentJSON `json:"dissent"`
	WrittenBy        string           `json:"written_by"`
	WrittenAt        *string          `json:"written_at" format:"date-time"`
}

type apiMinutesVersionsJSON struct {
	Current  *apiMinutesJSON  `json:"current" doc:"null before the minutes are written"`
	Versions []apiMinutesJSON `json:"versions"`
}

// apiApprovalJSON is one participant's answer to a version of the minutes.
type apiApprovalJSON struct {
	Version int     `json:"version"`
	By      string  `json:"by"`
	Name    string  `json:"name"`
	Side    string  `json:"side" enum:"employer,staff"`
	Approve bool    `json:"approve"`
	Comment string  `json:"comment"`
	Dissent string  `json:"dissent"`
	At      *string `json:"at" format:"date-time"`
}

// apiMeetingJSON is a meeting with its minutes and approvals.
type apiMeetingJSON struct {
	ID                 int64                  `json:"id"`
	HeldAt             *string                `json:"held_at" format:"date-time"`
	Place              string                 `json:"place"`
	Agenda             string                 `json:"agenda"`
	MinutesRequested   bool                   `json:"minutes_requested" doc:"the staff side asked for minutes (R-COOP-4)"`
	Participants       []apiParticipantJSON   `json:"participants"`
	Minutes            apiMinutesVersionsJSON `json:"minutes"`
	Approvals          []apiApprovalJSON      `json:"approvals"`
	Signed             bool                   `json:"signed" doc:"the current minutes are approved by both sides (R-COOP-4, R-COOP-8)"`
	Confidential       bool                   `json:"confidential"`
	ConfidentialToldTo string                 `json:"confidential_told_to"`
	ConfidentialToldAt *string                `json:"confidential_told_at" format:"date-time"`
}

// apiMeetingIn is the body of POST /cases/{id}/meetings.
type apiMeetingIn struct {
	HeldAt           string    `json:"held_at" format:"date-time" required:"true"`
	Place            string    `json:"place"`
	Participants     []string  `json:"participants" required:"true" doc:"emails; on the case's staff side → staff, otherwise the employer's side"`
	Agenda           string    `json:"agenda"`
	MinutesRequested bool      `json:"minutes_requested" doc:"the staff side asked for minutes at the latest at the start (R-COOP-4)"`
	Attended         *[]string `json:"attended" doc:"emails of the participants who attended; default: all, for a meeting not in the future"`
}

// apiMinutesIn is the body of PUT /cases/{id}/meetings/{meeting_id}/minutes.
type apiMinutesIn struct {
	MainContent      string           `json:"main_content" required:"true"`
	Outcome          string           `json:"outcome"`
	EmployerPosition string           `json:"employer_position"`
	StaffPosition    string           `json:"staff_position"`
	Dissent          []apiDissentJSON `json:"dissent"`
}

// apiApprovalIn is the body of POST …/minutes/approvals: the acting user
// approves the current version or asks for a correction.
type apiApprovalIn struct {
	Approve *bool  `json:"approve" required:"true"`
	Comment string `json:"comment" doc:"required when asking for a correction"`
	Dissent string `json:"dissent" doc:"a dissenting opinion recorded with an approval"`
}

// apiInitiativeJSON is a staff initiative or written proposal and its answer.
type apiInitiativeJSON struct {
	ID          int64   `json:"id"`
	Kind        string  `json:"kind" enum:"initiative,written_proposal"`
	By          string  `json:"by"`
	Text        string  `json:"text"`
	ReceivedAt  *string `json:"received_at" format:"date-time"`
	Deferred    bool    `json:"deferred" doc:"received less than two weeks before the next meeting; may go to the following one (R-COOP-5)"`
	Message     string  `json:"message,omitempty" doc:"what the initiator is told when deferred"`
	Accepted    *bool   `json:"accepted" doc:"null until answered"`
	Response    string  `json:"response"`
	RespondedAt *string `json:"responded_at" format:"date-time"`
	RespondedBy string  `json:"responded_by"`
}

// apiInitiativeIn is the body of POST /cases/{id}/initiatives.
type apiInitiativeIn struct {
	Kind string `json:"kind" enum:"initiative,written_proposal" required:"true"`
	Text string `json:"text" required:"true"`
}

// apiInitiativeResponseIn is the employer's answer (R-COOP-5, R-COOP-7).
type apiInitiativeResponseIn struct {
	Accepted *bool  `json:"accepted" required:"true"`
	Response string `json:"response" doc:"required (the reasons) when rejected"`
}

// apiCommentJSON is a comment or question with its answers.
type apiCommentJSON struct {
	ID                 int64            `json:"id"`
	ParentID           *int64           `json:"parent_id"`
	InformationVersion int              `json:"information_version"`
	By                 string           `json:"by"`
	Text               string           `json:"text"`
	At                 *string          `json:"at" format:"date-time"`
	Replies            []apiCommentJSON `json:"replies"`
}

// apiCommentIn is the body of POST /cases/{id}/comments.
type apiCommentIn struct {
	Text     string `json:"text" required:"true"`
	ParentID int64  `json:"parent_id" doc:"the comment answered; required for hr (hr answers)"`
}

type apiViewJSON struct {
	By   string  `json:"by"`
	Text string  `json:"text"`
	At   *string `json:"at" format:"date-time"`
}

// apiHearingJSON is the hearing record (R-COOP-9).
type apiHearingJSON struct {
	Invited   string        `json:"invited"`
	Method    string        `json:"method"`
	InvitedAt *string       `json:"invited_at" format:"date-time"`
	RespondBy *string       `json:"respond_by" format:"date-time"`
	Views     []apiViewJSON `json:"views"`
}

// apiHearingIn is the body of PUT /cases/{id}/hearing.
type apiHearingIn struct {
	Invited   string `json:"invited" required:"true" doc:"who was invited (groups, persons)"`
	Method    string `json:"method" required:"true" doc:"how: email, meeting, intranet …"`
	InvitedAt string `json:"invited_at" format:"date-time" required:"true"`
	RespondBy string `json:"respond_by" format:"date-time" required:"true" doc:"the end of the opportunity to be heard"`
}

// apiViewIn is the body of POST /cases/{id}/hearing/views.
type apiViewIn struct {
	By   string `json:"by" required:"true"`
	Text string `json:"text" required:"true"`
}

// apiConclusionJSON is the employer's definition of purpose and methods.
type apiConclusionJSON struct {
	Conclusion  string  `json:"conclusion"`
	ConcludedAt *string `json:"concluded_at" format:"date-time"`
	Account     string  `json:"account" doc:"change negotiations: the account of the decision and its timing (R-COOP-8)"`
	By          string  `json:"by"`
}

// apiConcludeIn is the body of POST /cases/{id}/conclude.
type apiConcludeIn struct {
	Conclusion  string `json:"conclusion" required:"true" doc:"the purpose and methods of the monitoring as decided (R-COOP-10)"`
	ConcludedAt string `json:"concluded_at" format:"date-time" required:"true"`
	Account     string `json:"account"`
}

// apiStaffSideIn is the body of PUT /cases/{id}/staff-side.
type apiStaffSideIn struct {
	Groups []apiStaffGroupIn `json:"groups" required:"true"`
}

type apiStaffGroupIn struct {
	Name            string                `json:"name" required:"true"`
	AllEmployees    bool                  `json:"all_employees"`
	Units           []string              `json:"units"`
	Representatives []apiRepresentativeIn `json:"representatives"`
}

type apiRepresentativeIn struct {
	Email     string `json:"email" required:"true"`
	Name      string `json:"name"`
	Type      string `json:"type" enum:"shop_steward,elected_representative,safety_representative,cooperation_representative" required:"true"`
	TermStart string `json:"term_start" format:"date" doc:"required for a co-operation representative"`
	TermEnd   string `json:"term_end" format:"date" doc:"at most 2 years after term_start (R-COOP-3)"`
}

// apiConfidentialityIn is the body of POST /cases/{id}/confidentiality.
type apiConfidentialityIn struct {
	Document     string `json:"document" required:"true" doc:"information, or meeting:<id>"`
	Confidential bool   `json:"confidential"`
	ToldTo       string `json:"told_to" doc:"who was told; required when confidential (R-COOP-11)"`
}

// apiWithdrawIn is the body of POST /cases/{id}/withdraw.
type apiWithdrawIn struct {
	Reason string `json:"reason" required:"true"`
}

// apiDeadlineJSON is one statutory time limit on the case timeline.
type apiDeadlineJSON struct {
	Rule        string  `json:"rule" doc:"LAW.md rule id"`
	Key         string  `json:"key"`
	Due         *string `json:"due" format:"date" doc:"null when the law sets no day count"`
	Status      string  `json:"status" enum:"met,pending,missed,waived"`
	Label       string  `json:"label"`
	StatusLabel string  `json:"status_label"`
	DoneAt      *string `json:"done_at" format:"date-time"`
}

// apiCaseJSON is a case as GET /cases/{id} shows it.
type apiCaseJSON struct {
	ID                int64                      `json:"id"`
	Title             string                     `json:"title"`
	Procedure         string                     `json:"procedure" enum:"dialogue,change_negotiations,hearing"`
	ProposedProcedure string                     `json:"proposed_procedure" enum:"dialogue,change_negotiations,hearing"`
	ProcedureProposal apiProcedureChoiceJSON     `json:"procedure_proposal" doc:"what Vaaka proposed when the case was opened (R-COOP-1)"`
	OverrideReason    string                     `json:"override_reason" enum:",local_agreement,collective_agreement,substantial_change,other"`
	OverrideDetail    string                     `json:"override_detail"`
	Status            string                     `json:"status" enum:"draft,information_delivered,in_progress,concluded,withdrawn"`
	ActivityIDs       []int64                    `json:"activity_ids"`
	Units             []string                   `json:"units"`
	Representatives   []string                   `json:"representatives"`
	StaffSide         []apiStaffGroupJSON        `json:"staff_side"`
	CreatedBy         string                     `json:"created_by"`
	CreatedAt         *string                    `json:"created_at" format:"date-time"`
	Proposal          apiInformationVersionsJSON `json:"proposal" doc:"the written information / proposal (R-COOP-2, R-COOP-6)"`
	Meetings          []apiMeetingJSON           `json:"meetings"`
	Initiatives       []apiInitiativeJSON        `json:"initiatives"`
	Comments          []apiCommentJSON           `json:"comments" doc:"threaded: answers under replies"`
	Hearing           *apiHearingJSON            `json:"hearing" doc:"hearing cases (R-COOP-9); null until recorded"`
	Conclusion        *apiConclusionJSON         `json:"conclusion" doc:"null until concluded (R-COOP-10)"`
	Confidentiality   []apiConfidentialityJSON   `json:"confidentiality" doc:"the documents marked confidential (R-COOP-11)"`
	Deadlines         []apiDeadlineJSON          `json:"deadlines" doc:"every statutory time limit with its state, in calendar days of the organisation's time zone"`
}

// ---- output -------------------------------------------------------------

var apiCaseReasonKeys = map[string]bool{"at_or_above": true, "lighter_band": true, "below": true}

// apiCaseThresholdOn returns the configured threshold in force on date on.
func (s *Server) apiCaseThresholdOn(on time.Time) (cooperation.Threshold, bool) {
	p := cooperation.ProposeProcedure(false, 0, on, s.cfg.CoopThresholds)
	return p.Threshold, p.Key != "no_threshold"
}

// apiChoiceOut translates a proposal; the reason names the threshold. A
// stored proposal without its threshold takes the one in force at opened.
func (s *Server) apiChoiceOut(lang monitoring.Language, p cooperation.Proposal, opened time.Time) apiProcedureChoiceJSON {
	th := p.Threshold
	if th.Dialogue == 0 && apiCaseReasonKeys[p.Key] && !opened.IsZero() {
		th, _ = s.apiCaseThresholdOn(opened)
	}
	out := apiProcedureChoiceJSON{Procedure: string(p.Procedure), Lighter: p.Lighter, ToVerify: p.ToVerify}
	if p.Key != "" {
		// Below the lighter band the hearing starts under its lower bound.
		bound := th.Dialogue
		if p.Key == "below" && th.Lighter > 0 {
			bound = th.Lighter
		}
		out.Reason = s.i18n.T(lang, "coop.reason."+p.Key, "threshold", strconv.Itoa(bound),
			"lighter", strconv.Itoa(th.Lighter), "below", strconv.Itoa(th.Dialogue-1))
	}
	return out
}

func apiThresholdOut(th cooperation.Threshold) apiThresholdJSON {
	return apiThresholdJSON{From: apiDateOut(th.From), Dialogue: th.Dialogue, Lighter: th.Lighter, LighterToVerify: th.LighterToVerify}
}

func apiCaseSummaryOut(cs *cooperation.Case) apiCaseSummaryJSON {
	out := apiCaseSummaryJSON{ID: cs.ID, Title: cs.Title, Procedure: string(cs.Procedure), ProposedProcedure: string(cs.Proposed.Procedure),
		Status: string(cs.Status), ActivityIDs: apiNonNil(cs.ActivityIDs), Units: apiNonNil(cs.Units),
		Representatives: apiNonNil(cs.Representatives), CreatedBy: cs.CreatedBy, CreatedAt: apiTimeOut(cs.CreatedAt)}
	if cs.Conclusion != nil {
		out.ConcludedAt = apiTimeOut(cs.Conclusion.ConcludedAt)
	}
	return out
}

func apiInformationOut(in *cooperation.Information) apiInformationJSON {
	return apiInformationJSON{Version: in.Version, Subject: in.Subject, Purpose: in.Purpose, Methods: in.Methods,
		IntroductionPlan: in.IntroductionPlan, GroupsAffected: in.GroupsAffected, InformationGiven: in.InformationGiven,
		FirstMeetingAt: apiTimeOut(in.FirstMeetingAt), Place: in.Place, DeliveredAt: apiTimeOut(in.DeliveredAt),
		Recipients: apiNonNil(in.Recipients), ShorterNoticeAgreement: in.ShorterNoticeAgreement,
		Confidential: in.Confidentiality.Confidential, ConfidentialToldTo: in.Confidentiality.ToldTo,
		ConfidentialToldAt: apiTimeOut(in.Confidentiality.ToldAt), CreatedBy: in.CreatedBy, CreatedAt: apiTimeOut(in.CreatedAt)}
}

func apiMinutesOut(m *cooperation.Minutes) apiMinutesJSON {
	out := apiMinutesJSON{Version: m.Version, MainContent: m.MainContent, Outcome: m.Outcome, EmployerPosition: m.EmployerPosition,
		StaffPosition: m.StaffPosition, Dissent: make([]apiDissentJSON, 0, len(m.Dissent)), WrittenBy: m.WrittenBy, WrittenAt: apiTimeOut(m.WrittenAt)}
	for _, d := range m.Dissent {
		out.Dissent = append(out.Dissent, apiDissentJSON{By: d.By, Text: d.Text})
	}
	return out
}

func apiMeetingOut(m *cooperation.Meeting) apiMeetingJSON {
	out := apiMeetingJSON{ID: m.ID, HeldAt: apiTimeOut(m.HeldAt), Place: m.Place, Agenda: m.Agenda, MinutesRequested: m.MinutesRequested,
		Participants: make([]apiParticipantJSON, 0, len(m.Participants)),
		Minutes:      apiMinutesVersionsJSON{Versions: make([]apiMinutesJSON, 0, len(m.Minutes))},
		Approvals:    make([]apiApprovalJSON, 0, len(m.Approvals)), Signed: m.MinutesSigned(),
		Confidential: m.Confidentiality.Confidential, ConfidentialToldTo: m.Confidentiality.ToldTo,
		ConfidentialToldAt: apiTimeOut(m.Confidentiality.ToldAt)}
	names := map[string]string{}
	for _, p := range m.Participants {
		out.Participants = append(out.Participants, apiParticipantJSON{Email: p.Email, Name: p.Name, Side: string(p.Side), Attended: p.Attended})
		names[strings.ToLower(p.Email)] = p.Name
	}
	for _, v := range m.Minutes {
		out.Minutes.Versions = append(out.Minutes.Versions, apiMinutesOut(v))
	}
	if cur := m.CurrentMinutes(); cur != nil {
		mo := apiMinutesOut(cur)
		out.Minutes.Current = &mo
	}
	for _, a := range m.Approvals {
		side := a.Side
		if side == "" {
			side = m.SideOf(a.By)
		}
		out.Approvals = append(out.Approvals, apiApprovalJSON{Version: a.Version, By: a.By, Name: names[strings.ToLower(a.By)],
			Side: string(side), Approve: a.Approve, Comment: a.Comment, Dissent: a.Dissent, At: apiTimeOut(a.At)})
	}
	return out
}

func (s *Server) apiInitiativeOut(lang monitoring.Language, cs *cooperation.Case, i *cooperation.Initiative, loc *time.Location) apiInitiativeJSON {
	out := apiInitiativeJSON{ID: i.ID, Kind: string(i.Kind), By: i.By, Text: i.Text, ReceivedAt: apiTimeOut(i.ReceivedAt),
		Deferred: i.Deferred, Accepted: i.Accepted, Response: i.Response, RespondedAt: apiTimeOut(i.RespondedAt), RespondedBy: i.RespondedBy}
	if i.Deferred {
		// R-COOP-5: the initiator is told that it may go to the meeting after
		// the next one.
		if next := apiCaseNextMeeting(cs, i.ReceivedAt); !next.IsZero() {
			out.Message = s.i18n.T(lang, apiCaseKeyDeferred, "date", next.In(loc).Format("2006-01-02"))
		} else {
			out.Message = s.i18n.T(lang, apiCaseKeyDeferredNext)
		}
	}
	return out
}

// apiCaseNextMeeting is the first known meeting time after t: the meetings
// recorded and the first meeting the information announced.
func apiCaseNextMeeting(cs *cooperation.Case, t time.Time) time.Time {
	var next time.Time
	consider := func(x time.Time) {
		if x.After(t) && (next.IsZero() || x.Before(next)) {
			next = x
		}
	}
	for _, m := range cs.Meetings {
		consider(m.HeldAt)
	}
	if in := cs.CurrentInformation(); in != nil {
		consider(in.FirstMeetingAt)
	}
	return next
}

// apiCommentsOut threads the comments: answers under their parent, in the
// order they were written; an answer whose parent is unknown stays on top.
func apiCommentsOut(cms []*cooperation.Comment) []apiCommentJSON {
	known := map[int64]bool{}
	children := map[int64][]*cooperation.Comment{}
	for _, cm := range cms {
		known[cm.ID] = true
	}
	var roots []*cooperation.Comment
	for _, cm := range cms {
		if cm.ParentID != 0 && known[cm.ParentID] && cm.ParentID != cm.ID {
			children[cm.ParentID] = append(children[cm.ParentID], cm)
		} else {
			roots = append(roots, cm)
		}
	}
	seen := map[int64]bool{}
	var build func(cm *cooperation.Comment) apiCommentJSON
	build = func(cm *cooperation.Comment) apiCommentJSON {
		seen[cm.ID] = true
		out := apiCommentJSON{ID: cm.ID, InformationVersion: cm.InformationVersion, By: cm.By, Text: cm.Text,
			At: apiTimeOut(cm.At), Replies: []apiCommentJSON{}}
		if cm.ParentID != 0 {
			pid := cm.ParentID
			out.ParentID = &pid
		}
		for _, ch := range children[cm.ID] {
			if !seen[ch.ID] {
				out.Replies = append(out.Replies, build(ch))
			}
		}
		return out
	}
	out := make([]apiCommentJSON, 0, len(roots))
	for _, r := range roots {
		out = append(out, build(r))
	}
	return out
}

func apiHearingOut(h *cooperation.HearingRecord) *apiHearingJSON {
	if h == nil {
		return nil
	}
	out := &apiHearingJSON{Invited: h.Invited, Method: h.Method, InvitedAt: apiTimeOut(h.InvitedAt), RespondBy: apiTimeOut(h.RespondBy),
		Views: make([]apiViewJSON, 0, len(h.Views))}
	for _, v := range h.Views {
		out.Views = append(out.Views, apiViewJSON{By: v.By, Text: v.Text, At: apiTimeOut(v.At)})
	}
	return out
}

// apiCaseOut is the whole case in lang, with its timeline at now in loc.
func (s *Server) apiCaseOut(lang monitoring.Language, cs *cooperation.Case, now time.Time, loc *time.Location) apiCaseJSON {
	out := apiCaseJSON{ID: cs.ID, Title: cs.Title, Procedure: string(cs.Procedure), ProposedProcedure: string(cs.Proposed.Procedure),
		ProcedureProposal: s.apiChoiceOut(lang, cs.Proposed, cs.CreatedAt),
		OverrideReason:    string(cs.Override), OverrideDetail: cs.OverrideDetail, Status: string(cs.Status),
		ActivityIDs: apiNonNil(cs.ActivityIDs), Units: apiNonNil(cs.Units), Representatives: apiNonNil(cs.Representatives),
		StaffSide: make([]apiStaffGroupJSON, 0, len(cs.Groups)), CreatedBy: cs.CreatedBy, CreatedAt: apiTimeOut(cs.CreatedAt),
		Proposal:        apiInformationVersionsJSON{Versions: make([]apiInformationJSON, 0, len(cs.Information))},
		Meetings:        make([]apiMeetingJSON, 0, len(cs.Meetings)),
		Initiatives:     make([]apiInitiativeJSON, 0, len(cs.Initiatives)),
		Comments:        apiCommentsOut(cs.Comments),
		Hearing:         apiHearingOut(cs.Hearing),
		Confidentiality: []apiConfidentialityJSON{},
		Deadlines:       []apiDeadlineJSON{},
	}
	for _, g := range cs.Groups {
		gj := apiStaffGroupJSON{Name: g.Name, AllEmployees: g.AllEmployees, Units: apiNonNil(g.Units),
			Representatives: make([]apiRepresentativeJSON, 0, len(g.Representatives))}
		for _, r := range g.Representatives {
			gj.Representatives = append(gj.Representatives, apiRepresentativeJSON{Email: r.Email, Name: r.Name, Type: string(r.Type),
				TermStart: apiDateOut(r.TermStart), TermEnd: apiDateOut(r.TermEnd)})
		}
		out.StaffSide = append(out.StaffSide, gj)
	}
	for _, in := range cs.Information {
		out.Proposal.Versions = append(out.Proposal.Versions, apiInformationOut(in))
	}
	if cur := cs.CurrentInformation(); cur != nil {
		ij := apiInformationOut(cur)
		out.Proposal.Current = &ij
		if cur.Confidentiality.Confidential {
			out.Confidentiality = append(out.Confidentiality, apiConfidentialityJSON{Document: "information", Confidential: true,
				ToldTo: cur.Confidentiality.ToldTo, ToldAt: apiTimeOut(cur.Confidentiality.ToldAt)})
		}
	}
	for _, m := range cs.Meetings {
		out.Meetings = append(out.Meetings, apiMeetingOut(m))
		if m.Confidentiality.Confidential {
			out.Confidentiality = append(out.Confidentiality, apiConfidentialityJSON{Document: "meeting:" + strconv.FormatInt(m.ID, 10),
				Confidential: true, ToldTo: m.Confidentiality.ToldTo, ToldAt: apiTimeOut(m.Confidentiality.ToldAt)})
		}
	}
	for _, i := range cs.Initiatives {
		out.Initiatives = append(out.Initiatives, s.apiInitiativeOut(lang, cs, i, loc))
	}
	if con := cs.Conclusion; con != nil {
		out.Conclusion = &apiConclusionJSON{Conclusion: con.Text, ConcludedAt: apiTimeOut(con.ConcludedAt), Account: con.Account, By: con.By}
	}
	for _, d := range cs.Timeline(now, loc) {
		out.Deadlines = append(out.Deadlines, apiDeadlineJSON{Rule: d.Rule, Key: d.Key, Due: apiDateOut(d.Due), Status: string(d.Status),
			Label: s.i18n.T(lang, "coop.deadline."+d.Key), StatusLabel: s.i18n.T(lang, "coop.deadline_status."+string(d.Status)),
			DoneAt: apiTimeOut(d.DoneAt)})
	}
	return out
}

// ---- access -------------------------------------------------------------

// apiCaseVisible reports whether u may read the case: hr and dpo every
// case, a representative the cases where they are on the staff side.
func apiCaseVisible(u *monitoring.User, cs *cooperation.Case) bool {
	if u.HasAny(monitoring.RoleHR, monitoring.RoleDPO) {
		return true
	}
	return u.Has(monitoring.RoleRepresentative) && cs.OnStaffSide(u.Email)
}

// apiCaseLoad loads the case of the path's :id, 404 when the principal may
// not see it.
func (s *Server) apiCaseLoad(c *fiber.Ctx) (*cooperation.Case, error) {
	id, err := apiPathID(c, "id")
	if err != nil {
		return nil, err
	}
	cs, err := s.Cases.FindCase(c.UserContext(), id)
	if err != nil {
		return nil, err
	}
	if !apiCaseVisible(principalOf(c).User, cs) {
		return nil, apiErrNotFound
	}
	return cs, nil
}

// apiCaseMeeting returns the meeting of the path's :meeting_id; 404 when the
// case has none such.
func apiCaseMeeting(c *fiber.Ctx, cs *cooperation.Case) (*cooperation.Meeting, error) {
	id, err := apiPathID(c, "meeting_id")
	if err != nil {
		return nil, err
	}
	for _, m := range cs.Meetings {
		if m.ID == id {
			return m, nil
		}
	}
	return nil, apiErrNotFound
}

// apiCaseOrg returns the organisation and its time zone.
func (s *Server) apiCaseOrg(c *fiber.Ctx) (monitoring.Organisation, *time.Location, error) {
	o, err := s.Settings.Organisation(c.UserContext())
	if err != nil {
		return o, nil, err
	}
	return o, o.Location(), nil
}

// apiCaseDecode reads a JSON body strictly into v.
func apiCaseDecode(c *fiber.Ctx, v any) error {
	b, err := apiJsonBody(c)
	if err != nil {
		return err
	}
	return apiDecodeStrict(b, v, "")
}

// apiCaseMerge adds the field errors of a domain Invalid error (package
// cooperation or monitoring) to fe; it reports whether err was one.
func apiCaseMerge(fe monitoring.FieldErrors, err error) bool {
	var ce *cooperation.Error
	if errors.As(err, &ce) && ce.Code == cooperation.Invalid {
		for f, k := range ce.Fields {
			fe.Add(f, k)
		}
		return true
	}
	var de *monitoring.Error
	if errors.As(err, &de) && de.Code == monitoring.Invalid {
		for f, k := range de.Fields {
			fe.Add(f, k)
		}
		return true
	}
	return false
}

// apiCaseText checks a free text field: required, valid UTF-8, not too long.
func apiCaseText(fe monitoring.FieldErrors, field, v string, required bool, max int) {
	switch {
	case required && strings.TrimSpace(v) == "":
		fe.Add(field, monitoring.MsgRequired)
	case len([]rune(v)) > max:
		fe.Add(field, monitoring.MsgTooLong)
	}
}

// apiCaseReload answers with the case as stored after a change.
func (s *Server) apiCaseReload(c *fiber.Ctx, id int64) (*cooperation.Case, *time.Location, error) {
	cs, err := s.Cases.FindCase(c.UserContext(), id)
	if err != nil {
		return nil, nil, err
	}
	_, loc, err := s.apiCaseOrg(c)
	return cs, loc, err
}

func (s *Server) apiCaseSend(c *fiber.Ctx, status int, id int64) error {
	cs, loc, err := s.apiCaseReload(c, id)
	if err != nil {
		return err
	}
	return apiSendJSON(c, status, s.apiCaseOut(s.langOf(c), cs, s.Now(), loc))
}

// ---- handlers -----------------------------------------------------------

// apiCaseProposal proposes the procedure for the organisation today (R-COOP-1).
func (s *Server) apiCaseProposal(c *fiber.Ctx) (cooperation.Proposal, monitoring.Organisation, time.Time, error) {
	o, loc, err := s.apiCaseOrg(c)
	if err != nil {
		return cooperation.Proposal{}, o, time.Time{}, err
	}
	today := monitoring.Today(s.Now(), loc)
	return cooperation.ProposeProcedure(o.Sector == monitoring.SectorOutsideTheAct, o.Headcount, today, s.cfg.CoopThresholds), o, today, nil
}

// apiCaseProcedureProposal answers what Vaaka would propose now, with the
// thresholds in force, marked as configuration (R-COOP-1).
func (s *Server) apiCaseProcedureProposal(c *fiber.Ctx) error {
	p, o, today, err := s.apiCaseProposal(c)
	if err != nil {
		return err
	}
	lang := s.langOf(c)
	out := apiProcedureProposalJSON{apiProcedureChoiceJSON: s.apiChoiceOut(lang, p, today), Key: p.Key, On: apiDateOut(today),
		Sector: string(o.Sector), Headcount: o.Headcount, Thresholds: make([]apiThresholdJSON, 0, len(s.cfg.CoopThresholds)),
		Configuration: true, Note: s.i18n.T(lang, apiCaseKeyConfigNote) + " " + s.i18n.T(lang, "coop.threshold_default_note")}
	if th, ok := s.apiCaseThresholdOn(today); ok {
		tj := apiThresholdOut(th)
		out.Threshold = &tj
	}
	for _, th := range s.cfg.CoopThresholds {
		out.Thresholds = append(out.Thresholds, apiThresholdOut(th))
	}
	return apiSendJSON(c, fiber.StatusOK, out)
}

func (s *Server) apiCaseCreate(c *fiber.Ctx) error {
	var in apiCaseIn
	if err := apiCaseDecode(c, &in); err != nil {
		return err
	}
	prop, _, today, err := s.apiCaseProposal(c)
	if err != nil {
		return err
	}
	fe := monitoring.FieldErrors{}
	apiCaseText(fe, "title", in.Title, true, cooperation.MaxShort)
	proc := cooperation.Procedure(in.Procedure)
	if in.Procedure == "" {
		proc = prop.Procedure
	} else if !proc.Valid() {
		fe.Add("procedure", monitoring.MsgUnknown)
	}
	override := cooperation.OverrideReason(in.OverrideReason)
	switch override {
	case "":
		// R-COOP-1: departing from the proposed procedure needs a recorded reason.
		if proc.Valid() && proc != prop.Procedure {
			fe.Add("override_reason", monitoring.MsgRequired)
		}
	case cooperation.LocalAgreement, cooperation.CollectiveAgreement, cooperation.SubstantialChange:
	case cooperation.OtherReason:
		apiCaseText(fe, "override_detail", in.OverrideDetail, true, cooperation.MaxText)
	default:
		fe.Add("override_reason", monitoring.MsgUnknown)
	}
	apiCaseText(fe, "override_detail", in.OverrideDetail, false, cooperation.MaxText)
	for i, id := range in.ActivityIDs {
		if id <= 0 {
			fe.Add("activity_ids["+itoa(i)+"]", monitoring.MsgNotFound)
		}
	}
	for i, e := range in.Representatives {
		if !monitoring.ValidEmail(e) {
			fe.Add("representatives["+itoa(i)+"]", monitoring.MsgEmail)
		}
	}
	for i, u := range in.Units {
		apiCaseText(fe, "units["+itoa(i)+"]", u, true, cooperation.MaxShort)
	}
	if err := fe.Err(); err != nil {
		return err
	}
	p := principalOf(c)
	cs := &cooperation.Case{Title: strings.TrimSpace(in.Title), Procedure: proc, ActivityIDs: in.ActivityIDs, Proposed: prop,
		Override: override, OverrideDetail: in.OverrideDetail, Units: in.Units, Representatives: in.Representatives,
		Status: cooperation.StatusDraft, CreatedBy: p.User.Email, CreatedAt: s.Now()}
	if err := s.Cases.CreateCase(c.UserContext(), p.User.Email, cs); err != nil {
		return err
	}
	st := cs.Status
	if st == "" {
		st = cooperation.StatusDraft
	}
	return apiSendJSON(c, fiber.StatusCreated, apiCaseCreatedJSON{ID: cs.ID, Status: string(st), Procedure: string(cs.Procedure),
		ProposedProcedure: string(prop.Procedure), Proposal: s.apiChoiceOut(s.langOf(c), prop, today)})
}

func (s *Server) apiCaseList(c *fiber.Ctx) error {
	lp, err := apiParseList(c)
	if err != nil {
		return err
	}
	cur, err := lp.seqCursor()
	if err != nil {
		return err
	}
	st := cooperation.Status(c.Query("status"))
	switch st {
	case "", cooperation.StatusDraft, cooperation.StatusInformationDelivered, cooperation.StatusInProgress,
		cooperation.StatusConcluded, cooperation.StatusWithdrawn:
	default:
		return errBadField("status", monitoring.MsgUnknown)
	}
	act, err := apiQueryInt64(c, "activity")
	if err != nil {
		return err
	}
	f := cooperation.CaseFilter{Status: st, ActivityID: act, Cursor: cur, Limit: lp.Limit}
	u := principalOf(c).User
	if !u.HasAny(monitoring.RoleHR, monitoring.RoleDPO) {
		// A representative sees only the cases where they are on the staff side.
		f.Representative = u.Email
	}
	cases, next, err := s.Cases.ListCases(c.UserContext(), f)
	if err != nil {
		return err
	}
	out := apiPage[apiCaseSummaryJSON]{Items: make([]apiCaseSummaryJSON, 0, len(cases)), NextCursor: apiEncodeSeqCursor(next)}
	for _, cs := range cases {
		if apiCaseVisible(u, cs) {
			out.Items = append(out.Items, apiCaseSummaryOut(cs))
		}
	}
	return apiSendJSON(c, fiber.StatusOK, out)
}

func (s *Server) apiCaseGet(c *fiber.Ctx) error {
	cs, err := s.apiCaseLoad(c)
	if err != nil {
		return err
	}
	_, loc, err := s.apiCaseOrg(c)
	if err != nil {
		return err
	}
	return apiSendJSON(c, fiber.StatusOK, s.apiCaseOut(s.langOf(c), cs, s.Now(), loc))
}

// apiCaseStaffSide replaces the staff groups (R-COOP-3).
func (s *Server) apiCaseStaffSide(c *fiber.Ctx) error {
	cs, err := s.apiCaseLoad(c)
	if err != nil {
		return err
	}
	var in apiStaffSideIn
	if err := apiCaseDecode(c, &in); err != nil {
		return err
	}
	fe := monitoring.FieldErrors{}
	if in.Groups == nil {
		fe.Add("groups", monitoring.MsgRequired)
	}
	groups := make([]cooperation.StaffGroup, 0, len(in.Groups))
	for i, g := range in.Groups {
		gp := "groups[" + itoa(i) + "]."
		apiCaseText(fe, gp+"name", g.Name, true, cooperation.MaxShort)
		if !g.AllEmployees && len(g.Representatives) == 0 {
			// R-COOP-3: a group without a representative takes part as all its employees.
			fe.Add(gp+"representatives", monitoring.MsgRequired)
		}
		sg := cooperation.StaffGroup{Name: strings.TrimSpace(g.Name), AllEmployees: g.AllEmployees, Units: g.Units}
		for j, r := range g.Representatives {
			rp := gp + "representatives[" + itoa(j) + "]."
			if !monitoring.ValidEmail(r.Email) {
				fe.Add(rp+"email", monitoring.MsgEmail)
			}
			apiCaseText(fe, rp+"name", r.Name, false, cooperation.MaxShort)
			rep := cooperation.Representative{Email: r.Email, Name: r.Name, Type: cooperation.RepresentativeType(r.Type),
				TermStart: apiParseDateField(fe, rp+"term_start", r.TermStart), TermEnd: apiParseDateField(fe, rp+"term_end", r.TermEnd)}
			switch {
			case r.Type == "":
				fe.Add(rp+"type", monitoring.MsgRequired)
			case !rep.Type.Valid():
				fe.Add(rp+"type", monitoring.MsgUnknown)
			case rep.Type == cooperation.CooperationRepresentative && rep.TermStart.IsZero():
				fe.Add(rp+"term_start", monitoring.MsgRequired)
			case rep.Type == cooperation.CooperationRepresentative && rep.TermEnd.IsZero():
				fe.Add(rp+"term_end", monitoring.MsgRequired)
			case !rep.ValidTerm():
				// R-COOP-3: a co-operation representative's term is at most two years.
				fe.Add(rp+"term_end", monitoring.MsgInvalid)
			}
			sg.Representatives = append(sg.Representatives, rep)
		}
		groups = append(groups, sg)
	}
	if err := fe.Err(); err != nil {
		return err
	}
	if err := s.Cases.SetStaffSide(c.UserContext(), principalOf(c).User.Email, cs.ID, groups); err != nil {
		return err
	}
	return s.apiCaseSend(c, fiber.StatusOK, cs.ID)
}

// apiCaseRecipients are the staff side's representatives, the default
// recipients of the written information.
func apiCaseRecipients(cs *cooperation.Case) []string {
	var out []string
	seen := map[string]bool{}
	add := func(e string) {
		if k := strings.ToLower(e); e != "" && !seen[k] {
			seen[k] = true
			out = append(out, e)
		}
	}
	for _, r := range cs.Representatives {
		add(r)
	}
	for _, g := range cs.Groups {
		for _, r := range g.Representatives {
			add(r.Email)
		}
	}
	return out
}

// apiCaseProposalCreate stores a new version of the written information /
// proposal. A broken time limit (R-COOP-2, R-COOP-6) is refused by the
// service as DeadlineBroken, answered 422 with the rules.
func (s *Server) apiCaseProposalCreate(c *fiber.Ctx) error {
	cs, err := s.apiCaseLoad(c)
	if err != nil {
		return err
	}
	var in apiInformationIn
	if err := apiCaseDecode(c, &in); err != nil {
		return err
	}
	fe := monitoring.FieldErrors{}
	now := s.Now()
	info := &cooperation.Information{Subject: in.Subject, Purpose: in.Purpose, Methods: in.Methods, IntroductionPlan: in.IntroductionPlan,
		GroupsAffected: in.GroupsAffected, InformationGiven: in.InformationGiven,
		FirstMeetingAt: apiParseTimeField(fe, "first_meeting_at", in.FirstMeetingAt), Place: in.Place,
		DeliveredAt:            apiParseTimeField(fe, "delivered_at", in.DeliveredAt),
		ShorterNoticeAgreement: in.ShorterNoticeAgreement, CreatedBy: principalOf(c).User.Email, CreatedAt: now}
	if in.DeliveredAt == "" {
		fe.Add("delivered_at", monitoring.MsgRequired)
	}
	if in.Recipients != nil {
		info.Recipients = *in.Recipients
	} else {
		info.Recipients = apiCaseRecipients(cs)
	}
	for i, r := range info.Recipients {
		apiCaseText(fe, "recipients["+itoa(i)+"]", r, true, cooperation.MaxShort)
	}
	if in.Confidential {
		// R-COOP-11: a confidentiality mark binds only when announced.
		apiCaseText(fe, "confidential_told_to", in.ConfidentialToldTo, true, cooperation.MaxShort)
		info.Confidentiality = cooperation.Confidentiality{Confidential: true, ToldTo: in.ConfidentialToldTo, ToldAt: now}
	}
	apiCaseMerge(fe, info.Validate())
	if err := fe.Err(); err != nil {
		return err
	}
	_, loc, err := s.apiCaseOrg(c)
	if err != nil {
		return err
	}
	// R-COOP-2, R-COOP-6: the service refuses a broken time limit too; the
	// same pure rule here answers before anything is attempted.
	if rs := cooperation.CheckInformationTiming(cs.Procedure, info, loc); len(rs) > 0 {
		return &cooperation.Error{Code: cooperation.DeadlineBroken, Message: "information time limit", Rules: rs}
	}
	if err := s.Cases.AddInformation(c.UserContext(), principalOf(c).User.Email, cs.ID, info, loc); err != nil {
		return err
	}
	cs, loc, err = s.apiCaseReload(c, cs.ID)
	if err != nil {
		return err
	}
	out := apiInformationOut(info)
	if cur := cs.CurrentInformation(); cur != nil {
		out = apiInformationOut(cur)
	}
	return apiSendJSON(c, fiber.StatusCreated, out)
}

func (s *Server) apiCaseMeetingCreate(c *fiber.Ctx) error {
	cs, err := s.apiCaseLoad(c)
	if err != nil {
		return err
	}
	var in apiMeetingIn
	if err := apiCaseDecode(c, &in); err != nil {
		return err
	}
	fe := monitoring.FieldErrors{}
	m := &cooperation.Meeting{HeldAt: apiParseTimeField(fe, "held_at", in.HeldAt), Place: in.Place, Agenda: in.Agenda,
		MinutesRequested: in.MinutesRequested}
	if in.HeldAt == "" {
		fe.Add("held_at", monitoring.MsgRequired)
	}
	apiCaseText(fe, "place", in.Place, false, cooperation.MaxShort)
	apiCaseText(fe, "agenda", in.Agenda, false, cooperation.MaxText)
	if len(in.Participants) == 0 {
		fe.Add("participants", monitoring.MsgRequired)
	}
	seen := map[string]bool{}
	for i, e := range in.Participants {
		f := "participants[" + itoa(i) + "]"
		if !monitoring.ValidEmail(e) {
			fe.Add(f, monitoring.MsgEmail)
			continue
		}
		if seen[strings.ToLower(e)] {
			fe.Add(f, monitoring.MsgDuplicate)
			continue
		}
		seen[strings.ToLower(e)] = true
		// The service derives the side (the case's staff side, otherwise
		// the employer) and the name.
		m.Participants = append(m.Participants, cooperation.Participant{Email: e})
	}
	if in.Attended != nil {
		attended := map[string]bool{}
		for i, e := range *in.Attended {
			if !seen[strings.ToLower(e)] {
				fe.Add("attended["+itoa(i)+"]", monitoring.MsgNotFound)
			}
			attended[strings.ToLower(e)] = true
		}
		for i := range m.Participants {
			m.Participants[i].Attended = attended[strings.ToLower(m.Participants[i].Email)]
		}
	} else if !m.HeldAt.IsZero() && !m.HeldAt.After(s.Now()) {
		for i := range m.Participants {
			m.Participants[i].Attended = true
		}
	}
	if err := fe.Err(); err != nil {
		return err
	}
	if err := s.Cases.AddMeeting(c.UserContext(), principalOf(c).User.Email, cs.ID, m); err != nil {
		return err
	}
	cs, _, err = s.apiCaseReload(c, cs.ID)
	if err != nil {
		return err
	}
	out := apiMeetingOut(m)
	for _, x := range cs.Meetings {
		if x.ID == m.ID || (m.ID == 0 && x == cs.Meetings[len(cs.Meetings)-1]) {
			out = apiMeetingOut(x)
		}
	}
	return apiSendJSON(c, fiber.StatusCreated, out)
}

// apiCaseMeetingSend answers with the meeting as stored.
func (s *Server) apiCaseMeetingSend(c *fiber.Ctx, status int, caseID, meetingID int64) error {
	cs, _, err := s.apiCaseReload(c, caseID)
	if err != nil {
		return err
	}
	if m := cs.Meeting(meetingID); m != nil {
		return apiSendJSON(c, status, apiMeetingOut(m))
	}
	return apiErrNotFound
}

// apiCaseMinutesPut writes a new version of a meeting's minutes: a
// correction makes a new version that needs the approvals again (R-COOP-4).
func (s *Server) apiCaseMinutesPut(c *fiber.Ctx) error {
	cs, err := s.apiCaseLoad(c)
	if err != nil {
		return err
	}
	m, err := apiCaseMeeting(c, cs)
	if err != nil {
		return err
	}
	var in apiMinutesIn
	if err := apiCaseDecode(c, &in); err != nil {
		return err
	}
	mi := &cooperation.Minutes{MainContent: in.MainContent, Outcome: in.Outcome, EmployerPosition: in.EmployerPosition,
		StaffPosition: in.StaffPosition, WrittenBy: principalOf(c).User.Email, WrittenAt: s.Now()}
	for _, d := range in.Dissent {
		mi.Dissent = append(mi.Dissent, cooperation.Dissent{By: d.By, Text: d.Text})
	}
	fe := monitoring.FieldErrors{}
	apiCaseMerge(fe, mi.Validate())
	if err := fe.Err(); err != nil {
		return err
	}
	if err := s.Cases.WriteMinutes(c.UserContext(), principalOf(c).User.Email, cs.ID, m.ID, mi); err != nil {
		return err
	}
	return s.apiCaseMeetingSend(c, fiber.StatusOK, cs.ID, m.ID)
}

// apiCaseApprove records the principal's approval of the current minutes or
// their request for a correction; only participants answer, once per
// version (R-COOP-4, R-COOP-8).
func (s *Server) apiCaseApprove(c *fiber.Ctx) error {
	cs, err := s.apiCaseLoad(c)
	if err != nil {
		return err
	}
	m, err := apiCaseMeeting(c, cs)
	if err != nil {
		return err
	}
	var in apiApprovalIn
	if err := apiCaseDecode(c, &in); err != nil {
		return err
	}
	u := principalOf(c).User
	side := m.SideOf(u.Email)
	if side == "" {
		return errForbidden
	}
	fe := monitoring.FieldErrors{}
	if in.Approve == nil {
		fe.Add("approve", monitoring.MsgRequired)
	} else if !*in.Approve {
		apiCaseText(fe, "comment", in.Comment, true, cooperation.MaxText)
		if strings.TrimSpace(in.Dissent) != "" {
			fe.Add("dissent", monitoring.MsgInvalid)
		}
	}
	apiCaseText(fe, "comment", in.Comment, false, cooperation.MaxText)
	apiCaseText(fe, "dissent", in.Dissent, false, cooperation.MaxText)
	cur := m.CurrentMinutes()
	if err := fe.Err(); err != nil {
		return err
	}
	if cur == nil {
		return cooperation.Errorf(cooperation.Conflict, "meeting %d has no minutes", m.ID)
	}
	a := &cooperation.Approval{Version: cur.Version, By: u.Email, Side: side, Approve: *in.Approve, Comment: in.Comment,
		Dissent: in.Dissent, At: s.Now()}
	if err := s.Cases.ApproveMinutes(c.UserContext(), u.Email, cs.ID, m.ID, a); err != nil {
		return err
	}
	return s.apiCaseMeetingSend(c, fiber.StatusCreated, cs.ID, m.ID)
}

// apiCaseConclude concludes the case with the employer's definition of
// purpose and methods (R-COOP-10); the service refuses it with the unmet
// preconditions, answered 409 with the rules.
func (s *Server) apiCaseConclude(c *fiber.Ctx) error {
	cs, err := s.apiCaseLoad(c)
	if err != nil {
		return err
	}
	var in apiConcludeIn
	if err := apiCaseDecode(c, &in); err != nil {
		return err
	}
	fe := monitoring.FieldErrors{}
	apiCaseText(fe, "conclusion", in.Conclusion, true, cooperation.MaxText)
	apiCaseText(fe, "account", in.Account, false, cooperation.MaxText)
	con := &cooperation.Conclusion{Text: in.Conclusion, ConcludedAt: apiParseTimeField(fe, "concluded_at", in.ConcludedAt),
		Account: in.Account, By: principalOf(c).User.Email}
	if in.ConcludedAt == "" {
		fe.Add("concluded_at", monitoring.MsgRequired)
	}
	if err := fe.Err(); err != nil {
		return err
	}
	if err := s.Cases.Conclude(c.UserContext(), principalOf(c).User.Email, cs.ID, con, s.Now()); err != nil {
		return err
	}
	return s.apiCaseSend(c, fiber.StatusOK, cs.ID)
}

// apiCaseCommentCreate adds a representative's comment or question, or an
// answer to one (hr answers only).
func (s *Server) apiCaseCommentCreate(c *fiber.Ctx) error {
	cs, err := s.apiCaseLoad(c)
	if err != nil {
		return err
	}
	var in apiCommentIn
	if err := apiCaseDecode(c, &in); err != nil {
		return err
	}
	u := principalOf(c).User
	fe := monitoring.FieldErrors{}
	apiCaseText(fe, "text", in.Text, true, cooperation.MaxText)
	switch {
	case in.ParentID < 0:
		fe.Add("parent_id", monitoring.MsgNotFound)
	case in.ParentID > 0:
		found := false
		for _, cm := range cs.Comments {
			found = found || cm.ID == in.ParentID
		}
		if !found {
			fe.Add("parent_id", monitoring.MsgNotFound)
		}
	case !cs.OnStaffSide(u.Email):
		// hr answers the staff side's comments and questions.
		fe.Add("parent_id", monitoring.MsgRequired)
	}
	if err := fe.Err(); err != nil {
		return err
	}
	cm := &cooperation.Comment{ParentID: in.ParentID, By: u.Email, Text: in.Text, At: s.Now()}
	if cur := cs.CurrentInformation(); cur != nil {
		cm.InformationVersion = cur.Version
	}
	if err := s.Cases.AddComment(c.UserContext(), u.Email, cs.ID, cm); err != nil {
		return err
	}
	cs, _, err = s.apiCaseReload(c, cs.ID)
	if err != nil {
		return err
	}
	stored := cm
	if cm.ID == 0 && len(cs.Comments) > 0 {
		stored = cs.Comments[len(cs.Comments)-1]
	}
	for _, x := range cs.Comments {
		if cm.ID != 0 && x.ID == cm.ID {
			stored = x
		}
	}
	out := apiCommentsOut([]*cooperation.Comment{stored})
	return apiSendJSON(c, fiber.StatusCreated, out[0])
}

// apiCaseInitiativeCreate records a representative's initiative or written
// proposal; one received less than two weeks before the next meeting is
// deferred and the answer tells the initiator so (R-COOP-5).
func (s *Server) apiCaseInitiativeCreate(c *fiber.Ctx) error {
	cs, err := s.apiCaseLoad(c)
	if err != nil {
		return err
	}
	u := principalOf(c).User
	if !cs.OnStaffSide(u.Email) {
		// Only the case's staff side makes initiatives (hr answers them).
		return errForbidden
	}
	var in apiInitiativeIn
	if err := apiCaseDecode(c, &in); err != nil {
		return err
	}
	fe := monitoring.FieldErrors{}
	kind := cooperation.InitiativeKind(in.Kind)
	switch kind {
	case "":
		fe.Add("kind", monitoring.MsgRequired)
	case cooperation.KindInitiative, cooperation.KindWrittenProposal:
	default:
		fe.Add("kind", monitoring.MsgUnknown)
	}
	apiCaseText(fe, "text", in.Text, true, cooperation.MaxText)
	if err := fe.Err(); err != nil {
		return err
	}
	_, loc, err := s.apiCaseOrg(c)
	if err != nil {
		return err
	}
	i := &cooperation.Initiative{Kind: kind, By: u.Email, Text: in.Text, ReceivedAt: s.Now()}
	if err := s.Cases.AddInitiative(c.UserContext(), u.Email, cs.ID, i, loc); err != nil {
		return err
	}
	cs, loc, err = s.apiCaseReload(c, cs.ID)
	if err != nil {
		return err
	}
	stored := i
	for _, x := range cs.Initiatives {
		if x.ID == i.ID {
			stored = x
		}
	}
	return apiSendJSON(c, fiber.StatusCreated, s.apiInitiativeOut(s.langOf(c), cs, stored, loc))
}

// apiCaseInitiativeRespond records the employer's answer; a rejection needs
// reasons (R-COOP-5, R-COOP-7).
func (s *Server) apiCaseInitiativeRespond(c *fiber.Ctx) error {
	cs, err := s.apiCaseLoad(c)
	if err != nil {
		return err
	}
	iid, err := apiPathID(c, "initiative_id")
	if err != nil {
		return err
	}
	ini := cs.Initiative(iid)
	if ini == nil {
		return apiErrNotFound
	}
	var in apiInitiativeResponseIn
	if err := apiCaseDecode(c, &in); err != nil {
		return err
	}
	fe := monitoring.FieldErrors{}
	if in.Accepted == nil {
		fe.Add("accepted", monitoring.MsgRequired)
	} else {
		apiCaseMerge(fe, ini.ValidateResponse(*in.Accepted, in.Response))
	}
	apiCaseText(fe, "response", in.Response, false, cooperation.MaxText)
	if err := fe.Err(); err != nil {
		return err
	}
	if err := s.Cases.RespondInitiative(c.UserContext(), principalOf(c).User.Email, cs.ID, iid, *in.Accepted, in.Response); err != nil {
		return err
	}
	cs, loc, err := s.apiCaseReload(c, cs.ID)
	if err != nil {
		return err
	}
	for _, x := range cs.Initiatives {
		if x.ID == iid {
			return apiSendJSON(c, fiber.StatusOK, s.apiInitiativeOut(s.langOf(c), cs, x, loc))
		}
	}
	return apiErrNotFound
}

// apiCaseHearingPut records the hearing (R-COOP-9): who was invited, how,
// when and until when they may be heard.
func (s *Server) apiCaseHearingPut(c *fiber.Ctx) error {
	cs, err := s.apiCaseLoad(c)
	if err != nil {
		return err
	}
	var in apiHearingIn
	if err := apiCaseDecode(c, &in); err != nil {
		return err
	}
	fe := monitoring.FieldErrors{}
	h := &cooperation.HearingRecord{Invited: in.Invited, Method: in.Method,
		InvitedAt: apiParseTimeField(fe, "invited_at", in.InvitedAt), RespondBy: apiParseTimeField(fe, "respond_by", in.RespondBy)}
	if cs.Hearing != nil {
		h.Views = cs.Hearing.Views
	}
	apiCaseText(fe, "invited", in.Invited, true, cooperation.MaxText)
	apiCaseText(fe, "method", in.Method, true, cooperation.MaxShort)
	if _, bad := fe["invited_at"]; !bad {
		if _, bad := fe["respond_by"]; !bad {
			apiCaseMerge(fe, h.Validate())
		}
	}
	if err := fe.Err(); err != nil {
		return err
	}
	if err := s.Cases.RecordHearing(c.UserContext(), principalOf(c).User.Email, cs.ID, h); err != nil {
		return err
	}
	return s.apiCaseHearingSend(c, fiber.StatusOK, cs.ID)
}

func (s *Server) apiCaseHearingSend(c *fiber.Ctx, status int, id int64) error {
	cs, _, err := s.apiCaseReload(c, id)
	if err != nil {
		return err
	}
	out := apiHearingOut(cs.Hearing)
	if out == nil {
		out = &apiHearingJSON{Views: []apiViewJSON{}}
	}
	return apiSendJSON(c, status, out)
}

// apiCaseViewCreate records a view received in the hearing (R-COOP-9).
func (s *Server) apiCaseViewCreate(c *fiber.Ctx) error {
	cs, err := s.apiCaseLoad(c)
	if err != nil {
		return err
	}
	var in apiViewIn
	if err := apiCaseDecode(c, &in); err != nil {
		return err
	}
	fe := monitoring.FieldErrors{}
	apiCaseText(fe, "by", in.By, true, cooperation.MaxShort)
	apiCaseText(fe, "text", in.Text, true, cooperation.MaxText)
	if err := fe.Err(); err != nil {
		return err
	}
	if cs.Hearing == nil {
		return cooperation.Errorf(cooperation.Conflict, "case %d has no hearing", cs.ID)
	}
	if err := s.Cases.AddView(c.UserContext(), principalOf(c).User.Email, cs.ID, &cooperation.View{By: in.By, Text: in.Text, At: s.Now()}); err != nil {
		return err
	}
	return s.apiCaseHearingSend(c, fiber.StatusCreated, cs.ID)
}

// apiCaseConfidentiality marks a document confidential and records who was
// told (R-COOP-11).
func (s *Server) apiCaseConfidentiality(c *fiber.Ctx) error {
	cs, err := s.apiCaseLoad(c)
	if err != nil {
		return err
	}
	var in apiConfidentialityIn
	if err := apiCaseDecode(c, &in); err != nil {
		return err
	}
	fe := monitoring.FieldErrors{}
	switch {
	case in.Document == "":
		fe.Add("document", monitoring.MsgRequired)
	case in.Document == "information":
		if cs.CurrentInformation() == nil {
			fe.Add("document", monitoring.MsgNotFound)
		}
	case strings.HasPrefix(in.Document, "meeting:"):
		id, err := strconv.ParseInt(strings.TrimPrefix(in.Document, "meeting:"), 10, 64)
		if err != nil || cs.Meeting(id) == nil {
			fe.Add("document", monitoring.MsgNotFound)
		}
	default:
		fe.Add("document", monitoring.MsgUnknown)
	}
	apiCaseText(fe, "told_to", in.ToldTo, in.Confidential, cooperation.MaxShort)
	if err := fe.Err(); err != nil {
		return err
	}
	conf := cooperation.Confidentiality{Confidential: in.Confidential, ToldTo: in.ToldTo}
	if in.Confidential {
		conf.ToldAt = s.Now()
	}
	if err := s.Cases.SetConfidential(c.UserContext(), principalOf(c).User.Email, cs.ID, in.Document, conf); err != nil {
		return err
	}
	return s.apiCaseSend(c, fiber.StatusOK, cs.ID)
}

// apiCaseWithdraw ends a case without a conclusion.
func (s *Server) apiCaseWithdraw(c *fiber.Ctx) error {
	cs, err := s.apiCaseLoad(c)
	if err != nil {
		return err
	}
	var in apiWithdrawIn
	if err := apiCaseDecode(c, &in); err != nil {
		return err
	}
	fe := monitoring.FieldErrors{}
	apiCaseText(fe, "reason", in.Reason, true, cooperation.MaxText)
	if err := fe.Err(); err != nil {
		return err
	}
	if err := s.Cases.Withdraw(c.UserContext(), principalOf(c).User.Email, cs.ID, in.Reason); err != nil {
		return err
	}
	return s.apiCaseSend(c, fiber.StatusOK, cs.ID)
}

// routesAPICases registers the co-operation case routes (COMMON.md wave 2:
// hr runs a case; hr and dpo read all; representatives read theirs, comment,
// make initiatives and approve minutes; supervisors, employees and admins
// get 403).
func (s *Server) routesAPICases(r fiber.Router) {
	read, write := monitoring.ScopeRead, monitoring.ScopeWrite
	hr, dpo, rep := monitoring.RoleHR, monitoring.RoleDPO, monitoring.RoleRepresentative

	r.Get("/cases/procedure-proposal", s.need(read, hr), s.apiCaseProcedureProposal)
	r.Post("/cases", s.need(write, hr), s.apiCaseCreate)
	r.Get("/cases", s.need(read, hr, dpo, rep), s.apiCaseList)
	r.Get("/cases/:id", s.need(read, hr, dpo, rep), s.apiCaseGet)
	r.Put("/cases/:id/staff-side", s.need(write, hr), s.apiCaseStaffSide)
	r.Post("/cases/:id/proposal", s.need(write, hr), s.apiCaseProposalCreate)
	r.Post("/cases/:id/meetings", s.need(write, hr), s.apiCaseMeetingCreate)
	r.Put("/cases/:id/meetings/:meeting_id/minutes", s.need(write, hr), s.apiCaseMinutesPut)
	r.Post("/cases/:id/meetings/:meeting_id/minutes/approvals", s.need(write, hr, rep), s.apiCaseApprove)
	r.Post("/cases/:id/conclude", s.need(write, hr), s.apiCaseConclude)
	r.Post("/cases/:id/comments", s.need(write, hr, rep), s.apiCaseCommentCreate)
	r.Post("/cases/:id/initiatives", s.need(write, rep), s.apiCaseInitiativeCreate)
	r.Post("/cases/:id/initiatives/:initiative_id/response", s.need(write, hr), s.apiCaseInitiativeRespond)
	r.Put("/cases/:id/hearing", s.need(write, hr), s.apiCaseHearingPut)
	r.Post("/cases/:id/hearing/views", s.need(write, hr), s.apiCaseViewCreate)
	r.Post("/cases/:id/confidentiality", s.need(write, hr), s.apiCaseConfidentiality)
	r.Post("/cases/:id/withdraw", s.need(write, hr), s.apiCaseWithdraw)
}
