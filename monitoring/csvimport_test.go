package monitoring_test

import (
	"strings"
	"testing"

	"vaaka/monitoring"
)

func TestParseEmployeesCSV(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want int
		errs []monitoring.LineError
	}{
		{"semicolon with BOM, Finnish headers",
			"\ufeffHenkilönumero;Nimi;Sähköposti;Yksikkö;Kieli\r\nE1;Äijälä Öörni;oo@example.fi;Asiakaspalvelu;fi\r\nE2;Åsa Ström;;Myynti;SV\r\n", 2, nil},
		{"comma, English headers, quoted comma",
			"staff_id,name,unit,active\nE1,\"Virtanen, Ville\",Myynti,kyllä\nE2,Bo,Myynti,0\n", 2, nil},
		{"missing column", "staff_id;name\nE1;A\n", 0,
			[]monitoring.LineError{{Line: 1, Field: "unit", Key: monitoring.MsgCSVMissingColumn}}},
		{"unknown column", "staff_id;name;unit;salary\nE1;A;U;1\n", 0,
			[]monitoring.LineError{{Line: 1, Field: "salary", Key: monitoring.MsgCSVUnknownColumn}}},
		{"bad rows named by line", "staff_id;name;unit;language;email\nE1;A;U;fi;a@b.fi\n;B;U;fi;\nE3;C;U;de;\nE1;D;U;fi;x\nE5;E;U\n", 0,
			[]monitoring.LineError{
				{Line: 3, Field: "staff_id", Key: monitoring.MsgInvalid},
				{Line: 4, Field: "language", Key: monitoring.MsgUnknown},
				{Line: 5, Field: "email", Key: monitoring.MsgEmail},
				{Line: 5, Field: "staff_id", Key: monitoring.MsgDuplicate},
				{Line: 6, Key: monitoring.MsgCSVFieldCount},
			}},
		{"not UTF-8", "staff_id;name;unit\nE1;M\xe4kel\xe4;U\n", 0,
			[]monitoring.LineError{{Line: 2, Key: monitoring.MsgCSVEncoding}}},
		{"empty", "", 0, []monitoring.LineError{{Line: 1, Key: monitoring.MsgCSVEmpty}}},
		{"header only", "staff_id;name;unit\n", 0, []monitoring.LineError{{Line: 2, Key: monitoring.MsgCSVEmpty}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, errs, err := monitoring.ParseEmployeesCSV(strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.want {
				t.Errorf("rows = %d, want %d", len(got), tt.want)
			}
			if len(errs) != len(tt.errs) {
				t.Fatalf("errors = %+v, want %+v", errs, tt.errs)
			}
			for i := range errs {
				if errs[i] != tt.errs[i] {
					t.Errorf("error %d = %+v, want %+v", i, errs[i], tt.errs[i])
				}
			}
		})
	}
	rows, _, _ := monitoring.ParseEmployeesCSV(strings.NewReader("\ufeffHenkilönumero;Nimi;Sähköposti;Yksikkö;Kieli\r\nE2;Åsa Ström;;Myynti;SV\r\n"))
	if e := rows[0]; e.Name != "Åsa Ström" || e.Language != monitoring.Swedish || !e.Active || e.Unit != "Myynti" {
		t.Errorf("row = %+v", e)
	}
}

// FuzzParseEmployeesCSV: any input gives rows or line errors, never a panic,
// and never both.
func FuzzParseEmployeesCSV(f *testing.F) {
	f.Add("staff_id;name;unit\nE1;Äijä;U\n")
	f.Add("\ufeffstaff_id,name,unit,active\nE1,\"a,b\",U,x\n")
	f.Add("staff_id;name;unit\n\"E1;A;U\n")
	f.Add("nimi;yksikkö;henkilönumero\nA;U;E1\nB;U;E1\n")
	f.Fuzz(func(t *testing.T, in string) {
		rows, errs, err := monitoring.ParseEmployeesCSV(strings.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) > 0 && len(errs) > 0 {
			t.Fatal("rows and errors together")
		}
		if len(rows) == 0 && len(errs) == 0 {
			t.Fatal("neither rows nor errors")
		}
		for _, e := range errs {
			if e.Line < 1 || e.Key == "" {
				t.Fatalf("bad line error %+v", e)
			}
		}
		for _, r := range rows {
			if err := r.Validate(); err != nil {
				t.Fatalf("invalid row accepted: %v", err)
			}
		}
	})
}
