package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"vaaka/monitoring"
)

// AccessRequestService tracks data subjects' access requests (R-DSR-1):
// an employee's or a caller's request, its due date (one month, extendable
// once by two more with a recorded notice to the requester), and what was
// delivered when.
type AccessRequestService struct {
	db *DB
}

var _ monitoring.AccessRequestService = (*AccessRequestService)(nil)

// NewAccessRequestService returns the access requests of d.
func NewAccessRequestService(d *DB) *AccessRequestService { return &AccessRequestService{db: d} }

// CreateAccessRequest stores r. An employee's request names a known
// employee (staff_id), a caller's a requester. ReceivedOn defaults to today
// in the organisation's time zone and may not be later; DueOn is set from it
// (monitoring.AccessRequestDue). Sets ID, DueOn, CreatedBy. Invalid.
func (s *AccessRequestService) CreateAccessRequest(ctx context.Context, actor string, r *monitoring.AccessRequest) error {
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	today, err := orgToday(ctx, tx)
	if err != nil {
		return err
	}
	fe := monitoring.FieldErrors{}
	switch r.Kind {
	case monitoring.RequestByEmployee:
		if strings.TrimSpace(r.StaffID) == "" {
			fe.Add("staff_id", monitoring.MsgRequired)
		} else if _, err := loadEmployee(ctx, tx, r.StaffID); monitoring.ErrorCodeOf(err) == monitoring.NotFound {
			fe.Add("staff_id", monitoring.MsgNotFound)
		} else if err != nil {
			return err
		}
	case monitoring.RequestByCaller:
		if r.StaffID != "" {
			fe.Add("staff_id", monitoring.MsgInvalid) // a caller is not an employee
		}
		requestText(fe, "requester", r.Requester, monitoring.MaxShort, true)
	case "":
		fe.Add("kind", monitoring.MsgRequired)
	default:
		fe.Add("kind", monitoring.MsgUnknown)
	}
	requestText(fe, "requester", r.Requester, monitoring.MaxShort, false)
	requestText(fe, "description", r.Description, monitoring.MaxText, false)
	if r.ReceivedOn.IsZero() {
		r.ReceivedOn = today
	}
	r.ReceivedOn = dateOnly(r.ReceivedOn)
	if r.ReceivedOn.After(today) {
		fe.Add("received_on", monitoring.MsgInFuture)
	}
	if err := fe.Err(); err != nil {
		return err
	}
	r.DueOn = monitoring.AccessRequestDue(r.ReceivedOn, false) // R-DSR-1: one month
	r.ExtendedOn, r.ExtensionReason, r.DeliveredOn, r.Delivered = time.Time{}, "", time.Time{}, ""
	r.CreatedBy = actorOf(actor)
	res, err := tx.ExecContext(ctx, `INSERT INTO access_requests (kind, staff_id, requester, description, received_on, due_on,
		created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, string(r.Kind), r.StaffID, r.Requester, r.Description,
		formatDate(r.ReceivedOn), formatDate(r.DueOn), r.CreatedBy, formatTime(tx.now))
	if err != nil {
		return fmt.Errorf("db: insert access request: %w", err)
	}
	if r.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("db: insert access request: %w", err)
	}
	// The description may carry personal data: the audit names the request
	// and its dates only.
	if err := appendAudit(ctx, tx, actor, "access_request.created", "access_request", requestKey(r.ID), map[string]any{
		"kind": r.Kind, "staff_id": r.StaffID, "received_on": formatDate(r.ReceivedOn), "due_on": formatDate(r.DueOn)}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("db: create access request: %w", err)
	}
	return nil
}

// FindAccessRequest returns request id. NotFound.
func (s *AccessRequestService) FindAccessRequest(ctx context.Context, id int64) (*monitoring.AccessRequest, error) {
	return loadAccessRequest(ctx, s.db.read, id)
}

// ListAccessRequests returns a page of requests ordered by due date (then
// id), and the cursor of the next page (0 on the last). f.Open keeps the
// requests not delivered yet.
func (s *AccessRequestService) ListAccessRequests(ctx context.Context, f monitoring.AccessRequestFilter) ([]*monitoring.AccessRequest, int64, error) {
	limit := limitOf(f.Limit)
	var where []string
	var args []any
	if f.Open {
		where = append(where, "delivered_on = ''")
	}
	if f.Cursor > 0 {
		due, id := splitRequestCursor(f.Cursor)
		where = append(where, "(due_on > ? OR (due_on = ? AND id > ?))")
		args = append(args, due, due, id)
	}
	q := `SELECT ` + requestColumns + ` FROM access_requests`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	q += ` ORDER BY due_on, id LIMIT ?`
	args = append(args, limit+1)
	out, err := queryRows(ctx, s.db.read, "db: list access requests", scanAccessRequest, q, args...)
	if err != nil {
		return nil, 0, err
	}
	var next int64
	if len(out) > limit {
		out = out[:limit]
		next = requestCursor(out[limit-1])
	}
	return out, next, nil
}

// ExtendAccessRequest extends request id's due date by two months, to three
// months from its receipt (R-DSR-1, GDPR Art 12(3)), with the reason told
// to the requester. on (default today) is when the requester was told: not
// before the receipt, not in the future, and not after the original due
// date (the extension must be told within the first month). Once only.
// NotFound; Invalid; Conflict when already extended or delivered.
func (s *AccessRequestService) ExtendAccessRequest(ctx context.Context, actor string, id int64, on time.Time, reason string) error {
	return s.mutate(ctx, id, func(tx *Tx, r *monitoring.AccessRequest, today time.Time) error {
		fe := monitoring.FieldErrors{}
		requestText(fe, "reason", reason, monitoring.MaxText, true)
		on = requestDay(fe, "on", on, r, today)
		if on.After(r.DueOn) {
			fe.Add("on", monitoring.MsgInvalid)
		}
		if err := fe.Err(); err != nil {
			return err
		}
		switch {
		case !r.DeliveredOn.IsZero():
			return monitoring.Errorf(monitoring.Conflict, "access request %d was delivered already", id)
		case !r.ExtendedOn.IsZero():
			return monitoring.Errorf(monitoring.Conflict, "access request %d was extended already", id)
		}
		due := monitoring.AccessRequestDue(r.ReceivedOn, true)
		if _, err := tx.ExecContext(ctx, `UPDATE access_requests SET extended_on = ?, extension_reason = ?, due_on = ? WHERE id = ?`,
			formatDate(on), reason, formatDate(due), id); err != nil {
			return fmt.Errorf("db: extend access request %d: %w", id, err)
		}
		return appendAudit(ctx, tx, actor, "access_request.extended", "access_request", requestKey(id), map[string]any{
			"extended_on": formatDate(on), "due_on": formatDate(due), "reason": auditClip(reason)})
	})
}

// DeliverAccessRequest records that what was delivered to the requester on
// on (default today; not before the receipt, not in the future). NotFound;
// Invalid; Conflict when delivered already.
func (s *AccessRequestService) DeliverAccessRequest(ctx context.Context, actor string, id int64, on time.Time, what string) error {
	return s.mutate(ctx, id, func(tx *Tx, r *monitoring.AccessRequest, today time.Time) error {
		fe := monitoring.FieldErrors{}
		requestText(fe, "what", what, monitoring.MaxText, true)
		on = requestDay(fe, "on", on, r, today)
		if err := fe.Err(); err != nil {
			return err
		}
		if !r.DeliveredOn.IsZero() {
			return monitoring.Errorf(monitoring.Conflict, "access request %d was delivered already", id)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE access_requests SET delivered_on = ?, delivered = ? WHERE id = ?`,
			formatDate(on), what, id); err != nil {
			return fmt.Errorf("db: deliver access request %d: %w", id, err)
		}
		return appendAudit(ctx, tx, actor, "access_request.delivered", "access_request", requestKey(id), map[string]any{
			"delivered_on": formatDate(on), "due_on": formatDate(r.DueOn), "late": on.After(r.DueOn)})
	})
}

