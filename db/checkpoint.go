package db

import (
	"context"
	"database/sql"
	"sync/atomic"
	"time"
)

// checkpointer copies the WAL into the database file beside the writer.
// SQLite does it in the connection that commits, once the WAL holds
// wal_autocheckpoint pages: the group of uses whose commit crosses that line
// waits for the copy of every page written since the last checkpoint and an
// fsync of the database file (the tail of the single-use POSTs' latency, and
// a fifteenth of the batch writer's time). Here a connection of its own runs
// a PASSIVE checkpoint (it never waits for readers or the writer), on the
// other core: at once when checkpointRows uses (or other rows) were
// committed since the last one, as a batch of uses commits, else at most
// every checkpointEvery while commits come in, so that single uses' commits
// do not each meet a checkpoint's fsync. The writer's own checkpoint stays,
// at a higher mark (writerAutocheckpoint in db.go): it is the one that can
// finish (no commit runs during it), after which the WAL is reused from its
// start.
type checkpointer struct {
	conn    *sql.DB
	every   time.Duration // checkpointEvery when the database was opened
	pending atomic.Int64  // rows committed since the last checkpoint began
	kick    chan struct{}
	stop    chan struct{}
	done    chan struct{}
}

// checkpointEvery is the most often a checkpoint runs for small commits (a
// variable for tests; each checkpointer copies it when its database opens).
var checkpointEvery = 100 * time.Millisecond

// checkpointRows committed start a checkpoint at once: a batch of 1 000
// uses writes some 500 pages.
const checkpointRows = 1000

func (db *DB) startCheckpointer(dsn string) error {
	conn, err := sql.Open("sqlite", dsn)
	if err != nil {
		return err
	}
	conn.SetMaxOpenConns(1)
	if err := conn.Ping(); err != nil {
		conn.Close()
		return err
	}
	c := &db.ckpt
	c.every = checkpointEvery
	c.conn, c.kick, c.stop, c.done = conn, make(chan struct{}, 1), make(chan struct{}), make(chan struct{})
	go c.run()
	return nil
}

// kickCheckpointer tells the checkpointer that a commit of rows (uses, or
// 1 for other transactions) added to the WAL.
func (db *DB) kickCheckpointer(rows int) {
	if db.ckpt.kick == nil {
		return
	}
	db.ckpt.pending.Add(int64(rows))
	select {
	case db.ckpt.kick <- struct{}{}:
	default:
	}
}

// stopCheckpointer ends the checkpointer; the last connection to close
// checkpoints what is left (SQLite does it on close).
func (db *DB) stopCheckpointer() {
	c := &db.ckpt
	if c.conn == nil {
		return
	}
	close(c.stop)
	<-c.done
	c.conn.Close()
	c.conn = nil
}

func (c *checkpointer) run() {
	defer close(c.done)
	for {
		select {
		case <-c.stop:
			return
		case <-c.kick:
		}
		// Let the commits of the next moment join this checkpoint, unless
		// enough rows are waiting already.
		timer := time.NewTimer(c.every)
	wait:
		for c.pending.Load() < checkpointRows {
			select {
			case <-c.stop:
				timer.Stop()
				return
			case <-timer.C:
				break wait
			case <-c.kick:
			}
		}
		timer.Stop()
		c.pending.Store(0)
		// Errors are not fatal: the next kick tries again, and the write
		// connection checkpoints on its own anyway.
		c.conn.ExecContext(context.Background(), `PRAGMA wal_checkpoint(PASSIVE)`)
	}
}
