package cooperation

import (
	"strings"
	"time"
)

// Side is the party a participant speaks for.
type Side string

// Sides of the co-operation.
const (
	EmployerSide Side = "employer"
	StaffSide    Side = "staff"
)

// Participant of a meeting.
type Participant struct {
	Email    string
	Name     string
	Side     Side
	Attended bool
}

// Dissent is a dissenting opinion recorded in the minutes.
type Dissent struct {
	By   string
	Text string
}

// Minutes of a meeting, versioned: a correction request makes a new
// version, and approvals are per version.
type Minutes struct {
	Version          int
	MainContent      string
	Outcome          string
	EmployerPosition string
	StaffPosition    string
	Dissent          []Dissent
	WrittenBy        string
	WrittenAt        time.Time
}

// Approval is one participant's answer to a version of the minutes: an
// approval, or a request for a correction with a comment.
type Approval struct {
	Version int
	By      string // email
	Side    Side
	Approve bool
	Comment string
	// Dissent is a dissenting opinion the approver records with an
	// approval: the minutes are signed, the dissent printed with them.
	Dissent string
	At      time.Time
}

// Signed reports whether the given version of the minutes is signed: both
// the employer side and the staff side have approved it, and no
// participant has asked for a correction of it (R-COOP-4, R-COOP-8).
func Signed(version int, approvals []Approval) bool {
	employer, staff := false, false
	for _, a := range approvals {
		if a.Version != version {
			continue
		}
		if !a.Approve {
			return false
		}
		switch a.Side {
		case EmployerSide:
			employer = true
		case StaffSide:
			staff = true
		}
	}
	return employer && staff
}

// Validate checks the minutes' content.
func (m *Minutes) Validate() error {
	fe := fieldErrors{}
	fe.text("main_content", m.MainContent, true)
	fe.text("outcome", m.Outcome, false)
	fe.text("employer_position", m.EmployerPosition, false)
	fe.text("staff_position", m.StaffPosition, false)
	for i, d := range m.Dissent {
		f := "dissent[" + itoa(i) + "]"
		fe.text(f+".by", d.By, true)
		fe.text(f+".text", d.Text, true)
	}
	return fe.err()
}

// Conclusion is the employer's definition of the monitoring's purpose and
// methods after the procedure (R-COOP-10), and for change negotiations its
// account of the decision and its timing (R-COOP-8, §25(3)).
type Conclusion struct {
	Text        string
	ConcludedAt time.Time
	Account     string
	By          string
}

// CaseFacts are what the conclusion preconditions read.
type CaseFacts struct {
	Procedure Procedure
	// InformationDelivered: the written information / proposal reached the
	// staff side.
	InformationDelivered bool
	// MeetingHeld: at least one meeting took place (dialogue, change
	// negotiations).
	MeetingHeld bool
	// UnsignedRequestedMinutes counts meetings whose minutes the staff side
	// asked for and which are not signed yet.
	UnsignedRequestedMinutes int
	// HearingEnds is when the opportunity to be heard ends (hearing); zero
	// when no invitation was recorded.
	HearingEnds time.Time
}

// RuleResult is one precondition with its rule id; Key is translated by app
// as "coop.rule.<Key>".
type RuleResult struct {
	Rule string
	Met  bool
	Key  string
}

// ConclusionPreconditions lists what must hold before the employer may
// conclude the case at now (R-COOP-10): the information delivered and a
// meeting held (dialogue and change negotiations, R-COOP-2, R-COOP-6), the
// requested minutes signed (R-COOP-4, R-COOP-8), or the hearing opportunity
// given and ended (R-COOP-9).
func ConclusionPreconditions(f CaseFacts, now time.Time) []RuleResult {
	var rs []RuleResult
	switch f.Procedure {
	case Hearing:
		rs = append(rs, RuleResult{Rule: "R-COOP-9", Met: !f.HearingEnds.IsZero() && !now.Before(f.HearingEnds), Key: "hearing_ended"})
	default:
		infoRule := "R-COOP-2"
		if f.Procedure == ChangeNegotiations {
			infoRule = "R-COOP-6"
		}
		rs = append(rs,
			RuleResult{Rule: infoRule, Met: f.InformationDelivered, Key: "information_delivered"},
			RuleResult{Rule: "R-COOP-10", Met: f.MeetingHeld, Key: "meeting_held"})
		minutesRule := "R-COOP-4"
		if f.Procedure == ChangeNegotiations {
			minutesRule = "R-COOP-8"
		}
		rs = append(rs, RuleResult{Rule: minutesRule, Met: f.UnsignedRequestedMinutes == 0, Key: "minutes_signed"})
	}
	return rs
}

// UnmetRules returns the preconditions not met.
func UnmetRules(rs []RuleResult) []RuleResult {
	var out []RuleResult
	for _, r := range rs {
		if !r.Met {
			out = append(out, r)
		}
	}
	return out
}

func blank(s string) bool { return strings.TrimSpace(s) == "" }
