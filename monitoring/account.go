package monitoring

import (
	"slices"
	"strings"
	"time"
)

// Role is what a user may do. A user may hold several.
type Role string

// Roles (SPEC "Users and what they come to do").
const (
	RoleAdmin          Role = "admin"
	RoleHR             Role = "hr"
	RoleDPO            Role = "dpo"
	RoleRepresentative Role = "representative"
	RoleSupervisor     Role = "supervisor"
	RoleEmployee       Role = "employee"
)

// Roles lists every role.
var Roles = []Role{RoleAdmin, RoleHR, RoleDPO, RoleRepresentative, RoleSupervisor, RoleEmployee}

// Valid reports whether r is known.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// ParseRoles parses "hr,dpo" into roles; it returns an Invalid error naming
// the field "roles" for an unknown or empty list.
func ParseRoles(s string) ([]Role, error) {
	var rs []Role
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		r := Role(p)
		if !r.Valid() {
			return nil, &Error{Code: Invalid, Message: "unknown role " + p, Fields: map[string]string{"roles": MsgUnknown}}
		}
		if !slices.Contains(rs, r) {
			rs = append(rs, r)
		}
	}
	if len(rs) == 0 {
		return nil, &Error{Code: Invalid, Message: "no roles", Fields: map[string]string{"roles": MsgRequired}}
	}
	return rs, nil
}

// User is an account.
type User struct {
	ID           int64
	Email        string
	Name         string
	Roles        []Role
	StaffID      string // linked employee, optional
	Language     Language
	Active       bool
	PasswordHash string
	// PasswordChangedAt invalidates sessions created before it.
	PasswordChangedAt time.Time
	CreatedAt         time.Time
}

// Has reports whether u holds role r.
func (u *User) Has(r Role) bool { return slices.Contains(u.Roles, r) }

// HasAny reports whether u holds any of rs.
func (u *User) HasAny(rs ...Role) bool {
	for _, r := range rs {
		if u.Has(r) {
			return true
		}
	}
	return false
}

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 12

// Validate checks a user record (not the password).
func (u *User) Validate() error {
	fe := FieldErrors{}
	if !ValidEmail(u.Email) {
		fe.Add("email", MsgEmail)
	}
	checkText(fe, "name", u.Name, MaxShort, true)
	if len(u.Roles) == 0 {
		fe.Add("roles", MsgRequired)
	}
	for _, r := range u.Roles {
		if !r.Valid() {
			fe.Add("roles", MsgUnknown)
		}
	}
	if u.StaffID != "" && !ValidStaffID(u.StaffID) {
		fe.Add("staff_id", MsgInvalid)
	}
	if !u.Language.Valid() {
		fe.Add("language", MsgUnknown)
	}
	return fe.Err()
}

// Scope limits what an API token may do; a token acts as its user within
// its scopes.
type Scope string

// Token scopes.
const (
	ScopeRead            Scope = "read"
	ScopeWrite           Scope = "write" // implies read
	ScopeUsesWrite       Scope = "uses:write"
	ScopeRecordingsWrite Scope = "recordings:write"
	ScopeRegisterRead    Scope = "register:read"
)

// Scopes lists every scope.
var Scopes = []Scope{ScopeRead, ScopeWrite, ScopeUsesWrite, ScopeRecordingsWrite, ScopeRegisterRead}

// Valid reports whether s is known.
func (s Scope) Valid() bool { return slices.Contains(Scopes, s) }

// Token is an API token. Only its hash is stored; the secret is shown once.
type Token struct {
	ID         int64
	UserID     int64
	UserEmail  string
	Name       string
	Scopes     []Scope
	Hash       string
	CreatedAt  time.Time
	LastUsedAt time.Time
	RevokedAt  time.Time
}

// Allows reports whether the token's scopes permit need: "write" implies
// every other scope, "read" implies "register:read".
func (t *Token) Allows(need Scope) bool {
	for _, s := range t.Scopes {
		if s == need || s == ScopeWrite || (s == ScopeRead && need == ScopeRegisterRead) {
			return true
		}
	}
	return false
}

// Session is a signed-in browser session, stored server-side.
type Session struct {
	IDHash    string
	UserID    int64
	CSRFToken string
	CreatedAt time.Time
	LastSeen  time.Time
	IP        string
}
