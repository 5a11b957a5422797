package db_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"vaaka/db"
	"vaaka/monitoring"
)

// completeActivity returns a register entry that meets every rule of the
// readiness gate that the entry itself can meet: only the co-operation
// (R-DPIA-2, R-COOP-10), notice (R-NOT-1) and introduction date (R-SEQ-1)
// rules stay unmet. Other tests reuse it; keep the name.
func completeActivity() *monitoring.Activity {
	return &monitoring.Activity{
		Name:        "Asiakaspalvelun puheluiden tallennus",
		Description: "Asiakaspalvelujonon puhelut tallennetaan laadunvarmistusta varten.",
		Method:      monitoring.CallRecording,
		System:      "Puhelinjärjestelmä X",
		Directions:  []monitoring.Direction{monitoring.Inbound, monitoring.Outbound},
		Queues:      []string{"asiakaspalvelu"},
		Purposes: []monitoring.Purpose{
			{Code: "quality", Description: "Palvelun laadun varmistaminen"},
			{Code: "dispute", Description: "Sopimusriitojen selvittäminen"},
		},
		LawfulBasis:       monitoring.LegitimateInterests,
		LawfulBasisDetail: "Oikeutettu etu: palvelun laatu ja sopimusten todentaminen; tasapainotesti tehty.",
		Necessity: monitoring.Necessity{
			Category:        monitoring.RightsAndObligations,
			Justification:   "Puhelut ovat sopimusten tekemisen väline.",
			Alternatives:    "Kirjalliset muistiinpanot eivät riitä todentamiseen.",
			Proportionality: "Vain työpuhelut, lyhyt säilytysaika.",
		},
		DataCategories:    []string{"voice", "call_metadata"},
		SpecialCategories: monitoring.SpecialCategories{Notes: "Ei äänibiometriaa; terveystiedot mahdollisia, ohjeistettu."},
		BusinessLinesOnly: true,
		Units:             []string{"Asiakaspalvelu"},
		AuthorizedUsers:   []monitoring.AuthorizedUser{{Email: "esimies@example.fi", Task: "Tiiminvetäjä, laadunarviointi"}},
		RetentionDays:     90,
		RetentionCriteria: "90 päivää puhelun alusta",
		CallerInformation: monitoring.CallerInformation{
			Inbound:          map[monitoring.Language]string{monitoring.Finnish: "Puhelu tallennetaan.", monitoring.Swedish: "Samtalet spelas in."},
			Outbound:         map[monitoring.Language]string{monitoring.Finnish: "Tämä puhelu tallennetaan."},
			IVRPlacement:     "Heti valikon alussa",
			PrivacyNoticeURL: "https://example.fi/tietosuoja",
		},
		DPIA: monitoring.DPIA{
			Required:    true,
			CompletedOn: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC),
			Summary:     "Riskit arvioitu ja hallittu.",
			FileRef:     "DPIA-2026-1",
		},
		Recipients:       "Ei luovutuksia",
		Transfers:        "Ei siirtoja EU:n ulkopuolelle",
		SecurityMeasures: "Pääsynhallinta, lokitus",
	}
}

// coreCreateActivity stores a and fails the test on error.
func coreCreateActivity(t *testing.T, reg *db.RegisterService, a *monitoring.Activity) *monitoring.Activity {
	t.Helper()
	if err := reg.CreateActivity(t.Context(), "hr@example.fi", a); err != nil {
		t.Fatal(err)
	}
	return a
}

// coreWantErr fails unless err is a *monitoring.Error with code and, when
// field is not "", a message key for field (key too when not "").
func coreWantErr(t *testing.T, err error, code monitoring.Code, field, key string) *monitoring.Error {
	t.Helper()
	var me *monitoring.Error
	if !errors.As(err, &me) {
		t.Fatalf("err = %v, want a %s domain error", err, code)
	}
	if me.Code != code {
		t.Fatalf("code = %s (%v), want %s", me.Code, err, code)
	}
	if field != "" {
		got, ok := me.Fields[field]
		if !ok {
			t.Fatalf("fields = %v, want %q", me.Fields, field)
		}
		if key != "" && got != key {
			t.Fatalf("fields[%q] = %q, want %q", field, got, key)
		}
	}
	return me
}

func ruleIDs(rs []monitoring.Readiness) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Rule)
	}
	return out
}

