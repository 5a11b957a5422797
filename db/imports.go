package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"vaaka/monitoring"
)

// ImportService imports telephony access logs (R-ACC-1, R-LOG-1): saved
// sources, dry runs, and runs stored with their file and processed in
// chunks of monitoring.ImportChunk rows. Uses go through the normal use
// writer (UseService.RecordUses: its own durable transaction per chunk,
// flags from the same rules); deletion confirmations and progress are
// written in one transaction per chunk after it. A chunk interrupted by a
// crash is simply done again: uses are idempotent by external_id
// "<source>:<row key>", and a deletion already confirmed counts as a
// duplicate.
type ImportService struct {
	db   *DB
	uses *UseService
}

var _ monitoring.ImportService = (*ImportService)(nil)

// NewImportService returns the import service of d.
func NewImportService(d *DB) *ImportService {
	return &ImportService{db: d, uses: NewUseService(d)}
}

// importActive keeps one RunImport per run in this process.
var importActive sync.Map // importKey → struct{}

type importKey struct {
	db *DB
	id int64
}

// sourceJSON is the stored settings of a source (and of a run's snapshot).
type sourceJSON struct {
	Name              string                   `json:"name"`
	Delimiter         string                   `json:"delimiter"`
	HasHeader         bool                     `json:"has_header"`
	TimeZone          string                   `json:"time_zone"`
	TimeLayout        string                   `json:"time_layout"`
	DefaultActivityID int64                    `json:"default_activity_id,omitempty"`
	Columns           monitoring.ImportColumns `json:"columns"`
	ActionMap         map[string]string        `json:"action_map"`
}

func encodeSource(s *monitoring.ImportSource) (string, error) {
	b, err := json.Marshal(sourceJSON{Name: s.Name, Delimiter: s.Delimiter, HasHeader: s.HasHeader, TimeZone: s.TimeZone,
		TimeLayout: s.TimeLayout, DefaultActivityID: s.DefaultActivityID, Columns: s.Columns, ActionMap: s.ActionMap})
	return string(b), err
}

func decodeSource(data string, s *monitoring.ImportSource) error {
	var j sourceJSON
	if err := json.Unmarshal([]byte(data), &j); err != nil {
		return fmt.Errorf("db: import source config: %w", err)
	}
	s.Delimiter, s.HasHeader, s.TimeZone, s.TimeLayout = j.Delimiter, j.HasHeader, j.TimeZone, j.TimeLayout
	s.DefaultActivityID, s.Columns, s.ActionMap = j.DefaultActivityID, j.Columns, j.ActionMap
	if s.Name == "" {
		s.Name = j.Name
	}
	return nil
}

func (s *ImportService) checkSource(ctx context.Context, q querier, src *monitoring.ImportSource) error {
	src.Normalize()
	if err := src.Validate(); err != nil {
		return err
	}
	if src.DefaultActivityID > 0 {
		var n int
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM activities WHERE id = ?`, src.DefaultActivityID).Scan(&n); err != nil {
			return fmt.Errorf("db: import source activity: %w", err)
		}
		if n == 0 {
			return monitoring.FieldErrors{"default_activity_id": monitoring.MsgNotFound}.Err()
		}
	}
	return nil
}

// CreateSource saves a new source.
func (s *ImportService) CreateSource(ctx context.Context, actor string, src *monitoring.ImportSource) (*monitoring.ImportSource, error) {
	c := *src
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if err := s.checkSource(ctx, tx, &c); err != nil {
		return nil, err
	}
	cfg, err := encodeSource(&c)
	if err != nil {
		return nil, err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO import_sources (name, config, created_at, updated_at) VALUES (?, ?, ?, ?)`,
		c.Name, cfg, formatTime(tx.now), formatTime(tx.now))
	if isUnique(err) {
		return nil, fieldErr(monitoring.Conflict, "name", monitoring.MsgDuplicate, "import source %q exists", c.Name)
	}
	if err != nil {
		return nil, fmt.Errorf("db: create import source: %w", err)
	}
	c.ID, _ = res.LastInsertId()
	c.CreatedAt, c.UpdatedAt = tx.now, tx.now
	if err := appendAudit(ctx, tx, actor, "import_source.created", "import_source", fmt.Sprint(c.ID), json.RawMessage(cfg)); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("db: create import source: %w", err)
	}
	return &c, nil
}

