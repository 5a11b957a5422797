package app

import (
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"vaaka/monitoring"
)

// The telephony access-log import pages (hr): sources and runs, the
// source form with its column mapping, upload with preview, dry run and
// import, and a run's progress.

// importsData is the list page.
type importsData struct {
	Sources []*monitoring.ImportSource
	Runs    []*monitoring.ImportRun
	NextURL string // the next page of runs, "" on the last
}

// importField is one mapping field of the source form.
type importField struct {
	Name     string // form name col.<field>
	Field    string
	Required bool
	Value    string
}

// importSourceData is the source page: the form, and the results of an
// upload (preview, dry run).
type importSourceData struct {
	Source     *monitoring.ImportSource
	New        bool
	Header     []string // column choices (from a sample or the saved mapping)
	Fields     []importField
	Layouts    []monitoring.TimeLayout
	Layout     string // selected layout key, or "custom"
	Custom     string
	Delimiter  string // form value: ; , tab |
	ActionMap  string // "VALUE=action" lines
	Activities []*monitoring.Activity
	Preview    *monitoring.ImportPreview
	Report     *monitoring.ImportReport
	Lines      []importLine // bad rows of the preview or dry run
	Content    string       // the checked file, re-posted with Import
	FileName   string
}

func (s *Server) handleImports(c *fiber.Ctx) error {
	ctx := c.UserContext()
	srcs, err := s.Imports.ListSources(ctx)
	if err != nil {
		return err
	}
	cursor, err := webCursor(c)
	if err != nil {
		return err
	}
	runs, next, err := s.Imports.ListRuns(ctx, monitoring.ImportRunFilter{Cursor: cursor, Limit: 50})
	if err != nil {
		return err
	}
	d := importsData{Sources: srcs, Runs: runs}
	if next > 0 {
		d.NextURL = "/imports?cursor=" + strconv.FormatInt(next, 10) + "#runs"
	}
	p := s.newPage(c, "web.imports.title")
	p.Data = d
	return s.render(c, fiber.StatusOK, "imports", p)
}

// importDelimiters names the delimiters in the form.
var importDelimiters = map[string]string{"semicolon": ";", "comma": ",", "tab": "\t", "pipe": "|"}

func delimiterForm(d string) string {
	for k, v := range importDelimiters {
		if v == d {
			return k
		}
	}
	return "semicolon"
}

func (s *Server) importSourceData(c *fiber.Ctx, src *monitoring.ImportSource, header []string) (*importSourceData, error) {
	acts, _, err := s.Register.ListActivities(c.UserContext(), monitoring.ActivityFilter{Limit: 1000})
	if err != nil {
		return nil, err
	}
	d := &importSourceData{Source: src, New: src.ID == 0, Layouts: monitoring.TimeLayouts, Activities: acts,
		Delimiter: delimiterForm(src.Delimiter), Layout: "custom", Custom: src.TimeLayout}
	for _, l := range monitoring.TimeLayouts {
		if l.Layout == src.TimeLayout {
			d.Layout, d.Custom = l.Key, ""
		}
	}
	keys := make([]string, 0, len(src.ActionMap))
	for k := range src.ActionMap {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var am strings.Builder
	for _, k := range keys {
		am.WriteString(k + "=" + src.ActionMap[k] + "\n")
	}
	d.ActionMap = am.String()
	d.Header = header
	for _, f := range monitoring.ImportColumnFields {
		v := src.Columns.Get(f.Name)
		d.Fields = append(d.Fields, importField{Name: "col." + f.Name, Field: f.Name, Required: f.Required, Value: v})
		if v != "" && !slices.Contains(d.Header, v) && len(header) == 0 {
			d.Header = append(d.Header, v)
		}
	}
	return d, nil
}

func (s *Server) handleImportSourceNew(c *fiber.Ctx) error {
	src := &monitoring.ImportSource{HasHeader: true, ActionMap: monitoring.DefaultActionMap()}
	src.Normalize()
	d, err := s.importSourceData(c, src, nil)
	if err != nil {
		return err
	}
	p := s.newPage(c, "web.imports.source_new")
	p.Data = d
	return s.render(c, fiber.StatusOK, "import_source", p)
}

func (s *Server) findImportSource(c *fiber.Ctx) (*monitoring.ImportSource, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, fiber.ErrNotFound
	}
	return s.Imports.FindSource(c.UserContext(), id)
}

