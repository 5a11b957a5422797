package monitoring

import (
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func testSource() *ImportSource {
	s := &ImportSource{Name: "Puhelin", Delimiter: ";", HasHeader: true, TimeZone: "Europe/Helsinki", TimeLayout: "2006-01-02 15:04:05",
		Columns: ImportColumns{OccurredAt: "Aika", User: "Käyttäjä", RecordingRef: "Tallenne", Action: "Toiminto",
			Purpose: "Syy", Employees: "Agentti", Direction: "Suunta"},
		ActionMap: DefaultActionMap()}
	s.Normalize()
	return s
}

// TestParseAccessLog: BOM, CRLF, quoted cells with the delimiter and a
// newline, a formula-looking cell kept as given, times in the source's
// zone, deletions, and every bad row named by line and column.
func TestParseAccessLog(t *testing.T) {
	src := testSource()
	if err := src.Validate(); err != nil {
		t.Fatal(err)
	}
	data := "\ufeffAika;Käyttäjä;Tallenne;Toiminto;Syy;Agentti;Suunta\r\n" +
		"2026-11-26 12:00:00;sup@example.fi;\"=HYPERLINK(\"\"x\"\")\";play;quality;E1,E2;in\r\n" + // 2
		"2026-11-26 12:01:00;sup@example.fi;\"REC;2\nb\";DOWNLOAD;;E1;out\r\n" + // 3-4
		"2026-11-26 12:02:00;;REC-3;DELETE;;;\r\n" + // 5
		"26.11.2026;sup@example.fi;REC-4;PLAY;;E1;in\r\n" + // 6: time
		"2026-11-26 12:03:00;sup@example.fi;REC-5;SKIP;;E1;in\r\n" + // 7: action
		"2026-11-26 12:03:00;sup@example.fi;REC-5;PLAY;;E1;sideways\r\n" + // 8: direction
		"2026-11-26 12:03:00;sup@example.fi;REC-\xff;PLAY;;E1;in\r\n" + // 9: encoding
		"2026-11-26 12:03:00;sup@example.fi\r\n" + // 10: field count
		"2026-11-26 12:03:00;sup@example.fi;REC-5;PLAY;Laatu!;E1;in\r\n" // 11: purpose
	log := ParseAccessLog(src, []byte(data))
	if log.Total != 9 || len(log.Rows) != 3 {
		t.Fatalf("total %d rows %d bad %+v", log.Total, len(log.Rows), log.Bad)
	}
	r := log.Rows[0]
	if r.Line != 2 || r.Kind != RowUse || r.Use.RecordingRef != `=HYPERLINK("x")` || r.Use.Action != Listened ||
		!slices.Equal(r.Use.EmployeeStaffIDs, []string{"E1", "E2"}) || r.Use.Direction != Inbound || r.Use.Source != SourceImport ||
		!r.Use.OccurredAt.Equal(time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)) || len(r.Key) != 64 || r.Use.ExternalID != "Puhelin:"+r.Key {
		t.Fatalf("row 1: %+v %+v", r, r.Use)
	}
	if r := log.Rows[1]; r.Line != 3 || r.Use.RecordingRef != "REC;2\nb" || r.Use.Action != Downloaded || r.Use.Direction != Outbound {
		t.Fatalf("row 2: %+v %+v", r, r.Use)
	}
	if r := log.Rows[2]; r.Line != 5 || r.Kind != RowDelete || r.Use.UsedBy != "" {
		t.Fatalf("row 3: %+v", r)
	}
	want := []LineError{{6, "occurred_at", MsgImportTime}, {7, "action", MsgImportAction}, {8, "direction", MsgUnknown},
		{9, "", MsgCSVEncoding}, {10, "", MsgCSVFieldCount}, {11, "purpose", MsgInvalid}}
	if !slices.Equal(log.Bad, want) {
		t.Fatalf("bad:\n got %+v\nwant %+v", log.Bad, want)
	}
	// The same row gives the same key; another row another.
	again := ParseAccessLog(src, []byte(data))
	if again.Rows[0].Key != r.Key || again.Rows[1].Key == r.Key {
		t.Fatal("row keys are not stable")
	}
}

