package monitoring_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"vaaka/monitoring"
)

func active() *monitoring.Activity {
	a := complete()
	a.ID, a.Status = 1, monitoring.StatusActive
	return a
}

func use() *monitoring.Use {
	call := now.Add(-48 * time.Hour)
	return &monitoring.Use{
		ID: "0190d3a0-0000-7000-8000-000000000001", ActivityID: 1, RecordingRef: "rec-1",
		CallStartedAt: call, Direction: monitoring.Inbound, EmployeeStaffIDs: []string{"E1"},
		UsedBy: "esa@example.fi", Action: monitoring.Listened, Purpose: "quality",
		OccurredAt: now.Add(-time.Hour), Source: monitoring.SourceAPI,
	}
}

func state() monitoring.UseState {
	return monitoring.UseState{
		Activity:  active(),
		Employees: map[string]monitoring.EmployeeAt{"E1": {Known: true, Unit: "Asiakaspalvelu", Notified: true}},
	}
}

// TestComputeFlags covers every flag with the rule it reports on.
func TestComputeFlags(t *testing.T) {
	tests := []struct {
		name  string
		setup func(u *monitoring.Use, st *monitoring.UseState)
		want  []monitoring.Flag
	}{
		{"compliant", func(*monitoring.Use, *monitoring.UseState) {}, nil},
		{"R_SEQ_1_activity_not_active", func(_ *monitoring.Use, st *monitoring.UseState) { st.Activity.Status = monitoring.StatusReady },
			[]monitoring.Flag{monitoring.FlagActivityNotActive}},
		{"R_SEQ_1_activity_did_not_exist", func(_ *monitoring.Use, st *monitoring.UseState) { st.Activity = nil },
			[]monitoring.Flag{monitoring.FlagActivityNotActive, monitoring.FlagUnauthorizedUser, monitoring.FlagPurposeNotRegistered, monitoring.FlagEmployeeNotCovered}},
		{"R_ACC_1_unauthorized_user", func(u *monitoring.Use, _ *monitoring.UseState) { u.UsedBy = "other@example.fi" },
			[]monitoring.Flag{monitoring.FlagUnauthorizedUser}},
		{"R_ACC_1_email_case_insensitive", func(u *monitoring.Use, _ *monitoring.UseState) { u.UsedBy = "ESA@example.fi" }, nil},
		{"R_PUR_1_purpose_not_registered", func(u *monitoring.Use, _ *monitoring.UseState) { u.Purpose = "marketing" },
			[]monitoring.Flag{monitoring.FlagPurposeNotRegistered}},
		{"R_PUR_1_purpose_missing", func(u *monitoring.Use, _ *monitoring.UseState) { u.Purpose = "" },
			[]monitoring.Flag{monitoring.FlagPurposeMissing}},
		{"employee_not_covered_other_unit", func(_ *monitoring.Use, st *monitoring.UseState) {
			st.Employees["E1"] = monitoring.EmployeeAt{Known: true, Unit: "Myynti", Notified: true}
		}, []monitoring.Flag{monitoring.FlagEmployeeNotCovered}},
		{"employee_not_covered_unknown", func(u *monitoring.Use, _ *monitoring.UseState) { u.EmployeeStaffIDs = []string{"E1", "X9"} },
			[]monitoring.Flag{monitoring.FlagEmployeeNotCovered}},
		{"R_NOT_1_not_notified_only_when_tracked", func(_ *monitoring.Use, st *monitoring.UseState) {
			st.Employees["E1"] = monitoring.EmployeeAt{Known: true, Unit: "Asiakaspalvelu"}
		}, nil},
		{"R_NOT_1_employee_not_notified", func(_ *monitoring.Use, st *monitoring.UseState) {
			st.NoticesTracked = true
			st.Employees["E1"] = monitoring.EmployeeAt{Known: true, Unit: "Asiakaspalvelu"}
		}, []monitoring.Flag{monitoring.FlagEmployeeNotNotified}},
		{"R_RET_2_retention_exceeded", func(u *monitoring.Use, _ *monitoring.UseState) { u.CallStartedAt = now.Add(-91 * 24 * time.Hour) },
			[]monitoring.Flag{monitoring.FlagRetentionExceeded}},
		{"R_RET_2_within_retention", func(u *monitoring.Use, _ *monitoring.UseState) { u.CallStartedAt = now.Add(-89 * 24 * time.Hour) }, nil},
		{"R_RET_2_recording_deleted", func(_ *monitoring.Use, st *monitoring.UseState) { st.RecordingDeletedAt = now.Add(-2 * time.Hour) },
			[]monitoring.Flag{monitoring.FlagRecordingDeleted}},
		{"R_RET_2_deleted_after_use", func(_ *monitoring.Use, st *monitoring.UseState) { st.RecordingDeletedAt = now }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, st := use(), state()
			tt.setup(u, &st)
			got := monitoring.ComputeFlags(u, st)
			if !slices.Equal(got, tt.want) {
				t.Errorf("flags = %v, want %v", got, tt.want)
			}
			if m := monitoring.FlagMask(got); !slices.Equal(monitoring.FlagsOf(m), got) {
				t.Errorf("mask round trip: %v", monitoring.FlagsOf(m))
			}
		})
	}
}