// UpdateSource replaces a source's settings (its name too).
func (s *ImportService) UpdateSource(ctx context.Context, actor string, src *monitoring.ImportSource) (*monitoring.ImportSource, error) {
	c := *src
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	old, err := scanSource(tx.QueryRowContext(ctx, `SELECT `+sourceColumns+` FROM import_sources WHERE id = ?`, c.ID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("import source %d not found", c.ID)
	}
	if err != nil {
		return nil, err
	}
	if err := s.checkSource(ctx, tx, &c); err != nil {
		return nil, err
	}
	cfg, err := encodeSource(&c)
	if err != nil {
		return nil, err
	}
	_, err = tx.ExecContext(ctx, `UPDATE import_sources SET name = ?, config = ?, updated_at = ? WHERE id = ?`,
		c.Name, cfg, formatTime(tx.now), c.ID)
	if isUnique(err) {
		return nil, fieldErr(monitoring.Conflict, "name", monitoring.MsgDuplicate, "import source %q exists", c.Name)
	}
	if err != nil {
		return nil, fmt.Errorf("db: update import source: %w", err)
	}
	c.CreatedAt, c.UpdatedAt = old.CreatedAt, tx.now
	if err := appendAudit(ctx, tx, actor, "import_source.updated", "import_source", fmt.Sprint(c.ID), json.RawMessage(cfg)); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("db: update import source: %w", err)
	}
	return &c, nil
}

const sourceColumns = `id, name, config, created_at, updated_at`

func scanSource(r interface{ Scan(...any) error }) (*monitoring.ImportSource, error) {
	var src monitoring.ImportSource
	var cfg, created, updated string
	if err := r.Scan(&src.ID, &src.Name, &cfg, &created, &updated); err != nil {
		return nil, err
	}
	if err := decodeSource(cfg, &src); err != nil {
		return nil, err
	}
	var err1, err2 error
	src.CreatedAt, err1 = parseTime(created)
	src.UpdatedAt, err2 = parseTime(updated)
	return &src, errors.Join(err1, err2)
}

