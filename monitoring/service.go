package monitoring

import (
	"context"
	"time"
)

// The service interfaces below are implemented by package db (one write
// transaction per mutating method, the audit entry in the same transaction)
// and consumed by package app. Mutating methods take the acting user's email
// explicitly (actor). Errors are *Error values with the documented codes;
// anything else is an internal failure.

// ActivityFilter selects register entries, ordered by id.
type ActivityFilter struct {
	Status Status
	Cursor int64 // id after which the page starts
	Limit  int
}

// FieldChange is one changed field between two versions of an activity,
// with the values as display text.
type FieldChange struct {
	Field string
	Old   string
	New   string
}

// ActivityChange is one entry of an activity's history of changes.
type ActivityChange struct {
	Version int
	At      time.Time
	Actor   string
	Status  Status
	Changes []FieldChange
}

// RegisterService keeps the register of monitoring activities.
type RegisterService interface {
	// CreateActivity validates a, stores it as a draft (version 1) and sets
	// a.ID, a.Status, a.Version and the times. Invalid on bad fields.
	CreateActivity(ctx context.Context, actor string, a *Activity) error
	// FindActivity returns the current version. NotFound.
	FindActivity(ctx context.Context, id int64) (*Activity, error)
	// ListActivities returns a page and the cursor of the next page (0 on
	// the last one).
	ListActivities(ctx context.Context, f ActivityFilter) ([]*Activity, int64, error)
	// UpdateActivity applies change to the current version, validates the
	// result and stores it as a new version. A material change to an active
	// (or ready) activity sends it back to in_cooperation (R-SEQ-2).
	// NotFound, Invalid.
	UpdateActivity(ctx context.Context, actor string, id int64, change func(*Activity) error) (*Activity, error)
	// SetStatus moves the activity to status to. Activation evaluates the
	// readiness gate at now and is refused with RuleRefused carrying the
	// unmet rules (R-SEQ-1). NotFound, Invalid (transition not allowed),
	// RuleRefused.
	SetStatus(ctx context.Context, actor string, id int64, to Status, now time.Time) (*Activity, error)
	// Readiness evaluates the gate for the current version at now.
	Readiness(ctx context.Context, id int64, now time.Time) ([]Readiness, error)
	// History lists the versions, oldest first, with the fields changed.
	History(ctx context.Context, id int64) ([]ActivityChange, error)
}

// ImportResult counts what an employee import did.
type ImportResult struct {
	Created int
	Updated int
}

// EmployeeService keeps employees and their units.
type EmployeeService interface {
	// CreateEmployee stores a new employee (its unit is created when new).
	// Invalid, Conflict (staff id exists).
	CreateEmployee(ctx context.Context, actor string, e *Employee) error
	// FindEmployee by staff id. NotFound.
	FindEmployee(ctx context.Context, staffID string) (*Employee, error)
	// ListEmployees returns a page ordered by staff id and the next cursor
	// ("" on the last page).
	ListEmployees(ctx context.Context, f EmployeeFilter) ([]*Employee, string, error)
	// UpdateEmployee applies upd. NotFound, Invalid.
	UpdateEmployee(ctx context.Context, actor string, staffID string, upd EmployeeUpdate) (*Employee, error)
	// ImportEmployees creates new and updates existing employees in one
	// transaction: all rows or none.
	ImportEmployees(ctx context.Context, actor string, rows []*Employee) (ImportResult, error)
	// ListUnits lists the units with their active employee counts.
	ListUnits(ctx context.Context) ([]Unit, error)
	// CreateUnit adds a unit. Invalid, Conflict.
	CreateUnit(ctx context.Context, actor string, name string) error
}

// UseService is the append-only, hash-chained use log (R-LOG-1).
type UseService interface {
	// RecordUses validates every use first (Invalid, field keys
	// "[i].field"), then writes them in one group-committed transaction:
	// flags computed from the state at occurred_at, recordings first seen
	// entered in the ledger, each use chained. A repeated external_id of the
	// same source returns the stored use with Duplicate and writes nothing.
	// When RecordUses returns, the uses are durable.
	RecordUses(ctx context.Context, uses []*Use) ([]UseResult, error)
	// FindUse by id. NotFound.
	FindUse(ctx context.Context, id string) (*Use, error)
	// ListUses returns a page, newest first, and the next cursor (0 on the
	// last page).
	ListUses(ctx context.Context, f UseFilter) ([]*Use, int64, error)
	// VerifyUses walks the chain from its start with constant memory.
	VerifyUses(ctx context.Context) (ChainReport, error)
}

