package app_test

import (
	"testing"
	"time"

	"vaaka/db"
	"vaaka/monitoring"
)

// TestAPIOutbox: HR lists the outbox, newest first, and ?unsent=true keeps
// the mail not yet sent; bad parameters name themselves.
func TestAPIOutbox(t *testing.T) {
	f := newAPIFixture(t)
	o := db.NewOutboxService(f.DB)
	for _, m := range []*monitoring.Mail{
		{Kind: monitoring.MailNoticeIssued, To: "eero@example.fi", Language: monitoring.Finnish, Ref: "outbox-test:1"},
		{Kind: monitoring.MailMinutesApproval, To: "rep@example.fi", Language: monitoring.Swedish, Ref: "outbox-test:2"},
	} {
		if err := o.Queue(t.Context(), m); err != nil {
			t.Fatal(err)
		}
		if m.Kind == monitoring.MailNoticeIssued {
			if err := o.MarkFailed(t.Context(), m.ID, "connect to smtp: connection refused", testNow.Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
		} else if err := o.MarkSent(t.Context(), m.ID, testNow); err != nil {
			t.Fatal(err)
		}
	}
	f.run(t, []apiCase{
		{name: "all", method: "GET", path: "/api/v1/outbox", as: asHR, want: 200,
			contains: []string{`"kind":"minutes_approval","to":"rep@example.fi","language":"sv","status":"sent"`,
				`"kind":"notice_issued","to":"eero@example.fi","language":"fi","status":"unsent"`,
				`"attempts":1,"next_attempt_at":"2026-11-27T10:01:00Z"`, `"last_error":"connect to smtp: connection refused"`}},
		{name: "unsent", method: "GET", path: "/api/v1/outbox?unsent=true", as: asHR, want: 200,
			contains: []string{`"to":"eero@example.fi"`}, absent: []string{`"to":"rep@example.fi"`, `"next_cursor"`}},
		{name: "paged", method: "GET", path: "/api/v1/outbox?limit=1", as: asHR, want: 200,
			contains: []string{`"to":"rep@example.fi"`, `"next_cursor"`}, absent: []string{`"to":"eero@example.fi"`}},
		{name: "bad unsent", method: "GET", path: "/api/v1/outbox?unsent=maybe", as: asHR, want: 400, fields: []string{"unsent"}},
		{name: "bad cursor", method: "GET", path: "/api/v1/outbox?cursor=!!", as: asHR, want: 400, fields: []string{"cursor"}},
		{name: "dpo", method: "GET", path: "/api/v1/outbox", as: asDPO, want: 403},
	})
}