// mutate runs fn in one write transaction on request id with today's date
// in the organisation's zone, and commits when fn succeeds. NotFound.
func (s *AccessRequestService) mutate(ctx context.Context, id int64, fn func(tx *Tx, r *monitoring.AccessRequest, today time.Time) error) error {
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	r, err := loadAccessRequest(ctx, tx, id)
	if err != nil {
		return err
	}
	today, err := orgToday(ctx, tx)
	if err != nil {
		return err
	}
	if err := fn(tx, r, today); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("db: access request %d: %w", id, err)
	}
	return nil
}

// requestDay returns on as a date (today when zero), adding an error for
// field when it is before r's receipt or after today.
func requestDay(fe monitoring.FieldErrors, field string, on time.Time, r *monitoring.AccessRequest, today time.Time) time.Time {
	if on.IsZero() {
		return today
	}
	on = dateOnly(on)
	switch {
	case on.After(today):
		fe.Add(field, monitoring.MsgInFuture)
	case on.Before(r.ReceivedOn):
		fe.Add(field, monitoring.MsgInvalid)
	}
	return on
}

// requestText checks a text field as the domain's validators do.
func requestText(fe monitoring.FieldErrors, field, v string, max int, required bool) {
	switch {
	case required && strings.TrimSpace(v) == "":
		fe.Add(field, monitoring.MsgRequired)
	case !utf8.ValidString(v):
		fe.Add(field, monitoring.MsgInvalid)
	case utf8.RuneCountInString(v) > max:
		fe.Add(field, monitoring.MsgTooLong)
	}
}

