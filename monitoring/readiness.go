package monitoring

import (
	"strings"
	"time"
)

// Readiness is one condition of the activation gate (R-SEQ-1): the rule id
// of LAW.md, whether it is met, and a message key that app translates as
// "readiness.<Key>". Warning marks an advisory item that does not block
// activation (e.g. R-PUR-1 "training" as the only purpose).
type Readiness struct {
	Rule    string
	Met     bool
	Key     string
	Warning bool
}

// ReadinessContext is the state beyond the register entry that the gate
// reads. The co-operation and notice facts come from the co-operation case
// and the notices; until those exist they are false and the rules unmet.
type ReadinessContext struct {
	// DefaultLanguage is the organisation's default language: the caller
	// announcement must exist at least in it (R-INF-1).
	DefaultLanguage Language
	// OrgPrivacyNoticeURL may stand in for the activity's own URL (R-INF-1).
	OrgPrivacyNoticeURL string
	// CaseLinked: a co-operation case concerns this activity (R-DPIA-2).
	CaseLinked bool
	// CooperationConcluded: a case concerning the activity was lawfully
	// concluded after its last material change (R-COOP-10).
	CooperationConcluded bool
	// NoticeIssued: a current notice was issued to the affected units (R-NOT-1).
	NoticeIssued bool
	// Location is the time zone of statutory calendar days.
	Location *time.Location
}

// ReadinessRule is one pure rule of the gate.
type ReadinessRule func(a *Activity, rc ReadinessContext, now time.Time) Readiness

// ReadinessRules is the gate, in the order of R-SEQ-1: the register entry
// first, then the co-operation, the notice and the introduction date.
var ReadinessRules = []ReadinessRule{
	RuleLawfulBasis,       // R-LAW-1
	RuleNecessity,         // R-NEC-1
	RuleNoConsent,         // R-NEC-2
	RulePurposes,          // R-PUR-1
	RuleTrainingOnly,      // R-PUR-1 (warning)
	RuleNoMetadataMisuse,  // R-PUR-2
	RuleBusinessLinesOnly, // R-PRIV-1
	RuleAuthorizedUsers,   // R-ACC-1
	RuleRetention,         // R-RET-1
	RuleSpecialCategories, // R-SPC-1
	RuleDPIA,              // R-DPIA-1
	RuleCallerInformation, // R-INF-1
	RuleReview,            // R-REV-1
	RuleDPIAConsultation,  // R-DPIA-2
	RuleCooperation,       // R-COOP-10
	RuleNotice,            // R-NOT-1
	RuleIntroduction,      // R-SEQ-1
}

// CheckReadiness evaluates every rule of the gate.
func CheckReadiness(a *Activity, rc ReadinessContext, now time.Time) []Readiness {
	out := make([]Readiness, 0, len(ReadinessRules))
	for _, r := range ReadinessRules {
		out = append(out, r(a, rc, now))
	}
	return out
}

// Unmet returns the blocking rules that are not met.
func Unmet(rs []Readiness) []Readiness {
	var out []Readiness
	for _, r := range rs {
		if !r.Met && !r.Warning {
			out = append(out, r)
		}
	}
	return out
}

func blank(s string) bool { return strings.TrimSpace(s) == "" }

func ready(rule string, met bool, key string) Readiness {
	if met {
		return Readiness{Rule: rule, Met: true, Key: key + ".met"}
	}
	return Readiness{Rule: rule, Met: false, Key: key + ".unmet"}
}

// RuleLawfulBasis — R-LAW-1: a lawful basis is recorded with its
// explanation; for legitimate interests the explanation carries the
// interests and the balancing.
func RuleLawfulBasis(a *Activity, _ ReadinessContext, _ time.Time) Readiness {
	return ready("R-LAW-1", a.LawfulBasis.Valid() && !blank(a.LawfulBasisDetail), "lawful_basis")
}

// RuleNecessity — R-NEC-1: the necessity justification names its ground,
// the justification, the less intrusive alternatives and proportionality.
func RuleNecessity(a *Activity, _ ReadinessContext, _ time.Time) Readiness {
	n := a.Necessity
	return ready("R-NEC-1", n.Category.Valid() && !blank(n.Justification) && !blank(n.Alternatives) && !blank(n.Proportionality), "necessity")
}

// RuleNoConsent — R-NEC-2: consent is not accepted as the lawful basis for
// monitoring employees and never replaces the necessity justification.
func RuleNoConsent(a *Activity, _ ReadinessContext, _ time.Time) Readiness {
	return ready("R-NEC-2", a.LawfulBasis != Consent, "no_consent")
}

// RulePurposes — R-PUR-1: purposes are listed.
func RulePurposes(a *Activity, _ ReadinessContext, _ time.Time) Readiness {
	return ready("R-PUR-1", len(a.Purposes) > 0, "purposes")
}

// RuleTrainingOnly — R-PUR-1: "training" as the only purpose gets a warning
// (the Data Protection Ombudsman has doubted it). Advisory only.
func RuleTrainingOnly(a *Activity, _ ReadinessContext, _ time.Time) Readiness {
	only := len(a.Purposes) == 1 && a.Purposes[0].Code == "training"
	r := ready("R-PUR-1", !only, "training_only")
	r.Warning = true
	return r
}

// RuleNoMetadataMisuse — R-PUR-2: call metadata may not be used to
// investigate misuse.
func RuleNoMetadataMisuse(a *Activity, _ ReadinessContext, _ time.Time) Readiness {
	metadata := false
	for _, c := range a.DataCategories {
		metadata = metadata || c == "call_metadata"
	}
	bad := false
	for _, p := range a.Purposes {
		for _, f := range ForbiddenMetadataPurposes {
			bad = bad || (metadata && p.Code == f)
		}
	}
	return ready("R-PUR-2", !bad, "metadata_misuse")
}

