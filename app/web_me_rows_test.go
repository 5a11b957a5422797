package app

import (
	"html/template"
	"strings"
	"testing"
	"time"

	"vaaka/monitoring"
)

// The rows /me's template wrote before meUseRows took them over (with the
// "flags" partial of nav.html), the reference of the Go rendering.
const meUseRowsReference = `{{define "flags"}}{{if .}}<ul class="flags">{{range .}}<li class="flag"><span aria-hidden="true">⚠ </span>{{tk "flag." .}} <span class="rule">({{flagRule .}})</span></li>{{end}}</ul>{{else}}<span class="ok"><span aria-hidden="true">✓ </span>{{t "web.flags.none"}}</span>{{end}}{{end}}` +
	`{{define "rows"}}{{range .}}<tr>
<th scope="row"><a href="/uses/{{.U.ID}}">{{datetime .U.OccurredAt}}</a></th>
<td>{{.U.RecordingRef}}<br><small>{{t "web.field.call_started_at"}}: {{datetime .U.CallStartedAt}}</small></td>
<td>{{if .UserName}}{{.UserName}}{{else}}{{.U.UsedBy}}{{end}}{{with .Task}}<br><small>{{.}}</small>{{end}}</td>
<td>{{tk "web.action." .U.Action}}</td>
<td>{{if .U.Purpose}}{{.U.Purpose}}{{else}}<span class="muted">{{t "web.none"}}</span>{{end}}{{with .ActivityName}}<br><small>{{.}}</small>{{end}}</td>
<td>{{template "flags" .U.Flags}}</td>
</tr>{{end}}{{end}}`

func TestMeUseRows_MatchTemplate(t *testing.T) {
	cat, err := LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	v, err := loadViews(cat)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 29, 0, 30, 5, 0, time.UTC) // the night Finland moves to summer time
	rows := []useRow{
		{U: &monitoring.Use{ID: "01a21e7f-fe52-753e-8f4a-f69e19280ca8", RecordingRef: `REC <1> & "x" +y`, CallStartedAt: at.Add(-time.Hour),
			OccurredAt: at, UsedBy: "esihenkilo@example.fi", Action: monitoring.Listened, Purpose: "quality",
			Flags: []monitoring.Flag{monitoring.FlagPurposeMissing, monitoring.FlagEmployeeNotNotified}},
			UserName: "Esa 'Esihenkilö' <Esimerkki>", Task: "Laadunvalvonta + valmennus", ActivityName: "Asiakaspalvelu & laatu"},
		{U: &monitoring.Use{ID: "01a21e7f-fe52-74ed-894f-40d22847528d", RecordingRef: "REC-2", CallStartedAt: at.AddDate(0, 6, 0),
			OccurredAt: at.AddDate(0, 6, 1), UsedBy: "Tuntematon@Example.fi", Action: monitoring.Action("mystery")}},
		{U: &monitoring.Use{ID: "01a21e7f-fe52-74ed-894f-40d22847528e", RecordingRef: "REC-3", OccurredAt: at,
			UsedBy: "a@example.fi", Action: monitoring.Exported, Flags: []monitoring.Flag{monitoring.FlagRecordingDeleted}}},
	}
	for _, lang := range monitoring.Languages {
		ref := template.Must(template.New("ref").Funcs(v.funcs(lang)).Parse(meUseRowsReference))
		var want strings.Builder
		if err := ref.ExecuteTemplate(&want, "rows", rows); err != nil {
			t.Fatal(err)
		}
		if got := v.meUseRows(lang, rows); string(got) != want.String() {
			t.Errorf("%s: rows differ from the template's\n got: %s\nwant: %s", lang, got, want.String())
		}
	}
}
