package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"vaaka/db"
	"vaaka/monitoring"
)

// Evidence commands and jobs (issue 5): vaaka verify --receipt, vaaka key
// rotate, vaaka purge-log, and the daily log retention and weekly receipt
// jobs of serve (R-LOG-1, R-LOG-2).

// signingKeyFlag binds --signing-key (the private key file).
func signingKeyFlag(b *binder, p *string) {
	b.String(p, "signing-key", "VAAKA_SIGNING_KEY", "private Ed25519 signing key file, mode 0600 (default: the database path + .signing-key)")
}

// verifyBinding is verify's flag set.
type verifyBinding struct {
	*dbBinding
	receipt string
}

func (c *cli) verifyBinder() *verifyBinding {
	b := &verifyBinding{dbBinding: c.dbBinder("verify")}
	b.fs.Usage = func() {
		fmt.Fprintf(b.fs.Output(), "Usage: vaaka verify [--db vaaka.db] [--receipt FILE]\n\nFlags (each also read from the environment variable shown):\n")
		b.fs.PrintDefaults()
	}
	b.String(&b.receipt, "receipt", "VAAKA_RECEIPT", "a chain receipt (JSON) to verify against the use log instead of the chains")
	return b
}

// verifyReceipt checks the receipt file against the database at dbPath:
// exit 0 with one line when every entry up to the receipt is there
// unchanged (or removed behind a checkpoint that names it), exit 1 naming
// the entry or the reason otherwise.
func (c *cli) verifyReceipt(dbPath, file string) error {
	buf, err := readLimited(file, monitoring.MaxReceiptSize)
	if err != nil {
		return err
	}
	r, err := monitoring.ParseReceipt(buf)
	if err != nil {
		var me *monitoring.Error
		if errors.As(err, &me) {
			for f, k := range me.Fields {
				fmt.Fprintf(c.stdout, "receipt: INVALID  %s: %s\n", f, k)
			}
		}
		fmt.Fprintf(c.stdout, "receipt: FAILED   %s is not a valid Vaaka receipt.\n", file)
		return errFailed
	}
	d, err := openExisting(dbPath)
	if err != nil {
		return err
	}
	defer d.Close()
	check, err := db.NewEvidenceService(d).VerifyReceipt(c.ctx, r)
	if err != nil {
		return fmt.Errorf("verify receipt: %w", err)
	}
	if check.OK {
		if check.Checkpoint != nil {
			fmt.Fprintf(c.stdout, "receipt: ok       entries 1..%d as of %s: removed by log retention behind checkpoint %d (through entry %d), which names this receipt's head.\n",
				r.Count, r.IssuedAt.Format(time.RFC3339), check.Checkpoint.ID, check.Checkpoint.ThroughSeq)
			return nil
		}
		fmt.Fprintf(c.stdout, "receipt: ok       every entry 1..%d of the use log is there unchanged since %s (key %s).\n",
			r.Count, r.IssuedAt.Format(time.RFC3339), r.KeyID)
		return nil
	}
	fmt.Fprintf(c.stdout, "receipt: FAILED   %s\n", receiptReasonText(check, r))
	return errFailed
}

// receiptReasonText explains a failed receipt check for an operator.
func receiptReasonText(c monitoring.ReceiptCheck, r *monitoring.Receipt) string {
	switch c.Reason {
	case "signature":
		return "the signature does not verify: the receipt was altered or forged."
	case "unknown_key":
		return fmt.Sprintf("the receipt was signed with key %s, which is not one of this installation's keys.", r.KeyID)
	case "installation":
		return fmt.Sprintf("the receipt is of installation %s, not of this database.", r.InstallationID)
	case "format":
		return "not a receipt of the use log."
	case "checkpoint":
		return fmt.Sprintf("the log retention checkpoint through entry %d does not verify.", c.FirstBad)
	case "missing":
		return fmt.Sprintf("entry %d is missing from the use log (removed, and no retention checkpoint covers it).", c.FirstBad)
	case "chain":
		return fmt.Sprintf("entry %d of the use log was changed (the chain breaks there).", c.FirstBad)
	case "head":
		return fmt.Sprintf("the use log up to entry %d was rewritten: entry %d no longer has the receipt's hash (first entry not proven unchanged: %d).",
			r.Count, r.Count, c.FirstBad)
	}
	return c.Reason
}

// readLimited reads at most limit bytes of a file (a larger file is an
// error, not a truncated read).
func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	buf, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(buf)) > limit {
		return nil, fmt.Errorf("%s: larger than %d bytes: not a receipt", path, limit)
	}
	return buf, nil
}

// keyRotate makes a new signing key: vaaka key rotate [--db] [--signing-key].
func (c *cli) keyRotate(args []string) error {
	b := c.dbBinder("key rotate")
	var keyFile string
	signingKeyFlag(b.binder, &keyFile)
	if err := b.Parse(args); err != nil {
		return err
	}
	d, err := openExisting(b.path)
	if err != nil {
		return err
	}
	defer d.Close()
	d.SetSigningKeyFile(keyFile)
	k, err := db.NewEvidenceService(d).RotateKey(c.ctx, cliActor)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "New signing key %s (%s); older keys are kept for verification.\n", k.ID, d.SigningKeyFile())
	return nil
}

