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

// NoticeService keeps the notices to employees (R-NOT-1, R-NOT-2, R-NOT-3)
// and each recipient's delivery, first read and acknowledgement. A notice's
// content never changes once issued; a material change of the activity
// (R-SEQ-2, R-NOT-4) needs a new notice version, which supersedes the
// older ones.
type NoticeService struct {
	db *DB
}

var _ monitoring.NoticeService = (*NoticeService)(nil)

// NewNoticeService returns the notices of d.
func NewNoticeService(d *DB) *NoticeService { return &NoticeService{db: d} }

// noticeLinkPrefix is the path of an employee's own copy of a notice; the
// e-mails carry it (never the notice's content).
const noticeLinkPrefix = "/me/notices/"

// handledSummaryMax is the length (in characters) of the conclusion's
// summary in a notice's default "handled" text (R-NOT-3).
const handledSummaryMax = 500

// IssueNotice issues n for its activity, in one transaction: n.Version is
// the activity's next notice version and the older notices are marked
// superseded; every active employee of the activity's affected units
// becomes a recipient, delivered now, and gets a notice e-mail (a link)
// when they have an address; the activity's introduction date becomes
// n.IntroductionOn (a new register version, not a material change).
//
// Refused (RuleRefused: R-COOP-10, R-SEQ-1) unless a concluded co-operation
// case concerns the activity and was concluded after its last material
// change: the notice comes after the procedure (759/2004 §21(2)). Empty
// Purpose and Methods default to the case's conclusion, the employer's
// definition of them (R-COOP-10); an empty Handled to the case's title and
// a summary of its conclusion (R-NOT-3). NotFound, Invalid.
func (s *NoticeService) IssueNotice(ctx context.Context, actor string, n *monitoring.Notice) error {
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	a, _, err := loadActivity(ctx, tx, n.ActivityID)
	if err != nil {
		return err
	}
	if a.Status == monitoring.StatusRetired {
		return &monitoring.Error{Code: monitoring.Conflict, Message: fmt.Sprintf("activity %d is retired", a.ID),
			Fields: map[string]string{"activity_id": "invalid_transition"}}
	}
	rc, err := readinessContext(ctx, tx, a.ID)
	if err != nil {
		return err
	}
	if !rc.CooperationConcluded {
		// R-SEQ-1: register entry → procedure → purpose and methods defined
		// (R-COOP-10) → employees informed.
		return &monitoring.Error{Code: monitoring.RuleRefused,
			Message: fmt.Sprintf("activity %d: no co-operation case concluded after its last material change", a.ID),
			Rules: []monitoring.Readiness{
				{Rule: "R-COOP-10", Key: "cooperation.unmet"},
				{Rule: "R-SEQ-1", Key: "cooperation.unmet"},
			}}
	}
	if err := n.Validate(monitoring.Today(tx.now, rc.Location)); err != nil {
		return err
	}
	cs, err := concludedCaseOf(ctx, tx, a.ID)
	if err != nil {
		return err
	}
	if strings.TrimSpace(n.Purpose) == "" {
		n.Purpose = cs.conclusion
	}
	if strings.TrimSpace(n.Methods) == "" {
		n.Methods = cs.conclusion
	}
	if strings.TrimSpace(n.Handled) == "" {
		n.Handled = clipRunes(cs.title+": "+summaryOf(cs.conclusion), monitoring.MaxText)
	}
	y, m, d := n.IntroductionOn.Date()
	n.IntroductionOn = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	n.CaseID, n.IssuedAt, n.IssuedBy, n.Superseded = cs.id, tx.now, actorOf(actor), false

	var prev int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM notices WHERE activity_id = ?`, a.ID).Scan(&prev); err != nil {
		return fmt.Errorf("db: notices of activity %d: %w", a.ID, err)
	}
	n.Version = prev + 1
	// R-NOT-4, R-SEQ-2: the new notice replaces the older ones.
	if _, err := tx.ExecContext(ctx, `UPDATE notices SET superseded = 1 WHERE activity_id = ? AND superseded = 0`, a.ID); err != nil {
		return fmt.Errorf("db: supersede notices of activity %d: %w", a.ID, err)
	}
	// R-NOT-1: the notice says when the monitoring starts; the register
	// entry's introduction date (read by the gate, R-SEQ-1) follows it.
	if !a.IntroductionOn.Equal(n.IntroductionOn) {
		a.IntroductionOn = n.IntroductionOn
		if err := storeActivityVersion(ctx, tx, a, actor); err != nil {
			return err
		}
	}
	n.ActivityVersion = a.Version
	res, err := tx.ExecContext(ctx, `INSERT INTO notices (activity_id, version, activity_version, case_id, introduction_on,
		purpose, methods, handled, plain_finnish, issued_at, issued_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, n.Version, n.ActivityVersion, n.CaseID, formatDate(n.IntroductionOn), n.Purpose, n.Methods, n.Handled,
		n.PlainFinnish, formatTime(n.IssuedAt), n.IssuedBy)
	if err != nil {
		return fmt.Errorf("db: insert notice of activity %d: %w", a.ID, err)
	}
	if n.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("db: insert notice of activity %d: %w", a.ID, err)
	}
	emps, err := activeEmployeesIn(ctx, tx, a.Units)
	if err != nil {
		return err
	}
	for _, e := range emps {
		if _, err := deliverNotice(ctx, tx, n.ID, a.Name, e); err != nil {
			return err
		}
	}
	n.Recipients = len(emps)
	if _, err := tx.ExecContext(ctx, `UPDATE notices SET recipients = ? WHERE id = ?`, n.Recipients, n.ID); err != nil {
		return fmt.Errorf("db: notice %d: %w", n.ID, err)
	}
	if err := appendAudit(ctx, tx, actor, "notice.issued", "notice", noticeKey(n.ID), map[string]any{
		"activity": a.ID, "version": n.Version, "recipients": n.Recipients, "case": n.CaseID,
		"activity_version": n.ActivityVersion, "introduction_on": formatDate(n.IntroductionOn)}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("db: issue notice of activity %d: %w", a.ID, err)
	}
	return nil
}

