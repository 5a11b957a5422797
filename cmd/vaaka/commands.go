package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"vaaka/app"
	"vaaka/db"
	"vaaka/monitoring"
)

// cliActor is the audit trail's actor for changes made from the command line.
const cliActor = "cli"

// openDB opens (creating and migrating if needed) the database at path.
var openDB = db.Open

// dbFlags is the flag set of commands that take only --db.
func (c *cli) dbFlags(name string) (*flag.FlagSet, *string) {
	b := c.dbBinder(name)
	return b.fs, &b.path
}

type dbBinding struct {
	*binder
	path string
}

func (c *cli) dbBinder(name string) *dbBinding {
	b := &dbBinding{binder: c.newBinder(name, "vaaka "+name+" [--db vaaka.db]"), path: DefaultConfig().DB}
	b.String(&b.path, "db", "VAAKA_DB", "SQLite database file")
	return b
}

// userAddArgs are the flags of "user add".
type userAddArgs struct {
	db, email, name, roles, staffID, lang string
	passwordStdin                         bool
}

func (c *cli) userAddFlags() (*flag.FlagSet, *userAddArgs) {
	b, a := c.userAddBinder()
	return b.fs, a
}

func (c *cli) userAddBinder() (*binder, *userAddArgs) {
	a := &userAddArgs{db: DefaultConfig().DB, lang: string(monitoring.Finnish)}
	b := c.newBinder("user add", "vaaka user add --email E --name N --role R[,R…] [--staff-id S] --password-stdin")
	b.String(&a.db, "db", "VAAKA_DB", "SQLite database file, created when missing")
	b.String(&a.email, "email", "VAAKA_USER_EMAIL", "the user's email, which is also the sign-in name")
	b.String(&a.name, "name", "VAAKA_USER_NAME", "the user's full name")
	b.String(&a.roles, "role", "VAAKA_USER_ROLE", "roles, comma-separated: admin, hr, dpo, representative, supervisor, employee")
	b.String(&a.staffID, "staff-id", "VAAKA_USER_STAFF_ID", "the employee's staff id, linking the account to the employee's own data")
	b.String(&a.lang, "language", "VAAKA_USER_LANGUAGE", "UI language: fi, sv, en")
	b.Bool(&a.passwordStdin, "password-stdin", "VAAKA_USER_PASSWORD_STDIN", "read the password (at least 12 characters) from the first line of standard input")
	return b, a
}

// userAdd creates an account: vaaka user add --email E --name N --role R
// [--staff-id S] --password-stdin.
func (c *cli) userAdd(args []string) error {
	b, a := c.userAddBinder()
	if err := b.Parse(args); err != nil {
		return err
	}
	var missing []string
	for _, f := range []struct{ flag, v string }{{"--email", a.email}, {"--name", a.name}, {"--role", a.roles}} {
		if strings.TrimSpace(f.v) == "" {
			missing = append(missing, f.flag)
		}
	}
	if len(missing) > 0 {
		return usagef("user add: missing %s", strings.Join(missing, ", "))
	}
	if !a.passwordStdin {
		return usagef("user add: --password-stdin is required (passwords are never taken as arguments)")
	}
	roles, err := monitoring.ParseRoles(a.roles)
	if err != nil {
		return usagef("user add: --role %q: use admin, hr, dpo, representative, supervisor or employee", a.roles)
	}
	lang := monitoring.Language(a.lang)
	if !lang.Valid() {
		return usagef("user add: --language %q: use fi, sv or en", a.lang)
	}
	password, err := readPassword(c.stdin)
	if err != nil {
		return err
	}
	hash, err := app.HashPassword(password)
	if err != nil {
		return err
	}
	d, err := openDB(a.db)
	if err != nil {
		return err
	}
	defer d.Close()
	u := &monitoring.User{
		Email: strings.TrimSpace(a.email), Name: strings.TrimSpace(a.name), Roles: roles,
		StaffID: strings.TrimSpace(a.staffID), Language: lang, Active: true, PasswordHash: hash,
	}
	if err := db.NewAccountService(d).CreateUser(context.Background(), cliActor, u); err != nil {
		return describe("user add", err)
	}
	fmt.Fprintf(c.stdout, "Created user %s (%s), id %d, roles %s.\n", u.Email, u.Name, u.ID, joinRoles(u.Roles))
	return nil
}

// readPassword reads the first line of r as the password.
func readPassword(r io.Reader) (string, error) {
	if r == nil {
		return "", usagef("user add: no standard input to read the password from")
	}
	line, err := bufio.NewReaderSize(io.LimitReader(r, 4096), 4096).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password: %w", err)
	}
	p := strings.TrimRight(line, "\r\n")
	switch n := utf8.RuneCountInString(p); {
	case n == 0:
		return "", usagef("user add: empty password on standard input")
	case n < monitoring.MinPasswordLength:
		return "", usagef("user add: the password must have at least %d characters", monitoring.MinPasswordLength)
	case len(p) > 1024:
		return "", usagef("user add: the password is too long")
	case !utf8.ValidString(p):
		return "", usagef("user add: the password is not valid UTF-8")
	}
	return p, nil
}

