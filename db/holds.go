package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"vaaka/monitoring"
)

// HoldService keeps the legal holds on recordings (R-RET-2). The flag
// recordings.on_hold is kept in step with recording_holds in the same
// transaction, so the overdue queries need no join.
type HoldService struct {
	db *DB
}

var _ monitoring.HoldService = (*HoldService)(nil)

// NewHoldService returns the legal holds of d.
func NewHoldService(d *DB) *HoldService { return &HoldService{db: d} }

const holdColumns = `id, recording_ref, reason, set_by, set_at, released_at, released_by, release_reason`

// SetHold puts recording ref on hold (R-RET-2), audited as "hold.set".
func (s *HoldService) SetHold(ctx context.Context, actor, ref, reason string) (*monitoring.Hold, error) {
	reason = strings.TrimSpace(reason)
	if err := monitoring.ValidateHoldReason(reason); err != nil {
		return nil, err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	onHold, deleted, err := holdRecordingState(ctx, tx, ref)
	if err != nil {
		return nil, err
	}
	if onHold {
		return nil, monitoring.Errorf(monitoring.Conflict, "recording %q is already on hold", ref)
	}
	if deleted {
		return nil, monitoring.Errorf(monitoring.Conflict, "recording %q: deletion already confirmed", ref)
	}
	if actor == "" {
		actor = "system"
	}
	h := &monitoring.Hold{RecordingRef: ref, Reason: reason, SetBy: actor, SetAt: tx.now}
	res, err := tx.ExecContext(ctx, `INSERT INTO recording_holds (recording_ref, reason, set_by, set_at) VALUES (?,?,?,?)`,
		ref, reason, actor, formatTime(h.SetAt))
	if err != nil {
		if isUnique(err) {
			return nil, monitoring.Errorf(monitoring.Conflict, "recording %q is already on hold", ref)
		}
		return nil, fmt.Errorf("db: set hold on %q: %w", ref, err)
	}
	if h.ID, err = res.LastInsertId(); err != nil {
		return nil, fmt.Errorf("db: set hold on %q: %w", ref, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE recordings SET on_hold = 1 WHERE ref = ?`, ref); err != nil {
		return nil, fmt.Errorf("db: set hold on %q: %w", ref, err)
	}
	if err := appendAudit(ctx, tx, actor, "hold.set", "recording", ref, map[string]any{"hold_id": h.ID, "reason": reason}); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("db: set hold on %q: %w", ref, err)
	}
	return h, nil
}

// ReleaseHold releases the hold in force on ref, audited as
// "hold.released"; the deadline applies again from now on.
func (s *HoldService) ReleaseHold(ctx context.Context, actor, ref, reason string) (*monitoring.Hold, error) {
	reason = strings.TrimSpace(reason)
	if err := monitoring.ValidateHoldReason(reason); err != nil {
		return nil, err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if _, _, err := holdRecordingState(ctx, tx, ref); err != nil {
		return nil, err
	}
	h, err := scanHold(tx.QueryRowContext(ctx, `SELECT `+holdColumns+` FROM recording_holds WHERE recording_ref = ? AND released_at = ''`, ref))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, monitoring.Errorf(monitoring.Conflict, "recording %q is not on hold", ref)
	}
	if err != nil {
		return nil, fmt.Errorf("db: release hold on %q: %w", ref, err)
	}
	if actor == "" {
		actor = "system"
	}
	h.ReleasedAt, h.ReleasedBy, h.ReleaseReason = tx.now, actor, reason
	if _, err := tx.ExecContext(ctx, `UPDATE recording_holds SET released_at = ?, released_by = ?, release_reason = ? WHERE id = ?`,
		formatTime(h.ReleasedAt), actor, reason, h.ID); err != nil {
		return nil, fmt.Errorf("db: release hold on %q: %w", ref, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE recordings SET on_hold = 0 WHERE ref = ?`, ref); err != nil {
		return nil, fmt.Errorf("db: release hold on %q: %w", ref, err)
	}
	if err := appendAudit(ctx, tx, actor, "hold.released", "recording", ref, map[string]any{"hold_id": h.ID, "reason": reason}); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("db: release hold on %q: %w", ref, err)
	}
	return h, nil
}

// ListHolds lists every hold of ref, newest first. NotFound.
func (s *HoldService) ListHolds(ctx context.Context, ref string) ([]*monitoring.Hold, error) {
	if _, _, err := holdRecordingState(ctx, s.db.read, ref); err != nil {
		return nil, err
	}
	return queryHolds(ctx, s.db.read, `SELECT `+holdColumns+` FROM recording_holds WHERE recording_ref = ? ORDER BY id DESC`, ref)
}

// ActiveHolds returns the holds in force among refs, by ref.
func (s *HoldService) ActiveHolds(ctx context.Context, refs []string) (map[string]*monitoring.Hold, error) {
	out := map[string]*monitoring.Hold{}
	for len(refs) > 0 {
		n := min(len(refs), 500)
		args := make([]any, n)
		for i, r := range refs[:n] {
			args[i] = r
		}
		hs, err := queryHolds(ctx, s.db.read, `SELECT `+holdColumns+` FROM recording_holds WHERE released_at = '' AND recording_ref IN (?`+
			strings.Repeat(",?", n-1)+`)`, args...)
		if err != nil {
			return nil, err
		}
		for _, h := range hs {
			out[h.RecordingRef] = h
		}
		refs = refs[n:]
	}
	return out, nil
}

// holdRecordingState reads whether ref is on hold and whether its deletion
// is confirmed. NotFound.
func holdRecordingState(ctx context.Context, q querier, ref string) (onHold, deleted bool, err error) {
	var deletedAt string
	err = q.QueryRowContext(ctx, `SELECT on_hold, deleted_at FROM recordings WHERE ref = ?`, ref).Scan(&onHold, &deletedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return false, false, notFound("recording %q not found", ref)
	}
	if err != nil {
		return false, false, fmt.Errorf("db: find recording %q: %w", ref, err)
	}
	return onHold, deletedAt != "", nil
}

func queryHolds(ctx context.Context, q querier, query string, args ...any) ([]*monitoring.Hold, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("db: list holds: %w", err)
	}
	defer rows.Close()
	out := []*monitoring.Hold{}
	for rows.Next() {
		h, err := scanHold(rows)
		if err != nil {
			return nil, fmt.Errorf("db: list holds: %w", err)
		}
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: list holds: %w", err)
	}
	return out, nil
}

func scanHold(r rowScanner) (*monitoring.Hold, error) {
	var h monitoring.Hold
	var setAt, releasedAt string
	if err := r.Scan(&h.ID, &h.RecordingRef, &h.Reason, &h.SetBy, &setAt, &releasedAt, &h.ReleasedBy, &h.ReleaseReason); err != nil {
		return nil, err
	}
	var errs [2]error
	h.SetAt, errs[0] = parseTime(setAt)
	h.ReleasedAt, errs[1] = parseTime(releasedAt)
	if err := errors.Join(errs[:]...); err != nil {
		return nil, err
	}
	return &h, nil
}
