package app

import (
	"errors"
	"testing"
	"time"

	"vaaka/monitoring"
)

// More fuzz targets for the decoders and parsers (FuzzDecodeUses is in
// fuzz_test.go, FuzzParseEmployeesCSV in package monitoring). The seeds run
// with plain go test; make fuzz runs each target for FUZZTIME.

// fuzzBadInput fails unless err is a 400 or a 422 naming a field.
func fuzzBadInput(t *testing.T, err error) {
	t.Helper()
	var br *badRequest
	var de *monitoring.Error
	switch {
	case errors.As(err, &br):
	case errors.As(err, &de) && de.Code == monitoring.Invalid && len(de.Fields) > 0:
	default:
		t.Fatalf("error %T %v is neither a 400 nor an Invalid naming a field", err, err)
	}
}

// FuzzWebDates: the date and time of day parsers of the web forms never
// panic and give UTC times of the date they were given.
func FuzzWebDates(f *testing.F) {
	for _, s := range [][2]string{{"2026-11-27", "14.30"}, {"27.11.2026", "14:30"}, {"2026-02-30", "25:61"}, {"", ""}, {"0000-01-01", "00:00"}, {"\xff", "\x00"}} {
		f.Add(s[0], s[1])
	}
	loc, err := time.LoadLocation("Europe/Helsinki")
	if err != nil {
		loc = time.UTC
	}
	f.Fuzz(func(t *testing.T, date, clock string) {
		if d, ok := webParseDate(date); ok && !d.IsZero() && d.Location() != time.UTC {
			t.Fatalf("date %q not UTC", date)
		}
		if at, ok := parseLocalTime(date, clock, loc); ok && at.Location() != time.UTC {
			t.Fatalf("%q %q not UTC", date, clock)
		}
		fe := monitoring.FieldErrors{}
		apiParseTimeField(fe, "at", date)
		apiParseDateField(fe, "on", clock)
		for field := range fe {
			if field != "at" && field != "on" {
				t.Fatalf("error names %q", field)
			}
		}
	})
}

// FuzzDecodeActivity: the activity body (POST/PATCH /api/v1/activities)
// decodes strictly or is refused as a 400/422 naming a field; applying it
// never panics.
func FuzzDecodeActivity(f *testing.F) {
	for _, s := range []string{`{"name":"x","method":"call_recording","retention_days":90}`, `{"dpia":{"completed_on":"2026-02-30"}}`,
		`{"purposes":[{"code":1}]}`, `null`, `{"name":"\ud800"}`, `{"retention_days":1e400}`, `[`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var in apiActivityIn
		if err := apiDecodeStrict(body, &in, ""); err != nil {
			fuzzBadInput(t, err)
			return
		}
		a := &monitoring.Activity{}
		fe := monitoring.FieldErrors{}
		if err := apiApplyChecked(&in, a, fe); err != nil {
			fuzzBadInput(t, err)
		}
	})
}

// FuzzDecodeCase: the case body (POST /api/v1/cases) decodes strictly or
// is refused as a 400 naming a field.
func FuzzDecodeCase(f *testing.F) {
	for _, s := range []string{`{"title":"x","procedure":"dialogue","activity_ids":[1]}`, `{"activity_ids":["1"]}`, `{"title":null}`, `null`, `{}`, `{"x":1}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var in apiCaseIn
		if err := apiDecodeStrict(body, &in, ""); err != nil {
			fuzzBadInput(t, err)
		}
	})
}
