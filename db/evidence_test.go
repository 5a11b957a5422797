package db_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"vaaka/db"
	"vaaka/monitoring"
)

// recordAt records n uses as if recorded at `at` (occurred an hour
// before); every other one is flagged (purpose missing).
func (f *useFixture) recordAt(tb testing.TB, at time.Time, n int) {
	tb.Helper()
	f.d.Now = func() time.Time { return at }
	defer func() { f.d.Now = func() time.Time { return testNow } }()
	for i := range n {
		u := f.use(fmt.Sprintf("at-%d-%d", at.Unix(), i), fmt.Sprintf("rec-%d", i))
		u.CallStartedAt, u.OccurredAt = at.Add(-2*time.Hour), at.Add(-time.Hour)
		u.Note = fmt.Sprintf("note %d", i)
		if i%2 == 1 {
			u.Purpose = ""
		}
		f.record(tb, u)
	}
}

func issue(tb testing.TB, ev *db.EvidenceService) *monitoring.Receipt {
	tb.Helper()
	rec, err := ev.IssueReceipt(context.Background(), "rep@example.fi", false)
	if err != nil {
		tb.Fatal(err)
	}
	return &rec.Receipt
}

func verifyReceipt(tb testing.TB, ev *db.EvidenceService, r *monitoring.Receipt) monitoring.ReceiptCheck {
	tb.Helper()
	c, err := ev.VerifyReceipt(context.Background(), r)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func wantCheck(tb testing.TB, c monitoring.ReceiptCheck, reason string, firstBad int64) {
	tb.Helper()
	if reason == "" {
		if !c.OK {
			tb.Fatalf("check = %+v, want OK", c)
		}
		return
	}
	if c.OK || c.Reason != reason || c.FirstBad != firstBad {
		tb.Fatalf("check = %+v, want %s at %d", c, reason, firstBad)
	}
}

func TestReceipt_R_LOG_1_UntouchedVerifies(t *testing.T) {
	f := newUseFixture(t)
	ev := db.NewEvidenceService(f.d)
	f.recordAt(t, testNow.Add(-oneDay), 5)
	r := issue(t, ev)
	if r.Count != 5 || r.InstallationID == "" {
		t.Fatalf("receipt = %+v", r)
	}
	c := verifyReceipt(t, ev, r)
	wantCheck(t, c, "", 0)
	if c.Checked != 5 {
		t.Errorf("checked %d", c.Checked)
	}
	f.recordAt(t, testNow, 2) // the log grows: the receipt still holds
	wantCheck(t, verifyReceipt(t, ev, r), "", 0)
	// Listed and found, and audited.
	recs, _, err := ev.ListReceipts(t.Context(), monitoring.ReceiptFilter{})
	if err != nil || len(recs) != 1 || recs[0].Receipt != *r {
		t.Fatalf("list = %v, %v", recs, err)
	}
	if _, err := ev.FindReceipt(t.Context(), 99); monitoring.ErrorCodeOf(err) != monitoring.NotFound {
		t.Errorf("find 99: %v", err)
	}
	es, _, err := db.NewAuditService(f.d).ListAudit(t.Context(), monitoring.AuditFilter{Entity: "receipt"})
	if err != nil || len(es) != 1 || es[0].Action != "receipt.issued" {
		t.Errorf("audit = %v, %v", es, err)
	}
	// The private key file is 0600 beside the database.
	st, err := os.Stat(f.d.Path() + ".signing-key")
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("key file: %v %v", st, err)
	}
}

// tamper drops the guard triggers (as an attacker with the file could)
// and runs the statements.
func tamper(tb testing.TB, d *db.DB, qs ...string) {
	tb.Helper()
	raw := rawUseDB(tb, d)
	raw.SetMaxOpenConns(1)
	for _, q := range append([]string{`DROP TRIGGER uses_no_update`, `DROP TRIGGER uses_no_delete`}, qs...) {
		if _, err := raw.Exec(q); err != nil {
			tb.Fatalf("%s: %v", q, err)
		}
	}
}

