package main

import (
	"fmt"
	"time"

	"vaaka/db"
	"vaaka/monitoring"
)

// The demo's evidence (issue 5): two days ago HR put the oldest overdue
// recording on legal hold because of a customer's claim (R-RET-2) — its
// deletion deadline shows as suspended and it is no longer overdue — and
// shortly before now the shop steward took a signed receipt of the use log
// (R-LOG-1), listed in the representatives' portal.

// planEvidence schedules the hold and the receipt; it runs last, after
// the ledger (planLedger) has left recordings overdue.
func (s *seeder) planEvidence() {
	holds := db.NewHoldService(s.d)
	evidence := db.NewEvidenceService(s.d)
	at := s.day(2, 10, 15)
	s.on(at, func() error {
		rs, _, err := s.recs.ListRecordings(s.ctx, monitoring.RecordingFilter{Overdue: true, Limit: 1}, at.UTC())
		if err != nil {
			return err
		}
		if len(rs) == 0 {
			return nil
		}
		if _, err := holds.SetHold(s.ctx, demoHR, rs[0].Ref,
			"Asiakkaan vahingonkorvausvaatimus (asia 2026/118): tallenne säilytetään, kunnes asia on ratkaistu."); err != nil {
			return fmt.Errorf("hold %s: %w", rs[0].Ref, err)
		}
		return nil
	})
	s.on(s.now.Add(-20*time.Minute), func() error {
		_, err := evidence.IssueReceipt(s.ctx, demoRep, false)
		return err
	})
}
