package monitoring_test

import (
	"testing"

	"vaaka/monitoring"
)

// TestAccessRequestDue_R_DSR_1: one month, or three with an extension.
func TestAccessRequestDue_R_DSR_1(t *testing.T) {
	tests := []struct {
		received string
		extended bool
		want     string
	}{
		{"2026-11-27", false, "2026-12-27"},
		{"2026-11-27", true, "2027-02-27"},
		{"2027-01-31", false, "2027-02-28"},
		{"2027-12-31", true, "2028-03-31"},
		{"2027-11-30", true, "2028-02-29"},
	}
	for _, tt := range tests {
		if got := monitoring.AccessRequestDue(date(tt.received), tt.extended).Format("2006-01-02"); got != tt.want {
			t.Errorf("AccessRequestDue(%s, %v) = %s, want %s", tt.received, tt.extended, got, tt.want)
		}
	}
}
