package monitoring

import "time"

// Employee is a member of staff whose calls may be recorded.
type Employee struct {
	StaffID   string
	Name      string
	Email     string
	Unit      string
	Language  Language
	Active    bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Validate checks an employee record.
func (e *Employee) Validate() error {
	fe := FieldErrors{}
	if !ValidStaffID(e.StaffID) {
		fe.Add("staff_id", MsgInvalid)
	}
	checkText(fe, "name", e.Name, MaxShort, true)
	if e.Email != "" && !ValidEmail(e.Email) {
		fe.Add("email", MsgEmail)
	}
	checkText(fe, "unit", e.Unit, MaxShort, true)
	if !e.Language.Valid() {
		fe.Add("language", MsgUnknown)
	}
	return fe.Err()
}

// Unit is an organisational unit; activities name the units they affect.
type Unit struct {
	Name      string
	Employees int // active employees
}

// EmployeeFilter selects employees by name order.
type EmployeeFilter struct {
	Unit   string
	Query  string // part of name, staff id or email
	Active *bool
	Cursor string // staff id after which the page starts
	Limit  int
}

// EmployeeUpdate is a partial change of an employee; nil fields stay.
type EmployeeUpdate struct {
	Name     *string
	Email    *string
	Unit     *string
	Language *Language
	Active   *bool
}
