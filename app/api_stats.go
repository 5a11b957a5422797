package app

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"maps"
	"slices"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"vaaka/monitoring"
)

// The representatives' statistics (SPEC "Aggregates for representatives",
// R-LOG-1): uses per activity, purpose, unit and month, flagged uses per
// flag and overdue deletions — never an individual's row. A value covering
// fewer than monitoring.MinEmployees employees comes out as
// "suppressed": true without numbers (JSON) or "< 5" (CSV).

// apiStatFlagJSON is the flagged uses of one flag.
type apiStatFlagJSON struct {
	Flag       string `json:"flag"`
	Suppressed bool   `json:"suppressed"`
	Uses       *int64 `json:"uses,omitempty" doc:"absent when suppressed"`
}

// apiStatCellJSON is one cell of the cube.
type apiStatCellJSON struct {
	ActivityID int64             `json:"activity_id"`
	Purpose    string            `json:"purpose" doc:"'' when the uses gave none"`
	Unit       string            `json:"unit" doc:"the employees' unit when the use occurred ('' unknown)"`
	Month      string            `json:"month" doc:"YYYY-MM (UTC)"`
	Suppressed bool              `json:"suppressed" doc:"fewer than 5 employees: no numbers"`
	Uses       *int64            `json:"uses,omitempty"`
	Employees  *int64            `json:"employees,omitempty" doc:"distinct employees the uses concern"`
	Flags      []apiStatFlagJSON `json:"flags"`
}

// apiStatMonthJSON is one activity's month total (the sum of its cells).
type apiStatMonthJSON struct {
	ActivityID int64             `json:"activity_id"`
	Month      string            `json:"month"`
	Suppressed bool              `json:"suppressed"`
	Uses       *int64            `json:"uses,omitempty"`
	Flags      []apiStatFlagJSON `json:"flags"`
}

// apiStatOverdueJSON is one activity's overdue deletions (R-RET-2).
type apiStatOverdueJSON struct {
	ActivityID int64  `json:"activity_id"`
	Suppressed bool   `json:"suppressed"`
	Recordings *int64 `json:"recordings,omitempty" doc:"recordings past their deadline, not deleted, not held"`
}

// apiStatisticsJSON is the answer of GET /statistics.
type apiStatisticsJSON struct {
	From             string               `json:"from" doc:"YYYY-MM"`
	To               string               `json:"to" doc:"YYYY-MM"`
	ActivityID       *int64               `json:"activity_id,omitempty"`
	MinEmployees     int                  `json:"min_employees" doc:"values covering fewer employees are suppressed"`
	Cells            []apiStatCellJSON    `json:"cells"`
	Months           []apiStatMonthJSON   `json:"months"`
	OverdueDeletions []apiStatOverdueJSON `json:"overdue_deletions"`
}

func statNum(v monitoring.StatValue, n int64) *int64 {
	if v.Suppressed {
		return nil
	}
	return &n
}

func apiStatFlags(fs []monitoring.StatFlag) []apiStatFlagJSON {
	out := make([]apiStatFlagJSON, 0, len(fs))
	for _, f := range fs {
		out = append(out, apiStatFlagJSON{Flag: string(f.Flag), Suppressed: f.Suppressed, Uses: statNum(f.StatValue, f.Count)})
	}
	return out
}

func apiStatisticsOut(st *monitoring.Statistics) apiStatisticsJSON {
	out := apiStatisticsJSON{From: st.From, To: st.To, MinEmployees: monitoring.MinEmployees,
		Cells: []apiStatCellJSON{}, Months: []apiStatMonthJSON{}, OverdueDeletions: []apiStatOverdueJSON{}}
	if st.ActivityID != 0 {
		id := st.ActivityID
		out.ActivityID = &id
	}
	for _, c := range st.Cells {
		out.Cells = append(out.Cells, apiStatCellJSON{ActivityID: c.ActivityID, Purpose: c.Purpose, Unit: c.Unit, Month: c.Month,
			Suppressed: c.Uses.Suppressed, Uses: statNum(c.Uses, c.Uses.Count), Employees: statNum(c.Uses, c.Uses.Employees),
			Flags: apiStatFlags(c.Flags)})
	}
	for _, m := range st.Months {
		out.Months = append(out.Months, apiStatMonthJSON{ActivityID: m.ActivityID, Month: m.Month, Suppressed: m.Uses.Suppressed,
			Uses: statNum(m.Uses, m.Uses.Count), Flags: apiStatFlags(m.Flags)})
	}
	for _, o := range st.Overdue {
		out.OverdueDeletions = append(out.OverdueDeletions, apiStatOverdueJSON{ActivityID: o.ActivityID,
			Suppressed: o.Recordings.Suppressed, Recordings: statNum(o.Recordings, o.Recordings.Count)})
	}
	return out
}

