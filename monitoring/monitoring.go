// Package monitoring is Vaaka's core domain: the register of monitoring
// activities with its readiness gate (R-SEQ-1), the append-only use log with
// its compliance flags (R-LOG-1), the recording retention ledger (R-RET-2),
// employees, accounts and the organisation (the controller).
//
// It imports only the standard library; storage lives in package db and the
// web and API in package app. Rule ids refer to ../shared/LAW.md.
package monitoring

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Language is a UI and document language.
type Language string

// Supported languages; Finnish is the default.
const (
	Finnish Language = "fi"
	Swedish Language = "sv"
	English Language = "en"
)

// Languages lists the supported languages in display order.
var Languages = []Language{Finnish, Swedish, English}

// Valid reports whether l is supported.
func (l Language) Valid() bool { return l == Finnish || l == Swedish || l == English }

// Method is a monitoring method. The list is open (SPEC: "call_recording
// first"), so Valid accepts any lower-case identifier.
type Method string

// Known methods.
const (
	CallRecording   Method = "call_recording"
	ScreenRecording Method = "screen_recording"
	QualityScoring  Method = "quality_scoring"
	SpeechAnalytics Method = "speech_analytics"
)

// KnownMethods are offered in the UI.
var KnownMethods = []Method{CallRecording, ScreenRecording, QualityScoring, SpeechAnalytics}

// Valid reports whether m is a lower-case identifier of at most 40 characters.
func (m Method) Valid() bool { return isIdent(string(m), 40) }

// Direction of a call.
type Direction string

// Call directions.
const (
	Inbound  Direction = "inbound"
	Outbound Direction = "outbound"
)

// Valid reports whether d is a known direction.
func (d Direction) Valid() bool { return d == Inbound || d == Outbound }

// LawfulBasis is a GDPR Art 6(1) basis (a–f).
type LawfulBasis string

// Lawful bases, GDPR Art 6(1) a–f.
const (
	Consent             LawfulBasis = "consent"
	Contract            LawfulBasis = "contract"
	LegalObligation     LawfulBasis = "legal_obligation"
	VitalInterests      LawfulBasis = "vital_interests"
	PublicTask          LawfulBasis = "public_task"
	LegitimateInterests LawfulBasis = "legitimate_interests"
)

// LawfulBases in Art 6(1) order.
var LawfulBases = []LawfulBasis{Consent, Contract, LegalObligation, VitalInterests, PublicTask, LegitimateInterests}

// Valid reports whether b is one of Art 6(1) a–f.
func (b LawfulBasis) Valid() bool { return slices.Contains(LawfulBases, b) }

// NecessityCategory is the ground of 759/2004 §3(1) on which the necessity
// justification rests (R-NEC-1).
type NecessityCategory string

// Necessity grounds.
const (
	RightsAndObligations NecessityCategory = "rights_and_obligations"
	EmployeeBenefits     NecessityCategory = "employee_benefits"
	SpecialNatureOfWork  NecessityCategory = "special_nature_of_work"
)

// NecessityCategories lists the grounds.
var NecessityCategories = []NecessityCategory{RightsAndObligations, EmployeeBenefits, SpecialNatureOfWork}

// Valid reports whether c is a ground of §3(1).
func (c NecessityCategory) Valid() bool { return slices.Contains(NecessityCategories, c) }

// Status of a monitoring activity.
type Status string

// Activity statuses: draft → in_cooperation → ready → active → suspended / retired.
const (
	StatusDraft         Status = "draft"
	StatusInCooperation Status = "in_cooperation"
	StatusReady         Status = "ready"
	StatusActive        Status = "active"
	StatusSuspended     Status = "suspended"
	StatusRetired       Status = "retired"
)

// Statuses in lifecycle order.
var Statuses = []Status{StatusDraft, StatusInCooperation, StatusReady, StatusActive, StatusSuspended, StatusRetired}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return slices.Contains(Statuses, s) }

// Purpose is one registered purpose of an activity; a use names its Code
// (R-PUR-1).
type Purpose struct {
	Code        string
	Description string
}

// Necessity is the justification required by R-NEC-1.
type Necessity struct {
	Category        NecessityCategory
	Justification   string
	Alternatives    string
	Proportionality string
}

// SpecialCategories records the special-category assessment (R-SPC-1).
type SpecialCategories struct {
	Biometric bool
	Notes     string
}

// AuthorizedUser is a named person whose designated task includes using the
// recordings (R-ACC-1).
type AuthorizedUser struct {
	Email string
	Task  string
}

// CallerInformation is how callers are told about recording (R-INF-1/2).
// Inbound and Outbound map a language to the announcement text.
type CallerInformation struct {
	Inbound              map[Language]string
	Outbound             map[Language]string
	IVRPlacement         string
	PrivacyNoticeURL     string
	PreInformedCustomers string
}

