package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"vaaka/monitoring"
)

// RegisterService keeps the register of monitoring activities. Every change
// is a new row of activity_versions, valid from the time of the change, so
// that the state at any past moment (for the use log's flags) and the
// history of changes can be read back.
type RegisterService struct {
	db *DB
}

var _ monitoring.RegisterService = (*RegisterService)(nil)

// NewRegisterService returns the register of d.
func NewRegisterService(d *DB) *RegisterService { return &RegisterService{db: d} }

// reviewIntervalMonths is the default time to the next review (R-REV-1).
const reviewIntervalMonths = 12

// CreateActivity validates a and stores it as a draft, version 1. Without a
// review date the review falls due in 12 months (R-REV-1).
func (s *RegisterService) CreateActivity(ctx context.Context, actor string, a *monitoring.Activity) error {
	if err := a.Validate(); err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if a.ReviewOn.IsZero() {
		org, err := loadOrganisation(ctx, tx)
		if err != nil {
			return err
		}
		a.ReviewOn = monitoring.Today(tx.now, org.Location()).AddDate(0, reviewIntervalMonths, 0) // R-REV-1
	}
	a.Status, a.Version, a.CreatedAt, a.UpdatedAt = monitoring.StatusDraft, 1, tx.now, tx.now
	data, err := encodeActivity(a)
	if err != nil {
		return fmt.Errorf("db: encode activity: %w", err)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO activities (name, status, version, data, review_on, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, a.Name, string(a.Status), a.Version, data, formatDate(a.ReviewOn),
		formatTime(tx.now), formatTime(tx.now))
	if err != nil {
		return fmt.Errorf("db: insert activity: %w", err)
	}
	if a.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("db: insert activity: %w", err)
	}
	if err := insertActivityVersion(ctx, tx, a, data, actor, tx.now); err != nil {
		return err
	}
	detail := map[string]any{"changes": activityChanges(monitoring.Diff(nil, a), true)}
	if err := appendAudit(ctx, tx, actor, "activity.created", "activity", strconv.FormatInt(a.ID, 10), detail); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("db: create activity: %w", err)
	}
	return nil
}

// FindActivity returns the current version of activity id. NotFound.
func (s *RegisterService) FindActivity(ctx context.Context, id int64) (*monitoring.Activity, error) {
	a, _, err := loadActivity(ctx, s.db.read, id)
	return a, err
}

// ListActivities returns a page ordered by id and the id to continue after
// (0 on the last page).
func (s *RegisterService) ListActivities(ctx context.Context, f monitoring.ActivityFilter) ([]*monitoring.Activity, int64, error) {
	if f.Status != "" && !f.Status.Valid() {
		return nil, 0, fieldErr(monitoring.Invalid, "status", monitoring.MsgUnknown, "unknown status %q", f.Status)
	}
	limit := limitOf(f.Limit)
	q := `SELECT id, status, version, data, created_at, updated_at FROM activities WHERE id > ?`
	args := []any{f.Cursor}
	if f.Status != "" {
		q += ` AND status = ?`
		args = append(args, string(f.Status))
	}
	q += ` ORDER BY id LIMIT ?`
	args = append(args, limit+1)
	rows, err := s.db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("db: list activities: %w", err)
	}
	defer rows.Close()
	var out []*monitoring.Activity
	for rows.Next() {
		a, _, err := scanActivityRow(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("db: list activities: %w", err)
	}
	var next int64
	if len(out) > limit {
		out = out[:limit]
		next = out[limit-1].ID
	}
	return out, next, nil
}

