package cooperation_test

import (
	"testing"
	"time"

	"vaaka/cooperation"
)

var helsinki = func() *time.Location {
	l, err := time.LoadLocation("Europe/Helsinki")
	if err != nil {
		panic(err)
	}
	return l
}()

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, helsinki)
	if err != nil {
		panic(err)
	}
	return t
}

// TestProposeProcedure_R_COOP_1 covers both thresholds around their
// effective dates.
func TestProposeProcedure_R_COOP_1(t *testing.T) {
	ths := cooperation.DefaultThresholds()
	tests := []struct {
		name      string
		outside   bool
		headcount int
		on        string
		want      cooperation.Procedure
		lighter   bool
		verify    bool
	}{
		{"50 after 1.7.2025", false, 50, "2025-07-01", cooperation.Dialogue, false, false},
		{"49 after 1.7.2025 lighter band", false, 49, "2025-07-01", cooperation.Dialogue, true, true},
		{"20 after 1.7.2025 lighter band", false, 20, "2026-11-27", cooperation.Dialogue, true, true},
		{"19 after 1.7.2025", false, 19, "2026-11-27", cooperation.Hearing, false, false},
		{"49 the day before 1.7.2025", false, 49, "2025-06-30", cooperation.Dialogue, false, false},
		{"20 the day before 1.7.2025", false, 20, "2025-06-30", cooperation.Dialogue, false, false},
		{"19 the day before 1.7.2025", false, 19, "2025-06-30", cooperation.Hearing, false, false},
		{"outside the Act", true, 500, "2026-11-27", cooperation.Hearing, false, false},
		{"before any threshold", false, 100, "2021-12-31", cooperation.Hearing, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := cooperation.ProposeProcedure(tt.outside, tt.headcount, day(tt.on), ths)
			if p.Procedure != tt.want || p.Lighter != tt.lighter || p.ToVerify != tt.verify {
				t.Errorf("got %+v, want %s lighter=%v verify=%v", p, tt.want, tt.lighter, tt.verify)
			}
		})
	}
}

// TestInformationInTime_R_COOP_2 checks the 7-day rule in calendar days of
// Helsinki, across the daylight-saving changes.
func TestInformationInTime_R_COOP_2(t *testing.T) {
	tests := []struct {
		name               string
		delivered, meeting string
		want               bool
	}{
		{"exactly 7 days", "2026-11-02 09:00", "2026-11-09 09:00", true},
		{"7 days, later hour", "2026-11-02 16:00", "2026-11-09 08:00", true},
		{"6 days", "2026-11-03 09:00", "2026-11-09 09:00", false},
		// Summer time starts 29.3.2026: a 23-hour day inside the week.
		{"across spring forward, 7 days", "2026-03-25 10:00", "2026-04-01 09:30", true},
		{"across spring forward, 6 days", "2026-03-26 10:00", "2026-04-01 09:30", false},
		// Summer time ends 25.10.2026: a 25-hour day inside the week.
		{"across fall back, 7 days", "2026-10-21 23:30", "2026-10-28 00:30", true},
		{"across fall back, 6 days", "2026-10-22 00:30", "2026-10-28 23:30", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cooperation.InformationInTime(at(tt.delivered), at(tt.meeting), helsinki); got != tt.want {
				t.Errorf("InformationInTime = %v, want %v", got, tt.want)
			}
		})
	}
	if got := cooperation.LatestInformationDate(at("2026-04-01 09:30"), helsinki); !got.Equal(day("2026-03-25")) {
		t.Errorf("LatestInformationDate = %v", got)
	}
	// 00:30 Helsinki on 1.4 is still 31.3 in UTC: the date is Helsinki's.
	if got := cooperation.LatestInformationDate(at("2026-04-01 00:30"), helsinki); !got.Equal(day("2026-03-25")) {
		t.Errorf("LatestInformationDate near midnight = %v", got)
	}
}

// TestInitiativeDeferral_R_COOP_5: less than two weeks before the meeting.
func TestInitiativeDeferral_R_COOP_5(t *testing.T) {
	meeting := at("2026-12-15 10:00")
	if cooperation.InitiativeMayBeDeferred(at("2026-12-01 18:00"), meeting, helsinki) {
		t.Error("14 days before: must be taken up")
	}
	if !cooperation.InitiativeMayBeDeferred(at("2026-12-02 08:00"), meeting, helsinki) {
		t.Error("13 days before: may be deferred")
	}
}

// TestSigned_R_COOP_4 needs both sides' approval of the same version.
func TestSigned_R_COOP_4(t *testing.T) {
	emp := cooperation.Approval{Version: 1, By: "hr@x.fi", Side: cooperation.EmployerSide, Approve: true}
	staff := cooperation.Approval{Version: 1, By: "rep@x.fi", Side: cooperation.StaffSide, Approve: true}
	if cooperation.Signed(1, []cooperation.Approval{emp}) {
		t.Error("signed with the employer side only")
	}
	if !cooperation.Signed(1, []cooperation.Approval{emp, staff}) {
		t.Error("not signed with both sides")
	}
	correction := cooperation.Approval{Version: 1, By: "rep2@x.fi", Side: cooperation.StaffSide, Comment: "§3 väärin"}
	if cooperation.Signed(1, []cooperation.Approval{emp, staff, correction}) {
		t.Error("signed despite a correction request")
	}
	if cooperation.Signed(2, []cooperation.Approval{emp, staff}) {
		t.Error("approvals of version 1 sign version 2")
	}
}

