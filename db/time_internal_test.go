package db

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestParseTimeLayout_AgreesWithTimeParse: the fast path of parseTime gives
// what time.Parse gives for every text it accepts, and leaves to time.Parse
// every text that is not exactly a stored time (wrong length, letters,
// out-of-range fields, another zone, a normalisable date).
func TestParseTimeLayout_AgreesWithTimeParse(t *testing.T) {
	check := func(s string) {
		t.Helper()
		got, ok := parseTimeLayout(s)
		want, err := time.Parse(time.RFC3339Nano, s)
		if ok && (err != nil || !got.Equal(want) || got.Location() != time.UTC) {
			t.Errorf("%q: fast %v, time.Parse %v %v", s, got, want, err)
		}
		if !ok && err == nil && len(s) == len(timeLayout) && s[len(s)-1] == 'Z' {
			t.Errorf("%q: a stored time the fast path refused", s)
		}
	}
	for _, s := range []string{
		"2026-11-27T21:08:00.000000000Z", "2024-02-29T23:59:59.999999999Z", "0001-01-01T00:00:00.000000000Z",
		"2025-02-29T00:00:00.000000000Z", "2026-04-31T00:00:00.000000000Z", "2026-13-01T00:00:00.000000000Z",
		"2026-00-10T00:00:00.000000000Z", "2026-01-01T24:00:00.000000000Z", "2026-01-01T23:60:00.000000000Z",
		"2026-01-01T23:59:60.000000000Z", "2026-01-01T23:59:59.00000000xZ", "2026-01-01T23:59:59.000000000+",
		"2026-01-01T23:59:59.000000000", "2026-01-01T23:59:59Z", "2026-01-01 23:59:59.000000000Z",
		"+026-01-01T23:59:59.000000000Z", "2026-1-01T23:59:59.0000000000Z", "",
	} {
		check(s)
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		ts := time.Unix(r.Int64N(1<<36)-1<<35, r.Int64N(1e9)).UTC()
		s := []byte(ts.Format(timeLayout))
		if r.IntN(3) == 0 { // a random byte changed
			s[r.IntN(len(s))] = "0123456789-T:.Z+x"[r.IntN(17)]
		}
		check(string(s))
		if got, ok := parseTimeLayout(ts.Format(timeLayout)); ts.Year() >= 0 && ts.Year() <= 9999 && (!ok || !got.Equal(ts)) {
			t.Fatalf("%v: fast path %v %v", ts, got, ok)
		}
	}
}

// TestAppendTime_AgreesWithTimeFormat: the stored texts written digit by
// digit (formatTime, monthOf, dayOf, weekOf) are what time.Format writes,
// in any zone, for years inside and outside 0000–9999.
func TestAppendTime_AgreesWithTimeFormat(t *testing.T) {
	helsinki, err := time.LoadLocation("Europe/Helsinki")
	if err != nil {
		helsinki = time.FixedZone("EET", 2*3600)
	}
	check := func(ts time.Time) {
		t.Helper()
		u := ts.UTC()
		for _, c := range []struct{ name, got, want string }{
			{"formatTime", formatTime(ts), u.Format(timeLayout)},
			{"monthOf", monthOf(ts), u.Format("2006-01")},
			{"dayOf", dayOf(ts), u.Format("2006-01-02")},
			{"weekOf", weekOf(ts), time.Date(u.Year(), u.Month(), u.Day()-(int(u.Weekday())+6)%7, 0, 0, 0, 0, time.UTC).Format("2006-01-02")},
		} {
			if c.got != c.want {
				t.Fatalf("%s(%v) = %q, want %q", c.name, ts, c.got, c.want)
			}
		}
	}
	for _, ts := range []time.Time{
		time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC), time.Date(2024, 2, 29, 23, 59, 59, 999999999, time.UTC),
		time.Date(0, 1, 1, 0, 0, 0, 1, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(-1, 6, 1, 12, 0, 0, 0, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 1, 1, 1, 30, 0, 5, helsinki), // the previous day in UTC
	} {
		check(ts)
	}
	if formatTime(time.Time{}) != "" {
		t.Error("formatTime of the zero time is not empty")
	}
	r := rand.New(rand.NewPCG(5, 6))
	for range 20000 {
		ts := time.Unix(r.Int64N(1<<36)-1<<35, r.Int64N(1e9))
		if r.IntN(2) == 0 {
			ts = ts.In(helsinki)
		}
		check(ts)
	}
}
