// Package cooperation is the co-operation procedure in which the employer
// handles the monitoring of its staff with the staff before deciding: the
// continuous dialogue of the Co-operation Act 1333/2021 (§12 item 3), change
// negotiations when the monitoring substantially changes work (§16(2)), or a
// hearing for employers outside the Act (759/2004 §21(1)). Rule ids (R-COOP-*)
// refer to ../shared/LAW.md.
//
// The package holds the pure rules: which procedure applies, the statutory
// time limits in calendar days of Europe/Helsinki, when minutes are signed
// and when a case may be concluded. It imports only the standard library.
package cooperation

import (
	"slices"
	"time"
)

// Procedure is how the monitoring is handled with the staff.
type Procedure string

// Procedures.
const (
	Dialogue           Procedure = "dialogue"
	ChangeNegotiations Procedure = "change_negotiations"
	Hearing            Procedure = "hearing"
)

// Procedures lists every procedure.
var Procedures = []Procedure{Dialogue, ChangeNegotiations, Hearing}

// Valid reports whether p is known.
func (p Procedure) Valid() bool { return slices.Contains(Procedures, p) }

// Status of a case: draft → information_delivered → in_progress →
// concluded / withdrawn.
type Status string

// Case statuses.
const (
	StatusDraft                Status = "draft"
	StatusInformationDelivered Status = "information_delivered"
	StatusInProgress           Status = "in_progress"
	StatusConcluded            Status = "concluded"
	StatusWithdrawn            Status = "withdrawn"
)

// RepresentativeType is the kind of staff representative (R-COOP-3).
type RepresentativeType string

// Representative types of 1333/2021 §5.
const (
	ShopSteward               RepresentativeType = "shop_steward"
	ElectedRepresentative     RepresentativeType = "elected_representative"
	SafetyRepresentative      RepresentativeType = "safety_representative"
	CooperationRepresentative RepresentativeType = "cooperation_representative"
)

// RepresentativeTypes lists the types.
var RepresentativeTypes = []RepresentativeType{ShopSteward, ElectedRepresentative, SafetyRepresentative, CooperationRepresentative}

// Valid reports whether t is known.
func (t RepresentativeType) Valid() bool { return slices.Contains(RepresentativeTypes, t) }

// MaxCooperationTerm is the longest term of a co-operation representative
// (R-COOP-3: at most 2 years).
const MaxCooperationTermYears = 2

// Representative is a member of the staff side of a staff group.
type Representative struct {
	Email     string
	Name      string
	Type      RepresentativeType
	TermStart time.Time // co-operation representatives only
	TermEnd   time.Time
}

// ValidTerm reports whether a co-operation representative's term is set and
// at most two years long (R-COOP-3); other types have no term here.
func (r Representative) ValidTerm() bool {
	if r.Type != CooperationRepresentative {
		return true
	}
	return !r.TermStart.IsZero() && r.TermEnd.After(r.TermStart) &&
		!r.TermEnd.After(r.TermStart.AddDate(MaxCooperationTermYears, 0, 0))
}

// StaffGroup is a group of the staff side: its representatives or, where
// the group has none, all its employees together (R-COOP-3).
type StaffGroup struct {
	Name            string
	Representatives []Representative
	// AllEmployees: the group has no representative, so all of its
	// employees take part together.
	AllEmployees bool
	Units        []string
}
