// Package db stores Vaaka's data in one SQLite file (modernc.org/sqlite, pure
// Go) and implements the service interfaces of package monitoring.
//
// One file, two pools (STYLE.md §3): a single write connection whose
// transactions are BEGIN IMMEDIATE, so that a read-then-write (the hash
// chains) never races another writer, and a small read pool. WAL with
// synchronous=FULL: a transaction that has committed is on disk.
package db

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"vaaka/monitoring"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// pragmas apply to every connection; busy_timeout comes first. Temporary
// storage in memory keeps the statement and savepoint journals of the use
// writer (a savepoint per request of a group) out of temp files: they held a
// copy of every page a request changed, written with a syscall each
// (docs/PERFORMANCE.md).
const pragmas = "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)" +
	"&_pragma=synchronous(FULL)&_pragma=temp_store(MEMORY)"

// writerAutocheckpoint is the WAL size in pages (4 KiB) at which the write
// connection checkpoints itself; below it the checkpointer (checkpoint.go)
// does it on another connection, beside the writer. SQLite's default is
// 1 000, which a few batches of uses reach between two of the
// checkpointer's rounds.
const writerAutocheckpoint = 10000

// DB is an open Vaaka database.
type DB struct {
	path  string
	write *sql.DB // one connection, BEGIN IMMEDIATE
	read  *readPool

	// Now is the clock; tests freeze it.
	Now func() time.Time

	uses *useWriter // group-commit writer, started lazily

	keys struct { // the signing key file's path (keys.go)
		mu   sync.Mutex
		file string
	}
	keyCache keyring // the current private signing key (keys.go)

	onMail atomic.Pointer[func()] // OnMailQueued

	auth authCache // tokens and sessions between requests (authcache.go)

	// stateGen counts the commits of write transactions other than the use
	// writer's: the state the writer carries from group to group (the
	// register, the employees' units, the notices) is kept only while it
	// is unchanged.
	stateGen atomic.Uint64

	ckpt checkpointer // checkpoint.go
}

// Open opens (creating if needed) the database at path and applies the
// migrations.
func Open(path string) (*DB, error) {
	db, err := open(path)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(context.Background()); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// OpenNoMigrate opens without migrating (for `vaaka migrate` and tests).
func OpenNoMigrate(path string) (*DB, error) { return open(path) }

func open(path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("db: empty path")
	}
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("db: path %q must not contain '?' or '#'", path)
	}
	dsn := path + "?" + pragmas
	w, err := sql.Open("sqlite", dsn+"&_txlock=immediate&_pragma=wal_autocheckpoint("+strconv.Itoa(writerAutocheckpoint)+")")
	if err != nil {
		return nil, fmt.Errorf("db: open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	r, err := sql.Open("sqlite", dsn+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("db: open %s: %w", path, err)
	}
	r.SetMaxOpenConns(4)
	r.SetMaxIdleConns(4)
	db := &DB{path: path, write: w, read: &readPool{DB: r}, Now: func() time.Time { return time.Now().UTC() }}
	if err := w.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("db: open %s: %w", path, err)
	}
	if err := db.startCheckpointer(dsn); err != nil {
		db.Close()
		return nil, fmt.Errorf("db: open %s: %w", path, err)
	}
	return db, nil
}

// Path returns the database file's path.
func (db *DB) Path() string { return db.path }

// Close stops the use writer (committing what was queued) and closes both
// pools.
func (db *DB) Close() error {
	if db.uses != nil {
		db.uses.stop()
	}
	db.stopCheckpointer()
	err1 := db.read.Close()
	err2 := db.write.Close()
	return errors.Join(err1, err2)
}

// Ping checks that the database answers (for /healthz).
func (db *DB) Ping(ctx context.Context) error {
	var one int
	return db.read.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// Tx is a write transaction with the time fixed at its start.
type Tx struct {
	*sql.Tx
	now        time.Time
	db         *DB
	mailQueued bool // queueMail was called: wake the sender after the commit
	useLog     bool // a group of the use writer, which changes none of the state it carries
	rows       int  // the uses a group of the use writer commits (the checkpointer's measure)
}

// Commit commits the transaction and, when it queued mail, tells the
// sender (OnMailQueued) so that the mail goes out now rather than at the
// sender's next round.
func (tx *Tx) Commit() error {
	if !tx.useLog && tx.db != nil {
		// Before the commit frees the write connection, so that the use
		// writer's next group sees it (uses.go, carried state).
		tx.db.stateGen.Add(1)
	}
	if err := tx.Tx.Commit(); err != nil {
		return err
	}
	if tx.db != nil {
		tx.db.kickCheckpointer(max(tx.rows, 1))
	}
	if tx.mailQueued && tx.db != nil {
		if f := tx.db.onMail.Load(); f != nil {
			(*f)()
		}
	}
	return nil
}

// OnMailQueued sets f to be called after every commit that queued mail (the
// outbox sender's Notify). f must not block.
func (db *DB) OnMailQueued(f func()) { db.onMail.Store(&f) }

// BeginTx starts an IMMEDIATE write transaction on the single write
// connection. Never call it while holding another Tx: it would deadlock.
func (db *DB) BeginTx(ctx context.Context) (*Tx, error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("db: begin: %w", err)
	}
	return &Tx{Tx: tx, now: db.Now().UTC(), db: db}, nil
}

