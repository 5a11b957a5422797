package cooperation_test

import (
	"testing"

	"vaaka/cooperation"
)

func TestTimeline(t *testing.T) {
	in := &cooperation.Information{Version: 1, FirstMeetingAt: at("2026-12-10 09:00"), DeliveredAt: at("2026-12-02 12:00")}
	no := false
	c := &cooperation.Case{
		Procedure:   cooperation.Dialogue,
		Information: []*cooperation.Information{in},
		Initiatives: []*cooperation.Initiative{
			{Kind: cooperation.KindInitiative, ReceivedAt: at("2026-11-20 10:00")},
			{Kind: cooperation.KindInitiative, ReceivedAt: at("2026-12-01 10:00"), Deferred: true, Accepted: &no, RespondedAt: at("2026-12-03 10:00")},
		},
		Meetings: []*cooperation.Meeting{
			{HeldAt: at("2026-12-10 09:00"), MinutesRequested: true, Minutes: []*cooperation.Minutes{{Version: 1}}},
			{HeldAt: at("2027-01-14 09:00")},
		},
	}
	ds := c.Timeline(at("2026-12-11 12:00"), helsinki)
	want := []struct {
		rule   string
		due    string
		status cooperation.DeadlineStatus
	}{
		{"R-COOP-2", "2026-12-03", cooperation.Met},
		{"R-COOP-5", "2026-12-10", cooperation.Missed},  // not answered by the next meeting
		{"R-COOP-5", "2027-01-14", cooperation.Met},     // deferred to the following meeting
		{"R-COOP-4", "0001-01-01", cooperation.Pending}, // requested minutes unsigned
	}
	if len(ds) != len(want) {
		t.Fatalf("timeline = %+v", ds)
	}
	for i, w := range want {
		if ds[i].Rule != w.rule || ds[i].Due.Format("2006-01-02") != w.due || ds[i].Status != w.status {
			t.Errorf("deadline %d = %s %s %s, want %+v", i, ds[i].Rule, ds[i].Due.Format("2006-01-02"), ds[i].Status, w)
		}
	}
	in.ShorterNoticeAgreement = "Sovittu 5 päivää, pöytäkirja 1/2026"
	in.DeliveredAt = at("2026-12-06 12:00")
	if d := c.Timeline(at("2026-12-11 12:00"), helsinki)[0]; d.Status != cooperation.Waived {
		t.Errorf("shorter notice agreed: %+v", d)
	}
	if rs := cooperation.CheckInformationTiming(cooperation.Dialogue, in, helsinki); len(rs) != 0 {
		t.Errorf("agreement recorded, still refused: %+v", rs)
	}
	in.ShorterNoticeAgreement = ""
	if rs := cooperation.CheckInformationTiming(cooperation.Dialogue, in, helsinki); len(rs) != 1 || rs[0].Rule != "R-COOP-2" {
		t.Errorf("4 days' notice: %+v", rs)
	}
}