// tokenArgs are the flags of "token create".
type tokenArgs struct {
	db, user, name string
	scopes         []string
}

func (c *cli) tokenCreateFlags() (*flag.FlagSet, *tokenArgs) {
	b, a := c.tokenCreateBinder()
	return b.fs, a
}

func (c *cli) tokenCreateBinder() (*binder, *tokenArgs) {
	a := &tokenArgs{db: DefaultConfig().DB}
	b := c.newBinder("token create", "vaaka token create --user E --name N --scope S[,S…]")
	b.String(&a.db, "db", "VAAKA_DB", "SQLite database file")
	b.String(&a.user, "user", "VAAKA_TOKEN_USER", "email of the user the token acts as")
	b.String(&a.name, "name", "VAAKA_TOKEN_NAME", "a name for the token, e.g. the integration using it")
	b.List(&a.scopes, "scope", "VAAKA_TOKEN_SCOPE", "scopes, comma-separated: read, write, uses:write, recordings:write, register:read")
	return b, a
}

// tokenCreate creates an API token and prints its secret once, on the last
// line; only its hash is stored.
func (c *cli) tokenCreate(args []string) error {
	b, a := c.tokenCreateBinder()
	if err := b.Parse(args); err != nil {
		return err
	}
	var missing []string
	if strings.TrimSpace(a.user) == "" {
		missing = append(missing, "--user")
	}
	if strings.TrimSpace(a.name) == "" {
		missing = append(missing, "--name")
	}
	if len(a.scopes) == 0 {
		missing = append(missing, "--scope")
	}
	if len(missing) > 0 {
		return usagef("token create: missing %s", strings.Join(missing, ", "))
	}
	var scopes []monitoring.Scope
	for _, s := range a.scopes {
		sc := monitoring.Scope(s)
		if !sc.Valid() {
			return usagef("token create: unknown scope %q (read, write, uses:write, recordings:write, register:read)", s)
		}
		scopes = append(scopes, sc)
	}
	d, err := openExisting(a.db)
	if err != nil {
		return err
	}
	defer d.Close()
	ctx := context.Background()
	accounts := db.NewAccountService(d)
	u, err := accounts.FindUserByEmail(ctx, strings.TrimSpace(a.user))
	if monitoring.ErrorCodeOf(err) == monitoring.NotFound {
		return fmt.Errorf("token create: no user %s (create one with \"vaaka user add\")", a.user)
	} else if err != nil {
		return err
	}
	if !u.Active {
		return fmt.Errorf("token create: user %s is not active", u.Email)
	}
	secret, hash, err := app.NewSecret("vaaka_")
	if err != nil {
		return err
	}
	t := &monitoring.Token{UserID: u.ID, UserEmail: u.Email, Name: strings.TrimSpace(a.name), Scopes: scopes, Hash: hash}
	if err := accounts.CreateToken(ctx, cliActor, t); err != nil {
		return describe("token create", err)
	}
	fmt.Fprintf(c.stdout, "Created token %q (id %d) acting as %s with scopes %s.\n", t.Name, t.ID, u.Email, strings.Join(a.scopes, ","))
	fmt.Fprintln(c.stdout, "Copy it now: it is shown only once. Send it as \"Authorization: Bearer <token>\".")
	fmt.Fprintln(c.stdout, secret)
	return nil
}

// verify walks both hash chains (the use log and the audit trail) and exits
// 1 at the first bad entry (R-LOG-1).
func (c *cli) verify(args []string) error {
	b := c.verifyBinder()
	if err := b.Parse(args); err != nil {
		return err
	}
	if b.receipt != "" {
		return c.verifyReceipt(b.path, b.receipt)
	}
	d, err := openExisting(b.path)
	if err != nil {
		return err
	}
	defer d.Close()
	// Verifying allocates a few short-lived values per use and keeps
	// almost nothing: a collection every 4× the live heap instead of 1×
	// takes a fifth off a 10M-use log, and memory stays constant (about
	// 60 MB; docs/PERFORMANCE.md).
	gcPercent(400)
	ctx := context.Background()
	uses, err := db.NewUseService(d).VerifyUses(ctx)
	if err != nil {
		return fmt.Errorf("verify use log: %w", err)
	}
	audit, err := db.NewAuditService(d).VerifyAudit(ctx)
	if err != nil {
		return fmt.Errorf("verify audit trail: %w", err)
	}
	ok := true
	for _, r := range []struct {
		label string
		rep   monitoring.ChainReport
		row   func(context.Context, int64) string
	}{{"use log", uses, func(ctx context.Context, seq int64) string { return useRow(ctx, d, seq) }},
		{"audit trail", audit, func(ctx context.Context, seq int64) string { return auditRow(ctx, d, seq) }}} {
		if r.rep.OK {
			fmt.Fprintf(c.stdout, "%-12s ok      %d entries checked\n", r.label+":", r.rep.Checked)
			continue
		}
		ok = false
		fmt.Fprintf(c.stdout, "%-12s FAILED  %d entries verified, first bad entry: seq %d (%s)\n",
			r.label+":", r.rep.Checked, r.rep.FirstBad, reasonText(r.rep.Reason))
		if row := r.row(ctx, r.rep.FirstBad); row != "" {
			fmt.Fprintf(c.stdout, "%-12s         %s\n", "", row)
		}
	}
	if !ok {
		fmt.Fprintln(c.stdout, "The chain is broken: an entry was changed, removed or reordered at or before the first bad entry.")
		return errFailed
	}
	return nil
}

