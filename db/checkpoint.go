package db

import (
	"context"
	"database/sql"
	"time"
)

// checkpointer copies the WAL into the database file beside the writer.
// SQLite does it in the connection that commits, once the WAL holds 1 000
// pages: the group of uses whose commit crosses that line waits for the
// copy of every page written since the last checkpoint and an fsync of the
// database file (the tail of the single-use POSTs' latency). Here a
// connection of its own runs a PASSIVE checkpoint (it never waits for
// readers or the writer) at most every checkpointEvery while commits come
// in, so that the writer's own checkpoint finds most pages copied. The
// writer's checkpoint stays: it is the one that can finish (no commit runs
// during it), after which the WAL is reused from its start.
type checkpointer struct {
	conn *sql.DB
	kick chan struct{}
	stop chan struct{}
	done chan struct{}
}

// checkpointEvery is the most often a checkpoint runs.
const checkpointEvery = 100 * time.Millisecond

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
	c.conn, c.kick, c.stop, c.done = conn, make(chan struct{}, 1), make(chan struct{}), make(chan struct{})
	go c.run()
	return nil
}

// kickCheckpointer tells the checkpointer that a commit added to the WAL.
func (db *DB) kickCheckpointer() {
	if db.ckpt.kick == nil {
		return
	}
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
		// Let the commits of the next moment join this checkpoint.
		select {
		case <-c.stop:
			return
		case <-time.After(checkpointEvery):
		}
		// Errors are not fatal: the next kick tries again, and the write
		// connection checkpoints on its own anyway.
		c.conn.ExecContext(context.Background(), `PRAGMA wal_checkpoint(PASSIVE)`)
	}
}