func TestCreateActivity_DefaultReview_R_REV_1(t *testing.T) {
	d := MustOpenDB(t)
	reg := db.NewRegisterService(d)
	a := coreCreateActivity(t, reg, completeActivity())
	if a.ID == 0 || a.Status != monitoring.StatusDraft || a.Version != 1 || !a.CreatedAt.Equal(testNow) {
		t.Fatalf("created = id %d status %s version %d at %s", a.ID, a.Status, a.Version, a.CreatedAt)
	}
	// testNow is 2026-11-27 in Helsinki: the review falls due a year later.
	if got, want := a.ReviewOn, time.Date(2027, 11, 27, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("review on = %s, want %s", got, want)
	}
	got, err := reg.FindActivity(t.Context(), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := monitoring.Diff(a, got); len(diff) != 0 {
		t.Errorf("found differs from created: %v", diff)
	}
	if got.Status != monitoring.StatusDraft || got.Version != 1 || !got.CreatedAt.Equal(testNow) {
		t.Errorf("found = status %s version %d created %s", got.Status, got.Version, got.CreatedAt)
	}

	explicit := completeActivity()
	explicit.ReviewOn = time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	coreCreateActivity(t, reg, explicit)
	if got, _ := reg.FindActivity(t.Context(), explicit.ID); !got.ReviewOn.Equal(explicit.ReviewOn) {
		t.Errorf("explicit review on = %s", got.ReviewOn)
	}

	entries, _, err := db.NewAuditService(d).ListAudit(t.Context(), monitoring.AuditFilter{Entity: "activity"})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 || entries[1].Action != "activity.created" || entries[1].Actor != "hr@example.fi" {
		t.Fatalf("audit = %+v", entries)
	}
}

func TestCreateActivity_Invalid(t *testing.T) {
	reg := db.NewRegisterService(MustOpenDB(t))
	a := completeActivity()
	a.Name = " "
	a.Purposes = append(a.Purposes, monitoring.Purpose{Code: "misuse_investigation", Description: "x"}) // R-PUR-2
	err := reg.CreateActivity(t.Context(), "hr@example.fi", a)
	me := coreWantErr(t, err, monitoring.Invalid, "name", monitoring.MsgRequired)
	if me.Fields["purposes[2].code"] != monitoring.MsgForbidden {
		t.Errorf("fields = %v, want purposes[2].code forbidden (R-PUR-2)", me.Fields)
	}
	if _, next, _ := reg.ListActivities(t.Context(), monitoring.ActivityFilter{}); next != 0 {
		t.Errorf("next = %d", next)
	}
}

func TestFindActivity_NotFound(t *testing.T) {
	reg := db.NewRegisterService(MustOpenDB(t))
	_, err := reg.FindActivity(t.Context(), 42)
	coreWantErr(t, err, monitoring.NotFound, "", "")
	_, err = reg.History(t.Context(), 42)
	coreWantErr(t, err, monitoring.NotFound, "", "")
	_, err = reg.Readiness(t.Context(), 42, testNow)
	coreWantErr(t, err, monitoring.NotFound, "", "")
	_, err = reg.UpdateActivity(t.Context(), "hr@example.fi", 42, func(*monitoring.Activity) error { return nil })
	coreWantErr(t, err, monitoring.NotFound, "", "")
	_, err = reg.SetStatus(t.Context(), "hr@example.fi", 42, monitoring.StatusRetired, testNow)
	coreWantErr(t, err, monitoring.NotFound, "", "")
}

func TestListActivities(t *testing.T) {
	reg := db.NewRegisterService(MustOpenDB(t))
	var ids []int64
	for range 5 {
		ids = append(ids, coreCreateActivity(t, reg, completeActivity()).ID)
	}
	if err := reg.SeedStatus(t.Context(), ids[1], monitoring.StatusActive, testNow); err != nil {
		t.Fatal(err)
	}
	if err := reg.SeedStatus(t.Context(), ids[3], monitoring.StatusActive, testNow); err != nil {
		t.Fatal(err)
	}
	var got []int64
	cursor := int64(0)
	for pages := 0; ; pages++ {
		page, next, err := reg.ListActivities(t.Context(), monitoring.ActivityFilter{Cursor: cursor, Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range page {
			got = append(got, a.ID)
		}
		if next == 0 {
			break
		}
		if pages > 5 {
			t.Fatal("too many pages")
		}
		cursor = next
	}
	if !slices.Equal(got, ids) {
		t.Errorf("paged ids = %v, want %v", got, ids)
	}
	active, next, err := reg.ListActivities(t.Context(), monitoring.ActivityFilter{Status: monitoring.StatusActive})
	if err != nil {
		t.Fatal(err)
	}
	if len(active) != 2 || active[0].ID != ids[1] || active[1].ID != ids[3] || next != 0 {
		t.Errorf("active = %d items, next %d", len(active), next)
	}
	_, _, err = reg.ListActivities(t.Context(), monitoring.ActivityFilter{Status: "bogus"})
	coreWantErr(t, err, monitoring.Invalid, "status", monitoring.MsgUnknown)
}

func TestUpdateActivity_History(t *testing.T) {
	d := MustOpenDB(t)
	reg := db.NewRegisterService(d)
	a := coreCreateActivity(t, reg, completeActivity())

	later := testNow.Add(time.Hour)
	d.Now = func() time.Time { return later }
	got, err := reg.UpdateActivity(t.Context(), "dpo@example.fi", a.ID, func(x *monitoring.Activity) error {
		x.Description = "Uusi kuvaus"
		x.Status = monitoring.StatusActive // ignored: status goes through SetStatus
		x.Version = 99                     // ignored
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 2 || got.Status != monitoring.StatusDraft || got.Description != "Uusi kuvaus" || !got.UpdatedAt.Equal(later) || !got.CreatedAt.Equal(testNow) {
		t.Fatalf("updated = version %d status %s desc %q updated %s", got.Version, got.Status, got.Description, got.UpdatedAt)
	}

	// The change func's error is returned as is and nothing is written.
	boom := errors.New("boom")
	if _, err := reg.UpdateActivity(t.Context(), "hr@example.fi", a.ID, func(*monitoring.Activity) error { return boom }); !errors.Is(err, boom) {
		t.Errorf("err = %v, want boom", err)
	}
	// An invalid result is refused.
	_, err = reg.UpdateActivity(t.Context(), "hr@example.fi", a.ID, func(x *monitoring.Activity) error {
		x.AuthorizedUsers = append(x.AuthorizedUsers, monitoring.AuthorizedUser{Email: "not an email", Task: "x"})
		return nil
	})
	coreWantErr(t, err, monitoring.Invalid, "authorized_users[1].email", monitoring.MsgEmail)
	// A change that changes nothing writes no version.
	same, err := reg.UpdateActivity(t.Context(), "hr@example.fi", a.ID, func(*monitoring.Activity) error { return nil })
	if err != nil || same.Version != 2 {
		t.Fatalf("no-op update = version %d, %v", same.Version, err)
	}

	hist, err := reg.History(t.Context(), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 2 {
		t.Fatalf("history has %d versions, want 2", len(hist))
	}
	first, second := hist[0], hist[1]
	if first.Version != 1 || first.Actor != "hr@example.fi" || !first.At.Equal(testNow) || first.Status != monitoring.StatusDraft {
		t.Errorf("first = %+v", first)
	}
	if !slices.ContainsFunc(first.Changes, func(c monitoring.FieldChange) bool { return c.Field == "name" && c.Old == "" && c.New == a.Name }) {
		t.Errorf("first changes lack the name: %v", first.Changes)
	}
	want := []monitoring.FieldChange{{Field: "description", Old: a.Description, New: "Uusi kuvaus"}}
	if second.Version != 2 || second.Actor != "dpo@example.fi" || !second.At.Equal(later) || !slices.Equal(second.Changes, want) {
		t.Errorf("second = %+v, want changes %v", second, want)
	}

	entries, _, err := db.NewAuditService(d).ListAudit(t.Context(), monitoring.AuditFilter{Entity: "activity", Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if e := entries[0]; e.Action != "activity.updated" || e.Actor != "dpo@example.fi" ||
		e.Detail != `{"changes":[{"field":"description","old":"`+a.Description+`","new":"Uusi kuvaus"}],"material":false,"version":2}` {
		t.Errorf("audit = %+v", e)
	}
}

func TestUpdateActivity_R_SEQ_2(t *testing.T) {
	tests := []struct {
		name   string
		from   monitoring.Status
		change func(*monitoring.Activity)
		want   monitoring.Status
	}{
		{"active new purpose", monitoring.StatusActive, func(a *monitoring.Activity) {
			a.Purposes = append(a.Purposes, monitoring.Purpose{Code: "coaching", Description: "Valmennus"})
		}, monitoring.StatusInCooperation},
		{"active other method", monitoring.StatusActive, func(a *monitoring.Activity) { a.Method = monitoring.SpeechAnalytics }, monitoring.StatusInCooperation},
		{"active other units", monitoring.StatusActive, func(a *monitoring.Activity) { a.Units = append(a.Units, "Myynti") }, monitoring.StatusInCooperation},
		{"active longer retention", monitoring.StatusActive, func(a *monitoring.Activity) { a.RetentionDays = 180 }, monitoring.StatusInCooperation},
		{"ready new purpose", monitoring.StatusReady, func(a *monitoring.Activity) {
			a.Purposes = append(a.Purposes, monitoring.Purpose{Code: "coaching", Description: "Valmennus"})
		}, monitoring.StatusInCooperation},
		{"suspended other method", monitoring.StatusSuspended, func(a *monitoring.Activity) { a.Method = monitoring.ScreenRecording }, monitoring.StatusInCooperation},
		{"active description", monitoring.StatusActive, func(a *monitoring.Activity) { a.Description = "Tarkennettu" }, monitoring.StatusActive},
		{"active shorter retention", monitoring.StatusActive, func(a *monitoring.Activity) { a.RetentionDays = 30 }, monitoring.StatusActive},
		{"active purpose removed", monitoring.StatusActive, func(a *monitoring.Activity) { a.Purposes = a.Purposes[:1] }, monitoring.StatusActive},
		{"draft new purpose", monitoring.StatusDraft, func(a *monitoring.Activity) {
			a.Purposes = append(a.Purposes, monitoring.Purpose{Code: "coaching", Description: "Valmennus"})
		}, monitoring.StatusDraft},
		{"retired other method", monitoring.StatusRetired, func(a *monitoring.Activity) { a.Method = monitoring.ScreenRecording }, monitoring.StatusRetired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := db.NewRegisterService(MustOpenDB(t))
			a := coreCreateActivity(t, reg, completeActivity())
			if tt.from != monitoring.StatusDraft {
				if err := reg.SeedStatus(t.Context(), a.ID, tt.from, testNow.Add(-24*time.Hour)); err != nil {
					t.Fatal(err)
				}
			}
			got, err := reg.UpdateActivity(t.Context(), "hr@example.fi", a.ID, func(x *monitoring.Activity) error { tt.change(x); return nil })
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != tt.want {
				t.Errorf("status = %s, want %s", got.Status, tt.want)
			}
			found, err := reg.FindActivity(t.Context(), a.ID)
			if err != nil {
				t.Fatal(err)
			}
			if found.Status != tt.want || found.Version != got.Version {
				t.Errorf("stored = %s v%d, returned %s v%d", found.Status, found.Version, got.Status, got.Version)
			}
		})
	}
}

func TestReadiness_CompleteActivity(t *testing.T) {
	reg := db.NewRegisterService(MustOpenDB(t))
	a := coreCreateActivity(t, reg, completeActivity())
	rs, err := reg.Readiness(t.Context(), a.ID, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != len(monitoring.ReadinessRules) {
		t.Errorf("%d results, want %d", len(rs), len(monitoring.ReadinessRules))
	}
	got := ruleIDs(monitoring.Unmet(rs))
	want := []string{"R-DPIA-2", "R-COOP-10", "R-NOT-1", "R-SEQ-1"}
	if !slices.Equal(got, want) {
		t.Errorf("unmet = %v, want %v", got, want)
	}
}

// TestReadiness_OrganisationContext_R_INF_1: the organisation's privacy
// notice URL stands in for the activity's, and the announcement must exist
// in the organisation's default language.
func TestReadiness_OrganisationContext_R_INF_1(t *testing.T) {
	d := MustOpenDB(t)
	reg := db.NewRegisterService(d)
	a := completeActivity()
	a.CallerInformation.PrivacyNoticeURL = ""
	coreCreateActivity(t, reg, a)
	met := func() bool {
		t.Helper()
		rs, err := reg.Readiness(t.Context(), a.ID, testNow)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			if r.Rule == "R-INF-1" {
				return r.Met
			}
		}
		t.Fatal("no R-INF-1")
		return false
	}
	if met() {
		t.Fatal("R-INF-1 met without any privacy notice URL")
	}
	o := monitoring.DefaultOrganisation()
	o.Name, o.BusinessID, o.PrivacyNoticeURL = "Oy Esimerkki Ab", "1234567-1", "https://example.fi/privacy"
	settings := db.NewSettingsService(d)
	if err := settings.UpdateOrganisation(t.Context(), "admin@example.fi", o); err != nil {
		t.Fatal(err)
	}
	if !met() {
		t.Fatal("R-INF-1 unmet with the organisation's privacy notice URL")
	}
	o.DefaultLanguage = monitoring.English // no English outbound text
	if err := settings.UpdateOrganisation(t.Context(), "admin@example.fi", o); err != nil {
		t.Fatal(err)
	}
	if met() {
		t.Fatal("R-INF-1 met without an announcement in the default language")
	}
}

func TestSetStatus_R_SEQ_1(t *testing.T) {
	d := MustOpenDB(t)
	reg := db.NewRegisterService(d)
	a := coreCreateActivity(t, reg, completeActivity())

	_, err := reg.SetStatus(t.Context(), "hr@example.fi", a.ID, monitoring.StatusActive, testNow)
	me := coreWantErr(t, err, monitoring.RuleRefused, "", "")
	if got, want := ruleIDs(me.Rules), []string{"R-DPIA-2", "R-COOP-10", "R-NOT-1", "R-SEQ-1"}; !slices.Equal(got, want) {
		t.Errorf("activation refused by %v, want %v", got, want)
	}
	for _, r := range me.Rules {
		if r.Met || r.Key == "" {
			t.Errorf("refusing rule %+v", r)
		}
	}

	// Ready: everything but the notice and the introduction date (R-NOT-1,
	// R-SEQ-1).
	_, err = reg.SetStatus(t.Context(), "hr@example.fi", a.ID, monitoring.StatusReady, testNow)
	me = coreWantErr(t, err, monitoring.RuleRefused, "", "")
	if got, want := ruleIDs(me.Rules), []string{"R-DPIA-2", "R-COOP-10"}; !slices.Equal(got, want) {
		t.Errorf("ready refused by %v, want %v", got, want)
	}

	// An incomplete entry is refused with its register rules too.
	inc := completeActivity()
	inc.LawfulBasis = monitoring.Consent // R-NEC-2
	inc.AuthorizedUsers = nil            // R-ACC-1
	coreCreateActivity(t, reg, inc)
	_, err = reg.SetStatus(t.Context(), "hr@example.fi", inc.ID, monitoring.StatusActive, testNow)
	me = coreWantErr(t, err, monitoring.RuleRefused, "", "")
	got := ruleIDs(me.Rules)
	for _, want := range []string{"R-NEC-2", "R-ACC-1", "R-COOP-10"} {
		if !slices.Contains(got, want) {
			t.Errorf("refused by %v, want %s among them", got, want)
		}
	}

	// Nothing was written by the refusals.
	found, err := reg.FindActivity(t.Context(), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if found.Status != monitoring.StatusDraft || found.Version != 1 {
		t.Errorf("after refusals: %s v%d", found.Status, found.Version)
	}
}

func TestSetStatus_Transitions(t *testing.T) {
	tests := []struct {
		from, to monitoring.Status
		ok       bool
	}{
		{monitoring.StatusDraft, monitoring.StatusDraft, false},
		{monitoring.StatusDraft, monitoring.StatusSuspended, false},
		{monitoring.StatusDraft, monitoring.StatusInCooperation, true},
		{monitoring.StatusDraft, monitoring.StatusRetired, true},
		{monitoring.StatusInCooperation, monitoring.StatusDraft, false},
		{monitoring.StatusInCooperation, monitoring.StatusInCooperation, false},
		{monitoring.StatusInCooperation, monitoring.StatusSuspended, false},
		{monitoring.StatusReady, monitoring.StatusInCooperation, true},
		{monitoring.StatusReady, monitoring.StatusSuspended, false},
		{monitoring.StatusActive, monitoring.StatusSuspended, true},
		{monitoring.StatusActive, monitoring.StatusInCooperation, true},
		{monitoring.StatusActive, monitoring.StatusReady, false},
		{monitoring.StatusActive, monitoring.StatusActive, false},
		{monitoring.StatusActive, monitoring.StatusDraft, false},
		{monitoring.StatusActive, monitoring.StatusRetired, true},
		{monitoring.StatusSuspended, monitoring.StatusInCooperation, true},
		{monitoring.StatusSuspended, monitoring.StatusReady, false},
		{monitoring.StatusSuspended, monitoring.StatusRetired, true},
		{monitoring.StatusRetired, monitoring.StatusRetired, false},
		{monitoring.StatusRetired, monitoring.StatusInCooperation, false},
		{monitoring.StatusRetired, monitoring.StatusDraft, false},
		{monitoring.StatusRetired, monitoring.StatusSuspended, false},
	}
	d := MustOpenDB(t)
	reg := db.NewRegisterService(d)
	audit := db.NewAuditService(d)
	for _, tt := range tests {
		t.Run(string(tt.from)+"_to_"+string(tt.to), func(t *testing.T) {
			a := coreCreateActivity(t, reg, completeActivity())
			if tt.from != monitoring.StatusDraft {
				if err := reg.SeedStatus(t.Context(), a.ID, tt.from, testNow); err != nil {
					t.Fatal(err)
				}
			}
			before, _ := reg.FindActivity(t.Context(), a.ID)
			got, err := reg.SetStatus(t.Context(), "hr@example.fi", a.ID, tt.to, testNow)
			if !tt.ok {
				coreWantErr(t, err, monitoring.Invalid, "status", "invalid_transition")
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != tt.to || got.Version != before.Version+1 {
				t.Errorf("got %s v%d, want %s v%d", got.Status, got.Version, tt.to, before.Version+1)
			}
			hist, err := reg.History(t.Context(), a.ID)
			if err != nil {
				t.Fatal(err)
			}
			last := hist[len(hist)-1]
			if last.Status != tt.to || last.Actor != "hr@example.fi" ||
				!slices.Equal(last.Changes, []monitoring.FieldChange{{Field: "status", Old: string(tt.from), New: string(tt.to)}}) {
				t.Errorf("last version = %+v", last)
			}
			entries, _, err := audit.ListAudit(t.Context(), monitoring.AuditFilter{Entity: "activity", Limit: 1})
			if err != nil {
				t.Fatal(err)
			}
			if e := entries[0]; e.Action != "activity.status" || e.Detail != `{"from":"`+string(tt.from)+`","to":"`+string(tt.to)+`","version":`+strconv.Itoa(got.Version)+`}` {
				t.Errorf("audit = %+v", e)
			}
		})
	}
	a := coreCreateActivity(t, reg, completeActivity())
	_, err := reg.SetStatus(t.Context(), "hr@example.fi", a.ID, "bogus", testNow)
	coreWantErr(t, err, monitoring.Invalid, "status", monitoring.MsgUnknown)
}

func TestSeedStatus(t *testing.T) {
	d := MustOpenDB(t)
	reg := db.NewRegisterService(d)
	a := coreCreateActivity(t, reg, completeActivity())
	past := testNow.Add(-30 * 24 * time.Hour)
	ctx := context.Background()
	if err := reg.SeedStatus(ctx, a.ID, monitoring.StatusActive, past); err != nil {
		t.Fatal(err)
	}
	found, err := reg.FindActivity(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if found.Status != monitoring.StatusActive {
		t.Fatalf("status = %s", found.Status)
	}
	hist, err := reg.History(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Seeded before version 1's start: a version valid from the seed time
	// and one valid from now, so that the status holds from past on.
	if len(hist) != 3 || !hist[1].At.Equal(past) || hist[1].Status != monitoring.StatusActive ||
		!hist[2].At.Equal(testNow) || hist[2].Status != monitoring.StatusActive || hist[1].Actor != "system" {
		t.Fatalf("history = %+v", hist)
	}
	if found.Version != 3 {
		t.Errorf("version = %d", found.Version)
	}
	// Seeded after the latest version: one version.
	if err := reg.SeedStatus(ctx, a.ID, monitoring.StatusSuspended, testNow.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	hist, _ = reg.History(ctx, a.ID)
	if len(hist) != 4 || hist[3].Status != monitoring.StatusSuspended {
		t.Fatalf("history = %+v", hist)
	}
	entries, _, _ := db.NewAuditService(d).ListAudit(ctx, monitoring.AuditFilter{Entity: "activity", Limit: 1})
	if entries[0].Action != "activity.seeded" {
		t.Errorf("audit = %+v", entries[0])
	}
	coreWantErr(t, reg.SeedStatus(ctx, 999, monitoring.StatusActive, past), monitoring.NotFound, "", "")
}
