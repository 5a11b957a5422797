package pdf

import (
	"fmt"
	"strconv"
	"time"

	"vaaka/monitoring"
)

// The date and time formats mirror app/render.go (webFormatDate,
// webFormatClock), which package pdf cannot import: fi/sv "27.11.2026",
// en "27 Nov 2026"; times fi "14.30", sv/en "14:30" (GLOSSARY "Forms of
// writing").

var months = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// formatDate writes the calendar date of t as it is (no zone conversion:
// calendar dates are stored as midnight UTC).
func formatDate(lang monitoring.Language, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	y, m, d := t.Date()
	if lang == monitoring.English {
		return fmt.Sprintf("%d %s %d", d, months[m-1], y)
	}
	return fmt.Sprintf("%d.%d.%d", d, int(m), y)
}

// formatClock writes a time of day.
func formatClock(lang monitoring.Language, t time.Time) string {
	if lang == monitoring.Finnish {
		return t.Format("15.04")
	}
	return t.Format("15:04")
}

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
