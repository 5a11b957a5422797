package main

import (
	"bytes"
	"os"
	"sync"
	"testing"
)

// sharedDir holds files shared by the tests of one process (the seeded demo
// database); TestMain removes it.
var sharedDir string

func tempDirOutsideTest() (string, error) {
	if sharedDir != "" {
		return sharedDir, nil
	}
	dir, err := os.MkdirTemp("", "vaaka-cmd-test-")
	if err != nil {
		return "", err
	}
	sharedDir = dir
	return dir, nil
}

func TestMain(m *testing.M) {
	code := m.Run()
	if sharedDir != "" {
		os.RemoveAll(sharedDir)
	}
	os.Exit(code)
}

// syncWriter is a buffer safe for the server's goroutines and the test.
type syncWriter struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}
