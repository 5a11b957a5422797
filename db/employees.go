package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"vaaka/monitoring"
)

// EmployeeService keeps employees, their units and the history of which
// unit each employee was in (employee_history), from which the use log's
// flags read the state at a use's occurred_at.
type EmployeeService struct {
	db *DB
}

var _ monitoring.EmployeeService = (*EmployeeService)(nil)

// NewEmployeeService returns the employees of d.
func NewEmployeeService(d *DB) *EmployeeService { return &EmployeeService{db: d} }

// CreateEmployee stores a new employee, creating its unit when new.
// Invalid, Conflict (staff id exists).
func (s *EmployeeService) CreateEmployee(ctx context.Context, actor string, e *monitoring.Employee) error {
	if err := e.Validate(); err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := insertEmployee(ctx, tx, e); err != nil {
		return err
	}
	if err := appendAudit(ctx, tx, actor, "employee.created", "employee", e.StaffID,
		map[string]any{"changes": auditChanges(nil, employeeText(e))}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("db: create employee %s: %w", e.StaffID, err)
	}
	return nil
}

// FindEmployee returns the employee with staffID. NotFound.
func (s *EmployeeService) FindEmployee(ctx context.Context, staffID string) (*monitoring.Employee, error) {
	return loadEmployee(ctx, s.db.read, staffID)
}

// ListEmployees returns a page ordered by staff id and the staff id to
// continue after ("" on the last page). Query matches a part of the staff
// id, name or email (case-insensitively for ASCII letters).
func (s *EmployeeService) ListEmployees(ctx context.Context, f monitoring.EmployeeFilter) ([]*monitoring.Employee, string, error) {
	limit := limitOf(f.Limit)
	where := []string{"staff_id > ?"}
	args := []any{f.Cursor}
	if f.Unit != "" {
		where, args = append(where, "unit = ?"), append(args, f.Unit)
	}
	if f.Active != nil {
		where, args = append(where, "active = ?"), append(args, *f.Active)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		p := "%" + likeEscape(q) + "%"
		where = append(where, `(staff_id LIKE ? ESCAPE '\' OR name LIKE ? ESCAPE '\' OR email LIKE ? ESCAPE '\')`)
		args = append(args, p, p, p)
	}
	args = append(args, limit+1)
	rows, err := s.db.read.QueryContext(ctx, `SELECT staff_id, name, email, unit, language, active, created_at, updated_at
		FROM employees WHERE `+strings.Join(where, " AND ")+` ORDER BY staff_id LIMIT ?`, args...)
	if err != nil {
		return nil, "", fmt.Errorf("db: list employees: %w", err)
	}
	defer rows.Close()
	var out []*monitoring.Employee
	for rows.Next() {
		e, err := scanEmployee(rows)
		if err != nil {
			return nil, "", err
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("db: list employees: %w", err)
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = out[limit-1].StaffID
	}
	return out, next, nil
}

// UpdateEmployee applies upd. A change of unit or of the active flag is
// entered in the employee's history from now on. NotFound, Invalid.
func (s *EmployeeService) UpdateEmployee(ctx context.Context, actor string, staffID string, upd monitoring.EmployeeUpdate) (*monitoring.Employee, error) {
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	old, err := loadEmployee(ctx, tx, staffID)
	if err != nil {
		return nil, err
	}
	e := *old
	if upd.Name != nil {
		e.Name = *upd.Name
	}
	if upd.Email != nil {
		e.Email = *upd.Email
	}
	if upd.Unit != nil {
		e.Unit = *upd.Unit
	}
	if upd.Language != nil {
		e.Language = *upd.Language
	}
	if upd.Active != nil {
		e.Active = *upd.Active
	}
	if err := e.Validate(); err != nil {
		return nil, err
	}
	changes, err := updateEmployee(ctx, tx, old, &e)
	if err != nil {
		return nil, err
	}
	if len(changes) == 0 {
		return old, nil
	}
	if err := appendAudit(ctx, tx, actor, "employee.updated", "employee", staffID, map[string]any{"changes": changes}); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("db: update employee %s: %w", staffID, err)
	}
	return &e, nil
}

