package pdf

import (
	"strconv"
	"time"

	"vaaka/monitoring"
)

// The date and time formats are monitoring's, the same as the web pages'
// (GLOSSARY "Forms of writing").
var (
	formatDate  = monitoring.FormatDate
	formatClock = monitoring.FormatClock
)

// dateTime writes an instant in the organisation's zone: "27.11.2026 14.30".
func (o *Options) dateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(o.Location)
	return formatDate(o.Lang, t) + " " + formatClock(o.Lang, t)
}

// date writes the calendar day of an instant in the organisation's zone.
func (o *Options) date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return formatDate(o.Lang, t.In(o.Location))
}

func itoa(i int) string { return strconv.Itoa(i) }
