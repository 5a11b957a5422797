package monitoring

// Import of telephony access logs (R-ACC-1, R-LOG-1): a contact-centre
// platform's CSV export of who listened to, downloaded or deleted which
// recording when. HR maps its columns once per source; the parser here is a
// pure function of the source and the file's bytes. Rows become uses (with
// the flags of the normal writer: purpose_missing where the log has no
// purpose, unauthorized_user where the listener is not authorised) or
// deletion confirmations in the retention ledger (R-RET-2).

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// SourceImport marks uses recorded from an imported access log; their
// external_id is "<source name>:<row key>".
const SourceImport Source = "import"

// Message keys of access-log rows (app translates "validation.<key>").
const (
	MsgImportTime     = "import_time"      // the cell does not match the source's time layout
	MsgImportAction   = "import_action"    // the action is not in the value map
	MsgImportColumn   = "import_no_column" // the row lacks the mapped column
	MsgImportUnknown  = "import_unknown"   // the ledger does not know the recording and nothing gives the value
	MsgImportTooLarge = "import_too_large" // the file exceeds MaxAccessLogRows
)

// Limits of an access-log import.
const (
	MaxAccessLogRows  = 200_000
	MaxAccessLogBytes = 64 << 20
	ImportChunk       = 1000 // rows per transaction
	MaxRowKeyLen      = 120
)

// ImportDelete is the value-map target of a deletion row.
const ImportDelete = "delete"

// ImportRowKind tells what a row becomes.
type ImportRowKind string

// Row kinds.
const (
	RowUse    ImportRowKind = "use"
	RowDelete ImportRowKind = "delete"
)

// TimeLayout is a named choice of a time format.
type TimeLayout struct {
	Key    string // catalog suffix: web.imports.layout.<key>
	Layout string // Go layout
}

// TimeLayouts are the layouts the source form offers; any other Go layout
// is accepted too.
var TimeLayouts = []TimeLayout{
	{"rfc3339", time.RFC3339},
	{"iso", "2006-01-02 15:04:05"},
	{"iso_t", "2006-01-02T15:04:05"},
	{"iso_minutes", "2006-01-02 15:04"},
	{"fi", "2.1.2006 15:04:05"},
	{"fi_minutes", "2.1.2006 15:04"},
	{"us", "01/02/2006 15:04:05"},
}

// Delimiters a source may use.
var Delimiters = []string{";", ",", "\t", "|"}

// ImportColumns maps the fields of a row to the file's columns: the header
// name, or with no header row the 1-based column number ("3"). Empty means
// not mapped.
type ImportColumns struct {
	RowKey        string `json:"row_key,omitempty"`
	OccurredAt    string `json:"occurred_at"`
	User          string `json:"user"`
	RecordingRef  string `json:"recording_ref"`
	Action        string `json:"action"`
	Purpose       string `json:"purpose,omitempty"`
	Employees     string `json:"employee_staff_ids,omitempty"`
	CallStartedAt string `json:"call_started_at,omitempty"`
	Direction     string `json:"direction,omitempty"`
}

// ImportColumnFields lists the mapping fields in form order, the required
// ones marked.
var ImportColumnFields = []struct {
	Name     string
	Required bool
}{
	{"occurred_at", true}, {"user", true}, {"recording_ref", true}, {"action", true},
	{"row_key", false}, {"purpose", false}, {"employee_staff_ids", false},
	{"call_started_at", false}, {"direction", false},
}

// Get returns the column mapped to the named field.
func (c *ImportColumns) Get(field string) string {
	if p := c.ptr(field); p != nil {
		return *p
	}
	return ""
}

// Set maps the named field to col; unknown fields are ignored.
func (c *ImportColumns) Set(field, col string) {
	if p := c.ptr(field); p != nil {
		*p = strings.TrimSpace(col)
	}
}

func (c *ImportColumns) ptr(field string) *string {
	switch field {
	case "row_key":
		return &c.RowKey
	case "occurred_at":
		return &c.OccurredAt
	case "user":
		return &c.User
	case "recording_ref":
		return &c.RecordingRef
	case "action":
		return &c.Action
	case "purpose":
		return &c.Purpose
	case "employee_staff_ids":
		return &c.Employees
	case "call_started_at":
		return &c.CallStartedAt
	case "direction":
		return &c.Direction
	}
	return nil
}

