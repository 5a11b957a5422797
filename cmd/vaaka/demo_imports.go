package main

import (
	"fmt"
	"strings"
	"time"

	"vaaka/db"
	"vaaka/monitoring"
)

// demoImportSource is the demo's telephony access-log source.
const demoImportSource = "Puhelinjärjestelmä"

// planImports saves the telephony system's access-log source with its
// mapping and imports one small log from yesterday: listens with and
// without a purpose, a listener who is not authorised (flagged
// unauthorized_user), a download, a deletion and one bad line.
func (s *seeder) planImports() {
	at := s.day(0, 7, 30)
	if at.After(s.now.Add(-time.Hour)) {
		at = s.now.Add(-time.Hour)
	}
	s.on(at, func() error {
		imp := db.NewImportService(s.d)
		src, err := imp.CreateSource(s.ctx, demoHR, &monitoring.ImportSource{
			Name: demoImportSource, Delimiter: ";", HasHeader: true, TimeZone: "Europe/Helsinki",
			TimeLayout: "2.1.2006 15:04:05", DefaultActivityID: s.acts["service"],
			Columns: monitoring.ImportColumns{RowKey: "Tapahtuma-ID", OccurredAt: "Aika", User: "Käyttäjä",
				RecordingRef: "Tallenne", Action: "Toiminto", Purpose: "Syy", Employees: "Agentti",
				CallStartedAt: "Puhelu alkoi", Direction: "Suunta"},
			ActionMap: map[string]string{"PLAY": "listened", "DOWNLOAD": "downloaded", "DELETE": "delete"},
		})
		if err != nil {
			return fmt.Errorf("import source: %w", err)
		}
		day := func(h, m int) string { return s.day(1, h, m).Format("2.1.2006 15:04:05") }
		call := func(h, m int) string { return s.day(2, h, m).Format("2.1.2006 15:04:05") }
		var b strings.Builder
		b.WriteString("Tapahtuma-ID;Aika;Käyttäjä;Tallenne;Toiminto;Syy;Agentti;Puhelu alkoi;Suunta\n")
		rows := []string{
			"PJ-1001;" + day(9, 5) + ";" + demoSupervisor + ";PJ-REC-501;PLAY;quality;E1005;" + call(10, 12) + ";in",
			"PJ-1002;" + day(9, 40) + ";" + demoSupervisor + ";PJ-REC-502;PLAY;;E1005;" + call(11, 3) + ";in",
			"PJ-1003;" + day(10, 15) + ";laura.koskinen@esimerkki.fi;PJ-REC-503;DOWNLOAD;dispute_resolution;E1005;" + call(13, 45) + ";in",
			"PJ-1004;" + day(11, 0) + ";pekka.myynti@esimerkki.fi;PJ-REC-502;PLAY;;E1005;" + call(11, 3) + ";in",
			"PJ-1005;" + day(14, 20) + ";;PJ-REC-501;DELETE;;;;",
			"PJ-1006;eilen klo 15;" + demoSupervisor + ";PJ-REC-504;PLAY;quality;E1005;" + call(15, 0) + ";in",
		}
		for _, r := range rows {
			b.WriteString(r + "\n")
		}
		run, err := imp.StartImport(s.ctx, demoHR, src.ID, "puhelinloki-eilen.csv", []byte(b.String()))
		if err != nil {
			return fmt.Errorf("import: %w", err)
		}
		_, err = imp.RunImport(s.ctx, run.ID)
		return err
	})
}
