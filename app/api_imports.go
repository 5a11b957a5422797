package app

import (
	"context"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"vaaka/monitoring"
)

// Telephony access-log import (R-ACC-1, R-LOG-1): sources with their saved
// column mapping, preview, dry run, and imports that run in the background
// with progress.

// apiImportColumns is a source's column mapping: header names, or 1-based
// column numbers for a file without a header row.
type apiImportColumns struct {
	RowKey        string `json:"row_key" doc:"optional; without it the row key is the SHA-256 of the row's cells"`
	OccurredAt    string `json:"occurred_at" required:"true"`
	User          string `json:"user" required:"true" doc:"the listener's email"`
	RecordingRef  string `json:"recording_ref" required:"true"`
	Action        string `json:"action" required:"true"`
	Purpose       string `json:"purpose"`
	Employees     string `json:"employee_staff_ids" doc:"staff ids separated by , ; | or space"`
	CallStartedAt string `json:"call_started_at"`
	Direction     string `json:"direction"`
}

// apiImportSourceIn creates or replaces a source.
type apiImportSourceIn struct {
	Name              string            `json:"name" required:"true"`
	Delimiter         string            `json:"delimiter" doc:"; (default) , | or a tab"`
	HasHeader         *bool             `json:"has_header" doc:"default true"`
	TimeZone          string            `json:"time_zone" doc:"IANA zone of the file's times, default Europe/Helsinki"`
	TimeLayout        string            `json:"time_layout" doc:"Go layout, e.g. 2006-01-02 15:04:05; default RFC 3339"`
	DefaultActivityID int64             `json:"default_activity_id" doc:"activity of recordings the ledger does not know"`
	Columns           apiImportColumns  `json:"columns" required:"true"`
	ActionMap         map[string]string `json:"action_map" required:"true" doc:"file value → listened, downloaded, … or delete"`
}

// apiImportSourceJSON is a saved source.
type apiImportSourceJSON struct {
	ID int64 `json:"id"`
	apiImportSourceIn
	CreatedAt *string `json:"created_at" format:"date-time"`
	UpdatedAt *string `json:"updated_at" format:"date-time"`
}