// ImportSource is a saved column mapping of one telephony system's export.
type ImportSource struct {
	ID                int64
	Name              string // unique; prefix of the uses' external_id
	Delimiter         string
	HasHeader         bool
	TimeZone          string // IANA, default Europe/Helsinki
	TimeLayout        string // Go layout
	DefaultActivityID int64  // for recordings the ledger does not know; 0 = none
	Columns           ImportColumns
	// ActionMap maps a file's action value (compared case-insensitively) to
	// an Action or ImportDelete.
	ActionMap map[string]string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// DefaultActionMap is a starting point for a new source.
func DefaultActionMap() map[string]string {
	return map[string]string{"PLAY": string(Listened), "LISTEN": string(Listened),
		"DOWNLOAD": string(Downloaded), "DELETE": ImportDelete}
}

// Normalize fills defaults and normalises the value map's keys.
func (s *ImportSource) Normalize() {
	s.Name = strings.TrimSpace(s.Name)
	if s.Delimiter == "" {
		s.Delimiter = ";"
	}
	if s.TimeZone == "" {
		s.TimeZone = "Europe/Helsinki"
	}
	if s.TimeLayout == "" {
		s.TimeLayout = time.RFC3339
	}
	m := make(map[string]string, len(s.ActionMap))
	for k, v := range s.ActionMap {
		if k = strings.ToUpper(strings.TrimSpace(k)); k != "" {
			m[k] = strings.ToLower(strings.TrimSpace(v))
		}
	}
	s.ActionMap = m
}

// Validate checks a source's settings.
func (s *ImportSource) Validate() error {
	fe := FieldErrors{}
	checkText(fe, "name", s.Name, 60, true)
	if strings.Contains(s.Name, ":") { // the prefix of external_id "<name>:<key>"
		fe.Add("name", MsgInvalid)
	}
	if !slices.Contains(Delimiters, s.Delimiter) {
		fe.Add("delimiter", MsgUnknown)
	}
	if _, err := s.Location(); err != nil {
		fe.Add("time_zone", MsgTimeZone)
	}
	if !ValidTimeLayout(s.TimeLayout) {
		fe.Add("time_layout", MsgInvalid)
	}
	if s.DefaultActivityID < 0 {
		fe.Add("default_activity_id", MsgInvalid)
	}
	for _, f := range ImportColumnFields {
		col := s.Columns.Get(f.Name)
		switch {
		case f.Required && col == "":
			fe.Add("columns."+f.Name, MsgRequired)
		case len(col) > MaxShort:
			fe.Add("columns."+f.Name, MsgTooLong)
		case col != "" && !s.HasHeader:
			if n, err := strconv.Atoi(col); err != nil || n < 1 || n > 1000 {
				fe.Add("columns."+f.Name, MsgInvalid)
			}
		}
	}
	if len(s.ActionMap) == 0 {
		fe.Add("action_map", MsgRequired)
	}
	for k, v := range s.ActionMap {
		if len(k) > 60 || v != ImportDelete && !Action(v).Valid() {
			fe.Add("action_map", MsgUnknown)
		}
	}
	return fe.Err()
}

// Location loads the source's time zone.
func (s *ImportSource) Location() (*time.Location, error) {
	if s.TimeZone == "" || strings.EqualFold(s.TimeZone, "local") {
		return nil, errors.New("monitoring: time zone required")
	}
	return time.LoadLocation(s.TimeZone)
}

// ValidTimeLayout reports whether layout formats and parses back a time to
// the minute (so it has a date and a clock).
func ValidTimeLayout(layout string) bool {
	if layout == "" || len(layout) > 60 {
		return false
	}
	ref := time.Date(2026, 11, 27, 13, 4, 5, 0, time.UTC)
	got, err := time.Parse(layout, ref.Format(layout))
	return err == nil && got.Truncate(time.Minute).Equal(ref.Truncate(time.Minute))
}

// ImportRow is one good row of an access log.
type ImportRow struct {
	Line int
	Key  string // the row key (ExternalID without the source prefix)
	Kind ImportRowKind
	// Use carries the row's fields for RowUse (ActivityID, and what the
	// file leaves out, are filled from the ledger); for RowDelete its
	// RecordingRef, OccurredAt (the deletion time) and UsedBy (the deleter,
	// may be "") are set.
	Use *Use
}

// AccessLog is a parsed file: its good rows and its bad lines, each in line
// order. Total counts the data rows (good and bad).
type AccessLog struct {
	Rows  []ImportRow
	Bad   []LineError
	Total int
}

// ImportPreview is the first rows of a file as cells, for the mapping form.
type ImportPreview struct {
	Header []string   // header row, or "1", "2", … without one
	Rows   [][]string // first data rows
	Bad    []LineError
}

// PreviewAccessLog returns the header (or column numbers) and up to n data
// rows as cells. Invalid UTF-8 cells are replaced for display.
func PreviewAccessLog(src *ImportSource, data []byte, n int) *ImportPreview {
	p := &ImportPreview{}
	r := newAccessLogReader(src, data)
	width := 0
	for len(p.Rows) < n {
		rec, line, err := r.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			p.Bad = append(p.Bad, LineError{Line: line, Key: MsgCSVQuotes})
			continue
		}
		for i, c := range rec {
			rec[i] = strings.ToValidUTF8(c, "\uFFFD")
		}
		if src.HasHeader && p.Header == nil {
			p.Header = trimAll(rec)
			continue
		}
		width = max(width, len(rec))
		p.Rows = append(p.Rows, rec)
	}
	if !src.HasHeader {
		for i := 1; i <= width; i++ {
			p.Header = append(p.Header, strconv.Itoa(i))
		}
	}
	return p
}

