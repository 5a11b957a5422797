package main

import (
	"context"
	"testing"
	"time"

	"vaaka/db"
	"vaaka/monitoring"
)

// TestDemoEvidence_R_RET_2_R_LOG_1: the demo has one recording on legal
// hold (not overdue) and one receipt by the shop steward that verifies.
func TestDemoEvidence_R_RET_2_R_LOG_1(t *testing.T) {
	d, _ := openDemoCopy(t)
	d.Now = func() time.Time { return testNow }
	ctx := context.Background()
	recs, _, err := db.NewRecordingService(d).ListRecordings(ctx, monitoring.RecordingFilter{Limit: 1000}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	var held []string
	for _, r := range recs {
		if r.OnHold {
			held = append(held, r.Ref)
			if r.Overdue(testNow) {
				t.Errorf("held recording %s is overdue", r.Ref)
			}
		}
	}
	if len(held) != 1 {
		t.Fatalf("held recordings: %v", held)
	}
	hs, err := db.NewHoldService(d).ListHolds(ctx, held[0])
	if err != nil || len(hs) != 1 || !hs[0].Active() || hs[0].SetBy != demoHR || hs[0].Reason == "" {
		t.Errorf("holds of %s: %+v, %v", held[0], hs, err)
	}
	ev := db.NewEvidenceService(d)
	rs, _, err := ev.ListReceipts(ctx, monitoring.ReceiptFilter{Limit: 10})
	if err != nil || len(rs) == 0 || rs[len(rs)-1].IssuedBy != demoRep {
		t.Fatalf("receipts: %+v, %v", rs, err)
	}
	rc, err := ev.VerifyReceipt(ctx, &rs[len(rs)-1].Receipt)
	if err != nil || !rc.OK || rc.Checked == 0 {
		t.Errorf("verify the demo receipt: %+v, %v", rc, err)
	}
}
