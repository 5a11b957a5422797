package db

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"vaaka/monitoring"
)

// RecordingService is the recording retention ledger (R-RET-2).
type RecordingService struct {
	db *DB
}

var _ monitoring.RecordingService = (*RecordingService)(nil)

// NewRecordingService returns the retention ledger of d.
func NewRecordingService(d *DB) *RecordingService { return &RecordingService{db: d} }

// recordingColumns are the columns of recordings in scanRecording order.
const recordingColumns = `ref, call_started_at, direction, activity_id, employee_staff_id, deletion_due,
	deleted_at, deleted_by, first_seen_at, source, on_hold`

// RegisterRecordings enters recordings in the ledger in one transaction,
// each with its deletion deadline from the activity's current retention
// period (R-RET-2). A ref already known is returned as stored, unchanged.
// Invalid (keys "[i].field"; an unknown activity is "[i].activity_id"
// not_found).
func (s *RecordingService) RegisterRecordings(ctx context.Context, actor string, rs []*monitoring.Recording) ([]*monitoring.Recording, error) {
	if len(rs) == 0 {
		return []*monitoring.Recording{}, nil
	}
	if len(rs) > monitoring.MaxBatch {
		return nil, monitoring.FieldErrors{"recordings": monitoring.MsgTooMany}.Err()
	}
	now := s.db.Now()
	fe := monitoring.FieldErrors{}
	for i, r := range rs {
		if r == nil {
			fe.Add(fmt.Sprintf("[%d]", i), monitoring.MsgRequired)
			continue
		}
		prefixFields(fe, i, r.Validate(now))
		switch r.Source {
		case "", "api", "web":
		default:
			fe.Add(fmt.Sprintf("[%d].source", i), monitoring.MsgUnknown)
		}
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}

	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	activities := map[int64]*currentActivity{}
	for i, r := range rs {
		a, ok := activities[r.ActivityID]
		if !ok {
			if a, err = findCurrentActivity(ctx, tx, r.ActivityID); err != nil {
				return nil, err
			}
			activities[r.ActivityID] = a
		}
		if a == nil {
			fe.Add(fmt.Sprintf("[%d].activity_id", i), monitoring.MsgNotFound)
		}
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	out := make([]*monitoring.Recording, len(rs))
	created := 0
	for i, in := range rs {
		stored, err := scanRecording(tx.QueryRowContext(ctx, `SELECT `+recordingColumns+` FROM recordings WHERE ref = ?`, in.Ref))
		if err == nil {
			out[i] = stored
			continue
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("db: find recording %q: %w", in.Ref, err)
		}
		r := *in
		r.CallStartedAt = r.CallStartedAt.UTC()
		r.DeletionDue, r.DeletedAt, r.DeletedBy, r.FirstSeenAt = time.Time{}, time.Time{}, "", tx.now
		if days := activities[r.ActivityID].retentionDays; days > 0 {
			r.DeletionDue = monitoring.DeletionDue(r.CallStartedAt, days)
		}
		switch r.Source {
		case "":
			r.Source = "api"
		case "use":
			// The use writer's own: its 'due' weeks are counted by the
			// writer, not by the trigger (migration 0011).
			return nil, fmt.Errorf("db: register recording %q: source \"use\" is the use writer's", r.Ref)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO recordings (`+recordingColumns+`) VALUES (?,?,?,?,?,?,?,?,?,?,0)`,
			r.Ref, formatTime(r.CallStartedAt), string(r.Direction), r.ActivityID, r.EmployeeStaffID,
			formatTime(r.DeletionDue), "", "", formatTime(r.FirstSeenAt), r.Source)
		if err != nil {
			return nil, fmt.Errorf("db: insert recording %q: %w", r.Ref, err)
		}
		out[i] = &r
		created++
	}
	if created > 0 {
		if err := appendAudit(ctx, tx, actor, "recordings.registered", "recording", "", map[string]any{"count": created}); err != nil {
			return nil, err
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("db: register recordings: %w", err)
	}
	return out, nil
}

// ConfirmDeletion records that recording ref was deleted at at (now when
// zero) by actor (R-RET-2). NotFound; Conflict when already confirmed;
// Invalid when at is in the future or before the call.
func (s *RecordingService) ConfirmDeletion(ctx context.Context, actor string, ref string, at time.Time) (*monitoring.Recording, error) {
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	r, err := scanRecording(tx.QueryRowContext(ctx, `SELECT `+recordingColumns+` FROM recordings WHERE ref = ?`, ref))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("recording %q not found", ref)
	}
	if err != nil {
		return nil, fmt.Errorf("db: find recording %q: %w", ref, err)
	}
	if !r.DeletedAt.IsZero() {
		return nil, monitoring.Errorf(monitoring.Conflict, "recording %q: deletion already confirmed", ref)
	}
	if at.IsZero() {
		at = tx.now
	}
	at = at.UTC()
	switch {
	case at.After(tx.now.Add(monitoring.MaxClockSkew)):
		return nil, monitoring.FieldErrors{"deleted_at": monitoring.MsgInFuture}.Err()
	case at.Before(r.CallStartedAt):
		return nil, monitoring.FieldErrors{"deleted_at": monitoring.MsgBeforeCall}.Err()
	}
	if actor == "" {
		actor = "system"
	}
	if _, err := tx.ExecContext(ctx, `UPDATE recordings SET deleted_at = ?, deleted_by = ? WHERE ref = ?`,
		formatTime(at), actor, ref); err != nil {
		return nil, fmt.Errorf("db: confirm deletion of %q: %w", ref, err)
	}
	if err := appendAudit(ctx, tx, actor, "recording.deleted", "recording", ref, map[string]any{"deleted_at": formatTime(at)}); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("db: confirm deletion of %q: %w", ref, err)
	}
	r.DeletedAt, r.DeletedBy = at, actor
	return r, nil
}

// FindRecording returns the ledger entry of ref. NotFound.
func (s *RecordingService) FindRecording(ctx context.Context, ref string) (*monitoring.Recording, error) {
	r, err := scanRecording(s.db.read.QueryRowContext(ctx, `SELECT `+recordingColumns+` FROM recordings WHERE ref = ?`, ref))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("recording %q not found", ref)
	}
	if err != nil {
		return nil, fmt.Errorf("db: find recording %q: %w", ref, err)
	}
	return r, nil
}

// ListRecordings returns a page of the ledger and the next cursor ("" on
// the last page): newest call first, or with f.Overdue the recordings past
// their deadline and not deleted at now, oldest deadline first (R-RET-2).
// The cursor is opaque: the sort key and ref of the page's last entry.
func (s *RecordingService) ListRecordings(ctx context.Context, f monitoring.RecordingFilter, now time.Time) ([]*monitoring.Recording, string, error) {
	limit := limitOf(f.Limit)
	if _, _, ok := decodeRecordingCursor(f.Cursor); f.Cursor != "" && !ok {
		return nil, "", monitoring.FieldErrors{"cursor": monitoring.MsgInvalid}.Err()
	}
	var (
		rs  []*monitoring.Recording
		err error
	)
	if !f.Overdue && f.ActivityID == 0 {
		rs, err = s.newestAcrossActivities(ctx, f, now, limit)
	} else {
		var q string
		var args []any
		if q, args, err = recordingsPageQuery(f, now, limit); err == nil {
			rs, err = queryRecordings(ctx, s.db.read, q, args...)
		}
	}
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(rs) > limit {
		rs = rs[:limit]
		last := rs[limit-1]
		t := last.CallStartedAt
		if f.Overdue {
			t = last.DeletionDue
		}
		next = encodeRecordingCursor(formatTime(t), last.Ref)
	}
	return rs, next, nil
}

// recordingsPageQuery is the query of a page of ListRecordings, limit+1
// rows: one index range from the cursor (recordings_activity for an
// activity, recordings_due_ref or recordings_overdue for the overdue ones;
// plan_test.go).
func recordingsPageQuery(f monitoring.RecordingFilter, now time.Time, limit int) (string, []any, error) {
	var (
		where []string
		args  []any
		order string
	)
	key := "call_started_at"
	if f.Overdue {
		key = "deletion_due"
		where = append(where, `deleted_at = ''`, `deletion_due <> ''`, `deletion_due < ?`, `on_hold = 0`) // R-RET-2: held recordings are not overdue
		args = append(args, formatTime(now))
		order = `deletion_due, ref`
	} else {
		order = `call_started_at DESC, ref DESC`
	}
	if f.ActivityID != 0 {
		where, args = append(where, `activity_id = ?`), append(args, f.ActivityID)
	}
	if f.Cursor != "" {
		at, ref, ok := decodeRecordingCursor(f.Cursor)
		if !ok {
			return "", nil, monitoring.FieldErrors{"cursor": monitoring.MsgInvalid}.Err()
		}
		cmp := "<"
		if f.Overdue {
			cmp = ">"
		}
		where = append(where, `(`+key+` `+cmp+` ? OR (`+key+` = ? AND ref `+cmp+` ?))`)
		args = append(args, at, at, ref)
	}
	q := `SELECT ` + recordingColumns + ` FROM recordings`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	return q + ` ORDER BY ` + order + ` LIMIT ` + strconv.Itoa(limit+1), args, nil
}

// newestAcrossActivities is a page of the whole ledger, newest call first:
// the page of each activity (one range of recordings_activity each) merged.
// No index orders the ledger by call across activities, and one would cost
// every recording entered another B-tree insert; a single query sorted
// every recording for each page (12 s at 10M recordings).
func (s *RecordingService) newestAcrossActivities(ctx context.Context, f monitoring.RecordingFilter, now time.Time, limit int) ([]*monitoring.Recording, error) {
	ids, err := s.activityIDs(ctx)
	if err != nil {
		return nil, err
	}
	var all []*monitoring.Recording
	for _, id := range ids {
		f.ActivityID = id
		q, args, err := recordingsPageQuery(f, now, limit)
		if err != nil {
			return nil, err
		}
		rs, err := queryRecordings(ctx, s.db.read, q, args...)
		if err != nil {
			return nil, err
		}
		all = append(all, rs...)
	}
	// The order of the query: call_started_at DESC, ref DESC (the stored
	// times are fixed-width text, so their order is the times' order).
	slices.SortFunc(all, func(a, b *monitoring.Recording) int {
		if c := b.CallStartedAt.Compare(a.CallStartedAt); c != 0 {
			return c
		}
		return strings.Compare(b.Ref, a.Ref)
	})
	return all[:min(len(all), limit+1)], nil
}

// activityIDs lists the ids of every activity of the register.
func (s *RecordingService) activityIDs(ctx context.Context) ([]int64, error) {
	rows, err := s.db.read.QueryContext(ctx, `SELECT id FROM activities ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("db: list activities: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("db: list activities: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: list activities: %w", err)
	}
	return ids, nil
}

func queryRecordings(ctx context.Context, q querier, query string, args ...any) ([]*monitoring.Recording, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("db: list recordings: %w", err)
	}
	defer rows.Close()
	var out []*monitoring.Recording
	for rows.Next() {
		r, err := scanRecording(rows)
		if err != nil {
			return nil, fmt.Errorf("db: list recordings: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: list recordings: %w", err)
	}
	return out, nil
}

// encodeRecordingCursor packs a fixed-width stored time and a ref.
func encodeRecordingCursor(at, ref string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(at + "|" + ref))
}

func decodeRecordingCursor(c string) (at, ref string, ok bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return "", "", false
	}
	at, ref, ok = strings.Cut(string(b), "|")
	if !ok || len(at) != len(timeLayout) {
		return "", "", false
	}
	if _, err := parseTime(at); err != nil {
		return "", "", false
	}
	return at, ref, true
}

func scanRecording(r rowScanner) (*monitoring.Recording, error) {
	var rec monitoring.Recording
	var direction, callStarted, due, deleted, firstSeen string
	if err := r.Scan(&rec.Ref, &callStarted, &direction, &rec.ActivityID, &rec.EmployeeStaffID, &due, &deleted,
		&rec.DeletedBy, &firstSeen, &rec.Source, &rec.OnHold); err != nil {
		return nil, err
	}
	rec.Direction = monitoring.Direction(direction)
	var errs [4]error
	rec.CallStartedAt, errs[0] = parseTime(callStarted)
	rec.DeletionDue, errs[1] = parseTime(due)
	rec.DeletedAt, errs[2] = parseTime(deleted)
	rec.FirstSeenAt, errs[3] = parseTime(firstSeen)
	if err := errors.Join(errs[:]...); err != nil {
		return nil, err
	}
	return &rec, nil
}