// FindSource by id. NotFound.
func (s *ImportService) FindSource(ctx context.Context, id int64) (*monitoring.ImportSource, error) {
	src, err := scanSource(s.db.read.QueryRowContext(ctx, `SELECT `+sourceColumns+` FROM import_sources WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("import source %d not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("db: find import source: %w", err)
	}
	return src, nil
}

// FindSourceByName by name (case-insensitive). NotFound.
func (s *ImportService) FindSourceByName(ctx context.Context, name string) (*monitoring.ImportSource, error) {
	src, err := scanSource(s.db.read.QueryRowContext(ctx, `SELECT `+sourceColumns+` FROM import_sources WHERE name = ?`, strings.TrimSpace(name)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("import source %q not found", name)
	}
	if err != nil {
		return nil, fmt.Errorf("db: find import source: %w", err)
	}
	return src, nil
}

// ListSources by name.
func (s *ImportService) ListSources(ctx context.Context) ([]*monitoring.ImportSource, error) {
	return queryRows(ctx, s.db.read, "db: list import sources", scanSource,
		`SELECT `+sourceColumns+` FROM import_sources ORDER BY name`)
}

// Preview parses the first n rows of data with the source's settings.
func (s *ImportService) Preview(ctx context.Context, sourceID int64, data []byte, n int) (*monitoring.ImportPreview, error) {
	src, err := s.FindSource(ctx, sourceID)
	if err != nil {
		return nil, err
	}
	return monitoring.PreviewAccessLog(src, data, n), nil
}

// fileError refuses a file without any data row, or one whose header lacks
// a mapped column.
func fileError(log *monitoring.AccessLog) error {
	if log.Total == 0 && len(log.Bad) > 0 {
		le := log.Bad[0]
		field := "file"
		if le.Field != "" {
			field = "columns." + le.Field
		}
		return monitoring.FieldErrors{field: le.Key}.Err()
	}
	if log.Total == 0 {
		return monitoring.FieldErrors{"file": "import_empty"}.Err()
	}
	return nil
}

// DryRun reports what an import of data would do; it writes nothing.
func (s *ImportService) DryRun(ctx context.Context, sourceID int64, data []byte) (*monitoring.ImportReport, error) {
	src, err := s.FindSource(ctx, sourceID)
	if err != nil {
		return nil, err
	}
	if len(data) > monitoring.MaxAccessLogBytes {
		return nil, monitoring.FieldErrors{"file": monitoring.MsgImportTooLarge}.Err()
	}
	log := monitoring.ParseAccessLog(src, data)
	if err := fileError(log); err != nil {
		return nil, err
	}
	rep := &monitoring.ImportReport{}
	rep.Total = log.Total
	bad := slices.Clone(log.Bad)
	now := s.db.Now()
	seenRef, deleted, seenExt := map[string]*monitoring.Recording{}, map[string]bool{}, map[string]bool{}
	dirOf := s.directionOf(ctx)
	for _, row := range log.Rows {
		rec, err := s.recording(ctx, s.db.read, row.Use.RecordingRef)
		if err != nil {
			return nil, err
		}
		if rec == nil {
			rec = seenRef[row.Use.RecordingRef] // first seen in an earlier row
		}
		switch row.Kind {
		case monitoring.RowUse:
			u, le := resolveUse(src, row, rec, dirOf, now)
			if le != nil {
				bad = append(bad, *le)
				continue
			}
			if rec == nil { // the use writer enters it in the ledger
				seenRef[u.RecordingRef] = &monitoring.Recording{Ref: u.RecordingRef, ActivityID: u.ActivityID,
					EmployeeStaffID: u.EmployeeStaffIDs[0], CallStartedAt: u.CallStartedAt, Direction: u.Direction}
			}
			var n int
			if err := s.db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM uses WHERE source = ? AND external_id = ?`,
				string(monitoring.SourceImport), u.ExternalID).Scan(&n); err != nil {
				return nil, fmt.Errorf("db: dry run: %w", err)
			}
			if n > 0 || seenExt[u.ExternalID] {
				rep.Duplicates++
			} else {
				rep.Created++
			}
			seenExt[u.ExternalID] = true
		case monitoring.RowDelete:
			ref := row.Use.RecordingRef
			switch {
			case rec == nil:
				bad = append(bad, monitoring.LineError{Line: row.Line, Field: "recording_ref", Key: monitoring.MsgImportUnknown})
				continue
			case !rec.DeletedAt.IsZero() || deleted[ref]:
				rep.Duplicates++
			default:
				if le := deletionTimeError(row, rec, now); le != nil {
					bad = append(bad, *le)
					continue
				}
				rep.Deletions++
				deleted[ref] = true
			}
		}
	}
	sort.SliceStable(bad, func(i, j int) bool { return bad[i].Line < bad[j].Line })
	rep.Errors, rep.Bad = bad, len(bad)
	rep.Done = rep.Total
	return rep, nil
}

func deletionTimeError(row monitoring.ImportRow, rec *monitoring.Recording, now time.Time) *monitoring.LineError {
	at := row.Use.OccurredAt
	switch {
	case at.After(now.Add(monitoring.MaxClockSkew)):
		return &monitoring.LineError{Line: row.Line, Field: "occurred_at", Key: monitoring.MsgInFuture}
	case rec != nil && at.Before(rec.CallStartedAt):
		return &monitoring.LineError{Line: row.Line, Field: "occurred_at", Key: monitoring.MsgBeforeCall}
	}
	return nil
}

// recording returns the ledger entry of ref, or nil.
func (s *ImportService) recording(ctx context.Context, q querier, ref string) (*monitoring.Recording, error) {
	r, err := scanRecording(q.QueryRowContext(ctx, `SELECT `+recordingColumns+` FROM recordings WHERE ref = ?`, ref))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("db: import: recording %q: %w", ref, err)
	}
	return r, nil
}

