package monitoring

import (
	"fmt"
	"time"
)

// englishMonths are the month abbreviations of English dates ("27 Nov 2026").
var englishMonths = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// FormatDate writes a calendar date as the reader's language writes it
// (GLOSSARY "Forms of writing"): fi and sv "27.11.2026", en "27 Nov 2026".
// The date is read as it is: calendar dates are stored as midnight UTC, and
// an instant must be put in the organisation's zone by the caller.
func FormatDate(lang Language, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	y, m, d := t.Date()
	if lang == English {
		return fmt.Sprintf("%d %s %d", d, englishMonths[m-1], y)
	}
	return fmt.Sprintf("%d.%d.%d", d, int(m), y)
}

// FormatClock writes a time of day, 24-hour: fi "14.30", sv and en "14:30".
func FormatClock(lang Language, t time.Time) string {
	if lang == Finnish {
		return t.Format("15.04")
	}
	return t.Format("15:04")
}
