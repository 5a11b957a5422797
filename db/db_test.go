package db_test

import (
	"path/filepath"
	"testing"
	"time"

	"vaaka/db"
)

// testNow is the frozen clock of db tests.
var testNow = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

// MustOpenDB opens a migrated database file in a temp dir with a frozen
// clock and closes it when the test ends.
func MustOpenDB(tb testing.TB) *db.DB {
	tb.Helper()
	d, err := db.Open(filepath.Join(tb.TempDir(), "vaaka.db"))
	if err != nil {
		tb.Fatal(err)
	}
	d.Now = func() time.Time { return testNow }
	tb.Cleanup(func() {
		if err := d.Close(); err != nil {
			tb.Error(err)
		}
	})
	return d
}

func TestOpenMigrates(t *testing.T) {
	d := MustOpenDB(t)
	if err := d.Migrate(t.Context()); err != nil { // idempotent
		t.Fatal(err)
	}
}
