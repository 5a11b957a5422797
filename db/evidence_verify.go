package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"

	"vaaka/monitoring"
)

// walkUses feeds the uses with seq in (after, through] (through 0: to the
// end) to v in seq order with constant memory: a reader goroutine scans
// rows in chunks while this one decodes and hashes. visit, when set, sees
// every entry that verified. It stops at the first entry that does not.
func walkUses(ctx context.Context, q querier, v *monitoring.ChainVerifier, after, through int64, visit func(*useRow)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	const chunk = 256
	chunks := make(chan []*useRow, 4)
	readErr := make(chan error, 1)
	query, args := `SELECT `+useColumns+` FROM uses WHERE seq > ? ORDER BY seq`, []any{after}
	if through > 0 {
		query, args = `SELECT `+useColumns+` FROM uses WHERE seq > ? AND seq <= ? ORDER BY seq`, []any{after, through}
	}
	go func() {
		defer close(chunks)
		readErr <- func() error {
			rows, err := q.QueryContext(ctx, query, args...)
			if err != nil {
				return err
			}
			defer rows.Close()
			buf := make([]*useRow, 0, chunk)
			for rows.Next() {
				w, err := scanUseRow(rows)
				if err != nil {
					return err
				}
				if buf = append(buf, w); len(buf) == chunk {
					select {
					case chunks <- buf:
					case <-ctx.Done():
						return nil // the checker stopped
					}
					buf = make([]*useRow, 0, chunk)
				}
			}
			if err := rows.Err(); err != nil {
				return err
			}
			if len(buf) > 0 {
				select {
				case chunks <- buf:
				case <-ctx.Done():
				}
			}
			return nil
		}()
	}()
	stopped := false
	for ws := range chunks {
		for _, w := range ws {
			if stopped {
				break
			}
			u, err := w.use()
			if err != nil || !w.canonical(u) {
				// A stored value that does not decode or is not in its
				// canonical form was not written by insert: report the row.
				v.Next(w.u.Seq, w.u.PrevHash, w.u.Hash, []string{"non-canonical row"})
				stopped = true
				break
			}
			if !v.NextUse(u) {
				stopped = true
				break
			}
			if visit != nil {
				visit(w)
			}
		}
		if stopped {
			cancel()
		}
	}
	if err := <-readErr; err != nil && !stopped {
		return fmt.Errorf("db: verify uses: %w", err)
	}
	return nil
}

// readTx is a read transaction on the read pool: one consistent snapshot
// (WAL) of the checkpoints and the log, even while the retention job runs.
func (db *DB) readTx(ctx context.Context) (*sql.Tx, error) {
	tx, err := db.read.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("db: begin read: %w", err)
	}
	return tx, nil
}

// checkpointColumns in the order scanCheckpoint reads.
const checkpointColumns = `id, through_seq, through_hash, cutoff, created_at, removed, anchors, prev_hash, hash, key_id, signature`

func scanCheckpoint(r interface{ Scan(...any) error }) (*monitoring.Checkpoint, error) {
	var c monitoring.Checkpoint
	var cutoff, created, anchors string
	if err := r.Scan(&c.ID, &c.ThroughSeq, &c.ThroughHash, &cutoff, &created, &c.Removed, &anchors, &c.PrevHash, &c.Hash,
		&c.KeyID, &c.Signature); err != nil {
		return nil, fmt.Errorf("db: checkpoint: %w", err)
	}
	var errs [3]error
	c.Cutoff, errs[0] = parseTime(cutoff)
	c.CreatedAt, errs[1] = parseTime(created)
	c.Anchors, errs[2] = monitoring.DecodeAnchors(anchors)
	if err := errors.Join(errs[:]...); err != nil {
		return nil, fmt.Errorf("db: checkpoint %d: %w", c.ID, err)
	}
	return &c, nil
}

// checkpointState is the verified checkpoint chain.
type checkpointState struct {
	all        []*monitoring.Checkpoint // oldest first
	throughSeq int64                    // of the latest (0: none)
	through    string                   // its hash (GenesisHash: none)
	hash       string                   // the latest checkpoint's own Hash
	bad        *monitoring.Checkpoint   // the first that does not verify
}

