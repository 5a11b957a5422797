package monitoring

import (
	"slices"
	"strings"
	"time"
)

// Action is what was done with a recording.
type Action string

// Actions on a recording.
const (
	Listened    Action = "listened"
	Evaluated   Action = "evaluated"
	Downloaded  Action = "downloaded"
	Shared      Action = "shared"
	Transcribed Action = "transcribed"
	Exported    Action = "exported"
)

// Actions lists every action.
var Actions = []Action{Listened, Evaluated, Downloaded, Shared, Transcribed, Exported}

// Valid reports whether a is a known action.
func (a Action) Valid() bool { return slices.Contains(Actions, a) }

// Source tells where a use was recorded.
type Source string

// Sources of uses.
const (
	SourceWeb Source = "web"
	SourceAPI Source = "api"
)

// Flag is a compliance flag computed for a use from the state at its
// occurred_at. Flags never block recording (SPEC: never refuse a real event).
type Flag string

// Flags, each tied to a rule of LAW.md.
const (
	FlagActivityNotActive    Flag = "activity_not_active"    // R-SEQ-1
	FlagUnauthorizedUser     Flag = "unauthorized_user"      // R-ACC-1
	FlagPurposeNotRegistered Flag = "purpose_not_registered" // R-PUR-1
	FlagPurposeMissing       Flag = "purpose_missing"        // R-PUR-1, R-LOG-1
	FlagEmployeeNotCovered   Flag = "employee_not_covered"   // R-NOT-1 (affected units)
	FlagEmployeeNotNotified  Flag = "employee_not_notified"  // R-NOT-1
	FlagRetentionExceeded    Flag = "retention_exceeded"     // R-RET-2
	FlagRecordingDeleted     Flag = "recording_deleted"      // R-RET-2
)

// AllFlags lists every flag in a stable order (also the bit order of
// FlagMask).
var AllFlags = []Flag{
	FlagActivityNotActive, FlagUnauthorizedUser, FlagPurposeNotRegistered, FlagPurposeMissing,
	FlagEmployeeNotCovered, FlagEmployeeNotNotified, FlagRetentionExceeded, FlagRecordingDeleted,
}

// FlagRules maps each flag to the LAW.md rule it reports on.
var FlagRules = map[Flag]string{
	FlagActivityNotActive:    "R-SEQ-1",
	FlagUnauthorizedUser:     "R-ACC-1",
	FlagPurposeNotRegistered: "R-PUR-1",
	FlagPurposeMissing:       "R-PUR-1",
	FlagEmployeeNotCovered:   "R-NOT-1",
	FlagEmployeeNotNotified:  "R-NOT-1",
	FlagRetentionExceeded:    "R-RET-2",
	FlagRecordingDeleted:     "R-RET-2",
}

// Valid reports whether f is a known flag.
func (f Flag) Valid() bool { return slices.Contains(AllFlags, f) }

// FlagMask packs flags into bits in AllFlags order.
func FlagMask(fs []Flag) int64 {
	var m int64
	for _, f := range fs {
		if i := slices.Index(AllFlags, f); i >= 0 {
			m |= 1 << i
		}
	}
	return m
}

// FlagsOf unpacks a FlagMask.
func FlagsOf(m int64) []Flag {
	var fs []Flag
	for i, f := range AllFlags {
		if m&(1<<i) != 0 {
			fs = append(fs, f)
		}
	}
	return fs
}

// Use is one entry of the append-only use log (R-LOG-1).
type Use struct {
	Seq              int64  // position in the chain
	ID               string // time-ordered UUIDv7
	ExternalID       string // idempotency key, unique per source
	ActivityID       int64
	RecordingRef     string
	CallStartedAt    time.Time
	Direction        Direction
	EmployeeStaffIDs []string
	UsedBy           string // user email
	Action           Action
	Purpose          string
	Note             string
	OccurredAt       time.Time
	RecordedAt       time.Time
	Source           Source
	Corrects         string // id of the entry this one corrects, or ""
	Flags            []Flag
	PrevHash         string // hex
	Hash             string // hex
}

// Limits of a use.
const (
	MaxBatch         = 1000 // uses per request
	MaxUseEmployees  = 50
	MaxClockSkew     = 5 * time.Minute
	MaxExternalIDLen = 200
)