// TestConclusionPreconditions_R_COOP_10 refuses a conclusion before the
// procedure was carried out.
func TestConclusionPreconditions_R_COOP_10(t *testing.T) {
	now := at("2026-11-27 12:00")
	tests := []struct {
		name  string
		facts cooperation.CaseFacts
		unmet []string
	}{
		{"dialogue, nothing done", cooperation.CaseFacts{Procedure: cooperation.Dialogue}, []string{"R-COOP-2", "R-COOP-10"}},
		{"dialogue, done", cooperation.CaseFacts{Procedure: cooperation.Dialogue, InformationDelivered: true, MeetingHeld: true}, nil},
		{"dialogue, minutes unsigned", cooperation.CaseFacts{Procedure: cooperation.Dialogue, InformationDelivered: true, MeetingHeld: true, UnsignedRequestedMinutes: 1}, []string{"R-COOP-4"}},
		{"change negotiations", cooperation.CaseFacts{Procedure: cooperation.ChangeNegotiations, MeetingHeld: true, UnsignedRequestedMinutes: 1}, []string{"R-COOP-6", "R-COOP-8"}},
		{"hearing not given", cooperation.CaseFacts{Procedure: cooperation.Hearing}, []string{"R-COOP-9"}},
		{"hearing still open", cooperation.CaseFacts{Procedure: cooperation.Hearing, HearingEnds: at("2026-11-28 00:00")}, []string{"R-COOP-9"}},
		{"hearing ended", cooperation.CaseFacts{Procedure: cooperation.Hearing, HearingEnds: at("2026-11-27 00:00")}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, r := range cooperation.UnmetRules(cooperation.ConclusionPreconditions(tt.facts, now)) {
				got = append(got, r.Rule)
			}
			if len(got) != len(tt.unmet) {
				t.Fatalf("unmet = %v, want %v", got, tt.unmet)
			}
			for i := range got {
				if got[i] != tt.unmet[i] {
					t.Fatalf("unmet = %v, want %v", got, tt.unmet)
				}
			}
		})
	}
}

func TestEvaluateDeadline(t *testing.T) {
	due := day("2026-11-20")
	tests := []struct {
		name      string
		done, now time.Time
		want      cooperation.DeadlineStatus
	}{
		{"done on the day (late evening Helsinki)", at("2026-11-20 23:50"), at("2026-11-27 10:00"), cooperation.Met},
		{"done a day late", at("2026-11-21 00:10"), at("2026-11-27 10:00"), cooperation.Missed},
		{"open before due", time.Time{}, at("2026-11-20 12:00"), cooperation.Pending},
		{"open after due", time.Time{}, at("2026-11-21 00:01"), cooperation.Missed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cooperation.EvaluateDeadline(due, tt.done, tt.now, helsinki); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestRepresentativeTerm_R_COOP_3(t *testing.T) {
	r := cooperation.Representative{Type: cooperation.CooperationRepresentative, TermStart: day("2026-01-01"), TermEnd: day("2027-12-31")}
	if !r.ValidTerm() {
		t.Error("a term under two years refused")
	}
	r.TermEnd = day("2028-01-02")
	if r.ValidTerm() {
		t.Error("a term over two years accepted")
	}
	if !(cooperation.Representative{Type: cooperation.ShopSteward}).ValidTerm() {
		t.Error("a shop steward needs no term")
	}
}

// TestFacts_R_COOP_10_ScheduledMeetingIsNotHeld: a meeting recorded for a
// later date is not a dialogue held.
func TestFacts_R_COOP_10_ScheduledMeetingIsNotHeld(t *testing.T) {
	c := &cooperation.Case{Procedure: cooperation.Dialogue,
		Information: []*cooperation.Information{{DeliveredAt: at("2026-11-01 10:00")}},
		Meetings:    []*cooperation.Meeting{{HeldAt: at("2026-12-01 10:00")}}}
	if c.Facts(at("2026-11-27 10:00")).MeetingHeld {
		t.Error("a future meeting counts as held")
	}
	if !c.Facts(at("2026-12-01 12:00")).MeetingHeld {
		t.Error("a past meeting does not count")
	}
}

func TestOnStaffSide_R_COOP_3(t *testing.T) {
	c := &cooperation.Case{Representatives: []string{"Riikka@Example.fi"},
		Groups: []cooperation.StaffGroup{{Representatives: []cooperation.Representative{{Email: "tuomas@example.fi"}}}}}
	for email, want := range map[string]bool{"riikka@example.fi": true, "tuomas@EXAMPLE.fi": true, "hanna@example.fi": false} {
		if got := c.OnStaffSide(email); got != want {
			t.Errorf("OnStaffSide(%s) = %v", email, got)
		}
	}
}