// purgeLogBinding is purge-log's flag set.
type purgeLogBinding struct {
	*dbBinding
	days    int
	keyFile string
}

func (c *cli) purgeLogBinder() *purgeLogBinding {
	b := &purgeLogBinding{dbBinding: c.dbBinder("purge-log"), days: DefaultConfig().LogRetentionDays}
	retentionFlag(b.binder, &b.days)
	signingKeyFlag(b.binder, &b.keyFile)
	return b
}

// retentionFlag binds --log-retention-days.
func retentionFlag(b *binder, p *int) {
	b.Int(p, "log-retention-days", "VAAKA_LOG_RETENTION_DAYS", "days the use log is kept (R-LOG-2); older entries are removed behind a signed checkpoint")
}

// purgeLog runs the log retention once: vaaka purge-log [--db]
// [--log-retention-days N].
func (c *cli) purgeLog(args []string) error {
	b := c.purgeLogBinder()
	if err := b.Parse(args); err != nil {
		return err
	}
	if b.days < 1 {
		return usagef("--log-retention-days/VAAKA_LOG_RETENTION_DAYS: must be at least 1")
	}
	d, err := openExisting(b.path)
	if err != nil {
		return err
	}
	defer d.Close()
	d.SetSigningKeyFile(b.keyFile)
	cutoff := d.Now().AddDate(0, 0, -b.days)
	res, err := db.NewEvidenceService(d).PurgeLog(c.ctx, cutoff)
	if err != nil {
		return err
	}
	if res.Checkpoint == nil {
		fmt.Fprintf(c.stdout, "Nothing recorded before %s is due: no entries removed.\n", cutoff.Format(time.RFC3339))
		return nil
	}
	fmt.Fprintf(c.stdout, "Removed %d entries recorded before %s; the chain continues from checkpoint %d (through entry %d).\n",
		res.Removed, cutoff.Format(time.RFC3339), res.Checkpoint.ID, res.Checkpoint.ThroughSeq)
	return nil
}

// evidenceJobs runs serve's daily log retention and weekly receipt until
// ctx ends. Errors are logged; the server keeps running.
type evidenceJobs struct {
	ev            *db.EvidenceService
	now           func() time.Time
	retentionDays int
	logger        *slog.Logger
	every         time.Duration // how often to look (default an hour)
}

const (
	retentionEvery = 24 * time.Hour
	receiptEvery   = 7 * 24 * time.Hour
)

// run ensures the signing key, then looks every hour whether the daily
// retention or the weekly receipt is due.
func (j *evidenceJobs) run(ctx context.Context) {
	if _, err := j.ev.EnsureKey(ctx); err != nil && ctx.Err() == nil {
		j.logger.Error("signing key", "err", err)
	}
	every := j.every
	if every <= 0 {
		every = time.Hour
	}
	var lastPurge time.Time
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if now := j.now(); now.Sub(lastPurge) >= retentionEvery {
			if j.purge(ctx, now) {
				lastPurge = now
			}
		}
		j.weeklyReceipt(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// purge runs the log retention once (R-LOG-2); false when it failed.
func (j *evidenceJobs) purge(ctx context.Context, now time.Time) bool {
	res, err := j.ev.PurgeLog(ctx, now.AddDate(0, 0, -j.retentionDays))
	if err != nil {
		if ctx.Err() == nil {
			j.logger.Error("log retention", "err", err)
		}
		return false
	}
	if res.Removed > 0 {
		j.logger.Info("log retention", "removed", res.Removed, "through", res.Checkpoint.ThroughSeq)
	}
	return true
}

// weeklyReceipt issues the automatic receipt for the representatives when
// the newest one is at least a week old.
func (j *evidenceJobs) weeklyReceipt(ctx context.Context) {
	last, err := j.ev.LatestAutoReceipt(ctx)
	if err == nil && !last.IsZero() && j.now().Sub(last) < receiptEvery {
		return
	}
	if err == nil {
		var rec *monitoring.ReceiptRecord
		if rec, err = j.ev.IssueReceipt(ctx, "system", true); err == nil {
			j.logger.Info("weekly receipt", "id", rec.ID, "count", rec.Receipt.Count)
			return
		}
	}
	if ctx.Err() == nil {
		j.logger.Error("weekly receipt", "err", err)
	}
}

// startEvidenceJobs starts the jobs over d; stop waits for them to end.
func startEvidenceJobs(ctx context.Context, d *db.DB, cfg Config, logger *slog.Logger) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	j := &evidenceJobs{ev: db.NewEvidenceService(d), now: d.Now, retentionDays: cfg.LogRetentionDays, logger: logger}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); j.run(ctx) }()
	return func() { cancel(); wg.Wait() }
}
