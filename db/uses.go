package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"vaaka/monitoring"
)

// UseService is the append-only, hash-chained use log (R-LOG-1). Writes go
// through one group-commit writer per DB; reads use the read pool.
type UseService struct {
	db *DB
	w  *useWriter
}

var _ monitoring.UseService = (*UseService)(nil)

// usesMu guards DB.uses while a writer is attached (DB is the lead's type,
// so the writer hangs off it rather than carrying its own lock).
var usesMu sync.Mutex

// NewUseService returns the use log of d. Every UseService of one DB shares
// one writer, which starts with the first RecordUses and stops in d.Close.
func NewUseService(d *DB) *UseService {
	usesMu.Lock()
	defer usesMu.Unlock()
	if d.uses == nil {
		d.uses = newUseWriter(d)
	}
	return &UseService{db: d, w: d.uses}
}

// errUseLogClosed answers RecordUses after the writer stopped.
var errUseLogClosed = errors.New("db: use log closed")

// RecordUses validates every use, then hands them to the group-commit
// writer and waits for the commit: when it returns without error the uses
// (or the stored originals of duplicates) are on disk. The caller's uses are
// not modified; the results carry copies with id, seq, flags and hashes.
func (s *UseService) RecordUses(ctx context.Context, uses []*monitoring.Use) ([]monitoring.UseResult, error) {
	if len(uses) == 0 {
		return []monitoring.UseResult{}, nil
	}
	if len(uses) > monitoring.MaxBatch {
		return nil, monitoring.FieldErrors{"uses": monitoring.MsgTooMany}.Err()
	}
	now := s.db.Now()
	fe := monitoring.FieldErrors{}
	clones := make([]*monitoring.Use, len(uses))
	for i, u := range uses {
		if u == nil {
			fe.Add(fmt.Sprintf("[%d]", i), monitoring.MsgRequired)
			continue
		}
		prefixFields(fe, i, u.Validate(now))
		c := *u
		c.EmployeeStaffIDs = slices.Clone(u.EmployeeStaffIDs)
		switch c.Source {
		case "":
			c.Source = monitoring.SourceAPI
		case monitoring.SourceAPI, monitoring.SourceWeb, monitoring.SourceImport:
		default:
			fe.Add(fmt.Sprintf("[%d].source", i), monitoring.MsgUnknown)
		}
		id, err := uuid.NewV7()
		if err != nil {
			return nil, fmt.Errorf("db: use id: %w", err)
		}
		c.ID = id.String()
		c.CallStartedAt, c.OccurredAt = c.CallStartedAt.UTC(), c.OccurredAt.UTC()
		c.Seq, c.Flags, c.RecordedAt, c.PrevHash, c.Hash = 0, nil, c.RecordedAt.UTC(), "", ""
		clones[i] = &c
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	return s.w.submit(ctx, clones)
}

// prefixFields copies the field errors of err (an Invalid *monitoring.Error)
// into fe under "[i].".
func prefixFields(fe monitoring.FieldErrors, i int, err error) {
	if err == nil {
		return
	}
	var me *monitoring.Error
	if errors.As(err, &me) && len(me.Fields) > 0 {
		for k, v := range me.Fields {
			fe.Add(fmt.Sprintf("[%d].%s", i, k), v)
		}
		return
	}
	fe.Add(fmt.Sprintf("[%d]", i), monitoring.MsgInvalid)
}

// Group commit. One goroutine owns the write side of the use log: it takes
// every request already queued (no timer: a lone request commits at once),
// writes them in one IMMEDIATE transaction, each request under its own
// savepoint so that one bad request fails alone, commits, and only then
// answers. synchronous=FULL makes the commit durable, so nothing is
// acknowledged that is not on disk (R-LOG-1).

// maxGroupUses bounds the uses per transaction (a group may exceed it by the
// last request drained).
const maxGroupUses = 4000

type useRequest struct {
	uses  []*monitoring.Use
	reply chan useReply // buffered: the writer never blocks on a caller
}

type useReply struct {
	results []monitoring.UseResult
	err     error
}

// useWriter is the group-commit writer of the use log.
type useWriter struct {
	db   *DB
	reqs chan *useRequest
	done chan struct{}

	stmts *useStmts // owned by the writer goroutine

	// Owned by the writer goroutine, kept from group to group:
	// prepared holds the state queries of stmtCache prepared on the write
	// pool (between groups, when its one connection is free); wanted the
	// ones a group had to prepare on its transaction, prepared on the pool
	// before the next group. versions holds decoded activity versions: a
	// row of activity_versions never changes once written, so a version
	// decoded once serves every later group.
	prepared map[string]*sql.Stmt
	wanted   map[string]bool
	versions map[versionKey]*monitoring.Activity
	// carried is what the last group read of the state (the activities,
	// their versions, the employees' unit histories, which activities
	// have notices), kept for the next group while no other transaction
	// of this process (stateGen) and no other process (data_version on
	// the write connection) has committed since. The writer itself never
	// writes these tables.
	carried   *groupState
	carriedAt stateStamp
	// txPrepares counts the statements groups had to prepare on their
	// transaction; after the first groups it stays put (perf_test.go).
	txPrepares int64
	// spare keeps a group's row buffers and count maps for the next one,
	// emptied, so that groups do not grow them anew.
	spare struct {
		pend         pendingRows
		delta, total rollupDelta
	}

	mu        sync.RWMutex // RLock to enqueue; Lock to close intake
	closed    bool
	started   bool
	startOnce sync.Once
}

func newUseWriter(d *DB) *useWriter {
	return &useWriter{db: d, reqs: make(chan *useRequest, 1024), done: make(chan struct{}),
		prepared: map[string]*sql.Stmt{}, wanted: map[string]bool{}, versions: map[versionKey]*monitoring.Activity{}}
}

// submit enqueues uses and waits for the answer or ctx. A request that was
// enqueued is written whatever happens to ctx: a cancelled caller does not
// know the outcome and may retry with the same external ids.
func (w *useWriter) submit(ctx context.Context, uses []*monitoring.Use) ([]monitoring.UseResult, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	req := &useRequest{uses: uses, reply: make(chan useReply, 1)}
	w.mu.RLock()
	if w.closed {
		w.mu.RUnlock()
		return nil, errUseLogClosed
	}
	w.startOnce.Do(func() {
		w.started = true
		go w.run()
	})
	select {
	case w.reqs <- req:
	case <-ctx.Done():
		w.mu.RUnlock()
		return nil, ctx.Err()
	}
	w.mu.RUnlock()
	select {
	case r := <-req.reply:
		return r.results, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// stop closes intake, lets the writer commit and answer everything queued,
// and returns when it has exited. It is safe to call more than once.
func (w *useWriter) stop() {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		if w.started {
			close(w.reqs)
		}
	}
	started := w.started
	w.mu.Unlock()
	if started {
		<-w.done
	}
}

func (w *useWriter) run() {
	defer close(w.done)
	defer func() {
		if w.stmts != nil {
			w.stmts.close()
		}
		for _, st := range w.prepared {
			st.Close()
		}
	}()
	for {
		first, ok := <-w.reqs
		if !ok {
			return
		}
		group, n, closed := []*useRequest{first}, len(first.uses), false
	drain:
		for n < maxGroupUses {
			select {
			case r, ok := <-w.reqs:
				if !ok {
					closed = true
					break drain
				}
				group = append(group, r)
				n += len(r.uses)
			default:
				break drain
			}
		}
		w.commit(group)
		if closed {
			return
		}
	}
}

// commit writes one group and answers each request. If the transaction
// fails as a whole, every request that had no error of its own gets the
// group's error.
func (w *useWriter) commit(group []*useRequest) {
	replies := make([]useReply, len(group))
	// The writer's own context: a caller's cancellation must not roll back
	// other callers' uses.
	err := w.commitGroup(context.Background(), group, replies)
	for i, r := range group {
		if err != nil && replies[i].err == nil {
			replies[i] = useReply{err: err}
		}
		r.reply <- replies[i]
	}
}

func (w *useWriter) commitGroup(ctx context.Context, group []*useRequest, replies []useReply) error {
	if w.stmts == nil {
		// Prepared once on the write pool, before the transaction takes its
		// only connection; if that fails, each group prepares its own.
		w.stmts, _ = prepareUseStmts(ctx, w.db.write)
	}
	for q := range w.wanted {
		if st, err := w.db.write.PrepareContext(ctx, q); err == nil {
			w.prepared[q] = st
		}
		delete(w.wanted, q)
	}
	if len(w.versions) > maxCachedVersions {
		clear(w.versions)
	}
	// Most groups are written without savepoints: a request that fails its
	// checks has written nothing, so it fails alone at no cost. Only a
	// request that fails while writing (an SQL error) leaves writes to undo;
	// then the group is written again with a savepoint per request, so that
	// it still fails alone.
	if done, err := w.writeGroup(ctx, group, replies, false); done {
		return err
	}
	clear(replies)
	_, err := w.writeGroup(ctx, group, replies, true)
	return err
}

// writeGroup writes group in one transaction and commits it. Without
// savepoints it gives up (done false, nothing committed) when a request of
// a group of several fails while writing.
func (w *useWriter) writeGroup(ctx context.Context, group []*useRequest, replies []useReply, savepoints bool) (done bool, err error) {
	tx, err := w.db.BeginTx(ctx)
	if err != nil {
		return true, err
	}
	defer tx.Rollback()
	g, err := newUseGroupCached(ctx, tx, w.stmts, w)
	if err != nil {
		return true, err
	}
	defer g.close()
	defer func() { w.spare.pend, w.spare.delta, w.spare.total = g.pend, g.delta, g.total }()
	g.savepoints = savepoints
	for i, r := range group {
		if savepoints {
			if err := g.applySavepointed(ctx, r.uses, &replies[i]); err != nil {
				return true, err
			}
			continue
		}
		if err := g.check(ctx, r.uses); err != nil {
			if monitoring.ErrorCodeOf(err) == monitoring.Invalid || len(group) == 1 {
				// Nothing was written: the request fails alone (a lone
				// request's transaction is simply rolled back).
				replies[i].err = err
				if len(group) == 1 {
					return true, err
				}
				continue
			}
			return false, nil
		}
		results, err := g.write(ctx, r.uses)
		if err != nil {
			if len(group) == 1 {
				replies[i].err = err
				return true, err
			}
			return false, nil
		}
		replies[i].results = results
	}
	// The uses of every request that succeeded and the rows beside them;
	// if they fail (a duplicate external id among them, say), the group is
	// written again with a savepoint per request, where each use is
	// inserted alone. With savepoints every request inserted its own rows.
	if err := g.pend.flush(ctx, g); err != nil {
		if !savepoints {
			return false, nil
		}
		return true, err
	}
	// The rollups of every request that succeeded, in the same
	// transaction: if this fails, the group fails as a whole.
	if err := g.total.flush(ctx, g); err != nil {
		return true, err
	}
	for _, r := range group {
		tx.rows += len(r.uses)
	}
	if err := tx.Commit(); err != nil {
		return true, fmt.Errorf("db: commit uses: %w", err)
	}
	return true, nil
}

// applySavepointed writes one request of a group under a savepoint: if it
// fails, its writes are undone and it fails alone (into reply). The error
// returned fails the whole group.
func (g *useGroup) applySavepointed(ctx context.Context, uses []*monitoring.Use, reply *useReply) error {
	if _, err := g.stmts.ExecContext(ctx, `SAVEPOINT use_request`); err != nil {
		return fmt.Errorf("db: savepoint: %w", err)
	}
	seq, hash := g.seq, g.hash
	results, rerr := g.apply(ctx, uses)
	if rerr != nil {
		g.seq, g.hash = seq, hash
		// Its recordings were rolled back too, and its rows not inserted.
		clear(g.recordings)
		clear(g.absent)
		g.pend.reset()
		// If SQLite rolled the whole transaction back (disk full, I/O
		// error), the savepoint is gone and the group fails.
		if _, err := g.stmts.ExecContext(ctx, `ROLLBACK TO use_request`); err != nil {
			return errors.Join(rerr, fmt.Errorf("db: rollback to savepoint: %w", err))
		}
		reply.err = rerr
	} else {
		reply.results = results
	}
	if _, err := g.stmts.ExecContext(ctx, `RELEASE use_request`); err != nil {
		return fmt.Errorf("db: release savepoint: %w", err)
	}
	return nil
}

// useColumns are the columns of uses in scanUse order.
const useColumns = `seq, id, source, external_id, activity_id, recording_ref, call_started_at, direction,
	employee_staff_ids, used_by, action, purpose, note, occurred_at, recorded_at, corrects, flags, prev_hash, hash`

// useColumnsU are useColumns qualified with the alias u.
var useColumnsU = "u." + strings.Join(strings.Fields(strings.ReplaceAll(useColumns, ",", "")), ", u.")

// currentActivity is what a group needs of an activity's current version.
type currentActivity struct {
	retentionDays int
}

// useStmts are the prepared statements of the hot insert path.
type useStmts struct {
	insertUse, findExternal, useExists, versionAt *sql.Stmt
	// rollups (rollup.go)
	upsertRollup, upsertFlagDay *sql.Stmt
	employeeHistory             *sql.Stmt
}

func (st *useStmts) list() []**sql.Stmt {
	return []**sql.Stmt{&st.insertUse, &st.findExternal, &st.useExists, &st.versionAt,
		&st.upsertRollup, &st.upsertFlagDay, &st.employeeHistory}
}

var useStmtSQL = []string{
	useRows.query(1), // a use alone: groups written with savepoints (insert)
	`SELECT ` + useColumns + ` FROM uses WHERE source = ? AND external_id = ?`,
	`SELECT COUNT(*) FROM uses WHERE id = ?`,
	// An activity's versions, newest first: the version in force at a time
	// is chosen from them in memory as activityAt (state.go) chooses it.
	`SELECT version, valid_from FROM activity_versions WHERE activity_id = ? ORDER BY version DESC`,
	upsertRollupSQL,
	upsertFlagDaySQL,
	// An employee's whole unit history, newest first (employeeAt in memory).
	`SELECT valid_from, unit FROM employee_history WHERE staff_id = ? ORDER BY valid_from DESC`,
}

// prepareUseStmts prepares the statements on p: the write pool (once per
// writer, outside any transaction: the single connection is free then) or
// a transaction.
func prepareUseStmts(ctx context.Context, p interface {
	PrepareContext(context.Context, string) (*sql.Stmt, error)
}) (*useStmts, error) {
	st := &useStmts{}
	for i, ptr := range st.list() {
		s, err := p.PrepareContext(ctx, useStmtSQL[i])
		if err != nil {
			st.close()
			return nil, fmt.Errorf("db: prepare use statement: %w", err)
		}
		*ptr = s
	}
	return st, nil
}

func (st *useStmts) close() {
	for _, ptr := range st.list() {
		if *ptr != nil {
			(*ptr).Close()
		}
	}
}

// groupState is what a group reads of the state of the organisation.
type groupState struct {
	activities map[int64]*currentActivity // nil value: does not exist
	employees  map[string][]historyRow    // staff id → unit history, newest first
	timelines  map[int64][]versionRow     // activity id → versions, newest first
	noticed    map[int64]bool             // activity id → has notices (notices.go)
}

func newGroupState() *groupState {
	return &groupState{activities: map[int64]*currentActivity{}, employees: map[string][]historyRow{},
		timelines: map[int64][]versionRow{}, noticed: map[int64]bool{}}
}

// maxCarriedEmployees bounds the unit histories carried between groups.
const maxCarriedEmployees = 100_000

// stateStamp identifies the state a groupState was read from.
type stateStamp struct {
	gen         uint64 // DB.stateGen
	dataVersion int64  // PRAGMA data_version of the write connection
}

// useGroup is the state of one group-commit transaction: the chain head
// (read once, inside the transaction), the hot path's statements bound to
// the transaction and the activities looked up so far.
type useGroup struct {
	tx         *Tx
	seq        int64
	hash       string
	versions   map[versionKey]*monitoring.Activity
	recordings map[string]string // ref → deleted_at, of refs seen in this group
	absent     map[string]bool   // refs looked up and not stored (nor entered by the group yet)
	pend       pendingRows       // rows not inserted yet (use_rows.go)
	savepoints bool              // a savepoint per request: rows inserted per request
	delta      rollupDelta       // the current request's counts
	total      rollupDelta       // the counts of the group's requests that succeeded
	stmts      *stmtCache
	nowText    string // tx.now as stored: every use's recorded_at
	*groupState
	*useStmts
}

// versionRow is a version of an activity and its validity start.
type versionRow struct {
	version   int
	validFrom string // stored text, sortable
}

// historyRow is one row of employee_history.
type historyRow struct {
	validFrom string // stored text, sortable
	unit      string
}

// maxCachedVersions bounds the decoded activity versions a writer keeps.
const maxCachedVersions = 4096

// newUseGroupCached starts a group in tx with the writer's prepared
// statements (parent; nil to prepare them on tx) and the writer's caches
// (w; nil for none): its statements prepared on the pool and its decoded
// versions.
func newUseGroupCached(ctx context.Context, tx *Tx, parent *useStmts, w *useWriter) (*useGroup, error) {
	g := &useGroup{tx: tx, hash: monitoring.GenesisHash, groupState: newGroupState(),
		versions: map[versionKey]*monitoring.Activity{}, recordings: map[string]string{}, absent: map[string]bool{},
		stmts: &stmtCache{tx: tx, stmts: map[string]*sql.Stmt{}}}
	if w != nil {
		// The writer's caches first: every query of the group, the
		// head of the log included, runs on a statement prepared once.
		g.versions, g.stmts.parent, g.stmts.wanted, g.stmts.prepares = w.versions, w.prepared, w.wanted, &w.txPrepares
		g.pend, g.delta, g.total = w.spare.pend, w.spare.delta, w.spare.total
	}
	g.nowText = formatTime(tx.now)
	g.pend.reset()
	g.delta.reset()
	g.total.reset()
	err := g.stmts.QueryRowContext(ctx, `SELECT seq, hash FROM uses ORDER BY seq DESC LIMIT 1`).Scan(&g.seq, &g.hash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("db: use log head: %w", err)
	}
	if w != nil {
		tx.useLog = true
		// The state read by the last group still holds when nothing else
		// committed since: read inside this transaction, after its BEGIN
		// IMMEDIATE, so no commit can come between the check and the use.
		stamp := stateStamp{gen: w.db.stateGen.Load()}
		if err := g.stmts.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&stamp.dataVersion); err != nil {
			return nil, fmt.Errorf("db: data version: %w", err)
		}
		if w.carried == nil || w.carriedAt != stamp || len(w.carried.employees) > maxCarriedEmployees {
			w.carried, w.carriedAt = newGroupState(), stamp
		}
		g.groupState = w.carried
	}
	if parent == nil {
		if g.useStmts, err = prepareUseStmts(ctx, tx); err != nil {
			return nil, err
		}
		return g, nil
	}
	g.useStmts = &useStmts{}
	own := g.useStmts.list()
	for i, ptr := range parent.list() {
		*own[i] = tx.StmtContext(ctx, *ptr)
	}
	return g, nil
}

func (g *useGroup) close() {
	g.stmts.close()
	if g.useStmts != nil {
		g.useStmts.close()
	}
}

// activity returns the current version's facts of activity id, nil when it
// does not exist.
func (g *useGroup) activity(ctx context.Context, id int64) (*currentActivity, error) {
	if a, ok := g.activities[id]; ok {
		return a, nil
	}
	a, err := findCurrentActivity(ctx, g.stmts, id)
	if err != nil {
		return nil, err
	}
	g.activities[id] = a
	return a, nil
}

// findCurrentActivity reads the current version's retention of activity id;
// nil when it does not exist.
func findCurrentActivity(ctx context.Context, q querier, id int64) (*currentActivity, error) {
	var data string
	err := q.QueryRowContext(ctx, `SELECT data FROM activities WHERE id = ?`, id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("db: find activity %d: %w", id, err)
	}
	var a monitoring.Activity
	if err := decodeActivity(data, &a); err != nil {
		return nil, err
	}
	return &currentActivity{retentionDays: a.RetentionDays}, nil
}

// versionKey names one version of an activity.
type versionKey struct {
	id      int64
	version int
}

// activityAt is activityAt (state.go) with the versions already decoded in
// this group reused: the activity's versions are read once per group, the
// version in force at t is chosen from them as activityAt chooses it (the
// highest version valid from t or before), and only a version not seen yet
// is loaded and decoded.
func (g *useGroup) activityAt(ctx context.Context, id int64, t time.Time) (*monitoring.Activity, error) {
	versions, ok := g.timelines[id]
	if !ok {
		rows, err := g.versionAt.QueryContext(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("db: activity %d versions: %w", id, err)
		}
		defer rows.Close()
		for rows.Next() {
			var v versionRow
			if err := rows.Scan(&v.version, &v.validFrom); err != nil {
				return nil, fmt.Errorf("db: activity %d versions: %w", id, err)
			}
			versions = append(versions, v)
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("db: activity %d versions: %w", id, err)
		}
		g.timelines[id] = versions
	}
	at, version := formatTime(t), 0
	for _, v := range versions {
		if v.validFrom <= at {
			version = v.version
			break
		}
	}
	if version == 0 {
		return nil, nil
	}
	key := versionKey{id, version}
	if a, ok := g.versions[key]; ok {
		return a, nil
	}
	a, err := activityAt(ctx, g.stmts, id, t)
	if err != nil {
		return nil, err
	}
	if a != nil && a.Version == version {
		g.versions[key] = a
	}
	return a, nil
}

// stmtCache is a querier on a transaction that prepares each distinct
// query once, so that the state helpers of state.go run prepared on the hot
// path.
//
// With a writer's caches (parent, wanted), a query prepared on the write
// pool is bound to the transaction instead of prepared again, and one that
// is not is noted in wanted for the writer to prepare before the next group.
type stmtCache struct {
	tx       *Tx
	stmts    map[string]*sql.Stmt
	parent   map[string]*sql.Stmt // read only here
	wanted   map[string]bool
	prepares *int64 // counts the statements prepared on tx (the writer's)
}

func (c *stmtCache) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := c.stmts[query]; ok {
		return st, nil
	}
	if p, ok := c.parent[query]; ok {
		st := c.tx.StmtContext(ctx, p)
		c.stmts[query] = st
		return st, nil
	}
	st, err := c.tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.stmts[query] = st
	if c.wanted != nil {
		c.wanted[query] = true
	}
	if c.prepares != nil {
		*c.prepares++
	}
	return st, nil
}

