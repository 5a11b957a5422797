package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"vaaka/monitoring"
)

// EvidenceService implements monitoring.EvidenceService: signed chain
// receipts of the use log and its retention behind signed checkpoints
// (R-LOG-1, R-LOG-2).
type EvidenceService struct{ db *DB }

// NewEvidenceService returns the evidence service over d.
func NewEvidenceService(d *DB) *EvidenceService { return &EvidenceService{db: d} }

var _ monitoring.EvidenceService = (*EvidenceService)(nil)

// purgeChunk is the most uses one retention transaction removes.
var purgeChunk = 2000

// EnsureKey makes sure the installation has a signing key (created on
// first start) and returns the current one.
func (s *EvidenceService) EnsureKey(ctx context.Context) (monitoring.SigningKey, error) {
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return monitoring.SigningKey{}, err
	}
	defer tx.Rollback()
	if _, err := s.db.signer(ctx, tx); err != nil {
		return monitoring.SigningKey{}, err
	}
	if err := tx.Commit(); err != nil {
		return monitoring.SigningKey{}, fmt.Errorf("db: signing key: %w", err)
	}
	keys, err := s.SigningKeys(ctx)
	if err != nil || len(keys) == 0 {
		return monitoring.SigningKey{}, errors.Join(err, errors.New("db: no signing key"))
	}
	return keys[0], nil
}

// logHead is the use log's head: the newest entry, or the latest
// checkpoint when none remains, or the genesis.
func logHead(ctx context.Context, q querier) (int64, string, error) {
	var seq int64
	var hash string
	err := q.QueryRowContext(ctx, `SELECT seq, hash FROM uses ORDER BY seq DESC LIMIT 1`).Scan(&seq, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		err = q.QueryRowContext(ctx, `SELECT through_seq, through_hash FROM use_checkpoints ORDER BY id DESC LIMIT 1`).Scan(&seq, &hash)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, monitoring.GenesisHash, nil
		}
	}
	if err != nil {
		return 0, "", fmt.Errorf("db: use log head: %w", err)
	}
	return seq, hash, nil
}

