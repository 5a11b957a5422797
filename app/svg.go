package app

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
	"time"
)

// A small server-side SVG builder for the charts of the web UI (the case
// timeline; later the uses per week and the flags per activity). Charts are
// inline <svg> in the page: the CSP forbids inline style attributes, so
// shapes carry SVG presentation attributes (fill, stroke) only as a fallback
// and classes that app.css styles. Every chart has a <title> and <desc> and
// the page shows the same data as a table: the chart is never the only way
// to read it, and states are told by shape and text, not colour alone.

// svgChart is an SVG document under construction. Coordinates are user
// units of the viewBox; the chart scales to its container's width.
type svgChart struct {
	w, h   float64
	id     string
	title  string
	desc   string
	class  string
	body   strings.Builder
	closed bool
}

// newSVGChart starts a chart of w×h user units. id prefixes the ids of the
// title and description (aria-labelledby needs unique ids on the page).
func newSVGChart(id string, w, h float64, title, desc, class string) *svgChart {
	return &svgChart{w: w, h: h, id: id, title: title, desc: desc, class: class}
}

// svgNum writes a coordinate compactly (two decimals, no trailing zeros).
func svgNum(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "0"
	}
	return strconv.FormatFloat(math.Round(f*100)/100, 'f', -1, 64)
}

// svgEsc escapes text and attribute values.
func svgEsc(s string) string { return template.HTMLEscapeString(s) }

// svgAttrs renders name/value pairs; empty values are left out.
func svgAttrs(kv ...string) string {
	var b strings.Builder
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			continue
		}
		b.WriteString(" ")
		b.WriteString(kv[i])
		b.WriteString(`="`)
		b.WriteString(svgEsc(kv[i+1]))
		b.WriteString(`"`)
	}
	return b.String()
}

// Line draws a line.
func (c *svgChart) Line(x1, y1, x2, y2 float64, class, stroke string) {
	fmt.Fprintf(&c.body, `<line x1="%s" y1="%s" x2="%s" y2="%s"%s/>`, svgNum(x1), svgNum(y1), svgNum(x2), svgNum(y2),
		svgAttrs("class", class, "stroke", stroke))
}

// Rect draws a rectangle.
func (c *svgChart) Rect(x, y, w, h float64, class, fill string) {
	fmt.Fprintf(&c.body, `<rect x="%s" y="%s" width="%s" height="%s"%s/>`, svgNum(x), svgNum(y), svgNum(math.Max(w, 0)), svgNum(math.Max(h, 0)),
		svgAttrs("class", class, "fill", fill))
}

// Circle draws a circle.
func (c *svgChart) Circle(cx, cy, r float64, class, fill, stroke string) {
	fmt.Fprintf(&c.body, `<circle cx="%s" cy="%s" r="%s"%s/>`, svgNum(cx), svgNum(cy), svgNum(r),
		svgAttrs("class", class, "fill", fill, "stroke", stroke))
}

// Path draws a path from commands already written with svgNum.
func (c *svgChart) Path(d, class, fill, stroke string) {
	fmt.Fprintf(&c.body, `<path%s/>`, svgAttrs("d", d, "class", class, "fill", fill, "stroke", stroke))
}

// Text writes a label; anchor is start, middle or end.
func (c *svgChart) Text(x, y float64, anchor, class, text string) {
	fmt.Fprintf(&c.body, `<text x="%s" y="%s"%s>%s</text>`, svgNum(x), svgNum(y),
		svgAttrs("text-anchor", anchor, "class", class), svgEsc(text))
}

// Group opens a <g> with a class and an optional tooltip title; close it
// with EndGroup.
func (c *svgChart) Group(class, title string) {
	fmt.Fprintf(&c.body, `<g%s>`, svgAttrs("class", class))
	if title != "" {
		fmt.Fprintf(&c.body, `<title>%s</title>`, svgEsc(title))
	}
}

// EndGroup closes the last Group.
func (c *svgChart) EndGroup() { c.body.WriteString(`</g>`) }