// UpdateActivity applies change to a copy of the current version and stores
// the result as a new version. The id, status, version and creation time
// cannot be changed here (status changes go through SetStatus). A change
// that alters nothing writes nothing.
func (s *RegisterService) UpdateActivity(ctx context.Context, actor string, id int64, change func(*monitoring.Activity) error) (*monitoring.Activity, error) {
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	old, data, err := loadActivity(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	// A deep copy through the storage form, so that change cannot reach
	// into old's slices and maps.
	next := *old
	if err := decodeActivity(data, &next); err != nil {
		return nil, err
	}
	if err := change(&next); err != nil {
		return nil, err
	}
	next.ID, next.Status, next.Version, next.CreatedAt, next.UpdatedAt = old.ID, old.Status, old.Version, old.CreatedAt, old.UpdatedAt
	if err := next.Validate(); err != nil {
		return nil, err
	}
	if len(monitoring.Diff(old, &next)) == 0 {
		return old, nil
	}
	// R-SEQ-2: a material change (new purpose, method, affected units,
	// longer retention) to an activity that is in force or about to be
	// sends it back through the co-operation procedure and the notice.
	material := monitoring.MaterialChange(old, &next)
	if material && slices.Contains([]monitoring.Status{monitoring.StatusActive, monitoring.StatusReady, monitoring.StatusSuspended}, old.Status) {
		next.Status = monitoring.StatusInCooperation
	}
	if err := storeActivityVersion(ctx, tx, &next, actor); err != nil {
		return nil, err
	}
	if material {
		// R-SEQ-2: a conclusion of a co-operation case counts for the
		// activity only when it is later than its last material change.
		if _, err := tx.ExecContext(ctx, `UPDATE activities SET material_change_at = ? WHERE id = ?`, formatTime(tx.now), id); err != nil {
			return nil, fmt.Errorf("db: update activity %d: %w", id, err)
		}
	}
	detail := map[string]any{"version": next.Version, "material": material, "changes": activityChanges(monitoring.Diff(old, &next), false)}
	if err := appendAudit(ctx, tx, actor, "activity.updated", "activity", strconv.FormatInt(id, 10), detail); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("db: update activity %d: %w", id, err)
	}
	return &next, nil
}