// ExecContext runs query prepared.
func (c *stmtCache) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// QueryRowContext runs query prepared. A failed prepare is reported by the
// row's Scan, as with an unprepared query.
func (c *stmtCache) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := c.stmt(ctx, query)
	if err != nil {
		return c.tx.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// QueryContext runs query prepared.
func (c *stmtCache) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (c *stmtCache) close() {
	for _, st := range c.stmts {
		st.Close()
	}
}

// apply checks and writes the uses of one request inside the group's
// transaction.
func (g *useGroup) apply(ctx context.Context, uses []*monitoring.Use) ([]monitoring.UseResult, error) {
	if err := g.check(ctx, uses); err != nil {
		return nil, err
	}
	return g.write(ctx, uses)
}

// check reads what the uses refer to, writing nothing. Invalid (naming
// every bad reference at once) or a database error.
func (g *useGroup) check(ctx context.Context, uses []*monitoring.Use) error {
	fe := monitoring.FieldErrors{}
	for i, u := range uses {
		a, err := g.activity(ctx, u.ActivityID)
		if err != nil {
			return err
		}
		if a == nil {
			fe.Add(fmt.Sprintf("[%d].activity_id", i), monitoring.MsgNotFound)
		}
		if u.Corrects != "" {
			var n int
			if err := g.useExists.QueryRowContext(ctx, u.Corrects).Scan(&n); err != nil {
				return fmt.Errorf("db: find corrected use: %w", err)
			}
			if n == 0 {
				fe.Add(fmt.Sprintf("[%d].corrects", i), monitoring.MsgNotFound)
			}
		}
	}
	return fe.Err()
}

// write writes the checked uses of one request.
func (g *useGroup) write(ctx context.Context, uses []*monitoring.Use) ([]monitoring.UseResult, error) {
	g.delta.reset() // what a failed request collected was rolled back
	if err := g.lookupRecordings(ctx, uses); err != nil {
		return nil, err
	}
	results := make([]monitoring.UseResult, 0, len(uses))
	for _, u := range uses {
		stored, err := g.insert(ctx, u)
		if err != nil {
			return nil, err
		}
		if stored != nil {
			results = append(results, monitoring.UseResult{Use: stored, Duplicate: true})
			continue
		}
		results = append(results, monitoring.UseResult{Use: u})
	}
	if g.savepoints {
		if err := g.pend.flush(ctx, g); err != nil {
			return nil, err
		}
	}
	// The request succeeded: its counts join the group's, written once
	// before the commit (rollup.go).
	g.total.merge(&g.delta)
	return results, nil
}

// employeeAt is employeeAt (state.go) answered from the employee's unit
// history, read once per group: the same choice (the newest row with
// valid_from <= t), without a query per use.
func (g *useGroup) employeeAt(ctx context.Context, staffID, at string) (monitoring.EmployeeAt, error) {
	hist, ok := g.employees[staffID]
	if !ok {
		rows, err := g.employeeHistory.QueryContext(ctx, staffID)
		if err != nil {
			return monitoring.EmployeeAt{}, fmt.Errorf("db: employee %s history: %w", staffID, err)
		}
		defer rows.Close()
		for rows.Next() {
			var h historyRow
			if err := rows.Scan(&h.validFrom, &h.unit); err != nil {
				return monitoring.EmployeeAt{}, fmt.Errorf("db: employee %s history: %w", staffID, err)
			}
			hist = append(hist, h)
		}
		if err := rows.Err(); err != nil {
			return monitoring.EmployeeAt{}, fmt.Errorf("db: employee %s history: %w", staffID, err)
		}
		g.employees[staffID] = hist
	}
	for _, h := range hist {
		if h.validFrom <= at {
			return monitoring.EmployeeAt{Known: true, Unit: h.unit}, nil
		}
	}
	return monitoring.EmployeeAt{}, nil
}

// insert computes u's flags from the state at its occurred_at, chains u
// after the head, writes it and enters a recording first seen. When u's
// external id is already stored it writes nothing and returns the stored
// use (idempotency, R-LOG-1): the unique index uses_external detects it, so
// the common case costs no lookup. Without savepoints the row is only
// collected (pendingRows), and a duplicate is found when the group's rows
// are inserted: the group is then written again with savepoints.
func (g *useGroup) insert(ctx context.Context, u *monitoring.Use) (*monitoring.Use, error) {
	st := monitoring.UseState{Employees: make(map[string]monitoring.EmployeeAt, len(u.EmployeeStaffIDs))}
	occurred, call := formatTime(u.OccurredAt), formatTime(u.CallStartedAt) // as stored
	var err error
	if st.Activity, err = g.activityAt(ctx, u.ActivityID, u.OccurredAt); err != nil {
		return nil, err
	}
	for _, s := range u.EmployeeStaffIDs {
		if _, ok := st.Employees[s]; ok {
			continue
		}
		if st.Employees[s], err = g.employeeAt(ctx, s, occurred); err != nil {
			return nil, err
		}
	}
	// R-NOT-1: employee_not_notified, from the notices (notices.go).
	if st.NoticesTracked, err = g.noticeFacts(ctx, u.ActivityID, u.OccurredAt, st.Employees); err != nil {
		return nil, err
	}
	// R-RET-2: the ledger knows every recording used. write looked up
	// every recording of the request (lookupRecordings): a ref is either
	// in g.recordings (stored, or entered by this group) or in g.absent.
	deletedAt, known := g.recordings[u.RecordingRef]
	if st.RecordingDeletedAt, err = parseTime(deletedAt); err != nil {
		return nil, err
	}
	u.Flags = monitoring.ComputeFlags(u, st)
	u.RecordedAt = g.tx.now
	u.Seq = g.seq + 1
	u.Seal(g.hash)

	var external any
	if u.ExternalID != "" {
		external = u.ExternalID
	}
	row := [...]any{u.Seq, u.ID, string(u.Source), external, u.ActivityID, u.RecordingRef,
		call, string(u.Direction), strings.Join(u.EmployeeStaffIDs, "\x1f"), u.UsedBy,
		string(u.Action), u.Purpose, u.Note, occurred, g.nowText, u.Corrects,
		monitoring.FlagMask(u.Flags), u.PrevHash, u.Hash}
	if !g.savepoints {
		// The fast path: the row joins the group's multi-row INSERT
		// (use_rows.go); a duplicate fails it and the group is written
		// again with savepoints, through the branch below.
		g.pend.uses = append(g.pend.uses, row[:]...)
	} else if _, err := g.insertUse.ExecContext(ctx, row[:]...); err != nil {
		if u.ExternalID == "" || !isUnique(err) {
			return nil, fmt.Errorf("db: insert use: %w", err)
		}
		stored, ferr := scanUse(g.findExternal.QueryRowContext(ctx, u.Source, u.ExternalID))
		if ferr != nil {
			return nil, fmt.Errorf("db: insert use: %w", errors.Join(err, ferr))
		}
		return stored, nil
	}
	if !known {
		a, err := g.activity(ctx, u.ActivityID)
		if err != nil {
			return nil, err
		}
		var due time.Time
		if a != nil && a.retentionDays > 0 {
			due = monitoring.DeletionDue(u.CallStartedAt, a.retentionDays)
		}
		g.pend.recordings = append(g.pend.recordings, u.RecordingRef, call, string(u.Direction),
			u.ActivityID, u.EmployeeStaffIDs[0], formatTime(due), g.nowText)
		g.delta.addRecording(u.ActivityID, due)
		delete(g.absent, u.RecordingRef)
	}
	g.recordings[u.RecordingRef] = deletedAt
	for _, s := range u.EmployeeStaffIDs {
		g.pend.employees = append(g.pend.employees, s, u.Seq)
	}
	month := ""
	if len(u.Flags) > 0 {
		month = monthOf(u.OccurredAt)
	}
	for _, f := range u.Flags {
		g.pend.flags = append(g.pend.flags, string(f), u.Seq, u.ActivityID)
		g.pend.flagMonths = append(g.pend.flagMonths, u.ActivityID, string(f), month, u.Seq)
	}
	g.delta.add(u, st.Employees)
	g.seq, g.hash = u.Seq, u.Hash
	return nil, nil
}

// rowScanner is *sql.Row or *sql.Rows.
type rowScanner interface {
	Scan(dest ...any) error
}

// useRow is a uses row as stored.
type useRow struct {
	u                                monitoring.Use
	source, direction, staff, action string
	callStarted, occurred, recorded  string
	external                         sql.NullString
	flags                            int64
}

func scanUseRow(r rowScanner) (*useRow, error) {
	var w useRow
	u := &w.u
	err := r.Scan(&u.Seq, &u.ID, &w.source, &w.external, &u.ActivityID, &u.RecordingRef, &w.callStarted, &w.direction,
		&w.staff, &u.UsedBy, &w.action, &u.Purpose, &u.Note, &w.occurred, &w.recorded, &u.Corrects, &w.flags, &u.PrevHash, &u.Hash)
	if err != nil {
		return nil, err
	}
	return &w, nil
}

// use rebuilds the use exactly as stored, so that its chain fields hash as
// they did when it was sealed.
func (w *useRow) use() (*monitoring.Use, error) {
	u := w.u
	u.Source, u.Direction, u.Action = monitoring.Source(w.source), monitoring.Direction(w.direction), monitoring.Action(w.action)
	u.ExternalID = w.external.String
	if w.staff != "" {
		u.EmployeeStaffIDs = strings.Split(w.staff, "\x1f")
	}
	u.Flags = monitoring.FlagsOf(w.flags)
	var errs [3]error
	u.CallStartedAt, errs[0] = parseTime(w.callStarted)
	u.OccurredAt, errs[1] = parseTime(w.occurred)
	u.RecordedAt, errs[2] = parseTime(w.recorded)
	if err := errors.Join(errs[:]...); err != nil {
		return nil, err
	}
	return &u, nil
}

// canonical reports whether the row's stored text is exactly what insert
// writes for the use it decodes to. Columns that the hash covers only
// through a decoding (times, the flag mask, a NULL external id) could
// otherwise be rewritten without changing the hash.
func (w *useRow) canonical(u *monitoring.Use) bool {
	var buf [len(timeLayout)]byte
	same := func(t time.Time, stored string) bool { // formatTime(t) == stored, without allocating
		if t.IsZero() {
			return stored == ""
		}
		return string(appendTime(buf[:0], t)) == stored
	}
	return same(u.CallStartedAt, w.callStarted) && same(u.OccurredAt, w.occurred) && same(u.RecordedAt, w.recorded) &&
		monitoring.FlagMask(u.Flags) == w.flags && w.external.Valid == (w.external.String != "")
}

// scanUse reads one use.
func scanUse(r rowScanner) (*monitoring.Use, error) {
	w, err := scanUseRow(r)
	if err != nil {
		return nil, err
	}
	return w.use()
}

// FindUse returns the use with id. NotFound.
func (s *UseService) FindUse(ctx context.Context, id string) (*monitoring.Use, error) {
	if !monitoring.ValidUUID(id) {
		return nil, notFound("use %q not found", id)
	}
	u, err := scanUse(s.db.read.QueryRowContext(ctx, `SELECT `+useColumns+` FROM uses WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("use %q not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("db: find use %s: %w", id, err)
	}
	return u, nil
}

// ListUses returns a page of uses, newest first (by chain position), and
// the cursor of the next page (0 on the last). From is inclusive, To
// exclusive, both on occurred_at.
func (s *UseService) ListUses(ctx context.Context, f monitoring.UseFilter) ([]*monitoring.Use, int64, error) {
	if f.Flag != "" && !f.Flag.Valid() {
		return nil, 0, monitoring.FieldErrors{"flag": monitoring.MsgUnknown}.Err()
	}
	limit := limitOf(f.Limit)
	q, args := listUsesQuery(f)
	rows, err := s.db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("db: list uses: %w", err)
	}
	defer rows.Close()
	uses := make([]*monitoring.Use, 0, min(limit+1, 64))
	for rows.Next() {
		u, err := scanUse(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("db: list uses: %w", err)
		}
		uses = append(uses, u)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("db: list uses: %w", err)
	}
	var next int64
	if len(uses) > limit {
		uses = uses[:limit]
		next = uses[limit-1].Seq
	}
	return uses, next, nil
}

// listUsesQuery builds the page query of f. Every page is one index range
// read newest first from the cursor (no OFFSET): the query is driven by the
// most selective index the filter allows, named first with CROSS JOIN so
// that SQLite keeps that order (plan_test.go checks the plans):
//   - employee: use_employees (staff_id, use_seq);
//   - activity + flag + one UTC month: use_flag_months;
//   - flag (and activity): use_flags / use_flags_activity;
//   - otherwise uses itself (uses_activity, uses_used_by or the seq order).
func listUsesQuery(f monitoring.UseFilter) (string, []any) {
	var (
		from  = `uses u`
		seq   = `u.seq`
		where []string
		args  []any
	)
	month := singleMonth(f.From, f.To)
	switch {
	case f.EmployeeStaffID != "":
		from, seq = `use_employees e CROSS JOIN uses u ON u.seq = e.use_seq`, `e.use_seq`
		where, args = append(where, `e.staff_id = ?`), append(args, f.EmployeeStaffID)
		if f.Flag != "" {
			where = append(where, `EXISTS (SELECT 1 FROM use_flags fl WHERE fl.flag = ? AND fl.use_seq = u.seq)`)
			args = append(args, string(f.Flag))
		}
		if f.ActivityID != 0 {
			where, args = append(where, `u.activity_id = ?`), append(args, f.ActivityID)
		}
	case f.Flag != "" && f.ActivityID != 0 && month != "":
		from, seq = `use_flag_months m CROSS JOIN uses u ON u.seq = m.use_seq`, `m.use_seq`
		where = append(where, `m.activity_id = ?`, `m.flag = ?`, `m.month = ?`)
		args = append(args, f.ActivityID, string(f.Flag), month)
	case f.Flag != "":
		from, seq = `use_flags fl CROSS JOIN uses u ON u.seq = fl.use_seq`, `fl.use_seq`
		where, args = append(where, `fl.flag = ?`), append(args, string(f.Flag))
		if f.ActivityID != 0 {
			where, args = append(where, `fl.activity_id = ?`), append(args, f.ActivityID)
		}
	case f.ActivityID != 0:
		where, args = append(where, `u.activity_id = ?`), append(args, f.ActivityID)
	}
	if f.UsedBy != "" {
		where, args = append(where, `u.used_by = ?`), append(args, f.UsedBy)
	}
	if !f.From.IsZero() {
		where, args = append(where, `u.occurred_at >= ?`), append(args, formatTime(f.From))
	}
	if !f.To.IsZero() {
		where, args = append(where, `u.occurred_at < ?`), append(args, formatTime(f.To))
	}
	if f.Cursor > 0 {
		where, args = append(where, seq+` < ?`), append(args, f.Cursor)
	}
	if len(where) == 0 {
		where = append(where, `1 = 1`)
	}
	q := `SELECT ` + useColumnsU + ` FROM ` + from + ` WHERE ` + strings.Join(where, " AND ") +
		` ORDER BY ` + seq + ` DESC LIMIT ` + strconv.Itoa(limitOf(f.Limit)+1)
	return q, args
}

// singleMonth returns the UTC month 'YYYY-MM' holding all of [from, to)
// when both are set and it lies within one month, "" otherwise.
func singleMonth(from, to time.Time) string {
	if from.IsZero() || to.IsZero() || !to.After(from) {
		return ""
	}
	if m := monthOf(from); m == monthOf(to.Add(-time.Nanosecond)) {
		return m
	}
	return ""
}

// VerifyUses walks the chain from its genesis (or the latest retention
// checkpoint, R-LOG-2) in sequence order with
// constant memory and reports the first entry that does not verify
// (R-LOG-1: changed, removed or reordered rows). Reading the rows and
// checking them run in two goroutines (a bounded pipeline of small chunks),
// so that both cores work on a long log.
func (s *UseService) VerifyUses(ctx context.Context) (monitoring.ChainReport, error) {
	return s.db.verifyUseLog(ctx) // from the latest retention checkpoint on (R-LOG-2)
}
