package app

import (
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"vaaka/monitoring"
)

// employeesData is the employee list.
type employeesData struct {
	Items   []*monitoring.Employee
	Units   []monitoring.Unit
	Query   string
	Unit    string
	Next    string
	NextURL string
}

func (s *Server) handleEmployees(c *fiber.Ctx) error {
	f := monitoring.EmployeeFilter{Limit: 50, Query: strings.TrimSpace(c.Query("q")), Unit: c.Query("unit"), Cursor: c.Query("cursor")}
	if len(f.Query) > monitoring.MaxShort {
		return errBadField("q", monitoring.MsgTooLong)
	}
	items, next, err := s.Employees.ListEmployees(c.UserContext(), f)
	if err != nil {
		return err
	}
	units, err := s.Employees.ListUnits(c.UserContext())
	if err != nil {
		return err
	}
	d := employeesData{Items: items, Units: units, Query: f.Query, Unit: f.Unit, Next: next}
	if next != "" {
		q := url.Values{"cursor": {next}}
		if f.Query != "" {
			q.Set("q", f.Query)
		}
		if f.Unit != "" {
			q.Set("unit", f.Unit)
		}
		d.NextURL = "/employees?" + q.Encode()
	}
	p := s.newPage(c, "web.employees.title")
	p.Data = d
	return s.render(c, fiber.StatusOK, "employees", p)
}

// employeeForm is the employee form's data.
type employeeForm struct {
	New   bool
	E     *monitoring.Employee
	Units []monitoring.Unit
	Langs []monitoring.Language
}

func (s *Server) renderEmployeeForm(c *fiber.Ctx, status int, isNew bool, e *monitoring.Employee, fields map[string]string) error {
	units, err := s.Employees.ListUnits(c.UserContext())
	if err != nil {
		return err
	}
	title := "web.employee.edit_title"
	if isNew {
		title = "web.employee.new_title"
	}
	p := s.newPage(c, title)
	s.setErrors(p, fields, nil)
	p.Data = employeeForm{New: isNew, E: e, Units: units, Langs: monitoring.Languages}
	return s.render(c, status, "employee_form", p)
}

func (s *Server) handleEmployeeNew(c *fiber.Ctx) error {
	return s.renderEmployeeForm(c, fiber.StatusOK, true, &monitoring.Employee{Language: monitoring.Finnish, Active: true}, nil)
}

func (s *Server) handleEmployeeCreate(c *fiber.Ctx) error {
	e := &monitoring.Employee{StaffID: formVal(c, "staff_id"), Name: formVal(c, "name"), Email: formVal(c, "email"),
		Unit: formVal(c, "unit"), Language: monitoring.Language(formVal(c, "language")), Active: true}
	if err := e.Validate(); err != nil {
		fields, _ := webFields(err)
		return s.renderEmployeeForm(c, fiber.StatusUnprocessableEntity, true, e, fields)
	}
	if err := s.Employees.CreateEmployee(c.UserContext(), principalOf(c).User.Email, e); err != nil {
		if fields, ok := webFields(err); ok {
			return s.renderEmployeeForm(c, fiber.StatusUnprocessableEntity, true, e, fields)
		}
		if monitoring.ErrorCodeOf(err) == monitoring.Conflict {
			return s.renderEmployeeForm(c, fiber.StatusUnprocessableEntity, true, e, map[string]string{"staff_id": monitoring.MsgDuplicate})
		}
		return err
	}
	return c.Redirect("/employees?flash=employee_saved", fiber.StatusSeeOther)
}

func (s *Server) handleEmployeeEdit(c *fiber.Ctx) error {
	e, err := s.Employees.FindEmployee(c.UserContext(), c.Params("staff_id"))
	if err != nil {
		return err
	}
	return s.renderEmployeeForm(c, fiber.StatusOK, false, e, nil)
}