// Migrate applies the embedded migrations not yet applied, each in its own
// transaction, recorded in schema_migrations.
func (db *DB) Migrate(ctx context.Context) error {
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("db: migrate: %w", err)
	}
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		if err := db.migrateFile(ctx, name); err != nil {
			return err
		}
	}
	return nil
}

func (db *DB) migrateFile(ctx context.Context, name string) error {
	tx, err := db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE name = ?`, name).Scan(&n); err != nil {
		return fmt.Errorf("db: migrate %s: %w", name, err)
	}
	if n > 0 {
		return nil
	}
	buf, err := fs.ReadFile(migrationFS, name)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, string(buf)); err != nil {
		return fmt.Errorf("db: migrate %s: %w", name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)`, name, formatTime(tx.now)); err != nil {
		return fmt.Errorf("db: migrate %s: %w", name, err)
	}
	return tx.Commit()
}

// Backup writes a consistent online copy of the database to out with
// VACUUM INTO; out must not exist. The copy is written to a hidden
// temporary file beside out (".NAME.partial-*"), synced, and renamed to out
// only when it is complete: a backup that is interrupted (killed, a full
// disk) never leaves an empty or partial file under out's name, which
// would pass for a backup until the day it is needed.
func (db *DB) Backup(ctx context.Context, out string) error {
	fail := func(err error) error { return fmt.Errorf("db: backup to %s: %w", out, err) }
	if _, err := os.Lstat(out); err == nil {
		return fail(fs.ErrExist)
	}
	// An empty file reserves the name; VACUUM INTO writes into it.
	f, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".partial-*")
	if err != nil {
		return fail(err)
	}
	tmp := f.Name()
	f.Close()
	done := false
	defer func() {
		if !done {
			os.Remove(tmp)
		}
	}()
	// VACUUM INTO writes a new database file, which the read pool's
	// query_only connections refuse; a connection of its own reads a
	// consistent snapshot without holding up the writer (WAL).
	b, err := sql.Open("sqlite", db.path+"?"+pragmas)
	if err != nil {
		return fail(err)
	}
	defer b.Close()
	b.SetMaxOpenConns(1)
	if _, err := b.ExecContext(ctx, `VACUUM INTO ?`, tmp); err != nil {
		return fail(err)
	}
	if err := syncFile(tmp); err != nil {
		return fail(err)
	}
	if _, err := os.Lstat(out); err == nil {
		return fail(fs.ErrExist)
	}
	if err := os.Rename(tmp, out); err != nil {
		return fail(err)
	}
	done = true
	// The rename is durable once the directory is synced (not every
	// platform can sync a directory: best effort).
	if d, err := os.Open(filepath.Dir(out)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// syncFile flushes the file at path to stable storage.
func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Meta returns a value of the meta table, "" when unset.
func (db *DB) Meta(ctx context.Context, key string) (string, error) {
	var v string
	err := db.read.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

// SetMeta sets a value of the meta table.
func (db *DB) SetMeta(ctx context.Context, key, value string) error {
	_, err := db.write.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}

// timeLayout is fixed-width so that stored times sort as text.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	var buf [len(timeLayout)]byte
	return string(appendTime(buf[:0], t))
}

// appendTime appends t (in UTC) in timeLayout, digit by digit: time.Format
// interprets its layout on every call, and the use writer formats two or
// three times per use, verify three times per use.
func appendTime(buf []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return t.AppendFormat(buf, timeLayout)
	}
	hour, minute, sec := t.Clock()
	n := len(buf)
	buf = append(buf, timeLayout...)
	b := buf[n:]
	putDigits(b[0:4], year)
	putDigits(b[5:7], int(month))
	putDigits(b[8:10], day)
	putDigits(b[11:13], hour)
	putDigits(b[14:16], minute)
	putDigits(b[17:19], sec)
	putDigits(b[20:29], t.Nanosecond())
	return buf
}

// putDigits writes v into b in decimal, zero-padded to len(b).
func putDigits(b []byte, v int) {
	for i := len(b) - 1; i >= 0; i-- {
		b[i] = byte('0' + v%10)
		v /= 10
	}
}

func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, ok := parseTimeLayout(s); ok {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("db: bad stored time %q: %w", s, err)
	}
	return t.UTC(), nil
}

