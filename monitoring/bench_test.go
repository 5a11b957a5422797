package monitoring_test

import (
	"fmt"
	"testing"
	"time"

	"vaaka/monitoring"
)

// Benchmarks of the domain's hot paths (issue "Performance"): use
// validation and flag computation (every ingested use), hash chaining
// (every use and audit entry, and `vaaka verify`) and readiness evaluation
// (the register pages and the dashboard).

var benchNow = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

func benchActivity() *monitoring.Activity {
	return &monitoring.Activity{
		ID: 1, Version: 3, Status: monitoring.StatusActive, Name: "Asiakaspalvelun puheluiden tallennus",
		Method: monitoring.CallRecording, System: "Puhelinjärjestelmä X",
		Directions: []monitoring.Direction{monitoring.Inbound, monitoring.Outbound},
		Purposes: []monitoring.Purpose{
			{Code: "quality", Description: "Palvelun laadun varmistaminen"},
			{Code: "dispute_resolution", Description: "Sopimusriitojen selvittäminen"},
		},
		LawfulBasis:       monitoring.LegitimateInterests,
		LawfulBasisDetail: "Oikeutettu etu: palvelun laatu ja sopimusten todentaminen; tasapainotesti tehty.",
		Necessity: monitoring.Necessity{Category: monitoring.RightsAndObligations, Justification: "Puhelut ovat sopimusten tekemisen väline.",
			Alternatives: "Muistiinpanot eivät riitä.", Proportionality: "Vain työpuhelut."},
		DataCategories:    []string{"voice", "call_metadata"},
		SpecialCategories: monitoring.SpecialCategories{Notes: "Ei äänibiometriaa."},
		BusinessLinesOnly: true,
		Units:             []string{"Asiakaspalvelu", "Tekninen tuki"},
		AuthorizedUsers: []monitoring.AuthorizedUser{
			{Email: "sup1@example.fi", Task: "Tiiminvetäjä"}, {Email: "sup2@example.fi", Task: "Tiiminvetäjä"},
			{Email: "sup3@example.fi", Task: "Laatuasiantuntija"},
		},
		RetentionDays: 90, RetentionCriteria: "90 päivää puhelun alusta",
		CallerInformation: monitoring.CallerInformation{
			Inbound:          map[monitoring.Language]string{monitoring.Finnish: "Puhelu tallennetaan.", monitoring.Swedish: "Samtalet spelas in."},
			Outbound:         map[monitoring.Language]string{monitoring.Finnish: "Tämä puhelu tallennetaan."},
			PrivacyNoticeURL: "https://example.fi/tietosuoja",
		},
		DPIA:       monitoring.DPIA{Required: true, CompletedOn: benchNow.AddDate(0, -2, 0), Summary: "Riskit arvioitu.", FileRef: "DPIA-1"},
		Recipients: "Ei luovutuksia", Transfers: "Ei siirtoja", SecurityMeasures: "Pääsynhallinta, lokitus",
		ReviewOn: benchNow.AddDate(0, 6, 0),
	}
}

func benchUse(i int) *monitoring.Use {
	return &monitoring.Use{
		Seq: int64(i + 1), ID: "0192f0c4-7d1e-7abc-8def-0123456789ab", ExternalID: fmt.Sprintf("kontakti-%010d", i),
		ActivityID: 1, RecordingRef: fmt.Sprintf("REC-%09d", i), CallStartedAt: benchNow.Add(-26 * time.Hour),
		Direction: monitoring.Inbound, EmployeeStaffIDs: []string{"E1001"}, UsedBy: "sup2@example.fi",
		Action: monitoring.Listened, Purpose: "quality", Note: "Laatuvalmennus: kuukausiotos.",
		OccurredAt: benchNow.Add(-time.Hour), RecordedAt: benchNow, Source: monitoring.SourceAPI,
	}
}

func BenchmarkUseValidate(b *testing.B) {
	u := benchUse(1)
	for b.Loop() {
		if err := u.Validate(benchNow); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkComputeFlags(b *testing.B) {
	st := monitoring.UseState{Activity: benchActivity(), Employees: map[string]monitoring.EmployeeAt{
		"E1001": {Known: true, Unit: "Tekninen tuki", Notified: true}}}
	b.Run("compliant", func(b *testing.B) {
		u := benchUse(1)
		for b.Loop() {
			if fs := monitoring.ComputeFlags(u, st); len(fs) != 0 {
				b.Fatal(fs)
			}
		}
	})
	b.Run("flagged", func(b *testing.B) {
		u := benchUse(1)
		u.UsedBy, u.Purpose = "other@example.fi", ""
		for b.Loop() {
			if fs := monitoring.ComputeFlags(u, st); len(fs) != 2 {
				b.Fatal(fs)
			}
		}
	})
}

// BenchmarkUseSeal is the chain hash of one use: the per-use cost of the
// writer's chaining and of `vaaka verify`.
func BenchmarkUseSeal(b *testing.B) {
	u := benchUse(1)
	prev := monitoring.GenesisHash
	for b.Loop() {
		u.Seal(prev)
		prev = u.Hash
	}
}

// BenchmarkChainVerifier verifies a chain of uses entry by entry.
func BenchmarkChainVerifier(b *testing.B) {
	const n = 1000
	uses := make([]*monitoring.Use, n)
	prev := monitoring.GenesisHash
	for i := range uses {
		uses[i] = benchUse(i)
		uses[i].Seal(prev)
		prev = uses[i].Hash
	}
	for b.Loop() {
		v := monitoring.NewChainVerifier("uses")
		for _, u := range uses {
			if !v.Next(u.Seq, u.PrevHash, u.Hash, u.ChainFields()) {
				b.Fatal(v.Report())
			}
		}
	}
	b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "uses/s")
}

func BenchmarkCheckReadiness(b *testing.B) {
	a := benchActivity()
	a.Status = monitoring.StatusReady
	rc := monitoring.ReadinessContext{DefaultLanguage: monitoring.Finnish, CaseLinked: true, CooperationConcluded: true,
		NoticeIssued: true, Location: monitoring.Helsinki}
	for b.Loop() {
		if rs := monitoring.CheckReadiness(a, rc, benchNow); len(rs) == 0 {
			b.Fatal("no rules")
		}
	}
}
