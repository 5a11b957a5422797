package monitoring

import "time"

// Recording is an entry of the retention ledger (R-RET-2): a recording known
// to Vaaka, registered by the integration or first seen in a use.
type Recording struct {
	Ref             string
	CallStartedAt   time.Time
	Direction       Direction
	ActivityID      int64
	EmployeeStaffID string
	DeletionDue     time.Time // call start + retention; zero without a period
	DeletedAt       time.Time // confirmed deletion, zero if none
	DeletedBy       string
	FirstSeenAt     time.Time
	Source          string // "api", "web" or "use"
	OnHold          bool   // a legal hold is in force: the deadline is suspended (R-RET-2, hold.go)
}

// Overdue reports whether the recording should have been deleted by now
// (R-RET-2); a recording on legal hold never is.
func (r *Recording) Overdue(now time.Time) bool {
	return r.DeletedAt.IsZero() && !r.DeletionDue.IsZero() && now.After(r.DeletionDue) && !r.OnHold
}

// Validate checks a recording registration.
func (r *Recording) Validate(now time.Time) error {
	fe := FieldErrors{}
	checkText(fe, "ref", r.Ref, MaxShort, true)
	if r.CallStartedAt.IsZero() {
		fe.Add("call_started_at", MsgRequired)
	} else if r.CallStartedAt.After(now.Add(MaxClockSkew)) {
		fe.Add("call_started_at", MsgInFuture)
	}
	if !r.Direction.Valid() {
		fe.Add("direction", MsgUnknown)
	}
	if r.ActivityID <= 0 {
		fe.Add("activity_id", MsgRequired)
	}
	if r.EmployeeStaffID != "" && !ValidStaffID(r.EmployeeStaffID) {
		fe.Add("employee_staff_id", MsgInvalid)
	}
	return fe.Err()
}

// RecordingFilter selects ledger entries, newest call first.
type RecordingFilter struct {
	ActivityID int64
	Overdue    bool // only recordings past their deadline and not deleted
	Cursor     string
	Limit      int
}
