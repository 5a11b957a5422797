package db

import (
	"context"
	"fmt"
	"math/bits"
	"strings"

	"vaaka/monitoring"
)

// The rows a group writes (its uses, unless it is written with savepoints,
// and beside them the recordings first seen, the employees, flags and flag
// months of each use) are collected while the group is written and
// inserted before its commit with multi-row INSERTs, and the recordings a
// request names are looked up with one query per chunk rather than one per
// use (issue "Performance": per use, the writer ran six to eight single-row
// statements, each paying database/sql's and the driver's fixed cost).
//
// Nothing in a group reads these tables before its commit: the recordings
// already seen are known from the group's map, the rollups are written
// from counts kept in memory (rollup.go), the head of the chain is carried
// in the group, and the use a correction names was committed before (a
// use's id is answered only after its commit). A group written with
// savepoints inserts each request's rows before releasing its savepoint,
// so that a request whose rows fail fails alone.

// rowTable is a table the rows of a use go to.
type rowTable struct {
	name    string
	insert  string // the INSERT up to VALUES
	row     string // one row's placeholders
	cols    int    // placeholders per row
	maxRows int    // rows per statement (a power of two)
}

var (
	// useRows are the uses themselves, collected only on a group's fast
	// path (no savepoints): a duplicate external id makes the multi-row
	// INSERT fail, and the group is written again with savepoints, where
	// each use is inserted alone and a duplicate answers its stored
	// original (useGroup.insert).
	useRows = rowTable{name: "use", cols: 19, maxRows: 64,
		insert: `INSERT INTO uses (` + useColumns + `) VALUES `,
		row:    `(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`}
	recordingRows = rowTable{name: "recording", cols: 7, maxRows: 64,
		insert: `INSERT INTO recordings (ref, call_started_at, direction, activity_id, employee_staff_id, deletion_due, first_seen_at, source) VALUES `,
		row:    `(?,?,?,?,?,?,?,'use')`}
	employeeRows = rowTable{name: "use employee", cols: 2, maxRows: 256,
		insert: `INSERT OR IGNORE INTO use_employees (staff_id, use_seq) VALUES `, row: `(?,?)`}
	flagRows = rowTable{name: "use flag", cols: 3, maxRows: 128,
		insert: `INSERT INTO use_flags (flag, use_seq, activity_id) VALUES `, row: `(?,?,?)`}
	flagMonthRows = rowTable{name: "use flag month", cols: 4, maxRows: 128,
		insert: `INSERT INTO use_flag_months (activity_id, flag, month, use_seq) VALUES `, row: `(?,?,?,?)`}
)

// query is the INSERT of n rows.
func (t rowTable) query(n int) string {
	return t.insert + strings.TrimSuffix(strings.Repeat(t.row+",", n), ",")
}

// pendingRows are the values of the rows not yet inserted, per table.
type pendingRows struct {
	uses, recordings, employees, flags, flagMonths []any
}

func (p *pendingRows) reset() {
	p.uses, p.recordings, p.employees, p.flags, p.flagMonths = p.uses[:0], p.recordings[:0], p.employees[:0], p.flags[:0], p.flagMonths[:0]
}

// flush inserts the pending rows with g's statements and empties them.
func (p *pendingRows) flush(ctx context.Context, g *useGroup) error {
	for _, t := range []struct {
		table rowTable
		vals  []any
	}{{useRows, p.uses}, {recordingRows, p.recordings}, {employeeRows, p.employees}, {flagRows, p.flags}, {flagMonthRows, p.flagMonths}} {
		if err := insertRows(ctx, g.stmts, t.table, t.vals); err != nil {
			return err
		}
	}
	p.reset()
	return nil
}

// insertRows writes vals (table.cols per row) in t's chunks.
func insertRows(ctx context.Context, q *stmtCache, t rowTable, vals []any) error {
	return t.chunks(vals, func(n int, vals []any) error {
		if _, err := q.ExecContext(ctx, t.query(n), vals...); err != nil {
			return fmt.Errorf("db: insert %s: %w", t.name, err)
		}
		return nil
	})
}

// chunks calls write with the rows of vals (t.cols values per row) in
// chunks of a power of two rows each, the largest that fits, so that a
// table has at most log2(maxRows)+1 distinct statements to prepare.
func (t rowTable) chunks(vals []any, write func(n int, vals []any) error) error {
	for rows := len(vals) / t.cols; rows > 0; {
		n := min(1<<(bits.Len(uint(rows))-1), t.maxRows)
		if err := write(n, vals[:n*t.cols]); err != nil {
			return err
		}
		vals, rows = vals[n*t.cols:], rows-n
	}
	return nil
}

// maxLookupRefs is the largest chunk of recordings looked up at once.
const maxLookupRefs = 256

// lookupRecordingsSQL finds n recordings by ref (plan_test.go).
func lookupRecordingsSQL(n int) string {
	return `SELECT ref, deleted_at FROM recordings WHERE ref IN (?` + strings.Repeat(",?", n-1) + `)`
}

// lookupRecordings learns, for every recording the uses name that the
// group has not seen yet, whether it is stored (and its deleted_at) or not.
func (g *useGroup) lookupRecordings(ctx context.Context, uses []*monitoring.Use) error {
	var refs []any
	seen := map[string]bool{}
	for _, u := range uses {
		if _, ok := g.recordings[u.RecordingRef]; ok || g.absent[u.RecordingRef] || seen[u.RecordingRef] {
			continue
		}
		seen[u.RecordingRef] = true
		refs = append(refs, u.RecordingRef)
	}
	for len(refs) > 0 {
		n := min(1<<(bits.Len(uint(len(refs)))-1), maxLookupRefs)
		rows, err := g.stmts.QueryContext(ctx, lookupRecordingsSQL(n), refs[:n]...)
		if err != nil {
			return fmt.Errorf("db: find recordings: %w", err)
		}
		for rows.Next() {
			var ref, deletedAt string
			if err := rows.Scan(&ref, &deletedAt); err != nil {
				rows.Close()
				return fmt.Errorf("db: find recordings: %w", err)
			}
			g.recordings[ref] = deletedAt
			delete(seen, ref)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return fmt.Errorf("db: find recordings: %w", err)
		}
		refs = refs[n:]
	}
	for ref := range seen {
		g.absent[ref] = true
	}
	return nil
}