func (s *Server) handleEmployeeUpdate(c *fiber.Ctx) error {
	staffID := c.Params("staff_id")
	cur, err := s.Employees.FindEmployee(c.UserContext(), staffID)
	if err != nil {
		return err
	}
	e := &monitoring.Employee{StaffID: cur.StaffID, Name: formVal(c, "name"), Email: formVal(c, "email"),
		Unit: formVal(c, "unit"), Language: monitoring.Language(formVal(c, "language")), Active: formVal(c, "active") != ""}
	if err := e.Validate(); err != nil {
		fields, _ := webFields(err)
		return s.renderEmployeeForm(c, fiber.StatusUnprocessableEntity, false, e, fields)
	}
	upd := monitoring.EmployeeUpdate{Name: &e.Name, Email: &e.Email, Unit: &e.Unit, Language: &e.Language, Active: &e.Active}
	if _, err := s.Employees.UpdateEmployee(c.UserContext(), principalOf(c).User.Email, staffID, upd); err != nil {
		if fields, ok := webFields(err); ok {
			return s.renderEmployeeForm(c, fiber.StatusUnprocessableEntity, false, e, fields)
		}
		return err
	}
	return c.Redirect("/employees?flash=employee_saved", fiber.StatusSeeOther)
}

// importLine is one bad line of a CSV import, translated.
type importLine struct {
	Line    int
	Field   string
	Message string
}

// importData is the CSV import page: the dry run's findings and the file
// content to re-post with the Import button.
type importData struct {
	Checked  bool
	Content  string
	Errors   []importLine
	Rows     int
	Preview  []*monitoring.Employee
	Imported *monitoring.ImportResult
}

func (s *Server) handleImportForm(c *fiber.Ctx) error {
	p := s.newPage(c, "web.import.title")
	p.Data = importData{}
	return s.render(c, fiber.StatusOK, "employee_import", p)
}

// handleImport checks an uploaded CSV file (dry run) or, with mode=import
// and a clean file, imports it in one transaction. Nothing is written while
// any line is bad.
func (s *Server) handleImport(c *fiber.Ctx) error {
	var content string
	if fh, err := c.FormFile("file"); err == nil {
		f, err := fh.Open()
		if err != nil {
			return errBadField("file", monitoring.MsgInvalid)
		}
		b, err := io.ReadAll(io.LimitReader(f, int64(s.cfg.BodyLimit)+1))
		f.Close()
		if err != nil {
			return errBadField("file", monitoring.MsgInvalid)
		}
		content = string(b)
	}
	if strings.TrimSpace(content) == "" {
		content = c.FormValue("content")
	}
	p := s.newPage(c, "web.import.title")
	if strings.TrimSpace(content) == "" {
		s.setErrors(p, map[string]string{"file": monitoring.MsgRequired}, nil)
		p.Data = importData{}
		return s.render(c, fiber.StatusUnprocessableEntity, "employee_import", p)
	}
	rows, lineErrs, err := monitoring.ParseEmployeesCSV(strings.NewReader(content))
	if err != nil {
		return errBadField("file", monitoring.MsgInvalid)
	}
	d := importData{Checked: true, Content: content, Rows: len(rows)}
	for _, le := range lineErrs {
		key := "validation." + le.Key
		if !s.i18n.Has(key) {
			key = "validation.invalid"
		}
		label := ""
		if le.Field != "" {
			label = webLabel(s.i18n, p.Lang, le.Field)
		}
		d.Errors = append(d.Errors, importLine{Line: le.Line, Field: label, Message: s.i18n.T(p.Lang, key, "field", label)})
	}
	if len(d.Errors) > 0 {
		p.Flash, p.FlashErr = s.i18n.T(p.Lang, "web.import.has_errors", "count", itoa(len(d.Errors))), true
		p.Data = d
		return s.render(c, fiber.StatusUnprocessableEntity, "employee_import", p)
	}
	if c.FormValue("mode") == "import" {
		res, err := s.Employees.ImportEmployees(c.UserContext(), principalOf(c).User.Email, rows)
		if err != nil {
			if fields, ok := webFields(err); ok {
				s.setErrors(p, fields, nil)
				p.Data = d
				return s.render(c, fiber.StatusUnprocessableEntity, "employee_import", p)
			}
			return err
		}
		d.Imported, d.Content = &res, ""
		p.Flash = s.i18n.T(p.Lang, "web.import.done", "created", itoa(res.Created), "updated", itoa(res.Updated))
	} else {
		d.Preview = rows[:min(len(rows), 20)]
	}
	p.Data = d
	return s.render(c, fiber.StatusOK, "employee_import", p)
}

