// Command vaakabench is Vaaka's load driver (issue "Performance"). On a
// database made by `vaaka gen` it starts the built server, measures each
// figure of docs/PERFORMANCE.md and its baseline in one run, and prints the
// ratios against the targets:
//
//	vaakabench run --vaaka bin/vaaka --db bench.db [--out FILE] [--duration 8s]
//
// Baselines: (a) raw modernc.org/sqlite inserts of the same rows in
// 1000-row transactions, same schema and indexes, synchronous=FULL, no
// HTTP; (b) a bare fiber server (`vaakabench baseline-server`, started as a
// process of its own like the real server) that inserts one row per POST
// through a group-commit writer of the same kind, without auth,
// validation, flags or chain.
//
// All traffic goes to 127.0.0.1; every loop is bounded in count and time.
// Latencies are measured by the client over loopback: an upper bound of
// the server time.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: vaakabench run --vaaka bin/vaaka --db FILE [--out FILE] | baseline-server --db FILE --addr ADDR")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "run":
		err = runBench(os.Args[2:])
	case "baseline-server":
		err = baselineServer(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "vaakabench:", err)
		os.Exit(1)
	}
}