// Validate checks a use's shape. It refuses only malformed input; anything
// merely non-compliant is recorded and flagged.
func (u *Use) Validate(now time.Time) error {
	fe := FieldErrors{}
	checkText(fe, "external_id", u.ExternalID, MaxExternalIDLen, false)
	if u.ActivityID <= 0 {
		fe.Add("activity_id", MsgRequired)
	}
	checkText(fe, "recording_ref", u.RecordingRef, MaxShort, true)
	if u.CallStartedAt.IsZero() {
		fe.Add("call_started_at", MsgRequired)
	} else if u.CallStartedAt.After(now.Add(MaxClockSkew)) {
		fe.Add("call_started_at", MsgInFuture)
	}
	if !u.Direction.Valid() {
		fe.Add("direction", MsgUnknown)
	}
	switch {
	case len(u.EmployeeStaffIDs) == 0:
		fe.Add("employee_staff_ids", MsgRequired)
	case len(u.EmployeeStaffIDs) > MaxUseEmployees:
		fe.Add("employee_staff_ids", MsgTooMany)
	}
	for i, s := range u.EmployeeStaffIDs {
		if !ValidStaffID(s) {
			fe.Add(indexed("employee_staff_ids", i), MsgInvalid)
		}
	}
	if !ValidEmail(u.UsedBy) {
		fe.Add("used_by", MsgEmail)
	}
	if !u.Action.Valid() {
		fe.Add("action", MsgUnknown)
	}
	if u.Purpose != "" && !isIdent(u.Purpose, 60) {
		fe.Add("purpose", MsgInvalid)
	}
	checkText(fe, "note", u.Note, MaxText, false)
	switch {
	case u.OccurredAt.IsZero():
		fe.Add("occurred_at", MsgRequired)
	case u.OccurredAt.After(now.Add(MaxClockSkew)):
		fe.Add("occurred_at", MsgInFuture)
	case !u.CallStartedAt.IsZero() && u.OccurredAt.Before(u.CallStartedAt):
		fe.Add("occurred_at", MsgBeforeCall)
	}
	if u.Corrects != "" && !ValidUUID(u.Corrects) {
		fe.Add("corrects", MsgInvalid)
	}
	return fe.Err()
}

// ValidStaffID accepts 1–40 printable ASCII characters without spaces or
// separators that would break CSV and URLs.
func ValidStaffID(s string) bool {
	if s == "" || len(s) > 40 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c > '~' || strings.IndexByte("/\\?#%;,\"'<>", c) >= 0 {
			return false
		}
	}
	return true
}

// ValidUUID checks the canonical 8-4-4-4-12 hex form.
func ValidUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
				return false
			}
		}
	}
	return true
}

// EmployeeAt is what the flag computation needs of a monitored employee at
// the time of a use.
type EmployeeAt struct {
	Known bool
	Unit  string
	// Notified: a notice of the activity was issued to the employee on or
	// before the use (R-NOT-1).
	Notified bool
}

// UseState is the state at a use's occurred_at that its flags are computed
// from: the activity as it was then (nil if it did not exist yet), the
// monitored employees, and the recording's deletion.
type UseState struct {
	Activity  *Activity
	Employees map[string]EmployeeAt
	// RecordingDeletedAt is the confirmed deletion time, zero if none.
	RecordingDeletedAt time.Time
	// NoticesTracked turns on employee_not_notified; off until notices exist.
	NoticesTracked bool
}

// ComputeFlags returns the compliance flags of u in AllFlags order. It is a
// pure function of the use and the state at its occurred_at.
func ComputeFlags(u *Use, st UseState) []Flag {
	var fs []Flag
	a := st.Activity
	// R-SEQ-1: uses only under an active activity.
	if a == nil || a.Status != StatusActive {
		fs = append(fs, FlagActivityNotActive)
	}
	// R-ACC-1: only named authorised users.
	if a == nil || !a.Authorizes(u.UsedBy) {
		fs = append(fs, FlagUnauthorizedUser)
	}
	// R-PUR-1: a use names a registered purpose.
	if u.Purpose != "" && (a == nil || !a.HasPurpose(u.Purpose)) {
		fs = append(fs, FlagPurposeNotRegistered)
	}
	if u.Purpose == "" {
		fs = append(fs, FlagPurposeMissing)
	}
	// The monitored employees must be in an affected unit and notified.
	covered, notified := true, true
	for _, s := range u.EmployeeStaffIDs {
		e := st.Employees[s]
		if !e.Known || a == nil || !a.Covers(e.Unit) {
			covered = false
		}
		if !e.Notified {
			notified = false
		}
	}
	if !covered {
		fs = append(fs, FlagEmployeeNotCovered)
	}
	if st.NoticesTracked && !notified {
		fs = append(fs, FlagEmployeeNotNotified)
	}
	// R-RET-2: no use after the retention period or after deletion.
	if a != nil && a.RetentionDays > 0 && u.OccurredAt.After(DeletionDue(u.CallStartedAt, a.RetentionDays)) {
		fs = append(fs, FlagRetentionExceeded)
	}
	if !st.RecordingDeletedAt.IsZero() && !u.OccurredAt.Before(st.RecordingDeletedAt) {
		fs = append(fs, FlagRecordingDeleted)
	}
	return fs
}

// DeletionDue is the deletion deadline of a recording: call start plus the
// retention period (R-RET-2).
func DeletionDue(callStartedAt time.Time, retentionDays int) time.Time {
	return callStartedAt.Add(time.Duration(retentionDays) * 24 * time.Hour)
}

// UseFilter selects uses; zero values do not filter. Cursor is the opaque
// position after which the next page starts (newest first).
type UseFilter struct {
	EmployeeStaffID string
	ActivityID      int64
	Flag            Flag
	UsedBy          string
	From, To        time.Time
	Cursor          int64 // Seq: return entries with Seq < Cursor
	Limit           int
}

// UseResult is the answer for one use of an ingest request.
type UseResult struct {
	Use       *Use
	Duplicate bool
}
