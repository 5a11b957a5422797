package app

import (
	"html/template"
	"strconv"
	"strings"

	"vaaka/monitoring"
)

// The bodies of the statistics page's two large tables (months and cells)
// are written here rather than by html/template: a year of a large
// organisation holds ~2 500 cells of 14 values each (10M uses, 5 000
// employees), and html/template spends ~40 ms on them (a reflective call and
// an escaper per value), which alone broke the page's 50 ms target (issue
// "Performance"). The markup is byte for byte the one the template wrote
// (TestStatisticsRows_MatchTemplate), the escaping that of html/template.

// statRowText holds the translated words the rows need.
type statRowText struct {
	suppressedTitle, noPurpose, unknownUnit string
}

// htmlText escapes s as html/template escapes text and quoted attribute
// values (its htmlReplacementTable).
var htmlText = strings.NewReplacer(
	"\x00", "\uFFFD",
	`"`, "&#34;",
	"&", "&amp;",
	"'", "&#39;",
	"+", "&#43;",
	"<", "&lt;",
	">", "&gt;",
)

// statRows renders the <tbody> contents of the months and the cells tables.
func statRows(st *monitoring.Statistics, names map[int64]string, tx statRowText) (months, cells template.HTML) {
	var b strings.Builder
	value := func(v monitoring.StatValue) {
		if v.Suppressed {
			b.WriteString(`<span class="suppressed" title="`)
			htmlText.WriteString(&b, tx.suppressedTitle)
			b.WriteString(`">&lt; 5</span>`)
			return
		}
		b.WriteString(strconv.FormatInt(v.Count, 10))
	}
	head := func(act int64, month string) {
		b.WriteString(`<tr><th scope="row">`)
		htmlText.WriteString(&b, names[act])
		b.WriteString(`</th><td>`)
		htmlText.WriteString(&b, month)
		b.WriteString(`</td>`)
	}
	flags := func(fs []monitoring.StatFlag) {
		for _, f := range fs {
			b.WriteString(`<td class="num">`)
			value(f.StatValue)
			b.WriteString(`</td>`)
		}
		b.WriteString(`</tr>`)
	}
	orMuted := func(s, muted string) {
		if s != "" {
			htmlText.WriteString(&b, s)
			return
		}
		b.WriteString(`<span class="muted">`)
		htmlText.WriteString(&b, muted)
		b.WriteString(`</span>`)
	}

	b.Grow(len(st.Months) * 400)
	for _, m := range st.Months {
		head(m.ActivityID, m.Month)
		b.WriteString(`<td class="num">`)
		value(m.Uses)
		b.WriteString(`</td>`)
		flags(m.Flags)
	}
	months = template.HTML(b.String())

	b = strings.Builder{}
	b.Grow(len(st.Cells) * 600)
	for _, c := range st.Cells {
		head(c.ActivityID, c.Month)
		b.WriteString(`<td>`)
		orMuted(c.Purpose, tx.noPurpose)
		b.WriteString(`</td><td>`)
		orMuted(c.Unit, tx.unknownUnit)
		b.WriteString("</td>\n<td class=\"num\">")
		value(c.Uses)
		b.WriteString(`</td><td class="num">`)
		if c.Uses.Suppressed {
			b.WriteString(`<span class="suppressed">&lt; 5</span>`)
		} else {
			b.WriteString(strconv.FormatInt(c.Uses.Employees, 10))
		}
		b.WriteString(`</td>`)
		flags(c.Flags)
	}
	return months, template.HTML(b.String())
}
