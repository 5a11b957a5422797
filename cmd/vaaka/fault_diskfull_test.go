package main

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// fullFS returns the directory of a small file system for the disk-full
// test (VAAKA_TEST_FULLFS, which .ci/run mounts as root). Without it the
// test is skipped, except under CI=true, where it fails.
func fullFS(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("VAAKA_TEST_FULLFS")
	if dir == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("VAAKA_TEST_FULLFS is not set under CI=true: .ci/run mounts a small file system for the disk-full test")
		}
		t.Skip("VAAKA_TEST_FULLFS is not set: mount a small file system (e.g. as root: mkdir -p /mnt/vaaka-full && " +
			"mount -t tmpfs -o size=8m tmpfs /mnt/vaaka-full) and export VAAKA_TEST_FULLFS=/mnt/vaaka-full")
	}
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		t.Fatalf("VAAKA_TEST_FULLFS=%s: %v", dir, err)
	}
	if size := int64(st.Blocks) * st.Bsize; size > 256<<20 {
		t.Fatalf("VAAKA_TEST_FULLFS=%s holds %d MiB: the test fills it, so give it a small one (at most 256 MiB)", dir, size>>20)
	}
	work, err := os.MkdirTemp(dir, "vaaka-full-")
	if err != nil {
		t.Fatalf("VAAKA_TEST_FULLFS=%s: %v", dir, err)
	}
	t.Cleanup(func() { os.RemoveAll(work) })
	return work
}

// fill writes path until the file system is full and returns how much it
// wrote.
func fill(t *testing.T, path string) int64 {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 64<<10)
	var n int64
	for len(buf) > 0 {
		m, err := f.Write(buf)
		n += int64(m)
		if errors.Is(err, syscall.ENOSPC) {
			buf = buf[:len(buf)/2] // the last blocks, smaller and smaller
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	f.Sync()
	return n
}

// TestFault_DiskFull: with the database on a small file system that fills
// up, ingestion answers 507 (or 503) with a problem+json body, never a 500
// and never a crash; the server stays up and answers reads; once space
// returns it records uses again without a restart, retries of the refused
// requests are recorded once, everything acknowledged is there and both
// chains verify.
func TestFault_DiskFull(t *testing.T) {
	work := fullFS(t)
	path := filepath.Join(work, "vaaka.db")
	token := faultDB(t, path)
	c := newAPIClient(token)
	p := startServe(t, path)
	c.setBase(p.url)
	activity := c.createActivity(t)

	acked := map[string]string{}
	post := func(exts []string) (int, []byte, http.Header) {
		t.Helper()
		st, b, hdr, err := c.do("POST", "/api/v1/uses", ingestBody(activity, exts, strings.Repeat("Täysi levy. ", 8)))
		if err != nil {
			t.Fatalf("POST /api/v1/uses: no answer (did the server crash? alive=%v): %v\nstderr: %s", p.alive(), err, p.stderr)
		}
		if st == http.StatusCreated {
			rs, err := ingestResults(b)
			if err != nil || len(rs) != len(exts) {
				t.Fatalf("201 body %s: %v", b, err)
			}
			for _, r := range rs {
				if prev, ok := acked[r.ExternalID]; ok && prev != r.ID {
					t.Errorf("%s acknowledged as %s and %s", r.ExternalID, prev, r.ID)
				}
				acked[r.ExternalID] = r.ID
			}
		}
		return st, b, hdr
	}
	recovered := false
	batch := func(i int) []string {
		n := 1 + i%40
		if i%5 == 4 && !recovered {
			n = 1000 // a transaction bigger than the page cache: it spills before the commit
		}
		exts := make([]string, n)
		for j := range exts {
			exts[j] = fmt.Sprintf("full-%d-%d", i, j)
		}
		return exts
	}
	next := 0
	for ; next < 5; next++ {
		if st, b, _ := post(batch(next)); st != http.StatusCreated {
			t.Fatalf("before the disk filled: %d %s", st, b)
		}
	}

	// Fill the file system but for a little room, so that the database
	// grows into the full disk part-way through a transaction.
	filler := filepath.Join(work, "filler")
	size := fill(t, filler)
	if err := os.Truncate(filler, max(0, size-256<<10)); err != nil {
		t.Fatal(err)
	}
	t.Logf("filled the file system with %d KiB", size>>10)

	// Ingest until the disk is full: a few refusals in a row, one of them
	// of a batch that spills out of the page cache before its commit.
	var refused [][]string
	inARow, bigRefused := 0, false
	for ; (inARow < 3 || !bigRefused) && next < 3000; next++ {
		exts := batch(next)
		st, b, hdr := post(exts)
		switch st {
		case http.StatusCreated:
			inARow = 0
		case http.StatusInsufficientStorage, http.StatusServiceUnavailable:
			inARow++
			refused = append(refused, exts)
			bigRefused = bigRefused || len(exts) == 1000
			pb := problemOf(t, hdr, b)
			if pb["status"] != float64(st) || pb["title"] == "" || pb["detail"] == "" || pb["title"] == nil || pb["detail"] == nil {
				t.Errorf("refusal without a clear problem: %s", b)
			}
		default:
			t.Fatalf("ingest on a full disk: %d %s\nstderr: %s", st, b, p.stderr)
		}
		if !p.alive() {
			t.Fatalf("the server died on a full disk: %v\nstderr: %s", p.waitErr, p.stderr)
		}
	}
	if len(refused) == 0 {
		t.Fatalf("%d requests on a full file system were all recorded", next)
	}
	t.Logf("%d requests, %d uses acknowledged, %d requests refused", next, len(acked), len(refused))

	// The server stays up and answers reads.
	for _, path := range []string{"/healthz", "/api/v1/uses?limit=5"} {
		if st, b, _, err := c.do("GET", path, nil); err != nil || st != http.StatusOK {
			t.Errorf("GET %s on a full disk: %d %s %v", path, st, b, err)
		}
	}

	// Space returns: without a restart the refused requests, retried with
	// the same external ids, and new ones are recorded.
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	recovered = true
	for _, exts := range refused {
		if st, b, _ := post(exts); st != http.StatusCreated {
			t.Fatalf("retry after space returned: %d %s\nstderr: %s", st, b, p.stderr)
		}
	}
	for i := 0; i < 5; i, next = i+1, next+1 {
		if st, b, _ := post(batch(next)); st != http.StatusCreated {
			var fs syscall.Statfs_t
			syscall.Statfs(work, &fs)
			ents, _ := os.ReadDir(work)
			var files []string
			for _, e := range ents {
				if fi, err := e.Info(); err == nil {
					files = append(files, fmt.Sprintf("%s %d", e.Name(), fi.Size()))
				}
			}
			t.Fatalf("after space returned (batch %d, %d uses): %d %s\nfree %d KiB, files %v\nstderr: %s", next, len(batch(next)), st, b,
				int64(fs.Bavail)*fs.Bsize>>10, files, p.stderr)
		}
	}
	for _, l := range p.internalErrors() {
		if testing.Verbose() {
			t.Log(l)
		}
		if !strings.Contains(l, `"status":507`) && !strings.Contains(l, `"status":503`) {
			t.Errorf("server error other than a full disk: %s", l)
		}
	}
	p.term()
	mustVerify(t, path)
	n := checkAcknowledged(t, path, acked)
	t.Logf("%d uses acknowledged, %d stored", len(acked), n)
}