// RuleBusinessLinesOnly — R-PRIV-1: only business lines are recorded.
func RuleBusinessLinesOnly(a *Activity, _ ReadinessContext, _ time.Time) Readiness {
	return ready("R-PRIV-1", a.BusinessLinesOnly, "business_lines")
}

// RuleAuthorizedUsers — R-ACC-1: named authorised users, each with a task.
func RuleAuthorizedUsers(a *Activity, _ ReadinessContext, _ time.Time) Readiness {
	ok := len(a.AuthorizedUsers) > 0
	for _, u := range a.AuthorizedUsers {
		ok = ok && ValidEmail(u.Email) && !blank(u.Task)
	}
	return ready("R-ACC-1", ok, "authorized_users")
}

// MaxRetentionWithoutReason is the benchmark of 759/2004 §17(3): more than a
// year needs a written reason (R-RET-1).
const MaxRetentionWithoutReason = 365

// RuleRetention — R-RET-1: a retention period or its criteria; more than
// 365 days needs a written reason.
func RuleRetention(a *Activity, _ ReadinessContext, _ time.Time) Readiness {
	if a.RetentionDays > MaxRetentionWithoutReason && blank(a.RetentionReason) {
		return Readiness{Rule: "R-RET-1", Key: "retention.reason_needed"}
	}
	return ready("R-RET-1", a.RetentionDays > 0 || !blank(a.RetentionCriteria), "retention")
}

// RuleSpecialCategories — R-SPC-1: the special-category risk is assessed
// (written down), whether or not voice biometrics are used.
func RuleSpecialCategories(a *Activity, _ ReadinessContext, _ time.Time) Readiness {
	return ready("R-SPC-1", !blank(a.SpecialCategories.Notes), "special_categories")
}

// RuleDPIA — R-DPIA-1: a DPIA is required by default and must be completed;
// "not required" needs a reason and is not allowed with biometrics.
func RuleDPIA(a *Activity, _ ReadinessContext, now time.Time) Readiness {
	d := a.DPIA
	if !d.Required {
		if a.SpecialCategories.Biometric {
			return Readiness{Rule: "R-DPIA-1", Key: "dpia.biometric"}
		}
		return ready("R-DPIA-1", !blank(d.ReasonNotRequired), "dpia.not_required")
	}
	return ready("R-DPIA-1", !d.CompletedOn.IsZero() && !d.CompletedOn.After(now) && !blank(d.Summary), "dpia")
}

// RuleCallerInformation — R-INF-1: callers are told before recording
// starts; an announcement text for every covered direction, at least in the
// organisation's default language, and where the privacy notice is.
func RuleCallerInformation(a *Activity, rc ReadinessContext, _ time.Time) Readiness {
	lang := rc.DefaultLanguage
	if !lang.Valid() {
		lang = Finnish
	}
	ok := len(a.Directions) > 0
	for _, d := range a.Directions {
		texts := a.CallerInformation.Inbound
		if d == Outbound {
			texts = a.CallerInformation.Outbound
		}
		ok = ok && !blank(texts[lang])
	}
	ok = ok && (!blank(a.CallerInformation.PrivacyNoticeURL) || !blank(rc.OrgPrivacyNoticeURL))
	return ready("R-INF-1", ok, "caller_information")
}

// RuleReview — R-REV-1: a next review date is set and has not passed.
func RuleReview(a *Activity, rc ReadinessContext, now time.Time) Readiness {
	if a.ReviewOn.IsZero() {
		return Readiness{Rule: "R-REV-1", Key: "review.unmet"}
	}
	return ready("R-REV-1", !a.ReviewOn.Before(Today(now, rc.Location)), "review")
}

// RuleDPIAConsultation — R-DPIA-2: the staff's views are sought for the
// DPIA through a linked co-operation case.
func RuleDPIAConsultation(_ *Activity, rc ReadinessContext, _ time.Time) Readiness {
	return ready("R-DPIA-2", rc.CaseLinked, "dpia_consultation")
}

// RuleCooperation — R-COOP-10: the co-operation procedure (or the hearing)
// was concluded with the employer's definition of purpose and methods.
func RuleCooperation(_ *Activity, rc ReadinessContext, _ time.Time) Readiness {
	return ready("R-COOP-10", rc.CooperationConcluded, "cooperation")
}

// RuleNotice — R-NOT-1: the employees of the affected units were informed.
func RuleNotice(_ *Activity, rc ReadinessContext, _ time.Time) Readiness {
	return ready("R-NOT-1", rc.NoticeIssued, "notice")
}

// RuleIntroduction — R-SEQ-1: the introduction date has come.
func RuleIntroduction(a *Activity, rc ReadinessContext, now time.Time) Readiness {
	return ready("R-SEQ-1", !a.IntroductionOn.IsZero() && !a.IntroductionOn.After(Today(now, rc.Location)), "introduction")
}

// Today is the calendar date of now in loc (Europe/Helsinki by default), as
// midnight UTC of that date: the form every stored date has.
func Today(now time.Time, loc *time.Location) time.Time {
	if loc == nil {
		loc = Helsinki
	}
	y, m, d := now.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Helsinki is the default zone of statutory calendar days; it falls back to
// a fixed EET offset if the zone database is missing.
var Helsinki = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Helsinki")
	if err != nil {
		return time.FixedZone("EET", 2*3600)
	}
	return loc
}()