// IssueReceipt signs the use log's current head and records it, audited
// as "receipt.issued", in one transaction.
func (s *EvidenceService) IssueReceipt(ctx context.Context, actor string, auto bool) (*monitoring.ReceiptRecord, error) {
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	priv, err := s.db.signer(ctx, tx)
	if err != nil {
		return nil, err
	}
	inst, err := installationID(ctx, tx)
	if err != nil {
		return nil, err
	}
	seq, hash, err := logHead(ctx, tx)
	if err != nil {
		return nil, err
	}
	if actor == "" {
		actor = "system"
	}
	rec := &monitoring.ReceiptRecord{IssuedBy: actor, Auto: auto, Receipt: monitoring.Receipt{
		Format: monitoring.ReceiptFormat, InstallationID: inst, Chain: "uses", Count: seq, HeadHash: hash, IssuedAt: tx.now}}
	rec.Receipt.Sign(priv)
	body, err := json.Marshal(&rec.Receipt)
	if err != nil {
		return nil, err
	}
	r := &rec.Receipt
	res, err := tx.ExecContext(ctx, `INSERT INTO receipts (issued_at, issued_by, auto, count, head_hash, key_id, signature, receipt)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, formatTime(r.IssuedAt), actor, auto, r.Count, r.HeadHash, r.KeyID, r.Signature, string(body))
	if err != nil {
		return nil, fmt.Errorf("db: issue receipt: %w", err)
	}
	if rec.ID, err = res.LastInsertId(); err != nil {
		return nil, err
	}
	if err := appendAudit(ctx, tx, actor, "receipt.issued", "receipt", strconv.FormatInt(rec.ID, 10), map[string]any{
		"count": r.Count, "head_hash": r.HeadHash, "key_id": r.KeyID, "auto": auto}); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("db: issue receipt: %w", err)
	}
	return rec, nil
}

const receiptColumns = `id, issued_by, auto, receipt`

func scanReceipt(r interface{ Scan(...any) error }) (*monitoring.ReceiptRecord, error) {
	var rec monitoring.ReceiptRecord
	var body string
	if err := r.Scan(&rec.ID, &rec.IssuedBy, &rec.Auto, &body); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(body), &rec.Receipt); err != nil {
		return nil, fmt.Errorf("db: receipt %d: %w", rec.ID, err)
	}
	return &rec, nil
}

// FindReceipt returns the issued receipt id. NotFound.
func (s *EvidenceService) FindReceipt(ctx context.Context, id int64) (*monitoring.ReceiptRecord, error) {
	rec, err := scanReceipt(s.db.read.QueryRowContext(ctx, `SELECT `+receiptColumns+` FROM receipts WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("receipt %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("db: find receipt: %w", err)
	}
	return rec, nil
}

// ListReceipts pages the issued receipts, newest first; the cursor is the
// id of the last receipt of the page (0 on the last page).
func (s *EvidenceService) ListReceipts(ctx context.Context, f monitoring.ReceiptFilter) ([]*monitoring.ReceiptRecord, int64, error) {
	limit := limitOf(f.Limit)
	q, args := `SELECT `+receiptColumns+` FROM receipts ORDER BY id DESC LIMIT ?`, []any{limit + 1}
	if f.Cursor > 0 {
		q, args = `SELECT `+receiptColumns+` FROM receipts WHERE id < ? ORDER BY id DESC LIMIT ?`, []any{f.Cursor, limit + 1}
	}
	out, err := queryRows(ctx, s.db.read, "db: list receipts", scanReceipt, q, args...)
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

// LatestAutoReceipt returns when the newest weekly receipt was issued
// (zero time: never).
func (s *EvidenceService) LatestAutoReceipt(ctx context.Context) (time.Time, error) {
	var at sql.NullString
	if err := s.db.read.QueryRowContext(ctx, `SELECT MAX(issued_at) FROM receipts WHERE auto = 1`).Scan(&at); err != nil {
		return time.Time{}, fmt.Errorf("db: latest receipt: %w", err)
	}
	return parseTime(at.String)
}

// SigningKeys lists the installation's keys, newest first.
func (s *EvidenceService) SigningKeys(ctx context.Context) ([]monitoring.SigningKey, error) {
	return queryRows(ctx, s.db.read, "db: signing keys", scanSigningKey,
		`SELECT id, public_key, created_at, retired_at FROM signing_keys ORDER BY retired_at = '' DESC, created_at DESC, id`)
}

// RotateKey makes a new signing key and retires the current one (kept for
// verification), audited as "key.rotated".
func (s *EvidenceService) RotateKey(ctx context.Context, actor string) (monitoring.SigningKey, error) {
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return monitoring.SigningKey{}, err
	}
	defer tx.Rollback()
	kr := s.db.keyring() // locked inside the transaction, as signer does
	kr.mu.Lock()
	defer kr.mu.Unlock()
	old, err := currentKeyID(ctx, tx)
	if err != nil {
		return monitoring.SigningKey{}, err
	}
	k, priv, err := s.db.newKey(ctx, tx, actor, "key.rotated", map[string]any{"retired": old})
	if err != nil {
		return monitoring.SigningKey{}, err
	}
	if err := tx.Commit(); err != nil {
		return monitoring.SigningKey{}, fmt.Errorf("db: rotate key: %w", err)
	}
	kr.priv, kr.keyID = priv, k.ID
	return k, nil
}

// Checkpoints lists the retention checkpoints, newest first.
func (s *EvidenceService) Checkpoints(ctx context.Context) ([]*monitoring.Checkpoint, error) {
	return queryRows(ctx, s.db.read, "db: checkpoints", scanCheckpoint, `SELECT `+checkpointColumns+` FROM use_checkpoints ORDER BY id DESC`)
}
