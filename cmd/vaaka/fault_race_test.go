//go:build race

package main

// raceEnabled: the tests run with -race (SQLite in the test binary is
// slow then; the server under test is built without it).
const raceEnabled = true
