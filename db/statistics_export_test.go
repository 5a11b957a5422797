package db

import (
	"context"
	"fmt"
	"time"
)

// SetCheckpointPaceForTest sets the checkpointer's pace for databases
// opened after it and returns the function that restores it (call it after
// they are closed).
func SetCheckpointPaceForTest(d time.Duration) (restore func()) {
	old := checkpointEvery
	checkpointEvery = d
	return func() { checkpointEvery = old }
}

// PurgeUsesForTest removes the uses with seq in [from, to] as the log
// retention job does (R-LOG-2): rollupRemove and the deletes in one
// transaction. The checkpoint triggers of 0006 are dropped first: this
// tests the rollups, not the retention rules.
func PurgeUsesForTest(ctx context.Context, d *DB, from, to int64) error {
	for _, t := range []string{"uses_no_delete", "use_employees_no_delete", "use_flags_no_delete", "use_flag_months_no_delete"} {
		if _, err := d.write.ExecContext(ctx, `DROP TRIGGER IF EXISTS `+t); err != nil {
			return err
		}
	}
	tx, err := d.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := rollupRemove(ctx, tx, from, to); err != nil {
		return err
	}
	for _, q := range []string{
		`DELETE FROM use_flag_months WHERE use_seq BETWEEN ? AND ?`,
		`DELETE FROM use_flags WHERE use_seq BETWEEN ? AND ?`,
		`DELETE FROM use_employees WHERE use_seq BETWEEN ? AND ?`,
		`DELETE FROM uses WHERE seq BETWEEN ? AND ?`,
	} {
		if _, err := tx.ExecContext(ctx, q, from, to); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return tx.Commit()
}

// WriterPreparesForTest is the number of statements the use writer's
// groups have prepared on their transactions so far.
func WriterPreparesForTest(d *DB) int64 {
	if d.uses == nil {
		return 0
	}
	return d.uses.txPrepares
}
