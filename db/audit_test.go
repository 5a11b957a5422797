package db_test

import (
	"slices"
	"strings"
	"testing"

	"vaaka/db"
	"vaaka/monitoring"
)

// coreAuditFixture fills the audit trail through several services and
// returns the number of entries written (8).
func coreAuditFixture(t *testing.T, d *db.DB) int64 {
	t.Helper()
	ctx := t.Context()
	reg := db.NewRegisterService(d)
	a := coreCreateActivity(t, reg, completeActivity())                                              // 1
	if _, err := reg.UpdateActivity(ctx, "hr@example.fi", a.ID, func(x *monitoring.Activity) error { // 2
		x.Description = strings.Repeat("pitkä kuvaus ", 100)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.SetStatus(ctx, "hr@example.fi", a.ID, monitoring.StatusInCooperation, testNow); err != nil { // 3
		t.Fatal(err)
	}
	es := db.NewEmployeeService(d)
	if err := es.CreateEmployee(ctx, "hr@example.fi", coreEmployee("E1", "Eeva", "Asiakaspalvelu")); err != nil { // 4
		t.Fatal(err)
	}
	acc := db.NewAccountService(d)
	u := coreCreateUser(t, acc, coreUser("sup@example.fi", "Sari", monitoring.RoleSupervisor))                                                                                // 5
	if err := acc.CreateToken(ctx, "admin@example.fi", &monitoring.Token{UserID: u.ID, Name: "t", Scopes: []monitoring.Scope{monitoring.ScopeRead}, Hash: "h"}); err != nil { // 6
		t.Fatal(err)
	}
	o := monitoring.DefaultOrganisation()
	o.Name, o.BusinessID = "Oy Esimerkki Ab", "1234567-1"
	if err := db.NewSettingsService(d).UpdateOrganisation(ctx, "admin@example.fi", o); err != nil { // 7
		t.Fatal(err)
	}
	// R-LOG-1: reading another person's use log is recorded.
	if err := db.NewAuditService(d).Record(ctx, "dpo@example.fi", "use_log.read", "employee", "E1", map[string]any{"filter": "E1"}); err != nil { // 8
		t.Fatal(err)
	}
	return 8
}

func TestVerifyAudit_SeveralServices_R_LOG_1(t *testing.T) {
	d := MustOpenDB(t)
	n := coreAuditFixture(t, d)
	audit := db.NewAuditService(d)
	rep, err := audit.VerifyAudit(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if want := (monitoring.ChainReport{Chain: "audit", OK: true, Checked: n}); rep != want {
		t.Errorf("report = %+v, want %+v", rep, want)
	}
	// Long values are clipped in the detail.
	entries, _, _ := audit.ListAudit(t.Context(), monitoring.AuditFilter{Entity: "activity"})
	for _, e := range entries {
		if len(e.Detail) > 8000 {
			t.Errorf("%s detail is %d bytes", e.Action, len(e.Detail))
		}
	}
	if !strings.Contains(entries[1].Detail, "…") {
		t.Errorf("update detail not clipped: %s", entries[1].Detail)
	}
}

func TestVerifyAudit_Empty(t *testing.T) {
	rep, err := db.NewAuditService(MustOpenDB(t)).VerifyAudit(t.Context())
	if err != nil || !rep.OK || rep.Checked != 0 {
		t.Errorf("empty trail = %+v, %v", rep, err)
	}
}

func TestListAudit(t *testing.T) {
	d := MustOpenDB(t)
	coreAuditFixture(t, d)
	audit := db.NewAuditService(d)
	ctx := t.Context()
	var seqs []int64
	cursor := int64(0)
	for {
		page, next, err := audit.ListAudit(ctx, monitoring.AuditFilter{Cursor: cursor, Limit: 3})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page {
			seqs = append(seqs, e.Seq)
		}
		if next == 0 {
			break
		}
		cursor = next
	}
	if want := []int64{8, 7, 6, 5, 4, 3, 2, 1}; !slices.Equal(seqs, want) {
		t.Errorf("seqs = %v, want %v", seqs, want)
	}
	emp, _, err := audit.ListAudit(ctx, monitoring.AuditFilter{Entity: "employee", EntityID: "E1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(emp) != 2 || emp[0].Action != "use_log.read" || emp[0].Actor != "dpo@example.fi" || emp[0].Detail != `{"filter":"E1"}` ||
		emp[1].Action != "employee.created" || !emp[0].At.Equal(testNow) {
		t.Errorf("employee E1 entries = %+v", emp)
	}
	coreWantErr(t, audit.Record(ctx, "x", "", "employee", "E1", nil), monitoring.Invalid, "action", monitoring.MsgRequired)
}

func TestVerifyAudit_Tampering_R_LOG_1(t *testing.T) {
	tests := []struct {
		name     string
		sql      []string
		firstBad int64
		reason   string
		checked  int64 // entries verified before the first bad one
	}{
		{"detail changed", []string{`UPDATE audit SET detail = '{"changes":[]}' WHERE seq = 4`}, 4, "hash", 3},
		{"actor changed", []string{`UPDATE audit SET actor = 'someone@example.fi' WHERE seq = 1`}, 1, "hash", 0},
		{"time changed", []string{`UPDATE audit SET at = '2020-01-01T00:00:00.000000000Z' WHERE seq = 7`}, 7, "hash", 6},
		{"row deleted", []string{`DELETE FROM audit WHERE seq = 5`}, 6, "gap", 4},
		{"rows swapped", []string{
			`CREATE TEMP TABLE s AS SELECT * FROM audit WHERE seq IN (3, 4)`,
			`UPDATE audit SET (at, actor, action, entity, entity_id, detail, prev_hash, hash) =
				(SELECT at, actor, action, entity, entity_id, detail, prev_hash, hash FROM s WHERE s.seq = 7 - audit.seq) WHERE seq IN (3, 4)`,
		}, 3, "prev_hash", 2},
		{"row rehashed but next not", []string{`UPDATE audit SET detail = '{}', hash = 'x' WHERE seq = 2`}, 2, "hash", 1},
		{"last row deleted is not detectable without a receipt", []string{`DELETE FROM audit WHERE seq = 8`}, 0, "", 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := MustOpenDB(t)
			coreAuditFixture(t, d)
			raw := coreRawDB(t, d)
			conn, err := raw.Conn(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			for _, q := range append([]string{`DROP TRIGGER audit_no_update`, `DROP TRIGGER audit_no_delete`}, tt.sql...) {
				if _, err := conn.ExecContext(t.Context(), q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			rep, err := db.NewAuditService(d).VerifyAudit(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if tt.firstBad == 0 {
				if !rep.OK || rep.Checked != tt.checked {
					t.Errorf("report = %+v", rep)
				}
				return
			}
			if rep.OK || rep.FirstBad != tt.firstBad || rep.Reason != tt.reason || rep.Checked != tt.checked {
				t.Errorf("report = %+v, want first bad %d (%s)", rep, tt.firstBad, tt.reason)
			}
		})
	}
}

// TestAudit_AppendOnly: the triggers refuse changes to the trail.
func TestAudit_AppendOnly(t *testing.T) {
	d := MustOpenDB(t)
	coreAuditFixture(t, d)
	raw := coreRawDB(t, d)
	for _, q := range []string{`UPDATE audit SET detail = '{}' WHERE seq = 1`, `DELETE FROM audit WHERE seq = 1`} {
		if _, err := raw.Exec(q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: err = %v, want append-only", q, err)
		}
	}
}