// apiImportLine is one bad row.
type apiImportLine struct {
	Line    int    `json:"line"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// apiImportPreviewJSON is the first rows of a file as cells.
type apiImportPreviewJSON struct {
	Header []string        `json:"header"`
	Rows   [][]string      `json:"rows"`
	Errors []apiImportLine `json:"errors"`
}

// apiImportCounts are the counts of a run or a dry run.
type apiImportCounts struct {
	Total      int `json:"total"`
	Done       int `json:"done"`
	Created    int `json:"created"`
	Duplicates int `json:"duplicates"`
	Deletions  int `json:"deletions"`
	Bad        int `json:"bad"`
}

// apiImportReportJSON is a dry run's answer: nothing was written.
type apiImportReportJSON struct {
	apiImportCounts
	Errors []apiImportLine `json:"errors"`
}

// apiImportRunJSON is an import run with its progress.
type apiImportRunJSON struct {
	ID         int64  `json:"id"`
	SourceID   int64  `json:"source_id"`
	SourceName string `json:"source_name"`
	FileName   string `json:"file_name"`
	StartedBy  string `json:"started_by"`
	Status     string `json:"status" enum:"running,finished"`
	apiImportCounts
	StartedAt  *string         `json:"started_at" format:"date-time"`
	FinishedAt *string         `json:"finished_at" format:"date-time"`
	Errors     []apiImportLine `json:"errors,omitempty" doc:"bad rows by line (one run only)"`
}

func apiImportSourceToDomain(in apiImportSourceIn) *monitoring.ImportSource {
	hdr := in.HasHeader == nil || *in.HasHeader
	c := in.Columns
	return &monitoring.ImportSource{Name: in.Name, Delimiter: in.Delimiter, HasHeader: hdr, TimeZone: in.TimeZone,
		TimeLayout: in.TimeLayout, DefaultActivityID: in.DefaultActivityID, ActionMap: in.ActionMap,
		Columns: monitoring.ImportColumns{RowKey: c.RowKey, OccurredAt: c.OccurredAt, User: c.User, RecordingRef: c.RecordingRef,
			Action: c.Action, Purpose: c.Purpose, Employees: c.Employees, CallStartedAt: c.CallStartedAt, Direction: c.Direction}}
}

func apiImportSourceOut(s *monitoring.ImportSource) apiImportSourceJSON {
	hdr := s.HasHeader
	c := s.Columns
	return apiImportSourceJSON{ID: s.ID, CreatedAt: apiTimeOut(s.CreatedAt), UpdatedAt: apiTimeOut(s.UpdatedAt),
		apiImportSourceIn: apiImportSourceIn{Name: s.Name, Delimiter: s.Delimiter, HasHeader: &hdr, TimeZone: s.TimeZone,
			TimeLayout: s.TimeLayout, DefaultActivityID: s.DefaultActivityID, ActionMap: s.ActionMap,
			Columns: apiImportColumns{RowKey: c.RowKey, OccurredAt: c.OccurredAt, User: c.User, RecordingRef: c.RecordingRef,
				Action: c.Action, Purpose: c.Purpose, Employees: c.Employees, CallStartedAt: c.CallStartedAt, Direction: c.Direction}}}
}

func apiImportCountsOut(c monitoring.ImportCounts) apiImportCounts {
	return apiImportCounts{Total: c.Total, Done: c.Done, Created: c.Created, Duplicates: c.Duplicates, Deletions: c.Deletions, Bad: c.Bad}
}

func (s *Server) apiImportLines(lang monitoring.Language, les []monitoring.LineError) []apiImportLine {
	out := make([]apiImportLine, 0, len(les))
	for _, le := range les {
		out = append(out, apiImportLine{Line: le.Line, Field: le.Field, Message: s.importLineMessage(lang, le)})
	}
	return out
}

// importLineMessage translates a bad row's message naming its column.
func (s *Server) importLineMessage(lang monitoring.Language, le monitoring.LineError) string {
	key := "validation." + le.Key
	if !s.i18n.Has(key) {
		key = "validation.invalid"
	}
	return s.i18n.T(lang, key, "field", s.importFieldLabel(lang, le.Field))
}

// importFieldLabel is the label of a mapping field or a use field.
func (s *Server) importFieldLabel(lang monitoring.Language, field string) string {
	if field == "" {
		return ""
	}
	if k := "web.imports.field." + field; s.i18n.Has(k) {
		return s.i18n.T(lang, k)
	}
	return webLabel(s.i18n, lang, field)
}

func (s *Server) apiImportRunOut(lang monitoring.Language, r *monitoring.ImportRun) apiImportRunJSON {
	out := apiImportRunJSON{ID: r.ID, SourceID: r.SourceID, SourceName: r.SourceName, FileName: r.FileName, StartedBy: r.Actor,
		Status: string(r.Status), apiImportCounts: apiImportCountsOut(r.ImportCounts), StartedAt: apiTimeOut(r.StartedAt),
		FinishedAt: apiTimeOut(r.FinishedAt)}
	if len(r.Errors) > 0 {
		out.Errors = s.apiImportLines(lang, r.Errors)
	}
	return out
}

func (s *Server) apiImportSourceList(c *fiber.Ctx) error {
	srcs, err := s.Imports.ListSources(c.UserContext())
	if err != nil {
		return err
	}
	return apiSendJSON(c, fiber.StatusOK, apiPage[apiImportSourceJSON]{Items: apiMap(srcs, apiImportSourceOut)})
}

func (s *Server) apiDecodeImportSource(c *fiber.Ctx) (*monitoring.ImportSource, error) {
	b, err := apiJsonBody(c)
	if err != nil {
		return nil, err
	}
	var in apiImportSourceIn
	if err := apiDecodeStrict(b, &in, ""); err != nil {
		return nil, err
	}
	return apiImportSourceToDomain(in), nil
}

func (s *Server) apiImportSourceCreate(c *fiber.Ctx) error {
	src, err := s.apiDecodeImportSource(c)
	if err != nil {
		return err
	}
	got, err := s.Imports.CreateSource(c.UserContext(), principalOf(c).User.Email, src)
	if err != nil {
		return err
	}
	return apiSendJSON(c, fiber.StatusCreated, apiImportSourceOut(got))
}

func (s *Server) apiImportSourceFind(c *fiber.Ctx) (*monitoring.ImportSource, error) {
	id, err := apiPathID(c, "id")
	if err != nil {
		return nil, err
	}
	return s.Imports.FindSource(c.UserContext(), id)
}

func (s *Server) apiImportSourceGet(c *fiber.Ctx) error {
	src, err := s.apiImportSourceFind(c)
	if err != nil {
		return err
	}
	return apiSendJSON(c, fiber.StatusOK, apiImportSourceOut(src))
}

func (s *Server) apiImportSourceUpdate(c *fiber.Ctx) error {
	old, err := s.apiImportSourceFind(c)
	if err != nil {
		return err
	}
	src, err := s.apiDecodeImportSource(c)
	if err != nil {
		return err
	}
	src.ID = old.ID
	got, err := s.Imports.UpdateSource(c.UserContext(), principalOf(c).User.Email, src)
	if err != nil {
		return err
	}
	return apiSendJSON(c, fiber.StatusOK, apiImportSourceOut(got))
}

// apiImportFile returns the CSV body of a preview, dry run or import.
func apiImportFile(c *fiber.Ctx) ([]byte, error) {
	if !apiIsCSVType(c.Get(fiber.HeaderContentType)) {
		return nil, apiErrUnsupportedType
	}
	body := c.Body()
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil, apiFieldErr("file", monitoring.MsgRequired)
	}
	return body, nil
}

func (s *Server) apiImportPreview(c *fiber.Ctx) error {
	src, err := s.apiImportSourceFind(c)
	if err != nil {
		return err
	}
	n := 10
	if v := c.Query("rows"); v != "" {
		if n, err = strconv.Atoi(v); err != nil || n < 1 || n > 100 {
			return apiFieldErr("rows", monitoring.MsgInvalid)
		}
	}
	body, err := apiImportFile(c)
	if err != nil {
		return err
	}
	p, err := s.Imports.Preview(c.UserContext(), src.ID, body, n)
	if err != nil {
		return err
	}
	return apiSendJSON(c, fiber.StatusOK, apiImportPreviewJSON{Header: apiNonNil(p.Header), Rows: apiNonNil(p.Rows),
		Errors: s.apiImportLines(s.langOf(c), p.Bad)})
}

func (s *Server) apiImportDryRun(c *fiber.Ctx) error {
	src, err := s.apiImportSourceFind(c)
	if err != nil {
		return err
	}
	body, err := apiImportFile(c)
	if err != nil {
		return err
	}
	rep, err := s.Imports.DryRun(c.UserContext(), src.ID, body)
	if err != nil {
		return err
	}
	return apiSendJSON(c, fiber.StatusOK, apiImportReportJSON{apiImportCounts: apiImportCountsOut(rep.ImportCounts),
		Errors: s.apiImportLines(s.langOf(c), rep.Errors)})
}

// apiImportStart stores the file and imports it in the background; the run
// answers 202 and GET /imports/{id} shows its progress.
func (s *Server) apiImportStart(c *fiber.Ctx) error {
	src, err := s.apiImportSourceFind(c)
	if err != nil {
		return err
	}
	body, err := apiImportFile(c)
	if err != nil {
		return err
	}
	name := c.Query("file_name")
	if name == "" {
		name = "api.csv"
	}
	run, err := s.startImport(c.UserContext(), principalOf(c).User.Email, src.ID, name, body)
	if err != nil {
		return err
	}
	c.Location("/api/v1/imports/" + strconv.FormatInt(run.ID, 10))
	return apiSendJSON(c, fiber.StatusAccepted, s.apiImportRunOut(s.langOf(c), run))
}

// startImport stores a run and processes it in a goroutine (a run cut
// short by a shutdown is resumed at the next start, ResumeImports).
func (s *Server) startImport(ctx context.Context, actor string, sourceID int64, name string, body []byte) (*monitoring.ImportRun, error) {
	run, err := s.Imports.StartImport(ctx, actor, sourceID, name, body)
	if err != nil {
		return nil, err
	}
	go func(id int64) {
		if _, err := s.Imports.RunImport(context.Background(), id); err != nil {
			s.Logger.Error("import run", "id", id, "err", err)
		}
	}(run.ID)
	return run, nil
}

func (s *Server) apiImportRunList(c *fiber.Ctx) error {
	lp, err := apiParseList(c)
	if err != nil {
		return err
	}
	cursor, err := lp.seqCursor()
	if err != nil {
		return err
	}
	runs, next, err := s.Imports.ListRuns(c.UserContext(), monitoring.ImportRunFilter{Cursor: cursor, Limit: lp.Limit})
	if err != nil {
		return err
	}
	lang := s.langOf(c)
	return apiSendJSON(c, fiber.StatusOK, apiPage[apiImportRunJSON]{Items: apiMap(runs, func(r *monitoring.ImportRun) apiImportRunJSON {
		return s.apiImportRunOut(lang, r)
	}), NextCursor: apiEncodeSeqCursor(next)})
}

func (s *Server) apiImportRunGet(c *fiber.Ctx) error {
	id, err := apiPathID(c, "id")
	if err != nil {
		return err
	}
	run, err := s.Imports.FindRun(c.UserContext(), id)
	if err != nil {
		return err
	}
	return apiSendJSON(c, fiber.StatusOK, s.apiImportRunOut(s.langOf(c), run))
}

func init() {
	apiOperations = append(apiOperations,
		apiOperation{method: "get", path: "/import-sources", tag: "imports", summary: "List telephony access-log sources", roles: "hr", scope: "read",
			status: 200, resp: apiList{apiImportSourceJSON{}}},
		apiOperation{method: "post", path: "/import-sources", tag: "imports", summary: "Save a source with its column mapping", roles: "hr", scope: "write",
			body: []any{apiImportSourceIn{}}, status: 201, resp: apiImportSourceJSON{}, errors: []int{400, 409, 413, 415, 422}},
		apiOperation{method: "get", path: "/import-sources/{id}", tag: "imports", summary: "One source", roles: "hr", scope: "read",
			status: 200, resp: apiImportSourceJSON{}, errors: []int{404}},
		apiOperation{method: "put", path: "/import-sources/{id}", tag: "imports", summary: "Replace a source's settings and mapping", roles: "hr", scope: "write",
			body: []any{apiImportSourceIn{}}, status: 200, resp: apiImportSourceJSON{}, errors: []int{400, 404, 409, 413, 415, 422}},
		apiOperation{method: "post", path: "/import-sources/{id}/preview", tag: "imports", summary: "The first rows of a file as cells (for the mapping)",
			roles: "hr", scope: "write", bodyType: "text/csv", query: []apiParam{{name: "rows", typ: "integer", doc: "1–100, default 10"}},
			status: 200, resp: apiImportPreviewJSON{}, errors: []int{400, 404, 413, 415}},
		apiOperation{method: "post", path: "/import-sources/{id}/dry-run", tag: "imports", summary: "Check a file: the counts an import would have and every bad row by line; writes nothing",
			roles: "hr", scope: "write", bodyType: "text/csv", status: 200, resp: apiImportReportJSON{}, errors: []int{400, 404, 413, 415, 422}},
		apiOperation{method: "post", path: "/import-sources/{id}/imports", tag: "imports", summary: "Import a file in the background (idempotent by row key); follow GET /imports/{id}",
			roles: "hr", scope: "write", bodyType: "text/csv", query: []apiParam{{name: "file_name", typ: "string"}},
			status: 202, resp: apiImportRunJSON{}, errors: []int{400, 404, 413, 415, 422}},
		apiOperation{method: "get", path: "/imports", tag: "imports", summary: "Import runs, newest first", roles: "hr", scope: "read",
			query: []apiParam{oaLimit, oaCursor}, status: 200, resp: apiList{apiImportRunJSON{}}, errors: []int{400}},
		apiOperation{method: "get", path: "/imports/{id}", tag: "imports", summary: "An import run's progress and bad rows", roles: "hr", scope: "read",
			status: 200, resp: apiImportRunJSON{}, errors: []int{404}},
	)
}