// ImportEmployees creates the new and updates the existing employees of
// rows in one transaction: all or nothing. Every row is validated first
// (Invalid, field keys "[i].field"; a staff id twice in rows is a
// duplicate). Updated counts existing employees that actually changed.
// One audit entry covers the whole import.
func (s *EmployeeService) ImportEmployees(ctx context.Context, actor string, rows []*monitoring.Employee) (monitoring.ImportResult, error) {
	var res monitoring.ImportResult
	fe := monitoring.FieldErrors{}
	seen := make(map[string]int, len(rows))
	for i, e := range rows {
		prefix := "[" + strconv.Itoa(i) + "]."
		if e == nil {
			fe.Add(prefix+"staff_id", monitoring.MsgRequired)
			continue
		}
		if err := e.Validate(); err != nil {
			var me *monitoring.Error
			if !errors.As(err, &me) {
				return res, err
			}
			for k, v := range me.Fields {
				fe.Add(prefix+k, v)
			}
		}
		if _, dup := seen[e.StaffID]; dup {
			fe.Add(prefix+"staff_id", monitoring.MsgDuplicate)
		}
		seen[e.StaffID] = i
	}
	if err := fe.Err(); err != nil {
		return res, err
	}
	if len(rows) == 0 {
		return res, nil
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return res, err
	}
	defer tx.Rollback()
	for _, e := range rows {
		old, err := loadEmployee(ctx, tx, e.StaffID)
		switch {
		case monitoring.ErrorCodeOf(err) == monitoring.NotFound:
			if err := insertEmployee(ctx, tx, e); err != nil {
				return res, err
			}
			res.Created++
		case err != nil:
			return res, err
		default:
			next := *old
			next.Name, next.Email, next.Unit, next.Language, next.Active = e.Name, e.Email, e.Unit, e.Language, e.Active
			changes, err := updateEmployee(ctx, tx, old, &next)
			if err != nil {
				return res, err
			}
			if len(changes) > 0 {
				res.Updated++
			}
			*e = next
		}
	}
	if err := appendAudit(ctx, tx, actor, "employees.imported", "employee", "",
		map[string]any{"created": res.Created, "updated": res.Updated, "rows": len(rows)}); err != nil {
		return res, err
	}
	if err := tx.Commit(); err != nil {
		return monitoring.ImportResult{}, fmt.Errorf("db: import employees: %w", err)
	}
	return res, nil
}