func (s *Server) handleImportSource(c *fiber.Ctx) error {
	src, err := s.findImportSource(c)
	if err != nil {
		return err
	}
	d, err := s.importSourceData(c, src, nil)
	if err != nil {
		return err
	}
	p := s.newPage(c, "web.imports.source_title")
	p.Title = src.Name
	p.Data = d
	return s.render(c, fiber.StatusOK, "import_source", p)
}

// sourceFromForm reads the source form.
func sourceFromForm(c *fiber.Ctx) *monitoring.ImportSource {
	src := &monitoring.ImportSource{Name: c.FormValue("name"), Delimiter: importDelimiters[c.FormValue("delimiter")],
		HasHeader: c.FormValue("has_header") != "", TimeZone: strings.TrimSpace(c.FormValue("time_zone"))}
	if src.Delimiter == "" {
		src.Delimiter = "?"
	}
	src.TimeLayout = strings.TrimSpace(c.FormValue("time_layout_custom"))
	for _, l := range monitoring.TimeLayouts {
		if l.Key == c.FormValue("time_layout") {
			src.TimeLayout = l.Layout
		}
	}
	if src.TimeLayout == "" {
		src.TimeLayout = "invalid"
	}
	src.DefaultActivityID, _ = strconv.ParseInt(c.FormValue("default_activity_id"), 10, 64)
	for _, f := range monitoring.ImportColumnFields {
		src.Columns.Set(f.Name, c.FormValue("col."+f.Name))
	}
	src.ActionMap = map[string]string{}
	for _, l := range strings.Split(c.FormValue("action_map"), "\n") {
		k, v, ok := strings.Cut(l, "=")
		if ok && strings.TrimSpace(k) != "" {
			src.ActionMap[k] = v
		}
	}
	return src
}

// uploaded returns the uploaded file (field "file", else the re-posted
// "content") and its name.
func (s *Server) uploaded(c *fiber.Ctx, field string) ([]byte, string, error) {
	if fh, err := c.FormFile(field); err == nil && fh.Size > 0 {
		f, err := fh.Open()
		if err != nil {
			return nil, "", errBadField(field, monitoring.MsgInvalid)
		}
		defer f.Close()
		b, err := io.ReadAll(io.LimitReader(f, int64(s.cfg.BodyLimit)+1))
		if err != nil {
			return nil, "", errBadField(field, monitoring.MsgInvalid)
		}
		return b, fh.Filename, nil
	}
	return []byte(c.FormValue("content")), c.FormValue("file_name"), nil
}

func (s *Server) handleImportSourceCreate(c *fiber.Ctx) error { return s.saveImportSource(c, nil) }

func (s *Server) handleImportSourceUpdate(c *fiber.Ctx) error {
	old, err := s.findImportSource(c)
	if err != nil {
		return err
	}
	return s.saveImportSource(c, old)
}

// saveImportSource saves the form, or with mode=sample reads the header
// row of an uploaded sample so that the mapping can be chosen from it.
func (s *Server) saveImportSource(c *fiber.Ctx, old *monitoring.ImportSource) error {
	src := sourceFromForm(c)
	if old != nil {
		src.ID, src.CreatedAt = old.ID, old.CreatedAt
	}
	p := s.newPage(c, "web.imports.source_new")
	if old != nil {
		p.Title = old.Name
	}
	if c.FormValue("mode") == "sample" {
		data, _, err := s.uploaded(c, "sample")
		if err != nil {
			return err
		}
		src.Normalize()
		pv := monitoring.PreviewAccessLog(src, data, 5)
		d, err := s.importSourceData(c, src, pv.Header)
		if err != nil {
			return err
		}
		d.Preview = pv
		if len(strings.TrimSpace(string(data))) == 0 {
			s.setErrors(p, map[string]string{"sample": monitoring.MsgRequired}, nil)
		}
		p.Data = d
		return s.render(c, fiber.StatusOK, "import_source", p)
	}
	var saved *monitoring.ImportSource
	var err error
	actor := principalOf(c).User.Email
	if old == nil {
		saved, err = s.Imports.CreateSource(c.UserContext(), actor, src)
	} else {
		saved, err = s.Imports.UpdateSource(c.UserContext(), actor, src)
	}
	if err != nil {
		fields, ok := webFields(err)
		if !ok && monitoring.ErrorCodeOf(err) == monitoring.Conflict {
			fields, ok = map[string]string{"name": monitoring.MsgDuplicate}, true
		}
		if !ok {
			return err
		}
		src.Normalize()
		d, derr := s.importSourceData(c, src, importFormValues(c, "header"))
		if derr != nil {
			return derr
		}
		s.putErrors(p, fields, func(f string) string {
			if strings.HasPrefix(f, "columns.") {
				return "col." + strings.TrimPrefix(f, "columns.")
			}
			return f
		}, func(f, _ string) string { return s.importFieldLabel(p.Lang, strings.TrimPrefix(f, "columns.")) })
		p.Data = d
		return s.render(c, fiber.StatusUnprocessableEntity, "import_source", p)
	}
	return c.Redirect("/imports/sources/"+strconv.FormatInt(saved.ID, 10)+"?flash=import_source_saved", fiber.StatusSeeOther)
}