// Marker draws a status symbol centred on (x, y): a shape that tells the
// state without colour — filled circle (done), hollow circle (open),
// cross (missed), diamond (waived / agreed otherwise).
func (c *svgChart) Marker(x, y, r float64, shape, class string) {
	switch shape {
	case "check":
		c.Circle(x, y, r, class, "#1d6b32", "#1d6b32")
		c.Path("M"+svgNum(x-r*.5)+" "+svgNum(y)+"L"+svgNum(x-r*.1)+" "+svgNum(y+r*.45)+"L"+svgNum(x+r*.55)+" "+svgNum(y-r*.45),
			class+"-tick", "none", "#ffffff")
	case "cross":
		d := r * .8
		c.Path("M"+svgNum(x-d)+" "+svgNum(y-d)+"L"+svgNum(x+d)+" "+svgNum(y+d)+"M"+svgNum(x-d)+" "+svgNum(y+d)+"L"+svgNum(x+d)+" "+svgNum(y-d),
			class, "none", "#a1261b")
	case "diamond":
		c.Path("M"+svgNum(x)+" "+svgNum(y-r)+"L"+svgNum(x+r)+" "+svgNum(y)+"L"+svgNum(x)+" "+svgNum(y+r)+"L"+svgNum(x-r)+" "+svgNum(y)+"Z",
			class, "#ffffff", "#4a5360")
	default: // open
		c.Circle(x, y, r, class, "#ffffff", "#0b5394")
	}
}

// HTML returns the finished <svg> element.
func (c *svgChart) HTML() template.HTML {
	var b strings.Builder
	tid, did := c.id+"-title", c.id+"-desc"
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %s %s" role="img" aria-labelledby="%s %s" preserveAspectRatio="xMinYMin meet" focusable="false"%s>`,
		svgNum(c.w), svgNum(c.h), svgEsc(tid), svgEsc(did), svgAttrs("class", c.class))
	fmt.Fprintf(&b, `<title id="%s">%s</title><desc id="%s">%s</desc>`, svgEsc(tid), svgEsc(c.title), svgEsc(did), svgEsc(c.desc))
	b.WriteString(c.body.String())
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // every text and attribute above is escaped
}

// svgLinear maps a value range onto a pixel range.
type svgLinear struct {
	d0, d1, r0, r1 float64
}

// At returns the position of v.
func (s svgLinear) At(v float64) float64 {
	if s.d1 == s.d0 {
		return (s.r0 + s.r1) / 2
	}
	return s.r0 + (v-s.d0)/(s.d1-s.d0)*(s.r1-s.r0)
}

// svgTimeScale maps a time range onto a pixel range.
type svgTimeScale struct {
	from, to time.Time
	lin      svgLinear
}

func newSVGTimeScale(from, to time.Time, x0, x1 float64) svgTimeScale {
	return svgTimeScale{from: from, to: to, lin: svgLinear{d0: 0, d1: to.Sub(from).Hours(), r0: x0, r1: x1}}
}

// At returns the x of t.
func (s svgTimeScale) At(t time.Time) float64 { return s.lin.At(t.Sub(s.from).Hours()) }

// Days returns midnight-UTC calendar days from the first to the last that
// are step days apart, for axis ticks (at most max of them).
func (s svgTimeScale) Days(max int) []time.Time {
	first := time.Date(s.from.Year(), s.from.Month(), s.from.Day(), 0, 0, 0, 0, time.UTC)
	if first.Before(s.from) {
		first = first.AddDate(0, 0, 1)
	}
	span := int(s.to.Sub(first).Hours()/24) + 1
	if span <= 0 || max <= 0 {
		return nil
	}
	step := 1
	for _, st := range []int{1, 2, 7, 14, 30, 61, 91, 182, 365} {
		step = st
		if span/st < max {
			break
		}
	}
	var out []time.Time
	for d := first; !d.After(s.to); d = d.AddDate(0, 0, step) {
		out = append(out, d)
	}
	return out
}
