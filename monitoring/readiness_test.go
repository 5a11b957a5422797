package monitoring_test

import (
	"testing"
	"time"

	"vaaka/monitoring"
)

var now = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

func date(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// complete returns a register entry that meets every register rule.
func complete() *monitoring.Activity {
	return &monitoring.Activity{
		Name: "Asiakaspalvelun puhelujen tallennus", Method: monitoring.CallRecording,
		Directions:        []monitoring.Direction{monitoring.Inbound},
		Purposes:          []monitoring.Purpose{{Code: "quality", Description: "Laadun varmistaminen"}},
		LawfulBasis:       monitoring.LegitimateInterests,
		LawfulBasisDetail: "Palvelun laadun varmistaminen; intressivertailu tehty.",
		Necessity: monitoring.Necessity{Category: monitoring.RightsAndObligations, Justification: "Sopimusten todentaminen",
			Alternatives: "Muistiinpanot eivät riitä", Proportionality: "Vain otos kuunnellaan"},
		DataCategories:    []string{"voice", "call_metadata"},
		SpecialCategories: monitoring.SpecialCategories{Notes: "Ei biometriaa."},
		BusinessLinesOnly: true,
		Units:             []string{"Asiakaspalvelu"},
		AuthorizedUsers:   []monitoring.AuthorizedUser{{Email: "esa@example.fi", Task: "tiiminvetäjä"}},
		RetentionDays:     90,
		CallerInformation: monitoring.CallerInformation{Inbound: map[monitoring.Language]string{"fi": "Puhelu tallennetaan."}, PrivacyNoticeURL: "https://example.fi/tietosuoja"},
		DPIA:              monitoring.DPIA{Required: true, CompletedOn: date("2026-10-01"), Summary: "Riskit hallinnassa"},
		ReviewOn:          date("2027-11-01"),
		Status:            monitoring.StatusDraft,
	}
}

func ruleOf(t *testing.T, rs []monitoring.Readiness, rule, key string) monitoring.Readiness {
	t.Helper()
	for _, r := range rs {
		if r.Rule == rule && (key == "" || r.Key == key+".met" || r.Key == key+".unmet" || r.Key == key) {
			return r
		}
	}
	t.Fatalf("rule %s (%s) not in readiness %+v", rule, key, rs)
	return monitoring.Readiness{}
}

// TestReadiness_Rules checks each readiness rule, named by its LAW.md id,
// met by the complete entry and unmet by one change.
func TestReadiness_Rules(t *testing.T) {
	rc := monitoring.ReadinessContext{DefaultLanguage: monitoring.Finnish}
	tests := []struct {
		name   string
		rule   string
		key    string
		change func(a *monitoring.Activity)
	}{
		{"R_LAW_1_basis_missing", "R-LAW-1", "lawful_basis", func(a *monitoring.Activity) { a.LawfulBasis = "" }},
		{"R_LAW_1_detail_missing", "R-LAW-1", "lawful_basis", func(a *monitoring.Activity) { a.LawfulBasisDetail = " " }},
		{"R_NEC_1_no_alternatives", "R-NEC-1", "necessity", func(a *monitoring.Activity) { a.Necessity.Alternatives = "" }},
		{"R_NEC_1_no_ground", "R-NEC-1", "necessity", func(a *monitoring.Activity) { a.Necessity.Category = "" }},
		{"R_NEC_2_consent", "R-NEC-2", "no_consent", func(a *monitoring.Activity) { a.LawfulBasis = monitoring.Consent }},
		{"R_PUR_1_no_purpose", "R-PUR-1", "purposes", func(a *monitoring.Activity) { a.Purposes = nil }},
		{"R_PUR_2_metadata_misuse", "R-PUR-2", "metadata_misuse", func(a *monitoring.Activity) {
			a.Purposes = append(a.Purposes, monitoring.Purpose{Code: "misuse_investigation", Description: "x"})
		}},
		{"R_PRIV_1_private_lines", "R-PRIV-1", "business_lines", func(a *monitoring.Activity) { a.BusinessLinesOnly = false }},
		{"R_ACC_1_no_users", "R-ACC-1", "authorized_users", func(a *monitoring.Activity) { a.AuthorizedUsers = nil }},
		{"R_ACC_1_no_task", "R-ACC-1", "authorized_users", func(a *monitoring.Activity) { a.AuthorizedUsers[0].Task = "" }},
		{"R_RET_1_no_period", "R-RET-1", "retention", func(a *monitoring.Activity) { a.RetentionDays = 0 }},
		{"R_RET_1_over_year_without_reason", "R-RET-1", "retention.reason_needed", func(a *monitoring.Activity) { a.RetentionDays = 400 }},
		{"R_SPC_1_not_assessed", "R-SPC-1", "special_categories", func(a *monitoring.Activity) { a.SpecialCategories.Notes = "" }},
		{"R_DPIA_1_not_completed", "R-DPIA-1", "dpia", func(a *monitoring.Activity) { a.DPIA.CompletedOn = time.Time{} }},
		{"R_DPIA_1_not_required_without_reason", "R-DPIA-1", "dpia.not_required", func(a *monitoring.Activity) { a.DPIA.Required = false }},
		{"R_DPIA_1_biometric_needs_dpia", "R-DPIA-1", "dpia.biometric", func(a *monitoring.Activity) {
			a.DPIA.Required, a.DPIA.ReasonNotRequired, a.SpecialCategories.Biometric = false, "pieni riski", true
		}},
		{"R_INF_1_no_outbound_text", "R-INF-1", "caller_information", func(a *monitoring.Activity) {
			a.Directions = append(a.Directions, monitoring.Outbound)
		}},
		{"R_INF_1_no_privacy_url", "R-INF-1", "caller_information", func(a *monitoring.Activity) { a.CallerInformation.PrivacyNoticeURL = "" }},
		{"R_REV_1_passed", "R-REV-1", "review", func(a *monitoring.Activity) { a.ReviewOn = date("2026-11-26") }},
		{"R_REV_1_unset", "R-REV-1", "review", func(a *monitoring.Activity) { a.ReviewOn = time.Time{} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, r := range monitoring.CheckReadiness(complete(), rc, now) {
				if r.Rule == tt.rule && !r.Met {
					t.Fatalf("complete entry: %s not met: %+v", tt.rule, r)
				}
			}
			a := complete()
			tt.change(a)
			var unmet bool
			for _, r := range monitoring.CheckReadiness(a, rc, now) {
				if r.Rule == tt.rule && !r.Met && (r.Key == tt.key || r.Key == tt.key+".unmet") {
					unmet = true
				}
			}
			if !unmet {
				t.Errorf("%s (%s) still met after the change", tt.rule, tt.key)
			}
		})
	}
}

// TestReadiness_R_SEQ_1_Order: a complete register entry still waits for the
// co-operation conclusion, the notice and the introduction date.
func TestReadiness_R_SEQ_1_Order(t *testing.T) {
	a := complete()
	rc := monitoring.ReadinessContext{DefaultLanguage: monitoring.Finnish}
	var got []string
	for _, r := range monitoring.Unmet(monitoring.CheckReadiness(a, rc, now)) {
		got = append(got, r.Rule)
	}
	want := []string{"R-DPIA-2", "R-COOP-10", "R-NOT-1", "R-SEQ-1"}
	if len(got) != len(want) {
		t.Fatalf("unmet = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("unmet = %v, want %v", got, want)
		}
	}
	rc.CaseLinked, rc.CooperationConcluded, rc.NoticeIssued = true, true, true
	a.IntroductionOn = date("2026-11-28") // tomorrow in Helsinki
	if u := monitoring.Unmet(monitoring.CheckReadiness(a, rc, now)); len(u) != 1 || u[0].Rule != "R-SEQ-1" {
		t.Fatalf("before the introduction date: unmet %+v", u)
	}
	// 22:30 UTC on 27.11 is already 28.11 in Helsinki (EET, UTC+2).
	late := time.Date(2026, 11, 27, 22, 30, 0, 0, time.UTC)
	if u := monitoring.Unmet(monitoring.CheckReadiness(a, rc, late)); len(u) != 0 {
		t.Fatalf("on the introduction date: unmet %+v", u)
	}
}

// TestReadiness_R_PUR_1_TrainingOnlyWarns: a warning, never a blocker.
func TestReadiness_R_PUR_1_TrainingOnlyWarns(t *testing.T) {
	a := complete()
	a.Purposes = []monitoring.Purpose{{Code: "training", Description: "Perehdytys"}}
	rs := monitoring.CheckReadiness(a, monitoring.ReadinessContext{}, now)
	r := ruleOf(t, rs, "R-PUR-1", "training_only")
	if r.Met || !r.Warning {
		t.Fatalf("training-only: %+v, want an unmet warning", r)
	}
	for _, u := range monitoring.Unmet(rs) {
		if u.Key == "training_only.unmet" {
			t.Fatal("a warning blocks activation")
		}
	}
}

func TestActivityValidate(t *testing.T) {
	a := complete()
	if err := a.Validate(); err != nil {
		t.Fatalf("complete entry invalid: %v", err)
	}
	tests := []struct {
		field  string
		change func(a *monitoring.Activity)
	}{
		{"name", func(a *monitoring.Activity) { a.Name = "" }},
		{"method", func(a *monitoring.Activity) { a.Method = "Call Recording!" }},
		{"directions[0]", func(a *monitoring.Activity) { a.Directions = []monitoring.Direction{"sideways"} }},
		{"purposes[1].code", func(a *monitoring.Activity) { a.Purposes = append(a.Purposes, a.Purposes[0]) }},
		{"purposes[1].code", func(a *monitoring.Activity) { // R-PUR-2 refused outright
			a.Purposes = append(a.Purposes, monitoring.Purpose{Code: "misuse_investigation", Description: "x"})
		}},
		{"lawful_basis", func(a *monitoring.Activity) { a.LawfulBasis = "whim" }},
		{"authorized_users[0].email", func(a *monitoring.Activity) { a.AuthorizedUsers[0].Email = "nobody" }},
		{"retention_days", func(a *monitoring.Activity) { a.RetentionDays = -1 }},
		{"caller_information.privacy_notice_url", func(a *monitoring.Activity) { a.CallerInformation.PrivacyNoticeURL = "javascript:alert(1)" }},
		{"description", func(a *monitoring.Activity) { a.Description = string(make([]rune, monitoring.MaxText+1)) }},
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			a := complete()
			tt.change(a)
			err := a.Validate()
			e, ok := err.(*monitoring.Error)
			if !ok || e.Code != monitoring.Invalid {
				t.Fatalf("err = %v, want invalid", err)
			}
			if _, ok := e.Fields[tt.field]; !ok {
				t.Fatalf("fields %v do not name %s", e.Fields, tt.field)
			}
		})
	}
}

