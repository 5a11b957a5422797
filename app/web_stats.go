package app

import (
	"fmt"
	"html/template"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"vaaka/monitoring"
)

// The statistics page (representatives, hr, dpo) and the weekly charts of
// the dashboard and the activity page, drawn server-side as SVG with
// app/svg.go. Every chart has a <title> and <desc>, tells its series apart
// by pattern and label (not colour alone) and has a table beside it as the
// text alternative.

// statsChartPatterns is how many fill patterns the charts cycle through
// (classes chart-s0…chart-s5 and the patterns of statsDefs).
const statsChartPatterns = 6

// statsDefs writes the fill patterns of a chart: series are told apart by
// pattern as well as colour (WCAG 1.4.1). ids are prefixed by the chart's.
func statsDefs(c *svgChart) {
	id := svgEsc(c.id)
	c.body.WriteString(`<defs>`)
	shapes := []string{
		``, // solid
		`<path d="M0 6L6 0" stroke="#ffffff" stroke-width="1.5"/>`,
		`<circle cx="3" cy="3" r="1.2" fill="#ffffff"/>`,
		`<path d="M0 3H6M3 0V6" stroke="#ffffff" stroke-width="1.2"/>`,
		`<path d="M0 0L6 6" stroke="#ffffff" stroke-width="1.5"/>`,
		`<path d="M0 1.5H6M0 4.5H6" stroke="#ffffff" stroke-width="1"/>`,
	}
	colours := []string{"#0b5394", "#1d6b32", "#7a4b00", "#5b2a86", "#a1261b", "#4a5360"}
	for i, sh := range shapes {
		fmt.Fprintf(&c.body, `<pattern id="%s-p%d" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="%s"/>%s</pattern>`,
			id, i, colours[i], sh)
	}
	c.body.WriteString(`</defs>`)
}

func statsFill(c *svgChart, i int) string {
	return "url(#" + c.id + "-p" + strconv.Itoa(i%statsChartPatterns) + ")"
}

// statsLegendItem is one series of a chart's legend (HTML, below the chart).
type statsLegendItem struct {
	Label  string
	Swatch template.HTML // a small SVG filled with the series' pattern
}

// statsSwatch is the legend's sample of series i of chart id.
func statsSwatch(id string, i int) template.HTML {
	return template.HTML(`<svg class="swatch" viewBox="0 0 14 14" aria-hidden="true" focusable="false"><rect width="14" height="14" fill="url(#` +
		svgEsc(id) + `-p` + strconv.Itoa(i%statsChartPatterns) + `)"/></svg>`) // id is ours, escaped
}

// barSeries is one stacked series: a value per x.
type barSeries struct {
	label  string
	values []int64
	hidden []bool // true: suppressed ("< 5"), drawn as an outline
}