// resolveUse completes a use row from the ledger and the source: activity
// from the recording, else the source's default; employees, call start and
// direction from the file, else the recording (the direction, else the
// activity's only direction). What is still unknown, or a
// use that fails validation, is a bad row.
func resolveUse(src *monitoring.ImportSource, row monitoring.ImportRow, rec *monitoring.Recording, dirOf func(int64) monitoring.Direction, now time.Time) (*monitoring.Use, *monitoring.LineError) {
	u := *row.Use
	u.EmployeeStaffIDs = slices.Clone(row.Use.EmployeeStaffIDs)
	bad := func(field, key string) (*monitoring.Use, *monitoring.LineError) {
		return nil, &monitoring.LineError{Line: row.Line, Field: field, Key: key}
	}
	if rec != nil {
		u.ActivityID = rec.ActivityID
		if len(u.EmployeeStaffIDs) == 0 && rec.EmployeeStaffID != "" {
			u.EmployeeStaffIDs = []string{rec.EmployeeStaffID}
		}
		if u.CallStartedAt.IsZero() {
			u.CallStartedAt = rec.CallStartedAt
		}
		if u.Direction == "" {
			u.Direction = rec.Direction
		}
	} else {
		u.ActivityID = src.DefaultActivityID
	}
	if u.Direction == "" && u.ActivityID > 0 {
		u.Direction = dirOf(u.ActivityID) // the activity records calls of one direction only
	}
	switch {
	case u.ActivityID <= 0:
		return bad("activity_id", monitoring.MsgImportUnknown)
	case len(u.EmployeeStaffIDs) == 0:
		return bad("employee_staff_ids", monitoring.MsgImportUnknown)
	case u.CallStartedAt.IsZero():
		return bad("call_started_at", monitoring.MsgImportUnknown)
	case u.Direction == "":
		return bad("direction", monitoring.MsgImportUnknown)
	}
	if err := u.Validate(now); err != nil {
		field, key := firstField(err)
		return bad(field, key)
	}
	return &u, nil
}

// firstField returns the alphabetically first field error of err.
func firstField(err error) (string, string) {
	var me *monitoring.Error
	if errors.As(err, &me) && len(me.Fields) > 0 {
		keys := make([]string, 0, len(me.Fields))
		for k := range me.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		return keys[0], me.Fields[keys[0]]
	}
	return "", monitoring.MsgInvalid
}

