package db

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"vaaka/monitoring"
)

// Retention of the use log (R-LOG-2). The uses recorded before the cutoff,
// as a prefix in seq order, are removed in chunks of at most purgeChunk,
// each in ONE transaction with: a signed checkpoint (through_seq and its
// hash, chained to the previous checkpoint, with the heads of the receipts
// issued inside the chunk as anchors), the rollups decremented, the rows of
// uses, use_employees and use_flags deleted (the triggers allow it only
// behind the checkpoint) and the audit entry "use_log.purged". A crash
// leaves whole chunks done; the next run resumes after the last checkpoint.
//
// Before removing anything the job verifies the chain over the due range
// (links, hashes, the link of the first entry that stays) and that the
// head of every receipt issued in it is still the stored hash; if not, it
// refuses, audited as "use_log.purge_refused", and removes nothing. The
// newest entry is always kept: it is the head the chain continues from.

// PurgeLog removes the uses recorded before cutoff behind checkpoints.
func (s *EvidenceService) PurgeLog(ctx context.Context, cutoff time.Time) (monitoring.PurgeResult, error) {
	res := monitoring.PurgeResult{Cutoff: cutoff.UTC()}
	if cutoff.IsZero() {
		fe := monitoring.FieldErrors{}
		fe.Add("cutoff", monitoring.MsgRequired)
		return res, fe.Err()
	}
	due, start, err := s.checkDue(ctx, cutoff)
	if err != nil || due == 0 {
		return res, err
	}
	for from := start + 1; from <= due; {
		cp, err := s.purgeChunk(ctx, cutoff, min(from+int64(purgeChunk)-1, due))
		if err != nil {
			return res, err
		}
		if cp == nil {
			break
		}
		res.Removed += cp.Removed
		res.Checkpoint = cp
		from = cp.ThroughSeq + 1
	}
	return res, nil
}

// refusal is a purge refused because the log does not verify.
type refusal struct {
	firstBad int64
	reason   string
}

// refuse records a refused run in the audit trail and returns its error.
func (s *EvidenceService) refuse(ctx context.Context, cutoff time.Time, r refusal) error {
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := appendAudit(ctx, tx, "system", "use_log.purge_refused", "use_log", strconv.FormatInt(r.firstBad, 10),
		map[string]any{"cutoff": formatTime(cutoff), "first_bad": r.firstBad, "reason": r.reason}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("db: purge log: %w", err)
	}
	return monitoring.Errorf(monitoring.Conflict,
		"log retention refused: the use log does not verify at entry %d (%s); nothing was removed", r.firstBad, r.reason)
}

// checkDue finds the due range (start, due] and verifies it on one
// snapshot; due 0: nothing due.
func (s *EvidenceService) checkDue(ctx context.Context, cutoff time.Time) (due, start int64, err error) {
	tx, err := s.db.readTx(ctx)
	if err != nil {
		return 0, 0, err
	}
	defer tx.Rollback()
	st, err := loadCheckpoints(ctx, tx)
	if err != nil {
		return 0, 0, err
	}
	if st.bad != nil {
		tx.Rollback()
		return 0, 0, s.refuse(ctx, cutoff, refusal{st.bad.ThroughSeq, "checkpoint"})
	}
	head, _, err := logHead(ctx, tx)
	if err != nil {
		return 0, 0, err
	}
	due = head - 1 // the head stays
	var newer int64
	err = tx.QueryRowContext(ctx, `SELECT seq FROM uses WHERE seq > ? AND recorded_at >= ? ORDER BY seq LIMIT 1`,
		st.throughSeq, formatTime(cutoff)).Scan(&newer)
	switch {
	case err == nil:
		due = min(due, newer-1)
	case !errors.Is(err, sql.ErrNoRows):
		return 0, 0, fmt.Errorf("db: purge log: %w", err)
	}
	if due <= st.throughSeq {
		return 0, 0, nil
	}
	_, bad, err := checkRange(ctx, tx, st.throughSeq, st.through, due, nil)
	if err != nil {
		return 0, 0, err
	}
	if bad != nil {
		tx.Rollback()
		return 0, 0, s.refuse(ctx, cutoff, *bad)
	}
	return due, st.throughSeq, nil
}

