package main

import (
	"io"
	"strings"
	"testing"
	"time"

	"vaaka/cooperation"
)

// TestParseThresholds_R_COOP_1: the thresholds of R-COOP-1 are
// configuration with effective dates; bad values name the entry.
func TestParseThresholds_R_COOP_1(t *testing.T) {
	got, err := parseThresholds("2022-01-01:20, 2025-07-01:50:20?")
	if err != nil {
		t.Fatal(err)
	}
	want := cooperation.DefaultThresholds()
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if !got[i].From.Equal(want[i].From) || got[i].Dialogue != want[i].Dialogue || got[i].Lighter != want[i].Lighter || got[i].LighterToVerify != want[i].LighterToVerify {
			t.Errorf("entry %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
	if s := formatThresholds(got); s != "2022-01-01:20,2025-07-01:50:20?" {
		t.Errorf("format: %q", s)
	}
	one, err := parseThresholds("2030-01-01:30:10")
	if err != nil || len(one) != 1 || one[0].Lighter != 10 || one[0].LighterToVerify || !one[0].From.Equal(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("one: %+v %v", one, err)
	}
	for _, bad := range []struct{ in, want string }{
		{"", "entry 1 is empty"},
		{"2022-01-01", "needs a date and one or two headcounts"},
		{"2022-13-01:20", "is not a date"},
		{"2022-01-01:0", "not a positive whole number"},
		{"2022-01-01:twenty", "not a positive whole number"},
		{"2022-01-01:20:20", "not below the dialogue threshold"},
		{"2022-01-01:20:x", "lighter threshold"},
		{"2022-01-01:20?", "there is none"},
		{"2022-01-01:20:10:5", "one or two headcounts"},
		{"2025-07-01:50,2022-01-01:20", "dates must increase"},
		{"2022-01-01:20,,2025-07-01:50", "entry 2 is empty"},
	} {
		if _, err := parseThresholds(bad.in); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%q: error %v, want %q", bad.in, err, bad.want)
		}
	}
}

func TestConfig_CoopThresholds(t *testing.T) {
	parse := func(env map[string]string, args ...string) (*Config, error) {
		c := &cli{stderr: io.Discard, lookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }}
		sb := c.serveBinder()
		if err := sb.Parse(args); err != nil {
			return nil, err
		}
		return sb.cfg, sb.cfg.Validate()
	}
	cfg, err := parse(nil)
	if err != nil {
		t.Fatal(err)
	}
	if formatThresholds(cfg.CoopThresholds) != "2022-01-01:20,2025-07-01:50:20?" {
		t.Errorf("default: %s", formatThresholds(cfg.CoopThresholds))
	}
	if ac := cfg.AppConfig(false); len(ac.CoopThresholds) != 2 {
		t.Errorf("not passed to app: %+v", ac.CoopThresholds)
	}
	cfg, err = parse(map[string]string{"VAAKA_COOP_THRESHOLDS": "2022-01-01:20,2026-01-01:40:15"})
	if err != nil {
		t.Fatal(err)
	}
	if formatThresholds(cfg.CoopThresholds) != "2022-01-01:20,2026-01-01:40:15" {
		t.Errorf("from env: %s", formatThresholds(cfg.CoopThresholds))
	}
	// The flag wins over the environment, even a bad one.
	cfg, err = parse(map[string]string{"VAAKA_COOP_THRESHOLDS": "nonsense"}, "--coop-thresholds", "2024-01-01:25")
	if err != nil {
		t.Fatal(err)
	}
	if formatThresholds(cfg.CoopThresholds) != "2024-01-01:25" {
		t.Errorf("flag: %s", formatThresholds(cfg.CoopThresholds))
	}
	if _, err := parse(map[string]string{"VAAKA_COOP_THRESHOLDS": "2022-01-01:20:30"}); err == nil || !strings.Contains(err.Error(), "VAAKA_COOP_THRESHOLDS") {
		t.Errorf("bad env: %v", err)
	}
	if _, err := parse(nil, "--coop-thresholds", "2022-01-01"); err == nil || !strings.Contains(err.Error(), "coop-thresholds") {
		t.Errorf("bad flag: %v", err)
	}
}
