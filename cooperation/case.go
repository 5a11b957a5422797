package cooperation

import (
	"strings"
	"time"
)

// Case is one co-operation case: how the employer handles the monitoring
// activities it concerns with the staff before deciding.
type Case struct {
	ID          int64
	Title       string
	Procedure   Procedure
	ActivityIDs []int64
	// Proposed is the procedure Vaaka proposed from the headcount
	// (R-COOP-1); when Procedure differs, Override carries the reason.
	Proposed       Proposal
	Override       OverrideReason
	OverrideDetail string
	Units          []string
	// Representatives are the emails of the staff side's users who take
	// part (their portal shows the case).
	Representatives []string
	Groups          []StaffGroup
	Status          Status
	CreatedBy       string
	CreatedAt       time.Time

	Information []*Information // every version, oldest first
	Meetings    []*Meeting
	Initiatives []*Initiative
	Comments    []*Comment
	Hearing     *HearingRecord
	Conclusion  *Conclusion
}

// OnStaffSide reports whether email is on the staff side of the case:
// among its representatives or a staff group's representatives (R-COOP-3).
// It decides who, besides HR and the DPO, may read the case.
func (c *Case) OnStaffSide(email string) bool {
	for _, r := range c.Representatives {
		if strings.EqualFold(r, email) {
			return true
		}
	}
	for _, g := range c.Groups {
		for _, r := range g.Representatives {
			if strings.EqualFold(r.Email, email) {
				return true
			}
		}
	}
	return false
}

// Meeting returns the case's meeting with the given id, or nil.
func (c *Case) Meeting(id int64) *Meeting {
	for _, m := range c.Meetings {
		if m.ID == id {
			return m
		}
	}
	return nil
}

// Initiative returns the case's initiative with the given id, or nil.
func (c *Case) Initiative(id int64) *Initiative {
	for _, i := range c.Initiatives {
		if i.ID == id {
			return i
		}
	}
	return nil
}

// CurrentInformation returns the newest version of the written
// information / proposal, or nil.
func (c *Case) CurrentInformation() *Information {
	if len(c.Information) == 0 {
		return nil
	}
	return c.Information[len(c.Information)-1]
}

// Confidentiality marks a document confidential and records who was told
// (R-COOP-11: the mark binds only when announced).
type Confidentiality struct {
	Confidential bool
	ToldTo       string
	ToldAt       time.Time
}

// Information is a version of the written information / proposal
// (R-COOP-2 for dialogue, R-COOP-6 for change negotiations).
type Information struct {
	Version          int
	Subject          string
	Purpose          string
	Methods          string
	IntroductionPlan string
	GroupsAffected   string
	InformationGiven string
	FirstMeetingAt   time.Time
	Place            string
	DeliveredAt      time.Time // zero until delivered
	Recipients       []string
	// ShorterNoticeAgreement records an agreement on a notice shorter than
	// seven days (R-COOP-2); empty when none.
	ShorterNoticeAgreement string
	Confidentiality        Confidentiality
	CreatedBy              string
	CreatedAt              time.Time
}

// Validate checks the content of the information.
func (in *Information) Validate() error {
	fe := fieldErrors{}
	fe.text("subject", in.Subject, true)
	fe.text("purpose", in.Purpose, true)
	fe.text("methods", in.Methods, true)
	fe.text("introduction_plan", in.IntroductionPlan, false)
	fe.text("groups_affected", in.GroupsAffected, false)
	fe.text("information_given", in.InformationGiven, false)
	fe.text("place", in.Place, false)
	fe.text("shorter_notice_agreement", in.ShorterNoticeAgreement, false)
	if in.FirstMeetingAt.IsZero() {
		fe.add("first_meeting_at", "required")
	}
	return fe.err()
}

// CheckInformationTiming applies the statutory time limit of the written
// information for the procedure: for dialogue the information reaches the
// representatives at least 7 calendar days before the first meeting unless a
// shorter notice was agreed (R-COOP-2); for change negotiations the proposal
// precedes the negotiations (R-COOP-6). It returns the broken rules.
func CheckInformationTiming(p Procedure, in *Information, loc *time.Location) []RuleResult {
	if in.DeliveredAt.IsZero() || in.FirstMeetingAt.IsZero() {
		return nil
	}
	switch p {
	case Dialogue:
		if blank(in.ShorterNoticeAgreement) && !InformationInTime(in.DeliveredAt, in.FirstMeetingAt, loc) {
			return []RuleResult{{Rule: "R-COOP-2", Key: "information_7_days"}}
		}
	case ChangeNegotiations:
		if !in.DeliveredAt.Before(in.FirstMeetingAt) {
			return []RuleResult{{Rule: "R-COOP-6", Key: "proposal_before_negotiations"}}
		}
	}
	return nil
}

