package cooperation

import (
	"sort"
	"time"
)

// Threshold is the co-operation threshold in force from a date (R-COOP-1).
// Values are configuration, not code: the law changed on 1.7.2025 and
// LAW.md marks the 20–49 band "verify".
type Threshold struct {
	From time.Time
	// Dialogue: a regular headcount at or above it gets the dialogue.
	Dialogue int
	// Lighter: at or above it (and below Dialogue) the lighter dialogue
	// regime applies; 0 for none.
	Lighter int
	// LighterToVerify marks the lighter band as a default to verify.
	LighterToVerify bool
}

// DefaultThresholds are the thresholds of R-COOP-1: 20 until 30.6.2025, 50
// from 1.7.2025 with the 20–49 band a lighter dialogue (to verify).
func DefaultThresholds() []Threshold {
	return []Threshold{
		{From: time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC), Dialogue: 20},
		{From: time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC), Dialogue: 50, Lighter: 20, LighterToVerify: true},
	}
}

// Proposal is the procedure Vaaka proposes and why.
type Proposal struct {
	Procedure Procedure
	// Key names the reason, translated by app as "coop.reason.<Key>".
	Key string
	// Lighter: the lighter dialogue regime of the 20–49 band.
	Lighter bool
	// ToVerify: the proposal rests on a value LAW.md marks "verify".
	ToVerify  bool
	Threshold Threshold
}

// ProposeProcedure proposes the procedure for an employer with the given
// regular headcount on date on (R-COOP-1): at or above the threshold the
// dialogue, in the lighter band the lighter dialogue, below it — or outside
// the Act — a hearing (759/2004 §21(1)). HR may override the proposal with a
// recorded reason (local agreement §38, collective agreement §39).
func ProposeProcedure(outsideTheAct bool, headcount int, on time.Time, ths []Threshold) Proposal {
	if outsideTheAct {
		return Proposal{Procedure: Hearing, Key: "outside_the_act"}
	}
	th, ok := thresholdOn(on, ths)
	if !ok {
		return Proposal{Procedure: Hearing, Key: "no_threshold"}
	}
	switch {
	case headcount >= th.Dialogue:
		return Proposal{Procedure: Dialogue, Key: "at_or_above", Threshold: th}
	case th.Lighter > 0 && headcount >= th.Lighter:
		return Proposal{Procedure: Dialogue, Key: "lighter_band", Lighter: true, ToVerify: th.LighterToVerify, Threshold: th}
	default:
		return Proposal{Procedure: Hearing, Key: "below", Threshold: th}
	}
}

// thresholdOn returns the threshold in force on the given date.
func thresholdOn(on time.Time, ths []Threshold) (Threshold, bool) {
	sorted := append([]Threshold(nil), ths...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].From.Before(sorted[j].From) })
	var th Threshold
	found := false
	for _, t := range sorted {
		if !t.From.After(on) {
			th, found = t, true
		}
	}
	return th, found
}

// OverrideReason is an allowed reason to depart from the proposed
// procedure (R-COOP-1).
type OverrideReason string

// Override reasons.
const (
	LocalAgreement      OverrideReason = "local_agreement"      // 1333/2021 §38
	CollectiveAgreement OverrideReason = "collective_agreement" // 1333/2021 §39
	SubstantialChange   OverrideReason = "substantial_change"   // §16(2): change negotiations
	OtherReason         OverrideReason = "other"
)
