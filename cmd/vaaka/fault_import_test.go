package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vaaka/db"
	"vaaka/monitoring"
)

// TestFault_ImportKilled_R_LOG_1: `vaaka import` is killed with SIGKILL in
// the middle of a telephony access-log import; running it again finishes
// the interrupted run and imports the file once more without a single
// duplicate: every row is in the use log exactly once and both chains
// verify.
func TestFault_ImportKilled_R_LOG_1(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "vaaka.db")
	rows := pick(20_000, 60_000)

	// The database: an activity and a saved source.
	d, err := db.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	act := &monitoring.Activity{Name: "Asiakaspalvelun puhelutallennus", Method: monitoring.CallRecording,
		Directions: []monitoring.Direction{monitoring.Inbound}, Purposes: []monitoring.Purpose{{Code: "quality", Description: "Laatu"}},
		Units: []string{"Asiakaspalvelu"}, AuthorizedUsers: []monitoring.AuthorizedUser{{Email: "sanna@example.fi", Task: "Tiiminvetäjä"}},
		RetentionDays: 90}
	if err := db.NewRegisterService(d).CreateActivity(ctx, "hr@example.fi", act); err != nil {
		t.Fatal(err)
	}
	if _, err := db.NewImportService(d).CreateSource(ctx, "hr@example.fi", &monitoring.ImportSource{
		Name: "Puhelinjärjestelmä", Delimiter: ";", HasHeader: true, TimeZone: "Europe/Helsinki", TimeLayout: time.RFC3339,
		DefaultActivityID: act.ID, ActionMap: monitoring.DefaultActionMap(),
		Columns: monitoring.ImportColumns{OccurredAt: "time", User: "user", RecordingRef: "ref", Action: "action",
			Employees: "agent", CallStartedAt: "call"}}); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}

	// The file: no row key column, so the key is the hash of each row.
	var b strings.Builder
	b.WriteString("time;user;ref;action;agent;call\n")
	base := time.Now().Add(-48 * time.Hour).UTC().Truncate(time.Second)
	for i := range rows {
		call := base.Add(time.Duration(i) * time.Second)
		fmt.Fprintf(&b, "%s;sanna@example.fi;REC-%06d;PLAY;E%d;%s\n", call.Add(time.Hour).Format(time.RFC3339), i, i%40+1, call.Format(time.RFC3339))
	}
	file := filepath.Join(dir, "loki.csv")
	if err := os.WriteFile(file, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}

	// Start the import and kill it once the first chunks are in.
	cmd := exec.Command(vaakaBinary(t), "import", "--source", "Puhelinjärjestelmä", "--file", file, "--db", path)
	cmd.Env = cleanEnv()
	var out syncWriter
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	raw := openRaw(t, path)
	killed := false
	for !killed {
		select {
		case err := <-exited:
			t.Fatalf("vaaka import finished before it could be killed (%v):\n%s", err, out.String())
		case <-time.After(20 * time.Millisecond):
		}
		var done int
		if err := raw.QueryRow(`SELECT COALESCE(MAX(done), 0) FROM import_runs`).Scan(&done); err != nil {
			continue // the schema may still be locked for a moment
		}
		if done >= 2000 {
			if err := cmd.Process.Signal(os.Kill); err != nil {
				t.Fatal(err)
			}
			<-exited
			killed = true
		}
	}
	var status string
	var done int
	if err := raw.QueryRow(`SELECT status, done FROM import_runs`).Scan(&status, &done); err != nil {
		t.Fatal(err)
	}
	t.Logf("killed at %d of %d rows (%s)", done, rows, status)

	// Again: the interrupted run is finished first, then the file is
	// imported a second time and adds nothing.
	code, o := vaakaCmd(t, "", "import", "--source", "Puhelinjärjestelmä", "--file", file, "--db", path)
	if code != 0 {
		t.Fatalf("vaaka import again: exit %d\n%s", code, o)
	}
	want := fmt.Sprintf("rows %d, new uses 0, already imported %d", rows, rows)
	if !strings.Contains(o, want) {
		t.Fatalf("second import: want %q in\n%s", want, o)
	}
	var uses, distinct, running, created int
	if err := raw.QueryRow(`SELECT COUNT(*), COUNT(DISTINCT external_id) FROM uses WHERE source = 'import'`).Scan(&uses, &distinct); err != nil {
		t.Fatal(err)
	}
	if uses != rows || distinct != rows {
		t.Fatalf("uses %d (distinct %d), want %d", uses, distinct, rows)
	}
	if err := raw.QueryRow(`SELECT COUNT(*) FROM import_runs WHERE status = 'running'`).Scan(&running); err != nil {
		t.Fatal(err)
	}
	if err := raw.QueryRow(`SELECT created + duplicates FROM import_runs ORDER BY id LIMIT 1`).Scan(&created); err != nil {
		t.Fatal(err)
	}
	if running != 0 || created != rows {
		t.Fatalf("runs: %d running; the killed run counted %d of %d", running, created, rows)
	}
	raw.Close()
	mustVerify(t, path)
}
