package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vaaka/app"
	"vaaka/db"
	"vaaka/monitoring"
)

// result is what one CLI invocation printed and returned.
type result struct {
	code           int
	stdout, stderr string
}

// runCLI runs one command line with the given standard input and
// environment (nil: none).
func runCLI(t *testing.T, stdin string, env map[string]string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	c := &cli{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, ctx: context.Background(),
		lookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }}
	code := c.run(args)
	return result{code, out.String(), errb.String()}
}

func (r result) want(t *testing.T, code int, contains ...string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, code, r.stdout, r.stderr)
	}
	for _, s := range contains {
		if !strings.Contains(r.stdout+r.stderr, s) {
			t.Errorf("output lacks %q\nstdout: %s\nstderr: %s", s, r.stdout, r.stderr)
		}
	}
}

// TestRun_Direct calls run as main does, with the process environment.
func TestRun_Direct(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vaaka.db")
	t.Setenv("VAAKA_DB", path)
	var out, errb bytes.Buffer
	if code := run([]string{"migrate"}, strings.NewReader(""), &out, &errb); code != exitOK {
		t.Fatalf("migrate: exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), path) {
		t.Errorf("migrate did not use $VAAKA_DB: %s", out.String())
	}
	out.Reset()
	if code := run([]string{"verify"}, nil, &out, &errb); code != exitOK || !strings.Contains(out.String(), "0 entries checked") {
		t.Errorf("verify: exit %d: %s%s", code, out.String(), errb.String())
	}
}

func TestRun_Usage(t *testing.T) {
	runCLI(t, "", nil).want(t, exitUsage, "Usage:")
	runCLI(t, "", nil, "help").want(t, exitOK, "vaaka serve", "vaaka token create")
	runCLI(t, "", nil, "help", "serve").want(t, exitOK, "-addr", "VAAKA_ADDR", "VAAKA_TRUSTED_PROXIES", "VAAKA_BODY_LIMIT")
	runCLI(t, "", nil, "help", "user", "add").want(t, exitOK, "-password-stdin")
	runCLI(t, "", nil, "frobnicate").want(t, exitUsage, `unknown command "frobnicate"`, "Usage:")
	runCLI(t, "", nil, "user").want(t, exitUsage, "missing subcommand")
	runCLI(t, "", nil, "token", "delete").want(t, exitUsage, `unknown subcommand "delete"`)
	runCLI(t, "", nil, "verify", "--nope").want(t, exitUsage, "flag provided but not defined")
	runCLI(t, "", nil, "migrate", "-h").want(t, exitOK, "-db")
	runCLI(t, "", nil, "version").want(t, exitOK, "vaaka "+version)
}

// TestRun_AccountsChainsBackup drives the CLI as an operator would on a
// fresh database: migrate, add users, create a token, verify, back up.
func TestRun_AccountsChainsBackup(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "vaaka.db")
	env := map[string]string{"VAAKA_DB": path}

	runCLI(t, "", env, "migrate").want(t, exitOK, "latest schema")
	runCLI(t, "", env, "migrate", "--db", path).want(t, exitOK) // idempotent

	const pw = "a long enough password\n"
	runCLI(t, pw, env, "user", "add", "--email", "hanna@example.fi", "--name", "Hanna Häkkinen",
		"--role", "hr,dpo", "--password-stdin").want(t, exitOK, "Created user hanna@example.fi")
	runCLI(t, pw, env, "user", "add", "--email", "sanna@example.fi", "--name", "Sanna Åberg",
		"--role", "supervisor,employee", "--staff-id", "E1002", "--language", "sv", "--password-stdin").want(t, exitOK)

	// Refusals name what is wrong.
	runCLI(t, pw, env, "user", "add", "--email", "HANNA@example.fi", "--name", "X", "--role", "hr", "--password-stdin").
		want(t, exitFailure, "already exists")
	runCLI(t, "short\n", env, "user", "add", "--email", "x@example.fi", "--name", "X", "--role", "hr", "--password-stdin").
		want(t, exitUsage, "at least 12")
	runCLI(t, pw, env, "user", "add", "--email", "x@example.fi", "--name", "X", "--role", "boss", "--password-stdin").
		want(t, exitUsage, "--role")
	runCLI(t, pw, env, "user", "add", "--email", "x@example.fi", "--name", "X", "--role", "hr").
		want(t, exitUsage, "--password-stdin is required")
	runCLI(t, pw, env, "user", "add", "--name", "X", "--password-stdin").want(t, exitUsage, "missing --email, --role")
	runCLI(t, pw, env, "user", "add", "--email", "not-an-email", "--name", "X", "--role", "hr", "--password-stdin").
		want(t, exitFailure, "email")

	// The token is printed once, on the last line; only its hash is stored.
	r := runCLI(t, "", env, "token", "create", "--user", "sanna@example.fi", "--name", "telephony", "--scope", "uses:write,recordings:write")
	r.want(t, exitOK, "shown only once")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	secret := lines[len(lines)-1]
	if !strings.HasPrefix(secret, "vaaka_") || len(secret) < 40 {
		t.Fatalf("last line %q is not a token", secret)
	}
	runCLI(t, "", env, "token", "create", "--user", "nobody@example.fi", "--name", "x", "--scope", "read").want(t, exitFailure, "no user")
	runCLI(t, "", env, "token", "create", "--user", "sanna@example.fi", "--name", "x", "--scope", "admin").want(t, exitUsage, "unknown scope")

	d, err := db.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	tok, u, err := db.NewAccountService(d).FindTokenByHash(context.Background(), app.HashSecret(secret))
	if err != nil {
		t.Fatal(err)
	}
	if u.Email != "sanna@example.fi" || u.StaffID != "E1002" || u.Language != monitoring.Swedish ||
		!tok.Allows(monitoring.ScopeUsesWrite) || tok.Allows(monitoring.ScopeRead) {
		t.Errorf("token %+v of user %+v", tok, u)
	}
	if !app.CheckPassword(u.PasswordHash, "a long enough password") {
		t.Error("password hash does not match the password read from stdin")
	}
	d.Close()

	runCLI(t, "", env, "verify").want(t, exitOK, "use log:", "audit trail:", "entries checked")

	out := filepath.Join(dir, "backup.db")
	runCLI(t, "", env, "backup", "--out", out).want(t, exitOK, "written to "+out)
	runCLI(t, "", env, "backup", "--out", out).want(t, exitFailure, "already exists")
	runCLI(t, "", nil, "verify", "--db", out).want(t, exitOK, "audit trail:")
	runCLI(t, "", nil, "verify", "--db", filepath.Join(dir, "missing.db")).want(t, exitFailure, "no database at")
	runCLI(t, "", env, "backup").want(t, exitUsage, "missing --out")
}

