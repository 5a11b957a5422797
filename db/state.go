package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"vaaka/monitoring"
)

// querier is what both *sql.DB and *Tx offer for reads.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// activityJSON is the storage form of an activity version (the data column
// of activities and activity_versions). It is this package's format, kept
// separate from the API's DTOs.
type activityJSON struct {
	Name              string                         `json:"name"`
	Description       string                         `json:"description"`
	Method            string                         `json:"method"`
	System            string                         `json:"system"`
	Directions        []string                       `json:"directions"`
	Queues            []string                       `json:"queues"`
	Purposes          []purposeJSON                  `json:"purposes"`
	LawfulBasis       string                         `json:"lawful_basis"`
	LawfulBasisDetail string                         `json:"lawful_basis_detail"`
	Necessity         necessityJSON                  `json:"necessity"`
	DataCategories    []string                       `json:"data_categories"`
	Biometric         bool                           `json:"biometric"`
	SpecialNotes      string                         `json:"special_notes"`
	BusinessLinesOnly bool                           `json:"business_lines_only"`
	Units             []string                       `json:"units"`
	AuthorizedUsers   []authorizedJSON               `json:"authorized_users"`
	RetentionDays     int                            `json:"retention_days"`
	RetentionCriteria string                         `json:"retention_criteria"`
	RetentionReason   string                         `json:"retention_reason"`
	Inbound           map[monitoring.Language]string `json:"inbound"`
	Outbound          map[monitoring.Language]string `json:"outbound"`
	IVRPlacement      string                         `json:"ivr_placement"`
	PrivacyNoticeURL  string                         `json:"privacy_notice_url"`
	PreInformed       string                         `json:"pre_informed_customers"`
	DPIARequired      bool                           `json:"dpia_required"`
	DPIACompletedOn   string                         `json:"dpia_completed_on"`
	DPIASummary       string                         `json:"dpia_summary"`
	DPIAReasonNotReq  string                         `json:"dpia_reason_not_required"`
	DPIAFileRef       string                         `json:"dpia_file_ref"`
	Recipients        string                         `json:"recipients"`
	Transfers         string                         `json:"transfers"`
	SecurityMeasures  string                         `json:"security_measures"`
	ReviewOn          string                         `json:"review_on"`
	IntroductionOn    string                         `json:"introduction_on"`
}

type purposeJSON struct {
	Code        string `json:"code"`
	Description string `json:"description"`
}

type necessityJSON struct {
	Category        string `json:"category"`
	Justification   string `json:"justification"`
	Alternatives    string `json:"alternatives"`
	Proportionality string `json:"proportionality"`
}

type authorizedJSON struct {
	Email string `json:"email"`
	Task  string `json:"task"`
}

// encodeActivity returns the storage JSON of a's register fields (not id,
// status, version or times, which have columns).
func encodeActivity(a *monitoring.Activity) (string, error) {
	j := activityJSON{
		Name: a.Name, Description: a.Description, Method: string(a.Method), System: a.System,
		Queues: a.Queues, LawfulBasis: string(a.LawfulBasis), LawfulBasisDetail: a.LawfulBasisDetail,
		Necessity:      necessityJSON{string(a.Necessity.Category), a.Necessity.Justification, a.Necessity.Alternatives, a.Necessity.Proportionality},
		DataCategories: a.DataCategories, Biometric: a.SpecialCategories.Biometric, SpecialNotes: a.SpecialCategories.Notes,
		BusinessLinesOnly: a.BusinessLinesOnly, Units: a.Units,
		RetentionDays: a.RetentionDays, RetentionCriteria: a.RetentionCriteria, RetentionReason: a.RetentionReason,
		Inbound: a.CallerInformation.Inbound, Outbound: a.CallerInformation.Outbound,
		IVRPlacement: a.CallerInformation.IVRPlacement, PrivacyNoticeURL: a.CallerInformation.PrivacyNoticeURL,
		PreInformed:  a.CallerInformation.PreInformedCustomers,
		DPIARequired: a.DPIA.Required, DPIACompletedOn: formatDate(a.DPIA.CompletedOn), DPIASummary: a.DPIA.Summary,
		DPIAReasonNotReq: a.DPIA.ReasonNotRequired, DPIAFileRef: a.DPIA.FileRef,
		Recipients: a.Recipients, Transfers: a.Transfers, SecurityMeasures: a.SecurityMeasures,
		ReviewOn: formatDate(a.ReviewOn), IntroductionOn: formatDate(a.IntroductionOn),
	}
	for _, d := range a.Directions {
		j.Directions = append(j.Directions, string(d))
	}
	for _, p := range a.Purposes {
		j.Purposes = append(j.Purposes, purposeJSON{p.Code, p.Description})
	}
	for _, u := range a.AuthorizedUsers {
		j.AuthorizedUsers = append(j.AuthorizedUsers, authorizedJSON{u.Email, u.Task})
	}
	b, err := json.Marshal(j)
	return string(b), err
}