// StartImport stores a run with its file; RunImport processes it.
func (s *ImportService) StartImport(ctx context.Context, actor string, sourceID int64, fileName string, data []byte) (*monitoring.ImportRun, error) {
	if len(data) > monitoring.MaxAccessLogBytes {
		return nil, monitoring.FieldErrors{"file": monitoring.MsgImportTooLarge}.Err()
	}
	src, err := s.FindSource(ctx, sourceID)
	if err != nil {
		return nil, err
	}
	log := monitoring.ParseAccessLog(src, data)
	if err := fileError(log); err != nil {
		return nil, err
	}
	cfg, err := encodeSource(src)
	if err != nil {
		return nil, err
	}
	if len(fileName) > monitoring.MaxShort {
		fileName = fileName[:monitoring.MaxShort]
	}
	fileName = strings.ToValidUTF8(fileName, "")
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	total := len(log.Rows) + len(log.Bad)
	res, err := tx.ExecContext(ctx, `INSERT INTO import_runs (source_id, source_name, config, file_name, content, actor, status, total, started_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, src.ID, src.Name, cfg, fileName, data, actor, string(monitoring.ImportRunning), total, formatTime(tx.now))
	if err != nil {
		return nil, fmt.Errorf("db: start import: %w", err)
	}
	id, _ := res.LastInsertId()
	if err := appendAudit(ctx, tx, actor, "import.started", "import_run", fmt.Sprint(id),
		map[string]any{"source": src.Name, "file": fileName, "rows": total, "bytes": len(data)}); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("db: start import: %w", err)
	}
	return s.FindRun(ctx, id)
}

// importItem is one row of a run in line order: good or bad.
type importItem struct {
	row *monitoring.ImportRow
	bad *monitoring.LineError
}

// RunImport processes a run from where it stopped to its end.
func (s *ImportService) RunImport(ctx context.Context, runID int64) (*monitoring.ImportRun, error) {
	key := importKey{s.db, runID}
	if _, busy := importActive.LoadOrStore(key, struct{}{}); busy {
		return s.FindRun(ctx, runID) // another goroutine is on it
	}
	defer importActive.Delete(key)
	var cfg string
	var content []byte
	run := &monitoring.ImportRun{ID: runID}
	var status string
	err := s.db.read.QueryRowContext(ctx, `SELECT source_name, config, content, actor, status, total, done FROM import_runs WHERE id = ?`, runID).
		Scan(&run.SourceName, &cfg, &content, &run.Actor, &status, &run.Total, &run.Done)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("import run %d not found", runID)
	}
	if err != nil {
		return nil, fmt.Errorf("db: import run %d: %w", runID, err)
	}
	if status != string(monitoring.ImportRunning) {
		return s.FindRun(ctx, runID)
	}
	src := &monitoring.ImportSource{Name: run.SourceName}
	if err := decodeSource(cfg, src); err != nil {
		return nil, err
	}
	src.Name = run.SourceName
	log := monitoring.ParseAccessLog(src, content)
	items := make([]importItem, 0, len(log.Rows)+len(log.Bad))
	for i := range log.Rows {
		items = append(items, importItem{row: &log.Rows[i]})
	}
	for i := range log.Bad {
		items = append(items, importItem{bad: &log.Bad[i]})
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].line() < items[j].line() })
	if len(items) != run.Total {
		return nil, fmt.Errorf("db: import run %d: file parses to %d rows, run has %d", runID, len(items), run.Total)
	}
	for {
		end := min(run.Done+monitoring.ImportChunk, len(items))
		done, err := s.chunk(ctx, run, src, items[run.Done:end], end)
		if err != nil {
			return nil, err
		}
		if !done {
			break // another process advanced the run
		}
		run.Done = end
		if end >= len(items) {
			break
		}
	}
	return s.FindRun(ctx, runID)
}

func (it importItem) line() int {
	if it.row != nil {
		return it.row.Line
	}
	return it.bad.Line
}

// chunk processes items (the rows from run.Done up to end). Uses are
// recorded first through the use writer (durable on return); deletions,
// bad rows and progress are written in one transaction. A deletion that a
// later use of the chunk follows is committed before that use, so that the
// use's flags see it (recording_deleted). It reports false when the run's
// progress had moved on (another process is running it).
func (s *ImportService) chunk(ctx context.Context, run *monitoring.ImportRun, src *monitoring.ImportSource, items []importItem, end int) (bool, error) {
	var c monitoring.ImportCounts
	var bad []monitoring.LineError
	var pending []*monitoring.Use
	var pendingLines []int
	var dels []monitoring.ImportRow
	now := s.db.Now()
	cache := map[string]*monitoring.Recording{}
	dirOf := s.directionOf(ctx)
	flushUses := func() error {
		if len(pending) == 0 {
			return nil
		}
		defer func() { pending, pendingLines = nil, nil }()
		res, err := s.uses.RecordUses(ctx, pending)
		if monitoring.ErrorCodeOf(err) == monitoring.Invalid {
			// Unexpected: find the bad ones one by one.
			for i, u := range pending {
				r, err := s.uses.RecordUses(ctx, []*monitoring.Use{u})
				if monitoring.ErrorCodeOf(err) == monitoring.Invalid {
					f, k := firstField(err)
					bad = append(bad, monitoring.LineError{Line: pendingLines[i], Field: strings.TrimPrefix(f, "[0]."), Key: k})
					continue
				}
				if err != nil {
					return err
				}
				countUse(&c, r[0])
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("db: import run %d: record uses: %w", run.ID, err)
		}
		for _, r := range res {
			countUse(&c, r)
		}
		return nil
	}
	commitDels := func() error {
		if len(dels) == 0 {
			return nil
		}
		tx, err := s.db.BeginTx(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		if err := s.applyDeletions(ctx, tx, run, dels, &c, &bad); err != nil {
			return err
		}
		dels = nil
		return tx.Commit()
	}
	for _, it := range items {
		if it.bad != nil {
			bad = append(bad, *it.bad)
			continue
		}
		row := it.row
		switch row.Kind {
		case monitoring.RowUse:
			if err := commitDels(); err != nil {
				return false, err
			}
			ref := row.Use.RecordingRef
			rec, ok := cache[ref]
			if !ok {
				var err error
				if rec, err = s.recording(ctx, s.db.read, ref); err != nil {
					return false, err
				}
				cache[ref] = rec
			}
			u, le := resolveUse(src, *row, rec, dirOf, now)
			if le != nil {
				bad = append(bad, *le)
				continue
			}
			pending, pendingLines = append(pending, u), append(pendingLines, row.Line)
		case monitoring.RowDelete:
			if err := flushUses(); err != nil {
				return false, err
			}
			delete(cache, row.Use.RecordingRef)
			dels = append(dels, *row)
		}
	}
	if err := flushUses(); err != nil {
		return false, err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	if err := s.applyDeletions(ctx, tx, run, dels, &c, &bad); err != nil {
		return false, err
	}
	for _, le := range bad {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO import_run_errors (run_id, line, field, key) VALUES (?, ?, ?, ?)`,
			run.ID, le.Line, le.Field, le.Key); err != nil {
			return false, fmt.Errorf("db: import run %d: bad row: %w", run.ID, err)
		}
	}
	res, err := tx.ExecContext(ctx, `UPDATE import_runs SET done = ?, created = created + ?, duplicates = duplicates + ?,
		deletions = deletions + ?, bad = bad + ? WHERE id = ? AND done = ? AND status = 'running'`,
		end, c.Created, c.Duplicates, c.Deletions, len(bad), run.ID, run.Done)
	if err != nil {
		return false, fmt.Errorf("db: import run %d: progress: %w", run.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	if end >= run.Total {
		var fin monitoring.ImportCounts
		if err := tx.QueryRowContext(ctx, `SELECT total, done, created, duplicates, deletions, bad FROM import_runs WHERE id = ?`, run.ID).
			Scan(&fin.Total, &fin.Done, &fin.Created, &fin.Duplicates, &fin.Deletions, &fin.Bad); err != nil {
			return false, fmt.Errorf("db: import run %d: %w", run.ID, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE import_runs SET status = ?, finished_at = ? WHERE id = ?`,
			string(monitoring.ImportFinished), formatTime(tx.now), run.ID); err != nil {
			return false, fmt.Errorf("db: import run %d: finish: %w", run.ID, err)
		}
		if err := appendAudit(ctx, tx, run.Actor, "import.finished", "import_run", fmt.Sprint(run.ID), map[string]any{
			"source": run.SourceName, "rows": fin.Total, "created": fin.Created, "duplicates": fin.Duplicates,
			"deletions": fin.Deletions, "bad": fin.Bad}); err != nil {
			return false, err
		}
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("db: import run %d: commit: %w", run.ID, err)
	}
	return true, nil
}

func countUse(c *monitoring.ImportCounts, r monitoring.UseResult) {
	if r.Duplicate {
		c.Duplicates++
	} else {
		c.Created++
	}
}

// applyDeletions confirms the deletions of rows in the ledger inside tx
// (R-RET-2), each audited as recording.deleted like a confirmation by hand.
func (s *ImportService) applyDeletions(ctx context.Context, tx *Tx, run *monitoring.ImportRun, rows []monitoring.ImportRow, c *monitoring.ImportCounts, bad *[]monitoring.LineError) error {
	for _, row := range rows {
		ref := row.Use.RecordingRef
		rec, err := s.recording(ctx, tx, ref)
		if err != nil {
			return err
		}
		if rec == nil {
			*bad = append(*bad, monitoring.LineError{Line: row.Line, Field: "recording_ref", Key: monitoring.MsgImportUnknown})
			continue
		}
		if !rec.DeletedAt.IsZero() {
			c.Duplicates++
			continue
		}
		if le := deletionTimeError(row, rec, tx.now); le != nil {
			*bad = append(*bad, *le)
			continue
		}
		by := row.Use.UsedBy
		if by == "" {
			by = run.Actor
		}
		at := formatTime(row.Use.OccurredAt)
		if _, err := tx.ExecContext(ctx, `UPDATE recordings SET deleted_at = ?, deleted_by = ? WHERE ref = ? AND deleted_at = ''`, at, by, ref); err != nil {
			return fmt.Errorf("db: import: confirm deletion of %q: %w", ref, err)
		}
		if err := appendAudit(ctx, tx, by, "recording.deleted", "recording", ref,
			map[string]any{"deleted_at": at, "import_run": run.ID, "line": row.Line}); err != nil {
			return err
		}
		c.Deletions++
	}
	return nil
}

const runColumns = `id, source_id, source_name, file_name, actor, status, total, done, created, duplicates, deletions, bad, started_at, finished_at`

func scanRun(r interface{ Scan(...any) error }) (*monitoring.ImportRun, error) {
	var run monitoring.ImportRun
	var status, started, finished string
	if err := r.Scan(&run.ID, &run.SourceID, &run.SourceName, &run.FileName, &run.Actor, &status, &run.Total, &run.Done,
		&run.Created, &run.Duplicates, &run.Deletions, &run.Bad, &started, &finished); err != nil {
		return nil, err
	}
	run.Status = monitoring.ImportStatus(status)
	var err1, err2 error
	run.StartedAt, err1 = parseTime(started)
	run.FinishedAt, err2 = parseTime(finished)
	return &run, errors.Join(err1, err2)
}

// FindRun with its bad rows. NotFound.
func (s *ImportService) FindRun(ctx context.Context, id int64) (*monitoring.ImportRun, error) {
	run, err := scanRun(s.db.read.QueryRowContext(ctx, `SELECT `+runColumns+` FROM import_runs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("import run %d not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("db: find import run: %w", err)
	}
	run.Errors, err = queryRows(ctx, s.db.read, "db: import run errors", func(r interface{ Scan(...any) error }) (monitoring.LineError, error) {
		var le monitoring.LineError
		err := r.Scan(&le.Line, &le.Field, &le.Key)
		return le, err
	}, `SELECT line, field, key FROM import_run_errors WHERE run_id = ? ORDER BY line`, id)
	if err != nil {
		return nil, err
	}
	return run, nil
}

// ListRuns pages the runs newest first; the cursor is the id of the last
// run of the page (0 on the last page).
func (s *ImportService) ListRuns(ctx context.Context, f monitoring.ImportRunFilter) ([]*monitoring.ImportRun, int64, error) {
	limit := limitOf(f.Limit)
	q, args := `SELECT `+runColumns+` FROM import_runs ORDER BY id DESC LIMIT ?`, []any{limit + 1}
	if f.Cursor > 0 {
		q, args = `SELECT `+runColumns+` FROM import_runs WHERE id < ? ORDER BY id DESC LIMIT ?`, []any{f.Cursor, limit + 1}
	}
	out, err := queryRows(ctx, s.db.read, "db: list import runs", scanRun, q, args...)
	if err != nil {
		return nil, 0, err
	}
	var next int64
	if len(out) > limit {
		out = out[:limit]
		next = out[limit-1].ID
	}
	return out, next, nil
}

// ResumeImports runs every run left running to its end.
func (s *ImportService) ResumeImports(ctx context.Context) ([]int64, error) {
	ids, err := queryRows(ctx, s.db.read, "db: running imports", func(r interface{ Scan(...any) error }) (int64, error) {
		var id int64
		err := r.Scan(&id)
		return id, err
	}, `SELECT id FROM import_runs WHERE status = 'running' ORDER BY id`)
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, id := range ids {
		if _, err := s.RunImport(ctx, id); err != nil {
			errs = append(errs, err)
		}
	}
	return ids, errors.Join(errs...)
}

// directionOf returns a lookup of an activity's only call direction ("" if
// it has several or none), cached.
func (s *ImportService) directionOf(ctx context.Context) func(int64) monitoring.Direction {
	cache := map[int64]monitoring.Direction{}
	return func(id int64) monitoring.Direction {
		if d, ok := cache[id]; ok {
			return d
		}
		var d monitoring.Direction
		if a, err := activityAt(ctx, s.db.read, id, s.db.Now()); err == nil && a != nil && len(a.Directions) == 1 {
			d = a.Directions[0]
		}
		cache[id] = d
		return d
	}
}