// DPIA is the data protection impact assessment (R-DPIA-1).
type DPIA struct {
	Required          bool
	CompletedOn       time.Time // zero when not completed
	Summary           string
	ReasonNotRequired string
	FileRef           string
}

// Activity is one entry of the register of monitoring activities.
type Activity struct {
	ID                int64
	Name              string
	Description       string
	Method            Method
	System            string
	Directions        []Direction
	Queues            []string
	Purposes          []Purpose
	LawfulBasis       LawfulBasis
	LawfulBasisDetail string
	Necessity         Necessity
	DataCategories    []string
	SpecialCategories SpecialCategories
	BusinessLinesOnly bool
	Units             []string
	AuthorizedUsers   []AuthorizedUser
	RetentionDays     int
	RetentionCriteria string
	RetentionReason   string
	CallerInformation CallerInformation
	DPIA              DPIA
	Recipients        string
	Transfers         string
	SecurityMeasures  string
	ReviewOn          time.Time // date; zero when unset
	IntroductionOn    time.Time // date; set by the notice (issue "Notices")
	Status            Status
	Version           int
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// HasPurpose reports whether code is a registered purpose.
func (a *Activity) HasPurpose(code string) bool {
	for _, p := range a.Purposes {
		if p.Code == code {
			return true
		}
	}
	return false
}

// Authorizes reports whether email is an authorised user (R-ACC-1).
func (a *Activity) Authorizes(email string) bool {
	for _, u := range a.AuthorizedUsers {
		if strings.EqualFold(u.Email, email) {
			return true
		}
	}
	return false
}

// TaskOf returns the task that entitles email to use recordings, or "".
func (a *Activity) TaskOf(email string) string {
	for _, u := range a.AuthorizedUsers {
		if strings.EqualFold(u.Email, email) {
			return u.Task
		}
	}
	return ""
}

// Covers reports whether unit is an affected unit.
func (a *Activity) Covers(unit string) bool { return slices.Contains(a.Units, unit) }

// Field length limits shared by validation in every layer.
const (
	MaxShort = 200   // names, codes, emails
	MaxText  = 10000 // free text
	MaxList  = 100   // list lengths
)

// ForbiddenMetadataPurposes are purpose codes that would use call metadata
// (traffic data) to investigate misuse, which 917/2014 §146(3) forbids
// (R-PUR-2).
var ForbiddenMetadataPurposes = []string{"misuse_investigation", "misuse", "abuse_investigation"}

// Validate checks the activity's shape: required fields, enums, lengths and
// the purposes forbidden outright (R-PUR-2). Completeness for activation is
// the readiness check's job, so a draft may be incomplete.
func (a *Activity) Validate() error {
	fe := FieldErrors{}
	checkText(fe, "name", a.Name, MaxShort, true)
	checkText(fe, "description", a.Description, MaxText, false)
	if !a.Method.Valid() {
		fe.Add("method", MsgUnknown)
	}
	checkText(fe, "system", a.System, MaxShort, false)
	if len(a.Directions) > 2 {
		fe.Add("directions", MsgTooMany)
	}
	for i, d := range a.Directions {
		if !d.Valid() {
			fe.Add(indexed("directions", i), MsgUnknown)
		}
		if slices.Index(a.Directions, d) != i {
			fe.Add(indexed("directions", i), MsgDuplicate)
		}
	}
	checkList(fe, "queues", a.Queues, MaxShort)
	if len(a.Purposes) > MaxList {
		fe.Add("purposes", MsgTooMany)
	}
	for i, p := range a.Purposes {
		f := indexed("purposes", i)
		if !isIdent(p.Code, 60) {
			fe.Add(f+".code", MsgInvalid)
		}
		checkText(fe, f+".description", p.Description, MaxText, true)
		for j := 0; j < i; j++ {
			if a.Purposes[j].Code == p.Code {
				fe.Add(f+".code", MsgDuplicate)
			}
		}
		if slices.Contains(ForbiddenMetadataPurposes, p.Code) && slices.Contains(a.DataCategories, "call_metadata") {
			fe.Add(f+".code", MsgForbidden) // R-PUR-2
		}
	}
	if a.LawfulBasis != "" && !a.LawfulBasis.Valid() {
		fe.Add("lawful_basis", MsgUnknown)
	}
	checkText(fe, "lawful_basis_detail", a.LawfulBasisDetail, MaxText, false)
	if a.Necessity.Category != "" && !a.Necessity.Category.Valid() {
		fe.Add("necessity.category", MsgUnknown)
	}
	checkText(fe, "necessity.justification", a.Necessity.Justification, MaxText, false)
	checkText(fe, "necessity.alternatives", a.Necessity.Alternatives, MaxText, false)
	checkText(fe, "necessity.proportionality", a.Necessity.Proportionality, MaxText, false)
	checkList(fe, "data_categories", a.DataCategories, MaxShort)
	checkText(fe, "special_categories.notes", a.SpecialCategories.Notes, MaxText, false)
	checkList(fe, "units", a.Units, MaxShort)
	if len(a.AuthorizedUsers) > MaxList {
		fe.Add("authorized_users", MsgTooMany)
	}
	for i, u := range a.AuthorizedUsers {
		f := indexed("authorized_users", i)
		if !ValidEmail(u.Email) {
			fe.Add(f+".email", MsgEmail)
		}
		checkText(fe, f+".task", u.Task, MaxShort, true)
	}
	if a.RetentionDays < 0 || a.RetentionDays > 36500 {
		fe.Add("retention_days", MsgPositive)
	}
	checkText(fe, "retention_criteria", a.RetentionCriteria, MaxText, false)
	checkText(fe, "retention_reason", a.RetentionReason, MaxText, false)
	ci := a.CallerInformation
	for _, m := range []struct {
		name string
		v    map[Language]string
	}{{"caller_information.inbound", ci.Inbound}, {"caller_information.outbound", ci.Outbound}} {
		for l, text := range m.v {
			if !l.Valid() {
				fe.Add(m.name, MsgUnknown)
				continue
			}
			checkText(fe, m.name+"."+string(l), text, MaxText, false)
		}
	}
	checkText(fe, "caller_information.ivr_placement", ci.IVRPlacement, MaxText, false)
	checkText(fe, "caller_information.pre_informed_customers", ci.PreInformedCustomers, MaxText, false)
	if ci.PrivacyNoticeURL != "" && !ValidURL(ci.PrivacyNoticeURL) {
		fe.Add("caller_information.privacy_notice_url", MsgURL)
	}
	checkText(fe, "dpia.summary", a.DPIA.Summary, MaxText, false)
	checkText(fe, "dpia.reason_not_required", a.DPIA.ReasonNotRequired, MaxText, false)
	checkText(fe, "dpia.file_ref", a.DPIA.FileRef, MaxShort, false)
	checkText(fe, "recipients", a.Recipients, MaxText, false)
	checkText(fe, "transfers", a.Transfers, MaxText, false)
	checkText(fe, "security_measures", a.SecurityMeasures, MaxText, false)
	return fe.Err()
}

// MaterialChange reports whether changing from old to new is material in the
// sense of R-SEQ-2: a new purpose, another method, other affected units, or a
// longer retention.
func MaterialChange(old, new *Activity) bool {
	if old.Method != new.Method || new.RetentionDays > old.RetentionDays {
		return true
	}
	for _, p := range new.Purposes {
		if !old.HasPurpose(p.Code) {
			return true
		}
	}
	for _, u := range new.Units {
		if !old.Covers(u) {
			return true
		}
	}
	return len(new.Units) != len(old.Units)
}

func indexed(name string, i int) string { return name + "[" + itoa(i) + "]" }

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b [20]byte
	n := len(b)
	for i > 0 {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
	}
	return string(b[n:])
}