// Meeting of the employer and the staff side.
type Meeting struct {
	ID           int64
	HeldAt       time.Time
	Place        string
	Participants []Participant
	Agenda       string
	// MinutesRequested: the staff side asked for minutes, at the latest at
	// the start of the meeting (R-COOP-4).
	MinutesRequested bool
	Minutes          []*Minutes // versions, oldest first
	Approvals        []Approval
	Confidentiality  Confidentiality
}

// CurrentMinutes returns the newest version of the minutes, or nil.
func (m *Meeting) CurrentMinutes() *Minutes {
	if len(m.Minutes) == 0 {
		return nil
	}
	return m.Minutes[len(m.Minutes)-1]
}

// MinutesSigned reports whether the current minutes are signed.
func (m *Meeting) MinutesSigned() bool {
	cur := m.CurrentMinutes()
	return cur != nil && Signed(cur.Version, m.Approvals)
}

// SideOf returns the side of a participant, or "" when email is not one.
func (m *Meeting) SideOf(email string) Side {
	for _, p := range m.Participants {
		if strings.EqualFold(p.Email, email) {
			return p.Side
		}
	}
	return ""
}

// InitiativeKind distinguishes a staff initiative (R-COOP-5) from a written
// proposal in change negotiations (R-COOP-7).
type InitiativeKind string

// Initiative kinds.
const (
	KindInitiative      InitiativeKind = "initiative"
	KindWrittenProposal InitiativeKind = "written_proposal"
)

// Initiative is a representative's initiative or written proposal and the
// employer's answer.
type Initiative struct {
	ID         int64
	Kind       InitiativeKind
	By         string
	Text       string
	ReceivedAt time.Time
	// Deferred: received less than two weeks before the next meeting, so it
	// may go to the following one; the initiator is told (R-COOP-5).
	Deferred    bool
	Response    string
	Accepted    *bool
	RespondedAt time.Time
	RespondedBy string
}

// ValidateResponse checks the employer's answer: a rejection needs written
// reasons (R-COOP-5, R-COOP-7).
func (i *Initiative) ValidateResponse(accepted bool, response string) error {
	fe := fieldErrors{}
	fe.text("response", response, !accepted)
	return fe.err()
}

// Comment is a representative's comment or question on the proposal, or
// HR's answer to one (ParentID set).
type Comment struct {
	ID                 int64
	ParentID           int64
	InformationVersion int
	By                 string
	Text               string
	At                 time.Time
}

// HearingRecord records the opportunity to be heard (R-COOP-9).
type HearingRecord struct {
	Invited   string // who was invited (groups, persons)
	Method    string // how: email, meeting, intranet …
	InvitedAt time.Time
	// RespondBy ends the opportunity to be heard.
	RespondBy time.Time
	Views     []View
}

// View is a view received in a hearing.
type View struct {
	By   string
	Text string
	At   time.Time
}

// Validate checks a hearing record.
func (h *HearingRecord) Validate() error {
	fe := fieldErrors{}
	fe.text("invited", h.Invited, true)
	fe.text("method", h.Method, true)
	if h.InvitedAt.IsZero() {
		fe.add("invited_at", "required")
	}
	if h.RespondBy.IsZero() {
		fe.add("respond_by", "required")
	} else if !h.InvitedAt.IsZero() && !h.RespondBy.After(h.InvitedAt) {
		fe.add("respond_by", "invalid")
	}
	return fe.err()
}

// Facts derives the conclusion preconditions' facts from the case as of
// at: only meetings held by then count (a meeting merely scheduled is not a
// dialogue held, R-COOP-10).
func (c *Case) Facts(at time.Time) CaseFacts {
	f := CaseFacts{Procedure: c.Procedure}
	if in := c.CurrentInformation(); in != nil && !in.DeliveredAt.IsZero() {
		f.InformationDelivered = true
	}
	for _, m := range c.Meetings {
		if m.HeldAt.After(at) {
			continue
		}
		f.MeetingHeld = true
		if m.MinutesRequested && !m.MinutesSigned() {
			f.UnsignedRequestedMinutes++
		}
	}
	if c.Hearing != nil {
		f.HearingEnds = c.Hearing.RespondBy
	}
	return f
}
