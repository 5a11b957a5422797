package app

import (
	"html/template"
	"net/url"
	"strings"
	"time"

	"vaaka/monitoring"
)

// meUseRows renders the rows of the employee's own use log on /me in Go
// rather than by html/template, for the same reason as statRows: the page
// is the employee's hot path (issue "Performance": p99 ≤ 3 ms server time
// at 10M uses) and its 50 rows cost ~1 000 reflective template calls. The
// markup is byte for byte the one the template wrote
// (TestMeUseRows_MatchTemplate).
func (v *views) meUseRows(lang monitoring.Language, rows []useRow) template.HTML {
	loc := v.location()
	var b strings.Builder
	b.Grow(len(rows) * 700)
	text := func(s string) { htmlText.WriteString(&b, s) }
	datetime := func(t time.Time) {
		if t.IsZero() {
			return
		}
		lt := t.In(loc)
		text(webFormatDate(lang, lt) + " " + webFormatClock(lang, lt))
	}
	tk := func(prefix, value string) {
		if key := prefix + value; v.cat.Has(key) {
			text(v.cat.T(lang, key))
		} else {
			text(value)
		}
	}
	callStarted := v.cat.T(lang, "web.field.call_started_at")
	none := v.cat.T(lang, "web.none")
	noFlags := v.cat.T(lang, "web.flags.none")
	for _, r := range rows {
		u := r.U
		b.WriteString("<tr>\n<th scope=\"row\"><a href=\"/uses/")
		text(url.PathEscape(u.ID))
		b.WriteString(`">`)
		datetime(u.OccurredAt)
		b.WriteString("</a></th>\n<td>")
		text(u.RecordingRef)
		b.WriteString(`<br><small>`)
		text(callStarted)
		b.WriteString(`: `)
		datetime(u.CallStartedAt)
		b.WriteString("</small></td>\n<td>")
		if r.UserName != "" {
			text(r.UserName)
		} else {
			text(u.UsedBy)
		}
		if r.Task != "" {
			b.WriteString(`<br><small>`)
			text(r.Task)
			b.WriteString(`</small>`)
		}
		b.WriteString("</td>\n<td>")
		tk("web.action.", string(u.Action))
		b.WriteString("</td>\n<td>")
		if u.Purpose != "" {
			text(u.Purpose)
		} else {
			b.WriteString(`<span class="muted">`)
			text(none)
			b.WriteString(`</span>`)
		}
		if r.ActivityName != "" {
			b.WriteString(`<br><small>`)
			text(r.ActivityName)
			b.WriteString(`</small>`)
		}
		b.WriteString("</td>\n<td>")
		if len(u.Flags) > 0 {
			b.WriteString(`<ul class="flags">`)
			for _, f := range u.Flags {
				b.WriteString(`<li class="flag"><span aria-hidden="true">⚠ </span>`)
				tk("flag.", string(f))
				b.WriteString(` <span class="rule">(`)
				text(monitoring.FlagRules[f])
				b.WriteString(`)</span></li>`)
			}
			b.WriteString(`</ul>`)
		} else {
			b.WriteString(`<span class="ok"><span aria-hidden="true">✓ </span>`)
			text(noFlags)
			b.WriteString(`</span>`)
		}
		b.WriteString("</td>\n</tr>")
	}
	return template.HTML(b.String())
}
