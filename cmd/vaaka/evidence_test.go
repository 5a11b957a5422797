package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vaaka/db"
	"vaaka/monitoring"
)

// evidenceDB is a database with n uses recorded `age` ago and the path of a
// receipt file of its head.
func evidenceDB(t *testing.T, n int, age time.Duration) (path, receipt string) {
	t.Helper()
	d, path := mustOpenDB(t)
	ctx := context.Background()
	a := &monitoring.Activity{Name: "Jonon tallennus", Method: monitoring.CallRecording}
	if err := db.NewRegisterService(d).CreateActivity(ctx, "hr@example.fi", a); err != nil {
		t.Fatal(err)
	}
	at := testNow.Add(-age)
	d.Now = func() time.Time { return at }
	var uses []*monitoring.Use
	for i := range n {
		uses = append(uses, &monitoring.Use{
			ActivityID: a.ID, RecordingRef: fmt.Sprintf("REC-%d", i), CallStartedAt: at.Add(-2 * time.Hour),
			Direction: monitoring.Inbound, EmployeeStaffIDs: []string{"E1"}, UsedBy: "sv@example.fi",
			Action: monitoring.Listened, Purpose: "quality", OccurredAt: at.Add(-time.Hour), Source: monitoring.SourceAPI,
		})
	}
	if _, err := db.NewUseService(d).RecordUses(ctx, uses); err != nil {
		t.Fatal(err)
	}
	d.Now = func() time.Time { return testNow }
	rec, err := db.NewEvidenceService(d).IssueReceipt(ctx, "rep@example.fi", false)
	if err != nil {
		t.Fatal(err)
	}
	buf, err := monitoring.MarshalReceipt(&rec.Receipt)
	if err != nil {
		t.Fatal(err)
	}
	receipt = filepath.Join(t.TempDir(), "receipt.json")
	if err := os.WriteFile(receipt, buf, 0o644); err != nil {
		t.Fatal(err)
	}
	d.Close()
	return path, receipt
}

func rawExec(t *testing.T, path string, qs ...string) {
	t.Helper()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	raw.SetMaxOpenConns(1)
	for _, q := range qs {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

func TestVerifyReceipt_R_LOG_1_CLI(t *testing.T) {
	path, receipt := evidenceDB(t, 4, time.Hour)
	runCLI(t, "", nil, "verify", "--db", path, "--receipt", receipt).want(t, exitOK, "receipt: ok", "every entry 1..4")

	// A forged receipt file (count changed, signature kept).
	buf, _ := os.ReadFile(receipt)
	forged := filepath.Join(t.TempDir(), "forged.json")
	os.WriteFile(forged, []byte(strings.Replace(string(buf), `"count": 4`, `"count": 3`, 1)), 0o644)
	runCLI(t, "", nil, "verify", "--db", path, "--receipt", forged).want(t, exitFailure, "FAILED", "signature does not verify")

	// Not a receipt at all.
	junk := filepath.Join(t.TempDir(), "junk.json")
	os.WriteFile(junk, []byte(`{"format": "x"}`), 0o644)
	runCLI(t, "", nil, "verify", "--db", path, "--receipt", junk).want(t, exitFailure, "not a valid Vaaka receipt", "format")

	// An entry changed behind Vaaka's back.
	rawExec(t, path, `DROP TRIGGER uses_no_update`, `UPDATE uses SET note = 'rewritten' WHERE seq = 2`)
	runCLI(t, "", nil, "verify", "--db", path, "--receipt", receipt).want(t, exitFailure, "FAILED", "entry 2 of the use log was changed")
}

func TestVerifyReceipt_R_LOG_1_CLI_Removed(t *testing.T) {
	path, receipt := evidenceDB(t, 4, time.Hour)
	rawExec(t, path, `DROP TRIGGER uses_no_delete`, `DELETE FROM uses WHERE seq = 3`)
	runCLI(t, "", nil, "verify", "--db", path, "--receipt", receipt).want(t, exitFailure, "entry 3 is missing")
}

// TestPurgeLog_R_LOG_2_CLI: after purge-log, verify passes and the old
// receipt verifies against the checkpoint; key rotate keeps it verifying.
func TestPurgeLog_R_LOG_2_CLI(t *testing.T) {
	path, receipt := evidenceDB(t, 5, 800*24*time.Hour)
	// The receipt's head (5) is the newest entry: it stays. Add a newer
	// one so that the whole old range is due.
	d, err := db.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	us, _, err := db.NewUseService(d).ListUses(context.Background(), monitoring.UseFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	u := *us[0]
	u.ID, u.Seq, u.Flags, u.RecordedAt = "", 0, nil, time.Time{}
	u.CallStartedAt, u.OccurredAt = time.Now().Add(-2*time.Hour), time.Now().Add(-time.Hour)
	if _, err := db.NewUseService(d).RecordUses(context.Background(), []*monitoring.Use{&u}); err != nil {
		t.Fatal(err)
	}
	d.Close()
	runCLI(t, "", nil, "purge-log", "--db", path).want(t, exitOK, "Removed 5 entries", "checkpoint 1")
	runCLI(t, "", nil, "purge-log", "--db", path).want(t, exitOK, "no entries removed")
	runCLI(t, "", nil, "verify", "--db", path).want(t, exitOK, "1 entries checked")
	runCLI(t, "", nil, "verify", "--db", path, "--receipt", receipt).want(t, exitOK, "receipt: ok", "checkpoint 1")
	runCLI(t, "", nil, "key", "rotate", "--db", path).want(t, exitOK, "New signing key")
	runCLI(t, "", nil, "verify", "--db", path, "--receipt", receipt).want(t, exitOK, "receipt: ok")
	runCLI(t, "", nil, "purge-log", "--db", path, "--log-retention-days", "0").want(t, exitUsage, "at least 1")
	runCLI(t, "", nil, "help", "verify").want(t, exitOK, "-receipt")
	runCLI(t, "", nil, "help", "purge-log").want(t, exitOK, "VAAKA_LOG_RETENTION_DAYS")
}

// TestEvidenceJobs_R_LOG_2: the daily retention removes what is due and
// the weekly receipt is issued once a week; both stop with the context.
func TestEvidenceJobs_R_LOG_2(t *testing.T) {
	path, _ := evidenceDB(t, 3, 800*24*time.Hour)
	d, err := db.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	now := testNow
	d.Now = func() time.Time { return now }
	var logs syncWriter
	j := &evidenceJobs{ev: db.NewEvidenceService(d), now: d.Now, retentionDays: 730, logger: newLogger(LogConfig{Level: "info", Format: "text"}, &logs)}
	if !j.purge(context.Background(), now) {
		t.Fatalf("purge failed: %s", logs.String())
	}
	j.weeklyReceipt(context.Background())
	j.weeklyReceipt(context.Background()) // not due again
	recs, _, err := j.ev.ListReceipts(context.Background(), monitoring.ReceiptFilter{})
	if err != nil || len(recs) != 2 || !recs[0].Auto || recs[0].IssuedBy != "system" {
		t.Fatalf("receipts = %v, %v", recs, err)
	}
	now = now.Add(8 * 24 * time.Hour)
	j.weeklyReceipt(context.Background())
	if recs, _, _ = j.ev.ListReceipts(context.Background(), monitoring.ReceiptFilter{}); len(recs) != 3 {
		t.Errorf("%d receipts after a week, want 3", len(recs))
	}
	if cps, _ := j.ev.Checkpoints(context.Background()); len(cps) != 1 || cps[0].Removed != 2 {
		t.Errorf("checkpoints = %v", cps)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { j.run(ctx); close(done) }()
	cancel()
	<-done
}