// TestVerify_DetectsTampering_R_LOG_1: after someone drops the append-only
// triggers and edits a row behind Vaaka's back, verify exits 1 and names the
// first bad entry of each chain.
func TestVerify_DetectsTampering_R_LOG_1(t *testing.T) {
	d, path := mustOpenDB(t)
	ctx := context.Background()
	a := &monitoring.Activity{Name: "Jonon tallennus", Method: monitoring.CallRecording}
	for _, act := range []*monitoring.Activity{{Name: "Vanha jono", Method: monitoring.CallRecording}, a} {
		if err := db.NewRegisterService(d).CreateActivity(ctx, "hr@example.fi", act); err != nil {
			t.Fatal(err)
		}
	}
	var uses []*monitoring.Use
	for i := range 3 {
		uses = append(uses, &monitoring.Use{
			ActivityID: a.ID, RecordingRef: fmt.Sprintf("REC-%d", i), CallStartedAt: testNow.Add(-2 * time.Hour),
			Direction: monitoring.Inbound, EmployeeStaffIDs: []string{"E1"}, UsedBy: "sv@example.fi",
			Action: monitoring.Listened, Purpose: "quality", OccurredAt: testNow.Add(-time.Hour), Source: monitoring.SourceAPI,
		})
	}
	if _, err := db.NewUseService(d).RecordUses(ctx, uses); err != nil {
		t.Fatal(err)
	}
	d.Close()
	runCLI(t, "", nil, "verify", "--db", path).want(t, exitOK, "3 entries checked")

	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, q := range []string{
		`DROP TRIGGER uses_no_update`,
		`UPDATE uses SET note = 'rewritten' WHERE seq = 2`,
		`DROP TRIGGER audit_no_delete`,
		`DELETE FROM audit WHERE seq = 1`,
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	r := runCLI(t, "", nil, "verify", "--db", path)
	r.want(t, exitFailure, "FAILED")
	if !strings.Contains(r.stdout, "use log:     FAILED  1 entries verified, first bad entry: seq 2 (hash") {
		t.Errorf("use log report:\n%s", r.stdout)
	}
	if !strings.Contains(r.stdout, "recording REC-1") || !strings.Contains(r.stdout, `purpose "quality"`) {
		t.Errorf("the bad use row is not shown:\n%s", r.stdout)
	}
	if !strings.Contains(r.stdout, "audit trail: FAILED  0 entries verified, first bad entry: seq 2 (gap") ||
		!strings.Contains(r.stdout, "hr@example.fi: activity.") {
		t.Errorf("audit report:\n%s", r.stdout)
	}
}

func TestConfig_EnvAndFlags(t *testing.T) {
	parse := func(env map[string]string, args ...string) (*Config, error) {
		c := &cli{stderr: io.Discard, lookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }}
		sb := c.serveBinder()
		if err := sb.Parse(args); err != nil {
			return nil, err
		}
		return sb.cfg, sb.cfg.Validate()
	}
	env := map[string]string{
		"VAAKA_ADDR": "0.0.0.0:9000", "VAAKA_DB": "/var/lib/vaaka/vaaka.db", "VAAKA_DEMO": "true",
		"VAAKA_SECURE_COOKIES": "1", "VAAKA_TRUSTED_PROXIES": "10.0.0.1, 192.168.0.0/16",
		"VAAKA_BODY_LIMIT": "2MiB", "VAAKA_SESSION_IDLE": "45m", "VAAKA_LOG_LEVEL": "debug", "VAAKA_LOG_FORMAT": "text",
	}
	cfg, err := parse(env)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "0.0.0.0:9000" || cfg.DB != "/var/lib/vaaka/vaaka.db" || !cfg.Demo || !cfg.SecureCookies ||
		len(cfg.TrustedProxies) != 2 || cfg.BodyLimit != 2<<20 || cfg.SessionIdle != 45*time.Minute ||
		cfg.Log.Level != "debug" || cfg.Log.Format != "text" {
		t.Errorf("from env: %+v", cfg)
	}
	// The flag wins over the environment.
	cfg, err = parse(env, "--addr", "127.0.0.1:0", "--demo=false", "--body-limit", "512KiB")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "127.0.0.1:0" || cfg.Demo || cfg.BodyLimit != 512<<10 || cfg.DB != "/var/lib/vaaka/vaaka.db" {
		t.Errorf("flags over env: %+v", cfg)
	}
	// Defaults.
	cfg, err = parse(nil)
	if err != nil {
		t.Fatal(err)
	}
	if def := DefaultConfig(); cfg.Addr != def.Addr || cfg.DB != "vaaka.db" || cfg.BodyLimit != def.BodyLimit {
		t.Errorf("defaults: %+v", cfg)
	}
	// Bad values name the variable or flag.
	for _, tc := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{map[string]string{"VAAKA_DEMO": "maybe"}, nil, "VAAKA_DEMO"},
		{map[string]string{"VAAKA_BODY_LIMIT": "lots"}, nil, "VAAKA_BODY_LIMIT"},
		{map[string]string{"VAAKA_SESSION_IDLE": "forever"}, nil, "VAAKA_SESSION_IDLE"},
		{nil, []string{"--addr", "nonsense"}, "VAAKA_ADDR"},
		{nil, []string{"--trusted-proxies", "proxy.example"}, "VAAKA_TRUSTED_PROXIES"},
		{nil, []string{"--log-level", "loud"}, "VAAKA_LOG_LEVEL"},
		{nil, []string{"--body-limit", "10"}, "VAAKA_BODY_LIMIT"},
	} {
		_, err := parse(tc.env, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("env %v args %v: err %v, want one naming %s", tc.env, tc.args, err, tc.want)
		}
	}
	// A bad variable is ignored when the flag is given.
	if _, err := parse(map[string]string{"VAAKA_DEMO": "maybe"}, "--demo"); err != nil {
		t.Errorf("flag given: %v", err)
	}
	runCLI(t, "", map[string]string{"VAAKA_DEMO": "maybe"}, "serve").want(t, exitUsage, "VAAKA_DEMO")
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int{"1024": 1024, "8MiB": 8 << 20, "8m": 8 << 20, "512 KiB": 512 << 10, "1GB": 1 << 30} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "MiB", "-1", "1TB", "1.5MiB", "99999999999GiB"} {
		if _, err := parseSize(in); err == nil {
			t.Errorf("parseSize(%q): no error", in)
		}
	}
}

