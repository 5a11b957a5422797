package app

import (
	"html/template"
	"strings"
	"testing"

	"vaaka/monitoring"
)

// The rows the statistics template wrote before statRows took them over,
// kept here as the reference the Go rendering must match byte for byte.
const statRowsReference = `{{define "statvalue"}}{{if .Suppressed}}<span class="suppressed" title="{{t "stats.suppressed_title"}}">&lt; 5</span>{{else}}{{.Count}}{{end}}{{end}}` +
	`{{define "months"}}{{$d := .}}{{range $d.St.Months}}<tr><th scope="row">{{index $d.Names .ActivityID}}</th><td>{{.Month}}</td><td class="num">{{template "statvalue" .Uses}}</td>{{range .Flags}}<td class="num">{{template "statvalue" .StatValue}}</td>{{end}}</tr>{{end}}{{end}}` +
	`{{define "cells"}}{{$d := .}}{{range $d.St.Cells}}<tr><th scope="row">{{index $d.Names .ActivityID}}</th><td>{{.Month}}</td><td>{{if .Purpose}}{{.Purpose}}{{else}}<span class="muted">{{t "stats.no_purpose"}}</span>{{end}}</td><td>{{if .Unit}}{{.Unit}}{{else}}<span class="muted">{{t "stats.unknown_unit"}}</span>{{end}}</td>
<td class="num">{{template "statvalue" .Uses}}</td><td class="num">{{if .Uses.Suppressed}}<span class="suppressed">&lt; 5</span>{{else}}{{.Uses.Employees}}{{end}}</td>{{range .Flags}}<td class="num">{{template "statvalue" .StatValue}}</td>{{end}}</tr>{{end}}{{end}}`

func TestStatisticsRows_MatchTemplate(t *testing.T) {
	words := map[string]string{
		"stats.suppressed_title": `Alle 5 "työntekijää" & <piilotettu> +'`,
		"stats.no_purpose":       "ei tarkoitusta <&>",
		"stats.unknown_unit":     "tuntematon + yksikkö",
	}
	ref := template.Must(template.New("ref").Funcs(template.FuncMap{
		"t": func(key string) string { return words[key] },
	}).Parse(statRowsReference))

	flags := func(counts ...int64) []monitoring.StatFlag {
		out := make([]monitoring.StatFlag, len(monitoring.AllFlags))
		for i, fl := range monitoring.AllFlags {
			out[i].Flag = fl
			if i < len(counts) {
				if counts[i] < 0 {
					out[i].Suppressed = true
				} else {
					out[i].Count = counts[i]
				}
			}
		}
		return out
	}
	st := &monitoring.Statistics{
		Months: []monitoring.StatMonth{
			{ActivityID: 1, Month: "2026-01", Uses: monitoring.StatValue{Count: 1234, Employees: 40}, Flags: flags(5, -1, 0, 7)},
			{ActivityID: 2, Month: "2026-02", Uses: monitoring.StatValue{Suppressed: true}, Flags: flags(-1, -1)},
			{ActivityID: 9, Month: "2026-03", Uses: monitoring.StatValue{Count: 3, Employees: 6}, Flags: flags()},
		},
		Cells: []monitoring.StatCell{
			{ActivityID: 1, Purpose: "dispute_resolution", Unit: `Myynti & "Tuki" <Oulu>`, Month: "2026-01",
				Uses: monitoring.StatValue{Count: 99, Employees: 12}, Flags: flags(1, 2, -1)},
			{ActivityID: 2, Month: "2026-02", Uses: monitoring.StatValue{Suppressed: true}, Flags: flags(-1)},
			{ActivityID: 1, Purpose: "a+b 'x'", Unit: "Helsinki", Month: "2026-03", Uses: monitoring.StatValue{Count: 8, Employees: 5}, Flags: flags(0, 0, 0, 0, 0, 0, 0, 8)},
		},
	}
	names := map[int64]string{1: "Asiakaspalvelu <jono> & \"laatu\" +1", 2: "Myynti 'ulos'"} // 9: unknown, empty

	months, cells := statRows(st, names, statRowText{
		suppressedTitle: words["stats.suppressed_title"], noPurpose: words["stats.no_purpose"], unknownUnit: words["stats.unknown_unit"]})
	data := struct {
		St    *monitoring.Statistics
		Names map[int64]string
	}{st, names}
	for _, c := range []struct {
		name string
		got  template.HTML
	}{{"months", months}, {"cells", cells}} {
		var want strings.Builder
		if err := ref.ExecuteTemplate(&want, c.name, data); err != nil {
			t.Fatal(err)
		}
		if string(c.got) != want.String() {
			t.Errorf("%s rows differ from the template's\n got: %s\nwant: %s", c.name, c.got, want.String())
		}
	}
	if !strings.Contains(string(cells), "&lt;Oulu&gt;") || !strings.Contains(string(months), "&#43;1") {
		t.Errorf("the names are not escaped: %s", cells)
	}
}
