package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"vaaka/monitoring"
)

// SettingsService keeps the organisation settings (the single row id = 1).
type SettingsService struct {
	db *DB
}

var _ monitoring.SettingsService = (*SettingsService)(nil)

// NewSettingsService returns the settings of d.
func NewSettingsService(d *DB) *SettingsService { return &SettingsService{db: d} }

// Organisation returns the organisation settings.
func (s *SettingsService) Organisation(ctx context.Context) (monitoring.Organisation, error) {
	return loadOrganisation(ctx, s.db.read)
}

// UpdateOrganisation validates and stores o; the audit entry lists the
// changed fields.
func (s *SettingsService) UpdateOrganisation(ctx context.Context, actor string, o monitoring.Organisation) error {
	if err := o.Validate(); err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	old, err := loadOrganisation(ctx, tx)
	if err != nil {
		return err
	}
	changes := auditChanges(organisationText(old), organisationText(o))
	if len(changes) == 0 {
		return nil
	}
	_, err = tx.ExecContext(ctx, `UPDATE organisation SET name = ?, business_id = ?, address = ?, dpo_contact = ?,
		privacy_notice_url = ?, sector = ?, headcount = ?, default_language = ?, time_zone = ?, updated_at = ? WHERE id = 1`,
		o.Name, o.BusinessID, o.Address, o.DPOContact, o.PrivacyNoticeURL, string(o.Sector), o.Headcount,
		string(o.DefaultLanguage), o.TimeZone, formatTime(tx.now))
	if err != nil {
		return fmt.Errorf("db: update organisation: %w", err)
	}
	if err := appendAudit(ctx, tx, actor, "organisation.updated", "organisation", "1", map[string]any{"changes": changes}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("db: update organisation: %w", err)
	}
	return nil
}

// loadOrganisation reads the organisation row; a missing row (never after
// migration) reads as the defaults.
func loadOrganisation(ctx context.Context, q querier) (monitoring.Organisation, error) {
	var o monitoring.Organisation
	var sector, lang, updated string
	err := q.QueryRowContext(ctx, `SELECT name, business_id, address, dpo_contact, privacy_notice_url, sector, headcount,
		default_language, time_zone, updated_at FROM organisation WHERE id = 1`).Scan(
		&o.Name, &o.BusinessID, &o.Address, &o.DPOContact, &o.PrivacyNoticeURL, &sector, &o.Headcount, &lang, &o.TimeZone, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return monitoring.DefaultOrganisation(), nil
	}
	if err != nil {
		return o, fmt.Errorf("db: organisation: %w", err)
	}
	o.Sector, o.DefaultLanguage = monitoring.Sector(sector), monitoring.Language(lang)
	o.UpdatedAt, err = parseTime(updated)
	return o, err
}

// organisationText is o as display text by API field name, for the audit.
func organisationText(o monitoring.Organisation) map[string]string {
	return map[string]string{
		"name": o.Name, "business_id": o.BusinessID, "address": o.Address, "dpo_contact": o.DPOContact,
		"privacy_notice_url": o.PrivacyNoticeURL, "sector": string(o.Sector), "headcount": strconv.Itoa(o.Headcount),
		"default_language": string(o.DefaultLanguage), "time_zone": o.TimeZone,
	}
}