// accessLogReader wraps encoding/csv with the source's settings, a BOM
// stripped and line numbers.
type accessLogReader struct {
	cr *csv.Reader
}

func newAccessLogReader(src *ImportSource, data []byte) *accessLogReader {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	cr := csv.NewReader(bytes.NewReader(data))
	d, _ := utf8.DecodeRuneInString(src.Delimiter)
	if d == utf8.RuneError || d == '"' || d == '\r' || d == '\n' {
		d = ';'
	}
	cr.Comma = d
	cr.FieldsPerRecord = -1
	return &accessLogReader{cr: cr}
}

// next returns the next record and its first line; a malformed record
// returns its line with a non-EOF error (the reader resumes at the next
// line).
func (r *accessLogReader) next() ([]string, int, error) {
	rec, err := r.cr.Read()
	if err == io.EOF {
		return nil, 0, io.EOF
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return nil, pe.StartLine, err
	}
	if err != nil {
		return nil, 0, err
	}
	line, _ := r.cr.FieldPos(0)
	return rec, line, nil
}

// ParseAccessLog reads a file with the source's mapping. It never fails on
// the file's content: every bad row is a LineError naming its line and the
// mapping field (column) at fault. Formula-looking cells are kept as given.
func ParseAccessLog(src *ImportSource, data []byte) *AccessLog {
	out := &AccessLog{}
	loc, err := src.Location()
	if err != nil {
		loc = time.UTC
	}
	r := newAccessLogReader(src, data)
	idx := map[string]int{} // mapping field → cell index
	width := -1
	if !src.HasHeader {
		for _, f := range ImportColumnFields {
			if col := src.Columns.Get(f.Name); col != "" {
				if n, err := strconv.Atoi(col); err == nil && n >= 1 {
					idx[f.Name] = n - 1
				}
			}
		}
	}
	headerDone := !src.HasHeader
	for {
		rec, line, err := r.next()
		if err == io.EOF {
			break
		}
		if !headerDone {
			headerDone = true
			if err != nil {
				out.Bad = append(out.Bad, LineError{Line: line, Key: MsgCSVQuotes})
				return out
			}
			hdr := trimAll(rec)
			width = len(hdr)
			missing := false
			for _, f := range ImportColumnFields {
				col := src.Columns.Get(f.Name)
				if col == "" {
					continue
				}
				i := slices.IndexFunc(hdr, func(h string) bool { return strings.EqualFold(h, col) })
				if i < 0 {
					out.Bad = append(out.Bad, LineError{Line: line, Field: f.Name, Key: MsgCSVMissingColumn})
					missing = true
				}
				idx[f.Name] = i
			}
			if missing {
				return out
			}
			continue
		}
		out.Total++
		if err != nil {
			out.Bad = append(out.Bad, LineError{Line: line, Key: MsgCSVQuotes})
			continue
		}
		if out.Total > MaxAccessLogRows {
			out.Total--
			out.Bad = append(out.Bad, LineError{Line: line, Key: MsgImportTooLarge})
			break
		}
		row, le := parseAccessRow(src, loc, idx, width, rec, line)
		if le != nil {
			out.Bad = append(out.Bad, *le)
			continue
		}
		out.Rows = append(out.Rows, row)
	}
	return out
}