// loadCheckpoints reads the checkpoints oldest first and verifies their
// chain, signatures (with the installation's keys) and that each one moves
// forward. It stops at the first bad one (state.bad).
func loadCheckpoints(ctx context.Context, q querier) (*checkpointState, error) {
	st := &checkpointState{through: monitoring.GenesisHash, hash: monitoring.GenesisHash}
	n := 0
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM use_checkpoints`).Scan(&n); err != nil {
		return nil, fmt.Errorf("db: checkpoints: %w", err)
	}
	if n == 0 {
		return st, nil
	}
	all, err := queryRows(ctx, q, "db: checkpoints", scanCheckpoint, `SELECT `+checkpointColumns+` FROM use_checkpoints ORDER BY id`)
	if err != nil {
		return nil, err
	}
	keys, err := publicKeys(ctx, q)
	if err != nil {
		return nil, err
	}
	inst, err := installationID(ctx, q)
	if err != nil {
		return nil, err
	}
	for _, c := range all {
		pub, ok := keys[c.KeyID]
		if !ok || c.ThroughSeq <= st.throughSeq || c.CheckSignature(pub, inst, st.hash) != nil {
			st.bad = c
			return st, nil
		}
		st.all = append(st.all, c)
		st.throughSeq, st.through, st.hash = c.ThroughSeq, c.ThroughHash, c.Hash
	}
	return st, nil
}

// installationID is the installation's id (meta installation_id).
func installationID(ctx context.Context, q querier) (string, error) {
	var v string
	err := q.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'installation_id'`).Scan(&v)
	if err != nil {
		return "", fmt.Errorf("db: installation id: %w", err)
	}
	return v, nil
}

// verifyUseLog verifies the use log from the latest checkpoint on (R-LOG-2):
// the checkpoints' own chain and signatures, then the first remaining entry
// follows the checkpoint (seq through+1, prev_hash through_hash) and every
// entry after it. A bad checkpoint is reported at its through_seq with the
// reason "checkpoint".
func (db *DB) verifyUseLog(ctx context.Context) (monitoring.ChainReport, error) {
	tx, err := db.readTx(ctx)
	if err != nil {
		return monitoring.ChainReport{}, err
	}
	defer tx.Rollback()
	st, err := loadCheckpoints(ctx, tx)
	if err != nil {
		return monitoring.ChainReport{}, err
	}
	if st.bad != nil {
		return monitoring.ChainReport{Chain: "uses", FirstBad: st.bad.ThroughSeq, Reason: "checkpoint"}, nil
	}
	var head int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM uses`).Scan(&head); err != nil {
		return monitoring.ChainReport{}, fmt.Errorf("db: verify uses: %w", err)
	}
	if head-st.throughSeq >= parallelVerifyMin {
		if r, ok := db.verifyHalves(ctx, tx, st.throughSeq, st.through, head); ok {
			return r, nil
		}
		// A half did not verify (or the halves did not join): the walk
		// below, on one snapshot, finds and names the first bad entry.
	}
	v := monitoring.NewChainVerifierFrom("uses", st.throughSeq, st.through)
	if err := walkUses(ctx, tx, v, st.throughSeq, 0, nil); err != nil {
		return monitoring.ChainReport{}, err
	}
	return v.Report(), nil
}

// parallelVerifyMin is the log length from which verifyUseLog walks the two
// halves of the log at once.
var parallelVerifyMin int64 = 100_000

// verifyHalves is the fast path of verifyUseLog for long logs: reading
// rows through the driver is what bounds a walk, so the two halves
// (after, mid] and (mid, head] are walked at once on two read connections.
// The first half starts from the checkpoint; the second from the stored
// prev_hash of entry mid+1, and the link is proven when the first half ends
// at entry mid with that very hash. ok is false when anything did not verify
// or could not be read: the caller then walks the whole log on one snapshot
// (tx), which is authoritative and names the first bad entry. Entries after
// head (written meanwhile) are not part of this verification.
func (db *DB) verifyHalves(ctx context.Context, tx *sql.Tx, after int64, afterHash string, head int64) (monitoring.ChainReport, bool) {
	mid := after + (head-after)/2
	second, err := db.readTx(ctx)
	if err != nil {
		return monitoring.ChainReport{}, false
	}
	defer second.Rollback()
	var start string // the stored prev_hash of entry mid+1
	if err := second.QueryRowContext(ctx, `SELECT prev_hash FROM uses WHERE seq = ?`, mid+1).Scan(&start); err != nil {
		return monitoring.ChainReport{}, false
	}
	first := monitoring.NewChainVerifierFrom("uses", after, afterHash)
	rest := monitoring.NewChainVerifierFrom("uses", mid, start)
	errc := make(chan error, 1)
	go func() { errc <- walkUses(ctx, second, rest, mid, head, nil) }()
	err = walkUses(ctx, tx, first, after, mid, nil)
	if err2 := <-errc; err == nil {
		err = err2
	}
	a, b := first.Report(), rest.Report()
	lastSeq, lastHash := first.Head()
	restSeq, _ := rest.Head()
	if err != nil || !a.OK || !b.OK || lastSeq != mid || lastHash != start || restSeq != head {
		return monitoring.ChainReport{}, false
	}
	halvesVerified.Add(1)
	return monitoring.ChainReport{Chain: "uses", OK: true, Checked: a.Checked + b.Checked}, true
}

// halvesVerified counts the verifications that the fast path completed
// (tests check that it runs).
var halvesVerified atomic.Int64