func TestReceipt_R_LOG_1_TamperedFails(t *testing.T) {
	for _, c := range []struct {
		name     string
		qs       []string
		reason   string
		firstBad int64
	}{
		{"changed", []string{`UPDATE uses SET note = 'x' WHERE seq = 3`}, "chain", 3},
		{"removed", []string{`DELETE FROM uses WHERE seq = 3`}, "missing", 3},
		{"truncated", []string{`DELETE FROM uses WHERE seq >= 4`}, "missing", 4},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newUseFixture(t)
			ev := db.NewEvidenceService(f.d)
			f.recordAt(t, testNow.Add(-oneDay), 5)
			r := issue(t, ev)
			tamper(t, f.d, c.qs...)
			wantCheck(t, verifyReceipt(t, ev, r), c.reason, c.firstBad)
		})
	}
}

// TestReceipt_R_LOG_1_RehashedFails: entry 3 changed and every hash from
// it on recomputed: the chain is consistent, but the receipt's head is not
// there; an earlier receipt (head 2) narrows it to entry 3.
func TestReceipt_R_LOG_1_RehashedFails(t *testing.T) {
	f := newUseFixture(t)
	ev := db.NewEvidenceService(f.d)
	f.recordAt(t, testNow.Add(-2*oneDay), 2)
	issue(t, ev)
	f.recordAt(t, testNow.Add(-oneDay), 3)
	r := issue(t, ev)
	us, _, err := f.uses.ListUses(t.Context(), monitoring.UseFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var qs []string
	prev := ""
	for i := len(us) - 1; i >= 0; i-- { // oldest first
		u := us[i]
		if u.Seq == 2 {
			prev = u.Hash
		}
		if u.Seq < 3 {
			continue
		}
		if u.Seq == 3 {
			u.Note = "rewritten"
		}
		u.Seal(prev)
		prev = u.Hash
		qs = append(qs, fmt.Sprintf(`UPDATE uses SET note = '%s', prev_hash = '%s', hash = '%s' WHERE seq = %d`, u.Note, u.PrevHash, u.Hash, u.Seq))
	}
	tamper(t, f.d, qs...)
	mustVerify(t, f.uses, 5) // internally consistent
	wantCheck(t, verifyReceipt(t, ev, r), "head", 3)
}

func TestReceipt_R_LOG_1_ForgedAndUnknownKey(t *testing.T) {
	f := newUseFixture(t)
	ev := db.NewEvidenceService(f.d)
	f.recordAt(t, testNow.Add(-oneDay), 3)
	r := issue(t, ev)
	forged := *r
	forged.Count = 2
	wantCheck(t, verifyReceipt(t, ev, &forged), "signature", 0)
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	other := *r
	other.Sign(priv)
	wantCheck(t, verifyReceipt(t, ev, &other), "unknown_key", 0)
}

func TestRotateKey_R_LOG_1_OldReceiptsVerify(t *testing.T) {
	f := newUseFixture(t)
	ev := db.NewEvidenceService(f.d)
	f.recordAt(t, testNow.Add(-oneDay), 3)
	old := issue(t, ev)
	k, err := ev.RotateKey(t.Context(), "admin@example.fi")
	if err != nil {
		t.Fatal(err)
	}
	f.recordAt(t, testNow, 1)
	r := issue(t, ev)
	if r.KeyID != k.ID || old.KeyID == k.ID {
		t.Fatalf("key ids: old %s new %s rotated %s", old.KeyID, r.KeyID, k.ID)
	}
	wantCheck(t, verifyReceipt(t, ev, old), "", 0)
	wantCheck(t, verifyReceipt(t, ev, r), "", 0)
	keys, err := ev.SigningKeys(t.Context())
	if err != nil || len(keys) != 2 || keys[0].ID != k.ID || !keys[0].RetiredAt.IsZero() || keys[1].RetiredAt.IsZero() {
		t.Fatalf("keys = %+v, %v", keys, err)
	}
	// A second service (another process) picks up the rotated key.
	if r2 := issue(t, db.NewEvidenceService(f.d)); r2.KeyID != k.ID {
		t.Errorf("second service signed with %s", r2.KeyID)
	}
}

// TestSigningKey_LostFileReplaced: without its file the key is replaced by
// a new one; receipts of the old key still verify.
func TestSigningKey_LostFileReplaced(t *testing.T) {
	f := newUseFixture(t)
	f.recordAt(t, testNow.Add(-oneDay), 1)
	old := issue(t, db.NewEvidenceService(f.d))
	path := t.TempDir() + "/key"
	d2, err := db.Open(f.d.Path()) // another process: no cached key
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close()
	d2.SetSigningKeyFile(path)
	ev := db.NewEvidenceService(d2)
	r := issue(t, ev)
	if r.KeyID == old.KeyID {
		t.Fatal("the key was not replaced")
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	wantCheck(t, verifyReceipt(t, ev, old), "", 0)
}

// purgeFixture: 10 uses recorded 800 days ago with a receipt after the
// 4th, 3 recorded now with a receipt at 13.
func purgeFixture(t *testing.T) (*useFixture, *db.EvidenceService, *monitoring.Receipt, *monitoring.Receipt) {
	f := newUseFixture(t)
	ev := db.NewEvidenceService(f.d)
	f.recordAt(t, testNow.Add(-800*oneDay), 4)
	old := issue(t, ev)
	f.recordAt(t, testNow.Add(-799*oneDay), 6)
	f.recordAt(t, testNow.Add(-oneDay), 3)
	newer := issue(t, ev)
	return f, ev, old, newer
}

func TestPurgeLog_R_LOG_2_OldReceiptVerifies(t *testing.T) {
	defer db.SetPurgeChunk(3)() // several chunks, each its own checkpoint
	f, ev, old, newer := purgeFixture(t)
	res, err := ev.PurgeLog(t.Context(), testNow.AddDate(0, 0, -730))
	if err != nil {
		t.Fatal(err)
	}
	if res.Removed != 10 || res.Checkpoint == nil || res.Checkpoint.ThroughSeq != 10 {
		t.Fatalf("result = %+v", res)
	}
	if n := countUseRows(t, f.d, "uses"); n != 3 {
		t.Errorf("%d uses remain", n)
	}
	if err := f.d.CheckRollups(t.Context()); err != nil {
		t.Error(err)
	}
	mustVerify(t, f.uses, 3)
	c := verifyReceipt(t, ev, old)
	wantCheck(t, c, "", 0)
	if c.Checkpoint == nil || c.Checkpoint.ThroughSeq < 4 {
		t.Errorf("check = %+v, want a checkpoint", c)
	}
	wantCheck(t, verifyReceipt(t, ev, newer), "", 0)
	cps, err := ev.Checkpoints(t.Context())
	if err != nil || len(cps) != 4 || cps[0].ThroughSeq != 10 {
		t.Fatalf("checkpoints = %v, %v", cps, err)
	}
	es, _, err := db.NewAuditService(f.d).ListAudit(t.Context(), monitoring.AuditFilter{Entity: "use_checkpoint"})
	if err != nil || len(es) != 4 || es[0].Action != "use_log.purged" {
		t.Errorf("audit = %v, %v", es, err)
	}
	// Idempotent: nothing more is due.
	res, err = ev.PurgeLog(t.Context(), testNow.AddDate(0, 0, -730))
	if err != nil || res.Removed != 0 || res.Checkpoint != nil {
		t.Errorf("second run = %+v, %v", res, err)
	}
	// New uses continue the chain after the purge.
	f.recordAt(t, testNow, 1)
	mustVerify(t, f.uses, 4)
	// The triggers still refuse deleting or changing entries above the
	// checkpoint.
	raw := rawUseDB(t, f.d)
	for _, q := range []string{`DELETE FROM uses WHERE seq = 11`, `DELETE FROM use_employees WHERE use_seq = 12`,
		`DELETE FROM use_flags WHERE use_seq = 12`, `UPDATE uses SET note = 'x' WHERE seq = 11`,
		`DELETE FROM use_checkpoints`, `UPDATE use_checkpoints SET removed = 0`} {
		if _, err := raw.Exec(q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: err = %v, want append-only", q, err)
		}
	}
}

// TestPurgeLog_R_LOG_2_KeepsHead: even when every entry is due, the newest
// stays so that the chain continues from it.
func TestPurgeLog_R_LOG_2_KeepsHead(t *testing.T) {
	f := newUseFixture(t)
	ev := db.NewEvidenceService(f.d)
	f.recordAt(t, testNow.Add(-800*oneDay), 3)
	r := issue(t, ev)
	res, err := ev.PurgeLog(t.Context(), testNow)
	if err != nil || res.Removed != 2 {
		t.Fatalf("result = %+v, %v", res, err)
	}
	mustVerify(t, f.uses, 1)
	wantCheck(t, verifyReceipt(t, ev, r), "", 0)
}

func TestPurgeLog_R_LOG_2_TamperedRefuses(t *testing.T) {
	f, ev, _, _ := purgeFixture(t)
	tamper(t, f.d, `UPDATE uses SET note = 'x' WHERE seq = 7`)
	_, err := ev.PurgeLog(t.Context(), testNow.AddDate(0, 0, -730))
	if monitoring.ErrorCodeOf(err) != monitoring.Conflict || !strings.Contains(err.Error(), "entry 7") {
		t.Fatalf("err = %v, want a refusal naming entry 7", err)
	}
	if n := countUseRows(t, f.d, "uses"); n != 13 {
		t.Errorf("%d uses remain, want all 13", n)
	}
	if cps, _ := ev.Checkpoints(t.Context()); len(cps) != 0 {
		t.Errorf("checkpoints = %v", cps)
	}
	es, _, err := db.NewAuditService(f.d).ListAudit(t.Context(), monitoring.AuditFilter{Entity: "use_log"})
	if err != nil || len(es) != 1 || es[0].Action != "use_log.purge_refused" {
		t.Errorf("audit = %v, %v", es, err)
	}
}

// TestPurgeLog_R_LOG_2_TamperedAfterPurge: a change above the checkpoint
// is still caught by plain verify and by receipts.
func TestPurgeLog_R_LOG_2_TamperedAfterPurge(t *testing.T) {
	f, ev, old, newer := purgeFixture(t)
	if _, err := ev.PurgeLog(t.Context(), testNow.AddDate(0, 0, -730)); err != nil {
		t.Fatal(err)
	}
	tamper(t, f.d, `UPDATE uses SET note = 'x' WHERE seq = 12`)
	r, err := f.uses.VerifyUses(t.Context())
	if err != nil || r.OK || r.FirstBad != 12 {
		t.Errorf("verify = %+v, %v", r, err)
	}
	wantCheck(t, verifyReceipt(t, ev, newer), "chain", 12)
	wantCheck(t, verifyReceipt(t, ev, old), "", 0) // behind the checkpoint
}

// TestPurgeLog_R_LOG_2_ForgedCheckpoint: a checkpoint changed in the file
// (its signature no longer verifies) fails verify and receipts.
func TestPurgeLog_R_LOG_2_ForgedCheckpoint(t *testing.T) {
	f, ev, old, _ := purgeFixture(t)
	if _, err := ev.PurgeLog(t.Context(), testNow.AddDate(0, 0, -730)); err != nil {
		t.Fatal(err)
	}
	raw := rawUseDB(t, f.d)
	for _, q := range []string{`DROP TRIGGER use_checkpoints_no_update`, `UPDATE use_checkpoints SET anchors = ''`} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	r, err := f.uses.VerifyUses(t.Context())
	if err != nil || r.OK || r.Reason != "checkpoint" || r.FirstBad != 10 {
		t.Errorf("verify = %+v, %v", r, err)
	}
	wantCheck(t, verifyReceipt(t, ev, old), "checkpoint", 10)
	if _, err := ev.PurgeLog(t.Context(), testNow); monitoring.ErrorCodeOf(err) != monitoring.Conflict {
		t.Errorf("purge over a forged checkpoint: %v", err)
	}
}

// TestPurgeLog_R_LOG_2_Resumes: a later run continues after the previous
// checkpoint; a receipt whose head is a checkpoint's through entry verifies.
func TestPurgeLog_R_LOG_2_Resumes(t *testing.T) {
	f, ev, old, newer := purgeFixture(t)
	res, err := ev.PurgeLog(t.Context(), testNow.Add(-799*oneDay-time.Hour))
	if err != nil || res.Removed != 4 || res.Checkpoint.ThroughSeq != 4 || len(res.Checkpoint.Anchors) != 1 {
		t.Fatalf("first run = %+v, %v", res, err)
	}
	res, err = ev.PurgeLog(t.Context(), testNow.AddDate(0, 0, -730))
	if err != nil || res.Removed != 6 || res.Checkpoint.ThroughSeq != 10 || res.Checkpoint.PrevHash == monitoring.GenesisHash {
		t.Fatalf("second run = %+v, %v", res, err)
	}
	mustVerify(t, f.uses, 3)
	if err := f.d.CheckRollups(t.Context()); err != nil {
		t.Error(err)
	}
	c := verifyReceipt(t, ev, old)
	wantCheck(t, c, "", 0)
	if c.Checkpoint == nil || c.Checkpoint.ID != 1 {
		t.Errorf("check = %+v", c)
	}
	wantCheck(t, verifyReceipt(t, ev, newer), "", 0)
}
