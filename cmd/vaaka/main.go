// Command vaaka is Vaaka's single binary: the web application and JSON API
// (serve), account and token administration, chain verification, backups and
// migrations. Every flag also reads a VAAKA_* environment variable; a flag
// given on the command line wins.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"

	_ "time/tzdata" // Europe/Helsinki even on machines without zoneinfo
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// exit codes.
const (
	exitOK      = 0
	exitFailure = 1 // the command ran and failed (e.g. a chain does not verify)
	exitUsage   = 2 // bad command line or configuration
)

func main() {
	stop := profile()
	code := run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// profile starts the profiles asked for in the environment, for
// docs/PERFORMANCE.md (`vaakabench run` passes its environment on to the
// server): VAAKA_CPUPROFILE=FILE profiles the CPU of the whole command,
// VAAKA_MEMPROFILE=FILE writes the live heap when it ends. The returned
// function stops them.
func profile() (stop func()) {
	var stops []func()
	if path := os.Getenv("VAAKA_CPUPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil && pprof.StartCPUProfile(f) == nil {
			stops = append(stops, func() { pprof.StopCPUProfile(); f.Close() })
		}
	}
	if path := os.Getenv("VAAKA_MEMPROFILE"); path != "" {
		stops = append(stops, func() {
			if f, err := os.Create(path); err == nil {
				runtime.GC()
				pprof.WriteHeapProfile(f)
				f.Close()
			}
		})
	}
	return func() {
		for _, s := range stops {
			s()
		}
	}
}

// run executes one command line (without the program name) and returns the
// exit code. Tests call it directly.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	c := &cli{stdin: stdin, stdout: stdout, stderr: stderr, lookupEnv: os.LookupEnv, ctx: context.Background()}
	return c.run(args)
}

// cli is one invocation: its streams, environment and context. serve stops
// when ctx is cancelled or on SIGINT/SIGTERM.
type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	lookupEnv      func(string) (string, bool)
	ctx            context.Context
	// onListen, when set, is told the address serve listens on (tests).
	onListen func(addr string)
}

// usageError is a bad command line: usage is printed and the exit code is 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// failure is a command that ran and failed with exit code 1 after printing
// its own report.
var errFailed = errors.New("failed")

const usageText = `Vaaka — the register and use log of call-recording monitoring of staff.

Usage:
  vaaka serve   [--addr 127.0.0.1:8080] [--db vaaka.db] [--demo]
  vaaka user add --email E --name N --role R[,R…] [--staff-id S] --password-stdin
  vaaka token create --user E --name N --scope S[,S…]
  vaaka verify  [--db vaaka.db] [--receipt FILE]
  vaaka key rotate [--db vaaka.db]
  vaaka purge-log [--db vaaka.db] [--log-retention-days 730]
  vaaka backup  --out FILE [--db vaaka.db]
  vaaka import  --source NAME --file F [--dry-run] [--db vaaka.db]
  vaaka migrate [--db vaaka.db]
  vaaka gen     --db FILE --uses N [--seed S]   (benchmark data)
  vaaka version
  vaaka help [command]

Every flag also reads an environment variable (--db: VAAKA_DB, --addr:
VAAKA_ADDR, …); the flag wins. "vaaka help COMMAND" lists a command's flags.
Roles: admin, hr, dpo, representative, supervisor, employee.
Scopes: read, write, uses:write, recordings:write, register:read.
`

func (c *cli) run(args []string) int {
	if len(args) == 0 {
		fmt.Fprint(c.stderr, usageText)
		return exitUsage
	}
	cmd, rest := args[0], args[1:]
	var err error
	switch cmd {
	case "help", "-h", "-help", "--help":
		return c.help(rest)
	case "version", "--version":
		fmt.Fprintln(c.stdout, "vaaka", version)
		return exitOK
	case "serve":
		err = c.serve(rest)
	case "user":
		err = c.sub(cmd, rest, map[string]func([]string) error{"add": c.userAdd})
	case "token":
		err = c.sub(cmd, rest, map[string]func([]string) error{"create": c.tokenCreate})
	case "verify":
		err = c.verify(rest)
	case "key":
		err = c.sub(cmd, rest, map[string]func([]string) error{"rotate": c.keyRotate})
	case "purge-log":
		err = c.purgeLog(rest)
	case "backup":
		err = c.backup(rest)
	case "import":
		err = c.importLog(rest)
	case "migrate":
		err = c.migrate(rest)
	case "gen":
		err = c.gen(rest)
	default:
		fmt.Fprintf(c.stderr, "vaaka: unknown command %q\n\n%s", cmd, usageText)
		return exitUsage
	}
	return c.exitCode(err)
}

// exitCode reports err and maps it to the exit code.
func (c *cli) exitCode(err error) int {
	var ue *usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(c.stderr, "vaaka: %s\n(run \"vaaka help\" for usage)\n", ue.msg)
		return exitUsage
	case errors.Is(err, errFailed):
		return exitFailure
	default:
		fmt.Fprintf(c.stderr, "vaaka: %v\n", err)
		return exitFailure
	}
}

// sub dispatches "user add", "token create".
func (c *cli) sub(cmd string, args []string, subs map[string]func([]string) error) error {
	if len(args) == 0 {
		return usagef("%s: missing subcommand", cmd)
	}
	f, ok := subs[args[0]]
	if !ok {
		return usagef("%s: unknown subcommand %q", cmd, args[0])
	}
	return f(args[1:])
}

// help prints the general usage, or one command's flags.
func (c *cli) help(args []string) int {
	if len(args) == 0 {
		fmt.Fprint(c.stdout, usageText)
		return exitOK
	}
	name := strings.Join(args, " ")
	var fs *flag.FlagSet
	switch name {
	case "serve":
		fs, _ = c.serveFlags()
	case "user", "user add":
		fs, _ = c.userAddFlags()
	case "token", "token create":
		fs, _ = c.tokenCreateFlags()
	case "verify":
		fs = c.verifyBinder().fs
	case "key", "key rotate":
		b := c.dbBinder("key rotate")
		signingKeyFlag(b.binder, new(string))
		fs = b.fs
	case "purge-log":
		fs = c.purgeLogBinder().fs
	case "backup":
		fs, _, _ = c.backupFlags()
	case "import":
		b, _, _, _ := c.importBinder()
		fs = b.fs
	case "migrate":
		fs, _ = c.dbFlags("migrate")
	case "gen":
		b, _ := c.genBinder()
		fs = b.fs
	default:
		fmt.Fprintf(c.stderr, "vaaka: unknown command %q\n\n%s", name, usageText)
		return exitUsage
	}
	fs.SetOutput(c.stdout)
	fs.Usage()
	return exitOK
}
