package monitoring

import (
	"context"
	"time"
)

// Legal holds on recordings (R-RET-2). A hold suspends a recording's
// deletion deadline: while one is in force the recording is not overdue
// (Recording.Overdue). A hold is released with a reason; every hold ever
// set is kept, and both actions go to the audit trail ("hold.set",
// "hold.released") in the same transaction as the change.

// Hold is one legal hold on a recording.
type Hold struct {
	ID            int64
	RecordingRef  string
	Reason        string
	SetBy         string // user email
	SetAt         time.Time
	ReleasedAt    time.Time // zero while the hold is in force
	ReleasedBy    string
	ReleaseReason string
}

// Active reports whether the hold is in force.
func (h *Hold) Active() bool { return h.ReleasedAt.IsZero() }

// ValidateHoldReason checks the reason of setting or releasing a hold
// (required, free text).
func ValidateHoldReason(reason string) error {
	fe := FieldErrors{}
	checkText(fe, "reason", reason, MaxText, true)
	return fe.Err()
}

// HoldService is implemented by package db.
type HoldService interface {
	// SetHold puts recording ref on hold for reason (R-RET-2). NotFound
	// for an unknown ref; Conflict when a hold is already in force or the
	// recording's deletion is already confirmed; Invalid "reason".
	SetHold(ctx context.Context, actor, ref, reason string) (*Hold, error)
	// ReleaseHold releases the hold in force on ref. NotFound; Conflict
	// when no hold is in force; Invalid "reason".
	ReleaseHold(ctx context.Context, actor, ref, reason string) (*Hold, error)
	// ListHolds lists every hold of ref, newest first. NotFound for an
	// unknown ref.
	ListHolds(ctx context.Context, ref string) ([]*Hold, error)
	// ActiveHolds returns the holds in force among refs, by ref (for
	// ledger pages).
	ActiveHolds(ctx context.Context, refs []string) (map[string]*Hold, error)
}
