package app

import (
	"bytes"
	"mime"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"vaaka/monitoring"
)

// apiEmployeeJSON is an employee as the API shows it.
type apiEmployeeJSON struct {
	StaffID   string  `json:"staff_id"`
	Name      string  `json:"name"`
	Email     string  `json:"email"`
	Unit      string  `json:"unit"`
	Language  string  `json:"language" enum:"fi,sv,en"`
	Active    bool    `json:"active"`
	CreatedAt *string `json:"created_at" format:"date-time"`
	UpdatedAt *string `json:"updated_at" format:"date-time"`
}

func apiEmployeeOut(e *monitoring.Employee) apiEmployeeJSON {
	return apiEmployeeJSON{StaffID: e.StaffID, Name: e.Name, Email: e.Email, Unit: e.Unit, Language: string(e.Language),
		Active: e.Active, CreatedAt: apiTimeOut(e.CreatedAt), UpdatedAt: apiTimeOut(e.UpdatedAt)}
}

// apiEmployeeCreate is the body of POST /employees.
type apiEmployeeCreate struct {
	StaffID  string `json:"staff_id" required:"true"`
	Name     string `json:"name" required:"true"`
	Email    string `json:"email"`
	Unit     string `json:"unit" required:"true"`
	Language string `json:"language" enum:"fi,sv,en" doc:"default fi"`
	Active   *bool  `json:"active" doc:"default true"`
}

// apiEmployeePatch is the body of PATCH /employees/{staff_id}; absent fields stay.
type apiEmployeePatch struct {
	Name     *string `json:"name"`
	Email    *string `json:"email"`
	Unit     *string `json:"unit"`
	Language *string `json:"language" enum:"fi,sv,en"`
	Active   *bool   `json:"active"`
}

// apiImportResult is the answer of POST /employees/import.
type apiImportResult struct {
	DryRun  bool                 `json:"dry_run"`
	Rows    int                  `json:"rows"`
	Created int                  `json:"created"`
	Updated int                  `json:"updated"`
	Errors  []apiImportLineError `json:"errors"`
}