func checkText(fe FieldErrors, field, v string, max int, required bool) {
	switch {
	case required && strings.TrimSpace(v) == "":
		fe.Add(field, MsgRequired)
	case !utf8.ValidString(v):
		fe.Add(field, MsgInvalid)
	case utf8.RuneCountInString(v) > max:
		fe.Add(field, MsgTooLong)
	}
}

func checkList(fe FieldErrors, field string, vs []string, max int) {
	if len(vs) > MaxList {
		fe.Add(field, MsgTooMany)
		return
	}
	for i, v := range vs {
		checkText(fe, indexed(field, i), v, max, true)
	}
}

// isIdent reports whether s is a non-empty lower-case identifier
// ([a-z0-9_:-], starting with a letter) of at most max bytes.
func isIdent(s string, max int) bool {
	if s == "" || len(s) > max || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == ':') {
			return false
		}
	}
	return true
}

// ValidEmail is a deliberately plain check: one @, a dot in the domain, no
// spaces, at most MaxShort bytes.
func ValidEmail(s string) bool {
	at := strings.IndexByte(s, '@')
	if at <= 0 || at != strings.LastIndexByte(s, '@') || len(s) > MaxShort || strings.ContainsAny(s, " \t\r\n<>\",;") {
		return false
	}
	domain := s[at+1:]
	dot := strings.LastIndexByte(domain, '.')
	return dot > 0 && dot < len(domain)-1 && utf8.ValidString(s)
}

// ValidURL accepts absolute http(s) URLs without spaces.
func ValidURL(s string) bool {
	return (strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")) && len(s) > 10 &&
		len(s) <= 2000 && !strings.ContainsAny(s, " \t\r\n<>\"")
}