// statisticsFilter reads ?from=YYYY-MM&to=YYYY-MM&activity_id= and checks
// that the activity exists (404 otherwise; representatives may read every
// register entry).
func (s *Server) statisticsFilter(c *fiber.Ctx) (monitoring.StatisticsFilter, error) {
	f := monitoring.StatisticsFilter{From: c.Query("from"), To: c.Query("to")}
	id, err := apiQueryInt64(c, "activity_id")
	if err != nil {
		return f, err
	}
	f.ActivityID = id
	if f, err = monitoring.NormalizeStatisticsFilter(f, s.Now()); err != nil {
		// A bad query parameter is a bad request (400) naming it, as
		// for every list filter.
		var me *monitoring.Error
		if errors.As(err, &me) && len(me.Fields) > 0 {
			fields := slices.Sorted(maps.Keys(me.Fields))
			return f, errBadField(fields[0], me.Fields[fields[0]])
		}
		return f, err
	}
	if id != 0 {
		if _, err := s.Register.FindActivity(c.UserContext(), id); err != nil {
			return f, err
		}
	}
	return f, nil
}

func (s *Server) apiStatistics(c *fiber.Ctx) error {
	f, err := s.statisticsFilter(c)
	if err != nil {
		return err
	}
	st, err := s.Stats.Statistics(c.UserContext(), f, s.Now())
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return apiSendAppended(c, fiber.StatusOK, func(b []byte) ([]byte, error) { return appendStatisticsJSON(b, st), nil })
}

func (s *Server) apiStatisticsCSV(c *fiber.Ctx) error {
	return s.sendStatisticsCSV(c, nil)
}

// activityNames maps every activity's id to its name.
func (s *Server) activityNames(ctx context.Context) (map[int64]string, error) {
	names := map[int64]string{}
	f := monitoring.ActivityFilter{Limit: 1000}
	for {
		as, next, err := s.Register.ListActivities(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, a := range as {
			names[a.ID] = a.Name
		}
		if next == 0 {
			return names, nil
		}
		f.Cursor = next
	}
}

// statCSVColumns are the CSV's header names (the API's; the web page's
// download translates them, header non-nil).
var statCSVColumns = []string{"activity_id", "activity", "month", "purpose", "unit", "uses", "employees"}

// sendStatisticsCSV writes the cells as CSV (";", CRLF, UTF-8 with BOM, as
// the register extract): one row per cell, a column per flag; suppressed
// values as "< 5"; every text through monitoring.CSVSafe (no formula
// injection from activity names, purposes or units). header, when not nil,
// translates the column names (web download).
func (s *Server) sendStatisticsCSV(c *fiber.Ctx, header func(string) string) error {
	f, err := s.statisticsFilter(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	st, err := s.Stats.Statistics(ctx, f, s.Now())
	if err != nil {
		return err
	}
	names, err := s.activityNames(ctx)
	if err != nil {
		return err
	}
	suppressed := "< " + strconv.Itoa(monitoring.MinEmployees)
	num := func(v monitoring.StatValue, n int64) string {
		if v.Suppressed {
			return suppressed
		}
		return strconv.FormatInt(n, 10)
	}
	head := append([]string{}, statCSVColumns...)
	for _, fl := range monitoring.AllFlags {
		head = append(head, "flag_"+string(fl))
	}
	if header != nil {
		for i, h := range head {
			head[i] = header(h)
		}
	}
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	w.Comma = ';'
	w.UseCRLF = true
	if err := w.Write(head); err != nil {
		return err
	}
	for _, cell := range st.Cells {
		row := []string{strconv.FormatInt(cell.ActivityID, 10), monitoring.CSVSafe(names[cell.ActivityID]), cell.Month,
			monitoring.CSVSafe(cell.Purpose), monitoring.CSVSafe(cell.Unit),
			num(cell.Uses, cell.Uses.Count), num(cell.Uses, cell.Uses.Employees)}
		for _, fl := range cell.Flags {
			row = append(row, num(fl.StatValue, fl.Count))
		}
		if err := w.Write(row); err != nil {
			return err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="statistics-`+st.From+`-`+st.To+`.csv"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(buf.Bytes())
}

func init() {
	statQuery := []apiParam{
		{name: "from", typ: "string", doc: "first month YYYY-MM (default: 11 months before to)"},
		{name: "to", typ: "string", doc: "last month YYYY-MM (default: this month)"},
		{name: "activity_id", typ: "integer", doc: "one activity only"},
	}
	apiOperations = append(apiOperations,
		apiOperation{method: "get", path: "/statistics", tag: "statistics",
			summary: "Representatives' statistics: uses per activity, purpose, unit and month, flags and overdue deletions; values of fewer than 5 employees suppressed",
			roles:   "representative, hr, dpo", scope: "read", query: statQuery,
			status: 200, resp: apiStatisticsJSON{}, errors: []int{400, 404}},
		apiOperation{method: "get", path: "/statistics.csv", tag: "statistics",
			summary: "The statistics' cells as CSV (';'-separated, suppressed values as \"< 5\")",
			roles:   "representative, hr, dpo", scope: "read", query: statQuery,
			status: 200, resp: nil, errors: []int{400, 404}},
	)
}
