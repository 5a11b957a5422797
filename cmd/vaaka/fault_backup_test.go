package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestFault_BackupUnderLoad_AndRestore: `vaaka backup` while uses are being
// ingested writes a file that opens, verifies and holds every use
// acknowledged before the backup began; ingestion goes on meanwhile without
// a failure. Then the restore of README.md "Backup and restore" is followed
// step by step after a crash (the hardest case: the old database's
// vaaka.db-wal is left behind) and the restored server works: the backed-up
// uses are there, a retry of one is answered as a duplicate, new uses are
// recorded and both chains verify.
func TestFault_BackupUnderLoad_AndRestore(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	dir := t.TempDir()
	path := filepath.Join(dir, "vaaka.db")
	token := faultDB(t, path)
	c := newAPIClient(token)
	p := startServe(t, path)
	c.setBase(p.url)
	activity := c.createActivity(t)

	l := newLoader(t, c, activity, "backup", pick(50, 500))
	l.start(pick(4, 8), seed)
	l.waitAcks(t, int64(pick(1000, 50000)))
	before := l.snapshot() // acknowledged before the backup began
	backup := filepath.Join(dir, "backup.db")
	code, out := vaakaCmd(t, "", "backup", "--db", path, "--out", backup)
	if code != 0 || !strings.Contains(out, "written to "+backup) {
		t.Fatalf("vaaka backup under load: exit %d\n%s", code, out)
	}
	l.waitAcks(t, 100) // ingestion goes on after the backup too
	l.halt()
	l.checkFailures(t)
	if n := l.transport.Load(); n > 0 {
		t.Errorf("%d ingest requests got no answer while the backup ran", n)
	}
	all := l.snapshot()

	// The backup opens, verifies and holds everything acknowledged before
	// it began.
	mustVerify(t, backup)
	inBackup := checkAcknowledged(t, backup, before)
	t.Logf("%d acknowledged before the backup, %d in it, %d acknowledged in all", len(before), inBackup, len(all))

	// Restore (README.md "Backup and restore"): 1. stop the server — here
	// it crashes; 2. verify the backup; 3. copy it over the database and
	// remove the old database's -wal and -shm files; 4. start the server.
	p.kill()
	if !fileExists(path + "-wal") {
		t.Log("no vaaka.db-wal left by the crash")
	}
	mustVerify(t, backup)
	restoreBackup(t, backup, path)
	p = startServe(t, path)
	c.setBase(p.url)

	// The restored database holds exactly the backup's uses.
	st, b, _, err := c.do("GET", "/api/v1/uses?limit=1", nil)
	if err != nil || st != http.StatusOK {
		t.Fatalf("list uses after restore: %d %s %v", st, b, err)
	}
	var ext, id string
	for ext, id = range before {
		break
	}
	st, b, _, err = c.do("POST", "/api/v1/uses", ingestBody(activity, []string{ext}, ""))
	rs, _ := ingestResults(b)
	if err != nil || st != http.StatusCreated || len(rs) != 1 || !rs[0].Duplicate || rs[0].ID != id {
		t.Errorf("retry of %s after restore: %d %s %v; want the original %s as a duplicate", ext, st, b, err, id)
	}
	st, b, _, err = c.do("POST", "/api/v1/uses", ingestBody(activity, []string{"after-restore"}, ""))
	rs, _ = ingestResults(b)
	if err != nil || st != http.StatusCreated || len(rs) != 1 || rs[0].Duplicate {
		t.Fatalf("new use after restore: %d %s %v", st, b, err)
	}
	p.term()
	mustVerify(t, path)
	restored := map[string]string{"after-restore": rs[0].ID}
	for k, v := range before {
		restored[k] = v
	}
	if n := checkAcknowledged(t, path, restored); n != inBackup+1 {
		t.Errorf("restored database holds %d uses, want the backup's %d and one new", n, inBackup+1)
	}
}

