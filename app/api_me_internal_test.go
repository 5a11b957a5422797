package app

import "testing"

// R-ACC-1: the task named for a use is the one its user held in the
// authorised users of the version in force (the flattened list).
func TestApiTaskIn_R_ACC_1(t *testing.T) {
	const list = "lead@example.fi (Team lead); Sari.S@Example.fi (Quality; coaching); ba@example.fi (Trainer)"
	for _, tt := range []struct{ email, want string }{
		{"lead@example.fi", "Team lead"},
		{"sari.s@example.fi", "Quality; coaching"}, // case-insensitive; a task with "; " in it
		{"SARI.S@EXAMPLE.FI", "Quality; coaching"},
		{"ba@example.fi", "Trainer"}, // the last entry
		{"a@example.fi", ""},         // a suffix of another email is not it
		{"nobody@example.fi", ""},
		{"", ""},
	} {
		if got := apiTaskIn(list, tt.email); got != tt.want {
			t.Errorf("apiTaskIn(%q) = %q, want %q", tt.email, got, tt.want)
		}
	}
	if got := apiTaskIn("", "lead@example.fi"); got != "" {
		t.Errorf("empty list: %q", got)
	}
}