func (s *Server) handleUnits(c *fiber.Ctx) error {
	return s.renderUnits(c, fiber.StatusOK, "", nil)
}

func (s *Server) renderUnits(c *fiber.Ctx, status int, name string, fields map[string]string) error {
	units, err := s.Employees.ListUnits(c.UserContext())
	if err != nil {
		return err
	}
	p := s.newPage(c, "web.units.title")
	s.setErrors(p, fields, nil)
	p.Data = struct {
		Units []monitoring.Unit
		Name  string
	}{units, name}
	return s.render(c, status, "units", p)
}

func (s *Server) handleUnitCreate(c *fiber.Ctx) error {
	name := formVal(c, "name")
	switch {
	case name == "":
		return s.renderUnits(c, fiber.StatusUnprocessableEntity, name, map[string]string{"name": monitoring.MsgRequired})
	case len([]rune(name)) > monitoring.MaxShort:
		return s.renderUnits(c, fiber.StatusUnprocessableEntity, name, map[string]string{"name": monitoring.MsgTooLong})
	}
	if err := s.Employees.CreateUnit(c.UserContext(), principalOf(c).User.Email, name); err != nil {
		if fields, ok := webFields(err); ok {
			return s.renderUnits(c, fiber.StatusUnprocessableEntity, name, fields)
		}
		if monitoring.ErrorCodeOf(err) == monitoring.Conflict {
			return s.renderUnits(c, fiber.StatusUnprocessableEntity, name, map[string]string{"name": monitoring.MsgDuplicate})
		}
		return err
	}
	return c.Redirect("/units?flash=unit_saved", fiber.StatusSeeOther)
}

// recordingsData is the retention ledger.
type recordingsData struct {
	Items   []*monitoring.Recording
	Overdue bool
	Next    string
	NextURL string
	Now     time.Time
	// Legal holds (web_evidence.go): the holds in force by ref, and the
	// recording whose hold form is shown again with an error.
	Holds      map[string]*monitoring.Hold
	HoldRef    string
	HoldReason string
	HoldSet    bool
}

func (s *Server) handleRecordings(c *fiber.Ctx) error {
	f := monitoring.RecordingFilter{Limit: 50, Overdue: c.Query("overdue") != "", Cursor: c.Query("cursor")}
	now := s.Now()
	items, next, err := s.Recordings.ListRecordings(c.UserContext(), f, now)
	if err != nil {
		return err
	}
	d := recordingsData{Items: items, Overdue: f.Overdue, Next: next, Now: now}
	if err := s.recordingHolds(c, &d); err != nil {
		return err
	}
	if next != "" {
		q := url.Values{"cursor": {next}}
		if f.Overdue {
			q.Set("overdue", "1")
		}
		d.NextURL = "/recordings?" + q.Encode()
	}
	p := s.newPage(c, "web.recordings.title")
	p.Data = d
	return s.render(c, fiber.StatusOK, "recordings", p)
}

// handleRecordingDeleted confirms by hand that a recording was deleted
// (R-RET-2).
func (s *Server) handleRecordingDeleted(c *fiber.Ctx) error {
	ref := formVal(c, "ref")
	if ref == "" {
		return errBadField("ref", monitoring.MsgRequired)
	}
	if _, err := s.Recordings.ConfirmDeletion(c.UserContext(), principalOf(c).User.Email, ref, s.Now()); err != nil {
		if monitoring.ErrorCodeOf(err) == monitoring.Conflict {
			return c.Redirect("/recordings?flash=recording_already_deleted", fiber.StatusSeeOther)
		}
		return err
	}
	back := "/recordings?flash=recording_deleted"
	if formVal(c, "overdue") != "" {
		back += "&overdue=1"
	}
	return c.Redirect(back, fiber.StatusSeeOther)
}
