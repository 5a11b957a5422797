package app

import (
	"bytes"
	"testing"

	"vaaka/monitoring"
)

// appendStatisticsJSON writes what encoding/json writes for the documented
// DTO, byte for byte: every field, suppressed and not, an activity filter or
// none, empty and nil lists, and texts that need escaping.
func TestStatisticsJSON_MatchesEncodingJSON(t *testing.T) {
	flags := func(n int64, suppressed bool) []monitoring.StatFlag {
		return []monitoring.StatFlag{
			{Flag: monitoring.FlagPurposeMissing, StatValue: monitoring.StatValue{Count: n, Employees: 7, Suppressed: suppressed}},
			{Flag: monitoring.FlagEmployeeNotCovered, StatValue: monitoring.StatValue{Suppressed: true}},
		}
	}
	texts := []string{"quality", "", `say "hi"`, `back\slash`, "<b>&amp;</b>", "Myynti ja asiakaspalvelu – Åbo", "line\nbreak\ttab\x01",
		"\u2028\u2029", "bad \xff utf-8", "emoji 🙂"}
	full := &monitoring.Statistics{From: "2025-12", To: "2026-11", ActivityID: 42}
	for i, s := range texts {
		full.Cells = append(full.Cells, monitoring.StatCell{ActivityID: int64(i + 1), Purpose: s, Unit: texts[len(texts)-1-i], Month: "2026-0" + string(rune('1'+i%9)),
			Uses: monitoring.StatValue{Count: int64(100 * i), Employees: int64(i), Suppressed: i%3 == 0}, Flags: flags(int64(i), i%2 == 0)})
		full.Months = append(full.Months, monitoring.StatMonth{ActivityID: int64(i), Month: s,
			Uses: monitoring.StatValue{Count: int64(i), Suppressed: i%2 == 1}, Flags: flags(int64(i*3), i%4 == 0)})
		full.Overdue = append(full.Overdue, monitoring.StatOverdue{ActivityID: int64(i), Recordings: monitoring.StatValue{Count: int64(i * 11), Suppressed: i%2 == 0}})
	}
	full.Cells = append(full.Cells, monitoring.StatCell{Month: "2026-11", Flags: nil}, monitoring.StatCell{Month: "2026-11", Flags: []monitoring.StatFlag{}})
	for name, st := range map[string]*monitoring.Statistics{
		"full":           full,
		"empty":          {From: "2026-01", To: "2026-11"},
		"escaped period": {From: `"<`, To: "\xff"},
	} {
		var want bytes.Buffer
		if err := jsonEncode(&want, apiStatisticsOut(st)); err != nil {
			t.Fatal(err)
		}
		if got := appendStatisticsJSON(nil, st); !bytes.Equal(got, want.Bytes()) {
			t.Errorf("%s:\n got %s\nwant %s", name, got, want.Bytes())
		}
	}
}