func TestFlagRulesComplete(t *testing.T) {
	for _, f := range monitoring.AllFlags {
		if monitoring.FlagRules[f] == "" {
			t.Errorf("flag %s has no rule id", f)
		}
	}
}

func TestUseValidate(t *testing.T) {
	if err := use().Validate(now); err != nil {
		t.Fatalf("valid use refused: %v", err)
	}
	tests := []struct {
		field  string
		change func(u *monitoring.Use)
	}{
		{"activity_id", func(u *monitoring.Use) { u.ActivityID = 0 }},
		{"recording_ref", func(u *monitoring.Use) { u.RecordingRef = "" }},
		{"call_started_at", func(u *monitoring.Use) { u.CallStartedAt = time.Time{} }},
		{"call_started_at", func(u *monitoring.Use) { u.CallStartedAt = now.Add(time.Hour); u.OccurredAt = now.Add(2 * time.Hour) }},
		{"direction", func(u *monitoring.Use) { u.Direction = "both" }},
		{"employee_staff_ids", func(u *monitoring.Use) { u.EmployeeStaffIDs = nil }},
		{"employee_staff_ids[0]", func(u *monitoring.Use) { u.EmployeeStaffIDs = []string{"a b"} }},
		{"used_by", func(u *monitoring.Use) { u.UsedBy = "not-an-email" }},
		{"action", func(u *monitoring.Use) { u.Action = "deleted" }},
		{"purpose", func(u *monitoring.Use) { u.Purpose = "Bad Purpose" }},
		{"note", func(u *monitoring.Use) { u.Note = strings.Repeat("x", monitoring.MaxText+1) }},
		{"occurred_at", func(u *monitoring.Use) { u.OccurredAt = now.Add(time.Hour) }},
		{"occurred_at", func(u *monitoring.Use) { u.OccurredAt = u.CallStartedAt.Add(-time.Second) }},
		{"external_id", func(u *monitoring.Use) { u.ExternalID = strings.Repeat("x", 201) }},
		{"corrects", func(u *monitoring.Use) { u.Corrects = "not-a-uuid" }},
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			u := use()
			tt.change(u)
			e, ok := u.Validate(now).(*monitoring.Error)
			if !ok {
				t.Fatal("accepted")
			}
			if _, ok := e.Fields[tt.field]; !ok {
				t.Fatalf("fields %v do not name %s", e.Fields, tt.field)
			}
		})
	}
}

// TestChain_R_LOG_1 shows that the chain detects a changed, removed or
// reordered entry.
func TestChain_R_LOG_1(t *testing.T) {
	var log []*monitoring.Use
	prev := monitoring.GenesisHash
	for i := 1; i <= 5; i++ {
		u := use()
		u.Seq, u.Note = int64(i), strings.Repeat("n", i)
		u.Seal(prev)
		prev = u.Hash
		log = append(log, u)
	}
	verify := func(us []*monitoring.Use) monitoring.ChainReport {
		v := monitoring.NewChainVerifier("uses")
		for _, u := range us {
			if !v.Next(u.Seq, u.PrevHash, u.Hash, u.ChainFields()) {
				break
			}
		}
		return v.Report()
	}
	if r := verify(log); !r.OK || r.Checked != 5 {
		t.Fatalf("intact log: %+v", r)
	}
	changed := slices.Clone(log)
	c := *log[2]
	c.Note = "rewritten"
	changed[2] = &c
	if r := verify(changed); r.OK || r.FirstBad != 3 || r.Reason != "hash" {
		t.Errorf("changed entry: %+v", r)
	}
	removed := slices.Delete(slices.Clone(log), 1, 2)
	if r := verify(removed); r.OK || r.FirstBad != 3 {
		t.Errorf("removed entry: %+v", r)
	}
	swapped := slices.Clone(log)
	a, b := *log[1], *log[2]
	a.Seq, b.Seq = 3, 2
	swapped[1], swapped[2] = &b, &a
	if r := verify(swapped); r.OK || r.FirstBad != 2 {
		t.Errorf("reordered entries: %+v", r)
	}
	// Length prefixes: moving a character between fields changes the hash.
	x, y := use(), use()
	x.Note, x.Purpose = "ab", "c"
	y.Note, y.Purpose = "a", "bc"
	x.Seal(monitoring.GenesisHash)
	y.Seal(monitoring.GenesisHash)
	if x.Hash == y.Hash {
		t.Error("field boundaries are not hashed")
	}
}