// decodeActivity fills a's register fields from storage JSON.
func decodeActivity(data string, a *monitoring.Activity) error {
	var j activityJSON
	if err := json.Unmarshal([]byte(data), &j); err != nil {
		return fmt.Errorf("db: decode activity: %w", err)
	}
	a.Name, a.Description, a.Method, a.System = j.Name, j.Description, monitoring.Method(j.Method), j.System
	a.Queues, a.LawfulBasis, a.LawfulBasisDetail = j.Queues, monitoring.LawfulBasis(j.LawfulBasis), j.LawfulBasisDetail
	a.Necessity = monitoring.Necessity{Category: monitoring.NecessityCategory(j.Necessity.Category), Justification: j.Necessity.Justification,
		Alternatives: j.Necessity.Alternatives, Proportionality: j.Necessity.Proportionality}
	a.DataCategories = j.DataCategories
	a.SpecialCategories = monitoring.SpecialCategories{Biometric: j.Biometric, Notes: j.SpecialNotes}
	a.BusinessLinesOnly, a.Units = j.BusinessLinesOnly, j.Units
	a.RetentionDays, a.RetentionCriteria, a.RetentionReason = j.RetentionDays, j.RetentionCriteria, j.RetentionReason
	a.CallerInformation = monitoring.CallerInformation{Inbound: j.Inbound, Outbound: j.Outbound, IVRPlacement: j.IVRPlacement,
		PrivacyNoticeURL: j.PrivacyNoticeURL, PreInformedCustomers: j.PreInformed}
	a.DPIA = monitoring.DPIA{Required: j.DPIARequired, Summary: j.DPIASummary, ReasonNotRequired: j.DPIAReasonNotReq, FileRef: j.DPIAFileRef}
	a.Recipients, a.Transfers, a.SecurityMeasures = j.Recipients, j.Transfers, j.SecurityMeasures
	a.Directions, a.Purposes, a.AuthorizedUsers = nil, nil, nil
	for _, d := range j.Directions {
		a.Directions = append(a.Directions, monitoring.Direction(d))
	}
	for _, p := range j.Purposes {
		a.Purposes = append(a.Purposes, monitoring.Purpose{Code: p.Code, Description: p.Description})
	}
	for _, u := range j.AuthorizedUsers {
		a.AuthorizedUsers = append(a.AuthorizedUsers, monitoring.AuthorizedUser{Email: u.Email, Task: u.Task})
	}
	var err error
	var errs []error
	a.DPIA.CompletedOn, err = parseDate(j.DPIACompletedOn)
	errs = append(errs, err)
	a.ReviewOn, err = parseDate(j.ReviewOn)
	errs = append(errs, err)
	a.IntroductionOn, err = parseDate(j.IntroductionOn)
	errs = append(errs, err)
	return errors.Join(errs...)
}

// activityAt returns the version of activity id that was in force at t
// (of those with valid_from <= t, the highest version: a version seeded
// with an earlier validity supersedes the ones before it), or nil when the activity did not exist
// yet or does not exist. Flags are computed from it.
func activityAt(ctx context.Context, q querier, id int64, t time.Time) (*monitoring.Activity, error) {
	a := &monitoring.Activity{ID: id}
	var status, data, validFrom string
	err := q.QueryRowContext(ctx, `SELECT version, status, data, valid_from FROM activity_versions
		WHERE activity_id = ? AND valid_from <= ? ORDER BY version DESC LIMIT 1`,
		id, formatTime(t)).Scan(&a.Version, &status, &data, &validFrom)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("db: activity %d at %s: %w", id, t, err)
	}
	a.Status = monitoring.Status(status)
	if err := decodeActivity(data, a); err != nil {
		return nil, err
	}
	a.UpdatedAt, err = parseTime(validFrom)
	return a, err
}

// employeeAt returns the unit of an employee at t from employee_history.
func employeeAt(ctx context.Context, q querier, staffID string, t time.Time) (monitoring.EmployeeAt, error) {
	var unit string
	var active bool
	err := q.QueryRowContext(ctx, `SELECT unit, active FROM employee_history
		WHERE staff_id = ? AND valid_from <= ? ORDER BY valid_from DESC LIMIT 1`, staffID, formatTime(t)).Scan(&unit, &active)
	if errors.Is(err, sql.ErrNoRows) {
		return monitoring.EmployeeAt{}, nil
	}
	if err != nil {
		return monitoring.EmployeeAt{}, fmt.Errorf("db: employee %s at %s: %w", staffID, t, err)
	}
	return monitoring.EmployeeAt{Known: true, Unit: unit}, nil
}

// queryRows runs a list query and scans every row with scan; errors are
// wrapped with what ("db: list notices").
func queryRows[T any](ctx context.Context, q querier, what string, scan func(interface{ Scan(...any) error }) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		x, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}