func parseAccessRow(src *ImportSource, loc *time.Location, idx map[string]int, width int, rec []string, line int) (ImportRow, *LineError) {
	bad := func(field, key string) (ImportRow, *LineError) {
		return ImportRow{}, &LineError{Line: line, Field: field, Key: key}
	}
	if width >= 0 && len(rec) != width {
		return bad("", MsgCSVFieldCount)
	}
	for _, c := range rec {
		if !utf8.ValidString(c) {
			return bad("", MsgCSVEncoding)
		}
	}
	cell := func(field string) (string, bool) {
		i, ok := idx[field]
		if !ok {
			return "", true // not mapped
		}
		if i < 0 || i >= len(rec) {
			return "", false
		}
		return strings.TrimSpace(rec[i]), true
	}
	get := map[string]string{}
	for _, f := range ImportColumnFields {
		v, ok := cell(f.Name)
		if !ok {
			return bad(f.Name, MsgImportColumn)
		}
		get[f.Name] = v
	}
	// Row key: the mapped column, or a hash of the normalised cells.
	key := get["row_key"]
	if _, mapped := idx["row_key"]; mapped {
		if key == "" {
			return bad("row_key", MsgRequired)
		}
		if len(key) > MaxRowKeyLen || strings.ContainsAny(key, "\r\n") {
			return bad("row_key", MsgTooLong)
		}
	} else {
		h := sha256.Sum256([]byte(strings.Join(trimAll(rec), "\x1f")))
		key = hex.EncodeToString(h[:])
	}
	act := get["action"]
	if act == "" {
		return bad("action", MsgRequired)
	}
	target, ok := src.ActionMap[strings.ToUpper(act)]
	if !ok {
		if a := strings.ToLower(act); a == ImportDelete || Action(a).Valid() {
			target = a
		} else {
			return bad("action", MsgImportAction)
		}
	}
	at, le := parseCellTime(src, loc, get["occurred_at"], "occurred_at", line)
	if le != nil {
		return ImportRow{}, le
	}
	ref := get["recording_ref"]
	switch {
	case ref == "":
		return bad("recording_ref", MsgRequired)
	case len(ref) > MaxShort:
		return bad("recording_ref", MsgTooLong)
	}
	user := get["user"]
	u := &Use{RecordingRef: ref, OccurredAt: at, Source: SourceImport, ExternalID: src.Name + ":" + key}
	if len(u.ExternalID) > MaxExternalIDLen {
		return bad("row_key", MsgTooLong)
	}
	if target == ImportDelete {
		if ValidEmail(user) {
			u.UsedBy = user
		}
		return ImportRow{Line: line, Key: key, Kind: RowDelete, Use: u}, nil
	}
	if user == "" {
		return bad("user", MsgRequired)
	}
	if !ValidEmail(user) {
		return bad("user", MsgEmail)
	}
	u.UsedBy, u.Action = user, Action(target)
	if p := strings.ToLower(get["purpose"]); p != "" {
		if !isIdent(p, 60) {
			return bad("purpose", MsgInvalid)
		}
		u.Purpose = p
	}
	if e := get["employee_staff_ids"]; e != "" {
		for _, s := range strings.FieldsFunc(e, func(r rune) bool { return r == ',' || r == ';' || r == '|' || r == ' ' }) {
			if !ValidStaffID(s) {
				return bad("employee_staff_ids", MsgInvalid)
			}
			u.EmployeeStaffIDs = append(u.EmployeeStaffIDs, s)
		}
		if len(u.EmployeeStaffIDs) > MaxUseEmployees {
			return bad("employee_staff_ids", MsgTooMany)
		}
	}
	if v := get["call_started_at"]; v != "" {
		if u.CallStartedAt, le = parseCellTime(src, loc, v, "call_started_at", line); le != nil {
			return ImportRow{}, le
		}
	}
	if v := get["direction"]; v != "" {
		d, ok := parseDirection(v)
		if !ok {
			return bad("direction", MsgUnknown)
		}
		u.Direction = d
	}
	return ImportRow{Line: line, Key: key, Kind: RowUse, Use: u}, nil
}