// SetStatus moves activity id to status to. Allowed transitions:
//
//	→ active          from draft, in_cooperation, ready, suspended; every blocking readiness rule met (R-SEQ-1)
//	→ ready           from draft, in_cooperation; every blocking rule met but the notice and the introduction date (R-NOT-1, R-SEQ-1)
//	→ suspended       from active
//	→ in_cooperation  from draft, ready, active, suspended
//	→ retired         from anything but retired
//	→ draft           never
//
// The gate is evaluated at now. NotFound, Invalid, RuleRefused.
func (s *RegisterService) SetStatus(ctx context.Context, actor string, id int64, to monitoring.Status, now time.Time) (*monitoring.Activity, error) {
	if !to.Valid() {
		return nil, fieldErr(monitoring.Invalid, "status", monitoring.MsgUnknown, "unknown status %q", to)
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	a, _, err := loadActivity(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	from := a.Status
	if !transitionAllowed(from, to) {
		return nil, fieldErr(monitoring.Invalid, "status", "invalid_transition", "activity %d: %s → %s not allowed", id, from, to)
	}
	if to == monitoring.StatusActive || to == monitoring.StatusReady {
		rc, err := readinessContext(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		unmet := monitoring.Unmet(monitoring.CheckReadiness(a, rc, now))
		if to == monitoring.StatusReady {
			// Ready means the register entry is complete and the
			// co-operation concluded; the notice and the introduction
			// date are still to come (R-NOT-1, R-SEQ-1: the last steps of
			// the order) — as Conclude moves linked activities to ready.
			unmet = slices.DeleteFunc(unmet, func(r monitoring.Readiness) bool { return r.Rule == "R-NOT-1" || r.Rule == "R-SEQ-1" })
		}
		if len(unmet) > 0 {
			return nil, &monitoring.Error{Code: monitoring.RuleRefused,
				Message: fmt.Sprintf("activity %d cannot become %s: %d readiness rules unmet", id, to, len(unmet)), Rules: unmet}
		}
	}
	a.Status = to
	if err := storeActivityVersion(ctx, tx, a, actor); err != nil {
		return nil, err
	}
	if err := appendAudit(ctx, tx, actor, "activity.status", "activity", strconv.FormatInt(id, 10),
		map[string]any{"from": from, "to": to, "version": a.Version}); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("db: set status of activity %d: %w", id, err)
	}
	return a, nil
}

// transitionAllowed is the status machine of SetStatus.
func transitionAllowed(from, to monitoring.Status) bool {
	if from == to {
		return false
	}
	var froms []monitoring.Status
	switch to {
	case monitoring.StatusActive:
		froms = []monitoring.Status{monitoring.StatusDraft, monitoring.StatusInCooperation, monitoring.StatusReady, monitoring.StatusSuspended}
	case monitoring.StatusReady:
		froms = []monitoring.Status{monitoring.StatusDraft, monitoring.StatusInCooperation}
	case monitoring.StatusSuspended:
		froms = []monitoring.Status{monitoring.StatusActive}
	case monitoring.StatusInCooperation:
		froms = []monitoring.Status{monitoring.StatusDraft, monitoring.StatusReady, monitoring.StatusActive, monitoring.StatusSuspended}
	case monitoring.StatusRetired:
		return from != monitoring.StatusRetired
	}
	return slices.Contains(froms, from)
}

// Readiness evaluates the gate for the current version at now.
func (s *RegisterService) Readiness(ctx context.Context, id int64, now time.Time) ([]monitoring.Readiness, error) {
	a, _, err := loadActivity(ctx, s.db.read, id)
	if err != nil {
		return nil, err
	}
	rc, err := readinessContext(ctx, s.db.read, id)
	if err != nil {
		return nil, err
	}
	return monitoring.CheckReadiness(a, rc, now), nil
}

// readinessContext gathers the facts beyond the register entry that the
// gate of activity activityID reads: the organisation's, and the
// co-operation's — CaseLinked when a case that was not withdrawn concerns
// the activity (R-DPIA-2), CooperationConcluded when a concluded case
// concerns it and was concluded after the activity's last material change
// (R-COOP-10, R-SEQ-2: a later material change re-opens it), NoticeIssued
// when a current (not superseded) notice of the activity was issued after
// its last material change and after the conclusion of the case it refers
// to (R-NOT-1, R-NOT-4, R-SEQ-1, R-SEQ-2).
func readinessContext(ctx context.Context, q querier, activityID int64) (monitoring.ReadinessContext, error) {
	org, err := loadOrganisation(ctx, q)
	if err != nil {
		return monitoring.ReadinessContext{}, err
	}
	rc := monitoring.ReadinessContext{
		DefaultLanguage:     org.DefaultLanguage,
		OrgPrivacyNoticeURL: org.PrivacyNoticeURL,
		Location:            org.Location(),
	}
	err = q.QueryRowContext(ctx, `SELECT
		EXISTS (SELECT 1 FROM case_activities ca JOIN cases c ON c.id = ca.case_id
			WHERE ca.activity_id = ? AND c.status <> 'withdrawn'),
		EXISTS (SELECT 1 FROM case_activities ca JOIN cases c ON c.id = ca.case_id JOIN activities a ON a.id = ca.activity_id
			WHERE ca.activity_id = ? AND c.status = 'concluded' AND c.concluded_at > a.material_change_at),
		EXISTS (SELECT 1 FROM notices n JOIN cases c ON c.id = n.case_id JOIN activities a ON a.id = n.activity_id
			WHERE n.activity_id = ? AND n.superseded = 0 AND n.issued_at > a.material_change_at
				AND c.status = 'concluded' AND c.concluded_at > a.material_change_at AND n.issued_at >= c.concluded_at)`,
		activityID, activityID, activityID).Scan(&rc.CaseLinked, &rc.CooperationConcluded, &rc.NoticeIssued)
	if err != nil {
		return monitoring.ReadinessContext{}, fmt.Errorf("db: co-operation of activity %d: %w", activityID, err)
	}
	return rc, nil
}

// History lists the versions of activity id, oldest first, each with the
// fields changed from the version before (the first: every field set).
// NotFound.
func (s *RegisterService) History(ctx context.Context, id int64) ([]monitoring.ActivityChange, error) {
	rows, err := s.db.read.QueryContext(ctx, `SELECT version, valid_from, actor, status, data FROM activity_versions
		WHERE activity_id = ? ORDER BY version`, id)
	if err != nil {
		return nil, fmt.Errorf("db: history of activity %d: %w", id, err)
	}
	defer rows.Close()
	var out []monitoring.ActivityChange
	var prev *monitoring.Activity
	for rows.Next() {
		cur := &monitoring.Activity{ID: id}
		var validFrom, status, data string
		var c monitoring.ActivityChange
		if err := rows.Scan(&c.Version, &validFrom, &c.Actor, &status, &data); err != nil {
			return nil, fmt.Errorf("db: history of activity %d: %w", id, err)
		}
		if err := decodeActivity(data, cur); err != nil {
			return nil, err
		}
		cur.Version, cur.Status, c.Status = c.Version, monitoring.Status(status), monitoring.Status(status)
		if c.At, err = parseTime(validFrom); err != nil {
			return nil, err
		}
		c.Changes = monitoring.Diff(prev, cur)
		out = append(out, c)
		prev = cur
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: history of activity %d: %w", id, err)
	}
	if len(out) == 0 {
		return nil, notFound("activity %d not found", id)
	}
	return out, nil
}

// SeedStatus writes a new version of activity id with status, valid from at,
// bypassing the readiness gate; audited as "activity.seeded". It is for demo
// data and tests only — never call it from a request handler.
//
// When at is earlier than the latest version's validity start, a second
// identical version valid from now is written too: otherwise the older
// version would still be the one in force from its start on, and the seeded
// status would only hold between at and that start.
func (s *RegisterService) SeedStatus(ctx context.Context, id int64, status monitoring.Status, at time.Time) error {
	if !status.Valid() {
		return fieldErr(monitoring.Invalid, "status", monitoring.MsgUnknown, "unknown status %q", status)
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	a, data, err := loadActivity(ctx, tx, id)
	if err != nil {
		return err
	}
	var latest string
	if err := tx.QueryRowContext(ctx, `SELECT MAX(valid_from) FROM activity_versions WHERE activity_id = ?`, id).Scan(&latest); err != nil {
		return fmt.Errorf("db: seed activity %d: %w", id, err)
	}
	a.Status = status
	a.Version++
	a.UpdatedAt = at.UTC()
	if err := insertActivityVersion(ctx, tx, a, data, "system", at); err != nil {
		return err
	}
	if formatTime(at) < latest {
		a.Version++
		a.UpdatedAt = tx.now
		if err := insertActivityVersion(ctx, tx, a, data, "system", tx.now); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE activities SET status = ?, version = ?, updated_at = ? WHERE id = ?`,
		string(a.Status), a.Version, formatTime(a.UpdatedAt), id); err != nil {
		return fmt.Errorf("db: seed activity %d: %w", id, err)
	}
	if err := appendAudit(ctx, tx, "system", "activity.seeded", "activity", strconv.FormatInt(id, 10),
		map[string]any{"status": status, "at": formatTime(at)}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("db: seed activity %d: %w", id, err)
	}
	return nil
}

// storeActivityVersion makes a (with its status) the next version, valid
// from the transaction's time: it bumps a.Version, sets a.UpdatedAt and
// writes both the current row and the version row.
func storeActivityVersion(ctx context.Context, tx *Tx, a *monitoring.Activity, actor string) error {
	a.Version++
	a.UpdatedAt = tx.now
	data, err := encodeActivity(a)
	if err != nil {
		return fmt.Errorf("db: encode activity: %w", err)
	}
	_, err = tx.ExecContext(ctx, `UPDATE activities SET name = ?, status = ?, version = ?, data = ?, review_on = ?, updated_at = ?
		WHERE id = ?`, a.Name, string(a.Status), a.Version, data, formatDate(a.ReviewOn), formatTime(tx.now), a.ID)
	if err != nil {
		return fmt.Errorf("db: update activity %d: %w", a.ID, err)
	}
	return insertActivityVersion(ctx, tx, a, data, actor, tx.now)
}

// insertActivityVersion writes a's version row, valid from validFrom.
func insertActivityVersion(ctx context.Context, tx *Tx, a *monitoring.Activity, data, actor string, validFrom time.Time) error {
	if actor == "" {
		actor = "system"
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO activity_versions (activity_id, version, valid_from, actor, status, data)
		VALUES (?, ?, ?, ?, ?, ?)`, a.ID, a.Version, formatTime(validFrom), actor, string(a.Status), data)
	if err != nil {
		return fmt.Errorf("db: insert version %d of activity %d: %w", a.Version, a.ID, err)
	}
	return nil
}

// loadActivity returns the current version of activity id and its storage
// JSON. NotFound.
func loadActivity(ctx context.Context, q querier, id int64) (*monitoring.Activity, string, error) {
	a, data, err := scanActivityRow(q.QueryRowContext(ctx,
		`SELECT id, status, version, data, created_at, updated_at FROM activities WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", notFound("activity %d not found", id)
	}
	return a, data, err
}

// scanActivityRow reads the columns id, status, version, data, created_at,
// updated_at of activities.
func scanActivityRow(row interface{ Scan(...any) error }) (*monitoring.Activity, string, error) {
	a := &monitoring.Activity{}
	var status, data, created, updated string
	if err := row.Scan(&a.ID, &status, &a.Version, &data, &created, &updated); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, "", err
		}
		return nil, "", fmt.Errorf("db: scan activity: %w", err)
	}
	a.Status = monitoring.Status(status)
	if err := decodeActivity(data, a); err != nil {
		return nil, "", err
	}
	var err1, err2 error
	a.CreatedAt, err1 = parseTime(created)
	a.UpdatedAt, err2 = parseTime(updated)
	return a, data, errors.Join(err1, err2)
}