// checkRange verifies the chain over (after, through+1] from afterHash and
// the heads of the receipts issued in (after, through], returning those
// heads as anchors (sorted, distinct); keep, when set, sees each verified
// entry up to through.
func checkRange(ctx context.Context, q querier, after int64, afterHash string, through int64, keep func(*useRow)) ([]monitoring.Anchor, *refusal, error) {
	heads := map[int64][]string{}
	rs, err := queryRows(ctx, q, "db: receipt heads", func(r interface{ Scan(...any) error }) (monitoring.Anchor, error) {
		var a monitoring.Anchor
		return a, r.Scan(&a.Seq, &a.Hash)
	}, `SELECT count, head_hash FROM receipts WHERE count > ? AND count <= ?`, after, through)
	if err != nil {
		return nil, nil, err
	}
	for _, a := range rs {
		heads[a.Seq] = append(heads[a.Seq], a.Hash)
	}
	var anchors []monitoring.Anchor
	var bad *refusal
	v := monitoring.NewChainVerifierFrom("uses", after, afterHash)
	err = walkUses(ctx, q, v, after, through+1, func(w *useRow) {
		if w.u.Seq > through || bad != nil {
			return
		}
		if keep != nil {
			keep(w)
		}
		if hs, ok := heads[w.u.Seq]; ok {
			for _, h := range hs {
				if h != w.u.Hash {
					bad = &refusal{w.u.Seq, "receipt_head"}
				}
			}
			anchors = append(anchors, monitoring.Anchor{Seq: w.u.Seq, Hash: w.u.Hash})
		}
	})
	if err != nil {
		return nil, nil, err
	}
	if r := v.Report(); !r.OK {
		return nil, &refusal{r.FirstBad, r.Reason}, nil
	}
	if bad != nil {
		return nil, bad, nil
	}
	if last, _ := v.Head(); last < through {
		return nil, &refusal{last + 1, "missing"}, nil
	}
	sort.Slice(anchors, func(i, j int) bool { return anchors[i].Seq < anchors[j].Seq })
	return anchors, nil, nil
}

// purgeChunk removes the entries after the latest checkpoint through
// `through` in one transaction; nil when they are already gone.
func (s *EvidenceService) purgeChunk(ctx context.Context, cutoff time.Time, through int64) (*monitoring.Checkpoint, error) {
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	prev := &monitoring.Checkpoint{ThroughHash: monitoring.GenesisHash, Hash: monitoring.GenesisHash}
	p, err := scanCheckpoint(tx.QueryRowContext(ctx, `SELECT `+checkpointColumns+` FROM use_checkpoints ORDER BY id DESC LIMIT 1`))
	switch {
	case err == nil:
		prev = p
	case !errors.Is(err, sql.ErrNoRows):
		return nil, err
	}
	if through <= prev.ThroughSeq {
		return nil, nil
	}
	type row struct {
		seq   int64
		staff string
		flags int64
		hash  string
	}
	var rows []row
	anchors, bad, err := checkRange(ctx, tx, prev.ThroughSeq, prev.ThroughHash, through, func(w *useRow) {
		rows = append(rows, row{w.u.Seq, w.staff, w.flags, w.u.Hash})
	})
	if err != nil {
		return nil, err
	}
	if bad != nil {
		tx.Rollback()
		return nil, s.refuse(ctx, cutoff, *bad)
	}
	priv, err := s.db.signer(ctx, tx)
	if err != nil {
		return nil, err
	}
	inst, err := installationID(ctx, tx)
	if err != nil {
		return nil, err
	}
	cp := &monitoring.Checkpoint{ID: prev.ID + 1, ThroughSeq: through, ThroughHash: rows[len(rows)-1].hash,
		Cutoff: cutoff.UTC(), CreatedAt: tx.now, Removed: int64(len(rows)), Anchors: anchors}
	cp.Sign(priv, inst, prev.Hash)
	if _, err := tx.ExecContext(ctx, `INSERT INTO use_checkpoints (`+checkpointColumns+`) VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
		cp.ID, cp.ThroughSeq, cp.ThroughHash, formatTime(cp.Cutoff), formatTime(cp.CreatedAt), cp.Removed,
		monitoring.EncodeAnchors(cp.Anchors), cp.PrevHash, cp.Hash, cp.KeyID, cp.Signature); err != nil {
		return nil, fmt.Errorf("db: checkpoint: %w", err)
	}
	from := prev.ThroughSeq + 1
	if err := rollupRemove(ctx, tx, from, through); err != nil {
		return nil, err
	}
	// By primary key, so that no delete scans the tables.
	delEmp, err := tx.PrepareContext(ctx, `DELETE FROM use_employees WHERE staff_id = ? AND use_seq = ?`)
	if err != nil {
		return nil, err
	}
	defer delEmp.Close()
	delFlag, err := tx.PrepareContext(ctx, `DELETE FROM use_flags WHERE flag = ? AND use_seq = ?`)
	if err != nil {
		return nil, err
	}
	defer delFlag.Close()
	for _, r := range rows {
		if r.staff != "" {
			for _, st := range strings.Split(r.staff, "\x1f") {
				if _, err := delEmp.ExecContext(ctx, st, r.seq); err != nil {
					return nil, fmt.Errorf("db: purge log: %w", err)
				}
			}
		}
		for _, f := range monitoring.FlagsOf(r.flags) {
			if _, err := delFlag.ExecContext(ctx, string(f), r.seq); err != nil {
				return nil, fmt.Errorf("db: purge log: %w", err)
			}
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM uses WHERE seq BETWEEN ? AND ?`, from, through); err != nil {
		return nil, fmt.Errorf("db: purge log: %w", err)
	}
	if err := appendAudit(ctx, tx, "system", "use_log.purged", "use_checkpoint", strconv.FormatInt(cp.ID, 10), map[string]any{
		"cutoff": formatTime(cp.Cutoff), "from_seq": from, "through_seq": through, "removed": cp.Removed,
		"anchors": len(cp.Anchors), "checkpoint_hash": cp.Hash}); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("db: purge log: %w", err)
	}
	return cp, nil
}

