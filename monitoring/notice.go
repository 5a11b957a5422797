package monitoring

import (
	"context"
	"time"
)

// Notice is the notice to employees of one activity (R-NOT-1, R-NOT-2,
// R-NOT-3): issued after the co-operation case was concluded, to every
// active employee of the affected units, in each one's language. A material
// change of the activity (R-SEQ-2, R-NOT-4) needs a new notice version and
// new acknowledgements.
type Notice struct {
	ID         int64
	ActivityID int64
	// Version counts the notices of the activity: 1, 2, …
	Version int
	// ActivityVersion is the register version the notice describes.
	ActivityVersion int
	// CaseID is the concluded co-operation case (the dialogue or hearing
	// held) the notice refers to (R-NOT-3).
	CaseID         int64
	IntroductionOn time.Time // date
	// Purpose and Methods are the employer's definition from the
	// conclusion (R-COOP-10), Handled what was handled and decided in the
	// procedure (R-NOT-3).
	Purpose string
	Methods string
	Handled string
	// PlainFinnish is an optional plain-language (selkosuomi) text beside
	// the standard one.
	PlainFinnish string
	IssuedAt     time.Time
	IssuedBy     string
	Recipients   int
	// Superseded: a newer notice of the activity replaced this one.
	Superseded bool
}

// Validate checks what HR gives when issuing a notice.
func (n *Notice) Validate(today time.Time) error {
	fe := FieldErrors{}
	if n.IntroductionOn.IsZero() {
		fe.Add("introduction_on", MsgRequired)
	}
	checkText(fe, "purpose", n.Purpose, MaxText, false)
	checkText(fe, "methods", n.Methods, MaxText, false)
	checkText(fe, "handled", n.Handled, MaxText, false)
	checkText(fe, "plain_finnish", n.PlainFinnish, MaxText, false)
	return fe.Err()
}

// NoticeRecipient is one employee's copy of a notice: delivery, first read
// and acknowledgement.
type NoticeRecipient struct {
	NoticeID       int64
	StaffID        string
	Name           string
	Email          string
	Language       Language
	DeliveredAt    time.Time
	ReadAt         time.Time
	AcknowledgedAt time.Time
	RemindedAt     time.Time
}

// NoticeFilter selects notices.
type NoticeFilter struct {
	ActivityID int64
	StaffID    string // notices issued to this employee
	Cursor     int64
	Limit      int
}

// RecipientFilter selects recipients of a notice.
type RecipientFilter struct {
	Unacknowledged bool
	Unread         bool
	Cursor         string // staff id
	Limit          int
}

// NoticeService issues notices and records their reading (R-NOT-*).
type NoticeService interface {
	// IssueNotice issues n for its activity to every active employee of the
	// affected units, in each one's language, and queues the e-mails in the
	// same transaction. Refused with RuleRefused and the rules while the
	// activity's co-operation case is not concluded after its last material
	// change (R-SEQ-1, R-COOP-10). Sets n.ID, n.Version, n.Recipients.
	IssueNotice(ctx context.Context, actor string, n *Notice) error
	FindNotice(ctx context.Context, id int64) (*Notice, error)
	ListNotices(ctx context.Context, f NoticeFilter) ([]*Notice, int64, error)
	Recipients(ctx context.Context, noticeID int64, f RecipientFilter) ([]*NoticeRecipient, string, error)
	// Recipient returns one employee's copy. NotFound when the notice was
	// not issued to them.
	Recipient(ctx context.Context, noticeID int64, staffID string) (*NoticeRecipient, error)
	// MarkRead records the first read (idempotent).
	MarkRead(ctx context.Context, noticeID int64, staffID string) error
	// Acknowledge records the acknowledgement (idempotent: the first time
	// stays). NotFound when not a recipient.
	Acknowledge(ctx context.Context, noticeID int64, staffID string) error
	// Remind queues a reminder e-mail to every recipient who has not
	// acknowledged; it returns how many.
	Remind(ctx context.Context, actor string, noticeID int64) (int, error)
}

// AccessRequestKind tells who asked (R-DSR-1).
type AccessRequestKind string

// Requesters.
const (
	RequestByEmployee AccessRequestKind = "employee"
	RequestByCaller   AccessRequestKind = "caller"
)

// AccessRequest is a data subject's request for access (R-DSR-1): due
// within one month, extendable by two more months with a recorded notice.
type AccessRequest struct {
	ID              int64
	Kind            AccessRequestKind
	StaffID         string // employee requests
	Requester       string // caller: name or reference
	Description     string
	ReceivedOn      time.Time // date
	DueOn           time.Time // date: received + 1 month, or + 3 with an extension
	ExtendedOn      time.Time
	ExtensionReason string
	DeliveredOn     time.Time
	Delivered       string // what was delivered (a recording as a complete copy or a complete transcript)
	CreatedBy       string
}

// AccessRequestDue returns the due date of a request received on received:
// one month later, or three with an extension (GDPR Art 12(3)). A month
// later than 31 January is the last day of February.
func AccessRequestDue(received time.Time, extended bool) time.Time {
	months := 1
	if extended {
		months = 3
	}
	y, m, d := received.Date()
	first := time.Date(y, m+time.Month(months), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	if d > last {
		d = last
	}
	return time.Date(first.Year(), first.Month(), d, 0, 0, 0, 0, time.UTC)
}