// stackedBars draws series stacked per x label, the total above each bar
// (or "< 5" where a part is hidden). It returns the SVG.
func stackedBars(id, title, desc string, xs []string, series []barSeries, hiddenLabel string) template.HTML {
	const w, h, left, right, top, bottom = 640.0, 260.0, 58.0, 8.0, 18.0, 40.0
	c := newSVGChart(id, w, h, title, desc, "chart")
	statsDefs(c)
	var most int64 = 1
	totals := make([]int64, len(xs))
	hiddenAt := make([]bool, len(xs))
	for i := range xs {
		for _, s := range series {
			totals[i] += s.values[i]
			if s.hidden != nil && s.hidden[i] {
				hiddenAt[i] = true
			}
		}
		most = max(most, totals[i])
	}
	y := svgLinear{d0: 0, d1: float64(most), r0: h - bottom, r1: top}
	c.Line(left, h-bottom, w-right, h-bottom, "chart-axis", "#4a5360")
	for _, v := range yTicks(most) {
		c.Text(left-4, y.At(float64(v))+4, "end", "chart-tick", strconv.FormatInt(v, 10))
		c.Line(left, y.At(float64(v)), w-right, y.At(float64(v)), "chart-grid", "#d0d4da")
	}
	slot := (w - left - right) / float64(max(len(xs), 1))
	bw := slot * 0.7
	for i, x := range xs {
		x0 := left + slot*float64(i) + (slot-bw)/2
		base := 0.0
		for si, s := range series {
			v := s.values[i]
			if v <= 0 {
				continue
			}
			y0, y1 := y.At(base), y.At(base+float64(v))
			c.Group("chart-s"+strconv.Itoa(si%statsChartPatterns), s.label+" "+x+": "+strconv.FormatInt(v, 10))
			c.Rect(x0, y1, bw, y0-y1, "chart-bar", statsFill(c, si))
			c.EndGroup()
			base += float64(v)
		}
		label := strconv.FormatInt(totals[i], 10)
		if hiddenAt[i] {
			label += " + " + hiddenLabel
			if totals[i] == 0 {
				label = hiddenLabel
			}
		}
		c.Text(x0+bw/2, y.At(base)-4, "middle", "chart-value", label)
		c.Text(x0+bw/2, h-bottom+14, "middle", "chart-tick", x)
	}
	return c.HTML()
}

// shareBars draws one bar per x with the share (0–1) as height and its
// percentage written above it; a nil share is "no uses".
func shareBars(id, title, desc string, xs []string, shares []*float64, none string) template.HTML {
	const w, h, left, right, top, bottom = 640.0, 220.0, 58.0, 8.0, 18.0, 40.0
	c := newSVGChart(id, w, h, title, desc, "chart")
	statsDefs(c)
	most := 0.05
	for _, s := range shares {
		if s != nil {
			most = max(most, *s)
		}
	}
	y := svgLinear{d0: 0, d1: most, r0: h - bottom, r1: top}
	c.Line(left, h-bottom, w-right, h-bottom, "chart-axis", "#4a5360")
	for _, v := range []float64{0, most / 2, most} {
		c.Text(left-4, y.At(v)+4, "end", "chart-tick", pct(v))
		c.Line(left, y.At(v), w-right, y.At(v), "chart-grid", "#d0d4da")
	}
	slot := (w - left - right) / float64(max(len(xs), 1))
	bw := slot * 0.6
	for i, x := range xs {
		x0 := left + slot*float64(i) + (slot-bw)/2
		label := none
		if s := shares[i]; s != nil {
			c.Group("chart-s4", x+": "+pct(*s))
			c.Rect(x0, y.At(*s), bw, y.At(0)-y.At(*s), "chart-bar", statsFill(c, 4))
			c.EndGroup()
			label = pct(*s)
		}
		c.Text(x0+bw/2, y.At(valueOr(shares[i]))-4, "middle", "chart-value", label)
		c.Text(x0+bw/2, h-bottom+14, "middle", "chart-tick", x)
	}
	return c.HTML()
}

func valueOr(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}

func pct(v float64) string { return strconv.FormatFloat(v*100, 'f', 1, 64) + " %" }

