package db_test

import (
	"fmt"
	"testing"

	"vaaka/db"
	"vaaka/monitoring"
)

// TestVerifyUses_HalvesAgreeWithOneWalk_R_LOG_1: the fast path of VerifyUses
// (two halves of the log walked at once) reports exactly what the single
// walk reports, for an intact log and for every kind of tampering around the
// halves' boundary and elsewhere, and after a retention checkpoint.
func TestVerifyUses_HalvesAgreeWithOneWalk_R_LOG_1(t *testing.T) {
	const n = 40 // halves (0, 20] and (20, 40]
	cases := []struct {
		name string
		qs   []string
	}{
		{"intact", nil},
		{"changed in the first half", []string{`UPDATE uses SET note = 'x' WHERE seq = 7`}},
		{"changed at the end of the first half", []string{`UPDATE uses SET note = 'x' WHERE seq = 20`}},
		{"changed at the start of the second half", []string{`UPDATE uses SET note = 'x' WHERE seq = 21`}},
		{"changed in the second half", []string{`UPDATE uses SET note = 'x' WHERE seq = 33`}},
		{"last entry changed", []string{`UPDATE uses SET note = 'x' WHERE seq = 40`}},
		{"removed at the boundary", []string{`DELETE FROM uses WHERE seq = 21`}},
		{"removed before the boundary", []string{`DELETE FROM uses WHERE seq = 20`}},
		{"link rewritten at the boundary", []string{`UPDATE uses SET prev_hash = '` + monitoring.GenesisHash + `' WHERE seq = 21`}},
		{"reordered across the boundary", []string{`UPDATE uses SET seq = -1 WHERE seq = 20`, `UPDATE uses SET seq = 20 WHERE seq = 21`, `UPDATE uses SET seq = 21 WHERE seq = -1`}},
		{"tail cut off", []string{`DELETE FROM uses WHERE seq > 35`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newUseFixture(t)
			f.recordAt(t, testNow.Add(-oneDay), n)
			if len(c.qs) > 0 {
				tamper(t, f.d, c.qs...)
			}
			uses := db.NewUseService(f.d)
			restore := db.SetParallelVerifyMin(1 << 40) // one walk
			one, err := uses.VerifyUses(t.Context())
			restore()
			if err != nil {
				t.Fatal(err)
			}
			defer db.SetParallelVerifyMin(10)()
			fast := db.HalvesVerified()
			two, err := uses.VerifyUses(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if used := db.HalvesVerified() > fast; used != one.OK {
				t.Errorf("the two-halves path completed: %v, want %v (it completes exactly when the log verifies)", used, one.OK)
			}
			if fmt.Sprint(one) != fmt.Sprint(two) {
				t.Errorf("two halves: %+v, one walk: %+v", two, one)
			}
			if (len(c.qs) == 0 || c.name == "tail cut off") != one.OK {
				t.Errorf("one walk: %+v", one)
			}
		})
	}
}