// FindNotice returns notice id. NotFound.
func (s *NoticeService) FindNotice(ctx context.Context, id int64) (*monitoring.Notice, error) {
	return loadNotice(ctx, s.db.read, id)
}

// ListNotices returns a page of notices, newest first, and the cursor of
// the next page (0 on the last). f.ActivityID keeps one activity's notices;
// f.StaffID those issued to that employee ("my notices").
func (s *NoticeService) ListNotices(ctx context.Context, f monitoring.NoticeFilter) ([]*monitoring.Notice, int64, error) {
	limit := limitOf(f.Limit)
	q := `SELECT ` + noticeColumnsN + ` FROM notices n`
	var where []string
	var args []any
	if f.StaffID != "" {
		q += ` JOIN notice_recipients r ON r.notice_id = n.id AND r.staff_id = ?`
		args = append(args, f.StaffID)
	}
	if f.ActivityID != 0 {
		where, args = append(where, "n.activity_id = ?"), append(args, f.ActivityID)
	}
	if f.Cursor > 0 {
		where, args = append(where, "n.id < ?"), append(args, f.Cursor)
	}
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	q += ` ORDER BY n.id DESC LIMIT ?`
	args = append(args, limit+1)
	out, err := queryRows(ctx, s.db.read, "db: list notices", scanNotice, q, args...)
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

// Recipients returns a page of notice noticeID's recipients by staff id and
// the staff id to continue after ("" on the last page). f.Unread keeps those
// who have not opened it, f.Unacknowledged those who have not acknowledged
// it. NotFound.
func (s *NoticeService) Recipients(ctx context.Context, noticeID int64, f monitoring.RecipientFilter) ([]*monitoring.NoticeRecipient, string, error) {
	if _, err := loadNotice(ctx, s.db.read, noticeID); err != nil {
		return nil, "", err
	}
	limit := limitOf(f.Limit)
	q := `SELECT ` + recipientColumns + ` FROM notice_recipients WHERE notice_id = ? AND staff_id > ?`
	args := []any{noticeID, f.Cursor}
	if f.Unread {
		q += ` AND read_at = ''`
	}
	if f.Unacknowledged {
		q += ` AND acknowledged_at = ''`
	}
	q += ` ORDER BY staff_id LIMIT ?`
	args = append(args, limit+1)
	rows, err := s.db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, "", fmt.Errorf("db: recipients of notice %d: %w", noticeID, err)
	}
	defer rows.Close()
	var out []*monitoring.NoticeRecipient
	for rows.Next() {
		r, err := scanRecipient(rows)
		if err != nil {
			return nil, "", err
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("db: recipients of notice %d: %w", noticeID, err)
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = out[limit-1].StaffID
	}
	return out, next, nil
}

// Recipient returns staffID's copy of notice noticeID. NotFound when the
// notice was not issued to them (or does not exist).
func (s *NoticeService) Recipient(ctx context.Context, noticeID int64, staffID string) (*monitoring.NoticeRecipient, error) {
	return loadRecipient(ctx, s.db.read, noticeID, staffID)
}

// MarkRead records staffID's first read of notice noticeID; later reads
// change nothing. NotFound when not a recipient.
func (s *NoticeService) MarkRead(ctx context.Context, noticeID int64, staffID string) error {
	return s.recipientChange(ctx, noticeID, staffID, "notice.read",
		`UPDATE notice_recipients SET read_at = ? WHERE notice_id = ? AND staff_id = ? AND read_at = ''`)
}

// Acknowledge records staffID's acknowledgement of notice noticeID (and
// the first read, if none was recorded). The first acknowledgement stays:
// a repeated one changes nothing. NotFound when not a recipient.
func (s *NoticeService) Acknowledge(ctx context.Context, noticeID int64, staffID string) error {
	return s.recipientChange(ctx, noticeID, staffID, "notice.acknowledged",
		`UPDATE notice_recipients SET acknowledged_at = ?1, read_at = CASE WHEN read_at = '' THEN ?1 ELSE read_at END
		WHERE notice_id = ?2 AND staff_id = ?3 AND acknowledged_at = ''`)
}

// recipientChange runs update (parameters: now, notice id, staff id) and,
// when it changed a row, audits action by the employee. A recipient whose
// row was already changed is left alone; NotFound when not a recipient.
func (s *NoticeService) recipientChange(ctx context.Context, noticeID int64, staffID, action, update string) error {
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := loadRecipient(ctx, tx, noticeID, staffID); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, update, formatTime(tx.now), noticeID, staffID)
	if err != nil {
		return fmt.Errorf("db: %s %d by %s: %w", action, noticeID, staffID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil // idempotent: the first time stays
	}
	actor, err := staffActor(ctx, tx, staffID)
	if err != nil {
		return err
	}
	if err := appendAudit(ctx, tx, actor, action, "notice", noticeKey(noticeID), map[string]any{"staff_id": staffID}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("db: %s %d by %s: %w", action, noticeID, staffID, err)
	}
	return nil
}

// Remind queues a reminder e-mail to every recipient of notice noticeID who
// has not acknowledged it and has an address, records the reminder time
// and returns how many were queued. A recipient already reminded today (in
// the organisation's time zone) is not reminded again. NotFound.
func (s *NoticeService) Remind(ctx context.Context, actor string, noticeID int64) (int, error) {
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	n, err := loadNotice(ctx, tx, noticeID)
	if err != nil {
		return 0, err
	}
	var activityName string
	if err := tx.QueryRowContext(ctx, `SELECT name FROM activities WHERE id = ?`, n.ActivityID).Scan(&activityName); err != nil {
		return 0, fmt.Errorf("db: activity of notice %d: %w", noticeID, err)
	}
	org, err := loadOrganisation(ctx, tx)
	if err != nil {
		return 0, err
	}
	today := formatDate(monitoring.Today(tx.now, org.Location()))
	rows, err := tx.QueryContext(ctx, `SELECT `+recipientColumns+` FROM notice_recipients
		WHERE notice_id = ? AND acknowledged_at = '' AND email <> '' ORDER BY staff_id`, noticeID)
	if err != nil {
		return 0, fmt.Errorf("db: recipients of notice %d: %w", noticeID, err)
	}
	var pending []*monitoring.NoticeRecipient
	for rows.Next() {
		r, err := scanRecipient(rows)
		if err != nil {
			rows.Close()
			return 0, err
		}
		pending = append(pending, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("db: recipients of notice %d: %w", noticeID, err)
	}
	count := 0
	for _, r := range pending {
		m := noticeMail(monitoring.MailNoticeReminder, noticeID, activityName, r.StaffID, r.Name, r.Email, r.Language)
		m.Ref += ":reminder:" + today
		if err := queueMail(ctx, tx, m); err != nil {
			return 0, err
		}
		if m.ID == 0 {
			continue // reminded today already
		}
		if _, err := tx.ExecContext(ctx, `UPDATE notice_recipients SET reminded_at = ? WHERE notice_id = ? AND staff_id = ?`,
			formatTime(tx.now), noticeID, r.StaffID); err != nil {
			return 0, fmt.Errorf("db: remind %s of notice %d: %w", r.StaffID, noticeID, err)
		}
		count++
	}
	if err := appendAudit(ctx, tx, actor, "notice.reminded", "notice", noticeKey(noticeID),
		map[string]any{"activity": n.ActivityID, "version": n.Version, "reminded": count}); err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("db: remind notice %d: %w", noticeID, err)
	}
	return count, nil
}

// deliverCurrentNotices makes e (as just stored, inside tx) a recipient of
// every current notice whose activity affects e's unit, unless e is not
// active or already one, and queues the notice e-mail: an employee who
// joins an affected unit, moves into one or comes back is informed too
// (R-NOT-1). Called by the employee writes of employees.go.
func deliverCurrentNotices(ctx context.Context, tx *Tx, e *monitoring.Employee) error {
	if !e.Active {
		return nil
	}
	// The units are those of the register version each notice describes.
	rows, err := tx.QueryContext(ctx, `SELECT n.id, a.name FROM notices n
		JOIN activities a ON a.id = n.activity_id
		JOIN activity_versions v ON v.activity_id = n.activity_id AND v.version = n.activity_version
		WHERE n.superseded = 0 AND a.status <> 'retired'
			AND EXISTS (SELECT 1 FROM json_each(v.data, '$.units') u WHERE u.value = ?)
			AND NOT EXISTS (SELECT 1 FROM notice_recipients r WHERE r.notice_id = n.id AND r.staff_id = ?)
		ORDER BY n.id`, e.Unit, e.StaffID)
	if err != nil {
		return fmt.Errorf("db: current notices of unit %q: %w", e.Unit, err)
	}
	type current struct {
		id       int64
		activity string
	}
	var cur []current
	for rows.Next() {
		var c current
		if err := rows.Scan(&c.id, &c.activity); err != nil {
			rows.Close()
			return fmt.Errorf("db: current notices of unit %q: %w", e.Unit, err)
		}
		cur = append(cur, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("db: current notices of unit %q: %w", e.Unit, err)
	}
	for _, c := range cur {
		added, err := deliverNotice(ctx, tx, c.id, c.activity, e)
		if err != nil {
			return err
		}
		if !added {
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE notices SET recipients = recipients + 1 WHERE id = ?`, c.id); err != nil {
			return fmt.Errorf("db: notice %d: %w", c.id, err)
		}
		if err := appendAudit(ctx, tx, "system", "notice.delivered", "notice", noticeKey(c.id),
			map[string]any{"staff_id": e.StaffID, "unit": e.Unit}); err != nil {
			return err
		}
	}
	return nil
}

// deliverNotice enters e as a recipient of notice noticeID, delivered now,
// and queues the notice e-mail when e has an address. It reports false
// (and does nothing) when e is a recipient already.
func deliverNotice(ctx context.Context, tx *Tx, noticeID int64, activityName string, e *monitoring.Employee) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO notice_recipients (notice_id, staff_id, name, email, language, delivered_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (notice_id, staff_id) DO NOTHING`,
		noticeID, e.StaffID, e.Name, e.Email, string(e.Language), formatTime(tx.now))
	if err != nil {
		return false, fmt.Errorf("db: deliver notice %d to %s: %w", noticeID, e.StaffID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	if strings.TrimSpace(e.Email) == "" {
		return true, nil
	}
	return true, queueMail(ctx, tx, noticeMail(monitoring.MailNoticeIssued, noticeID, activityName, e.StaffID, e.Name, e.Email, e.Language))
}

// noticeMail is the e-mail about notice noticeID to one employee: a link
// to their copy, never the notice's content. Params: name, activity,
// notice_id, link. Ref "notice:<id>:<staff id>" (a reminder appends
// ":reminder:<date>").
func noticeMail(kind monitoring.MailKind, noticeID int64, activityName, staffID, name, email string, lang monitoring.Language) *monitoring.Mail {
	id := noticeKey(noticeID)
	return &monitoring.Mail{Kind: kind, To: email, Language: lang,
		Params: map[string]string{"name": name, "activity": activityName, "notice_id": id, "link": noticeLinkPrefix + id},
		Ref:    "notice:" + id + ":" + staffID}
}

// activeEmployeesIn lists the active employees of units by staff id.
func activeEmployeesIn(ctx context.Context, q querier, units []string) ([]*monitoring.Employee, error) {
	var out []*monitoring.Employee
	seen := map[string]bool{}
	for _, u := range units {
		if seen[u] {
			continue
		}
		seen[u] = true
		rows, err := q.QueryContext(ctx, `SELECT staff_id, name, email, unit, language, active, created_at, updated_at
			FROM employees WHERE unit = ? AND active = 1 ORDER BY staff_id`, u)
		if err != nil {
			return nil, fmt.Errorf("db: employees of unit %q: %w", u, err)
		}
		for rows.Next() {
			e, err := scanEmployee(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			out = append(out, e)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("db: employees of unit %q: %w", u, err)
		}
	}
	return out, nil
}

// noticeCase is what a notice takes from the co-operation case it refers to.
type noticeCase struct {
	id                int64
	title, conclusion string
}

// concludedCaseOf returns the case concerning activityID concluded last
// after the activity's last material change (the one readinessContext's
// CooperationConcluded found, R-COOP-10, R-SEQ-2).
func concludedCaseOf(ctx context.Context, q querier, activityID int64) (*noticeCase, error) {
	c := &noticeCase{}
	err := q.QueryRowContext(ctx, `SELECT c.id, c.title, c.conclusion FROM case_activities ca
		JOIN cases c ON c.id = ca.case_id JOIN activities a ON a.id = ca.activity_id
		WHERE ca.activity_id = ? AND c.status = 'concluded' AND c.concluded_at > a.material_change_at
		ORDER BY c.concluded_at DESC, c.id DESC LIMIT 1`, activityID).Scan(&c.id, &c.title, &c.conclusion)
	if err != nil {
		return nil, fmt.Errorf("db: concluded case of activity %d: %w", activityID, err)
	}
	return c, nil
}

// noticeFacts fills the notice facts of a use's state (R-NOT-1): tracked
// when the activity has any notice — every activity that passed the gate
// has one; one without any predates the notices or was seeded — and each
// monitored employee notified when a notice of the activity was delivered
// to them at or before occurred. Whether an activity has notices is read
// once per group (no notice is issued inside the use writer's
// transaction); the delivery once per use and employee, prepared, on
// notice_recipients(staff_id, notice_id, delivered_at) and the notices' key.
func (g *useGroup) noticeFacts(ctx context.Context, activityID int64, occurred time.Time, employees map[string]monitoring.EmployeeAt) (bool, error) {
	tracked, ok := g.noticed[activityID]
	if !ok {
		if err := g.stmts.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM notices WHERE activity_id = ?)`, activityID).Scan(&tracked); err != nil {
			return false, fmt.Errorf("db: notices of activity %d: %w", activityID, err)
		}
		g.noticed[activityID] = tracked
	}
	if !tracked {
		return false, nil
	}
	at := formatTime(occurred)
	for staffID, e := range employees {
		if err := g.stmts.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM notice_recipients r JOIN notices n ON n.id = r.notice_id
			WHERE r.staff_id = ? AND r.delivered_at <= ? AND n.activity_id = ?)`, staffID, at, activityID).Scan(&e.Notified); err != nil {
			return false, fmt.Errorf("db: notices of %s: %w", staffID, err)
		}
		employees[staffID] = e
	}
	return true, nil
}

// staffActor names an employee in the audit trail: the e-mail of their
// user account, or "staff:<id>" without one.
func staffActor(ctx context.Context, q querier, staffID string) (string, error) {
	var email string
	err := q.QueryRowContext(ctx, `SELECT email FROM users WHERE staff_id = ? ORDER BY active DESC, id LIMIT 1`, staffID).Scan(&email)
	if errors.Is(err, sql.ErrNoRows) {
		return "staff:" + staffID, nil
	}
	if err != nil {
		return "", fmt.Errorf("db: user of %s: %w", staffID, err)
	}
	return email, nil
}

const noticeColumns = `id, activity_id, version, activity_version, case_id, introduction_on, purpose, methods, handled,
	plain_finnish, issued_at, issued_by, recipients, superseded`

// noticeColumnsN are noticeColumns qualified with the alias n.
var noticeColumnsN = "n." + strings.Join(strings.Fields(strings.ReplaceAll(noticeColumns, ",", "")), ", n.")

const recipientColumns = `notice_id, staff_id, name, email, language, delivered_at, read_at, acknowledged_at, reminded_at`

// loadNotice reads notice id. NotFound.
func loadNotice(ctx context.Context, q querier, id int64) (*monitoring.Notice, error) {
	n, err := scanNotice(q.QueryRowContext(ctx, `SELECT `+noticeColumns+` FROM notices WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("notice %d not found", id)
	}
	return n, err
}

func scanNotice(row interface{ Scan(...any) error }) (*monitoring.Notice, error) {
	n := &monitoring.Notice{}
	var intro, issued string
	if err := row.Scan(&n.ID, &n.ActivityID, &n.Version, &n.ActivityVersion, &n.CaseID, &intro, &n.Purpose, &n.Methods,
		&n.Handled, &n.PlainFinnish, &issued, &n.IssuedBy, &n.Recipients, &n.Superseded); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		return nil, fmt.Errorf("db: scan notice: %w", err)
	}
	var err1, err2 error
	n.IntroductionOn, err1 = parseDate(intro)
	n.IssuedAt, err2 = parseTime(issued)
	return n, errors.Join(err1, err2)
}

// loadRecipient reads staffID's copy of notice noticeID. NotFound.
func loadRecipient(ctx context.Context, q querier, noticeID int64, staffID string) (*monitoring.NoticeRecipient, error) {
	r, err := scanRecipient(q.QueryRowContext(ctx, `SELECT `+recipientColumns+` FROM notice_recipients
		WHERE notice_id = ? AND staff_id = ?`, noticeID, staffID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("notice %d was not issued to %s", noticeID, staffID)
	}
	return r, err
}

func scanRecipient(row interface{ Scan(...any) error }) (*monitoring.NoticeRecipient, error) {
	r := &monitoring.NoticeRecipient{}
	var lang, delivered, read, acked, reminded string
	if err := row.Scan(&r.NoticeID, &r.StaffID, &r.Name, &r.Email, &lang, &delivered, &read, &acked, &reminded); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		return nil, fmt.Errorf("db: scan notice recipient: %w", err)
	}
	r.Language = monitoring.Language(lang)
	var errs [4]error
	r.DeliveredAt, errs[0] = parseTime(delivered)
	r.ReadAt, errs[1] = parseTime(read)
	r.AcknowledgedAt, errs[2] = parseTime(acked)
	r.RemindedAt, errs[3] = parseTime(reminded)
	return r, errors.Join(errs[:]...)
}

func noticeKey(id int64) string { return strconv.FormatInt(id, 10) }

// summaryOf is the first paragraph of text, clipped to handledSummaryMax
// characters.
func summaryOf(text string) string {
	text = strings.TrimSpace(text)
	if i := strings.Index(text, "\n\n"); i >= 0 {
		text = strings.TrimSpace(text[:i])
	}
	return clipRunes(text, handledSummaryMax)
}

// clipRunes shortens s to max characters, ending it with "…" when cut.
func clipRunes(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max-1]) + "…"
}
