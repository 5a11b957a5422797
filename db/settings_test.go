package db_test

import (
	"testing"

	"vaaka/db"
	"vaaka/monitoring"
)

func TestOrganisation(t *testing.T) {
	d := MustOpenDB(t)
	s := db.NewSettingsService(d)
	ctx := t.Context()
	got, err := s.Organisation(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got != monitoring.DefaultOrganisation() {
		t.Errorf("new installation = %+v, want the defaults", got)
	}

	o := monitoring.Organisation{
		Name: "Oy Esimerkki Ab", BusinessID: "1234567-1", Address: "Esimerkkikatu 1, 00100 Helsinki",
		DPOContact: "tietosuoja@example.fi", PrivacyNoticeURL: "https://example.fi/tietosuoja",
		Sector: monitoring.SectorPrivate, Headcount: 120, DefaultLanguage: monitoring.Swedish, TimeZone: "Europe/Stockholm",
	}
	if err := s.UpdateOrganisation(ctx, "admin@example.fi", o); err != nil {
		t.Fatal(err)
	}
	got, err = s.Organisation(ctx)
	if err != nil {
		t.Fatal(err)
	}
	o.UpdatedAt = testNow
	if got != o {
		t.Errorf("stored = %+v, want %+v", got, o)
	}

	entries, _, _ := db.NewAuditService(d).ListAudit(ctx, monitoring.AuditFilter{Entity: "organisation"})
	if len(entries) != 1 || entries[0].Action != "organisation.updated" || entries[0].Actor != "admin@example.fi" {
		t.Fatalf("audit = %+v", entries)
	}
	// Only changed fields are listed: the sector stayed "private".
	want := `{"changes":[{"field":"address","old":"","new":"Esimerkkikatu 1, 00100 Helsinki"},` +
		`{"field":"business_id","old":"","new":"1234567-1"},` +
		`{"field":"default_language","old":"fi","new":"sv"},` +
		`{"field":"dpo_contact","old":"","new":"tietosuoja@example.fi"},` +
		`{"field":"headcount","old":"0","new":"120"},` +
		`{"field":"name","old":"","new":"Oy Esimerkki Ab"},` +
		`{"field":"privacy_notice_url","old":"","new":"https://example.fi/tietosuoja"},` +
		`{"field":"time_zone","old":"Europe/Helsinki","new":"Europe/Stockholm"}]}`
	if entries[0].Detail != want {
		t.Errorf("detail = %s\nwant %s", entries[0].Detail, want)
	}
}

func TestUpdateOrganisation_Invalid(t *testing.T) {
	d := MustOpenDB(t)
	s := db.NewSettingsService(d)
	tests := []struct {
		name  string
		edit  func(*monitoring.Organisation)
		field string
		key   string
	}{
		{"business id check digit", func(o *monitoring.Organisation) { o.BusinessID = "1234567-2" }, "business_id", monitoring.MsgYTunnus},
		{"no name", func(o *monitoring.Organisation) { o.Name = "" }, "name", monitoring.MsgRequired},
		{"time zone", func(o *monitoring.Organisation) { o.TimeZone = "Mars/Olympus" }, "time_zone", monitoring.MsgTimeZone},
		{"sector", func(o *monitoring.Organisation) { o.Sector = "guild" }, "sector", monitoring.MsgUnknown},
		{"privacy url", func(o *monitoring.Organisation) { o.PrivacyNoticeURL = "example.fi" }, "privacy_notice_url", monitoring.MsgURL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := monitoring.DefaultOrganisation()
			o.Name, o.BusinessID = "Oy Esimerkki Ab", "1234567-1"
			tt.edit(&o)
			coreWantErr(t, s.UpdateOrganisation(t.Context(), "admin@example.fi", o), monitoring.Invalid, tt.field, tt.key)
		})
	}
	if got, _ := s.Organisation(t.Context()); got != monitoring.DefaultOrganisation() {
		t.Errorf("stored after refusals: %+v", got)
	}
	// Storing the same settings twice writes one audit entry.
	o := monitoring.DefaultOrganisation()
	o.Name, o.BusinessID = "Oy Esimerkki Ab", "1234567-1"
	for range 2 {
		if err := s.UpdateOrganisation(t.Context(), "admin@example.fi", o); err != nil {
			t.Fatal(err)
		}
	}
	entries, _, _ := db.NewAuditService(d).ListAudit(t.Context(), monitoring.AuditFilter{})
	if len(entries) != 1 {
		t.Errorf("audit has %d entries, want 1", len(entries))
	}
}