// TestMaterialChange_R_SEQ_2 lists what sends an active activity back.
func TestMaterialChange_R_SEQ_2(t *testing.T) {
	tests := []struct {
		name   string
		change func(a *monitoring.Activity)
		want   bool
	}{
		{"description", func(a *monitoring.Activity) { a.Description = "uusi" }, false},
		{"shorter retention", func(a *monitoring.Activity) { a.RetentionDays = 30 }, false},
		{"longer retention", func(a *monitoring.Activity) { a.RetentionDays = 180 }, true},
		{"new purpose", func(a *monitoring.Activity) {
			a.Purposes = append(a.Purposes, monitoring.Purpose{Code: "sales", Description: "x"})
		}, true},
		{"new unit", func(a *monitoring.Activity) { a.Units = append(a.Units, "Myynti") }, true},
		{"unit removed", func(a *monitoring.Activity) { a.Units = nil }, true},
		{"method", func(a *monitoring.Activity) { a.Method = monitoring.SpeechAnalytics }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old, new := complete(), complete()
			tt.change(new)
			if got := monitoring.MaterialChange(old, new); got != tt.want {
				t.Errorf("MaterialChange = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestValidBusinessID(t *testing.T) {
	tests := map[string]bool{
		"0737546-2": true, // Nokia Oyj
		"1572860-0": true, // remainder 0 → check digit 0
		"0737546-3": false, "0737546": false, "073754-62": false, "abcdefg-h": false, "": false,
		"0000001-9": true, // 2·1=2, 11-2=9
		"0000004-?": false,
	}
	for id, want := range tests {
		if got := monitoring.ValidBusinessID(id); got != want {
			t.Errorf("ValidBusinessID(%q) = %v, want %v", id, got, want)
		}
	}
}
