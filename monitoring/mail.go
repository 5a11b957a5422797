package monitoring

import (
	"context"
	"time"
)

// MailKind is why an e-mail is sent.
type MailKind string

// Kinds of e-mail.
const (
	MailNoticeIssued     MailKind = "notice_issued"      // a notice was issued to the employee (a link, not the content)
	MailNoticeReminder   MailKind = "notice_reminder"    // the employee has not acknowledged
	MailMinutesApproval  MailKind = "minutes_approval"   // minutes await the participant's approval
	MailDeadlineNear     MailKind = "deadline_near"      // a case time limit nears (representatives)
	MailAccessRequestDue MailKind = "access_request_due" // an access request comes due (HR, DPO)
)

// Mail is one message of the outbox. It is queued in the same transaction
// as the event that causes it, and a sender delivers it with retries, so no
// message is lost when the mail server is down and none is sent twice.
type Mail struct {
	ID       int64
	Kind     MailKind
	To       string
	Language Language
	// Params fill the message template "mail.<kind>.subject" / ".body" of
	// the recipient's language, rendered by the sender (names, dates, the
	// link path); never the content of a notice.
	Params map[string]string
	// Ref identifies the cause (e.g. "notice:12:E1001") so that a job
	// queueing reminders does not queue the same one twice.
	Ref           string
	CreatedAt     time.Time
	Attempts      int
	NextAttemptAt time.Time
	SentAt        time.Time
	LastError     string
}

// OutboxFilter selects outbox messages, newest first.
type OutboxFilter struct {
	Unsent bool
	Cursor int64
	Limit  int
}

// OutboxService is the e-mail outbox. Queueing happens inside the other
// services' transactions; this interface is for the sender and for HR's
// view of unsent mail.
type OutboxService interface {
	// Due returns up to n unsent messages whose next attempt is due at now.
	Due(ctx context.Context, now time.Time, n int) ([]*Mail, error)
	// MarkSent records a delivery (idempotent).
	MarkSent(ctx context.Context, id int64, at time.Time) error
	// MarkFailed records a failed attempt and the time of the next one.
	MarkFailed(ctx context.Context, id int64, errText string, next time.Time) error
	ListOutbox(ctx context.Context, f OutboxFilter) ([]*Mail, int64, error)
}

// AccessRequestFilter selects access requests.
type AccessRequestFilter struct {
	Open   bool // not delivered
	Cursor int64
	Limit  int
}

// AccessRequestService tracks data subjects' access requests (R-DSR-1).
type AccessRequestService interface {
	// CreateAccessRequest stores r with its due date (AccessRequestDue).
	// Invalid.
	CreateAccessRequest(ctx context.Context, actor string, r *AccessRequest) error
	FindAccessRequest(ctx context.Context, id int64) (*AccessRequest, error)
	ListAccessRequests(ctx context.Context, f AccessRequestFilter) ([]*AccessRequest, int64, error)
	// ExtendAccessRequest extends the due date by two months with the
	// recorded notice to the requester. Conflict when already extended or
	// delivered; Invalid without a reason.
	ExtendAccessRequest(ctx context.Context, actor string, id int64, on time.Time, reason string) error
	// DeliverAccessRequest records what was delivered and when. Invalid
	// without a description.
	DeliverAccessRequest(ctx context.Context, actor string, id int64, on time.Time, what string) error
}
