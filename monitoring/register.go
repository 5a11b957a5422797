package monitoring

import (
	"strconv"
	"strings"
	"time"
)

// The register extract (R-ROPA-1): the GDPR Art 30(1) record of processing
// activities, assembled in one pure function for the API, the PDF, the CSV
// and the JSON download.

// Categories of data subjects (Art 30(1)(c)), translated by readers as
// "apinotice.subject.<code>".
const (
	SubjectEmployees = "employees" // the employees of the affected units
	SubjectCallers   = "callers"   // the other parties of the calls
)

// RegisterController is the controller and the DPO (Art 30(1)(a)).
type RegisterController struct {
	Name             string
	BusinessID       string
	Address          string
	DPOContact       string
	PrivacyNoticeURL string
}

// RegisterEntry is one activity's Art 30(1) items.
type RegisterEntry struct {
	ActivityID        int64
	Name              string
	Description       string
	Method            Method
	Status            Status
	Version           int
	Directions        []Direction
	Purposes          []Purpose // Art 30(1)(b)
	LawfulBasis       LawfulBasis
	LawfulBasisDetail string
	DataSubjects      []string // Art 30(1)(c): Subject* codes
	Units             []string // whose employees are monitored
	DataCategories    []string // Art 30(1)(c)
	SpecialCategories SpecialCategories
	Recipients        string // Art 30(1)(d)
	Transfers         string // Art 30(1)(e)
	RetentionDays     int    // Art 30(1)(f)
	RetentionCriteria string
	SecurityMeasures  string // Art 30(1)(g)
	AuthorizedUsers   []AuthorizedUser
	DPIARequired      bool
	DPIACompletedOn   time.Time
	IntroductionOn    time.Time
	ReviewOn          time.Time
}

// RegisterDocument is the whole extract.
type RegisterDocument struct {
	Controller RegisterController
	Entries    []RegisterEntry
}

// RegisterExtract assembles the extract of the activities for the
// controller org, in the order given. It is pure: nothing is looked up.
func RegisterExtract(org Organisation, activities []*Activity) RegisterDocument {
	doc := RegisterDocument{
		Controller: RegisterController{Name: org.Name, BusinessID: org.BusinessID, Address: org.Address,
			DPOContact: org.DPOContact, PrivacyNoticeURL: org.PrivacyNoticeURL},
		Entries: make([]RegisterEntry, 0, len(activities)),
	}
	for _, a := range activities {
		e := RegisterEntry{
			ActivityID: a.ID, Name: a.Name, Description: a.Description, Method: a.Method, Status: a.Status, Version: a.Version,
			Directions: append([]Direction(nil), a.Directions...), Purposes: append([]Purpose(nil), a.Purposes...),
			LawfulBasis: a.LawfulBasis, LawfulBasisDetail: a.LawfulBasisDetail,
			DataSubjects: []string{SubjectEmployees, SubjectCallers}, Units: append([]string(nil), a.Units...),
			DataCategories: append([]string(nil), a.DataCategories...), SpecialCategories: a.SpecialCategories,
			Recipients: a.Recipients, Transfers: a.Transfers, RetentionDays: a.RetentionDays, RetentionCriteria: a.RetentionCriteria,
			SecurityMeasures: a.SecurityMeasures, AuthorizedUsers: append([]AuthorizedUser(nil), a.AuthorizedUsers...),
			DPIARequired: a.DPIA.Required, DPIACompletedOn: a.DPIA.CompletedOn, IntroductionOn: a.IntroductionOn, ReviewOn: a.ReviewOn,
		}
		doc.Entries = append(doc.Entries, e)
	}
	return doc
}

// RegisterCSVHeader names the columns of RegisterCSV.
var RegisterCSVHeader = []string{
	"activity_id", "name", "status", "method", "directions", "purposes", "lawful_basis", "lawful_basis_detail",
	"data_subjects", "units", "data_categories", "special_categories_biometric", "recipients", "transfers",
	"retention_days", "retention_criteria", "security_measures", "authorized_users", "dpia_required", "dpia_completed_on",
	"introduction_on", "review_on", "controller", "business_id", "controller_address", "dpo_contact",
}

// RegisterCSV returns the extract as CSV records, the header first, one
// row per activity, every cell passed through CSVSafe (write them with
// encoding/csv).
func RegisterCSV(doc RegisterDocument) [][]string {
	out := [][]string{append([]string(nil), RegisterCSVHeader...)}
	date := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Format("2006-01-02")
	}
	c := doc.Controller
	for _, e := range doc.Entries {
		dirs := make([]string, len(e.Directions))
		for i, d := range e.Directions {
			dirs[i] = string(d)
		}
		ps := make([]string, len(e.Purposes))
		for i, p := range e.Purposes {
			ps[i] = p.Code + ": " + p.Description
		}
		us := make([]string, len(e.AuthorizedUsers))
		for i, u := range e.AuthorizedUsers {
			us[i] = u.Email + " (" + u.Task + ")"
		}
		row := []string{
			strconv.FormatInt(e.ActivityID, 10), e.Name, string(e.Status), string(e.Method), strings.Join(dirs, ", "),
			strings.Join(ps, "; "), string(e.LawfulBasis), e.LawfulBasisDetail, strings.Join(e.DataSubjects, ", "),
			strings.Join(e.Units, ", "), strings.Join(e.DataCategories, ", "), strconv.FormatBool(e.SpecialCategories.Biometric),
			e.Recipients, e.Transfers, strconv.Itoa(e.RetentionDays), e.RetentionCriteria, e.SecurityMeasures,
			strings.Join(us, "; "), strconv.FormatBool(e.DPIARequired), date(e.DPIACompletedOn), date(e.IntroductionOn),
			date(e.ReviewOn), c.Name, c.BusinessID, c.Address, c.DPOContact,
		}
		for i := range row {
			row[i] = CSVSafe(row[i])
		}
		out = append(out, row)
	}
	return out
}

// CSVSafe neutralises spreadsheet formula injection: a cell starting with
// = + - @, a tab, a carriage return or a line feed (after any spaces) gets a leading apostrophe, so that a
// spreadsheet shows it as text instead of evaluating it.
func CSVSafe(s string) string {
	// Spreadsheets skip leading spaces before a formula, so the first
	// character that is not a space decides.
	t := strings.TrimLeft(s, " ")
	if t == "" {
		return s
	}
	switch t[0] {
	case '=', '+', '-', '@', '\t', '\r', '\n':
		return "'" + s
	}
	return s
}