// parseTimeLayout parses s when it is exactly in timeLayout, the form
// every stored time is written in, at a fraction of time.Parse's cost (the
// log's readers parse three times per use, verify 30M at 10M uses). Any
// other text (ok false) is left to time.Parse.
func parseTimeLayout(s string) (time.Time, bool) {
	if len(s) != len(timeLayout) || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
		s[19] != '.' || s[29] != 'Z' {
		return time.Time{}, false
	}
	num := func(from, to int) (int, bool) {
		n := 0
		for _, c := range []byte(s[from:to]) {
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	var v [7]int
	for i, r := range [7][2]int{{0, 4}, {5, 7}, {8, 10}, {11, 13}, {14, 16}, {17, 19}, {20, 29}} {
		n, ok := num(r[0], r[1])
		if !ok {
			return time.Time{}, false
		}
		v[i] = n
	}
	t := time.Date(v[0], time.Month(v[1]), v[2], v[3], v[4], v[5], v[6], time.UTC)
	// time.Date normalises (month 13, 31 April); time.Parse rejects.
	if y, m, d := t.Date(); y != v[0] || int(m) != v[1] || d != v[2] || t.Hour() != v[3] || t.Minute() != v[4] || t.Second() != v[5] {
		return time.Time{}, false
	}
	return t, true
}

func formatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02")
}

func parseDate(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse("2006-01-02", s)
}

// appendAudit appends one entry to the audit trail inside tx (R-LOG-1: every
// mutation and every read of another person's log). The chain is safe
// because tx is IMMEDIATE on the single write connection.
func appendAudit(ctx context.Context, tx *Tx, actor, action, entity, entityID string, detail any) error {
	d := "{}"
	if detail != nil {
		b, err := json.Marshal(detail)
		if err != nil {
			return fmt.Errorf("db: audit detail: %w", err)
		}
		d = string(b)
	}
	var seq int64
	prev := monitoring.GenesisHash
	err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1`).Scan(&seq, &prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("db: audit head: %w", err)
	}
	if actor == "" {
		actor = "system"
	}
	e := monitoring.AuditEntry{Seq: seq + 1, At: tx.now, Actor: actor, Action: action, Entity: entity, EntityID: entityID, Detail: d}
	e.Seal(prev)
	_, err = tx.ExecContext(ctx, `INSERT INTO audit (seq, at, actor, action, entity, entity_id, detail, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?)`,
		e.Seq, formatTime(e.At), e.Actor, e.Action, e.Entity, e.EntityID, e.Detail, e.PrevHash, e.Hash)
	if err != nil {
		return fmt.Errorf("db: append audit: %w", err)
	}
	return nil
}

// isUnique reports whether err is a UNIQUE or PRIMARY KEY constraint failure.
func isUnique(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		c := se.Code()
		return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// IsFull reports whether err means the disk (or the database) is full.
func IsFull(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code()&0xff == sqlite3.SQLITE_FULL
	}
	return strings.Contains(strings.ToLower(fmt.Sprint(err)), "database or disk is full")
}

func notFound(format string, args ...any) error {
	return monitoring.Errorf(monitoring.NotFound, format, args...)
}

func limitOf(n int) int {
	switch {
	case n <= 0:
		return 50
	case n > 1000:
		return 1000
	}
	return n
}

// readPool is the read connections, with every query prepared once and
// kept: preparing a statement cost about a fifth of a request's time on the
// read paths (docs/PERFORMANCE.md). database/sql prepares a kept statement
// on each connection the first time it runs there.
type readPool struct {
	*sql.DB

	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

// maxReadStmts bounds the kept statements; queries beyond it (built with a
// varying shape) run unprepared.
const maxReadStmts = 512

func (p *readPool) stmt(ctx context.Context, query string) *sql.Stmt {
	p.mu.Lock()
	defer p.mu.Unlock()
	if st, ok := p.stmts[query]; ok {
		return st
	}
	if len(p.stmts) >= maxReadStmts {
		return nil
	}
	st, err := p.DB.PrepareContext(ctx, query)
	if err != nil {
		return nil // the unprepared query reports the error
	}
	if p.stmts == nil {
		p.stmts = map[string]*sql.Stmt{}
	}
	p.stmts[query] = st
	return st
}

// QueryContext runs query prepared.
func (p *readPool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return p.DB.QueryContext(ctx, query, args...)
}

// QueryRowContext runs query prepared.
func (p *readPool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return p.DB.QueryRowContext(ctx, query, args...)
}

// Close closes the kept statements and the connections.
func (p *readPool) Close() error {
	p.mu.Lock()
	for _, st := range p.stmts {
		st.Close()
	}
	p.stmts = nil
	p.mu.Unlock()
	return p.DB.Close()
}
