package cooperation

import (
	"context"
	"time"
)

// CaseFilter selects cases, newest first.
type CaseFilter struct {
	Status         Status
	ActivityID     int64
	Representative string // email: cases where this person is on the staff side
	Cursor         int64
	Limit          int
}

// The CaseService is implemented by package db: each mutating method is one
// write transaction with its audit entry, takes the acting user's email,
// and returns *Error values with the codes documented. Every method that
// reads a case returns it whole (information versions, meetings with
// minutes and approvals, initiatives, comments, hearing, conclusion).
type CaseService interface {
	// CreateCase stores a new case in draft and moves its draft activities
	// to in_cooperation. Invalid (unknown activity: "activity_ids[i]"
	// not_found; procedure; override reason required when Procedure differs
	// from Proposed.Procedure).
	CreateCase(ctx context.Context, actor string, c *Case) error
	// FindCase returns the case. NotFound.
	FindCase(ctx context.Context, id int64) (*Case, error)
	// ListCases returns a page and the next cursor (0 on the last page).
	ListCases(ctx context.Context, f CaseFilter) ([]*Case, int64, error)
	// SetStaffSide replaces the staff groups (R-COOP-3). Invalid (a
	// co-operation representative's term over two years).
	SetStaffSide(ctx context.Context, actor string, caseID int64, groups []StaffGroup) error
	// AddInformation stores a new version of the written information /
	// proposal; when it is delivered the case becomes information_delivered.
	// A time limit broken (R-COOP-2, R-COOP-6) → DeadlineBroken with Rules.
	// Conflict when the case is concluded or withdrawn.
	AddInformation(ctx context.Context, actor string, caseID int64, in *Information, loc *time.Location) error
	// AddComment adds a comment or question (or an answer, ParentID set).
	AddComment(ctx context.Context, actor string, caseID int64, cm *Comment) error
	// AddInitiative records a staff initiative or written proposal; the
	// deferral rule (R-COOP-5) is computed from the next meeting.
	AddInitiative(ctx context.Context, actor string, caseID int64, i *Initiative, loc *time.Location) error
	// RespondInitiative records the employer's answer; a rejection needs
	// reasons (R-COOP-5, R-COOP-7). NotFound, Invalid.
	RespondInitiative(ctx context.Context, actor string, caseID, initiativeID int64, accepted bool, response string) error
	// AddMeeting records a meeting; the case becomes in_progress.
	AddMeeting(ctx context.Context, actor string, caseID int64, m *Meeting) error
	// WriteMinutes stores a new version of a meeting's minutes. NotFound,
	// Invalid, Conflict when signed.
	WriteMinutes(ctx context.Context, actor string, caseID, meetingID int64, m *Minutes) error
	// ApproveMinutes records a participant's approval or correction request
	// of the current version (R-COOP-4, R-COOP-8). Forbidden when actor is
	// not a participant; Conflict when the participant already answered
	// this version or there are no minutes.
	ApproveMinutes(ctx context.Context, actor string, caseID, meetingID int64, a *Approval) error
	// RecordHearing records or updates the hearing (R-COOP-9) and its views.
	RecordHearing(ctx context.Context, actor string, caseID int64, h *HearingRecord) error
	AddView(ctx context.Context, actor string, caseID int64, v *View) error
	// SetConfidential marks a document confidential and records who was
	// told (R-COOP-11). Document: "information", "meeting:<id>".
	SetConfidential(ctx context.Context, actor string, caseID int64, document string, c Confidentiality) error
	// Conclude concludes the case with the employer's definition of purpose
	// and methods (R-COOP-10); refused with RuleRefused and the unmet
	// preconditions before the procedure was carried out.
	Conclude(ctx context.Context, actor string, caseID int64, con *Conclusion, now time.Time) error
	// Withdraw ends a case without a conclusion.
	Withdraw(ctx context.Context, actor string, caseID int64, reason string) error
}
