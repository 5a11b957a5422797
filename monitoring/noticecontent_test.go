package monitoring_test

import (
	"testing"
	"time"

	"vaaka/cooperation"
	"vaaka/monitoring"
)

// TestBuildNoticeContent_R_NOT_2: the notice carries the Art 13 items from
// the register entry, the organisation and the conclusion.
func TestBuildNoticeContent_R_NOT_2(t *testing.T) {
	a := &monitoring.Activity{ID: 7, Name: "Puhelujen tallennus", Method: monitoring.SpeechAnalytics,
		Purposes:    []monitoring.Purpose{{Code: "quality", Description: "Laatu"}, {Code: "claims", Description: "Reklamaatiot"}},
		LawfulBasis: monitoring.LegitimateInterests, LawfulBasisDetail: "Oikeutettu etu: laatu",
		AuthorizedUsers: []monitoring.AuthorizedUser{{Email: "a@x.fi", Task: "Valmentaja"}, {Email: "b@x.fi", Task: "valmentaja"}, {Email: "c@x.fi", Task: "Esihenkilö"}},
		RetentionDays:   90, Recipients: "Ei", Transfers: "Ei"}
	org := monitoring.Organisation{Name: "Testi Oy", BusinessID: "1234567-1", DPOContact: "dpo@x.fi", PrivacyNoticeURL: "https://x.fi/tietosuoja"}
	intro := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	con := &cooperation.Conclusion{Text: "Tarkoitus ja menetelmät", ConcludedAt: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)}
	c := monitoring.BuildNoticeContent(&monitoring.Notice{ID: 3, Version: 2, ActivityID: 7, IntroductionOn: intro}, a, org, con)
	if c.Controller.Name != "Testi Oy" || c.Controller.BusinessID != "1234567-1" || c.DPOContact != "dpo@x.fi" {
		t.Errorf("controller %+v, dpo %q", c.Controller, c.DPOContact)
	}
	if c.PrivacyNoticeURL != "https://x.fi/tietosuoja" {
		t.Errorf("privacy notice URL %q: the organisation's stands in for the activity's", c.PrivacyNoticeURL)
	}
	if c.LegitimateInterests != "Oikeutettu etu: laatu" {
		t.Errorf("legitimate interests %q", c.LegitimateInterests)
	}
	if c.Purpose != "Laatu; Reklamaatiot" || c.Methods != "Tarkoitus ja menetelmät" || c.Decision != "Tarkoitus ja menetelmät" {
		t.Errorf("purpose %q methods %q decision %q", c.Purpose, c.Methods, c.Decision)
	}
	if len(c.AuthorizedTasks) != 2 {
		t.Errorf("tasks %v: one per task, case-insensitively", c.AuthorizedTasks)
	}
	if c.AutomatedKey != "automated.assisted" || c.ObligationKey != "obligation.none" || c.ComplaintURL == "" || c.ActURL == "" {
		t.Errorf("keys %q %q, urls %q %q", c.AutomatedKey, c.ObligationKey, c.ComplaintURL, c.ActURL)
	}
	if !c.IntroductionOn.Equal(intro) || c.Version != 2 {
		t.Errorf("introduction %v version %d", c.IntroductionOn, c.Version)
	}
	a.LawfulBasis = monitoring.Contract
	a.Method = monitoring.CallRecording
	a.CallerInformation.PrivacyNoticeURL = "https://x.fi/puhelut"
	c = monitoring.BuildNoticeContent(&monitoring.Notice{Purpose: "P", Methods: "M"}, a, org, nil)
	if c.LegitimateInterests != "" || c.ObligationKey != "obligation.contract" || c.AutomatedKey != "automated.none" ||
		c.PrivacyNoticeURL != "https://x.fi/puhelut" || c.Purpose != "P" || c.Methods != "M" || c.Decision != "" {
		t.Errorf("contract basis: %+v", c)
	}
}