// VerifyReceipt checks a receipt against the installation and the log
// (R-LOG-1, R-LOG-2); see monitoring.ReceiptCheck for the reasons.
func (s *EvidenceService) VerifyReceipt(ctx context.Context, r *monitoring.Receipt) (monitoring.ReceiptCheck, error) {
	fail := func(reason string, firstBad int64) (monitoring.ReceiptCheck, error) {
		return monitoring.ReceiptCheck{Reason: reason, FirstBad: firstBad}, nil
	}
	if r == nil || r.Format != monitoring.ReceiptFormat || r.Chain != "uses" || r.Count < 0 {
		return fail("format", 0)
	}
	if r.CheckSignature() != nil {
		return fail("signature", 0)
	}
	tx, err := s.db.readTx(ctx)
	if err != nil {
		return monitoring.ReceiptCheck{}, err
	}
	defer tx.Rollback()
	keys, err := publicKeys(ctx, tx)
	if err != nil {
		return monitoring.ReceiptCheck{}, err
	}
	if pub, ok := keys[r.KeyID]; !ok || monitoring.KeyIDOf(pub) != r.KeyID || r.PublicKey != base64.StdEncoding.EncodeToString(pub) {
		return fail("unknown_key", 0)
	}
	inst, err := installationID(ctx, tx)
	if err != nil {
		return monitoring.ReceiptCheck{}, err
	}
	if r.InstallationID != inst {
		return fail("installation", 0)
	}
	st, err := loadCheckpoints(ctx, tx)
	if err != nil {
		return monitoring.ReceiptCheck{}, err
	}
	if st.bad != nil {
		return fail("checkpoint", st.bad.ThroughSeq)
	}
	if r.Count == 0 {
		if r.HeadHash != monitoring.GenesisHash {
			return fail("head", 0)
		}
		return monitoring.ReceiptCheck{OK: true}, nil
	}
	if r.Count <= st.throughSeq {
		// Removed by the retention job: the checkpoint that removed entry
		// Count must name the receipt's head.
		for _, c := range st.all {
			if r.Count > c.ThroughSeq {
				continue
			}
			if c.ThroughSeq == r.Count && c.ThroughHash == r.HeadHash {
				return monitoring.ReceiptCheck{OK: true, Checked: r.Count, Checkpoint: c}, nil
			}
			for _, a := range c.Anchors {
				if a.Seq == r.Count {
					if a.Hash == r.HeadHash {
						return monitoring.ReceiptCheck{OK: true, Checked: r.Count, Checkpoint: c}, nil
					}
					return fail("head", r.Count)
				}
			}
			break
		}
		return fail("missing", r.Count)
	}
	// The receipt's head is still in the log: walk from the checkpoint to
	// it. The stored receipts' heads on the way narrow down where a
	// consistent rewrite began.
	known := map[int64]string{}
	rs, err := queryRows(ctx, tx, "db: receipt heads", scanReceipt,
		`SELECT `+receiptColumns+` FROM receipts WHERE count > ? AND count < ? ORDER BY count`, st.throughSeq, r.Count)
	if err != nil {
		return monitoring.ReceiptCheck{}, err
	}
	for _, x := range rs {
		if _, ok := keys[x.Receipt.KeyID]; ok && x.Receipt.CheckSignature() == nil {
			known[x.Receipt.Count] = x.Receipt.HeadHash
		}
	}
	lastGood := st.throughSeq // the last entry known to be unchanged
	var headHash string
	rewritten := false
	v := monitoring.NewChainVerifierFrom("uses", st.throughSeq, st.through)
	if err := walkUses(ctx, tx, v, st.throughSeq, r.Count, func(w *useRow) {
		if h, ok := known[w.u.Seq]; ok && !rewritten {
			if h == w.u.Hash {
				lastGood = w.u.Seq
			} else {
				rewritten = true // lastGood stays before this receipt's head
			}
		}
		if w.u.Seq == r.Count {
			headHash = w.u.Hash
		}
	}); err != nil {
		return monitoring.ReceiptCheck{}, err
	}
	rep := v.Report()
	last, _ := v.Head()
	check := monitoring.ReceiptCheck{Checked: rep.Checked}
	switch {
	case !rep.OK && rep.Reason == "gap":
		check.Reason, check.FirstBad = "missing", last+1
	case !rep.OK:
		check.Reason, check.FirstBad = "chain", rep.FirstBad
	case last < r.Count:
		check.Reason, check.FirstBad = "missing", last+1
	case headHash != r.HeadHash:
		check.Reason, check.FirstBad = "head", lastGood+1
	default:
		check.OK = true
	}
	return check, nil
}
