package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/gofiber/fiber/v2"
	_ "modernc.org/sqlite"

	"vaaka/db"
)

// rawPragmas are the settings of Vaaka's connections (db/db.go): WAL and
// synchronous=FULL.
const rawPragmas = "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)&_txlock=immediate"

// newSchemaDB creates a database file with Vaaka's schema (every migration,
// so the same tables and indexes) and returns a raw pool on it.
func newSchemaDB(path string) (*sql.DB, error) {
	d, err := db.Open(path)
	if err != nil {
		return nil, err
	}
	if err := d.Close(); err != nil {
		return nil, err
	}
	raw, err := sql.Open("sqlite", path+rawPragmas)
	if err != nil {
		return nil, err
	}
	raw.SetMaxOpenConns(1)
	return raw, nil
}

// rawRow is one use row as the baselines write it: the uses row and its
// use_employees row, with no flags computed and no chain.
type rawRow struct {
	ext, ref, staff, usedBy, action, purpose string
	activity                                 int64
	call, occurred                           string
}

const insertRawUse = `INSERT INTO uses (seq, id, source, external_id, activity_id, recording_ref, call_started_at, direction,
	employee_staff_ids, used_by, action, purpose, note, occurred_at, recorded_at, corrects, flags, prev_hash, hash)
	VALUES (?, ?, 'api', ?, ?, ?, ?, 'inbound', ?, ?, ?, ?, '', ?, ?, '', 0, '', '')`

const insertRawEmployee = `INSERT INTO use_employees (staff_id, use_seq) VALUES (?, ?)`

// rawInsert writes rows in one transaction on tx with prepared statements
// and returns the next seq.
func rawInsert(tx *sql.Tx, rows []rawRow, seq int64) (int64, error) {
	su, err := tx.Prepare(insertRawUse)
	if err != nil {
		return seq, err
	}
	defer su.Close()
	se, err := tx.Prepare(insertRawEmployee)
	if err != nil {
		return seq, err
	}
	defer se.Close()
	now := time.Now().UTC().Format("2006-01-02T15:04:05.000000000Z")
	for _, r := range rows {
		seq++
		id := fmt.Sprintf("00000000-0000-7000-8000-%012d", seq)
		if _, err := su.Exec(seq, id, r.ext, r.activity, r.ref, r.call, r.staff, r.usedBy, r.action, r.purpose, r.occurred, now); err != nil {
			return seq, err
		}
		if _, err := se.Exec(r.staff, seq); err != nil {
			return seq, err
		}
	}
	return seq, nil
}

// baselineA inserts n rows in 1000-row transactions into a new database
// file at path with Vaaka's schema and returns rows per second.
func baselineA(path string, n int, mk func(i int) rawRow) (float64, error) {
	raw, err := newSchemaDB(path)
	if err != nil {
		return 0, err
	}
	defer raw.Close()
	rows := make([]rawRow, 0, 1000)
	seq := int64(0)
	start := time.Now()
	for i := 0; i < n; i += 1000 {
		rows = rows[:0]
		for j := i; j < i+1000 && j < n; j++ {
			rows = append(rows, mk(j))
		}
		tx, err := raw.Begin()
		if err != nil {
			return 0, err
		}
		if seq, err = rawInsert(tx, rows, seq); err != nil {
			tx.Rollback()
			return 0, err
		}
		if err := tx.Commit(); err != nil {
			return 0, err
		}
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// baselineServer is baseline (b): fiber, one row per POST, a group-commit
// writer (every queued request in one transaction, no timer), no auth,
// validation, flags or chain.
func baselineServer(args []string) error {
	fs := flag.NewFlagSet("baseline-server", flag.ContinueOnError)
	path := fs.String("db", "", "database file to create")
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	if err := fs.Parse(args); err != nil {
		return err
	}
	raw, err := newSchemaDB(*path)
	if err != nil {
		return err
	}
	defer raw.Close()
	type req struct {
		row  rawRow
		done chan error
	}
	reqs := make(chan req, 1024)
	go func() {
		seq := int64(0)
		for first := range reqs {
			group := []req{first}
		drain:
			for len(group) < 4000 {
				select {
				case r := <-reqs:
					group = append(group, r)
				default:
					break drain
				}
			}
			rows := make([]rawRow, len(group))
			for i, r := range group {
				rows[i] = r.row
			}
			tx, err := raw.Begin()
			if err == nil {
				var next int64
				if next, err = rawInsert(tx, rows, seq); err == nil {
					err = tx.Commit()
				}
				if err == nil {
					seq = next
				} else {
					tx.Rollback()
				}
			}
			for _, r := range group {
				r.done <- err
			}
		}
	}()
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Post("/uses", func(c *fiber.Ctx) error {
		var in struct {
			ExternalID       string   `json:"external_id"`
			ActivityID       int64    `json:"activity_id"`
			RecordingRef     string   `json:"recording_ref"`
			CallStartedAt    string   `json:"call_started_at"`
			EmployeeStaffIDs []string `json:"employee_staff_ids"`
			UsedBy           string   `json:"used_by"`
			Action           string   `json:"action"`
			Purpose          string   `json:"purpose"`
			OccurredAt       string   `json:"occurred_at"`
		}
		if err := json.Unmarshal(c.Body(), &in); err != nil || len(in.EmployeeStaffIDs) == 0 {
			return c.SendStatus(fiber.StatusBadRequest)
		}
		done := make(chan error, 1)
		reqs <- req{row: rawRow{ext: in.ExternalID, ref: in.RecordingRef, staff: in.EmployeeStaffIDs[0], usedBy: in.UsedBy, action: in.Action,
			purpose: in.Purpose, activity: in.ActivityID, call: in.CallStartedAt, occurred: in.OccurredAt}, done: done}
		if err := <-done; err != nil {
			return c.SendStatus(fiber.StatusInternalServerError)
		}
		return c.Status(fiber.StatusCreated).JSON(fiber.Map{"ok": true})
	})
	app.Get("/healthz", func(c *fiber.Ctx) error { return c.SendString("ok") })
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- app.Listen(*addr) }()
	select {
	case err := <-errc:
		if err != nil && !errors.Is(err, context.Canceled) && !strings.Contains(err.Error(), "closed") {
			return err
		}
	case <-ctx.Done():
		return app.Shutdown()
	}
	return nil
}
