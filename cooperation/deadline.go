package cooperation

import "time"

// Deadline rule ids and their day counts (calendar days, R-COOP-2, R-COOP-5).
const (
	InformationDays = 7  // R-COOP-2: information at least one week before the meeting
	InitiativeDays  = 14 // R-COOP-5: an initiative received less than two weeks before may be deferred
)

// CalendarDays counts the calendar days from a to b in loc: the number of
// midnights passed, so that a daylight-saving change (a 23- or 25-hour day)
// counts as one day. Negative when b is before a.
func CalendarDays(a, b time.Time, loc *time.Location) int {
	ay, am, ad := a.In(loc).Date()
	by, bm, bd := b.In(loc).Date()
	da := time.Date(ay, am, ad, 0, 0, 0, 0, time.UTC)
	db := time.Date(by, bm, bd, 0, 0, 0, 0, time.UTC)
	return int(db.Sub(da).Hours() / 24)
}

// LatestInformationDate is the last calendar day (in loc) on which the
// written information may reach the representatives for a dialogue meeting
// at meeting (R-COOP-2), as midnight UTC of that date.
func LatestInformationDate(meeting time.Time, loc *time.Location) time.Time {
	y, m, d := meeting.In(loc).Date()
	return time.Date(y, m, d-InformationDays, 0, 0, 0, 0, time.UTC)
}

// InformationInTime reports whether information delivered at delivered
// reached the representatives at least 7 calendar days before the meeting
// (R-COOP-2).
func InformationInTime(delivered, meeting time.Time, loc *time.Location) bool {
	return CalendarDays(delivered, meeting, loc) >= InformationDays
}

// InitiativeMayBeDeferred reports whether an initiative received at
// received arrived less than two weeks before the next meeting, so that it
// may be deferred to the following one and the initiator is told (R-COOP-5).
func InitiativeMayBeDeferred(received, nextMeeting time.Time, loc *time.Location) bool {
	return CalendarDays(received, nextMeeting, loc) < InitiativeDays
}

// DeadlineStatus is the state of one statutory time limit on a case
// timeline.
type DeadlineStatus string

// Deadline states.
const (
	Met     DeadlineStatus = "met"
	Pending DeadlineStatus = "pending"
	Missed  DeadlineStatus = "missed"
	Waived  DeadlineStatus = "waived" // an agreement recorded (e.g. shorter notice)
)

// Deadline is one statutory time limit of a case.
type Deadline struct {
	Rule   string
	Key    string    // app translates "coop.deadline.<Key>"
	Due    time.Time // calendar date, midnight UTC
	Status DeadlineStatus
	DoneAt time.Time
}

// EvaluateDeadline gives the status of a time limit due on due (a date) that
// was fulfilled at done (zero when not yet) as of now in loc: done on or
// before the due date is met, done later is missed, not done is pending
// until the due date has passed and missed after it.
func EvaluateDeadline(due, done, now time.Time, loc *time.Location) DeadlineStatus {
	dueEnd := time.Date(due.Year(), due.Month(), due.Day()+1, 0, 0, 0, 0, loc) // end of the due day in loc
	switch {
	case !done.IsZero() && done.Before(dueEnd):
		return Met
	case !done.IsZero():
		return Missed
	case now.Before(dueEnd):
		return Pending
	default:
		return Missed
	}
}