// useRow describes the use log entry seq as stored now ("" if none).
func useRow(ctx context.Context, d *db.DB, seq int64) string {
	us, _, err := db.NewUseService(d).ListUses(ctx, monitoring.UseFilter{Cursor: seq + 1, Limit: 1})
	if err != nil || len(us) == 0 || us[0].Seq != seq {
		return ""
	}
	u := us[0]
	return fmt.Sprintf("id %s, occurred %s, used by %s, recording %s, employees %s, action %s, purpose %q",
		u.ID, u.OccurredAt.Format(time.RFC3339), u.UsedBy, u.RecordingRef, strings.Join(u.EmployeeStaffIDs, ","), u.Action, u.Purpose)
}

// auditRow describes the audit entry seq as stored now ("" if none).
func auditRow(ctx context.Context, d *db.DB, seq int64) string {
	es, _, err := db.NewAuditService(d).ListAudit(ctx, monitoring.AuditFilter{Cursor: seq + 1, Limit: 1})
	if err != nil || len(es) == 0 || es[0].Seq != seq {
		return ""
	}
	e := es[0]
	return fmt.Sprintf("at %s, %s: %s %s %s", e.At.Format(time.RFC3339), e.Actor, e.Action, e.Entity, e.EntityID)
}

func reasonText(reason string) string {
	switch reason {
	case "gap":
		return "gap: an entry before it is missing or out of order"
	case "prev_hash":
		return "prev_hash: it does not follow the entry before it"
	case "hash":
		return "hash: its content was changed"
	case "checkpoint":
		return "checkpoint: the log retention checkpoint through this entry does not verify"
	case "":
		return "unknown"
	}
	return reason
}

// backup writes a consistent online copy of the database (VACUUM INTO); it
// is safe while the server runs.
func (c *cli) backup(args []string) error {
	b, out := c.backupBinder()
	if err := b.Parse(args); err != nil {
		return err
	}
	if strings.TrimSpace(*out) == "" {
		return usagef("backup: missing --out FILE")
	}
	if _, err := os.Stat(*out); err == nil {
		return fmt.Errorf("backup: %s already exists; choose a new file", *out)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("backup: %w", err)
	}
	d, err := openExisting(b.path)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Backup(context.Background(), *out); err != nil {
		return err
	}
	st, err := os.Stat(*out)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(c.stdout, "Backup of %s written to %s (%d bytes).\n", b.path, *out, st.Size())
	return nil
}

func (c *cli) backupFlags() (*flag.FlagSet, *string, *string) {
	b, out := c.backupBinder()
	return b.fs, &b.path, out
}

func (c *cli) backupBinder() (*dbBinding, *string) {
	b := &dbBinding{binder: c.newBinder("backup", "vaaka backup --out FILE [--db vaaka.db]"), path: DefaultConfig().DB}
	var out string
	b.String(&out, "out", "VAAKA_BACKUP_OUT", "file to write the copy to; must not exist")
	b.String(&b.path, "db", "VAAKA_DB", "SQLite database file")
	return b, &out
}

// migrate applies the migrations not yet applied.
func (c *cli) migrate(args []string) error {
	b := c.dbBinder("migrate")
	if err := b.Parse(args); err != nil {
		return err
	}
	d, err := db.OpenNoMigrate(b.path)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Migrate(context.Background()); err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "%s is at the latest schema.\n", b.path)
	return nil
}

// describe turns a domain error into a message naming the fields.
func describe(op string, err error) error {
	var e *monitoring.Error
	if !errors.As(err, &e) {
		return fmt.Errorf("%s: %w", op, err)
	}
	switch e.Code {
	case monitoring.Conflict:
		return fmt.Errorf("%s: already exists (%s)", op, e.Message)
	case monitoring.Invalid:
		var fields []string
		for f, key := range e.Fields {
			fields = append(fields, f+": "+key)
		}
		sort.Strings(fields)
		if len(fields) == 0 {
			return fmt.Errorf("%s: %s", op, e.Message)
		}
		return fmt.Errorf("%s: invalid %s", op, strings.Join(fields, "; "))
	}
	return fmt.Errorf("%s: %s", op, e.Message)
}

func joinRoles(rs []monitoring.Role) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return strings.Join(s, ",")
}