func TestParseAccessLog_NoHeaderAndMissingColumn(t *testing.T) {
	src := &ImportSource{Name: "N", Delimiter: ",", TimeZone: "UTC", TimeLayout: time.RFC3339,
		Columns: ImportColumns{RowKey: "1", OccurredAt: "2", User: "3", RecordingRef: "4", Action: "5"}, ActionMap: DefaultActionMap()}
	src.Normalize()
	if err := src.Validate(); err != nil {
		t.Fatal(err)
	}
	log := ParseAccessLog(src, []byte("k1,2026-11-26T12:00:00+02:00,a@example.fi,R1,PLAY\n"))
	if len(log.Rows) != 1 || log.Rows[0].Key != "k1" || !log.Rows[0].Use.OccurredAt.Equal(time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)) {
		t.Fatalf("%+v", log)
	}
	p := PreviewAccessLog(src, []byte("a,b,c\nd,e\n"), 10)
	if !slices.Equal(p.Header, []string{"1", "2", "3"}) || len(p.Rows) != 2 {
		t.Fatalf("preview %+v", p)
	}
	hs := testSource()
	log = ParseAccessLog(hs, []byte("Aika;Tallenne;Toiminto\n"))
	if log.Total != 0 || len(log.Bad) != 4 || log.Bad[0].Field != "user" || log.Bad[0].Key != MsgCSVMissingColumn {
		t.Fatalf("%+v", log.Bad)
	}
}

func TestImportSource_Validate(t *testing.T) {
	s := &ImportSource{Name: " ", Delimiter: "x", TimeZone: "Nowhere/Else", TimeLayout: "15:04", ActionMap: map[string]string{"A": "eaten"}}
	err := s.Validate()
	me, ok := err.(*Error)
	if !ok {
		t.Fatalf("%v", err)
	}
	for _, f := range []string{"name", "delimiter", "time_zone", "time_layout", "columns.occurred_at", "columns.action", "action_map"} {
		if me.Fields[f] == "" {
			t.Errorf("no error for %s: %v", f, me.Fields)
		}
	}
	for _, l := range TimeLayouts {
		if !ValidTimeLayout(l.Layout) {
			t.Errorf("layout %s refused", l.Key)
		}
	}
}

// FuzzParseAccessLog: any bytes parse without a panic; every good row is
// valid UTF-8 with a key, and rows and bad lines together never exceed the
// data rows (plus the one too-large error).
func FuzzParseAccessLog(f *testing.F) {
	f.Add([]byte("Aika;Käyttäjä;Tallenne;Toiminto;Syy;Agentti;Suunta\n2026-11-26 12:00:00;sup@example.fi;R1;PLAY;quality;E1;in\n"))
	f.Add([]byte("\ufeffAika;Käyttäjä;Tallenne;Toiminto\r\n\"2026-11-26 12:00:00\";\"a\"\"b\";R;DELETE\r\n"))
	f.Add([]byte("Aika;Käyttäjä\n\"unterminated\n"))
	src := testSource()
	f.Fuzz(func(t *testing.T, data []byte) {
		log := ParseAccessLog(src, data)
		if log.Total > 0 && len(log.Rows)+len(log.Bad) > log.Total+1 {
			t.Fatalf("rows %d bad %d total %d", len(log.Rows), len(log.Bad), log.Total)
		}
		for _, r := range log.Rows {
			if r.Key == "" || r.Line < 2 || !utf8.ValidString(r.Use.RecordingRef) || !utf8.ValidString(r.Use.UsedBy) {
				t.Fatalf("bad row %+v", r)
			}
			if strings.TrimSpace(r.Use.RecordingRef) == "" {
				t.Fatalf("empty ref %+v", r)
			}
		}
		PreviewAccessLog(src, data, 5)
	})
}
