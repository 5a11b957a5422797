package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"vaaka/db"
	"vaaka/monitoring"
)

// TestGen_R_LOG_1: `vaaka gen` writes exactly N uses through the real write
// path (the chain verifies, the rollups equal their rebuild), skewed towards
// a few employees, with flags of several kinds, and refuses a database that
// holds data.
func TestGen_R_LOG_1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gen.db")
	var out, errb bytes.Buffer
	if code := run([]string{"gen", "--db", path, "--uses", "3000", "--seed", "7", "--quiet"}, nil, &out, &errb); code != exitOK {
		t.Fatalf("exit %d: %s%s", code, out.String(), errb.String())
	}
	if !strings.Contains(out.String(), "Generated 3000 uses") {
		t.Errorf("output: %s", out.String())
	}
	d, err := db.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx := context.Background()
	uses := db.NewUseService(d)
	r, err := uses.VerifyUses(ctx)
	if err != nil || !r.OK || r.Checked != 3000 {
		t.Fatalf("verify: %+v %v", r, err)
	}
	if err := d.CheckRollups(ctx); err != nil {
		t.Fatal(err)
	}
	v, err := d.Meta(ctx, metaGen)
	if err != nil {
		t.Fatal(err)
	}
	var f genFacts
	if err := json.Unmarshal([]byte(v), &f); err != nil {
		t.Fatal(err)
	}
	if f.Uses != 3000 || f.HeavyEmployee == "" || len(f.Activities) < 5 || len(f.Supervisors) == 0 {
		t.Fatalf("facts = %+v", f)
	}
	// Skew: the heaviest employee has several times the uses of the median one.
	count := func(staff string) int {
		n, cursor := 0, int64(0)
		for {
			us, next, err := uses.ListUses(ctx, monitoring.UseFilter{EmployeeStaffID: staff, Cursor: cursor, Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			n += len(us)
			if next == 0 {
				return n
			}
			cursor = next
		}
	}
	if heavy, light := count(f.HeavyEmployee), count(f.LightEmployee); heavy < 3*max(light, 1) {
		t.Errorf("heavy employee %d uses, light %d: not skewed", heavy, light)
	}
	// Flags of several kinds.
	kinds := 0
	for _, fl := range monitoring.AllFlags {
		us, _, err := uses.ListUses(ctx, monitoring.UseFilter{Flag: fl, Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(us) > 0 {
			kinds++
		}
	}
	if kinds < 4 {
		t.Errorf("only %d kinds of flags", kinds)
	}
	// The generated logins exist and sign in with the documented password.
	u, err := db.NewAccountService(d).FindUserByEmail(ctx, f.HeavyEmail)
	if err != nil || u.StaffID != f.HeavyEmployee {
		t.Errorf("heavy employee's login: %+v %v", u, err)
	}
	d.Close()

	out.Reset()
	errb.Reset()
	if code := run([]string{"gen", "--db", path, "--uses", "10"}, nil, &out, &errb); code != exitFailure || !strings.Contains(errb.String(), "already holds data") {
		t.Errorf("second gen: exit %d, %s", code, errb.String())
	}
}

func TestGen_Usage(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"gen", "--db", filepath.Join(t.TempDir(), "x.db"), "--uses", "-1"}, nil, &out, &errb); code != exitUsage {
		t.Errorf("negative uses: exit %d", code)
	}
}