// pairedBars draws two bars per x (a: hatched, b: solid), each labelled.
func pairedBars(id, title, desc string, xs []string, a, b []int64, aLabel, bLabel string) template.HTML {
	const w, h, left, right, top, bottom = 640.0, 240.0, 58.0, 8.0, 18.0, 40.0
	c := newSVGChart(id, w, h, title, desc, "chart")
	statsDefs(c)
	var most int64 = 1
	for i := range xs {
		most = max(most, a[i], b[i])
	}
	y := svgLinear{d0: 0, d1: float64(most), r0: h - bottom, r1: top}
	c.Line(left, h-bottom, w-right, h-bottom, "chart-axis", "#4a5360")
	for _, v := range yTicks(most) {
		c.Text(left-4, y.At(float64(v))+4, "end", "chart-tick", strconv.FormatInt(v, 10))
		c.Line(left, y.At(float64(v)), w-right, y.At(float64(v)), "chart-grid", "#d0d4da")
	}
	slot := (w - left - right) / float64(max(len(xs), 1))
	bw := slot * 0.36
	for i, x := range xs {
		x0 := left + slot*float64(i) + slot*0.12
		for k, v := range []int64{a[i], b[i]} {
			label, pat := aLabel, 1
			if k == 1 {
				label, pat = bLabel, 0
			}
			bx := x0 + float64(k)*bw
			c.Group("chart-s"+strconv.Itoa(pat), label+" "+x+": "+strconv.FormatInt(v, 10))
			c.Rect(bx, y.At(float64(v)), bw-1, y.At(0)-y.At(float64(v)), "chart-bar", statsFill(c, pat))
			c.EndGroup()
			c.Text(bx+bw/2, y.At(float64(v))-3, "middle", "chart-value chart-small", strconv.FormatInt(v, 10))
		}
		c.Text(x0+bw, h-bottom+14, "middle", "chart-tick", x)
	}
	return c.HTML()
}

// weekRow is one week of the charts' text alternative.
type weekRow struct {
	Week          string
	Uses          []int64 // per activity of weeklyCharts.Activities
	Total         int64
	Flagged       string // share of uses with any flag counted per flag
	Flags         []int64
	DeletionsDue  int64
	DeletionsDone int64
}

// weeklyCharts is the chart block of the dashboard and the activity page
// (partial "statscharts").
type weeklyCharts struct {
	Uses, FlagShare, Deletions template.HTML
	Legend                     []statsLegendItem
	DueSwatch, DoneSwatch      template.HTML
	Activities                 []string
	Flags                      []monitoring.Flag
	Rows                       []weekRow
	// Hidden: the uses concern fewer than MinEmployees employees and the
	// reader may not see individual uses; only the deletions are drawn.
	Hidden bool
	Min    int
}

// weeklyChartsOf draws the weekly charts of activityID (0: every activity)
// for the page being rendered. hideFew hides the uses charts when the
// activity's uses concern fewer than MinEmployees employees (readers who
// may not see individual uses: representatives, supervisors).
func (s *Server) weeklyChartsOf(c *fiber.Ctx, lang monitoring.Language, activityID int64, hideFew bool) (*weeklyCharts, error) {
	if s.Stats == nil {
		return nil, nil
	}
	ctx := c.UserContext()
	cs, err := s.Stats.Charts(ctx, activityID, s.Now())
	if err != nil {
		return nil, err
	}
	names, err := s.activityNames(ctx)
	if err != nil {
		return nil, err
	}
	t := func(key string, kv ...string) string { return s.i18n.T(lang, key, kv...) }
	wc := &weeklyCharts{Hidden: hideFew && cs.FewEmployees, Min: monitoring.MinEmployees, Flags: monitoring.AllFlags}
	// Activities with uses in the window, busiest first in id order.
	var acts []int64
	seen := map[int64]bool{}
	for _, p := range cs.Weeks {
		for id, n := range p.Uses {
			if n > 0 && !seen[id] {
				seen[id] = true
				acts = append(acts, id)
			}
		}
	}
	sortInt64(acts)
	xs := make([]string, len(cs.Weeks))
	for i, p := range cs.Weeks {
		xs[i] = strconv.Itoa(p.Week.Day()) + "." + strconv.Itoa(int(p.Week.Month())) + "."
	}
	var series []barSeries
	for i, id := range acts {
		name := names[id]
		if name == "" {
			name = "#" + strconv.FormatInt(id, 10)
		}
		wc.Activities = append(wc.Activities, name)
		wc.Legend = append(wc.Legend, statsLegendItem{Label: name, Swatch: statsSwatch("wk"+strconv.FormatInt(activityID, 10)+"-uses", i)})
		bs := barSeries{label: name, values: make([]int64, len(cs.Weeks))}
		for w, p := range cs.Weeks {
			bs.values[w] = p.Uses[id]
		}
		series = append(series, bs)
	}
	shares := make([]*float64, len(cs.Weeks))
	due, done := make([]int64, len(cs.Weeks)), make([]int64, len(cs.Weeks))
	for i, p := range cs.Weeks {
		row := weekRow{Week: xs[i], Total: p.Total, DeletionsDue: p.DeletionsDue, DeletionsDone: p.DeletionsDone}
		for _, id := range acts {
			row.Uses = append(row.Uses, p.Uses[id])
		}
		var flagged int64
		for _, f := range monitoring.AllFlags {
			row.Flags = append(row.Flags, p.Flags[f])
			flagged += p.Flags[f]
		}
		if p.Total > 0 {
			v := min(float64(flagged)/float64(p.Total), 1)
			shares[i] = &v
			row.Flagged = pct(v)
		}
		due[i], done[i] = p.DeletionsDue, p.DeletionsDone
		wc.Rows = append(wc.Rows, row)
	}
	id := "wk" + strconv.FormatInt(activityID, 10)
	if !wc.Hidden {
		wc.Uses = stackedBars(id+"-uses", t("stats.chart.weekly_uses.title"), t("stats.chart.weekly_uses.desc"), xs, series, "")
		wc.FlagShare = shareBars(id+"-flags", t("stats.chart.flag_share.title"), t("stats.chart.flag_share.desc"), xs, shares, "–")
	}
	wc.DueSwatch, wc.DoneSwatch = statsSwatch(id+"-del", 1), statsSwatch(id+"-del", 0)
	wc.Deletions = pairedBars(id+"-del", t("stats.chart.deletions.title"), t("stats.chart.deletions.desc"), xs, due, done,
		t("stats.chart.due"), t("stats.chart.done"))
	return wc, nil
}