// RecordingService is the recording retention ledger (R-RET-2).
type RecordingService interface {
	// RegisterRecordings enters recordings in the ledger; a ref already
	// known is returned unchanged. Invalid (keys "[i].field").
	RegisterRecordings(ctx context.Context, actor string, rs []*Recording) ([]*Recording, error)
	// ConfirmDeletion records that the recording was deleted at at.
	// NotFound; Conflict when already confirmed.
	ConfirmDeletion(ctx context.Context, actor string, ref string, at time.Time) (*Recording, error)
	// FindRecording by ref. NotFound.
	FindRecording(ctx context.Context, ref string) (*Recording, error)
	// ListRecordings returns a page and the next cursor ("" on the last).
	ListRecordings(ctx context.Context, f RecordingFilter, now time.Time) ([]*Recording, string, error)
}

// AuditFilter selects audit entries, newest first.
type AuditFilter struct {
	Entity   string
	EntityID string
	Cursor   int64
	Limit    int
}

// AuditService is the hash-chained audit trail. Mutations of the other
// services append to it in their own transactions; Record is for events
// that change nothing else, such as reading another person's use log
// (R-LOG-1).
type AuditService interface {
	Record(ctx context.Context, actor, action, entity, entityID string, detail map[string]any) error
	ListAudit(ctx context.Context, f AuditFilter) ([]*AuditEntry, int64, error)
	VerifyAudit(ctx context.Context) (ChainReport, error)
}

// UserUpdate is a partial change of a user; nil fields stay.
type UserUpdate struct {
	Name         *string
	Roles        []Role // nil: unchanged
	StaffID      *string
	Language     *Language
	Active       *bool
	PasswordHash *string // sets PasswordChangedAt and ends other sessions
}

// AccountService keeps users, browser sessions and API tokens.
type AccountService interface {
	// CreateUser stores u (with u.PasswordHash set). Invalid, Conflict.
	CreateUser(ctx context.Context, actor string, u *User) error
	FindUser(ctx context.Context, id int64) (*User, error)
	// FindUserByEmail is case-insensitive. NotFound.
	FindUserByEmail(ctx context.Context, email string) (*User, error)
	ListUsers(ctx context.Context) ([]*User, error)
	// UpdateUser applies upd; a new password hash deletes the user's
	// sessions except keepSession (hash; "" for none). NotFound, Invalid.
	UpdateUser(ctx context.Context, actor string, id int64, upd UserUpdate, keepSession string) (*User, error)

	CreateSession(ctx context.Context, s *Session) error
	// FindSession returns the session and its active user. NotFound.
	FindSession(ctx context.Context, idHash string) (*Session, *User, error)
	TouchSession(ctx context.Context, idHash string, at time.Time) error
	DeleteSession(ctx context.Context, idHash string) error
	// DeleteSessionsBefore removes sessions idle since before idle or
	// created before absolute.
	DeleteSessionsBefore(ctx context.Context, idle, absolute time.Time) error

	// CreateToken stores t (t.Hash set by the caller). Invalid.
	CreateToken(ctx context.Context, actor string, t *Token) error
	// FindTokenByHash returns an unrevoked token and its active user. NotFound.
	FindTokenByHash(ctx context.Context, hash string) (*Token, *User, error)
	// ListTokens lists every token, revoked ones too (never the secret).
	ListTokens(ctx context.Context) ([]*Token, error)
	RevokeToken(ctx context.Context, actor string, id int64) error
	TouchToken(ctx context.Context, id int64, at time.Time) error
}

// SettingsService keeps the organisation settings.
type SettingsService interface {
	Organisation(ctx context.Context) (Organisation, error)
	// UpdateOrganisation validates and stores o. Invalid.
	UpdateOrganisation(ctx context.Context, actor string, o Organisation) error
}

// ActivityReadiness is an activity with its unmet rules, for the dashboard.
type ActivityReadiness struct {
	Activity *Activity
	Unmet    []Readiness
}

// Dashboard is the HR compliance dashboard, first version.
type Dashboard struct {
	NotReady         []ActivityReadiness // activities not active and not retired
	FlaggedUses30d   int64
	FlagCounts30d    map[Flag]int64
	RecentFlagged    []*Use // newest flagged uses, at most 10
	OverdueDeletions int64
	Overdue          []*Recording // oldest overdue first, at most 10
	ReviewsDue       []*Activity  // review date passed (R-REV-1)
}

// DashboardService computes the dashboard.
type DashboardService interface {
	Dashboard(ctx context.Context, now time.Time) (*Dashboard, error)
}
