package monitoring

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// TestUseHash_IsChainHash_R_LOG_1: the hash the writer seals and verify
// checks is exactly ChainHash over ChainFields (the documented storage
// format), for random uses: empty and zero fields, several employees and
// flags, non-ASCII text, notes longer than the hash's stack buffer.
func TestUseHash_IsChainHash_R_LOG_1(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []rune("aäöÅz0-_ ,\x1f€")
	str := func(max int) string {
		var b strings.Builder
		for range r.IntN(max + 1) {
			b.WriteRune(alphabet[r.IntN(len(alphabet))])
		}
		return b.String()
	}
	tm := func() time.Time {
		if r.IntN(5) == 0 {
			return time.Time{}
		}
		return time.Unix(r.Int64N(4e9), r.Int64N(1e9)*int64(r.IntN(2))).In(time.FixedZone("x", 3600*r.IntN(3)))
	}
	for i := range 2000 {
		u := &Use{Seq: r.Int64N(1e12), ID: str(36), ExternalID: str(20), ActivityID: r.Int64N(1e6), RecordingRef: str(30),
			CallStartedAt: tm(), Direction: Direction(str(8)), UsedBy: str(30), Action: Action(str(10)), Purpose: str(20),
			Note: str([]int{0, 50, 3000}[r.IntN(3)]), OccurredAt: tm(), RecordedAt: tm(), Source: Source(str(5)), Corrects: str(36)}
		for range r.IntN(4) {
			u.EmployeeStaffIDs = append(u.EmployeeStaffIDs, str(8))
		}
		for range r.IntN(4) {
			u.Flags = append(u.Flags, AllFlags[r.IntN(len(AllFlags))])
		}
		prev := str(64)
		if got, want := u.hash(prev), ChainHash(prev, u.ChainFields()...); got != want {
			t.Fatalf("use %d: hash %s, ChainHash %s (%+v)", i, got, want, u)
		}
	}
}