func sortInt64(a []int64) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

// statsPage is the /statistics page.
type statsPage struct {
	From, To   string
	ActivityID int64
	Activities []*monitoring.Activity
	Names      map[int64]string
	St         *monitoring.Statistics
	Flags      []monitoring.Flag
	Min        int
	CSV        string
	MonthsSVG  template.HTML
	FlagsSVG   template.HTML
	MonthRows  template.HTML // the months table's rows (web_stats_rows.go)
	CellRows   template.HTML // the cells table's rows
	Legend     []statsLegendItem
	FlagShares []statFlagShare
}

// statFlagShare is one flag's share of the period's shown uses.
type statFlagShare struct {
	Flag    monitoring.Flag
	Rule    string
	Flagged string // "< 5" when hidden in some month
	Share   string
}

func (s *Server) handleStatistics(c *fiber.Ctx) error {
	f, err := s.statisticsFilter(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	st, err := s.Stats.Statistics(ctx, f, s.Now())
	if err != nil {
		return err
	}
	acts, _, err := s.Register.ListActivities(ctx, monitoring.ActivityFilter{Limit: 1000})
	if err != nil {
		return err
	}
	p := s.newPage(c, "stats.title")
	lang := p.Lang
	t := func(key string, kv ...string) string { return s.i18n.T(lang, key, kv...) }
	v := statsPage{From: st.From, To: st.To, ActivityID: st.ActivityID, Activities: acts, Names: map[int64]string{},
		St: st, Flags: monitoring.AllFlags, Min: monitoring.MinEmployees}
	for _, a := range acts {
		v.Names[a.ID] = a.Name
	}
	q := url.Values{"from": {st.From}, "to": {st.To}}
	if st.ActivityID != 0 {
		q.Set("activity_id", strconv.FormatInt(st.ActivityID, 10))
	}
	v.CSV = "/statistics.csv?" + q.Encode()
	v.MonthRows, v.CellRows = statRows(st, v.Names, statRowText{
		suppressedTitle: t("stats.suppressed_title"), noPurpose: t("stats.no_purpose"), unknownUnit: t("stats.unknown_unit")})
	// Uses per month per activity (stacked; a hidden month total is drawn
	// as "< 5" above the month).
	months := monitoring.StatMonths(monitoring.StatisticsFilter{From: st.From, To: st.To})
	mi := map[string]int{}
	for i, m := range months {
		mi[m] = i
	}
	var ids []int64
	byAct := map[int64]*barSeries{}
	var shownUses int64
	flagged := make([]int64, len(monitoring.AllFlags))
	partial := make([]bool, len(monitoring.AllFlags)) // a flag with a value hidden in some month
	for _, m := range st.Months {
		bs := byAct[m.ActivityID]
		if bs == nil {
			name := v.Names[m.ActivityID]
			bs = &barSeries{label: name, values: make([]int64, len(months)), hidden: make([]bool, len(months))}
			byAct[m.ActivityID] = bs
			ids = append(ids, m.ActivityID)
		}
		i, ok := mi[m.Month]
		if !ok {
			continue
		}
		if m.Uses.Suppressed {
			bs.hidden[i] = true
			continue
		}
		bs.values[i] = m.Uses.Count
		shownUses += m.Uses.Count
		for j, fl := range m.Flags {
			if fl.Suppressed {
				partial[j] = true // a share of the shown values only would understate it
				continue
			}
			flagged[j] += fl.Count
		}
	}
	sortInt64(ids)
	var series []barSeries
	for i, id := range ids {
		series = append(series, *byAct[id])
		v.Legend = append(v.Legend, statsLegendItem{Label: byAct[id].label, Swatch: statsSwatch("st-months", i)})
	}
	xs := make([]string, len(months))
	for i, m := range months {
		xs[i] = strings.TrimPrefix(m[5:], "0") + "/" + m[2:4]
	}
	hidden := "< " + strconv.Itoa(monitoring.MinEmployees)
	v.MonthsSVG = stackedBars("st-months", t("stats.chart.months.title"), t("stats.chart.months.desc", "min", strconv.Itoa(monitoring.MinEmployees)), xs, series, hidden)
	// Flag shares of the period's shown uses.
	labels := make([]string, len(monitoring.AllFlags))
	shares := make([]*float64, len(monitoring.AllFlags))
	for j, fl := range monitoring.AllFlags {
		labels[j] = strconv.Itoa(j + 1)
		fs := statFlagShare{Flag: fl, Rule: monitoring.FlagRules[fl], Flagged: strconv.FormatInt(flagged[j], 10), Share: "–"}
		if partial[j] {
			fs.Flagged, fs.Share = hidden, hidden
		} else if shownUses > 0 {
			x := float64(flagged[j]) / float64(shownUses)
			shares[j] = &x
			fs.Share = pct(x)
		}
		v.FlagShares = append(v.FlagShares, fs)
	}
	v.FlagsSVG = shareBars("st-flags", t("stats.chart.flags.title"), t("stats.chart.flags.desc"), labels, shares, "–")
	p.Data = v
	return s.render(c, fiber.StatusOK, "statistics", p)
}

// handleStatisticsCSV is the page's CSV download (the API's CSV with the
// column names in the reader's language).
func (s *Server) handleStatisticsCSV(c *fiber.Ctx) error {
	lang := s.langOf(c)
	return s.sendStatisticsCSV(c, func(col string) string {
		if f, ok := strings.CutPrefix(col, "flag_"); ok {
			return s.i18n.T(lang, "flag."+f)
		}
		return s.i18n.T(lang, "stats.csv."+col)
	})
}

func init() { pageNames = append(pageNames, "statistics") }

// yTicks are the value axis' ticks: 0, the middle and the top (no repeats).
func yTicks(most int64) []int64 {
	if most < 2 {
		return []int64{0, most}
	}
	return []int64{0, most / 2, most}
}
