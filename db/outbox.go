package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"vaaka/cooperation"
	"vaaka/monitoring"
)

// OutboxService is the e-mail outbox (monitoring.OutboxService). Messages
// are queued by queueMail inside the transaction of the event that causes
// them, so that a message exists exactly when its event was committed; the
// sender (app/mail) reads Due messages and marks them sent or failed.
type OutboxService struct{ db *DB }

var _ monitoring.OutboxService = (*OutboxService)(nil)

// NewOutboxService returns the outbox of d.
func NewOutboxService(d *DB) *OutboxService { return &OutboxService{db: d} }

// queueMail inserts m into the outbox inside tx, due at once. A message
// whose Ref is already queued is a no-op (jobs queue idempotently), and m.ID
// is then left 0. Without a valid m.Language the recipient's language is
// looked up (user account, then employee, then the organisation's default
// language, then Finnish), and without Params["name"] their name.
//
// The sender (app/mail) renders "mail.<kind>.subject" and "mail.<kind>.body"
// of templates/locales/<lang>/mail.json with m.Params; never put a notice's
// content in Params, only what the message names. Params the templates use:
//
//	link        path of the page the message points to, e.g. "/notices/12"
//	            (the sender prefixes VAAKA_BASE_URL); every kind
//	name        the recipient's name (greeting; looked up when not given)
//	activity    notice_issued, notice_reminder: the activity's name
//	case        minutes_approval, deadline_near: the case's title
//	meeting     minutes_approval: the meeting's date, YYYY-MM-DD
//	version     minutes_approval: the minutes' version
//	deadline    deadline_near: what is due (a rule id, e.g. R-COOP-2)
//	due         deadline_near, access_request_due: YYYY-MM-DD
//
// Values of the form YYYY-MM-DD are written as dates of the recipient's
// language; a placeholder without a value is left out.
func queueMail(ctx context.Context, tx *Tx, m *monitoring.Mail) error {
	tx.mailQueued = true
	if m.Kind == "" {
		return fmt.Errorf("db: queue mail: empty kind")
	}
	to := strings.TrimSpace(m.To)
	if to == "" {
		return fmt.Errorf("db: queue mail %s: empty recipient", m.Kind)
	}
	if !m.Language.Valid() || m.Params["name"] == "" {
		lang, name, err := recipientOf(ctx, tx, to)
		if err != nil {
			return err
		}
		if !m.Language.Valid() {
			m.Language = lang
		}
		if m.Params["name"] == "" && name != "" {
			p := make(map[string]string, len(m.Params)+1)
			for k, v := range m.Params {
				p[k] = v
			}
			p["name"] = name
			m.Params = p
		}
	}
	params := "{}"
	if len(m.Params) > 0 {
		b, err := json.Marshal(m.Params)
		if err != nil {
			return fmt.Errorf("db: queue mail %s: %w", m.Kind, err)
		}
		params = string(b)
	}
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO outbox (kind, recipient, language, params, ref, created_at, next_attempt_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`,
		string(m.Kind), to, string(m.Language), params, m.Ref, formatTime(tx.now), formatTime(tx.now)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // already queued under this ref
	}
	if err != nil {
		return fmt.Errorf("db: queue mail %s: %w", m.Kind, err)
	}
	m.ID, m.To, m.CreatedAt, m.NextAttemptAt = id, to, tx.now, tx.now
	return nil
}

// recipientOf returns the language and name of the user or employee with
// email; without either, the organisation's default language (else
// Finnish) and no name.
func recipientOf(ctx context.Context, q querier, email string) (monitoring.Language, string, error) {
	var lang, name string
	err := q.QueryRowContext(ctx, `SELECT language, name FROM (
		SELECT language, name, 1 AS o FROM users WHERE email = ?1
		UNION ALL SELECT language, name, 2 FROM employees WHERE email = ?1 COLLATE NOCASE AND active = 1
		UNION ALL SELECT default_language, '', 3 FROM organisation WHERE id = 1
	) WHERE language <> '' ORDER BY o LIMIT 1`, email).Scan(&lang, &name)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", "", fmt.Errorf("db: recipient %s: %w", email, err)
	}
	l := monitoring.Language(lang)
	if !l.Valid() {
		l = monitoring.Finnish
	}
	return l, name, nil
}

// Queue queues m in a transaction of its own (for jobs that are not part of
// another event, e.g. the daily deadline reminders). A repeated Ref is a
// no-op.
func (s *OutboxService) Queue(ctx context.Context, m *monitoring.Mail) error {
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := queueMail(ctx, tx, m); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("db: queue mail %s: %w", m.Kind, err)
	}
	return nil
}

const outboxColumns = `id, kind, recipient, language, params, ref, created_at, attempts, next_attempt_at, sent_at, last_error`

// Due returns up to n unsent messages whose next attempt is due at now, in
// the order they were queued.
func (s *OutboxService) Due(ctx context.Context, now time.Time, n int) ([]*monitoring.Mail, error) {
	rows, err := s.db.read.QueryContext(ctx, `SELECT `+outboxColumns+` FROM outbox
		WHERE sent_at = '' AND next_attempt_at <= ? ORDER BY id LIMIT ?`, formatTime(now.UTC()), limitOf(n))
	if err != nil {
		return nil, fmt.Errorf("db: due mail: %w", err)
	}
	defer rows.Close()
	return scanMails(rows)
}

// MarkSent records the delivery of message id at at. Marking a message
// already sent again changes nothing (idempotent). NotFound.
func (s *OutboxService) MarkSent(ctx context.Context, id int64, at time.Time) error {
	res, err := s.db.write.ExecContext(ctx, `UPDATE outbox SET sent_at = ?, next_attempt_at = '' WHERE id = ? AND sent_at = ''`,
		formatTime(at.UTC()), id)
	if err != nil {
		return fmt.Errorf("db: mark mail %d sent: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return s.exists(ctx, id)
	}
	return nil
}

// MarkFailed records a failed attempt of message id: one more attempt, the
// error text and the time of the next attempt. A message already sent is
// left alone. NotFound.
func (s *OutboxService) MarkFailed(ctx context.Context, id int64, errText string, next time.Time) error {
	if len(errText) > 1000 {
		errText = errText[:1000]
	}
	res, err := s.db.write.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?
		WHERE id = ? AND sent_at = ''`, errText, formatTime(next.UTC()), id)
	if err != nil {
		return fmt.Errorf("db: mark mail %d failed: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return s.exists(ctx, id)
	}
	return nil
}

func (s *OutboxService) exists(ctx context.Context, id int64) error {
	var one int
	err := s.db.write.QueryRowContext(ctx, `SELECT 1 FROM outbox WHERE id = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("mail %d not found", id)
	}
	if err != nil {
		return fmt.Errorf("db: find mail %d: %w", id, err)
	}
	return nil
}

// ListOutbox returns a page of messages, newest first, and the cursor of
// the next page (0 on the last). f.Unsent keeps the messages not yet sent.
func (s *OutboxService) ListOutbox(ctx context.Context, f monitoring.OutboxFilter) ([]*monitoring.Mail, int64, error) {
	limit := limitOf(f.Limit)
	var where []string
	var args []any
	if f.Cursor > 0 {
		where, args = append(where, "id < ?"), append(args, f.Cursor)
	}
	if f.Unsent {
		where = append(where, "sent_at = ''")
	}
	q := `SELECT ` + outboxColumns + ` FROM outbox`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	args = append(args, limit+1)
	rows, err := s.db.read.QueryContext(ctx, q+` ORDER BY id DESC LIMIT ?`, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("db: list outbox: %w", err)
	}
	defer rows.Close()
	out, err := scanMails(rows)
	if err != nil {
		return nil, 0, err
	}
	var next int64
	if len(out) > limit {
		out = out[:limit]
		next = out[limit-1].ID
	}
	return out, next, nil
}

func scanMails(rows *sql.Rows) ([]*monitoring.Mail, error) {
	var out []*monitoring.Mail
	for rows.Next() {
		var (
			m                   monitoring.Mail
			kind, lang, params  string
			created, next, sent string
		)
		if err := rows.Scan(&m.ID, &kind, &m.To, &lang, &params, &m.Ref, &created, &m.Attempts, &next, &sent, &m.LastError); err != nil {
			return nil, fmt.Errorf("db: scan mail: %w", err)
		}
		m.Kind, m.Language = monitoring.MailKind(kind), monitoring.Language(lang)
		if params != "" && params != "{}" {
			if err := json.Unmarshal([]byte(params), &m.Params); err != nil {
				return nil, fmt.Errorf("db: mail %d params: %w", m.ID, err)
			}
		}
		var err error
		if m.CreatedAt, err = parseTime(created); err != nil {
			return nil, err
		}
		if m.NextAttemptAt, err = parseTime(next); err != nil {
			return nil, err
		}
		if m.SentAt, err = parseTime(sent); err != nil {
			return nil, err
		}
		out = append(out, &m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: scan mail: %w", err)
	}
	return out, nil
}

// queueMinutesMail queues MailMinutesApproval, inside the transaction that
// wrote version m of meeting mt's minutes, to every participant who has not
// answered that version (R-COOP-4, R-COOP-8: the minutes are circulated to
// the participants for approval), except the writer, who has them before
// their eyes. Each in their own language.
func queueMinutesMail(ctx context.Context, tx *Tx, c *cooperation.Case, mt *cooperation.Meeting, m *cooperation.Minutes, writer string) error {
	loc, err := locationOr(ctx, tx, nil)
	if err != nil {
		return err
	}
	answered := map[string]bool{}
	for _, a := range mt.Approvals {
		if a.Version == m.Version {
			answered[strings.ToLower(a.By)] = true
		}
	}
	seen := map[string]bool{}
	for _, p := range mt.Participants {
		email := strings.ToLower(strings.TrimSpace(p.Email))
		if email == "" || seen[email] || answered[email] || strings.EqualFold(email, writer) {
			continue
		}
		seen[email] = true
		err := queueMail(ctx, tx, &monitoring.Mail{
			Kind: monitoring.MailMinutesApproval,
			To:   p.Email,
			Params: map[string]string{
				"name":    p.Name,
				"case":    c.Title,
				"meeting": formatDate(dateIn(mt.HeldAt, loc)),
				"version": strconv.Itoa(m.Version),
				"link":    fmt.Sprintf("/cases/%d#meeting-%d", c.ID, mt.ID),
			},
			Ref: fmt.Sprintf("minutes:%d:%d:%s", mt.ID, m.Version, email),
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// dateIn is the calendar date of t in loc as midnight UTC.
func dateIn(t time.Time, loc *time.Location) time.Time {
	if t.IsZero() {
		return t
	}
	y, mo, d := t.In(loc).Date()
	return time.Date(y, mo, d, 0, 0, 0, 0, time.UTC)
}