// ListUnits lists every unit by name with its number of active employees,
// units without employees included.
func (s *EmployeeService) ListUnits(ctx context.Context) ([]monitoring.Unit, error) {
	rows, err := s.db.read.QueryContext(ctx, `SELECT u.name, COUNT(e.staff_id) FROM units u
		LEFT JOIN employees e ON e.unit = u.name AND e.active = 1 GROUP BY u.name ORDER BY u.name`)
	if err != nil {
		return nil, fmt.Errorf("db: list units: %w", err)
	}
	defer rows.Close()
	var out []monitoring.Unit
	for rows.Next() {
		var u monitoring.Unit
		if err := rows.Scan(&u.Name, &u.Employees); err != nil {
			return nil, fmt.Errorf("db: list units: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: list units: %w", err)
	}
	return out, nil
}

// CreateUnit adds a unit. Invalid (name empty or over 200 characters),
// Conflict (exists).
func (s *EmployeeService) CreateUnit(ctx context.Context, actor string, name string) error {
	switch {
	case strings.TrimSpace(name) == "":
		return fieldErr(monitoring.Invalid, "name", monitoring.MsgRequired, "empty unit name")
	case !utf8.ValidString(name):
		return fieldErr(monitoring.Invalid, "name", monitoring.MsgInvalid, "unit name is not UTF-8")
	case utf8.RuneCountInString(name) > monitoring.MaxShort:
		return fieldErr(monitoring.Invalid, "name", monitoring.MsgTooLong, "unit name too long")
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	_, err = tx.ExecContext(ctx, `INSERT INTO units (name, created_at) VALUES (?, ?)`, name, formatTime(tx.now))
	if isUnique(err) {
		return fieldErr(monitoring.Conflict, "name", monitoring.MsgDuplicate, "unit %q exists", name)
	}
	if err != nil {
		return fmt.Errorf("db: create unit: %w", err)
	}
	if err := appendAudit(ctx, tx, actor, "unit.created", "unit", name, nil); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("db: create unit: %w", err)
	}
	return nil
}

// insertEmployee writes a new (validated) employee, its unit if new, and its
// first history row. Conflict when the staff id exists.
func insertEmployee(ctx context.Context, tx *Tx, e *monitoring.Employee) error {
	if err := ensureUnit(ctx, tx, e.Unit); err != nil {
		return err
	}
	e.CreatedAt, e.UpdatedAt = tx.now, tx.now
	_, err := tx.ExecContext(ctx, `INSERT INTO employees (staff_id, name, email, unit, language, active, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, e.StaffID, e.Name, e.Email, e.Unit, string(e.Language), e.Active,
		formatTime(tx.now), formatTime(tx.now))
	if isUnique(err) {
		return fieldErr(monitoring.Conflict, "staff_id", monitoring.MsgDuplicate, "employee %s exists", e.StaffID)
	}
	if err != nil {
		return fmt.Errorf("db: insert employee %s: %w", e.StaffID, err)
	}
	if err := insertEmployeeHistory(ctx, tx, e); err != nil {
		return err
	}
	// R-NOT-1: a new employee of an affected unit gets the current notices.
	return deliverCurrentNotices(ctx, tx, e)
}

// updateEmployee stores next over old (both validated) and returns the
// changed fields; nothing is written when nothing changed. A change of unit
// or active flag gets a history row from now on.
func updateEmployee(ctx context.Context, tx *Tx, old, next *monitoring.Employee) ([]auditChange, error) {
	changes := auditChanges(employeeText(old), employeeText(next))
	if len(changes) == 0 {
		return nil, nil
	}
	if next.Unit != old.Unit {
		if err := ensureUnit(ctx, tx, next.Unit); err != nil {
			return nil, err
		}
	}
	next.UpdatedAt = tx.now
	_, err := tx.ExecContext(ctx, `UPDATE employees SET name = ?, email = ?, unit = ?, language = ?, active = ?, updated_at = ?
		WHERE staff_id = ?`, next.Name, next.Email, next.Unit, string(next.Language), next.Active, formatTime(tx.now), old.StaffID)
	if err != nil {
		return nil, fmt.Errorf("db: update employee %s: %w", old.StaffID, err)
	}
	if next.Unit != old.Unit || next.Active != old.Active {
		if err := insertEmployeeHistory(ctx, tx, next); err != nil {
			return nil, err
		}
		// R-NOT-1: moving into an affected unit, or coming back, brings
		// the current notices (notices.go).
		if err := deliverCurrentNotices(ctx, tx, next); err != nil {
			return nil, err
		}
	}
	return changes, nil
}

// insertEmployeeHistory records e's unit and active flag. The first row of
// a staff id is valid from the beginning of time (valid_from is the empty string), so that
// the first known unit applies to uses that occurred before the employee
// was entered; later rows are valid from the transaction's time (a second
// change within the same instant replaces the first).
func insertEmployeeHistory(ctx context.Context, tx *Tx, e *monitoring.Employee) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM employee_history WHERE staff_id = ?`, e.StaffID).Scan(&n); err != nil {
		return fmt.Errorf("db: employee history %s: %w", e.StaffID, err)
	}
	from := ""
	if n > 0 {
		from = formatTime(tx.now)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO employee_history (staff_id, valid_from, unit, active) VALUES (?, ?, ?, ?)
		ON CONFLICT (staff_id, valid_from) DO UPDATE SET unit = excluded.unit, active = excluded.active`,
		e.StaffID, from, e.Unit, e.Active)
	if err != nil {
		return fmt.Errorf("db: employee history %s: %w", e.StaffID, err)
	}
	return nil
}

// ensureUnit creates the unit name unless it exists.
func ensureUnit(ctx context.Context, tx *Tx, name string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO units (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`, name, formatTime(tx.now))
	if err != nil {
		return fmt.Errorf("db: ensure unit %q: %w", name, err)
	}
	return nil
}

// loadEmployee reads one employee. NotFound.
func loadEmployee(ctx context.Context, q querier, staffID string) (*monitoring.Employee, error) {
	e, err := scanEmployee(q.QueryRowContext(ctx, `SELECT staff_id, name, email, unit, language, active, created_at, updated_at
		FROM employees WHERE staff_id = ?`, staffID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("employee %s not found", staffID)
	}
	return e, err
}

func scanEmployee(row interface{ Scan(...any) error }) (*monitoring.Employee, error) {
	var e monitoring.Employee
	var lang, created, updated string
	if err := row.Scan(&e.StaffID, &e.Name, &e.Email, &e.Unit, &lang, &e.Active, &created, &updated); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		return nil, fmt.Errorf("db: scan employee: %w", err)
	}
	e.Language = monitoring.Language(lang)
	var err1, err2 error
	e.CreatedAt, err1 = parseTime(created)
	e.UpdatedAt, err2 = parseTime(updated)
	return &e, errors.Join(err1, err2)
}

// employeeText is e as display text by API field name, for the audit.
func employeeText(e *monitoring.Employee) map[string]string {
	return map[string]string{"staff_id": e.StaffID, "name": e.Name, "email": e.Email, "unit": e.Unit,
		"language": string(e.Language), "active": strconv.FormatBool(e.Active)}
}

// likeEscape escapes the LIKE wildcards % and _ (and the escape character
// \) so that a search matches them literally; use with ESCAPE '\'.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