// restoreBackup is step 3 of the documented restore: remove the -wal and
// -shm files of the old database (left there they would be applied to the
// restored file) and copy the backup over the database file.
func restoreBackup(t *testing.T, backup, path string) {
	t.Helper()
	for _, f := range []string{path + "-wal", path + "-shm"} {
		if err := os.Remove(f); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	copyFile(t, backup, path)
}

// TestFault_BusyBackupAndVerifyBesideLoad: long `vaaka backup` and `vaaka
// verify` runs (on a log of 10 000 uses; 300 000 under VAAKA_SOAK=1) beside
// full ingest load do not make ingestion fail: every request is answered
// 201, none goes unanswered, and the CLI commands succeed.
func TestFault_BusyBackupAndVerifyBesideLoad(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	dir := t.TempDir()
	path := filepath.Join(dir, "vaaka.db")
	token := faultDB(t, path)
	c := newAPIClient(token)
	p := startServe(t, path)
	c.setBase(p.url)
	activity := c.createActivity(t)

	// A log long enough that verify and backup take a while.
	seeded := pick(10000, 300000)
	note := strings.Repeat("Arvioitu asiakaspalvelun laatu. ", 8)
	var base map[string]string
	seedStart := time.Now()
	{
		l := newLoader(t, c, activity, "seed", 1)
		for i := 0; i < seeded/1000; i++ {
			exts := make([]string, 1000)
			for j := range exts {
				exts[j] = fmt.Sprintf("seed-%d-%d", i, j)
			}
			l.send(exts, ingestBody(activity, exts, note))
		}
		l.checkFailures(t)
		base = l.snapshot()
	}
	t.Logf("seeded %d uses in %s", seeded, time.Since(seedStart).Round(time.Millisecond))

	l := newLoader(t, c, activity, "busy", 50)
	l.note = note
	l.start(pick(4, 8), seed)
	l.waitAcks(t, 100)
	var wg sync.WaitGroup
	errs := make(chan string, 100)
	rounds := pick(2, 5)
	start := time.Now()
	for i := range rounds {
		wg.Add(2)
		go func() {
			defer wg.Done()
			out := filepath.Join(dir, fmt.Sprintf("backup-%d.db", i))
			if code, o := vaakaCmd(t, "", "backup", "--db", path, "--out", out); code != 0 {
				errs <- fmt.Sprintf("backup %d: exit %d: %s", i, code, o)
				return
			}
			if code, o := vaakaCmd(t, "", "verify", "--db", out); code != 0 {
				errs <- fmt.Sprintf("verify backup %d: exit %d: %s", i, code, o)
			}
		}()
		go func() {
			defer wg.Done()
			if code, o := vaakaCmd(t, "", "verify", "--db", path); code != 0 {
				errs <- fmt.Sprintf("verify %d under load: exit %d: %s", i, code, o)
			}
		}()
		wg.Wait()
	}
	busy := time.Since(start)
	killedBackup(t, path, filepath.Join(dir, "killed.db"), len(l.snapshot())+len(base))
	acksDuring := l.ackCount.Load()
	l.waitAcks(t, 1)
	l.halt()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	l.checkFailures(t)
	if n := l.transport.Load(); n > 0 {
		t.Errorf("%d ingest requests got no answer beside backup and verify", n)
	}
	p.term()
	acked := l.snapshot()
	for k, v := range base {
		acked[k] = v
	}
	n := checkAcknowledged(t, path, acked)
	t.Logf("%d backup+verify rounds over %d uses took %s; %d uses acknowledged meanwhile; %d stored", rounds, seeded, busy.Round(time.Millisecond), acksDuring, n)
	mustVerify(t, path)
}

// killedBackup kills `vaaka backup` as soon as it has begun writing: no
// file is left at --out, or, if the backup was quicker than the kill, the
// file there is a whole backup (holding at least the acked uses
// acknowledged before it started) that verifies. A partial or empty file
// under the backup's name would pass for a backup until the day it is
// needed.
func killedBackup(t *testing.T, path, out string, acked int) {
	t.Helper()
	cmd := exec.Command(vaakaBinary(t), "backup", "--db", path, "--out", out)
	cmd.Env = cleanEnv()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	deadline := time.Now().Add(2 * time.Minute)
	exited := false
	for !exited && time.Now().Before(deadline) {
		// out, or a temporary file named after it
		if m, _ := filepath.Glob(filepath.Join(filepath.Dir(out), "*"+filepath.Base(out)+"*")); len(m) > 0 {
			break
		}
		select {
		case <-done:
			exited = true
		case <-time.After(time.Millisecond):
		}
	}
	if !exited {
		cmd.Process.Signal(syscall.SIGKILL)
		<-done
	}
	if !fileExists(out) {
		return
	}
	t.Logf("a file is at --out after the backup was killed (exited on its own: %v)", exited)
	raw := openRaw(t, out)
	var n int
	if err := raw.QueryRow(`SELECT COUNT(*) FROM uses`).Scan(&n); err != nil || n < acked {
		st, _ := os.Stat(out)
		t.Fatalf("a backup killed part-way left a partial file at --out (%d bytes): %d uses (%v), want at least %d", st.Size(), n, err, acked)
	}
	raw.Close()
	if code, o := vaakaCmd(t, "", "verify", "--db", out); code != 0 {
		t.Errorf("a backup killed part-way left a file at --out that does not verify: exit %d\n%s", code, o)
	}
}

// problemOf decodes a problem+json body.
func problemOf(t *testing.T, hdr http.Header, b []byte) map[string]any {
	t.Helper()
	if ct := hdr.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Errorf("content type %q, want application/problem+json: %s", ct, b)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Errorf("problem body %s: %v", b, err)
	}
	return m
}