func parseCellTime(src *ImportSource, loc *time.Location, v, field string, line int) (time.Time, *LineError) {
	if v == "" {
		return time.Time{}, &LineError{Line: line, Field: field, Key: MsgRequired}
	}
	t, err := time.ParseInLocation(src.TimeLayout, v, loc)
	if err != nil {
		return time.Time{}, &LineError{Line: line, Field: field, Key: MsgImportTime}
	}
	return t.UTC(), nil
}

// parseDirection accepts the usual English, Finnish and Swedish words.
func parseDirection(v string) (Direction, bool) {
	switch strings.ToLower(v) {
	case "inbound", "in", "incoming", "i", "saapuva", "tuleva", "sisään", "inkommande":
		return Inbound, true
	case "outbound", "out", "outgoing", "o", "lähtevä", "ulos", "utgående":
		return Outbound, true
	}
	return "", false
}

func trimAll(rec []string) []string {
	out := make([]string, len(rec))
	for i, c := range rec {
		out[i] = strings.TrimSpace(c)
	}
	return out
}

// ImportStatus is the state of an import run.
type ImportStatus string

// Run states.
const (
	ImportRunning  ImportStatus = "running"
	ImportFinished ImportStatus = "finished"
)

// ImportCounts are the progress and result counts of a run or a dry run.
type ImportCounts struct {
	Total      int // data rows in the file
	Done       int // rows processed
	Created    int // uses created
	Duplicates int // rows already imported (uses or deletions)
	Deletions  int // deletion confirmations written
	Bad        int // bad rows
}

// ImportRun is one import of a file.
type ImportRun struct {
	ID         int64
	SourceID   int64
	SourceName string
	FileName   string
	Actor      string
	Status     ImportStatus
	ImportCounts
	Errors     []LineError // bad rows, by line (FindRun)
	StartedAt  time.Time
	FinishedAt time.Time
}

// ImportReport is the answer of a dry run: what an import would do, and
// every bad row. Nothing is written.
type ImportReport struct {
	ImportCounts
	Errors []LineError
}

// ImportService manages access-log sources and imports (package db).
type ImportService interface {
	// CreateSource saves a new source. Invalid; Conflict on a taken name.
	CreateSource(ctx context.Context, actor string, s *ImportSource) (*ImportSource, error)
	// UpdateSource replaces a source's settings. NotFound, Invalid, Conflict.
	UpdateSource(ctx context.Context, actor string, s *ImportSource) (*ImportSource, error)
	// FindSource by id, FindSourceByName by name. NotFound.
	FindSource(ctx context.Context, id int64) (*ImportSource, error)
	FindSourceByName(ctx context.Context, name string) (*ImportSource, error)
	ListSources(ctx context.Context) ([]*ImportSource, error)
	// Preview parses the first n rows with the source's settings.
	Preview(ctx context.Context, sourceID int64, data []byte, n int) (*ImportPreview, error)
	// DryRun checks a file against the source and the ledger and reports
	// the counts an import would have and every bad row; writes nothing.
	DryRun(ctx context.Context, sourceID int64, data []byte) (*ImportReport, error)
	// StartImport stores the run and the file (audited as import.started)
	// and returns the run; RunImport then processes it.
	StartImport(ctx context.Context, actor string, sourceID int64, fileName string, data []byte) (*ImportRun, error)
	// RunImport processes a run from where it stopped, in chunks of at most
	// ImportChunk rows (one transaction each, progress recorded per chunk),
	// until it is finished (audited as import.finished). Idempotent.
	RunImport(ctx context.Context, runID int64) (*ImportRun, error)
	// FindRun with its bad rows. NotFound.
	FindRun(ctx context.Context, id int64) (*ImportRun, error)
	// ListRuns pages the runs newest first (without bad rows) and returns
	// the next page's cursor (0 on the last page).
	ListRuns(ctx context.Context, f ImportRunFilter) ([]*ImportRun, int64, error)
	// ResumeImports runs every run left running (after a crash) to the end
	// and returns their ids.
	ResumeImports(ctx context.Context) ([]int64, error)
}

// ImportRunFilter pages the import runs, newest first: Cursor is the id
// after which the page starts (0: the newest).
type ImportRunFilter struct {
	Cursor int64
	Limit  int
}
