package app

import (
	"errors"
	"reflect"
	"testing"

	"vaaka/monitoring"
)

// FuzzDecodeUses feeds arbitrary bodies to the POST /uses decoder: it must
// never panic, and whatever it refuses must be a 400 or 422 problem naming
// a field, never an internal error (SPEC: never a 500 for bad input). The
// seed corpus in testdata/fuzz/FuzzDecodeUses runs with plain go test.
func FuzzDecodeUses(f *testing.F) {
	for _, seed := range []string{
		`{"external_id":"x","activity_id":1,"recording_ref":"r","call_started_at":"2026-11-20T09:00:00Z","direction":"inbound","employee_staff_ids":["E1"],"action":"listened","purpose":"quality","occurred_at":"2026-11-21T09:00:00Z"}`,
		`{"uses":[{"activity_id":1},{"activity_id":"1"}]}`,
		`{"uses":[]}`,
		`[]`,
		`{"note":"\u0000\ud800"}`,
	} {
		f.Add([]byte(seed))
	}
	cat, err := LoadCatalog()
	if err != nil {
		f.Fatal(err)
	}
	s := &Server{i18n: cat}
	f.Fuzz(func(t *testing.T, body []byte) {
		uses, batch, err := decodeUses(body)
		// The one-pass path for a single use answers as the general one.
		gu, gb, gerr := decodeUsesGeneral(body)
		if !reflect.DeepEqual(uses, gu) || batch != gb || !reflect.DeepEqual(err, gerr) {
			t.Fatalf("decodeUses %v %v %v, the general path %v %v %v", uses, batch, err, gu, gb, gerr)
		}
		if err != nil {
			if uses != nil {
				t.Fatalf("uses and an error")
			}
			var br *badRequest
			var de *monitoring.Error
			switch {
			case errors.As(err, &br):
			case errors.As(err, &de) && de.Code == monitoring.Invalid && len(de.Fields) > 0:
			default:
				t.Fatalf("error %T %v is neither a 400 nor an Invalid naming a field", err, err)
			}
			p, internal := s.problemOf(err, monitoring.English)
			if internal || (p.Status != 400 && p.Status != 422) {
				t.Fatalf("problem status %d internal %v for %v", p.Status, internal, err)
			}
			return
		}
		if len(uses) == 0 || len(uses) > monitoring.MaxBatch {
			t.Fatalf("%d uses without an error", len(uses))
		}
		if !batch && len(uses) != 1 {
			t.Fatalf("single body gave %d uses", len(uses))
		}
		for _, u := range uses {
			if u == nil {
				t.Fatal("nil use")
			}
		}
	})
}

// TestDecodeUses_Fields checks the field names of decoding errors.
func TestDecodeUses_Fields(t *testing.T) {
	for _, tc := range []struct {
		body, field string
		status      int
	}{
		{`{"activity_id":"1"}`, "activity_id", 400},
		{`{"uses":[{},{"employee_staff_ids":[1]}]}`, "uses[1].employee_staff_ids", 400},
		{`{"uses":[{"x":1}]}`, "uses[0].x", 400},
		{`{"uses":[],"y":1}`, "y", 400},
		{`{"occurred_at":"never"}`, "occurred_at", 422},
		{`{"uses":[{},{"call_started_at":"2026-02-30T00:00:00Z"}]}`, "uses[1].call_started_at", 422},
		{`{"uses":[]}`, "uses", 422},
		{`"use"`, "body", 400},
	} {
		_, _, err := decodeUses([]byte(tc.body))
		var br *badRequest
		var de *monitoring.Error
		switch {
		case errors.As(err, &br):
			if br.field != tc.field || tc.status != 400 {
				t.Errorf("%s: 400 naming %q, want %d naming %q", tc.body, br.field, tc.status, tc.field)
			}
		case errors.As(err, &de):
			if _, ok := de.Fields[tc.field]; !ok || tc.status != 422 {
				t.Errorf("%s: 422 naming %v, want %d naming %q", tc.body, de.Fields, tc.status, tc.field)
			}
		default:
			t.Errorf("%s: %v", tc.body, err)
		}
	}
}
