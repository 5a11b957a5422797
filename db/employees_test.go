package db_test

import (
	"database/sql"
	"slices"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"vaaka/db"
	"vaaka/monitoring"
)

// coreRawDB opens a second, plain connection pool on d's file, for looking
// at (or tampering with) tables the services do not expose.
func coreRawDB(t *testing.T, d *db.DB) *sql.DB {
	t.Helper()
	raw, err := sql.Open("sqlite", d.Path()+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

func coreEmployee(staffID, name, unit string) *monitoring.Employee {
	return &monitoring.Employee{StaffID: staffID, Name: name, Email: strings.ToLower(staffID) + "@example.fi", Unit: unit,
		Language: monitoring.Finnish, Active: true}
}

func corePtr[T any](v T) *T { return &v }

func TestCreateEmployee(t *testing.T) {
	d := MustOpenDB(t)
	es := db.NewEmployeeService(d)
	ctx := t.Context()
	e := coreEmployee("E100", "Eeva Esimerkki", "Asiakaspalvelu")
	if err := es.CreateEmployee(ctx, "hr@example.fi", e); err != nil {
		t.Fatal(err)
	}
	got, err := es.FindEmployee(ctx, "E100")
	if err != nil {
		t.Fatal(err)
	}
	if *got != *e || !got.CreatedAt.Equal(testNow) {
		t.Errorf("found %+v, want %+v", got, e)
	}
	units, err := es.ListUnits(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := []monitoring.Unit{{Name: "Asiakaspalvelu", Employees: 1}}; !slices.Equal(units, want) {
		t.Errorf("units = %v, want %v", units, want)
	}

	dup := coreEmployee("E100", "Toinen", "Myynti")
	coreWantErr(t, es.CreateEmployee(ctx, "hr@example.fi", dup), monitoring.Conflict, "staff_id", monitoring.MsgDuplicate)

	bad := coreEmployee("E101", "", "Myynti")
	bad.Language = "de"
	me := coreWantErr(t, es.CreateEmployee(ctx, "hr@example.fi", bad), monitoring.Invalid, "name", monitoring.MsgRequired)
	if me.Fields["language"] != monitoring.MsgUnknown {
		t.Errorf("fields = %v", me.Fields)
	}
	_, err = es.FindEmployee(ctx, "E101")
	coreWantErr(t, err, monitoring.NotFound, "", "")

	entries, _, err := db.NewAuditService(d).ListAudit(ctx, monitoring.AuditFilter{Entity: "employee", EntityID: "E100"})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Action != "employee.created" || !strings.Contains(entries[0].Detail, `"field":"unit","new":"Asiakaspalvelu"`) {
		t.Errorf("audit = %+v", entries)
	}
}

type coreHistoryRow struct {
	validFrom, unit string
	active          bool
}

func coreEmployeeHistory(t *testing.T, raw *sql.DB, staffID string) []coreHistoryRow {
	t.Helper()
	rows, err := raw.Query(`SELECT valid_from, unit, active FROM employee_history WHERE staff_id = ? ORDER BY valid_from`, staffID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []coreHistoryRow
	for rows.Next() {
		var h coreHistoryRow
		if err := rows.Scan(&h.validFrom, &h.unit, &h.active); err != nil {
			t.Fatal(err)
		}
		out = append(out, h)
	}
	return out
}

func TestUpdateEmployee_History(t *testing.T) {
	d := MustOpenDB(t)
	es := db.NewEmployeeService(d)
	raw := coreRawDB(t, d)
	ctx := t.Context()
	if err := es.CreateEmployee(ctx, "hr@example.fi", coreEmployee("E1", "Eeva", "A")); err != nil {
		t.Fatal(err)
	}
	// Name and language are not history: no row.
	if _, err := es.UpdateEmployee(ctx, "hr@example.fi", "E1", monitoring.EmployeeUpdate{Name: corePtr("Eeva E."), Language: corePtr(monitoring.Swedish)}); err != nil {
		t.Fatal(err)
	}
	t1 := testNow.Add(time.Hour)
	d.Now = func() time.Time { return t1 }
	got, err := es.UpdateEmployee(ctx, "hr@example.fi", "E1", monitoring.EmployeeUpdate{Unit: corePtr("B")})
	if err != nil {
		t.Fatal(err)
	}
	if got.Unit != "B" || got.Name != "Eeva E." || got.Language != monitoring.Swedish || !got.UpdatedAt.Equal(t1) {
		t.Errorf("updated = %+v", got)
	}
	// Two changes within the same instant: the later one stands.
	if _, err := es.UpdateEmployee(ctx, "hr@example.fi", "E1", monitoring.EmployeeUpdate{Unit: corePtr("C")}); err != nil {
		t.Fatal(err)
	}
	t2 := testNow.Add(2 * time.Hour)
	d.Now = func() time.Time { return t2 }
	if _, err := es.UpdateEmployee(ctx, "hr@example.fi", "E1", monitoring.EmployeeUpdate{Active: corePtr(false)}); err != nil {
		t.Fatal(err)
	}
	want := []coreHistoryRow{
		{"", "A", true}, // the first unit applies to earlier uses too
		{t1.Format("2006-01-02T15:04:05.000000000Z"), "C", true},
		{t2.Format("2006-01-02T15:04:05.000000000Z"), "C", false},
	}
	if got := coreEmployeeHistory(t, raw, "E1"); !slices.Equal(got, want) {
		t.Errorf("history = %v, want %v", got, want)
	}
	units, _ := es.ListUnits(ctx)
	if want := []monitoring.Unit{{Name: "A", Employees: 0}, {Name: "B", Employees: 0}, {Name: "C", Employees: 0}}; !slices.Equal(units, want) {
		t.Errorf("units = %v, want %v", units, want)
	}

	_, err = es.UpdateEmployee(ctx, "hr@example.fi", "E1", monitoring.EmployeeUpdate{Email: corePtr("nope")})
	coreWantErr(t, err, monitoring.Invalid, "email", monitoring.MsgEmail)
	_, err = es.UpdateEmployee(ctx, "hr@example.fi", "E404", monitoring.EmployeeUpdate{Name: corePtr("X")})
	coreWantErr(t, err, monitoring.NotFound, "", "")

	entries, _, _ := db.NewAuditService(d).ListAudit(ctx, monitoring.AuditFilter{Entity: "employee", EntityID: "E1", Limit: 1})
	if e := entries[0]; e.Action != "employee.updated" || e.Detail != `{"changes":[{"field":"active","old":"true","new":"false"}]}` {
		t.Errorf("audit = %+v", e)
	}
}

func TestListEmployees(t *testing.T) {
	d := MustOpenDB(t)
	es := db.NewEmployeeService(d)
	ctx := t.Context()
	for _, e := range []*monitoring.Employee{
		coreEmployee("E1", "Aino 100% Ahkera", "A"),
		coreEmployee("E2", "Bertta Virtanen", "A"),
		coreEmployee("E3", "Cecilia_Lund", "B"),
		coreEmployee("E4", "Daniel Virtanen", "B"),
		coreEmployee("X5", "Eino Esimerkki", "B"),
	} {
		if err := es.CreateEmployee(ctx, "hr@example.fi", e); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := es.UpdateEmployee(ctx, "hr@example.fi", "E4", monitoring.EmployeeUpdate{Active: corePtr(false)}); err != nil {
		t.Fatal(err)
	}
	ids := func(es []*monitoring.Employee) []string {
		var out []string
		for _, e := range es {
			out = append(out, e.StaffID)
		}
		return out
	}
	tests := []struct {
		name string
		f    monitoring.EmployeeFilter
		want []string
	}{
		{"all", monitoring.EmployeeFilter{}, []string{"E1", "E2", "E3", "E4", "X5"}},
		{"unit", monitoring.EmployeeFilter{Unit: "B"}, []string{"E3", "E4", "X5"}},
		{"active", monitoring.EmployeeFilter{Active: corePtr(true), Unit: "B"}, []string{"E3", "X5"}},
		{"inactive", monitoring.EmployeeFilter{Active: corePtr(false)}, []string{"E4"}},
		{"name", monitoring.EmployeeFilter{Query: "virtanen"}, []string{"E2", "E4"}},
		{"staff id", monitoring.EmployeeFilter{Query: "x5"}, []string{"X5"}},
		{"email", monitoring.EmployeeFilter{Query: "e3@example"}, []string{"E3"}},
		{"percent literal", monitoring.EmployeeFilter{Query: "%"}, []string{"E1"}},
		{"underscore literal", monitoring.EmployeeFilter{Query: "_"}, []string{"E3"}},
		{"backslash literal", monitoring.EmployeeFilter{Query: `\`}, nil},
		{"cursor", monitoring.EmployeeFilter{Cursor: "E3"}, []string{"E4", "X5"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, next, err := es.ListEmployees(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ids(got), tt.want) || next != "" {
				t.Errorf("got %v next %q, want %v", ids(got), next, tt.want)
			}
		})
	}
	page, next, err := es.ListEmployees(ctx, monitoring.EmployeeFilter{Limit: 2})
	if err != nil || next != "E2" || !slices.Equal(ids(page), []string{"E1", "E2"}) {
		t.Fatalf("page 1 = %v next %q err %v", ids(page), next, err)
	}
	page, next, _ = es.ListEmployees(ctx, monitoring.EmployeeFilter{Limit: 2, Cursor: next})
	if next != "E4" || !slices.Equal(ids(page), []string{"E3", "E4"}) {
		t.Fatalf("page 2 = %v next %q", ids(page), next)
	}
}

func TestImportEmployees(t *testing.T) {
	d := MustOpenDB(t)
	es := db.NewEmployeeService(d)
	audit := db.NewAuditService(d)
	ctx := t.Context()
	for _, e := range []*monitoring.Employee{coreEmployee("E1", "Eeva", "A"), coreEmployee("E2", "Erik", "A")} {
		if err := es.CreateEmployee(ctx, "hr@example.fi", e); err != nil {
			t.Fatal(err)
		}
	}
	changed := coreEmployee("E1", "Eeva Uusi", "B")
	changed.Active = false
	res, err := es.ImportEmployees(ctx, "hr@example.fi", []*monitoring.Employee{
		changed,
		coreEmployee("E2", "Erik", "A"), // unchanged
		coreEmployee("E3", "Emma", "C"),
		coreEmployee("E4", "Elias", "A"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if res != (monitoring.ImportResult{Created: 2, Updated: 1}) {
		t.Errorf("result = %+v", res)
	}
	e1, _ := es.FindEmployee(ctx, "E1")
	if e1.Name != "Eeva Uusi" || e1.Unit != "B" || e1.Active {
		t.Errorf("E1 = %+v", e1)
	}
	units, _ := es.ListUnits(ctx)
	if want := []monitoring.Unit{{Name: "A", Employees: 2}, {Name: "B", Employees: 0}, {Name: "C", Employees: 1}}; !slices.Equal(units, want) {
		t.Errorf("units = %v, want %v", units, want)
	}
	entries, _, _ := audit.ListAudit(ctx, monitoring.AuditFilter{Limit: 1})
	if e := entries[0]; e.Action != "employees.imported" || e.Detail != `{"created":2,"rows":4,"updated":1}` {
		t.Errorf("audit = %+v", e)
	}
	// Per-employee history follows the import.
	raw := coreRawDB(t, d)
	if h := coreEmployeeHistory(t, raw, "E1"); len(h) != 2 || h[1].unit != "B" || h[1].active {
		t.Errorf("E1 history = %v", h)
	}
}

func TestImportEmployees_AllOrNothing(t *testing.T) {
	d := MustOpenDB(t)
	es := db.NewEmployeeService(d)
	audit := db.NewAuditService(d)
	ctx := t.Context()
	if err := es.CreateEmployee(ctx, "hr@example.fi", coreEmployee("E1", "Eeva", "A")); err != nil {
		t.Fatal(err)
	}
	before, _, _ := audit.ListAudit(ctx, monitoring.AuditFilter{})
	tests := []struct {
		name  string
		rows  []*monitoring.Employee
		field string
		key   string
	}{
		{"invalid unit name", []*monitoring.Employee{
			coreEmployee("E2", "Erik", "New unit"),
			coreEmployee("E1", "Eeva Changed", "B"),
			coreEmployee("E3", "Emma", strings.Repeat("x", 201)),
		}, "[2].unit", monitoring.MsgTooLong},
		{"empty unit", []*monitoring.Employee{
			coreEmployee("E2", "Erik", "New unit"),
			coreEmployee("E3", "Emma", " "),
		}, "[1].unit", monitoring.MsgRequired},
		{"staff id twice", []*monitoring.Employee{
			coreEmployee("E2", "Erik", "New unit"),
			coreEmployee("E2", "Erik 2", "New unit"),
		}, "[1].staff_id", monitoring.MsgDuplicate},
		{"nil row", []*monitoring.Employee{coreEmployee("E2", "Erik", "New unit"), nil}, "[1].staff_id", monitoring.MsgRequired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := es.ImportEmployees(ctx, "hr@example.fi", tt.rows)
			coreWantErr(t, err, monitoring.Invalid, tt.field, tt.key)
			all, _, _ := es.ListEmployees(ctx, monitoring.EmployeeFilter{})
			if len(all) != 1 || all[0].Name != "Eeva" || all[0].Unit != "A" {
				t.Errorf("employees after failed import: %v", all)
			}
			units, _ := es.ListUnits(ctx)
			if len(units) != 1 {
				t.Errorf("units after failed import: %v", units)
			}
			after, _, _ := audit.ListAudit(ctx, monitoring.AuditFilter{})
			if len(after) != len(before) {
				t.Errorf("audit grew from %d to %d", len(before), len(after))
			}
		})
	}
}

func TestCreateUnit(t *testing.T) {
	d := MustOpenDB(t)
	es := db.NewEmployeeService(d)
	ctx := t.Context()
	if err := es.CreateUnit(ctx, "hr@example.fi", "Myynti"); err != nil {
		t.Fatal(err)
	}
	if err := es.CreateEmployee(ctx, "hr@example.fi", coreEmployee("E1", "Eeva", "Asiakaspalvelu")); err != nil {
		t.Fatal(err)
	}
	units, err := es.ListUnits(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := []monitoring.Unit{{Name: "Asiakaspalvelu", Employees: 1}, {Name: "Myynti", Employees: 0}}; !slices.Equal(units, want) {
		t.Errorf("units = %v, want %v", units, want)
	}
	coreWantErr(t, es.CreateUnit(ctx, "hr@example.fi", "Myynti"), monitoring.Conflict, "name", monitoring.MsgDuplicate)
	coreWantErr(t, es.CreateUnit(ctx, "hr@example.fi", ""), monitoring.Invalid, "name", monitoring.MsgRequired)
	coreWantErr(t, es.CreateUnit(ctx, "hr@example.fi", strings.Repeat("ä", 201)), monitoring.Invalid, "name", monitoring.MsgTooLong)
	if err := es.CreateUnit(ctx, "hr@example.fi", strings.Repeat("ä", 200)); err != nil {
		t.Errorf("200 characters: %v", err)
	}
	entries, _, _ := db.NewAuditService(d).ListAudit(ctx, monitoring.AuditFilter{Entity: "unit"})
	if len(entries) != 2 || entries[1].EntityID != "Myynti" || entries[1].Action != "unit.created" {
		t.Errorf("audit = %+v", entries)
	}
}