type apiImportLineError struct {
	Line    int    `json:"line"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// apiUnitJSON is a unit with its active employee count.
type apiUnitJSON struct {
	Name      string `json:"name"`
	Employees int    `json:"employees"`
}

type apiUnitCreate struct {
	Name string `json:"name" required:"true"`
}

func (s *Server) apiEmployeeCreate(c *fiber.Ctx) error {
	b, err := apiJsonBody(c)
	if err != nil {
		return err
	}
	var in apiEmployeeCreate
	if err := apiDecodeStrict(b, &in, ""); err != nil {
		return err
	}
	e := &monitoring.Employee{StaffID: in.StaffID, Name: in.Name, Email: in.Email, Unit: in.Unit,
		Language: monitoring.Language(in.Language), Active: true}
	if in.Language == "" {
		e.Language = monitoring.Finnish
	}
	if in.Active != nil {
		e.Active = *in.Active
	}
	if err := e.Validate(); err != nil {
		return err
	}
	p := principalOf(c)
	if err := s.Employees.CreateEmployee(c.UserContext(), p.User.Email, e); err != nil {
		return err
	}
	if got, err := s.Employees.FindEmployee(c.UserContext(), e.StaffID); err == nil {
		e = got
	}
	return apiSendJSON(c, fiber.StatusCreated, apiEmployeeOut(e))
}

func (s *Server) apiEmployeeList(c *fiber.Ctx) error {
	lp, err := apiParseList(c)
	if err != nil {
		return err
	}
	active, err := apiQueryBool(c, "active")
	if err != nil {
		return err
	}
	f := monitoring.EmployeeFilter{Unit: c.Query("unit"), Query: c.Query("q"), Active: active, Cursor: lp.Cursor, Limit: lp.Limit}
	es, next, err := s.Employees.ListEmployees(c.UserContext(), f)
	if err != nil {
		return err
	}
	return apiSendJSON(c, fiber.StatusOK, apiPage[apiEmployeeJSON]{Items: apiMap(es, apiEmployeeOut), NextCursor: apiEncodeCursor(next)})
}

func (s *Server) apiEmployeeGet(c *fiber.Ctx) error {
	e, err := s.Employees.FindEmployee(c.UserContext(), apiPathParam(c, "staff_id"))
	if err != nil {
		return err
	}
	return apiSendJSON(c, fiber.StatusOK, apiEmployeeOut(e))
}

func (s *Server) apiEmployeeUpdate(c *fiber.Ctx) error {
	b, err := apiJsonBody(c)
	if err != nil {
		return err
	}
	var in apiEmployeePatch
	if err := apiDecodeStrict(b, &in, ""); err != nil {
		return err
	}
	upd := monitoring.EmployeeUpdate{Name: in.Name, Email: in.Email, Unit: in.Unit, Active: in.Active}
	if in.Language != nil {
		l := monitoring.Language(*in.Language)
		if !l.Valid() {
			return apiFieldErr("language", monitoring.MsgUnknown)
		}
		upd.Language = &l
	}
	p := principalOf(c)
	e, err := s.Employees.UpdateEmployee(c.UserContext(), p.User.Email, apiPathParam(c, "staff_id"), upd)
	if err != nil {
		return err
	}
	return apiSendJSON(c, fiber.StatusOK, apiEmployeeOut(e))
}

// apiIsCSVType accepts text/csv (and the variants spreadsheet tools send).
func apiIsCSVType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	switch mt {
	case "text/csv", "application/csv", "text/plain", "application/vnd.ms-excel":
		return true
	}
	return false
}

// apiEmployeeImport imports a CSV export of an HR system. Every bad row is
// reported by line before anything is written: a dry run answers the
// report, a real import with a bad row answers 422 and writes nothing.
func (s *Server) apiEmployeeImport(c *fiber.Ctx) error {
	if !apiIsCSVType(c.Get(fiber.HeaderContentType)) {
		return apiErrUnsupportedType
	}
	dry, err := apiQueryBool(c, "dry_run")
	if err != nil {
		return err
	}
	dryRun := dry != nil && *dry
	body := c.Body()
	if len(bytes.TrimSpace(body)) == 0 {
		return apiFieldErr("file", monitoring.MsgRequired)
	}
	rows, lineErrs, err := monitoring.ParseEmployeesCSV(bytes.NewReader(body))
	if err != nil {
		if monitoring.ErrorCodeOf(err) != "" {
			return err
		}
		return apiFieldErr("file", monitoring.MsgInvalid)
	}
	res := apiImportResult{DryRun: dryRun, Rows: len(rows), Errors: []apiImportLineError{}}
	if len(lineErrs) > 0 {
		res.Rows = apiDataLines(body)
	}
	lang := s.langOf(c)
	fe := monitoring.FieldErrors{}
	for _, le := range lineErrs {
		field := "line " + strconv.Itoa(le.Line)
		if le.Field != "" {
			field += ": " + le.Field
		}
		res.Errors = append(res.Errors, apiImportLineError{Line: le.Line, Field: le.Field,
			Message: s.i18n.T(lang, "validation."+le.Key, "field", le.Field)})
		fe.Add(field, le.Key)
	}
	if len(lineErrs) > 0 && !dryRun {
		// Nothing is written when any line is bad.
		return fe.Err()
	}
	if dryRun {
		for _, e := range rows {
			if _, err := s.Employees.FindEmployee(c.UserContext(), e.StaffID); err == nil {
				res.Updated++
			} else if monitoring.ErrorCodeOf(err) == monitoring.NotFound {
				res.Created++
			} else {
				return err
			}
		}
		return apiSendJSON(c, fiber.StatusOK, res)
	}
	p := principalOf(c)
	ir, err := s.Employees.ImportEmployees(c.UserContext(), p.User.Email, rows)
	if err != nil {
		return err
	}
	res.Created, res.Updated = ir.Created, ir.Updated
	return apiSendJSON(c, fiber.StatusOK, res)
}

// apiDataLines counts the non-blank lines after the header, for the report
// of a file with errors (whose rows were not parsed).
func apiDataLines(body []byte) int {
	n := 0
	for _, l := range bytes.Split(body, []byte("\n")) {
		if len(bytes.TrimSpace(l)) > 0 {
			n++
		}
	}
	return max(n-1, 0)
}

func (s *Server) apiUnitList(c *fiber.Ctx) error {
	us, err := s.Employees.ListUnits(c.UserContext())
	if err != nil {
		return err
	}
	out := apiPage[apiUnitJSON]{Items: make([]apiUnitJSON, 0, len(us))}
	for _, u := range us {
		out.Items = append(out.Items, apiUnitJSON{Name: u.Name, Employees: u.Employees})
	}
	return apiSendJSON(c, fiber.StatusOK, out)
}

func (s *Server) apiUnitCreate(c *fiber.Ctx) error {
	b, err := apiJsonBody(c)
	if err != nil {
		return err
	}
	var in apiUnitCreate
	if err := apiDecodeStrict(b, &in, ""); err != nil {
		return err
	}
	fe := monitoring.FieldErrors{}
	switch {
	case len(bytes.TrimSpace([]byte(in.Name))) == 0:
		fe.Add("name", monitoring.MsgRequired)
	case len([]rune(in.Name)) > monitoring.MaxShort:
		fe.Add("name", monitoring.MsgTooLong)
	}
	if err := fe.Err(); err != nil {
		return err
	}
	p := principalOf(c)
	if err := s.Employees.CreateUnit(c.UserContext(), p.User.Email, in.Name); err != nil {
		return err
	}
	return apiSendJSON(c, fiber.StatusCreated, apiUnitJSON{Name: in.Name})
}