// orgToday is today's date in the organisation's time zone.
func orgToday(ctx context.Context, tx *Tx) (time.Time, error) {
	org, err := loadOrganisation(ctx, tx)
	if err != nil {
		return time.Time{}, err
	}
	return monitoring.Today(tx.now, org.Location()), nil
}

// dateOnly is t's calendar date as midnight UTC, the form of stored dates.
func dateOnly(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// A list cursor is the last row's due date (days since 1970) and id:
// days<<40 | id.
const requestCursorShift = 40

func requestCursor(r *monitoring.AccessRequest) int64 {
	days := r.DueOn.Unix() / 86400
	return days<<requestCursorShift | r.ID
}

func splitRequestCursor(c int64) (due string, id int64) {
	days := c >> requestCursorShift
	id = c & (1<<requestCursorShift - 1)
	return time.Unix(days*86400, 0).UTC().Format("2006-01-02"), id
}

const requestColumns = `id, kind, staff_id, requester, description, received_on, due_on, extended_on, extension_reason,
	delivered_on, delivered, created_by`

// loadAccessRequest reads request id. NotFound.
func loadAccessRequest(ctx context.Context, q querier, id int64) (*monitoring.AccessRequest, error) {
	r, err := scanAccessRequest(q.QueryRowContext(ctx, `SELECT `+requestColumns+` FROM access_requests WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("access request %d not found", id)
	}
	return r, err
}

func scanAccessRequest(row interface{ Scan(...any) error }) (*monitoring.AccessRequest, error) {
	r := &monitoring.AccessRequest{}
	var kind, received, due, extended, delivered string
	if err := row.Scan(&r.ID, &kind, &r.StaffID, &r.Requester, &r.Description, &received, &due, &extended,
		&r.ExtensionReason, &delivered, &r.Delivered, &r.CreatedBy); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		return nil, fmt.Errorf("db: scan access request: %w", err)
	}
	r.Kind = monitoring.AccessRequestKind(kind)
	var errs [4]error
	r.ReceivedOn, errs[0] = parseDate(received)
	r.DueOn, errs[1] = parseDate(due)
	r.ExtendedOn, errs[2] = parseDate(extended)
	r.DeliveredOn, errs[3] = parseDate(delivered)
	return r, errors.Join(errs[:]...)
}

func requestKey(id int64) string { return strconv.FormatInt(id, 10) }