// importFormValues returns every value of a form field (urlencoded or multipart).
func importFormValues(c *fiber.Ctx, name string) []string {
	if mf, err := c.MultipartForm(); err == nil && mf != nil {
		return mf.Value[name]
	}
	var out []string
	for _, v := range c.Request().PostArgs().PeekMulti(name) {
		out = append(out, string(v))
	}
	return out
}

// handleImportUpload previews, checks (dry run) or imports an uploaded
// file with the source's mapping. An import runs in the background and
// the browser goes to its progress page.
func (s *Server) handleImportUpload(c *fiber.Ctx) error {
	src, err := s.findImportSource(c)
	if err != nil {
		return err
	}
	data, name, err := s.uploaded(c, "file")
	if err != nil {
		return err
	}
	p := s.newPage(c, "web.imports.source_title")
	p.Title = src.Name
	d, err := s.importSourceData(c, src, nil)
	if err != nil {
		return err
	}
	p.Data = d
	if len(strings.TrimSpace(string(data))) == 0 {
		s.setErrors(p, map[string]string{"file": monitoring.MsgRequired}, nil)
		return s.render(c, fiber.StatusUnprocessableEntity, "import_source", p)
	}
	ctx := c.UserContext()
	fail := func(err error) error {
		fields, ok := webFields(err)
		if !ok {
			return err
		}
		s.putErrors(p, fields, func(f string) string { return "file" }, func(f, _ string) string {
			return s.importFieldLabel(p.Lang, strings.TrimPrefix(f, "columns."))
		})
		return s.render(c, fiber.StatusUnprocessableEntity, "import_source", p)
	}
	switch c.FormValue("mode") {
	case "import":
		run, err := s.startImport(ctx, principalOf(c).User.Email, src.ID, name, data)
		if err != nil {
			return fail(err)
		}
		return c.Redirect("/imports/runs/"+strconv.FormatInt(run.ID, 10), fiber.StatusSeeOther)
	case "dry_run":
		rep, err := s.Imports.DryRun(ctx, src.ID, data)
		if err != nil {
			return fail(err)
		}
		d.Report = rep
		d.Lines = s.importLines(p.Lang, rep.Errors)
	default:
		pv, err := s.Imports.Preview(ctx, src.ID, data, 10)
		if err != nil {
			return fail(err)
		}
		d.Preview = pv
		d.Lines = s.importLines(p.Lang, pv.Bad)
	}
	d.Content, d.FileName = string(data), name
	return s.render(c, fiber.StatusOK, "import_source", p)
}

func (s *Server) importLines(lang monitoring.Language, les []monitoring.LineError) []importLine {
	out := make([]importLine, 0, len(les))
	for _, le := range les {
		out = append(out, importLine{Line: le.Line, Field: s.importFieldLabel(lang, le.Field), Message: s.importLineMessage(lang, le)})
	}
	return out
}

// importRunData is a run's page.
type importRunData struct {
	Run     *monitoring.ImportRun
	Running bool
	Percent int
	Lines   []importLine
}

func (s *Server) handleImportRun(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return fiber.ErrNotFound
	}
	run, err := s.Imports.FindRun(c.UserContext(), id)
	if err != nil {
		return err
	}
	p := s.newPage(c, "web.imports.run_title")
	d := importRunData{Run: run, Running: run.Status == monitoring.ImportRunning, Lines: s.importLines(p.Lang, run.Errors), Percent: 100}
	if run.Total > 0 {
		d.Percent = run.Done * 100 / run.Total
	}
	if d.Running {
		c.Set("Refresh", "2") // no JavaScript: the page reloads itself while the run goes on
	}
	p.Data = d
	return s.render(c, fiber.StatusOK, "import_run", p)
}

func init() { pageNames = append(pageNames, "imports", "import_source", "import_run") }
