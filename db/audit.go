package db

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"vaaka/monitoring"
)

// AuditService is the hash-chained audit trail (R-LOG-1). The other
// services append to it in their own transactions with appendAudit; this
// service records events that change nothing else, lists and verifies.
type AuditService struct {
	db *DB
}

var _ monitoring.AuditService = (*AuditService)(nil)

// NewAuditService returns the audit trail of d.
func NewAuditService(d *DB) *AuditService { return &AuditService{db: d} }

// Record appends one entry in its own write transaction, e.g. a read of
// another person's use log (R-LOG-1).
func (s *AuditService) Record(ctx context.Context, actor, action, entity, entityID string, detail map[string]any) error {
	if strings.TrimSpace(action) == "" {
		return fieldErr(monitoring.Invalid, "action", monitoring.MsgRequired, "audit: empty action")
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var d any
	if detail != nil {
		d = detail
	}
	if err := appendAudit(ctx, tx, actor, action, entity, entityID, d); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("db: record audit %s: %w", action, err)
	}
	return nil
}

// ListAudit returns a page of entries, newest first, and the cursor (a
// sequence number) of the next page, 0 on the last one.
func (s *AuditService) ListAudit(ctx context.Context, f monitoring.AuditFilter) ([]*monitoring.AuditEntry, int64, error) {
	limit := limitOf(f.Limit)
	var where []string
	var args []any
	if f.Entity != "" {
		where, args = append(where, "entity = ?"), append(args, f.Entity)
	}
	if f.EntityID != "" {
		where, args = append(where, "entity_id = ?"), append(args, f.EntityID)
	}
	if f.Cursor > 0 {
		where, args = append(where, "seq < ?"), append(args, f.Cursor)
	}
	q := `SELECT seq, at, actor, action, entity, entity_id, detail, prev_hash, hash FROM audit`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY seq DESC LIMIT ?"
	args = append(args, limit+1)
	out, err := queryRows(ctx, s.db.read, "db: list audit", scanAuditEntry, q, args...)
	if err != nil {
		return nil, 0, err
	}
	var next int64
	if len(out) > limit {
		out = out[:limit]
		next = out[limit-1].Seq
	}
	return out, next, nil
}

// VerifyAudit walks the whole trail in sequence order with constant memory
// and stops at the first entry that does not verify.
func (s *AuditService) VerifyAudit(ctx context.Context) (monitoring.ChainReport, error) {
	v := monitoring.NewChainVerifier("audit")
	rows, err := s.db.read.QueryContext(ctx, `SELECT seq, at, actor, action, entity, entity_id, detail, prev_hash, hash FROM audit ORDER BY seq`)
	if err != nil {
		return monitoring.ChainReport{}, fmt.Errorf("db: verify audit: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanAuditEntry(rows)
		if err != nil {
			return monitoring.ChainReport{}, err
		}
		if !v.Next(e.Seq, e.PrevHash, e.Hash, e.ChainFields()) {
			break
		}
	}
	if err := rows.Err(); err != nil {
		return monitoring.ChainReport{}, fmt.Errorf("db: verify audit: %w", err)
	}
	return v.Report(), nil
}

func scanAuditEntry(rows interface{ Scan(...any) error }) (*monitoring.AuditEntry, error) {
	var e monitoring.AuditEntry
	var at string
	if err := rows.Scan(&e.Seq, &at, &e.Actor, &e.Action, &e.Entity, &e.EntityID, &e.Detail, &e.PrevHash, &e.Hash); err != nil {
		return nil, fmt.Errorf("db: scan audit: %w", err)
	}
	t, err := parseTime(at)
	if err != nil {
		// A changed time is tamper evidence, not a failure to read: keep
		// the zero time and let the hash check report the row.
		t = time.Time{}
	}
	e.At = t
	return &e, nil
}

// auditChange is one changed field in an audit entry's detail. Values are
// clipped so that the trail stays modest in size.
type auditChange struct {
	Field string  `json:"field"`
	Old   *string `json:"old,omitempty"`
	New   string  `json:"new"`
}

// auditMaxValue is the length (in characters) beyond which a value in an
// audit detail is clipped.
const auditMaxValue = 200

// auditClip shortens s to auditMaxValue characters.
func auditClip(s string) string {
	if utf8.RuneCountInString(s) <= auditMaxValue {
		return s
	}
	r := []rune(s)
	return string(r[:auditMaxValue]) + "…"
}

// auditChanges lists the fields whose values differ between old and new
// (display text by field name), sorted by field. A nil old means creation:
// the non-empty new values are listed without an old value.
func auditChanges(old, new map[string]string) []auditChange {
	var out []auditChange
	for k, v := range new {
		o, had := old[k]
		switch {
		case old == nil && v == "":
			continue
		case old == nil:
			out = append(out, auditChange{Field: k, New: auditClip(v)})
		case !had || o != v:
			oc := auditClip(o)
			out = append(out, auditChange{Field: k, Old: &oc, New: auditClip(v)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}

// activityChanges converts monitoring.Diff output to audit changes.
func activityChanges(fc []monitoring.FieldChange, creation bool) []auditChange {
	out := make([]auditChange, 0, len(fc))
	for _, c := range fc {
		ac := auditChange{Field: c.Field, New: auditClip(c.New)}
		if !creation {
			o := auditClip(c.Old)
			ac.Old = &o
		}
		out = append(out, ac)
	}
	return out
}

// fieldErr returns a domain error with code naming one field.
func fieldErr(code monitoring.Code, field, key, format string, args ...any) error {
	return &monitoring.Error{Code: code, Message: fmt.Sprintf(format, args...), Fields: map[string]string{field: key}}
}