// TestServe_DemoAndGracefulShutdown starts serve on a free port over a new
// database with --demo, checks /healthz, then cancels (as SIGTERM would):
// serve drains, closes the database and exits 0.
func TestServe_DemoAndGracefulShutdown(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vaaka.db")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, errb := &syncWriter{}, &syncWriter{}
	addrc := make(chan string, 1)
	c := &cli{stdin: strings.NewReader(""), stdout: out, stderr: errb, ctx: ctx,
		lookupEnv: func(string) (string, bool) { return "", false },
		onListen:  func(a string) { addrc <- a }}
	done := make(chan int, 1)
	go func() {
		done <- c.run([]string{"serve", "--addr", "127.0.0.1:0", "--db", path, "--demo", "--log-format", "json"})
	}()

	var addr string
	select {
	case addr = <-addrc:
	case code := <-done:
		t.Fatalf("serve exited %d before listening\n%s\n%s", code, out.String(), errb.String())
	}
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"ok"`) {
		t.Errorf("healthz: %d %s", resp.StatusCode, body)
	}
	cancel()
	if code := <-done; code != exitOK {
		t.Fatalf("serve exited %d\n%s", code, errb.String())
	}
	printed := out.String()
	for _, s := range []string{demoHR, demoSupervisor, demoPassword, "http://" + addr} {
		if !strings.Contains(printed, s) {
			t.Errorf("serve output lacks %q:\n%s", s, printed)
		}
	}
	if !strings.Contains(errb.String(), `"msg":"stopped"`) {
		t.Errorf("no JSON log of the shutdown:\n%s", errb.String())
	}
	// The database was closed cleanly and is demo data.
	d, err := db.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if demo, err := isDemo(context.Background(), d); err != nil || !demo {
		t.Errorf("isDemo = %v, %v", demo, err)
	}
}

// TestVerify_EmptyFileIsNoDatabase: an empty file (e.g. a backup that was
// cut short) must not pass as a verified database.
func TestVerify_EmptyFileIsNoDatabase(t *testing.T) {
	empty := filepath.Join(t.TempDir(), "empty.db")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	runCLI(t, "", nil, "verify", "--db", empty).want(t, 1, "not a Vaaka database")
	if st, err := os.Stat(empty); err != nil || st.Size() != 0 {
		t.Errorf("verify wrote into the empty file: %v %v", st, err)
	}
}
